/* lib/dyn/primitive.c — explicit and implicit tendencies of the spectral
 * primitive equations (formulas in kernels/common/pe_point.h).
 *
 * Explicit tendencies N(x) = F(x) - L(x): the full tendencies F minus the
 * semi-implicit linear terms L, which the integrator treats implicitly:
 *   u, v          <- winds of (zeta, delta)                  (vector synthesis, L)
 *   state         <- grid values of every field              (synthesis, 3L+1+ntr L)
 *   grad T', grad ln ps, grad q                              (gradient synthesis)
 *   F, Phi+E, dT/dt, d ln ps/dt, dq/dt                       (columns, pe_columns)
 *   curl F, div F                                            (vector analysis, L)
 *   Phi + E, dT/dt, d ln ps/dt, dq/dt                        (analysis)
 *   N_zeta = curl F;  N_delta = div F - lap(Phi + E + Phi_s) - L_delta;
 *   N_T = dT/dt - L_T;  N_lnps = d ln ps/dt - L_lnps;  N_q = dq/dt. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "primitive.h"

#define NJ_SW_REAL nj_real
#include "../../kernels/common/sw_point.h" /* nj_diffusion_rate */

#define TRY(call)                                                                          \
    do {                                                                                   \
        int st_ = (call);                                                                  \
        if (st_) return st_;                                                               \
    } while (0)

int nj_pe_init(nj_pe *pe, njord_sht_plan *plan, nj_vcoord *vc, int ntr, double omega,
               double rd, double kappa, double tref, double pref)
{
    const nj_sht_backend *o = plan->ops;
    pe->plan = plan;
    pe->ops = o;
    pe->vc = *vc;
    memset(vc, 0, sizeof *vc);
    const int L = pe->vc.nlev;
    pe->L = L;
    pe->ntr = ntr;
    pe->nf = 3 * L + 1 + ntr * L;
    if (plan->max_batch < pe->nf)
        return nj_error(NJORD_EINVAL, "primitive equations: plan batch %d < %d fields", plan->max_batch,
                        pe->nf);
    pe->c.nlev = L;
    pe->c.ntr = ntr;
    pe->c.rd = rd;
    pe->c.kappa = kappa;
    pe->c.tref = tref;
    pe->tref = tref;
    pe->pref = pref;
    pe->ns = 2 * plan->nspec_loc;
    pe->ng = (size_t)plan->nrows * plan->nlon;
    const size_t ns = pe->ns, ng = pe->ng, nt = (size_t)ntr * L, LL = (size_t)L * L;
    TRY(o->alloc(sizeof(double) * (L + 1), (void **)&pe->ah_d));
    TRY(o->alloc(sizeof(double) * (L + 1), (void **)&pe->bh_d));
    TRY(o->from_host(pe->ah_d, pe->vc.a, sizeof(double) * (L + 1)));
    TRY(o->from_host(pe->bh_d, pe->vc.b, sizeof(double) * (L + 1)));
    TRY(o->alloc(sizeof(nj_real) * ng, (void **)&pe->fcor));
    TRY(o->alloc(sizeof(nj_real) * ng, (void **)&pe->sinlat));
    TRY(o->alloc(sizeof(nj_real) * 2 * L * ng, (void **)&pe->g_uv));
    TRY(o->alloc(sizeof(nj_real) * pe->nf * ng, (void **)&pe->g_syn));
    TRY(o->alloc(sizeof(nj_real) * (L + 1 + nt) * ng, (void **)&pe->g_gx));
    TRY(o->alloc(sizeof(nj_real) * (L + 1 + nt) * ng, (void **)&pe->g_gy));
    TRY(o->alloc(sizeof(nj_real) * L * ng, (void **)&pe->g_fu));
    TRY(o->alloc(sizeof(nj_real) * L * ng, (void **)&pe->g_fv));
    TRY(o->alloc(sizeof(nj_real) * (2 * L + 1 + nt) * ng, (void **)&pe->g_ana));
    TRY(o->alloc(sizeof(nj_real) * L * ns, (void **)&pe->s_vor));
    TRY(o->alloc(sizeof(nj_real) * L * ns, (void **)&pe->s_div));
    TRY(o->alloc(sizeof(nj_real) * (2 * L + 1 + nt) * ns, (void **)&pe->s_ana));
    TRY(o->alloc(sizeof(nj_real) * (2 * L + 1) * ns, (void **)&pe->s_lin));
    pe->fac = malloc(sizeof(double) * (size_t)(plan->T + 1));
    pe->ref_h = malloc(sizeof(double) * (2 * LL + L));
    nj_real *f = malloc(sizeof(nj_real) * 2 * (ng ? ng : 1));
    if (!pe->fac || !pe->ref_h || !f) {
        free(f);
        return nj_error(NJORD_ENOMEM, "primitive equations: out of memory");
    }
    nj_vcoord_reference(&pe->vc, rd, kappa, tref, pref, pe->ref_h, pe->ref_h + LL, pe->ref_h + 2 * LL);
    for (int i = 0; i < plan->nrows; i++)
        for (int k = 0; k < plan->nlon; k++) {
            double s = sin(plan->lat[plan->rows[i]]);
            f[(size_t)i * plan->nlon + k] = (nj_real)(2 * omega * s);
            f[ng + (size_t)i * plan->nlon + k] = (nj_real)s;
        }
    int st = o->from_host(pe->fcor, f, sizeof(nj_real) * ng);
    if (!st) st = o->from_host(pe->sinlat, f + ng, sizeof(nj_real) * ng);
    free(f);
    return st;
}

