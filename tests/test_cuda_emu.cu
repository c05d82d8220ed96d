/* tests/test_cuda_emu.cu — the CUDA layer Njord's kernels rely on, tested twice:
 *   - against the host emulation (g++ -x c++ -DNJ_CUDA_EMU, kernels/emu/): runs anywhere;
 *     the emulation's own checks (copy directions, ranges, host pointers given to
 *     kernels, host access to device memory) are tested here too;
 *   - with nvcc against the real CUDA runtime, cuFFT and cuBLAS: runs on a GPU and
 *     exits 77 ("skipped: no usable GPU") where cudaGetDeviceCount fails.
 * Kernels: block reduction with __shared__ and __syncthreads, dynamic shared memory,
 * a 3D grid with index math, atomicAdd. Libraries: cuFFT R2C/C2R and D2Z/Z2D with
 * plan_many layouts against a direct DFT, cuBLAS gemm (transposes, leading
 * dimensions, strided and pointer-array batches) against naive loops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

extern "C" {
#include <cmocka.h>
}

#include "../kernels/common/nj_cuda.h"

#ifdef NJ_CUDA_EMU
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#define CK(call) assert_int_equal((int)(call), 0)

/* ------------------------------------------------------------------ kernels */
__global__ void k_block_sum(const double *x, int n, double *out)
{
    __shared__ double buf[256];
    unsigned t = threadIdx.x;
    unsigned i = blockIdx.x * blockDim.x + t;
    buf[t] = i < (unsigned)n ? x[i] : 0.0;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) buf[t] += buf[t + s];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = buf[0];
}

/* reverses each block's segment through dynamic shared memory */
__global__ void k_block_reverse(const int *in, int *out)
{
    NJ_DYN_SHARED(int, tmp);
    unsigned t = threadIdx.x, base = blockIdx.x * blockDim.x;
    tmp[t] = in[base + t];
    __syncthreads();
    out[base + t] = tmp[blockDim.x - 1 - t];
}

/* a[z][y][x] (row pitch ld, plane pitch ld*ny) = 1e6 z + 1e3 y + x */
__global__ void k_fill3d(double *a, int nx, int ny, int ld)
{
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    int z = blockIdx.z;
    if (x < nx && y < ny) a[((size_t)z * ny + y) * ld + x] = 1e6 * z + 1e3 * y + x;
}

__global__ void k_atomic(const double *x, int n, double *sum, int *count)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        atomicAdd(sum, x[i]);
        atomicAdd(count, 1);
    }
}

__global__ void k_scale(double *a, int n, double s)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) a[i] *= s;
}

/* ------------------------------------------------------------------ kernel tests */
static void test_block_reduction(void **state)
{
    (void)state;
    const int n = 1000, bs = 256, nb = (n + bs - 1) / bs;
    std::vector<double> h(n), part(nb);
    for (int i = 0; i < n; i++) h[i] = (double)(i % 17) - 3.0;
    double *dx, *dp;
    CK(cudaMalloc(&dx, n * sizeof(double)));
    CK(cudaMalloc(&dp, nb * sizeof(double)));
    CK(cudaMemcpy(dx, h.data(), n * sizeof(double), cudaMemcpyHostToDevice));
    NJ_LAUNCH(k_block_sum, dim3(nb), dim3(bs), 0, 0, dx, n, dp);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    CK(cudaMemcpy(part.data(), dp, nb * sizeof(double), cudaMemcpyDeviceToHost));
    for (int b = 0; b < nb; b++) {
        double want = 0;
        for (int i = b * bs; i < n && i < (b + 1) * bs; i++) want += h[i];
        assert_true(part[b] == want); /* integers: exact in any order */
    }
    CK(cudaFree(dx));
    CK(cudaFree(dp));
}

