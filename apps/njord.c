/* apps/njord.c — the njord command.
 *
 *   njord run CONFIG [--set section.key=value ...] [-o FILE] [--members A-B]
 *   njord config [--describe]      the configuration keys (markdown) or the defaults (INI)
 *   njord info [--blas-coretype] | --version | --help
 *
 * Under mpirun the run is distributed over MPI_COMM_WORLD; started alone it runs
 * serially. Exit status: 0 success, 1 error, 2 usage, 3 the model blew up. After
 * a failure the output so far (for a blow-up: up to the last good state) is in
 * output.file with ".partial" before ".nc", and an existing output.file is left
 * as it was. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "njord.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: njord COMMAND [options]\n"
            "\n"
            "commands:\n"
            "  run CONFIG [--set section.key=value ...] [-o FILE] [--members A-B]\n"
            "              run a forecast: CONFIG is an INI file ('-' for the defaults);\n"
            "              --set overrides a key, -o sets output.file; --members runs the\n"
            "              ensemble members A..B (ensemble.member), each with its own files:\n"
            "              {member} in output.file, output.summary, restart.output and\n"
            "              restart.input becomes the member's number (3 digits at least),\n"
            "              or .mNNN goes before .nc or .json (else at the end); under\n"
            "              mpirun the ranks split into\n"
            "              min(ranks, members) groups that run members side by side\n"
            "  config      print the default configuration (INI, every key documented)\n"
            "  config --describe\n"
            "              print the table of configuration keys (markdown)\n"
            "  info        print the build: precision, backends, library versions\n"
            "  info --blas-coretype\n"
            "              print the OPENBLAS_CORETYPE this processor needs, if any\n"
            "  --version   print the version\n"
            "  --help      this text\n");
}

static int cmd_info(int argc, char **argv)
{
    if (argc > 3 || (argc == 3 && strcmp(argv[2], "--blas-coretype"))) {
        fprintf(stderr, "njord: info: unknown option '%s'\n", argv[argc - 1]);
        usage(stderr);
        return 2;
    }
    if (argc > 2 && !strcmp(argv[2], "--blas-coretype")) {
        /* for scripts: the OPENBLAS_CORETYPE to set, or nothing */
        const char *adv = njord_blas_coretype_advice();
        if (adv) puts(adv);
        return 0;
    }
    fputs(njord_build_info(), stdout);
    njord_backend_kind k = njord_backend_resolve(NJORD_BACKEND_AUTO);
    printf("backend auto resolves to: %s\n", njord_backend_name(k));
    if (njord_backend_check(NJORD_BACKEND_CUDA) != NJORD_OK)
        printf("cuda unavailable: %s\n", njord_last_error());
    else
        printf("cuda device: %s\n", njord_cuda_device());
    return 0;
}

static int cmd_config(int argc, char **argv)
{
    if (argc > 3 || (argc == 3 && strcmp(argv[2], "--describe"))) {
        fprintf(stderr, "njord: config: unknown option '%s'\n", argv[argc - 1]);
        usage(stderr);
        return 2;
    }
    if (argc > 2 && !strcmp(argv[2], "--describe")) return njord_config_describe(stdout) ? 1 : 0;
    njord_config *c;
    if (njord_config_create(&c)) return 1;
    int st = njord_config_write(c, stdout);
    njord_config_destroy(c);
    return st ? 1 : 0;
}

/* ------------------------------------------------------------------ run */

/* the prefix of a run's messages ("njord", or "njord [member K]" in an ensemble),
 * and whether progress may use a terminal line (not when runs share stderr) */
static char g_pfx[48] = "njord";
static int g_tty = 1;

typedef struct {
    int rank, tty, progress;
    double t0, length;
    double tstart; /* model time when the run started (s; > 0 after a restart) */
    double e0, g0;
    int have_energy, have_gpu_energy;
} run_state;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void hms(double s, char *buf, size_t n)
{
    long x = (long)(s + 0.5);
    snprintf(buf, n, "%ld:%02ld:%02ld", x / 3600, (x / 60) % 60, x % 60);
}

