/* lib/core/info.c — version, build description, backend selection, MPI set-up. */
#include "common.h"

#include <cblas.h>
#include <fftw3.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/backend.h"

#ifdef NJORD_SINGLE
#define NJ_FFTW_VERSION fftwf_version
#else
#define NJ_FFTW_VERSION fftw_version
#endif

const char *njord_version(void) { return NJORD_VERSION_STRING; }

const char *njord_precision(void) { return NJ_PRECISION_NAME; }

const char *njord_build_info(void)
{
    static char info[2048];
    static int done = 0;
    if (done) return info;
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
             "blas: OpenBLAS %s\n",
             NJORD_VERSION_STRING, NJ_PRECISION_NAME, nj_cuda_compiled() ? " cuda" : "",
             nj_cuda_version(), mpiv, nc_inq_libvers(), NJ_FFTW_VERSION, openblas_get_config());
    done = 1;
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
