/* kernels/emu/cuda_emu.h — host emulation of the CUDA runtime subset Njord uses.
 *
 * Included through kernels/common/nj_cuda.h when the .cu sources are compiled for
 * the host (g++ -x c++ -DNJ_CUDA_EMU). Names and signatures follow the CUDA runtime
 * so the same source compiles both ways. What it adds over a plain port:
 *   - kernel launches (NJ_LAUNCH) run the whole grid on the CPU: blocks spread over
 *     OpenMP threads, the threads of a block as cooperative fibers, so that
 *     __syncthreads() is a real barrier and __shared__ memory is per block;
 *   - launch configuration and every pointer argument are checked (a pointer that is
 *     not inside a live cudaMalloc allocation fails the launch, naming the kernel
 *     and the argument);
 *   - device memory is tracked: copies in the wrong direction or past the end of an
 *     allocation fail; device memory is poisoned (0xFF bytes, a NaN) when allocated
 *     and, unless NJ_EMU_PROTECT=0, inaccessible to host code outside launches and
 *     library calls — a host dereference aborts with "host access to device memory".
 * It is never a GPU: cudaGetDeviceProperties names the device "njord host emulation".
 * See kernels/emu/README.md for what it checks and what it cannot catch. */
#ifndef NJ_CUDA_EMU_H
#define NJ_CUDA_EMU_H

#ifndef __cplusplus
#error "the CUDA host emulation is C++: compile .cu files with g++ -x c++"
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <math.h>
#include <tuple>
#include <type_traits>
#include <utility>

/* ------------------------------------------------------------------ qualifiers */
#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
/* __shared__ storage: one instance per OS thread, and an OS thread runs one block at
 * a time, so the threads (fibers) of a block share it and concurrent blocks do not. */
#define __shared__ static thread_local
#define NJ_DYN_SHARED(type, name) type *const name = static_cast<type *>(::nj_emu::dyn_shared())

/* ------------------------------------------------------------------ vector types */
struct uint3 { unsigned int x, y, z; };
struct int2 { int x, y; };
struct int3 { int x, y, z; };
struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
    constexpr operator uint3() const { return uint3{x, y, z}; }
};
struct alignas(8) float2 { float x, y; };
struct float3 { float x, y, z; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };
struct double3 { double x, y, z; };
struct alignas(16) double4 { double x, y, z, w; };
static inline float2 make_float2(float x, float y) { return float2{x, y}; }
static inline float3 make_float3(float x, float y, float z) { return float3{x, y, z}; }
static inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
static inline double2 make_double2(double x, double y) { return double2{x, y}; }
static inline double3 make_double3(double x, double y, double z) { return double3{x, y, z}; }
static inline double4 make_double4(double x, double y, double z, double w) { return double4{x, y, z, w}; }
static inline int2 make_int2(int x, int y) { return int2{x, y}; }
static inline int3 make_int3(int x, int y, int z) { return int3{x, y, z}; }
static inline uint3 make_uint3(unsigned x, unsigned y, unsigned z) { return uint3{x, y, z}; }

/* ------------------------------------------------------------------ runtime types */
enum cudaError {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInitializationError = 3,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidPitchValue = 12,
    cudaErrorInvalidSymbol = 13,
    cudaErrorInvalidHostPointer = 16,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorInsufficientDriver = 35,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorNotReady = 600,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchOutOfResources = 701,
    cudaErrorLaunchFailure = 719,
    cudaErrorNotPermitted = 800,
    cudaErrorNotSupported = 801,
    cudaErrorUnknown = 999
};
typedef enum cudaError cudaError_t;

enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4
};

enum cudaMemoryType {
    cudaMemoryTypeUnregistered = 0,
    cudaMemoryTypeHost = 1,
    cudaMemoryTypeDevice = 2,
    cudaMemoryTypeManaged = 3
};

struct cudaPointerAttributes {
    enum cudaMemoryType type;
    int device;
    void *devicePointer;
    void *hostPointer;
};

enum cudaFuncAttribute {
    cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
    cudaFuncAttributePreferredSharedMemoryCarveout = 9
};

/* The fields of cudaDeviceProp that exist in CUDA 13 and that Njord may read. */
struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    size_t sharedMemPerBlock;
    int regsPerBlock;
    int warpSize;
    size_t memPitch;
    int maxThreadsPerBlock;
    int maxThreadsDim[3];
    int maxGridSize[3];
    size_t totalConstMem;
    int major;
    int minor;
    int multiProcessorCount;
    int integrated;
    int canMapHostMemory;
    int concurrentKernels;
    int ECCEnabled;
    int pciBusID;
    int pciDeviceID;
    int pciDomainID;
    int asyncEngineCount;
    int unifiedAddressing;
    int memoryBusWidth;
    int l2CacheSize;
    int maxThreadsPerMultiProcessor;
    size_t sharedMemPerMultiprocessor;
    int regsPerMultiprocessor;
    int managedMemory;
    size_t sharedMemPerBlockOptin;
    int maxBlocksPerMultiProcessor;
    int cooperativeLaunch;
};

