/* tests/test_sht.c — Gaussian grids and spherical-harmonic transforms on the cpu
 * backend, in the precision of the build (double, or single with -DNJORD_SINGLE).
 * NJ_QUICK=1 in the environment skips the largest cases (for sanitizers/valgrind). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <omp.h>

#include "njord.h"
#include "sht/plan.h"
#include "backend/cpu_fft.h"
#include "backend/cpu_leg.h"

#define NJ_SHT_REAL njord_real
#include "../kernels/common/sht_point.h"

#ifdef NJORD_SINGLE
#define TOL_RT 2e-5  /* round trip, relative to the field maximum */
#define TOL_OP 2e-5  /* vector operators against closed forms */
#else
#define TOL_RT 3e-13
#define TOL_OP 1e-12
#endif

static const double A_EARTH = 6.37122e6;

static int quick(void) { return getenv("NJ_QUICK") != NULL; }

/* ------------------------------------------------------------------ helpers */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}

static void random_spec(int T, njord_real *s, int nf, int skip_n0)
{
    size_t nsp = NJORD_SHT_NSPEC(T);
    for (int f = 0; f < nf; f++)
        for (int m = 0; m <= T; m++)
            for (int n = m; n <= T; n++) {
                size_t i = 2 * (nsp * f + njord_sht_index(T, m, n));
                s[i] = (njord_real)urand();
                s[i + 1] = m ? (njord_real)urand() : 0;
                if (skip_n0 && n == 0) s[i] = 0;
            }
}

static njord_sht_plan *make_plan(int T, int nlat, int nlon, int batch)
{
    njord_sht_desc d = {0};
    d.trunc = T;
    d.nlat = nlat;
    d.nlon = nlon;
    d.max_batch = batch;
    d.backend = NJORD_BACKEND_CPU;
    d.comm = MPI_COMM_NULL;
    njord_sht_plan *p = NULL;
    int st = njord_sht_plan_create(&d, &p);
    if (st) fprintf(stderr, "plan_create: %s\n", njord_last_error());
    assert_int_equal(st, NJORD_OK);
    assert_non_null(p);
    return p;
}

static double max_abs(const njord_real *a, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i]));
    return m;
}

static double max_diff(const njord_real *a, const njord_real *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - (double)b[i]));
    return m;
}

/* ------------------------------------------------------------------ grids */

static void test_grid_sizes(void **state)
{
    (void)state;
    static const int cases[][4] = {/* T, kind, nlat, nlon */
                                   {42, 2, 64, 128},     {85, 2, 128, 256},
                                   {170, 2, 256, 512},   {341, 2, 512, 1024},
                                   {682, 2, 1024, 2048}, {1279, 1, 1280, 2560},
                                   {1279, 3, 2560, 5120}, {63, 1, 64, 128}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int nlat = 0, nlon = 0;
        assert_int_equal(njord_grid_size(cases[i][0], (njord_grid_kind)cases[i][1], &nlat, &nlon),
                         NJORD_OK);
        assert_int_equal(nlat, cases[i][2]);
        assert_int_equal(nlon, cases[i][3]);
    }
    int a, b;
    assert_int_equal(njord_grid_size(0, NJORD_GRID_LINEAR, &a, &b), NJORD_EINVAL);
    /* too large: an error, also where (kind + 1) T + 1 overflows an int */
    assert_int_equal(njord_grid_size(INT32_MAX, NJORD_GRID_CUBIC, &a, &b), NJORD_EINVAL);
    assert_int_equal(njord_grid_size(800000000, NJORD_GRID_QUADRATIC, &a, &b), NJORD_EINVAL);
    assert_int_equal(njord_grid_size(536870911, NJORD_GRID_LINEAR, &a, &b), NJORD_OK);
    assert_int_equal(b, 1 << 30);
    assert_int_equal(njord_grid_size(10, (njord_grid_kind)7, &a, &b), NJORD_EINVAL);
}

/* Sum_j w_j P_k(mu_j) = 2 delta_k0 for every k <= 2n-1 (Legendre polynomials
 * evaluated by their recurrence), so the rule is exact to degree 2n-1. */
static void check_quadrature(int n, double tol)
{
    double *mu = malloc(sizeof(double) * n), *w = malloc(sizeof(double) * n);
    double *sum = calloc((size_t)2 * n, sizeof(double));
    assert_int_equal(njord_gauss_legendre(n, mu, w), NJORD_OK);
    for (int j = 0; j < n; j++) {
        if (j > 0) assert_true(mu[j] < mu[j - 1]); /* north to south */
        assert_true(fabs(mu[j] + mu[n - 1 - j]) <= 1e-15);
        assert_true(fabs(w[j] - w[n - 1 - j]) <= 1e-15 * w[j]);
        double p0 = 1.0, p1 = mu[j];
        sum[0] += w[j];
        if (2 * n > 1) sum[1] += w[j] * p1;
        for (int k = 1; k + 1 < 2 * n; k++) {
            double p2 = ((2.0 * k + 1.0) * mu[j] * p1 - k * p0) / (k + 1.0);
            p0 = p1;
            p1 = p2;
            sum[k + 1] += w[j] * p2;
        }
    }
    double err = fabs(sum[0] - 2.0);
    for (int k = 1; k < 2 * n; k++) err = fmax(err, fabs(sum[k]));
    if (err > tol) fprintf(stderr, "quadrature n=%d: error %.3e\n", n, err);
    assert_true(err <= tol);
    /* one degree more is not integrated exactly */
    free(mu);
    free(w);
    free(sum);
}

/* Double-double arithmetic (about 106 bits; no contraction in this file, -std=c11),
 * for a reference independent of the library's long double. */
typedef struct {
    double hi, lo;
} dd;
static dd dd_norm(double s, double e) /* |s| >= |e| */
{
    double h = s + e;
    return (dd){h, e - (h - s)};
}
static dd dd_add(dd x, dd y)
{
    double s = x.hi + y.hi, b = s - x.hi, e = (x.hi - (s - b)) + (y.hi - b);
    return dd_norm(s, e + x.lo + y.lo);
}
static dd dd_neg(dd x) { return (dd){-x.hi, -x.lo}; }
static dd dd_mul(dd x, dd y)
{
    double p = x.hi * y.hi, e = fma(x.hi, y.hi, -p);
    return dd_norm(p, e + x.hi * y.lo + x.lo * y.hi);
}
static dd dd_div(dd x, dd y)
{
    double q1 = x.hi / y.hi;
    dd r = dd_add(x, dd_neg(dd_mul(y, (dd){q1, 0})));
    return dd_add((dd){q1, 0}, (dd){r.hi / y.hi, 0});
}
static dd dd_d(double a) { return (dd){a, 0}; }

/* P_n(x) and P_{n-1}(x) by the three-term recurrence in double-double. */
static void dd_legendre(int n, dd x, dd *pn, dd *pm)
{
    dd p0 = dd_d(1), p1 = x;
    for (int k = 1; k < n; k++) {
        dd p2 = dd_div(dd_add(dd_mul(dd_d(2.0 * k + 1.0), dd_mul(x, p1)),
                              dd_neg(dd_mul(dd_d(k), p0))),
                       dd_d(k + 1.0));
        p0 = p1;
        p1 = p2;
    }
    *pn = p1;
    *pm = p0;
}

/* Whether long double has more precision than double at run time (not under
 * valgrind, whose x87 emulation rounds to double, nor where they are the same). */
static int long_double_extended(void)
{
    volatile long double one = 1.0L, tiny = 0x1p-60L;
    return one + tiny != one;
}

