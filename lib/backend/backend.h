/* lib/backend/backend.h — the backend contract (internal).
 *
 * A backend executes the stages of a transform plan (see lib/sht/plan.h for the
 * buffer layouts) on memory it owns. Plans, and everything built on them, call
 * only these operations, so a backend can be swapped without touching callers.
 * Pointers passed to the stage operations are in the backend's memory space.
 * Operations allocate nothing; init() allocates everything a plan needs. */
#ifndef NJ_BACKEND_H
#define NJ_BACKEND_H

#include "../sht/plan.h"

#ifndef NJ_PE_REAL
#define NJ_PE_REAL nj_real
#endif
#include "../../kernels/common/pe_point.h"

typedef struct nj_sht_backend {
    const char *name;
    /* Build the Legendre tables and work buffers of a plan whose geometry and
     * layout fields are set. */
    int (*init)(njord_sht_plan *p);
    void (*fini)(njord_sht_plan *p);
    /* spectral (nf fields) -> LS columns [0, 2nf) */
    int (*spec_to_ls)(njord_sht_plan *p, const nj_real *spec, int nf);
    /* LS columns [0, 2nf) -> spectral (degrees up to T) */
    int (*ls_to_spec)(njord_sht_plan *p, nj_real *spec, int nf);
    /* U into LS columns [0,2nf), V into [2nf,4nf), degrees up to T+1, from spectral
     * vorticity (or NULL: zero stream function) and divergence (or, when
     * `potential` is set, the velocity potential itself). */
    int (*vordiv_to_ls)(njord_sht_plan *p, const nj_real *vor, const nj_real *div,
                        int potential, int nf);
    /* LS columns [0,2nf) (U) and [2nf,4nf) (V), degrees up to T+1 -> vor, div */
    int (*ls_to_vordiv)(njord_sht_plan *p, nj_real *vor, nj_real *div, int nf);
    /* Legendre step over ncol columns; ext: use degrees up to T+1 (else T) */
    int (*legendre_inv)(njord_sht_plan *p, int ncol, int ext);
    int (*legendre_fwd)(njord_sht_plan *p, int ncol, int ext);
    /* Transposition of ncol columns between the spectral-side and grid-side
     * Fourier buffers (to_spec: grid -> spectral side); a no-op on one rank. */
    int (*xpose)(njord_sht_plan *p, int ncol, int to_spec);
    /* Fourier columns [2*f0, 2*(f0+nf)) of a call with ncol columns <-> local grid
     * fields (nrows x nlon each) */
    int (*fft_inv)(njord_sht_plan *p, nj_real *grid, int f0, int nf, int ncol,
                   enum nj_rowscale scale);
    int (*fft_fwd)(njord_sht_plan *p, const nj_real *grid, int f0, int nf, int ncol,
                   enum nj_rowscale scale);
    /* out = factor(n) * in, factor from kernels/common (0: Laplacian, 1: inverse) */
    int (*spec_scale)(const njord_sht_plan *p, const nj_real *in, nj_real *out, int nf,
                      int inverse);
    /* Is ptr usable as an input/output of this backend? (for argument checks) */
    int (*ptr_ok)(const njord_sht_plan *p, const void *ptr);

    /* ---- array operations for the models (pointers in backend memory) ---- */
    int (*alloc)(size_t bytes, void **ptr);      /* zero-filled */
    void (*free)(void *ptr);
    int (*to_host)(void *dst, const void *src, size_t bytes);
    int (*from_host)(void *dst, const void *src, size_t bytes);
    /* y = a x + b y over n reals; x is not read when a == 0, y not when b == 0 */
    int (*axpby)(size_t n, double a, const nj_real *x, double b, nj_real *y);
    /* shallow-water grid products at npts points (kernels/common/sw_point.h):
     * fu = [eta u | phi u], fv = [eta v | phi v] (2 npts each), ke (npts) */
    int (*sw_fluxes)(size_t npts, const nj_real *u, const nj_real *v, const nj_real *zeta,
                     const nj_real *phi, const nj_real *f, nj_real *fu, nj_real *fv, nj_real *ke);
    /* out_n^m = fac[n] in_n^m for nf local spectral fields; fac: host, T+1 values */
    int (*spec_degree_scale)(njord_sht_plan *p, const nj_real *in, nj_real *out, int nf,
                             const double *fac);
    /* shallow-water implicit terms on local spectral (delta, Phi): solve = 0: the
     * tendencies L(delta, Phi) into (od, op); solve = 1: (od, op) = (1 - eta L)^-1 (d, ph).
     * In place allowed. */
    int (*sw_implicit)(njord_sht_plan *p, int solve, double eta, double phiref,
                       const nj_real *d, const nj_real *ph, nj_real *od, nj_real *op);
    /* *first = index of the first non-finite value among n, or (size_t)-1 */
    int (*find_nonfinite)(size_t n, const nj_real *x, size_t *first);
    /* primitive equations: the explicit grid-point column computation of
     * kernels/common/pe_point.h over g->npts columns (pointers in g: backend memory) */
    int (*pe_columns)(const nj_pe_consts *c, const nj_pe_cols *g);
    /* the semi-implicit terms of nj_pe_implicit_coef over the local spectral
     * coefficients of L levels: d, t (L fields each), lp (1 field); mats (backend
     * memory, double): [gam L*L | tau L*L | nu L | minv (T+1)*L*L]. In place allowed. */
    int (*pe_implicit)(njord_sht_plan *p, int L, int solve, double eta, double rtr,
                       const double *mats, const nj_real *d, const nj_real *t, const nj_real *lp,
                       nj_real *od, nj_real *ot, nj_real *olp);
} nj_sht_backend;

/* cpu implementations of the model array operations (lib/backend/cpu_model.c) */
int nj_cpu_alloc(size_t bytes, void **ptr);
void nj_cpu_free(void *ptr);
int nj_cpu_copy(void *dst, const void *src, size_t bytes);
int nj_cpu_axpby(size_t n, double a, const nj_real *x, double b, nj_real *y);
int nj_cpu_sw_fluxes(size_t npts, const nj_real *u, const nj_real *v, const nj_real *zeta,
                     const nj_real *phi, const nj_real *f, nj_real *fu, nj_real *fv, nj_real *ke);
int nj_cpu_spec_degree_scale(njord_sht_plan *p, const nj_real *in, nj_real *out, int nf,
                             const double *fac);
int nj_cpu_sw_implicit(njord_sht_plan *p, int solve, double eta, double phiref, const nj_real *d,
                       const nj_real *ph, nj_real *od, nj_real *op);
int nj_cpu_find_nonfinite(size_t n, const nj_real *x, size_t *first);
int nj_cpu_pe_columns(const nj_pe_consts *c, const nj_pe_cols *g);
int nj_cpu_pe_implicit(njord_sht_plan *p, int L, int solve, double eta, double rtr,
                       const double *mats, const nj_real *d, const nj_real *t, const nj_real *lp,
                       nj_real *od, nj_real *ot, nj_real *olp);

extern const nj_sht_backend nj_cpu_backend;

/* CUDA availability (lib/backend/cuda_probe.c): compiled in? usable here? */
int nj_cuda_compiled(void);
int nj_cuda_usable(void);
const char *nj_cuda_version(void);
const nj_sht_backend *nj_cuda_sht_backend(void);
const char *nj_cuda_device_name(void);
int nj_cuda_mem_alloc(size_t bytes, void **ptr);
void nj_cuda_mem_free(void *ptr);
/* 1 if dst or src is device memory and the copy was done (status in *status) */
int nj_cuda_mem_copy(void *dst, const void *src, size_t bytes, int *status);

#endif