static int on_output(njord_model *m, void *user)
{
    run_state *rs = user;
    njord_diag d;
    int st = njord_model_diagnostics(m, &d);
    if (st) return st;
    if (rs->rank != 0 || !rs->progress) return NJORD_OK;
    double wall = now() - rs->t0, t = d.time, ran = t - rs->tstart;
    double sdpd = wall > 0 ? (ran / 86400.0) / (wall / 86400.0) : 0;
    double eta = ran > 0 ? wall * (rs->length - t) / ran : 0;
    char e[32];
    hms(eta, e, sizeof e);
    int pe = !isnan(d.ps_min);
    if (rs->tty)
        fprintf(stderr, "\r[%3.0f%%] day %6.2f of %.2f | %8.0f SDPD | max wind %6.1f m/s | ETA %s ",
                100 * t / rs->length, t / 86400, rs->length / 86400, sdpd, d.max_wind, e);
    else if (pe)
        fprintf(stderr,
                "%s: t = %8.3f days  step %6ld  mean ps %.10e Pa  min ps %.2f hPa  energy %.8e J/m2  "
                "max wind %.2f m/s  SDPD %.0f\n",
                g_pfx, t / 86400, d.step, d.mass, d.ps_min / 100, d.energy, d.max_wind, sdpd);
    else
        fprintf(stderr,
                "%s: t = %8.3f days  step %6ld  mass %.10e m  energy %.6e  enstrophy %.6e  "
                "max wind %.2f m/s  SDPD %.0f\n",
                g_pfx, t / 86400, d.step, d.mass, d.energy, d.enstrophy, d.max_wind, sdpd);
    return NJORD_OK;
}

/* s as a JSON string: quotes, backslashes and control characters escaped */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static int write_summary(const char *path, njord_model *m, const run_state *rs, double wall,
                         int status, const char *msg, const njord_config *cfg, const char *out)
{
    /* the diagnostics first: collective (the other ranks call them too), whether
     * or not the file can be written */
    njord_diag d = {0};
    if (m) njord_model_diagnostics(m, &d);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return 1;
    double tr = 0, gp = 0, ot = 0, tot = 0;
    if (m) njord_model_timing(m, &tr, &gp, &ot, &tot);
    /* t: the simulated time of this run (model time less the restart's) */
    double t = m ? njord_model_time(m) - rs->tstart : 0, e1 = 0;
    int nlat = 0, nlon = 0;
    if (m) njord_model_grid(m, &nlat, &nlon, NULL);
    int have_e = rs->have_energy && njord_energy_cpu(&e1) == NJORD_OK;
    fprintf(f, "{\n  \"njord_version\": \"%s\",\n  \"precision\": \"%s\",\n", njord_version(),
            njord_precision());
    fprintf(f, "  \"status\": \"%s\",\n  \"message\": ", status == 0 ? "ok" : status == NJORD_EBLOWUP ? "blowup" : "error");
    json_str(f, msg);
    fputs(",\n  \"case\": ", f);
    json_str(f, njord_config_get(cfg, "initial.case"));
    fprintf(f, ",\n  \"ensemble_member\": %s", njord_config_get(cfg, "ensemble.member"));
    fprintf(f, ",\n  \"truncation\": %s,\n  \"grid\": [%d, %d],\n  \"backend\": ",
            njord_config_get(cfg, "grid.trunc"), nlon, nlat);
    json_str(f, njord_config_get(cfg, "backend.kind"));
    fputs(",\n  \"output\": ", f);
    if (out) json_str(f, out);
    else fputs("null", f);
    fputs(",\n", f);
    fprintf(f, "  \"simulated_days\": %.6f,\n  \"model_time_days\": %.6f,\n  \"steps\": %ld,\n"
               "  \"wall_seconds\": %.3f,\n",
            t / 86400, m ? njord_model_time(m) / 86400 : 0.0, m ? njord_model_steps(m) : 0L, wall);
    fprintf(f, "  \"sdpd\": %.3f,\n", wall > 0 ? (t / 86400) / (wall / 86400) : 0.0);
    fprintf(f, "  \"step_seconds\": {\"total\": %.4f, \"transforms\": %.4f, \"gridpoint\": %.4f, \"other\": %.4f},\n",
            tot, tr, gp, ot);
    if (have_e)
        fprintf(f, "  \"cpu_energy_joules\": %.3f,\n  \"cpu_joules_per_simulated_day\": %.3f,\n",
                e1 - rs->e0, t > 0 ? (e1 - rs->e0) / (t / 86400) : 0.0);
    else
        fprintf(f, "  \"cpu_energy_joules\": null,\n  \"energy_note\": \"unavailable: no readable RAPL counter\",\n");
    double g1 = 0;
    if (rs->have_gpu_energy && njord_energy_gpu(0, &g1) == NJORD_OK)
        fprintf(f, "  \"gpu_energy_joules\": %.3f,\n  \"gpu_joules_per_simulated_day\": %.3f,\n",
                g1 - rs->g0, t > 0 ? (g1 - rs->g0) / (t / 86400) : 0.0);
    else
        fprintf(f, "  \"gpu_energy_joules\": null,\n");
    if (m && !isnan(d.ps_min))
        fprintf(f, "  \"final\": {\"mean_ps\": %.12e, \"energy\": %.10e, \"enstrophy\": %.10e, "
                   "\"max_wind\": %.6f, \"ps_min\": %.4f, \"ps_max\": %.4f}\n}\n",
                d.mass, d.energy, d.enstrophy, d.max_wind, d.ps_min, d.ps_max);
    else
        fprintf(f, "  \"final\": {\"mass\": %.12e, \"energy\": %.10e, \"enstrophy\": %.10e, \"max_wind\": %.6f}\n}\n",
                d.mass, d.energy, d.enstrophy, d.max_wind);
    int bad = fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        remove(tmp);
        return 1;
    }
    return 0;
}