/* Nodes and weights accurate to rounding: against Newton's roots of P_n and the
 * weights 2 (1 - x^2) / (n P_{n-1}(x))^2 in double-double, from the library's
 * nodes: |mu - x| <= 1 ulp of 1, |w - w_ref| <= 1 ulp of w. (In double, the
 * recurrence's rounding errors reach 8 ulp of the weights at n = 64, 100 at
 * 2048: without an extended long double, as sht.h says, the bounds are 4 ulp
 * for the nodes and 2 + 3 sqrt(n) ulp for the weights.) */
static void check_gauss_rounding(int n)
{
    const int ext = long_double_extended();
    const double mbound = (ext ? 1 : 4) * 0x1p-52, wbound = (ext ? 1 : 2 + 3 * sqrt(n)) * 0x1p-52;
    double *mu = malloc(sizeof(double) * n), *w = malloc(sizeof(double) * n);
    assert_int_equal(njord_gauss_legendre(n, mu, w), NJORD_OK);
    double emu = 0, ew = 0;
    for (int j = 0; j < (n + 1) / 2; j++) {
        dd x = dd_d(mu[j]), pn, pm;
        for (int it = 0; it < 2 && 2 * j + 1 != n; it++) {
            dd_legendre(n, x, &pn, &pm);
            /* P_n' = n (x P_n - P_{n-1}) / (x^2 - 1) */
            dd dp = dd_div(dd_mul(dd_d(n), dd_add(dd_mul(x, pn), dd_neg(pm))),
                           dd_add(dd_mul(x, x), dd_d(-1)));
            x = dd_add(x, dd_neg(dd_div(pn, dp)));
        }
        dd_legendre(n, x, &pn, &pm);
        dd omx2 = dd_mul(dd_add(dd_d(1), dd_neg(x)), dd_add(dd_d(1), x));
        dd npm = dd_mul(dd_d(n), pm);
        dd wr = dd_div(dd_mul(dd_d(2), omx2), dd_mul(npm, npm));
        emu = fmax(emu, fabs(dd_add(dd_d(mu[j]), dd_neg(x)).hi));
        ew = fmax(ew, fabs(dd_add(dd_d(w[j]), dd_neg(wr)).hi / wr.hi));
    }
    if (emu > mbound || ew > wbound)
        fprintf(stderr, "gauss n=%d: node error %.2f ulp of 1, weight error %.2f ulp\n", n,
                emu / 0x1p-52, ew / 0x1p-52);
    assert_true(emu <= mbound);
    assert_true(ew <= wbound);
    free(mu);
    free(w);
}

static void test_gauss_quadrature(void **state)
{
    (void)state;
    double mu[2], w[2];
    assert_int_equal(njord_gauss_legendre(2, mu, w), NJORD_OK);
    assert_true(fabs(mu[0] - 1.0 / sqrt(3.0)) < 2e-16);
    assert_true(fabs(w[0] - 1.0) < 1e-15);
    double mu3[3];
    assert_int_equal(njord_gauss_legendre(3, mu3, NULL), NJORD_OK);
    assert_true(mu3[1] == 0.0 && fabs(mu3[0] - sqrt(0.6)) < 1e-16);
    check_quadrature(1, 1e-15);
    check_quadrature(7, 1e-14);
    check_quadrature(64, 1e-14);
    check_quadrature(511, 1e-13);
    if (!quick()) check_quadrature(2048, 1e-13);
    check_gauss_rounding(3);
    check_gauss_rounding(64);
    check_gauss_rounding(511);
    if (!quick()) check_gauss_rounding(2048);
    assert_int_equal(njord_gauss_legendre(0, mu, w), NJORD_EINVAL);
}

/* ------------------------------------------------------------------ Legendre tables */

/* Orthonormality (1/2) sum_j w_j P_n^m P_n'^m = delta_nn' over the whole sphere, for
 * a few m at truncation T on nlat Gaussian latitudes, from nj_legendre_m; the sums
 * run over the rows the transforms use (j >= jlo, the first row where some
 * |P_n^m| reaches NJ_LEG_NEGLIGIBLE; the rows before it are checked to be below). */
static double legendre_orthonormality(int T, int nlat, int m, int *jlo_out)
{
    double *th = malloc(sizeof(double) * nlat), *w = malloc(sizeof(double) * nlat);
    assert_int_equal(nj_gauss_theta(nlat, th, w), NJORD_OK);
    int nh = (nlat + 1) / 2;
    double *c = malloc(sizeof(double) * nh), *s = malloc(sizeof(double) * nh);
    for (int j = 0; j < nh; j++) {
        c[j] = cos(th[j]);
        s[j] = sin(th[j]);
    }
    int ns = (T + 1 - m) / 2 + 1, na = (T + 2 - m) / 2;
    njord_real *sym = calloc((size_t)nh * ns, sizeof(njord_real));
    njord_real *anti = calloc((size_t)nh * (na > 0 ? na : 1), sizeof(njord_real));
    double *p1 = malloc(sizeof(double) * 4 * nh);
    int *ex = malloc(sizeof(int) * nh);
    int jlo = nj_legendre_m(m, T, nh, c, s, ex, p1, p1 + nh, p1 + 2 * nh, sym, nh, anti, nh);
    assert_true(jlo >= 0 && jlo <= nh);
    /* what the cpu backend does: the start states, then the columns of the rows
     * jlo..nh-1 only, degrees up to T, packed (leading dimension nh - jlo), in
     * pieces: the same values bit for bit */
    if (jlo < nh) {
        int mr = nh - jlo, ks = (T - m) / 2 + 1, ka = (T + 1 - m) / 2;
        int *n0 = malloc(sizeof(int) * nh);
        double *s01 = malloc(sizeof(double) * 4 * nh);
        njord_real *g = malloc(sizeof(njord_real) * (size_t)mr * (ks + ka + 1));
        nj_legendre_start(m, T, nh, c, s, n0, s01, s01 + nh);
        /* in pieces of 6 degrees, as the cpu backend does it in pieces */
        for (int n1 = m; n1 <= T; n1 += 6) {
            int r0 = (n1 - m) / 2;
            nj_legendre_gen(m, n1, NJ_MIN(n1 + 5, T), jlo, nh, c, n0, s01, s01 + nh,
                            s01 + 2 * nh, s01 + 3 * nh, 0, g + (size_t)r0 * mr, mr,
                            g + (size_t)(ks + r0) * mr, mr);
        }
        size_t diff = 0;
        for (int r = 0; r < ks; r++)
            diff += memcmp(g + (size_t)r * mr, sym + (size_t)r * nh + jlo, sizeof(njord_real) * mr) != 0;
        for (int r = 0; r < ka; r++)
            diff += memcmp(g + (size_t)(ks + r) * mr, anti + (size_t)r * nh + jlo,
                           sizeof(njord_real) * mr) != 0;
        assert_int_equal(diff, 0);
        /* from row 0 with the start states nj_legendre_m left (the rows before
         * jlo marked as never starting): those rows 0, the others the same bits */
        njord_real *ga = malloc(sizeof(njord_real) * (size_t)nh * (ks + ka + 1));
        for (int n1 = m; n1 <= T; n1 += 6) {
            int r0 = (n1 - m) / 2;
            nj_legendre_gen(m, n1, NJ_MIN(n1 + 5, T), 0, nh, c, ex, p1, p1 + nh, s01 + 2 * nh,
                            s01 + 3 * nh, 0, ga + (size_t)r0 * nh, nh,
                            ga + (size_t)(ks + r0) * nh, nh);
        }
        diff = memcmp(ga, sym, sizeof(njord_real) * (size_t)nh * ks) != 0;
        if (ka) diff += memcmp(ga + (size_t)ks * nh, anti, sizeof(njord_real) * (size_t)nh * ka) != 0;
        assert_int_equal(diff, 0);
        free(ga);
        free(n0);
        free(s01);
        free(g);
    }
    double below = 0, at = 0; /* max |P| over the skipped rows (0), and over row jlo */
    for (int par = 0; par < 2; par++)
        for (int a = 0; a < (par ? na : ns); a++) {
            const njord_real *col = (par ? anti : sym) + (size_t)a * nh;
            for (int j = 0; j < jlo; j++) below = fmax(below, fabs((double)col[j]));
            if (jlo < nh) at = fmax(at, fabs((double)col[jlo]));
        }
    assert_true(below == 0);
    assert_true(jlo == nh || at >= NJ_LEG_NEGLIGIBLE);
    *jlo_out = jlo;
    double err = 0;
    for (int par = 0; par < 2; par++) {
        njord_real *t = par ? anti : sym;
        /* degrees up to T only: P_{T+1}^2 is beyond the rule's exact degree 2nlat-1 */
        int K = par ? (T + 1 - m) / 2 : (T - m) / 2 + 1;
        for (int a = 0; a < K; a++)
            for (int b = a; b < K; b++) {
                /* both hemispheres: same parity, so twice the northern sum */
                double acc = 0;
                for (int j = jlo; j < nh; j++) {
                    double wj = (2 * j + 1 == nlat) ? 0.5 * w[j] : w[j];
                    acc += wj * (double)t[(size_t)a * nh + j] * (double)t[(size_t)b * nh + j];
                }
                err = fmax(err, fabs(acc - (a == b ? 1.0 : 0.0)));
            }
    }
    free(th); free(w); free(c); free(s); free(sym); free(anti); free(p1); free(ex);
    return err;
}

