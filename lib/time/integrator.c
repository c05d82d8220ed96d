/* lib/time/integrator.c — semi-implicit leapfrog + Robert–Asselin–Williams filter,
 * and the IMEX Runge–Kutta scheme SIL3. */
#include <stdlib.h>

#include "integrator.h"

struct nj_integrator {
    nj_integrator_kind kind;
    nj_equation eq;
    double dt, nu, alpha;
    long steps;
    int have_prev;
    nj_real *prev;    /* leapfrog x_{n-1} */
    nj_real *work[9]; /* scratch states */
};

/* SIL3 (Whitaker & Kar 2013, Table 1): explicit and implicit Butcher tableaux */
static const double sil3_aex[4][4] = {
    {0, 0, 0, 0}, {1.0 / 3, 0, 0, 0}, {1.0 / 6, 1.0 / 2, 0, 0}, {1.0 / 2, -1.0 / 2, 1, 0}};
static const double sil3_aim[4][4] = {
    {0, 0, 0, 0}, {1.0 / 6, 1.0 / 6, 0, 0}, {1.0 / 3, 0, 1.0 / 3, 0}, {3.0 / 8, 0, 3.0 / 8, 1.0 / 4}};
static const double sil3_bex[4] = {1.0 / 2, -1.0 / 2, 1, 0};
static const double sil3_bim[4] = {3.0 / 8, 0, 3.0 / 8, 1.0 / 4};

int nj_integrator_create(nj_integrator_kind kind, const nj_equation *eq, double dt, double nu,
                         double alpha, nj_integrator **out)
{
    *out = NULL;
    if (!(dt > 0)) return nj_error(NJORD_EINVAL, "integrator: time step %g s, need > 0", dt);
    nj_integrator *it = calloc(1, sizeof *it);
    if (!it) return nj_error(NJORD_ENOMEM, "integrator: out of memory");
    it->kind = kind;
    it->eq = *eq;
    it->dt = dt;
    it->nu = nu;
    it->alpha = alpha;
    int nwork = kind == NJ_INT_LEAPFROG ? 3 : 9;
    int st = NJORD_OK;
    if (kind == NJ_INT_LEAPFROG) st = eq->ops->alloc(sizeof(nj_real) * eq->len, (void **)&it->prev);
    for (int i = 0; i < nwork && !st; i++)
        st = eq->ops->alloc(sizeof(nj_real) * eq->len, (void **)&it->work[i]);
    if (st) {
        nj_integrator_destroy(it);
        return st;
    }
    *out = it;
    return NJORD_OK;
}

void nj_integrator_destroy(nj_integrator *it)
{
    if (!it) return;
    if (it->prev) it->eq.ops->free(it->prev);
    for (int i = 0; i < 9; i++)
        if (it->work[i]) it->eq.ops->free(it->work[i]);
    free(it);
}

nj_real *nj_integrator_previous(nj_integrator *it) { return it->have_prev ? it->prev : NULL; }
long nj_integrator_steps(const nj_integrator *it) { return it->steps; }

int nj_integrator_restore(nj_integrator *it, const nj_real *prev, long steps)
{
    it->steps = steps;
    it->have_prev = 0;
    if (prev && it->kind == NJ_INT_LEAPFROG) {
        int st = it->eq.ops->axpby(it->eq.len, 1.0, prev, 0.0, it->prev);
        if (st) return st;
        it->have_prev = 1;
    }
    return NJORD_OK;
}

#define TRY(call)                                                                          \
    do {                                                                                   \
        int st_ = (call);                                                                  \
        if (st_) return st_;                                                               \
    } while (0)

/* x_{n+1} = x_{n-1} + 2 dt [N(x_n) + L(x_{n+1} + x_{n-1})/2], i.e.
 * (1 - dt L) x_{n+1} = x_{n-1} + 2 dt N(x_n) + dt L x_{n-1};
 * then the filter over 2 dt, then Robert–Asselin–Williams (Williams 2009):
 * d = nu/2 (x_{n+1} - 2 x_n + x_{n-1}); x_n += alpha d; x_{n+1} -= (1 - alpha) d. */
