/* lib/model/model.c — the shallow-water model: configuration, initial state, time
 * loop with output and checks, diagnostics. The equations are in lib/dyn, the
 * integrators in lib/time, the arithmetic in the backends. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/nc_util.h"
#include "model_impl.h"
#include "njord/config.h"
#include "njord/io.h"
#include "njord/model.h"


static const char *const field_names[F_COUNT] = {"u", "v", "zg", "h", "vor", "div", "orog", "pv"};
static const njord_cf_var field_meta[F_COUNT] = {
    {"u", "eastward_wind", "eastward wind", "m s-1", 0, 0},
    {"v", "northward_wind", "northward wind", "m s-1", 0, 0},
    {"zg", "geopotential_height", "free-surface height (fluid depth + orography)", "m", 0, 0},
    {"h", NULL, "fluid depth", "m", 0, 0},
    {"vor", "atmosphere_relative_vorticity", "relative vorticity", "s-1", 0, 0},
    {"div", "divergence_of_wind", "divergence", "s-1", 0, 0},
    {"orog", "surface_altitude", "orography", "m", 1, 0},
    {"pv", NULL, "potential vorticity (zeta + f) / h", "m-1 s-1", 0, 0},
};



/* ------------------------------------------------------------------ helpers */

static int cfg_double(const njord_config *c, const char *k, double *v)
{
    return njord_config_get_double(c, k, v);
}

static int cfg_long(const njord_config *c, const char *k, long *v)
{
    return njord_config_get_int(c, k, v);
}

/* every rank must agree on a status, or collectives hang */
int nj_model_agree(njord_model *m, int st)
{
    if (m->comm == MPI_COMM_NULL) return st;
    int bad = st != NJORD_OK, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, m->comm);
    if (any && !st) return nj_error(NJORD_EINVAL, "model: failed on another rank");
    return st;
}

#define agree nj_model_agree
#define ngrid nj_model_ngrid
#define nspec nj_model_nspec

/* Local grid fields of the current state on the host: u, v, zeta, Phi (depth
 * geopotential, absolute), div; arrays of ngrid each, in one block of 5. */
static int local_grid_state(njord_model *m, nj_real *host5)
{
    const size_t ng = ngrid(m), ns = nspec(m);
    nj_sw *sw = &m->sw;
    nj_real *x = m->x;
    TRY(njord_sht_uv_from_vordiv(m->plan, x, x + 2 * ns, sw->g_uv, sw->g_uv + ng, 1));
    TRY(njord_sht_synth(m->plan, x, sw->g_zp, 2));
    TRY(m->ops->to_host(host5, sw->g_uv, sizeof(nj_real) * 2 * ng));
    TRY(m->ops->to_host(host5 + 2 * ng, sw->g_zp, sizeof(nj_real) * 2 * ng));
    TRY(njord_sht_synth(m->plan, x + 2 * ns, sw->g_ke, 1));
    TRY(m->ops->to_host(host5 + 4 * ng, sw->g_ke, sizeof(nj_real) * ng));
    for (size_t i = 0; i < ng; i++) host5[3 * ng + i] += (nj_real)m->phiref;
    return NJORD_OK;
}

/* ------------------------------------------------------------------ creation */

int nj_model_parse_vars(const njord_config *c, const char *key, const char *const *names,
                        int nnames, const int *dflt, int ndflt, const char *what, int *out, int *nout)
{
    const char *const *items;
    int n;
    TRY(njord_config_get_list(c, key, &n, &items));
    *nout = 0;
    if (n == 0)
        return nj_error(NJORD_EINVAL, "%s is empty: name the variables, or none for no %s output",
                        key, what);
    if (n == 1 && !strcmp(items[0], "auto")) {
        for (int i = 0; i < ndflt; i++) out[(*nout)++] = dflt[i];
        return NJORD_OK;
    }
    if (n == 1 && !strcmp(items[0], "none")) return NJORD_OK;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < nnames && strcmp(items[i], names[k])) k++;
        if (k == nnames) {
            char list[256] = "";
            for (int j = 0; j < nnames; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", names[j]);
            return nj_error(NJORD_EINVAL, "%s: '%s' is not a %s variable (%s)", key, items[i], what, list);
        }
        if (*nout == NJ_MAX_OUT) return nj_error(NJORD_EINVAL, "%s: more than %d variables", key, NJ_MAX_OUT);
        out[(*nout)++] = k;
    }
    return NJORD_OK;
}

/* Keys of the other model set away from their defaults: an error, since they
 * would be ignored (a config meant for the other equations, or a typo). */
static int check_unused_keys(const njord_config *c, int primitive)
{
    static const char *const pe_only[] = {
        "vertical.levels", "vertical.tracers", "physics.forcing", "dynamics.reference_temperature",
        "dynamics.reference_pressure", "output.pressure_variables", "output.pressure_levels",
        "initial.t_var", "initial.ps_var", "initial.phis_var", "initial.q_var",
        "initial.surface_pressure", "planet.rd", "planet.cp", NULL};
    static const char *const sw_only[] = {"initial.h_var", "initial.mean_depth",
                                          "dynamics.reference_geopotential", NULL};
    njord_config *d = NULL;
    int st = njord_config_create(&d);
    for (const char *const *k = primitive ? sw_only : pe_only; !st && *k; k++) {
        const char *v = njord_config_get(c, *k), *dv = njord_config_get(d, *k);
        if (v && dv && strcmp(v, dv))
            st = nj_error(NJORD_EINVAL, "%s = %s applies only to model.equations = %s (this is %s)",
                          *k, v, primitive ? "shallow_water" : "primitive",
                          njord_config_get(c, "model.equations"));
    }
    njord_config_destroy(d);
    return st;
}

