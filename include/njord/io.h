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
 *   follows from nsp = (T+1)(T+2)/2. float or double storage is accepted
 *   (integer storage is refused), with scale_factor and add_offset applied;
 *   CDI_grid_type may be a char or a (NetCDF-4) string attribute.
 *
 * Errors: NJORD_EINVAL (bad argument: NULL, T < 0, nlev < 1, empty or duplicate
 *   name, or a name reserved for a dimension or level coordinate: nsp, nc2,
 *   lev, lev2, ...), NJORD_ENOMEM, NJORD_EIO (file cannot be opened, created,
 *   written or renamed), NJORD_EFORMAT (not a NetCDF file, variable missing, not
 *   spectral, wrong shape, wrong number of levels, a NaN or a
 *   _FillValue/missing_value), NJORD_EIO also for a classic-format file shorter
 *   than its header says. Messages (njord_last_error()) name the file and the
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
 *  checked before anything is created; the values are not (a NaN is written as
 *  it is, and njord_spec_nc_read then refuses the file). */
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
 *   dimensions   time (unlimited), lat = nlat, lon = nlon, and, only when a
 *                variable uses them (see "Vertical coordinates" below),
 *                lev = nlev, ilev = nlev + 1, nbnd = 2, plev = nplev
 *   lat(lat)     double, degrees_north, standard_name latitude, axis Y, north to
 *                south, with a comment saying they are Gaussian latitudes
 *   lon(lon)     double, degrees_east, standard_name longitude, axis X,
 *                360 i / nlon (from 0 E)
 *   time(time)   double, units and calendar as given, standard_name time, axis T
 *   gw(lat)      double Gaussian weights (long_name "gaussian weights"), only
 *                when weights are given
 *   data         float name(time, lat, lon), or float name(lat, lon) for static
 *                variables; on model levels float name(time, lev, lat, lon), on
 *                pressure levels float name(time, plev, lat, lon) (static:
 *                name(plev, lat, lon)); attributes standard_name (when given),
 *                long_name, units; chunks of one horizontal field (1, nlat, nlon)
 *                or (1, 1, nlat, nlon); deflate with shuffle when deflate_level
 *                > 0. No _FillValue: every value of a complete file is written
 *                (close refuses a file with an unwritten static variable).
 *   globals      Conventions = "CF-1.10", source = "Njord <version>" unless the
 *                caller gives a source, then the caller's global attributes in
 *                order (a caller's Conventions or source replaces Njord's).
 *
 * Vertical coordinates (njord_cf_create_3d; njord_cf_var.vert):
 *   Model levels (vert = 1): CF-1.10 appendix D, "atmosphere_hybrid_sigma_
 *   pressure_coordinate" in the form p(n, k, j, i) = ap(k) + b(k) ps(n, j, i),
 *   with ap = hyam in Pa and b = hybm; level 1 (index 0) is the top.
 *     lev(lev)       double, hyam / 100000 + hybm (the pressure in units of
 *                    1000 hPa for ps = 1000 hPa), standard_name
 *                    atmosphere_hybrid_sigma_pressure_coordinate, long_name
 *                    "hybrid sigma-pressure level at layer midpoints", units
 *                    "1", positive "down", axis Z, formula_terms
 *                    "ap: hyam b: hybm ps: ps", bounds "lev_bnds"
 *     ilev(ilev)     double, hyai / 100000 + hybi, the same attributes at layer
 *                    interfaces, formula_terms "ap: hyai b: hybi ps: ps", no
 *                    bounds
 *     hyam(lev), hybm(lev), hyai(ilev), hybi(ilev)   double, the coefficients
 *                    as given; units "Pa" (hya*) and "1" (hyb*), long_name
 *                    "hybrid A coefficient at layer midpoints" etc.
 *     lev_bnds(lev, nbnd)   double, (ilev[k], ilev[k+1]): the layer of level k
 *                    lies between interfaces k and k + 1. It carries
 *                    formula_terms "ap: hyam_bnds b: hybm_bnds ps: ps", with
 *     hyam_bnds(lev, nbnd), hybm_bnds(lev, nbnd)   double, (hyai[k],
 *                    hyai[k+1]) and (hybi[k], hybi[k+1]): CF (section 7.1)
 *                    requires a formula_terms attribute on the boundary variable
 *                    of a parametric coordinate, and this is where CDO finds the
 *                    vertical coordinate table (without it CDO knows the axis is
 *                    hybrid but has no vct, and ml2pl fails).
 *     ps             the formula's surface pressure: a 2-D time-dependent
 *                    variable named "ps" must be among the variables (otherwise
 *                    NJORD_EINVAL); its units must be "Pa" and its standard_name
 *                    surface_air_pressure (when NULL, these are written).
 *   Pressure levels (vert = 2):
 *     plev(plev)     double, the nplev pressures in Pa in the order given
 *                    (strictly increasing or strictly decreasing), units "Pa",
 *                    standard_name air_pressure, long_name "pressure", positive
 *                    "down", axis Z.
 *   The level dimensions and coordinates are written only when at least one
 *   variable uses them, but levels given in vert are checked either way.
 *
 * Reserved names (no variable may be called so, whether or not the file has
 *   levels): time, lat, lon, gw, lev, ilev, plev, hyam, hybm, hyai, hybi,
 *   lev_bnds, hyam_bnds, hybm_bnds, nbnd.
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
 *   name, m-1 s-1. For the primitive equations: ps surface_air_pressure Pa,
 *   ta air_temperature K, ua / va eastward_wind / northward_wind m s-1, hus
 *   specific_humidity kg kg-1, zg geopotential_height m, wap
 *   lagrangian_tendency_of_air_pressure Pa s-1.
 *
 * Errors: NJORD_EINVAL (bad argument, size, name, vertical description or
 *   order of calls), NJORD_ENOMEM, NJORD_EIO (cannot create, write, close or
 *   rename). Messages name the file (and the variable where there is one).
 * Thread safety: as above (NetCDF-C is not thread safe).
 */

