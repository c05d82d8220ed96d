/* kernels/emu/cuda_emu.cc — host emulation of the CUDA runtime subset: tracked device
 * memory, checked copies, streams and events, and the kernel launcher (blocks over
 * OpenMP threads, the threads of a block as cooperative fibers). */
#include "emu_internal.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <omp.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

namespace nj_emu {

thread_local uint3 t_threadIdx;
thread_local uint3 t_blockIdx;
thread_local dim3 t_blockDim;
thread_local dim3 t_gridDim;

/* ------------------------------------------------------------------ configuration */
struct Config {
    bool protect;
    bool poison;
    bool no_device;
    int threads;
    size_t stack_bytes;
};

static long env_long(const char *name, long dflt)
{
    const char *s = getenv(name);
    if (!s || !*s) return dflt;
    char *end;
    long v = strtol(s, &end, 10);
    return *end ? dflt : v;
}

static const Config &cfg()
{
    static const Config c = [] {
        Config k;
        k.protect = env_long("NJ_EMU_PROTECT", 1) != 0;
        k.poison = env_long("NJ_EMU_POISON", 1) != 0;
        k.no_device = env_long("NJ_EMU_NO_DEVICE", 0) != 0;
        long t = env_long("NJ_EMU_THREADS", 0);
        k.threads = t > 0 ? (int)t : omp_get_max_threads();
        long kb = env_long("NJ_EMU_STACK_KB", 256);
        k.stack_bytes = (size_t)(kb < 16 ? 16 : kb) * 1024;
        return k;
    }();
    return c;
}

static size_t page_size()
{
    static const size_t p = (size_t)sysconf(_SC_PAGESIZE);
    return p;
}

static size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

/* a device mapping: 1 guard page, the data pages (data right-aligned to 256 bytes at
 * their end), TRAIL_GUARD_PAGES guard pages, so that overruns fault */
enum { TRAIL_GUARD_PAGES = 16 };

/* ------------------------------------------------------------------ counters */
struct Counters {
    std::atomic<unsigned long long> device_bytes_live{0}, device_bytes_peak{0}, device_allocs{0},
        device_frees{0}, pinned_bytes_live{0}, launches{0}, failed_launches{0}, blocks{0}, threads{0},
        barriers{0}, memcpy_count[5], memcpy_bytes{0}, memsets{0}, fft_execs{0}, blas_calls{0}, errors{0};
    Counters()
    {
        for (auto &c : memcpy_count) c = 0;
    }
};
static Counters g_count;

void count(Counter c)
{
    if (c == C_FFT) g_count.fft_execs++;
    else g_count.blas_calls++;
}

/* ------------------------------------------------------------------ errors */
static thread_local cudaError_t t_last = cudaSuccess;
static thread_local cudaError_t t_pending = cudaSuccess; /* reported by the next synchronize */
static thread_local char t_msg[1024];

static void vset_message(const char *fmt, va_list ap)
{
    vsnprintf(t_msg, sizeof t_msg, fmt, ap);
}

void set_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_message(fmt, ap);
    va_end(ap);
    g_count.errors++;
}

cudaError_t fail(cudaError_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_message(fmt, ap);
    va_end(ap);
    t_last = code;
    g_count.errors++;
    return code;
}

/* failure injection (nj_emu_fail_after): calls left before the one that fails */
static std::atomic<long> g_fail_countdown{0};

bool injected_failure(const char *fn)
{
    long c = g_fail_countdown.load();
    while (c > 0 && !g_fail_countdown.compare_exchange_weak(c, c - 1)) {
    }
    (void)fn; /* the caller fails with its API's code and a message naming itself */
    return c == 1;
}

[[noreturn]] static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fatal(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "njord CUDA emulation: %s\n", buf);
    fflush(stderr);
    abort();
}

/* ------------------------------------------------------------------ allocations */
struct Alloc {
    uintptr_t base;   /* what cudaMalloc returned */
    size_t size;      /* bytes requested */
    bool device;      /* false: cudaMallocHost */
    uintptr_t map;    /* device: the whole mapping, guard pages included */
    size_t map_len;
    uintptr_t data;   /* device: the accessible pages */
    size_t data_len;
    int open;         /* accessible while > 0 (or while a DeviceScope is alive) */
    int slot;         /* index in the signal-handler table, -1 if none */
};

static std::mutex g_mu;
static std::map<uintptr_t, Alloc> g_allocs;
static int g_scope_depth = 0;

/* lock-free copy of the device mappings for the SIGSEGV handler */
enum { SIG_SLOTS = 16384 };
struct SigSlot {
    std::atomic<uintptr_t> map{0};
    std::atomic<size_t> map_len{0};
    std::atomic<uintptr_t> base{0};
    std::atomic<size_t> size{0};
};
static SigSlot g_slots[SIG_SLOTS];
static struct sigaction g_old_segv;
static bool g_handler_installed = false;
static std::atomic<int> g_launch_depth{0};
static thread_local const char *t_kernel_name = nullptr;

static void put_str(char *buf, size_t &n, size_t cap, const char *s)
{
    while (*s && n + 1 < cap) buf[n++] = *s++;
}
static void put_hex(char *buf, size_t &n, size_t cap, uintptr_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    put_str(buf, n, cap, "0x");
    while (k > 0 && n + 1 < cap) buf[n++] = tmp[--k];
}
static void put_dec(char *buf, size_t &n, size_t cap, size_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k > 0 && n + 1 < cap) buf[n++] = tmp[--k];
}