static int read_params(njord_model *m, const njord_config *c)
{
    const char *eqn = njord_config_get(c, "model.equations");
    const char *cs = njord_config_get(c, "initial.case");
    if (!eqn || !cs) return NJORD_EINVAL;
    TRY(check_unused_keys(c, !strcmp(eqn, "primitive")));
    TRY(cfg_double(c, "planet.radius", &m->radius));
    TRY(cfg_double(c, "planet.omega", &m->omega));
    TRY(cfg_double(c, "planet.gravity", &m->gravity));
    TRY(cfg_double(c, "time.dt", &m->dt));
    TRY(cfg_double(c, "time.length", &m->length));
    TRY(cfg_double(c, "output.interval", &m->out_interval));
    TRY(cfg_double(c, "run.check_interval", &m->check_interval));
    m->out_every = lround(m->out_interval / m->dt);
    if (m->out_every < 1 || fabs(m->out_every * m->dt - m->out_interval) > 1e-6 * m->out_interval)
        return nj_error(NJORD_EINVAL,
                        "output.interval = %g s is not a multiple of time.dt = %g s",
                        m->out_interval, m->dt);
    m->check_every = lround(m->check_interval / m->dt);
    if (m->check_every < 1) m->check_every = 1;
    if (fabs(lround(m->length / m->dt) * m->dt - m->length) > 1e-6 * m->length)
        return nj_error(NJORD_EINVAL, "time.length = %g s is not a multiple of time.dt = %g s",
                        m->length, m->dt);
    snprintf(m->start, sizeof m->start, "%s", njord_config_get(c, "time.start"));
    snprintf(m->case_name, sizeof m->case_name, "%s", cs);
    m->advection = !strcmp(eqn, "advection");
    m->pe_mode = !strcmp(eqn, "primitive");
    TRY(nj_model_ensemble_params(m, c));
    /* restarts */
    const char *ro = njord_config_get(c, "restart.output");
    double rint;
    TRY(cfg_double(c, "restart.interval", &rint));
    m->restart_every = rint > 0 ? lround(rint / m->dt) : 0;
    if (rint > 0 && (m->restart_every < 1 || fabs(m->restart_every * m->dt - rint) > 1e-6 * rint))
        return nj_error(NJORD_EINVAL, "restart.interval = %g s is not a multiple of time.dt = %g s",
                        rint, m->dt);
    m->restart_out = strdup(ro ? ro : "");
    if (!m->restart_out) return nj_error(NJORD_ENOMEM, "model: out of memory");
    TRY(njord_config_get_bool(c, "output.overwrite", &m->overwrite));
    const char *of = njord_config_get(c, "output.file");
    m->out_path = strdup(of ? of : "");
    long dfl;
    TRY(cfg_long(c, "output.deflate", &dfl));
    m->deflate = (int)dfl;
    if (!m->out_path) return nj_error(NJORD_ENOMEM, "model: out of memory");
    if (*m->out_path && !strcmp(m->out_path, m->restart_out))
        return nj_error(NJORD_EINVAL, "restart.output and output.file are the same file (%s)",
                        m->out_path);
    m->out_last = -1;
    /* cases, levels, physics and output variables of the primitive equations */
    if (m->pe_mode) return nj_pem_read_params(m, c);
    m->tc = nj_testcase_parse(cs);
    if (!m->tc && strcmp(cs, "file"))
        return nj_error(NJORD_EINVAL, "initial.case = %s is not a known case", cs);
    if (m->advection && m->tc != NJ_TC_WILLIAMSON1)
        return nj_error(NJORD_EINVAL,
                        "model.equations = advection needs initial.case = williamson1 (got %s)", cs);
    if (m->tc == NJ_TC_WILLIAMSON1 && !m->advection)
        return nj_error(NJORD_EINVAL,
                        "initial.case = williamson1 needs model.equations = advection");
    m->tcp.radius = m->radius;
    m->tcp.omega = m->omega;
    m->tcp.gravity = m->gravity;
    TRY(cfg_double(c, "initial.alpha", &m->tcp.alpha));
    static const int dflt[] = {F_U, F_V, F_ZG, F_VOR, F_DIV};
    return nj_model_parse_vars(c, "output.variables", field_names, F_COUNT, dflt, 5, "shallow-water",
                               m->out_fields, &m->nout);
}

static int make_plan(njord_model *m, const njord_config *c, MPI_Comm comm)
{
    long T, nlat, nlon;
    TRY(cfg_long(c, "grid.trunc", &T));
    TRY(cfg_long(c, "grid.nlat", &nlat));
    TRY(cfg_long(c, "grid.nlon", &nlon));
    const char *gk = njord_config_get(c, "grid.grid");
    njord_grid_kind kind = !strcmp(gk, "linear") ? NJORD_GRID_LINEAR
                           : !strcmp(gk, "cubic") ? NJORD_GRID_CUBIC
                                                  : NJORD_GRID_QUADRATIC;
    int gl, gn;
    TRY(njord_grid_size((int)T, kind, &gl, &gn));
    njord_backend_kind bk;
    TRY(njord_backend_parse(njord_config_get(c, "backend.kind"), &bk));
    njord_sht_desc d = {.trunc = (int)T,
                        .nlat = nlat ? (int)nlat : gl,
                        .nlon = nlon ? (int)nlon : gn,
                        .max_batch = m->pe_mode ? 3 * m->vc.nlev + 1 + m->ntr * m->vc.nlev : 2,
                        .backend = bk,
                        .radius = m->radius,
                        .comm = comm};
    int st = njord_sht_plan_create(&d, &m->plan);
    if (st) return nj_error_context(st, "grid T%ld", T);
    m->ops = m->plan->ops;
    return NJORD_OK;
}