static void test_dynamic_shared(void **state)
{
    (void)state;
    const int bs = 128, nb = 5, n = bs * nb;
    std::vector<int> h(n), r(n);
    for (int i = 0; i < n; i++) h[i] = 3 * i + 1;
    int *din, *dout;
    CK(cudaMalloc(&din, n * sizeof(int)));
    CK(cudaMalloc(&dout, n * sizeof(int)));
    CK(cudaMemcpy(din, h.data(), n * sizeof(int), cudaMemcpyHostToDevice));
    NJ_LAUNCH(k_block_reverse, dim3(nb), dim3(bs), bs * sizeof(int), 0, din, dout);
    CK(cudaGetLastError());
    CK(cudaMemcpy(r.data(), dout, n * sizeof(int), cudaMemcpyDeviceToHost));
    for (int b = 0; b < nb; b++)
        for (int t = 0; t < bs; t++) assert_int_equal(r[b * bs + t], h[b * bs + bs - 1 - t]);
    CK(cudaFree(din));
    CK(cudaFree(dout));
}

static void test_grid3d(void **state)
{
    (void)state;
    const int nx = 37, ny = 21, nz = 3, ld = 40;
    size_t count = (size_t)ld * ny * nz;
    double *d;
    CK(cudaMalloc(&d, count * sizeof(double)));
    CK(cudaMemset(d, 0, count * sizeof(double)));
    dim3 block(16, 8), grid((nx + 15) / 16, (ny + 7) / 8, nz);
    NJ_LAUNCH(k_fill3d, grid, block, 0, 0, d, nx, ny, ld);
    CK(cudaGetLastError());
    std::vector<double> h(count);
    CK(cudaMemcpy(h.data(), d, count * sizeof(double), cudaMemcpyDeviceToHost));
    for (int z = 0; z < nz; z++)
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < ld; x++) {
                double want = x < nx ? 1e6 * z + 1e3 * y + x : 0.0;
                assert_true(h[((size_t)z * ny + y) * ld + x] == want);
            }
    CK(cudaFree(d));
}

