/* lib/io/latlon_read.c — one field from a latitude–longitude NetCDF file,
 * interpolated bilinearly to Njord's Gaussian grid (see njord/io.h).
 *
 * Steps: classify the variable's dimensions (lat, lon, time, level, others of
 * length 1), select the time step and level, read the 2-D slab as double,
 * unpack (scale_factor, add_offset) and reject missing values, reorder to
 * latitudes south to north and longitudes increasing from the smallest in
 * [0, 360), then interpolate. Beyond the outermost data latitude the outermost
 * row is held along each meridian (reason in njord/io.h).
 *
 * The same steps also serve lib/io/analysis_read.c, through the internal
 * nj_latlon_read_levels below: every level of a variable at one time step. */
#define _POSIX_C_SOURCE 200809L

#include "njord/io.h"

#include "../core/common.h"
#include "../core/error.h"
#include "nc_util.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FN "njord_latlon_read"
#define MAXD NC_MAX_VAR_DIMS

enum { D_OTHER = 0, D_LAT, D_LON, D_TIME, D_LEV };

typedef struct {
    const char *path, *var;
    int ncid;
} ctx;

static const char *const lat_units[] = {"degrees_north", "degree_north", "degree_N",
                                        "degrees_N",     "degreeN",      "degreesN", NULL};
static const char *const lon_units[] = {"degrees_east", "degree_east", "degree_E",
                                        "degrees_E",    "degreeE",     "degreesE", NULL};

/* Coordinate variable of a dimension: a 1-D variable with the dimension's name
 * along that dimension; -1 if none. */
static int coord_var(int ncid, int dimid, const char *dname)
{
    int vid, nd, dimids[MAXD];
    if (nc_inq_varid(ncid, dname, &vid) != NC_NOERR) return -1;
    if (nc_inq_varndims(ncid, vid, &nd) != NC_NOERR || nd != 1) return -1;
    if (nc_inq_vardimid(ncid, vid, dimids) != NC_NOERR || dimids[0] != dimid) return -1;
    return vid;
}

static int classify(int ncid, int dimid, const char *dname, int cvid, int unlimdim)
{
    char sn[64], units[64], axis[16];
    if (cvid >= 0) {
        if (nj_nc_att_text(ncid, cvid, "standard_name", sn, sizeof sn)) {
            if (strcmp(sn, "latitude") == 0) return D_LAT;
            if (strcmp(sn, "longitude") == 0) return D_LON;
            if (strcmp(sn, "time") == 0) return D_TIME;
            if (strcmp(sn, "air_pressure") == 0) return D_LEV;
        }
        if (nj_nc_att_text(ncid, cvid, "units", units, sizeof units)) {
            if (nj_one_of(units, lat_units)) return D_LAT;
            if (nj_one_of(units, lon_units)) return D_LON;
            if (strstr(units, " since ")) return D_TIME;
            if (nj_units_is(units, NJ_U_HPA) || nj_units_is(units, NJ_U_PA)) return D_LEV;
        }
        if (nj_nc_att_text(ncid, cvid, "axis", axis, sizeof axis)) {
            if (strcasecmp(axis, "Y") == 0) return D_LAT;
            if (strcasecmp(axis, "X") == 0) return D_LON;
            if (strcasecmp(axis, "T") == 0) return D_TIME;
            if (strcasecmp(axis, "Z") == 0) return D_LEV;
        }
    }
    static const char *const latn[] = {"lat", "latitude", NULL};
    static const char *const lonn[] = {"lon", "longitude", NULL};
    static const char *const timen[] = {"time", NULL};
    static const char *const levn[] = {"lev", "level", "plev", "pressure", NULL};
    if (nj_one_of(dname, latn)) return D_LAT;
    if (nj_one_of(dname, lonn)) return D_LON;
    if (nj_one_of(dname, timen) || dimid == unlimdim) return D_TIME;
    if (nj_one_of(dname, levn)) return D_LEV;
    return D_OTHER;
}

