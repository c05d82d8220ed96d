/* lib/io/nc_util.c — small NetCDF helpers shared by the readers (nc_util.h). */
#include "nc_util.h"

#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nj_nc_att_text(int ncid, int varid, const char *name, char *buf, size_t len)
{
    nc_type t;
    size_t n;
    buf[0] = '\0';
    if (nc_inq_att(ncid, varid, name, &t, &n) != NC_NOERR) return 0;
    if (t == NC_CHAR) {
        char *tmp = malloc(n + 1);
        if (!tmp) return 0;
        if (nc_get_att_text(ncid, varid, name, tmp) != NC_NOERR) {
            free(tmp);
            return 0;
        }
        tmp[n] = '\0';
        snprintf(buf, len, "%s", tmp);
        free(tmp);
    } else if (t == NC_STRING && n >= 1) {
        char **sv = calloc(n, sizeof *sv);
        if (!sv) return 0;
        if (nc_get_att_string(ncid, varid, name, sv) != NC_NOERR) {
            free(sv);
            return 0;
        }
        snprintf(buf, len, "%s", sv[0] ? sv[0] : "");
        nc_free_string(n, sv);
        free(sv);
    } else {
        return 0;
    }
    size_t k = strlen(buf);
    while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == '\t')) buf[--k] = '\0';
    size_t b = strspn(buf, " \t");
    if (b) memmove(buf, buf + b, strlen(buf + b) + 1);
    return 1;
}