/* Initial state on the host grid (local rows): u, v, free-surface height, orography. */
static int initial_grid(njord_model *m, const njord_config *c, double *u, double *v, double *h,
                        double *hs, int *have_h)
{
    njord_sht_plan *p = m->plan;
    *have_h = 1;
    if (m->tc)
        return nj_testcase_fields(m->tc, &m->tcp, p->nlat, p->lat, p->w, p->nrows, p->rows,
                                  p->nlon, 0.0, u, v, h, hs);
    /* from a file: every rank reads the whole grid and keeps its rows */
    const char *path = njord_config_get(c, "initial.file");
    if (!path || !*path) return nj_error(NJORD_EINVAL, "initial.case = file needs initial.file");
    njord_read_opts o;
    long ti;
    TRY(cfg_long(c, "initial.time_index", &ti));
    o.time_index = (int)ti;
    TRY(cfg_double(c, "initial.level", &o.level));
    size_t nglob = (size_t)p->nlat * p->nlon;
    njord_real *buf = malloc(sizeof(njord_real) * nglob);
    if (!buf) return nj_error(NJORD_ENOMEM, "initial state: out of memory");
    const char *vars[3] = {njord_config_get(c, "initial.u_var"), njord_config_get(c, "initial.v_var"),
                           njord_config_get(c, "initial.h_var")};
    double *dst[3] = {u, v, h};
    int st = NJORD_OK;
    for (int k = 0; k < 3 && !st; k++) {
        if (k == 2 && (!vars[2] || !*vars[2])) {
            *have_h = 0;
            break;
        }
        /* VAR (in initial.file), PATH:VAR, either with [UNITS], as for the
         * primitive equations; winds in m/s, the depth in m or as a
         * geopotential (divided by the model's gravity) */
        static const char *const key[3] = {"u_var", "v_var", "h_var"};
        nj_nc_spec sp;
        const char *why;
        if (nj_nc_spec_parse(vars[k], path, &sp, &why) != NJORD_OK) {
            st = nj_error(NJORD_EINVAL, "initial.%s = %s: %s", key[k], vars[k], why);
            break;
        }
        nj_nc_spec_units(&sp);
        double scale = 1.0;
        if (sp.units_given && !nj_units_is(sp.units, k < 2 ? NJ_U_WIND : NJ_U_METRE)) {
            if (k == 2 && nj_units_is(sp.units, NJ_U_GEOPOT)) {
                scale = 1.0 / m->gravity;
            } else {
                st = nj_error(NJORD_EFORMAT,
                              "initial.%s = %s: variable '%s' in '%s' has units '%s' (%s "
                              "expected); if they are wrong, give them in the spec, e.g. '%s[%s]'",
                              key[k], vars[k], sp.var, sp.path, sp.units,
                              k < 2 ? "m/s" : "m, or m2 s-2 for a geopotential", sp.var,
                              k < 2 ? "m/s" : "m");
                break;
            }
        }
        st = njord_latlon_read(sp.path, sp.var, &o, p->nlat, p->nlon, p->lat, buf);
        for (int i = 0; i < p->nrows && !st; i++)
            for (int q = 0; q < p->nlon; q++) {
                const double x = buf[(size_t)p->rows[i] * p->nlon + q] * scale;
                if (k == 2 && !m->advection && !(x > 0))
                    st = nj_error(NJORD_EINVAL,
                                  "initial.h_var = %s: fluid depth %g m at latitude %.2f, "
                                  "longitude %.2f; the shallow-water depth must be positive",
                                  vars[k], x, p->lat[p->rows[i]] * 180 / M_PI,
                                  360.0 * q / p->nlon);
                dst[k][(size_t)i * p->nlon + q] = x;
            }
    }
    free(buf);
    for (size_t i = 0; i < ngrid(m); i++) hs[i] = 0;
    return st;
}

/* Height in balance with the wind (for files without height): the steady
 * divergence equation, lap(Phi + E) = curl(eta V), solved spectrally, plus the
 * configured mean depth. */
int nj_model_balanced_height(njord_model *m, double mean_depth)
{
    nj_sw *sw = &m->sw;
    const size_t ns = nspec(m), ng = ngrid(m);
    nj_real *x = m->x;
    TRY(njord_sht_uv_from_vordiv(m->plan, x, x + 2 * ns, sw->g_uv, sw->g_uv + ng, 1));
    TRY(njord_sht_synth(m->plan, x, sw->g_zp, 1));
    TRY(m->ops->sw_fluxes(ng, sw->g_uv, sw->g_uv + ng, sw->g_zp, sw->g_zp, sw->fcor, sw->g_fu,
                          sw->g_fv, sw->g_ke));
    TRY(njord_sht_vordiv_from_uv(m->plan, sw->g_fu, sw->g_fv, sw->s_vor, sw->s_div, 1));
    TRY(njord_sht_analysis(m->plan, sw->g_ke, sw->s_ke, 1));
    TRY(njord_sht_inverse_laplacian(m->plan, sw->s_vor, x + ns, 1));
    TRY(m->ops->axpby(ns, -1.0, sw->s_ke, 1.0, x + ns));
    /* set the mean: Phi_0^0 lives on the rank owning m = 0 (local index 0) */
    if (m->plan->nm > 0 && m->plan->mloc[0] == 0) {
        nj_real c[2] = {(nj_real)(m->gravity * mean_depth), 0};
        TRY(m->ops->from_host(x + ns, c, sizeof c));
    }
    return NJORD_OK;
}

static int init_state(njord_model *m, const njord_config *c)
{
    njord_sht_plan *p = m->plan;
    const size_t ng = ngrid(m), ns = nspec(m);
    double *hd = malloc(sizeof(double) * (ng ? ng : 1) * 4);
    nj_real *hr = malloc(sizeof(nj_real) * (ng ? ng : 1) * 3);
    nj_real *dev = NULL;
    int st = (!hd || !hr) ? nj_error(NJORD_ENOMEM, "initial state: out of memory") : NJORD_OK;
    if (!st) st = m->ops->alloc(sizeof(nj_real) * 3 * (ng ? ng : 1), (void **)&dev);
    int have_h = 1;
    double *u = hd, *v = hd + ng, *h = hd + 2 * ng, *hs = hd + 3 * ng;
    if (!st) st = initial_grid(m, c, u, v, h, hs, &have_h);
    st = agree(m, st);
    if (!st) {
        /* winds -> vorticity, divergence */
        for (size_t i = 0; i < ng; i++) {
            hr[i] = (nj_real)u[i];
            hr[ng + i] = (nj_real)v[i];
            hr[2 * ng + i] = (nj_real)hs[i];
            m->hs_grid[i] = (nj_real)hs[i];
        }
        st = m->ops->from_host(dev, hr, sizeof(nj_real) * 3 * ng);
        if (!st) st = njord_sht_vordiv_from_uv(p, dev, dev + ng, m->x, m->x + 2 * ns, 1);
        if (m->advection && !st) { /* the fixed wind, on the grid */
            st = m->ops->alloc(sizeof(nj_real) * 2 * (ng ? ng : 1), (void **)&m->sw.adv_uv);
            if (!st) st = m->ops->from_host(m->sw.adv_uv, hr, sizeof(nj_real) * 2 * ng);
        }
        /* orography: Phi_s = g hs, spectral */
        int any_orog = 0;
        for (size_t i = 0; i < ng; i++) any_orog |= hs[i] != 0;
        if (m->comm != MPI_COMM_NULL)
            MPI_Allreduce(MPI_IN_PLACE, &any_orog, 1, MPI_INT, MPI_MAX, m->comm);
        if (!st && any_orog) {
            for (size_t i = 0; i < ng; i++) hr[2 * ng + i] = (nj_real)(m->gravity * hs[i]);
            st = m->ops->from_host(dev + 2 * ng, hr + 2 * ng, sizeof(nj_real) * ng);
            if (!st) st = m->ops->alloc(sizeof(nj_real) * (ns ? ns : 1), (void **)&m->sw.phis_s);
            if (!st) st = njord_sht_analysis(p, dev + 2 * ng, m->sw.phis_s, 1);
        }
    }
    /* depth geopotential Phi = g (h - hs); its reference: the global mean */
    double ref = 0;
    if (!st) st = cfg_double(c, "dynamics.reference_geopotential", &ref);
    m->phiref_cfg = ref;
    if (!st && have_h) {
        for (size_t i = 0; i < ng; i++) hr[i] = (nj_real)(m->gravity * (h[i] - hs[i]));
        double mean = 0;
        st = njord_sht_grid_mean(p, hr, 1, &mean);
        m->phiref = m->advection ? 0.0 : (ref > 0 ? ref : mean);
        for (size_t i = 0; i < ng && !st; i++) hr[i] = (nj_real)(hr[i] - m->phiref);
        if (!st) st = m->ops->from_host(dev, hr, sizeof(nj_real) * ng);
        if (!st) st = njord_sht_analysis(p, dev, m->x + ns, 1);
    } else if (!st) {
        double depth;
        st = cfg_double(c, "initial.mean_depth", &depth);
        if (!st) st = nj_model_balanced_height(m, depth);
        m->phiref = ref > 0 ? ref : m->gravity * depth;
        if (!st && m->plan->nm > 0 && m->plan->mloc[0] == 0) {
            nj_real c0[2] = {(nj_real)(m->gravity * depth - m->phiref), 0};
            st = m->ops->from_host(m->x + ns, c0, sizeof c0);
        }
    }
    m->sw.phiref = m->phiref;
    if (dev) m->ops->free(dev);
    free(hd);
    free(hr);
    return st;
}