static void test_atomic_add(void **state)
{
    (void)state;
    const int n = 5000;
    std::vector<double> h(n);
    double want = 0;
    for (int i = 0; i < n; i++) want += (h[i] = (double)(i % 7));
    double *dx, *dsum;
    int *dcount;
    CK(cudaMalloc(&dx, n * sizeof(double)));
    CK(cudaMalloc(&dsum, sizeof(double)));
    CK(cudaMalloc(&dcount, sizeof(int)));
    CK(cudaMemcpy(dx, h.data(), n * sizeof(double), cudaMemcpyHostToDevice));
    CK(cudaMemset(dsum, 0, sizeof(double)));
    CK(cudaMemset(dcount, 0, sizeof(int)));
    NJ_LAUNCH(k_atomic, dim3((n + 127) / 128), dim3(128), 0, 0, dx, n, dsum, dcount);
    CK(cudaGetLastError());
    double sum;
    int cnt;
    CK(cudaMemcpy(&sum, dsum, sizeof sum, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(&cnt, dcount, sizeof cnt, cudaMemcpyDeviceToHost));
    assert_true(sum == want);
    assert_int_equal(cnt, n);
    CK(cudaFree(dx));
    CK(cudaFree(dsum));
    CK(cudaFree(dcount));
}

static void test_launch_config_errors(void **state)
{
    (void)state;
    double *d;
    CK(cudaMalloc(&d, 64 * sizeof(double)));
    CK(cudaGetLastError());
    NJ_LAUNCH(k_scale, dim3(1), dim3(2048), 0, 0, d, 64, 2.0); /* > 1024 threads */
    assert_int_equal(cudaGetLastError(), cudaErrorInvalidConfiguration);
    NJ_LAUNCH(k_scale, dim3(0), dim3(64), 0, 0, d, 64, 2.0);
    assert_int_equal(cudaGetLastError(), cudaErrorInvalidConfiguration);
    NJ_LAUNCH(k_block_reverse, dim3(1), dim3(32), 64 * 1024, 0, (const int *)d, (int *)d); /* > 48 KiB */
    assert_int_not_equal(cudaGetLastError(), cudaSuccess);
    CK(cudaFree(d));
}

static void test_events_streams(void **state)
{
    (void)state;
    const int n = 1 << 16;
    double *d;
    cudaStream_t s;
    cudaEvent_t a, b;
    CK(cudaMalloc(&d, n * sizeof(double)));
    CK(cudaMemset(d, 0, n * sizeof(double)));
    CK(cudaStreamCreate(&s));
    CK(cudaEventCreate(&a));
    CK(cudaEventCreate(&b));
    CK(cudaEventRecord(a, s));
    NJ_LAUNCH(k_scale, dim3(n / 256), dim3(256), 0, s, d, n, 3.0);
    CK(cudaGetLastError());
    CK(cudaEventRecord(b, s));
    CK(cudaEventSynchronize(b));
    float ms = -1;
    CK(cudaEventElapsedTime(&ms, a, b));
    assert_true(ms >= 0.0f && ms < 60000.0f);
    CK(cudaStreamSynchronize(s));
    CK(cudaEventDestroy(a));
    CK(cudaEventDestroy(b));
    CK(cudaStreamDestroy(s));
    CK(cudaFree(d));
}

/* ------------------------------------------------------------------ emulation checks */
#ifdef NJ_CUDA_EMU
static void test_emu_memcpy_checks(void **state)
{
    (void)state;
    const size_t n = 100;
    double host[128] = {0};
    double *d;
    CK(cudaMalloc(&d, n * sizeof(double)));
    /* wrong directions */
    assert_int_equal(cudaMemcpy(d, host, n * sizeof(double), cudaMemcpyDeviceToHost), cudaErrorInvalidMemcpyDirection);
    assert_non_null(strstr(nj_emu_last_message(), "must be device memory"));
    assert_int_equal(cudaGetLastError(), cudaErrorInvalidMemcpyDirection);
    assert_int_equal(cudaGetLastError(), cudaSuccess); /* cleared */
    assert_int_equal(cudaMemcpy(host, d, n * sizeof(double), cudaMemcpyHostToDevice), cudaErrorInvalidMemcpyDirection);
    assert_int_equal(cudaMemcpy(host, host + 10, 8, cudaMemcpyDeviceToDevice), cudaErrorInvalidMemcpyDirection);
    assert_int_equal(cudaMemcpy(d, d + 1, 8, cudaMemcpyHostToHost), cudaErrorInvalidMemcpyDirection);
    /* out of range */
    assert_int_equal(cudaMemcpy(d, host, (n + 1) * sizeof(double), cudaMemcpyHostToDevice), cudaErrorInvalidValue);
    assert_non_null(strstr(nj_emu_last_message(), "does not fit"));
    assert_int_equal(cudaMemcpy(host, d + n - 1, 2 * sizeof(double), cudaMemcpyDeviceToHost), cudaErrorInvalidValue);
    assert_int_equal(cudaMemset(d + 50, 0, 51 * sizeof(double)), cudaErrorInvalidValue);
    assert_int_equal(cudaMemset(host, 0, 8), cudaErrorInvalidValue);
    /* right ones, Default included */
    CK(cudaMemcpy(d + n - 1, host, sizeof(double), cudaMemcpyHostToDevice));
    CK(cudaMemcpy(d, host, n * sizeof(double), cudaMemcpyDefault));
    CK(cudaMemcpy2D(d, 10 * sizeof(double), host, 12 * sizeof(double), 10 * sizeof(double), 10, cudaMemcpyHostToDevice));
    assert_int_equal(cudaMemcpy2D(d, 11 * sizeof(double), host, 12 * sizeof(double), 10 * sizeof(double), 10,
                                  cudaMemcpyHostToDevice),
                     cudaErrorInvalidValue);
    /* frees */
    assert_int_equal(cudaFree(host), cudaErrorInvalidValue);
    assert_int_equal(cudaFree(d + 1), cudaErrorInvalidValue);
    struct cudaPointerAttributes at;
    CK(cudaPointerGetAttributes(&at, d + 3));
    assert_int_equal(at.type, cudaMemoryTypeDevice);
    CK(cudaPointerGetAttributes(&at, host));
    assert_int_equal(at.type, cudaMemoryTypeUnregistered);
    double *pinned;
    CK(cudaMallocHost(&pinned, 16 * sizeof(double)));
    CK(cudaPointerGetAttributes(&at, pinned));
    assert_int_equal(at.type, cudaMemoryTypeHost);
    CK(cudaMemcpy(pinned, d, 16 * sizeof(double), cudaMemcpyDeviceToHost));
    assert_int_equal(cudaMemcpy(pinned, d, 17 * sizeof(double), cudaMemcpyHostToHost), cudaErrorInvalidMemcpyDirection);
    assert_int_equal(cudaFree(pinned), cudaErrorInvalidValue);
    CK(cudaFreeHost(pinned));
    CK(cudaFree(d));
    assert_int_equal(cudaFree(d), cudaErrorInvalidValue); /* double free */
    cudaGetLastError();
}

static void test_emu_kernel_pointer_check(void **state)
{
    (void)state;
    double host[64];
    for (int i = 0; i < 64; i++) host[i] = 1.0;
    nj_emu_counters c0, c1;
    nj_emu_get_counters(&c0);
    NJ_LAUNCH(k_scale, dim3(1), dim3(64), 0, 0, host, 64, 2.0);
    assert_int_equal(cudaGetLastError(), cudaErrorInvalidDevicePointer);
    const char *m = nj_emu_last_message();
    assert_non_null(strstr(m, "k_scale"));
    assert_non_null(strstr(m, "argument 1"));
    assert_non_null(strstr(m, "host memory"));
    assert_int_equal(cudaDeviceSynchronize(), cudaErrorInvalidDevicePointer); /* reported at sync too */
    for (int i = 0; i < 64; i++) assert_true(host[i] == 1.0);                 /* never ran */
    nj_emu_get_counters(&c1);
    assert_int_equal(c1.launches, c0.launches);
    assert_int_equal(c1.failed_launches, c0.failed_launches + 1);
    /* a pointer past the end of an allocation */
    double *d;
    CK(cudaMalloc(&d, 64 * sizeof(double)));
    NJ_LAUNCH(k_scale, dim3(1), dim3(64), 0, 0, d + 65, 64, 2.0);
    assert_int_equal(cudaGetLastError(), cudaErrorInvalidDevicePointer);
    cudaDeviceSynchronize();
    /* the right launch: counted */
    CK(cudaMemcpy(d, host, sizeof host, cudaMemcpyHostToDevice));
    NJ_LAUNCH(k_scale, dim3(2), dim3(32), 0, 0, d, 64, 2.0);
    CK(cudaGetLastError());
    CK(cudaMemcpy(host, d, sizeof host, cudaMemcpyDeviceToHost));
    for (int i = 0; i < 64; i++) assert_true(host[i] == 2.0);
    nj_emu_get_counters(&c1);
    assert_int_equal(c1.launches, c0.launches + 1);
    assert_int_equal(c1.threads, c0.threads + 64);
    assert_true(c1.memcpy_count[cudaMemcpyHostToDevice] > c0.memcpy_count[cudaMemcpyHostToDevice]);
    assert_true(c1.device_bytes_live >= 64 * sizeof(double));
    CK(cudaFree(d));
}

/* runs fn in a child process; returns its stderr, sets *sig to the killing signal */
static std::string in_child(void (*fn)(double *), double *d, int *sig)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        fn(d);
        _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t k;
    while ((k = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, (size_t)k);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    *sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return out;
}

static void host_reads_device(double *d)
{
    volatile double v = d[3];
    (void)v;
}

__global__ void k_overrun(double *a, int n)
{
    if (threadIdx.x == 0) a[n + 300] = 1.0; /* 2.4 KB past the end */
}

static void kernel_overruns(double *d) { NJ_LAUNCH(k_overrun, dim3(1), dim3(32), 0, 0, d, 100); }

static void test_emu_protection(void **state)
{
    (void)state;
    if (!nj_emu_protection_enabled()) {
        skip();
        return;
    }
    double *d;
    CK(cudaMalloc(&d, 100 * sizeof(double)));
    int sig = 0;
    std::string err = in_child(host_reads_device, d, &sig);
    assert_int_equal(sig, SIGABRT);
    assert_non_null(strstr(err.c_str(), "host access to device memory"));
    err = in_child(kernel_overruns, d, &sig);
    assert_int_equal(sig, SIGABRT);
    assert_non_null(strstr(err.c_str(), "out-of-bounds access by kernel k_overrun"));
    /* fresh device memory reads as NaN (poisoned) unless NJ_EMU_POISON=0 */
    double v = 0;
    CK(cudaMemcpy(&v, d, sizeof v, cudaMemcpyDeviceToHost));
    if (getenv("NJ_EMU_POISON") == NULL) assert_true(isnan(v));
    CK(cudaFree(d));
}
#endif

/* ------------------------------------------------------------------ cuFFT */
/* direct DFT of one real row: X_k = sum_j x_j e^{-2 pi i jk/n}, k = 0..n/2 */
static void dft_r2c(const double *x, ptrdiff_t stride, int n, double *re, double *im)
{
    for (int k = 0; k <= n / 2; k++) {
        re[k] = im[k] = 0;
        for (int j = 0; j < n; j++) {
            double a = -2.0 * M_PI * (double)j * k / n;
            re[k] += x[j * stride] * cos(a);
            im[k] += x[j * stride] * sin(a);
        }
    }
}

static void test_cufft_r2c_c2r_padded_rows(void **state)
{
    (void)state;
    /* batch of 3 rows of 16 floats at distance 20; spectra of 9 at distance 11 */
    int n = 16, batch = 3, idist = 20, odist = 11, nc = n / 2 + 1;
    int inembed[1] = {16}, onembed[1] = {9};
    std::vector<float> x((size_t)batch * idist, 0.0f);
    for (int b = 0; b < batch; b++)
        for (int j = 0; j < n; j++) x[b * idist + j] = (float)(sin(0.3 * j + b) + 0.1 * b * j);
    float *dx, *dy;
    cufftComplex *dc;
    CK(cudaMalloc(&dx, x.size() * sizeof(float)));
    CK(cudaMalloc(&dy, x.size() * sizeof(float)));
    CK(cudaMalloc(&dc, (size_t)batch * odist * sizeof(cufftComplex)));
    CK(cudaMemcpy(dx, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice));
    cufftHandle fwd, inv;
    CK(cufftPlanMany(&fwd, 1, &n, inembed, 1, idist, onembed, 1, odist, CUFFT_R2C, batch));
    CK(cufftPlanMany(&inv, 1, &n, onembed, 1, odist, inembed, 1, idist, CUFFT_C2R, batch));
    CK(cufftExecR2C(fwd, dx, dc));
    std::vector<cufftComplex> c((size_t)batch * odist);
    CK(cudaMemcpy(c.data(), dc, c.size() * sizeof(cufftComplex), cudaMemcpyDeviceToHost));
    for (int b = 0; b < batch; b++) {
        std::vector<double> xr(n), re(nc), im(nc);
        for (int j = 0; j < n; j++) xr[j] = x[b * idist + j];
        dft_r2c(xr.data(), 1, n, re.data(), im.data());
        for (int k = 0; k < nc; k++) {
            assert_true(fabs(c[b * odist + k].x - re[k]) < 1e-4);
            assert_true(fabs(c[b * odist + k].y - im[k]) < 1e-4);
        }
    }
    CK(cufftExecC2R(inv, dc, dy)); /* unnormalised: n times the input */
    std::vector<float> y(x.size());
    CK(cudaMemcpy(y.data(), dy, y.size() * sizeof(float), cudaMemcpyDeviceToHost));
    for (int b = 0; b < batch; b++)
        for (int j = 0; j < n; j++) assert_true(fabs(y[b * idist + j] - n * x[b * idist + j]) < 1e-3);
#ifdef NJ_CUDA_EMU
    /* layout errors: a buffer too small for the batch, a host pointer */
    float *small;
    CK(cudaMalloc(&small, (size_t)(batch - 1) * idist * sizeof(float)));
    assert_int_equal(cufftExecR2C(fwd, small, dc), CUFFT_INVALID_VALUE);
    assert_non_null(strstr(nj_emu_last_message(), "past its end"));
    assert_int_equal(cufftExecR2C(fwd, x.data(), dc), CUFFT_INVALID_VALUE);
    assert_int_equal(cufftExecC2R(fwd, dc, dy), CUFFT_INVALID_VALUE); /* wrong type for the plan */
    CK(cudaFree(small));
#endif
    CK(cufftDestroy(fwd));
    CK(cufftDestroy(inv));
    CK(cudaFree(dx));
    CK(cudaFree(dy));
    CK(cudaFree(dc));
}

static void test_cufft_d2z_z2d_interleaved(void **state)
{
    (void)state;
    /* 4 fields interleaved: element j of field b at j*4 + b (stride 4, distance 1) */
    int n = 12, batch = 4, nc = n / 2 + 1;
    int inembed[1] = {12}, onembed[1] = {7};
    std::vector<double> x((size_t)n * batch);
    for (size_t i = 0; i < x.size(); i++) x[i] = cos(0.7 * (double)i) + 0.01 * (double)(i * i % 13);
    double *dx, *dy;
    cufftDoubleComplex *dc;
    CK(cudaMalloc(&dx, x.size() * sizeof(double)));
    CK(cudaMalloc(&dy, x.size() * sizeof(double)));
    CK(cudaMalloc(&dc, (size_t)nc * batch * sizeof(cufftDoubleComplex)));
    CK(cudaMemcpy(dx, x.data(), x.size() * sizeof(double), cudaMemcpyHostToDevice));
    cufftHandle fwd, inv;
    CK(cufftPlanMany(&fwd, 1, &n, inembed, batch, 1, onembed, batch, 1, CUFFT_D2Z, batch));
    CK(cufftPlanMany(&inv, 1, &n, onembed, batch, 1, inembed, batch, 1, CUFFT_Z2D, batch));
    cudaStream_t s;
    CK(cudaStreamCreate(&s));
    CK(cufftSetStream(fwd, s));
    CK(cufftExecD2Z(fwd, dx, dc));
    std::vector<cufftDoubleComplex> c((size_t)nc * batch);
    CK(cudaMemcpy(c.data(), dc, c.size() * sizeof(cufftDoubleComplex), cudaMemcpyDeviceToHost));
    for (int b = 0; b < batch; b++) {
        std::vector<double> re(nc), im(nc);
        dft_r2c(x.data() + b, batch, n, re.data(), im.data());
        for (int k = 0; k < nc; k++) {
            assert_true(fabs(c[(size_t)k * batch + b].x - re[k]) < 1e-10);
            assert_true(fabs(c[(size_t)k * batch + b].y - im[k]) < 1e-10);
        }
    }
    CK(cufftExecZ2D(inv, dc, dy));
    std::vector<double> y(x.size());
    CK(cudaMemcpy(y.data(), dy, y.size() * sizeof(double), cudaMemcpyDeviceToHost));
    for (size_t i = 0; i < x.size(); i++) assert_true(fabs(y[i] - n * x[i]) < 1e-10);
    CK(cufftDestroy(fwd));
    CK(cufftDestroy(inv));
    CK(cudaStreamDestroy(s));
    CK(cudaFree(dx));
    CK(cudaFree(dy));
    CK(cudaFree(dc));
}

/* ------------------------------------------------------------------ cuBLAS */
/* C = alpha op(A) op(B) + beta C, column-major */
template <class T>
static void naive_gemm(bool ta, bool tb, int m, int n, int k, T alpha, const T *A, int lda, const T *B, int ldb, T beta,
                       T *C, int ldc)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int l = 0; l < k; l++) {
                double a = ta ? A[l + (size_t)i * lda] : A[i + (size_t)l * lda];
                double b = tb ? B[j + (size_t)l * ldb] : B[l + (size_t)j * ldb];
                s += a * b;
            }
            C[i + (size_t)j * ldc] = (T)(alpha * s + beta * C[i + (size_t)j * ldc]);
        }
}

