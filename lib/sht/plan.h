/* lib/sht/plan.h — the transform plan's internals, shared by the backends (internal).
 *
 * A transform runs in stages, each a backend operation:
 *   spectral   <-> LS buffer       gather/scatter (+ the wind/vorticity recurrences)
 *   LS buffer  <-> Fourier (spec)  Legendre step: per local m, two matrix products
 *                                  (parities)
 *   Fourier (spec) <-> Fourier (grid)  transposition over MPI (none on one rank)
 *   Fourier (grid) <-> grid        FFTs along longitude (+ per-latitude scaling)
 *
 * Distribution (lib/par/decomp.c): rank r owns the latitude pairs j0..j0+nhl-1
 * (pair j = northern row j and its southern mirror nlat-1-j; the equator row of an
 * odd nlat is a pair of its own) and the zonal wavenumbers mloc[0..nm-1]
 * (ascending; units {m, T-m} dealt in contiguous blocks). One rank owns all.
 *
 * Local spectral field: for each local m (ascending), n = m..T, complex (re, im);
 *   coefficient (m, n) of local m index im at complex offset soff[im] + n - m;
 *   nspec_loc complex values per field.
 * Local grid field: nrows rows of nlon: the northern rows of the local pairs
 *   (north to south) then their southern mirrors (north to south); the southern
 *   row of pair jl is local row nrows-1-jl. rows[] gives the global index of each.
 * LS buffer (ncol real columns, 2 per field: re, im): for each local m, a block
 *   [ns x ncol] of the degrees n = m, m+2, ... (symmetric about the equator) then
 *   [na x ncol] of n = m+1, m+3, ..., column-major, degrees up to T+1 (winds need
 *   T+1); block of local m im at ls_cum[im] * ncol.
 * Fourier buffer, spectral side (four_s): for each local m, [nh x ncol] symmetric
 *   part S then [nh x ncol] antisymmetric part A (column-major, row j = northern
 *   latitude j); the northern row j holds S + A, its southern mirror S - A. Block
 *   of local m im at 2 * im * nh * ncol.
 * Fourier buffer, grid side (four_g): for each m in m_order (all T+1, grouped by
 *   owning rank, ascending within a rank), [nhl x ncol] S then [nhl x ncol] A for
 *   the local latitude pairs. Block of m at 2 * kpos[m] * nhl * ncol. On one
 *   rank it coincides with four_s (the backend may alias them).
 * Legendre table (the cuda backend stores one; the cpu backend stores the same
 *   values packed as lib/backend/cpu_leg.h reads them, up to
 *   NJORD_LEGENDRE_TABLE_MB, and above it regenerates each m's block when it needs
 *   it): for each local m, [nh x ns] then [nh x na],
 *   column-major (P_n^m(mu_j) for northern j), block at ls_cum[im] * nh. Its rows
 *   0..jlo[im]-1 are negligible (NJ_LEG_NEGLIGIBLE) and the Legendre step skips them. */
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
    /* distribution */
    MPI_Comm comm;           /* duplicate of the caller's communicator, or MPI_COMM_NULL */
    int rank, nranks;
    int j0, nhl;             /* local latitude pairs */
    int nrows;               /* local grid rows */
    int *rows;               /* [nrows] global latitude index of each local row */
    int nm;                  /* local zonal wavenumbers */
    int *mloc;               /* [nm] ascending */
    size_t *soff;            /* [nm] complex offset of (m, m) in a local spectral field */
    size_t nspec_loc;        /* complex coefficients per local spectral field */
    int *r_j0, *r_nhl;       /* [nranks] latitude pairs of every rank */
    int *r_nm, *r_mdispl;    /* [nranks] count of m and offset into m_order */
    int *m_order;            /* [T+1] wavenumbers grouped by owning rank */
    int *kpos;               /* [T+1] position of m in m_order */
    int *xcounts;            /* [4 * nranks] scratch for MPI_Alltoallv counts/displs */
    /* geometry (host, double, global) */
    double *lat, *mu, *w, *coslat;
    /* Legendre layout (host), per local m */
    int *ns, *na;            /* symmetric / antisymmetric counts up to degree T+1 */
    int *jlo;                /* [nm] first northern row where the table of local m is not
                                negligible (filled by the backend with its tables) */
    int *ns_T, *na_T;        /* the same counts up to degree T */
    size_t *ls_cum;          /* [nm+1]: sum over local m' before m of ns + na */
    size_t nls;              /* ls_cum[nm] */
    /* row factors (host, double), nh each, global pair index */
    double *syn_scale[2], *ana_scale[2];
    /* backend */
    const struct nj_sht_backend *ops;
    void *bk;                /* backend-private state: tables, buffers, FFT plans */
    /* stage timings (seconds, cumulative) */
    double t_fft, t_legendre, t_comm, t_other;
};

