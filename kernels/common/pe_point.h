/* kernels/common/pe_point.h — per-column and per-coefficient formulas of the
 * hydrostatic primitive equations on hybrid levels, shared by the CPU loops and
 * the CUDA kernels (one thread per grid column, or per spectral coefficient).
 *
 * Vertical discretisation: Simmons & Burridge (1981, Mon. Wea. Rev. 109, 758),
 * in the form of the IFS documentation (Part III, Dynamics, ch. 2). Levels run
 * from the top (k = 0) to the bottom (k = L-1); half level k (0..L) is the upper
 * interface of full level k, half level L the surface:
 *   p_{k}^{half} = A_k + B_k ps,      dp_k = p_{k+1} - p_k,   dB_k = B_{k+1} - B_k
 *   lnr_k   = ln(p_{k+1} / p_k)            (0 for k = 0 when p_0 = 0)
 *   alpha_k = 1 - p_k lnr_k / dp_k         (ln 2 for k = 0 when p_0 = 0)
 *   beta_k  = [dB_k + C_k lnr_k / dp_k] / dp_k,  C_k = A_{k+1} B_k - A_k B_{k+1}
 * With D_k = div(V_k dp_k) = delta_k dp_k + dB_k ps V_k.grad(ln ps):
 *   d ln ps / dt           = -(1/ps) sum_k D_k
 *   M_{k+1} (= etadot dp/deta at half level k+1) = B_{k+1} sum_all D - sum_{j<=k} D_j
 *   (omega/p)_k            = -[lnr_k sum_{j<k} D_j + alpha_k D_k] / dp_k
 *                            + beta_k ps V_k.grad(ln ps)
 *   (R T grad ln p)_k      = R T_k beta_k ps grad(ln ps)
 *   Phi_k                  = Phi_s + sum_{j>k} R T_j lnr_j + alpha_k R T_k
 *   vertical advection     (etadot dX/deta)_k = [M_{k+1}(X_{k+1}-X_k) + M_k(X_k-X_{k-1})] / (2 dp_k)
 * (The pressure-gradient and the omega coefficients are the same beta_k: that
 * is what makes the energy conversion cancel, SB81.) Where p_k > 0,
 * beta_k dp_k = lnr_k B_k + alpha_k dB_k, SB81's form, which makes the column's
 * mass-weighted pressure-gradient force a gradient plus the surface term
 * (angular momentum conserved). At a top at p = 0 the formula gives
 * beta_0 = dB_0/dp_0, not SB81's alpha_0 dB_0/dp_0 = ln 2 dB_0/dp_0; the two
 * differ only where dB_0 > 0 (pure sigma levels; hybrid levels as ECMWF's and
 * CAM's have dB_0 = 0 or p_0 > 0). Kept deliberately: with it an isothermal
 * column's pressure-gradient force is R T grad ln ps at every level, as the
 * semi-implicit operator linearised about an isothermal state assumes; the
 * price is a torque of (1 - ln 2) R T_0 dB_0 grad ps in the top sigma layer
 * (tests/test_pe.c, test_column_identity, asserts both). The momentum equation in
 * vorticity–divergence form uses
 *   F = ((zeta+f) v - etadot du/deta - R T beta ps dlnps/dx [+ forcing],
 *        -(zeta+f) u - etadot dv/deta - R T beta ps dlnps/dy [+ forcing])
 *   d zeta/dt = curl F,   d delta/dt = div F - lap(Phi + E),   E = (u^2+v^2)/2
 *   dT/dt  = -V.grad T - etadot dT/deta + kappa T (omega/p) [+ forcing]
 *   dq/dt  = -V.grad q - etadot dq/deta      (passive tracers)
 * Held & Suarez (1994) forcing (shared/REFERENCES.md) is applied in the column
 * when enabled: Rayleigh friction -k_v V, Newtonian cooling -k_T (T - T_eq). */
#ifndef NJ_PE_POINT_H
#define NJ_PE_POINT_H

#include <math.h>

#include "nj_hd.h"

#ifndef NJ_PE_REAL
#error "define NJ_PE_REAL (float or double) before including pe_point.h"
#endif

/** The most levels a column may have (per-thread scratch in the kernels). */
#define NJ_PE_MAXLEV 200

/** Physical constants and options of the column computation. */
typedef struct {
    int nlev, ntr;           /* levels, passive tracers */
    double rd, kappa;        /* gas constant J/(kg K), R/cp */
    double tref;             /* reference temperature of the state's T' = T - tref */
    /* Held–Suarez forcing (hs != 0): rates in 1/s, temperatures in K, p0 in Pa */
    int hs;
    double hs_kf, hs_ka, hs_ks, hs_sigb, hs_dty, hs_dthz, hs_p0;
} nj_pe_consts;

#include "hs_point.h"

/** Pointers of one call of the column computation: every field is level-major
 *  (level k of a field at [k * npts + i] for column i), in backend memory. */