/* One forecast with cfg on comm (MPI_COMM_NULL: serial; rank: this rank in comm):
 * output, progress, summary. Messages begin with g_pfx. Exit status 0, 1 or 3. */
static int run_one(njord_config *cfg, MPI_Comm comm, int rank)
{
    /* the summary's path; it must not be the output or restart file, and with
     * output.overwrite = false neither an existing output nor summary is replaced */
    const char *sum = njord_config_get(cfg, "output.summary");
    const char *outf = njord_config_get(cfg, "output.file");
    const char *rout = njord_config_get(cfg, "restart.output");
    char sumpath[4096] = ""; /* empty: no summary (output.summary = none) */
    if (sum && *sum && strcmp(sum, "none")) snprintf(sumpath, sizeof sumpath, "%s", sum);
    else if (!sum || !*sum) snprintf(sumpath, sizeof sumpath, "%s.json", outf && *outf ? outf : "njord");
    int overwrite = 1;
    char err[8300] = "";
    if (njord_config_get_bool(cfg, "output.overwrite", &overwrite))
        snprintf(err, sizeof err, "%s", njord_last_error());
    else if (*sumpath && ((outf && !strcmp(sumpath, outf)) || (rout && !strcmp(sumpath, rout))))
        snprintf(err, sizeof err, "output.summary = %s is also the %s file", sumpath,
                 outf && !strcmp(sumpath, outf) ? "output" : "restart");
    if (!*err && *sumpath) { /* rank 0 writes it; every rank must stop alike */
        int bad = rank == 0 && njord_path_writable(sumpath) != NJORD_OK;
        if (bad)
            snprintf(err, sizeof err, "output.summary%s: %s",
                     sum && *sum ? "" : " (output.file + .json)", njord_last_error());
        if (comm != MPI_COMM_NULL) MPI_Bcast(&bad, 1, MPI_INT, 0, comm);
        if (bad && !*err) snprintf(err, sizeof err, "output.summary is not writable");
    }
    /* decided on rank 0 for every rank: a file appearing between two ranks'
     * checks must not split them */
    int exists = 0;
    for (int k = 0; k < 2 && !*err && !overwrite; k++) {
        const char *p = k ? sumpath : outf;
        if (!exists && rank == 0 && p && *p && access(p, F_OK) == 0) exists = k + 1;
    }
    if (!*err && !overwrite && comm != MPI_COMM_NULL) MPI_Bcast(&exists, 1, MPI_INT, 0, comm);
    if (exists)
        snprintf(err, sizeof err, "%s file %s exists and output.overwrite = false",
                 exists == 2 ? "summary" : "output", exists == 2 ? sumpath : outf);
    if (*err) {
        if (rank == 0) fprintf(stderr, "%s: error: %s\n", g_pfx, err);
        return 1;
    }
    run_state rs = {0};
    rs.rank = rank;
    rs.tty = g_tty && isatty(2);
    const char *pg = njord_config_get(cfg, "run.progress");
    rs.progress = strcmp(pg, "never") != 0;
    njord_config_get_double(cfg, "time.length", &rs.length);
    rs.have_energy = njord_energy_cpu(&rs.e0) == NJORD_OK;
    rs.have_gpu_energy = njord_energy_gpu(0, &rs.g0) == NJORD_OK;
    rs.t0 = now();
    njord_model *m = NULL;
    int st = njord_model_create(cfg, comm, &m);
    char msg[1024] = "";
    if (!st) {
        if (rank == 0)
            fprintf(stderr, "%s: %s, T%s%s%s, %s backend, %s precision, dt = %s s, %g days\n",
                    g_pfx, njord_config_get(cfg, "initial.case"), njord_config_get(cfg, "grid.trunc"),
                    strcmp(njord_config_get(cfg, "model.equations"), "primitive") ? "" : " levels ",
                    strcmp(njord_config_get(cfg, "model.equations"), "primitive")
                        ? "" : njord_config_get(cfg, "vertical.levels"),
                    njord_backend_name(njord_sht_backend(njord_model_plan(m))), njord_precision(),
                    njord_config_get(cfg, "time.dt"), rs.length / 86400);
        rs.t0 = now();
        rs.tstart = njord_model_time(m);
        st = njord_model_run(m, -1, on_output, &rs);
        /* the output is complete (or its failure known) before anyone is told */
        if (!st) st = njord_model_close_output(m);
    }
    if (st) snprintf(msg, sizeof msg, "%s", njord_last_error());
    double wall = now() - rs.t0;
    if (rs.tty && rank == 0 && rs.progress) fputc('\n', stderr);
    /* this run's output file: none without variables, or after a failure */
    const char *outw = m && !st ? njord_model_output_file(m) : NULL;
    if (m) {
        double t = njord_model_time(m) - rs.tstart, e1;
        if (rank == 0) { /* one line in one write: ensemble groups share stderr */
            char line[512];
            size_t o = (size_t)snprintf(line, sizeof line,
                                        "%s: %s: %.2f simulated days in %.2f s wall: %.0f simulated days per day",
                                        g_pfx, st ? "stopped" : "done", t / 86400, wall,
                                        wall > 0 ? (t / 86400) / (wall / 86400) : 0.0);
            double g1;
            if (o < sizeof line) {
                if (rs.have_energy && njord_energy_cpu(&e1) == NJORD_OK)
                    o += (size_t)snprintf(line + o, sizeof line - o, ", CPU energy %.1f J (%.1f J per simulated day)",
                                          e1 - rs.e0, t > 0 ? (e1 - rs.e0) / (t / 86400) : 0.0);
                else
                    o += (size_t)snprintf(line + o, sizeof line - o,
                                          ", CPU energy unavailable (no readable RAPL counter)");
            }
            if (o < sizeof line && rs.have_gpu_energy && njord_energy_gpu(0, &g1) == NJORD_OK)
                snprintf(line + o, sizeof line - o, ", GPU energy %.1f J (%.1f J per simulated day)",
                         g1 - rs.g0, t > 0 ? (g1 - rs.g0) / (t / 86400) : 0.0);
            fprintf(stderr, "%s\n", line);
        }
    }
    if ((m || st) && *sumpath) {
        /* the summary needs collective diagnostics when a model exists */
        int werr = 0;
        if (m) {
            if (rank == 0) werr = write_summary(sumpath, m, &rs, wall, st, msg, cfg, outw);
            else { njord_diag d; njord_model_diagnostics(m, &d); }
        } else if (rank == 0) {
            werr = write_summary(sumpath, NULL, &rs, wall, st, msg, cfg, NULL);
        }
        if (werr && rank == 0) fprintf(stderr, "%s: warning: could not write %s\n", g_pfx, sumpath);
        else if (rank == 0) fprintf(stderr, "%s: summary in %s\n", g_pfx, sumpath);
    }
    char outcopy[4096] = "";
    if (outw) snprintf(outcopy, sizeof outcopy, "%s", outw);
    njord_model_destroy(m);
    if (!st && rank == 0)
        fprintf(stderr, *outcopy ? "%s: output in %s\n" : "%s: no output file%s\n", g_pfx, outcopy);
    if (st) {
        if (rank == 0) fprintf(stderr, "%s: error: %s\n", g_pfx, msg);
        return st == NJORD_EBLOWUP ? 3 : 1;
    }
    return 0;
}

