/* tests/test_latlon_read.c — reading a field on a latitude-longitude grid and
 * interpolating it to a Gaussian grid (njord_latlon_read, njord/io.h).
 *
 * Synthetic files hold f = cos(lat) cos(lon) + sin(lat) (+ offsets that mark
 * the time step and level). Bilinear interpolation error bound, for source
 * spacings dphi, dlam (radians, largest spacing in the file):
 *   between data latitudes   |err| <= (sqrt(2) dphi^2 + dlam^2) / 8
 *     (|f_phiphi| <= sqrt(2), |f_lamlam| <= 1)
 *   beyond the outermost data latitude (the row is held along the meridian)
 *                            |err| <= sqrt(2) gap + dlam^2 / 8
 *     (|f_phi| <= sqrt(2); gap = distance to the outermost data latitude)
 * plus the storage rounding (float, or half the packing step) and, in single
 * precision, 1e-6. */
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

#define TNLAT 48
#define TNLON 96
#define DEG (M_PI / 180.0)

static char g_dir[256];
static double g_tlat[TNLAT]; /* target Gaussian latitudes, radians, north to south */

static int setup_dir(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "%s/njord_test_latlon.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    double mu[TNLAT];
    if (njord_gauss_legendre(TNLAT, mu, NULL) != NJORD_OK) return -1;
    for (int j = 0; j < TNLAT; j++) g_tlat[j] = asin(mu[j]);
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in_dir(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
}

static void assert_msg_has(const char *what)
{
    const char *msg = njord_last_error();
    assert_non_null(msg);
    if (strstr(msg, what) == NULL) fail_msg("message \"%s\" does not contain \"%s\"", msg, what);
}

static double field(double lat_deg, double lon_deg)
{
    return cos(lat_deg * DEG) * cos(lon_deg * DEG) + sin(lat_deg * DEG);
}

/* ------------------------------------------------------------------------- */
/* synthetic files                                                            */

typedef struct {
    int ny, nx;
    const double *lat, *lon; /* degrees, as stored */
    int ntime;               /* 0: no time dimension */
    int nlev;                /* 0: no level dimension */
    const double *lev;       /* level values as stored */
    const char *lev_units;   /* "hPa", "Pa", NULL (none) */
    int transposed;          /* store (lon, lat) instead of (lat, lon) */
    int cf_attrs;            /* 1: coordinates named y/x found by attributes only */
    int packed;              /* store as short with scale_factor/add_offset */
    int extra;               /* length of an extra leading dimension "ens" (0: none) */
    int no_coords;           /* dimensions lat/lon without coordinate variables */
    int fill_at;             /* >= 0: flat index of a _FillValue point */
    int string_atts;         /* coordinate attributes as NC_STRING (as h5netcdf writes) */
} spec;

#define PACK_SCALE (4.0 / 65000.0)

/* Value at time t, level k: field + 10 t + k. */
static void write_file(const char *path, const spec *s)
{
    int ncid, dims[5], nd = 0, vid, vlat, vlon, vt = -1, vl = -1;
    assert_int_equal(nc_create(path, NC_CLOBBER | NC_NETCDF4, &ncid), NC_NOERR);
    int dlat, dlon, dt = -1, dl = -1, de = -1;
    const char *yn = s->cf_attrs ? "y" : "lat", *xn = s->cf_attrs ? "x" : "lon";
    if (s->extra) assert_int_equal(nc_def_dim(ncid, "ens", (size_t)s->extra, &de), NC_NOERR);
    if (s->ntime) assert_int_equal(nc_def_dim(ncid, "time", NC_UNLIMITED, &dt), NC_NOERR);
    if (s->nlev) assert_int_equal(nc_def_dim(ncid, "plev", (size_t)s->nlev, &dl), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, yn, (size_t)s->ny, &dlat), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, xn, (size_t)s->nx, &dlon), NC_NOERR);
    if (!s->no_coords) {
        assert_int_equal(nc_def_var(ncid, yn, NC_DOUBLE, 1, &dlat, &vlat), NC_NOERR);
        assert_int_equal(nc_def_var(ncid, xn, NC_FLOAT, 1, &dlon, &vlon), NC_NOERR);
        if (s->string_atts) {
            const char *sn[1] = {"latitude"}, *un[1] = {"degrees_east"};
            nc_put_att_string(ncid, vlat, "standard_name", 1, sn);
            nc_put_att_string(ncid, vlon, "units", 1, un);
        } else if (s->cf_attrs) {
            nc_put_att_text(ncid, vlat, "standard_name", 8, "latitude");
            nc_put_att_text(ncid, vlon, "units", 12, "degrees_east");
        } else {
            nc_put_att_text(ncid, vlat, "units", 13, "degrees_north");
        }
    }
    if (s->ntime) {
        assert_int_equal(nc_def_var(ncid, "time", NC_DOUBLE, 1, &dt, &vt), NC_NOERR);
        nc_put_att_text(ncid, vt, "units", 22, "hours since 2000-01-01");
    }
    if (s->nlev) {
        assert_int_equal(nc_def_var(ncid, "plev", NC_DOUBLE, 1, &dl, &vl), NC_NOERR);
        if (s->lev_units) nc_put_att_text(ncid, vl, "units", strlen(s->lev_units), s->lev_units);
    }
    if (s->extra) dims[nd++] = de;
    if (s->ntime) dims[nd++] = dt;
    if (s->nlev) dims[nd++] = dl;
    dims[nd++] = s->transposed ? dlon : dlat;
    dims[nd++] = s->transposed ? dlat : dlon;
    assert_int_equal(nc_def_var(ncid, "f", s->packed ? NC_SHORT : NC_FLOAT, nd, dims, &vid),
                     NC_NOERR);
    if (s->packed) {
        double sc = PACK_SCALE, off = 0.5;
        short fv = -32768;
        nc_put_att_double(ncid, vid, "scale_factor", NC_DOUBLE, 1, &sc);
        nc_put_att_double(ncid, vid, "add_offset", NC_DOUBLE, 1, &off);
        nc_put_att_short(ncid, vid, "_FillValue", NC_SHORT, 1, &fv);
    } else {
        float fv = -999.f;
        nc_put_att_float(ncid, vid, "_FillValue", NC_FLOAT, 1, &fv);
    }
    assert_int_equal(nc_enddef(ncid), NC_NOERR);
    if (!s->no_coords) {
        assert_int_equal(nc_put_var_double(ncid, vlat, s->lat), NC_NOERR);
        assert_int_equal(nc_put_var_double(ncid, vlon, s->lon), NC_NOERR);
    }
    if (s->nlev) assert_int_equal(nc_put_var_double(ncid, vl, s->lev), NC_NOERR);
    int nt = s->ntime ? s->ntime : 1, nl = s->nlev ? s->nlev : 1, ne = s->extra ? s->extra : 1;
    size_t n2 = (size_t)s->ny * (size_t)s->nx;
    double *buf = malloc(n2 * sizeof *buf);
    for (int e = 0; e < ne; e++)
        for (int t = 0; t < nt; t++) {
            if (s->ntime) {
                size_t ti = (size_t)t;
                double tv = 6.0 * t;
                nc_put_var1_double(ncid, vt, &ti, &tv);
            }
            for (int k = 0; k < nl; k++) {
                for (int j = 0; j < s->ny; j++)
                    for (int i = 0; i < s->nx; i++) {
                        double v = field(s->lat[j], s->lon[i]) + 10.0 * t + k;
                        if (s->packed) v = (v - 0.5) / PACK_SCALE;
                        size_t idx = s->transposed ? (size_t)i * s->ny + j : (size_t)j * s->nx + i;
                        buf[idx] = s->packed ? round(v) : v;
                        if ((long)idx == (long)s->fill_at) buf[idx] = s->packed ? -32768 : -999.0;
                    }
                size_t start[5] = {0}, count[5] = {1, 1, 1, 1, 1};
                int q = 0;
                if (s->extra) start[q++] = (size_t)e;
                if (s->ntime) start[q++] = (size_t)t;
                if (s->nlev) start[q++] = (size_t)k;
                count[q] = s->transposed ? (size_t)s->nx : (size_t)s->ny;
                count[q + 1] = s->transposed ? (size_t)s->ny : (size_t)s->nx;
                assert_int_equal(nc_put_vara_double(ncid, vid, start, count, buf), NC_NOERR);
            }
        }
    free(buf);
    assert_int_equal(nc_close(ncid), NC_NOERR);
}

