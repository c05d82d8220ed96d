/* tests/test_cf_output.c — CF-NetCDF grid output (njord_cf_*, njord/io.h). */
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
    {"u", "eastward_wind", "eastward wind", "m s-1", 0},
    {"orog", "surface_altitude", "orography", "m", 1},
    {"zg", "geopotential_height", "free-surface height", "m", 0},
    {"h", NULL, "fluid depth", "m", 0},
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
    njord_cf_var bad[] = {{"u", NULL, NULL, "m s-1", 0}, {"bad/name", NULL, NULL, NULL, 0}};
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
    assert_msg_has("cannot create");
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
    njord_cf_var dup[] = {{"u", NULL, NULL, NULL, 0}, {"u", NULL, NULL, NULL, 1}};
    assert_int_equal(njord_cf_create(path, NLAT, NLON, g_lat, NULL, tu, NULL, 2, dup, 0, NULL, &w),
                     NJORD_EINVAL);
    assert_msg_has("used twice");
    njord_cf_var res[] = {{"lat", NULL, NULL, NULL, 0}};
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
    njord_cf_var v = {"orog", "surface_altitude", NULL, "m", 1};
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_atomic),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_static_only),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
