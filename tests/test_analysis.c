/* tests/test_analysis.c — vertical interpolation of columns (lib/dyn/vinterp.h)
 * and reading an analysis onto the model grid and hybrid levels
 * (njord_analysis_read, njord/io.h).
 *
 * Synthetic files (regular 10-degree grid with the poles, longitudes 0..350)
 * hold, as functions of latitude lat and longitude lon (degrees) and pressure
 * p (Pa),
 *     F = c0 + clat lat + cg g(lon) + (cL + cLg lat g(lon)) ln(p / 1e5),
 *     g(lon) = |lon - 180| / 180 for lon in [0, 360),
 * g piecewise linear with its kinks at 0 and 180, which are grid longitudes.
 * On a fixed pressure F is therefore bilinear in (lat, lon) inside every grid
 * cell and the horizontal bilinear interpolation is exact; F is linear in
 * ln p, so linear-in-ln-p interpolation to the model levels is exact too. The
 * surface pressures are bilinear (or exp of a linear function, read as lnsp),
 * so the model's ps and its level pressures are exact as well. The analysis
 * read onto the model levels must then equal F at the model level pressure
 * (held above the top / below the bottom source level, and for T below the
 * bottom the lapse-rate formula) to rounding: tolerance 1e-9 (1 + |F|).
 * Only the hybrid source whose ps varies in space is not exact; its bound is
 * derived at test_hybrid_ecmwf_lnsp. */
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
#include <unistd.h>

#include "dyn/vinterp.h"
#include "njord/core.h"
#include "njord/io.h"
#include "njord/sht.h"

#define GRAV 9.80616
#define RD 287.04
#define GAM (RD * 0.0065 / GRAV)

/* model grid and levels */
#define MNLAT 16
#define MNLON 32
#define MNLEV 26
#define MNPT (MNLAT * MNLON)
static double g_mlat[MNLAT]; /* radians, north to south */

static const double cam_a[MNLEV + 1] = {
    0.002194067, 0.004895209, 0.009882418, 0.01805201, 0.02983724, 0.04462334, 0.06160587,
    0.07851243,  0.07731271,  0.07590131,  0.07424086, 0.07228744, 0.06998933, 0.06728574,
    0.06410509,  0.06036322,  0.05596111,  0.05078225, 0.04468960, 0.03752191, 0.02908949,
    0.02084739,  0.01334443,  0.00708499,  0.00252136, 0,          0};
static const double cam_b[MNLEV + 1] = {
    0,         0,         0,         0,         0,         0,         0,
    0,         0.01505309, 0.03276228, 0.05359622, 0.07810627, 0.1069411, 0.1408637,
    0.1807720, 0.2277220, 0.2829562, 0.3479364, 0.4243822, 0.5143168, 0.6201202,
    0.7235355, 0.8176768, 0.8962153, 0.9534761, 0.9851122, 1};
static double g_ai[MNLEV + 1]; /* Pa */

static char g_dir[256];

