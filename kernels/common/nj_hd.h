/* kernels/common/nj_hd.h — marks per-point functions shared by the CPU backend and
 * the CUDA kernels: __host__ __device__ under nvcc, plain static inline otherwise. */
#ifndef NJ_HD_H
#define NJ_HD_H

#if defined(__CUDACC__)
#define NJ_HD static inline __host__ __device__
#else
#define NJ_HD static inline
#endif

#endif