/** A CF output file being written (opaque). */
typedef struct njord_cf_writer njord_cf_writer;

/** One output variable. The strings are copied by njord_cf_create. */
typedef struct {
    const char *name;          /**< NetCDF name (required, unique; not a reserved name) */
    const char *standard_name; /**< CF standard name, or NULL to omit */
    const char *long_name;     /**< long_name, or NULL to omit */
    const char *units;         /**< units (UDUNITS), or NULL to omit */
    int is_static;             /**< nonzero: no time dimension (e.g. orography), written
                                    once with njord_cf_write_static */
    int vert;                  /**< 0: a 2-D field (lat, lon); 1: on the nlev model levels
                                    (lev, lat, lon), not allowed for static variables (their
                                    pressure would depend on the time through ps); 2: on the
                                    nplev pressure levels (plev, lat, lon). Needs
                                    njord_cf_create_3d with vert->nlev > 0 (vert->nplev > 0). */
} njord_cf_var;

/** The vertical axes of a file (njord_cf_create_3d). The caller owns the arrays;
 *  they are copied into the file during the call. */
typedef struct {
    int nlev;                  /**< model (full) levels, 0: none; level 1 is the top */
    const double *hyam, *hybm; /**< nlev full-level coefficients: p = hyam + hybm * ps,
                                    hyam in Pa */
    const double *hyai, *hybi; /**< nlev+1 half-level (interface) coefficients, top to
                                    bottom */
    int nplev;                 /**< pressure levels, 0: none */
    const double *plev;        /**< nplev pressures in Pa (any order given; written as
                                    given) */
} njord_cf_vertical;

/** Start a CF output file for fields on an nlat x nlon grid, with levels.
 *  lat_deg: nlat latitudes in degrees, strictly decreasing (north to south)
 *  within [-90, 90]; gauss_weights: nlat positive weights or NULL; time_units:
 *  e.g. "hours since 2000-01-01 00:00:00" (must contain " since "); calendar:
 *  e.g. "standard" (NULL means "standard"); vert: the vertical axes, or NULL
 *  for none (then every variable must have vert = 0); nvars >= 1 variables;
 *  deflate_level 0 (none) to 9; global_atts: NULL or a NULL-terminated list
 *  name, value, name, value, ... of text attributes (title, source, history,
 *  njord_config, ...).
 *  Checks of vert (NJORD_EINVAL, naming the index): nlev >= 0 and nplev >= 0;
 *  when nlev > 0, the four coefficient arrays are given and finite, hyam, hyai
 *  >= 0 Pa, hybm, hybi in [0, 1], the interface levels hyai / 1e5 + hybi
 *  strictly increase from the top down and each full level hyam / 1e5 + hybm
 *  lies between the interfaces above and below it; when nplev > 0, plev is
 *  given, finite, positive and strictly monotonic. A variable with vert = 1
 *  needs nlev > 0 and a time-dependent 2-D variable "ps" (in Pa) in vars; one
 *  with vert = 2 needs nplev > 0; the error names the variable.
 *  On success *w is a new writer; on failure nothing is left on disk and *w is
 *  NULL. Arguments are checked before anything is created. */