static void test_legendre_low_degree(void **state)
{
    (void)state;
    /* closed forms at mu = 0.3 (theta = acos 0.3) */
    double mu = 0.3, cl = sqrt(1 - mu * mu);
    int T = 4, nh = 1;
    njord_real sym[8] = {0}, anti[8] = {0};
    double p1[4], c[1] = {mu}, s[1] = {cl};
    int ex[1];
    struct { int m, n; double v; } cf[] = {
        {0, 0, 1.0},
        {0, 1, sqrt(3.0) * mu},
        {0, 2, sqrt(5.0) / 2 * (3 * mu * mu - 1)},
        {1, 1, sqrt(1.5) * cl},
        {1, 2, sqrt(7.5) * mu * cl},
        {2, 2, sqrt(15.0 / 8.0) * cl * cl},
        {3, 3, sqrt(35.0) / 4 * cl * cl * cl},
        {0, 3, sqrt(7.0) / 2 * (5 * mu * mu * mu - 3 * mu)},
    };
    for (size_t i = 0; i < sizeof cf / sizeof cf[0]; i++) {
        memset(sym, 0, sizeof sym);
        memset(anti, 0, sizeof anti);
        nj_legendre_m(cf[i].m, T, nh, c, s, ex, p1, p1 + 1, p1 + 2, sym, 1, anti, 1);
        int d = cf[i].n - cf[i].m;
        double got = (double)((d & 1) ? anti[d >> 1] : sym[d >> 1]);
        assert_true(fabs(got - cf[i].v) <= 4 * (sizeof(njord_real) == 4 ? 1e-7 : 1e-16) * 4);
    }
}

static void test_legendre_high_degree(void **state)
{
    (void)state;
    double tol = sizeof(njord_real) == 4 ? 1e-5 : 1e-12;
    /* T1023 on its linear grid */
    int ms[] = {0, 1, 511, 1023}, jlo[4];
    for (int i = 0; i < 4; i++) {
        double e = legendre_orthonormality(1023, 1024, ms[i], &jlo[i]);
        if (e > tol) fprintf(stderr, "T1023 m=%d orthonormality error %.3e\n", ms[i], e);
        assert_true(e <= tol);
    }
    /* the polar rows skipped: none for m = 0, 1; more than a quarter of the
     * hemisphere for m = T (where P_T^T ~ sin^T(theta)) */
    assert_int_equal(jlo[0], 0);
    assert_int_equal(jlo[1], 0);
    assert_true(jlo[2] > 0 && jlo[2] < jlo[3]);
    assert_true(jlo[3] > 512 / 4 && jlo[3] < 512);
    if (quick()) return;
    /* T2047: P_m^m underflows double near the poles for m > ~1900 without scaling */
    int ms2[] = {1500, 1950, 2047};
    for (int i = 0; i < 3; i++) {
        int jl;
        double e = legendre_orthonormality(2047, 2048, ms2[i], &jl);
        if (e > tol) fprintf(stderr, "T2047 m=%d orthonormality error %.3e\n", ms2[i], e);
        assert_true(e <= tol);
    }
}

/* ------------------------------------------------------------------ scalar transforms */

/* The SHTns accuracy measure: coefficients uniform in [-1, 1], max |analysis(synthesis(c)) - c|;
 * and the grid-space counterpart: max |synth(analysis(g)) - g| / max |g| for a band-limited g. */
static void roundtrip_error(int T, int nlat, int nlon, int nf, double *espec, double *egrid)
{
    njord_sht_plan *p = make_plan(T, nlat, nlon, nf);
    size_t nsp = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
    njord_real *s = malloc(sizeof(njord_real) * nsp * nf);
    njord_real *s2 = malloc(sizeof(njord_real) * nsp * nf);
    njord_real *g = malloc(sizeof(njord_real) * ng * nf);
    njord_real *g2 = malloc(sizeof(njord_real) * ng * nf);
    random_spec(T, s, nf, 0);
    assert_int_equal(njord_sht_synth(p, s, g, nf), NJORD_OK);
    assert_int_equal(njord_sht_analysis(p, g, s2, nf), NJORD_OK);
    assert_int_equal(njord_sht_synth(p, s2, g2, nf), NJORD_OK);
    *egrid = max_diff(g, g2, ng * nf) / max_abs(g, ng * nf);
    *espec = max_diff(s, s2, nsp * nf);
    njord_sht_plan_destroy(p);
    free(s); free(s2); free(g); free(g2);
}

static void check_roundtrip(int T, int nlat, int nlon, int nf, double tol)
{
    double es, eg;
    roundtrip_error(T, nlat, nlon, nf, &es, &eg);
    fprintf(stderr, "  round trip T%d %dx%d x%d: spectral %.2e (bound %.1e), grid %.2e\n", T,
            nlon, nlat, nf, es, tol, eg);
    assert_true(es <= tol);
    assert_true(eg <= 2 * tol); /* two syntheses and one analysis */
}

static void test_roundtrip(void **state)
{
    (void)state;
    check_roundtrip(1, 2, 3, 1, TOL_RT);    /* smallest legal plan */
    check_roundtrip(10, 15, 25, 3, TOL_RT); /* odd nlat (equator row), odd nlon */
    check_roundtrip(21, 32, 64, 4, TOL_RT);
    check_roundtrip(20, 31, 42, 3, TOL_RT); /* nlon/2 = 3 x 7: FFTW; odd nlat */
    check_roundtrip(63, 96, 192, 2, TOL_RT);
#ifdef NJORD_SINGLE
    check_roundtrip(170, 256, 512, 2, TOL_RT);
#else
    check_roundtrip(255, 256, 512, 2, TOL_RT);
    if (!quick()) check_roundtrip(1023, 1024, 2048, 1, 3e-12);
#endif
}

