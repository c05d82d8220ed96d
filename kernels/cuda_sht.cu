/* kernels/cuda_sht.cu — the cuda backend of the transform stages (lib/backend/backend.h).
 *
 * Tables, work buffers and (when the caller hands device pointers) every field stay
 * resident on the GPU. cuFFT does the longitude FFTs (one batched plan over the
 * local rows of a field), cuBLAS the Legendre GEMMs (two per local m, the
 * symmetric/antisymmetric split kept), and thin kernels call the per-point bodies
 * of kernels/common/ that the CPU backend also uses. Host pointers are accepted
 * too: they are staged through device buffers, with copies of field f overlapping
 * the FFTs of field f+1 on a second stream. Every operation returns when its
 * results are complete.
 *
 * Compiled by nvcc for the real backend, and by g++ against kernels/emu/ for the
 * host emulation that runs the GPU test suite in CI (see kernels/emu/README.md). */
#include "common/nj_cuda.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

extern "C" {
#include "../lib/backend/backend.h"
}

#define NJ_SHT_REAL nj_real
#include "common/sht_point.h"
#define NJ_SW_REAL nj_real
#include "common/sw_point.h"
#include "common/xpose_point.h"

#if defined(OMPI_MAJOR_VERSION) && !defined(NJ_CUDA_EMU)
#include <mpi-ext.h>
#endif

#ifdef NJORD_SINGLE
typedef cufftComplex nj_cplx;
#define NJ_FFT_R2C CUFFT_R2C
#define NJ_FFT_C2R CUFFT_C2R
#define nj_fft_exec_r2c(p, i, o) cufftExecR2C(p, (cufftReal *)(i), (cufftComplex *)(o))
#define nj_fft_exec_c2r(p, i, o) cufftExecC2R(p, (cufftComplex *)(i), (cufftReal *)(o))
#define nj_gemm cublasSgemm
#define NJ_MPI_REAL MPI_FLOAT
#else
typedef cufftDoubleComplex nj_cplx;
#define NJ_FFT_R2C CUFFT_D2Z
#define NJ_FFT_C2R CUFFT_Z2D
#define nj_fft_exec_r2c(p, i, o) cufftExecD2Z(p, (cufftDoubleReal *)(i), (cufftDoubleComplex *)(o))
#define nj_fft_exec_c2r(p, i, o) cufftExecZ2D(p, (cufftDoubleComplex *)(i), (cufftDoubleReal *)(o))
#define nj_gemm cublasDgemm
#define NJ_MPI_REAL MPI_DOUBLE
#endif

#define NJ_THREADS 256

/* ------------------------------------------------------------------ errors */

#define CU(call)                                                                            \
    do {                                                                                    \
        cudaError_t e_ = (call);                                                            \
        if (e_ != cudaSuccess)                                                              \
            return nj_error(NJORD_EBACKEND, "cuda backend: %s failed: %s (%s)", #call,     \
                            cudaGetErrorName(e_), cudaGetErrorString(e_));                 \
    } while (0)
#define CUFFT(call)                                                                         \
    do {                                                                                    \
        cufftResult r_ = (call);                                                            \
        if (r_ != CUFFT_SUCCESS)                                                            \
            return nj_error(NJORD_EBACKEND, "cuda backend: %s failed (cufftResult %d)",   \
                            #call, (int)r_);                                               \
    } while (0)
#define CUBLAS(call)                                                                        \
    do {                                                                                    \
        cublasStatus_t b_ = (call);                                                         \
        if (b_ != CUBLAS_STATUS_SUCCESS)                                                    \
            return nj_error(NJORD_EBACKEND, "cuda backend: %s failed (cublasStatus %d)",  \
                            #call, (int)b_);                                               \
    } while (0)
#define LAUNCHED(name)                                                                      \
    do {                                                                                    \
        cudaError_t e_ = cudaGetLastError();                                                \
        if (e_ != cudaSuccess)                                                              \
            return nj_error(NJORD_EBACKEND, "cuda backend: kernel %s: %s", name,           \
                            cudaGetErrorString(e_));                                       \
    } while (0)

static unsigned blocks_for(size_t n) { return (unsigned)((n + NJ_THREADS - 1) / NJ_THREADS); }

/* ------------------------------------------------------------------ availability */

static char nj_cuda_msg[512];

extern "C" int nj_cuda_compiled(void) { return 1; }

extern "C" int nj_cuda_usable(void)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        const char *why = e == cudaErrorInsufficientDriver
                              ? "no NVIDIA driver, or one older than this CUDA runtime"
                          : e == cudaErrorNoDevice ? "no CUDA device"
                                                   : "CUDA initialisation failed";
        return nj_error(NJORD_EBACKEND, "cuda backend: no usable GPU: %s (%s: %s)", why,
                        cudaGetErrorName(e), cudaGetErrorString(e));
    }
    if (n < 1) return nj_error(NJORD_EBACKEND, "cuda backend: no usable GPU: no CUDA device");
    return NJORD_OK;
}

extern "C" const char *nj_cuda_version(void)
{
#ifdef NJ_CUDA_EMU
    snprintf(nj_cuda_msg, sizeof nj_cuda_msg, "host emulation of CUDA (kernels/emu), not a GPU");
#else
    int rt = 0;
    cudaError_t e = cudaRuntimeGetVersion(&rt);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        snprintf(nj_cuda_msg, sizeof nj_cuda_msg, "runtime unknown (cudaRuntimeGetVersion: %s)",
                 cudaGetErrorName(e));
    } else {
        snprintf(nj_cuda_msg, sizeof nj_cuda_msg, "runtime %d.%d", rt / 1000, (rt % 1000) / 10);
    }
#endif
    return nj_cuda_msg;
}

extern "C" const char *nj_cuda_device_name(void)
{
    static char name[300];
    cudaDeviceProp prop;
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
        (void)cudaGetLastError();
        return "none";
    }
    snprintf(name, sizeof name, "%s%s", prop.name,
             nj_cuda_is_emulation() ? " (host emulation, not a GPU)" : "");
    return name;
}

/* ------------------------------------------------------------------ memory API */

extern "C" int nj_cuda_mem_alloc(size_t bytes, void **ptr)
{
    *ptr = NULL;
    int st = nj_cuda_usable();
    if (st) return st;
    CU(cudaMalloc(ptr, bytes ? bytes : 1));
    return NJORD_OK;
}

extern "C" void nj_cuda_mem_free(void *ptr)
{
    if (ptr) cudaFree(ptr);
}

static int is_device_ptr(const void *ptr)
{
    if (!ptr) return 0;
    cudaPointerAttributes a;
    if (cudaPointerGetAttributes(&a, ptr) != cudaSuccess) {
        (void)cudaGetLastError();
        return 0;
    }
    return a.type == cudaMemoryTypeDevice || a.type == cudaMemoryTypeManaged;
}