int njord_cf_create_3d(const char *path, int nlat, int nlon, const double *lat_deg,
                       const double *gauss_weights, const char *time_units, const char *calendar,
                       const njord_cf_vertical *vert, int nvars, const njord_cf_var *vars,
                       int deflate_level, const char *const *global_atts, njord_cf_writer **w);

/** njord_cf_create_3d without levels (vert = NULL): every variable must be 2-D
 *  (vert = 0). */
int njord_cf_create(const char *path, int nlat, int nlon, const double *lat_deg,
                    const double *gauss_weights, const char *time_units, const char *calendar,
                    int nvars, const njord_cf_var *vars, int deflate_level,
                    const char *const *global_atts, njord_cf_writer **w);

/** Write the static variable name: field is [nlat][nlon] in host memory, north
 *  to south, longitudes from 0 E; for a variable on pressure levels, nplev such
 *  fields one after the other, in the order of vert->plev. May be repeated (the
 *  last write wins). Values are stored as float; a finite value beyond the
 *  float range is an error, and then nothing is written (NaN and infinities are
 *  stored as they are). */
int njord_cf_write_static(njord_cf_writer *w, const char *name, const njord_real *field);

/** Append one time step at time (in the file's time units; strictly increasing
 *  from step to step). nfields must equal the number of non-static variables and
 *  fields[k] is the k-th non-static variable in the order given to create:
 *  [nlat][nlon] in host memory for a 2-D variable; for a variable on model
 *  levels nlev such fields one after the other, level 1 (the top) first; on
 *  pressure levels nplev fields in the order of vert->plev. Values are stored as
 *  float; a finite value beyond the float range is an error (naming the
 *  variable, level and point), detected before anything of the step is written
 *  (NaN and infinities are stored as they are). */
int njord_cf_write_step(njord_cf_writer *w, double time, int nfields,
                        const njord_real *const *fields);

/** Complete the file: every static variable must have been written (otherwise
 *  NJORD_EINVAL and the writer stays open). Closes, fsyncs and renames the
 *  temporary file onto path, replacing an existing file only now. On an I/O
 *  failure the temporary file is removed and path is untouched. */
int njord_cf_close(njord_cf_writer *w);

/** njord_cf_close, completing the file under path instead of the path it was
 *  created for (NULL or "": that one), which stays untouched: a model run that
 *  failed puts its partial output there. */
int njord_cf_close_as(njord_cf_writer *w, const char *path);

/** Discard an open writer: close and remove the temporary file; path is
 *  untouched. Does nothing on a closed writer or NULL. */
void njord_cf_abort(njord_cf_writer *w);

/** Free the writer (aborting it first if it is still open). NULL is allowed. */
void njord_cf_destroy(njord_cf_writer *w);

/** Number of time steps written so far (0 for NULL). */
int njord_cf_nsteps(const njord_cf_writer *w);

/** Whether a file could be written at path, checked without creating anything:
 *  its directory ("." for a bare name) exists, is a directory, and this process
 *  may create files in it (Njord's writers create path.tmp-PID there and rename
 *  it onto path), and path itself is not a directory (nor ends in '/').
 *  NJORD_OK, or NJORD_EINVAL for a NULL or empty path, or NJORD_EIO with a
 *  message naming path and the problem ("cannot write 'out/x.nc': directory
 *  'out' does not exist", "... is not a directory", "... is not writable",
 *  "... it is a directory"). The check is access(2): root passes it whatever
 *  the permission bits. The model runs it on rank 0 for output.file and
 *  restart.output when it is created, and `njord run` for the summary, so that
 *  a run stops at once instead of at its first output. Thread-safe. */