/* Synthesis of single harmonics against their closed forms on the grid. */
static void test_harmonics_closed_form(void **state)
{
    (void)state;
    int T = 8, nlat = 12, nlon = 24;
    njord_sht_plan *p = make_plan(T, nlat, nlon, 1);
    const double *mu = njord_sht_mu(p);
    size_t nsp = 2 * NJORD_SHT_NSPEC(T);
    njord_real *s = calloc(nsp, sizeof(njord_real)), *g = malloc(sizeof(njord_real) * nlat * nlon);
    struct { int m, n, im; } cs[] = {{0, 0, 0}, {0, 1, 0}, {1, 1, 0}, {1, 1, 1}, {2, 2, 0}, {1, 2, 1}, {0, 2, 0}};
    double tol = sizeof(njord_real) == 4 ? 1e-5 : 1e-14;
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        memset(s, 0, sizeof(njord_real) * nsp);
        s[2 * njord_sht_index(T, cs[c].m, cs[c].n) + cs[c].im] = 1;
        assert_int_equal(njord_sht_synth(p, s, g, 1), NJORD_OK);
        double err = 0;
        for (int j = 0; j < nlat; j++)
            for (int i = 0; i < nlon; i++) {
                double lam = 2 * M_PI * i / nlon, x = mu[j], cl = sqrt(1 - x * x), v;
                double ph = cs[c].im ? -sin(cs[c].m * lam) : cos(cs[c].m * lam);
                double f = cs[c].m ? 2.0 * ph : 1.0;
                int key = cs[c].m * 10 + cs[c].n;
                switch (key) {
                case 0: v = 1; break;
                case 1: v = sqrt(3.0) * x; break;
                case 11: v = sqrt(1.5) * cl; break;
                case 22: v = sqrt(15.0 / 8.0) * cl * cl; break;
                case 12: v = sqrt(7.5) * x * cl; break;
                case 2: v = sqrt(5.0) / 2 * (3 * x * x - 1); break;
                default: v = NAN;
                }
                err = fmax(err, fabs((double)g[j * nlon + i] - f * v));
            }
        if (err > tol) fprintf(stderr, "harmonic m=%d n=%d im=%d: error %.3e\n", cs[c].m, cs[c].n, cs[c].im, err);
        assert_true(err <= tol);
    }
    njord_sht_plan_destroy(p);
    free(s);
    free(g);
}

/* ------------------------------------------------------------------ vector transforms */

static void test_solid_body_rotation(void **state)
{
    (void)state;
    int T = 31, nlat = 48, nlon = 96;
    njord_sht_plan *p = make_plan(T, nlat, nlon, 1);
    const double *mu = njord_sht_mu(p);
    size_t nsp = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
    njord_real *u = malloc(sizeof(njord_real) * ng), *v = malloc(sizeof(njord_real) * ng);
    njord_real *u2 = malloc(sizeof(njord_real) * ng), *v2 = malloc(sizeof(njord_real) * ng);
    njord_real *vor = malloc(sizeof(njord_real) * nsp), *div = malloc(sizeof(njord_real) * nsp);
    const double u0 = 2 * M_PI * A_EARTH / (12 * 86400.0);
    const double alphas[] = {0.0, 0.05, M_PI / 2 - 0.05, M_PI / 2};
    for (int ia = 0; ia < 4; ia++) {
        double al = alphas[ia];
        for (int j = 0; j < nlat; j++)
            for (int i = 0; i < nlon; i++) {
                double lam = 2 * M_PI * i / nlon, sl = mu[j], cl = sqrt(1 - sl * sl);
                u[j * nlon + i] = (njord_real)(u0 * (cl * cos(al) + sl * cos(lam) * sin(al)));
                v[j * nlon + i] = (njord_real)(-u0 * sin(lam) * sin(al));
            }
        assert_int_equal(njord_sht_vordiv_from_uv(p, u, v, vor, div, 1), NJORD_OK);
        /* zeta = 2 u0/a (sin(lat) cos(al) - cos(lat) cos(lam) sin(al)) */
        double z10 = 2 * u0 / A_EARTH * cos(al) / sqrt(3.0);
        double z11 = -u0 / A_EARTH * sin(al) * sqrt(2.0 / 3.0);
        double scale = 2 * u0 / A_EARTH, err = 0;
        for (int m = 0; m <= T; m++)
            for (int n = m; n <= T; n++) {
                size_t k = 2 * njord_sht_index(T, m, n);
                double er = (m == 0 && n == 1) ? z10 : (m == 1 && n == 1) ? z11 : 0.0;
                err = fmax(err, fabs((double)vor[k] - er));
                err = fmax(err, fabs((double)vor[k + 1]));
                err = fmax(err, fabs((double)div[k]));
                err = fmax(err, fabs((double)div[k + 1]));
            }
        assert_true(err <= TOL_OP * scale);
        assert_int_equal(njord_sht_uv_from_vordiv(p, vor, div, u2, v2, 1), NJORD_OK);
        assert_true(max_diff(u, u2, ng) <= TOL_OP * u0);
        assert_true(max_diff(v, v2, ng) <= TOL_OP * u0);
    }
    njord_sht_plan_destroy(p);
    free(u); free(v); free(u2); free(v2); free(vor); free(div);
}

static void test_vector_roundtrip(void **state)
{
    (void)state;
    int Ts[] = {21, 106, 255};
    int nlats[] = {32, 160, 256};
    for (int c = 0; c < 3; c++) {
        int T = Ts[c], nlat = nlats[c], nlon = 2 * nlat, nf = 3;
#ifdef NJORD_SINGLE
        if (T > 170) continue;
#endif
        njord_sht_plan *p = make_plan(T, nlat, nlon, nf);
        size_t nsp = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
        njord_real *vor = malloc(sizeof(njord_real) * nsp * nf), *div = malloc(sizeof(njord_real) * nsp * nf);
        njord_real *vor2 = malloc(sizeof(njord_real) * nsp * nf), *div2 = malloc(sizeof(njord_real) * nsp * nf);
        njord_real *u = malloc(sizeof(njord_real) * ng * nf), *v = malloc(sizeof(njord_real) * ng * nf);
        random_spec(T, vor, nf, 1);
        random_spec(T, div, nf, 1);
        assert_int_equal(njord_sht_uv_from_vordiv(p, vor, div, u, v, nf), NJORD_OK);
        assert_int_equal(njord_sht_vordiv_from_uv(p, u, v, vor2, div2, nf), NJORD_OK);
        double e = fmax(max_diff(vor, vor2, nsp * nf), max_diff(div, div2, nsp * nf)) /
                   max_abs(vor, nsp * nf);
        fprintf(stderr, "  vector round trip T%d: max rel error %.2e\n", T, e);
        /* winds pass through 1/cos(lat) and the degree-(T+1) recurrences: a few
         * times the scalar error (measured: 1.5e-14 T21, 2.5e-13 T106, 1.2e-12 T255) */
        assert_true(e <= (sizeof(njord_real) == 4 ? 1e-4 : 2.5e-12));
        njord_sht_plan_destroy(p);
        free(vor); free(div); free(vor2); free(div2); free(u); free(v);
    }
}

/* gradient(f) is the irrotational wind of velocity potential f: it must equal
 * uv_from_vordiv(0, laplacian(f)); and grad(P_1^0) = (0, sqrt(3) cos(lat)/a). */