/* returns 1 if the copy involved device memory and was done here */
extern "C" int nj_cuda_mem_copy(void *dst, const void *src, size_t bytes, int *status)
{
    *status = NJORD_OK;
    if (nj_cuda_usable() != NJORD_OK) {
        nj_error_clear();
        return 0;
    }
    int dd = is_device_ptr(dst), sd = is_device_ptr(src);
    if (!dd && !sd) return 0;
    cudaMemcpyKind k = dd && sd ? cudaMemcpyDeviceToDevice
                       : dd     ? cudaMemcpyHostToDevice
                                : cudaMemcpyDeviceToHost;
    const char *call = "cudaMemcpy";
    cudaError_t e = cudaMemcpy(dst, src, bytes, k);
    /* cudaMemcpy returns before a device-to-device copy, or the DMA of one from
     * pageable host memory, has ended: wait, so that the copy is complete on return */
    if (e == cudaSuccess && dd) {
        call = "cudaStreamSynchronize";
        e = cudaStreamSynchronize(0);
    }
    if (e != cudaSuccess)
        *status = nj_error(NJORD_EBACKEND, "njord_mem_copy: %s failed: %s (%s)", call,
                           cudaGetErrorName(e), cudaGetErrorString(e));
    return 1;
}

/* ------------------------------------------------------------------ state */

typedef struct {
    cublasHandle_t blas;
    cufftHandle r2c, c2r;   /* one field: nrows rows of nlon */
    int have_r2c, have_c2r; /* the handles exist (0 may be a valid cufftHandle) */
    cudaStream_t comp, copy;
    cudaEvent_t *ev;        /* max_batch events for the field pipeline */
    nj_real *tab, *ls, *four_s, *four_g, *stage;
    nj_cplx *fbuf;          /* max_batch * nrows * nc complex: FFT rows */
    nj_real *gstage;        /* device staging for host grid fields: max_batch * 2 fields */
    nj_real *sstage;        /* device staging for host spectral fields: max_batch * 2 fields */
    nj_real *hsend, *hrecv; /* pinned host staging for MPI that is not CUDA-aware */
    int cuda_aware;
    /* device copies of the layout */
    int *mloc, *ns, *na, *kpos, *coef_im, *ext_im, *r_j0, *r_nhl;
    size_t *soff, *ls_cum, *ext_off;
    double *syn[2], *ana[2];
    size_t next;            /* extended coefficients (n up to T+1): nspec_loc + nm */
    double *dfac;           /* T+1 per-degree factors (model operations) */
    int *dflag;             /* one int (non-finite check) */
} nj_cuda_sht;

#define CB(p) ((nj_cuda_sht *)(p)->bk)

/* ------------------------------------------------------------------ kernels */

struct nj_layout { /* by value into kernels: scalars and device pointers only */
    int T, nm, ncol, nf;
    size_t nspec_loc, next;
    const int *mloc, *ns, *na, *coef_im, *ext_im;
    const size_t *soff, *ls_cum, *ext_off;
};

__device__ static inline size_t d_ls_index(const nj_layout &L, int im, int par, int r, int col)
{
    size_t blk = L.ls_cum[im] * (size_t)L.ncol + (par ? (size_t)L.ns[im] * L.ncol : 0);
    int ld = par ? L.na[im] : L.ns[im];
    return blk + (size_t)r + (size_t)ld * col;
}

__global__ void k_spec_to_ls(nj_layout L, const nj_real *spec, nj_real *ls)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= L.nspec_loc * L.nf) return;
    int f = (int)(i / L.nspec_loc);
    size_t k = i % L.nspec_loc;
    int im = L.coef_im[k], m = L.mloc[im];
    int n = m + (int)(k - L.soff[im]);
    int par = (n - m) & 1, r = (n - m) >> 1;
    ls[d_ls_index(L, im, par, r, 2 * f)] = spec[2 * i];
    ls[d_ls_index(L, im, par, r, 2 * f + 1)] = m ? spec[2 * i + 1] : (nj_real)0;
}

__global__ void k_ls_to_spec(nj_layout L, const nj_real *ls, nj_real *spec)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= L.nspec_loc * L.nf) return;
    int f = (int)(i / L.nspec_loc);
    size_t k = i % L.nspec_loc;
    int im = L.coef_im[k], m = L.mloc[im];
    int n = m + (int)(k - L.soff[im]);
    int par = (n - m) & 1, r = (n - m) >> 1;
    spec[2 * i] = ls[d_ls_index(L, im, par, r, 2 * f)];
    spec[2 * i + 1] = m ? ls[d_ls_index(L, im, par, r, 2 * f + 1)] : (nj_real)0;
}

/* neighbours n-1, n, n+1 of local field f (zero outside m..T), scaled by the
 * inverse Laplacian when invlap */
__device__ static inline void d_nb3(const nj_layout &L, const nj_real *spec, int f, int im, int n,
                                    int invlap, double a, nj_real out[6])
{
    int m = L.mloc[im];
    for (int d = 0; d < 3; d++) {
        int k = n - 1 + d;
        if (!spec || k < m || k > L.T) {
            out[2 * d] = out[2 * d + 1] = 0;
            continue;
        }
        size_t c = L.nspec_loc * f + L.soff[im] + (size_t)(k - m);
        double s = invlap ? nj_invlap_factor(k, a) : 1.0;
        out[2 * d] = (nj_real)(s * spec[2 * c]);
        out[2 * d + 1] = m ? (nj_real)(s * spec[2 * c + 1]) : (nj_real)0;
    }
}

__global__ void k_vordiv_to_ls(nj_layout L, const nj_real *vor, const nj_real *div, int potential,
                               double radius, nj_real *ls)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= L.next * L.nf) return;
    int f = (int)(i / L.next);
    size_t e = i % L.next;
    int im = L.ext_im[e], m = L.mloc[im];
    int k = m + (int)(e - L.ext_off[im]);
    nj_real psi[6], chi[6], U[2], V[2];
    d_nb3(L, vor, f, im, k, 1, radius, psi);
    d_nb3(L, div, f, im, k, !potential, radius, chi);
    nj_uv_coef(m, k, 1.0 / radius, psi, chi, U, V);
    int par = (k - m) & 1, r = (k - m) >> 1;
    ls[d_ls_index(L, im, par, r, 2 * f)] = U[0];
    ls[d_ls_index(L, im, par, r, 2 * f + 1)] = U[1];
    ls[d_ls_index(L, im, par, r, 2 * L.nf + 2 * f)] = V[0];
    ls[d_ls_index(L, im, par, r, 2 * L.nf + 2 * f + 1)] = V[1];
}

