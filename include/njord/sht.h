/*
 * njord/sht.h — Gaussian grids and spherical-harmonic transforms.
 *
 * Spectral fields (triangular truncation T):
 *   complex coefficients f_n^m for m = 0..T, n = m..T, ordered m-major
 *   (index k(m,n) = m(2T+3-m)/2 + (n-m), see njord_sht_index), stored as
 *   interleaved (re, im) pairs of njord_real: NJORD_SHT_NSPEC(T) complex values,
 *   2*NJORD_SHT_NSPEC(T) reals per field. A batch of fields is contiguous,
 *   field after field.
 *   The field is f(λ, μ) = Σ_n f_n^0 P_n^0(μ) + 2 Re Σ_{m>0} Σ_n f_n^m P_n^m(μ) e^{imλ},
 *   with μ = sin(latitude) and P_n^m the associated Legendre functions normalised
 *   to unit mean square over the sphere, (1/2)∫_{-1}^{1} (P_n^m)^2 dμ = 1, without
 *   the Condon–Shortley phase (the ECMWF/IFS convention). Imaginary parts of m = 0
 *   are ignored on input and zero on output.
 *
 * Grids: Gaussian latitudes ordered north to south, longitudes λ_i = 2π i / nlon
 *   from 0° east; a field is [lat][lon], longitude fastest; a batch is
 *   [field][lat][lon].
 *
 * Units: the sphere radius a (metres, default Earth 6.37122e6 m) enters the
 *   vector, gradient and Laplacian operators: grid winds in m/s go with vorticity
 *   and divergence in 1/s.
 *
 * Distribution over MPI (desc.comm of R ranks, 1 <= R <= number of latitude
 *   pairs (nlat+1)/2): creating, executing and destroying a plan are collective
 *   over the communicator, and every rank must pass the same description. Grid
 *   space is split by latitude pairs (a northern row with its southern mirror),
 *   spectral space by zonal wavenumber m (m paired with T-m for balance). Each
 *   rank passes only its own part of every field:
 *     local grid field: njord_sht_grid_rows() rows of nlon values, the rows given
 *       by their global latitude indices (the local pairs' northern rows, then
 *       their southern rows, each north to south);
 *     local spectral field: for each local m (njord_sht_spec_ms(), ascending) the
 *       coefficients n = m..T, complex (re, im).
 *   With one rank (or comm = MPI_COMM_NULL) the local fields are the global ones.
 *   Results are bitwise identical for every number of ranks. Fields in the
 *   batch are contiguous in their local sizes (njord_sht_local_sizes()).
 *
 * Memory: execution functions take pointers in the plan backend's memory (host
 *   memory for the cpu backend; a cuda plan also takes host pointers, staged
 *   through its own device buffers). They allocate nothing; all buffers and
 *   tables are owned by the plan. Inputs are never modified. Input and output
 *   must not overlap (except in the spectral Laplacians, below).
 *
 * Errors of the execution functions: NJORD_EINVAL (NULL plan or pointer,
 *   nfields < 0 or, except for the Laplacians, nfields > max_batch); nfields = 0
 *   does nothing. NJORD_EMPI when the communication fails.
 *
 * Thread safety: a plan may not execute two transforms concurrently; distinct
 *   plans may. Execution uses OpenMP threads; results are bitwise independent
 *   of the number of threads.
 */
#ifndef NJORD_SHT_H
#define NJORD_SHT_H

#include <stddef.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Number of complex coefficients of a triangular truncation T. */
#define NJORD_SHT_NSPEC(T) ((size_t)((T) + 1) * (size_t)((T) + 2) / 2)

/** Position of coefficient (m, n), 0 <= m <= n <= T, in the m-major ordering. */
static inline size_t njord_sht_index(int T, int m, int n)
{
    return (size_t)m * (size_t)(2 * T + 3 - m) / 2 + (size_t)(n - m);
}

/** Gauss–Legendre nodes and weights for n >= 1 points: mu[j] = sin(latitude_j)
 *  in decreasing order (north to south), weights summing to 2. Newton iteration
 *  in double precision, then one step in long double (x86-64: 64-bit
 *  significand), accurate to rounding for n up to at least 8192 (tested to 2048:
 *  nodes within 1 ulp of 1, weights within 1 ulp, against double-double). Where
 *  long double is double, the weights' error grows like sqrt(n) ulp instead
 *  (~100 ulp at n = 2048). Either output may be NULL. */
