/* lib/model/restart.c — restart files: everything a model needs to continue
 * bitwise (njord/model.h).
 *
 * NetCDF-4 file, global spectral fields in Njord's order (sht.h), stored as
 * double whatever the build precision (a single-precision value converts to
 * double and back exactly):
 *   dimensions  field = state fields, coef = 2 * NJORD_SHT_NSPEC(T)
 *   state(field, coef)   the current state
 *   prev(field, coef)    the leapfrog's previous time level (absent for SIL3
 *                        or before the first step)
 *   phis(coef)           spectral surface geopotential (absent when flat)
 *   attributes  njord_restart = 1, equations, start (time.start), trunc, nfields, steps, dt,
 *               integrator, phiref (shallow water), nlat, nlon (the grid),
 *               ensemble_member, and for
 *               the primitive
 *               equations nlev, ntr, tref, pref, hybrid_a, hybrid_b; config =
 *               the whole configuration text (for people).
 * A restart is refused when equations, start time, truncation, grid, number of
 * fields, time step, integrator, an explicit reference geopotential, levels (bitwise), tracers,
 * the reference state or the ensemble member differ (a file without ensemble_member
 * is taken for any member),
 * and when its state is not finite (a file without nlat/nlon, from before they
 * were written, is taken on any grid). Nothing non-finite is written. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../io/nc_util.h"
#include "model_impl.h"

#define NC(call, what)                                                                      \
    do {                                                                                    \
        int e_ = (call);                                                                    \
        if (e_ != NC_NOERR) {                                                               \
            st = nj_error(NJORD_EIO, "restart file %s: %s: %s", path, what, nc_strerror(e_)); \
            goto done;                                                                      \
        }                                                                                   \
    } while (0)

static const char *equations_name(const njord_model *m)
{
    return m->pe_mode ? "primitive" : m->advection ? "advection" : "shallow_water";
}

static nj_real *phis_spec(njord_model *m) { return m->pe_mode ? m->pe.phis_s : m->sw.phis_s; }

/* gather nf local spectral fields from backend memory to root (host); local
 * failures are agreed on before the collective */
static int gather(njord_model *m, const nj_real *dev, int nf, nj_real *global)
{
    const size_t ns = nj_model_nspec(m) * (size_t)nf;
    nj_real *h = malloc(sizeof(nj_real) * (ns + 1));
    int st = h ? m->ops->to_host(h, dev, sizeof(nj_real) * ns) : nj_error(NJORD_ENOMEM, "restart: out of memory");
    st = nj_model_agree(m, st);
    if (!st) st = njord_sht_gather_spec(m->plan, 0, h, global, nf);
    free(h);
    return st;
}

