/* lib/io/cf_output.c — grid-point output in NetCDF-4 with CF-1.10 metadata.
 *
 * The file is written under "<path>.tmp-<pid>" and renamed onto path by
 * njord_cf_close (after an fsync), so a file at path is always complete.
 *
 * CF standard names for the shallow-water fields (CF standard name table,
 * checked against the names it defines; where none fits, none is invented —
 * a wrong standard name is worse than none, since tools trust it):
 *
 *   u     eastward_wind                   m s-1
 *   v     northward_wind                  m s-1
 *   zg    geopotential_height             m     height of the free surface above
 *                                               the geoid (fluid depth + orography)
 *   h     (none)                          m     fluid depth, long_name "fluid depth".
 *         lwe_thickness_* names mean the liquid-water-equivalent thickness of a
 *         water amount (precipitation, snow), sea_floor_depth_below_sea_surface
 *         is an ocean quantity, and cell_thickness a model-cell property; none
 *         describes the depth of a shallow-water layer of atmosphere.
 *   vor   atmosphere_relative_vorticity   s-1
 *   div   divergence_of_wind              s-1
 *   orog  surface_altitude                m
 *   pv    (none)                          m-1 s-1  long_name "potential vorticity
 *         (absolute vorticity / fluid depth)". The table's ertel_potential_vorticity
 *         is the 3-D Ertel PV in K m2 kg-1 s-1, a different quantity with other
 *         units; there is no standard name for shallow-water PV.
 */
#define _POSIX_C_SOURCE 200809L

#include "njord/io.h"

#include "../core/common.h"
#include "../core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct njord_cf_writer {
    char *path;
    char *tmp;
    int ncid;
    int open;       /* 1 until close or abort */
    int nlat, nlon;
    int nvars;
    int ndyn;       /* number of non-static variables */
    char **names;   /* nvars copies */
    int *is_static; /* nvars */
    int *varid;     /* nvars */
    int *written;   /* nvars: static variable written */
    int time_varid;
    int nsteps;
    double last_time;
    float *buf;     /* nlat * nlon */
};

static const char *const reserved_names[] = {"time", "lat", "lon", "gw"};

/* ------------------------------------------------------------------------- */
/* helpers                                                                    */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int nc_fail(int ncerr, const char *fn, const char *path, const char *what,
                   const char *name)
{
    int status = (ncerr == NC_EBADNAME || ncerr == NC_EMAXNAME || ncerr == NC_ENAMEINUSE)
                     ? NJORD_EINVAL
                     : NJORD_EIO;
    if (name)
        return nj_error(status, "%s('%s'): %s '%s': %s", fn, path, what, name,
                        nc_strerror(ncerr));
    return nj_error(status, "%s('%s'): %s: %s", fn, path, what, nc_strerror(ncerr));
}

static int put_text(int ncid, int varid, const char *att, const char *val)
{
    return nc_put_att_text(ncid, varid, att, strlen(val), val);
}

static void free_writer(njord_cf_writer *w)
{
    if (!w) return;
    if (w->names)
        for (int i = 0; i < w->nvars; i++) free(w->names[i]);
    free(w->names);
    free(w->is_static);
    free(w->varid);
    free(w->written);
    free(w->buf);
    free(w->path);
    free(w->tmp);
    free(w);
}

/* ------------------------------------------------------------------------- */
/* create                                                                     */

