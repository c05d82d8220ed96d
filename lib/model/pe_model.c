/* lib/model/pe_model.c — the primitive-equation parts of the model: parameters,
 * initial state (test cases or an analysis), grid fields for output and
 * diagnostics, pressure-level interpolation, checks. The driver (time loop,
 * output files, restarts, blow-up handling) is shared with the shallow-water
 * model in model.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dyn/pe_cases.h"
#include "../dyn/vinterp.h"
#include "../phys/held_suarez.h"
#include "model_impl.h"

enum { P_PS, P_OROG, P_U, P_V, P_T, P_Q, P_VOR, P_DIV, P_PHI, P_COUNT };
static const char *const pe_names[P_COUNT] = {"ps", "orog", "u", "v", "t", "q", "vor", "div", "phi"};
static const njord_cf_var pe_meta[P_COUNT] = {
    {"ps", "surface_air_pressure", "surface pressure", "Pa", 0, 0},
    {"orog", "surface_altitude", "orography (surface geopotential / g)", "m", 1, 0},
    {"u", "eastward_wind", "eastward wind", "m s-1", 0, 1},
    {"v", "northward_wind", "northward wind", "m s-1", 0, 1},
    {"t", "air_temperature", "temperature", "K", 0, 1},
    {"q", "specific_humidity", "specific humidity (passive tracer 1)", "kg kg-1", 0, 1},
    {"vor", "atmosphere_relative_vorticity", "relative vorticity", "s-1", 0, 1},
    {"div", "divergence_of_wind", "divergence", "s-1", 0, 1},
    {"phi", "geopotential", "geopotential at full levels", "m2 s-2", 0, 1},
};
enum { Q_UA, Q_VA, Q_TA, Q_ZG, Q_HUS, Q_COUNT };
static const char *const pl_names[Q_COUNT] = {"ua", "va", "ta", "zg", "hus"};
static const njord_cf_var pl_meta[Q_COUNT] = {
    {"ua", "eastward_wind", "eastward wind on pressure levels", "m s-1", 0, 2},
    {"va", "northward_wind", "northward wind on pressure levels", "m s-1", 0, 2},
    {"ta", "air_temperature", "temperature on pressure levels", "K", 0, 2},
    {"zg", "geopotential_height", "geopotential height on pressure levels", "m", 0, 2},
    {"hus", "specific_humidity", "specific humidity on pressure levels", "kg kg-1", 0, 2},
};

/* ------------------------------------------------------------------ parameters */