static void regular_lats(double *lat, int n, int north_first)
{
    for (int j = 0; j < n; j++) {
        double v = -90.0 + 180.0 * j / (n - 1);
        lat[north_first ? n - 1 - j : j] = v;
    }
}

static void gaussian_lats(double *lat, int n, int north_first)
{
    double *mu = malloc((size_t)n * sizeof *mu);
    assert_int_equal(njord_gauss_legendre(n, mu, NULL), NJORD_OK);
    for (int j = 0; j < n; j++) lat[north_first ? j : n - 1 - j] = asin(mu[j]) / DEG;
    free(mu);
}

static void lons(double *lon, int n, double start)
{
    for (int i = 0; i < n; i++) lon[i] = start + 360.0 * i / n;
}

/* Read f and compare with field + add using the error bound of the header. */
static void check_interp(const char *path, const njord_read_opts *o, const double *lat, int ny,
                         int nx, double add, double store_err, const char *what)
{
    njord_real *out = malloc(TNLAT * TNLON * sizeof *out);
    int rc = njord_latlon_read(path, "f", o, TNLAT, TNLON, g_tlat, out);
    if (rc != NJORD_OK) fail_msg("%s: %s", what, njord_last_error());
    double dphi = 0, latmin = 90, latmax = -90;
    for (int j = 0; j + 1 < ny; j++) dphi = fmax(dphi, fabs(lat[j + 1] - lat[j]) * DEG);
    for (int j = 0; j < ny; j++) {
        latmin = fmin(latmin, lat[j]);
        latmax = fmax(latmax, lat[j]);
    }
    double dlam = 2 * M_PI / nx;
    double eps = store_err + (sizeof(njord_real) == 4 ? 2e-6 : 1e-12);
    double maxerr = 0, maxratio = 0;
    for (int j = 0; j < TNLAT; j++) {
        double phi = g_tlat[j] / DEG, bound;
        if (phi > latmax)
            bound = sqrt(2.0) * (phi - latmax) * DEG + dlam * dlam / 8;
        else if (phi < latmin)
            bound = sqrt(2.0) * (latmin - phi) * DEG + dlam * dlam / 8;
        else
            bound = (sqrt(2.0) * dphi * dphi + dlam * dlam) / 8;
        bound += eps;
        for (int i = 0; i < TNLON; i++) {
            double want = field(phi, 360.0 * i / TNLON) + add;
            double err = fabs((double)out[j * TNLON + i] - want);
            if (err > bound)
                fail_msg("%s: error %.3g at target (%d, %d) (lat %.3f) exceeds the bound %.3g",
                         what, err, j, i, phi, bound);
            maxerr = fmax(maxerr, err);
            maxratio = fmax(maxratio, err / bound);
        }
    }
    print_message("%-46s max error %.2e, at most %.0f%% of the bound\n", what, maxerr,
                  100 * maxratio);
    /* the bound is not vacuous: the interpolation error is visible */
    assert_true(maxratio > 0.05);
    free(out);
}