static void path_in_dir(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "%s/njord_test_analysis.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    double mu[MNLAT];
    if (njord_gauss_legendre(MNLAT, mu, NULL) != NJORD_OK) return -1;
    for (int j = 0; j < MNLAT; j++) g_mlat[j] = asin(mu[j]);
    for (int i = 0; i <= MNLEV; i++) g_ai[i] = 1e5 * cam_a[i];
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
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

/* ========================================================================= */
/* Part 1: columns                                                            */

static void test_vinterp_logp_exact_and_held(void **state)
{
    (void)state;
    /* f = 3 - 7 ln p at 9 irregular source levels */
    const double ps[9] = {150, 900, 2e3, 7.5e3, 2e4, 4.4e4, 7e4, 9.1e4, 1.01e5};
    double fs[9];
    for (int j = 0; j < 9; j++) fs[j] = 3.0 - 7.0 * log(ps[j]);
    double pt[200], ft[200];
    for (int i = 0; i < 200; i++) pt[i] = 150.0 * pow(1.01e5 / 150.0, (199 - i) / 199.0); /* any order */
    nj_vinterp_logp(9, ps, fs, 200, pt, ft);
    for (int i = 0; i < 200; i++) {
        double want = 3.0 - 7.0 * log(pt[i]);
        if (fabs(ft[i] - want) > 1e-12 * (1 + fabs(want)))
            fail_msg("logp at %g Pa: %.17g, want %.17g", pt[i], ft[i], want);
    }
    /* the source levels themselves, and held values outside */
    nj_vinterp_logp(9, ps, fs, 9, ps, ft);
    for (int j = 0; j < 9; j++) assert_true(fabs(ft[j] - fs[j]) <= 1e-13 * fabs(fs[j]));
    const double out[5] = {100, 1, 0, 1.02e5, 2e5};
    nj_vinterp_logp(9, ps, fs, 5, out, ft);
    assert_true(ft[0] == fs[0] && ft[1] == fs[0] && ft[2] == fs[0]);
    assert_true(ft[3] == fs[8] && ft[4] == fs[8]);
    /* one source level: held everywhere */
    nj_vinterp_logp(1, ps + 4, fs + 4, 5, out, ft);
    for (int i = 0; i < 5; i++) assert_true(ft[i] == fs[4]);
}

static void test_vinterp_lapse(void **state)
{
    (void)state;
    const double ps[4] = {1e4, 3e4, 6e4, 8.5e4};
    const double ts[4] = {220, 240, 265, 280};
    const double pt[6] = {5e3, 2e4, 8.5e4, 9e4, 1e5, 1.05e5};
    double tt[6], tl[6];
    nj_vinterp_logp_lapse(4, ps, ts, 6, pt, tt);
    nj_vinterp_logp(4, ps, ts, 6, pt, tl);
    assert_true(tt[0] == 220 && tt[1] == tl[1] && tt[2] == 280);
    for (int i = 3; i < 6; i++) {
        double want = 280.0 * pow(pt[i] / 8.5e4, GAM);
        assert_true(fabs(tt[i] - want) < 1e-12 * want);
        assert_true(tt[i] > 280.0);
    }
    /* 6.5 K per km: the hydrostatic thickness between 85 and 100 kPa,
     * dz = (Rd/g) * integral T dln p, divided into the temperature change */
    double dz = 0.0, n = 4000;
    for (int i = 0; i < n; i++) {
        double x0 = log(8.5e4) + (log(1e5) - log(8.5e4)) * i / n,
               x1 = log(8.5e4) + (log(1e5) - log(8.5e4)) * (i + 1) / n, xm = 0.5 * (x0 + x1);
        double pm = exp(xm), tm;
        nj_vinterp_logp_lapse(4, ps, ts, 1, &pm, &tm);
        dz += RD / GRAV * tm * (x1 - x0);
    }
    double lapse = (tt[4] - 280.0) / dz;
    if (fabs(lapse - 0.0065) > 1e-8) fail_msg("lapse rate %.10f K/m", lapse);
    /* continuity at the bottom source level */
    double pe[2] = {8.5e4 * (1 - 1e-12), 8.5e4 * (1 + 1e-12)}, te[2];
    nj_vinterp_logp_lapse(4, ps, ts, 2, pe, te);
    assert_true(fabs(te[0] - 280.0) < 1e-8 && fabs(te[1] - 280.0) < 1e-8);
}

static void test_vinterp_t_phi(void **state)
{
    (void)state;
    /* a column with T and Phi both linear in ln p (not hydrostatic, which
     * does not matter for the interpolation) and the surface on the same line */
    enum { N = 6 };
    const double pf[N] = {3e3, 1e4, 2.5e4, 5e4, 7.5e4, 9.2e4};
    const double psurf = 9.6e4;
    double tf[N], phif[N];
    for (int k = 0; k < N; k++) {
        tf[k] = 300.0 + 12.0 * log(pf[k] / 1e5);
        phif[k] = -RD * 250.0 * log(pf[k] / 1e5);
    }
    double phis = -RD * 250.0 * log(psurf / 1e5);
    double pt[60], tt[60], phit[60];
    for (int i = 0; i < 60; i++) pt[i] = 3e3 + (psurf - 3e3) * ((i * 37) % 60) / 59.0;
    nj_vinterp_t_phi_to_p(N, pf, tf, phif, psurf, phis, 60, pt, tt, phit);
    for (int i = 0; i < 60; i++) {
        double wphi = -RD * 250.0 * log(pt[i] / 1e5);
        if (fabs(phit[i] - wphi) > 1e-9 * (1 + fabs(wphi)))
            fail_msg("Phi at %g Pa: %.15g, want %.15g", pt[i], phit[i], wphi);
        if (pt[i] <= pf[N - 1]) {
            double wt = 300.0 + 12.0 * log(pt[i] / 1e5);
            if (fabs(tt[i] - wt) > 1e-12 * wt) fail_msg("T at %g Pa: %.15g", pt[i], tt[i]);
        }
    }
    /* continuity of T and Phi at p = ps, and Phi(ps) = phis */
    double pe[3] = {psurf * (1 - 1e-10), psurf, psurf * (1 + 1e-10)}, te[3], phie[3];
    nj_vinterp_t_phi_to_p(N, pf, tf, phif, psurf, phis, 3, pe, te, phie);
    assert_true(fabs(phie[1] - phis) <= 1e-9 * fabs(phis));
    assert_true(fabs(phie[0] - phis) < 1e-4 && fabs(phie[2] - phis) < 1e-4);
    assert_true(fabs(te[0] - te[2]) < 1e-6 && fabs(te[1] - te[0]) < 1e-6);
    double tstar = tf[N - 1] * pow(psurf / pf[N - 1], GAM);
    assert_true(fabs(te[1] - tstar) < 1e-12 * tstar);
    /* below the ground: T = T* (p/ps)^gamma and Phi hydrostatic with that T
     * (dPhi/dln p = -Rd T, by a centred difference), decreasing downwards */
    for (double p = 9.7e4; p <= 1.08e5; p += 1e3) {
        double q[3] = {p * exp(-1e-5), p, p * exp(1e-5)}, tq[3], fq[3];
        nj_vinterp_t_phi_to_p(N, pf, tf, phif, psurf, phis, 3, q, tq, fq);
        assert_true(fabs(tq[1] - tstar * pow(p / psurf, GAM)) < 1e-10 * tq[1]);
        double dphi = (fq[2] - fq[0]) / 2e-5;
        if (fabs(dphi + RD * tq[1]) > 1e-5 * RD * tq[1])
            fail_msg("below ground at %g Pa: dPhi/dlnp %.10g, -Rd T %.10g", p, dphi, -RD * tq[1]);
        double want = phis + GRAV * tstar / 0.0065 * (1.0 - pow(p / psurf, GAM));
        assert_true(fabs(fq[1] - want) < 1e-9 * (1 + fabs(want)));
        assert_true(fq[1] < phis);
    }
    /* above the top: T held, Phi isothermal-hydrostatic */
    double pa[2] = {1e3, 100.0}, ta[2], fa[2];
    nj_vinterp_t_phi_to_p(N, pf, tf, phif, psurf, phis, 2, pa, ta, fa);
    assert_true(ta[0] == tf[0] && ta[1] == tf[0]);
    assert_true(fabs(fa[0] - (phif[0] + RD * tf[0] * log(3.0))) < 1e-9 * fa[0]);
    assert_true(fabs(fa[1] - (phif[0] + RD * tf[0] * log(30.0))) < 1e-9 * fa[1]);
    /* NULL outputs allowed */
    nj_vinterp_t_phi_to_p(N, pf, tf, phif, psurf, phis, 2, pa, NULL, fa);
    nj_vinterp_t_phi_to_p(N, pf, tf, phif, psurf, phis, 2, pa, ta, NULL);
}

static void test_vinterp_full_levels(void **state)
{
    (void)state;
    double pf[MNLEV];
    nj_vinterp_full_levels(MNLEV, g_ai, cam_b, 98000.0, pf);
    for (int k = 0; k < MNLEV; k++) {
        double a = g_ai[k] + cam_b[k] * 98000.0, b = g_ai[k + 1] + cam_b[k + 1] * 98000.0;
        assert_true(fabs(pf[k] - 0.5 * (a + b)) < 1e-9);
        assert_true(pf[k] > a && pf[k] < b);
    }
}

/* ========================================================================= */
/* Part 2: synthetic analysis files                                           */

typedef struct {
    double c0, clat, cg, cL, cLg;
} coefs;
static const coefs CT = {260, 0.2, 8, 15, 0.03};
static const coefs CU = {10, 0.1, 5, -8, 0.02};
static const coefs CV = {-3, 0.05, -2, 2, 0.01};
static const coefs CQ = {0.006, 2e-5, 1e-3, 0.001, 1e-6};

static double gl(double lon)
{
    lon = fmod(lon, 360.0);
    if (lon < 0) lon += 360.0;
    return fabs(lon - 180.0) / 180.0;
}

static double F(const coefs *c, double lat, double lon, double p)
{
    double g = gl(lon);
    return c->c0 + c->clat * lat + c->cg * g + (c->cL + c->cLg * lat * g) * log(p / 1e5);
}

/* surface pressures (Pa) */
enum { PS_VAR = 0, PS_UNIFORM = 1, PS_EXP = 2, PS_99 = 3 };
#define PS_EXP_S 0.0015
static double psf(int kind, double lat, double lon)
{
    switch (kind) {
    case PS_UNIFORM: return 98000.0;
    case PS_99: return 99000.0;
    case PS_EXP: return 1e5 * exp(PS_EXP_S * lat);
    default: return 1e5 + 200.0 * lat + 500.0 * gl(lon);
    }
}
/* orography (m) */
static double orog(double lat, double lon) { return 500.0 + 5.0 * lat + 300.0 * gl(lon); }

/* variables of a file */
enum { K_3D, K_PS, K_LNSP, K_OROG, K_2D };
typedef struct {
    const char *name, *units; /* units NULL: no attribute */
    int kind;
    const coefs *c;           /* K_3D, K_2D (evaluated at 1e5 Pa) */
    double scale, offset;     /* stored = value * scale + offset (scale 0 means 1) */
    int string_units;         /* units as an NC_STRING attribute */
    int no_time;
    int poison;               /* 1: one point is the _FillValue, 2: one point NaN */
} fvar;

enum { V_PRESSURE, V_CAM, V_ECMWF, V_NOCOORD, V_NONE };
typedef struct {
    int vkind;
    int nlev;
    const double *lev;        /* V_PRESSURE: level values as stored */
    const char *lev_units;    /* V_PRESSURE: units (NULL: none) */
    const char *lev_sn;       /* standard_name of the level coordinate, or NULL */
    double lev_to_pa;         /* V_PRESSURE: factor to Pa */
    const double *ha, *hb;    /* hybrid: A (CAM: dimensionless; ECMWF: Pa), B */
    double p0;                /* V_CAM: > 0: write a variable P0 (in p0_units); 0: none */
    const char *p0_units;
    double p0_to_pa;
    int ps_kind;              /* PS_* for the source pressures of hybrid levels */
    int lat_north_first;
    int ntime;                /* >= 1 */
    int nvars;
    const fvar *vars;
} fdesc;

#define SNY 19
#define SNX 36

/* Source pressure of level k at (lat, lon). */
static double src_p(const fdesc *d, int k, double lat, double lon)
{
    double ps = psf(d->ps_kind, lat, lon);
    switch (d->vkind) {
    case V_CAM: return d->ha[k] * (d->p0 > 0 ? d->p0 * d->p0_to_pa : 1e5) + d->hb[k] * ps;
    case V_ECMWF: return d->ha[k] + d->hb[k] * ps;
    case V_NONE: return 1e5;
    default: return d->lev ? d->lev[k] * d->lev_to_pa : 5e4;
    }
}

/* Value of a variable at time t; time steps before the last are 1% smaller
 * so that reading the wrong one shows. */
static double var_value(const fdesc *d, const fvar *v, int k, int t, double lat, double lon)
{
    double x;
    switch (v->kind) {
    case K_PS: x = psf(d->ps_kind, lat, lon); break;
    case K_LNSP: x = log(psf(d->ps_kind, lat, lon)); break;
    case K_OROG: x = orog(lat, lon); break;
    case K_2D: x = F(v->c, lat, lon, 1e5); break;
    default: x = F(v->c, lat, lon, src_p(d, k, lat, lon)); break;
    }
    if (t < d->ntime - 1) x *= 0.99;
    return x * (v->scale != 0.0 ? v->scale : 1.0) + v->offset;
}

static void put_text(int ncid, int vid, const char *name, const char *val)
{
    assert_int_equal(nc_put_att_text(ncid, vid, name, strlen(val), val), NC_NOERR);
}

static void write_file(const char *path, const fdesc *d)
{
    int ncid, dt, dl = -1, dlat, dlon, vlat, vlon, vt, vl;
    assert_int_equal(nc_create(path, NC_CLOBBER | NC_NETCDF4, &ncid), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "time", NC_UNLIMITED, &dt), NC_NOERR);
    if (d->vkind != V_NONE)
        assert_int_equal(nc_def_dim(ncid, "lev", (size_t)d->nlev, &dl), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "lat", SNY, &dlat), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "lon", SNX, &dlon), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "lat", NC_DOUBLE, 1, &dlat, &vlat), NC_NOERR);
    put_text(ncid, vlat, "units", "degrees_north");
    assert_int_equal(nc_def_var(ncid, "lon", NC_DOUBLE, 1, &dlon, &vlon), NC_NOERR);
    put_text(ncid, vlon, "units", "degrees_east");
    assert_int_equal(nc_def_var(ncid, "time", NC_DOUBLE, 1, &dt, &vt), NC_NOERR);
    put_text(ncid, vt, "units", "hours since 2000-01-01 00:00:00");
    int vha = -1, vhb = -1, vp0 = -1;
    if (d->vkind == V_PRESSURE || d->vkind == V_CAM || d->vkind == V_ECMWF) {
        assert_int_equal(nc_def_var(ncid, "lev", NC_DOUBLE, 1, &dl, &vl), NC_NOERR);
        if (d->vkind == V_PRESSURE) {
            if (d->lev_units) put_text(ncid, vl, "units", d->lev_units);
            if (d->lev_sn) put_text(ncid, vl, "standard_name", d->lev_sn);
        } else {
            put_text(ncid, vl, "units", d->vkind == V_CAM ? "hybrid_sigma_pressure" : "1");
            put_text(ncid, vl, "positive", "down");
        }
        if (d->vkind == V_ECMWF) {
            put_text(ncid, vl, "standard_name", "atmosphere_hybrid_sigma_pressure_coordinate");
            put_text(ncid, vl, "formula_terms", "ap: ap b: b ps: lnsp_not_read");
            assert_int_equal(nc_def_var(ncid, "ap", NC_DOUBLE, 1, &dl, &vha), NC_NOERR);
            put_text(ncid, vha, "units", "Pa");
            assert_int_equal(nc_def_var(ncid, "b", NC_DOUBLE, 1, &dl, &vhb), NC_NOERR);
            put_text(ncid, vhb, "units", "1");
        }
        if (d->vkind == V_CAM) {
            assert_int_equal(nc_def_var(ncid, "hyam", NC_DOUBLE, 1, &dl, &vha), NC_NOERR);
            assert_int_equal(nc_def_var(ncid, "hybm", NC_DOUBLE, 1, &dl, &vhb), NC_NOERR);
            if (d->p0 > 0) {
                assert_int_equal(nc_def_var(ncid, "P0", NC_DOUBLE, 0, NULL, &vp0), NC_NOERR);
                put_text(ncid, vp0, "units", d->p0_units);
            }
        }
    }
    int vids[16];
    for (int n = 0; n < d->nvars; n++) {
        const fvar *v = &d->vars[n];
        int dims[4], nd = 0;
        if (!v->no_time) dims[nd++] = dt;
        if (v->kind == K_3D && dl >= 0) dims[nd++] = dl;
        dims[nd++] = dlat;
        dims[nd++] = dlon;
        assert_int_equal(nc_def_var(ncid, v->name, NC_DOUBLE, nd, dims, &vids[n]), NC_NOERR);
        if (v->units) {
            if (v->string_units) {
                const char *sv[1] = {v->units};
                assert_int_equal(nc_put_att_string(ncid, vids[n], "units", 1, sv), NC_NOERR);
            } else {
                put_text(ncid, vids[n], "units", v->units);
            }
        }
        double fv = -999.0;
        assert_int_equal(nc_put_att_double(ncid, vids[n], "_FillValue", NC_DOUBLE, 1, &fv),
                         NC_NOERR);
    }
    assert_int_equal(nc_enddef(ncid), NC_NOERR);
    double lat[SNY], lon[SNX];
    for (int j = 0; j < SNY; j++) lat[j] = d->lat_north_first ? 90.0 - 10.0 * j : -90.0 + 10.0 * j;
    for (int i = 0; i < SNX; i++) lon[i] = 10.0 * i;
    assert_int_equal(nc_put_var_double(ncid, vlat, lat), NC_NOERR);
    assert_int_equal(nc_put_var_double(ncid, vlon, lon), NC_NOERR);
    if (d->vkind == V_PRESSURE) assert_int_equal(nc_put_var_double(ncid, vl, d->lev), NC_NOERR);
    if (d->vkind == V_CAM || d->vkind == V_ECMWF) {
        double lv[64];
        for (int k = 0; k < d->nlev; k++)
            lv[k] = 1000.0 * (d->ha[k] * (d->vkind == V_ECMWF ? 1e-5 : 1.0) + d->hb[k]);
        assert_int_equal(nc_put_var_double(ncid, vl, lv), NC_NOERR);
        assert_int_equal(nc_put_var_double(ncid, vha, d->ha), NC_NOERR);
        assert_int_equal(nc_put_var_double(ncid, vhb, d->hb), NC_NOERR);
        if (vp0 >= 0) assert_int_equal(nc_put_var_double(ncid, vp0, &d->p0), NC_NOERR);
    }
    for (int t = 0; t < d->ntime; t++) {
        size_t ti = (size_t)t;
        double tv = 6.0 * t;
        assert_int_equal(nc_put_var1_double(ncid, vt, &ti, &tv), NC_NOERR);
    }
    double *buf = malloc(SNY * SNX * sizeof *buf);
    for (int n = 0; n < d->nvars; n++) {
        const fvar *v = &d->vars[n];
        int nl = (v->kind == K_3D && dl >= 0) ? d->nlev : 1, nt = v->no_time ? 1 : d->ntime;
        for (int t = 0; t < nt; t++)
            for (int k = 0; k < nl; k++) {
                for (int j = 0; j < SNY; j++)
                    for (int i = 0; i < SNX; i++)
                        buf[j * SNX + i] =
                            var_value(d, v, k, v->no_time ? d->ntime - 1 : t, lat[j], lon[i]);
                if (v->poison && t == nt - 1 && k == nl / 2)
                    buf[7 * SNX + 11] = v->poison == 1 ? -999.0 : NAN;
                size_t start[4], count[4];
                int q = 0;
                if (!v->no_time) {
                    start[q] = (size_t)t;
                    count[q++] = 1;
                }
                if (v->kind == K_3D && dl >= 0) {
                    start[q] = (size_t)k;
                    count[q++] = 1;
                }
                start[q] = 0;
                count[q++] = SNY;
                start[q] = 0;
                count[q++] = SNX;
                assert_int_equal(nc_put_vara_double(ncid, vids[n], start, count, buf), NC_NOERR);
            }
    }
    free(buf);
    assert_int_equal(nc_close(ncid), NC_NOERR);
}