int nj_pem_read_params(njord_model *m, const njord_config *c)
{
    const char *cs = njord_config_get(c, "initial.case");
    m->pe_case = nj_pe_case_parse(cs);
    if (!m->pe_case && strcmp(cs, "file"))
        return nj_error(NJORD_EINVAL,
                        "initial.case = %s is not a primitive-equation case (jw06_steady, "
                        "jw06_wave, held_suarez or file)", cs);
    int st = nj_vcoord_parse(njord_config_get(c, "vertical.levels"), &m->vc);
    if (st) return nj_error_context(st, "vertical.levels");
    long ntr;
    TRY(njord_config_get_int(c, "vertical.tracers", &ntr));
    m->ntr = (int)ntr;
    TRY(njord_config_get_double(c, "planet.rd", &m->rd));
    TRY(njord_config_get_double(c, "planet.cp", &m->cp));
    TRY(njord_config_get_double(c, "dynamics.reference_temperature", &m->tref));
    TRY(njord_config_get_double(c, "dynamics.reference_pressure", &m->pref));
    m->hs = !strcmp(njord_config_get(c, "physics.forcing"), "held_suarez");
    const char *qv = njord_config_get(c, "initial.q_var");
    if (qv && *qv && m->ntr < 1)
        return nj_error(NJORD_EINVAL, "initial.q_var = %s needs vertical.tracers >= 1", qv);
    /* output on model levels and at the surface */
    static const int dflt[] = {P_PS, P_OROG, P_U, P_V, P_T};
    TRY(nj_model_parse_vars(c, "output.variables", pe_names, P_COUNT, dflt, 5, "primitive-equation",
                            m->out_fields, &m->nout));
    int want_ps = 0, want_ml = 0, want_q = 0;
    for (int i = 0; i < m->nout; i++) {
        want_ps |= m->out_fields[i] == P_PS;
        want_ml |= pe_meta[m->out_fields[i]].vert == 1;
        want_q |= m->out_fields[i] == P_Q;
    }
    if (want_q && m->ntr < 1) return nj_error(NJORD_EINVAL, "output.variables: q needs vertical.tracers >= 1");
    /* the hybrid coordinate's formula needs ps in the file */
    if (want_ml && !want_ps) {
        if (m->nout == NJ_MAX_OUT) return nj_error(NJORD_EINVAL, "output.variables: too many");
        m->out_fields[m->nout++] = P_PS;
    }
    /* pressure levels */
    TRY(nj_model_parse_vars(c, "output.pressure_variables", pl_names, Q_COUNT, NULL, 0,
                            "pressure-level", m->pout, &m->npout));
    for (int i = 0; i < m->npout; i++)
        if (m->pout[i] == Q_HUS && m->ntr < 1)
            return nj_error(NJORD_EINVAL, "output.pressure_variables: hus needs vertical.tracers >= 1");
    const char *const *items;
    int n;
    TRY(njord_config_get_list(c, "output.pressure_levels", &n, &items));
    m->nplev = 0;
    if (m->npout > 0) {
        if (n < 1) return nj_error(NJORD_EINVAL, "output.pressure_levels: none given");
        if (n > 64) return nj_error(NJORD_EINVAL, "output.pressure_levels: %d levels (at most 64)", n);
        for (int i = 0; i < n; i++) {
            /* in the "C" locale, as the configuration's numbers: a program in a
             * decimal-comma locale must still read "850.5" */
            char *end;
            double p = nj_strtod_c(items[i], &end);
            if (end == items[i] || *end || !(p > 0 && p < 1200))
                return nj_error(NJORD_EINVAL,
                                "output.pressure_levels: '%s' is not a pressure in hPa (0 < p < 1200)",
                                items[i]);
            m->plev[m->nplev++] = 100.0 * p;
        }
        for (int i = 2; i < m->nplev; i++) /* a CF coordinate: strictly monotonic */
            if ((m->plev[i] - m->plev[i - 1]) * (m->plev[1] - m->plev[0]) <= 0)
                return nj_error(NJORD_EINVAL, "output.pressure_levels: not strictly increasing or "
                                              "decreasing at %g hPa", m->plev[i] / 100);
        if (m->nplev == 2 && m->plev[0] == m->plev[1])
            return nj_error(NJORD_EINVAL, "output.pressure_levels: %g hPa twice", m->plev[0] / 100);
    }
    return NJORD_OK;
}

/* ------------------------------------------------------------------ initial state */

/* host initial fields on the local rows */
static int initial_fields(njord_model *m, const njord_config *c, double *u, double *v, double *t,
                          double *q, double *ps, double *phis)
{
    njord_sht_plan *p = m->plan;
    const int L = m->pe.L;
    const size_t ng = nj_model_ngrid(m);
    if (m->pe_case) {
        nj_pe_case_params pp = {m->radius, m->omega, m->gravity, m->rd};
        return nj_pe_case_fields(m->pe_case, &pp, &m->pe.vc, p->lat, p->nrows, p->rows, p->nlon, u,
                                 v, t, q, ps, phis);
    }
    /* an analysis: every rank reads the global grid and keeps its rows */
    njord_analysis_opts o;
    long ti;
    TRY(njord_config_get_int(c, "initial.time_index", &ti));
    o.file = njord_config_get(c, "initial.file");
    o.u = njord_config_get(c, "initial.u_var");
    o.v = njord_config_get(c, "initial.v_var");
    o.t = njord_config_get(c, "initial.t_var");
    o.ps = njord_config_get(c, "initial.ps_var");
    o.phis = njord_config_get(c, "initial.phis_var");
    o.q = njord_config_get(c, "initial.q_var");
    o.time_index = (int)ti;
    TRY(njord_config_get_double(c, "initial.surface_pressure", &o.ps_const));
    if ((!o.ps || !*o.ps) && !(o.ps_const > 0))
        return nj_error(NJORD_EINVAL, "initial state: initial.ps_var is empty and "
                                      "initial.surface_pressure is not set");
    const size_t nglob = (size_t)p->nlat * p->nlon;
    const int hasq = o.q && *o.q;
    double *buf = malloc(sizeof(double) * nglob * ((3 + (size_t)hasq) * L + 2));
    if (!buf) return nj_error(NJORD_ENOMEM, "initial state: out of memory");
    double *gu = buf, *gv = gu + L * nglob, *gt = gv + L * nglob, *gq = gt + L * nglob;
    double *gps = gq + (hasq ? L * nglob : 0), *gphis = gps + nglob;
    int st = njord_analysis_read(&o, p->nlat, p->nlon, p->lat, L, m->pe.vc.a, m->pe.vc.b, gu, gv,
                                 gt, hasq ? gq : NULL, gps, gphis);
    for (int k = 0; k < L && !st; k++)
        for (int i = 0; i < p->nrows; i++)
            for (int x = 0; x < p->nlon; x++) {
                size_t lo = (size_t)k * ng + (size_t)i * p->nlon + x;
                size_t go = (size_t)k * nglob + (size_t)p->rows[i] * p->nlon + x;
                u[lo] = gu[go];
                v[lo] = gv[go];
                t[lo] = gt[go];
                if (q) q[lo] = hasq ? gq[go] : 0.0;
                if (k == 0) {
                    ps[lo] = gps[go];
                    phis[lo] = gphis[go];
                }
            }
    free(buf);
    return st;
}