typedef struct {
    size_t npts;
    const double *ah, *bh;   /* nlev+1 half-level coefficients (Pa, 1) */
    /* inputs */
    const NJ_PE_REAL *u, *v, *zeta, *div, *t, *lnps, *dlx, *dly, *dtx, *dty;
    const NJ_PE_REAL *q, *dqx, *dqy; /* ntr * nlev fields each (NULL when ntr = 0) */
    const NJ_PE_REAL *f, *sinlat;    /* Coriolis parameter, sin(latitude) */
    /* outputs */
    NJ_PE_REAL *fu, *fv;     /* nlev each: the vector F above */
    NJ_PE_REAL *ge;          /* nlev: Phi - Phi_s + E */
    NJ_PE_REAL *tt;          /* nlev: dT/dt */
    NJ_PE_REAL *pt;          /* 1: d ln ps / dt */
    NJ_PE_REAL *qt;          /* ntr * nlev: dq/dt */
} nj_pe_cols;

/** Per-level coefficients of a column (see the top). */
typedef struct {
    double dp, db, lnr, alpha, beta;
} nj_pe_lev;

/** The coefficients of the L levels of a column at surface pressure ps, with one
 *  logarithm per level (lnr_k = ln p_{k+1} - ln p_k). */
NJ_HD void nj_pe_column_coefs(int L, const double *ah, const double *bh, double ps, nj_pe_lev *lv)
{
    double pu = ah[0] + bh[0] * ps, lpu = pu > 0 ? log(pu) : 0;
    for (int k = 0; k < L; k++) {
        double pl = ah[k + 1] + bh[k + 1] * ps, lpl = log(pl);
        nj_pe_lev *e = &lv[k];
        e->dp = pl - pu;
        e->db = bh[k + 1] - bh[k];
        if (pu <= 0) {
            e->lnr = 0;
            e->alpha = 0.6931471805599453; /* ln 2 */
        } else {
            e->lnr = lpl - lpu;
            e->alpha = 1.0 - pu * e->lnr / e->dp;
        }
        double c = ah[k + 1] * bh[k] - ah[k] * bh[k + 1];
        e->beta = (e->db + c * e->lnr / e->dp) / e->dp;
        pu = pl;
        lpu = lpl;
    }
}

/** Geopotential minus the surface geopotential at the full levels of one column
 *  (phi[k]) from the temperature t[k * stride] + tadd (K) and the column's
 *  coefficients. */
NJ_HD void nj_pe_geopotential(int L, const nj_pe_lev *lv, double rd, const NJ_PE_REAL *t,
                              size_t stride, double tadd, double *phi)
{
    double below = 0; /* geopotential of half level k+1 above the surface */
    for (int k = L - 1; k >= 0; k--) {
        double rt = rd * ((double)t[(size_t)k * stride] + tadd);
        phi[k] = below + lv[k].alpha * rt;
        below += rt * lv[k].lnr;
    }
}

/** The explicit grid-point part of the tendencies of column i (see the top). */
NJ_HD void nj_pe_column(const nj_pe_consts *c, const nj_pe_cols *g, size_t i)
{
    const int L = c->nlev;
    const size_t n = g->npts;
    const double ps = exp((double)g->lnps[i]);
    const double px = g->dlx[i], py = g->dly[i];
    nj_pe_lev lv[NJ_PE_MAXLEV];
    double sumd[NJ_PE_MAXLEV + 1]; /* sum_{j<k} D_j */
    double phi[NJ_PE_MAXLEV];
    nj_pe_column_coefs(L, g->ah, g->bh, ps, lv);
    double dsum = 0;
    sumd[0] = 0;
    for (int k = 0; k < L; k++) {
        size_t q = (size_t)k * n + i;
        double vgl = (double)g->u[q] * px + (double)g->v[q] * py;
        dsum += (double)g->div[q] * lv[k].dp + lv[k].db * ps * vgl;
        sumd[k + 1] = dsum;
    }
    g->pt[i] = (NJ_PE_REAL)(-dsum / ps);
    /* geopotential (above the surface) plus kinetic energy */
    nj_pe_geopotential(L, lv, c->rd, g->t + i, n, c->tref, phi);
    const double s = g->sinlat[i], f = g->f[i];
    for (int k = 0; k < L; k++) {
        const nj_pe_lev *e = &lv[k];
        size_t q = (size_t)k * n + i, qu = k > 0 ? q - n : q, ql = k < L - 1 ? q + n : q;
        double mu = g->bh[k] * dsum - sumd[k];         /* M at half level k (0 at the top) */
        double ml = g->bh[k + 1] * dsum - sumd[k + 1]; /* M at half level k+1 (0 at the ground) */
        double h = 0.5 / e->dp;
        double uk = g->u[q], vk = g->v[q], tk = (double)g->t[q] + c->tref;
        double vgl = uk * px + vk * py;
        double ddk = sumd[k + 1] - sumd[k];
        double wop = -(e->lnr * sumd[k] + e->alpha * ddk) / e->dp + e->beta * ps * vgl; /* omega/p */
        double eta = (double)g->zeta[q] + f;
        double pg = c->rd * tk * e->beta * ps;
        double vu = h * (ml * ((double)g->u[ql] - uk) + mu * (uk - (double)g->u[qu]));
        double vv = h * (ml * ((double)g->v[ql] - vk) + mu * (vk - (double)g->v[qu]));
        double vt = h * (ml * ((double)g->t[ql] - (double)g->t[q]) +
                         mu * ((double)g->t[q] - (double)g->t[qu]));
        double fu = eta * vk - vu - pg * px;
        double fv = -eta * uk - vv - pg * py;
        double tt = -(uk * (double)g->dtx[q] + vk * (double)g->dty[q]) - vt + c->kappa * tk * wop;
        g->ge[q] = (NJ_PE_REAL)(phi[k] + 0.5 * (uk * uk + vk * vk));
        if (c->hs) {
            double p = g->ah[k] + g->bh[k] * ps + 0.5 * e->dp, teq, kt, kv;
            nj_hs_rates(c, p, ps, s, &teq, &kt, &kv);
            fu -= kv * uk;
            fv -= kv * vk;
            tt -= kt * (tk - teq);
        }
        g->fu[q] = (NJ_PE_REAL)fu;
        g->fv[q] = (NJ_PE_REAL)fv;
        g->tt[q] = (NJ_PE_REAL)tt;
        for (int r = 0; r < c->ntr; r++) {
            size_t o = (size_t)r * L * n;
            const NJ_PE_REAL *qq = g->q + o;
            double vq = h * (ml * ((double)qq[ql] - (double)qq[q]) +
                             mu * ((double)qq[q] - (double)qq[qu]));
            g->qt[o + q] = (NJ_PE_REAL)(-(uk * (double)g->dqx[o + q] + vk * (double)g->dqy[o + q]) - vq);
        }
    }
}