/* outputs */
typedef struct {
    double u[MNLEV * MNPT], v[MNLEV * MNPT], t[MNLEV * MNPT], q[MNLEV * MNPT];
    double ps[MNPT], phis[MNPT];
} outs;

/* A call that must succeed; on failure the message is shown. */
#define ASSERT_OK(call)                                                                     \
    do {                                                                                    \
        int st_ = (call);                                                                   \
        if (st_ != NJORD_OK) fail_msg("%s: %d: %s", #call, st_, njord_last_error());        \
    } while (0)

static int rd(const njord_analysis_opts *o, outs *r)
{
    return njord_analysis_read(o, MNLAT, MNLON, g_mlat, MNLEV, g_ai, cam_b, r->u, r->v, r->t,
                               r->q, r->ps, r->phis);
}

/* Source pressure range of a column with model surface pressure ps. */
typedef struct {
    int n;
    const double *a, *b; /* p_j = a_j + b_j ps (Pa); b NULL: pressure levels a */
} srcrange;

static void range_at(const srcrange *s, double ps, double *pmin, double *pmax)
{
    double p0 = s->a[0] + (s->b ? s->b[0] * ps : 0), p1 = s->a[s->n - 1] + (s->b ? s->b[s->n - 1] * ps : 0);
    *pmin = fmin(p0, p1);
    *pmax = fmax(p0, p1);
}

static double expect(const coefs *c, int is_t, double lat, double lon, double p, double pmin,
                     double pmax)
{
    if (p <= pmin) return F(c, lat, lon, pmin);
    if (p >= pmax) {
        double fb = F(c, lat, lon, pmax);
        return is_t ? fb * pow(p / pmax, GAM) : fb;
    }
    return F(c, lat, lon, p);
}

/* Compare a 3-D output with F at the model levels; tol = abs + rel |F|.
 * Returns how many model levels were inside / above / below the source range
 * (summed over columns) in cnt[3]. */
static void check3d(const char *what, const double *out, const coefs *c, int is_t, int ps_kind,
                    const srcrange *sr, double tol_abs, double tol_rel, long cnt[3])
{
    double maxerr = 0.0;
    for (int j = 0; j < MNLAT; j++)
        for (int i = 0; i < MNLON; i++) {
            double lat = g_mlat[j] * 180.0 / M_PI, lon = 360.0 * i / MNLON;
            double ps = psf(ps_kind, lat, lon), pmin, pmax;
            range_at(sr, ps, &pmin, &pmax);
            for (int k = 0; k < MNLEV; k++) {
                double p = 0.5 * (g_ai[k] + cam_b[k] * ps + g_ai[k + 1] + cam_b[k + 1] * ps);
                double want = expect(c, is_t, lat, lon, p, pmin, pmax);
                double got = out[(size_t)k * MNPT + j * MNLON + i];
                double err = fabs(got - want);
                maxerr = fmax(maxerr, err);
                if (cnt) cnt[p < pmin ? 1 : p > pmax ? 2 : 0]++;
                if (!(err <= tol_abs + tol_rel * fabs(want)))
                    fail_msg("%s at lat %.3f lon %.3f level %d (p = %.2f Pa, source %g..%g): "
                             "%.15g, want %.15g",
                             what, lat, lon, k, p, pmin, pmax, got, want);
            }
        }
    print_message("  %s: max error %.3g\n", what, maxerr);
}

static void check_ps_phis(const outs *r, int ps_kind, int phis_kind /* 0 flat, 1 orog, 2 est */)
{
    for (int j = 0; j < MNLAT; j++)
        for (int i = 0; i < MNLON; i++) {
            double lat = g_mlat[j] * 180.0 / M_PI, lon = 360.0 * i / MNLON;
            double ps = psf(ps_kind, lat, lon);
            double phis = phis_kind == 0 ? 0.0
                          : phis_kind == 1
                              ? GRAV * orog(lat, lon)
                              : GRAV * 288.15 / 0.0065 * (1.0 - pow(ps / 101325.0, GAM));
            int at = j * MNLON + i;
            if (fabs(r->ps[at] - ps) > 1e-9 * ps) fail_msg("ps at %d: %.12g, want %.12g", at, r->ps[at], ps);
            if (fabs(r->phis[at] - phis) > 1e-9 * (1 + fabs(phis)))
                fail_msg("phis at %d: %.12g, want %.12g", at, r->phis[at], phis);
        }
}

/* pressure levels, stored bottom to top in hPa */
static const double plev_hpa[11] = {1000, 925, 850, 700, 500, 300, 200, 100, 50, 20, 10};
static double plev_pa_sorted[11];
static const srcrange sr_plev = {11, plev_pa_sorted, NULL};

/* hybrid levels (ECMWF style ap in Pa, b) */
#define NHY 12
static const double hy_ap[NHY] = {500, 1500, 3500, 6000, 8000, 9000, 8500, 7000, 5000, 2500, 800, 0};
static const double hy_b[NHY] = {0, 0, 0, 0.01, 0.05, 0.12, 0.25, 0.4, 0.58, 0.76, 0.9, 0.985};
static double hy_cam_a[NHY];
static const srcrange sr_hy = {NHY, hy_ap, hy_b};

static void init_levels(void)
{
    for (int k = 0; k < 11; k++) plev_pa_sorted[k] = 100.0 * plev_hpa[10 - k];
    for (int k = 0; k < NHY; k++) hy_cam_a[k] = hy_ap[k] / 1e5;
}

static void write_plev_file(const char *path)
{
    static const fvar vars[] = {
        {"T", "K", K_3D, &CT, 0, 0, 0, 0, 0},  {"U", "m s-1", K_3D, &CU, 0, 0, 0, 0, 0},
        {"V", "m/s", K_3D, &CV, 0, 0, 0, 0, 0}, {"Q", "kg kg**-1", K_3D, &CQ, 0, 0, 0, 0, 0},
        {"PS", "Pa", K_PS, NULL, 0, 0, 0, 0, 0}, {"Z", "m2 s-2", K_OROG, NULL, GRAV, 0, 0, 1, 0},
    };
    fdesc d = {V_PRESSURE, 11, plev_hpa, "hPa", NULL, 100.0, NULL, NULL, 0, NULL, 0, PS_VAR,
               0, 1, 6, vars};
    write_file(path, &d);
}

static void test_pressure_levels(void **state)
{
    (void)state;
    init_levels();
    char path[512];
    path_in_dir(path, sizeof path, "plev.nc");
    write_plev_file(path);
    static outs r;
    njord_analysis_opts o = {path, "U", "V", "T", "PS", "Z", "Q", 0, 0.0};
    ASSERT_OK(rd(&o, &r));
    long cnt[3] = {0, 0, 0};
    check3d("plev T", r.t, &CT, 1, PS_VAR, &sr_plev, 1e-9, 1e-9, cnt);
    check3d("plev U", r.u, &CU, 0, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);
    check3d("plev V", r.v, &CV, 0, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);
    check3d("plev Q", r.q, &CQ, 0, PS_VAR, &sr_plev, 1e-12, 1e-9, NULL);
    check_ps_phis(&r, PS_VAR, 1);
    /* every case occurred: inside, above the top (model top 354 Pa < 1000 Pa),
     * below the bottom (ps up to 1023 hPa) */
    print_message("  model levels inside / above / below the source: %ld %ld %ld\n", cnt[0],
                  cnt[1], cnt[2]);
    assert_true(cnt[0] > 0 && cnt[1] > 0 && cnt[2] > 0);

    /* q not asked for: q not written (NULL allowed); flat and estimated phis */
    njord_analysis_opts o2 = {path, "U", "V", "T", "PS", NULL, NULL, 0, 0.0};
    static outs r2;
    assert_int_equal(njord_analysis_read(&o2, MNLAT, MNLON, g_mlat, MNLEV, g_ai, cam_b, r2.u,
                                         r2.v, r2.t, NULL, r2.ps, r2.phis),
                     NJORD_OK);
    check_ps_phis(&r2, PS_VAR, 0);
    assert_memory_equal(r2.t, r.t, sizeof r.t);
    o2.phis = "estimate";
    ASSERT_OK(rd(&o2, &r2));
    check_ps_phis(&r2, PS_VAR, 2);

    /* no ps: ps_const everywhere */
    njord_analysis_opts o3 = {path, "U", "V", "T", "", "", "", 0, 99000.0};
    ASSERT_OK(rd(&o3, &r2));
    check3d("plev T, ps_const", r2.t, &CT, 1, PS_99, &sr_plev, 1e-9, 1e-9, NULL);
}

static void test_units_and_paths(void **state)
{
    (void)state;
    init_levels();
    /* levels in Pa (standard_name air_pressure), T in degC as a string
     * attribute, U in "m s**-1", V without units, q in g/kg, ps in hPa,
     * orography in m without a time dimension; two time steps (the first
     * offset by -5), read at time_index 1 */
    static const double lev_pa[11] = {100000, 92500, 85000, 70000, 50000, 30000,
                                      20000,  10000, 5000,  2000,  1000};
    static const fvar vars[] = {
        {"ta", "degC", K_3D, &CT, 1, -273.15, 1, 0, 0},
        {"ua", "m s**-1", K_3D, &CU, 0, 0, 0, 0, 0},
        {"va", NULL, K_3D, &CV, 0, 0, 0, 0, 0},
        {"hus", "g/kg", K_3D, &CQ, 1000, 0, 0, 0, 0},
        {"sp", "hPa", K_PS, NULL, 0.01, 0, 0, 0, 0},
        {"orog", "m", K_OROG, NULL, 0, 0, 0, 1, 0},
        {"tk", "C", K_3D, &CT, 1, 0, 0, 0, 0}, /* kelvin, labelled C */
        {"tc", "Celsius", K_3D, &CT, 1, -273.15, 0, 0, 0},
    };
    fdesc d = {V_PRESSURE, 11, lev_pa, "Pa", "air_pressure", 1.0, NULL, NULL, 0, NULL, 0,
               PS_VAR, 1, 2, 8, vars};
    char path[512], uvpath[512], spec_u[600];
    path_in_dir(path, sizeof path, "units.nc");
    write_file(path, &d);
    /* u from another file: "path:VAR" */
    path_in_dir(uvpath, sizeof uvpath, "uonly.nc");
    static const fvar uvars[] = {{"uwind", "m/s", K_3D, &CU, 0, 0, 0, 0, 0}};
    fdesc du = {V_PRESSURE, 11, plev_hpa, "mbar", NULL, 100.0, NULL, NULL, 0, NULL, 0, PS_VAR,
                0, 2, 1, uvars};
    write_file(uvpath, &du);
    snprintf(spec_u, sizeof spec_u, "%s:uwind", uvpath);

    static outs r;
    njord_analysis_opts o = {path, spec_u, "va", "ta", "sp", "orog", "hus", 1, 0.0};
    ASSERT_OK(rd(&o, &r));
    check3d("units T", r.t, &CT, 1, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);
    check3d("units U (other file)", r.u, &CU, 0, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);
    check3d("units V", r.v, &CV, 0, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);
    check3d("units Q", r.q, &CQ, 0, PS_VAR, &sr_plev, 1e-12, 1e-9, NULL);
    check_ps_phis(&r, PS_VAR, 1);

    /* every spec with its file (o->file NULL); "Celsius" */
    char st[600], sv[600], sp[600], sq[600];
    snprintf(st, sizeof st, "%s:tc", path);
    snprintf(sv, sizeof sv, "%s:va", path);
    snprintf(sp, sizeof sp, "%s:sp", path);
    snprintf(sq, sizeof sq, "%s:hus", path);
    njord_analysis_opts o2 = {NULL, spec_u, sv, st, sp, NULL, sq, 1, 0.0};
    static outs r2;
    ASSERT_OK(rd(&o2, &r2));
    check3d("units T (Celsius)", r2.t, &CT, 1, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);

    /* kelvin labelled "C": implausible, an error naming the variable and the
     * units; with the override "[K]" it reads */
    njord_analysis_opts o3 = o;
    o3.t = "tk";
    assert_int_equal(rd(&o3, &r2), NJORD_EFORMAT);
    assert_msg_has("'tk'");
    assert_msg_has("'C'");
    assert_msg_has("tk[");
    o3.t = "tk[K]";
    ASSERT_OK(rd(&o3, &r2));
    check3d("units T (override [K])", r2.t, &CT, 1, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);
    /* override together with a path */
    char stk[600];
    snprintf(stk, sizeof stk, "%s:tk[kelvin]", path);
    o3.t = stk;
    o3.file = NULL;
    o3.v = sv;
    o3.ps = sp;
    o3.phis = "";
    o3.q = "";
    ASSERT_OK(rd(&o3, &r2));
    check3d("units T (path + override)", r2.t, &CT, 1, PS_VAR, &sr_plev, 1e-9, 1e-9, NULL);

    /* the first time step is 1% smaller everywhere */
    njord_analysis_opts o4 = o;
    o4.time_index = 0;
    o4.u = "ua";
    static outs r4;
    ASSERT_OK(rd(&o4, &r4));
    for (int k = 0; k < MNPT; k++) assert_true(fabs(r4.ps[k] - 0.99 * r.ps[k]) < 1e-9 * r.ps[k]);
    assert_true(fabs(r4.phis[0] - r.phis[0]) < 1e-9 * fabs(r.phis[0])); /* static orography */
}

static void test_hybrid_cam(void **state)
{
    (void)state;
    init_levels();
    /* CAM style: hyam dimensionless (times P0), hybm; no P0 variable (as in
     * NCL's vinth2p.nc: 100000 Pa), uniform PS so that the hybrid source
     * levels are the same everywhere and the test is exact; latitudes north
     * to south */
    static const fvar vars[] = {
        {"T", "K", K_3D, &CT, 0, 0, 0, 0, 0}, {"U", "m/s", K_3D, &CU, 0, 0, 0, 0, 0},
        {"V", "m/s", K_3D, &CV, 0, 0, 0, 0, 0}, {"Q", "kg/kg", K_3D, &CQ, 0, 0, 0, 0, 0},
        {"PS", "Pa", K_PS, NULL, 0, 0, 0, 0, 0},
    };
    fdesc d = {V_CAM, NHY, NULL, NULL, NULL, 0, hy_cam_a, hy_b, 0, NULL, 0, PS_UNIFORM, 1, 1, 5,
               vars};
    char path[512];
    path_in_dir(path, sizeof path, "cam.nc");
    write_file(path, &d);
    static outs r, r2;
    njord_analysis_opts o = {path, "U", "V", "T", "PS", "", "Q", 0, 0.0};
    ASSERT_OK(rd(&o, &r));
    long cnt[3] = {0, 0, 0};
    check3d("cam T", r.t, &CT, 1, PS_UNIFORM, &sr_hy, 1e-9, 1e-9, cnt);
    check3d("cam U", r.u, &CU, 0, PS_UNIFORM, &sr_hy, 1e-9, 1e-9, NULL);
    check3d("cam V", r.v, &CV, 0, PS_UNIFORM, &sr_hy, 1e-9, 1e-9, NULL);
    check3d("cam Q", r.q, &CQ, 0, PS_UNIFORM, &sr_hy, 1e-12, 1e-9, NULL);
    check_ps_phis(&r, PS_UNIFORM, 0);
    assert_true(cnt[0] > 0 && cnt[1] > 0 && cnt[2] > 0);

    /* the same with a P0 variable of 1000 hPa */
    fdesc d2 = d;
    d2.p0 = 1000.0;
    d2.p0_units = "hPa";
    d2.p0_to_pa = 100.0;
    path_in_dir(path, sizeof path, "cam_p0.nc");
    write_file(path, &d2);
    o.file = path;
    ASSERT_OK(rd(&o, &r2));
    check3d("cam+P0 T", r2.t, &CT, 1, PS_UNIFORM, &sr_hy, 1e-9, 1e-9, NULL);
}

static void test_hybrid_ecmwf_lnsp(void **state)
{
    (void)state;
    init_levels();
    /* ECMWF style: formula_terms "ap: ap b: b ps: ...", ap in Pa; surface
     * pressure as lnsp (no units), ps = 1e5 exp(s lat), s = 0.0015 per degree.
     * lnsp is linear in latitude, so the model's ps is exact; but on a hybrid
     * level the source pressure p_j = ap_j + b_j ps(lat) varies with latitude,
     * so F(lat, lon, p_j(lat)) is not bilinear. Bound: with L_j = ln(p_j/1e5)
     * and c = cL + cLg lat g, the 2nd latitude derivative of c L_j is
     * 2 c' L' + c L'' with |c'| <= |cLg|, |L'| = b ps'/p_j <= ps'/ps = s,
     * |L''| = |b ps''/p_j - (b ps'/p_j)^2| <= s^2 (two terms in [0, s^2]);
     * bilinear error <= (10 deg)^2 / 8 * max|f_lat,lat| (f_lon,lon = 0 in every
     * cell). Vertical interpolation is a convex combination (and the lapse
     * factor (p/p_bot)^gamma < 1.01), so the bound carries over, times 1.01. */
    static const fvar vars[] = {
        {"t", "K", K_3D, &CT, 0, 0, 0, 0, 0}, {"u", "m s-1", K_3D, &CU, 0, 0, 0, 0, 0},
        {"v", "m s-1", K_3D, &CV, 0, 0, 0, 0, 0}, {"q", "kg kg-1", K_3D, &CQ, 0, 0, 0, 0, 0},
        {"lnsp", NULL, K_LNSP, NULL, 0, 0, 0, 0, 0}, {"lsp", "ln(Pa)", K_LNSP, NULL, 0, 0, 0, 0, 0},
        {"z", "m**2 s**-2", K_OROG, NULL, GRAV, 0, 0, 0, 0},
    };
    fdesc d = {V_ECMWF, NHY, NULL, NULL, NULL, 0, hy_ap, hy_b, 0, NULL, 0, PS_EXP, 0, 1, 7, vars};
    char path[512];
    path_in_dir(path, sizeof path, "ecmwf.nc");
    write_file(path, &d);
    static outs r, r2;
    njord_analysis_opts o = {path, "u", "v", "t", "lnsp", "z", "q", 0, 0.0};
    ASSERT_OK(rd(&o, &r));
    const double s = PS_EXP_S;
    const coefs *cs[4] = {&CT, &CU, &CV, &CQ};
    const double *outp[4] = {r.t, r.u, r.v, r.q};
    const char *names[4] = {"ecmwf T", "ecmwf U", "ecmwf V", "ecmwf Q"};
    for (int f = 0; f < 4; f++) {
        double cmax = fabs(cs[f]->cL) + 90.0 * fabs(cs[f]->cLg);
        double bound = 1.01 * 100.0 / 8.0 * (2.0 * fabs(cs[f]->cLg) * s + cmax * s * s);
        print_message("  %s: bound %.3g\n", names[f], bound);
        check3d(names[f], outp[f], cs[f], f == 0, PS_EXP, &sr_hy, bound + 1e-9, 1e-12, NULL);
    }
    check_ps_phis(&r, PS_EXP, 1);
    /* ln(Pa) by units */
    o.ps = "lsp";
    ASSERT_OK(rd(&o, &r2));
    for (int k = 0; k < MNPT; k++) assert_true(fabs(r2.ps[k] - r.ps[k]) < 1e-9 * r.ps[k]);
}

/* ------------------------------------------------------------------------- */
/* errors                                                                     */

static void test_errors(void **state)
{
    (void)state;
    init_levels();
    char path[512], bad[512], cam[512], spec[700];
    path_in_dir(path, sizeof path, "plev.nc");
    write_plev_file(path);
    path_in_dir(cam, sizeof cam, "cam.nc");
    /* a file with defects */
    static const double lev_dup[4] = {1000, 850, 850, 500};
    static const fvar bvars[] = {
        {"Tfill", "K", K_3D, &CT, 0, 0, 0, 0, 1},
        {"Unan", "m/s", K_3D, &CU, 0, 0, 0, 0, 2},
        {"Tfurl", "furlong", K_3D, &CT, 0, 0, 0, 0, 0},
        {"Tnounits", NULL, K_3D, &CT, 0, 0, 0, 0, 0},
        {"T2d", "K", K_2D, &CT, 0, 0, 0, 0, 0},
        {"Tcold", "K", K_3D, &CT, 1, -273.15, 0, 0, 0}, /* Celsius labelled K */
        {"Qbad", "percent", K_3D, &CQ, 0, 0, 0, 0, 0},
        {"PSbad", "bar", K_PS, NULL, 0, 0, 0, 0, 0},
        {"PShpa_as_pa", "Pa", K_PS, NULL, 0.01, 0, 0, 0, 0},
        {"Zgeo_as_m", "m", K_OROG, NULL, GRAV * 2, 0, 0, 0, 0},
        {"U", "m/s", K_3D, &CU, 0, 0, 0, 0, 0},
        {"V", "m/s", K_3D, &CV, 0, 0, 0, 0, 0},
    };
    fdesc d = {V_PRESSURE, 4, lev_dup, "hPa", NULL, 100.0, NULL, NULL, 0, NULL, 0, PS_VAR, 0, 1,
               12, bvars};
    path_in_dir(bad, sizeof bad, "bad.nc");
    write_file(bad, &d);
    static outs r;
    njord_analysis_opts good = {path, "U", "V", "T", "PS", "Z", "Q", 0, 0.0};
    ASSERT_OK(rd(&good, &r));

    /* arguments */
    assert_int_equal(njord_analysis_read(NULL, MNLAT, MNLON, g_mlat, MNLEV, g_ai, cam_b, r.u,
                                         r.v, r.t, r.q, r.ps, r.phis),
                     NJORD_EINVAL);
    njord_analysis_opts o = good;
    o.u = "";
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    assert_msg_has("u spec");
    o = good;
    o.v = NULL;
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    assert_msg_has("v spec");
    o = good;
    o.t = "";
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    assert_msg_has("t spec");
    o = good;
    o.ps = "";
    o.ps_const = 0.0;
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    assert_msg_has("ps_const");
    o.ps_const = -5.0;
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    o.ps = NULL;
    o.ps_const = NAN;
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    o = good;
    o.file = NULL;
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    assert_msg_has("'U'");
    o = good;
    assert_int_equal(njord_analysis_read(&o, MNLAT, MNLON, g_mlat, MNLEV, g_ai, cam_b, r.u, r.v,
                                         r.t, NULL, r.ps, r.phis),
                     NJORD_EINVAL);
    assert_msg_has("q");
    /* model levels that do not increase (ai and bi swapped) */
    assert_int_equal(njord_analysis_read(&o, MNLAT, MNLON, g_mlat, MNLEV, cam_b, g_ai, r.u, r.v,
                                         r.t, r.q, r.ps, r.phis),
                     NJORD_EINVAL);
    assert_msg_has("half level");

    /* outputs are untouched on failure */
    static outs r0;
    memcpy(&r0, &r, sizeof r);

    /* missing file */
    o = good;
    o.t = "/nonexistent/dir/analysis.nc:T";
    assert_int_equal(rd(&o, &r), NJORD_EIO);
    assert_msg_has("/nonexistent/dir/analysis.nc");
    assert_msg_has("T");
    o = good;
    o.file = "/nonexistent/analysis.nc";
    assert_int_equal(rd(&o, &r), NJORD_EIO);
    assert_msg_has("/nonexistent/analysis.nc");
    /* missing variable */
    o = good;
    o.v = "VV";
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'VV'");
    assert_msg_has(path);
    o = good;
    o.phis = "orography";
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'orography'");
    /* no level dimension */
    snprintf(spec, sizeof spec, "%s:T2d", bad);
    o = good;
    o.t = spec;
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'T2d'");
    assert_msg_has("no level dimension");
    /* level dimension without coordinate or hybrid coefficients */
    {
        static const fvar nv[] = {{"Tx", "K", K_3D, &CT, 0, 0, 0, 0, 0}};
        fdesc dn = {V_NOCOORD, 5, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, 0, PS_VAR, 0, 1, 1,
                    nv};
        char nop[512];
        path_in_dir(nop, sizeof nop, "nocoord.nc");
        write_file(nop, &dn);
        snprintf(spec, sizeof spec, "%s:Tx", nop);
        o.t = spec;
        assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
        assert_msg_has("'Tx'");
        assert_msg_has("no level coordinate");
    }
    /* hybrid without ps */
    {
        static const fvar cv[] = {{"T", "K", K_3D, &CT, 0, 0, 0, 0, 0},
                                  {"PS", "Pa", K_PS, NULL, 0, 0, 0, 0, 0}};
        fdesc dc = {V_CAM, NHY, NULL, NULL, NULL, 0, hy_cam_a, hy_b, 0, NULL, 0, PS_UNIFORM, 0, 1,
                    2, cv};
        write_file(cam, &dc);
        snprintf(spec, sizeof spec, "%s:T", cam);
        o = good;
        o.t = spec;
        o.ps = "";
        o.ps_const = 1e5;
        assert_int_equal(rd(&o, &r), NJORD_EINVAL);
        assert_msg_has("'T'");
        assert_msg_has(cam);
        assert_msg_has("hybrid");
        o.ps = NULL;
        assert_int_equal(rd(&o, &r), NJORD_EINVAL);
        /* with ps it reads */
        char sps[700];
        snprintf(sps, sizeof sps, "%s:PS", cam);
        o.ps = sps;
        o.phis = "";
        ASSERT_OK(rd(&o, &r));
        memcpy(&r0, &r, sizeof r);
    }
    /* unknown units */
    struct {
        const char *field, *var, *unit;
    } uu[] = {{"t", "Tfurl", "furlong"}, {"q", "Qbad", "percent"}, {"ps", "PSbad", "bar"}};
    for (int i = 0; i < 3; i++) {
        snprintf(spec, sizeof spec, "%s:%s", bad, uu[i].var);
        o = good;
        if (i == 0) o.t = spec;
        if (i == 1) o.q = spec;
        if (i == 2) o.ps = spec;
        assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
        assert_msg_has(uu[i].var);
        assert_msg_has(uu[i].unit);
        assert_msg_has("unknown units");
    }
    o = good;
    o.t = "T[furlong]";
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("furlong");
    /* no units where they matter */
    snprintf(spec, sizeof spec, "%s:Tnounits", bad);
    o = good;
    o.t = spec;
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'Tnounits'");
    assert_msg_has("no units");
    /* implausible values (wrong units attributes) */
    const char *implausible[4][2] = {
        {"t", "Tcold"}, {"ps", "PShpa_as_pa"}, {"phis", "Zgeo_as_m"}, {NULL, NULL}};
    for (int i = 0; implausible[i][0]; i++) {
        snprintf(spec, sizeof spec, "%s:%s", bad, implausible[i][1]);
        o = good;
        if (i == 0) o.t = spec;
        if (i == 1) o.ps = spec;
        if (i == 2) o.phis = spec;
        assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
        assert_msg_has(implausible[i][1]);
        assert_msg_has("plausible");
    }
    /* fill value and NaN */
    snprintf(spec, sizeof spec, "%s:Tfill", bad);
    o = good;
    o.t = spec;
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'Tfill'");
    assert_msg_has("missing value");
    snprintf(spec, sizeof spec, "%s:Unan", bad);
    o = good;
    o.u = spec;
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'Unan'");
    assert_msg_has("missing value");
    /* repeated source pressure */
    snprintf(spec, sizeof spec, "%s:U", bad);
    o = good;
    o.u = spec;
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'U'");
    assert_msg_has("monotonic");
    /* a surface field with levels */
    o = good;
    o.ps = "T";
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("'T'");
    assert_msg_has("levels");
    /* time step not present */
    o = good;
    o.time_index = 3;
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    assert_msg_has("time_index 3");
    /* malformed specs */
    o = good;
    o.t = "T[K";
    assert_int_equal(rd(&o, &r), NJORD_EFORMAT);
    o.t = "T[]";
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    o.t = ":T";
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);
    o.t = "x.nc:";
    assert_int_equal(rd(&o, &r), NJORD_EINVAL);

    assert_memory_equal(&r0, &r, sizeof r);
}