template <class T> static T *to_device(const std::vector<T> &h)
{
    T *d;
    CK(cudaMalloc(&d, h.size() * sizeof(T)));
    CK(cudaMemcpy(d, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
    return d;
}

template <class T> static std::vector<T> from_device(const T *d, size_t n)
{
    std::vector<T> h(n);
    CK(cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost));
    return h;
}

static void fill(std::vector<double> &v, int seed)
{
    for (size_t i = 0; i < v.size(); i++) v[i] = sin(0.37 * (double)i + seed) * 2.0;
}

static void test_cublas_dgemm(void **state)
{
    (void)state;
    cublasHandle_t h;
    CK(cublasCreate(&h));
    /* C(5x4) = 1.5 A^T B - 0.5 C with A stored 3x5 (lda 6), B 3x4 (ldb 7), C (ldc 8) */
    int m = 5, n = 4, k = 3, lda = 6, ldb = 7, ldc = 8;
    std::vector<double> A((size_t)lda * m), B((size_t)ldb * n), C((size_t)ldc * n);
    fill(A, 1), fill(B, 2), fill(C, 3);
    double *dA = to_device(A), *dB = to_device(B), *dC = to_device(C);
    double alpha = 1.5, beta = -0.5;
    CK(cublasDgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, dA, lda, dB, ldb, &beta, dC, ldc));
    naive_gemm(true, false, m, n, k, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
    std::vector<double> r = from_device(dC, C.size());
    for (size_t i = 0; i < C.size(); i++) assert_true(fabs(r[i] - C[i]) < 1e-12);
    /* invalid arguments, as cuBLAS documents them */
    assert_int_equal(cublasDgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, dA, 2, dB, ldb, &beta, dC, ldc),
                     CUBLAS_STATUS_INVALID_VALUE); /* lda < k */
    assert_int_equal(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, dA, lda, dB, ldb, &beta, dC, 4),
                     CUBLAS_STATUS_INVALID_VALUE); /* ldc < m */
    assert_int_equal(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, -1, n, k, &alpha, dA, lda, dB, ldb, &beta, dC, ldc),
                     CUBLAS_STATUS_INVALID_VALUE);