__global__ void k_ls_to_vordiv(nj_layout L, const nj_real *ls, double radius, nj_real *vor,
                               nj_real *div)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= L.nspec_loc * L.nf) return;
    int f = (int)(i / L.nspec_loc);
    size_t kk = i % L.nspec_loc;
    int im = L.coef_im[kk], m = L.mloc[im];
    int n = m + (int)(kk - L.soff[im]);
    nj_real a[6], b[6], z[2], d[2];
    for (int q = 0; q < 3; q++) {
        int k = n - 1 + q;
        if (k < m) {
            a[2 * q] = a[2 * q + 1] = b[2 * q] = b[2 * q + 1] = 0;
            continue;
        }
        int par = (k - m) & 1, r = (k - m) >> 1;
        a[2 * q] = ls[d_ls_index(L, im, par, r, 2 * f)];
        a[2 * q + 1] = ls[d_ls_index(L, im, par, r, 2 * f + 1)];
        b[2 * q] = ls[d_ls_index(L, im, par, r, 2 * L.nf + 2 * f)];
        b[2 * q + 1] = ls[d_ls_index(L, im, par, r, 2 * L.nf + 2 * f + 1)];
    }
    nj_vordiv_coef(m, n, 1.0 / radius, a, b, z, d);
    vor[2 * i] = z[0];
    vor[2 * i + 1] = m ? z[1] : (nj_real)0;
    div[2 * i] = d[0];
    div[2 * i + 1] = m ? d[1] : (nj_real)0;
}

__global__ void k_spec_scale(nj_layout L, const nj_real *in, nj_real *out, double radius,
                             int inverse)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= L.nspec_loc * L.nf) return;
    size_t k = i % L.nspec_loc;
    int im = L.coef_im[k];
    int n = L.mloc[im] + (int)(k - L.soff[im]);
    nj_spec_scale_coef(L.mloc[im], n, radius, inverse, in + 2 * i, out + 2 * i);
}

/* grid-side Fourier buffer -> FFT rows of one field (local rows [nrows][nc]) */
__global__ void k_pair_to_rows(const nj_real *four_g, const int *kpos, const double *sc, int T,
                               int nhl, int nrows, int nc, int ncol, int col, nj_cplx *rows)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)nhl * nc) return;
    int jl = (int)(i / nc), m = (int)(i % nc);
    int south = nrows - 1 - jl;
    nj_cplx zero;
    zero.x = zero.y = 0;
    if (m > T) {
        rows[(size_t)jl * nc + m] = zero;
        if (south != jl) rows[(size_t)south * nc + m] = zero;
        return;
    }
    size_t astride = (size_t)nhl * ncol;
    const nj_real *s = four_g + 2 * (size_t)kpos[m] * astride + (size_t)jl + (size_t)nhl * col;
    const nj_real *a = s + astride;
    nj_real o[2];
    nj_pair_to_row(s[0], s[nhl], a[0], a[nhl], 1.0, sc[jl], o);
    rows[(size_t)jl * nc + m].x = o[0];
    rows[(size_t)jl * nc + m].y = o[1];
    if (south != jl) {
        nj_pair_to_row(s[0], s[nhl], a[0], a[nhl], -1.0, sc[jl], o);
        rows[(size_t)south * nc + m].x = o[0];
        rows[(size_t)south * nc + m].y = o[1];
    }
}

/* FFT rows of one field -> grid-side Fourier buffer */
__global__ void k_rows_to_pair(const nj_cplx *rows, const double *sc, int T, int nhl, int nrows,
                               int nc, int nlon, int ncol, int col, const int *kpos,
                               nj_real *four_g)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)nhl * (T + 1)) return;
    int jl = (int)(i / (T + 1)), m = (int)(i % (T + 1));
    int south = nrows - 1 - jl, eq = south == jl;
    size_t astride = (size_t)nhl * ncol;
    nj_real *s = four_g + 2 * (size_t)kpos[m] * astride + (size_t)jl + (size_t)nhl * col;
    nj_real *a = s + astride;
    double fac = sc[jl] / nlon;
    nj_cplx vn = rows[(size_t)jl * nc + m], vs = rows[(size_t)south * nc + m];
    nj_row_to_pair(vn.x, eq ? 0.0 : vs.x, eq, fac, &s[0], &a[0]);
    nj_row_to_pair(vn.y, eq ? 0.0 : vs.y, eq, fac, &s[nhl], &a[nhl]);
}

/* transposition staging: four_s rows <-> per-rank blocks (kernels/common/xpose_point.h) */
__global__ void k_xpose(nj_real *four_s, nj_real *stage, const int *r_j0, const int *r_nhl,
                        int R, int nh, int nm, int ncol, int to_spec)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    size_t nrow = (size_t)nm * 2 * ncol;
    if (i >= nrow * nh) return;
    size_t row = i / nh;
    int j = (int)(i % nh), q = 0;
    while (q + 1 < R && r_j0[q + 1] <= j) q++;
    size_t si = nj_xpose_stage_index(row, j, r_j0[q], r_nhl[q], nm, ncol);
    if (to_spec) four_s[row * nh + j] = stage[si];
    else stage[si] = four_s[row * nh + j];
}

/* ------------------------------------------------------------------ set-up */

static int up(void **dst, const void *src, size_t bytes)
{
    CU(cudaMalloc(dst, bytes ? bytes : 1));
    if (bytes) CU(cudaMemcpy(*dst, src, bytes, cudaMemcpyHostToDevice));
    return NJORD_OK;
}

static void cuda_fini(njord_sht_plan *p)
{
    nj_cuda_sht *b = CB(p);
    if (!b) return;
    cudaDeviceSynchronize();
    if (b->blas) cublasDestroy(b->blas);
    if (b->have_r2c) cufftDestroy(b->r2c);
    if (b->have_c2r) cufftDestroy(b->c2r);
    if (b->ev)
        for (int f = 0; f < p->max_batch; f++)
            if (b->ev[f]) cudaEventDestroy(b->ev[f]);
    free(b->ev);
    if (b->comp) cudaStreamDestroy(b->comp);
    if (b->copy) cudaStreamDestroy(b->copy);
    void *dev[] = {b->tab, b->ls, b->four_s, b->four_g != b->four_s ? b->four_g : NULL,
                   b->stage, b->fbuf, b->gstage, b->sstage, b->mloc, b->ns, b->na, b->kpos,
                   b->coef_im, b->ext_im, b->r_j0, b->r_nhl, b->soff, b->ls_cum, b->ext_off,
                   b->syn[0], b->syn[1], b->ana[0], b->ana[1], b->dfac, b->dflag};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        if (dev[i]) cudaFree(dev[i]);
    if (b->hsend) cudaFreeHost(b->hsend);
    if (b->hrecv) cudaFreeHost(b->hrecv);
    (void)cudaGetLastError();
    free(b);
    p->bk = NULL;
}

static int cuda_aware_mpi(void)
{
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
    return MPIX_Query_cuda_support() == 1;
#else
    return 0;
#endif
}

