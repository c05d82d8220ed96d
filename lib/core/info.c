/* lib/core/info.c — version, build description, backend selection, MPI set-up. */
#include "common.h"

#include <cblas.h>
#include <pthread.h>
#include <fftw3.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../backend/backend.h"

#ifdef NJORD_SINGLE
#define NJ_FFTW_VERSION fftwf_version
#else
#define NJ_FFTW_VERSION fftw_version
#endif

const char *njord_version(void) { return NJORD_VERSION_STRING; }

const char *njord_precision(void) { return NJ_PRECISION_NAME; }

/* OpenBLAS's generic x86-64 kernels (SSE2/SSE3 or AVX at best): the cores its
 * runtime dispatch falls back to on a processor model it does not know, as
 * OpenBLAS 0.3.21 (Debian 12) does on Intel Emerald Rapids (family 6, model 207). */
static int nj_blas_core_generic(const char *core)
{
    static const char *const generic[] = {"Prescott", "Core2", "Penryn", "Dunnington",
                                          "Nehalem", "Atom", "Sandybridge", "Barcelona",
                                          "Unknown"};
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        if (!strcasecmp(core, generic[i])) return 1;
    return 0;
}

const char *njord_blas_coretype_advice(void)
{
    const char *set = getenv("OPENBLAS_CORETYPE");
    if (set && *set) return NULL; /* the user chose */
    const char *core = openblas_get_corename();
    if (!core || !nj_blas_core_generic(core)) return NULL;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

/* The clone of the cpu backend's kernels (lib/backend/cpu_fft.c, cpu_leg.c) that
 * GCC's resolver picks on this processor. */
static const char *nj_cpu_clone(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4 (AVX-512)";
    if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3 (AVX2, FMA)";
    return "x86-64 baseline (SSE2)";
#else
    return "portable C";
#endif
}

static char info[2048];

/* Fill info once for all threads (pthread_once). */
static void build_info_fill(void)
{
    char mpiv[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;
    MPI_Get_library_version(mpiv, &len);
    char *nl = strchr(mpiv, '\n');
    if (nl) *nl = '\0';
    char *comma = strchr(mpiv, ',');
    if (comma) *comma = '\0';
    snprintf(info, sizeof info,
             "njord %s\n"
             "precision: %s\n"
             "backends: cpu%s\n"
             "cuda: %s\n"
             "mpi: %s\n"
             "netcdf: %s\n"
             "fftw: %s\n"
             "blas: %s, kernels for %s\n"
             "cpu kernels: own FFTs (nlon/2 a product of 2, 3, 5; FFTW otherwise) and "
             "Legendre products, %s clone\n",
             NJORD_VERSION_STRING, NJ_PRECISION_NAME, nj_cuda_compiled() ? " cuda" : "",
             nj_cuda_version(), mpiv, nc_inq_libvers(), NJ_FFTW_VERSION, openblas_get_config(),
             openblas_get_corename(), nj_cpu_clone());
    const char *adv = njord_blas_coretype_advice();
    size_t used = strlen(info);
    if (adv)
        snprintf(info + used, sizeof info - used,
                 "warning: OpenBLAS does not recognise this processor and runs generic kernels "
                 "(GEMM several times slower: the benchmarks' baselines; Njord's transforms "
                 "do not use BLAS); set OPENBLAS_CORETYPE=%s before starting\n",
                 adv);
}

const char *njord_build_info(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_info_fill);
    return info;
}

const char *njord_backend_name(njord_backend_kind kind)
{
    switch (kind) {
    case NJORD_BACKEND_AUTO: return "auto";
    case NJORD_BACKEND_CPU: return "cpu";
    case NJORD_BACKEND_CUDA: return "cuda";
    }
    return "unknown";
}

int njord_backend_parse(const char *name, njord_backend_kind *kind)
{
    if (!name || !kind) return nj_error(NJORD_EINVAL, "njord_backend_parse: null argument");
    if (!strcmp(name, "auto")) *kind = NJORD_BACKEND_AUTO;
    else if (!strcmp(name, "cpu")) *kind = NJORD_BACKEND_CPU;
    else if (!strcmp(name, "cuda")) *kind = NJORD_BACKEND_CUDA;
    else return nj_error(NJORD_EINVAL, "unknown backend '%s' (expected auto, cpu or cuda)", name);
    return NJORD_OK;
}

int njord_backend_check(njord_backend_kind kind)
{
    switch (kind) {
    case NJORD_BACKEND_AUTO:
    case NJORD_BACKEND_CPU: return NJORD_OK;
    case NJORD_BACKEND_CUDA: return nj_cuda_usable();
    }
    return nj_error(NJORD_EINVAL, "unknown backend kind %d", (int)kind);
}

njord_backend_kind njord_backend_resolve(njord_backend_kind kind)
{
    if (kind != NJORD_BACKEND_AUTO) return kind;
    if (nj_cuda_usable() == NJORD_OK) return NJORD_BACKEND_CUDA;
    nj_error_clear();
    return NJORD_BACKEND_CPU;
}

static void nj_mpi_finalize_at_exit(void)
{
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
}

int njord_init(int *argc, char ***argv)
{
    int init = 0;
    MPI_Initialized(&init);
    if (init) return NJORD_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return nj_error(NJORD_EMPI, "MPI_Init_thread failed");
    atexit(nj_mpi_finalize_at_exit);
    return NJORD_OK;
}