static int step_leapfrog(nj_integrator *it, nj_real *x)
{
    const nj_equation *e = &it->eq;
    const size_t n = e->len;
    const double dt = it->dt;
    nj_real *rhs = it->work[0], *tend = it->work[1], *xn = it->work[2];
    if (!it->have_prev) { /* start: (1 - dt/2 L) x1 = x0 + dt N(x0) + dt/2 L x0 */
        TRY(e->explicit_tend(e->ctx, x, tend));
        TRY(e->ops->axpby(n, 1.0, x, 0.0, rhs));
        TRY(e->ops->axpby(n, dt, tend, 1.0, rhs));
        TRY(e->implicit_tend(e->ctx, x, tend));
        TRY(e->ops->axpby(n, 0.5 * dt, tend, 1.0, rhs));
        TRY(e->implicit_inverse(e->ctx, 0.5 * dt, rhs, rhs));
        if (e->filter) TRY(e->filter(e->ctx, dt, rhs));
        TRY(e->ops->axpby(n, 1.0, x, 0.0, it->prev));
        TRY(e->ops->axpby(n, 1.0, rhs, 0.0, x));
        it->have_prev = 1;
        return NJORD_OK;
    }
    TRY(e->explicit_tend(e->ctx, x, tend));
    TRY(e->ops->axpby(n, 1.0, it->prev, 0.0, rhs));
    TRY(e->ops->axpby(n, 2 * dt, tend, 1.0, rhs));
    TRY(e->implicit_tend(e->ctx, it->prev, tend));
    TRY(e->ops->axpby(n, dt, tend, 1.0, rhs));
    TRY(e->implicit_inverse(e->ctx, dt, rhs, xn));
    if (e->filter) TRY(e->filter(e->ctx, 2 * dt, xn));
    /* d = nu/2 (xn - 2 x + prev), in rhs */
    TRY(e->ops->axpby(n, 0.5 * it->nu, xn, 0.0, rhs));
    TRY(e->ops->axpby(n, -it->nu, x, 1.0, rhs));
    TRY(e->ops->axpby(n, 0.5 * it->nu, it->prev, 1.0, rhs));
    TRY(e->ops->axpby(n, it->alpha, rhs, 1.0, x));         /* filtered x_n */
    TRY(e->ops->axpby(n, -(1.0 - it->alpha), rhs, 1.0, xn)); /* x_{n+1} */
    TRY(e->ops->axpby(n, 1.0, x, 0.0, it->prev));
    TRY(e->ops->axpby(n, 1.0, xn, 0.0, x));
    return NJORD_OK;
}

/* IMEX RK: y_i = (1 - dt a_ii L)^-1 [x + dt sum_{j<i} (aex_ij N(y_j) + aim_ij L(y_j))];
 * x_new = x + dt sum_j (bex_j N(y_j) + bim_j L(y_j)); then the filter over dt. */
static int step_sil3(nj_integrator *it, nj_real *x)
{
    const nj_equation *e = &it->eq;
    const size_t n = e->len;
    const double dt = it->dt;
    nj_real *y = it->work[0], *fex[4] = {it->work[1], it->work[2], it->work[3], it->work[4]};
    nj_real *fim[4] = {it->work[5], it->work[6], it->work[7], it->work[8]};
    for (int i = 0; i < 4; i++) {
        TRY(e->ops->axpby(n, 1.0, x, 0.0, y));
        for (int j = 0; j < i; j++) {
            if (sil3_aex[i][j] != 0) TRY(e->ops->axpby(n, dt * sil3_aex[i][j], fex[j], 1.0, y));
            if (sil3_aim[i][j] != 0) TRY(e->ops->axpby(n, dt * sil3_aim[i][j], fim[j], 1.0, y));
        }
        if (sil3_aim[i][i] != 0) TRY(e->implicit_inverse(e->ctx, dt * sil3_aim[i][i], y, y));
        if (sil3_bex[i] != 0 || i < 3) TRY(e->explicit_tend(e->ctx, y, fex[i]));
        TRY(e->implicit_tend(e->ctx, y, fim[i]));
    }
    for (int j = 0; j < 4; j++) {
        if (sil3_bex[j] != 0) TRY(e->ops->axpby(n, dt * sil3_bex[j], fex[j], 1.0, x));
        if (sil3_bim[j] != 0) TRY(e->ops->axpby(n, dt * sil3_bim[j], fim[j], 1.0, x));
    }
    if (e->filter) TRY(e->filter(e->ctx, dt, x));
    return NJORD_OK;
}

int nj_integrator_step(nj_integrator *it, nj_real *x)
{
    int st = it->kind == NJ_INT_LEAPFROG ? step_leapfrog(it, x) : step_sil3(it, x);
    if (!st) it->steps++;
    return st;
}