/* ------------------------------------------------------------------------- */
/* tests                                                                      */

/* Coordinates recognised by NC_STRING attributes; latitudes that stop short of
 * a pole (more than twice the spacing) refused, not extrapolated. */
/* Classic-format files (CDF-1, CDF-2 with records, CDF-5) read; cut short, they
 * are an error (the NetCDF library would read the missing data as zeros). */
static void test_truncated_classic(void **state)
{
    (void)state;
    enum { NY = 19, NX = 36 };
    static const int fmt[3] = {NC_CLASSIC_MODEL, NC_64BIT_OFFSET, NC_64BIT_DATA};
    double lat[NY], lon[NX], *f = malloc(sizeof(double) * NY * NX);
    regular_lats(lat, NY, 1);
    lons(lon, NX, 0.0);
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) f[j * NX + i] = field(lat[j], lon[i]);
    njord_real *out = malloc(TNLAT * TNLON * sizeof *out);
    for (int k = 0; k < 3; k++) {
        char path[512], name[32];
        snprintf(name, sizeof name, "classic%d.nc", k);
        path_in_dir(path, sizeof path, name);
        int ncid, dt, dy, dx, vy, vx, vf, rec = k == 1;
        assert_int_equal(nc_create(path, NC_CLOBBER | fmt[k], &ncid), NC_NOERR);
        if (rec) assert_int_equal(nc_def_dim(ncid, "time", NC_UNLIMITED, &dt), NC_NOERR);
        assert_int_equal(nc_def_dim(ncid, "lat", NY, &dy), NC_NOERR);
        assert_int_equal(nc_def_dim(ncid, "lon", NX, &dx), NC_NOERR);
        assert_int_equal(nc_def_var(ncid, "lat", NC_DOUBLE, 1, &dy, &vy), NC_NOERR);
        assert_int_equal(nc_def_var(ncid, "lon", NC_DOUBLE, 1, &dx, &vx), NC_NOERR);
        nc_put_att_text(ncid, vy, "units", 13, "degrees_north");
        nc_put_att_text(ncid, vx, "units", 12, "degrees_east");
        int dims[3] = {dt, dy, dx};
        assert_int_equal(nc_def_var(ncid, "f", NC_DOUBLE, rec ? 3 : 2, rec ? dims : dims + 1, &vf),
                         NC_NOERR);
        assert_int_equal(nc_enddef(ncid), NC_NOERR);
        nc_put_var_double(ncid, vy, lat);
        nc_put_var_double(ncid, vx, lon);
        for (size_t t = 0; t < (rec ? 2u : 1u); t++) {
            size_t st[3] = {t, 0, 0}, ct[3] = {1, NY, NX};
            assert_int_equal(nc_put_vara_double(ncid, vf, rec ? st : st + 1, rec ? ct : ct + 1, f),
                             NC_NOERR);
        }
        assert_int_equal(nc_close(ncid), NC_NOERR);
        njord_read_opts o = {rec ? 1 : 0, -1};
        check_interp(path, &o, lat, NY, NX, 0.0, 1e-12, name);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(truncate(path, sb.st_size - 8 * NX), 0);
        assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EIO);
        assert_msg_has("is truncated");
    }
    free(out);
    free(f);
}