int njord_path_writable(const char *path);

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
 *   monotonic, within [-90, 90]) and must cover the globe (the gap from the
 *   outermost latitude to its pole at most twice the largest spacing); longitudes may start anywhere, in 0..360 or
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
 * Errors: NJORD_EINVAL (bad argument), NJORD_ENOMEM, NJORD_EIO (file missing,
 *   unreadable, or a classic-format file shorter than its header says),
 *   NJORD_EFORMAT (not a NetCDF file, variable or coordinate missing, wrong
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

/* ========================================================================= */
/* Reading an analysis onto the model grid and levels (initial states)       */
/* ========================================================================= */
/*
 * njord_analysis_read reads winds, temperature, optionally specific humidity,
 * surface pressure and surface geopotential of an analysis (or any 3-D state on
 * pressure or hybrid levels) and puts them on Njord's Gaussian grid and hybrid
 * levels.
 *
 * Variable specs: each of u, v, t, ps, phis, q is
 *     "VAR"            the variable VAR in o->file,
 *     "path:VAR"       the variable VAR in another file (split at the last ':'),
 *   either optionally followed by "[units]", which replaces the variable's own
 *   units attribute (for files that lack it or get it wrong), e.g. "T[K]" or
 *   "/data/orog.nc:z[m2 s-2]". So an initial state can combine files.
 *   o->file may be NULL or "" when every spec names its file. The word
 *   "estimate" for phis is not a variable (see below).
 *
 * Horizontal: every level is interpolated bilinearly to the model grid exactly
 *   as njord_latlon_read does (same coordinate detection, time selection by
 *   o->time_index, scale_factor / add_offset, missing values are errors, rows
 *   held beyond the outermost data latitude). A surface geopotential variable
 *   without a time dimension is taken as static (time_index is then ignored);
 *   every other variable must have the time step when it has a time dimension.
 *
 * Vertical source coordinate, detected per variable from its level dimension
 *   (one of the variable's dimensions classified as a level as in
 *   njord_latlon_read; u, v, t, q must have one, of any length >= 1):
 *   1. hybrid, CF / ECMWF style: the level coordinate variable has an attribute
 *      formula_terms "ap: AP b: B ps: PS" (AP in Pa, or hPa by its units) or
 *      "a: A b: B ps: PS p0: P0" (P0 a variable in Pa): p_j = AP_j + B_j ps,
 *      resp. A_j P0 + B_j ps;
 *   2. pressure: the level coordinate variable has pressure units (Pa, hPa,
 *      mbar, millibar, mb, kPa) or standard_name air_pressure (its units must
 *      then still be one of those);
 *   3. hybrid, CAM style: the file has 1-D variables hyam and hybm along the
 *      level dimension (or those named by the level coordinate's attributes
 *      A_var, B_var): p_j = hyam_j P0 + hybm_j ps with P0 from a variable "P0"
 *      (or the one named by P0_var) if present, else 100000 Pa — unless hyam
 *      itself has pressure units, then p_j = hyam_j (in those units) + hybm_j ps.
 *   Otherwise NJORD_EFORMAT (missing level coordinate). The ps of hybrid
 *   sources is the analysis's surface pressure (o->ps, interpolated
 *   horizontally; the ps named in formula_terms is not read): a hybrid source
 *   with o->ps empty is an error. Source levels may run either way (top to
 *   bottom or bottom to top) but their pressures must be strictly monotonic in
 *   every column.
 *
 * Model levels: half levels ph_i = ai[i] + bi[i] ps (i = 0..nlev, top to
 *   bottom, must be strictly increasing and >= 0 in every column for the ps
 *   used), full levels p_k = (ph_k + ph_{k+1}) / 2 (the arithmetic mean of the
 *   two half levels; k = 0..nlev-1). ps of the model = the analysis's surface
 *   pressure (o->ps) or o->ps_const.
 *
 * Vertical interpolation, column by column, linear in ln p (lib/dyn/vinterp.h):
 *   u, v, q: the nearest end value is held above the top and below the lowest
 *   source level; t: held above the top, and below the lowest source level
 *   (p_bot, T_bot) the standard lapse rate 6.5 K/km,
 *       T(p) = T_bot (p / p_bot)^(Rd 0.0065 / g),  Rd = 287.04, g = 9.80616.
 *
 * Units (from the variable's units attribute or the spec's "[units]"; case
 *   insensitive; anything else, or no units at all, is NJORD_EFORMAT naming the
 *   variable and the unit; the wind components may also have no units):
 *   u, v   m/s (m s-1, m s**-1, m.s-1, m s^-1, meter/second, ...);
 *   t      K (kelvin, degK, ...) or Celsius (C, degC, deg_C, Celsius, degree_C,
 *          ...; +273.15);
 *   ps     Pa, hPa (mbar, millibar, mb), kPa, or ln(Pa) (log(Pa)); a variable
 *          named lnsp (any case) is the natural log of the surface pressure in
 *          Pa when it has no units or units "~", "1", "-" or "dimensionless";
 *   phis   geopotential: m2 s-2 (m**2 s**-2, m^2/s^2, J kg-1, J/kg, ...), or
 *          orography: m (metre, meter, gpm; phis = g z);
 *   q      kg/kg (kg kg-1, kg kg**-1, 1, ...) or g/kg (/1000).
 *   After conversion the values must be plausible, which catches wrong units
 *   attributes (the remedy is a "[units]" override): 100 K <= t <= 400 K,
 *   100 hPa <= ps <= 1200 hPa, -0.01 <= q <= 0.1 kg/kg,
 *   -1000 m <= phis / g <= 10000 m. (E.g. the NCL sample file nc4uvt.nc says
 *   T is in "C" but holds kelvin: read it as "T[K]".)
 *
 * Surface geopotential: o->phis a variable (see units), NULL or "" for flat
 *   (phis = 0), or "estimate": an estimate for files that lack orography, the
 *   height of the surface pressure in the ICAO standard atmosphere,
 *       z = (288.15 / 0.0065) (1 - (ps / 101325)^(Rd 0.0065 / g)),  phis = g z
 *   (negative where ps > 101325 Pa; weather systems make it err by some
 *   hundreds of metres, so it is only a fallback).
 *
 * Outputs (caller-allocated, host memory, global Gaussian grid north to south,
 *   [nlat][nlon] per level, levels top to bottom): u, v, t (K), q (kg/kg; when
 *   o->q is empty q is not written and may be NULL): nlev*nlat*nlon doubles; ps (Pa), phis (m2 s-2): nlat*nlon doubles. The outputs are
 *   modified only on success.
 *
 * Errors: NJORD_EINVAL (o, u/v/t spec, sizes, pointers, latitudes, ai/bi
 *   empty, NULL, non-finite or not giving increasing half levels; ps_const <= 0
 *   or not finite when o->ps is empty; a spec without a file; a hybrid source
 *   without o->ps; q NULL with o->q given), NJORD_ENOMEM, NJORD_EIO (file
 *   missing or unreadable), NJORD_EFORMAT (variable missing, no or unknown
 *   level coordinate, unknown units, implausible values, NaN or fill values,
 *   non-monotonic source pressures, a surface field with more than one level,
 *   time step not present). Messages start "njord_analysis_read: <field>
 *   ('<spec>')" and name the file and the variable.
 * Thread safety: as for the other readers (NetCDF-C is not thread safe).
 */

/** Where to find the fields of an analysis; see njord_analysis_read. */
typedef struct {
    const char *file;      /**< default file for every variable (NULL or "": every
                                spec must be "path:VAR") */
    const char *u, *v, *t; /**< variable specs (required) */
    const char *ps;        /**< surface pressure (Pa, hPa, kPa by units; or ln(Pa): lnsp);
                                NULL or "": ps_const everywhere */
    const char *phis;      /**< surface geopotential (m2 s-2) or orography (m), by its
                                units; NULL or "": flat (0); "estimate": from ps */
    const char *q;         /**< specific humidity (kg/kg or g/kg by units); NULL or "": none */
    int time_index;        /**< time step (>= 0) in every file */
    double ps_const;       /**< Pa, used only when ps is empty; must be > 0 then */
} njord_analysis_opts;

/** Read an analysis and put it on the model grid (nlat Gaussian latitudes
 *  lat (radians, north to south), nlon longitudes 2 pi i / nlon) and on nlev
 *  hybrid levels with nlev+1 half-level coefficients ai (Pa) and bi (top to
 *  bottom). Outputs as described above: u, v, t, q [nlev][nlat][nlon] (q may be
 *  NULL when o->q is empty); ps, phis [nlat][nlon]. */
int njord_analysis_read(const njord_analysis_opts *o, int nlat, int nlon, const double *lat,
                        int nlev, const double *ai, const double *bi, double *u, double *v,
                        double *t, double *q, double *ps, double *phis);

#ifdef __cplusplus
}
#endif

#endif /* NJORD_IO_H */