static int check_create_args(const char *path, int nlat, int nlon, const double *lat_deg,
                             const double *gw, const char *time_units, const char *calendar,
                             int nvars, const njord_cf_var *vars, int deflate_level,
                             const char *const *global_atts)
{
    static const char *fn = "njord_cf_create";
    if (path == NULL || path[0] == '\0')
        return nj_error(NJORD_EINVAL, "%s: path is NULL or empty", fn);
    if (nlat < 1 || nlon < 1)
        return nj_error(NJORD_EINVAL, "%s('%s'): grid size nlat = %d, nlon = %d must be >= 1", fn,
                        path, nlat, nlon);
    if ((size_t)nlat * (size_t)nlon > ((size_t)1 << 40))
        return nj_error(NJORD_EINVAL, "%s('%s'): grid %d x %d is too large", fn, path, nlat, nlon);
    if (lat_deg == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): lat_deg is NULL", fn, path);
    for (int j = 0; j < nlat; j++) {
        if (!isfinite(lat_deg[j]) || lat_deg[j] < -90.0 || lat_deg[j] > 90.0)
            return nj_error(NJORD_EINVAL, "%s('%s'): latitude %d = %g is not in [-90, 90]", fn,
                            path, j, lat_deg[j]);
        if (j > 0 && !(lat_deg[j] < lat_deg[j - 1]))
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): latitudes must decrease (north to south): lat[%d] = %g, "
                            "lat[%d] = %g",
                            fn, path, j - 1, lat_deg[j - 1], j, lat_deg[j]);
    }
    if (gw)
        for (int j = 0; j < nlat; j++)
            if (!isfinite(gw[j]) || gw[j] <= 0.0)
                return nj_error(NJORD_EINVAL, "%s('%s'): Gaussian weight %d = %g is not positive",
                                fn, path, j, gw[j]);
    if (time_units == NULL || strstr(time_units, " since ") == NULL)
        return nj_error(NJORD_EINVAL,
                        "%s('%s'): time units '%s' are not of the form '<unit> since <date>'", fn,
                        path, time_units ? time_units : "(null)");
    if (calendar != NULL && calendar[0] == '\0')
        return nj_error(NJORD_EINVAL, "%s('%s'): calendar is empty", fn, path);
    if (deflate_level < 0 || deflate_level > 9)
        return nj_error(NJORD_EINVAL, "%s('%s'): deflate level %d is not in 0..9", fn, path,
                        deflate_level);
    if (nvars < 1 || vars == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): no variables (nvars = %d%s)", fn, path, nvars,
                        vars == NULL ? ", vars = NULL" : "");
    for (int i = 0; i < nvars; i++) {
        const char *nm = vars[i].name;
        if (nm == NULL || nm[0] == '\0')
            return nj_error(NJORD_EINVAL, "%s('%s'): variable %d has no name", fn, path, i);
        for (size_t r = 0; r < sizeof reserved_names / sizeof *reserved_names; r++)
            if (strcmp(nm, reserved_names[r]) == 0)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): variable name '%s' is reserved for a coordinate", fn,
                                path, nm);
        for (int k = 0; k < i; k++)
            if (strcmp(vars[k].name, nm) == 0)
                return nj_error(NJORD_EINVAL, "%s('%s'): variable name '%s' used twice", fn,
                                path, nm);
    }
    if (global_atts)
        for (int k = 0; global_atts[k]; k += 2) {
            if (global_atts[k][0] == '\0')
                return nj_error(NJORD_EINVAL, "%s('%s'): global attribute %d has an empty name",
                                fn, path, k / 2);
            if (global_atts[k + 1] == NULL)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): global attribute '%s' has no value (the list must be "
                                "name, value pairs ending in NULL)",
                                fn, path, global_atts[k]);
        }
    return NJORD_OK;
}

