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
 *
 * Vertical coordinates (njord_cf_create_3d). Model levels follow CF-1.10
 * appendix D, atmosphere_hybrid_sigma_pressure_coordinate in its "ap, b" form
 * (p = ap + b ps, ap in Pa), which is the ECMWF/ECHAM convention p = hyam +
 * hybm ps, so the coefficients are written as the caller gives them and lev is
 * the dimensionless hyam / p0 + hybm with p0 = 1000 hPa. CF section 7.1 wants
 * the boundary variable of a parametric coordinate to carry formula_terms too,
 * naming (lev, nbnd) boundary variables of the terms: hence hyam_bnds and
 * hybm_bnds beside hyai and hybi. CDO (2.1) reads its vertical coordinate table
 * from exactly those: with only hyai / hybi on an ilev axis it recognises the
 * axis as hybrid but has no table, and ml2pl refuses the file.
 *
 * A time step is checked (float range) before anything of it is written, so a
 * rejected write_step leaves no partial record behind.
 */
#define _POSIX_C_SOURCE 200809L

#include "njord/io.h"

#include "../core/common.h"
#include "../core/error.h"
#include "nc_util.h"

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
    const char *fn; /* the create function, for its messages */
    int nlat, nlon;
    int nlev, nplev; /* levels used by the file's variables (0: none) */
    int nvars;
    int ndyn;       /* number of non-static variables */
    char **names;   /* nvars copies */
    int *is_static; /* nvars */
    int *nslab;     /* nvars: horizontal fields per variable (1, nlev or nplev) */
    int *vert;      /* nvars: 0, 1 (lev) or 2 (plev) */
    int *varid;     /* nvars */
    int *written;   /* nvars: static variable written */
    int time_varid;
    int nsteps;
    double last_time;
    float *buf;     /* nlat * nlon */
};

static const char *const reserved_names[] = {"time", "lat",      "lon",       "gw",
                                             "lev",  "ilev",     "plev",      "hyam",
                                             "hybm", "hyai",     "hybi",      "lev_bnds",
                                             "nbnd", "hyam_bnds", "hybm_bnds"};

#define P0 100000.0 /* reference pressure of the dimensionless lev, Pa */

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
    free(w->nslab);
    free(w->vert);
    free(w->varid);
    free(w->written);
    free(w->buf);
    free(w->path);
    free(w->tmp);
    free(w);
}

/* ------------------------------------------------------------------------- */
/* create                                                                     */

static int check_vertical(const char *fn, const char *path, const njord_cf_vertical *vt)
{
    if (vt->nlev < 0 || vt->nplev < 0)
        return nj_error(NJORD_EINVAL, "%s('%s'): vertical: nlev = %d, nplev = %d must be >= 0",
                        fn, path, vt->nlev, vt->nplev);
    if (vt->nlev > 0) {
        const int n = vt->nlev;
        if (!vt->hyam || !vt->hybm || !vt->hyai || !vt->hybi)
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): vertical: nlev = %d but %s is NULL", fn, path, n,
                            !vt->hyam ? "hyam" : !vt->hybm ? "hybm" : !vt->hyai ? "hyai" : "hybi");
        for (int k = 0; k <= n; k++) {
            double a = vt->hyai[k], b = vt->hybi[k];
            if (!isfinite(a) || a < 0.0 || !isfinite(b) || b < 0.0 || b > 1.0)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): vertical: interface %d: hyai = %g Pa, hybi = %g (need "
                                "hyai >= 0, 0 <= hybi <= 1)",
                                fn, path, k, a, b);
            if (k > 0 && !(a / P0 + b > vt->hyai[k - 1] / P0 + vt->hybi[k - 1]))
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): vertical: interfaces %d and %d: hyai/1e5 + hybi must "
                                "strictly increase from the top down (%.17g, %.17g)",
                                fn, path, k - 1, k, vt->hyai[k - 1] / P0 + vt->hybi[k - 1],
                                a / P0 + b);
        }
        for (int k = 0; k < n; k++) {
            double a = vt->hyam[k], b = vt->hybm[k];
            if (!isfinite(a) || a < 0.0 || !isfinite(b) || b < 0.0 || b > 1.0)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): vertical: level %d: hyam = %g Pa, hybm = %g (need "
                                "hyam >= 0, 0 <= hybm <= 1)",
                                fn, path, k, a, b);
            double lev = a / P0 + b;
            double up = vt->hyai[k] / P0 + vt->hybi[k], dn = vt->hyai[k + 1] / P0 + vt->hybi[k + 1];
            if (!(lev >= up && lev <= dn))
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): vertical: level %d (hyam/1e5 + hybm = %.17g) is not "
                                "between its interfaces %d and %d (%.17g, %.17g)",
                                fn, path, k, lev, k, k + 1, up, dn);
        }
    }
    if (vt->nplev > 0) {
        if (!vt->plev)
            return nj_error(NJORD_EINVAL, "%s('%s'): vertical: nplev = %d but plev is NULL", fn,
                            path, vt->nplev);
        for (int k = 0; k < vt->nplev; k++) {
            double p = vt->plev[k];
            if (!isfinite(p) || p <= 0.0)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): vertical: pressure level %d = %g Pa is not positive",
                                fn, path, k, p);
            if (k >= 2 && (p - vt->plev[k - 1]) * (vt->plev[k - 1] - vt->plev[k - 2]) <= 0.0)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): vertical: pressure levels must be strictly monotonic: "
                                "plev[%d..%d] = %g, %g, %g Pa",
                                fn, path, k - 2, k, vt->plev[k - 2], vt->plev[k - 1], p);
            if (k == 1 && p == vt->plev[0])
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): vertical: pressure levels 0 and 1 are equal (%g Pa)",
                                fn, path, p);
        }
    }
    return NJORD_OK;
}