/* Read a 1-D coordinate variable as double (caller frees). */
static int read_coord(const ctx *c, int vid, const char *dname, size_t n, double **out)
{
    double *v = malloc(n * sizeof *v);
    if (!v)
        return nj_error(NJORD_ENOMEM, FN "('%s', '%s'): out of memory", c->path, c->var);
    int rc = nc_get_var_double(c->ncid, vid, v);
    if (rc != NC_NOERR) {
        free(v);
        return nj_error(NJORD_EIO, FN "('%s', '%s'): reading coordinate '%s': %s", c->path,
                        c->var, dname, nc_strerror(rc));
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            free(v);
            return nj_error(NJORD_EFORMAT,
                            FN "('%s', '%s'): coordinate '%s' has a non-finite value at %zu",
                            c->path, c->var, dname, i);
        }
    *out = v;
    return NJORD_OK;
}

/* Double attribute (first value); 0 if absent. */
static int get_dbl_att(int ncid, int varid, const char *att, double *val)
{
    nc_type t;
    size_t n;
    if (nc_inq_att(ncid, varid, att, &t, &n) != NC_NOERR || n < 1 || t == NC_CHAR ||
        t == NC_STRING)
        return 0;
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return 0;
    int ok = nc_get_att_double(ncid, varid, att, tmp) == NC_NOERR;
    if (ok) *val = tmp[0];
    free(tmp);
    return ok;
}

/* All values of a numeric attribute (up to maxn); returns the count (0 if absent). */
static int get_dbl_atts(int ncid, int varid, const char *att, double *vals, int maxn)
{
    nc_type t;
    size_t n;
    if (nc_inq_att(ncid, varid, att, &t, &n) != NC_NOERR || n < 1 || t == NC_CHAR ||
        t == NC_STRING)
        return 0;
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return 0;
    int cnt = 0;
    if (nc_get_att_double(ncid, varid, att, tmp) == NC_NOERR)
        for (size_t i = 0; i < n && cnt < maxn; i++) vals[cnt++] = tmp[i];
    free(tmp);
    return cnt;
}

static double default_fill(nc_type t, int *has)
{
    *has = 1;
    switch (t) {
    case NC_SHORT: return NC_FILL_SHORT;
    case NC_INT: return NC_FILL_INT;
    case NC_FLOAT: return NC_FILL_FLOAT;
    case NC_DOUBLE: return NC_FILL_DOUBLE;
    case NC_USHORT: return NC_FILL_USHORT;
    case NC_UINT: return NC_FILL_UINT;
    default: *has = 0; return 0.0; /* bytes and 64-bit integers: no default fill check */
    }
}

/* Longitude order: perm[k] = file index of the k-th longitude going east from
 * the smallest in [0, 360); lon_out[k] its value in [0, 360), increasing. */
static int order_lons(const ctx *c, const char *dname, const double *lon, size_t n, size_t *perm,
                      double *lon_out)
{
    /* Try both directions in the file: increasing modulo 360 by less than a turn. */
    for (int dir = 0; dir < 2; dir++) {
        double sum = 0.0, maxd = 0.0;
        int ok = 1;
        for (size_t i = 0; i + 1 < n && ok; i++) {
            size_t a = dir ? n - 1 - i : i, b = dir ? n - 2 - i : i + 1;
            double d = fmod(lon[b] - lon[a], 360.0);
            if (d < 0) d += 360.0;
            if (!(d > 1e-9)) ok = 0;
            sum += d;
            maxd = NJ_MAX(maxd, d);
        }
        if (!ok || !(sum < 360.0 - 1e-9)) continue;
        double gap = 360.0 - sum;
        if (gap > 2.0 * maxd * (1.0 + 1e-9))
            return nj_error(NJORD_EFORMAT,
                            FN "('%s', '%s'): longitudes '%s' do not go round the globe (gap of "
                            "%g degrees across the seam, largest other spacing %g)",
                            c->path, c->var, dname, gap, maxd);
        /* start at the smallest longitude in [0, 360) */
        size_t k0 = 0;
        double best = 1e300;
        for (size_t i = 0; i < n; i++) {
            double l = fmod(lon[i], 360.0);
            if (l < 0) l += 360.0;
            if (l >= 360.0) l -= 360.0;
            if (l < best) {
                best = l;
                k0 = i;
            }
        }
        /* position of k0 in the chosen direction */
        size_t p0 = dir ? n - 1 - k0 : k0;
        double acc = best;
        for (size_t k = 0; k < n; k++) {
            size_t p = (p0 + k) % n;
            size_t idx = dir ? n - 1 - p : p;
            if (k > 0) {
                size_t pp = (p0 + k - 1) % n;
                size_t prev = dir ? n - 1 - pp : pp;
                double d = fmod(lon[idx] - lon[prev], 360.0);
                if (d < 0) d += 360.0;
                acc += d;
            }
            perm[k] = idx;
            lon_out[k] = acc;
        }
        return NJORD_OK;
    }
    return nj_error(NJORD_EFORMAT,
                    FN "('%s', '%s'): longitudes '%s' are not monotonic (or repeat modulo 360)",
                    c->path, c->var, dname);
}