typedef struct nj_emu_stream *cudaStream_t;
typedef struct nj_emu_event *cudaEvent_t;

#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01
#define cudaEventDefault 0x00
#define cudaEventBlockingSync 0x01
#define cudaEventDisableTiming 0x02

/* Counters of the emulation, for tests (host emulation only). */
typedef struct nj_emu_counters {
    unsigned long long device_bytes_live;   /* bytes in live cudaMalloc allocations */
    unsigned long long device_bytes_peak;
    unsigned long long device_allocs;       /* cudaMalloc calls that succeeded */
    unsigned long long device_frees;
    unsigned long long pinned_bytes_live;   /* cudaMallocHost */
    unsigned long long launches;            /* kernels that ran */
    unsigned long long failed_launches;     /* launches refused by a check */
    unsigned long long blocks, threads, barriers;
    unsigned long long memcpy_count[5];     /* indexed by cudaMemcpyKind (H2H, H2D, D2H, D2D, Default) */
    unsigned long long memcpy_bytes;
    unsigned long long memsets;
    unsigned long long fft_execs;
    unsigned long long blas_calls;
    unsigned long long errors;              /* calls of any emulated API that failed */
} nj_emu_counters;

extern "C" {
/* ---- CUDA runtime subset (same names and signatures as cuda_runtime_api.h) ---- */
const char *cudaGetErrorString(cudaError_t error);
const char *cudaGetErrorName(cudaError_t error);
cudaError_t cudaGetLastError(void);
cudaError_t cudaPeekAtLastError(void);
cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int *device);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaDeviceReset(void);
cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes);

cudaError_t cudaMalloc(void **devPtr, size_t size);
cudaError_t cudaFree(void *devPtr);
cudaError_t cudaMallocHost(void **ptr, size_t size);
cudaError_t cudaFreeHost(void *ptr);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
                            cudaStream_t stream = 0);
cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                         size_t height, enum cudaMemcpyKind kind);
cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                              size_t height, enum cudaMemcpyKind kind, cudaStream_t stream = 0);
cudaError_t cudaMemset(void *devPtr, int value, size_t count);
cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream = 0);
cudaError_t cudaMemset2DAsync(void *devPtr, size_t pitch, int value, size_t width, size_t height,
                              cudaStream_t stream = 0);
cudaError_t cudaPointerGetAttributes(struct cudaPointerAttributes *attributes, const void *ptr);

cudaError_t cudaStreamCreate(cudaStream_t *pStream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamQuery(cudaStream_t stream);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags = 0);

cudaError_t cudaEventCreate(cudaEvent_t *event);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = 0);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventQuery(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end);
cudaError_t cudaEventDestroy(cudaEvent_t event);

cudaError_t cudaFuncSetAttribute(const void *func, enum cudaFuncAttribute attr, int value);

/* ---- emulation only ---- */
/** The message of the last failed emulated call of this host thread (CUDA runtime,
 *  launch, cuFFT or cuBLAS), "" if none. The emulation never prints. */
const char *nj_emu_last_message(void);
void nj_emu_get_counters(nj_emu_counters *counters);
/** Zeroes the event counters (live and peak byte counts restart from the live value). */
void nj_emu_reset_counters(void);
/** 1 when device memory is kept inaccessible to host code (NJ_EMU_PROTECT != 0). */
int nj_emu_protection_enabled(void);
/** Number of OpenMP threads that run blocks (NJ_EMU_THREADS, default: OpenMP's). */
int nj_emu_threads(void);
/** Failure injection, for tests of error paths: the n-th (1-based) of the following
 *  resource-creating or synchronous calls fails as if out of memory — cudaMalloc,
 *  cudaMallocHost, cudaMemcpy, cudaMemset, cudaStreamCreate[WithFlags],
 *  cudaEventCreate[WithFlags], cufftCreate, cufftMakePlan*, cufftPlan*,
 *  cufftSetStream, cublasCreate, cublasSetStream; once, then off. n <= 0: off. */
void nj_emu_fail_after(long n);
/** Live resources: device and pinned allocations, streams, events, cuFFT plans and
 *  cuBLAS handles (a leak check for error paths). */
unsigned long long nj_emu_live_handles(void);
}