/** The operands of the Legendre step of local wavenumber im (layouts above), from
 *  the backend's table (NULL: ts/ta NULL, for a backend whose tables, if any, have
 *  another layout),
 *  LS and spectral-side Fourier buffers: tables ts/ta, LS
 *  blocks ls/la (leading dimensions ns[im]/na[im]), Fourier blocks S/A (leading
 *  dimension nh), and the numbers of degrees ks/ka in use (up to T+1 when ext). */
typedef struct {
    const nj_real *ts, *ta;
    nj_real *ls, *la, *S, *A;
    int ks, ka;
    int j0; /* rows 0..j0-1 of the tables are negligible: the step runs on rows j0..nh-1
               (a synthesis sets rows 0..j0-1 of S and A to 0) */
} nj_leg_block;

static inline nj_leg_block nj_legendre_block(const njord_sht_plan *p, const nj_real *tab,
                                             nj_real *ls, nj_real *four_s, int im, int ncol,
                                             int ext)
{
    const size_t nh = (size_t)p->nh;
    nj_leg_block k;
    k.ts = tab ? tab + p->ls_cum[im] * nh : NULL;
    k.ta = tab ? k.ts + (size_t)p->ns[im] * nh : NULL;
    k.ls = ls + p->ls_cum[im] * (size_t)ncol;
    k.la = k.ls + (size_t)p->ns[im] * ncol;
    k.S = four_s + 2 * (size_t)im * nh * ncol;
    k.A = k.S + nh * ncol;
    k.ks = ext ? p->ns[im] : p->ns_T[im];
    k.ka = ext ? p->na[im] : p->na_T[im];
    k.j0 = p->jlo[im];
    return k;
}

/** Cumulative seconds spent in each stage since creation or the last reset. */
int nj_sht_stage_times(const njord_sht_plan *p, double *t_fft, double *t_legendre,
                       double *t_other);
/** Seconds spent in MPI transpositions (0 on one rank). */
double nj_sht_comm_time(const njord_sht_plan *p);
void nj_sht_stage_times_reset(njord_sht_plan *p);
/** Latitude rows (of nh) the Legendre step uses for wavenumber m (nh - jlo), or
 *  -1 if m is not local. For the benchmark's flop count. */
int nj_sht_legendre_rows(const njord_sht_plan *p, int m);
/** Bytes of stored Legendre functions that one direction of the Legendre step
 *  reads on this rank (its m) in a call with ncol columns (ext: degrees up to
 *  T+1, the vector transforms): 0 where it regenerates them (it then reads the
 *  recurrence's start states, 20 bytes per row and m), -1 for a plan of a
 *  backend other than cpu. For the benchmark's memory-traffic model
 *  (lib/backend/cpu_sht.c). */
double nj_sht_legendre_table_bytes(const njord_sht_plan *p, int ncol, int ext);

/** Table values below this magnitude are negligible. P_n^m(mu) decays like
 *  sin^m(theta) towards the poles: for large m, all degrees n <= T+1 are below it
 *  on the latitudes nearest the poles, and the Legendre step skips those rows
 *  (jlo). The functions are O(1) where they matter (normalised to 2 over
 *  [-1, 1]), so the terms skipped are 1e-17 of the field's scale, below the
 *  rounding of either precision. The tables hold 0 in the rows before jlo, and
 *  in single precision for every value below it (no subnormal floats). */
#define NJ_LEG_NEGLIGIBLE 1e-17

/** Fill tab (host, working precision, values computed in double; layout above)
 *  with P_n^m(mu_j), n up to T+1, for the local wavenumbers mloc[0..nm-1] at the
 *  nh northern latitudes given by their cos(colatitude) and sin(colatitude), and
 *  jlo[im] with the first northern row where some degree of mloc[im] reaches
 *  NJ_LEG_NEGLIGIBLE (nh if none: rows 0..jlo-1 are negligible).
 *  Scaled recurrence: exact range to T >= 2047 without underflow. Runs on nthr
 *  OpenMP threads with scratch work[nthr * 4 * nh] and iwork[nthr * nh]. */
void nj_legendre_tables(int T, int nh, const double *costh, const double *sinth, int nm,
                        const int *mloc, const int *ns, const size_t *tab_cum, int nthr,
                        double *work, int *iwork, nj_real *tab, int *jlo);