/* Define the whole file and write the coordinates (ncid in define mode). */
static int define_file(njord_cf_writer *w, const double *lat_deg, const double *gw,
                       const char *time_units, const char *calendar, const njord_cf_var *vars,
                       int deflate_level, const char *const *global_atts)
{
    static const char *fn = "njord_cf_create";
    const char *path = w->path;
    int ncid = w->ncid, rc;
    int dtime, dlat, dlon, vlat, vlon, vgw = -1;
    int have_source = 0;
    double *lon = NULL;

    if ((rc = put_text(ncid, NC_GLOBAL, "Conventions", "CF-1.10")) != NC_NOERR)
        return nc_fail(rc, fn, path, "global attribute", "Conventions");
    if (global_atts)
        for (int k = 0; global_atts[k]; k += 2)
            if (strcmp(global_atts[k], "source") == 0) have_source = 1;
    if (!have_source &&
        (rc = put_text(ncid, NC_GLOBAL, "source", "Njord " NJORD_VERSION_STRING)) != NC_NOERR)
        return nc_fail(rc, fn, path, "global attribute", "source");
    if (global_atts)
        for (int k = 0; global_atts[k]; k += 2)
            if ((rc = put_text(ncid, NC_GLOBAL, global_atts[k], global_atts[k + 1])) != NC_NOERR)
                return nc_fail(rc, fn, path, "global attribute", global_atts[k]);

    if ((rc = nc_def_dim(ncid, "time", NC_UNLIMITED, &dtime)) != NC_NOERR ||
        (rc = nc_def_dim(ncid, "lat", (size_t)w->nlat, &dlat)) != NC_NOERR ||
        (rc = nc_def_dim(ncid, "lon", (size_t)w->nlon, &dlon)) != NC_NOERR)
        return nc_fail(rc, fn, path, "defining dimensions", NULL);

    /* coordinates */
    char comment[160];
    snprintf(comment, sizeof comment,
             "Gaussian latitudes: the %d roots of the Legendre polynomial P_%d(sin(lat)), "
             "north to south",
             w->nlat, w->nlat);
    if ((rc = nc_def_var(ncid, "time", NC_DOUBLE, 1, &dtime, &w->time_varid)) != NC_NOERR ||
        (rc = put_text(ncid, w->time_varid, "standard_name", "time")) != NC_NOERR ||
        (rc = put_text(ncid, w->time_varid, "long_name", "time")) != NC_NOERR ||
        (rc = put_text(ncid, w->time_varid, "units", time_units)) != NC_NOERR ||
        (rc = put_text(ncid, w->time_varid, "calendar", calendar)) != NC_NOERR ||
        (rc = put_text(ncid, w->time_varid, "axis", "T")) != NC_NOERR)
        return nc_fail(rc, fn, path, "defining coordinate", "time");
    if ((rc = nc_def_var(ncid, "lat", NC_DOUBLE, 1, &dlat, &vlat)) != NC_NOERR ||
        (rc = put_text(ncid, vlat, "standard_name", "latitude")) != NC_NOERR ||
        (rc = put_text(ncid, vlat, "long_name", "latitude")) != NC_NOERR ||
        (rc = put_text(ncid, vlat, "units", "degrees_north")) != NC_NOERR ||
        (rc = put_text(ncid, vlat, "axis", "Y")) != NC_NOERR ||
        (rc = put_text(ncid, vlat, "comment", comment)) != NC_NOERR)
        return nc_fail(rc, fn, path, "defining coordinate", "lat");
    if ((rc = nc_def_var(ncid, "lon", NC_DOUBLE, 1, &dlon, &vlon)) != NC_NOERR ||
        (rc = put_text(ncid, vlon, "standard_name", "longitude")) != NC_NOERR ||
        (rc = put_text(ncid, vlon, "long_name", "longitude")) != NC_NOERR ||
        (rc = put_text(ncid, vlon, "units", "degrees_east")) != NC_NOERR ||
        (rc = put_text(ncid, vlon, "axis", "X")) != NC_NOERR)
        return nc_fail(rc, fn, path, "defining coordinate", "lon");
    if (gw) {
        if ((rc = nc_def_var(ncid, "gw", NC_DOUBLE, 1, &dlat, &vgw)) != NC_NOERR ||
            (rc = put_text(ncid, vgw, "long_name", "gaussian weights")) != NC_NOERR ||
            (rc = put_text(ncid, vgw, "units", "1")) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining variable", "gw");
    }

    /* data variables */
    for (int i = 0; i < w->nvars; i++) {
        const njord_cf_var *v = &vars[i];
        int dims[3] = {dtime, dlat, dlon};
        size_t chunk[3] = {1, (size_t)w->nlat, (size_t)w->nlon};
        int nd = v->is_static ? 2 : 3;
        const int *dp = v->is_static ? dims + 1 : dims;
        const size_t *cp = v->is_static ? chunk + 1 : chunk;
        if ((rc = nc_def_var(ncid, v->name, NC_FLOAT, nd, dp, &w->varid[i])) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining variable", v->name);
        if ((rc = nc_def_var_chunking(ncid, w->varid[i], NC_CHUNKED, cp)) != NC_NOERR ||
            (deflate_level > 0 &&
             (rc = nc_def_var_deflate(ncid, w->varid[i], 1, 1, deflate_level)) != NC_NOERR))
            return nc_fail(rc, fn, path, "chunking/compression of variable", v->name);
        if ((v->standard_name && v->standard_name[0] &&
             (rc = put_text(ncid, w->varid[i], "standard_name", v->standard_name)) != NC_NOERR) ||
            (v->long_name && v->long_name[0] &&
             (rc = put_text(ncid, w->varid[i], "long_name", v->long_name)) != NC_NOERR) ||
            (v->units && (rc = put_text(ncid, w->varid[i], "units", v->units)) != NC_NOERR))
            return nc_fail(rc, fn, path, "attributes of variable", v->name);
    }
    if ((rc = nc_enddef(ncid)) != NC_NOERR) return nc_fail(rc, fn, path, "nc_enddef", NULL);

    lon = malloc((size_t)w->nlon * sizeof *lon);
    if (!lon) return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, path);
    for (int i = 0; i < w->nlon; i++) lon[i] = 360.0 * (double)i / (double)w->nlon;
    if ((rc = nc_put_var_double(ncid, vlat, lat_deg)) != NC_NOERR ||
        (rc = nc_put_var_double(ncid, vlon, lon)) != NC_NOERR ||
        (gw && (rc = nc_put_var_double(ncid, vgw, gw)) != NC_NOERR)) {
        free(lon);
        return nc_fail(rc, fn, path, "writing coordinates", NULL);
    }
    free(lon);
    return NJORD_OK;
}

int njord_cf_create(const char *path, int nlat, int nlon, const double *lat_deg,
                    const double *gauss_weights, const char *time_units, const char *calendar,
                    int nvars, const njord_cf_var *vars, int deflate_level,
                    const char *const *global_atts, njord_cf_writer **w_out)
{
    static const char *fn = "njord_cf_create";
    if (w_out == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): output handle pointer is NULL", fn,
                        path ? path : "(null)");
    *w_out = NULL;
    int status = check_create_args(path, nlat, nlon, lat_deg, gauss_weights, time_units,
                                   calendar, nvars, vars, deflate_level, global_atts);
    if (status != NJORD_OK) return status;
    if (calendar == NULL) calendar = "standard";

    njord_cf_writer *w = calloc(1, sizeof *w);
    if (!w) return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, path);
    w->nlat = nlat;
    w->nlon = nlon;
    w->nvars = nvars;
    w->ncid = -1;
    size_t plen = strlen(path) + 32;
    w->path = dup_str(path);
    w->tmp = malloc(plen);
    w->names = calloc((size_t)nvars, sizeof *w->names);
    w->is_static = calloc((size_t)nvars, sizeof *w->is_static);
    w->varid = calloc((size_t)nvars, sizeof *w->varid);
    w->written = calloc((size_t)nvars, sizeof *w->written);
    w->buf = malloc((size_t)nlat * (size_t)nlon * sizeof *w->buf);
    if (!w->path || !w->tmp || !w->names || !w->is_static || !w->varid || !w->written ||
        !w->buf) {
        free_writer(w);
        return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, path);
    }
    for (int i = 0; i < nvars; i++) {
        w->is_static[i] = vars[i].is_static != 0;
        if (!w->is_static[i]) w->ndyn++;
        if ((w->names[i] = dup_str(vars[i].name)) == NULL) {
            free_writer(w);
            return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, path);
        }
    }
    snprintf(w->tmp, plen, "%s.tmp-%ld", path, (long)getpid());

    int rc = nc_create(w->tmp, NC_CLOBBER | NC_NETCDF4, &w->ncid);
    if (rc != NC_NOERR) {
        status = nj_error(NJORD_EIO, "%s('%s'): cannot create '%s': %s", fn, path, w->tmp,
                          nc_strerror(rc));
        free_writer(w);
        return status;
    }
    status = define_file(w, lat_deg, gauss_weights, time_units, calendar, vars, deflate_level,
                         global_atts);
    if (status != NJORD_OK) {
        nc_close(w->ncid);
        remove(w->tmp);
        free_writer(w);
        return status;
    }
    w->open = 1;
    *w_out = w;
    return NJORD_OK;
}

