/* lib/io/path.c — njord_path_writable (io.h): can a file be created at a path?
 * And nj_create_reason (nc_util.h) for the writers' create failures. */
#include <errno.h>
#include <netcdf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/error.h"
#include "nc_util.h"
#include "njord/io.h"

int njord_path_writable(const char *path)
{
    if (!path || !*path) return nj_error(NJORD_EINVAL, "njord_path_writable: empty file name");
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == path)
        strcpy(dir, "/");
    else if ((size_t)(slash - path) >= sizeof dir)
        return nj_error(NJORD_EIO, "cannot write '%s': its directory name is too long", path);
    else {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    }
    if (slash && slash[1] == '\0')
        return nj_error(NJORD_EIO, "cannot write '%s': it names a directory, not a file", path);
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return nj_error(NJORD_EIO, "cannot write '%s': directory '%s' %s", path, dir,
                        errno == ENOENT || errno == ENOTDIR ? "does not exist" : strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return nj_error(NJORD_EIO, "cannot write '%s': '%s' is not a directory", path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return nj_error(NJORD_EIO, "cannot write '%s': directory '%s' is not writable (%s)", path,
                        dir, strerror(errno));
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return nj_error(NJORD_EIO, "cannot write '%s': it is a directory", path);
    return NJORD_OK;
}

void nj_create_reason(const char *path, int nc_status, char *buf, size_t len)
{
    /* the NetCDF library reports a missing directory as "Permission denied" */
    if (njord_path_writable(path) != NJORD_OK) snprintf(buf, len, "%s", njord_last_error());
    else snprintf(buf, len, "%s", nc_strerror(nc_status));
}