int nj_pem_setup(njord_model *m, const njord_config *c)
{
    njord_sht_plan *p = m->plan;
    nj_pe *pe = &m->pe;
    /* local failures are agreed on before the first collective (the transforms) */
    long dp = 0, n0 = 0;
    int st = nj_pe_init(pe, p, &m->vc, m->ntr, m->omega, m->rd, m->rd / m->cp, m->tref, m->pref);
    if (!st) st = njord_config_get_int(c, "dynamics.diffusion_order", &dp);
    if (!st) st = njord_config_get_int(c, "dynamics.diffusion_free_degree", &n0);
    if (!st) st = njord_config_get_double(c, "dynamics.diffusion_time", &pe->diff_time);
    pe->diff_order = (int)dp;
    pe->diff_free = (int)n0;
    if (m->hs) nj_hs_defaults(&pe->c);
    const int L = pe->L, ntr = pe->ntr;
    const size_t ng = nj_model_ngrid(m), ns = nj_model_nspec(m), g1 = ng ? ng : 1;
    m->nfields = pe->nf;
    m->nstate = (size_t)pe->nf * ns;
    if (!st) st = m->ops->alloc(sizeof(nj_real) * (m->nstate + 1), (void **)&m->x);
    if (!st) m->eq = nj_pe_equation(pe);
    /* host fields */
    const size_t nh = (3 + (size_t)ntr) * L * g1 + 2 * g1;
    double *h = malloc(sizeof(double) * nh);
    nj_real *hr = malloc(sizeof(nj_real) * (2 * (size_t)L + 1) * g1);
    nj_real *dev = NULL;
    if (!st && (!h || !hr)) st = nj_error(NJORD_ENOMEM, "initial state: out of memory");
    double *u = h, *v = u + L * g1, *t = v + L * g1, *q = t + L * g1;
    double *ps = q + (size_t)ntr * L * g1, *phis = ps + g1;
    if (!st) {
        memset(h, 0, sizeof(double) * nh);
        st = m->ops->alloc(sizeof(nj_real) * (2 * (size_t)L + 1) * g1, (void **)&dev);
    }
    if (!st) st = m->ops->alloc(sizeof(nj_real) * (ns ? ns : 1), (void **)&pe->phis_s);
    if (!st) st = initial_fields(m, c, u, v, t, ntr ? q : NULL, ps, phis);
    st = nj_model_agree(m, st);
    for (size_t i = 0; i < ng && !st; i++)
        if (!(ps[i] > 0)) st = nj_error(NJORD_EINVAL, "initial state: surface pressure %g Pa", ps[i]);
    st = nj_model_agree(m, st);
    /* winds -> vorticity, divergence */
    if (!st) {
        for (size_t i = 0; i < 2 * L * ng; i++) hr[i] = (nj_real)u[i]; /* u then v: adjacent */
        st = m->ops->from_host(dev, hr, sizeof(nj_real) * 2 * L * ng);
    }
    if (!st) st = njord_sht_vordiv_from_uv(p, dev, dev + L * ng, m->x, m->x + L * ns, L);
    /* T - T_ref, ln ps */
    if (!st) {
        for (size_t i = 0; i < L * ng; i++) hr[i] = (nj_real)(t[i] - m->tref);
        for (size_t i = 0; i < ng; i++) hr[L * ng + i] = (nj_real)log(ps[i]);
        st = m->ops->from_host(dev, hr, sizeof(nj_real) * (L + 1) * ng);
    }
    if (!st) st = njord_sht_analysis(p, dev, m->x + 2 * L * ns, L + 1);
    /* tracers */
    for (int r = 0; r < ntr && !st; r++) {
        for (size_t i = 0; i < L * ng; i++) hr[i] = (nj_real)q[(size_t)r * L * ng + i];
        st = m->ops->from_host(dev, hr, sizeof(nj_real) * L * ng);
        if (!st) st = njord_sht_analysis(p, dev, m->x + (3 * L + 1 + (size_t)r * L) * ns, L);
    }
    /* orography: the model's is the truncated spectral field (zero when flat) */
    st = nj_model_agree(m, st);
    if (!st) {
        for (size_t i = 0; i < ng; i++) hr[i] = (nj_real)phis[i];
        st = m->ops->from_host(dev, hr, sizeof(nj_real) * ng);
    }
    st = nj_model_agree(m, st);
    if (!st) st = njord_sht_analysis(p, dev, pe->phis_s, 1);
    if (!st) st = nj_pem_orography(m);
    if (dev) m->ops->free(dev);
    free(h);
    free(hr);
    return st;
}

