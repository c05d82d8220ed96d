/*
 * njord/model.h — forecast models: create from a configuration, run, diagnose,
 * write CF-NetCDF output.
 *
 * Two models, solved with the spectral transform method, semi-implicit time
 * stepping (leapfrog + Robert–Asselin–Williams filter, or the IMEX Runge–Kutta
 * scheme SIL3) and implicit del^(2p) hyperdiffusion:
 *  - model.equations = shallow_water: the global shallow-water model,
 *    prognostic vorticity, divergence and geopotential with orography;
 *    model.equations = advection advects the height by the fixed initial wind
 *    (Williamson test 1);
 *  - model.equations = primitive: the hydrostatic primitive equations on
 *    hybrid sigma-pressure levels (vertical.levels), discretised as Simmons &
 *    Burridge (1981): prognostic vorticity, divergence, temperature, log
 *    surface pressure and vertical.tracers passive tracers (the first is
 *    specific humidity), with orography; semi-implicit around an isothermal
 *    reference state; optional Held & Suarez (1994) forcing. Test cases
 *    jw06_steady / jw06_wave (Jablonowski & Williamson 2006), held_suarez, or
 *    an analysis on pressure or hybrid levels (njord_analysis_read). Output on
 *    model levels (CF hybrid formula terms) and on pressure levels.
 * Every key of the configuration is documented by njord_config_describe()
 * (njord config).
 * Restarts: njord_model_write_restart() writes the whole prognostic state
 *   (both leapfrog time levels), the step and the configuration; a model
 *   created with restart.input = FILE continues from it bitwise identically to
 *   an uninterrupted run, for any number of MPI ranks on either side. A restart
 *   file written with other equations, integrator, time.start, truncation, grid,
 *   time step, planet constants, levels, tracers or reference state is refused
 *   (NJORD_EINVAL, naming the key), and one holding a non-finite state too
 *   (NJORD_EFORMAT).
 *
 * Units: SI throughout; times in seconds since the configured start time.
 * Distribution: njord_model_create takes a communicator (MPI_COMM_NULL: serial)
 *   and every call taking a model is collective over it. Results are bitwise
 *   identical for every number of ranks and threads.
 * Backends: the state stays in the backend's memory (on the GPU for cuda)
 *   between steps; only diagnostics and output come to the host.
 * Errors: NJORD_EINVAL (bad configuration, with the key named; also a key of
 *   the other equations set away from its default), NJORD_EIO / NJORD_EFORMAT
 *   (initial-state, restart or output file; NJORD_EIO also when output.file or
 *   restart.output lies in a missing or unwritable directory, checked by
 *   njord_model_create), NJORD_EBACKEND,
 *   NJORD_EBLOWUP (a non-finite value, or a wind above 1000 m/s, appeared;
 *   primitive equations also: a surface pressure outside 10..2000 hPa or a
 *   temperature outside 50..1000 K: the message names the field, the place and
 *   the time; the model is rolled back to the last good state, which is written
 *   to the partial output file, see njord_model_run).
 * Thread safety: one model per thread at a time; models reading or writing
 *   NetCDF files (initial state, output, restarts) must not do so in two threads
 *   at once (NetCDF-C is not thread safe).
 */
#ifndef NJORD_MODEL_H
#define NJORD_MODEL_H

#include "config.h"
#include "core.h"
#include "sht.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct njord_model njord_model;

/** Global diagnostics (area means over the sphere, Gaussian quadrature).
 *  Shallow water / primitive equations where the meaning differs. */
typedef struct {
    double time;      /**< s since start */
    long step;        /**< time steps taken */
    double mass;      /**< mean fluid depth, m (conserved) / mean surface
                           pressure, Pa (conserved) */
    double energy;    /**< mean total energy per unit area: h (u^2+v^2)/2 + g h^2/2
                           + g h hs, m^3 s^-2 / the vertical integral of
                           cp T + (u^2+v^2)/2 plus Phi_s ps / g, J m^-2 */
    double enstrophy; /**< mean potential enstrophy (zeta+f)^2 / (2h), m^-1 s^-2 /
                           area mean of each column's mass-weighted mean of
                           zeta^2 / 2, s^-2 */
    double max_wind;  /**< maximum wind speed, m/s */
    double l1, l2, linf; /**< Williamson error norms of the free-surface height
                              against the analytic solution (Williamson 1 and 2);
                              NaN for cases without one */
    double ps_min, ps_max; /**< primitive equations: extremes of the surface
                                pressure, Pa; NaN for shallow water */
} njord_diag;

/** Create a model from a configuration (copied: the caller keeps cfg) over the
 *  communicator comm (MPI_COMM_NULL: serial), with its initial state from the
 *  configured test case or file, or from restart.input. Checks on rank 0 that
 *  output.file and restart.output can be written (njord_path_writable:
 *  NJORD_EIO otherwise). Collective. On error *model is NULL. */
int njord_model_create(const njord_config *cfg, MPI_Comm comm, njord_model **model);