void nj_pe_free(nj_pe *pe)
{
    if (!pe->ops) return;
    void *arr[] = {pe->ah_d, pe->bh_d, pe->phis_s, pe->fcor, pe->sinlat, pe->g_uv, pe->g_syn,
                   pe->g_gx, pe->g_gy, pe->g_fu, pe->g_fv, pe->g_ana, pe->s_vor, pe->s_div,
                   pe->s_ana, pe->s_lin};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
        if (arr[i]) pe->ops->free(arr[i]);
    for (int i = 0; i < pe->ncache; i++) pe->ops->free(pe->cache[i].mats);
    free(pe->fac);
    free(pe->ref_h);
    nj_vcoord_free(&pe->vc);
    memset(pe, 0, sizeof *pe);
}

/* The matrices of the implicit terms for a step of size eta, computed once per
 * eta (backend memory): [gam | tau | nu] and, for eta > 0, the (T+1) inverses
 * (eta = 0: the tendencies only need gam, tau, nu). A failed computation leaves
 * no cache entry behind. */
static int mats_for(nj_pe *pe, double eta, const double **out)
{
    for (int i = 0; i < pe->ncache; i++)
        if (pe->cache[i].eta == eta && pe->cache[i].mats) {
            *out = pe->cache[i].mats;
            return NJORD_OK;
        }
    const int L = pe->L, T = pe->plan->T;
    const size_t LL = (size_t)L * L, len = 2 * LL + L + (eta > 0 ? (size_t)(T + 1) * LL : 0);
    int slot = pe->ncache < NJ_PE_ETA_CACHE ? pe->ncache : NJ_PE_ETA_CACHE - 1;
    double *h = malloc(sizeof(double) * len), *d = NULL;
    if (!h) return nj_error(NJORD_ENOMEM, "semi-implicit matrices: out of memory");
    memcpy(h, pe->ref_h, sizeof(double) * (2 * LL + L));
    int st = NJORD_OK;
    if (eta > 0)
        st = nj_vcoord_implicit_inverse(L, T, pe->plan->radius, eta, pe->c.rd * pe->tref, h, h + LL,
                                        h + 2 * LL, h + 2 * LL + L);
    if (!st) st = pe->ops->alloc(sizeof(double) * len, (void **)&d);
    if (!st) st = pe->ops->from_host(d, h, sizeof(double) * len);
    free(h);
    if (st) {
        if (d) pe->ops->free(d);
        return st;
    }
    if (slot == pe->ncache) pe->ncache++;
    else pe->ops->free(pe->cache[slot].mats); /* the cache is full: replace the last */
    pe->cache[slot].mats = d;
    pe->cache[slot].eta = eta;
    *out = d;
    return NJORD_OK;
}

int nj_pe_grid_state(nj_pe *pe, const nj_real *x)
{
    const size_t ns = pe->ns;
    TRY(njord_sht_uv_from_vordiv(pe->plan, x, x + pe->L * ns, pe->g_uv, pe->g_uv + pe->L * pe->ng, pe->L));
    return njord_sht_synth(pe->plan, x, pe->g_syn, pe->nf);
}