static int has_output(const njord_model *m);

/* Rank 0 writes the output and restart files: a missing or unwritable directory
 * stops the run now, not at its first output or restart hours later. */
static int check_destinations(const njord_model *m, MPI_Comm comm)
{
    int rank = 0;
    if (comm != MPI_COMM_NULL) {
        njord_init(NULL, NULL);
        MPI_Comm_rank(comm, &rank);
    }
    if (rank != 0) return NJORD_OK;
    if (has_output(m) && njord_path_writable(m->out_path))
        return nj_error_context(NJORD_EIO, "output.file");
    if (*m->restart_out && njord_path_writable(m->restart_out))
        return nj_error_context(NJORD_EIO, "restart.output");
    return NJORD_OK;
}

int njord_model_create(const njord_config *cfg, MPI_Comm comm, njord_model **model)
{
    if (!model) return nj_error(NJORD_EINVAL, "njord_model_create: model is NULL");
    *model = NULL;
    if (!cfg) return nj_error(NJORD_EINVAL, "njord_model_create: cfg is NULL");
    njord_model *m = calloc(1, sizeof *m);
    if (!m) return nj_error(NJORD_ENOMEM, "model: out of memory");
    m->comm = MPI_COMM_NULL;
    int st = njord_config_to_string(cfg, &m->cfg_text);
    if (!st) st = read_params(m, cfg);
    if (!st) st = check_destinations(m, comm);
    if (comm != MPI_COMM_NULL) {
        /* validation errors are local and identical on every rank; agree anyway */
        int bad = st != NJORD_OK, any = 0;
        njord_init(NULL, NULL);
        MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
        if (any && !st) st = nj_error(NJORD_EINVAL, "model: configuration failed on another rank");
    }
    if (!st) st = make_plan(m, cfg, comm);
    if (!st) {
        m->comm = m->plan->comm;
        m->rank = m->plan->rank;
        m->hs_grid = calloc(ngrid(m) + 1, sizeof(nj_real));
        if (!m->hs_grid) st = nj_error(NJORD_ENOMEM, "model: out of memory");
    }
    if (!st && m->pe_mode) {
        st = nj_pem_setup(m, cfg); /* equations, state and initial state */
    } else if (!st) {
        long p, n0;
        /* Williamson test 2 with alpha != 0 tilts the rotation axis with the flow */
        m->tilt = m->tc == NJ_TC_WILLIAMSON2 ? m->tcp.alpha : 0.0;
        st = nj_sw_init(&m->sw, m->plan, m->advection, m->omega, m->tilt);
        if (!st) st = cfg_long(cfg, "dynamics.diffusion_order", &p);
        if (!st) st = cfg_long(cfg, "dynamics.diffusion_free_degree", &n0);
        if (!st) st = cfg_double(cfg, "dynamics.diffusion_time", &m->sw.diff_time);
        m->sw.diff_order = (int)p;
        m->sw.diff_free = (int)n0;
        m->nfields = 3;
        m->nstate = 3 * nspec(m);
        if (!st) st = m->ops->alloc(sizeof(nj_real) * (m->nstate + 1), (void **)&m->x);
        if (!st) st = init_state(m, cfg);
        if (!st) m->eq = nj_sw_equation(&m->sw);
    }
    if (!st) st = m->ops->alloc(sizeof(nj_real) * (m->nstate + 1), (void **)&m->good);
    if (!st) st = m->ops->alloc(sizeof(nj_real) * (m->nstate + 1), (void **)&m->good_prev);
    if (!st) {
        const char *ik = njord_config_get(cfg, "time.integrator");
        snprintf(m->integrator, sizeof m->integrator, "%s", ik);
        double nu, alpha;
        st = cfg_double(cfg, "time.robert_nu", &nu);
        if (!st) st = cfg_double(cfg, "time.williams_alpha", &alpha);
        if (!st)
            st = nj_integrator_create(!strcmp(ik, "imex-sil3") ? NJ_INT_IMEX_SIL3 : NJ_INT_LEAPFROG,
                                      &m->eq, m->dt, nu, alpha, &m->it);
    }
    if (m->plan) st = agree(m, st);
    /* a restart replaces the initial state (and is checked against this configuration) */
    const char *rin = njord_config_get(cfg, "restart.input");
    if (!st && rin && *rin) {
        st = nj_restart_read(m, rin);
        m->initial_done = 1; /* the restart time was output by the run that wrote it */
    } else if (!st) {
        st = nj_model_ensemble_perturb(m); /* an ensemble member's initial perturbation */
    }
    if (!st) st = m->ops->axpby(m->nstate, 1.0, m->x, 0.0, m->good);
    if (!st) m->good_steps = m->steps;
    if (!st && nj_integrator_previous(m->it))
        st = m->ops->axpby(m->nstate, 1.0, nj_integrator_previous(m->it), 0.0, m->good_prev);
    if (m->plan) st = agree(m, st);
    if (st) {
        njord_model_destroy(m);
        return st;
    }
    *model = m;
    return NJORD_OK;
}