/* C++ conveniences of the real runtime (cuda_runtime.h) */
template <class T> static inline cudaError_t cudaMalloc(T **devPtr, size_t size)
{
    return cudaMalloc(reinterpret_cast<void **>(devPtr), size);
}
template <class T> static inline cudaError_t cudaMallocHost(T **ptr, size_t size)
{
    return cudaMallocHost(reinterpret_cast<void **>(ptr), size);
}
template <class T> static inline cudaError_t cudaFuncSetAttribute(T *func, enum cudaFuncAttribute attr, int value)
{
    return cudaFuncSetAttribute(reinterpret_cast<const void *>(func), attr, value);
}

/* ------------------------------------------------------------------ internals */
namespace nj_emu {

extern thread_local uint3 t_threadIdx;
extern thread_local uint3 t_blockIdx;
extern thread_local dim3 t_blockDim;
extern thread_local dim3 t_gridDim;

void syncthreads();
void *dyn_shared();
void threadfence();

/* a kernel invocation, type-erased */
struct Body {
    void (*call)(void *ctx);
    void *ctx;
};
/* checks grid, block, shared memory and stream; records the error if any */
cudaError_t launch_check(const char *name, const void *kernel, dim3 grid, dim3 block, size_t shmem,
                         cudaStream_t stream);
/* checks pointer argument `position` (1-based) of kernel `name`; records the error */
bool check_kernel_pointer(const char *name, int position, const void *ptr);
void launch_failed(const char *name);
void launch_run(const char *name, dim3 grid, dim3 block, size_t shmem, const Body &body);

cudaError_t symbol_copy(void *dst, const void *src, size_t count, size_t symbol_size, size_t offset,
                        enum cudaMemcpyKind kind, bool to_symbol);

template <class T> static inline bool check_arg(const char *name, int position, const T &value)
{
    if constexpr (std::is_pointer_v<T> && !std::is_function_v<std::remove_pointer_t<T>>)
        return check_kernel_pointer(name, position, (const void *)(uintptr_t)value);
    else
        return true;
}

template <class Tuple, size_t... I>
static inline bool check_args(const char *name, const Tuple &args, std::index_sequence<I...>)
{
    return (true && ... && check_arg(name, (int)I + 1, std::get<I>(args)));
}

template <class... P, class... A>
static inline void launch(const char *name, void (*kernel)(P...), dim3 grid, dim3 block, size_t shmem,
                          cudaStream_t stream, A &&...args)
{
    static_assert(sizeof...(P) == sizeof...(A), "NJ_LAUNCH: wrong number of kernel arguments");
    if (launch_check(name, reinterpret_cast<const void *>(kernel), grid, block, shmem, stream) != cudaSuccess)
        return;
    std::tuple<std::decay_t<P>...> params(std::forward<A>(args)...);
    if (!check_args(name, params, std::index_sequence_for<P...>{})) {
        launch_failed(name);
        return;
    }
    auto run_one = [&]() { std::apply(kernel, params); };
    Body body{[](void *ctx) { (*static_cast<decltype(run_one) *>(ctx))(); }, &run_one};
    launch_run(name, grid, block, shmem, body);
}

} // namespace nj_emu