static void test_gradient(void **state)
{
    (void)state;
    int T = 42, nlat = 64, nlon = 128, nf = 2;
    njord_sht_plan *p = make_plan(T, nlat, nlon, nf);
    size_t nsp = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
    njord_real *f = malloc(sizeof(njord_real) * nsp * nf), *lap = malloc(sizeof(njord_real) * nsp * nf);
    njord_real *zero = calloc(nsp * nf, sizeof(njord_real));
    njord_real *gx = malloc(sizeof(njord_real) * ng * nf), *gy = malloc(sizeof(njord_real) * ng * nf);
    njord_real *ux = malloc(sizeof(njord_real) * ng * nf), *uy = malloc(sizeof(njord_real) * ng * nf);
    random_spec(T, f, nf, 0);
    assert_int_equal(njord_sht_gradient(p, f, gx, gy, nf), NJORD_OK);
    assert_int_equal(njord_sht_laplacian(p, f, lap, nf), NJORD_OK);
    assert_int_equal(njord_sht_uv_from_vordiv(p, zero, lap, ux, uy, nf), NJORD_OK);
    double sc = max_abs(gx, ng * nf);
    assert_true(max_diff(gx, ux, ng * nf) <= TOL_OP * sc * 10);
    assert_true(max_diff(gy, uy, ng * nf) <= TOL_OP * sc * 10);
    /* closed form */
    memset(f, 0, sizeof(njord_real) * nsp);
    f[2 * njord_sht_index(T, 0, 1)] = 1;
    assert_int_equal(njord_sht_gradient(p, f, gx, gy, 1), NJORD_OK);
    const double *mu = njord_sht_mu(p);
    double err = 0;
    for (int j = 0; j < nlat; j++)
        for (int i = 0; i < nlon; i++) {
            err = fmax(err, fabs((double)gx[j * nlon + i]));
            err = fmax(err, fabs((double)gy[j * nlon + i] - sqrt(3.0) * sqrt(1 - mu[j] * mu[j]) / A_EARTH));
        }
    assert_true(err <= TOL_OP * sqrt(3.0) / A_EARTH);
    njord_sht_plan_destroy(p);
    free(f); free(lap); free(zero); free(gx); free(gy); free(ux); free(uy);
}

static void test_laplacian(void **state)
{
    (void)state;
    int T = 30;
    njord_sht_plan *p = make_plan(T, 48, 96, 1);
    size_t nsp = 2 * NJORD_SHT_NSPEC(T);
    njord_real *s = malloc(sizeof(njord_real) * nsp * 2), *l = malloc(sizeof(njord_real) * nsp * 2);
    njord_real *b = malloc(sizeof(njord_real) * nsp * 2);
    random_spec(T, s, 2, 0);
    for (int f = 0; f < 2; f++) /* ignored on input, 0 on output */
        for (int n = 0; n <= T; n++) s[f * nsp + 2 * njord_sht_index(T, 0, n) + 1] = 1.0f + n;
    assert_int_equal(njord_sht_laplacian(p, s, l, 2), NJORD_OK); /* more fields than max_batch: allowed */
    double a = njord_sht_radius(p);
    assert_true(a == A_EARTH);
    for (int f = 0; f < 2; f++)
        for (int m = 0; m <= T; m++)
            for (int n = m; n <= T; n++)
                for (int c = 0; c < 2; c++) {
                    size_t k = f * nsp + 2 * njord_sht_index(T, m, n) + c;
                    double want = m == 0 && c == 1 ? 0.0 : -(double)n * (n + 1) / (a * a) * (double)s[k];
                    assert_true(fabs((double)l[k] - want) <= 1e-6 * fabs(want) + 1e-300);
                }
    assert_int_equal(njord_sht_inverse_laplacian(p, l, b, 2), NJORD_OK);
    for (int f = 0; f < 2; f++)
        for (int m = 0; m <= T; m++)
            for (int n = m; n <= T; n++)
                for (int c = 0; c < 2; c++) {
                    size_t k = f * nsp + 2 * njord_sht_index(T, m, n) + c;
                    double want = n && !(m == 0 && c == 1) ? (double)s[k] : 0.0;
                    assert_true(fabs((double)b[k] - want) <= (sizeof(njord_real) == 4 ? 1e-6 : 1e-14));
                }
    /* in place */
    memcpy(b, s, sizeof(njord_real) * nsp);
    assert_int_equal(njord_sht_laplacian(p, b, b, 1), NJORD_OK);
    assert_memory_equal(b, l, sizeof(njord_real) * nsp);
    njord_sht_plan_destroy(p);
    free(s); free(l); free(b);
}

/* ------------------------------------------------------------------ threads */

/* The four transforms on n fields of s (vorticity and divergence both s), into
 * out[0..3] (allocated): synthesis, winds (u in out[0], v in out[1]), analysis of
 * u, and vorticity and divergence from the winds. */
static void four_transforms(njord_sht_plan *p, const njord_real *s, size_t ng, size_t nsp, int n,
                            njord_real *out[4])
{
    for (int k = 0; k < 4; k++) out[k] = malloc(sizeof(njord_real) * (k < 2 ? ng : nsp) * n);
    assert_int_equal(njord_sht_synth(p, s, out[0], n), NJORD_OK);
    assert_int_equal(njord_sht_uv_from_vordiv(p, s, s, out[0], out[1], n), NJORD_OK);
    assert_int_equal(njord_sht_analysis(p, out[0], out[2], n), NJORD_OK);
    assert_int_equal(njord_sht_vordiv_from_uv(p, out[0], out[1], out[2], out[3], n), NJORD_OK);
}

/* Results do not depend on the thread count, nor on whether the cpu backend
 * stores its Legendre tables or regenerates the functions (same values summed in
 * the same order): 1 thread with tables, 2 threads with tables, 2 regenerating
 * (calls with few columns regenerate even with tables). */
static void thread_independence(int T, int nlat, int nlon, int nf)
{
    size_t nsp = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
    njord_real *s = malloc(sizeof(njord_real) * nsp * nf);
    njord_real *out[3][4];
    random_spec(T, s, nf, 1);
    int saved = omp_get_max_threads();
    const char *env = getenv("NJORD_LEGENDRE_TABLE_MB");
    char *saved_env = env ? strdup(env) : NULL;
    for (int t = 0; t < 3; t++) {
        omp_set_num_threads(t ? 2 : 1);
        setenv("NJORD_LEGENDRE_TABLE_MB", t == 2 ? "0" : "4096", 1);
        njord_sht_plan *p = make_plan(T, nlat, nlon, nf);
        four_transforms(p, s, ng, nsp, nf, out[t]);
        njord_sht_plan_destroy(p);
    }
    omp_set_num_threads(saved);
    if (saved_env)
        setenv("NJORD_LEGENDRE_TABLE_MB", saved_env, 1);
    else
        unsetenv("NJORD_LEGENDRE_TABLE_MB");
    free(saved_env);
    for (int k = 0; k < 4; k++) {
        assert_memory_equal(out[0][k], out[1][k], sizeof(njord_real) * (k < 2 ? ng : nsp) * nf);
        assert_memory_equal(out[0][k], out[2][k], sizeof(njord_real) * (k < 2 ? ng : nsp) * nf);
        for (int t = 0; t < 3; t++) free(out[t][k]);
    }
    free(s);
}

/* A field's results do not depend on the fields batched with it: one field alone
 * (2 and 4 columns: with tables above 32 MB, 51 MB here, the cpu backend
 * regenerates the functions) and the same field first in a batch of 13 (26 and
 * 52 columns: it uses its tables), bitwise. */