/* The grid orography (m) from the spectral surface geopotential, so that output
 * and diagnostics see the orography the dynamics use. Collective. */
int nj_pem_orography(njord_model *m)
{
    const size_t ng = nj_model_ngrid(m);
    nj_real *g = m->pe.g_syn; /* work array */
    TRY(njord_sht_synth(m->plan, m->pe.phis_s, g, 1));
    TRY(m->ops->to_host(m->hs_grid, g, sizeof(nj_real) * ng));
    for (size_t i = 0; i < ng; i++) m->hs_grid[i] = (nj_real)(m->hs_grid[i] / m->gravity);
    return NJORD_OK;
}

/* ------------------------------------------------------------------ grid fields */

/* Host grid of the current state on the local rows: [u (L) | v (L) | zeta (L) |
 * delta (L) | T' (L) | ln ps | q (ntr L)], each ng values. */
static int local_grid(njord_model *m, nj_real *host)
{
    nj_pe *pe = &m->pe;
    const size_t ng = nj_model_ngrid(m);
    TRY(nj_pe_grid_state(pe, m->x));
    TRY(m->ops->to_host(host, pe->g_uv, sizeof(nj_real) * 2 * pe->L * ng));
    return m->ops->to_host(host + 2 * pe->L * ng, pe->g_syn, sizeof(nj_real) * pe->nf * ng);
}

static size_t local_grid_len(const njord_model *m)
{
    return (size_t)(2 * m->pe.L + m->pe.nf) * nj_model_ngrid(m) + 1;
}

/* geopotential (with Phi_s) at the full levels of column i into phi[L]; and, if
 * pphi is not NULL, the pressures the Simmons–Burridge full-level geopotential
 * belongs to: ln p_k = ln p_{k+1/2} - alpha_k (between the half levels) */
static void column_phi(const njord_model *m, const nj_real *g, size_t i, double *phi, double *pphi)
{
    const nj_pe *pe = &m->pe;
    const size_t ng = nj_model_ngrid(m);
    const int L = pe->L;
    const nj_real *t = g + 4 * L * ng;
    double ps = exp((double)g[5 * L * ng + i]);
    nj_pe_lev lv[NJ_PE_MAXLEV];
    nj_pe_column_coefs(L, pe->vc.a, pe->vc.b, ps, lv);
    nj_pe_geopotential(L, lv, m->rd, t + i, ng, m->tref, phi);
    for (int k = 0; k < L; k++) {
        phi[k] += m->gravity * m->hs_grid[i];
        if (pphi) pphi[k] = (pe->vc.a[k + 1] + pe->vc.b[k + 1] * ps) * exp(-lv[k].alpha);
    }
}

