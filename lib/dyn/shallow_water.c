/* lib/dyn/shallow_water.c — explicit and implicit tendencies of the spectral
 * shallow-water equations (kernels/common/sw_point.h has the formulas).
 *
 * Explicit tendencies at state x = (zeta, Phi', delta), Phi' = Phi - Phi_ref:
 *   u, v        <- winds of (zeta, delta)          (one vector synthesis)
 *   zeta, Phi'  <- grid values                     (one synthesis of 2 fields)
 *   (eta u, eta v), (Phi' u, Phi' v), E            (grid-point products)
 *   curl/div of both flux vectors                  (one vector analysis, 2 fields)
 *   E                                              (one analysis)
 *   N_zeta = -div(eta V);  N_Phi = -div(Phi' V);  N_delta = curl(eta V) - lap(E + Phi_s).
 * Implicit: L delta = -lap Phi', L Phi' = -Phi_ref delta (Phi_ref div V moved here
 * from div(Phi V)). Hyperdiffusion is a filter applied after each step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "shallow_water.h"

#define NJ_SW_REAL nj_real
#include "../../kernels/common/sw_point.h"

#define TRY(call)                                                                          \
    do {                                                                                   \
        int st_ = (call);                                                                  \
        if (st_) return st_;                                                               \
    } while (0)

double nj_sw_coriolis(double omega, double tilt, double lat, double lon)
{
    return 2 * omega * (-cos(lon) * cos(lat) * sin(tilt) + sin(lat) * cos(tilt));
}

int nj_sw_init(nj_sw *sw, njord_sht_plan *plan, int advection, double omega, double tilt)
{
    const nj_sht_backend *o = plan->ops;
    sw->plan = plan;
    sw->ops = o;
    sw->advection = advection;
    sw->ns = 2 * plan->nspec_loc;
    sw->ng = (size_t)plan->nrows * plan->nlon;
    size_t ns = sw->ns, ng = sw->ng;
    TRY(o->alloc(sizeof(nj_real) * ng, (void **)&sw->fcor));
    TRY(o->alloc(sizeof(nj_real) * 2 * ng, (void **)&sw->g_uv));
    TRY(o->alloc(sizeof(nj_real) * 2 * ng, (void **)&sw->g_zp));
    TRY(o->alloc(sizeof(nj_real) * 2 * ng, (void **)&sw->g_fu));
    TRY(o->alloc(sizeof(nj_real) * 2 * ng, (void **)&sw->g_fv));
    TRY(o->alloc(sizeof(nj_real) * ng, (void **)&sw->g_ke));
    TRY(o->alloc(sizeof(nj_real) * 2 * ns, (void **)&sw->s_vor));
    TRY(o->alloc(sizeof(nj_real) * 2 * ns, (void **)&sw->s_div));
    TRY(o->alloc(sizeof(nj_real) * ns, (void **)&sw->s_ke));
    sw->fac = malloc(sizeof(double) * (size_t)(plan->T + 1));
    nj_real *f = malloc(sizeof(nj_real) * (ng ? ng : 1));
    if (!sw->fac || !f) {
        free(f);
        return nj_error(NJORD_ENOMEM, "shallow water: out of memory");
    }
    for (int i = 0; i < plan->nrows; i++)
        for (int k = 0; k < plan->nlon; k++)
            f[(size_t)i * plan->nlon + k] = (nj_real)nj_sw_coriolis(
                omega, tilt, plan->lat[plan->rows[i]], 2 * M_PI * k / plan->nlon);
    int st = o->from_host(sw->fcor, f, sizeof(nj_real) * ng);
    free(f);
    return st;
}

void nj_sw_free(nj_sw *sw)
{
    if (!sw->ops) return;
    nj_real *arr[] = {sw->phis_s, sw->fcor, sw->adv_uv, sw->g_uv, sw->g_zp, sw->g_fu,
                      sw->g_fv, sw->g_ke, sw->s_vor, sw->s_div, sw->s_ke};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
        if (arr[i]) sw->ops->free(arr[i]);
    free(sw->fac);
    memset(sw, 0, sizeof *sw);
}

static int sw_explicit(void *ctx, const nj_real *x, nj_real *out)
{
    nj_sw *sw = ctx;
    const nj_sht_backend *o = sw->ops;
    njord_sht_plan *p = sw->plan;
    const size_t ns = sw->ns, ng = sw->ng;
    const nj_real *zeta = x, *phi = x + ns, *delta = x + 2 * ns;
    nj_real *tz = out, *tp = out + ns, *td = out + 2 * ns;
    if (sw->advection) {
        TRY(njord_sht_synth(p, phi, sw->g_zp + ng, 1));
        TRY(o->sw_fluxes(ng, sw->adv_uv, sw->adv_uv + ng, sw->g_zp + ng, sw->g_zp + ng, NULL,
                         sw->g_fu, sw->g_fv, sw->g_ke));
        TRY(njord_sht_vordiv_from_uv(p, sw->g_fu + ng, sw->g_fv + ng, sw->s_vor, sw->s_div, 1));
        TRY(o->axpby(ns, -1.0, sw->s_div, 0.0, tp));
        TRY(o->axpby(ns, 0.0, NULL, 0.0, tz));
        TRY(o->axpby(ns, 0.0, NULL, 0.0, td));
        return NJORD_OK;
    }
    TRY(njord_sht_uv_from_vordiv(p, zeta, delta, sw->g_uv, sw->g_uv + ng, 1));
    TRY(njord_sht_synth(p, zeta, sw->g_zp, 2)); /* zeta and Phi' are adjacent */
    double t0 = nj_wtime();
    TRY(o->sw_fluxes(ng, sw->g_uv, sw->g_uv + ng, sw->g_zp, sw->g_zp + ng, sw->fcor, sw->g_fu,
                     sw->g_fv, sw->g_ke));
    sw->t_grid += nj_wtime() - t0;
    TRY(njord_sht_vordiv_from_uv(p, sw->g_fu, sw->g_fv, sw->s_vor, sw->s_div, 2));
    TRY(njord_sht_analysis(p, sw->g_ke, sw->s_ke, 1));
    TRY(o->axpby(ns, -1.0, sw->s_div, 0.0, tz));      /* -div(eta V) */
    TRY(o->axpby(ns, -1.0, sw->s_div + ns, 0.0, tp)); /* -div(Phi' V) */
    if (sw->phis_s) TRY(o->axpby(ns, 1.0, sw->phis_s, 1.0, sw->s_ke));
    TRY(njord_sht_laplacian(p, sw->s_ke, sw->s_ke, 1));
    TRY(o->axpby(ns, 1.0, sw->s_vor, 0.0, td));
    TRY(o->axpby(ns, -1.0, sw->s_ke, 1.0, td));       /* curl(eta V) - lap(E + Phi_s) */
    return NJORD_OK;
}

