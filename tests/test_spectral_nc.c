/* tests/test_spectral_nc.c — spectral NetCDF I/O (njord/io.h). */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "njord/core.h"
#include "njord/io.h"
#include "njord/sht.h"

static char g_dir[256];

static void path_in_dir(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "%s/njord_test_spec_nc.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Deterministic coefficients with zero imaginary part at m = 0. */
static void fill(int T, int seed, njord_real *spec)
{
    uint64_t s = 0x9E3779B97F4A7C15ull * (uint64_t)(seed + 1);
    for (int m = 0; m <= T; m++)
        for (int n = m; n <= T; n++) {
            size_t k = njord_sht_index(T, m, n);
            for (int c = 0; c < 2; c++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                double u = (double)(s >> 11) / 9007199254740992.0 - 0.5;
                spec[2 * k + c] = (njord_real)(u / (1.0 + n));
            }
            if (m == 0) spec[2 * k + 1] = 0;
        }
}

static njord_real *alloc_spec(int T, int nlev)
{
    njord_real *p = calloc(2 * NJORD_SHT_NSPEC(T) * (size_t)nlev, sizeof *p);
    assert_non_null(p);
    return p;
}

static void assert_msg_has(const char *what)
{
    const char *msg = njord_last_error();
    assert_non_null(msg);
    if (strstr(msg, what) == NULL) fail_msg("message \"%s\" does not contain \"%s\"", msg, what);
}

/* Read a whole file into memory (for byte comparisons). */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* ------------------------------------------------------------------------- */

static void test_roundtrip_bitwise(void **state)
{
    (void)state;
    const int T = 21;
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *a = alloc_spec(T, 3), *b = alloc_spec(T, 1);
    fill(T, 1, a);
    fill(T, 2, a + nr);
    fill(T, 3, a + 2 * nr);
    fill(T, 4, b);
    a[1] = 0;
    njord_spec_var vars[2] = {{"vor", "vorticity", "s-1", 3, a}, {"lnsp", NULL, NULL, 1, b}};
    char path[512];
    path_in_dir(path, sizeof path, "rt.nc");
    assert_int_equal(njord_spec_nc_write(path, T, 2, vars), NJORD_OK);

    int Tf = -1, nl = -1;
    assert_int_equal(njord_spec_nc_inquire(path, "vor", &Tf, &nl), NJORD_OK);
    assert_int_equal(Tf, T);
    assert_int_equal(nl, 3);
    assert_int_equal(njord_spec_nc_inquire(path, "lnsp", &Tf, &nl), NJORD_OK);
    assert_int_equal(Tf, T);
    assert_int_equal(nl, 1);
    assert_int_equal(njord_spec_nc_inquire(path, "lnsp", NULL, NULL), NJORD_OK);

    njord_real *ra = alloc_spec(T, 3), *rb = alloc_spec(T, 1);
    assert_int_equal(njord_spec_nc_read(path, "vor", T, 3, ra), NJORD_OK);
    assert_int_equal(njord_spec_nc_read(path, "lnsp", T, 1, rb), NJORD_OK);
    assert_memory_equal(ra, a, 3 * nr * sizeof *a);
    assert_memory_equal(rb, b, nr * sizeof *b);

    /* Stored as double whatever the build precision, with the CDO attributes. */
    int ncid, varid, nd;
    nc_type xt;
    char gt[16] = "";
    int tr = -1;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "vor", &varid), NC_NOERR);
    assert_int_equal(nc_inq_vartype(ncid, varid, &xt), NC_NOERR);
    assert_int_equal(xt, NC_DOUBLE);
    assert_int_equal(nc_inq_varndims(ncid, varid, &nd), NC_NOERR);
    assert_int_equal(nd, 3);
    assert_int_equal(nc_get_att_text(ncid, varid, "CDI_grid_type", gt), NC_NOERR);
    assert_string_equal(gt, "spectral");
    assert_int_equal(nc_get_att_int(ncid, varid, "truncation", &tr), NC_NOERR);
    assert_int_equal(tr, T);
    double v[2];
    size_t start[3] = {1, 5, 0}, count[3] = {1, 1, 2};
    assert_int_equal(nc_get_vara_double(ncid, varid, start, count, v), NC_NOERR);
    assert_true(v[0] == (double)a[nr + 10] && v[1] == (double)a[nr + 11]);
    assert_int_equal(nc_close(ncid), NC_NOERR);

    free(a);
    free(b);
    free(ra);
    free(rb);
}