static int check_create_args(const char *fn, const char *path, int nlat, int nlon,
                             const double *lat_deg, const double *gw, const char *time_units,
                             const char *calendar, const njord_cf_vertical *vt, int nvars,
                             const njord_cf_var *vars, int deflate_level,
                             const char *const *global_atts)
{
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
    if (vt) {
        int status = check_vertical(fn, path, vt);
        if (status != NJORD_OK) return status;
    }
    if (nvars < 1 || vars == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): no variables (nvars = %d%s)", fn, path, nvars,
                        vars == NULL ? ", vars = NULL" : "");
    const int nlev = vt ? vt->nlev : 0, nplev = vt ? vt->nplev : 0;
    int on_lev = -1; /* a variable on model levels */
    int ps = -1;     /* the variable "ps" */
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
        switch (vars[i].vert) {
        case 0:
            break;
        case 1:
            if (nlev < 1)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): variable '%s' is on model levels (vert = 1) but the "
                                "file has none (%s)",
                                fn, path, nm, vt ? "vert->nlev = 0" : "no vertical description");
            if (vars[i].is_static)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): variable '%s' is static and on model levels: their "
                                "pressure depends on ps, hence on the time",
                                fn, path, nm);
            if (on_lev < 0) on_lev = i;
            break;
        case 2:
            if (nplev < 1)
                return nj_error(NJORD_EINVAL,
                                "%s('%s'): variable '%s' is on pressure levels (vert = 2) but the "
                                "file has none (%s)",
                                fn, path, nm, vt ? "vert->nplev = 0" : "no vertical description");
            break;
        default:
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): variable '%s': vert = %d is not 0 (2-D), 1 (model levels) "
                            "or 2 (pressure levels)",
                            fn, path, nm, vars[i].vert);
        }
        if (strcmp(nm, "ps") == 0) ps = i;
    }
    if (on_lev >= 0) {
        if (ps < 0 || vars[ps].vert != 0 || vars[ps].is_static)
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): variable '%s' is on model levels, whose pressure is "
                            "hyam + hybm ps: the file needs a time-dependent 2-D variable 'ps' "
                            "(surface pressure in Pa)%s",
                            fn, path, vars[on_lev].name,
                            ps < 0 ? "" : ", and 'ps' is static or not 2-D");
        if (vars[ps].units && strcmp(vars[ps].units, "Pa") != 0)
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): variable 'ps': units '%s': the hybrid coordinate needs "
                            "the surface pressure in Pa",
                            fn, path, vars[ps].units);
        if (vars[ps].standard_name &&
            strcmp(vars[ps].standard_name, "surface_air_pressure") != 0)
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): variable 'ps': standard_name '%s' is not "
                            "surface_air_pressure",
                            fn, path, vars[ps].standard_name);
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

/* Define a double coordinate-like variable with text attributes given as a
 * NULL-terminated list name, value, ... */
static int def_double(int ncid, const char *name, int nd, const int *dims, int *varid,
                      const char *const *atts)
{
    int rc = nc_def_var(ncid, name, NC_DOUBLE, nd, dims, varid);
    for (int k = 0; rc == NC_NOERR && atts[k]; k += 2)
        rc = put_text(ncid, *varid, atts[k], atts[k + 1]);
    return rc;
}

