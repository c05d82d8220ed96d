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

/** strtod in the "C" locale whatever the caller's (decimal point, never comma);
 *  the configuration's numbers and the lists parsed from it (lib/core/config.c). */
double nj_strtod_c(const char *s, char **end);

#endif
