/* lib/core/mem.c — backend memory: host for cpu, device for cuda. */
#include <string.h>

#include "../backend/backend.h"

int njord_mem_alloc(njord_backend_kind kind, size_t bytes, void **ptr)
{
    if (!ptr) return nj_error(NJORD_EINVAL, "njord_mem_alloc: ptr is NULL");
    *ptr = NULL;
    kind = njord_backend_resolve(kind);
    if (kind == NJORD_BACKEND_CUDA) return nj_cuda_mem_alloc(bytes, ptr);
    if (kind != NJORD_BACKEND_CPU)
        return nj_error(NJORD_EINVAL, "njord_mem_alloc: unknown backend %d", (int)kind);
    *ptr = nj_alloc(bytes);
    if (!*ptr) return nj_error(NJORD_ENOMEM, "njord_mem_alloc: %zu bytes not available", bytes);
    return NJORD_OK;
}

void njord_mem_free(njord_backend_kind kind, void *ptr)
{
    if (!ptr) return;
    if (njord_backend_resolve(kind) == NJORD_BACKEND_CUDA) nj_cuda_mem_free(ptr);
    else nj_free(ptr);
}

int njord_mem_copy(void *dst, const void *src, size_t bytes)
{
    if ((!dst || !src) && bytes) return nj_error(NJORD_EINVAL, "njord_mem_copy: NULL pointer");
    int st = NJORD_OK;
    if (bytes && !nj_cuda_mem_copy(dst, src, bytes, &st)) memmove(dst, src, bytes);
    return st;
}

const char *njord_cuda_device(void) { return nj_cuda_device_name(); }