static int cuda_init_inner(njord_sht_plan *p, nj_cuda_sht *b)
{
    const int T = p->T, nh = p->nh, nm = p->nm, nlon = p->nlon, nc = nlon / 2 + 1;
    const size_t mc = (size_t)p->max_cols;
    /* blocking streams (not cudaStreamNonBlocking): work on the legacy default stream
     * is ordered with them, so inputs written there (the model operations below,
     * cudaMemset, a cudaMemcpy from pageable memory that returns before its DMA ends,
     * a caller's kernels on stream 0) are complete before a transform reads them */
    CU(cudaStreamCreateWithFlags(&b->comp, cudaStreamDefault));
    CU(cudaStreamCreateWithFlags(&b->copy, cudaStreamDefault));
    b->ev = (cudaEvent_t *)calloc((size_t)p->max_batch, sizeof(cudaEvent_t));
    if (!b->ev) return nj_error(NJORD_ENOMEM, "cuda backend: out of memory");
    for (int f = 0; f < p->max_batch; f++)
        CU(cudaEventCreateWithFlags(&b->ev[f], cudaEventDisableTiming));
    CUBLAS(cublasCreate(&b->blas));
    CUBLAS(cublasSetStream(b->blas, b->comp));

    /* Legendre tables: computed on the host in double (shared code), uploaded */
    size_t ntab = p->nls * (size_t)nh;
    nj_real *htab = (nj_real *)malloc(sizeof(nj_real) * (ntab ? ntab : 1));
    int nthr = nj_max_threads();
    double *work = (double *)malloc(sizeof(double) * (size_t)nthr * 4 * nh);
    int *iwork = (int *)malloc(sizeof(int) * (size_t)nthr * nh);
    if (!htab || !work || !iwork) {
        free(htab);
        free(work);
        free(iwork);
        return nj_error(NJORD_ENOMEM, "cuda backend: out of host memory for T%d tables", T);
    }
    nj_legendre_tables(T, nh, p->mu, p->coslat, nm, p->mloc, p->ns, p->ls_cum, nthr, work,
                       iwork, htab, p->jlo);
    int st = up((void **)&b->tab, htab, sizeof(nj_real) * ntab);
    free(htab);
    free(work);
    free(iwork);
    if (st) return st;

    CU(cudaMalloc(&b->ls, sizeof(nj_real) * (p->nls * mc + 1)));
    CU(cudaMalloc(&b->four_s, sizeof(nj_real) * (2 * (size_t)nm * nh * mc + 1)));
    if (p->nranks == 1) {
        b->four_g = b->four_s;
    } else {
        CU(cudaMalloc(&b->four_g, sizeof(nj_real) * 2 * (size_t)(T + 1) * p->nhl * mc));
        CU(cudaMalloc(&b->stage, sizeof(nj_real) * (2 * (size_t)nm * nh * mc + 1)));
        b->cuda_aware = cuda_aware_mpi();
        if (!b->cuda_aware) {
            /* the larger side of a transposition of mc columns: the spectral side
             * (nm local m, all nh pairs) or the grid side (all T+1 m, nhl local
             * pairs); not (T+1) * nh, which is nranks times the local data */
            size_t ns_side = (size_t)nm * nh, ng_side = (size_t)(T + 1) * p->nhl;
            size_t nb = sizeof(nj_real) * 2 * mc * (ns_side > ng_side ? ns_side : ng_side);
            CU(cudaMallocHost(&b->hsend, nb));
            CU(cudaMallocHost(&b->hrecv, nb));
        }
    }
    CU(cudaMalloc(&b->fbuf, sizeof(nj_cplx) * (size_t)p->max_batch * p->nrows * nc));
    CU(cudaMalloc(&b->gstage, sizeof(nj_real) * 2 * (size_t)p->max_batch * p->nrows * nlon));
    CU(cudaMalloc(&b->sstage, sizeof(nj_real) * (4 * (size_t)p->max_batch * p->nspec_loc + 1)));

    /* layout tables */
    b->next = p->nspec_loc + (size_t)nm;
    int *coef_im = (int *)malloc(sizeof(int) * (p->nspec_loc + b->next + 1));
    size_t *ext_off = (size_t *)malloc(sizeof(size_t) * (size_t)(nm + 1));
    if (!coef_im || !ext_off) {
        free(coef_im);
        free(ext_off);
        return nj_error(NJORD_ENOMEM, "cuda backend: out of memory");
    }
    int *ext_im = coef_im + p->nspec_loc;
    size_t e = 0;
    for (int im = 0; im < nm; im++) {
        for (size_t k = p->soff[im]; k < p->soff[im] + (size_t)(T + 1 - p->mloc[im]); k++)
            coef_im[k] = im;
        ext_off[im] = e;
        for (int n = p->mloc[im]; n <= T + 1; n++) ext_im[e++] = im;
    }
    st = up((void **)&b->coef_im, coef_im, sizeof(int) * p->nspec_loc);
    if (!st) st = up((void **)&b->ext_im, ext_im, sizeof(int) * b->next);
    if (!st) st = up((void **)&b->ext_off, ext_off, sizeof(size_t) * (size_t)nm);
    free(coef_im);
    free(ext_off);
    if (st) return st;
    if ((st = up((void **)&b->mloc, p->mloc, sizeof(int) * (size_t)nm))) return st;
    if ((st = up((void **)&b->ns, p->ns, sizeof(int) * (size_t)nm))) return st;
    if ((st = up((void **)&b->na, p->na, sizeof(int) * (size_t)nm))) return st;
    if ((st = up((void **)&b->kpos, p->kpos, sizeof(int) * (size_t)(T + 1)))) return st;
    if ((st = up((void **)&b->soff, p->soff, sizeof(size_t) * (size_t)nm))) return st;
    if ((st = up((void **)&b->ls_cum, p->ls_cum, sizeof(size_t) * (size_t)(nm + 1)))) return st;
    if ((st = up((void **)&b->r_j0, p->r_j0, sizeof(int) * (size_t)p->nranks))) return st;
    if ((st = up((void **)&b->r_nhl, p->r_nhl, sizeof(int) * (size_t)p->nranks))) return st;
    for (int k = 0; k < 2; k++) {
        if ((st = up((void **)&b->syn[k], p->syn_scale[k] + p->j0, sizeof(double) * (size_t)p->nhl))) return st;
        if ((st = up((void **)&b->ana[k], p->ana_scale[k] + p->j0, sizeof(double) * (size_t)p->nhl))) return st;
    }

    CU(cudaMalloc(&b->dfac, sizeof(double) * (size_t)(T + 1)));
    CU(cudaMalloc(&b->dflag, sizeof(int)));

    /* cuFFT: one field = nrows rows; real rows of nlon, complex rows of nc */
    /* cufftCreate first: a handle exists (and is destroyed in cuda_fini) even when
     * making the plan fails, e.g. out of memory for its work area */
    int n[1] = {nlon};
    size_t ws = 0;
    CUFFT(cufftCreate(&b->r2c));
    b->have_r2c = 1;
    CUFFT(cufftMakePlanMany(b->r2c, 1, n, NULL, 1, nlon, NULL, 1, nc, NJ_FFT_R2C, p->nrows, &ws));
    CUFFT(cufftCreate(&b->c2r));
    b->have_c2r = 1;
    CUFFT(cufftMakePlanMany(b->c2r, 1, n, NULL, 1, nc, NULL, 1, nlon, NJ_FFT_C2R, p->nrows, &ws));
    CUFFT(cufftSetStream(b->r2c, b->comp));
    CUFFT(cufftSetStream(b->c2r, b->comp));
    return NJORD_OK;
}