/* Where a failed run's output goes: output.file with ".partial" before its
 * ".nc" (or appended), so that output.file only ever holds complete runs. */
static void partial_path(const char *path, char *buf, size_t n)
{
    size_t len = strlen(path);
    if (len > 3 && !strcmp(path + len - 3, ".nc"))
        snprintf(buf, n, "%.*s.partial.nc", (int)(len - 3), path);
    else
        snprintf(buf, n, "%s.partial", path);
}

/* Complete the output file (rank 0 holds the writer): at output.file, or after
 * a failed run at its partial path. */
static int close_output(njord_model *m)
{
    int st = NJORD_OK;
    if (m->out_open) m->out_done = 1;
    if (m->writer) {
        char part[4096];
        partial_path(m->out_path, part, sizeof part);
        st = njord_cf_close_as(m->writer, m->failed ? part : NULL);
        njord_cf_destroy(m->writer);
        m->writer = NULL;
    }
    return st;
}

int njord_model_close_output(njord_model *m)
{
    if (!m) return nj_error(NJORD_EINVAL, "njord_model_close_output: model is NULL");
    int st = close_output(m);
    if (st) nj_error_context(st, "output file %s", m->out_path);
    return agree(m, st);
}

void njord_model_destroy(njord_model *m)
{
    if (!m) return;
    close_output(m);
    nj_integrator_destroy(m->it);
    if (m->ops) {
        if (m->x) m->ops->free(m->x);
        if (m->good) m->ops->free(m->good);
        if (m->good_prev) m->ops->free(m->good_prev);
    }
    nj_sw_free(&m->sw);
    nj_pe_free(&m->pe);
    nj_vcoord_free(&m->vc);
    njord_sht_plan_destroy(m->plan);
    free(m->restart_out);
    free(m->cfg_text);
    free(m->out_path);
    free(m->hs_grid);
    free(m);
}

/* ------------------------------------------------------------------ queries */

double njord_model_time(const njord_model *m) { return m ? m->steps * m->dt : 0.0; }
long njord_model_steps(const njord_model *m) { return m ? m->steps : 0; }
double njord_model_dt(const njord_model *m) { return m ? m->dt : 0.0; }
const njord_sht_plan *njord_model_plan(const njord_model *m) { return m ? m->plan : NULL; }

int njord_model_grid(const njord_model *m, int *nlat, int *nlon, const double **lat)
{
    if (!m) return nj_error(NJORD_EINVAL, "njord_model_grid: model is NULL");
    if (nlat) *nlat = m->plan->nlat;
    if (nlon) *nlon = m->plan->nlon;
    if (lat) *lat = m->plan->lat;
    return NJORD_OK;
}

int njord_model_timing(const njord_model *m, double *transforms, double *gridpoint,
                       double *other, double *total)
{
    if (!m) return nj_error(NJORD_EINVAL, "njord_model_timing: model is NULL");
    double tr = m->t_trans;
    if (transforms) *transforms = tr;
    double tg = m->pe_mode ? m->pe.t_grid : m->sw.t_grid;
    if (gridpoint) *gridpoint = tg;
    if (other) *other = m->t_total - tr - tg;
    if (total) *total = m->t_total;
    return NJORD_OK;
}

/* Local host grid of one named field (nrows x nlon) into out. */
static int local_field(njord_model *m, int k, nj_real *g5, nj_real *out)
{
    const size_t ng = ngrid(m);
    const double g = m->gravity;
    const nj_real *u = g5, *v = g5 + ng, *z = g5 + 2 * ng, *phi = g5 + 3 * ng, *d = g5 + 4 * ng;
    for (size_t i = 0; i < ng; i++) {
        int row = m->plan->rows[i / m->plan->nlon];
        double f = nj_sw_coriolis(m->omega, m->tilt, m->plan->lat[row],
                                  2 * M_PI * (double)(i % m->plan->nlon) / m->plan->nlon);
        double hdep = phi[i] / g;
        double val;
        switch (k) {
        case F_U: val = u[i]; break;
        case F_V: val = v[i]; break;
        case F_ZG: val = hdep + m->hs_grid[i]; break;
        case F_H: val = hdep; break;
        case F_VOR: val = z[i]; break;
        case F_DIV: val = d[i]; break;
        case F_OROG: val = m->hs_grid[i]; break;
        default: val = (z[i] + f) / hdep; break;
        }
        out[i] = (nj_real)val;
    }
    return NJORD_OK;
}

int njord_model_field(njord_model *m, const char *name, int root, njord_real *global)
{
    if (!m || !name) return nj_error(NJORD_EINVAL, "njord_model_field: NULL argument");
    if (m->pe_mode) return nj_pem_field(m, name, root, global);
    int k = 0;
    while (k < F_COUNT && strcmp(name, field_names[k])) k++;
    if (k == F_COUNT)
        return nj_error(NJORD_EINVAL,
                        "njord_model_field: unknown field '%s' (u, v, zg, h, vor, div, orog, pv)",
                        name);
    const size_t ng = ngrid(m);
    nj_real *g5 = malloc(sizeof(nj_real) * (6 * ng + 1));
    int st = g5 ? NJORD_OK : nj_error(NJORD_ENOMEM, "njord_model_field: out of memory");
    if (!st) st = local_grid_state(m, g5);
    if (!st) st = local_field(m, k, g5, g5 + 5 * ng);
    st = agree(m, st);
    if (!st) st = njord_sht_gather_grid(m->plan, root, g5 + 5 * ng, global, 1);
    free(g5);
    return st;
}