#ifdef NJ_CUDA_EMU
    assert_int_equal(cublasDgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, A.data(), lda, dB, ldb, &beta, dC, ldc),
                     CUBLAS_STATUS_EXECUTION_FAILED); /* host matrix */
    assert_non_null(strstr(nj_emu_last_message(), "A ("));
    assert_int_equal(cublasDgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n + 1, k, &alpha, dA, lda, dB, ldb, &beta, dC, ldc),
                     CUBLAS_STATUS_EXECUTION_FAILED); /* B and C too small for n + 1 columns */
#endif
    CK(cudaFree(dA));
    CK(cudaFree(dB));
    CK(cudaFree(dC));
    CK(cublasDestroy(h));
}

static void test_cublas_sgemm(void **state)
{
    (void)state;
    cublasHandle_t h;
    CK(cublasCreate(&h));
    CK(cublasSetMathMode(h, CUBLAS_PEDANTIC_MATH));
    /* C(6x3) = 2 A B^T + 0 C, A 6x4 (lda 9), B stored 3x4 (ldb 5), C ldc 6 */
    int m = 6, n = 3, k = 4, lda = 9, ldb = 5, ldc = 6;
    std::vector<float> A((size_t)lda * k), B((size_t)ldb * k), C((size_t)ldc * n, NAN);
    for (size_t i = 0; i < A.size(); i++) A[i] = (float)cos(0.21 * (double)i);
    for (size_t i = 0; i < B.size(); i++) B[i] = (float)sin(0.13 * (double)i + 1);
    float *dA = to_device(A), *dB = to_device(B), *dC = to_device(C);
    float alpha = 2.0f, beta = 0.0f; /* beta = 0: C is not read (NaN stays out) */
    CK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_T, m, n, k, &alpha, dA, lda, dB, ldb, &beta, dC, ldc));
    std::fill(C.begin(), C.end(), 0.0f);
    naive_gemm(false, true, m, n, k, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
    std::vector<float> r = from_device(dC, C.size());
    for (size_t i = 0; i < C.size(); i++) assert_true(fabsf(r[i] - C[i]) < 1e-5f);
    CK(cudaFree(dA));
    CK(cudaFree(dB));
    CK(cudaFree(dC));
    CK(cublasDestroy(h));
}