/* ------------------------------------------------------------------------- */
/* writing                                                                    */

static int check_open(const njord_cf_writer *w, const char *fn)
{
    if (w == NULL) return nj_error(NJORD_EINVAL, "%s: writer is NULL", fn);
    if (!w->open)
        return nj_error(NJORD_EINVAL, "%s('%s'): the writer is already closed", fn, w->path);
    return NJORD_OK;
}

/* Convert a field to float in w->buf; finite values beyond the float range are
 * an error (NaN and infinities are kept as they are). */
static int to_float(njord_cf_writer *w, const char *fn, const char *name, const njord_real *f)
{
    size_t n = (size_t)w->nlat * (size_t)w->nlon;
    for (size_t k = 0; k < n; k++) {
        double x = (double)f[k];
        if (isfinite(x) && fabs(x) > FLT_MAX)
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): variable '%s': value %g at lat %zu, lon %zu is beyond "
                            "the range of float",
                            fn, w->path, name, x, k / (size_t)w->nlon, k % (size_t)w->nlon);
        w->buf[k] = (float)x;
    }
    return NJORD_OK;
}

int njord_cf_write_static(njord_cf_writer *w, const char *name, const njord_real *field)
{
    static const char *fn = "njord_cf_write_static";
    int status = check_open(w, fn);
    if (status != NJORD_OK) return status;
    if (name == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): variable name is NULL", fn, w->path);
    int i;
    for (i = 0; i < w->nvars; i++)
        if (strcmp(w->names[i], name) == 0) break;
    if (i == w->nvars)
        return nj_error(NJORD_EINVAL, "%s('%s'): no variable '%s' in this file", fn, w->path,
                        name);
    if (!w->is_static[i])
        return nj_error(NJORD_EINVAL,
                        "%s('%s'): variable '%s' is not static (write it with "
                        "njord_cf_write_step)",
                        fn, w->path, name);
    if (field == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): field of variable '%s' is NULL", fn, w->path,
                        name);
    if ((status = to_float(w, fn, name, field)) != NJORD_OK) return status;
    int rc = nc_put_var_float(w->ncid, w->varid[i], w->buf);
    if (rc != NC_NOERR) return nc_fail(rc, fn, w->path, "writing variable", name);
    w->written[i] = 1;
    return NJORD_OK;
}