/** One m of the table: P_n^m for n = m..T+1 at nh latitudes, written column by
 *  column (degree n to sym column (n-m)/2 if n-m is even, else anti column
 *  (n-m)/2; leading dimensions lds, lda): nj_legendre_start (its start states
 *  n0, s0, s1: nh each, kept by the caller), then nj_legendre_gen. Scratch work
 *  (2 nh doubles). Returns jlo, the first row j where some |P_n^m(mu_j)| >=
 *  NJ_LEG_NEGLIGIBLE (nh if none); the rows before it are set to 0, and their
 *  start states to "never" (n0 = T+2), so that nj_legendre_gen from any row
 *  gives the same values. */
int nj_legendre_m(int m, int T, int nh, const double *costh, const double *sinth, int *n0,
                  double *s0, double *s1, double *work, nj_real *sym, int lds, nj_real *anti,
                  int lda);

/** Where the plain recurrence can start at each of the nh rows: the degree n0[j]
 *  (m <= n0 <= T+2) from which P_n^m(mu_j) is an ordinary double (below it the
 *  scaled recurrence is needed and the values, below 2^-480, count as 0), and
 *  s0[j] = P_{n0-1}^m, s1[j] = P_{n0}^m (s0 = 0 when n0 = m). */
void nj_legendre_start(int m, int T, int nh, const double *costh, const double *sinth,
                       int *n0, double *s0, double *s1);

/** Columns of P_n^m for the degrees n = n1..n2 (m <= n1 <= n2 <= T+1, n1 - m even) at
 *  the rows j0..nh-1, from the start states: degree n to sym column (n-n1)/2 if
 *  n-m is even, else anti column (n-n1)/2. With br = 0, column-major: row j to
 *  element j - j0 of its column (leading dimensions lds, lda >= nh - j0); with
 *  br > 0, the packed blocks of the cpu backend (lib/backend/cpu_leg.h): row j of
 *  column c at (j / br) kd br + c br + j % br, kd = lds or lda (rows below j0 and
 *  at or beyond nh are not written). The recurrence state is in
 *  p1, p2 (nh - j0 doubles each): set when n1 = m, else left by the call that
 *  ended at n1 - 1, so that consecutive calls continue one recurrence. In single
 *  precision, values below NJ_LEG_NEGLIGIBLE are written as 0. With the start
 *  states of nj_legendre_m, bitwise its values, whatever j0 and the split of the
 *  degrees into calls. Vectorised over rows. */
void nj_legendre_gen(int m, int n1, int n2, int j0, int nh, const double *costh, const int *n0,
                     const double *s0, const double *s1, double *p1, double *p2, int br,
                     nj_real *sym, int lds, nj_real *anti, int lda);

/** nj_legendre_gen for at most NJ_LEGENDRE_GEN_MAX degrees (n2 - n1 < it), block
 *  by block of br rows from j0: each block's columns to one block buffer (degree
 *  n to sym + br (n-n1)/2 or anti + br (n-n1)/2, row j0 + i at element i - its
 *  block's first row), handed to use(ctx, j, rows) (first row j, rows <= br)
 *  before the next block overwrites it; the same values. For a consumer that
 *  needs each block once (the cpu backend's synthesis): the functions stay in L1. */
#define NJ_LEGENDRE_GEN_MAX 128
void nj_legendre_gen_blocks(int m, int n1, int n2, int j0, int nh, const double *costh,
                            const int *n0, const double *s0, const double *s1, double *p1,
                            double *p2, int br, nj_real *sym, nj_real *anti,
                            void (*use)(void *ctx, int j, int rows), void *ctx);


/** Decomposition (lib/par/decomp.c): fill the distribution fields of p from
 *  T, nlat, nh, rank and nranks. Allocates; NJORD_ENOMEM on failure. */
int nj_par_decompose(njord_sht_plan *p);
void nj_par_free(njord_sht_plan *p);

/** Element counts and displacements of the transposition of ncol columns:
 *  g2s (grid side -> spectral side) when to_spec, else s2g. Fills p->xcounts as
 *  [sendcounts | sdispls | recvcounts | rdispls]; NJORD_ENOTSUP if a count
 *  exceeds INT_MAX. */
int nj_par_xcounts(njord_sht_plan *p, int ncol, int to_spec);

/** Gauss–Legendre nodes as colatitudes theta (north to south) and weights. */
int nj_gauss_theta(int n, double *theta, double *w);

#endif
