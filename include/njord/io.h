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

/* ========================================================================= */
/* CF-NetCDF grid output                                                      */
/* ========================================================================= */
/*
 * Grid-point output for model runs: a NetCDF-4 file with CF-1.10 metadata that
 * xarray, CDO and ncview read without options.
 *
 * File layout:
 *   dimensions   time (unlimited), lat = nlat, lon = nlon
 *   lat(lat)     double, degrees_north, standard_name latitude, axis Y, north to
 *                south, with a comment saying they are Gaussian latitudes
 *   lon(lon)     double, degrees_east, standard_name longitude, axis X,
 *                360 i / nlon (from 0 E)
 *   time(time)   double, units and calendar as given, standard_name time, axis T
 *   gw(lat)      double Gaussian weights (long_name "gaussian weights"), only
 *                when weights are given
 *   data         float name(time, lat, lon), or float name(lat, lon) for static
 *                variables; attributes standard_name (when given), long_name,
 *                units; chunks of one time step (one whole field); deflate with
 *                shuffle when deflate_level > 0. No _FillValue: every value of a
 *                complete file is written (close refuses a file with an unwritten
 *                static variable).
 *   globals      Conventions = "CF-1.10", source = "Njord <version>" unless the
 *                caller gives a source, then the caller's global attributes in
 *                order (a caller's Conventions or source replaces Njord's).
 *
 * Atomicity: everything is written to "<path>.tmp-<pid>" in the same directory;
 *   njord_cf_close() closes, fsyncs and renames it onto path, so a file at path
 *   is always complete, and an existing file at path is replaced only by a
 *   successful close. A failed create or njord_cf_abort() removes the temporary
 *   file and leaves path untouched; if the program dies, only the temporary
 *   file remains.
 *
 * Life cycle: create -> write_static / write_step ... -> close (or abort) ->
 *   destroy. After close or abort the handle only answers errors (NJORD_EINVAL,
 *   "already closed") until it is destroyed; destroy of an open writer aborts it.
 *
 * Suggested metadata for the shallow-water fields (see lib/io/cf_output.c for
 *   the reasoning): u eastward_wind m s-1, v northward_wind m s-1, zg
 *   geopotential_height m, h (fluid depth) no standard name, m, vor
 *   atmosphere_relative_vorticity s-1, div divergence_of_wind s-1, orog
 *   surface_altitude m, pv (shallow-water potential vorticity) no standard
 *   name, m-1 s-1.
 *
 * Errors: NJORD_EINVAL (bad argument, size, name, order of calls), NJORD_ENOMEM,
 *   NJORD_EIO (cannot create, write, close or rename). Messages name the file.
 * Thread safety: as above (NetCDF-C is not thread safe).
 */

/** A CF output file being written (opaque). */
typedef struct njord_cf_writer njord_cf_writer;

/** One output variable. The strings are copied by njord_cf_create. */
typedef struct {
    const char *name;          /**< NetCDF name (required, unique; not time, lat, lon, gw) */
    const char *standard_name; /**< CF standard name, or NULL to omit */
    const char *long_name;     /**< long_name, or NULL to omit */
    const char *units;         /**< units (UDUNITS), or NULL to omit */
    int is_static;             /**< nonzero: no time dimension (e.g. orography), written
                                    once with njord_cf_write_static */
} njord_cf_var;

/** Start a CF output file for fields on an nlat x nlon grid.
 *  lat_deg: nlat latitudes in degrees, strictly decreasing (north to south)
 *  within [-90, 90]; gauss_weights: nlat positive weights or NULL; time_units:
 *  e.g. "hours since 2000-01-01 00:00:00" (must contain " since "); calendar:
 *  e.g. "standard" (NULL means "standard"); nvars >= 1 variables; deflate_level
 *  0 (none) to 9; global_atts: NULL or a NULL-terminated list name, value, name,
 *  value, ... of text attributes (title, source, history, njord_config, ...).
 *  On success *w is a new writer; on failure nothing is left on disk and *w is
 *  NULL. Arguments are checked before anything is created. */
int njord_cf_create(const char *path, int nlat, int nlon, const double *lat_deg,
                    const double *gauss_weights, const char *time_units, const char *calendar,
                    int nvars, const njord_cf_var *vars, int deflate_level,
                    const char *const *global_atts, njord_cf_writer **w);

/** Write the static variable name: field is [nlat][nlon] in host memory, north
 *  to south, longitudes from 0 E. May be repeated (the last write wins). */