/* one output variable (model level / surface index k of pe_names) on the local
 * rows into out (L or 1 fields of ng); returns the number of fields */
static int local_var(njord_model *m, const nj_real *g, int k, nj_real *out)
{
    const int L = m->pe.L;
    const size_t ng = nj_model_ngrid(m);
    const nj_real *src = NULL;
    switch (k) {
    case P_PS:
        for (size_t i = 0; i < ng; i++) out[i] = (nj_real)exp((double)g[5 * L * ng + i]);
        return 1;
    case P_OROG:
        for (size_t i = 0; i < ng; i++) out[i] = m->hs_grid[i];
        return 1;
    case P_U: src = g; break;
    case P_V: src = g + L * ng; break;
    case P_VOR: src = g + 2 * L * ng; break;
    case P_DIV: src = g + 3 * L * ng; break;
    case P_Q: src = g + (5 * L + 1) * ng; break;
    case P_T:
        for (size_t i = 0; i < L * ng; i++) out[i] = (nj_real)((double)g[4 * L * ng + i] + m->tref);
        return L;
    case P_PHI: {
        double phi[NJ_PE_MAXLEV];
        for (size_t i = 0; i < ng; i++) {
            column_phi(m, g, i, phi, NULL);
            for (int q = 0; q < L; q++) out[(size_t)q * ng + i] = (nj_real)phi[q];
        }
        return L;
    }
    default: return 0;
    }
    memcpy(out, src, sizeof(nj_real) * L * ng);
    return L;
}

/* one pressure-level variable (index k of pl_names) on the local rows into out
 * (nplev fields of ng) */
static void local_plev(njord_model *m, const nj_real *g, int k, nj_real *out)
{
    const int L = m->pe.L, np = m->nplev;
    const size_t ng = nj_model_ngrid(m);
    double pf[NJ_PE_MAXLEV], pphi[NJ_PE_MAXLEV], col[NJ_PE_MAXLEV], phi[NJ_PE_MAXLEV], res[64];
    for (size_t i = 0; i < ng; i++) {
        double ps = exp((double)g[5 * L * ng + i]);
        nj_vinterp_full_levels(L, m->pe.vc.a, m->pe.vc.b, ps, pf);
        if (k == Q_TA || k == Q_ZG) {
            /* temperature at the mean pressure of its layer; the geopotential at
             * the pressure its hydrostatic integral belongs to */
            for (int q = 0; q < L; q++) col[q] = (double)g[4 * L * ng + q * ng + i] + m->tref;
            column_phi(m, g, i, phi, pphi);
            nj_vinterp_t_phi_to_p(L, k == Q_TA ? pf : pphi, col, phi, ps, m->gravity * m->hs_grid[i],
                                  np, m->plev, k == Q_TA ? res : NULL, k == Q_ZG ? res : NULL);
            if (k == Q_ZG)
                for (int q = 0; q < np; q++) res[q] /= m->gravity;
        } else {
            const nj_real *src = k == Q_UA ? g : k == Q_VA ? g + L * ng : g + (5 * L + 1) * ng;
            for (int q = 0; q < L; q++) col[q] = src[q * ng + i];
            nj_vinterp_logp(L, pf, col, np, m->plev, res);
        }
        for (int q = 0; q < np; q++) out[(size_t)q * ng + i] = (nj_real)res[q];
    }
}

int nj_pem_field(njord_model *m, const char *name, int root, njord_real *global)
{
    int k = 0;
    while (k < P_COUNT && strcmp(name, pe_names[k])) k++;
    if (k == P_COUNT || (k == P_Q && m->pe.ntr < 1))
        return nj_error(NJORD_EINVAL,
                        "njord_model_field: unknown field '%s' (ps, orog, u, v, t, %svor, div, phi)",
                        name, m->pe.ntr ? "q, " : "");
    const size_t ng = nj_model_ngrid(m);
    nj_real *g = malloc(sizeof(nj_real) * (local_grid_len(m) + (size_t)m->pe.L * ng));
    int st = g ? NJORD_OK : nj_error(NJORD_ENOMEM, "njord_model_field: out of memory");
    int nf = 0;
    st = nj_model_agree(m, st);
    if (!st) st = local_grid(m, g);
    if (!st) nf = local_var(m, g, k, g + local_grid_len(m));
    st = nj_model_agree(m, st);
    if (!st) st = njord_sht_gather_grid(m->plan, root, g + local_grid_len(m), global, nf);
    free(g);
    return st;
}