int njord_gauss_legendre(int n, double *mu, double *weights);

/** Grid kinds by their resolving power: linear (nlon >= 2T+1), quadratic
 *  (nlon >= 3T+1, alias-free for quadratic products) and cubic (nlon >= 4T+1). */
typedef enum {
    NJORD_GRID_LINEAR = 1,
    NJORD_GRID_QUADRATIC = 2,
    NJORD_GRID_CUBIC = 3
} njord_grid_kind;

/** Regular Gaussian grid for truncation T: nlon is the smallest even number
 *  >= (k+1)T+1 whose prime factors are 2, 3 and 5 (k = 1, 2, 3 for linear,
 *  quadratic, cubic), and nlat = nlon/2. E.g. quadratic T85: 256 x 128.
 *  Errors: NJORD_EINVAL for T < 1, an unknown kind, a NULL output, or nlon above
 *  2^30. */
int njord_grid_size(int T, njord_grid_kind kind, int *nlat, int *nlon);

/** Smallest nlon for a given T: 2T+1 (the FFT must hold wavenumbers 0..T below
 *  the Nyquist frequency), and the smallest nlat: T+1. A plan needs at least these. */

/** Description of a transform plan. Zero-initialise, then set the fields; comm
 *  must be set too (all-zero bytes are no valid communicator: EINVAL). */
typedef struct {
    int trunc;                  /**< triangular truncation, 1 <= T <= 16383 */
    int nlat;                   /**< Gaussian latitudes, >= T+1 */
    int nlon;                   /**< longitudes, >= 2T+1 */
    int max_batch;              /**< largest number of fields per call, 1..2^24 */
    njord_backend_kind backend; /**< cpu, cuda or auto */
    double radius;              /**< sphere radius in metres; 0 means 6.37122e6 */
    MPI_Comm comm;              /**< communicator over which the plan is distributed;
                                     MPI_COMM_NULL: serial, MPI is not used at all */
} njord_sht_desc;

typedef struct njord_sht_plan njord_sht_plan;

/** Create a plan: grid, Legendre tables (computed in double precision with a
 *  scaled recurrence, stable beyond T2047), FFT plans and work buffers for
 *  max_batch fields. The cpu backend stores the tables when those of the whole
 *  truncation take at most NJORD_LEGENDRE_TABLE_MB megabytes (environment
 *  variable, default 2048; T682 in double on its quadratic grid: 990 MB);
 *  otherwise it keeps only the recurrence's start states and regenerates the
 *  functions during each transform (memory O(T nlat) instead of O(T^2 nlat)).
 *  Calls with at most 24 real columns (12 fields of a scalar transform, 6 of a
 *  vector one) regenerate even where tables are stored, if those take more than
 *  32 MB (in double on the quadratic grid from about T216; T213 takes 31 MB):
 *  faster when the products are few and the tables do not stay in cache. Results are
 *  bitwise the same either way, and for every thread and rank count.
 *  Errors: NJORD_EINVAL (bad sizes, a malformed NJORD_LEGENDRE_TABLE_MB, comm
 *  not set, more ranks than latitude pairs, ranks passing different
 *  descriptions), NJORD_ENOMEM, NJORD_EBACKEND, NJORD_EMPI (an invalid
 *  communicator). On error *plan is set to NULL. */
int njord_sht_plan_create(const njord_sht_desc *desc, njord_sht_plan **plan);

/** Destroy a plan and everything it owns. NULL is allowed. */
void njord_sht_plan_destroy(njord_sht_plan *plan);

/** Plan queries. */
int njord_sht_trunc(const njord_sht_plan *plan);
int njord_sht_nlat(const njord_sht_plan *plan);
int njord_sht_nlon(const njord_sht_plan *plan);
int njord_sht_max_batch(const njord_sht_plan *plan);
njord_backend_kind njord_sht_backend(const njord_sht_plan *plan);
double njord_sht_radius(const njord_sht_plan *plan);
/** Pointers to the plan's host copies (nlat values each, north to south) of the
 *  Gaussian latitudes in radians, of mu = sin(latitude) and of the Gaussian
 *  weights (summing to 2). Owned by the plan. */
const double *njord_sht_lats(const njord_sht_plan *plan);
const double *njord_sht_mu(const njord_sht_plan *plan);
const double *njord_sht_weights(const njord_sht_plan *plan);

/** What this rank owns. nrows/rows: local grid rows and their global latitude
 *  indices (north = 0); nm/ms: local zonal wavenumbers, ascending. Arrays are
 *  owned by the plan. Any output pointer may be NULL. */