int njord_model_write_restart(njord_model *m, const char *path)
{
    if (!m || !path || !*path) return nj_error(NJORD_EINVAL, "njord_model_write_restart: NULL argument");
    const int nf = m->nfields, T = m->plan->T;
    const size_t ncoef = 2 * (size_t)NJORD_SHT_NSPEC(T);
    nj_real *prev = nj_integrator_previous(m->it), *phis = phis_spec(m);
    int hp = prev != NULL, hf = phis != NULL;
    nj_real *g = NULL;
    double *d = NULL;
    char tmp[4096];
    if (m->rank == 0) {
        g = calloc(ncoef * (2 * (size_t)nf + 1), sizeof(nj_real));
        d = malloc(sizeof(double) * ncoef * (2 * (size_t)nf + 1));
    }
    int st = (m->rank != 0 || (g && d)) ? NJORD_OK : nj_error(NJORD_ENOMEM, "restart: out of memory");
    if (!st && m->rank == 0 &&
        snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        st = nj_error(NJORD_EINVAL, "restart file %s: path too long", path);
    st = nj_model_agree(m, st);
    if (!st) st = gather(m, m->x, nf, g);
    if (!st && hp) st = gather(m, prev, nf, g ? g + ncoef * nf : NULL);
    if (!st && hf) st = gather(m, phis, 1, g ? g + 2 * ncoef * nf : NULL);
    st = nj_model_agree(m, st);
    int ncid = -1, created = 0;
    if (!st && m->rank == 0) {
        for (size_t i = 0; i < ncoef * (2 * (size_t)nf + 1); i++) d[i] = (double)g[i];
        for (size_t i = 0; i < ncoef * (size_t)nf * (hp ? 2 : 1); i++)
            if (!isfinite(d[i])) {
                st = nj_error(NJORD_EBLOWUP,
                              "restart file %s not written: the state at step %ld is not finite",
                              path, m->steps);
                goto done;
            }
        int dims[2], vs, vp = -1, vf = -1;
        int rc = nc_create(tmp, NC_CLOBBER | NC_NETCDF4, &ncid);
        if (rc != NC_NOERR) {
            char why[4400];
            nj_create_reason(path, rc, why, sizeof why);
            st = nj_error(NJORD_EIO, "restart file %s: cannot create '%s': %s", path, tmp, why);
            goto done;
        }
        created = 1;
        NC(nc_def_dim(ncid, "field", (size_t)nf, &dims[0]), "define");
        NC(nc_def_dim(ncid, "coef", ncoef, &dims[1]), "define");
        NC(nc_def_var(ncid, "state", NC_DOUBLE, 2, dims, &vs), "define state");
        if (hp) NC(nc_def_var(ncid, "prev", NC_DOUBLE, 2, dims, &vp), "define prev");
        if (hf) NC(nc_def_var(ncid, "phis", NC_DOUBLE, 1, &dims[1], &vf), "define phis");
        int one = 1, tr = T;
        long long steps = m->steps;
        const char *eq = equations_name(m);
        const char *integ = m->integrator;
        NC(nc_put_att_int(ncid, NC_GLOBAL, "njord_restart", NC_INT, 1, &one), "attributes");
        NC(nc_put_att_text(ncid, NC_GLOBAL, "equations", strlen(eq), eq), "attributes");
        NC(nc_put_att_text(ncid, NC_GLOBAL, "integrator", strlen(integ), integ), "attributes");
        NC(nc_put_att_text(ncid, NC_GLOBAL, "start", strlen(m->start), m->start), "attributes");
        NC(nc_put_att_int(ncid, NC_GLOBAL, "trunc", NC_INT, 1, &tr), "attributes");
        const int grid[2] = {m->plan->nlat, m->plan->nlon};
        NC(nc_put_att_int(ncid, NC_GLOBAL, "nlat", NC_INT, 1, &grid[0]), "attributes");
        NC(nc_put_att_int(ncid, NC_GLOBAL, "nlon", NC_INT, 1, &grid[1]), "attributes");
        NC(nc_put_att_int(ncid, NC_GLOBAL, "nfields", NC_INT, 1, &nf), "attributes");
        NC(nc_put_att_longlong(ncid, NC_GLOBAL, "steps", NC_INT64, 1, &steps), "attributes");
        NC(nc_put_att_double(ncid, NC_GLOBAL, "dt", NC_DOUBLE, 1, &m->dt), "attributes");
        NC(nc_put_att_double(ncid, NC_GLOBAL, "phiref", NC_DOUBLE, 1, &m->phiref), "attributes");
        long long member = m->ens_member;
        NC(nc_put_att_longlong(ncid, NC_GLOBAL, "ensemble_member", NC_INT64, 1, &member), "attributes");
        if (m->pe_mode) {
            int L = m->pe.L, ntr = m->pe.ntr;
            NC(nc_put_att_int(ncid, NC_GLOBAL, "nlev", NC_INT, 1, &L), "attributes");
            NC(nc_put_att_int(ncid, NC_GLOBAL, "ntr", NC_INT, 1, &ntr), "attributes");
            NC(nc_put_att_double(ncid, NC_GLOBAL, "tref", NC_DOUBLE, 1, &m->tref), "attributes");
            NC(nc_put_att_double(ncid, NC_GLOBAL, "pref", NC_DOUBLE, 1, &m->pref), "attributes");
            NC(nc_put_att_double(ncid, NC_GLOBAL, "hybrid_a", NC_DOUBLE, (size_t)L + 1, m->pe.vc.a),
               "attributes");
            NC(nc_put_att_double(ncid, NC_GLOBAL, "hybrid_b", NC_DOUBLE, (size_t)L + 1, m->pe.vc.b),
               "attributes");
        }
        const double planet[5] = {m->radius, m->omega, m->gravity, m->rd, m->cp};
        NC(nc_put_att_double(ncid, NC_GLOBAL, "planet", NC_DOUBLE, 5, planet), "attributes");
        NC(nc_put_att_text(ncid, NC_GLOBAL, "config", strlen(m->cfg_text), m->cfg_text), "attributes");
        NC(nc_enddef(ncid), "enddef");
        NC(nc_put_var_double(ncid, vs, d), "write state");
        if (hp) NC(nc_put_var_double(ncid, vp, d + ncoef * nf), "write prev");
        if (hf) NC(nc_put_var_double(ncid, vf, d + 2 * ncoef * nf), "write phis");
        int e = nc_close(ncid);
        ncid = -1;
        if (e != NC_NOERR) {
            st = nj_error(NJORD_EIO, "restart file %s: close: %s", path, nc_strerror(e));
            goto done;
        }
        FILE *f = fopen(tmp, "r+"); /* on disk before it replaces the old file */
        if (!f || fsync(fileno(f)) != 0) st = nj_error(NJORD_EIO, "restart file %s: cannot sync %s", path, tmp);
        if (f) fclose(f);
        if (!st && rename(tmp, path) != 0)
            st = nj_error(NJORD_EIO, "restart file %s: cannot rename %s", path, tmp);
    }
done:
    if (st && created) {
        if (ncid >= 0) nc_close(ncid);
        remove(tmp);
    }
    free(g);
    free(d);
    return nj_model_agree(m, st);
}

/* ------------------------------------------------------------------ reading */

static int att_mismatch(const char *path, const char *what, double file, double here)
{
    return nj_error(NJORD_EINVAL,
                    "restart file %s was written with %s = %.17g, this configuration has %.17g: "
                    "refusing to continue from it", path, what, file, here);
}

/* rank 0: open, check, read; fills g (state, prev, phis) and flags */
static int read_root(njord_model *m, const char *path, double *d, int *hp, int *hf, long long *steps,
                     double *phiref)
{
    int st = NJORD_OK, ncid = -1, id, marker = 0;
    const int nf = m->nfields, T = m->plan->T;
    const size_t ncoef = 2 * (size_t)NJORD_SHT_NSPEC(T);
    NC(nc_open(path, NC_NOWRITE, &ncid), "open");
    if (nc_get_att_int(ncid, NC_GLOBAL, "njord_restart", &marker) != NC_NOERR || marker != 1) {
        st = nj_error(NJORD_EFORMAT, "restart file %s: not a Njord restart file", path);
        goto done;
    }
    char eq[64] = {0}, integ[64] = {0};
    size_t len = 0;
    NC(nc_inq_attlen(ncid, NC_GLOBAL, "equations", &len), "equations");
    if (len >= sizeof eq) {
        st = nj_error(NJORD_EFORMAT, "restart file %s: attribute equations too long", path);
        goto done;
    }
    NC(nc_get_att_text(ncid, NC_GLOBAL, "equations", eq), "equations");
    eq[len] = 0;
    NC(nc_inq_attlen(ncid, NC_GLOBAL, "integrator", &len), "integrator");
    if (len >= sizeof integ) {
        st = nj_error(NJORD_EFORMAT, "restart file %s: attribute integrator too long", path);
        goto done;
    }
    NC(nc_get_att_text(ncid, NC_GLOBAL, "integrator", integ), "integrator");
    integ[len] = 0;
    if (strcmp(eq, equations_name(m))) {
        st = nj_error(NJORD_EINVAL,
                      "restart file %s holds a %s state, this configuration solves %s: refusing to "
                      "continue from it", path, eq, equations_name(m));
        goto done;
    }
    if (strcmp(integ, m->integrator)) {
        st = nj_error(NJORD_EINVAL,
                      "restart file %s was written with time.integrator = %s, this configuration "
                      "has %s: refusing to continue from it", path, integ, m->integrator);
        goto done;
    }
    int ti, fi;
    double dt;
    NC(nc_get_att_int(ncid, NC_GLOBAL, "trunc", &ti), "trunc");
    NC(nc_get_att_int(ncid, NC_GLOBAL, "nfields", &fi), "nfields");
    NC(nc_get_att_double(ncid, NC_GLOBAL, "dt", &dt), "dt");
    NC(nc_get_att_longlong(ncid, NC_GLOBAL, "steps", steps), "steps");
    NC(nc_get_att_double(ncid, NC_GLOBAL, "phiref", phiref), "phiref");
    if (ti != T) { st = att_mismatch(path, "grid.trunc", ti, T); goto done; }
    char start[40] = {0};
    if (nc_inq_attlen(ncid, NC_GLOBAL, "start", &len) == NC_NOERR && len < sizeof start &&
        nc_get_att_text(ncid, NC_GLOBAL, "start", start) == NC_NOERR && strcmp(start, m->start)) {
        st = nj_error(NJORD_EINVAL,
                      "restart file %s was written with time.start = %s, this configuration has "
                      "%s: refusing to continue from it", path, start, m->start);
        goto done;
    }
    long long member;
    if (nc_get_att_longlong(ncid, NC_GLOBAL, "ensemble_member", &member) == NC_NOERR &&
        member != m->ens_member) {
        st = nj_error(NJORD_EINVAL,
                      "restart file %s holds ensemble member %lld, this configuration has "
                      "ensemble.member = %ld: refusing to continue from it (its output would be "
                      "labelled as the wrong member)", path, member, m->ens_member);
        goto done;
    }
    if (!m->pe_mode && m->phiref_cfg > 0 && *phiref != m->phiref_cfg) {
        st = att_mismatch(path, "dynamics.reference_geopotential", *phiref, m->phiref_cfg);
        goto done;
    }
    const int here_grid[2] = {m->plan->nlat, m->plan->nlon};
    static const char *const gk[2] = {"nlat", "nlon"};
    for (int k = 0; k < 2; k++) {
        int v;
        if (nc_get_att_int(ncid, NC_GLOBAL, gk[k], &v) == NC_NOERR && v != here_grid[k]) {
            st = nj_error(NJORD_EINVAL,
                          "restart file %s was written on a grid of %s = %d, this configuration "
                          "has %d (grid.grid, grid.nlat, grid.nlon): refusing to continue from it",
                          path, gk[k], v, here_grid[k]);
            goto done;
        }
    }
    if (dt != m->dt) { st = att_mismatch(path, "time.dt", dt, m->dt); goto done; }
    double planet[5];
    static const char *const pk[5] = {"planet.radius", "planet.omega", "planet.gravity", "planet.rd",
                                      "planet.cp"};
    const double here[5] = {m->radius, m->omega, m->gravity, m->rd, m->cp};
    NC(nc_inq_attlen(ncid, NC_GLOBAL, "planet", &len), "planet");
    if (len != 5) {
        st = nj_error(NJORD_EFORMAT, "restart file %s: attribute planet has %zu values", path, len);
        goto done;
    }
    NC(nc_get_att_double(ncid, NC_GLOBAL, "planet", planet), "planet");
    for (int k = 0; k < (m->pe_mode ? 5 : 3); k++)
        if (planet[k] != here[k]) { st = att_mismatch(path, pk[k], planet[k], here[k]); goto done; }
    if (m->pe_mode) {
        int L, ntr;
        double tref, pref, ab[2 * (NJ_PE_MAXLEV + 1)];
        NC(nc_get_att_int(ncid, NC_GLOBAL, "nlev", &L), "nlev");
        NC(nc_get_att_int(ncid, NC_GLOBAL, "ntr", &ntr), "ntr");
        NC(nc_get_att_double(ncid, NC_GLOBAL, "tref", &tref), "tref");
        NC(nc_get_att_double(ncid, NC_GLOBAL, "pref", &pref), "pref");
        if (L != m->pe.L) { st = att_mismatch(path, "the number of levels", L, m->pe.L); goto done; }
        if (ntr != m->pe.ntr) { st = att_mismatch(path, "vertical.tracers", ntr, m->pe.ntr); goto done; }
        if (tref != m->tref) { st = att_mismatch(path, "dynamics.reference_temperature", tref, m->tref); goto done; }
        if (pref != m->pref) { st = att_mismatch(path, "dynamics.reference_pressure", pref, m->pref); goto done; }
        size_t la = 0, lb = 0;
        NC(nc_inq_attlen(ncid, NC_GLOBAL, "hybrid_a", &la), "hybrid_a");
        NC(nc_inq_attlen(ncid, NC_GLOBAL, "hybrid_b", &lb), "hybrid_b");
        if (la != (size_t)L + 1 || lb != (size_t)L + 1) {
            st = nj_error(NJORD_EFORMAT, "restart file %s: hybrid_a/hybrid_b have %zu/%zu values, "
                          "expected %d", path, la, lb, L + 1);
            goto done;
        }
        NC(nc_get_att_double(ncid, NC_GLOBAL, "hybrid_a", ab), "hybrid_a");
        NC(nc_get_att_double(ncid, NC_GLOBAL, "hybrid_b", ab + L + 1), "hybrid_b");
        for (int k = 0; k <= L; k++)
            if (ab[k] != m->pe.vc.a[k] || ab[L + 1 + k] != m->pe.vc.b[k]) {
                st = nj_error(NJORD_EINVAL,
                              "restart file %s was written on other levels (half level %d: a = %g Pa, "
                              "b = %g; here a = %g Pa, b = %g): refusing to continue from it",
                              path, k, ab[k], ab[L + 1 + k], m->pe.vc.a[k], m->pe.vc.b[k]);
                goto done;
            }
    }
    if (fi != nf) { st = att_mismatch(path, "the number of state fields", fi, nf); goto done; }
    /* the variables' shapes, before reading them */
    static const char *const names[3] = {"state", "prev", "phis"};
    int have[3];
    for (int v = 0; v < 3; v++) {
        have[v] = nc_inq_varid(ncid, names[v], &id) == NC_NOERR;
        if (!have[v]) continue;
        int nd, dims[NC_MAX_VAR_DIMS];
        size_t n0 = 0, n1 = 0;
        NC(nc_inq_varndims(ncid, id, &nd), names[v]);
        if (nd != (v < 2 ? 2 : 1)) { st = nj_error(NJORD_EFORMAT, "restart file %s: %s has %d dimensions", path, names[v], nd); goto done; }
        NC(nc_inq_vardimid(ncid, id, dims), names[v]);
        NC(nc_inq_dimlen(ncid, dims[0], &n0), names[v]);
        if (nd == 2) NC(nc_inq_dimlen(ncid, dims[1], &n1), names[v]);
        if ((nd == 2 && (n0 != (size_t)nf || n1 != ncoef)) || (nd == 1 && n0 != ncoef)) {
            st = nj_error(NJORD_EFORMAT, "restart file %s: %s has the wrong shape for T%d with %d fields",
                          path, names[v], T, nf);
            goto done;
        }
        NC(nc_get_var_double(ncid, id, d + (size_t)v * ncoef * nf), names[v]);
    }
    if (!have[0]) { st = nj_error(NJORD_EFORMAT, "restart file %s: no variable state", path); goto done; }
    for (int v = 0; v < 3; v++)
        for (size_t i = 0; have[v] && i < ncoef * (size_t)(v < 2 ? nf : 1); i++)
            if (!isfinite(d[(size_t)v * ncoef * nf + i])) {
                st = nj_error(NJORD_EFORMAT,
                              "restart file %s: variable %s is not finite (value %zu): refusing "
                              "to continue from it", path, names[v], i);
                goto done;
            }
    *hp = have[1];
    *hf = have[2];
done:
    if (ncid >= 0) nc_close(ncid);
    return st;
}

/* scatter nf global fields (root, host) into backend memory */
static int scatter(njord_model *m, const nj_real *global, int nf, nj_real *dev)
{
    const size_t ns = nj_model_nspec(m) * (size_t)nf;
    nj_real *h = malloc(sizeof(nj_real) * (ns + 1));
    int st = nj_model_agree(m, h ? NJORD_OK : nj_error(NJORD_ENOMEM, "restart: out of memory"));
    if (!st) st = njord_sht_scatter_spec(m->plan, 0, global, h, nf);
    if (!st) st = m->ops->from_host(dev, h, sizeof(nj_real) * ns);
    free(h);
    return st;
}

int nj_restart_read(njord_model *m, const char *path)
{
    const int nf = m->nfields, T = m->plan->T;
    const size_t ncoef = 2 * (size_t)NJORD_SHT_NSPEC(T), ntot = ncoef * (2 * (size_t)nf + 1);
    double *d = NULL;
    nj_real *g = NULL;
    int st = NJORD_OK, flags[2] = {0, 0};
    long long steps = 0;
    double phiref = 0;
    if (m->rank == 0) {
        d = malloc(sizeof(double) * ntot);
        g = malloc(sizeof(nj_real) * ntot);
        st = (d && g) ? read_root(m, path, d, &flags[0], &flags[1], &steps, &phiref)
                      : nj_error(NJORD_ENOMEM, "restart: out of memory");
        for (size_t i = 0; i < ntot && !st; i++) g[i] = (nj_real)d[i];
    }
    st = nj_model_agree(m, st);
    if (!st && m->comm != MPI_COMM_NULL) {
        MPI_Bcast(flags, 2, MPI_INT, 0, m->comm);
        MPI_Bcast(&steps, 1, MPI_LONG_LONG, 0, m->comm);
        MPI_Bcast(&phiref, 1, MPI_DOUBLE, 0, m->comm);
    }
    if (!st) st = scatter(m, g, nf, m->x);
    nj_real *prev = NULL;
    if (!st && flags[0]) {
        st = nj_model_agree(m, m->ops->alloc(sizeof(nj_real) * (m->nstate + 1), (void **)&prev));
        if (!st) st = scatter(m, g ? g + ncoef * nf : NULL, nf, prev);
    }
    nj_real **ph = m->pe_mode ? &m->pe.phis_s : &m->sw.phis_s;
    if (!st && flags[1] && !*ph)
        st = nj_model_agree(m, m->ops->alloc(sizeof(nj_real) * (nj_model_nspec(m) + 1), (void **)ph));
    if (!st && flags[1]) st = scatter(m, g ? g + 2 * ncoef * nf : NULL, 1, *ph);
    if (!st && !flags[1] && *ph) { /* flat in the file */
        if (m->pe_mode) st = m->ops->axpby(nj_model_nspec(m), 0.0, NULL, 0.0, *ph);
        else {
            m->ops->free(*ph);
            *ph = NULL;
        }
    }
    if (!st && m->pe_mode) st = nj_pem_orography(m); /* the restart's orography on the grid */
    if (!st) st = nj_integrator_restore(m->it, prev, (long)steps);
    if (!st) {
        m->steps = (long)steps;
        m->phiref = phiref;
        m->sw.phiref = phiref;
    }
    if (prev) m->ops->free(prev);
    free(d);
    free(g);
    return nj_model_agree(m, st);
}