static int cuda_init(njord_sht_plan *p)
{
    nj_cuda_sht *b = (nj_cuda_sht *)calloc(1, sizeof *b);
    if (!b) return nj_error(NJORD_ENOMEM, "cuda backend: out of memory");
    p->bk = b;
    int st = cuda_init_inner(p, b);
    if (st) cuda_fini(p);
    return st;
}

static int cuda_ptr_ok(const njord_sht_plan *p, const void *ptr)
{
    (void)p;
    return ptr != NULL; /* device or host memory: host buffers are staged */
}

static nj_layout layout(const njord_sht_plan *p, int nf, int ncol)
{
    nj_cuda_sht *b = CB(p);
    nj_layout L;
    L.T = p->T;
    L.nm = p->nm;
    L.ncol = ncol;
    L.nf = nf;
    L.nspec_loc = p->nspec_loc;
    L.next = b->next;
    L.mloc = b->mloc;
    L.ns = b->ns;
    L.na = b->na;
    L.coef_im = b->coef_im;
    L.ext_im = b->ext_im;
    L.soff = b->soff;
    L.ls_cum = b->ls_cum;
    L.ext_off = b->ext_off;
    return L;
}

/* A spectral input: device pointers are used as they are, host ones copied into
 * slot `slot` of the spectral staging buffer. */
static int spec_in(njord_sht_plan *p, const nj_real *src, int nf, int slot, const nj_real **dev)
{
    nj_cuda_sht *b = CB(p);
    if (!src || is_device_ptr(src)) {
        *dev = src;
        return NJORD_OK;
    }
    size_t n = 2 * p->nspec_loc * (size_t)nf;
    nj_real *d = b->sstage + (size_t)slot * 2 * p->nspec_loc * p->max_batch;
    CU(cudaMemcpyAsync(d, src, sizeof(nj_real) * n, cudaMemcpyHostToDevice, b->comp));
    *dev = d;
    return NJORD_OK;
}

static int spec_out_begin(njord_sht_plan *p, nj_real *dst, int slot, nj_real **dev)
{
    nj_cuda_sht *b = CB(p);
    *dev = is_device_ptr(dst) ? dst : b->sstage + (size_t)slot * 2 * p->nspec_loc * p->max_batch;
    return NJORD_OK;
}

static int spec_out_end(njord_sht_plan *p, nj_real *dst, const nj_real *dev, int nf)
{
    nj_cuda_sht *b = CB(p);
    if (dev != dst)
        CU(cudaMemcpyAsync(dst, dev, sizeof(nj_real) * 2 * p->nspec_loc * (size_t)nf,
                           cudaMemcpyDeviceToHost, b->comp));
    return NJORD_OK;
}

/* ------------------------------------------------------------------ stages */

static int cuda_spec_to_ls(njord_sht_plan *p, const nj_real *spec, int nf)
{
    nj_cuda_sht *b = CB(p);
    const nj_real *d;
    int st = spec_in(p, spec, nf, 0, &d);
    if (st) return st;
    size_t n = p->nspec_loc * (size_t)nf;
    if (n) NJ_LAUNCH(k_spec_to_ls, blocks_for(n), NJ_THREADS, 0, b->comp, layout(p, nf, 2 * nf), d, b->ls);
    LAUNCHED("k_spec_to_ls");
    CU(cudaStreamSynchronize(b->comp));
    return NJORD_OK;
}

static int cuda_ls_to_spec(njord_sht_plan *p, nj_real *spec, int nf)
{
    nj_cuda_sht *b = CB(p);
    nj_real *d;
    spec_out_begin(p, spec, 0, &d);
    size_t n = p->nspec_loc * (size_t)nf;
    if (n) NJ_LAUNCH(k_ls_to_spec, blocks_for(n), NJ_THREADS, 0, b->comp, layout(p, nf, 2 * nf), b->ls, d);
    LAUNCHED("k_ls_to_spec");
    int st = spec_out_end(p, spec, d, nf);
    if (st) return st;
    CU(cudaStreamSynchronize(b->comp));
    return NJORD_OK;
}

static int cuda_vordiv_to_ls(njord_sht_plan *p, const nj_real *vor, const nj_real *div,
                             int potential, int nf)
{
    nj_cuda_sht *b = CB(p);
    const nj_real *dv, *dd;
    int st = spec_in(p, vor, nf, 0, &dv);
    if (!st) st = spec_in(p, div, nf, 1, &dd);
    if (st) return st;
    size_t n = b->next * (size_t)nf;
    if (n)
        NJ_LAUNCH(k_vordiv_to_ls, blocks_for(n), NJ_THREADS, 0, b->comp, layout(p, nf, 4 * nf), dv,
                  dd, potential, p->radius, b->ls);
    LAUNCHED("k_vordiv_to_ls");
    CU(cudaStreamSynchronize(b->comp));
    return NJORD_OK;
}

static int cuda_ls_to_vordiv(njord_sht_plan *p, nj_real *vor, nj_real *div, int nf)
{
    nj_cuda_sht *b = CB(p);
    nj_real *dv, *dd;
    spec_out_begin(p, vor, 0, &dv);
    spec_out_begin(p, div, 1, &dd);
    size_t n = p->nspec_loc * (size_t)nf;
    if (n)
        NJ_LAUNCH(k_ls_to_vordiv, blocks_for(n), NJ_THREADS, 0, b->comp, layout(p, nf, 4 * nf), b->ls,
                  p->radius, dv, dd);
    LAUNCHED("k_ls_to_vordiv");
    int st = spec_out_end(p, vor, dv, nf);
    if (!st) st = spec_out_end(p, div, dd, nf);
    if (st) return st;
    CU(cudaStreamSynchronize(b->comp));
    return NJORD_OK;
}