int njord_model_spectral_state(njord_model *m, int root, njord_real *vor, njord_real *div,
                               njord_real *phi)
{
    if (!m) return nj_error(NJORD_EINVAL, "njord_model_spectral_state: model is NULL");
    if (m->pe_mode)
        return nj_error(NJORD_EINVAL, "njord_model_spectral_state: the model solves the primitive "
                                      "equations (use njord_model_field or a restart file)");
    const size_t ns = nspec(m);
    nj_real *h = malloc(sizeof(nj_real) * (3 * ns + 1));
    int st = h ? m->ops->to_host(h, m->x, sizeof(nj_real) * 3 * ns)
               : nj_error(NJORD_ENOMEM, "njord_model_spectral_state: out of memory");
    /* the state holds Phi - Phi_ref: add the reference back to (0, 0), and the
     * orography, for the geopotential of the free surface */
    if (!st && m->plan->nm > 0 && m->plan->mloc[0] == 0) h[ns] += (nj_real)m->phiref;
    if (!st && m->sw.phis_s) {
        nj_real *ps = malloc(sizeof(nj_real) * (ns + 1));
        st = ps ? m->ops->to_host(ps, m->sw.phis_s, sizeof(nj_real) * ns)
                : nj_error(NJORD_ENOMEM, "njord_model_spectral_state: out of memory");
        for (size_t i = 0; i < ns && !st; i++) h[ns + i] += ps[i];
        free(ps);
    }
    nj_real *dst[3] = {vor, phi, div};
    /* the root's NULLs (outputs not wanted) decide for every rank which
     * gathers run */
    int want[3] = {dst[0] != NULL, dst[1] != NULL, dst[2] != NULL};
    st = agree(m, st);
    if (!st && m->comm != MPI_COMM_NULL && m->plan->nranks > 1 && root >= 0 &&
        root < m->plan->nranks && MPI_Bcast(want, 3, MPI_INT, root, m->comm) != MPI_SUCCESS)
        st = nj_error(NJORD_EMPI, "njord_model_spectral_state: MPI_Bcast failed");
    for (int k = 0; k < 3 && !st; k++)
        if (want[k]) st = njord_sht_gather_spec(m->plan, root, h + k * ns, dst[k], 1);
    free(h);
    return st;
}

/* ------------------------------------------------------------------ diagnostics */

int njord_model_diagnostics(njord_model *m, njord_diag *dg)
{
    if (!m || !dg) return nj_error(NJORD_EINVAL, "njord_model_diagnostics: NULL argument");
    if (m->pe_mode) return nj_pem_diagnostics(m, dg);
    const size_t ng = ngrid(m);
    const double g = m->gravity;
    nj_real *g5 = malloc(sizeof(nj_real) * (5 * ng + 1));
    nj_real *q = malloc(sizeof(nj_real) * (8 * ng + 1));
    double *ex = NULL;
    int st = (g5 && q) ? NJORD_OK : nj_error(NJORD_ENOMEM, "diagnostics: out of memory");
    if (!st) st = local_grid_state(m, g5);
    int exact = !st && m->tc && nj_testcase_exact(m->tc);
    if (exact) {
        ex = malloc(sizeof(double) * (4 * ng + 1));
        if (!ex) st = nj_error(NJORD_ENOMEM, "diagnostics: out of memory");
        else
            st = nj_testcase_fields(m->tc, &m->tcp, m->plan->nlat, m->plan->lat, m->plan->w,
                                    m->plan->nrows, m->plan->rows, m->plan->nlon,
                                    njord_model_time(m), ex, ex + ng, ex + 2 * ng, ex + 3 * ng);
    }
    double vmax = 0, emax = 0, hmax = 0;
    if (!st) {
        const nj_real *u = g5, *v = g5 + ng, *z = g5 + 2 * ng, *phi = g5 + 3 * ng;
        for (size_t i = 0; i < ng; i++) {
            int row = m->plan->rows[i / m->plan->nlon];
            double f = nj_sw_coriolis(m->omega, m->tilt, m->plan->lat[row],
                                      2 * M_PI * (double)(i % m->plan->nlon) / m->plan->nlon);
            double h = phi[i] / g, hs = m->hs_grid[i];
            double ke = 0.5 * ((double)u[i] * u[i] + (double)v[i] * v[i]);
            q[i] = (nj_real)h;
            q[ng + i] = (nj_real)(h * ke + 0.5 * g * h * h + g * h * hs);
            q[2 * ng + i] = (nj_real)(0.5 * (z[i] + f) * (z[i] + f) / h);
            vmax = fmax(vmax, sqrt(2 * ke));
            if (exact) {
                double zg = m->advection ? phi[i] / g : h + hs, d = zg - ex[2 * ng + i];
                q[3 * ng + i] = (nj_real)fabs(d);
                q[4 * ng + i] = (nj_real)(d * d);
                q[5 * ng + i] = (nj_real)fabs(ex[2 * ng + i]);
                q[6 * ng + i] = (nj_real)(ex[2 * ng + i] * ex[2 * ng + i]);
                emax = fmax(emax, fabs(d));
                hmax = fmax(hmax, fabs(ex[2 * ng + i]));
            }
        }
    }
    st = agree(m, st);
    double means[7] = {0};
    if (!st) {
        /* one field at a time through the fixed-order mean (fields are [nrows][nlon]) */
        for (int k = 0; k < (exact ? 7 : 3) && !st; k++)
            st = njord_sht_grid_mean(m->plan, q + k * ng, 1, &means[k]);
    }
    if (!st && m->comm != MPI_COMM_NULL) {
        double mx[3] = {vmax, emax, hmax};
        MPI_Allreduce(MPI_IN_PLACE, mx, 3, MPI_DOUBLE, MPI_MAX, m->comm);
        vmax = mx[0];
        emax = mx[1];
        hmax = mx[2];
    }
    if (!st) {
        dg->time = njord_model_time(m);
        dg->step = m->steps;
        dg->mass = means[0];
        dg->energy = means[1];
        dg->enstrophy = means[2];
        dg->max_wind = vmax;
        dg->l1 = exact ? means[3] / means[5] : NAN;
        dg->l2 = exact ? sqrt(means[4]) / sqrt(means[6]) : NAN;
        dg->linf = exact ? emax / hmax : NAN;
        dg->ps_min = dg->ps_max = NAN;
    }
    free(g5);
    free(q);
    free(ex);
    return st;
}

/* ------------------------------------------------------------------ output */

/* An output file is written: a path, and variables on model levels or at the
 * surface, or (primitive equations) on pressure levels. */
static int has_output(const njord_model *m)
{
    return *m->out_path && (m->nout > 0 || (m->pe_mode && m->npout > 0 && m->nplev > 0));
}

const char *njord_model_output_file(const njord_model *m)
{
    return m && has_output(m) ? m->out_path : NULL;
}

