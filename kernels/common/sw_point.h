/* kernels/common/sw_point.h — per-point and per-coefficient formulas of the
 * shallow-water equations, shared by the CPU loops and the CUDA kernels.
 *
 * Vorticity–divergence form on a sphere of radius a (Phi = g * fluid depth,
 * Phi_s = g * orography height, eta = zeta + f):
 *   d zeta/dt  = -div(eta V)
 *   d delta/dt =  curl(eta V) - lap(E + Phi + Phi_s),   E = (u^2 + v^2)/2
 *   d Phi/dt   = -div(Phi V)
 * Semi-implicit split around a reference Phi_ref: the linear gravity-wave terms
 *   L delta = -lap(Phi - Phi_ref) = c_n Phi_n   (c_n = n(n+1)/a^2, n > 0),
 *   L Phi   = -Phi_ref delta
 * are implicit; everything else is explicit. (Phi_ref only enters through these
 * two terms: the explicit part uses Phi - Phi_ref in the flux.) */
#ifndef NJ_SW_POINT_H
#define NJ_SW_POINT_H

#include "nj_hd.h"

#ifndef NJ_SW_REAL
#error "define NJ_SW_REAL (float or double) before including sw_point.h"
#endif

/** Grid-point products of the explicit tendencies at one point: the fluxes
 *  eta*u, eta*v (absolute vorticity) and phi*u, phi*v (phi: the geopotential
 *  deviation from the reference, or the whole advected field), and the kinetic
 *  energy per unit mass E. */
NJ_HD void nj_sw_fluxes(NJ_SW_REAL u, NJ_SW_REAL v, NJ_SW_REAL zeta, NJ_SW_REAL phi,
                        NJ_SW_REAL f, NJ_SW_REAL *etau, NJ_SW_REAL *etav, NJ_SW_REAL *phiu,
                        NJ_SW_REAL *phiv, NJ_SW_REAL *ke)
{
    NJ_SW_REAL eta = zeta + f;
    *etau = eta * u;
    *etav = eta * v;
    *phiu = phi * u;
    *phiv = phi * v;
    *ke = (NJ_SW_REAL)0.5 * (u * u + v * v);
}

/** The implicit (gravity-wave) tendencies of one coefficient pair (delta_n, Phi_n),
 *  real or imaginary part: Ld = c_n Phi, LPhi = -Phi_ref delta. */
NJ_HD void nj_sw_implicit_tend(double cn, double phiref, NJ_SW_REAL delta, NJ_SW_REAL phi,
                               NJ_SW_REAL *ld, NJ_SW_REAL *lphi)
{
    *ld = (NJ_SW_REAL)(cn * phi);
    *lphi = (NJ_SW_REAL)(-phiref * delta);
}

/** Solve (1 - eta L) y = x for one coefficient pair, in place:
 *    [ 1          -eta c_n ] [delta]   [x_delta]
 *    [ eta Phi_ref    1    ] [Phi  ] = [x_Phi  ]                                    */
NJ_HD void nj_sw_implicit_solve(double cn, double phiref, double eta, NJ_SW_REAL *delta,
                                NJ_SW_REAL *phi)
{
    double xd = *delta, xp = *phi;
    double det = 1.0 + eta * eta * cn * phiref;
    *delta = (NJ_SW_REAL)((xd + eta * cn * xp) / det);
    *phi = (NJ_SW_REAL)((xp - eta * phiref * xd) / det);
}

/** Damping rate of the del^(2p) hyperdiffusion at degree n, normalised so that
 *  degree T is damped with e-folding time tau, and degrees n <= n0 not at all:
 *    rate(n) = [(n(n+1))^p - (n0(n0+1))^p] / [(T(T+1))^p - (n0(n0+1))^p] / tau.
 *  (Subtracting the n0 term keeps the low degrees — solid-body rotation, the
 *  Williamson test 2 flow — exactly steady.) */
NJ_HD double nj_diffusion_rate(int n, int T, int p, int n0, double tau)
{
    if (tau <= 0 || n <= n0) return 0.0;
    double x = (double)n * (n + 1), xt = (double)T * (T + 1), x0 = (double)n0 * (n0 + 1);
    double a = 1, b = 1, c = 1;
    for (int i = 0; i < p; i++) {
        a *= x;
        b *= xt;
        c *= x0;
    }
    return (a - c) / (b - c) / tau;
}

#endif