/* ------------------------------------------------------------------ output */

int nj_pem_open_vars(njord_model *m, njord_cf_var *vars, int *nv, njord_cf_vertical *vert,
                     double *buf)
{
    const int L = m->pe.L;
    *nv = 0;
    for (int i = 0; i < m->nout; i++) vars[(*nv)++] = pe_meta[m->out_fields[i]];
    for (int i = 0; i < m->npout; i++) vars[(*nv)++] = pl_meta[m->pout[i]];
    /* hybrid coefficients: full levels are the means of the half levels */
    double *am = buf, *bm = am + L, *ai = bm + L, *bi = ai + L + 1;
    for (int k = 0; k <= L; k++) {
        ai[k] = m->pe.vc.a[k];
        bi[k] = m->pe.vc.b[k];
    }
    for (int k = 0; k < L; k++) {
        am[k] = 0.5 * (ai[k] + ai[k + 1]);
        bm[k] = 0.5 * (bi[k] + bi[k + 1]);
    }
    vert->nlev = L;
    vert->hyam = am;
    vert->hybm = bm;
    vert->hyai = ai;
    vert->hybi = bi;
    vert->nplev = m->npout ? m->nplev : 0;
    vert->plev = m->plev;
    return NJORD_OK;
}

int nj_pem_write_output(njord_model *m)
{
    const int L = m->pe.L, np = m->nplev;
    const size_t ng = nj_model_ngrid(m), nglob = (size_t)m->plan->nlat * m->plan->nlon;
    const size_t maxl = (size_t)(L > np ? L : np);
    const size_t ntot = (size_t)m->nout + m->npout;
    nj_real *g = malloc(sizeof(nj_real) * (local_grid_len(m) + maxl * ng));
    nj_real *glob = m->rank == 0 ? malloc(sizeof(nj_real) * (nglob * maxl * ntot + 1)) : NULL;
    int st = (g && (m->rank != 0 || glob)) ? NJORD_OK : nj_error(NJORD_ENOMEM, "output: out of memory");
    st = nj_model_agree(m, st);
    if (!st) st = local_grid(m, g);
    nj_real *loc = g ? g + local_grid_len(m) : NULL;
    const njord_real *fields[2 * NJ_MAX_OUT];
    int nf = 0;
    /* every rank runs every gather; rank 0's write errors are agreed on at the end */
    int wst = NJORD_OK;
    for (size_t i = 0; i < ntot && !st; i++) {
        int nlev;
        int pl = i >= (size_t)m->nout;
        if (!pl) {
            nlev = local_var(m, g, m->out_fields[i], loc);
        } else {
            local_plev(m, g, m->pout[i - m->nout], loc);
            nlev = np;
        }
        nj_real *dst = glob ? glob + nglob * maxl * i : NULL;
        st = njord_sht_gather_grid(m->plan, 0, loc, dst, nlev);
        if (!st && !wst && m->rank == 0) {
            if (!pl && m->out_fields[i] == P_OROG) {
                if (njord_cf_nsteps(m->writer) == 0) wst = njord_cf_write_static(m->writer, "orog", dst);
            } else {
                fields[nf++] = dst;
            }
        }
    }
    if (!st && !wst && m->rank == 0)
        wst = njord_cf_write_step(m->writer, njord_model_time(m) / 3600.0, nf, fields);
    st = nj_model_agree(m, st ? st : wst);
    free(g);
    free(glob);
    return st;
}

/* ------------------------------------------------------------------ diagnostics */