static void test_m0_imaginary_zeroed(void **state)
{
    (void)state;
    const int T = 5;
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *a = alloc_spec(T, 1), *r = alloc_spec(T, 1);
    fill(T, 7, a);
    for (int n = 0; n <= T; n++) a[2 * njord_sht_index(T, 0, n) + 1] = (njord_real)(1.5 + n);
    njord_spec_var var = {"x", NULL, NULL, 1, a};
    char path[512];
    path_in_dir(path, sizeof path, "m0.nc");
    assert_int_equal(njord_spec_nc_write(path, T, 1, &var), NJORD_OK);
    assert_int_equal(njord_spec_nc_read(path, "x", T, 1, r), NJORD_OK);
    for (size_t k = 0; k < nr / 2; k++) {
        assert_true(r[2 * k] == a[2 * k]);
        if (k <= (size_t)T)
            assert_true(r[2 * k + 1] == 0);
        else
            assert_true(r[2 * k + 1] == a[2 * k + 1]);
    }
    free(a);
    free(r);
}

static void test_truncation_change(void **state)
{
    (void)state;
    const int T = 42, nlev = 2;
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *a = alloc_spec(T, nlev);
    fill(T, 11, a);
    fill(T, 12, a + nr);
    njord_spec_var var = {"t", "temperature", "K", nlev, a};
    char path[512];
    path_in_dir(path, sizeof path, "t42.nc");
    assert_int_equal(njord_spec_nc_write(path, T, 1, &var), NJORD_OK);

    const int Ts[2] = {21, 63};
    for (int it = 0; it < 2; it++) {
        int To = Ts[it];
        size_t nro = 2 * NJORD_SHT_NSPEC(To);
        njord_real *r = alloc_spec(To, nlev);
        for (size_t k = 0; k < nro * nlev; k++) r[k] = (njord_real)999; /* must be overwritten */
        assert_int_equal(njord_spec_nc_read(path, "t", To, nlev, r), NJORD_OK);
        size_t nonzero = 0;
        for (int l = 0; l < nlev; l++)
            for (int m = 0; m <= To; m++)
                for (int n = m; n <= To; n++) {
                    size_t ko = (size_t)l * nro + 2 * njord_sht_index(To, m, n);
                    if (n <= T) {
                        size_t kf = (size_t)l * nr + 2 * njord_sht_index(T, m, n);
                        assert_true(r[ko] == a[kf]);
                        assert_true(r[ko + 1] == a[kf + 1]);
                        nonzero++;
                    } else {
                        assert_true(r[ko] == 0);
                        assert_true(r[ko + 1] == 0);
                    }
                }
        /* T21: all 253 coefficients per level come from the file; T63: the 946 of T42. */
        assert_int_equal(nonzero, (size_t)nlev * NJORD_SHT_NSPEC(To < T ? To : T));
        free(r);
    }
    free(a);
}

/* A file with a grid variable "topo"(lat, lon) and spectral variables in CDO's
 * record layout: sp(time, sfc = 3, nsp, nc2) stored as float, like
 * `cdo -f nc gp2sp` writes, and sp2(time, nsp, nc2), both with ntime records;
 * "badtr"(nsp, nc2) has a truncation attribute that contradicts nsp. */