/** The semi-implicit (gravity-wave) terms, linearised about an isothermal state
 *  T_r at rest with surface pressure p_r, for one spectral coefficient (real or
 *  imaginary part) of degree n, lam = n(n+1)/a^2:
 *    L delta = lam (gam T' + R T_r lnps),  L T' = -tau delta,  L lnps = -nu . delta
 *  with the L x L matrices gam (hydrostatic) and tau (energy conversion) and the
 *  vector nu of the reference state (lib/dyn/vcoord.c). solve = 0: out = L x;
 *  solve = 1: out = (1 - eta L)^-1 x through minv = (I + eta^2 lam (gam tau +
 *  R T_r 1 nu^T))^-1 of degree n. Values of level k at x[k * stride] (delta,
 *  T', lnps are separate arrays); in place allowed. */
NJ_HD void nj_pe_implicit_coef(int L, int solve, double eta, double lam, double rtr,
                               const double *gam, const double *tau, const double *nu,
                               const double *minv, size_t stride, const NJ_PE_REAL *d,
                               const NJ_PE_REAL *t, const NJ_PE_REAL *lp, NJ_PE_REAL *od,
                               NJ_PE_REAL *ot, NJ_PE_REAL *olp)
{
    double r[NJ_PE_MAXLEV], dn[NJ_PE_MAXLEV];
    const double lps = (double)lp[0];
    if (!solve) {
        for (int k = 0; k < L; k++) { /* gam T' + R T_r lnps */
            double a = rtr * lps;
            for (int j = 0; j < L; j++) a += gam[k * L + j] * (double)t[(size_t)j * stride];
            r[k] = lam * a;
        }
        double sl = 0;
        for (int k = 0; k < L; k++) {
            double a = 0;
            for (int j = 0; j < L; j++) a += tau[k * L + j] * (double)d[(size_t)j * stride];
            dn[k] = -a;
            sl += nu[k] * (double)d[(size_t)k * stride];
        }
        for (int k = 0; k < L; k++) {
            od[(size_t)k * stride] = (NJ_PE_REAL)r[k];
            ot[(size_t)k * stride] = (NJ_PE_REAL)dn[k];
        }
        olp[0] = (NJ_PE_REAL)(-sl);
        return;
    }
    for (int k = 0; k < L; k++) {
        double a = rtr * lps;
        for (int j = 0; j < L; j++) a += gam[k * L + j] * (double)t[(size_t)j * stride];
        r[k] = (double)d[(size_t)k * stride] + eta * lam * a;
    }
    for (int k = 0; k < L; k++) {
        double a = 0;
        for (int j = 0; j < L; j++) a += minv[k * L + j] * r[j];
        dn[k] = a;
    }
    double sl = 0;
    for (int k = 0; k < L; k++) sl += nu[k] * dn[k];
    olp[0] = (NJ_PE_REAL)(lps - eta * sl);
    for (int k = 0; k < L; k++) {
        double a = 0;
        for (int j = 0; j < L; j++) a += tau[k * L + j] * dn[j];
        r[k] = (double)t[(size_t)k * stride] - eta * a;
    }
    for (int k = 0; k < L; k++) {
        od[(size_t)k * stride] = (NJ_PE_REAL)dn[k];
        ot[(size_t)k * stride] = (NJ_PE_REAL)r[k];
    }
}

#endif
