/*
 * njord.h — public API of Njord, a spectral-transform weather forecasting library.
 *
 * Conventions shared by every header under include/:
 *  - Every fallible call returns an int status: NJORD_OK (0) on success, a negative
 *    NJORD_E* code on error. The message of the last error raised *by the calling
 *    thread* is returned by njord_last_error(). The library never exits, aborts or
 *    writes to stdout.
 *  - Working precision is fixed at build time: libnjord is double precision,
 *    libnjord_sp single precision. Code linking libnjord_sp must be compiled with
 *    -DNJORD_SINGLE (pkg-config njord_sp adds it), so that njord_real matches.
 *  - Handles are opaque; the caller owns what it creates and destroys it with the
 *    matching *_destroy call. Destroy functions accept NULL.
 *  - Thread safety: distinct handles may be used concurrently from different threads.
 *    A single handle must not be used by two threads at once. Exception: NetCDF-C
 *    is not thread safe, so nothing that reads or writes a NetCDF file (io.h,
 *    and model creation from an initial or restart file, model output and
 *    restart files) may run in two threads at once. Calls on a handle may use
 *    OpenMP threads internally (OMP_NUM_THREADS governs how many; a cpu
 *    transform plan uses at most as many as there were when it was created);
 *    results never depend on the number of threads.
 */
#ifndef NJORD_H
#define NJORD_H

#include "njord/core.h" /* status codes, njord_real, backends, version */
#include "njord/sht.h"  /* Gaussian grids and spherical-harmonic transforms */
#include "njord/io.h"   /* NetCDF: spectral fields (CDO convention), CF output, input grids */
#include "njord/config.h" /* configuration: INI files, --set overrides */
#include "njord/model.h"  /* forecast models: create, run, diagnose, output */

#endif /* NJORD_H */