static void segv_handler(int sig, siginfo_t *si, void *uctx)
{
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < SIG_SLOTS; i++) {
        uintptr_t m = g_slots[i].map.load(std::memory_order_relaxed);
        if (!m || a < m || a >= m + g_slots[i].map_len.load(std::memory_order_relaxed)) continue;
        uintptr_t base = g_slots[i].base.load(std::memory_order_relaxed);
        size_t size = g_slots[i].size.load(std::memory_order_relaxed);
        char buf[512];
        size_t n = 0, cap = sizeof buf;
        put_str(buf, n, cap, "njord CUDA emulation: ");
        const char *kname = t_kernel_name;
        if (a >= base && a < base + size) {
            put_str(buf, n, cap, "host access to device memory at ");
            put_hex(buf, n, cap, a);
            put_str(buf, n, cap, " (offset ");
            put_dec(buf, n, cap, a - base);
        } else {
            put_str(buf, n, cap, kname ? "out-of-bounds access by kernel " : "out-of-bounds access at ");
            if (kname) {
                put_str(buf, n, cap, kname);
                put_str(buf, n, cap, " at ");
            }
            put_hex(buf, n, cap, a);
            put_str(buf, n, cap, a < base ? " (" : " (");
            put_dec(buf, n, cap, a < base ? base - a : a - (base + size));
            put_str(buf, n, cap, a < base ? " bytes before the start" : " bytes past the end");
        }
        put_str(buf, n, cap, " of device allocation ");
        put_hex(buf, n, cap, base);
        put_str(buf, n, cap, " of ");
        put_dec(buf, n, cap, size);
        put_str(buf, n, cap, " bytes); device memory may only be touched by kernels, cudaMemcpy/cudaMemset "
                             "and cuFFT/cuBLAS calls\n");
        ssize_t w = write(2, buf, n);
        (void)w;
        signal(SIGABRT, SIG_DFL);
        abort();
    }
    /* not ours: pass the fault on to the handler we displaced */
    if ((g_old_segv.sa_flags & SA_SIGINFO) && g_old_segv.sa_sigaction) {
        g_old_segv.sa_sigaction(sig, si, uctx);
    } else if (!(g_old_segv.sa_flags & SA_SIGINFO) && g_old_segv.sa_handler != SIG_DFL &&
               g_old_segv.sa_handler != SIG_IGN) {
        g_old_segv.sa_handler(sig);
    } else {
        sigaction(SIGSEGV, &g_old_segv, nullptr); /* the fault recurs and kills as usual */
    }
}

/* (Re)installs the SIGSEGV handler when someone (a test framework, say) has put
 * another one on top of it; that one is then called for faults that are not ours. */
static void install_handler_locked()
{
    if (g_handler_installed) {
        struct sigaction cur;
        if (sigaction(SIGSEGV, nullptr, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == segv_handler)
            return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_old_segv);
    g_handler_installed = true;
}

static void set_access(const Alloc &a, bool on)
{
    if (!a.device || !cfg().protect) return;
    if (!on) install_handler_locked();
    if (mprotect((void *)a.data, a.data_len, on ? PROT_READ | PROT_WRITE : PROT_NONE) != 0)
        fatal("mprotect failed on device allocation %p", (void *)a.base);
}

static bool accessible(const Alloc &a) { return a.open > 0 || g_scope_depth > 0; }

static void open_locked(Alloc &a)
{
    bool was = accessible(a);
    a.open++;
    if (!was) set_access(a, true);
}

static void close_locked(Alloc &a)
{
    a.open--;
    if (!accessible(a)) set_access(a, false);
}

DeviceScope::DeviceScope()
{
    std::lock_guard<std::mutex> lk(g_mu);
    if (g_scope_depth++ == 0)
        for (auto &kv : g_allocs)
            if (kv.second.open == 0) set_access(kv.second, true);
}

DeviceScope::~DeviceScope()
{
    std::lock_guard<std::mutex> lk(g_mu);
    if (--g_scope_depth == 0)
        for (auto &kv : g_allocs)
            if (kv.second.open == 0) set_access(kv.second, false);
}

/* the allocation that holds p (base <= p <= base + size, or p in a device mapping's
 * guard zone), or nullptr; lock held */
static Alloc *find_locked(const void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    auto it = g_allocs.upper_bound(p);
    if (it != g_allocs.end()) { /* p may sit in the leading guard page of the next mapping */
        const Alloc &a = it->second;
        if (a.device && p >= a.map && p < a.map + a.map_len) return &it->second;
    }
    if (it == g_allocs.begin()) return nullptr;
    --it;
    Alloc &a = it->second;
    if (p <= a.base + a.size) return &a;
    if (a.device && p < a.map + a.map_len) return &a;
    return nullptr;
}

static std::string describe_locked(const void *ptr)
{
    char buf[256];
    Alloc *a = find_locked(ptr);
    uintptr_t p = (uintptr_t)ptr;
    if (!a)
        snprintf(buf, sizeof buf, "%p is host memory (not from cudaMalloc)", ptr);
    else if (!a->device)
        snprintf(buf, sizeof buf, "%p is pinned host memory (cudaMallocHost, %zu bytes)", ptr, a->size);
    else if (p < a->base)
        snprintf(buf, sizeof buf, "%p lies %zu bytes before device allocation %p of %zu bytes", ptr,
                 (size_t)(a->base - p), (void *)a->base, a->size);
    else if (p > a->base + a->size)
        snprintf(buf, sizeof buf, "%p lies %zu bytes past the end of device allocation %p of %zu bytes", ptr,
                 (size_t)(p - a->base - a->size), (void *)a->base, a->size);
    else
        snprintf(buf, sizeof buf, "%p is device memory (offset %zu in allocation %p of %zu bytes)", ptr,
                 (size_t)(p - a->base), (void *)a->base, a->size);
    return buf;
}

/* device allocation that holds all of [p, p+bytes), or nullptr */
static Alloc *device_range_locked(const void *ptr, size_t bytes)
{
    Alloc *a = find_locked(ptr);
    uintptr_t p = (uintptr_t)ptr;
    if (!a || !a->device || p < a->base || p > a->base + a->size) return nullptr;
    if (bytes > a->size - (p - a->base)) return nullptr;
    return a;
}

bool device_range(const void *ptr, size_t bytes, std::string &why)
{
    std::lock_guard<std::mutex> lk(g_mu);
    if (!ptr) {
        why = "NULL pointer";
        return false;
    }
    if (device_range_locked(ptr, bytes)) return true;
    Alloc *a = find_locked(ptr);
    char buf[128];
    if (a && a->device && (uintptr_t)ptr >= a->base && (uintptr_t)ptr <= a->base + a->size) {
        snprintf(buf, sizeof buf, "; %zu bytes from offset %zu run %zu bytes past its end", bytes,
                 (size_t)((uintptr_t)ptr - a->base), (size_t)((uintptr_t)ptr - a->base) + bytes - a->size);
        why = describe_locked(ptr) + buf;
    } else {
        why = describe_locked(ptr);
    }
    return false;
}

} // namespace nj_emu

using namespace nj_emu;

/* ------------------------------------------------------------------ runtime API */
extern "C" {

const char *cudaGetErrorName(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInitializationError: return "cudaErrorInitializationError";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidPitchValue: return "cudaErrorInvalidPitchValue";
    case cudaErrorInvalidSymbol: return "cudaErrorInvalidSymbol";
    case cudaErrorInvalidHostPointer: return "cudaErrorInvalidHostPointer";
    case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
    case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
    case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    case cudaErrorNotReady: return "cudaErrorNotReady";
    case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
    case cudaErrorLaunchOutOfResources: return "cudaErrorLaunchOutOfResources";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    case cudaErrorNotPermitted: return "cudaErrorNotPermitted";
    case cudaErrorNotSupported: return "cudaErrorNotSupported";
    case cudaErrorUnknown: return "cudaErrorUnknown";
    }
    return "cudaErrorUnknown";
}

