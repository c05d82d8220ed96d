/*
 * njord/io.h — spectral fields in NetCDF files, in the ECMWF/CDO convention.
 *
 * Files written here are read by CDO (`cdo sp2gp file.nc grid.nc` gives the
 * field Njord's own synthesis gives), and spectral files written by CDO
 * (`cdo -f nc gp2sp`) are read here. See lib/io/SPECTRAL_NC.md for the evidence.
 *
 * File layout (NetCDF classic, 64-bit offset format):
 *   dimensions   nsp = NJORD_SHT_NSPEC(T), nc2 = 2 (real, imaginary part),
 *                and for each distinct nlev > 1 a level dimension "lev"
 *                ("lev2", "lev3", ... for further distinct sizes) with a
 *                coordinate variable of level indices 1..nlev (axis = "Z").
 *   variable     double name(nsp, nc2)          when nlev == 1
 *                double name(lev, nsp, nc2)     when nlev >  1
 *                attributes: CDI_grid_type = "spectral" (this is what CDO
 *                needs to recognise a spectral field), truncation = T (int),
 *                axis = "--" / "Z--", and long_name / units when given.
 *   globals      Conventions = "CF-1.6", source = "Njord <version>".
 *
 * Coefficients: CDO orders and normalises the coefficients exactly as Njord
 *   does (sht.h): m-major (m = 0..T, n = m..T), (re, im) pairs, Legendre
 *   functions with unit mean square over the sphere and no Condon–Shortley
 *   phase, f = Σ f_n^0 P_n^0 + 2 Re Σ_{m>0} f_n^m P_n^m e^{imλ}, Gaussian grid
 *   north to south. The conversion is therefore the identity; only the
 *   imaginary parts of m = 0 are set to zero (on writing and on reading).
 *   Values are stored as double whatever the build precision; a single
 *   precision build rounds them to float on reading.
 *
 * Reading accepts what CDO writes: a variable whose attribute CDI_grid_type is
 *   "spectral", with dimensions [time][level](nsp, 2) where the optional time
 *   dimension (the record dimension or one named "time") must have length 1 and
 *   the optional level dimension may have any name; the truncation is the
 *   attribute "truncation" when present (it must agree with nsp), otherwise it
 *   follows from nsp = (T+1)(T+2)/2. float or double storage is accepted.
 *
 * Errors: NJORD_EINVAL (bad argument: NULL, T < 0, nlev < 1, empty or duplicate
 *   name), NJORD_ENOMEM, NJORD_EIO (file cannot be opened, created, written or
 *   renamed), NJORD_EFORMAT (variable missing, not spectral, wrong shape or
 *   wrong number of levels). Messages (njord_last_error()) name the file and the
 *   variable.
 *
 * Thread safety: the NetCDF-C library is not thread safe; do not call these
 *   functions from several threads at once.
 */
#ifndef NJORD_IO_H
#define NJORD_IO_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One spectral variable to write. The caller owns all pointers; they are only
 *  read during the call. */
typedef struct {
    const char *name;      /**< NetCDF variable name (required, unique in the file) */
    const char *long_name; /**< long_name attribute, or NULL for none */
    const char *units;     /**< units attribute, or NULL for none */
    int nlev;              /**< number of levels, >= 1 */
    const njord_real *data; /**< nlev fields, level after level, each
                                 2*NJORD_SHT_NSPEC(T) reals in Njord's convention */
} njord_spec_var;

/** Write nvars >= 1 spectral variables of truncation T >= 0 to a new file at
 *  path, replacing any existing file. The file is written as "<path>.tmp-<pid>"
 *  and renamed onto path only when complete, so on failure an existing file at
 *  path is left untouched (and the temporary file is removed). Arguments are
 *  checked before anything is created. */
int njord_spec_nc_write(const char *path, int T, int nvars, const njord_spec_var *vars);

/** Truncation and number of levels of the spectral variable name in the file at
 *  path. Either output may be NULL. */
int njord_spec_nc_inquire(const char *path, const char *name, int *T, int *nlev);

/** Read the spectral variable name into out: nlev fields of truncation T, each
 *  2*NJORD_SHT_NSPEC(T) reals in Njord's convention, level after level. If the
 *  file's truncation is larger than T the coefficients with n > T are dropped;
 *  if it is smaller, the missing coefficients are set to zero. nlev must equal
 *  the file's number of levels (NJORD_EFORMAT otherwise). out is modified only
 *  on success. */
int njord_spec_nc_read(const char *path, const char *name, int T, int nlev,
                       njord_real *out);

#ifdef __cplusplus
}
#endif

#endif /* NJORD_IO_H */
