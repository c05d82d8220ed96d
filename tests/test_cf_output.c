/* tests/test_cf_output.c — CF-NetCDF grid output (njord_cf_*, njord/io.h).
 *
 * Without arguments: the cmocka suite. With arguments it is the writer of the
 * 3-D files that tests/test_cf_interop.py hands to xarray and CDO:
 *
 *   test_cf_output --write-3d ml|pl FILE
 *
 * writes, on the Gaussian grid of 32 latitudes (north to south) and 64
 * longitudes (from 0 E), 2 steps at 0 and 6 "hours since 2000-01-01 00:00:00"
 * (step s = 0, 1), with 12 model levels whose interfaces are, top to bottom,
 * eta = k / 12, hyai = 30000 eta (1 - eta) Pa, hybi = eta^2 (k = 0..12), full
 * levels the means of adjacent interfaces (so hyam + hybm ps is the mean of the
 * interface pressures, as CDO computes it), and the pressure levels 100000
 * 85000 70000 50000 25000 10000 Pa in this order. With phi, lam the latitude
 * and longitude, p the pressure of the point (hyam + hybm ps, or plev):
 *   ps  = float(100000 + 2000 cos(phi) cos(lam) + 500 s sin(phi))   Pa
 *   ta  = 288 + 30 ln(p / 100000)   K    on model levels (linear in ln p)
 *   ta  = 288 + 30 ln(p / 100000) + 20 cos^2(phi) - 10 + 2 s sin(lam)   K
 *         on pressure levels
 *   ua  = 10 l + s + cos(phi) cos(lam)   m s-1   (l: model level index from 0)
 *   zg  = -7000 ln(p / 100000) + s   m
 * kind ml: ps, ta and ua on model levels, zg on pressure levels;
 * kind pl: ps, ta and zg on pressure levels. Exit status 0, 1 (library error,
 * message on stderr) or 2 (usage). */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "njord/core.h"
#include "njord/io.h"
#include "njord/sht.h"

#define NLAT 16
#define NLON 32

static char g_dir[256];
static double g_lat[NLAT], g_gw[NLAT];

static void path_in_dir(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
}

static void tmp_name(char *buf, size_t len, const char *path)
{
    snprintf(buf, len, "%s.tmp-%ld", path, (long)getpid());
}

static int exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "%s/njord_test_cf_output.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    double mu[NLAT];
    if (njord_gauss_legendre(NLAT, mu, g_gw) != NJORD_OK) return -1;
    for (int j = 0; j < NLAT; j++) g_lat[j] = asin(mu[j]) * 180.0 / M_PI;
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void assert_msg_has(const char *what)
{
    const char *msg = njord_last_error();
    assert_non_null(msg);
    if (strstr(msg, what) == NULL) fail_msg("message \"%s\" does not contain \"%s\"", msg, what);
}

/* Known value of variable v at step s, point (j, i); not exactly a float. */
static double value(int v, int s, int j, int i)
{
    return 100.0 * v + 1.0 / 3.0 + 10.0 * s + sin(0.3 * j + 0.1) * cos(0.2 * i - 0.4 * v) +
           1e-3 * j * i;
}

static void fill(njord_real *f, int v, int s)
{
    for (int j = 0; j < NLAT; j++)
        for (int i = 0; i < NLON; i++) f[j * NLON + i] = (njord_real)value(v, s, j, i);
}

static const njord_cf_var g_vars[] = {
    {"u", "eastward_wind", "eastward wind", "m s-1", 0, 0},
    {"orog", "surface_altitude", "orography", "m", 1, 0},
    {"zg", "geopotential_height", "free-surface height", "m", 0, 0},
    {"h", NULL, "fluid depth", "m", 0, 0},
};
static const char *const g_atts[] = {"title", "test file", "njord_config", "[grid]\ntrunc = 5",
                                     NULL};

static int create(const char *path, int deflate, njord_cf_writer **w)
{
    return njord_cf_create(path, NLAT, NLON, g_lat, g_gw, "hours since 2000-01-01 00:00:00",
                           "standard", 4, g_vars, deflate, g_atts, w);
}

/* Write static + 3 steps (times 0, 6, 12 h). Field value seed offset `off`. */
static void write_file(const char *path, int deflate, int off)
{
    njord_cf_writer *w = NULL;
    njord_real *f[3], *o;
    for (int k = 0; k < 3; k++) f[k] = malloc(NLAT * NLON * sizeof **f);
    o = malloc(NLAT * NLON * sizeof *o);
    assert_int_equal(create(path, deflate, &w), NJORD_OK);
    assert_non_null(w);
    fill(o, 1 + off, 0);
    assert_int_equal(njord_cf_write_static(w, "orog", o), NJORD_OK);
    for (int s = 0; s < 3; s++) {
        fill(f[0], 0 + off, s);
        fill(f[1], 2 + off, s);
        fill(f[2], 3 + off, s);
        assert_int_equal(njord_cf_write_step(w, 6.0 * s, 3, (const njord_real *const *)f),
                         NJORD_OK);
    }
    assert_int_equal(njord_cf_nsteps(w), 3);
    assert_int_equal(njord_cf_close(w), NJORD_OK);
    njord_cf_destroy(w);
    for (int k = 0; k < 3; k++) free(f[k]);
    free(o);
}

static void assert_att_text(int ncid, int varid, const char *att, const char *want)
{
    size_t n;
    char buf[256] = "";
    if (nc_inq_attlen(ncid, varid, att, &n) != NC_NOERR) fail_msg("attribute %s missing", att);
    assert_true(n < sizeof buf);
    assert_int_equal(nc_get_att_text(ncid, varid, att, buf), NC_NOERR);
    buf[n] = '\0';
    if (strcmp(buf, want) != 0) fail_msg("attribute %s = \"%s\", expected \"%s\"", att, buf, want);
}

/* Compare a variable's data with value(vseed, s, ...) as float. */
static void check_var(int ncid, const char *name, int vseed, int nsteps)
{
    int vid;
    assert_int_equal(nc_inq_varid(ncid, name, &vid), NC_NOERR);
    nc_type t;
    assert_int_equal(nc_inq_vartype(ncid, vid, &t), NC_NOERR);
    assert_int_equal(t, NC_FLOAT);
    float *buf = malloc((size_t)(nsteps ? nsteps : 1) * NLAT * NLON * sizeof *buf);
    assert_int_equal(nc_get_var_float(ncid, vid, buf), NC_NOERR);
    for (int s = 0; s < (nsteps ? nsteps : 1); s++)
        for (int j = 0; j < NLAT; j++)
            for (int i = 0; i < NLON; i++) {
                float want = (float)(njord_real)value(vseed, s, j, i);
                float got = buf[((size_t)s * NLAT + j) * NLON + i];
                if (got != want)
                    fail_msg("%s[%d][%d][%d] = %.9g, expected %.9g", name, s, j, i, got, want);
            }
    free(buf);
}