static int pe_explicit(void *ctx, const nj_real *x, nj_real *out)
{
    nj_pe *pe = ctx;
    const nj_sht_backend *o = pe->ops;
    njord_sht_plan *p = pe->plan;
    const int L = pe->L, ntr = pe->ntr;
    const size_t ns = pe->ns, ng = pe->ng, nt = (size_t)ntr * L;
    TRY(nj_pe_grid_state(pe, x));
    TRY(njord_sht_gradient(p, x + 2 * L * ns, pe->g_gx, pe->g_gy, (int)(L + 1 + nt)));
    nj_pe_cols g;
    g.npts = ng;
    g.ah = pe->ah_d;
    g.bh = pe->bh_d;
    g.u = pe->g_uv;
    g.v = pe->g_uv + L * ng;
    g.zeta = pe->g_syn;
    g.div = pe->g_syn + L * ng;
    g.t = pe->g_syn + 2 * L * ng;
    g.lnps = pe->g_syn + 3 * L * ng;
    g.q = ntr ? pe->g_syn + (3 * L + 1) * ng : NULL;
    g.dtx = pe->g_gx;
    g.dty = pe->g_gy;
    g.dlx = pe->g_gx + L * ng;
    g.dly = pe->g_gy + L * ng;
    g.dqx = ntr ? pe->g_gx + (L + 1) * ng : NULL;
    g.dqy = ntr ? pe->g_gy + (L + 1) * ng : NULL;
    g.f = pe->fcor;
    g.sinlat = pe->sinlat;
    g.fu = pe->g_fu;
    g.fv = pe->g_fv;
    g.ge = pe->g_ana;
    g.tt = pe->g_ana + L * ng;
    g.pt = pe->g_ana + 2 * L * ng;
    g.qt = ntr ? pe->g_ana + (2 * L + 1) * ng : NULL;
    double t0 = nj_wtime();
    TRY(o->pe_columns(&pe->c, &g));
    pe->t_grid += nj_wtime() - t0;
    TRY(njord_sht_vordiv_from_uv(p, pe->g_fu, pe->g_fv, out, out + L * ns, L));
    TRY(njord_sht_analysis(p, pe->g_ana, pe->s_ana, (int)(2 * L + 1 + nt)));
    /* delta: div F - lap(Phi - Phi_s + E + Phi_s) */
    if (pe->phis_s)
        for (int k = 0; k < L; k++) TRY(o->axpby(ns, 1.0, pe->phis_s, 1.0, pe->s_ana + k * ns));
    TRY(njord_sht_laplacian(p, pe->s_ana, pe->s_ana, L));
    TRY(o->axpby(L * ns, -1.0, pe->s_ana, 1.0, out + L * ns));
    /* T, ln ps, tracers */
    TRY(o->axpby((L + 1 + nt) * ns, 1.0, pe->s_ana + L * ns, 0.0, out + 2 * L * ns));
    /* minus the implicit part */
    nj_real *lin = pe->s_lin;
    const double *mats;
    TRY(mats_for(pe, 0.0, &mats));
    TRY(o->pe_implicit(p, L, 0, 0.0, pe->c.rd * pe->tref, mats, x + L * ns, x + 2 * L * ns,
                       x + 3 * L * ns, lin, lin + L * ns, lin + 2 * L * ns));
    TRY(o->axpby((2 * L + 1) * ns, -1.0, lin, 1.0, out + L * ns));
    return NJORD_OK;
}

static int pe_implicit_tend(void *ctx, const nj_real *x, nj_real *out)
{
    nj_pe *pe = ctx;
    const int L = pe->L;
    const size_t ns = pe->ns;
    const double *mats;
    TRY(pe->ops->axpby(L * ns, 0.0, NULL, 0.0, out));
    if (pe->ntr) TRY(pe->ops->axpby((size_t)pe->ntr * L * ns, 0.0, NULL, 0.0, out + (3 * L + 1) * ns));
    TRY(mats_for(pe, 0.0, &mats));
    return pe->ops->pe_implicit(pe->plan, L, 0, 0.0, pe->c.rd * pe->tref, mats, x + L * ns,
                                x + 2 * L * ns, x + 3 * L * ns, out + L * ns, out + 2 * L * ns,
                                out + 3 * L * ns);
}

static int pe_implicit_inverse(void *ctx, double eta, const nj_real *x, nj_real *out)
{
    nj_pe *pe = ctx;
    const int L = pe->L;
    const size_t ns = pe->ns;
    if (x != out) {
        TRY(pe->ops->axpby(L * ns, 1.0, x, 0.0, out));
        if (pe->ntr)
            TRY(pe->ops->axpby((size_t)pe->ntr * L * ns, 1.0, x + (3 * L + 1) * ns, 0.0,
                               out + (3 * L + 1) * ns));
    }
    const double *mats;
    TRY(mats_for(pe, eta, &mats));
    return pe->ops->pe_implicit(pe->plan, L, 1, eta, pe->c.rd * pe->tref, mats, x + L * ns,
                                x + 2 * L * ns, x + 3 * L * ns, out + L * ns, out + 2 * L * ns,
                                out + 3 * L * ns);
}

/* implicit hyperdiffusion over a step of length h on zeta, delta, T and tracers
 * (not ln ps) */
static int pe_filter(void *ctx, double h, nj_real *x)
{
    nj_pe *pe = ctx;
    if (!(pe->diff_time > 0)) return NJORD_OK;
    const int T = pe->plan->T, L = pe->L;
    for (int n = 0; n <= T; n++)
        pe->fac[n] = 1.0 / (1.0 + h * nj_diffusion_rate(n, T, pe->diff_order, pe->diff_free,
                                                         pe->diff_time));
    TRY(pe->ops->spec_degree_scale(pe->plan, x, x, 3 * L, pe->fac));
    if (pe->ntr) {
        nj_real *q = x + (3 * L + 1) * pe->ns;
        TRY(pe->ops->spec_degree_scale(pe->plan, q, q, pe->ntr * L, pe->fac));
    }
    return NJORD_OK;
}

nj_equation nj_pe_equation(nj_pe *pe)
{
    nj_equation e;
    e.ctx = pe;
    e.len = (size_t)pe->nf * pe->ns;
    e.ops = pe->ops;
    e.explicit_tend = pe_explicit;
    e.implicit_tend = pe_implicit_tend;
    e.implicit_inverse = pe_implicit_inverse;
    e.filter = pe_filter;
    return e;
}