/* An ensemble member's path: every "{member}" in tmpl replaced by k (zero-padded
 * to 3 digits: member 5 is 005 whatever the range), or, without one, ".mK"
 * inserted before a final ".nc" or ".json" (else appended). */
static int member_path(const char *tmpl, long k, char *out, size_t n)
{
    char num[32];
    snprintf(num, sizeof num, "%03ld", k);
    const char *tag = "{member}";
    size_t o = 0, len = strlen(tmpl);
    int found = strstr(tmpl, tag) != NULL;
    if (found) {
        for (const char *p = tmpl; *p;) {
            if (!strncmp(p, tag, strlen(tag))) {
                o += (size_t)snprintf(out + (o < n ? o : n), o < n ? n - o : 0, "%s", num);
                p += strlen(tag);
            } else {
                if (o + 1 < n) out[o] = *p;
                o++;
                p++;
            }
        }
        if (o < n) out[o] = 0;
    } else if (len > 3 && !strcmp(tmpl + len - 3, ".nc")) {
        o = (size_t)snprintf(out, n, "%.*s.m%s.nc", (int)(len - 3), tmpl, num);
    } else if (len > 5 && !strcmp(tmpl + len - 5, ".json")) {
        o = (size_t)snprintf(out, n, "%.*s.m%s.json", (int)(len - 5), tmpl, num);
    } else {
        o = (size_t)snprintf(out, n, "%s.m%s", tmpl, num);
    }
    return o < n ? 0 : 1;
}