static int cuda_spec_scale(const njord_sht_plan *cp, const nj_real *in, nj_real *out, int nf,
                           int inverse)
{
    njord_sht_plan *p = (njord_sht_plan *)cp;
    nj_cuda_sht *b = CB(p);
    /* in batches of max_batch fields through the staging buffer when on the host */
    for (int f0 = 0; f0 < nf; f0 += p->max_batch) {
        int k = nf - f0 < p->max_batch ? nf - f0 : p->max_batch;
        size_t off = 2 * p->nspec_loc * (size_t)f0;
        const nj_real *din;
        nj_real *dout;
        int st = spec_in(p, in + off, k, 0, &din);
        if (!st) st = spec_out_begin(p, out + off, 1, &dout);
        if (st) return st;
        size_t n = p->nspec_loc * (size_t)k;
        if (n)
            NJ_LAUNCH(k_spec_scale, blocks_for(n), NJ_THREADS, 0, b->comp, layout(p, k, 2 * k), din,
                      dout, p->radius, inverse);
        LAUNCHED("k_spec_scale");
        if ((st = spec_out_end(p, out + off, dout, k))) return st;
        CU(cudaStreamSynchronize(b->comp));
    }
    return NJORD_OK;
}

static int cuda_legendre(njord_sht_plan *p, int ncol, int ext, int forward)
{
    nj_cuda_sht *b = CB(p);
    const int nh = p->nh;
    const nj_real one = 1, zero = 0;
    for (int im = 0; im < p->nm; im++) {
        const nj_leg_block k = nj_legendre_block(p, b->tab, b->ls, b->four_s, im, ncol, ext);
        const nj_real *ts = k.ts, *ta = k.ta;
        nj_real *ls = k.ls, *la = k.la, *S = k.S, *A = k.A;
        const int ks = k.ks, ka = k.ka, j0 = k.j0, mr = nh - j0;
        const size_t rb = sizeof(nj_real); /* rows 0..j0-1 are skipped (plan.h) */
        if (!forward) {
            if (j0 > 0) {
                CU(cudaMemset2DAsync(S, rb * nh, 0, rb * j0, (size_t)ncol, b->comp));
                CU(cudaMemset2DAsync(A, rb * nh, 0, rb * j0, (size_t)ncol, b->comp));
            }
            if (mr == 0) continue;
            CUBLAS(nj_gemm(b->blas, CUBLAS_OP_N, CUBLAS_OP_N, mr, ncol, ks, &one, ts + j0, nh,
                           ls, p->ns[im], &zero, S + j0, nh));
            if (ka > 0)
                CUBLAS(nj_gemm(b->blas, CUBLAS_OP_N, CUBLAS_OP_N, mr, ncol, ka, &one, ta + j0,
                               nh, la, p->na[im], &zero, A + j0, nh));
            else
                CU(cudaMemset2DAsync(A + j0, rb * nh, 0, rb * mr, (size_t)ncol, b->comp));
        } else if (mr == 0) {
            CU(cudaMemset2DAsync(ls, rb * p->ns[im], 0, rb * ks, (size_t)ncol, b->comp));
            if (ka > 0)
                CU(cudaMemset2DAsync(la, rb * p->na[im], 0, rb * ka, (size_t)ncol, b->comp));
        } else {
            CUBLAS(nj_gemm(b->blas, CUBLAS_OP_T, CUBLAS_OP_N, ks, ncol, mr, &one, ts + j0, nh,
                           S + j0, nh, &zero, ls, p->ns[im]));
            if (ka > 0)
                CUBLAS(nj_gemm(b->blas, CUBLAS_OP_T, CUBLAS_OP_N, ka, ncol, mr, &one, ta + j0,
                               nh, A + j0, nh, &zero, la, p->na[im]));
        }
    }
    CU(cudaStreamSynchronize(b->comp));
    return NJORD_OK;
}

static int cuda_legendre_inv(njord_sht_plan *p, int ncol, int ext) { return cuda_legendre(p, ncol, ext, 0); }
static int cuda_legendre_fwd(njord_sht_plan *p, int ncol, int ext) { return cuda_legendre(p, ncol, ext, 1); }

static int cuda_xpose(njord_sht_plan *p, int ncol, int to_spec)
{
    if (p->nranks == 1) return NJORD_OK;
    nj_cuda_sht *b = CB(p);
    int st = nj_par_xcounts(p, ncol, to_spec);
    if (st) return st;
    const int R = p->nranks, nh = p->nh, nm = p->nm;
    int *sc = p->xcounts, *sd = sc + R, *rc = sd + R, *rd = rc + R;
    size_t nel = (size_t)nm * 2 * ncol * nh;
    size_t ngs = 2 * (size_t)(p->T + 1) * p->nhl * ncol;
    if (!to_spec && nel)
        NJ_LAUNCH(k_xpose, blocks_for(nel), NJ_THREADS, 0, b->comp, b->four_s, b->stage, b->r_j0,
                  b->r_nhl, R, nh, nm, ncol, 0);
    LAUNCHED("k_xpose");
    nj_real *send = to_spec ? b->four_g : b->stage, *recv = to_spec ? b->stage : b->four_g;
    size_t nsend = to_spec ? ngs : nel, nrecv = to_spec ? nel : ngs;
    int rc_mpi;
    if (b->cuda_aware) {
        CU(cudaStreamSynchronize(b->comp));
        rc_mpi = MPI_Alltoallv(send, sc, sd, NJ_MPI_REAL, recv, rc, rd, NJ_MPI_REAL, p->comm);
    } else { /* through pinned host memory */
        CU(cudaMemcpyAsync(b->hsend, send, sizeof(nj_real) * nsend, cudaMemcpyDeviceToHost, b->comp));
        CU(cudaStreamSynchronize(b->comp));
        rc_mpi = MPI_Alltoallv(b->hsend, sc, sd, NJ_MPI_REAL, b->hrecv, rc, rd, NJ_MPI_REAL, p->comm);
        if (rc_mpi == MPI_SUCCESS)
            CU(cudaMemcpyAsync(recv, b->hrecv, sizeof(nj_real) * nrecv, cudaMemcpyHostToDevice, b->comp));
    }
    if (rc_mpi != MPI_SUCCESS) return nj_error(NJORD_EMPI, "sht transposition: MPI_Alltoallv failed");
    if (to_spec && nel)
        NJ_LAUNCH(k_xpose, blocks_for(nel), NJ_THREADS, 0, b->comp, b->four_s, b->stage, b->r_j0,
                  b->r_nhl, R, nh, nm, ncol, 1);
    LAUNCHED("k_xpose");
    CU(cudaStreamSynchronize(b->comp));
    return NJORD_OK;
}

/* Fourier (grid side) -> grid, field by field: the FFT of field f runs on the
 * compute stream while the copy stream brings field f-1 home (host outputs). */
