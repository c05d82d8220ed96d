/* kernels/common/nj_cuda.h — the one header Njord's .cu files include.
 *
 * Under nvcc (__CUDACC__) it is the real CUDA runtime, cuFFT and cuBLAS. Everywhere
 * else (g++ -x c++ -DNJ_CUDA_EMU, see kernels/emu/README.md) it is the host emulation
 * layer kernels/emu/, which runs the same sources on the CPU with checks on launches,
 * device pointers and copy directions. Results obtained through the emulation are
 * never GPU evidence: test NJ_CUDA_EMU (or nj_cuda_is_emulation()) to label them.
 *
 *   NJ_LAUNCH(kernel, grid, block, shmem_bytes, stream, args...)
 *       launches `kernel` (kernel<<<grid, block, shmem_bytes, stream>>>(args...)).
 *       A kernel name with a comma (a template with two arguments) must be given
 *       through an alias without commas.
 *   NJ_DYN_SHARED(type, name);
 *       inside a kernel: `name` is the block's dynamic shared memory, as `type[]`.
 */
#ifndef NJ_CUDA_H
#define NJ_CUDA_H

#if defined(__CUDACC__)

#include <cuda_runtime.h>
#include <cufft.h>
#include <cublas_v2.h>

#define NJ_LAUNCH(kernel, grid, block, shmem_bytes, stream, ...) \
    kernel<<<(grid), (block), (shmem_bytes), (stream)>>>(__VA_ARGS__)
#define NJ_DYN_SHARED(type, name) extern __shared__ type name[]

static inline int nj_cuda_is_emulation(void) { return 0; }

#else /* host emulation */

#ifndef NJ_CUDA_EMU
#define NJ_CUDA_EMU 1
#endif
#include "../emu/cuda_emu.h"
#include "../emu/cufft_emu.h"
#include "../emu/cublas_emu.h"

static inline int nj_cuda_is_emulation(void) { return 1; }

#endif

#endif