/* Index i with x[i] <= v <= x[i+1] in increasing x[0..n-1] (v within range). */
static size_t bracket(const double *x, size_t n, double v)
{
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (x[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Bilinear interpolation of one field grid (rows south to north at slat,
 * increasing; columns eastward from slon[0] with the periodic interval
 * [slon[nx-1], slon[0] + 360]) to the target grid, into out_r (working
 * precision) or, when out_r is NULL, out_d (double). */
static void interp_field(const double *slat, size_t ny, const double *slon, size_t nx,
                         const double *grid, int nlat, int nlon, const double *lat_rad,
                         njord_real *out_r, double *out_d)
{
    for (int j = 0; j < nlat; j++) {
        double phi = lat_rad[j] * (180.0 / M_PI);
        size_t j0, j1;
        double wy;
        if (phi <= slat[0]) {
            j0 = j1 = 0;
            wy = 0.0;
        } else if (phi >= slat[ny - 1]) {
            j0 = j1 = ny - 1;
            wy = 0.0;
        } else {
            j0 = bracket(slat, ny, phi);
            j1 = j0 + 1;
            wy = (phi - slat[j0]) / (slat[j1] - slat[j0]);
        }
        for (int i = 0; i < nlon; i++) {
            double lam = 360.0 * (double)i / (double)nlon;
            if (lam < slon[0]) lam += 360.0;
            size_t i0, i1;
            double wx;
            if (lam >= slon[nx - 1]) {
                i0 = nx - 1;
                i1 = 0;
                wx = (lam - slon[nx - 1]) / (slon[0] + 360.0 - slon[nx - 1]);
            } else {
                i0 = bracket(slon, nx, lam);
                i1 = i0 + 1;
                wx = (lam - slon[i0]) / (slon[i1] - slon[i0]);
            }
            const double *r0 = grid + j0 * nx, *r1 = grid + j1 * nx;
            double v0 = (1.0 - wx) * r0[i0] + wx * r0[i1];
            double v1 = (1.0 - wx) * r1[i0] + wx * r1[i1];
            double v = (1.0 - wy) * v0 + wy * v1;
            size_t at = (size_t)j * (size_t)nlon + (size_t)i;
            if (out_r)
                out_r[at] = (njord_real)v;
            else
                out_d[at] = v;
        }
    }
}

/* Checks shared by the public and the internal entry. */
static int check_args(const char *path, const char *varname, int time_index, double level,
                      int nlat, int nlon, const double *lat_rad, int out_null)
{
    if (path == NULL || path[0] == '\0')
        return nj_error(NJORD_EINVAL, FN ": path is NULL or empty");
    if (varname == NULL || varname[0] == '\0')
        return nj_error(NJORD_EINVAL, FN "('%s'): variable name is NULL or empty", path);
    if (time_index < 0)
        return nj_error(NJORD_EINVAL, FN "('%s', '%s'): time_index = %d < 0", path, varname,
                        time_index);
    if (!isfinite(level))
        return nj_error(NJORD_EINVAL, FN "('%s', '%s'): level is not finite", path, varname);
    if (nlat < 1 || nlon < 1)
        return nj_error(NJORD_EINVAL, FN "('%s', '%s'): target grid nlat = %d, nlon = %d", path,
                        varname, nlat, nlon);
    if (lat_rad == NULL || out_null)
        return nj_error(NJORD_EINVAL, FN "('%s', '%s'): %s is NULL", path, varname,
                        lat_rad == NULL ? "lat_rad" : "out");
    for (int j = 0; j < nlat; j++)
        if (!isfinite(lat_rad[j]) || fabs(lat_rad[j]) > M_PI / 2 * (1 + 1e-12))
            return nj_error(NJORD_EINVAL,
                            FN "('%s', '%s'): target latitude %d = %g rad is not in [-pi/2, pi/2]",
                            path, varname, j, lat_rad[j]);
    return NJORD_OK;
}

/* The reader. One level (all_levels == 0: o.level selects it as documented in
 * njord/io.h) into out_r; or every level of the level dimension (all_levels
 * != 0; one when there is none) into a new array *out_d of nlev*nlat*nlon
 * doubles, levels in file order, with *nlev_out the count and levdim the name
 * of the level dimension ("" when none). static_ok: a variable without a time
 * dimension is accepted whatever the time index. Arguments already checked. */
static int read_core(const char *path, const char *varname, njord_read_opts o, int all_levels,
                     int static_ok, int nlat, int nlon, const double *lat_rad, njord_real *out_r,
                     double **out_d, int *nlev_out, char *levdim)
{
    ctx c = {path, varname, -1};
    int rc, status = NJORD_OK;
    double *latv = NULL, *lonv = NULL, *levv = NULL, *raw = NULL, *grid = NULL, *slat = NULL,
           *slon = NULL, *dst = NULL;
    size_t *lperm = NULL;
    size_t nsel = 1;

    if ((rc = nc_open(path, NC_NOWRITE, &c.ncid)) != NC_NOERR) {
        if (rc == NC_ENOTNC)
            return nj_error(NJORD_EFORMAT, FN ": '%s' is not a NetCDF file", path);
        return nj_error(NJORD_EIO, FN ": cannot open '%s': %s", path, nc_strerror(rc));
    }
    char trunc_msg[4400];
    if (nj_nc_check_truncated(path, trunc_msg, sizeof trunc_msg)) {
        nc_close(c.ncid);
        return nj_error(NJORD_EIO, FN ": %s", trunc_msg);
    }
    int ncid = c.ncid, varid, ndims, dimids[MAXD];
    nc_type vt;
    if (nc_inq_varid(ncid, varname, &varid) != NC_NOERR) {
        status = nj_error(NJORD_EFORMAT, FN ": file '%s' has no variable '%s'", path, varname);
        goto done;
    }
    if ((rc = nc_inq_var(ncid, varid, NULL, &vt, &ndims, dimids, NULL)) != NC_NOERR) {
        status = nj_error(NJORD_EIO, FN "('%s', '%s'): %s", path, varname, nc_strerror(rc));
        goto done;
    }
    if (vt == NC_CHAR || vt == NC_STRING || vt > NC_STRING) {
        status = nj_error(NJORD_EFORMAT, FN ": variable '%s' in '%s' is not numeric", varname,
                          path);
        goto done;
    }
    if (ndims < 2) {
        status = nj_error(NJORD_EFORMAT,
                          FN ": variable '%s' in '%s' has %d dimension(s); a latitude-longitude "
                          "field needs at least 2",
                          varname, path, ndims);
        goto done;
    }

    /* classify the dimensions */
    int unlimdim = -1;
    nc_inq_unlimdim(ncid, &unlimdim);
    int pos[5] = {-1, -1, -1, -1, -1}, cvid[MAXD], kind[MAXD];
    size_t len[MAXD];
    char dname[MAXD][NC_MAX_NAME + 1];
    size_t start[MAXD], count[MAXD];
    for (int d = 0; d < ndims; d++) {
        if ((rc = nc_inq_dim(ncid, dimids[d], dname[d], &len[d])) != NC_NOERR) {
            status = nj_error(NJORD_EIO, FN "('%s', '%s'): %s", path, varname, nc_strerror(rc));
            goto done;
        }
        cvid[d] = coord_var(ncid, dimids[d], dname[d]);
        int k = classify(ncid, dimids[d], dname[d], cvid[d], unlimdim);
        start[d] = 0;
        count[d] = 1;
        kind[d] = k;
        if (k == D_OTHER) continue;
        if (pos[k] >= 0) {
            static const char *const kn[] = {"", "latitude", "longitude", "time", "level"};
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s' has two %s dimensions ('%s' and '%s')",
                              varname, path, kn[k], dname[pos[k]], dname[d]);
            goto done;
        }
        pos[k] = d;
    }
    if (pos[D_LAT] < 0 || pos[D_LON] < 0) {
        status = nj_error(NJORD_EFORMAT,
                          FN ": variable '%s' in '%s' has no %s coordinate (dimensions must "
                          "have coordinate variables with standard_name, units or axis, or be "
                          "named lat/latitude, lon/longitude)",
                          varname, path, pos[D_LAT] < 0 ? "latitude" : "longitude");
        goto done;
    }
    for (int d = 0; d < ndims; d++)
        if (kind[d] == D_OTHER && len[d] != 1) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': dimension '%s' (length %zu) is "
                              "neither latitude, longitude, time nor level; other dimensions "
                              "must have length 1",
                              varname, path, dname[d], len[d]);
            goto done;
        }
    int dla = pos[D_LAT], dlo = pos[D_LON];
    for (int k = 0; k < 2; k++) {
        int d = k ? dlo : dla;
        if (cvid[d] < 0) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': %s dimension '%s' has no coordinate "
                              "variable",
                              varname, path, k ? "longitude" : "latitude", dname[d]);
            goto done;
        }
        if (len[d] < 2) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': %s dimension '%s' has %zu point(s); "
                              "at least 2 are needed",
                              varname, path, k ? "longitude" : "latitude", dname[d], len[d]);
            goto done;
        }
    }

    /* time */
    if (pos[D_TIME] >= 0) {
        int d = pos[D_TIME];
        if ((size_t)o.time_index >= len[d]) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': time_index %d is not present (time "
                              "dimension '%s' has %zu step(s))",
                              varname, path, o.time_index, dname[d], len[d]);
            goto done;
        }
        start[d] = (size_t)o.time_index;
    } else if (o.time_index != 0 && !static_ok) {
        status = nj_error(NJORD_EFORMAT,
                          FN ": variable '%s' in '%s': time_index %d is not present (the "
                          "variable has no time dimension)",
                          varname, path, o.time_index);
        goto done;
    }

    /* level */
    if (all_levels) {
        levdim[0] = '\0';
        if (pos[D_LEV] >= 0) {
            nsel = len[pos[D_LEV]];
            snprintf(levdim, NC_MAX_NAME + 1, "%s", dname[pos[D_LEV]]);
        }
    } else if (o.level < 0) {
        if (pos[D_LEV] >= 0 && len[pos[D_LEV]] != 1) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s' has %zu levels (dimension '%s'); "
                              "choose one with opts.level (hPa)",
                              varname, path, len[pos[D_LEV]], dname[pos[D_LEV]]);
            goto done;
        }
    } else {
        if (pos[D_LEV] < 0) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': level %g hPa is not present (the "
                              "variable has no level dimension)",
                              varname, path, o.level);
            goto done;
        }
        int d = pos[D_LEV];
        char units[64];
        double scale = 0.0;
        if (cvid[d] >= 0 && nj_nc_att_text(ncid, cvid[d], "units", units, sizeof units)) {
            if (nj_units_is(units, NJ_U_HPA)) scale = 1.0;
            if (nj_units_is(units, NJ_U_PA)) scale = 100.0;
        } else {
            units[0] = '\0';
        }
        if (cvid[d] < 0 || scale == 0.0) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': level dimension '%s' has no pressure "
                              "coordinate (units '%s'; hPa, mbar or Pa needed to select level "
                              "%g hPa)",
                              varname, path, dname[d], units, o.level);
            goto done;
        }
        if ((status = read_coord(&c, cvid[d], dname[d], len[d], &levv)) != NJORD_OK) goto done;
        double want = o.level * scale;
        size_t k;
        for (k = 0; k < len[d]; k++)
            if (fabs(levv[k] - want) <= 1e-6 * NJ_MAX(1.0, fabs(want))) break;
        if (k == len[d]) {
            char list[256] = "";
            size_t used = 0;
            for (size_t i = 0; i < len[d] && used + 24 < sizeof list; i++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%g",
                                         i ? ", " : "", levv[i] / scale);
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': level %g hPa is not present (levels "
                              "in hPa: %s)",
                              varname, path, o.level, list);
            goto done;
        }
        start[d] = k;
    }

    /* coordinates */
    size_t ny = len[dla], nx = len[dlo];
    if ((status = read_coord(&c, cvid[dla], dname[dla], ny, &latv)) != NJORD_OK ||
        (status = read_coord(&c, cvid[dlo], dname[dlo], nx, &lonv)) != NJORD_OK)
        goto done;
    int lat_up = latv[1] > latv[0];
    for (size_t j = 0; j < ny; j++) {
        if (fabs(latv[j]) > 90.0 + 1e-9) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': latitude '%s'[%zu] = %g is not in "
                              "[-90, 90]",
                              varname, path, dname[dla], j, latv[j]);
            goto done;
        }
        if (j > 0 && (lat_up ? !(latv[j] > latv[j - 1]) : !(latv[j] < latv[j - 1]))) {
            status = nj_error(NJORD_EFORMAT,
                              FN ": variable '%s' in '%s': latitudes '%s' are not monotonic "
                              "(%g, %g at %zu, %zu)",
                              varname, path, dname[dla], latv[j - 1], latv[j], j - 1, j);
            goto done;
        }
    }
    /* global in latitude: the gap from the outermost latitudes to the poles at
     * most twice the largest spacing (as across the longitude seam), so that
     * holding the outermost rows toward a pole is the documented extrapolation */
    double dmax = 0, top = NJ_MAX(latv[0], latv[ny - 1]), bot = NJ_MIN(latv[0], latv[ny - 1]);
    for (size_t j = 1; j < ny; j++) dmax = NJ_MAX(dmax, fabs(latv[j] - latv[j - 1]));
    if (90.0 - top > 2.0 * dmax * (1.0 + 1e-9) || bot + 90.0 > 2.0 * dmax * (1.0 + 1e-9)) {
        status = nj_error(NJORD_EFORMAT,
                          FN ": variable '%s' in '%s': latitudes '%s' do not cover the globe "
                          "(%g to %g degrees; the gap to a pole may be at most twice the largest "
                          "spacing, %g)",
                          varname, path, dname[dla], bot, top, dmax);
        goto done;
    }
    slat = malloc(ny * sizeof *slat);
    slon = malloc(nx * sizeof *slon);
    lperm = malloc(nx * sizeof *lperm);
    raw = malloc(ny * nx * sizeof *raw);
    grid = malloc(ny * nx * sizeof *grid);
    if (!slat || !slon || !lperm || !raw || !grid) {
        status = nj_error(NJORD_ENOMEM, FN "('%s', '%s'): out of memory", path, varname);
        goto done;
    }
    if ((status = order_lons(&c, dname[dlo], lonv, nx, lperm, slon)) != NJORD_OK) goto done;
    for (size_t j = 0; j < ny; j++) slat[j] = latv[lat_up ? j : ny - 1 - j];

    /* data, level after level */
    count[dla] = ny;
    count[dlo] = nx;
    double fills[8];
    int nfill = get_dbl_atts(ncid, varid, "_FillValue", fills, 1);
    if (nfill == 0) {
        int has;
        double df = default_fill(vt, &has);
        if (has) fills[nfill++] = df;
    }
    nfill += get_dbl_atts(ncid, varid, "missing_value", fills + nfill, 8 - nfill);
    double scale = 1.0, offset = 0.0;
    get_dbl_att(ncid, varid, "scale_factor", &scale);
    get_dbl_att(ncid, varid, "add_offset", &offset);
    size_t sy = dla < dlo ? nx : 1, sx = dla < dlo ? 1 : ny; /* strides in raw */
    size_t npt = (size_t)nlat * (size_t)nlon;
    if (all_levels) {
        dst = malloc(nsel * npt * sizeof *dst);
        if (!dst) {
            status = nj_error(NJORD_ENOMEM, FN "('%s', '%s'): out of memory", path, varname);
            goto done;
        }
    }
    for (size_t l = 0; l < nsel; l++) {
        if (all_levels && pos[D_LEV] >= 0) start[pos[D_LEV]] = l;
        if ((rc = nc_get_vara_double(ncid, varid, start, count, raw)) != NC_NOERR) {
            status = nj_error(rc == NC_ERANGE ? NJORD_EFORMAT : NJORD_EIO,
                              FN ": reading variable '%s' from '%s': %s", varname, path,
                              nc_strerror(rc));
            goto done;
        }
        for (size_t j = 0; j < ny; j++) {
            size_t fj = lat_up ? j : ny - 1 - j;
            for (size_t i = 0; i < nx; i++) {
                size_t fi = lperm[i];
                double r = raw[fj * sy + fi * sx];
                int miss = isnan(r);
                for (int k = 0; k < nfill && !miss; k++)
                    if (r == fills[k]) miss = 1;
                if (miss) {
                    char where[NC_MAX_NAME + 64] = "";
                    if (all_levels && pos[D_LEV] >= 0)
                        snprintf(where, sizeof where, ", %s index %zu", dname[pos[D_LEV]], l);
                    status = nj_error(NJORD_EFORMAT,
                                      FN ": variable '%s' in '%s' has a missing value at "
                                      "latitude %g, longitude %g (%s index %zu, %s index %zu%s)",
                                      varname, path, latv[fj], lonv[fi], dname[dla], fj,
                                      dname[dlo], fi, where);
                    goto done;
                }
                grid[j * nx + i] = r * scale + offset;
            }
        }
        interp_field(slat, ny, slon, nx, grid, nlat, nlon, lat_rad, all_levels ? NULL : out_r,
                     all_levels ? dst + l * npt : NULL);
    }
    if (all_levels) {
        *out_d = dst;
        *nlev_out = (int)nsel;
        dst = NULL;
    }