static void make_foreign_file(const char *path, int T, int ntime)
{
    int ncid, dt, ds, dn, dc, dlat, dlon, vtopo, vsp, vsp2, vbad, vt, vs;
    size_t nsp = NJORD_SHT_NSPEC(T);
    assert_int_equal(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "time", NC_UNLIMITED, &dt), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "nc2", 2, &dc), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "nsp", nsp, &dn), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "sfc", 3, &ds), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "lat", 4, &dlat), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "lon", 8, &dlon), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "time", NC_DOUBLE, 1, &dt, &vt), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "sfc", NC_DOUBLE, 1, &ds, &vs), NC_NOERR);
    int d2[2] = {dlat, dlon};
    assert_int_equal(nc_def_var(ncid, "topo", NC_DOUBLE, 2, d2, &vtopo), NC_NOERR);
    assert_int_equal(nc_put_att_text(ncid, vtopo, "CDI_grid_type", 8, "gaussian"), NC_NOERR);
    int d4[4] = {dt, ds, dn, dc};
    assert_int_equal(nc_def_var(ncid, "sp", NC_FLOAT, 4, d4, &vsp), NC_NOERR);
    assert_int_equal(nc_put_att_text(ncid, vsp, "CDI_grid_type", 8, "spectral"), NC_NOERR);
    assert_int_equal(nc_put_att_text(ncid, vsp, "axis", 4, "TZ--"), NC_NOERR);
    assert_int_equal(nc_put_att_int(ncid, vsp, "truncation", NC_INT, 1, &T), NC_NOERR);
    int d3[3] = {dt, dn, dc};
    assert_int_equal(nc_def_var(ncid, "sp2", NC_DOUBLE, 3, d3, &vsp2), NC_NOERR);
    assert_int_equal(nc_put_att_text(ncid, vsp2, "CDI_grid_type", 8, "spectral"), NC_NOERR);
    int d2s[2] = {dn, dc}, badT = T + 1;
    assert_int_equal(nc_def_var(ncid, "badtr", NC_DOUBLE, 2, d2s, &vbad), NC_NOERR);
    assert_int_equal(nc_put_att_text(ncid, vbad, "CDI_grid_type", 8, "spectral"), NC_NOERR);
    assert_int_equal(nc_put_att_int(ncid, vbad, "truncation", NC_INT, 1, &badT), NC_NOERR);
    assert_int_equal(nc_enddef(ncid), NC_NOERR);

    size_t nt = (size_t)ntime;
    float *buf = malloc(nt * 3 * 2 * nsp * sizeof *buf);
    assert_non_null(buf);
    for (size_t i = 0; i < nt * 3 * 2 * nsp; i++) buf[i] = (float)(0.25 * (double)i);
    size_t st[4] = {0, 0, 0, 0}, ct[4] = {nt, 3, nsp, 2};
    assert_int_equal(nc_put_vara_float(ncid, vsp, st, ct, buf), NC_NOERR);
    size_t ct3[3] = {nt, nsp, 2};
    double *d = calloc(nt * 2 * nsp, sizeof *d);
    assert_non_null(d);
    assert_int_equal(nc_put_vara_double(ncid, vsp2, st, ct3, d), NC_NOERR);
    free(d);
    free(buf);
    assert_int_equal(nc_close(ncid), NC_NOERR);
}

static void test_read_cdo_layout(void **state)
{
    (void)state;
    const int T = 10;
    char path[512];
    path_in_dir(path, sizeof path, "foreign.nc");
    make_foreign_file(path, T, 1);
    int Tf, nl;
    assert_int_equal(njord_spec_nc_inquire(path, "sp", &Tf, &nl), NJORD_OK);
    assert_int_equal(Tf, T);
    assert_int_equal(nl, 3);
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *r = alloc_spec(T, 3);
    assert_int_equal(njord_spec_nc_read(path, "sp", T, 3, r), NJORD_OK);
    for (size_t i = 0; i < 3 * nr; i++) {
        size_t k = (i % nr) / 2;
        double expect = (k <= (size_t)T && i % 2 == 1) ? 0.0 : 0.25 * (double)i;
        assert_true((double)r[i] == expect);
    }
    free(r);
}

/* Packing applied, integer storage and holes (NaN, _FillValue) refused, and
 * CDI_grid_type as an NC_STRING attribute (NetCDF-4) accepted. */