const char *cudaGetErrorString(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInitializationError: return "initialization error";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidPitchValue: return "invalid pitch argument";
    case cudaErrorInvalidSymbol: return "invalid device symbol";
    case cudaErrorInvalidHostPointer: return "invalid host pointer";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorNotReady: return "device not ready";
    case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
    case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorNotPermitted: return "operation not permitted";
    case cudaErrorNotSupported: return "operation not supported";
    case cudaErrorUnknown: return "unknown error";
    }
    return "unknown error";
}

cudaError_t cudaGetLastError(void)
{
    cudaError_t e = t_last;
    t_last = cudaSuccess;
    return e;
}

cudaError_t cudaPeekAtLastError(void) { return t_last; }

const char *nj_emu_last_message(void) { return t_msg; }

int nj_emu_protection_enabled(void) { return cfg().protect ? 1 : 0; }

int nj_emu_threads(void) { return cfg().threads; }

cudaError_t cudaGetDeviceCount(int *count)
{
    if (!count) return fail(cudaErrorInvalidValue, "cudaGetDeviceCount: count is NULL");
    if (cfg().no_device) {
        *count = 0;
        return fail(cudaErrorNoDevice, "cudaGetDeviceCount: NJ_EMU_NO_DEVICE is set, emulating a machine without GPU");
    }
    *count = 1;
    return cudaSuccess;
}

static size_t physical_memory()
{
    long pages = sysconf(_SC_PHYS_PAGES);
    return pages > 0 ? (size_t)pages * page_size() : ((size_t)16 << 30);
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device)
{
    if (!prop) return fail(cudaErrorInvalidValue, "cudaGetDeviceProperties: prop is NULL");
    if (cfg().no_device) return fail(cudaErrorNoDevice, "cudaGetDeviceProperties: no device (NJ_EMU_NO_DEVICE)");
    if (device != 0) return fail(cudaErrorInvalidDevice, "cudaGetDeviceProperties: device %d does not exist", device);
    memset(prop, 0, sizeof *prop);
    snprintf(prop->name, sizeof prop->name, "njord host emulation");
    prop->totalGlobalMem = physical_memory();
    prop->sharedMemPerBlock = 48 * 1024;
    prop->regsPerBlock = 65536;
    prop->warpSize = 32;
    prop->memPitch = 2147483647;
    prop->maxThreadsPerBlock = 1024;
    prop->maxThreadsDim[0] = 1024;
    prop->maxThreadsDim[1] = 1024;
    prop->maxThreadsDim[2] = 64;
    prop->maxGridSize[0] = 2147483647;
    prop->maxGridSize[1] = 65535;
    prop->maxGridSize[2] = 65535;
    prop->totalConstMem = 65536;
    prop->major = 9;
    prop->minor = 0;
    prop->multiProcessorCount = cfg().threads;
    prop->canMapHostMemory = 1;
    prop->concurrentKernels = 1;
    prop->unifiedAddressing = 1;
    prop->l2CacheSize = 50 * 1024 * 1024;
    prop->maxThreadsPerMultiProcessor = 2048;
    prop->sharedMemPerMultiprocessor = 233472;
    prop->regsPerMultiprocessor = 65536;
    prop->sharedMemPerBlockOptin = 232448;
    prop->maxBlocksPerMultiProcessor = 32;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device)
{
    if (cfg().no_device) return fail(cudaErrorNoDevice, "cudaSetDevice: no device (NJ_EMU_NO_DEVICE)");
    if (device != 0) return fail(cudaErrorInvalidDevice, "cudaSetDevice: device %d does not exist (the emulation has one)", device);
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int *device)
{
    if (!device) return fail(cudaErrorInvalidValue, "cudaGetDevice: device is NULL");
    *device = 0;
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void)
{
    cudaError_t e = t_pending;
    t_pending = cudaSuccess;
    return e;
}

cudaError_t cudaDeviceReset(void)
{
    t_pending = cudaSuccess;
    t_last = cudaSuccess;
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes)
{
    if (!free_bytes || !total_bytes) return fail(cudaErrorInvalidValue, "cudaMemGetInfo: NULL argument");
    size_t total = physical_memory();
    size_t used = (size_t)g_count.device_bytes_live.load();
    *total_bytes = total;
    *free_bytes = used < total ? total - used : 0;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void **devPtr, size_t size)
{
    if (!devPtr) return fail(cudaErrorInvalidValue, "cudaMalloc: devPtr is NULL");
    *devPtr = nullptr;
    if (cfg().no_device) return fail(cudaErrorNoDevice, "cudaMalloc: no device (NJ_EMU_NO_DEVICE)");
    if (injected_failure("cudaMalloc"))
        return fail(cudaErrorMemoryAllocation, "cudaMalloc: failure injected by nj_emu_fail_after");
    if (size == 0) return cudaSuccess;
    const size_t pg = page_size();
    if (size > ((size_t)1 << 46)) return fail(cudaErrorMemoryAllocation, "cudaMalloc: %zu bytes is too large", size);
    size_t span = round_up(size, 256);
    size_t data_len = round_up(span, pg);
    size_t map_len = data_len + (1 + TRAIL_GUARD_PAGES) * pg;
    void *m = mmap(nullptr, map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return fail(cudaErrorMemoryAllocation, "cudaMalloc: out of memory (%zu bytes)", size);
    Alloc a;
    a.map = (uintptr_t)m;
    a.map_len = map_len;
    a.data = a.map + pg;
    a.data_len = data_len;
    a.base = a.data + data_len - span; /* end of the data at the trailing guard page */
    a.size = size;
    a.device = true;
    a.open = 0;
    a.slot = -1;
    if (mprotect((void *)a.data, a.data_len, PROT_READ | PROT_WRITE) != 0) {
        munmap(m, map_len);
        return fail(cudaErrorMemoryAllocation, "cudaMalloc: out of memory (%zu bytes)", size);
    }
    if (cfg().poison) memset((void *)a.base, 0xFF, size); /* uninitialised device memory reads as NaN */
    {
        std::lock_guard<std::mutex> lk(g_mu);
        if (cfg().protect) {
            install_handler_locked();
            if (g_scope_depth == 0) set_access(a, false);
        }
        for (int i = 0; i < SIG_SLOTS; i++)
            if (g_slots[i].map.load() == 0) {
                g_slots[i].map_len = a.map_len;
                g_slots[i].base = a.base;
                g_slots[i].size = a.size;
                g_slots[i].map.store(a.map);
                a.slot = i;
                break;
            }
        g_allocs[a.base] = a;
    }
    unsigned long long live = (g_count.device_bytes_live += size);
    unsigned long long peak = g_count.device_bytes_peak.load();
    while (live > peak && !g_count.device_bytes_peak.compare_exchange_weak(peak, live)) {
    }
    g_count.device_allocs++;
    *devPtr = (void *)a.base;
    return cudaSuccess;
}

cudaError_t cudaFree(void *devPtr)
{
    if (!devPtr) return cudaSuccess;
    Alloc a;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        auto it = g_allocs.find((uintptr_t)devPtr);
        if (it == g_allocs.end() || !it->second.device) {
            std::string d = describe_locked(devPtr);
            return fail(cudaErrorInvalidValue, "cudaFree(%p): not the start of a live device allocation: %s%s", devPtr,
                        d.c_str(), it != g_allocs.end() ? " — use cudaFreeHost" : "");
        }
        a = it->second;
        g_allocs.erase(it);
        if (a.slot >= 0) g_slots[a.slot].map.store(0);
    }
    munmap((void *)a.map, a.map_len);
    g_count.device_bytes_live -= a.size;
    g_count.device_frees++;
    return cudaSuccess;
}