static void test_cublas_batched(void **state)
{
    (void)state;
    cublasHandle_t h;
    CK(cublasCreate(&h));
    int m = 4, n = 3, k = 5, batch = 3;
    long long sA = (long long)m * k + 2, sB = (long long)k * n, sC = (long long)m * n + 1;
    std::vector<double> A(sA * batch), B(sB * batch), C(sC * batch);
    fill(A, 4), fill(B, 5), fill(C, 6);
    double *dA = to_device(A), *dB = to_device(B), *dC = to_device(C);
    double alpha = 0.75, beta = 2.0;
    CK(cublasDgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, dA, m, sA, dB, k, sB, &beta, dC, m, sC,
                                 batch));
    std::vector<double> want = C;
    for (int b = 0; b < batch; b++)
        naive_gemm(false, false, m, n, k, alpha, A.data() + b * sA, m, B.data() + b * sB, k, beta, want.data() + b * sC, m);
    std::vector<double> r = from_device(dC, C.size());
    for (size_t i = 0; i < C.size(); i++) assert_true(fabs(r[i] - want[i]) < 1e-12);
    /* pointer arrays in device memory: the same products again, batch order reversed */
    std::vector<const double *> pa(batch), pb(batch);
    std::vector<double *> pc(batch);
    for (int b = 0; b < batch; b++) {
        pa[b] = dA + (batch - 1 - b) * sA;
        pb[b] = dB + (batch - 1 - b) * sB;
        pc[b] = dC + (batch - 1 - b) * sC;
    }
    const double **dpa = to_device(pa);
    const double **dpb = to_device(pb);
    double **dpc = to_device(pc);
    CK(cublasDgemmBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, dpa, m, dpb, k, &beta, dpc, m, batch));
    for (int b = 0; b < batch; b++)
        naive_gemm(false, false, m, n, k, alpha, A.data() + b * sA, m, B.data() + b * sB, k, beta, want.data() + b * sC, m);
    r = from_device(dC, C.size());
    for (size_t i = 0; i < C.size(); i++) assert_true(fabs(r[i] - want[i]) < 1e-12);
