/* kernels/emu/cufft_emu.h — cuFFT subset served by FFTW (host emulation).
 *
 * Same names, codes and semantics as cufft.h: transforms are unnormalised in both
 * directions; cufftPlanMany takes cuFFT's advanced layout (rank, n, inembed, istride,
 * idist, onembed, ostride, odist, type, batch), which maps one to one onto FFTW's
 * plan_many. As in cuFFT, inembed == NULL or onembed == NULL selects the basic
 * (contiguous) layout and the strides and distances are then ignored; for an
 * in-place real transform the basic layout pads each real row to 2*(n/2+1).
 * C2R/Z2D may overwrite their input, as in cuFFT. Data must be device memory and the
 * whole layout must fit in the allocation(s); otherwise the exec fails with
 * CUFFT_INVALID_VALUE and nj_emu_last_message() says why. */
#ifndef NJ_CUFFT_EMU_H
#define NJ_CUFFT_EMU_H

#include "cuda_emu.h"

/* cuComplex.h subset */
typedef float2 cuFloatComplex;
typedef double2 cuDoubleComplex;
typedef cuFloatComplex cuComplex;
static inline cuFloatComplex make_cuFloatComplex(float r, float i) { return float2{r, i}; }
static inline cuDoubleComplex make_cuDoubleComplex(double r, double i) { return double2{r, i}; }
static inline cuComplex make_cuComplex(float r, float i) { return float2{r, i}; }
static inline float cuCrealf(cuFloatComplex z) { return z.x; }
static inline float cuCimagf(cuFloatComplex z) { return z.y; }
static inline double cuCreal(cuDoubleComplex z) { return z.x; }
static inline double cuCimag(cuDoubleComplex z) { return z.y; }
static inline cuDoubleComplex cuConj(cuDoubleComplex z) { return double2{z.x, -z.y}; }
static inline cuDoubleComplex cuCadd(cuDoubleComplex a, cuDoubleComplex b) { return double2{a.x + b.x, a.y + b.y}; }
static inline cuDoubleComplex cuCsub(cuDoubleComplex a, cuDoubleComplex b) { return double2{a.x - b.x, a.y - b.y}; }
static inline cuDoubleComplex cuCmul(cuDoubleComplex a, cuDoubleComplex b)
{
    return double2{a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x};
}
static inline cuFloatComplex cuConjf(cuFloatComplex z) { return float2{z.x, -z.y}; }
static inline cuFloatComplex cuCaddf(cuFloatComplex a, cuFloatComplex b) { return float2{a.x + b.x, a.y + b.y}; }
static inline cuFloatComplex cuCsubf(cuFloatComplex a, cuFloatComplex b) { return float2{a.x - b.x, a.y - b.y}; }
static inline cuFloatComplex cuCmulf(cuFloatComplex a, cuFloatComplex b)
{
    return float2{a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x};
}

#define CUFFT_VERSION 12000
#define CUFFT_FORWARD -1
#define CUFFT_INVERSE 1

typedef enum cufftResult_t {
    CUFFT_SUCCESS = 0x0,
    CUFFT_INVALID_PLAN = 0x1,
    CUFFT_ALLOC_FAILED = 0x2,
    CUFFT_INVALID_TYPE = 0x3,
    CUFFT_INVALID_VALUE = 0x4,
    CUFFT_INTERNAL_ERROR = 0x5,
    CUFFT_EXEC_FAILED = 0x6,
    CUFFT_SETUP_FAILED = 0x7,
    CUFFT_INVALID_SIZE = 0x8,
    CUFFT_UNALIGNED_DATA = 0x9,
    CUFFT_INVALID_DEVICE = 0xB,
    CUFFT_NO_WORKSPACE = 0xD,
    CUFFT_NOT_IMPLEMENTED = 0xE,
    CUFFT_NOT_SUPPORTED = 0x10
} cufftResult;

typedef enum cufftType_t {
    CUFFT_R2C = 0x2a,
    CUFFT_C2R = 0x2c,
    CUFFT_C2C = 0x29,
    CUFFT_D2Z = 0x6a,
    CUFFT_Z2D = 0x6c,
    CUFFT_Z2Z = 0x69
} cufftType;

typedef int cufftHandle;
typedef float cufftReal;
typedef double cufftDoubleReal;
typedef cuComplex cufftComplex;
typedef cuDoubleComplex cufftDoubleComplex;

extern "C" {
cufftResult cufftCreate(cufftHandle *plan);
cufftResult cufftPlan1d(cufftHandle *plan, int nx, cufftType type, int batch);
cufftResult cufftPlan2d(cufftHandle *plan, int nx, int ny, cufftType type);
cufftResult cufftPlanMany(cufftHandle *plan, int rank, int *n, int *inembed, int istride, int idist, int *onembed,
                          int ostride, int odist, cufftType type, int batch);
cufftResult cufftMakePlan1d(cufftHandle plan, int nx, cufftType type, int batch, size_t *workSize);
cufftResult cufftMakePlanMany(cufftHandle plan, int rank, int *n, int *inembed, int istride, int idist,
                              int *onembed, int ostride, int odist, cufftType type, int batch, size_t *workSize);
cufftResult cufftGetSize(cufftHandle plan, size_t *workSize);
cufftResult cufftSetAutoAllocation(cufftHandle plan, int autoAllocate);
cufftResult cufftSetWorkArea(cufftHandle plan, void *workArea);
cufftResult cufftSetStream(cufftHandle plan, cudaStream_t stream);
cufftResult cufftDestroy(cufftHandle plan);
cufftResult cufftGetVersion(int *version);

cufftResult cufftExecR2C(cufftHandle plan, cufftReal *idata, cufftComplex *odata);
cufftResult cufftExecC2R(cufftHandle plan, cufftComplex *idata, cufftReal *odata);
cufftResult cufftExecC2C(cufftHandle plan, cufftComplex *idata, cufftComplex *odata, int direction);
cufftResult cufftExecD2Z(cufftHandle plan, cufftDoubleReal *idata, cufftDoubleComplex *odata);
cufftResult cufftExecZ2D(cufftHandle plan, cufftDoubleComplex *idata, cufftDoubleReal *odata);
cufftResult cufftExecZ2Z(cufftHandle plan, cufftDoubleComplex *idata, cufftDoubleComplex *odata, int direction);
}

#endif