cudaError_t cudaMallocHost(void **ptr, size_t size)
{
    if (!ptr) return fail(cudaErrorInvalidValue, "cudaMallocHost: ptr is NULL");
    *ptr = nullptr;
    if (injected_failure("cudaMallocHost"))
        return fail(cudaErrorMemoryAllocation, "cudaMallocHost: failure injected by nj_emu_fail_after");
    if (size == 0) return cudaSuccess;
    void *p = aligned_alloc(256, round_up(size, 256));
    if (!p) return fail(cudaErrorMemoryAllocation, "cudaMallocHost: out of memory (%zu bytes)", size);
    Alloc a;
    memset(&a, 0, sizeof a);
    a.base = (uintptr_t)p;
    a.size = size;
    a.device = false;
    a.slot = -1;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        g_allocs[a.base] = a;
    }
    g_count.pinned_bytes_live += size;
    *ptr = p;
    return cudaSuccess;
}

cudaError_t cudaFreeHost(void *ptr)
{
    if (!ptr) return cudaSuccess;
    size_t size;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        auto it = g_allocs.find((uintptr_t)ptr);
        if (it == g_allocs.end() || it->second.device) {
            std::string d = describe_locked(ptr);
            return fail(cudaErrorInvalidValue, "cudaFreeHost(%p): not the start of a live cudaMallocHost allocation: %s",
                        ptr, d.c_str());
        }
        size = it->second.size;
        g_allocs.erase(it);
    }
    free(ptr);
    g_count.pinned_bytes_live -= size;
    return cudaSuccess;
}

static const char *kind_name(int kind)
{
    static const char *names[] = {"cudaMemcpyHostToHost", "cudaMemcpyHostToDevice", "cudaMemcpyDeviceToHost",
                                  "cudaMemcpyDeviceToDevice", "cudaMemcpyDefault"};
    return kind >= 0 && kind <= 4 ? names[kind] : "an invalid cudaMemcpyKind";
}

/* Checks one side of a copy: `want_device` (1 device, 0 host, -1 either) of
 * `bytes` bytes at p. Opens the device allocation (added to `opened`). Lock held. */
static cudaError_t check_side_locked(const char *fn, const char *side, int kind, const void *p, size_t bytes,
                                     int want_device, std::vector<Alloc *> &opened)
{
    Alloc *a = find_locked(p);
    bool is_device = a && a->device;
    if (want_device == 1 && !is_device)
        return fail(cudaErrorInvalidMemcpyDirection, "%s: %s of %s must be device memory, but %s", fn, side,
                    kind_name(kind), describe_locked(p).c_str());
    if (want_device == 0 && is_device)
        return fail(cudaErrorInvalidMemcpyDirection, "%s: %s of %s must be host memory, but %s", fn, side,
                    kind_name(kind), describe_locked(p).c_str());
    if (a) { /* tracked memory: the byte range must stay inside the allocation */
        uintptr_t q = (uintptr_t)p;
        if (q < a->base || q > a->base + a->size || bytes > a->size - (q - a->base))
            return fail(cudaErrorInvalidValue, "%s: %s range of %zu bytes does not fit: %s", fn, side, bytes,
                        describe_locked(p).c_str());
        if (a->device) {
            open_locked(*a);
            opened.push_back(a);
        }
    }
    return cudaSuccess;
}

static void close_all_locked(std::vector<Alloc *> &opened)
{
    for (Alloc *a : opened) close_locked(*a);
    opened.clear();
}

/* a 2D copy touches rows of `width` bytes at pitch `pitch`: extent of the region */
static size_t extent2d(size_t pitch, size_t width, size_t height) { return height ? (height - 1) * pitch + width : 0; }

static cudaError_t copy2d(const char *fn, void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                          size_t height, enum cudaMemcpyKind kind, cudaStream_t stream)
{
    if (!stream_valid(stream)) return fail(cudaErrorInvalidResourceHandle, "%s: invalid stream %p", fn, (void *)stream);
    if ((int)kind < 0 || (int)kind > 4)
        return fail(cudaErrorInvalidMemcpyDirection, "%s: invalid cudaMemcpyKind %d", fn, (int)kind);
    if (width == 0 || height == 0) return cudaSuccess;
    if (!dst || !src) return fail(cudaErrorInvalidValue, "%s: NULL %s pointer", fn, !dst ? "destination" : "source");
    if (height > 1 && (dpitch < width || spitch < width))
        return fail(cudaErrorInvalidPitchValue, "%s: pitch (%zu, %zu) smaller than width %zu", fn, dpitch, spitch, width);
    int want_src = -1, want_dst = -1;
    switch (kind) {
    case cudaMemcpyHostToHost: want_src = 0, want_dst = 0; break;
    case cudaMemcpyHostToDevice: want_src = 0, want_dst = 1; break;
    case cudaMemcpyDeviceToHost: want_src = 1, want_dst = 0; break;
    case cudaMemcpyDeviceToDevice: want_src = 1, want_dst = 1; break;
    default: break;
    }
    std::vector<Alloc *> opened;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        cudaError_t e = check_side_locked(fn, "source", kind, src, extent2d(spitch, width, height), want_src, opened);
        if (e == cudaSuccess)
            e = check_side_locked(fn, "destination", kind, dst, extent2d(dpitch, width, height), want_dst, opened);
        if (e != cudaSuccess) {
            close_all_locked(opened);
            return e;
        }
    }
    for (size_t r = 0; r < height; r++)
        memmove((char *)dst + r * dpitch, (const char *)src + r * spitch, width);
    {
        std::lock_guard<std::mutex> lk(g_mu);
        close_all_locked(opened);
    }
    g_count.memcpy_count[kind]++;
    g_count.memcpy_bytes += width * height;
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
    if (injected_failure("cudaMemcpy"))
        return fail(cudaErrorMemoryAllocation, "cudaMemcpy: failure injected by nj_emu_fail_after");
    return copy2d("cudaMemcpy", dst, count, src, count, count, 1, kind, nullptr);
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)
{
    return copy2d("cudaMemcpyAsync", dst, count, src, count, count, 1, kind, stream);
}

cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width, size_t height,
                         enum cudaMemcpyKind kind)
{
    return copy2d("cudaMemcpy2D", dst, dpitch, src, spitch, width, height, kind, nullptr);
}

cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width, size_t height,
                              enum cudaMemcpyKind kind, cudaStream_t stream)
{
    return copy2d("cudaMemcpy2DAsync", dst, dpitch, src, spitch, width, height, kind, stream);
}

static cudaError_t memset_impl(const char *fn, void *p, int value, size_t count, cudaStream_t stream)
{
    if (!stream_valid(stream)) return fail(cudaErrorInvalidResourceHandle, "%s: invalid stream %p", fn, (void *)stream);
    if (count == 0) return cudaSuccess;
    Alloc *a;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        a = device_range_locked(p, count);
        if (!a)
            return fail(cudaErrorInvalidValue, "%s: %zu bytes at %s", fn, count,
                        p ? describe_locked(p).c_str() : "NULL");
        open_locked(*a);
    }
    memset(p, value, count);
    {
        std::lock_guard<std::mutex> lk(g_mu);
        close_locked(*a);
    }
    g_count.memsets++;
    return cudaSuccess;
}

cudaError_t cudaMemset(void *devPtr, int value, size_t count)
{
    if (injected_failure("cudaMemset"))
        return fail(cudaErrorMemoryAllocation, "cudaMemset: failure injected by nj_emu_fail_after");
    return memset_impl("cudaMemset", devPtr, value, count, nullptr);
}

cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
{
    return memset_impl("cudaMemsetAsync", devPtr, value, count, stream);
}

cudaError_t cudaMemset2DAsync(void *devPtr, size_t pitch, int value, size_t width,
                              size_t height, cudaStream_t stream)
{
    if (height > 0 && width > pitch)
        return fail(cudaErrorInvalidPitchValue, "cudaMemset2DAsync: width %zu > pitch %zu", width,
                    pitch);
    for (size_t r = 0; r < height; r++) {
        cudaError_t e = memset_impl("cudaMemset2DAsync", (char *)devPtr + r * pitch, value, width,
                                    stream);
        if (e != cudaSuccess) return e;
    }
    return cudaSuccess;
}

cudaError_t cudaPointerGetAttributes(struct cudaPointerAttributes *attr, const void *ptr)
{
    if (!attr) return fail(cudaErrorInvalidValue, "cudaPointerGetAttributes: attributes is NULL");
    std::lock_guard<std::mutex> lk(g_mu);
    Alloc *a = find_locked(ptr);
    uintptr_t p = (uintptr_t)ptr;
    attr->device = 0;
    if (a && p >= a->base && p < a->base + a->size) {
        attr->type = a->device ? cudaMemoryTypeDevice : cudaMemoryTypeHost;
        attr->devicePointer = const_cast<void *>(ptr);
        attr->hostPointer = a->device ? nullptr : const_cast<void *>(ptr);
    } else {
        attr->type = cudaMemoryTypeUnregistered;
        attr->devicePointer = nullptr;
        attr->hostPointer = nullptr;
    }
    return cudaSuccess;
}

void nj_emu_get_counters(nj_emu_counters *c)
{
    if (!c) return;
    c->device_bytes_live = g_count.device_bytes_live;
    c->device_bytes_peak = g_count.device_bytes_peak;
    c->device_allocs = g_count.device_allocs;
    c->device_frees = g_count.device_frees;
    c->pinned_bytes_live = g_count.pinned_bytes_live;
    c->launches = g_count.launches;
    c->failed_launches = g_count.failed_launches;
    c->blocks = g_count.blocks;
    c->threads = g_count.threads;
    c->barriers = g_count.barriers;
    for (int i = 0; i < 5; i++) c->memcpy_count[i] = g_count.memcpy_count[i];
    c->memcpy_bytes = g_count.memcpy_bytes;
    c->memsets = g_count.memsets;
    c->fft_execs = g_count.fft_execs;
    c->blas_calls = g_count.blas_calls;
    c->errors = g_count.errors;
}

void nj_emu_reset_counters(void)
{
    g_count.device_bytes_peak = g_count.device_bytes_live.load();
    g_count.device_allocs = 0;
    g_count.device_frees = 0;
    g_count.launches = 0;
    g_count.failed_launches = 0;
    g_count.blocks = 0;
    g_count.threads = 0;
    g_count.barriers = 0;
    for (auto &m : g_count.memcpy_count) m = 0;
    g_count.memcpy_bytes = 0;
    g_count.memsets = 0;
    g_count.fft_execs = 0;
    g_count.blas_calls = 0;
    g_count.errors = 0;
}

} /* extern "C" */

/* ------------------------------------------------------------------ streams, events */
struct nj_emu_stream {
    unsigned flags;
};
struct nj_emu_event {
    unsigned flags;
    bool recorded;
    double t_ms;
};

namespace nj_emu {
static std::set<const void *> g_streams, g_events; /* guarded by g_mu */

bool stream_valid(cudaStream_t s)
{
    if (!s) return true;
    std::lock_guard<std::mutex> lk(g_mu);
    return g_streams.count(s) != 0;
}

static bool event_valid(cudaEvent_t e)
{
    if (!e) return false;
    std::lock_guard<std::mutex> lk(g_mu);
    return g_events.count(e) != 0;
}

static double now_ms()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}
} // namespace nj_emu

