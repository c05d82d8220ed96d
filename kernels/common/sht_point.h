/* kernels/common/sht_point.h — per-coefficient and per-point formulas of the
 * spherical-harmonic transforms, written once for the CPU loops and CUDA kernels.
 *
 * Notation: P_n^m normalised to unit mean square on the sphere (no Condon–Shortley
 * phase), mu = sin(latitude), eps_n^m = sqrt((n^2 - m^2) / (4 n^2 - 1)), so that
 *   mu P_n^m = eps_{n+1}^m P_{n+1}^m + eps_n^m P_{n-1}^m,
 *   (1 - mu^2) dP_n^m/dmu = -n eps_{n+1}^m P_{n+1}^m + (n+1) eps_n^m P_{n-1}^m.
 * Winds are handled through U = u cos(lat), V = v cos(lat) (Robert functions),
 * whose spectral expansions reach degree T+1.
 * T is the truncation; coefficients outside m..T are zero. `real` is the working
 * type: these functions are generic over it through the NJ_SHT_REAL macro. */
#ifndef NJ_SHT_POINT_H
#define NJ_SHT_POINT_H

#include <math.h>

#include "nj_hd.h"

#ifndef NJ_SHT_REAL
#error "define NJ_SHT_REAL (float or double) before including sht_point.h"
#endif

NJ_HD double nj_eps(int m, int n)
{
    if (n <= m) return 0.0;
    double nn = (double)n, mm = (double)m;
    return sqrt((nn * nn - mm * mm) / (4.0 * nn * nn - 1.0));
}

/** Spectral coefficient k (m <= k <= T+1) of U and V from the spectral stream
 *  function psi and velocity potential chi (complex, given as re/im pairs of the
 *  neighbours k-1, k, k+1; pass 0 for coefficients outside m..T).
 *    U_k = (1/a)[ (k-1) eps_k psi_{k-1} - (k+2) eps_{k+1} psi_{k+1} + i m chi_k ]
 *    V_k = (1/a)[ i m psi_k - (k-1) eps_k chi_{k-1} + (k+2) eps_{k+1} chi_{k+1} ] */
NJ_HD void nj_uv_coef(int m, int k, double inv_a, const NJ_SHT_REAL psi[6],
                      const NJ_SHT_REAL chi[6], NJ_SHT_REAL U[2], NJ_SHT_REAL V[2])
{
    /* psi/chi: [re(k-1), im(k-1), re(k), im(k), re(k+1), im(k+1)] */
    double lo = (double)(k - 1) * nj_eps(m, k);
    double hi = (double)(k + 2) * nj_eps(m, k + 1);
    double mm = (double)m;
    U[0] = (NJ_SHT_REAL)(inv_a * (lo * psi[0] - hi * psi[4] - mm * chi[3]));
    U[1] = (NJ_SHT_REAL)(inv_a * (lo * psi[1] - hi * psi[5] + mm * chi[2]));
    V[0] = (NJ_SHT_REAL)(inv_a * (-mm * psi[3] - lo * chi[0] + hi * chi[4]));
    V[1] = (NJ_SHT_REAL)(inv_a * (mm * psi[2] - lo * chi[1] + hi * chi[5]));
}

/** Vorticity and divergence coefficient n (m <= n <= T) from the Gaussian-quadrature
 *  coefficients a_k of U/(1-mu^2) and b_k of V/(1-mu^2) (k = n-1, n, n+1 as re/im
 *  pairs; 0 below m):
 *    zeta_n  = (1/a)[ i m b_n - n eps_{n+1} a_{n+1} + (n+1) eps_n a_{n-1} ]
 *    delta_n = (1/a)[ i m a_n + n eps_{n+1} b_{n+1} - (n+1) eps_n b_{n-1} ] */
NJ_HD void nj_vordiv_coef(int m, int n, double inv_a, const NJ_SHT_REAL a[6],
                          const NJ_SHT_REAL b[6], NJ_SHT_REAL zeta[2], NJ_SHT_REAL delta[2])
{
    double hi = (double)n * nj_eps(m, n + 1);
    double lo = (double)(n + 1) * nj_eps(m, n);
    double mm = (double)m;
    zeta[0] = (NJ_SHT_REAL)(inv_a * (-mm * b[3] - hi * a[4] + lo * a[0]));
    zeta[1] = (NJ_SHT_REAL)(inv_a * (mm * b[2] - hi * a[5] + lo * a[1]));
    delta[0] = (NJ_SHT_REAL)(inv_a * (-mm * a[3] + hi * b[4] - lo * b[0]));
    delta[1] = (NJ_SHT_REAL)(inv_a * (mm * a[2] + hi * b[5] - lo * b[1]));
}

/** Fourier coefficient (re, im) of wavenumber m on the northern (sign = +1) or
 *  southern (sign = -1) row of a latitude pair, from the symmetric and
 *  antisymmetric parts of the Legendre synthesis, times the row factor. */
NJ_HD void nj_pair_to_row(NJ_SHT_REAL s_re, NJ_SHT_REAL s_im, NJ_SHT_REAL a_re,
                          NJ_SHT_REAL a_im, double sign, double scale, NJ_SHT_REAL out[2])
{
    out[0] = (NJ_SHT_REAL)(scale * (s_re + sign * a_re));
    out[1] = (NJ_SHT_REAL)(scale * (s_im + sign * a_im));
}

/** Symmetric and antisymmetric parts (one real component) of the Fourier
 *  coefficients vn (northern row) and vs (southern row) of a latitude pair, times
 *  fac (Gaussian weight / 2 / nlon and the row factor); the equator row (eq) is
 *  its own mirror and has no antisymmetric part. */
NJ_HD void nj_row_to_pair(double vn, double vs, int eq, double fac, NJ_SHT_REAL *s,
                          NJ_SHT_REAL *a)
{
    *s = (NJ_SHT_REAL)(fac * (eq ? vn : vn + vs));
    *a = (NJ_SHT_REAL)(eq ? 0.0 : fac * (vn - vs));
}

/** Factor of the inverse Laplacian for degree n on a sphere of radius a:
 *  -a^2/(n(n+1)), and 0 for n = 0. */
NJ_HD double nj_invlap_factor(int n, double a)
{
    return n > 0 ? -a * a / ((double)n * (double)(n + 1)) : 0.0;
}

/** Factor of the Laplacian: -n(n+1)/a^2. */
NJ_HD double nj_lap_factor(int n, double a)
{
    return -(double)n * (double)(n + 1) / (a * a);
}

/** Coefficient (m, n) (re, im) of the Laplacian of a field (inverse: of its
 *  inverse) on a sphere of radius a; the imaginary part of m = 0 is 0 (include/
 *  njord/sht.h). in == out allowed. */
NJ_HD void nj_spec_scale_coef(int m, int n, double a, int inverse, const NJ_SHT_REAL in[2],
                              NJ_SHT_REAL out[2])
{
    const double s = inverse ? nj_invlap_factor(n, a) : nj_lap_factor(n, a);
    const NJ_SHT_REAL im = in[1];
    out[0] = (NJ_SHT_REAL)(s * in[0]);
    out[1] = m ? (NJ_SHT_REAL)(s * im) : (NJ_SHT_REAL)0;
}

#endif