#define NJ_LAUNCH(kernel, grid, block, shmem_bytes, stream, ...) \
    ::nj_emu::launch(#kernel, kernel, (grid), (block), (shmem_bytes), (stream), ##__VA_ARGS__)

template <class T>
static inline cudaError_t cudaMemcpyToSymbol(T &symbol, const void *src, size_t count, size_t offset = 0,
                                             enum cudaMemcpyKind kind = cudaMemcpyHostToDevice)
{
    return nj_emu::symbol_copy(&symbol, src, count, sizeof(T), offset, kind, true);
}
template <class T>
static inline cudaError_t cudaMemcpyFromSymbol(void *dst, const T &symbol, size_t count, size_t offset = 0,
                                               enum cudaMemcpyKind kind = cudaMemcpyDeviceToHost)
{
    return nj_emu::symbol_copy(dst, &symbol, count, sizeof(T), offset, kind, false);
}

/* ------------------------------------------------------------------ built-ins */
#define threadIdx (static_cast<const uint3 &>(::nj_emu::t_threadIdx))
#define blockIdx (static_cast<const uint3 &>(::nj_emu::t_blockIdx))
#define blockDim (static_cast<const dim3 &>(::nj_emu::t_blockDim))
#define gridDim (static_cast<const dim3 &>(::nj_emu::t_gridDim))
static const int warpSize = 32;

static inline void __syncthreads() { ::nj_emu::syncthreads(); }
static inline void __threadfence() { ::nj_emu::threadfence(); }
static inline void __threadfence_block() { ::nj_emu::threadfence(); }
template <class T> static inline T __ldg(const T *p) { return *p; }

/* atomics: return the old value, like CUDA */
static inline int atomicAdd(int *a, int v) { return __atomic_fetch_add(a, v, __ATOMIC_RELAXED); }
static inline unsigned int atomicAdd(unsigned int *a, unsigned int v) { return __atomic_fetch_add(a, v, __ATOMIC_RELAXED); }
static inline unsigned long long atomicAdd(unsigned long long *a, unsigned long long v)
{
    return __atomic_fetch_add(a, v, __ATOMIC_RELAXED);
}
template <class F> static inline F nj_emu_atomic_fadd(F *a, F v)
{
    F old, sum;
    __atomic_load(a, &old, __ATOMIC_RELAXED);
    do {
        sum = old + v;
    } while (!__atomic_compare_exchange(a, &old, &sum, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return old;
}
static inline float atomicAdd(float *a, float v) { return nj_emu_atomic_fadd(a, v); }
static inline double atomicAdd(double *a, double v) { return nj_emu_atomic_fadd(a, v); }
static inline int atomicSub(int *a, int v) { return __atomic_fetch_sub(a, v, __ATOMIC_RELAXED); }
static inline unsigned int atomicSub(unsigned int *a, unsigned int v) { return __atomic_fetch_sub(a, v, __ATOMIC_RELAXED); }
static inline int atomicExch(int *a, int v) { return __atomic_exchange_n(a, v, __ATOMIC_RELAXED); }
static inline unsigned int atomicExch(unsigned int *a, unsigned int v) { return __atomic_exchange_n(a, v, __ATOMIC_RELAXED); }
static inline unsigned long long atomicExch(unsigned long long *a, unsigned long long v)
{
    return __atomic_exchange_n(a, v, __ATOMIC_RELAXED);
}
static inline float atomicExch(float *a, float v)
{
    float old;
    __atomic_exchange(a, &v, &old, __ATOMIC_RELAXED);
    return old;
}
template <class I> static inline I nj_emu_atomic_cas(I *a, I compare, I val)
{
    __atomic_compare_exchange_n(a, &compare, val, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
static inline int atomicCAS(int *a, int c, int v) { return nj_emu_atomic_cas(a, c, v); }
static inline unsigned int atomicCAS(unsigned int *a, unsigned int c, unsigned int v) { return nj_emu_atomic_cas(a, c, v); }
static inline unsigned long long atomicCAS(unsigned long long *a, unsigned long long c, unsigned long long v)
{
    return nj_emu_atomic_cas(a, c, v);
}
template <class I> static inline I nj_emu_atomic_max(I *a, I v)
{
    I old = __atomic_load_n(a, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(a, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
template <class I> static inline I nj_emu_atomic_min(I *a, I v)
{
    I old = __atomic_load_n(a, __ATOMIC_RELAXED);
    while (old > v && !__atomic_compare_exchange_n(a, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
static inline int atomicMax(int *a, int v) { return nj_emu_atomic_max(a, v); }
static inline unsigned int atomicMax(unsigned int *a, unsigned int v) { return nj_emu_atomic_max(a, v); }
static inline int atomicMin(int *a, int v) { return nj_emu_atomic_min(a, v); }
static inline unsigned int atomicMin(unsigned int *a, unsigned int v) { return nj_emu_atomic_min(a, v); }

/* device math that glibc lacks (CUDA also provides these to host code) */
static inline double rsqrt(double x) { return 1.0 / sqrt(x); }
static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
static inline void sincospi(double x, double *s, double *c) { sincos(M_PI * x, s, c); }
static inline double sinpi(double x) { return sin(M_PI * x); }
static inline double cospi(double x) { return cos(M_PI * x); }
static inline float __fdividef(float x, float y) { return x / y; }
/* __expf, __logf, __sinf, __cosf: glibc declares them with the same meaning */
static inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
static inline int min(int a, int b) { return a < b ? a : b; }
static inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }
static inline float min(float a, float b) { return fminf(a, b); }
static inline double min(double a, double b) { return fmin(a, b); }
static inline int max(int a, int b) { return a > b ? a : b; }
static inline unsigned int max(unsigned int a, unsigned int b) { return a > b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }
static inline float max(float a, float b) { return fmaxf(a, b); }
static inline double max(double a, double b) { return fmax(a, b); }
/* warp-level intrinsics (__shfl_*_sync, __syncwarp, __ballot_sync, ...) are not
 * emulated: using them is a compile error in the emulated build. */

#endif
