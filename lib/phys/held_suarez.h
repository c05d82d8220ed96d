/* lib/phys/held_suarez.h — Held & Suarez (1994) forcing of the primitive
 * equations: the published parameters (the per-point formulas are in
 * kernels/common/hs_point.h, applied inside the dynamics column). Internal. */
#ifndef NJ_HELD_SUAREZ_H
#define NJ_HELD_SUAREZ_H

#include "../backend/backend.h"

/** Switch the forcing on in c with Held & Suarez's values: k_f = 1/day,
 *  k_a = 1/40 day^-1, k_s = 1/4 day^-1, sigma_b = 0.7, dT_y = 60 K,
 *  dtheta_z = 10 K, p0 = 1000 hPa (c->kappa is left as set). */
void nj_hs_defaults(nj_pe_consts *c);

#endif