static int open_output(njord_model *m)
{
    /* m->writer exists on rank 0 only: decide on a flag every rank holds, or the
     * ranks' collectives fall out of step */
    if (has_output(m) && m->out_done)
        return nj_error(NJORD_EINVAL,
                        "the output file %s was already completed%s; a model writes no output "
                        "after that",
                        m->out_path, m->failed ? " (after a failed run, at its partial path)" : "");
    if (!has_output(m) || m->out_open) return NJORD_OK;
    int st = NJORD_OK;
    if (m->rank == 0 && !m->overwrite) {
        FILE *f = fopen(m->out_path, "r");
        if (f) {
            fclose(f);
            st = nj_error(NJORD_EIO, "output file %s exists and output.overwrite = false",
                          m->out_path);
        }
    }
    if (m->rank == 0 && !st) {
        njord_cf_var vars[2 * NJ_MAX_OUT];
        int nv = 0;
        njord_cf_vertical vert;
        memset(&vert, 0, sizeof vert);
        double *vbuf = NULL;
        if (m->pe_mode) {
            vbuf = malloc(sizeof(double) * (4 * (size_t)m->pe.L + 4 + (size_t)m->nplev));
            st = vbuf ? nj_pem_open_vars(m, vars, &nv, &vert, vbuf)
                      : nj_error(NJORD_ENOMEM, "output: out of memory");
        } else {
            for (int i = 0; i < m->nout; i++) vars[nv++] = field_meta[m->out_fields[i]];
        }
        const int nlat = m->plan->nlat;
        double *latd = malloc(sizeof(double) * nlat);
        char units[64], tstart[32];
        snprintf(tstart, sizeof tstart, "%s", m->start);
        char *tt = strchr(tstart, 'T');
        if (tt) *tt = ' ';
        snprintf(units, sizeof units, "hours since %s", tstart);
        if (!latd) st = nj_error(NJORD_ENOMEM, "output: out of memory");
        for (int j = 0; j < nlat && latd; j++) latd[j] = m->plan->lat[j] * 180.0 / M_PI;
        char title[128];
        if (m->pe_mode)
            snprintf(title, sizeof title, "Njord primitive-equation model, T%dL%d, %s", m->plan->T,
                     m->pe.L, m->case_name);
        else
            snprintf(title, sizeof title, "Njord %s model, T%d, %s",
                     m->advection ? "advection" : "shallow-water", m->plan->T, m->case_name);
        char member[24];
        snprintf(member, sizeof member, "%ld", m->ens_member);
        const char *atts[] = {"title", title, "institution", "Njord", "source", "Njord " NJORD_VERSION_STRING,
                              "ensemble_member", member, "njord_config", m->cfg_text, NULL};
        if (!st)
            st = njord_cf_create_3d(m->out_path, nlat, m->plan->nlon, latd, m->plan->w, units,
                                    "proleptic_gregorian", m->pe_mode ? &vert : NULL, nv, vars, m->deflate,
                                    atts, &m->writer);
        free(latd);
        free(vbuf);
    }
    st = agree(m, st);
    if (!st) m->out_open = 1;
    return st;
}

static int write_output(njord_model *m)
{
    if (!has_output(m)) return NJORD_OK;
    TRY(open_output(m));
    if (m->pe_mode) {
        TRY(nj_pem_write_output(m));
        m->out_last = m->steps;
        return NJORD_OK;
    }
    const size_t ng = ngrid(m), nglob = (size_t)m->plan->nlat * m->plan->nlon;
    nj_real *g5 = malloc(sizeof(nj_real) * (6 * ng + 1));
    nj_real *glob = m->rank == 0 ? malloc(sizeof(nj_real) * nglob * (size_t)(m->nout + 1)) : NULL;
    int st = (g5 && (m->rank != 0 || glob)) ? NJORD_OK : nj_error(NJORD_ENOMEM, "output: out of memory");
    st = agree(m, st);
    if (!st) st = local_grid_state(m, g5);
    const njord_real *fields[NJ_MAX_OUT];
    int nf = 0, wst = NJORD_OK; /* rank 0's write errors, agreed on after every gather */
    for (int i = 0; i < m->nout && !st; i++) {
        int k = m->out_fields[i];
        st = agree(m, local_field(m, k, g5, g5 + 5 * ng));
        if (!st) st = njord_sht_gather_grid(m->plan, 0, g5 + 5 * ng, glob ? glob + nglob * i : NULL, 1);
        if (!st && !wst && m->rank == 0) {
            if (k == F_OROG) {
                if (njord_cf_nsteps(m->writer) == 0) wst = njord_cf_write_static(m->writer, "orog", glob + nglob * i);
            } else {
                fields[nf++] = glob + nglob * i;
            }
        }
    }
    if (!st && !wst && m->rank == 0)
        wst = njord_cf_write_step(m->writer, njord_model_time(m) / 3600.0, nf, fields);
    st = agree(m, st ? st : wst);
    free(g5);
    free(glob);
    if (!st) m->out_last = m->steps;
    return st;
}

/* ------------------------------------------------------------------ time loop */

int njord_model_step(njord_model *m, long nsteps)
{
    if (!m) return nj_error(NJORD_EINVAL, "njord_model_step: model is NULL");
    for (long s = 0; s < nsteps; s++) {
        double a0, b0, c0, a1, b1, c1, x0 = m->plan->t_comm;
        nj_sht_stage_times(m->plan, &a0, &b0, &c0);
        double t0 = nj_wtime();
        int st = nj_integrator_step(m->it, m->x);
        m->t_total += nj_wtime() - t0;
        nj_sht_stage_times(m->plan, &a1, &b1, &c1);
        m->t_trans += (a1 - a0) + (b1 - b0) + (c1 - c0) + (m->plan->t_comm - x0);
        if (st) return st;
        m->steps++;
    }
    return NJORD_OK;
}

/* Blown up? Non-finite values in the state, or winds above NJ_MAX_WIND (no
 * atmosphere has them; beyond this the state soon overflows). The same answer
 * on every rank. On failure: name the field and the first bad grid point, and
 * restore the last good state. */