done:
    free(latv);
    free(lonv);
    free(levv);
    free(raw);
    free(grid);
    free(slat);
    free(slon);
    free(lperm);
    free(dst);
    nc_close(c.ncid);
    return status;
}

int njord_latlon_read(const char *path, const char *varname, const njord_read_opts *opts,
                      int nlat, int nlon, const double *lat_rad, njord_real *out)
{
    njord_read_opts o = {0, -1.0};
    if (opts) o = *opts;
    int st = check_args(path, varname, o.time_index, o.level, nlat, nlon, lat_rad, out == NULL);
    if (st != NJORD_OK) return st;
    return read_core(path, varname, o, 0, 0, nlat, nlon, lat_rad, out, NULL, NULL, NULL);
}

/* Internal, for lib/io/analysis_read.c (which declares it; there is no internal
 * header of lib/io): every level of variable varname at time step time_index,
 * interpolated as njord_latlon_read does, into a new array *out (free() it) of
 * (*nlev) * nlat * nlon doubles, levels in file order; levdim receives the name
 * of the level dimension, "" when the variable has none (then *nlev = 1).
 * static_ok: a variable without a time dimension is accepted whatever
 * time_index. */
int nj_latlon_read_levels(const char *path, const char *varname, int time_index, int static_ok,
                          int nlat, int nlon, const double *lat_rad, int *nlev,
                          char levdim[NC_MAX_NAME + 1], double **out);
int nj_latlon_read_levels(const char *path, const char *varname, int time_index, int static_ok,
                          int nlat, int nlon, const double *lat_rad, int *nlev,
                          char levdim[NC_MAX_NAME + 1], double **out)
{
    int st = check_args(path, varname, time_index, 0.0, nlat, nlon, lat_rad,
                        nlev == NULL || levdim == NULL || out == NULL);
    if (st != NJORD_OK) return st;
    njord_read_opts o = {time_index, -1.0};
    return read_core(path, varname, o, 1, static_ok, nlat, nlon, lat_rad, NULL, out, nlev, levdim);
}