static int cuda_fft_inv(njord_sht_plan *p, nj_real *grid, int f0, int nf, int ncol,
                        enum nj_rowscale scale)
{
    nj_cuda_sht *b = CB(p);
    const int nc = p->nlon / 2 + 1;
    const size_t gsz = (size_t)p->nrows * p->nlon;
    const int host = !is_device_ptr(grid);
    for (int f = 0; f < nf; f++) {
        nj_cplx *rows = b->fbuf + (size_t)f * p->nrows * nc;
        nj_real *out = host ? b->gstage + (size_t)f * gsz : grid + (size_t)f * gsz;
        size_t n = (size_t)p->nhl * nc;
        NJ_LAUNCH(k_pair_to_rows, blocks_for(n), NJ_THREADS, 0, b->comp, b->four_g, b->kpos,
                  b->syn[scale], p->T, p->nhl, p->nrows, nc, ncol, 2 * (f0 + f), rows);
        LAUNCHED("k_pair_to_rows");
        CUFFT(nj_fft_exec_c2r(b->c2r, rows, out));
        if (host) {
            CU(cudaEventRecord(b->ev[f], b->comp));
            CU(cudaStreamWaitEvent(b->copy, b->ev[f], 0));
            CU(cudaMemcpyAsync(grid + (size_t)f * gsz, out, sizeof(nj_real) * gsz,
                               cudaMemcpyDeviceToHost, b->copy));
        }
    }
    CU(cudaStreamSynchronize(b->comp));
    CU(cudaStreamSynchronize(b->copy));
    return NJORD_OK;
}

/* grid -> Fourier (grid side): host inputs are copied on the copy stream, field f+1
 * while field f is transformed */
static int cuda_fft_fwd(njord_sht_plan *p, const nj_real *grid, int f0, int nf, int ncol,
                        enum nj_rowscale scale)
{
    nj_cuda_sht *b = CB(p);
    const int nc = p->nlon / 2 + 1;
    const size_t gsz = (size_t)p->nrows * p->nlon;
    const int host = !is_device_ptr(grid);
    if (host)
        for (int f = 0; f < nf; f++) {
            CU(cudaMemcpyAsync(b->gstage + (size_t)f * gsz, grid + (size_t)f * gsz,
                               sizeof(nj_real) * gsz, cudaMemcpyHostToDevice, b->copy));
            CU(cudaEventRecord(b->ev[f], b->copy));
        }
    for (int f = 0; f < nf; f++) {
        nj_cplx *rows = b->fbuf + (size_t)f * p->nrows * nc;
        const nj_real *in = host ? b->gstage + (size_t)f * gsz : grid + (size_t)f * gsz;
        if (host) CU(cudaStreamWaitEvent(b->comp, b->ev[f], 0));
        CUFFT(nj_fft_exec_r2c(b->r2c, in, rows));
        size_t n = (size_t)p->nhl * (p->T + 1);
        NJ_LAUNCH(k_rows_to_pair, blocks_for(n), NJ_THREADS, 0, b->comp, rows, b->ana[scale], p->T,
                  p->nhl, p->nrows, nc, p->nlon, ncol, 2 * (f0 + f), b->kpos, b->four_g);
        LAUNCHED("k_rows_to_pair");
    }
    CU(cudaStreamSynchronize(b->comp));
    return NJORD_OK;
}

/* ------------------------------------------------------------------ model operations */

__global__ void k_axpby(size_t n, double a, const nj_real *x, double b, nj_real *y)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    if (b == 0) y[i] = a == 0 ? (nj_real)0 : (nj_real)(a * x[i]);
    else if (a == 0) y[i] = (nj_real)(b * y[i]);
    else y[i] = (nj_real)(a * x[i] + b * y[i]);
}

__global__ void k_sw_fluxes(size_t n, const nj_real *u, const nj_real *v, const nj_real *z,
                            const nj_real *phi, const nj_real *f, nj_real *fu, nj_real *fv, nj_real *ke)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    nj_sw_fluxes(u[i], v[i], z[i], phi[i], f ? f[i] : (nj_real)0, &fu[i], &fv[i], &fu[n + i],
                 &fv[n + i], &ke[i]);
}

__global__ void k_degree_scale(nj_layout L, const nj_real *in, nj_real *out, const double *fac)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= L.nspec_loc * L.nf) return;
    size_t k = i % L.nspec_loc;
    int im = L.coef_im[k];
    int n = L.mloc[im] + (int)(k - L.soff[im]);
    out[2 * i] = (nj_real)(fac[n] * in[2 * i]);
    out[2 * i + 1] = (nj_real)(fac[n] * in[2 * i + 1]);
}

__global__ void k_sw_implicit(nj_layout L, int solve, double eta, double phiref, double a2,
                              const nj_real *d, const nj_real *ph, nj_real *od, nj_real *op)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= L.nspec_loc) return;
    int im = L.coef_im[i];
    int n = L.mloc[im] + (int)(i - L.soff[im]);
    double cn = (double)n * (n + 1) / a2;
    for (int c = 0; c < 2; c++) {
        nj_real x = d[2 * i + c], y = ph[2 * i + c];
        if (solve) {
            nj_sw_implicit_solve(cn, phiref, eta, &x, &y);
            od[2 * i + c] = x;
            op[2 * i + c] = y;
        } else {
            nj_sw_implicit_tend(cn, phiref, x, y, &od[2 * i + c], &op[2 * i + c]);
        }
    }
}

__global__ void k_nonfinite(size_t n, const nj_real *x, int *flag)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && !isfinite((double)x[i])) *flag = 1; /* every writer writes 1 */
}

/* primitive equations: one thread per grid column / per spectral coefficient part */
__global__ void k_pe_columns(nj_pe_consts c, nj_pe_cols g)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < g.npts) nj_pe_column(&c, &g, i);
}

__global__ void k_pe_implicit(nj_layout L, int nlev, int solve, double eta, double rtr, double a2,
                              const double *mats, const nj_real *d, const nj_real *t,
                              const nj_real *lp, nj_real *od, nj_real *ot, nj_real *olp)
{
    size_t j = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= 2 * L.nspec_loc) return;
    size_t i = j / 2, c = j % 2;
    int im = L.coef_im[i];
    int n = L.mloc[im] + (int)(i - L.soff[im]);
    const size_t LL = (size_t)nlev * nlev, o = 2 * i + c;
    nj_pe_implicit_coef(nlev, solve, eta, (double)n * (n + 1) / a2, rtr, mats, mats + LL,
                        mats + 2 * LL, mats + 2 * LL + nlev + (size_t)n * LL, 2 * L.nspec_loc,
                        d + o, t + o, lp + o, od + o, ot + o, olp + o);
}

static int cuda_alloc(size_t bytes, void **ptr)
{
    *ptr = NULL;
    CU(cudaMalloc(ptr, bytes ? bytes : 1));
    cudaError_t e = cudaMemset(*ptr, 0, bytes ? bytes : 1);
    if (e == cudaSuccess) return NJORD_OK;
    cudaFree(*ptr); /* not leaked on failure */
    *ptr = NULL;
    return nj_error(NJORD_EBACKEND, "cuda backend: cudaMemset(%zu bytes) failed: %s (%s)",
                    bytes, cudaGetErrorName(e), cudaGetErrorString(e));
}

static void cuda_free(void *ptr)
{
    if (ptr) cudaFree(ptr);
}