int njord_sht_grid_rows(const njord_sht_plan *plan, int *nrows, const int **rows);
int njord_sht_spec_ms(const njord_sht_plan *plan, int *nm, const int **ms);
/** Local field sizes in njord_real values: grid nrows*nlon, spectral 2 * complex count. */
int njord_sht_local_sizes(const njord_sht_plan *plan, size_t *grid_reals, size_t *spec_reals);
/** Rank in the plan's communicator and number of ranks (0 and 1 when serial). */
int njord_sht_rank(const njord_sht_plan *plan, int *rank, int *nranks);

/** Scatter nfields global fields held on rank root (global: [nfields][nlat][nlon],
 *  or [nfields][2*NSPEC(T)]; read on root only, may be NULL elsewhere) to the local
 *  fields of every rank, and gather them back to root (global written on root
 *  only). Host memory. Collective. Allocates a staging buffer on root: meant for
 *  input/output and tests, not for every time step. */
int njord_sht_scatter_grid(njord_sht_plan *plan, int root, const njord_real *global,
                           njord_real *local, int nfields);
int njord_sht_gather_grid(njord_sht_plan *plan, int root, const njord_real *local,
                          njord_real *global, int nfields);
int njord_sht_scatter_spec(njord_sht_plan *plan, int root, const njord_real *global,
                           njord_real *local, int nfields);
int njord_sht_gather_spec(njord_sht_plan *plan, int root, const njord_real *local,
                          njord_real *global, int nfields);

/** Area-weighted global mean (Gaussian quadrature: sum_j w_j/2 (1/nlon) sum_i f)
 *  of each of nfields local grid fields (host memory), returned on every rank in
 *  mean[nfields]. Summed in a fixed order (longitudes, then latitudes north to
 *  south), so the result is bitwise the same for every number of ranks.
 *  Collective; allocates a small buffer. */
int njord_sht_grid_mean(njord_sht_plan *plan, const njord_real *local, int nfields,
                        double *mean);

/** Scalar synthesis (spectral -> grid) of nfields fields. */
int njord_sht_synth(njord_sht_plan *plan, const njord_real *spec, njord_real *grid,
                    int nfields);

/** Scalar analysis (grid -> spectral) of nfields fields: the exact inverse of
 *  synthesis on band-limited fields (Gaussian quadrature). */
int njord_sht_analysis(njord_sht_plan *plan, const njord_real *grid, njord_real *spec,
                       int nfields);

/** Winds from vorticity and divergence: u (eastward) and v (northward) in grid
 *  space, from spectral vor and div. The global mean of vor and div (n = 0) is
 *  ignored (it has no wind). nfields vector fields; vor, div, u, v each hold
 *  nfields fields. */
int njord_sht_uv_from_vordiv(njord_sht_plan *plan, const njord_real *vor,
                             const njord_real *div, njord_real *u, njord_real *v,
                             int nfields);

/** Vorticity and divergence (spectral) from grid winds u, v. Exact inverse of
 *  njord_sht_uv_from_vordiv for winds of band-limited vor/div. nfields <= max_batch
 *  vector fields (the plan's buffers hold 4 real columns per field: u and v, each
 *  complex). */
int njord_sht_vordiv_from_uv(njord_sht_plan *plan, const njord_real *u,
                             const njord_real *v, njord_real *vor, njord_real *div,
                             int nfields);

/** Gradient of a spectral scalar in grid space: dfdx = (1/(a cos φ)) ∂f/∂λ
 *  (eastward), dfdy = (1/a) ∂f/∂φ (northward). */
int njord_sht_gradient(njord_sht_plan *plan, const njord_real *spec, njord_real *dfdx,
                       njord_real *dfdy, int nfields);

/** Laplacian in spectral space: out_n^m = -n(n+1)/a^2 in_n^m. in == out allowed. */
int njord_sht_laplacian(const njord_sht_plan *plan, const njord_real *in,
                        njord_real *out, int nfields);

/** Inverse Laplacian in spectral space: out_n^m = -a^2/(n(n+1)) in_n^m for n > 0,
 *  out_0^0 = 0. in == out allowed. */
int njord_sht_inverse_laplacian(const njord_sht_plan *plan, const njord_real *in,
                                njord_real *out, int nfields);

#ifdef __cplusplus
}
#endif

#endif /* NJORD_SHT_H */