static void test_batch_independence(void **state)
{
    (void)state;
    const int T = 255, nlat = 384, nlon = 768, nf = 13;
    const size_t nsp = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
    njord_real *s = malloc(sizeof(njord_real) * nsp * nf);
    njord_real *out[2][4];
    random_spec(T, s, nf, 1);
    njord_sht_plan *p = make_plan(T, nlat, nlon, nf);
    /* the premise: in double, one field regenerates its functions and the batch
     * reads the tables (51 MB), as much of them as the benchmark's traffic model
     * is told: from the block of the first row in use, all degrees to T. In
     * single, the tables (25 MB) are small enough for every call to read them;
     * with none stored, every call regenerates. */
    const int JR = NJ_LEG_JR, nh = nlat / 2, nhp = (nh + JR - 1) / JR * JR;
    double expect = 0;
    for (int m = 0; m <= T; m++) {
        const int jlo = nh - nj_sht_legendre_rows(p, m);
        if (jlo < nh) expect += (double)(T + 1 - m) * (nhp - jlo / JR * JR) * sizeof(njord_real);
    }
    const int single = sizeof(njord_real) == 4;
    if (nj_sht_legendre_table_bytes(p, 2 * nf, 0) == 0) {
        /* no tables stored (NJORD_LEGENDRE_TABLE_MB=0): every call regenerates */
        assert_non_null(getenv("NJORD_LEGENDRE_TABLE_MB"));
        assert_true(nj_sht_legendre_table_bytes(p, 2, 0) == 0);
    } else {
        assert_true(nj_sht_legendre_table_bytes(p, 2, 0) == (single ? expect : 0));
        assert_true(single ? nj_sht_legendre_table_bytes(p, 4, 1) > expect
                           : nj_sht_legendre_table_bytes(p, 4, 1) == 0);
        assert_true(nj_sht_legendre_table_bytes(p, 2 * nf, 0) == expect);
        assert_true(nj_sht_legendre_table_bytes(p, 4 * nf, 1) > expect);
    }
    assert_true(nj_sht_legendre_table_bytes(NULL, 2, 0) == -1);
    for (int t = 0; t < 2; t++) four_transforms(p, s, ng, nsp, t ? nf : 1, out[t]);
    for (int k = 0; k < 4; k++) {
        assert_memory_equal(out[0][k], out[1][k], sizeof(njord_real) * (k < 2 ? ng : nsp));
        free(out[0][k]);
        free(out[1][k]);
    }
    njord_sht_plan_destroy(p);
    free(s);
}

static void test_thread_independence(void **state)
{
    (void)state;
    /* 26 and 52 columns: 8 + 2 and 8 + 4 synthesis tiles */
    thread_independence(85, 128, 256, 13);
    thread_independence(30, 45, 96, 2); /* partial FFT blocks, equator row */
}

/* The Legendre-step kernels (lib/backend/cpu_leg.h) against plain sums in long
 * double, over row counts with partial blocks and vectors, first rows inside a
 * block, odd degree counts, every even column count up to 12, and accumulation;
 * the analysis by blocks of rows (nj_leg_ana_lanes) against nj_leg_ana, bitwise. */
static void test_legendre_kernels(void **state)
{
    (void)state;
    const int JR = NJ_LEG_JR;
    const int nhs[] = {1, 5, JR - 1, JR, JR + 3, 2 * JR + NJ_LEG_VL + 1, 5 * JR};
    const double tol = sizeof(njord_real) == 4 ? 1e-5 : 1e-13;
    srand(7);
    for (size_t ih = 0; ih < sizeof nhs / sizeof *nhs; ih++) {
        const int nh = nhs[ih], nb = (nh + JR - 1) / JR, kmax = 13, ncmax = 12;
        const int j0s[] = {0, nh / 2, nh - 1};
        njord_real *src = malloc(sizeof(njord_real) * nh * kmax);
        njord_real *P = malloc(sizeof(njord_real) * nb * JR * kmax);
        njord_real *lt = malloc(sizeof(njord_real) * kmax * ncmax);
        njord_real *G = malloc(sizeof(njord_real) * nh * ncmax);
        njord_real *S = malloc(sizeof(njord_real) * nh * ncmax);
        njord_real *L = malloc(sizeof(njord_real) * kmax * ncmax);
        njord_real *L2 = malloc(sizeof(njord_real) * kmax * ncmax);
        njord_real *blk = malloc(sizeof(njord_real) * kmax * JR);
        njord_real *lanes = malloc(sizeof(njord_real) * kmax * 8 * NJ_LEG_VL);
        njord_real *tail = malloc(sizeof(njord_real) * kmax * NJ_LEG_VL);
        for (int i = 0; i < kmax * ncmax; i++) lt[i] = (njord_real)(rand() / (double)RAND_MAX - 0.5);
        for (int i = 0; i < nh * ncmax; i++) G[i] = (njord_real)(rand() / (double)RAND_MAX - 0.5);
        for (int ij = 0; ij < 3; ij++) {
            const int j0 = j0s[ij], b0 = j0 / JR * JR;
            for (int i = 0; i < nh * kmax; i++)
                src[i] = i % nh < j0 ? 0 : (njord_real)(rand() / (double)RAND_MAX - 0.5);
            for (int k = 1; k <= kmax; k += 4) {
                nj_leg_pack(nh, 0, k, src, nh, P, kmax);
                for (int nc = 2; nc <= ncmax; nc += 2) {
                    for (int acc = 0; acc < 2; acc++) {
                        for (int i = 0; i < nh * ncmax; i++) S[i] = 1;
                        nj_leg_syn(nh, j0, k, P, kmax, lt, nc, acc, S, nh);
                        for (int c = 0; c < ncmax; c++)
                            for (int j = 0; j < nh; j++) {
                                long double e = acc || j < b0 || c >= nc ? 1 : 0;
                                if (j >= b0 && c < nc)
                                    for (int n = 0; n < k; n++)
                                        e += (long double)src[j + n * nh] * lt[n * nc + c];
                                assert_true(fabsl(S[j + c * nh] - e) <= tol * (1 + fabsl(e)));
                            }
                    }
                    nj_leg_ana(nh, j0, k, P, kmax, G, nh, nc, L, ncmax);
                    for (int c = 0; c < nc; c++)
                        for (int n = 0; n < k; n++) {
                            long double e = 0;
                            for (int j = b0; j < nh; j++) e += (long double)src[j + n * nh] * G[j + c * nh];
                            assert_true(fabsl(L[n * ncmax + c] - e) <= tol * (1 + fabsl(e)));
                        }
                    if (nc > 8) continue;
                    /* the same block by block of rows: bit for bit; the block
                     * buffer's rows beyond the block hold NaN, never read */
                    int rt = nh;
                    memset(lanes, 0, sizeof(njord_real) * kmax * 8 * NJ_LEG_VL);
                    for (int j = b0; j < nh; j += JR) {
                        const int rows = nh - j < JR ? nh - j : JR;
                        for (int n = 0; n < k; n++)
                            for (int i = 0; i < JR; i++)
                                blk[n * JR + i] = i < rows ? src[j + i + n * nh] : (njord_real)NAN;
                        nj_leg_ana_lanes(j, rows, k, blk, G, nh, nc, lanes, tail, &rt);
                    }
                    nj_leg_ana_lanes_end(k, nc, lanes, tail, rt, nh, G, nh, L2, ncmax);
                    for (int n = 0; n < k; n++)
                        assert_memory_equal(L2 + n * ncmax, L + n * ncmax, sizeof(njord_real) * nc);
                }
            }
        }
        free(src), free(P), free(lt), free(G), free(S), free(L);
        free(L2), free(blk), free(lanes), free(tail);
    }
}

/* The own FFTs (lib/backend/cpu_fft.h) against DFTs summed in long double, for
 * lengths with factors 2, 3, 4, 5 and 8; each lane a different row, and the
 * same rows in reversed lanes giving bitwise the same results. */
