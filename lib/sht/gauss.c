/* lib/sht/gauss.c — Gauss–Legendre quadrature and Gaussian grid sizes. */
#include <math.h>
#include <stdlib.h>

#include "plan.h"

/* P_n(cos theta) and dP_n/dtheta by the three-term recurrence written for
 * t = 1 - cos(theta) = 2 sin^2(theta/2) and the differences d_k = P_k - P_{k-1}:
 *   d_{k+1} = (k d_k - (2k+1) t P_k) / (k+1),   P_{k+1} = P_k + d_{k+1},
 * which keeps full relative accuracy near the poles where cos(theta) ~ 1 has
 * lost the information; dP_n/dtheta = n (x P_n - P_{n-1}) / sin = n (d_n - t P_n) / sin. */
static void nj_legendre_poly(int n, double th, double *pn, double *dpdth)
{
    double sh = sin(0.5 * th), t = 2.0 * sh * sh, s = sin(th);
    double p = 1.0, d = 0.0;
    for (int k = 0; k < n; k++) {
        double dn = (k * d - (2.0 * k + 1.0) * t * p) / (k + 1.0);
        p += dn;
        d = dn;
    }
    *pn = p;
    *dpdth = n * (d - t * p) / s;
}

/* The same in long double (x86-64: 64-bit significand). The recurrence's
 * rounding errors grow like sqrt(n) ulp (in double: ~100 ulp of the weights at
 * n = 2048, ~230 at 8192); 11 more bits put them below the rounding of the
 * double results. */
static void nj_legendre_poly_l(int n, double th, long double *pn, long double *dpdth)
{
    const long double x = th, sh = sinl(0.5L * x), t = 2.0L * sh * sh, s = sinl(x);
    long double p = 1.0L, d = 0.0L;
    for (int k = 0; k < n; k++) {
        long double dn = (k * d - (2.0L * k + 1.0L) * t * p) / (k + 1.0L);
        p += dn;
        d = dn;
    }
    *pn = p;
    *dpdth = n * (d - t * p) / s;
}

/* Newton iteration on the colatitude theta (north to south), which keeps full
 * relative accuracy of sin(theta) = cos(latitude) near the poles for any n: in
 * double to convergence, then one step in long double, whose correction d also
 * carries dP/dtheta to the root, through P'' = -cot(theta) P' - n(n+1) P (the
 * Legendre equation), for the weight 2 / P'(theta)^2. */
int nj_gauss_theta(int n, double *theta, double *w)
{
    if (n < 1) return nj_error(NJORD_EINVAL, "Gaussian grid needs at least 1 latitude (got %d)", n);
    int half = (n + 1) / 2;
    for (int j = 0; j < half; j++) {
        double th, pn, dp;
        long double pl, dl;
        if (2 * j + 1 == n) {
            th = M_PI / 2; /* the equator, exactly */
        } else {
            /* Tricomi's initial guess, then Newton to convergence */
            th = M_PI * (4.0 * j + 3.0) / (4.0 * n + 2.0);
            th += (1.0 / (8.0 * n * n) - 1.0 / (8.0 * n * n * n)) / tan(th);
            for (int it = 0; it < 50; it++) {
                nj_legendre_poly(n, th, &pn, &dp);
                double dth = pn / dp;
                th -= dth;
                if (fabs(dth) <= 1e-17 * th) break;
                if (it > 3 && fabs(dth) <= 4e-16 * th) break;
            }
        }
        nj_legendre_poly_l(n, th, &pl, &dl);
        if (2 * j + 1 != n) {
            const long double d = -pl / dl;
            dl += d * (-dl * cosl((long double)th) / sinl((long double)th) - (long double)n * (n + 1) * pl);
            th = (double)(th + d);
        }
        if (theta) {
            theta[j] = th;
            theta[n - 1 - j] = M_PI - th;
        }
        if (w) {
            double wj = (double)(2.0L / (dl * dl));
            w[j] = wj;
            w[n - 1 - j] = wj;
        }
    }
    return NJORD_OK;
}

int njord_gauss_legendre(int n, double *mu, double *weights)
{
    if (n < 1) return nj_error(NJORD_EINVAL, "njord_gauss_legendre: n = %d, need n >= 1", n);
    double *th = malloc(sizeof(double) * (size_t)n);
    if (!th) return nj_error(NJORD_ENOMEM, "njord_gauss_legendre: out of memory for n = %d", n);
    int st = nj_gauss_theta(n, th, weights);
    if (st == NJORD_OK && mu)
        for (int j = 0; j < n; j++) mu[j] = (2 * j + 1 == n) ? 0.0 : cos(th[j]);
    free(th);
    return st;
}

static int nj_fft_friendly(int n)
{
    while (n % 2 == 0) n /= 2;
    while (n % 3 == 0) n /= 3;
    while (n % 5 == 0) n /= 5;
    return n == 1;
}

int njord_grid_size(int T, njord_grid_kind kind, int *nlat, int *nlon)
{
    if (T < 1) return nj_error(NJORD_EINVAL, "njord_grid_size: truncation T = %d, need T >= 1", T);
    if (kind < NJORD_GRID_LINEAR || kind > NJORD_GRID_CUBIC)
        return nj_error(NJORD_EINVAL, "njord_grid_size: unknown grid kind %d", (int)kind);
    if (!nlat || !nlon) return nj_error(NJORD_EINVAL, "njord_grid_size: null output pointer");
    const long need = ((long)kind + 1) * T + 1, nmax = 1L << 30;
    long n = need + (need & 1);
    while (n <= nmax && !nj_fft_friendly((int)n)) n += 2;
    if (n > nmax)
        return nj_error(NJORD_EINVAL, "njord_grid_size: T = %d too large (nlon would exceed %ld)",
                        T, nmax);
    *nlon = (int)n;
    *nlat = (int)(n / 2);
    return NJORD_OK;
}