int nj_pem_diagnostics(njord_model *m, njord_diag *dg)
{
    const nj_pe *pe = &m->pe;
    const int L = pe->L;
    const size_t ng = nj_model_ngrid(m);
    nj_real *g = malloc(sizeof(nj_real) * local_grid_len(m));
    nj_real *q = malloc(sizeof(nj_real) * (3 * ng + 1));
    int st = (g && q) ? NJORD_OK : nj_error(NJORD_ENOMEM, "diagnostics: out of memory");
    st = nj_model_agree(m, st);
    if (!st) st = local_grid(m, g);
    double vmax = 0, pmin = INFINITY, pmax = -INFINITY;
    for (size_t i = 0; i < ng && !st; i++) {
        double ps = exp((double)g[5 * L * ng + i]), e = 0, z2 = 0;
        for (int k = 0; k < L; k++) {
            size_t o = (size_t)k * ng + i;
            double dp = (pe->vc.a[k + 1] - pe->vc.a[k]) + (pe->vc.b[k + 1] - pe->vc.b[k]) * ps;
            double u = g[o], v = g[L * ng + o], z = g[2 * L * ng + o];
            double t = (double)g[4 * L * ng + o] + m->tref;
            e += (m->cp * t + 0.5 * (u * u + v * v)) * dp / m->gravity;
            z2 += 0.5 * z * z * dp;
            vmax = fmax(vmax, sqrt(u * u + v * v));
        }
        e += m->hs_grid[i] * ps; /* Phi_s ps / g */
        q[i] = (nj_real)ps;
        q[ng + i] = (nj_real)e;
        q[2 * ng + i] = (nj_real)(z2 / ps);
        pmin = fmin(pmin, ps);
        pmax = fmax(pmax, ps);
    }
    st = nj_model_agree(m, st);
    double means[3] = {0};
    for (int k = 0; k < 3 && !st; k++) st = njord_sht_grid_mean(m->plan, q + k * ng, 1, &means[k]);
    if (!st && m->comm != MPI_COMM_NULL) {
        double mx[3] = {vmax, -pmin, pmax};
        MPI_Allreduce(MPI_IN_PLACE, mx, 3, MPI_DOUBLE, MPI_MAX, m->comm);
        vmax = mx[0];
        pmin = -mx[1];
        pmax = mx[2];
    }
    if (!st) {
        dg->time = njord_model_time(m);
        dg->step = m->steps;
        dg->mass = means[0];
        dg->energy = means[1];
        dg->enstrophy = means[2];
        dg->max_wind = vmax;
        dg->l1 = dg->l2 = dg->linf = NAN;
        dg->ps_min = pmin;
        dg->ps_max = pmax;
    }
    free(g);
    free(q);
    return st;
}

/* ------------------------------------------------------------------ checks */

int nj_pem_check_grid(njord_model *m, const char **what, double *lat, double *lon, double *val,
                      int *bad)
{
    const int L = m->pe.L;
    const size_t ng = nj_model_ngrid(m);
    nj_real *g = malloc(sizeof(nj_real) * local_grid_len(m));
    int st = nj_model_agree(m, g ? NJORD_OK : nj_error(NJORD_ENOMEM, "model check: out of memory"));
    if (!st) st = local_grid(m, g);
    *bad = 0;
    for (size_t i = 0; i < ng && !st && !*bad; i++) {
        double lps = g[5 * L * ng + i];
        if (!isfinite(lps) || lps > log(2e5) || lps < log(1e3)) {
            *what = "surface pressure";
            *val = exp(lps);
            *bad = 1;
        }
        for (int k = 0; k < L && !*bad; k++) {
            size_t o = (size_t)k * ng + i;
            double u = g[o], v = g[L * ng + o], t = (double)g[4 * L * ng + o] + m->tref;
            if (!isfinite(u) || fabs(u) > NJ_MAX_WIND) *what = "eastward wind", *val = u, *bad = 1;
            else if (!isfinite(v) || fabs(v) > NJ_MAX_WIND) *what = "northward wind", *val = v, *bad = 1;
            else if (!isfinite(t) || t < 50 || t > 1000) *what = "temperature", *val = t, *bad = 1;
        }
        if (*bad) {
            *lat = m->plan->lat[m->plan->rows[i / m->plan->nlon]] * 180 / M_PI;
            *lon = 360.0 * (double)(i % m->plan->nlon) / m->plan->nlon;
        }
    }
    free(g);
    return st;
}