static void test_fft_kernels(void **state)
{
    (void)state;
    const int VL = NJ_FFT_VL;
    const int sizes[] = {2, 4, 6, 10, 16, 18, 30, 50, 64, 96, 120, 250, 256, 384, 486, 640, 1000, 1024};
    const double eps = sizeof(njord_real) == 4 ? 6e-8 : 1.1e-16;
    const long double twopi = 6.283185307179586476925286766559005768L;
    assert_false(nj_rfft_supported(0));
    assert_false(nj_rfft_supported(25));  /* odd */
    assert_false(nj_rfft_supported(14));  /* 7 */
    assert_false(nj_rfft_supported(154)); /* 7 x 11 */
    assert_null(nj_rfft_create(14));
    srand(11);
    for (size_t is = 0; is < sizeof sizes / sizeof *sizes; is++) {
        const int N = sizes[is], n = N / 2;
        assert_true(nj_rfft_supported(N));
        nj_rfft *f = nj_rfft_create(N);
        assert_non_null(f);
        const size_t L = (size_t)N * VL;
        njord_real *x = nj_alloc(sizeof(njord_real) * L), *x0 = malloc(sizeof(njord_real) * L);
        njord_real *w = nj_alloc(sizeof(njord_real) * L), *X = nj_alloc(sizeof(njord_real) * L);
        njord_real *Y = nj_alloc(sizeof(njord_real) * L), *X0 = malloc(sizeof(njord_real) * L);
        long double *ct = malloc(sizeof(long double) * N), *st = malloc(sizeof(long double) * N);
        for (int q = 0; q < N; q++) { /* e^{2 pi i q / N}, indexed by k i mod N */
            ct[q] = cosl(twopi * q / N);
            st[q] = sinl(twopi * q / N);
        }
        const int kmaxes[] = {n - 1, n / 2};
        for (int ik = 0; ik < 2; ik++) {
            const int kmax = kmaxes[ik];
            /* forward */
            for (size_t i = 0; i < L; i++) x0[i] = x[i] = (njord_real)urand();
            nj_rfft_fwd(f, x, w, kmax, X);
            double err = 0;
            for (int r = 0; r < VL; r++)
                for (int k = 0; k <= kmax; k++) {
                    long double re = 0, im = 0;
                    for (int i = 0; i < N; i++) {
                        const int q = (int)((long)k * i % N);
                        re += x0[(size_t)i * VL + r] * ct[q];
                        im -= x0[(size_t)i * VL + r] * st[q];
                    }
                    err = fmax(err, fabsl(X[(size_t)2 * k * VL + r] - re));
                    err = fmax(err, fabsl(X[(size_t)(2 * k + 1) * VL + r] - im));
                }
            if (err > 8 * eps * sqrt(N) * log2(2 * N))
                fprintf(stderr, "  fft N = %d kmax = %d: forward error %.2e\n", N, kmax, err);
            assert_true(err <= 8 * eps * sqrt(N) * log2(2 * N));
            /* reversed lanes: bitwise the same */
            for (int i = 0; i < N; i++)
                for (int r = 0; r < VL; r++) x[(size_t)i * VL + r] = x0[(size_t)i * VL + VL - 1 - r];
            nj_rfft_fwd(f, x, w, kmax, Y);
            for (int k = 0; k < 2 * (kmax + 1); k++)
                for (int r = 0; r < VL; r++)
                    assert_memory_equal(&Y[(size_t)k * VL + r], &X[(size_t)k * VL + VL - 1 - r],
                                        sizeof(njord_real));
            /* inverse of random coefficients up to kmax (imaginary part of k = 0 ignored) */
            for (size_t i = 0; i < L; i++) X0[i] = X[i] = (njord_real)urand();
            nj_rfft_inv(f, X, kmax, w, x);
            err = 0;
            for (int r = 0; r < VL; r++)
                for (int i = 0; i < N; i++) {
                    long double v = X0[r];
                    for (int k = 1; k <= kmax; k++) {
                        const int q = (int)((long)k * i % N);
                        v += 2 * (X0[(size_t)2 * k * VL + r] * ct[q] -
                                  X0[(size_t)(2 * k + 1) * VL + r] * st[q]);
                    }
                    err = fmax(err, fabsl(x[(size_t)i * VL + r] - v));
                }
            if (err > 8 * eps * sqrt(N) * log2(2 * N))
                fprintf(stderr, "  fft N = %d kmax = %d: inverse error %.2e\n", N, kmax, err);
            assert_true(err <= 8 * eps * sqrt(N) * log2(2 * N));
        }
        nj_rfft_destroy(f);
        nj_free(x), free(x0), nj_free(w), nj_free(X), nj_free(Y), free(X0), free(ct), free(st);
    }
}

/* Rows <-> lanes (full and partial blocks, lengths not a multiple of the
 * lanes), and latitude pairs <-> lanes against the per-point formulas. */
static void test_fft_lanes(void **state)
{
    (void)state;
    const int VL = NJ_FFT_VL, nlons[] = {6, 2 * VL, 5 * VL + 2};
    for (int in = 0; in < 3; in++)
        for (int nr = 1; nr <= VL; nr += VL - 1) {
            const int nlon = nlons[in];
            njord_real *rows_mem = malloc(sizeof(njord_real) * ((size_t)VL * nlon + 1));
            njord_real *out_mem = calloc((size_t)VL * nlon + 1, sizeof(njord_real));
            njord_real *x = nj_alloc(sizeof(njord_real) * VL * nlon);
            const njord_real *rows[NJ_FFT_VL];
            njord_real *outs[NJ_FFT_VL];
            for (int i = 0; i < VL * nlon; i++) rows_mem[i + 1] = (njord_real)urand();
            for (int r = 0; r < VL; r++) { /* rows in reverse, at an odd offset */
                rows[r] = rows_mem + 1 + (size_t)(VL - 1 - r) * nlon;
                outs[r] = out_mem + 1 + (size_t)(VL - 1 - r) * nlon;
            }
            nj_rfft_rows_to_lanes(nlon, nr, rows, x);
            for (int i = 0; i < nlon; i++)
                for (int r = 0; r < VL; r++)
                    assert_true(x[(size_t)i * VL + r] == (r < nr ? rows[r][i] : 0));
            nj_rfft_lanes_to_rows(nlon, nr, x, outs);
            for (int r = 0; r < VL; r++)
                for (int i = 0; i < nlon; i++) assert_true(outs[r][i] == (r < nr ? rows[r][i] : 0));
            free(rows_mem), free(out_mem), nj_free(x);
        }
    /* pairs: 3 wavenumbers stored in the order 2, 0, 1, ld = VL + 3 rows */
    const int kmax = 2, kpos[3] = {1, 2, 0}, ld = VL + 3;
    const size_t astride = 2 * (size_t)ld, nbuf = 2 * 3 * astride + VL;
    njord_real *buf = malloc(sizeof(njord_real) * nbuf), *buf2 = malloc(sizeof(njord_real) * nbuf);
    njord_real *xn = nj_alloc(sizeof(njord_real) * 6 * VL), *xs = nj_alloc(sizeof(njord_real) * 6 * VL);
    double sc[NJ_FFT_VL];
    for (size_t i = 0; i < nbuf; i++) buf[i] = (njord_real)urand();
    for (int r = 0; r < VL; r++) sc[r] = 1 + urand();
    nj_rfft_pairs_in(kmax, buf + 1, kpos, astride, ld, sc, xn, xs);
    for (int k = 0; k <= kmax; k++)
        for (int r = 0; r < VL; r++) {
            const njord_real *s = buf + 1 + 2 * kpos[k] * astride + r, *a = s + astride;
            njord_real t[2], u[2];
            nj_pair_to_row(s[0], s[ld], a[0], a[ld], 1.0, sc[r], t);
            nj_pair_to_row(s[0], s[ld], a[0], a[ld], -1.0, sc[r], u);
            assert_true(xn[2 * k * VL + r] == t[0] && xn[(2 * k + 1) * VL + r] == t[1]);
            assert_true(xs[2 * k * VL + r] == u[0] && xs[(2 * k + 1) * VL + r] == u[1]);
        }
    for (int nr = VL - 2; nr <= VL; nr++)
        for (int eq = 0; eq < 2; eq++) {
            memcpy(buf2, buf, sizeof(njord_real) * nbuf);
            nj_rfft_pairs_out(kmax, xn, xs, nr, eq, sc, buf2 + 1, kpos, astride, ld);
            for (int k = 0; k <= kmax; k++)
                for (int c = 0; c < 2; c++)
                    for (int r = 0; r < ld; r++) {
                        size_t o = 1 + 2 * kpos[k] * astride + c * ld + r;
                        njord_real es = buf[o], ea = buf[o + astride];
                        if (r < nr) {
                            int e = eq && r == nr - 1;
                            nj_row_to_pair(xn[(2 * k + c) * VL + r], e ? 0.0 : xs[(2 * k + c) * VL + r],
                                           e, sc[r], &es, &ea);
                        }
                        assert_true(buf2[o] == es && buf2[o + astride] == ea);
                    }
        }
    free(buf), free(buf2), nj_free(xn), nj_free(xs);
}