static int check_state(njord_model *m)
{
    static const char *names[5] = {"eastward wind", "northward wind", "vorticity", "geopotential",
                                   "divergence"};
    const size_t ns = nspec(m), ng = ngrid(m);
    size_t first;
    TRY(m->ops->find_nonfinite(m->nstate, m->x, &first));
    const char *what = NULL;
    double lat = NAN, lon = NAN, val = NAN;
    int st = NJORD_OK, bad = 0;
    if (m->pe_mode) {
        st = nj_pem_check_grid(m, &what, &lat, &lon, &val, &bad);
        if (!st && !bad && first != SIZE_MAX) {
            bad = 1;
            what = "spectral state";
        }
    } else {
        nj_real *g = malloc(sizeof(nj_real) * (5 * ng + 1));
        if (!g) return nj_error(NJORD_ENOMEM, "model check: out of memory");
        st = local_grid_state(m, g);
        int field = -1;
        size_t where = 0;
        for (size_t i = 0; i < 5 * ng && !st; i++) {
            int f = (int)(i / ng);
            if (!isfinite(g[i]) || (f < 2 && fabs(g[i]) > NJ_MAX_WIND)) {
                field = f;
                where = i % ng;
                break;
            }
        }
        if (field >= 0) {
            lat = m->plan->lat[m->plan->rows[where / m->plan->nlon]] * 180 / M_PI;
            lon = 360.0 * (double)(where % m->plan->nlon) / m->plan->nlon;
            val = g[(size_t)field * ng + where];
        }
        if (first != SIZE_MAX && field < 0) field = first / ns == 0 ? 2 : first / ns == 1 ? 3 : 4;
        if (field >= 0) what = names[field];
        bad = field >= 0;
        free(g);
    }
    /* the first rank that found a bad point tells every rank what and where, so
     * that rank 0's message (the one printed) names them */
    int brank = bad ? m->rank : INT_MAX;
    if (m->comm != MPI_COMM_NULL) {
        int mine = brank;
        MPI_Allreduce(&mine, &brank, 1, MPI_INT, MPI_MIN, m->comm);
        if (brank != INT_MAX) {
            char wbuf[64] = "";
            double dv[3] = {lat, lon, val};
            if (m->rank == brank) snprintf(wbuf, sizeof wbuf, "%s", what ? what : "state");
            MPI_Bcast(wbuf, (int)sizeof wbuf, MPI_CHAR, brank, m->comm);
            MPI_Bcast(dv, 3, MPI_DOUBLE, brank, m->comm);
            snprintf(m->bad_what, sizeof m->bad_what, "%s", wbuf);
            what = m->bad_what;
            lat = dv[0];
            lon = dv[1];
            val = dv[2];
            bad = 1;
        }
    }
    const int any = brank != INT_MAX;
    if (st || !any) {
        if (st) return st;
        /* remember this state as the last good one */
        TRY(m->ops->axpby(m->nstate, 1.0, m->x, 0.0, m->good));
        nj_real *prev = nj_integrator_previous(m->it);
        if (prev) TRY(m->ops->axpby(m->nstate, 1.0, prev, 0.0, m->good_prev));
        m->good_steps = m->steps;
        return NJORD_OK;
    }
    double t = njord_model_time(m);
    char msg[512];
    snprintf(msg, sizeof msg,
             "model blew up: %s %s (%g) at step %ld (t = %.3f h = %.3f days) near latitude "
             "%.2f, longitude %.2f (rank %d); rolled back to the last good state at t = %.3f h",
             isfinite(val) ? "unphysical" : "non-finite", what, val, m->steps, t / 3600,
             t / 86400, lat, lon, brank, m->good_steps * m->dt / 3600);
    TRY(m->ops->axpby(m->nstate, 1.0, m->good, 0.0, m->x));
    TRY(nj_integrator_restore(m->it, m->good_steps > 0 ? m->good_prev : NULL, m->good_steps));
    m->steps = m->good_steps;
    return nj_error(NJORD_EBLOWUP, "%s", msg);
}

/* The caller's on_output callback; a failure it did not describe is named. */
static int call_back(njord_model *m, njord_model_callback cb, void *user)
{
    if (!cb) return NJORD_OK;
    nj_error_clear();
    int st = cb(m, user);
    if (st && !*njord_last_error())
        nj_error(st, "the on_output callback returned %d (%s) at t = %.3f h", st,
                 njord_strerror(st), njord_model_time(m) / 3600);
    return st;
}

/* The time loop of njord_model_run; on a blow-up, returns with the state rolled
 * back and the output left to the caller. */
static int run_steps(njord_model *m, long nend, njord_model_callback cb, void *user)
{
    int st = NJORD_OK;
    if (m->steps == 0 && !m->initial_done) {
        m->initial_done = 1;
        st = write_output(m);
        if (!st) st = call_back(m, cb, user);
        if (st) return st;
    }
    while (m->steps < nend) {
        long next = m->steps + 1;
        TRY(njord_model_step(m, 1));
        int out = next % m->out_every == 0 || next == nend;
        /* a restart file only of a state checked at its step */
        int rst = *m->restart_out && m->restart_every > 0 && next % m->restart_every == 0 &&
                  next < nend;
        if (next % m->check_every == 0 || out || rst) TRY(check_state(m));
        if (out) {
            st = write_output(m);
            if (!st) st = call_back(m, cb, user);
            if (st) return st;
        }
        if (rst) TRY(njord_model_write_restart(m, m->restart_out));
    }
    if (*m->restart_out) TRY(njord_model_write_restart(m, m->restart_out));
    return NJORD_OK;
}

int njord_model_run(njord_model *m, double t_end, njord_model_callback cb, void *user)
{
    if (!m) return nj_error(NJORD_EINVAL, "njord_model_run: model is NULL");
    const int from_config = t_end < 0;
    if (from_config) t_end = m->length;
    long nend = lround(t_end / m->dt);
    if (fabs(nend * m->dt - t_end) > 1e-6 * fmax(t_end, m->dt))
        return nj_error(NJORD_EINVAL, "njord_model_run: t_end = %g s is not a multiple of dt = %g s",
                        t_end, m->dt);
    if (nend < m->steps || (from_config && nend == m->steps && m->steps > 0))
        return nj_error(NJORD_EINVAL,
                        "%s = %g h is %s the model time %g h (of the restart file): nothing to run",
                        from_config ? "time.length" : "njord_model_run: t_end", t_end / 3600,
                        nend < m->steps ? "before" : "at", njord_model_time(m) / 3600);
    int st = run_steps(m, nend, cb, user);
    if (!st) return NJORD_OK;
    /* failed: the output so far (for a blow-up, up to the last good state) goes to
     * the partial path, and output.file keeps what it held */
    char msg[1024], part[4096], extra[4200] = "";
    snprintf(msg, sizeof msg, "%s", njord_last_error());
    m->failed = 1;
    int s2 = NJORD_OK;
    if (st == NJORD_EBLOWUP && m->out_last != m->steps) s2 = write_output(m);
    const int had = m->out_open;
    if (!s2) s2 = close_output(m);
    partial_path(m->out_path, part, sizeof part);
    if (s2)
        snprintf(extra, sizeof extra, "; completing the partial output %s failed too: %s", part,
                 njord_last_error());
    else if (had)
        snprintf(extra, sizeof extra, "; the output up to t = %.3f h is in %s (%s is untouched)",
                 m->out_last * m->dt / 3600, part, m->out_path);
    return nj_error(st, "%s%s", msg, extra);
}
