/* kernels/emu/cublas_emu.cc — cuBLAS subset on CBLAS (OpenBLAS), host emulation. */
#include "cublas_emu.h"

#include <cblas.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "emu_internal.h"

struct nj_emu_cublas {
    cudaStream_t stream;
    cublasMath_t math;
    cublasPointerMode_t pointer_mode;
};

namespace {

std::mutex g_mu;
std::set<const void *> g_handles;

cublasStatus_t err(cublasStatus_t s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
cublasStatus_t err(cublasStatus_t s, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    nj_emu::set_message("%s", buf);
    return s;
}

bool handle_ok(cublasHandle_t h)
{
    if (!h) return false;
    std::lock_guard<std::mutex> lk(g_mu);
    return g_handles.count(h) != 0;
}

bool op_ok(cublasOperation_t op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C; }
CBLAS_TRANSPOSE cblas_op(cublasOperation_t op) { return op == CUBLAS_OP_N ? CblasNoTrans : CblasTrans; }
int imax1(int a) { return a > 1 ? a : 1; }

/* bytes spanned by a rows x cols column-major matrix with leading dimension ld */
size_t mat_bytes(int rows, int cols, int ld, size_t elem)
{
    if (rows <= 0 || cols <= 0) return 0;
    return ((size_t)(cols - 1) * (size_t)ld + (size_t)rows) * elem;
}

/* checks that `count` matrices at p + i*stride (elements) lie in device memory */
cublasStatus_t check_mat(const char *fn, const char *what, const void *p, size_t bytes, long long stride, int count,
                         size_t elem)
{
    if (bytes == 0 || count == 0) return CUBLAS_STATUS_SUCCESS;
    const char *lo = (const char *)p;
    long long span = (long long)(count - 1) * stride * (long long)elem;
    if (span < 0) lo += span;
    size_t total = bytes + (size_t)(span < 0 ? -span : span);
    std::string why;
    if (!nj_emu::device_range(lo, total, why))
        return err(CUBLAS_STATUS_EXECUTION_FAILED, "%s: %s (%zu bytes for this layout) is not inside device memory: %s",
                   fn, what, total, why.c_str());
    return CUBLAS_STATUS_SUCCESS;
}

template <class T> cublasStatus_t scalar(const char *fn, const char *what, cublasHandle_t h, const T *p, T &out)
{
    if (!p) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: %s is NULL", fn, what);
    std::string why;
    bool on_device = nj_emu::device_range(p, sizeof(T), why);
    if (h->pointer_mode == CUBLAS_POINTER_MODE_HOST) {
        if (on_device)
            return err(CUBLAS_STATUS_INVALID_VALUE, "%s: %s points to device memory but the pointer mode is "
                                                    "CUBLAS_POINTER_MODE_HOST", fn, what);
        out = *p;
    } else {
        if (!on_device)
            return err(CUBLAS_STATUS_EXECUTION_FAILED, "%s: %s must be device memory in CUBLAS_POINTER_MODE_DEVICE: %s",
                       fn, what, why.c_str());
        nj_emu::DeviceScope scope;
        out = *p;
    }
    return CUBLAS_STATUS_SUCCESS;
}

void gemm1(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha, const double *A, int lda,
           const double *B, int ldb, double beta, double *C, int ldc)
{
    cblas_dgemm(CblasColMajor, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}
void gemm1(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha, const float *A, int lda,
           const float *B, int ldb, float beta, float *C, int ldc)
{
    cblas_sgemm(CblasColMajor, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* validation common to the gemm family; also reads alpha and beta */
template <class T>
cublasStatus_t gemm_args(const char *fn, cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                         int k, const T *alpha, int lda, int ldb, const T *beta, int ldc, int batch, T &a, T &b)
{
    if (!handle_ok(h)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "%s: handle %p is not from cublasCreate", fn, (void *)h);
    if (!op_ok(ta) || !op_ok(tb)) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: invalid operation (%d, %d)", fn, ta, tb);
    if (m < 0 || n < 0 || k < 0 || batch < 0)
        return err(CUBLAS_STATUS_INVALID_VALUE, "%s: negative size m=%d n=%d k=%d batch=%d", fn, m, n, k, batch);
    int rows_a = ta == CUBLAS_OP_N ? m : k, rows_b = tb == CUBLAS_OP_N ? k : n;
    if (lda < imax1(rows_a))
        return err(CUBLAS_STATUS_INVALID_VALUE, "%s: lda = %d < max(1, %d) (rows of A)", fn, lda, rows_a);
    if (ldb < imax1(rows_b))
        return err(CUBLAS_STATUS_INVALID_VALUE, "%s: ldb = %d < max(1, %d) (rows of B)", fn, ldb, rows_b);
    if (ldc < imax1(m)) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: ldc = %d < max(1, m = %d)", fn, ldc, m);
    if (m == 0 || n == 0 || batch == 0) return CUBLAS_STATUS_SUCCESS;
    cublasStatus_t s = scalar(fn, "alpha", h, alpha, a);
    if (s == CUBLAS_STATUS_SUCCESS) s = scalar(fn, "beta", h, beta, b);
    return s;
}

template <class T>
cublasStatus_t gemm_strided(const char *fn, cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m,
                            int n, int k, const T *alpha, const T *A, int lda, long long sA, const T *B, int ldb,
                            long long sB, const T *beta, T *C, int ldc, long long sC, int batch)
{
    T a = 0, b = 0;
    cublasStatus_t s = gemm_args(fn, h, ta, tb, m, n, k, alpha, lda, ldb, beta, ldc, batch, a, b);
    if (s != CUBLAS_STATUS_SUCCESS || m == 0 || n == 0 || batch == 0) return s;
    const size_t e = sizeof(T);
    if (k > 0) {
        s = check_mat(fn, "A", A, mat_bytes(ta == CUBLAS_OP_N ? m : k, ta == CUBLAS_OP_N ? k : m, lda, e), sA, batch, e);
        if (s == CUBLAS_STATUS_SUCCESS)
            s = check_mat(fn, "B", B, mat_bytes(tb == CUBLAS_OP_N ? k : n, tb == CUBLAS_OP_N ? n : k, ldb, e), sB, batch, e);
    }
    if (s == CUBLAS_STATUS_SUCCESS) s = check_mat(fn, "C", C, mat_bytes(m, n, ldc, e), sC, batch, e);
    if (s != CUBLAS_STATUS_SUCCESS) return s;
    nj_emu::DeviceScope scope;
    for (int i = 0; i < batch; i++)
        gemm1(cblas_op(ta), cblas_op(tb), m, n, k, a, A + i * sA, lda, B + i * sB, ldb, b, C + i * sC, ldc);
    nj_emu::count(nj_emu::C_BLAS);
    return CUBLAS_STATUS_SUCCESS;
}

template <class T>
cublasStatus_t gemm_batched(const char *fn, cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m,
                            int n, int k, const T *alpha, const T *const Aarr[], int lda, const T *const Barr[],
                            int ldb, const T *beta, T *const Carr[], int ldc, int batch)
{
    T a = 0, b = 0;
    cublasStatus_t s = gemm_args(fn, h, ta, tb, m, n, k, alpha, lda, ldb, beta, ldc, batch, a, b);
    if (s != CUBLAS_STATUS_SUCCESS || m == 0 || n == 0 || batch == 0) return s;
    const size_t e = sizeof(T), pb = (size_t)batch * sizeof(void *);
    s = check_mat(fn, "Aarray", Aarr, pb, 0, 1, 1);
    if (s == CUBLAS_STATUS_SUCCESS) s = check_mat(fn, "Barray", Barr, pb, 0, 1, 1);
    if (s == CUBLAS_STATUS_SUCCESS) s = check_mat(fn, "Carray", Carr, pb, 0, 1, 1);
    if (s != CUBLAS_STATUS_SUCCESS) return s;
    std::vector<const T *> va(batch), vb(batch);
    std::vector<T *> vc(batch);
    {
        nj_emu::DeviceScope scope;
        for (int i = 0; i < batch; i++) {
            va[i] = Aarr[i];
            vb[i] = Barr[i];
            vc[i] = Carr[i];
        }
    }
    size_t ba = mat_bytes(ta == CUBLAS_OP_N ? m : k, ta == CUBLAS_OP_N ? k : m, lda, e);
    size_t bb = mat_bytes(tb == CUBLAS_OP_N ? k : n, tb == CUBLAS_OP_N ? n : k, ldb, e);
    size_t bc = mat_bytes(m, n, ldc, e);
    for (int i = 0; i < batch && s == CUBLAS_STATUS_SUCCESS; i++) {
        char what[32];
        if (k > 0) {
            snprintf(what, sizeof what, "Aarray[%d]", i);
            s = check_mat(fn, what, va[i], ba, 0, 1, e);
            snprintf(what, sizeof what, "Barray[%d]", i);
            if (s == CUBLAS_STATUS_SUCCESS) s = check_mat(fn, what, vb[i], bb, 0, 1, e);
        }
        snprintf(what, sizeof what, "Carray[%d]", i);
        if (s == CUBLAS_STATUS_SUCCESS) s = check_mat(fn, what, vc[i], bc, 0, 1, e);
    }
    if (s != CUBLAS_STATUS_SUCCESS) return s;
    nj_emu::DeviceScope scope;
    for (int i = 0; i < batch; i++) gemm1(cblas_op(ta), cblas_op(tb), m, n, k, a, va[i], lda, vb[i], ldb, b, vc[i], ldc);
    nj_emu::count(nj_emu::C_BLAS);
    return CUBLAS_STATUS_SUCCESS;
}

template <class T>
cublasStatus_t geam(const char *fn, cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                    const T *alpha, const T *A, int lda, const T *beta, const T *B, int ldb, T *C, int ldc)
{
    if (!handle_ok(h)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "%s: handle %p is not from cublasCreate", fn, (void *)h);
    if (!op_ok(ta) || !op_ok(tb)) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: invalid operation (%d, %d)", fn, ta, tb);
    if (m < 0 || n < 0) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: negative size m=%d n=%d", fn, m, n);
    int rows_a = ta == CUBLAS_OP_N ? m : n, rows_b = tb == CUBLAS_OP_N ? m : n;
    if (lda < imax1(rows_a)) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: lda = %d < max(1, %d)", fn, lda, rows_a);
    if (ldb < imax1(rows_b)) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: ldb = %d < max(1, %d)", fn, ldb, rows_b);
    if (ldc < imax1(m)) return err(CUBLAS_STATUS_INVALID_VALUE, "%s: ldc = %d < max(1, m = %d)", fn, ldc, m);
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    T a = 0, b = 0;
    cublasStatus_t s = scalar(fn, "alpha", h, alpha, a);
    if (s == CUBLAS_STATUS_SUCCESS) s = scalar(fn, "beta", h, beta, b);
    const size_t e = sizeof(T);
    if (s == CUBLAS_STATUS_SUCCESS && a != 0)
        s = check_mat(fn, "A", A, mat_bytes(rows_a, ta == CUBLAS_OP_N ? n : m, lda, e), 0, 1, e);
    if (s == CUBLAS_STATUS_SUCCESS && b != 0)
        s = check_mat(fn, "B", B, mat_bytes(rows_b, tb == CUBLAS_OP_N ? n : m, ldb, e), 0, 1, e);
    if (s == CUBLAS_STATUS_SUCCESS) s = check_mat(fn, "C", C, mat_bytes(m, n, ldc, e), 0, 1, e);
    if (s != CUBLAS_STATUS_SUCCESS) return s;
    nj_emu::DeviceScope scope;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            T x = a != 0 ? a * (ta == CUBLAS_OP_N ? A[i + (size_t)j * lda] : A[j + (size_t)i * lda]) : T(0);
            T y = b != 0 ? b * (tb == CUBLAS_OP_N ? B[i + (size_t)j * ldb] : B[j + (size_t)i * ldb]) : T(0);
            C[i + (size_t)j * ldc] = x + y;
        }
    nj_emu::count(nj_emu::C_BLAS);
    return CUBLAS_STATUS_SUCCESS;
}

} // namespace

size_t nj_emu::live_blas_handles()
{
    std::lock_guard<std::mutex> lk(g_mu);
    return g_handles.size();
}

extern "C" {

cublasStatus_t cublasCreate(cublasHandle_t *handle)
{
    if (!handle) return err(CUBLAS_STATUS_INVALID_VALUE, "cublasCreate: handle is NULL");
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || n < 1)
        return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasCreate: no device");
    if (nj_emu::injected_failure("cublasCreate"))
        return err(CUBLAS_STATUS_ALLOC_FAILED, "cublasCreate: failure injected by nj_emu_fail_after");
    cublasHandle_t h = new nj_emu_cublas{nullptr, CUBLAS_DEFAULT_MATH, CUBLAS_POINTER_MODE_HOST};
    std::lock_guard<std::mutex> lk(g_mu);
    g_handles.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle)
{
    std::lock_guard<std::mutex> lk(g_mu);
    if (!handle || !g_handles.erase(handle))
        return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasDestroy: %p is not a live handle", (void *)handle);
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t streamId)
{
    if (!handle_ok(handle)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetStream: invalid handle");
    if (nj_emu::injected_failure("cublasSetStream"))
        return err(CUBLAS_STATUS_INTERNAL_ERROR, "cublasSetStream: failure injected by nj_emu_fail_after");
    if (!nj_emu::stream_valid(streamId))
        return err(CUBLAS_STATUS_INVALID_VALUE, "cublasSetStream: %p is not a live stream", (void *)streamId);
    handle->stream = streamId;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetStream(cublasHandle_t handle, cudaStream_t *streamId)
{
    if (!handle_ok(handle)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasGetStream: invalid handle");
    if (!streamId) return err(CUBLAS_STATUS_INVALID_VALUE, "cublasGetStream: streamId is NULL");
    *streamId = handle->stream;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
{
    if (!handle_ok(handle)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetMathMode: invalid handle");
    int base = (int)mode & ~(int)CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base < 0 || base > 3) return err(CUBLAS_STATUS_INVALID_VALUE, "cublasSetMathMode: invalid mode %d", (int)mode);
    handle->math = mode;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t *mode)
{
    if (!handle_ok(handle)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasGetMathMode: invalid handle");
    if (!mode) return err(CUBLAS_STATUS_INVALID_VALUE, "cublasGetMathMode: mode is NULL");
    *mode = handle->math;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetPointerMode(cublasHandle_t handle, cublasPointerMode_t mode)
{
    if (!handle_ok(handle)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetPointerMode: invalid handle");
    if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE)
        return err(CUBLAS_STATUS_INVALID_VALUE, "cublasSetPointerMode: invalid mode %d", (int)mode);
    handle->pointer_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetPointerMode(cublasHandle_t handle, cublasPointerMode_t *mode)
{
    if (!handle_ok(handle)) return err(CUBLAS_STATUS_NOT_INITIALIZED, "cublasGetPointerMode: invalid handle");
    if (!mode) return err(CUBLAS_STATUS_INVALID_VALUE, "cublasGetPointerMode: mode is NULL");
    *mode = handle->pointer_mode;
    return CUBLAS_STATUS_SUCCESS;
}

const char *cublasGetStatusName(cublasStatus_t s)
{
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    }
    return "CUBLAS_STATUS_UNKNOWN";
}

const char *cublasGetStatusString(cublasStatus_t s)
{
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "an absent device architectural feature is required";
    case CUBLAS_STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "an internal operation failed";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
    case CUBLAS_STATUS_LICENSE_ERROR: return "error detected trying to check the license";
    }
    return "unknown error";
}

cublasStatus_t cublasDgemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                           int k, const double *alpha, const double *A, int lda, const double *B, int ldb,
                           const double *beta, double *C, int ldc)
{
    return gemm_strided("cublasDgemm", handle, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

cublasStatus_t cublasSgemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                           int k, const float *alpha, const float *A, int lda, const float *B, int ldb,
                           const float *beta, float *C, int ldc)
{
    return gemm_strided("cublasSgemm", handle, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const double *alpha, const double *A, int lda,
                                         long long int strideA, const double *B, int ldb, long long int strideB,
                                         const double *beta, double *C, int ldc, long long int strideC, int batchCount)
{
    return gemm_strided("cublasDgemmStridedBatched", handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb,
                        strideB, beta, C, ldc, strideC, batchCount);
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const float *alpha, const float *A, int lda,
                                         long long int strideA, const float *B, int ldb, long long int strideB,
                                         const float *beta, float *C, int ldc, long long int strideC, int batchCount)
{
    return gemm_strided("cublasSgemmStridedBatched", handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb,
                        strideB, beta, C, ldc, strideC, batchCount);
}

cublasStatus_t cublasDgemmBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                                  int n, int k, const double *alpha, const double *const Aarray[], int lda,
                                  const double *const Barray[], int ldb, const double *beta, double *const Carray[],
                                  int ldc, int batchCount)
{
    return gemm_batched("cublasDgemmBatched", handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta,
                        Carray, ldc, batchCount);
}

cublasStatus_t cublasSgemmBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                                  int n, int k, const float *alpha, const float *const Aarray[], int lda,
                                  const float *const Barray[], int ldb, const float *beta, float *const Carray[],
                                  int ldc, int batchCount)
{
    return gemm_batched("cublasSgemmBatched", handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta,
                        Carray, ldc, batchCount);
}

cublasStatus_t cublasDgeam(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                           const double *alpha, const double *A, int lda, const double *beta, const double *B, int ldb,
                           double *C, int ldc)
{
    return geam("cublasDgeam", handle, transa, transb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}

cublasStatus_t cublasSgeam(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                           const float *alpha, const float *A, int lda, const float *beta, const float *B, int ldb,
                           float *C, int ldc)
{
    return geam("cublasSgeam", handle, transa, transb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}

} /* extern "C" */