static int cuda_to_host(void *dst, const void *src, size_t bytes)
{
    if (bytes) CU(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
    return NJORD_OK;
}

static int cuda_from_host(void *dst, const void *src, size_t bytes)
{
    if (bytes) CU(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
    return NJORD_OK;
}

static int cuda_axpby(size_t n, double a, const nj_real *x, double b, nj_real *y)
{
    if (!n) return NJORD_OK;
    NJ_LAUNCH(k_axpby, blocks_for(n), NJ_THREADS, 0, 0, n, a, a == 0 ? y : x, b, y);
    LAUNCHED("k_axpby");
    CU(cudaDeviceSynchronize());
    return NJORD_OK;
}

static int cuda_sw_fluxes(size_t n, const nj_real *u, const nj_real *v, const nj_real *z,
                          const nj_real *phi, const nj_real *f, nj_real *fu, nj_real *fv, nj_real *ke)
{
    if (!n) return NJORD_OK;
    NJ_LAUNCH(k_sw_fluxes, blocks_for(n), NJ_THREADS, 0, 0, n, u, v, z, phi, f, fu, fv, ke);
    LAUNCHED("k_sw_fluxes");
    CU(cudaDeviceSynchronize());
    return NJORD_OK;
}

static int cuda_degree_scale(njord_sht_plan *p, const nj_real *in, nj_real *out, int nf,
                             const double *fac)
{
    nj_cuda_sht *b = CB(p);
    CU(cudaMemcpy(b->dfac, fac, sizeof(double) * (size_t)(p->T + 1), cudaMemcpyHostToDevice));
    size_t n = p->nspec_loc * (size_t)nf;
    if (n) NJ_LAUNCH(k_degree_scale, blocks_for(n), NJ_THREADS, 0, 0, layout(p, nf, 2 * nf), in, out, b->dfac);
    LAUNCHED("k_degree_scale");
    CU(cudaDeviceSynchronize());
    return NJORD_OK;
}

static int cuda_sw_implicit(njord_sht_plan *p, int solve, double eta, double phiref,
                            const nj_real *d, const nj_real *ph, nj_real *od, nj_real *op)
{
    size_t n = p->nspec_loc;
    if (n)
        NJ_LAUNCH(k_sw_implicit, blocks_for(n), NJ_THREADS, 0, 0, layout(p, 1, 2), solve, eta, phiref,
                  p->radius * p->radius, d, ph, od, op);
    LAUNCHED("k_sw_implicit");
    CU(cudaDeviceSynchronize());
    return NJORD_OK;
}

static int cuda_pe_columns(const nj_pe_consts *c, const nj_pe_cols *g)
{
    if (!g->npts) return NJORD_OK;
    NJ_LAUNCH(k_pe_columns, blocks_for(g->npts), NJ_THREADS, 0, 0, *c, *g);
    LAUNCHED("k_pe_columns");
    CU(cudaDeviceSynchronize());
    return NJORD_OK;
}

static int cuda_pe_implicit(njord_sht_plan *p, int L, int solve, double eta, double rtr,
                            const double *mats, const nj_real *d, const nj_real *t,
                            const nj_real *lp, nj_real *od, nj_real *ot, nj_real *olp)
{
    size_t n = 2 * p->nspec_loc;
    if (n)
        NJ_LAUNCH(k_pe_implicit, blocks_for(n), NJ_THREADS, 0, 0, layout(p, 1, 2), L, solve, eta, rtr,
                  p->radius * p->radius, mats, d, t, lp, od, ot, olp);
    LAUNCHED("k_pe_implicit");
    CU(cudaDeviceSynchronize());
    return NJORD_OK;
}

/* a flag on the device; only when it is set, the array comes home to find the index */
static int cuda_find_nonfinite(size_t n, const nj_real *x, size_t *first)
{
    *first = (size_t)-1;
    if (!n) return NJORD_OK;
    int *flag = NULL, h = 0;
    CU(cudaMalloc(&flag, sizeof(int)));
    const char *call = "cudaMemset";
    cudaError_t e = cudaMemset(flag, 0, sizeof(int));
    if (e == cudaSuccess) {
        NJ_LAUNCH(k_nonfinite, blocks_for(n), NJ_THREADS, 0, 0, n, x, flag);
        call = "kernel k_nonfinite";
        e = cudaGetLastError();
    }
    if (e == cudaSuccess) {
        call = "cudaMemcpy (flag to host)";
        e = cudaMemcpy(&h, flag, sizeof(int), cudaMemcpyDeviceToHost);
    }
    cudaFree(flag); /* on every path */
    if (e != cudaSuccess)
        return nj_error(NJORD_EBACKEND, "cuda backend: non-finite check: %s failed: %s (%s)", call,
                        cudaGetErrorName(e), cudaGetErrorString(e));
    if (!h) return NJORD_OK;
    nj_real *hx = (nj_real *)malloc(sizeof(nj_real) * n);
    if (!hx) return nj_error(NJORD_ENOMEM, "cuda backend: out of host memory");
    int st = cuda_to_host(hx, x, sizeof(nj_real) * n);
    for (size_t i = 0; i < n && !st; i++)
        if (!isfinite((double)hx[i])) {
            *first = i;
            break;
        }
    free(hx);
    return st;
}

static nj_sht_backend nj_cuda_backend_ops;

static void fill_ops(void)
{
    nj_sht_backend *o = &nj_cuda_backend_ops;
    o->name = "cuda";
    o->init = cuda_init;
    o->fini = cuda_fini;
    o->spec_to_ls = cuda_spec_to_ls;
    o->ls_to_spec = cuda_ls_to_spec;
    o->vordiv_to_ls = cuda_vordiv_to_ls;
    o->ls_to_vordiv = cuda_ls_to_vordiv;
    o->legendre_inv = cuda_legendre_inv;
    o->legendre_fwd = cuda_legendre_fwd;
    o->xpose = cuda_xpose;
    o->fft_inv = cuda_fft_inv;
    o->fft_fwd = cuda_fft_fwd;
    o->spec_scale = cuda_spec_scale;
    o->ptr_ok = cuda_ptr_ok;
    o->alloc = cuda_alloc;
    o->free = cuda_free;
    o->to_host = cuda_to_host;
    o->from_host = cuda_from_host;
    o->axpby = cuda_axpby;
    o->sw_fluxes = cuda_sw_fluxes;
    o->spec_degree_scale = cuda_degree_scale;
    o->sw_implicit = cuda_sw_implicit;
    o->find_nonfinite = cuda_find_nonfinite;
    o->pe_columns = cuda_pe_columns;
    o->pe_implicit = cuda_pe_implicit;
}

extern "C" const nj_sht_backend *nj_cuda_sht_backend(void)
{
    if (!nj_cuda_backend_ops.name) fill_ops();
    return &nj_cuda_backend_ops;
}
