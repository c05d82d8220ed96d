/* lib/core/error.h — the library's error reporting (internal).
 * Every fallible internal function returns an NJORD_* status; on error it records
 * a message with nj_error(), which njord_last_error() then returns to the caller. */
#ifndef NJ_ERROR_H
#define NJ_ERROR_H

#include "njord/core.h"

#if defined(__GNUC__)
#define NJ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NJ_PRINTF(a, b)
#endif

/** Record a message for the calling thread and return status (for `return nj_error(...)`). */
int nj_error(int status, const char *fmt, ...) NJ_PRINTF(2, 3);

/** Prefix the current message with context ("while reading x: "), keep the status. */
int nj_error_context(int status, const char *fmt, ...) NJ_PRINTF(2, 3);

/** Clear the calling thread's message. */
void nj_error_clear(void);

#endif