static void test_string_atts_and_coverage(void **state)
{
    (void)state;
    char path[512];
    enum { NY = 73, NX = 144, NR = 13 };
    double lat[NY], lon[NX], reg[NR];
    regular_lats(lat, NY, 1);
    lons(lon, NX, 0.0);
    path_in_dir(path, sizeof path, "strattr.nc");
    spec s = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .fill_at = -1, .cf_attrs = 1,
              .string_atts = 1};
    write_file(path, &s);
    check_interp(path, NULL, lat, NY, NX, 0.0, 1e-7, "coordinates by NC_STRING attributes");
    for (int j = 0; j < NR; j++) reg[j] = 30.0 + 2.5 * j; /* 30..60 N */
    path_in_dir(path, sizeof path, "regional.nc");
    spec r = {.ny = NR, .nx = NX, .lat = reg, .lon = lon, .fill_at = -1};
    write_file(path, &r);
    njord_real *out = malloc(TNLAT * TNLON * sizeof *out);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("do not cover the globe");
    free(out);
}

static void test_regular_north_south_0_360(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "reg.nc");
    enum { NY = 73, NX = 144 };
    double lat[NY], lon[NX];
    regular_lats(lat, NY, 1);
    lons(lon, NX, 0.0);
    spec s = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .fill_at = -1};
    write_file(path, &s);
    check_interp(path, NULL, lat, NY, NX, 0.0, 1e-7, "regular 2.5 deg, N->S, 0..360");
}

static void test_gaussian_south_north_180(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "gauss.nc");
    enum { NY = 32, NX = 64 };
    double lat[NY], lon[NX];
    gaussian_lats(lat, NY, 0);
    lons(lon, NX, -180.0);
    spec s = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .fill_at = -1, .cf_attrs = 1};
    write_file(path, &s);
    check_interp(path, NULL, lat, NY, NX, 0.0, 1e-7, "Gaussian N32, S->N, -180..180, attrs");
}

