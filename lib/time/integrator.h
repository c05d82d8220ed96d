/* lib/time/integrator.h — time integrators, written once against the equation
 * contract (internal).
 *
 * An equation (after Dinosaur, the JAX dynamical core of NeuralGCM) is a state
 * vector of `len` reals in backend memory and three operations: explicit
 * tendencies N(x), implicit tendencies L(x) (linear), and the implicit inverse
 * y = (1 - eta L)^-1 x. Filters (e.g. hyperdiffusion) are separate steps applied
 * after each step of length h. Linear algebra on states goes through the
 * backend's axpby, so the integrators run unchanged on the cpu and cuda backends. */
#ifndef NJ_INTEGRATOR_H
#define NJ_INTEGRATOR_H

#include "../backend/backend.h"

typedef struct nj_equation {
    void *ctx;
    size_t len;                       /* reals per state */
    const nj_sht_backend *ops;        /* alloc, axpby */
    int (*explicit_tend)(void *ctx, const nj_real *x, nj_real *out);
    int (*implicit_tend)(void *ctx, const nj_real *x, nj_real *out);
    int (*implicit_inverse)(void *ctx, double eta, const nj_real *x, nj_real *out); /* in place ok */
    int (*filter)(void *ctx, double h, nj_real *x); /* may be NULL */
} nj_equation;

typedef enum { NJ_INT_LEAPFROG = 0, NJ_INT_IMEX_SIL3 = 1 } nj_integrator_kind;

typedef struct nj_integrator nj_integrator;

/** Semi-implicit leapfrog (trapezoidal implicit part over 2 dt) with the
 *  Robert–Asselin–Williams filter (nu, alpha); or the four-stage IMEX Runge–Kutta
 *  scheme SIL3 of Whitaker & Kar (2013, Mon. Wea. Rev. 141, 3426), whose tableaux
 *  are in integrator.c. The leapfrog starts with one semi-implicit step of dt
 *  (trapezoidal implicit part). */
int nj_integrator_create(nj_integrator_kind kind, const nj_equation *eq, double dt, double nu,
                         double alpha, nj_integrator **out);
void nj_integrator_destroy(nj_integrator *it);

/** Advance x (len reals, backend memory) by one step dt. */
int nj_integrator_step(nj_integrator *it, nj_real *x);

/** The previous time level of the leapfrog (NULL before the first step or for
 *  single-level schemes), and the number of steps taken: what a restart needs. */
nj_real *nj_integrator_previous(nj_integrator *it);
long nj_integrator_steps(const nj_integrator *it);
/** Overwrite the internal state (restart): previous level (may be NULL for a
 *  fresh start) and step count. */
int nj_integrator_restore(nj_integrator *it, const nj_real *prev, long steps);

#endif