/* ------------------------------------------------------------------------- */
/* smoke tests on the NCL sample files (libncarg-data)                        */

#define NC4UVT "/usr/share/ncarg/data/cdf/nc4uvt.nc"
#define VINTH2P "/usr/share/ncarg/data/cdf/vinth2p.nc"
#define T42LAT 64
#define T42LON 128
#define T42PT (T42LAT * T42LON)

typedef struct {
    double u[MNLEV * T42PT], v[MNLEV * T42PT], t[MNLEV * T42PT];
    double ps[T42PT], phis[T42PT];
} t42outs;

static void t42_lats(double *lat)
{
    double mu[T42LAT];
    assert_int_equal(njord_gauss_legendre(T42LAT, mu, NULL), NJORD_OK);
    for (int j = 0; j < T42LAT; j++) lat[j] = asin(mu[j]);
}

static void ranges(const char *what, const t42outs *r)
{
    double tmin = 1e30, tmax = -1e30, umax = 0, vmax = 0, pmin = 1e30, pmax = -1e30;
    for (size_t k = 0; k < (size_t)MNLEV * T42PT; k++) {
        tmin = fmin(tmin, r->t[k]);
        tmax = fmax(tmax, r->t[k]);
        umax = fmax(umax, fabs(r->u[k]));
        vmax = fmax(vmax, fabs(r->v[k]));
    }
    for (int k = 0; k < T42PT; k++) {
        pmin = fmin(pmin, r->ps[k]);
        pmax = fmax(pmax, r->ps[k]);
        assert_true(r->phis[k] == 0.0);
    }
    print_message("  %s: T %.1f..%.1f K, |u| <= %.1f, |v| <= %.1f m/s, ps %.1f..%.1f hPa\n",
                  what, tmin, tmax, umax, vmax, pmin / 100, pmax / 100);
    assert_true(tmin >= 180.0 && tmax <= 320.0);
    assert_true(umax < 120.0 && vmax < 120.0);
    assert_true(pmin >= 45000.0 && pmax <= 109000.0);
}

