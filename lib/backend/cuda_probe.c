/* lib/backend/cuda_probe.c — CUDA entry points of a build without the CUDA
 * backend (no nvcc found, or CUDA=0): every request for it fails clearly. */
#include "backend.h"

int nj_cuda_compiled(void) { return 0; }

int nj_cuda_usable(void)
{
    return nj_error(NJORD_EBACKEND,
                    "the cuda backend is not compiled into this build of njord "
                    "(nvcc was not found at build time, or CUDA=0)");
}

const char *nj_cuda_version(void) { return "not compiled in"; }

const nj_sht_backend *nj_cuda_sht_backend(void) { return NULL; }

const char *nj_cuda_device_name(void) { return "none"; }

int nj_cuda_mem_alloc(size_t bytes, void **ptr)
{
    (void)bytes;
    *ptr = NULL;
    return nj_cuda_usable();
}

void nj_cuda_mem_free(void *ptr) { (void)ptr; }

int nj_cuda_mem_copy(void *dst, const void *src, size_t bytes, int *status)
{
    (void)dst;
    (void)src;
    (void)bytes;
    *status = NJORD_OK;
    return 0;
}