static void test_packing_and_values(void **state)
{
    (void)state;
    const int T = 5;
    const size_t nsp = NJORD_SHT_NSPEC(T), nr = 2 * nsp;
    char path[512];
    path_in_dir(path, sizeof path, "packing.nc");
    int ncid, dn, dc, vp, vi, vn, vf;
    assert_int_equal(nc_create(path, NC_CLOBBER | NC_NETCDF4, &ncid), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "nsp", nsp, &dn), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "nc2", 2, &dc), NC_NOERR);
    int d[2] = {dn, dc};
    const char *spectral[1] = {"spectral"};
    assert_int_equal(nc_def_var(ncid, "packed", NC_FLOAT, 2, d, &vp), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "ints", NC_SHORT, 2, d, &vi), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "nan", NC_DOUBLE, 2, d, &vn), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "filled", NC_DOUBLE, 2, d, &vf), NC_NOERR);
    const int vars[4] = {vp, vi, vn, vf};
    for (int k = 0; k < 4; k++)
        assert_int_equal(nc_put_att_string(ncid, vars[k], "CDI_grid_type", 1, spectral), NC_NOERR);
    const double sc = 2.0, off = 1.0, fv = 1e20;
    nc_put_att_double(ncid, vp, "scale_factor", NC_DOUBLE, 1, &sc);
    nc_put_att_double(ncid, vp, "add_offset", NC_DOUBLE, 1, &off);
    nc_put_att_double(ncid, vf, "_FillValue", NC_DOUBLE, 1, &fv);
    assert_int_equal(nc_enddef(ncid), NC_NOERR);
    double *x = malloc(nr * sizeof *x);
    for (size_t i = 0; i < nr; i++) x[i] = 0.25 * (double)i;
    assert_int_equal(nc_put_var_double(ncid, vp, x), NC_NOERR);
    assert_int_equal(nc_put_var_double(ncid, vi, x), NC_NOERR);
    x[7] = NAN;
    assert_int_equal(nc_put_var_double(ncid, vn, x), NC_NOERR);
    x[7] = fv;
    assert_int_equal(nc_put_var_double(ncid, vf, x), NC_NOERR);
    assert_int_equal(nc_close(ncid), NC_NOERR);
    njord_real *r = alloc_spec(T, 1);
    assert_int_equal(njord_spec_nc_read(path, "packed", T, 1, r), NJORD_OK);
    for (size_t i = 0; i < nr; i++) {
        const double want = (i / 2 <= (size_t)T && i % 2) ? 0.0 : 0.25 * (double)i * sc + off;
        assert_true(fabs((double)r[i] - want) <= 1e-6 * fabs(want));
    }
    assert_int_equal(njord_spec_nc_read(path, "ints", T, 1, r), NJORD_EFORMAT);
    assert_msg_has("not stored as float or double");
    assert_int_equal(njord_spec_nc_read(path, "nan", T, 1, r), NJORD_EFORMAT);
    assert_msg_has("missing or NaN value at level 0, coefficient 3 (imaginary part)");
    assert_int_equal(njord_spec_nc_read(path, "filled", T, 1, r), NJORD_EFORMAT);
    assert_msg_has("missing or NaN");
    free(x);
    free(r);
}

