/* kernels/common/hs_point.h — Held & Suarez (1994, Bull. Amer. Meteor. Soc. 75,
 * 1825) forcing at one point, shared by the CPU loop and the CUDA kernel (the
 * primitive-equation column of pe_point.h applies it when c->hs is set):
 *   k_v = k_f max(0, (sigma - sigma_b)/(1 - sigma_b))
 *   k_T = k_a + (k_s - k_a) max(0, (sigma - sigma_b)/(1 - sigma_b)) cos^4(lat)
 *   T_eq = max{200 K, [315 K - dT_y sin^2(lat) - dtheta_z ln(p/p0) cos^2(lat)] (p/p0)^kappa}
 * dV/dt = -k_v V, dT/dt = -k_T (T - T_eq). Parameters in nj_pe_consts (set by
 * nj_hs_defaults, lib/phys/held_suarez.c). Included by pe_point.h. */
#ifndef NJ_HS_POINT_H
#define NJ_HS_POINT_H

/** Held–Suarez equilibrium temperature (K) and relaxation rates (1/s) at
 *  pressure p, surface pressure ps and latitude with sine s. */
NJ_HD void nj_hs_rates(const nj_pe_consts *c, double p, double ps, double s, double *teq,
                       double *kt, double *kv)
{
    double sig = p / ps, c2 = 1.0 - s * s;
    double w = (sig - c->hs_sigb) / (1.0 - c->hs_sigb);
    if (w < 0) w = 0;
    double te = (315.0 - c->hs_dty * s * s - c->hs_dthz * log(p / c->hs_p0) * c2) *
                pow(p / c->hs_p0, c->kappa);
    *teq = te > 200.0 ? te : 200.0;
    *kt = c->hs_ka + (c->hs_ks - c->hs_ka) * w * c2 * c2;
    *kv = c->hs_kf * w;
}

#endif
