/* lib/backend/cuda_probe.c — CUDA availability when the CUDA backend is not
 * compiled into this build. */
#include "backend.h"

int nj_cuda_compiled(void) { return 0; }

int nj_cuda_usable(void)
{
    return nj_error(NJORD_EBACKEND,
                    "the cuda backend is not compiled into this build of njord");
}

const char *nj_cuda_version(void) { return "not compiled in"; }

const nj_sht_backend *nj_cuda_sht_backend(void) { return NULL; }