static int sw_implicit_tend(void *ctx, const nj_real *x, nj_real *out)
{
    nj_sw *sw = ctx;
    const size_t ns = sw->ns;
    TRY(sw->ops->axpby(ns, 0.0, NULL, 0.0, out));
    if (sw->advection) {
        TRY(sw->ops->axpby(2 * ns, 0.0, NULL, 0.0, out + ns));
        return NJORD_OK;
    }
    return sw->ops->sw_implicit(sw->plan, 0, 0.0, sw->phiref, x + 2 * ns, x + ns, out + 2 * ns,
                                out + ns);
}

static int sw_implicit_inverse(void *ctx, double eta, const nj_real *x, nj_real *out)
{
    nj_sw *sw = ctx;
    const size_t ns = sw->ns;
    if (x != out) TRY(sw->ops->axpby(sw->advection ? 3 * ns : ns, 1.0, x, 0.0, out));
    if (sw->advection) return NJORD_OK;
    return sw->ops->sw_implicit(sw->plan, 1, eta, sw->phiref, x + 2 * ns, x + ns, out + 2 * ns,
                                out + ns);
}

/* implicit hyperdiffusion over a step of length h: x_n /= 1 + h rate(n) */
static int sw_filter(void *ctx, double h, nj_real *x)
{
    nj_sw *sw = ctx;
    if (!(sw->diff_time > 0)) return NJORD_OK;
    const int T = sw->plan->T;
    for (int n = 0; n <= T; n++)
        sw->fac[n] = 1.0 / (1.0 + h * nj_diffusion_rate(n, T, sw->diff_order, sw->diff_free,
                                                         sw->diff_time));
    return sw->ops->spec_degree_scale(sw->plan, x, x, 3, sw->fac);
}

nj_equation nj_sw_equation(nj_sw *sw)
{
    nj_equation e;
    e.ctx = sw;
    e.len = 3 * sw->ns;
    e.ops = sw->ops;
    e.explicit_tend = sw_explicit;
    e.implicit_tend = sw_implicit_tend;
    e.implicit_inverse = sw_implicit_inverse;
    e.filter = sw_filter;
    return e;
}