static void test_time_level_selection(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "tl.nc");
    enum { NY = 91, NX = 180 };
    double lat[NY], lon[NX], lev[3] = {1000, 500, 300};
    regular_lats(lat, NY, 0);
    lons(lon, NX, -180.0);
    spec s = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .ntime = 3, .nlev = 3, .lev = lev,
              .lev_units = "hPa", .fill_at = -1};
    write_file(path, &s);
    njord_read_opts o = {2, 500.0};
    check_interp(path, &o, lat, NY, NX, 20.0 + 1, 2e-6, "regular 2 deg, time 2, 500 hPa");
    o = (njord_read_opts){0, 300.0};
    check_interp(path, &o, lat, NY, NX, 0.0 + 2, 1e-6, "regular 2 deg, time 0, 300 hPa");

    /* levels in Pa, transposed (lon, lat) storage, extra dimension of length 1 */
    path_in_dir(path, sizeof path, "tl_pa.nc");
    double levpa[2] = {85000, 25000};
    spec s2 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .ntime = 1, .nlev = 2, .lev = levpa,
               .lev_units = "Pa", .transposed = 1, .extra = 1, .fill_at = -1};
    write_file(path, &s2);
    o = (njord_read_opts){0, 250.0};
    check_interp(path, &o, lat, NY, NX, 1.0, 1e-6, "Pa levels, (lon, lat) order, ens = 1");
}

static void test_packed_wrapped_lons(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "packed.nc");
    enum { NY = 64, NX = 128 };
    double lat[NY], lon[NX];
    gaussian_lats(lat, NY, 1);
    lons(lon, NX, 90.0); /* 90 .. 447.1875: starts at 90 E and wraps past 360 */
    spec s = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .packed = 1, .fill_at = -1};
    write_file(path, &s);
    check_interp(path, NULL, lat, NY, NX, 0.0, PACK_SCALE / 2 + 1e-12,
                 "Gaussian N64 packed short, lon from 90 E");

    /* decreasing longitudes, values in -180..180 wrapping */
    path_in_dir(path, sizeof path, "declon.nc");
    double dlon[NX];
    for (int i = 0; i < NX; i++) {
        dlon[i] = 100.0 - 360.0 * i / NX;
        if (dlon[i] < -180.0) dlon[i] += 360.0;
    }
    spec s2 = {.ny = NY, .nx = NX, .lat = lat, .lon = dlon, .fill_at = -1};
    write_file(path, &s2);
    check_interp(path, NULL, lat, NY, NX, 0.0, 1e-7, "decreasing lons 100 .. -180 | 180 .. 102.8");
}

/* Interpolating onto the data's own points returns the data. */
static void test_same_grid_exact(void **state)
{
    (void)state;
    char path[512];
    path_in_dir(path, sizeof path, "same.nc");
    enum { NY = TNLAT, NX = TNLON };
    double lat[NY], lon[NX];
    for (int j = 0; j < NY; j++) lat[j] = g_tlat[j] / DEG;
    lons(lon, NX, -180.0);
    spec s = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .fill_at = -1};
    write_file(path, &s);
    njord_real *out = malloc(TNLAT * TNLON * sizeof *out);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_OK);
    for (int j = 0; j < TNLAT; j++)
        for (int i = 0; i < TNLON; i++) {
            float want = (float)field(lat[j], 360.0 * i / TNLON > 180.0 + 1e-9
                                                  ? 360.0 * i / TNLON - 360.0
                                                  : 360.0 * i / TNLON);
            if (fabs((double)out[j * TNLON + i] - want) > 1e-6)
                fail_msg("(%d, %d): %.9g != %.9g", j, i, (double)out[j * TNLON + i], want);
        }
    free(out);
}

