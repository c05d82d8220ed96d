/* lib/sht/plan.h — the transform plan's internals, shared by the backends (internal).
 *
 * A transform runs in stages, each a backend operation:
 *   spectral  <-> LS buffer      gather/scatter (+ the wind/vorticity recurrences)
 *   LS buffer <-> Fourier buffer Legendre step: per m, two GEMMs (parities)
 *   Fourier   <-> grid           FFTs along longitude (+ per-latitude scaling)
 * LS ("Legendre-ordered spectral") buffer, for ncol real columns (2 per field,
 *   re and im): for each m, a block [ns_m x ncol] of the degrees n = m, m+2, ...
 *   (symmetric about the equator) followed by [na_m x ncol] of n = m+1, m+3, ...,
 *   column-major, for n up to T+1 (winds need degree T+1); block of m starts at
 *   ls_cum[m] * ncol.
 * Fourier buffer: for each m, [nh x ncol] symmetric part S then [nh x ncol]
 *   antisymmetric part A (column-major, row j = northern latitude j); the northern
 *   row j holds S + A, its southern mirror S - A. Block of m at 2*m*nh*ncol.
 * Legendre table: for each m, [nh x ns_m] then [nh x na_m], column-major
 *   (P_n^m(mu_j) for northern j), at tab_cum[m] * nh. */
#ifndef NJ_SHT_PLAN_H
#define NJ_SHT_PLAN_H

#include "../core/common.h"
#include "njord/sht.h"

struct nj_sht_backend;

/** Per-latitude scaling applied in the FFT stage. */
enum nj_rowscale {
    NJ_ROW_PLAIN = 0, /* synthesis: 1;       analysis: w_j / 2           */
    NJ_ROW_WIND = 1   /* synthesis: 1/cos;   analysis: w_j / (2 cos)     */
};

struct njord_sht_plan {
    int T, nlat, nlon, nh, max_batch;
    int max_cols;            /* columns of the work buffers: 4 * max_batch */
    njord_backend_kind backend;
    double radius;
    MPI_Comm comm;
    int rank, nranks;
    /* geometry (host, double) */
    double *lat, *mu, *w, *coslat;
    /* Legendre layout (host) */
    int *ns, *na;            /* per m: symmetric / antisymmetric counts up to degree T+1 */
    int *ns_T, *na_T;        /* per m: the same counts up to degree T */
    size_t *ls_cum;          /* per m (T+2 entries): sum over m' < m of ns + na */
    size_t nls;              /* ls_cum[T+1] */
    /* row factors (host, double), nh each */
    double *syn_scale[2], *ana_scale[2];
    /* backend */
    const struct nj_sht_backend *ops;
    void *bk;                /* backend-private state: tables, buffers, FFT plans */
    /* stage timings (seconds, cumulative) */
    double t_fft, t_legendre, t_other;
};

/** Cumulative seconds spent in each stage since creation or the last reset. */
int nj_sht_stage_times(const njord_sht_plan *p, double *t_fft, double *t_legendre,
                       double *t_other);
void nj_sht_stage_times_reset(njord_sht_plan *p);

/** Fill tab (host, working precision, values computed in double; layout above) with P_n^m(mu_j), n up to T+1, for the
 *  nh northern latitudes given by their cos(colatitude) and sin(colatitude).
 *  Scaled recurrence: exact range to T >= 2047 without underflow. Runs on nthr
 *  OpenMP threads with scratch work[nthr * 2 * nh] and iwork[nthr * nh]. */
void nj_legendre_tables(int T, int nh, const double *costh, const double *sinth,
                        const int *ns, const size_t *tab_cum, int nthr, double *work,
                        int *iwork, nj_real *tab);

/** One m of the table: P_n^m for n = m..T+1 at nh latitudes, written column by
 *  column (degree n to sym column (n-m)/2 if n-m is even, else anti column
 *  (n-m)/2; leading dimensions lds, lda). Scratch p1, p2 (nh doubles), ex (nh ints). */
void nj_legendre_m(int m, int T, int nh, const double *costh, const double *sinth,
                   double *p1, double *p2, int *ex, nj_real *sym, int lds, nj_real *anti,
                   int lda);

/** Gauss–Legendre nodes as colatitudes theta (north to south) and weights. */
int nj_gauss_theta(int n, double *theta, double *w);

#endif