int njord_cf_write_step(njord_cf_writer *w, double time, int nfields,
                        const njord_real *const *fields)
{
    static const char *fn = "njord_cf_write_step";
    int status = check_open(w, fn);
    if (status != NJORD_OK) return status;
    if (nfields != w->ndyn)
        return nj_error(NJORD_EINVAL,
                        "%s('%s'): %d fields given, the file has %d time-dependent variables",
                        fn, w->path, nfields, w->ndyn);
    if (w->ndyn > 0 && fields == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): fields is NULL", fn, w->path);
    if (!isfinite(time))
        return nj_error(NJORD_EINVAL, "%s('%s'): time %g is not finite", fn, w->path, time);
    if (w->nsteps > 0 && !(time > w->last_time))
        return nj_error(NJORD_EINVAL,
                        "%s('%s'): time %g of step %d is not after the previous time %g", fn,
                        w->path, time, w->nsteps, w->last_time);
    for (int i = 0, k = 0; i < w->nvars; i++) {
        if (w->is_static[i]) continue;
        if (fields[k] == NULL)
            return nj_error(NJORD_EINVAL, "%s('%s'): field %d (variable '%s') is NULL", fn,
                            w->path, k, w->names[i]);
        k++;
    }

    size_t start[3] = {(size_t)w->nsteps, 0, 0};
    size_t count[3] = {1, (size_t)w->nlat, (size_t)w->nlon};
    for (int i = 0, k = 0; i < w->nvars; i++) {
        if (w->is_static[i]) continue;
        if ((status = to_float(w, fn, w->names[i], fields[k++])) != NJORD_OK) return status;
        int rc = nc_put_vara_float(w->ncid, w->varid[i], start, count, w->buf);
        if (rc != NC_NOERR) return nc_fail(rc, fn, w->path, "writing variable", w->names[i]);
    }
    /* The time value last: a step counts once all its fields are in. */
    int rc = nc_put_var1_double(w->ncid, w->time_varid, start, &time);
    if (rc != NC_NOERR) return nc_fail(rc, fn, w->path, "writing variable", "time");
    w->nsteps++;
    w->last_time = time;
    return NJORD_OK;
}

int njord_cf_nsteps(const njord_cf_writer *w)
{
    return w ? w->nsteps : 0;
}

/* ------------------------------------------------------------------------- */
/* close, abort, destroy                                                      */

int njord_cf_close(njord_cf_writer *w)
{
    static const char *fn = "njord_cf_close";
    int status = check_open(w, fn);
    if (status != NJORD_OK) return status;
    for (int i = 0; i < w->nvars; i++)
        if (w->is_static[i] && !w->written[i])
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): static variable '%s' was never written (write it with "
                            "njord_cf_write_static, or abort the writer)",
                            fn, w->path, w->names[i]);
    w->open = 0;
    int rc = nc_close(w->ncid);
    w->ncid = -1;
    if (rc != NC_NOERR)
        status = nj_error(NJORD_EIO, "%s('%s'): closing '%s': %s", fn, w->path, w->tmp,
                          nc_strerror(rc));
    if (status == NJORD_OK) {
        /* Make the data durable before the rename makes it visible. */
        int fd = open(w->tmp, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0)
            status = nj_error(NJORD_EIO, "%s('%s'): fsync of '%s' failed: %s", fn, w->path,
                              w->tmp, strerror(errno));
        if (fd >= 0) close(fd);
    }
    if (status == NJORD_OK && rename(w->tmp, w->path) != 0)
        status = nj_error(NJORD_EIO, "%s('%s'): rename from '%s' failed: %s", fn, w->path,
                          w->tmp, strerror(errno));
    if (status != NJORD_OK) remove(w->tmp);
    return status;
}

void njord_cf_abort(njord_cf_writer *w)
{
    if (w == NULL || !w->open) return;
    w->open = 0;
    nc_close(w->ncid);
    w->ncid = -1;
    remove(w->tmp);
}

void njord_cf_destroy(njord_cf_writer *w)
{
    if (w == NULL) return;
    njord_cf_abort(w);
    free_writer(w);
}
