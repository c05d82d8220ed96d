/* lib/core/error.c — thread-local error messages. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NJ_MSG_MAX 1024
static _Thread_local char nj_msg[NJ_MSG_MAX];

int nj_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(nj_msg, sizeof nj_msg, fmt, ap);
    va_end(ap);
    return status;
}

int nj_error_context(int status, const char *fmt, ...)
{
    char prefix[NJ_MSG_MAX], old[NJ_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, nj_msg, sizeof old);
    size_t n = strlen(prefix);
    memcpy(nj_msg, prefix, n);
    if (n + 2 < sizeof nj_msg) {
        nj_msg[n++] = ':';
        nj_msg[n++] = ' ';
    }
    size_t rest = sizeof nj_msg - 1 - n;
    size_t lo = strlen(old);
    if (lo > rest) lo = rest;
    memcpy(nj_msg + n, old, lo);
    nj_msg[n + lo] = '\0';
    return status;
}

void nj_error_clear(void) { nj_msg[0] = '\0'; }

const char *njord_last_error(void) { return nj_msg; }

const char *njord_strerror(int status)
{
    switch (status) {
    case NJORD_OK: return "NJORD_OK";
    case NJORD_EINVAL: return "NJORD_EINVAL (invalid argument)";
    case NJORD_ENOMEM: return "NJORD_ENOMEM (out of memory)";
    case NJORD_EIO: return "NJORD_EIO (input/output error)";
    case NJORD_EFORMAT: return "NJORD_EFORMAT (unexpected file content)";
    case NJORD_EBACKEND: return "NJORD_EBACKEND (backend unavailable)";
    case NJORD_EMPI: return "NJORD_EMPI (MPI error)";
    case NJORD_ENOTSUP: return "NJORD_ENOTSUP (not supported)";
    case NJORD_EINTERNAL: return "NJORD_EINTERNAL (internal error)";
    case NJORD_EBLOWUP: return "NJORD_EBLOWUP (non-finite values in the model state)";
    default: return "unknown status";
    }
}