#ifdef NJ_CUDA_EMU
    /* host pointer arrays are an error, as on the GPU */
    assert_int_equal(cublasDgemmBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, pa.data(), m, dpb, k, &beta, dpc,
                                        m, batch),
                     CUBLAS_STATUS_EXECUTION_FAILED);
    /* a stride that runs the last matrix past the allocation */
    assert_int_equal(cublasDgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, dA, m, sA + 3, dB, k, sB,
                                               &beta, dC, m, sC, batch),
                     CUBLAS_STATUS_EXECUTION_FAILED);
#endif
    CK(cudaFree(dpa));
    CK(cudaFree(dpb));
    CK(cudaFree(dpc));
    CK(cudaFree(dA));
    CK(cudaFree(dB));
    CK(cudaFree(dC));
    CK(cublasDestroy(h));
}

int main(void)
{
    int ndev = 0;
    cudaError_t e = cudaGetDeviceCount(&ndev);
    if (e != cudaSuccess || ndev < 1) {
        printf("skipped: no usable GPU (%s)\n", cudaGetErrorString(e));
        return 77;
    }
    struct cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
        printf("skipped: no usable GPU (cudaGetDeviceProperties failed)\n");
        return 77;
    }
#ifdef NJ_CUDA_EMU
    printf("NOTE: host emulation (kernels/emu), not a GPU run: device \"%s\", %d threads, protection %s\n", prop.name,
           nj_emu_threads(), nj_emu_protection_enabled() ? "on" : "off");
#else
    printf("GPU run on %s (sm_%d%d)\n", prop.name, prop.major, prop.minor);
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_reduction),
        cmocka_unit_test(test_dynamic_shared),
        cmocka_unit_test(test_grid3d),
        cmocka_unit_test(test_atomic_add),
        cmocka_unit_test(test_launch_config_errors),
        cmocka_unit_test(test_events_streams),
#ifdef NJ_CUDA_EMU
        cmocka_unit_test(test_emu_memcpy_checks),
        cmocka_unit_test(test_emu_kernel_pointer_check),
        cmocka_unit_test(test_emu_protection),
#endif
        cmocka_unit_test(test_cufft_r2c_c2r_padded_rows),
        cmocka_unit_test(test_cufft_d2z_z2d_interleaved),
        cmocka_unit_test(test_cublas_dgemm),
        cmocka_unit_test(test_cublas_sgemm),
        cmocka_unit_test(test_cublas_batched),
    };
    return cmocka_run_group_tests_name("cuda_emu", tests, NULL, NULL);
}