static void test_ncl_nc4uvt(void **state)
{
    (void)state;
    if (access(NC4UVT, R_OK) != 0) {
        print_message("  %s absent (Debian package libncarg-data): skipped\n", NC4UVT);
        skip();
    }
    double lat[T42LAT], ai[MNLEV + 1];
    t42_lats(lat);
    for (int i = 0; i <= MNLEV; i++) ai[i] = 1e5 * cam_a[i];
    t42outs *r = malloc(sizeof *r);
    assert_non_null(r);
    /* nc4uvt.nc labels T "C" but holds kelvin (190..311): the plausibility
     * check refuses it, naming the variable and the units */
    njord_analysis_opts o = {NC4UVT, "U", "V", "T", NULL, NULL, NULL, 0, 100000.0};
    assert_int_equal(njord_analysis_read(&o, T42LAT, T42LON, lat, MNLEV, ai, cam_b, r->u, r->v,
                                         r->t, NULL, r->ps, r->phis),
                     NJORD_EFORMAT);
    assert_msg_has("'T'");
    assert_msg_has("'C'");
    print_message("  as labelled: %s\n", njord_last_error());
    o.t = "T[K]";
    int st = njord_analysis_read(&o, T42LAT, T42LON, lat, MNLEV, ai, cam_b, r->u, r->v, r->t,
                                 NULL, r->ps, r->phis);
    if (st != NJORD_OK) fail_msg("%s", njord_last_error());
    ranges("nc4uvt (T[K], ps 1000 hPa, flat)", r);
    /* the bottom model level (992.6 hPa) lies between the 1000 and 850 hPa
     * source levels, the top one (3.5 hPa) above the 10 hPa level: held */
    free(r);
}