/* The vertical coordinates: define (in define mode) or, with put = 1, write
 * their values (in data mode). */
typedef struct {
    int lev, ilev, hyam, hybm, hyai, hybi, lev_bnds, hyam_bnds, hybm_bnds, plev;
} vert_ids;

static int define_vertical(njord_cf_writer *w, int *dlev, int *dplev, vert_ids *id)
{
    const char *fn = w->fn;
    const char *path = w->path;
    int ncid = w->ncid, rc;
    if (w->nlev > 0) {
        int dilev, dnbnd;
        if ((rc = nc_def_dim(ncid, "lev", (size_t)w->nlev, dlev)) != NC_NOERR ||
            (rc = nc_def_dim(ncid, "ilev", (size_t)w->nlev + 1, &dilev)) != NC_NOERR ||
            (rc = nc_def_dim(ncid, "nbnd", 2, &dnbnd)) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining level dimensions", NULL);
        const char *lev_atts[] = {
            "standard_name", "atmosphere_hybrid_sigma_pressure_coordinate",
            "long_name", "hybrid sigma-pressure level at layer midpoints",
            "units", "1", "positive", "down", "axis", "Z",
            "formula_terms", "ap: hyam b: hybm ps: ps", "bounds", "lev_bnds", NULL};
        const char *ilev_atts[] = {
            "standard_name", "atmosphere_hybrid_sigma_pressure_coordinate",
            "long_name", "hybrid sigma-pressure level at layer interfaces",
            "units", "1", "positive", "down", "axis", "Z",
            "formula_terms", "ap: hyai b: hybi ps: ps", NULL};
        const char *hyam_atts[] = {"long_name", "hybrid A coefficient at layer midpoints",
                                   "units", "Pa", NULL};
        const char *hybm_atts[] = {"long_name", "hybrid B coefficient at layer midpoints",
                                   "units", "1", NULL};
        const char *hyai_atts[] = {"long_name", "hybrid A coefficient at layer interfaces",
                                   "units", "Pa", NULL};
        const char *hybi_atts[] = {"long_name", "hybrid B coefficient at layer interfaces",
                                   "units", "1", NULL};
        const char *bnds_atts[] = {"formula_terms", "ap: hyam_bnds b: hybm_bnds ps: ps", NULL};
        const char *hyab_atts[] = {"long_name", "hybrid A coefficient at layer bounds",
                                   "units", "Pa", NULL};
        const char *hybb_atts[] = {"long_name", "hybrid B coefficient at layer bounds",
                                   "units", "1", NULL};
        int d2[2] = {*dlev, dnbnd};
        if ((rc = def_double(ncid, "lev", 1, dlev, &id->lev, lev_atts)) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining coordinate", "lev");
        if ((rc = def_double(ncid, "ilev", 1, &dilev, &id->ilev, ilev_atts)) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining coordinate", "ilev");
        if ((rc = def_double(ncid, "hyam", 1, dlev, &id->hyam, hyam_atts)) != NC_NOERR ||
            (rc = def_double(ncid, "hybm", 1, dlev, &id->hybm, hybm_atts)) != NC_NOERR ||
            (rc = def_double(ncid, "hyai", 1, &dilev, &id->hyai, hyai_atts)) != NC_NOERR ||
            (rc = def_double(ncid, "hybi", 1, &dilev, &id->hybi, hybi_atts)) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining the hybrid coefficients", NULL);
        if ((rc = def_double(ncid, "lev_bnds", 2, d2, &id->lev_bnds, bnds_atts)) != NC_NOERR ||
            (rc = def_double(ncid, "hyam_bnds", 2, d2, &id->hyam_bnds, hyab_atts)) != NC_NOERR ||
            (rc = def_double(ncid, "hybm_bnds", 2, d2, &id->hybm_bnds, hybb_atts)) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining the level bounds", NULL);
    }
    if (w->nplev > 0) {
        const char *plev_atts[] = {"standard_name", "air_pressure", "long_name", "pressure",
                                   "units", "Pa", "positive", "down", "axis", "Z", NULL};
        if ((rc = nc_def_dim(ncid, "plev", (size_t)w->nplev, dplev)) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining dimension", "plev");
        if ((rc = def_double(ncid, "plev", 1, dplev, &id->plev, plev_atts)) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining coordinate", "plev");
    }
    return NJORD_OK;
}

static int put_vertical(njord_cf_writer *w, const njord_cf_vertical *vt, const vert_ids *id)
{
    const char *fn = w->fn;
    int rc = NC_NOERR, ncid = w->ncid;
    if (w->nlev > 0) {
        const size_t n = (size_t)w->nlev;
        double *buf = malloc((2 * n + 1) * sizeof *buf);
        if (!buf) return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, w->path);
        double *b2 = buf; /* 2 n values, (lev, nbnd) */
        for (size_t k = 0; k < n; k++) buf[k] = vt->hyam[k] / P0 + vt->hybm[k];
        rc = nc_put_var_double(ncid, id->lev, buf);
        for (size_t k = 0; k <= n; k++) buf[k] = vt->hyai[k] / P0 + vt->hybi[k];
        if (rc == NC_NOERR) rc = nc_put_var_double(ncid, id->ilev, buf);
        for (size_t k = 0; k < n; k++) {
            b2[2 * k] = vt->hyai[k] / P0 + vt->hybi[k];
            b2[2 * k + 1] = vt->hyai[k + 1] / P0 + vt->hybi[k + 1];
        }
        if (rc == NC_NOERR) rc = nc_put_var_double(ncid, id->lev_bnds, b2);
        for (size_t k = 0; k < n; k++) {
            b2[2 * k] = vt->hyai[k];
            b2[2 * k + 1] = vt->hyai[k + 1];
        }
        if (rc == NC_NOERR) rc = nc_put_var_double(ncid, id->hyam_bnds, b2);
        for (size_t k = 0; k < n; k++) {
            b2[2 * k] = vt->hybi[k];
            b2[2 * k + 1] = vt->hybi[k + 1];
        }
        if (rc == NC_NOERR) rc = nc_put_var_double(ncid, id->hybm_bnds, b2);
        free(buf);
        if (rc == NC_NOERR && (rc = nc_put_var_double(ncid, id->hyam, vt->hyam)) == NC_NOERR &&
            (rc = nc_put_var_double(ncid, id->hybm, vt->hybm)) == NC_NOERR &&
            (rc = nc_put_var_double(ncid, id->hyai, vt->hyai)) == NC_NOERR)
            rc = nc_put_var_double(ncid, id->hybi, vt->hybi);
        if (rc != NC_NOERR) return nc_fail(rc, fn, w->path, "writing the model levels", NULL);
    }
    if (w->nplev > 0 && (rc = nc_put_var_double(ncid, id->plev, vt->plev)) != NC_NOERR)
        return nc_fail(rc, fn, w->path, "writing coordinate", "plev");
    return NJORD_OK;
}

/* Define the whole file and write the coordinates (ncid in define mode). */
static int define_file(njord_cf_writer *w, const double *lat_deg, const double *gw,
                       const char *time_units, const char *calendar,
                       const njord_cf_vertical *vt, const njord_cf_var *vars, int deflate_level,
                       const char *const *global_atts)
{
    const char *fn = w->fn;
    const char *path = w->path;
    int ncid = w->ncid, rc, status;
    int dtime, dlat, dlon, vlat, vlon, vgw = -1, dlev = -1, dplev = -1;
    vert_ids vid;
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
    if ((status = define_vertical(w, &dlev, &dplev, &vid)) != NJORD_OK) return status;

    /* data variables */
    for (int i = 0; i < w->nvars; i++) {
        const njord_cf_var *v = &vars[i];
        int dims[4], nd = 0;
        size_t chunk[4];
        if (!v->is_static) {
            dims[nd] = dtime;
            chunk[nd++] = 1;
        }
        if (v->vert != 0) {
            dims[nd] = v->vert == 1 ? dlev : dplev;
            chunk[nd++] = 1;
        }
        dims[nd] = dlat;
        chunk[nd++] = (size_t)w->nlat;
        dims[nd] = dlon;
        chunk[nd++] = (size_t)w->nlon;
        if ((rc = nc_def_var(ncid, v->name, NC_FLOAT, nd, dims, &w->varid[i])) != NC_NOERR)
            return nc_fail(rc, fn, path, "defining variable", v->name);
        if ((rc = nc_def_var_chunking(ncid, w->varid[i], NC_CHUNKED, chunk)) != NC_NOERR ||
            (deflate_level > 0 &&
             (rc = nc_def_var_deflate(ncid, w->varid[i], 1, 1, deflate_level)) != NC_NOERR))
            return nc_fail(rc, fn, path, "chunking/compression of variable", v->name);
        const char *stdname = v->standard_name, *units = v->units;
        if (w->nlev > 0 && strcmp(v->name, "ps") == 0) { /* the formula's surface pressure */
            if (!stdname) stdname = "surface_air_pressure";
            if (!units) units = "Pa";
        }
        if ((stdname && stdname[0] &&
             (rc = put_text(ncid, w->varid[i], "standard_name", stdname)) != NC_NOERR) ||
            (v->long_name && v->long_name[0] &&
             (rc = put_text(ncid, w->varid[i], "long_name", v->long_name)) != NC_NOERR) ||
            (units && (rc = put_text(ncid, w->varid[i], "units", units)) != NC_NOERR))
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
    return put_vertical(w, vt, &vid);
}

static int cf_create(const char *fn, const char *path, int nlat, int nlon,
                     const double *lat_deg, const double *gauss_weights, const char *time_units,
                     const char *calendar, const njord_cf_vertical *vt, int nvars,
                     const njord_cf_var *vars, int deflate_level,
                     const char *const *global_atts, njord_cf_writer **w_out)
{
    if (w_out == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s'): output handle pointer is NULL", fn,
                        path ? path : "(null)");
    *w_out = NULL;
    int status = check_create_args(fn, path, nlat, nlon, lat_deg, gauss_weights, time_units,
                                   calendar, vt, nvars, vars, deflate_level, global_atts);
    if (status != NJORD_OK) return status;
    if (calendar == NULL) calendar = "standard";

    njord_cf_writer *w = calloc(1, sizeof *w);
    if (!w) return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, path);
    w->fn = fn;
    w->nlat = nlat;
    w->nlon = nlon;
    w->nvars = nvars;
    w->ncid = -1;
    size_t plen = strlen(path) + 32;
    w->path = dup_str(path);
    w->tmp = malloc(plen);
    w->names = calloc((size_t)nvars, sizeof *w->names);
    w->is_static = calloc((size_t)nvars, sizeof *w->is_static);
    w->nslab = calloc((size_t)nvars, sizeof *w->nslab);
    w->vert = calloc((size_t)nvars, sizeof *w->vert);
    w->varid = calloc((size_t)nvars, sizeof *w->varid);
    w->written = calloc((size_t)nvars, sizeof *w->written);
    w->buf = malloc((size_t)nlat * (size_t)nlon * sizeof *w->buf);
    if (!w->path || !w->tmp || !w->names || !w->is_static || !w->nslab || !w->vert ||
        !w->varid || !w->written || !w->buf) {
        free_writer(w);
        return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, path);
    }
    for (int i = 0; i < nvars; i++) {
        w->is_static[i] = vars[i].is_static != 0;
        w->vert[i] = vars[i].vert;
        w->nslab[i] = vars[i].vert == 1 ? vt->nlev : vars[i].vert == 2 ? vt->nplev : 1;
        if (vars[i].vert == 1) w->nlev = vt->nlev;
        if (vars[i].vert == 2) w->nplev = vt->nplev;
        if (!w->is_static[i]) w->ndyn++;
        if ((w->names[i] = dup_str(vars[i].name)) == NULL) {
            free_writer(w);
            return nj_error(NJORD_ENOMEM, "%s('%s'): out of memory", fn, path);
        }
    }
    snprintf(w->tmp, plen, "%s.tmp-%ld", path, (long)getpid());

    int rc = nc_create(w->tmp, NC_CLOBBER | NC_NETCDF4, &w->ncid);
    if (rc != NC_NOERR) {
        char why[4400];
        nj_create_reason(path, rc, why, sizeof why);
        status = nj_error(NJORD_EIO, "%s('%s'): cannot create '%s': %s", fn, path, w->tmp, why);
        free_writer(w);
        return status;
    }
    status = define_file(w, lat_deg, gauss_weights, time_units, calendar, vt, vars,
                         deflate_level, global_atts);
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

int njord_cf_create_3d(const char *path, int nlat, int nlon, const double *lat_deg,
                       const double *gauss_weights, const char *time_units, const char *calendar,
                       const njord_cf_vertical *vert, int nvars, const njord_cf_var *vars,
                       int deflate_level, const char *const *global_atts, njord_cf_writer **w)
{
    return cf_create("njord_cf_create_3d", path, nlat, nlon, lat_deg, gauss_weights, time_units,
                     calendar, vert, nvars, vars, deflate_level, global_atts, w);
}

int njord_cf_create(const char *path, int nlat, int nlon, const double *lat_deg,
                    const double *gauss_weights, const char *time_units, const char *calendar,
                    int nvars, const njord_cf_var *vars, int deflate_level,
                    const char *const *global_atts, njord_cf_writer **w)
{
    return cf_create("njord_cf_create", path, nlat, nlon, lat_deg, gauss_weights, time_units,
                     calendar, NULL, nvars, vars, deflate_level, global_atts, w);
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

/* Check that a variable's field (nslab horizontal fields) fits in float: a
 * finite value beyond the float range is an error (NaN and infinities are
 * stored as they are). */
static int check_range(const njord_cf_writer *w, const char *fn, int i, const njord_real *f)
{
#ifdef NJORD_SINGLE
    (void)w, (void)fn, (void)i, (void)f; /* njord_real is float */
    return NJORD_OK;
#else
    const size_t n = (size_t)w->nlat * (size_t)w->nlon, ntot = n * (size_t)w->nslab[i];
    for (size_t k = 0; k < ntot; k++) {
        double x = (double)f[k];
        if (isfinite(x) && fabs(x) > FLT_MAX) {
            size_t l = k / n, p = k % n;
            char lev[48] = "";
            if (w->vert[i] == 1) snprintf(lev, sizeof lev, "model level %zu, ", l + 1);
            if (w->vert[i] == 2) snprintf(lev, sizeof lev, "pressure level index %zu, ", l);
            return nj_error(NJORD_EINVAL,
                            "%s('%s'): variable '%s': value %g at %slat %zu, lon %zu is beyond "
                            "the range of float",
                            fn, w->path, w->names[i], x, lev, p / (size_t)w->nlon,
                            p % (size_t)w->nlon);
        }
    }
    return NJORD_OK;
#endif
}

/* Write variable i (already range-checked) at time record rec (ignored for
 * static variables), one horizontal field (one chunk) at a time. */
static int put_field(njord_cf_writer *w, const char *fn, int i, size_t rec, const njord_real *f)
{
    const size_t n = (size_t)w->nlat * (size_t)w->nlon;
    size_t start[4] = {0}, count[4] = {0};
    int nd = 0, dlev;
    if (!w->is_static[i]) {
        start[nd] = rec;
        count[nd++] = 1;
    }
    dlev = nd;
    if (w->vert[i] != 0) count[nd++] = 1;
    count[nd++] = (size_t)w->nlat;
    count[nd++] = (size_t)w->nlon;
    for (int l = 0; l < w->nslab[i]; l++) {
        const njord_real *fl = f + (size_t)l * n;
        for (size_t k = 0; k < n; k++) w->buf[k] = (float)fl[k];
        start[dlev] = w->vert[i] != 0 ? (size_t)l : 0;
        int rc = nc_put_vara_float(w->ncid, w->varid[i], start, count, w->buf);
        if (rc != NC_NOERR) return nc_fail(rc, fn, w->path, "writing variable", w->names[i]);
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
    if ((status = check_range(w, fn, i, field)) != NJORD_OK) return status;
    if ((status = put_field(w, fn, i, 0, field)) != NJORD_OK) return status;
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
    /* Check everything first, so that a rejected step writes nothing. */
    for (int i = 0, k = 0; i < w->nvars; i++) {
        if (w->is_static[i]) continue;
        if (fields[k] == NULL)
            return nj_error(NJORD_EINVAL, "%s('%s'): field %d (variable '%s') is NULL", fn,
                            w->path, k, w->names[i]);
        if ((status = check_range(w, fn, i, fields[k])) != NJORD_OK) return status;
        k++;
    }

    const size_t rec = (size_t)w->nsteps;
    for (int i = 0, k = 0; i < w->nvars; i++) {
        if (w->is_static[i]) continue;
        if ((status = put_field(w, fn, i, rec, fields[k++])) != NJORD_OK) return status;
    }
    /* The time value last: a step counts once all its fields are in. */
    int rc = nc_put_var1_double(w->ncid, w->time_varid, &rec, &time);
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

int njord_cf_close(njord_cf_writer *w) { return njord_cf_close_as(w, NULL); }

int njord_cf_close_as(njord_cf_writer *w, const char *path)
{
    static const char *fn = "njord_cf_close";
    int status = check_open(w, fn);
    if (status != NJORD_OK) return status;
    const char *dest = path && *path ? path : w->path;
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
    if (status == NJORD_OK && rename(w->tmp, dest) != 0)
        status = nj_error(NJORD_EIO, "%s('%s'): rename from '%s' failed: %s", fn, dest,
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