extern "C" {

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
{
    if (!pStream) return fail(cudaErrorInvalidValue, "cudaStreamCreate: pStream is NULL");
    if (flags > 1) return fail(cudaErrorInvalidValue, "cudaStreamCreateWithFlags: invalid flags %u", flags);
    if (injected_failure("cudaStreamCreate"))
        return fail(cudaErrorMemoryAllocation, "cudaStreamCreate: failure injected by nj_emu_fail_after");
    cudaStream_t s = new nj_emu_stream{flags};
    std::lock_guard<std::mutex> lk(g_mu);
    g_streams.insert(s);
    *pStream = s;
    return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t *pStream) { return cudaStreamCreateWithFlags(pStream, 0); }

cudaError_t cudaStreamDestroy(cudaStream_t stream)
{
    std::lock_guard<std::mutex> lk(g_mu);
    if (!stream || !g_streams.erase(stream))
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamDestroy: %p is not a live stream", (void *)stream);
    delete stream;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
    if (!stream_valid(stream))
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamSynchronize: %p is not a live stream", (void *)stream);
    cudaError_t e = t_pending;
    t_pending = cudaSuccess;
    return e;
}

cudaError_t cudaStreamQuery(cudaStream_t stream)
{
    if (!stream_valid(stream))
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamQuery: %p is not a live stream", (void *)stream);
    return cudaSuccess;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags)
{
    (void)flags;
    if (!stream_valid(stream))
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamWaitEvent: %p is not a live stream", (void *)stream);
    if (!event_valid(event))
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamWaitEvent: %p is not a live event", (void *)event);
    return cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
{
    if (!event) return fail(cudaErrorInvalidValue, "cudaEventCreate: event is NULL");
    if (flags > 7) return fail(cudaErrorInvalidValue, "cudaEventCreateWithFlags: invalid flags %u", flags);
    if (injected_failure("cudaEventCreate"))
        return fail(cudaErrorMemoryAllocation, "cudaEventCreate: failure injected by nj_emu_fail_after");
    cudaEvent_t e = new nj_emu_event{flags, false, 0.0};
    std::lock_guard<std::mutex> lk(g_mu);
    g_events.insert(e);
    *event = e;
    return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t *event) { return cudaEventCreateWithFlags(event, 0); }

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
{
    if (!event_valid(event))
        return fail(cudaErrorInvalidResourceHandle, "cudaEventRecord: %p is not a live event", (void *)event);
    if (!stream_valid(stream))
        return fail(cudaErrorInvalidResourceHandle, "cudaEventRecord: %p is not a live stream", (void *)stream);
    event->recorded = true;
    event->t_ms = now_ms();
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event)
{
    if (!event_valid(event))
        return fail(cudaErrorInvalidResourceHandle, "cudaEventSynchronize: %p is not a live event", (void *)event);
    return cudaSuccess;
}

cudaError_t cudaEventQuery(cudaEvent_t event)
{
    if (!event_valid(event))
        return fail(cudaErrorInvalidResourceHandle, "cudaEventQuery: %p is not a live event", (void *)event);
    return cudaSuccess;
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
{
    if (!ms) return fail(cudaErrorInvalidValue, "cudaEventElapsedTime: ms is NULL");
    if (!event_valid(start) || !event_valid(end))
        return fail(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: not a live event");
    if ((start->flags | end->flags) & cudaEventDisableTiming)
        return fail(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: event created with cudaEventDisableTiming");
    if (!start->recorded || !end->recorded)
        return fail(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: event never recorded");
    *ms = (float)(end->t_ms - start->t_ms);
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event)
{
    std::lock_guard<std::mutex> lk(g_mu);
    if (!event || !g_events.erase(event))
        return fail(cudaErrorInvalidResourceHandle, "cudaEventDestroy: %p is not a live event", (void *)event);
    delete event;
    return cudaSuccess;
}

void nj_emu_fail_after(long n) { g_fail_countdown.store(n > 0 ? n : 0); }

unsigned long long nj_emu_live_handles(void)
{
    size_t n;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        n = g_allocs.size() + g_streams.size() + g_events.size();
    }
    return (unsigned long long)(n + live_fft_plans() + live_blas_handles());
}

} /* extern "C" */

/* ------------------------------------------------------------------ kernel launches */
namespace nj_emu {

static const size_t SHMEM_DEFAULT = 48 * 1024, SHMEM_OPTIN = 232448;
static std::map<const void *, size_t> g_shmem_limit; /* cudaFuncSetAttribute; guarded by g_mu */

struct Fiber {
    ucontext_t ctx; /* ucontext fibers */
    void *sp;       /* assembly fibers: saved stack pointer */
    void *stack;
    size_t stack_len;
    unsigned tid;
    bool idle;
};

struct GridRun {
    const Body *body;
    dim3 grid, block;
    unsigned nthreads;
    unsigned long long nblocks;
    std::atomic<unsigned long long> next{0};
    size_t shmem;
    const char *name;
};

/* per OS thread: an OS thread runs one block at a time */
struct Sched {
    ucontext_t main_ctx;
    void *main_sp = nullptr;
    std::vector<Fiber *> pool, all, waiting, releasing;
    Fiber *current = nullptr;
    GridRun *run = nullptr;
    unsigned next_thread = 0, nthreads = 0, parked = 0;
    void *shared = nullptr;
    size_t shared_cap = 0;
    unsigned long long blocks = 0, threads = 0, barriers = 0;
    ~Sched()
    {
        for (Fiber *f : all) {
            munmap(f->stack, f->stack_len);
            delete f;
        }
        free(shared);
    }
};
static thread_local Sched t_sched;

static inline void set_tid(const Sched &S, unsigned t)
{
    const dim3 &b = S.run->block;
    t_threadIdx = uint3{t % b.x, (t / b.x) % b.y, t / (b.x * b.y)};
}

static bool next_block(Sched &S)
{
    GridRun &R = *S.run;
    unsigned long long b = R.next.fetch_add(1, std::memory_order_relaxed);
    if (b >= R.nblocks) return false;
    unsigned long long gx = R.grid.x, gy = R.grid.y;
    t_blockIdx = uint3{(unsigned)(b % gx), (unsigned)((b / gx) % gy), (unsigned)(b / (gx * gy))};
    S.next_thread = 0;
    S.blocks++;
    if (R.shmem && cfg().poison) memset(S.shared, 0xFF, R.shmem);
    return true;
}

/* Fiber switches. On x86-64 a few instructions that save the callee-saved registers
 * and the stack pointer (no system call, unlike swapcontext, which also saves the
 * signal mask); elsewhere, under AddressSanitizer, or with NJ_EMU_FIBERS=ucontext,
 * the portable ucontext functions. */
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define NJ_EMU_HAVE_ASM_SWITCH 1
extern "C" void nj_emu_ctx_switch(void **save_sp, void *load_sp);
__asm__(".text\n"
        ".globl nj_emu_ctx_switch\n"
        ".hidden nj_emu_ctx_switch\n"
        ".type nj_emu_ctx_switch,@function\n"
        "nj_emu_ctx_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size nj_emu_ctx_switch, .-nj_emu_ctx_switch\n");
#else
#define NJ_EMU_HAVE_ASM_SWITCH 0
#endif

[[maybe_unused]] static bool use_asm_fibers()
{
    static const bool yes = [] {
        const char *e = getenv("NJ_EMU_FIBERS");
        return NJ_EMU_HAVE_ASM_SWITCH && !(e && strcmp(e, "ucontext") == 0);
    }();
    return yes;
}

/* from the scheduler into fiber f */
static inline void switch_to_fiber(Sched &S, Fiber *f)
{
#if NJ_EMU_HAVE_ASM_SWITCH
    if (use_asm_fibers()) {
        nj_emu_ctx_switch(&S.main_sp, f->sp);
        return;
    }
#endif
    if (swapcontext(&S.main_ctx, &f->ctx) != 0) fatal("swapcontext failed");
}

/* from fiber f back to the scheduler */
static inline void switch_to_scheduler(Sched &S, Fiber *f)
{
#if NJ_EMU_HAVE_ASM_SWITCH
    if (use_asm_fibers()) {
        nj_emu_ctx_switch(&f->sp, S.main_sp);
        return;
    }
#endif
    if (swapcontext(&f->ctx, &S.main_ctx) != 0) fatal("swapcontext failed");
}

[[noreturn]] static void runner_entry();
#if NJ_EMU_HAVE_ASM_SWITCH
/* the first frame of an assembly fiber: entered by `ret` with rsp = 8 mod 16 */
[[noreturn]] static void fiber_start() { runner_entry(); }

static void *initial_sp(void *stack_lo, size_t len)
{
    uintptr_t top = ((uintptr_t)stack_lo + len) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)top;
    *--sp = 0;                                   /* fake return address of fiber_start */
    *--sp = (uint64_t)(uintptr_t)&fiber_start;   /* where nj_emu_ctx_switch returns */
    for (int i = 0; i < 6; i++) *--sp = 0;       /* rbp rbx r12 r13 r14 r15 */
    uint32_t mxcsr = __builtin_ia32_stmxcsr();
    uint16_t fpucw;
    __asm__ volatile("fnstcw %0" : "=m"(fpucw));
    uint64_t ctl = (uint64_t)mxcsr | ((uint64_t)fpucw << 32);
    *--sp = ctl;
    return sp;
}
#endif

static void runner_entry()
{
    for (;;) {
        Sched &S = t_sched;
        Fiber *f = S.current;
        for (;;) {
            if (S.next_thread < S.nthreads) {
                unsigned t = S.next_thread++;
                f->tid = t;
                set_tid(S, t);
                S.threads++;
                S.run->body->call(S.run->body->ctx);
                continue;
            }
            /* the block is done when no thread is parked at a barrier */
            if (S.parked > 0 || !next_block(S)) break;
        }
        f->idle = true;
        switch_to_scheduler(S, f);
    }
}

static Fiber *acquire(Sched &S)
{
    if (!S.pool.empty()) {
        Fiber *f = S.pool.back();
        S.pool.pop_back();
        f->idle = false;
        return f;
    }
    Fiber *f = new Fiber();
    const size_t pg = page_size();
    f->stack_len = round_up(cfg().stack_bytes, pg) + pg;
    f->stack = mmap(nullptr, f->stack_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (f->stack == MAP_FAILED) fatal("cannot allocate a %zu-byte fiber stack", f->stack_len);
    mprotect(f->stack, pg, PROT_NONE); /* guard page against stack overflow */
#if NJ_EMU_HAVE_ASM_SWITCH
    if (use_asm_fibers()) {
        f->sp = initial_sp((char *)f->stack + pg, f->stack_len - pg);
    } else
#endif
    {
        if (getcontext(&f->ctx) != 0) fatal("getcontext failed");
        f->ctx.uc_stack.ss_sp = (char *)f->stack + pg;
        f->ctx.uc_stack.ss_size = f->stack_len - pg;
        f->ctx.uc_link = nullptr;
        makecontext(&f->ctx, (void (*)())runner_entry, 0);
    }
    f->idle = false;
    S.all.push_back(f);
    return f;
}

static void resume(Sched &S, Fiber *f)
{
    S.current = f;
    switch_to_fiber(S, f);
    if (f->idle) S.pool.push_back(f);
}

static void worker(GridRun &R)
{
    Sched &S = t_sched;
    S.run = &R;
    S.nthreads = R.nthreads;
    S.next_thread = R.nthreads;
    S.parked = 0;
    S.waiting.clear();
    t_gridDim = R.grid;
    t_blockDim = R.block;
    t_kernel_name = R.name;
    if (R.shmem > S.shared_cap) {
        free(S.shared);
        S.shared_cap = round_up(R.shmem, 256);
        S.shared = aligned_alloc(256, S.shared_cap);
        if (!S.shared) fatal("cannot allocate %zu bytes of shared memory", R.shmem);
    }
    if (next_block(S)) {
        for (;;) {
            if (S.next_thread < S.nthreads) { /* a thread of this block has not started */
                resume(S, acquire(S));
                continue;
            }
            if (!S.waiting.empty()) { /* every thread is at the barrier or done: release */
                S.releasing.clear();
                std::swap(S.waiting, S.releasing);
                for (Fiber *f : S.releasing) {
                    S.parked--;
                    resume(S, f);
                }
                continue;
            }
            if (!next_block(S)) break;
        }
    }
    g_count.blocks += S.blocks;
    g_count.threads += S.threads;
    g_count.barriers += S.barriers;
    S.blocks = S.threads = S.barriers = 0;
    S.run = nullptr;
    S.current = nullptr;
    t_kernel_name = nullptr;
}

void syncthreads()
{
    Sched &S = t_sched;
    if (!S.run || !S.current) fatal("__syncthreads() called outside a kernel");
    Fiber *f = S.current;
    S.waiting.push_back(f);
    S.parked++;
    S.barriers++;
    switch_to_scheduler(S, f);
    set_tid(S, f->tid);
}

void threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

void *dyn_shared()
{
    Sched &S = t_sched;
    if (!S.run) fatal("dynamic shared memory used outside a kernel");
    return S.run->shmem ? S.shared : nullptr;
}

static cudaError_t launch_fail(cudaError_t code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static cudaError_t launch_fail(cudaError_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_message(fmt, ap);
    va_end(ap);
    t_last = code; /* like CUDA: a configuration error is not sticky */
    g_count.errors++;
    g_count.failed_launches++;
    return code;
}

cudaError_t launch_check(const char *name, const void *kernel, dim3 g, dim3 b, size_t shmem, cudaStream_t stream)
{
    if (t_sched.run) return launch_fail(cudaErrorNotSupported, "launch of %s from inside a kernel is not emulated", name);
    if (cfg().no_device) return launch_fail(cudaErrorNoDevice, "launch of %s: no device (NJ_EMU_NO_DEVICE)", name);
    if (g.x == 0 || g.y == 0 || g.z == 0 || g.x > 2147483647u || g.y > 65535 || g.z > 65535)
        return launch_fail(cudaErrorInvalidConfiguration, "launch of %s: invalid grid (%u, %u, %u)", name, g.x, g.y, g.z);
    unsigned long long nt = (unsigned long long)b.x * b.y * b.z;
    if (b.x == 0 || b.y == 0 || b.z == 0 || b.x > 1024 || b.y > 1024 || b.z > 64 || nt > 1024)
        return launch_fail(cudaErrorInvalidConfiguration,
                           "launch of %s: invalid block (%u, %u, %u): each dimension > 0, x, y <= 1024, z <= 64 "
                           "and at most 1024 threads",
                           name, b.x, b.y, b.z);
    size_t limit = SHMEM_DEFAULT;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        auto it = g_shmem_limit.find(kernel);
        if (it != g_shmem_limit.end()) limit = it->second;
    }
    if (shmem > limit)
        return launch_fail(cudaErrorInvalidValue,
                           "launch of %s: %zu bytes of dynamic shared memory exceed the limit of %zu "
                           "(raise it with cudaFuncSetAttribute(cudaFuncAttributeMaxDynamicSharedMemorySize))",
                           name, shmem, limit);
    if (!stream_valid(stream))
        return launch_fail(cudaErrorInvalidResourceHandle, "launch of %s: %p is not a live stream", name, (void *)stream);
    return cudaSuccess;
}

bool check_kernel_pointer(const char *name, int position, const void *ptr)
{
    if (!ptr) return true;
    std::lock_guard<std::mutex> lk(g_mu);
    Alloc *a = find_locked(ptr);
    uintptr_t p = (uintptr_t)ptr;
    if (a && a->device && p >= a->base && p <= a->base + a->size) return true;
    std::string d = describe_locked(ptr);
    snprintf(t_msg, sizeof t_msg, "launch of %s: pointer argument %d is not device memory: %s", name, position,
             d.c_str());
    t_last = t_pending = cudaErrorInvalidDevicePointer;
    g_count.errors++;
    return false;
}

void launch_failed(const char *name)
{
    (void)name;
    g_count.failed_launches++;
}

void launch_run(const char *name, dim3 grid, dim3 block, size_t shmem, const Body &body)
{
    GridRun R;
    R.body = &body;
    R.grid = grid;
    R.block = block;
    R.nthreads = block.x * block.y * block.z;
    R.nblocks = (unsigned long long)grid.x * grid.y * grid.z;
    R.shmem = shmem;
    R.name = name;
    g_count.launches++;
    DeviceScope scope;
    g_launch_depth++;
    int nt = cfg().threads;
    if ((unsigned long long)nt > R.nblocks) nt = (int)R.nblocks;
    if (nt <= 1 || omp_in_parallel()) {
        worker(R);
    } else {
#pragma omp parallel num_threads(nt)
        worker(R);
    }
    g_launch_depth--;
}

cudaError_t symbol_copy(void *dst, const void *src, size_t count, size_t symbol_size, size_t offset,
                        enum cudaMemcpyKind kind, bool to_symbol)
{
    const char *fn = to_symbol ? "cudaMemcpyToSymbol" : "cudaMemcpyFromSymbol";
    if (offset > symbol_size || count > symbol_size - offset)
        return fail(cudaErrorInvalidValue, "%s: %zu bytes at offset %zu exceed the symbol's %zu bytes", fn, count,
                    offset, symbol_size);
    if (count == 0) return cudaSuccess;
    void *sym_dst = to_symbol ? (char *)dst + offset : dst;
    const void *sym_src = to_symbol ? src : (const char *)src + offset;
    /* the symbol itself is a host global; check the other side against the kind */
    const void *other = to_symbol ? src : dst;
    bool want_other_device;
    if (to_symbol && kind == cudaMemcpyHostToDevice) want_other_device = false;
    else if (!to_symbol && kind == cudaMemcpyDeviceToHost) want_other_device = false;
    else if (kind == cudaMemcpyDeviceToDevice) want_other_device = true;
    else if (kind == cudaMemcpyDefault) {
        std::string why;
        want_other_device = device_range(other, count, why);
    } else
        return fail(cudaErrorInvalidMemcpyDirection, "%s: invalid kind %s", fn, kind_name(kind));
    std::vector<Alloc *> opened;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        cudaError_t e = check_side_locked(fn, to_symbol ? "source" : "destination", kind, other, count,
                                          want_other_device ? 1 : 0, opened);
        if (e != cudaSuccess) {
            close_all_locked(opened);
            return e;
        }
    }
    memcpy(sym_dst, sym_src, count);
    std::lock_guard<std::mutex> lk(g_mu);
    close_all_locked(opened);
    return cudaSuccess;
}

} // namespace nj_emu

extern "C" cudaError_t cudaFuncSetAttribute(const void *func, enum cudaFuncAttribute attr, int value)
{
    if (!func) return fail(cudaErrorInvalidValue, "cudaFuncSetAttribute: func is NULL");
    if (attr == cudaFuncAttributeMaxDynamicSharedMemorySize) {
        if (value < 0 || (size_t)value > SHMEM_OPTIN)
            return fail(cudaErrorInvalidValue, "cudaFuncSetAttribute: %d bytes of dynamic shared memory (max %zu)",
                        value, SHMEM_OPTIN);
        std::lock_guard<std::mutex> lk(g_mu);
        g_shmem_limit[func] = (size_t)value;
        return cudaSuccess;
    }
    if (attr == cudaFuncAttributePreferredSharedMemoryCarveout) {
        if (value < -1 || value > 100)
            return fail(cudaErrorInvalidValue, "cudaFuncSetAttribute: carveout %d not in -1..100", value);
        return cudaSuccess;
    }
    return fail(cudaErrorInvalidValue, "cudaFuncSetAttribute: attribute %d is not emulated", (int)attr);
}