int njord_cf_write_static(njord_cf_writer *w, const char *name, const njord_real *field);

/** Append one time step at time (in the file's time units; strictly increasing
 *  from step to step). nfields must equal the number of non-static variables and
 *  fields[k] is the k-th non-static variable in the order given to create,
 *  [nlat][nlon] in host memory. Values are stored as float; a finite value
 *  beyond the float range is an error. */
int njord_cf_write_step(njord_cf_writer *w, double time, int nfields,
                        const njord_real *const *fields);

/** Complete the file: every static variable must have been written (otherwise
 *  NJORD_EINVAL and the writer stays open). Closes, fsyncs and renames the
 *  temporary file onto path, replacing an existing file only now. On an I/O
 *  failure the temporary file is removed and path is untouched. */
int njord_cf_close(njord_cf_writer *w);

/** Discard an open writer: close and remove the temporary file; path is
 *  untouched. Does nothing on a closed writer or NULL. */
void njord_cf_abort(njord_cf_writer *w);

/** Free the writer (aborting it first if it is still open). NULL is allowed. */
void njord_cf_destroy(njord_cf_writer *w);

/** Number of time steps written so far (0 for NULL). */
int njord_cf_nsteps(const njord_cf_writer *w);

/* ========================================================================= */
/* Reading a field on a latitude-longitude grid (initial states)             */
/* ========================================================================= */
/*
 * njord_latlon_read reads one 2-D field from a NetCDF file on any regular or
 * Gaussian latitude-longitude grid and interpolates it to Njord's grid.
 *
 * Coordinates: a dimension is the latitude (longitude) when its coordinate
 *   variable has standard_name latitude (longitude), units degrees_north
 *   (degrees_east) or axis Y (X), or else when it is named lat / latitude
 *   (lon / longitude). Time: standard_name time, axis T, units "... since ...",
 *   the name time, or the unlimited dimension. Level: axis Z, standard_name
 *   air_pressure, pressure units, or the names lev, level, plev, pressure. Any
 *   other dimension must have length 1. Latitudes may run either way (strictly
 *   monotonic, within [-90, 90]); longitudes may start anywhere, in 0..360 or
 *   -180..180, increasing or decreasing modulo 360, and must go round the
 *   globe (the gap across the seam at most twice the largest other spacing).
 * Selection: opts->time_index picks the time step (0 when the variable has no
 *   time dimension); opts->level >= 0 picks the level with that pressure in hPa
 *   (the level coordinate must be in hPa, mbar or Pa); level < 0 requires a
 *   level dimension of length 1 or none.
 * Values: scale_factor and add_offset are applied; a value equal to _FillValue
 *   or missing_value (or the type's default fill value when there is no
 *   _FillValue), or a NaN, is an error naming the point.
 * Interpolation: bilinear in latitude (degrees) and longitude, periodic in
 *   longitude. A target latitude beyond the outermost data latitude (toward a
 *   pole, e.g. a Gaussian target from a Gaussian source) takes the outermost
 *   row's value on the same meridian (constant extrapolation): first-order
 *   accurate for every field, including wind components, whose polar values
 *   are not single-valued (a zonal mean toward the pole would damp cross-polar
 *   flow there).
 * Errors: NJORD_EINVAL (bad argument), NJORD_ENOMEM, NJORD_EIO (file missing
 *   or unreadable), NJORD_EFORMAT (variable or coordinate missing, wrong
 *   dimensions, time index or level not present, non-monotonic or non-global
 *   coordinates, missing values). Messages name the file and the variable.
 */

/** Selection of one field in a file; see njord_latlon_read. */
typedef struct {
    int time_index; /**< index along the time dimension (>= 0) */
    double level;   /**< level in hPa, or < 0: the variable has one level or none */
} njord_read_opts;

/** Read variable varname from path (opts NULL means {0, -1}) and interpolate it
 *  to nlat target latitudes lat_rad (radians; Njord's Gaussian latitudes, north
 *  to south, but any latitudes in [-pi/2, pi/2] work) and nlon longitudes
 *  2 pi i / nlon. out is [nlat][nlon] in host memory, modified only on success. */
int njord_latlon_read(const char *path, const char *varname, const njord_read_opts *opts,
                      int nlat, int nlon, const double *lat_rad, njord_real *out);

#ifdef __cplusplus
}
#endif

#endif /* NJORD_IO_H */
