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
} nj_sht_backend;

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
