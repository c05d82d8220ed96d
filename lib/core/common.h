/* lib/core/common.h — working precision and small helpers shared by the library (internal). */
#ifndef NJ_COMMON_H
#define NJ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "njord/core.h"
#include "error.h"

typedef njord_real nj_real;

#ifdef NJORD_SINGLE
#define NJ_PRECISION_NAME "single"
#else
#define NJ_PRECISION_NAME "double"
#endif

#define NJ_MIN(a, b) ((a) < (b) ? (a) : (b))
#define NJ_MAX(a, b) ((a) > (b) ? (a) : (b))

/** 64-byte aligned, zero-filled allocation; NULL on failure (no message). */
void *nj_alloc(size_t bytes);
void nj_free(void *p);

/** OpenMP helpers that also compile without OpenMP. */
int nj_max_threads(void);
int nj_thread_id(void);

/** Seconds from a monotonic clock. */
double nj_wtime(void);

/** SplitMix64 (Steele, Lea & Flood 2014): a well-mixed 64-bit value from any 64-bit
 *  key, the same on every machine; the library's reproducible random numbers are
 *  functions of global indices through it (never of the rank or thread). */
static inline uint64_t nj_splitmix64(uint64_t key)
{
    uint64_t z = key + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/** A uniform number in [0, 1) of 53 bits from nj_splitmix64(key). */
static inline double nj_uniform(uint64_t key)
{
    return (double)(nj_splitmix64(key) >> 11) / 9007199254740992.0;
}

/** strtod in the "C" locale whatever the caller's (decimal point, never comma);
 *  the configuration's numbers and the lists parsed from it (lib/core/config.c). */
double nj_strtod_c(const char *s, char **end);

#endif