/* The FFTW path (nlon = 42: 21 = 3 x 7) and the own FFTs (nlon = 48) synthesise
 * the same field at their 6 common longitudes. */
static void test_fft_paths_agree(void **state)
{
    (void)state;
    const int T = 20, nlat = 32, nf = 2;
    size_t nsp = 2 * NJORD_SHT_NSPEC(T);
    njord_real *s = malloc(sizeof(njord_real) * nsp * nf);
    njord_real *g1 = malloc(sizeof(njord_real) * nlat * 42 * nf);
    njord_real *g2 = malloc(sizeof(njord_real) * nlat * 48 * nf);
    random_spec(T, s, nf, 0);
    njord_sht_plan *p1 = make_plan(T, nlat, 42, nf), *p2 = make_plan(T, nlat, 48, nf);
    assert_int_equal(njord_sht_synth(p1, s, g1, nf), NJORD_OK);
    assert_int_equal(njord_sht_synth(p2, s, g2, nf), NJORD_OK);
    double err = 0, mx = 0;
    for (int f = 0; f < nf; f++)
        for (int j = 0; j < nlat; j++)
            for (int k = 0; k < 6; k++) {
                double a = g1[((size_t)f * nlat + j) * 42 + 7 * k], b = g2[((size_t)f * nlat + j) * 48 + 8 * k];
                err = fmax(err, fabs(a - b));
                mx = fmax(mx, fabs(a));
            }
    fprintf(stderr, "  FFTW vs own FFT, T%d: max difference %.2e of max %.2e\n", T, err, mx);
    assert_true(err <= TOL_RT * mx);
    njord_sht_plan_destroy(p1), njord_sht_plan_destroy(p2);
    free(s), free(g1), free(g2);
}

/* ------------------------------------------------------------------ errors */

static void expect_create_error(njord_sht_desc d, int status, const char *needle)
{
    njord_sht_plan *p = (njord_sht_plan *)&d; /* must be reset to NULL */
    int st = njord_sht_plan_create(&d, &p);
    assert_int_equal(st, status);
    assert_null(p);
    if (!strstr(njord_last_error(), needle)) fprintf(stderr, "message: %s\n", njord_last_error());
    assert_non_null(strstr(njord_last_error(), needle));
}

static void test_bad_arguments(void **state)
{
    (void)state;
    njord_sht_desc ok = {.trunc = 10, .nlat = 16, .nlon = 32, .max_batch = 2,
                         .backend = NJORD_BACKEND_CPU, .comm = MPI_COMM_NULL};
    njord_sht_desc d = ok;
    d.trunc = 0;
    expect_create_error(d, NJORD_EINVAL, "T >= 1");
    d = ok;
    d.nlat = 10;
    expect_create_error(d, NJORD_EINVAL, "nlat = 10 too small");
    d = ok;
    d.nlon = 20;
    expect_create_error(d, NJORD_EINVAL, "nlon = 20 too small");
    d = ok;
    d.max_batch = 0;
    expect_create_error(d, NJORD_EINVAL, "max_batch");
    d = ok;
    d.max_batch = 1 << 30; /* 4 columns per field would overflow an int */
    expect_create_error(d, NJORD_EINVAL, "max_batch = 1073741824 above");
    d = ok;
    d.radius = -1;
    expect_create_error(d, NJORD_EINVAL, "radius");
    /* auto (no usable GPU here, or one): the message survives the backend probe */
    d = ok;
    d.backend = NJORD_BACKEND_AUTO;
    d.trunc = 0;
    expect_create_error(d, NJORD_EINVAL, "T >= 1");
    /* zero-initialised and comm never set: an error, not an abort in MPI */
    njord_sht_desc z;
    memset(&z, 0, sizeof z);
    z.trunc = 10;
    z.nlat = 16;
    z.nlon = 32;
    z.max_batch = 1;
    z.backend = NJORD_BACKEND_CPU;
    if (MPI_COMM_NULL != z.comm) expect_create_error(z, NJORD_EINVAL, "desc.comm is not set");
    d = ok;
    d.backend = NJORD_BACKEND_CUDA;
    expect_create_error(d, NJORD_EBACKEND, "cuda");
    assert_int_equal(njord_sht_plan_create(NULL, NULL), NJORD_EINVAL);
    njord_sht_plan *p = NULL;
    assert_int_equal(njord_sht_plan_create(NULL, &p), NJORD_EINVAL);

    p = make_plan(10, 16, 32, 2);
    size_t nsp = 2 * NJORD_SHT_NSPEC(10), ng = 16 * 32;
    njord_real *s = calloc(nsp * 3, sizeof(njord_real)), *g = calloc(ng * 3, sizeof(njord_real));
    assert_int_equal(njord_sht_synth(p, NULL, g, 1), NJORD_EINVAL);
    assert_non_null(strstr(njord_last_error(), "spec"));
    assert_int_equal(njord_sht_analysis(p, g, NULL, 1), NJORD_EINVAL);
    assert_int_equal(njord_sht_synth(p, s, g, 3), NJORD_EINVAL);
    assert_non_null(strstr(njord_last_error(), "max_batch"));
    assert_int_equal(njord_sht_synth(p, s, g, -1), NJORD_EINVAL);
    assert_int_equal(njord_sht_uv_from_vordiv(p, s, s, g, NULL, 1), NJORD_EINVAL);
    assert_int_equal(njord_sht_vordiv_from_uv(p, g, g, s, s, 3), NJORD_EINVAL);
    assert_int_equal(njord_sht_gradient(NULL, s, g, g, 1), NJORD_EINVAL);
    assert_int_equal(njord_sht_laplacian(p, NULL, s, 1), NJORD_EINVAL);
    assert_int_equal(njord_sht_synth(p, s, g, 0), NJORD_OK); /* nothing to do */
    njord_sht_plan_destroy(p);
    njord_sht_plan_destroy(NULL);
    free(s);
    free(g);

    njord_backend_kind k;
    assert_int_equal(njord_backend_parse("gpu", &k), NJORD_EINVAL);
    assert_non_null(strstr(njord_last_error(), "gpu"));
    assert_int_equal(njord_backend_parse("cpu", &k), NJORD_OK);
    assert_int_equal(k, NJORD_BACKEND_CPU);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_sizes),
        cmocka_unit_test(test_gauss_quadrature),
        cmocka_unit_test(test_legendre_low_degree),
        cmocka_unit_test(test_legendre_high_degree),
        cmocka_unit_test(test_harmonics_closed_form),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_solid_body_rotation),
        cmocka_unit_test(test_vector_roundtrip),
        cmocka_unit_test(test_gradient),
        cmocka_unit_test(test_laplacian),
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_batch_independence),
        cmocka_unit_test(test_legendre_kernels),
        cmocka_unit_test(test_fft_kernels),
        cmocka_unit_test(test_fft_lanes),
        cmocka_unit_test(test_fft_paths_agree),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests_name(sizeof(njord_real) == 4 ? "sht (single)" : "sht (double)",
                                       tests, NULL, NULL);
}
