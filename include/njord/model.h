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
 *   an uninterrupted run, for any number of MPI ranks on either side.
 *
 * Units: SI throughout; times in seconds since the configured start time.
 * Distribution: njord_model_create takes a communicator (MPI_COMM_NULL: serial)
 *   and every call taking a model is collective over it. Results are bitwise
 *   identical for every number of ranks and threads.
 * Backends: the state stays in the backend's memory (on the GPU for cuda)
 *   between steps; only diagnostics and output come to the host.
 * Errors: NJORD_EINVAL (bad configuration, with the key named), NJORD_EIO /
 *   NJORD_EFORMAT (initial-state file, output file), NJORD_EBACKEND,
 *   NJORD_EBLOWUP (a non-finite value, or a wind above 1000 m/s, appeared:
 *   the message names the field, the place and the time; the model is rolled
 *   back to the last good state, which is written to the output file before
 *   it is completed).
 * Thread safety: one model per thread at a time.
 */
#ifndef NJORD_MODEL_H
#define NJORD_MODEL_H

#include "config.h"
#include "core.h"

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
                           mass-weighted mean of zeta^2 / 2, s^-2 */
    double max_wind;  /**< maximum wind speed, m/s */
    double l1, l2, linf; /**< Williamson error norms of the free-surface height
                              against the analytic solution (Williamson 1 and 2);
                              NaN for cases without one */
    double ps_min, ps_max; /**< primitive equations: extremes of the surface
                                pressure, Pa; NaN for shallow water */
} njord_diag;

/** Create a model from a configuration (copied: the caller keeps cfg) over the
 *  communicator comm (MPI_COMM_NULL: serial), with its initial state from the
 *  configured test case or file. Collective. */
int njord_model_create(const njord_config *cfg, MPI_Comm comm, njord_model **model);

/** Complete the output file (if any: at output.file, or after a failed run at
 *  its partial path, see njord_model_run) and free everything. Collective. NULL
 *  ok. */
void njord_model_destroy(njord_model *model);

/** Called at every output time (and after the initial state); a non-zero return
 *  stops the run with that status. */
typedef int (*njord_model_callback)(njord_model *model, void *user);

/** Run until time t_end (s since start; a multiple of the time step) or the
 *  configured length when t_end < 0. Writes the configured output (the initial
 *  state, then every output.interval) and calls on_output (may be NULL) at each
 *  output time. Checks for non-finite values and unphysical winds every
 *  run.check_interval and at every output and restart time; restart files hold
 *  only checked states.
 *  Errors: NJORD_EINVAL when t_end is before the model time (or, t_end < 0, when
 *  time.length is not after the time of a restart). NJORD_EBLOWUP when the
 *  state blew up: the model is rolled back to the last checked state, which is
 *  then written to the output. After any failure the output so far is completed
 *  under output.file with ".partial" before ".nc" (the message names it), and an
 *  existing output.file is left as it was. Collective. */
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

/** Gather the spectral state to root: vorticity, divergence (1/s) and the
 *  geopotential of the free surface g * zg = g * (depth + orography) (m^2/s^2),
 *  each NJORD_SHT_NSPEC(T) complex values (any pointer may be NULL). Collective. */
int njord_model_spectral_state(njord_model *model, int root, njord_real *vor, njord_real *div,
                               njord_real *phi);

/** Write a restart file at path (atomically: a temporary file renamed on
 *  success): the prognostic spectral state at both leapfrog time levels, the
 *  surface geopotential, the step and the configuration. Collective. */
int njord_model_write_restart(njord_model *model, const char *path);

/** Seconds spent so far in the transforms, in grid-point work and in the
 *  implicit solve and the rest of the step (any pointer may be NULL). */
int njord_model_timing(const njord_model *model, double *transforms, double *gridpoint,
                       double *other, double *total);

#ifdef __cplusplus
}
#endif

#endif
