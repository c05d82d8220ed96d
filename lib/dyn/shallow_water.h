/* lib/dyn/shallow_water.h — the spectral shallow-water equations as an equation
 * for the integrators of lib/time (internal). State: three local spectral fields,
 * [vorticity | geopotential deviation Phi - Phi_ref | divergence], Phi = g * depth.
 * (zeta and Phi are adjacent so one batched synthesis serves both.) */
#ifndef NJ_SHALLOW_WATER_H
#define NJ_SHALLOW_WATER_H

#include "../time/integrator.h"

enum { NJ_SW_ZETA = 0, NJ_SW_PHI = 1, NJ_SW_DELTA = 2 };

typedef struct nj_sw {
    njord_sht_plan *plan;
    const nj_sht_backend *ops;
    int advection;          /* 1: only Phi evolves, advected by the fixed wind (Williamson 1) */
    double phiref;          /* semi-implicit reference geopotential (0 for advection) */
    int diff_order, diff_free;
    double diff_time;
    size_t ns, ng;          /* reals per local spectral / grid field */
    nj_real *phis_s;        /* spectral surface geopotential, or NULL */
    nj_real *fcor;          /* grid Coriolis parameter */
    nj_real *adv_uv;        /* advection: fixed wind [u | v] on the grid */
    nj_real *g_uv, *g_zp, *g_fu, *g_fv, *g_ke; /* grid work */
    nj_real *s_vor, *s_div, *s_ke;             /* spectral work */
    double *fac;            /* host: T+1 factors */
    double t_grid;          /* seconds in grid-point products */
} nj_sw;

/** Allocate work arrays on the plan's backend; the Coriolis parameter from omega,
 *  with the rotation axis tilted by `tilt` radians toward longitude 180 (as in
 *  Williamson test 2 with alpha != 0; 0 for the Earth). */
int nj_sw_init(nj_sw *sw, njord_sht_plan *plan, int advection, double omega, double tilt);
/** The Coriolis parameter at (latitude lat, longitude lon) for that tilt. */
double nj_sw_coriolis(double omega, double tilt, double lat, double lon);
void nj_sw_free(nj_sw *sw);
/** The equation contract of lib/time for this shallow-water instance. */
nj_equation nj_sw_equation(nj_sw *sw);

#endif