static void test_errors(void **state)
{
    (void)state;
    char path[512], bad[512];
    enum { NY = 19, NX = 36 };
    double lat[NY], lon[NX], lev[2] = {500, 250};
    regular_lats(lat, NY, 1);
    lons(lon, NX, 0.0);
    njord_real *out = malloc(TNLAT * TNLON * sizeof *out);
    for (int k = 0; k < TNLAT * TNLON; k++) out[k] = (njord_real)12345;
    njord_read_opts o;

    /* arguments */
    path_in_dir(path, sizeof path, "err_ok.nc");
    spec s = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .ntime = 2, .nlev = 2, .lev = lev,
              .lev_units = "hPa", .fill_at = -1};
    write_file(path, &s);
    assert_int_equal(njord_latlon_read(NULL, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EINVAL);
    assert_int_equal(njord_latlon_read(path, NULL, NULL, TNLAT, TNLON, g_tlat, out), NJORD_EINVAL);
    assert_int_equal(njord_latlon_read(path, "f", NULL, 0, TNLON, g_tlat, out), NJORD_EINVAL);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, NULL, out), NJORD_EINVAL);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, NULL), NJORD_EINVAL);
    o = (njord_read_opts){-1, 500};
    assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EINVAL);
    assert_msg_has("time_index = -1");
    double badlat[TNLAT];
    memcpy(badlat, g_tlat, sizeof badlat);
    badlat[3] = 2.0;
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, badlat, out), NJORD_EINVAL);
    assert_msg_has("target latitude 3");

    /* missing file, not NetCDF, missing variable */
    path_in_dir(bad, sizeof bad, "nonexistent.nc");
    assert_int_equal(njord_latlon_read(bad, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EIO);
    assert_msg_has("nonexistent.nc");
    path_in_dir(bad, sizeof bad, "text.nc");
    FILE *fp = fopen(bad, "w");
    fputs("not netcdf\n", fp);
    fclose(fp);
    assert_int_equal(njord_latlon_read(bad, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("not a NetCDF file");
    o = (njord_read_opts){0, 500};
    assert_int_equal(njord_latlon_read(path, "g", &o, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("no variable 'g'");
    assert_msg_has("err_ok.nc");

    /* selection: time index, levels */
    o = (njord_read_opts){2, 500};
    assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("time_index 2 is not present");
    assert_msg_has("'f'");
    o = (njord_read_opts){1, 850};
    assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("level 850 hPa is not present (levels in hPa: 500, 250)");
    o = (njord_read_opts){1, -1};
    assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("has 2 levels");
    /* wrong number of dimensions: the 1-D coordinate read as a field */
    assert_int_equal(njord_latlon_read(path, "lat", NULL, TNLAT, TNLON, g_tlat, out),
                     NJORD_EFORMAT);
    assert_msg_has("1 dimension(s)");
    for (int k = 0; k < TNLAT * TNLON; k++) assert_true(out[k] == (njord_real)12345);

    /* no time / level dimension but one is asked for */
    path_in_dir(path, sizeof path, "err_2d.nc");
    spec s2 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .fill_at = -1};
    write_file(path, &s2);
    o = (njord_read_opts){1, -1};
    assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("no time dimension");
    o = (njord_read_opts){0, 500};
    assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("no level dimension");

    /* level coordinate without pressure units */
    path_in_dir(path, sizeof path, "err_levunits.nc");
    spec s3 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .nlev = 2, .lev = lev, .fill_at = -1};
    write_file(path, &s3);
    o = (njord_read_opts){0, 500};
    assert_int_equal(njord_latlon_read(path, "f", &o, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("no pressure coordinate");

    /* an extra dimension longer than 1 */
    path_in_dir(path, sizeof path, "err_ens.nc");
    spec s4 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .extra = 2, .fill_at = -1};
    write_file(path, &s4);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("dimension 'ens' (length 2)");

    /* missing coordinates: x/y without attributes, lat/lon without variables */
    path_in_dir(path, sizeof path, "err_nocoord.nc");
    spec s5 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .cf_attrs = 1, .no_coords = 1,
               .fill_at = -1};
    write_file(path, &s5);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("no latitude coordinate");
    path_in_dir(path, sizeof path, "err_novar.nc");
    spec s6 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .no_coords = 1, .fill_at = -1};
    write_file(path, &s6);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("has no coordinate variable");

    /* non-monotonic latitudes and longitudes, regional longitudes */
    double lat2[NY], lon2[NX];
    memcpy(lat2, lat, sizeof lat);
    lat2[5] = lat[7];
    lat2[7] = lat[5];
    path_in_dir(path, sizeof path, "err_lat.nc");
    spec s7 = {.ny = NY, .nx = NX, .lat = lat2, .lon = lon, .fill_at = -1};
    write_file(path, &s7);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("latitudes 'lat' are not monotonic");
    memcpy(lon2, lon, sizeof lon);
    lon2[10] = lon[12];
    lon2[12] = lon[10];
    path_in_dir(path, sizeof path, "err_lon.nc");
    spec s8 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon2, .fill_at = -1};
    write_file(path, &s8);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("longitudes 'lon' are not monotonic");
    for (int i = 0; i < NX; i++) lon2[i] = 0.5 * lon[i];
    path_in_dir(path, sizeof path, "err_regional.nc");
    spec s9 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon2, .fill_at = -1};
    write_file(path, &s9);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("do not go round the globe");

    /* a missing value, float and packed */
    path_in_dir(path, sizeof path, "err_fill.nc");
    spec s10 = {.ny = NY, .nx = NX, .lat = lat, .lon = lon, .fill_at = 3 * NX + 4};
    write_file(path, &s10);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("missing value at latitude 60, longitude 40 (lat index 3, lon index 4)");
    s10.packed = 1;
    write_file(path, &s10);
    assert_int_equal(njord_latlon_read(path, "f", NULL, TNLAT, TNLON, g_tlat, out), NJORD_EFORMAT);
    assert_msg_has("missing value at latitude 60");

    for (int k = 0; k < TNLAT * TNLON; k++) assert_true(out[k] == (njord_real)12345);
    free(out);
}

