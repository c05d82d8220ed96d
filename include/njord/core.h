/*
 * njord/core.h — status codes, precision, backends, version and MPI set-up.
 * Included by every other Njord header; users normally include <njord.h>.
 *
 * Conventions shared by every header under include/:
 *  - Every fallible call returns an int status: NJORD_OK (0) on success, a negative
 *    NJORD_E* code on error. The message of the last error raised *by the calling
 *    thread* is returned by njord_last_error(). The library never exits, aborts or
 *    writes to stdout.
 *  - Working precision is fixed at build time: libnjord is double precision,
 *    libnjord_sp single precision. Code linking libnjord_sp must be compiled with
 *    -DNJORD_SINGLE (pkg-config njord_sp adds it), so that njord_real matches.
 *  - Handles are opaque; the caller owns what it creates and destroys it with the
 *    matching *_destroy call. Destroy functions accept NULL.
 *  - Thread safety: distinct handles may be used concurrently from different threads.
 *    A single handle must not be used by two threads at once. Exception: NetCDF-C
 *    is not thread safe, so nothing that reads or writes a NetCDF file (io.h,
 *    and model creation from an initial or restart file, model output and
 *    restart files) may run in two threads at once. Calls on a handle may use
 *    OpenMP threads internally (OMP_NUM_THREADS governs how many; a cpu
 *    transform plan uses at most as many as there were when it was created);
 *    results never depend on the number of threads.
 */
#ifndef NJORD_CORE_H
#define NJORD_CORE_H

#include <stddef.h>
#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NJORD_VERSION_MAJOR 0
#define NJORD_VERSION_MINOR 1
#define NJORD_VERSION_PATCH 0
#define NJORD_VERSION_STRING "0.1.0"

/** Working precision of the build the caller links against. */
#ifdef NJORD_SINGLE
typedef float njord_real;
#else
typedef double njord_real;
#endif

/** Status codes. */
enum {
    NJORD_OK = 0,
    NJORD_EINVAL = -1,    /**< invalid argument (size, null pointer, range) */
    NJORD_ENOMEM = -2,    /**< allocation failed */
    NJORD_EIO = -3,       /**< file could not be read or written */
    NJORD_EFORMAT = -4,   /**< file content does not match what was expected */
    NJORD_EBACKEND = -5,  /**< backend not compiled in or not usable here (no GPU, no driver) */
    NJORD_EMPI = -6,      /**< MPI error */
    NJORD_ENOTSUP = -7,   /**< operation not supported in this configuration */
    NJORD_EINTERNAL = -8, /**< a library-internal error (a bug: please report) */
    NJORD_EBLOWUP = -9    /**< a model produced a non-finite or unphysical value */
};

/** Message describing the last error raised in the calling thread ("" if none
 *  yet). The buffer is owned by the library (one per thread); its text is
 *  replaced by the next failing call in the same thread and is not reset by
 *  successful calls in general, so read it right after a call that failed. */
const char *njord_last_error(void);

/** Name of a status code with a short description, e.g.
 *  "NJORD_EINVAL (invalid argument)"; "unknown status" for other values. Never
 *  NULL; static string. */
const char *njord_strerror(int status);

/** Library version string, e.g. "0.1.0". */
const char *njord_version(void);

/** Working precision of the linked library: "double" or "single". */
const char *njord_precision(void);

/** Human-readable, multi-line description of the build: precision, backends
 *  compiled in, versions of CUDA, MPI, NetCDF, FFTW and BLAS. Owned by the library. */
const char *njord_build_info(void);

/** When the linked OpenBLAS has fallen back to its generic kernels on a processor
 *  that has AVX2 or AVX-512 (OpenBLAS picks its kernels when it is loaded, from
 *  the processor model, and older releases do not know newer models), the value
 *  of OPENBLAS_CORETYPE that selects fitting kernels ("SkylakeX" or "Haswell");
 *  NULL when the kernels fit, when OPENBLAS_CORETYPE is already set, or on other
 *  architectures. Njord's transforms do not use BLAS (only the benchmarks' GEMM
 *  baselines do). The variable only takes effect in a process started with it:
 *  `njord info` prints the advice (`njord info --blas-coretype` the bare value;
 *  `njord run` says nothing), and the Makefile's test, run and benchmark
 *  targets set it. Thread-safe; static string. */
const char *njord_blas_coretype_advice(void);

/** Compute backends. AUTO chooses CUDA when a GPU works, else CPU. */
typedef enum {
    NJORD_BACKEND_AUTO = 0,
    NJORD_BACKEND_CPU = 1,
    NJORD_BACKEND_CUDA = 2
} njord_backend_kind;

/** Name of a backend ("auto", "cpu", "cuda"). */
const char *njord_backend_name(njord_backend_kind kind);

/** Parse a backend name; returns NJORD_EINVAL (with message) for unknown names. */
int njord_backend_parse(const char *name, njord_backend_kind *kind);

/** NJORD_OK if the backend is compiled in and usable on this machine; otherwise
 *  NJORD_EBACKEND with a message naming the cause. AUTO is always available. */
int njord_backend_check(njord_backend_kind kind);

/** Resolve AUTO to the backend it would pick; other kinds are returned unchanged. */
njord_backend_kind njord_backend_resolve(njord_backend_kind kind);

/** Memory in a backend's space: device memory for cuda, host memory for cpu
 *  (64-byte aligned); AUTO allocates in the backend AUTO resolves
 *  to (njord_backend_resolve). Transform plans on the cuda backend take either
 *  device pointers (fields stay resident) or host pointers (staged through the
 *  plan's device buffers). Errors: NJORD_EINVAL (ptr NULL), NJORD_EBACKEND
 *  (backend unusable), NJORD_ENOMEM. */
int njord_mem_alloc(njord_backend_kind kind, size_t bytes, void **ptr);
/** Free memory from njord_mem_alloc with the same kind (AUTO resolves as in the
 *  allocation). NULL is allowed. */
void njord_mem_free(njord_backend_kind kind, void *ptr);
/** Copy bytes between any two of host and device memory (like cudaMemcpyDefault).
 *  NJORD_EINVAL for a NULL pointer with bytes > 0. */
int njord_mem_copy(void *dst, const void *src, size_t bytes);
/** Name of the GPU the cuda backend uses ("none" without one); the host emulation
 *  used in CI says so in the name. */
const char *njord_cuda_device(void);

/** Cumulative CPU package energy in joules from RAPL (/sys/class/powercap);
 *  take differences. NJORD_ENOTSUP where no counter is readable (virtual
 *  machines, no permission): the figure is then unavailable, never estimated.
 *  The counters wrap around; differences over long runs may need care. */
int njord_energy_cpu(double *joules);

/** Cumulative energy of GPU `device` in joules from NVML (loaded at run time with
 *  dlopen, so no driver is needed to link); take differences. NJORD_ENOTSUP where
 *  NVML or its energy counter is unavailable. */
int njord_energy_gpu(int device, double *joules);

/** Initialise MPI if the caller has not (MPI_THREAD_FUNNELED: distributed plans
 *  and models must then be used from the thread that initialised MPI); the
 *  library then finalises it at process exit. A caller that initialised MPI
 *  itself keeps control of it and need not call this. Called implicitly by calls
 *  given a communicator other than MPI_COMM_NULL (MPI_COMM_NULL never touches
 *  MPI). argc/argv may be NULL. Errors: NJORD_EMPI. */
int njord_init(int *argc, char ***argv);

#ifdef __cplusplus
}
#endif


#endif /* NJORD_CORE_H */
