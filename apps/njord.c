/* apps/njord.c — the njord command. */
#include <stdio.h>
#include <string.h>

#include "njord.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: njord COMMAND [options]\n"
            "\n"
            "commands:\n"
            "  info        print the build: precision, backends, library versions\n"
            "  --version   print the version\n"
            "  --help      this text\n");
}

static int cmd_info(void)
{
    fputs(njord_build_info(), stdout);
    njord_backend_kind k = njord_backend_resolve(NJORD_BACKEND_AUTO);
    printf("backend auto resolves to: %s\n", njord_backend_name(k));
    if (njord_backend_check(NJORD_BACKEND_CUDA) != NJORD_OK)
        printf("cuda unavailable: %s\n", njord_last_error());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("njord %s (%s precision)\n", njord_version(), njord_precision());
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "info")) return cmd_info();
    fprintf(stderr, "njord: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