/* A file cut short is an error, not coefficients read as zeros. */
static void test_truncated(void **state)
{
    (void)state;
    const int T = 21;
    njord_real *a = alloc_spec(T, 1);
    fill(T, 5, a);
    njord_spec_var v = {"vor", NULL, NULL, 1, a};
    char path[512];
    path_in_dir(path, sizeof path, "cut.nc");
    assert_int_equal(njord_spec_nc_write(path, T, 1, &v), NJORD_OK);
    assert_int_equal(njord_spec_nc_read(path, "vor", T, 1, a), NJORD_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(truncate(path, sb.st_size / 2), 0);
    int rc = njord_spec_nc_read(path, "vor", T, 1, a);
    assert_true(rc == NJORD_EIO || rc == NJORD_EFORMAT);
    if (rc == NJORD_EIO && !strstr(njord_last_error(), "HDF")) assert_msg_has("is truncated");
    free(a);
}

static void test_errors(void **state)
{
    (void)state;
    const int T = 10;
    njord_real *r = alloc_spec(T, 3);
    njord_real *a = alloc_spec(T, 2);
    fill(T, 5, a);
    for (size_t i = 0; i < 2 * NJORD_SHT_NSPEC(T) * 3; i++) r[i] = 7;
    char path[512], missing[512], foreign[512], plain[512];
    path_in_dir(path, sizeof path, "err.nc");
    path_in_dir(missing, sizeof missing, "no_such_file.nc");
    path_in_dir(foreign, sizeof foreign, "foreign_err.nc");
    path_in_dir(plain, sizeof plain, "plain.txt");
    njord_spec_var var = {"div", NULL, NULL, 2, a};
    assert_int_equal(njord_spec_nc_write(path, T, 1, &var), NJORD_OK);
    make_foreign_file(foreign, T, 2);
    FILE *f = fopen(plain, "w");
    assert_non_null(f);
    fputs("not netcdf\n", f);
    fclose(f);

    /* missing file */
    assert_int_equal(njord_spec_nc_read(missing, "div", T, 2, r), NJORD_EIO);
    assert_msg_has("no_such_file.nc");
    assert_int_equal(njord_spec_nc_inquire(missing, "div", NULL, NULL), NJORD_EIO);
    assert_msg_has("no_such_file.nc");
    /* not a NetCDF file */
    assert_int_equal(njord_spec_nc_read(plain, "div", T, 2, r), NJORD_EFORMAT);
    assert_msg_has("plain.txt");
    /* missing variable */
    assert_int_equal(njord_spec_nc_read(path, "vorticity", T, 2, r), NJORD_EFORMAT);
    assert_msg_has("vorticity");
    assert_msg_has("err.nc");
    assert_int_equal(njord_spec_nc_inquire(path, "vorticity", NULL, NULL), NJORD_EFORMAT);
    assert_msg_has("vorticity");
    /* non-spectral variable */
    assert_int_equal(njord_spec_nc_read(foreign, "topo", T, 1, r), NJORD_EFORMAT);
    assert_msg_has("topo");
    assert_msg_has("spectral");
    assert_int_equal(njord_spec_nc_inquire(foreign, "topo", NULL, NULL), NJORD_EFORMAT);
    assert_msg_has("topo");
    /* a coordinate variable has no CDI_grid_type either */
    assert_int_equal(njord_spec_nc_read(foreign, "sfc", T, 1, r), NJORD_EFORMAT);
    assert_msg_has("sfc");
    /* wrong nlev */
    assert_int_equal(njord_spec_nc_read(path, "div", T, 3, r), NJORD_EFORMAT);
    assert_msg_has("div");
    assert_int_equal(njord_spec_nc_read(path, "div", T, 1, r), NJORD_EFORMAT);
    assert_msg_has("div");
    /* more than one time step */
    assert_int_equal(njord_spec_nc_read(foreign, "sp2", T, 1, r), NJORD_EFORMAT);
    assert_msg_has("sp2");
    assert_msg_has("time steps");
    assert_int_equal(njord_spec_nc_read(foreign, "sp", T, 3, r), NJORD_EFORMAT);
    assert_msg_has("sp");
    /* truncation attribute inconsistent with nsp */
    assert_int_equal(njord_spec_nc_inquire(foreign, "badtr", NULL, NULL), NJORD_EFORMAT);
    assert_msg_has("badtr");
    /* failed reads leave out untouched */
    for (size_t i = 0; i < 2 * NJORD_SHT_NSPEC(T) * 3; i++) assert_true(r[i] == 7);
    /* invalid arguments */
    assert_int_equal(njord_spec_nc_read(path, "div", -1, 2, r), NJORD_EINVAL);
    assert_int_equal(njord_spec_nc_read(path, "div", T, 0, r), NJORD_EINVAL);
    assert_int_equal(njord_spec_nc_read(path, "div", T, 2, NULL), NJORD_EINVAL);
    assert_int_equal(njord_spec_nc_read(NULL, "div", T, 2, r), NJORD_EINVAL);
    assert_int_equal(njord_spec_nc_read(path, NULL, T, 2, r), NJORD_EINVAL);
    assert_int_equal(njord_spec_nc_write(path, -1, 1, &var), NJORD_EINVAL);
    assert_int_equal(njord_spec_nc_write(path, T, 0, &var), NJORD_EINVAL);
    assert_int_equal(njord_spec_nc_write(NULL, T, 1, &var), NJORD_EINVAL);
    njord_spec_var dup[2] = {var, var};
    assert_int_equal(njord_spec_nc_write(path, T, 2, dup), NJORD_EINVAL);
    assert_msg_has("div");
    njord_spec_var reserved = {"lev", NULL, NULL, 2, a};
    assert_int_equal(njord_spec_nc_write(path, T, 1, &reserved), NJORD_EINVAL);
    assert_msg_has("lev");
    /* unwritable location */
    char nodir[600];
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/x.nc", g_dir);
    assert_int_equal(njord_spec_nc_write(nodir, T, 1, &var), NJORD_EIO);
    assert_msg_has("x.nc");
    assert_msg_has("/no/such/dir' does not exist");
    free(r);
    free(a);
}

static void test_failed_write_keeps_file(void **state)
{
    (void)state;
    const int T = 15;
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *a = alloc_spec(T, 2), *b = alloc_spec(T, 2), *r = alloc_spec(T, 2);
    fill(T, 21, a);
    fill(T, 22, a + nr);
    fill(T, 23, b);
    fill(T, 24, b + nr);
    char path[512], tmp[600];
    path_in_dir(path, sizeof path, "keep.nc");
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    njord_spec_var good = {"q", "humidity", "kg kg-1", 2, a};
    assert_int_equal(njord_spec_nc_write(path, T, 1, &good), NJORD_OK);
    size_t len0, len1;
    unsigned char *before = slurp(path, &len0);
    assert_non_null(before);

    /* invalid argument, detected before anything is created */
    njord_spec_var bad[2] = {{"q", NULL, NULL, 2, b}, {"w", NULL, NULL, 2, NULL}};
    assert_int_equal(njord_spec_nc_write(path, T, 2, bad), NJORD_EINVAL);
    assert_msg_has("w");
    /* name NetCDF rejects: fails after the temporary file was created */
    njord_spec_var badname[2] = {{"q", NULL, NULL, 2, b}, {"bad/name", NULL, NULL, 1, b}};
    assert_int_equal(njord_spec_nc_write(path, T, 2, badname), NJORD_EINVAL);
    assert_msg_has("bad/name");
    struct stat sb;
    assert_int_not_equal(stat(tmp, &sb), 0); /* temporary removed */

    unsigned char *after = slurp(path, &len1);
    assert_non_null(after);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    assert_int_equal(njord_spec_nc_read(path, "q", T, 2, r), NJORD_OK);
    assert_memory_equal(r, a, 2 * nr * sizeof *r);

    /* a successful write replaces the file */
    njord_spec_var repl = {"q", NULL, NULL, 2, b};
    assert_int_equal(njord_spec_nc_write(path, T, 1, &repl), NJORD_OK);
    assert_int_equal(njord_spec_nc_read(path, "q", T, 2, r), NJORD_OK);
    assert_memory_equal(r, b, 2 * nr * sizeof *r);
    assert_int_not_equal(stat(tmp, &sb), 0);

    free(before);
    free(after);
    free(a);
    free(b);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_bitwise),
        cmocka_unit_test(test_m0_imaginary_zeroed),
        cmocka_unit_test(test_truncation_change),
        cmocka_unit_test(test_read_cdo_layout),
        cmocka_unit_test(test_packing_and_values),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_failed_write_keeps_file),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