static void check_file(const char *path, int deflate, int off)
{
    int ncid, rc;
    rc = nc_open(path, NC_NOWRITE, &ncid);
    assert_int_equal(rc, NC_NOERR);
    int fmt;
    assert_int_equal(nc_inq_format(ncid, &fmt), NC_NOERR);
    assert_int_equal(fmt, NC_FORMAT_NETCDF4);

    /* dimensions */
    int dt, dla, dlo, unlim;
    size_t n;
    assert_int_equal(nc_inq_dimid(ncid, "time", &dt), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "lat", &dla), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "lon", &dlo), NC_NOERR);
    assert_int_equal(nc_inq_unlimdim(ncid, &unlim), NC_NOERR);
    assert_int_equal(unlim, dt);
    assert_int_equal(nc_inq_dimlen(ncid, dt, &n), NC_NOERR);
    assert_int_equal(n, 3);
    assert_int_equal(nc_inq_dimlen(ncid, dla, &n), NC_NOERR);
    assert_int_equal(n, NLAT);
    assert_int_equal(nc_inq_dimlen(ncid, dlo, &n), NC_NOERR);
    assert_int_equal(n, NLON);

    /* globals */
    assert_att_text(ncid, NC_GLOBAL, "Conventions", "CF-1.10");
    assert_att_text(ncid, NC_GLOBAL, "title", "test file");
    assert_att_text(ncid, NC_GLOBAL, "njord_config", "[grid]\ntrunc = 5");
    assert_att_text(ncid, NC_GLOBAL, "source", "Njord " NJORD_VERSION_STRING);

    /* coordinates */
    int vid;
    double c[NLON];
    assert_int_equal(nc_inq_varid(ncid, "lat", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "units", "degrees_north");
    assert_att_text(ncid, vid, "standard_name", "latitude");
    assert_att_text(ncid, vid, "axis", "Y");
    assert_int_equal(nc_inq_attlen(ncid, vid, "comment", &n), NC_NOERR);
    assert_int_equal(nc_get_var_double(ncid, vid, c), NC_NOERR);
    for (int j = 0; j < NLAT; j++) assert_true(c[j] == g_lat[j]);
    assert_int_equal(nc_inq_varid(ncid, "gw", &vid), NC_NOERR);
    assert_int_equal(nc_get_var_double(ncid, vid, c), NC_NOERR);
    for (int j = 0; j < NLAT; j++) assert_true(c[j] == g_gw[j]);
    assert_int_equal(nc_inq_varid(ncid, "lon", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "units", "degrees_east");
    assert_att_text(ncid, vid, "standard_name", "longitude");
    assert_att_text(ncid, vid, "axis", "X");
    assert_int_equal(nc_get_var_double(ncid, vid, c), NC_NOERR);
    for (int i = 0; i < NLON; i++) assert_true(fabs(c[i] - 360.0 * i / NLON) < 1e-12);
    assert_int_equal(nc_inq_varid(ncid, "time", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "units", "hours since 2000-01-01 00:00:00");
    assert_att_text(ncid, vid, "calendar", "standard");
    assert_att_text(ncid, vid, "standard_name", "time");
    assert_att_text(ncid, vid, "axis", "T");
    assert_int_equal(nc_get_var_double(ncid, vid, c), NC_NOERR);
    for (int s = 0; s < 3; s++) assert_true(c[s] == 6.0 * s);

    /* data variables: metadata, shape, storage, values */
    assert_int_equal(nc_inq_varid(ncid, "u", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "standard_name", "eastward_wind");
    assert_att_text(ncid, vid, "long_name", "eastward wind");
    assert_att_text(ncid, vid, "units", "m s-1");
    int nd, dims[3];
    assert_int_equal(nc_inq_var(ncid, vid, NULL, NULL, &nd, dims, NULL), NC_NOERR);
    assert_int_equal(nd, 3);
    assert_int_equal(dims[0], dt);
    assert_int_equal(dims[1], dla);
    assert_int_equal(dims[2], dlo);
    int storage, shuffle, def, level;
    size_t chunk[3];
    assert_int_equal(nc_inq_var_chunking(ncid, vid, &storage, chunk), NC_NOERR);
    assert_int_equal(storage, NC_CHUNKED);
    assert_int_equal(chunk[0], 1);
    assert_int_equal(chunk[1], NLAT);
    assert_int_equal(chunk[2], NLON);
    assert_int_equal(nc_inq_var_deflate(ncid, vid, &shuffle, &def, &level), NC_NOERR);
    assert_int_equal(def, deflate > 0);
    assert_int_equal(shuffle, deflate > 0);
    if (deflate > 0) assert_int_equal(level, deflate);

    assert_int_equal(nc_inq_varid(ncid, "h", &vid), NC_NOERR);
    assert_int_equal(nc_inq_attlen(ncid, vid, "standard_name", &n), NC_ENOTATT);
    assert_att_text(ncid, vid, "units", "m");

    assert_int_equal(nc_inq_varid(ncid, "orog", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "standard_name", "surface_altitude");
    assert_int_equal(nc_inq_var(ncid, vid, NULL, NULL, &nd, dims, NULL), NC_NOERR);
    assert_int_equal(nd, 2);
    assert_int_equal(dims[0], dla);
    assert_int_equal(dims[1], dlo);

    check_var(ncid, "u", 0 + off, 3);
    check_var(ncid, "orog", 1 + off, 0);
    check_var(ncid, "zg", 2 + off, 3);
    check_var(ncid, "h", 3 + off, 3);
    assert_int_equal(nc_close(ncid), NC_NOERR);
}

static void test_roundtrip(void **state)
{
    (void)state;
    char path[512], tmp[600];
    for (int deflate = 0; deflate <= 4; deflate += 4) {
        path_in_dir(path, sizeof path, deflate ? "rt_deflate.nc" : "rt.nc");
        write_file(path, deflate, 0);
        check_file(path, deflate, 0);
        tmp_name(tmp, sizeof tmp, path);
        assert_false(exists(tmp));
    }
}

/* Until close, path does not exist / keeps its old content; abort and failed
 * creates leave it untouched; close replaces it. */
static void test_atomic(void **state)
{
    (void)state;
    char path[512], tmp[600];
    path_in_dir(path, sizeof path, "atomic.nc");
    tmp_name(tmp, sizeof tmp, path);

    /* a new file appears only at close */
    njord_cf_writer *w = NULL;
    njord_real *f[3], *o = calloc(NLAT * NLON, sizeof *o);
    for (int k = 0; k < 3; k++) f[k] = calloc(NLAT * NLON, sizeof **f);
    assert_int_equal(create(path, 0, &w), NJORD_OK);
    assert_true(exists(tmp));
    assert_false(exists(path));
    njord_cf_destroy(w); /* destroy of an open writer aborts it */
    assert_false(exists(tmp));
    assert_false(exists(path));

    write_file(path, 0, 0); /* the "existing" file */
    check_file(path, 0, 0);

    /* aborted writer: the old file survives */
    assert_int_equal(create(path, 0, &w), NJORD_OK);
    assert_int_equal(njord_cf_write_static(w, "orog", o), NJORD_OK);
    assert_int_equal(njord_cf_write_step(w, 0.0, 3, (const njord_real *const *)f), NJORD_OK);
    assert_true(exists(tmp));
    njord_cf_abort(w);
    assert_false(exists(tmp));
    check_file(path, 0, 0);
    /* after abort: writes and close fail, abort again is harmless */
    assert_int_equal(njord_cf_write_step(w, 1.0, 3, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("already closed");
    assert_int_equal(njord_cf_close(w), NJORD_EINVAL);
    njord_cf_abort(w);
    njord_cf_destroy(w);
    check_file(path, 0, 0);

    /* failed create (bad variable name for NetCDF, detected by the library
     * during definition): old file survives, no temporary left */
    njord_cf_var bad[] = {{"u", NULL, NULL, "m s-1", 0, 0}, {"bad/name", NULL, NULL, NULL, 0, 0}};
    w = (njord_cf_writer *)1;
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, "hours since 2000-01-01",
                                     "standard", 2, bad, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_null(w);
    assert_msg_has("bad/name");
    assert_false(exists(tmp));
    check_file(path, 0, 0);

    /* failed create (directory does not exist) */
    char nodir[600];
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/x.nc", g_dir);
    assert_int_equal(create(nodir, 0, &w), NJORD_EIO);
    assert_msg_has("njord_cf_create");
    assert_msg_has("directory '");
    assert_msg_has("/no/such/dir' does not exist"); /* not the library's "Permission denied" */
    assert_null(w);

    /* a completed writer replaces the old file only at close */
    assert_int_equal(create(path, 0, &w), NJORD_OK);
    assert_int_equal(njord_cf_write_static(w, "orog", o), NJORD_OK);
    assert_int_equal(njord_cf_write_step(w, 0.0, 3, (const njord_real *const *)f), NJORD_OK);
    check_file(path, 0, 0);
    assert_int_equal(njord_cf_close(w), NJORD_OK);
    assert_false(exists(tmp));
    /* writing after close */
    assert_int_equal(njord_cf_write_step(w, 6.0, 3, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("already closed");
    assert_int_equal(njord_cf_write_static(w, "orog", o), NJORD_EINVAL);
    assert_msg_has("already closed");
    assert_int_equal(njord_cf_close(w), NJORD_EINVAL);
    njord_cf_abort(w); /* no effect on a closed writer: the file stays */
    njord_cf_destroy(w);
    assert_true(exists(path));
    int ncid;
    size_t n;
    int dt;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "time", &dt), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dt, &n), NC_NOERR);
    assert_int_equal(n, 1);
    nc_close(ncid);

    /* and a full rewrite with other values replaces it again */
    write_file(path, 1, 7);
    check_file(path, 1, 7);

    for (int k = 0; k < 3; k++) free(f[k]);
    free(o);
}

static void test_errors(void **state)
{
    (void)state;
    char path[512], tmp[600];
    path_in_dir(path, sizeof path, "errors.nc");
    tmp_name(tmp, sizeof tmp, path);
    const char *tu = "hours since 2000-01-01";
    njord_cf_writer *w = NULL;
    njord_real *f[4], *o = calloc(NLAT * NLON, sizeof *o);
    for (int k = 0; k < 4; k++) f[k] = calloc(NLAT * NLON, sizeof **f);

    /* create: arguments */
    assert_int_equal(njord_cf_create(NULL, NLAT, NLON, g_lat, NULL, tu, NULL, 4, g_vars, 0, NULL,
                                     &w),
                     NJORD_EINVAL);
    assert_msg_has("path");
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, tu, NULL, 4, g_vars, 0, NULL,
                                     NULL),
                     NJORD_EINVAL);
    assert_int_equal(njord_cf_create(path, 0, NLON, g_lat, NULL, tu, NULL, 4, g_vars, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("nlat = 0");
    assert_int_equal(njord_cf_create(path, NLAT, -1, g_lat, NULL, tu, NULL, 4, g_vars, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("nlon = -1");
    assert_int_equal(njord_cf_create(path, NLAT, NLON, NULL, NULL, tu, NULL, 4, g_vars, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("lat_deg");
    double rev[NLAT];
    for (int j = 0; j < NLAT; j++) rev[j] = g_lat[NLAT - 1 - j];
    assert_int_equal(njord_cf_create(path, NLAT, NLON, rev, NULL, tu, NULL, 4, g_vars, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("north to south");
    double badgw[NLAT];
    memcpy(badgw, g_gw, sizeof badgw);
    badgw[3] = -1.0;
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, badgw, tu, NULL, 4, g_vars, 0, NULL,
                                     &w),
                     NJORD_EINVAL);
    assert_msg_has("weight 3");
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, "hours", NULL, 4, g_vars, 0,
                                     NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("since");
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, tu, NULL, 4, g_vars, 10, NULL,
                                     &w),
                     NJORD_EINVAL);
    assert_msg_has("deflate");
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, tu, NULL, 0, g_vars, 0, NULL,
                                     &w),
                     NJORD_EINVAL);
    assert_msg_has("no variables");
    njord_cf_var dup[] = {{"u", NULL, NULL, NULL, 0, 0}, {"u", NULL, NULL, NULL, 1, 0}};
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, tu, NULL, 2, dup, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("used twice");
    njord_cf_var res[] = {{"lat", NULL, NULL, NULL, 0, 0}};
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, tu, NULL, 1, res, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("reserved");
    const char *odd[] = {"title", NULL};
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, tu, NULL, 4, g_vars, 0, odd,
                                     &w),
                     NJORD_EINVAL);
    assert_msg_has("'title' has no value");
    assert_null(w);
    assert_false(exists(path));
    assert_false(exists(tmp));

    /* NULL handles */
    assert_int_equal(njord_cf_write_step(NULL, 0.0, 3, (const njord_real *const *)f),
                     NJORD_EINVAL);
    assert_msg_has("NULL");
    assert_int_equal(njord_cf_write_static(NULL, "orog", o), NJORD_EINVAL);
    assert_int_equal(njord_cf_close(NULL), NJORD_EINVAL);
    njord_cf_abort(NULL);
    njord_cf_destroy(NULL);
    assert_int_equal(njord_cf_nsteps(NULL), 0);

    /* writing */
    assert_int_equal(create(path, 0, &w), NJORD_OK);
    assert_int_equal(njord_cf_write_step(w, 0.0, 2, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("2 fields given, the file has 3");
    assert_int_equal(njord_cf_write_step(w, 0.0, 4, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("4 fields given");
    assert_int_equal(njord_cf_write_step(w, 0.0, 3, NULL), NJORD_EINVAL);
    const njord_real *withnull[3] = {f[0], NULL, f[2]};
    assert_int_equal(njord_cf_write_step(w, 0.0, 3, withnull), NJORD_EINVAL);
    assert_msg_has("'zg'");
    assert_int_equal(njord_cf_write_step(w, NAN, 3, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("not finite");
#ifndef NJORD_SINGLE
    f[1][5] = 1e300;
    assert_int_equal(njord_cf_write_step(w, 0.0, 3, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("range of float");
    f[1][5] = 0;
#endif
    assert_int_equal(njord_cf_nsteps(w), 0);
    assert_int_equal(njord_cf_write_step(w, 6.0, 3, (const njord_real *const *)f), NJORD_OK);
    assert_int_equal(njord_cf_write_step(w, 6.0, 3, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("not after the previous time");
    assert_int_equal(njord_cf_nsteps(w), 1);
    assert_int_equal(njord_cf_write_static(w, "zg", o), NJORD_EINVAL);
    assert_msg_has("not static");
    assert_int_equal(njord_cf_write_static(w, "nothere", o), NJORD_EINVAL);
    assert_msg_has("no variable 'nothere'");
    assert_int_equal(njord_cf_write_static(w, "orog", NULL), NJORD_EINVAL);
    assert_int_equal(njord_cf_write_static(w, NULL, o), NJORD_EINVAL);
    /* close refuses while a static variable is unwritten, and stays open */
    assert_int_equal(njord_cf_close(w), NJORD_EINVAL);
    assert_msg_has("static variable 'orog' was never written");
    assert_false(exists(path));
    assert_int_equal(njord_cf_write_static(w, "orog", o), NJORD_OK);
    assert_int_equal(njord_cf_close(w), NJORD_OK);
    assert_true(exists(path));
    assert_int_equal(njord_cf_write_step(w, 12.0, 3, (const njord_real *const *)f), NJORD_EINVAL);
    assert_msg_has("already closed");
    assert_msg_has("errors.nc");
    njord_cf_destroy(w);

    for (int k = 0; k < 4; k++) free(f[k]);
    free(o);
}

/* A file with only static variables, no weights, default calendar. */
static void test_static_only(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "static.nc");
    njord_cf_var v = {"orog", "surface_altitude", NULL, "m", 1, 0};
    njord_cf_writer *w;
    njord_real *o = malloc(NLAT * NLON * sizeof *o);
    fill(o, 1, 0);
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, "days since 1970-01-01", NULL,
                                     1, &v, 9, NULL, &w),
                     NJORD_OK);
    assert_int_equal(njord_cf_write_step(w, 0.0, 0, NULL), NJORD_OK);
    assert_int_equal(njord_cf_write_static(w, "orog", o), NJORD_OK);
    assert_int_equal(njord_cf_close(w), NJORD_OK);
    njord_cf_destroy(w);
    int ncid, vid;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "gw", &vid), NC_ENOTVAR);
    assert_int_equal(nc_inq_varid(ncid, "time", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "calendar", "standard");
    check_var(ncid, "orog", 1, 0);
    nc_close(ncid);
    free(o);
}

/* ========================================================================= */
/* Files with levels (njord_cf_create_3d)                                     */
/* ========================================================================= */

#define NLEV 5
#define NPLEV 3

/* Hybrid coefficients, top to bottom: interfaces eta = k / NLEV,
 * hyai = 30000 eta (1 - eta) Pa, hybi = eta^2; full levels are the means. */
static double g_hyai[NLEV + 1], g_hybi[NLEV + 1], g_hyam[NLEV], g_hybm[NLEV];
static const double g_plev[NPLEV] = {25000.0, 50000.0, 85000.0}; /* increasing */

static void hybrid_coefficients(int nlev, double *hyai, double *hybi, double *hyam,
                                double *hybm)
{
    for (int k = 0; k <= nlev; k++) {
        double eta = (double)k / nlev;
        hyai[k] = 30000.0 * eta * (1.0 - eta);
        hybi[k] = eta * eta;
    }
    for (int k = 0; k < nlev; k++) {
        hyam[k] = 0.5 * (hyai[k] + hyai[k + 1]);
        hybm[k] = 0.5 * (hybi[k] + hybi[k + 1]);
    }
}

static njord_cf_vertical vertical(void)
{
    hybrid_coefficients(NLEV, g_hyai, g_hybi, g_hyam, g_hybm);
    njord_cf_vertical v = {NLEV, g_hyam, g_hybm, g_hyai, g_hybi, NPLEV, g_plev};
    return v;
}

/* A value exactly representable in float (so the round trip is exact in both
 * precisions) that tells variable, step, level and point apart. */
static double value3(int v, int s, int l, int j, int i)
{
    return (double)(float)(1000.0 * v + 100.0 * l + 10.0 * s + 0.25 * j - 0.125 * i +
                           sin(0.3 * j + 0.7 * l) * cos(0.2 * i));
}

static void fill3(njord_real *f, int nslab, int v, int s)
{
    for (int l = 0; l < nslab; l++)
        for (int j = 0; j < NLAT; j++)
            for (int i = 0; i < NLON; i++)
                f[((size_t)l * NLAT + j) * NLON + i] = (njord_real)value3(v, s, l, j, i);
}

/* ps (2-D), ta and ua on model levels, zg on pressure levels, orog static
 * 2-D, zgs static on pressure levels. ps has no metadata: Njord fills in
 * surface_air_pressure and Pa. */
static const njord_cf_var g_vars3[] = {
    {"ta", "air_temperature", "temperature", "K", 0, 1},
    {"ps", NULL, "surface pressure", NULL, 0, 0},
    {"zg", "geopotential_height", "geopotential height", "m", 0, 2},
    {"orog", "surface_altitude", "orography", "m", 1, 0},
    {"ua", "eastward_wind", "eastward wind", "m s-1", 0, 1},
    {"zgs", NULL, "a static field on pressure levels", "m", 1, 2},
};
static const int g_nslab3[] = {NLEV, 1, NPLEV, 1, NLEV, NPLEV};

static void write_file3(const char *path, int deflate)
{
    njord_cf_vertical vt = vertical();
    njord_cf_writer *w = NULL;
    njord_real *f[6];
    for (int k = 0; k < 6; k++) f[k] = malloc((size_t)g_nslab3[k] * NLAT * NLON * sizeof **f);
    assert_int_equal(njord_cf_create_3d(path, NLAT, NLON, g_lat, g_gw,
                                        "hours since 2000-01-01 00:00:00", NULL, &vt, 6, g_vars3,
                                        deflate, NULL, &w),
                     NJORD_OK);
    fill3(f[3], 1, 3, 0);
    fill3(f[5], NPLEV, 5, 0);
    assert_int_equal(njord_cf_write_static(w, "orog", f[3]), NJORD_OK);
    assert_int_equal(njord_cf_write_static(w, "zgs", f[5]), NJORD_OK);
    for (int s = 0; s < 2; s++) {
        const int order[4] = {0, 1, 2, 4}; /* the time-dependent variables */
        const njord_real *fs[4];
        for (int k = 0; k < 4; k++) {
            fill3(f[order[k]], g_nslab3[order[k]], order[k], s);
            fs[k] = f[order[k]];
        }
        assert_int_equal(njord_cf_write_step(w, 6.0 * s, 4, fs), NJORD_OK);
    }
    assert_int_equal(njord_cf_close(w), NJORD_OK);
    njord_cf_destroy(w);
    for (int k = 0; k < 6; k++) free(f[k]);
}

static void get_double(int ncid, const char *name, size_t n, double *out)
{
    int vid, nd, dims[NC_MAX_VAR_DIMS];
    nc_type t;
    if (nc_inq_varid(ncid, name, &vid) != NC_NOERR) fail_msg("variable %s missing", name);
    assert_int_equal(nc_inq_var(ncid, vid, NULL, &t, &nd, dims, NULL), NC_NOERR);
    assert_int_equal(t, NC_DOUBLE);
    size_t len = 1;
    for (int d = 0; d < nd; d++) {
        size_t l;
        assert_int_equal(nc_inq_dimlen(ncid, dims[d], &l), NC_NOERR);
        len *= l;
    }
    if (len != n) fail_msg("%s has %zu values, expected %zu", name, len, n);
    assert_int_equal(nc_get_var_double(ncid, vid, out), NC_NOERR);
}

/* dimension names of variable name, comma-separated */
static void assert_dims(int ncid, const char *name, const char *want)
{
    int vid, nd, dims[NC_MAX_VAR_DIMS];
    char got[256] = "", dn[NC_MAX_NAME + 1];
    assert_int_equal(nc_inq_varid(ncid, name, &vid), NC_NOERR);
    assert_int_equal(nc_inq_var(ncid, vid, NULL, NULL, &nd, dims, NULL), NC_NOERR);
    for (int d = 0; d < nd; d++) {
        assert_int_equal(nc_inq_dimname(ncid, dims[d], dn), NC_NOERR);
        if (d) strcat(got, ",");
        strcat(got, dn);
    }
    if (strcmp(got, want) != 0) fail_msg("%s(%s), expected (%s)", name, got, want);
}

static void check_file3(const char *path, int deflate)
{
    int ncid, vid;
    size_t n;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    const char *dn[] = {"time", "lat", "lon", "lev", "ilev", "nbnd", "plev"};
    const size_t dl[] = {2, NLAT, NLON, NLEV, NLEV + 1, 2, NPLEV};
    for (int d = 0; d < 7; d++) {
        int id;
        if (nc_inq_dimid(ncid, dn[d], &id) != NC_NOERR) fail_msg("dimension %s missing", dn[d]);
        assert_int_equal(nc_inq_dimlen(ncid, id, &n), NC_NOERR);
        if (n != dl[d]) fail_msg("dimension %s = %zu, expected %zu", dn[d], n, dl[d]);
    }

    /* model levels */
    double lev[NLEV], ilev[NLEV + 1], c[2 * NLEV + 2];
    for (int k = 0; k < NLEV; k++) lev[k] = g_hyam[k] / 100000.0 + g_hybm[k];
    for (int k = 0; k <= NLEV; k++) ilev[k] = g_hyai[k] / 100000.0 + g_hybi[k];
    assert_dims(ncid, "lev", "lev");
    get_double(ncid, "lev", NLEV, c);
    for (int k = 0; k < NLEV; k++) assert_true(c[k] == lev[k]);
    for (int k = 1; k < NLEV; k++) assert_true(c[k] > c[k - 1]); /* top first, positive down */
    assert_int_equal(nc_inq_varid(ncid, "lev", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "standard_name", "atmosphere_hybrid_sigma_pressure_coordinate");
    assert_att_text(ncid, vid, "long_name", "hybrid sigma-pressure level at layer midpoints");
    assert_att_text(ncid, vid, "units", "1");
    assert_att_text(ncid, vid, "positive", "down");
    assert_att_text(ncid, vid, "axis", "Z");
    assert_att_text(ncid, vid, "formula_terms", "ap: hyam b: hybm ps: ps");
    assert_att_text(ncid, vid, "bounds", "lev_bnds");
    assert_dims(ncid, "ilev", "ilev");
    get_double(ncid, "ilev", NLEV + 1, c);
    for (int k = 0; k <= NLEV; k++) assert_true(c[k] == ilev[k]);
    assert_int_equal(nc_inq_varid(ncid, "ilev", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "standard_name", "atmosphere_hybrid_sigma_pressure_coordinate");
    assert_att_text(ncid, vid, "units", "1");
    assert_att_text(ncid, vid, "positive", "down");
    assert_att_text(ncid, vid, "axis", "Z");
    assert_att_text(ncid, vid, "formula_terms", "ap: hyai b: hybi ps: ps");
    struct {
        const char *name, *dim, *units, *long_name;
        const double *want;
        int n;
    } co[] = {
        {"hyam", "lev", "Pa", "hybrid A coefficient at layer midpoints", g_hyam, NLEV},
        {"hybm", "lev", "1", "hybrid B coefficient at layer midpoints", g_hybm, NLEV},
        {"hyai", "ilev", "Pa", "hybrid A coefficient at layer interfaces", g_hyai, NLEV + 1},
        {"hybi", "ilev", "1", "hybrid B coefficient at layer interfaces", g_hybi, NLEV + 1},
    };
    for (int q = 0; q < 4; q++) {
        assert_dims(ncid, co[q].name, co[q].dim);
        get_double(ncid, co[q].name, (size_t)co[q].n, c);
        for (int k = 0; k < co[q].n; k++)
            if (c[k] != co[q].want[k])
                fail_msg("%s[%d] = %.17g, expected %.17g", co[q].name, k, c[k], co[q].want[k]);
        assert_int_equal(nc_inq_varid(ncid, co[q].name, &vid), NC_NOERR);
        assert_att_text(ncid, vid, "units", co[q].units);
        assert_att_text(ncid, vid, "long_name", co[q].long_name);
    }
    /* bounds: layer k between interfaces k and k + 1, with formula terms (CF 7.1) */
    assert_dims(ncid, "lev_bnds", "lev,nbnd");
    get_double(ncid, "lev_bnds", 2 * NLEV, c);
    for (int k = 0; k < NLEV; k++) assert_true(c[2 * k] == ilev[k] && c[2 * k + 1] == ilev[k + 1]);
    assert_int_equal(nc_inq_varid(ncid, "lev_bnds", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "formula_terms", "ap: hyam_bnds b: hybm_bnds ps: ps");
    assert_dims(ncid, "hyam_bnds", "lev,nbnd");
    get_double(ncid, "hyam_bnds", 2 * NLEV, c);
    for (int k = 0; k < NLEV; k++)
        assert_true(c[2 * k] == g_hyai[k] && c[2 * k + 1] == g_hyai[k + 1]);
    get_double(ncid, "hybm_bnds", 2 * NLEV, c);
    for (int k = 0; k < NLEV; k++)
        assert_true(c[2 * k] == g_hybi[k] && c[2 * k + 1] == g_hybi[k + 1]);

    /* pressure levels: as given */
    assert_dims(ncid, "plev", "plev");
    get_double(ncid, "plev", NPLEV, c);
    for (int k = 0; k < NPLEV; k++) assert_true(c[k] == g_plev[k]);
    assert_int_equal(nc_inq_varid(ncid, "plev", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "units", "Pa");
    assert_att_text(ncid, vid, "standard_name", "air_pressure");
    assert_att_text(ncid, vid, "positive", "down");
    assert_att_text(ncid, vid, "axis", "Z");

    /* ps: the formula's surface pressure, metadata filled in */
    assert_dims(ncid, "ps", "time,lat,lon");
    assert_int_equal(nc_inq_varid(ncid, "ps", &vid), NC_NOERR);
    assert_att_text(ncid, vid, "standard_name", "surface_air_pressure");
    assert_att_text(ncid, vid, "units", "Pa");
    assert_att_text(ncid, vid, "long_name", "surface pressure");

    /* data: shapes, chunks, values (exact), level order */
    assert_dims(ncid, "ta", "time,lev,lat,lon");
    assert_dims(ncid, "ua", "time,lev,lat,lon");
    assert_dims(ncid, "zg", "time,plev,lat,lon");
    assert_dims(ncid, "orog", "lat,lon");
    assert_dims(ncid, "zgs", "plev,lat,lon");
    for (int v = 0; v < 6; v++) {
        const char *name = g_vars3[v].name;
        int st = g_vars3[v].is_static, ns = g_nslab3[v], nt = st ? 1 : 2;
        assert_int_equal(nc_inq_varid(ncid, name, &vid), NC_NOERR);
        nc_type t;
        assert_int_equal(nc_inq_vartype(ncid, vid, &t), NC_NOERR);
        assert_int_equal(t, NC_FLOAT);
        int storage, shuffle, def, level;
        size_t chunk[4];
        assert_int_equal(nc_inq_var_chunking(ncid, vid, &storage, chunk), NC_NOERR);
        assert_int_equal(storage, NC_CHUNKED);
        int nd = (st ? 0 : 1) + (g_vars3[v].vert ? 1 : 0) + 2;
        for (int d = 0; d < nd - 2; d++) assert_int_equal(chunk[d], 1);
        assert_int_equal(chunk[nd - 2], NLAT);
        assert_int_equal(chunk[nd - 1], NLON);
        assert_int_equal(nc_inq_var_deflate(ncid, vid, &shuffle, &def, &level), NC_NOERR);
        assert_int_equal(def, deflate > 0);
        float *buf = malloc((size_t)nt * ns * NLAT * NLON * sizeof *buf);
        assert_int_equal(nc_get_var_float(ncid, vid, buf), NC_NOERR);
        for (int s = 0; s < nt; s++)
            for (int l = 0; l < ns; l++)
                for (int j = 0; j < NLAT; j++)
                    for (int i = 0; i < NLON; i++) {
                        float got = buf[(((size_t)s * ns + l) * NLAT + j) * NLON + i];
                        float want = (float)value3(v, s, l, j, i);
                        if (got != want)
                            fail_msg("%s[%d][%d][%d][%d] = %.9g, expected %.9g", name, s, l, j,
                                     i, got, want);
                    }
        free(buf);
    }
    assert_int_equal(nc_close(ncid), NC_NOERR);
}

static void test_3d_roundtrip(void **state)
{
    (void)state;
    char path[512], tmp[600];
    for (int deflate = 0; deflate <= 2; deflate += 2) {
        path_in_dir(path, sizeof path, deflate ? "rt3d_deflate.nc" : "rt3d.nc");
        tmp_name(tmp, sizeof tmp, path);
        write_file3(path, deflate);
        assert_false(exists(tmp));
        check_file3(path, deflate);
    }
}

/* Pressure levels only (no ps needed), given from the bottom up; a vertical
 * description whose model levels no variable uses writes no lev axis. */
static void test_3d_plev_only(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "plev.nc");
    hybrid_coefficients(NLEV, g_hyai, g_hybi, g_hyam, g_hybm);
    const double plev[4] = {100000.0, 85000.0, 50000.0, 20000.0};
    njord_cf_vertical vt = {NLEV, g_hyam, g_hybm, g_hyai, g_hybi, 4, plev};
    njord_cf_var v[] = {{"ta", "air_temperature", NULL, "K", 0, 2}};
    njord_cf_writer *w;
    njord_real *f = malloc(4 * NLAT * NLON * sizeof *f);
    assert_int_equal(njord_cf_create_3d(path, NLAT, NLON, g_lat, NULL, "days since 2000-01-01",
                                        NULL, &vt, 1, v, 1, NULL, &w),
                     NJORD_OK);
    for (int s = 0; s < 3; s++) {
        fill3(f, 4, 7, s);
        const njord_real *fs[1] = {f};
        assert_int_equal(njord_cf_write_step(w, (double)s, 1, fs), NJORD_OK);
    }
    assert_int_equal(njord_cf_close(w), NJORD_OK);
    njord_cf_destroy(w);
    int ncid, id;
    double c[4];
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "lev", &id), NC_EBADDIM);
    assert_int_equal(nc_inq_varid(ncid, "hyam", &id), NC_ENOTVAR);
    assert_dims(ncid, "ta", "time,plev,lat,lon");
    get_double(ncid, "plev", 4, c);
    for (int k = 0; k < 4; k++) assert_true(c[k] == plev[k]);
    float *buf = malloc(3 * 4 * NLAT * NLON * sizeof *buf);
    assert_int_equal(nc_inq_varid(ncid, "ta", &id), NC_NOERR);
    assert_int_equal(nc_get_var_float(ncid, id, buf), NC_NOERR);
    for (int s = 0; s < 3; s++)
        for (int l = 0; l < 4; l++)
            for (int j = 0; j < NLAT; j += 5)
                for (int i = 0; i < NLON; i += 3)
                    assert_true(buf[(((size_t)s * 4 + l) * NLAT + j) * NLON + i] ==
                                (float)value3(7, s, l, j, i));
    free(buf);
    nc_close(ncid);
    free(f);
}

/* create must fail with EINVAL, naming `what`, leaving nothing on disk */
static void expect_create_fails(const char *path, const njord_cf_vertical *vt, int nvars,
                                const njord_cf_var *vars, const char *what)
{
    char tmp[600];
    tmp_name(tmp, sizeof tmp, path);
    njord_cf_writer *w = (njord_cf_writer *)1;
    int rc = njord_cf_create_3d(path, NLAT, NLON, g_lat, NULL, "hours since 2000-01-01", NULL,
                                vt, nvars, vars, 0, NULL, &w);
    if (rc != NJORD_EINVAL)
        fail_msg("create returned %d (expected NJORD_EINVAL, about \"%s\")", rc, what);
    assert_null(w);
    assert_msg_has(what);
    assert_false(exists(path));
    assert_false(exists(tmp));
}

static void test_3d_errors(void **state)
{
    (void)state;
    char path[512], tmp[600];
    path_in_dir(path, sizeof path, "errors3d.nc");
    tmp_name(tmp, sizeof tmp, path);
    njord_cf_vertical vt = vertical();
    const njord_cf_var ps = {"ps", "surface_air_pressure", NULL, "Pa", 0, 0};
    const njord_cf_var ta = {"ta", NULL, NULL, "K", 0, 1};
    const njord_cf_var zg = {"zg", NULL, NULL, "m", 0, 2};

    /* model levels without ps, with a static or 3-D ps, ps in hPa */
    njord_cf_var v1[] = {ta};
    expect_create_fails(path, &vt, 1, v1, "'ta' is on model levels");
    expect_create_fails(path, &vt, 1, v1, "'ps'");
    njord_cf_var v2[] = {ta, ps};
    v2[1].is_static = 1;
    expect_create_fails(path, &vt, 2, v2, "'ps' is static or not 2-D");
    v2[1].is_static = 0;
    v2[1].vert = 2;
    expect_create_fails(path, &vt, 2, v2, "'ps' is static or not 2-D");
    v2[1].vert = 0;
    v2[1].units = "hPa";
    expect_create_fails(path, &vt, 2, v2, "units 'hPa'");
    v2[1].units = "Pa";
    v2[1].standard_name = "air_pressure";
    expect_create_fails(path, &vt, 2, v2, "surface_air_pressure");
    v2[1].standard_name = NULL;
    /* levels requested but not described */
    njord_cf_vertical none = vt;
    none.nlev = 0;
    expect_create_fails(path, &none, 2, v2, "vert->nlev = 0");
    expect_create_fails(path, NULL, 2, v2, "no vertical description");
    njord_cf_writer *w = NULL;
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, "hours since 2000-01-01",
                                     NULL, 2, v2, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_null(w);
    assert_msg_has("'ta' is on model levels (vert = 1)");
    njord_cf_var v3[] = {ps, zg};
    none = vt;
    none.nplev = 0;
    expect_create_fails(path, &none, 2, v3, "'zg' is on pressure levels (vert = 2)");
    v3[1].vert = 3;
    expect_create_fails(path, &vt, 2, v3, "'zg': vert = 3");
    v3[1].vert = -1;
    expect_create_fails(path, &vt, 2, v3, "'zg': vert = -1");
    njord_cf_var v4[] = {ta, ps};
    v4[0].is_static = 1;
    expect_create_fails(path, &vt, 2, v4, "'ta' is static and on model levels");
    /* reserved names */
    const char *reserved[] = {"lev", "ilev", "plev", "hyam", "hybm", "hyai", "hybi",
                              "lev_bnds", "hyam_bnds", "hybm_bnds", "nbnd", "gw"};
    for (size_t r = 0; r < sizeof reserved / sizeof *reserved; r++) {
        njord_cf_var v5[] = {ps, zg};
        v5[1].name = reserved[r];
        expect_create_fails(path, &vt, 2, v5, "reserved");
        v5[1].vert = 0;
        expect_create_fails(path, NULL, 2, v5, reserved[r]);
    }

    /* bad vertical descriptions (checked even where no variable uses them) */
    njord_cf_var v6[] = {ta, ps, zg};
    njord_cf_vertical b = vt;
    b.nlev = -1;
    expect_create_fails(path, &b, 3, v6, "nlev = -1");
    b = vt;
    b.nplev = -2;
    expect_create_fails(path, &b, 3, v6, "nplev = -2");
    b = vt;
    b.hyai = NULL;
    expect_create_fails(path, &b, 3, v6, "hyai is NULL");
    b = vt;
    b.hybm = NULL;
    expect_create_fails(path, &b, 1, &ps, "hybm is NULL");
    b = vt;
    b.plev = NULL;
    expect_create_fails(path, &b, 3, v6, "plev is NULL");
    double hi[NLEV + 1], bi[NLEV + 1], am[NLEV], pl[NPLEV];
    memcpy(hi, g_hyai, sizeof hi);
    memcpy(bi, g_hybi, sizeof bi);
    memcpy(am, g_hyam, sizeof am);
    memcpy(pl, g_plev, sizeof pl);
    b = vt;
    b.hyai = hi;
    b.hybi = bi;
    b.hyam = am;
    b.plev = pl;
    bi[3] = bi[2] - 0.05; /* interfaces not increasing */
    expect_create_fails(path, &b, 3, v6, "interfaces 2 and 3");
    bi[3] = 1.5;
    expect_create_fails(path, &b, 3, v6, "interface 3");
    bi[3] = g_hybi[3];
    hi[1] = NAN;
    expect_create_fails(path, &b, 3, v6, "interface 1");
    hi[1] = g_hyai[1];
    am[2] = 90000.0; /* full level below its lower interface */
    expect_create_fails(path, &b, 3, v6, "level 2");
    am[2] = -1.0;
    expect_create_fails(path, &b, 3, v6, "level 2");
    am[2] = g_hyam[2];
    pl[1] = 10000.0; /* 25000, 10000, 85000: not monotonic */
    expect_create_fails(path, &b, 3, v6, "strictly monotonic");
    pl[1] = 25000.0;
    expect_create_fails(path, &b, 3, v6, "equal");
    pl[1] = -5.0;
    expect_create_fails(path, &b, 3, v6, "not positive");
    pl[1] = g_plev[1];
    assert_int_equal(njord_cf_create_3d(path, NLAT, NLON, g_lat, NULL, "hours since 2000-01-01",
                                        NULL, &b, 3, v6, 0, NULL, &w),
                     NJORD_OK); /* repaired */
    njord_cf_destroy(w);
    assert_false(exists(path));
    assert_false(exists(tmp));

    /* writing: field count, and a value out of float range on level 3 of ta:
     * rejected before anything of the step is written */
    assert_int_equal(njord_cf_create_3d(path, NLAT, NLON, g_lat, NULL, "hours since 2000-01-01",
                                        NULL, &vt, 3, v6, 0, NULL, &w),
                     NJORD_OK);
    njord_real *fta = calloc((size_t)NLEV * NLAT * NLON, sizeof *fta);
    njord_real *fps = calloc(NLAT * NLON, sizeof *fps);
    njord_real *fzg = calloc((size_t)NPLEV * NLAT * NLON, sizeof *fzg);
    const njord_real *fs[3] = {fta, fps, fzg};
    assert_int_equal(njord_cf_write_step(w, 0.0, 2, fs), NJORD_EINVAL);
    assert_msg_has("2 fields given, the file has 3");
    assert_int_equal(njord_cf_write_step(w, 0.0, 3, fs), NJORD_OK);
#ifndef NJORD_SINGLE
    fta[(size_t)2 * NLAT * NLON + 5 * NLON + 7] = 1e300;
    assert_int_equal(njord_cf_write_step(w, 6.0, 3, fs), NJORD_EINVAL);
    assert_msg_has("'ta'");
    assert_msg_has("model level 3, lat 5, lon 7");
    fta[(size_t)2 * NLAT * NLON + 5 * NLON + 7] = 0;
    fzg[(size_t)1 * NLAT * NLON] = -1e300;
    assert_int_equal(njord_cf_write_step(w, 6.0, 3, fs), NJORD_EINVAL);
    assert_msg_has("'zg'");
    assert_msg_has("pressure level index 1, lat 0, lon 0");
    fzg[(size_t)1 * NLAT * NLON] = 0;
#endif
    assert_int_equal(njord_cf_nsteps(w), 1);
    assert_int_equal(njord_cf_close(w), NJORD_OK);
    njord_cf_destroy(w);
    int ncid, dt;
    size_t n;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "time", &dt), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dt, &n), NC_NOERR);
    assert_int_equal(n, 1); /* the rejected steps left no record */
    nc_close(ncid);
    free(fta);
    free(fps);
    free(fzg);
}

/* ------------------------------------------------------------------------- */
/* Generator for tests/test_cf_interop.py:                                    */
/*   test_cf_output --write-3d ml|pl FILE                                     */
/* (see the comment at the top of this file)                                  */

#define GEN_NLAT 32
#define GEN_NLON 64
#define GEN_NLEV 12

static int generate(const char *kind, const char *path)
{
    const int nlat = GEN_NLAT, nlon = GEN_NLON, nlev = GEN_NLEV;
    double mu[GEN_NLAT], gw[GEN_NLAT], lat[GEN_NLAT];
    double hyai[GEN_NLEV + 1], hybi[GEN_NLEV + 1], hyam[GEN_NLEV], hybm[GEN_NLEV];
    static const double plev[6] = {100000.0, 85000.0, 70000.0, 50000.0, 25000.0, 10000.0};
    const int nplev = 6, ml = strcmp(kind, "ml") == 0;
    if (!ml && strcmp(kind, "pl") != 0) {
        fprintf(stderr, "test_cf_output: --write-3d: kind '%s' is not ml or pl\n", kind);
        return 2;
    }
    if (njord_gauss_legendre(nlat, mu, gw) != NJORD_OK) return 1;
    for (int j = 0; j < nlat; j++) lat[j] = asin(mu[j]) * 180.0 / M_PI;
    hybrid_coefficients(nlev, hyai, hybi, hyam, hybm);
    njord_cf_vertical vt = {nlev, hyam, hybm, hyai, hybi, nplev, plev};
    const njord_cf_var vml[] = {
        {"ps", "surface_air_pressure", "surface pressure", "Pa", 0, 0},
        {"ta", "air_temperature", "temperature", "K", 0, 1},
        {"ua", "eastward_wind", "eastward wind", "m s-1", 0, 1},
        {"zg", "geopotential_height", "geopotential height", "m", 0, 2},
    };
    const njord_cf_var vpl[] = {
        {"ps", "surface_air_pressure", "surface pressure", "Pa", 0, 0},
        {"ta", "air_temperature", "temperature", "K", 0, 2},
        {"zg", "geopotential_height", "geopotential height", "m", 0, 2},
    };
    const int nv = ml ? 4 : 3;
    const int nslab[4] = {1, ml ? nlev : nplev, ml ? nlev : nplev, nplev};
    const char *atts[] = {"title", "Njord CF 3-D interoperability test", NULL};
    njord_cf_writer *w = NULL;
    njord_real *f[4];
    for (int k = 0; k < nv; k++) f[k] = malloc((size_t)nslab[k] * nlat * nlon * sizeof **f);
    int rc = njord_cf_create_3d(path, nlat, nlon, lat, gw, "hours since 2000-01-01 00:00:00",
                                "standard", &vt, nv, ml ? vml : vpl, 1, atts, &w);
    const size_t n2 = (size_t)nlat * nlon;
    for (int s = 0; s < 2 && rc == NJORD_OK; s++) {
        for (int j = 0; j < nlat; j++)
            for (int i = 0; i < nlon; i++) {
                double phi = lat[j] * M_PI / 180.0, lam = 2.0 * M_PI * i / nlon;
                size_t p = (size_t)j * nlon + i;
                /* ps, rounded to float as the file stores it */
                double ps = (double)(float)(100000.0 + 2000.0 * cos(phi) * cos(lam) +
                                            500.0 * s * sin(phi));
                f[0][p] = (njord_real)ps;
                for (int l = 0; l < nslab[1]; l++) {
                    double pr = ml ? hyam[l] + hybm[l] * ps : plev[l];
                    double t = 288.0 + 30.0 * log(pr / 100000.0);
                    if (!ml) t += 20.0 * cos(phi) * cos(phi) - 10.0 + 2.0 * s * sin(lam);
                    f[1][l * n2 + p] = (njord_real)t;
                    if (ml) f[2][l * n2 + p] = (njord_real)(10.0 * l + s + cos(phi) * cos(lam));
                    else f[2][l * n2 + p] = (njord_real)(-7000.0 * log(pr / 100000.0) + s);
                }
                if (ml)
                    for (int l = 0; l < nplev; l++)
                        f[3][l * n2 + p] = (njord_real)(-7000.0 * log(plev[l] / 100000.0) + s);
            }
        rc = njord_cf_write_step(w, 6.0 * s, nv, (const njord_real *const *)f);
    }
    if (rc == NJORD_OK) rc = njord_cf_close(w);
    if (rc != NJORD_OK) fprintf(stderr, "test_cf_output: %s\n", njord_last_error());
    njord_cf_destroy(w);
    for (int k = 0; k < nv; k++) free(f[k]);
    return rc == NJORD_OK ? 0 : 1;
}

/* njord_path_writable: what a writer would meet, named before anything runs */
static void test_path_writable(void **state)
{
    (void)state;
    char p[800], f[600];
    snprintf(p, sizeof p, "%s/out.nc", g_dir);
    assert_int_equal(njord_path_writable(p), NJORD_OK);
    assert_int_equal(njord_path_writable("bare-name.nc"), NJORD_OK); /* the working directory */
    assert_int_equal(njord_path_writable(""), NJORD_EINVAL);
    assert_int_equal(njord_path_writable(NULL), NJORD_EINVAL);
    snprintf(p, sizeof p, "%s/missing/out.nc", g_dir);
    assert_int_equal(njord_path_writable(p), NJORD_EIO);
    assert_msg_has("/missing' does not exist");
    /* a file where the directory should be */
    snprintf(f, sizeof f, "%s/plain", g_dir);
    FILE *fp = fopen(f, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(p, sizeof p, "%s/x.nc", f);
    assert_int_equal(njord_path_writable(p), NJORD_EIO);
    assert_msg_has("/plain' is not a directory");
    remove(f);
    /* a directory where the file should be */
    snprintf(p, sizeof p, "%s/", g_dir);
    assert_int_equal(njord_path_writable(p), NJORD_EIO);
    assert_msg_has("names a directory");
    assert_int_equal(njord_path_writable(g_dir), NJORD_EIO);
    assert_msg_has("is a directory");
    /* a read-only directory (root may write anywhere: not checkable then) */
    if (geteuid() != 0) {
        snprintf(f, sizeof f, "%s/ro", g_dir);
        assert_int_equal(mkdir(f, 0500), 0);
        snprintf(p, sizeof p, "%s/x.nc", f);
        assert_int_equal(njord_path_writable(p), NJORD_EIO);
        assert_msg_has("/ro' is not writable");
        rmdir(f);
    }
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--write-3d") == 0) return generate(argv[2], argv[3]);
    if (argc > 1) {
        fprintf(stderr, "usage: %s [--write-3d ml|pl FILE]\n", argv[0]);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_atomic),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_path_writable),
        cmocka_unit_test(test_static_only),
        cmocka_unit_test(test_3d_roundtrip),
        cmocka_unit_test(test_3d_plev_only),
        cmocka_unit_test(test_3d_errors),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