/* January and July 300 hPa winds on a T42 Gaussian grid, from the Debian package
 * libncarg-data (NCL example data). */
static void test_uv300(void **state)
{
    (void)state;
    const char *cands[] = {getenv("NJORD_UV300"), "/usr/share/ncarg/data/cdf/uv300.nc",
                           "/usr/share/ncarg/data/nug/uv300.nc"};
    const char *path = NULL;
    for (size_t k = 0; k < sizeof cands / sizeof *cands; k++)
        if (cands[k] && access(cands[k], R_OK) == 0) {
            path = cands[k];
            break;
        }
    if (!path) {
        print_message("uv300.nc not found (install the Debian package libncarg-data): "
                      "real-data part skipped\n");
        skip();
    }
    /* target: the file's own Gaussian grid (64 x 128), north to south, so the
     * values must come back as they are stored; and a T85 grid (128 x 256). */
    int ncid, vid;
    float flat[64], fu[64 * 128];
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "lat", &vid), NC_NOERR);
    assert_int_equal(nc_get_var_float(ncid, vid, flat), NC_NOERR);
    double tlat[64];
    for (int j = 0; j < 64; j++) tlat[j] = (double)flat[63 - j] * DEG; /* file is S->N */
    njord_real *out = malloc(128 * 256 * sizeof *out);
    const char *names[2] = {"U", "V"};
    for (int t = 0; t < 2; t++)
        for (int v = 0; v < 2; v++) {
            njord_read_opts o = {t, -1};
            int rc = njord_latlon_read(path, names[v], &o, 64, 128, tlat, out);
            if (rc != NJORD_OK) fail_msg("%s", njord_last_error());
            assert_int_equal(nc_inq_varid(ncid, names[v], &vid), NC_NOERR);
            size_t start[3] = {(size_t)t, 0, 0}, count[3] = {1, 64, 128};
            assert_int_equal(nc_get_vara_float(ncid, vid, start, count, fu), NC_NOERR);
            /* file longitudes: -180 + 2.8125 i; target 2.8125 i */
            double maxd = 0;
            for (int j = 0; j < 64; j++)
                for (int i = 0; i < 128; i++) {
                    float want = fu[(63 - j) * 128 + (i + 64) % 128];
                    maxd = fmax(maxd, fabs((double)out[j * 128 + i] - want));
                }
            if (maxd > 1e-4) fail_msg("%s month %d: same-grid read differs by %g", names[v], t, maxd);

            /* T85 Gaussian grid: plausible range */
            double mu[128], lr[128];
            assert_int_equal(njord_gauss_legendre(128, mu, NULL), NJORD_OK);
            for (int j = 0; j < 128; j++) lr[j] = asin(mu[j]);
            assert_int_equal(njord_latlon_read(path, names[v], &o, 128, 256, lr, out), NJORD_OK);
            double mx = -1e30, mn = 1e30;
            for (int k = 0; k < 128 * 256; k++) {
                mx = fmax(mx, (double)out[k]);
                mn = fmin(mn, (double)out[k]);
            }
            print_message("uv300 %s %s: min %.1f max %.1f m/s\n", names[v],
                          t ? "July" : "January", mn, mx);
            assert_true(mx < 100.0 && mn > -100.0);
            if (v == 0) assert_true(mx >= 20.0 && mx <= 80.0); /* jet maximum */
        }
    nc_close(ncid);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_north_south_0_360),
        cmocka_unit_test(test_string_atts_and_coverage),
        cmocka_unit_test(test_truncated_classic),
        cmocka_unit_test(test_gaussian_south_north_180),
        cmocka_unit_test(test_time_level_selection),
        cmocka_unit_test(test_packed_wrapped_lons),
        cmocka_unit_test(test_same_grid_exact),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_uv300),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
