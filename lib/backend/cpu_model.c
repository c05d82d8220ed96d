/* lib/backend/cpu_model.c — the cpu backend's array operations for the models:
 * linear combinations, grid-point products and per-coefficient spectral terms,
 * each a loop around the per-point bodies of kernels/common/. Loops are threaded
 * over independent elements, so results do not depend on the thread count. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"

#define NJ_SW_REAL nj_real
#include "../../kernels/common/sw_point.h"

int nj_cpu_alloc(size_t bytes, void **ptr)
{
    *ptr = nj_alloc(bytes);
    return *ptr ? NJORD_OK : nj_error(NJORD_ENOMEM, "out of memory (%zu bytes)", bytes);
}

void nj_cpu_free(void *ptr) { nj_free(ptr); }

int nj_cpu_copy(void *dst, const void *src, size_t bytes)
{
    if (bytes) memmove(dst, src, bytes);
    return NJORD_OK;
}

int nj_cpu_axpby(size_t n, double a, const nj_real *x, double b, nj_real *y)
{
    if (b == 0) { /* y is not read: it may hold anything, NaN included */
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) y[i] = a == 0 ? (nj_real)0 : (nj_real)(a * x[i]);
    } else if (a == 0) {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) y[i] = (nj_real)(b * y[i]);
    } else {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) y[i] = (nj_real)(a * x[i] + b * y[i]);
    }
    return NJORD_OK;
}

int nj_cpu_sw_fluxes(size_t npts, const nj_real *u, const nj_real *v, const nj_real *zeta,
                     const nj_real *phi, const nj_real *f, nj_real *fu, nj_real *fv, nj_real *ke)
{
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < npts; i++)
        nj_sw_fluxes(u[i], v[i], zeta[i], phi[i], f ? f[i] : (nj_real)0, &fu[i], &fv[i],
                     &fu[npts + i], &fv[npts + i], &ke[i]);
    return NJORD_OK;
}

int nj_cpu_spec_degree_scale(njord_sht_plan *p, const nj_real *in, nj_real *out, int nf,
                             const double *fac)
{
    const int T = p->T;
    for (int f = 0; f < nf; f++)
#pragma omp parallel for schedule(dynamic, 8)
        for (int im = 0; im < p->nm; im++)
            for (int n = p->mloc[im]; n <= T; n++) {
                size_t i = 2 * (p->nspec_loc * f + p->soff[im] + (size_t)(n - p->mloc[im]));
                out[i] = (nj_real)(fac[n] * in[i]);
                out[i + 1] = (nj_real)(fac[n] * in[i + 1]);
            }
    return NJORD_OK;
}

int nj_cpu_sw_implicit(njord_sht_plan *p, int solve, double eta, double phiref, const nj_real *d,
                       const nj_real *ph, nj_real *od, nj_real *op)
{
    const int T = p->T;
    const double a2 = p->radius * p->radius;
#pragma omp parallel for schedule(dynamic, 8)
    for (int im = 0; im < p->nm; im++)
        for (int n = p->mloc[im]; n <= T; n++) {
            size_t i = 2 * (p->soff[im] + (size_t)(n - p->mloc[im]));
            double cn = (double)n * (n + 1) / a2;
            for (int c = 0; c < 2; c++) {
                nj_real x = d[i + c], y = ph[i + c];
                if (solve) {
                    nj_sw_implicit_solve(cn, phiref, eta, &x, &y);
                    od[i + c] = x;
                    op[i + c] = y;
                } else {
                    nj_sw_implicit_tend(cn, phiref, x, y, &od[i + c], &op[i + c]);
                }
            }
        }
    return NJORD_OK;
}

int nj_cpu_find_nonfinite(size_t n, const nj_real *x, size_t *first)
{
    size_t bad = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) {
            bad = i;
            break;
        }
    *first = bad;
    return NJORD_OK;
}

int nj_cpu_pe_columns(const nj_pe_consts *c, const nj_pe_cols *g)
{
    const long n = (long)g->npts;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) nj_pe_column(c, g, (size_t)i);
    return NJORD_OK;
}

int nj_cpu_pe_implicit(njord_sht_plan *p, int L, int solve, double eta, double rtr,
                       const double *mats, const nj_real *d, const nj_real *t, const nj_real *lp,
                       nj_real *od, nj_real *ot, nj_real *olp)
{
    const int T = p->T;
    const double a2 = p->radius * p->radius;
    const size_t stride = 2 * p->nspec_loc, LL = (size_t)L * L;
    const double *gam = mats, *tau = mats + LL, *nu = mats + 2 * LL, *minv = mats + 2 * LL + L;
#pragma omp parallel for schedule(dynamic, 4)
    for (int im = 0; im < p->nm; im++)
        for (int n = p->mloc[im]; n <= T; n++) {
            size_t i = 2 * (p->soff[im] + (size_t)(n - p->mloc[im]));
            double lam = (double)n * (n + 1) / a2;
            for (int c = 0; c < 2; c++)
                nj_pe_implicit_coef(L, solve, eta, lam, rtr, gam, tau, nu, minv + (size_t)n * LL,
                                    stride, d + i + c, t + i + c, lp + i + c, od + i + c,
                                    ot + i + c, olp + i + c);
        }
    return NJORD_OK;
}
