/* lib/dyn/primitive.h — the hydrostatic primitive equations on hybrid levels as
 * an equation for the integrators of lib/time (internal). Formulas:
 * kernels/common/pe_point.h; levels and reference matrices: vcoord.h.
 *
 * State (local spectral fields, level 0 = top): [zeta (L) | delta (L) |
 * T - T_ref (L) | ln ps (1) | tracers (ntr x L)], so that one synthesis serves
 * the whole state and one gradient synthesis serves T, ln ps and the tracers. */
#ifndef NJ_PRIMITIVE_H
#define NJ_PRIMITIVE_H

#include "../time/integrator.h"
#include "vcoord.h"

#define NJ_PE_ETA_CACHE 4

typedef struct nj_pe {
    njord_sht_plan *plan;
    const nj_sht_backend *ops;
    nj_vcoord vc;
    int L, ntr, nf;          /* levels, tracers, fields in the state (3L + 1 + ntr L) */
    nj_pe_consts c;
    double tref, pref;       /* semi-implicit reference state (K, Pa) */
    int diff_order, diff_free;
    double diff_time;
    size_t ns, ng;           /* reals per local spectral / grid field */
    double *ah_d, *bh_d;     /* half-level coefficients, backend memory */
    double *ref_h;           /* host: [gam | tau | nu] */
    struct { double eta; double *mats; } cache[NJ_PE_ETA_CACHE]; /* backend memory */
    int ncache;
    nj_real *phis_s;         /* spectral surface geopotential, or NULL */
    nj_real *fcor, *sinlat;  /* grid */
    nj_real *g_uv, *g_syn, *g_gx, *g_gy, *g_fu, *g_fv, *g_ana; /* grid work */
    nj_real *s_vor, *s_div, *s_ana, *s_lin;                   /* spectral work */
    double *fac;             /* host: T+1 factors */
    double t_grid;           /* seconds in the column computation */
} nj_pe;

/** Set up on the plan's backend (plan max_batch >= 3L + 1 + ntr L): takes
 *  ownership of *vc (emptied). Physical constants in c (nlev, ntr filled here). */
int nj_pe_init(nj_pe *pe, njord_sht_plan *plan, nj_vcoord *vc, int ntr, double omega,
               double rd, double kappa, double tref, double pref);
void nj_pe_free(nj_pe *pe);
nj_equation nj_pe_equation(nj_pe *pe);

/** Grid fields of the whole state (u, v of every level, then the synthesis of
 *  every state field) into the work arrays g_uv and g_syn. */
int nj_pe_grid_state(nj_pe *pe, const nj_real *x);

#endif