/** Complete the output file now (if one is open: at output.file, or after a
 *  failed run at its partial path, see njord_model_run): close, fsync, rename.
 *  Returns NJORD_OK, or NJORD_EIO naming the file when that fails (the
 *  temporary file is then removed and output.file keeps what it held). Call it
 *  before telling anyone the output exists. Afterwards the model writes no more
 *  output: a later njord_model_run that reaches an output time fails with
 *  NJORD_EINVAL. Calling it again, or without output, does nothing. Collective. */
int njord_model_close_output(njord_model *model);

/** Complete the output file (njord_model_close_output, if not done yet) and free
 *  everything. Collective. NULL ok. A failure to complete the file is not
 *  reported here (the temporary file is removed and no output file appears):
 *  call njord_model_close_output first to know. */
void njord_model_destroy(njord_model *model);

/** Called at every output time (and after the initial state); a non-zero return
 *  stops the run with that status. */
typedef int (*njord_model_callback)(njord_model *model, void *user);

/** Run until time t_end (s since start; a multiple of the time step) or the
 *  configured length when t_end < 0. Writes the configured output (the initial
 *  state, unless the model continues a restart, then every output.interval and
 *  at t_end) and calls on_output (may be NULL) at each output time. Writes
 *  restart.output (if set) every restart.interval and at t_end. Checks for
 *  non-finite values and unphysical values (see Errors above) every
 *  run.check_interval and at every output and restart time; restart files hold
 *  only checked states.
 *  Errors: NJORD_EINVAL when t_end is not a multiple of the time step or is
 *  before the model time (or, t_end < 0, when time.length is not after the time
 *  of a restart); NJORD_EIO when output.overwrite = false and output.file
 *  exists. NJORD_EBLOWUP when the state blew up: the model is rolled back to
 *  the last checked state, which is then written to the output. After any
 *  failure (a non-zero on_output return too) the output so far is completed
 *  under output.file with ".partial" before ".nc" (appended when the name does
 *  not end in ".nc"; the message names it), and an existing output.file is left
 *  as it was. The output is then closed: a later njord_model_run of this model
 *  fails at its first output time, so create a new model to go on. Collective. */
int njord_model_run(njord_model *model, double t_end, njord_model_callback on_output,
                    void *user);

/** Advance by nsteps time steps (no output, no checks). */
int njord_model_step(njord_model *model, long nsteps);

/** Model time (s since start) and steps taken. */
double njord_model_time(const njord_model *model);
long njord_model_steps(const njord_model *model);
double njord_model_dt(const njord_model *model);

/** Diagnostics of the current state. Collective. */
int njord_model_diagnostics(njord_model *model, njord_diag *diag);

/** The grid: nlat, nlon and the Gaussian latitudes (radians, north to south,
 *  owned by the model). Longitudes are 2 pi i / nlon. */
int njord_model_grid(const njord_model *model, int *nlat, int *nlon, const double **lat);

/** Gather a grid field of the current state to rank root (global [nlat][nlon],
 *  host memory, written on root only). Shallow water: "u", "v" (m/s), "zg"
 *  (free-surface height, m), "h" (depth, m), "vor", "div" (1/s), "orog" (m),
 *  "pv" ((zeta+f)/h, 1/(m s)). Primitive equations: "ps" (Pa), "orog" (m) as
 *  [nlat][nlon]; "u", "v" (m/s), "t" (K), "q" (kg/kg, with tracers), "vor",
 *  "div" (1/s), "phi" (geopotential, m2/s2) on the model levels as
 *  [nlev][nlat][nlon], level 0 at the top. Collective. */
int njord_model_field(njord_model *model, const char *name, int root, njord_real *global);

/** The output file a run writes (output.file), or NULL when it writes none (no
 *  output.file, or no variables). */
const char *njord_model_output_file(const njord_model *model);

/** The underlying transform plan (for advanced use: spectral state access). */
const njord_sht_plan *njord_model_plan(const njord_model *model);

/** Shallow water only (NJORD_EINVAL for the primitive equations): gather the
 *  spectral state to root: vorticity, divergence (1/s) and the geopotential of
 *  the free surface g * zg = g * (depth + orography) (m^2/s^2), each
 *  NJORD_SHT_NSPEC(T) complex values, written on root only (any pointer may be
 *  NULL). Collective. */
int njord_model_spectral_state(njord_model *model, int root, njord_real *vor, njord_real *div,
                               njord_real *phi);

/** Write a restart file at path (atomically: a temporary file renamed on
 *  success): the prognostic spectral state at both leapfrog time levels, the
 *  surface geopotential, the step and the configuration. A non-finite state is
 *  not written (NJORD_EBLOWUP); NJORD_EIO when the file cannot be written.
 *  Collective. */
int njord_model_write_restart(njord_model *model, const char *path);

/** Seconds spent so far in time steps: in the transforms, in grid-point work,
 *  in the implicit solve and the rest of the step, and in all (total); any
 *  pointer may be NULL. */
int njord_model_timing(const njord_model *model, double *transforms, double *gridpoint,
                       double *other, double *total);

#ifdef __cplusplus
}
#endif

#endif