static void test_ncl_vinth2p(void **state)
{
    (void)state;
    if (access(NC4UVT, R_OK) != 0 || access(VINTH2P, R_OK) != 0) {
        print_message("  NCL sample files absent (Debian package libncarg-data): skipped\n");
        skip();
    }
    double lat[T42LAT], ai[MNLEV + 1];
    t42_lats(lat);
    for (int i = 0; i <= MNLEV; i++) ai[i] = 1e5 * cam_a[i];
    t42outs *r = malloc(sizeof *r);
    assert_non_null(r);
    /* T and PS on 18 CAM hybrid levels (hyam, hybm, no P0), U and V from
     * nc4uvt.nc on pressure levels */
    njord_analysis_opts o = {VINTH2P, NC4UVT ":U", NC4UVT ":V", "T", "PS", "", "", 0, 0.0};
    int st = njord_analysis_read(&o, T42LAT, T42LON, lat, MNLEV, ai, cam_b, r->u, r->v, r->t,
                                 NULL, r->ps, r->phis);
    if (st != NJORD_OK) fail_msg("%s", njord_last_error());
    ranges("vinth2p T, PS + nc4uvt U, V", r);
    /* vinth2p.nc is on the same T42 grid (south to north): the model's ps is
     * the file's PS to the rounding of its float latitudes */
    int ncid, vid;
    assert_int_equal(nc_open(VINTH2P, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "PS", &vid), NC_NOERR);
    float *fps = malloc(T42PT * sizeof *fps);
    size_t start[3] = {0, 0, 0}, count[3] = {1, T42LAT, T42LON};
    assert_int_equal(nc_get_vara_float(ncid, vid, start, count, fps), NC_NOERR);
    nc_close(ncid);
    double maxd = 0;
    for (int j = 0; j < T42LAT; j++)
        for (int i = 0; i < T42LON; i++)
            maxd = fmax(maxd, fabs(r->ps[j * T42LON + i] - fps[(T42LAT - 1 - j) * T42LON + i]));
    print_message("  ps against the file's PS (same grid): max difference %.3g Pa\n", maxd);
    assert_true(maxd < 0.5);
    free(fps);
    /* vinth2p.nc has two time steps, nc4uvt.nc one: time_index 1 is an error
     * naming U */
    o.time_index = 1;
    assert_int_equal(njord_analysis_read(&o, T42LAT, T42LON, lat, MNLEV, ai, cam_b, r->u, r->v,
                                         r->t, NULL, r->ps, r->phis),
                     NJORD_EFORMAT);
    assert_msg_has("'U'");
    assert_msg_has("time_index 1");
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vinterp_logp_exact_and_held),
        cmocka_unit_test(test_vinterp_lapse),
        cmocka_unit_test(test_vinterp_t_phi),
        cmocka_unit_test(test_vinterp_full_levels),
        cmocka_unit_test(test_pressure_levels),
        cmocka_unit_test(test_units_and_paths),
        cmocka_unit_test(test_hybrid_cam),
        cmocka_unit_test(test_hybrid_ecmwf_lnsp),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_ncl_nc4uvt),
        cmocka_unit_test(test_ncl_vinth2p),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