static int cmd_run(int argc, char **argv)
{
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) {
        usage(stdout);
        return 0;
    }
    int mpi = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
    MPI_Comm comm = MPI_COMM_NULL;
    int rank = 0, nranks = 1;
    if (mpi) {
        njord_init(&argc, &argv);
        comm = MPI_COMM_WORLD;
        MPI_Comm_rank(comm, &rank);
        MPI_Comm_size(comm, &nranks);
    }
    njord_config *cfg = NULL;
    long mem_a = -1, mem_b = -1; /* --members A-B */
    int st = njord_config_create(&cfg);
    if (!st && strcmp(argv[2], "-")) st = njord_config_load(cfg, argv[2]);
    for (int i = 3; i < argc && !st; i++) {
        if (!strcmp(argv[i], "--set") && i + 1 < argc) {
            st = njord_config_set(cfg, argv[++i]);
        } else if (!strncmp(argv[i], "--set=", 6)) {
            st = njord_config_set(cfg, argv[i] + 6);
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
            st = njord_config_set_value(cfg, "output.file", argv[++i]);
        } else if (!strcmp(argv[i], "--members") && i + 1 < argc) {
            const char *v = argv[++i];
            char *e;
            mem_a = strtol(v, &e, 10);
            mem_b = mem_a;
            if (*e == '-' && e > v && isdigit((unsigned char)e[1])) mem_b = strtol(e + 1, &e, 10);
            if (*e || !(mem_a >= 0 && mem_b >= mem_a && mem_b <= 999999) || !isdigit((unsigned char)*v)) {
                if (rank == 0)
                    fprintf(stderr, "njord: --members %s: expected A-B (0 <= A <= B <= 999999) or A\n", v);
                njord_config_destroy(cfg);
                return 2;
            }
        } else {
            if (rank == 0 && (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--set") ||
                              !strcmp(argv[i], "--members")))
                fprintf(stderr, "njord: %s needs %s\n", argv[i],
                        argv[i][1] == 'o' ? "a file name"
                        : argv[i][2] == 'm' ? "a range of members A-B" : "section.key=value");
            else if (rank == 0)
                fprintf(stderr, "njord: unknown option '%s'\n", argv[i]);
            njord_config_destroy(cfg);
            usage(stderr);
            return 2;
        }
    }
    if (st) {
        if (rank == 0) fprintf(stderr, "njord: error: %s\n", njord_last_error());
        njord_config_destroy(cfg);
        return 1;
    }
    if (mem_a < 0) {
        int rc = run_one(cfg, comm, rank);
        njord_config_destroy(cfg);
        return rc;
    }
    if (rank == 0 && strcmp(njord_config_get(cfg, "ensemble.member"), "0"))
        fprintf(stderr, "njord: note: --members %ld-%ld replaces ensemble.member = %s\n", mem_a, mem_b,
                njord_config_get(cfg, "ensemble.member"));
    /* an ensemble: G = min(ranks, members) groups of consecutive ranks, group g
     * running members A + g, A + g + G, ... one after the other */
    const long nmem = mem_b - mem_a + 1;
    const int G = (int)(nranks < nmem ? nranks : nmem), g = (int)((long)rank * G / nranks);
    MPI_Comm gcomm = MPI_COMM_NULL;
    int grank = 0;
    if (comm != MPI_COMM_NULL) {
        MPI_Comm_split(comm, g, rank, &gcomm);
        MPI_Comm_rank(gcomm, &grank);
    }
    g_tty = G == 1;
    static const char *const keys[] = {"output.file", "output.summary", "restart.output", "restart.input"};
    char *tmpl[4];
    for (int k = 0; k < 4; k++) tmpl[k] = strdup(njord_config_get(cfg, keys[k]));
    /* without an output file the default summary is njord.json: one per member too */
    if (tmpl[1] && !*tmpl[1] && tmpl[0] && !*tmpl[0]) {
        free(tmpl[1]);
        tmpl[1] = strdup("njord.json");
    }
    int worst = 0, nok = 0, nfail = 0;
    for (long k = mem_a + g; k <= mem_b; k += G) {
        snprintf(g_pfx, sizeof g_pfx, "njord [member %ld]", k);
        char buf[4096], num[32];
        int rc = 0;
        snprintf(num, sizeof num, "%ld", k);
        st = njord_config_set_value(cfg, "ensemble.member", num);
        const char *err = st ? njord_last_error() : NULL;
        for (int q = 0; q < 4 && !st; q++) {
            if (!tmpl[q] || !*tmpl[q] || !strcmp(tmpl[q], "none")) continue;
            if (member_path(tmpl[q], k, buf, sizeof buf)) {
                st = 1;
                err = "a member's path is too long";
            } else if ((st = njord_config_set_value(cfg, keys[q], buf))) {
                err = njord_last_error();
            }
        }
        if (st) {
            if (grank == 0) fprintf(stderr, "%s: error: %s\n", g_pfx, err);
            rc = 1;
        } else {
            rc = run_one(cfg, gcomm, grank);
        }
        if (rc > worst) worst = rc;
        if (grank == 0) rc ? nfail++ : nok++;
    }
    for (int k = 0; k < 4; k++) free(tmpl[k]);
    njord_config_destroy(cfg);
    snprintf(g_pfx, sizeof g_pfx, "njord");
    if (comm != MPI_COMM_NULL) {
        int c[3] = {nok, nfail, worst}, sum[2];
        MPI_Allreduce(c, sum, 2, MPI_INT, MPI_SUM, comm);
        MPI_Allreduce(&c[2], &worst, 1, MPI_INT, MPI_MAX, comm);
        nok = sum[0];
        nfail = sum[1];
        MPI_Comm_free(&gcomm);
    }
    if (rank == 0)
        fprintf(stderr, "njord: ensemble of %ld member%s (%ld..%ld) in %d group%s: %d done, %d failed\n",
                nmem, nmem > 1 ? "s" : "", mem_a, mem_b, G, G > 1 ? "s" : "", nok, nfail);
    return worst;
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
    if (!strcmp(cmd, "info")) return cmd_info(argc, argv);
    if (!strcmp(cmd, "config")) return cmd_config(argc, argv);
    if (!strcmp(cmd, "run")) return cmd_run(argc, argv);
    fprintf(stderr, "njord: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
