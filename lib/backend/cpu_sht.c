/* lib/backend/cpu_sht.c — the cpu backend of the transform stages: the FFTs of
 * cpu_fft.h for the longitude FFTs (FFTW for lengths nlon/2 with a prime factor
 * above 5), the matrix products of cpu_leg.h on packed tables for the Legendre
 * step, OpenMP threads over zonal wavenumbers m and over latitude rows.
 * Every output element is computed by one thread in a fixed order, so results do
 * not depend on the number of threads. */
#include <fftw3.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "cpu_fft.h"
#include "cpu_leg.h"

#define NJ_SHT_REAL nj_real
#include "../../kernels/common/sht_point.h"
#include "../../kernels/common/xpose_point.h"

#ifdef NJORD_SINGLE
#define NJ_FFTW(x) fftwf_##x
#define NJ_MPI_REAL MPI_FLOAT
#else
#define NJ_FFTW(x) fftw_##x
#define NJ_MPI_REAL MPI_DOUBLE
#endif

#define NJ_FFT_BLOCK 8 /* latitude pairs per task of the FFTW stage */
/* Legendre step, regenerating: degrees of each parity per piece, in the
 * synthesis (block by block of rows, the functions in L1) and in the analysis
 * (all rows at once, in L2; of one field: block by block, NJ_LEG_PIECE);
 * measured best at T341 x 20 on 2 cores */
#define NJ_LEG_PIECE 64
#define NJ_LEG_PIECE_ANA 16
/* Calls with at most NJ_REGEN_COLS columns regenerate the functions even where
 * tables are stored, if those take more than NJ_REGEN_TABLE_MB: with few columns
 * the products are cheap and the tables' stream from memory is the cost (T341,
 * 124 MB, on 2 cores: 2 columns 11.2 -> 6.7 ms per Legendre pair, 24 columns
 * 20.4 -> 19.9 ms; 40 columns: the tables faster). Smaller tables stay in cache
 * between calls and win (T85, 2.3 MB: 1 field 0.08 vs 0.15 ms; T170, 17 MB:
 * 0.62 vs 0.72 ms). */
#define NJ_REGEN_COLS 24
/* Regenerated analyses of at most NJ_ANA_LANES_COLS columns (one field) run
 * block by block of rows like the synthesis (nj_leg_ana_lanes), their lane sums
 * (2 vectors per degree) kept in L1 from block to block: one direction over all
 * m, caches evicted, T341 3.1 -> 2.1 ms, T682 22.5 -> 13.1 ms (single: 2.7 ->
 * 2.4, 18.7 -> 16.7). With 4 columns and more the lane sums' loads and stores
 * cost more than writing the functions to L2 saves (4 columns: no gain; 8: 4.4
 * -> 6.8 ms at T341). */
#define NJ_ANA_LANES_COLS 2
#define NJ_REGEN_TABLE_MB 32
_Static_assert(2 * NJ_LEG_PIECE <= NJ_LEGENDRE_GEN_MAX, "a piece's degrees in one pass");

typedef struct {
    /* Legendre functions, in the packed panels of cpu_leg.h (per local m: the
     * symmetric panel, ns[im] degrees per block, then the antisymmetric one,
     * na[im]; panels of m at ls_cum[im] * nhp): stored when the tables of the
     * whole truncation take at most NJORD_LEGENDRE_TABLE_MB (default 2048: up to
     * T682 in double). Always kept: the start states of the recurrence (nm * nh
     * each, lib/sht/legendre.c), from which the Legendre step of each m
     * regenerates that m's functions in pieces just before its products, when
     * there are no tables or the call has at most regen_cols columns. Both
     * paths give the same values in the same order, so the same results. */
    nj_real *tab;
    int nhp;        /* rows per panel: nh rounded up to NJ_LEG_JR */
    int *n0;
    double *s0, *s1;
    nj_real *pgen;  /* per thread: packed pieces, 2 NJ_LEG_PIECE nhp (regeneration) */
    double *gwork;  /* per thread: recurrence state, 2 nh */
    nj_real *asum;  /* per thread: lane sums and last rows of nj_leg_ana_lanes, ASUM */
    nj_real *ls;    /* LS buffer, nls * max_cols */
    nj_real *four_s; /* Fourier buffer, spectral side: 2 * nm * nh * max_cols */
    nj_real *four_g; /* grid side: 2 * (T+1) * nhl * max_cols (= four_s on one rank);
                        both + NJ_FFT_VL zeros (nj_alloc), so that the FFT stage
                        may read one vector from any row */
    nj_real *stage;  /* transposition staging, 2 * nm * nh * max_cols (NULL on one rank) */
    int nthr;       /* threads the scratch was sized for */
    int regen_cols; /* calls with at most this many columns regenerate */
    nj_rfft *rf;    /* own FFTs (cpu_fft.h), or NULL: FFTW */
    nj_real *lanes; /* per thread, own FFTs: 4 buffers of nlon * NJ_FFT_VL */
    size_t rstride, cstride; /* scratch row strides (elements), multiples of 64 bytes so
                                every row has the alignment FFTW planned with */
    nj_real *rbuf;  /* per thread: one real row of nlon */
    NJ_FFTW(complex) * cbuf; /* per thread: 2 NJ_FFT_BLOCK rows of nlon/2+1 */
    NJ_FFTW(plan) r2c, c2r;
} nj_cpu_sht;

#define BK(p) ((nj_cpu_sht *)(p)->bk)
/* per thread: both parities' lane sums (NJ_LEG_PIECE degrees, NJ_ANA_LANES_COLS
 * columns), then their last rows */
#define ASUM_LANES ((size_t)NJ_LEG_PIECE * NJ_ANA_LANES_COLS * NJ_LEG_VL)
#define ASUM (2 * ASUM_LANES + 2 * (size_t)NJ_LEG_PIECE * NJ_LEG_VL)

static void cpu_fini(njord_sht_plan *p)
{
    nj_cpu_sht *b = BK(p);
    if (!b) return;
#pragma omp critical(nj_fftw_planner)
    {
        if (b->r2c) NJ_FFTW(destroy_plan)(b->r2c);
        if (b->c2r) NJ_FFTW(destroy_plan)(b->c2r);
    }
    nj_rfft_destroy(b->rf);
    nj_free(b->lanes);
    NJ_FFTW(free)(b->rbuf);
    NJ_FFTW(free)(b->cbuf);
    nj_free(b->tab);
    nj_free(b->pgen);
    free(b->n0);
    free(b->s0);
    free(b->s1);
    free(b->gwork);
    nj_free(b->asum);
    nj_free(b->ls);
    if (b->four_g != b->four_s) nj_free(b->four_g);
    nj_free(b->four_s);
    nj_free(b->stage);
    free(b);
    p->bk = NULL;
}

static int cpu_init(njord_sht_plan *p)
{
    const int T = p->T, nh = p->nh, nlon = p->nlon, nc = nlon / 2 + 1;
    nj_cpu_sht *b = calloc(1, sizeof *b);
    if (!b) return nj_error(NJORD_ENOMEM, "cpu backend: out of memory");
    p->bk = b;
    b->nthr = nj_max_threads();
    /* tables or regeneration (above) */
    double limit_mb = 2048;
    const char *env = getenv("NJORD_LEGENDRE_TABLE_MB");
    if (env && *env) {
        char *end;
        limit_mb = strtod(env, &end);
        if (*end || !(limit_mb >= 0)) {
            cpu_fini(p);
            return nj_error(NJORD_EINVAL,
                            "NJORD_LEGENDRE_TABLE_MB = '%s' is not a non-negative number of MB",
                            env);
        }
    }
    b->nhp = (nh + NJ_LEG_JR - 1) / NJ_LEG_JR * NJ_LEG_JR;
    double global_mb = 0;
    for (int m = 0; m <= T; m++) global_mb += (double)b->nhp * (T + 2 - m) * sizeof(nj_real) / 1e6;
    const int store = global_mb <= limit_mb;
    b->regen_cols = global_mb > NJ_REGEN_TABLE_MB ? NJ_REGEN_COLS : 0;
    const size_t nmh = (size_t)p->nm * nh;
    /* while the plan is made: per thread, the functions of one m, column-major */
    const size_t gsize = (size_t)nh * (T + 3);
    nj_real *gen = nj_alloc(sizeof(nj_real) * (size_t)b->nthr * gsize);
    if (store) b->tab = nj_alloc(sizeof(nj_real) * p->nls * (size_t)b->nhp);
    b->n0 = malloc(sizeof(int) * (nmh ? nmh : 1));
    b->s0 = malloc(sizeof(double) * (nmh ? nmh : 1));
    b->s1 = malloc(sizeof(double) * (nmh ? nmh : 1));
    /* zero-filled: the rows beyond nh stay 0 */
    b->pgen = nj_alloc(sizeof(nj_real) * (size_t)b->nthr * 2 * NJ_LEG_PIECE * b->nhp);
    /* per thread, 2 nh doubles: the recurrence state (or nj_legendre_m scratch) */
    b->gwork = malloc(sizeof(double) * (size_t)b->nthr * 2 * nh);
    b->asum = nj_alloc(sizeof(nj_real) * (size_t)b->nthr * ASUM);
    b->ls = nj_alloc(sizeof(nj_real) * p->nls * (size_t)p->max_cols);
    const size_t nfs = 2 * (size_t)p->nm * nh * (size_t)p->max_cols + NJ_FFT_VL;
    const size_t nfg = 2 * (size_t)(T + 1) * p->nhl * (size_t)p->max_cols + NJ_FFT_VL;
    b->four_s = nj_alloc(sizeof(nj_real) * nfs);
    if (p->nranks == 1) {
        b->four_g = b->four_s; /* identical layouts: no transposition */
    } else {
        b->four_g = nj_alloc(sizeof(nj_real) * nfg);
        b->stage = nj_alloc(sizeof(nj_real) * 2 * (size_t)p->nm * nh * (size_t)p->max_cols);
    }
    const int own = nj_rfft_supported(nlon);
    if (own) {
        b->rf = nj_rfft_create(nlon);
        b->lanes = nj_alloc(sizeof(nj_real) * (size_t)b->nthr * 4 * nlon * NJ_FFT_VL);
    }
    b->rstride = ((size_t)nlon + 15) / 16 * 16;
    /* rows of a block are read (written) one element each in turn: a stride of a
     * power of two bytes would put them all in one cache set */
    b->cstride = ((size_t)nc + 7) / 8 * 8;
    if ((b->cstride & (b->cstride - 1)) == 0 || b->cstride % 64 == 0) b->cstride += 4;
    if (!own) {
        b->rbuf = NJ_FFTW(alloc_real)((size_t)b->nthr * b->rstride);
        b->cbuf = NJ_FFTW(alloc_complex)((size_t)b->nthr * 2 * NJ_FFT_BLOCK * b->cstride);
    }
    if ((store && !b->tab) || !b->n0 || !b->s0 || !b->s1 || !b->pgen || !gen ||
        !b->gwork || !b->asum || !b->ls || !b->four_s || !b->four_g || (p->nranks > 1 && !b->stage) ||
        (own ? !b->rf || !b->lanes : !b->rbuf || !b->cbuf)) {
        nj_free(gen);
        cpu_fini(p);
        return nj_error(NJORD_ENOMEM,
                        "cpu backend: out of memory for the T%d %s and the work buffers "
                        "(nlat %d, nlon %d, max_batch %d)",
                        T, store ? "Legendre tables" : "recurrence states", p->nlat, nlon,
                        p->max_batch);
    }
    /* per m: the functions (column-major, in the thread's buffer) with their start
     * states (kept) and first row that is not negligible (jlo); then packed into
     * the table */
#pragma omp parallel for schedule(dynamic, 1) num_threads(b->nthr)
    for (int im = 0; im < p->nm; im++) {
        const int tid = nj_thread_id(), m = p->mloc[im];
        double *gw = b->gwork + (size_t)tid * 2 * nh;
        int *n0 = b->n0 + (size_t)im * nh;
        double *s0 = b->s0 + (size_t)im * nh, *s1 = b->s1 + (size_t)im * nh;
        nj_real *sym = gen + (size_t)tid * gsize, *anti = sym + (size_t)p->ns[im] * nh;
        p->jlo[im] = nj_legendre_m(m, T, nh, p->mu, p->coslat, n0, s0, s1, gw, sym, nh, anti,
                                   nh);
        if (store) {
            nj_real *ts = b->tab + p->ls_cum[im] * b->nhp, *ta = ts + (size_t)p->ns[im] * b->nhp;
            nj_leg_pack(nh, 0, p->ns[im], sym, nh, ts, p->ns[im]);
            nj_leg_pack(nh, 0, p->na[im], anti, nh, ta, p->na[im]);
        }
    }
    nj_free(gen);
    if (own) return NJORD_OK;
    /* FFTW_ESTIMATE: planning is deterministic, so every plan (and every MPI rank)
     * runs the same algorithm and rounds identically. */
#pragma omp critical(nj_fftw_planner)
    {
        b->r2c = NJ_FFTW(plan_dft_r2c_1d)(nlon, b->rbuf, b->cbuf, FFTW_ESTIMATE);
        b->c2r = NJ_FFTW(plan_dft_c2r_1d)(nlon, b->cbuf, b->rbuf,
                                          FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
    }
    if (!b->r2c || !b->c2r) {
        cpu_fini(p);
        return nj_error(NJORD_EINTERNAL, "cpu backend: FFTW could not plan nlon = %d", nlon);
    }
    return NJORD_OK;
}

static int cpu_ptr_ok(const njord_sht_plan *p, const void *ptr)
{
    (void)p;
    return ptr != NULL;
}

/* Address of LS row r of parity par for local m index im, column col, in a call
 * with ncol columns: per m and parity, row-major (the ncol values of one degree
 * adjacent), as the synthesis kernel reads them and the analysis kernel writes
 * them. */
static inline nj_real *ls_at(const njord_sht_plan *p, int im, int par, int r, int col, int ncol)
{
    nj_real *blk = BK(p)->ls + p->ls_cum[im] * (size_t)ncol;
    if (par) blk += (size_t)p->ns[im] * ncol;
    return blk + (size_t)r * ncol + col;
}

/* Complex offset of coefficient (m, n) of local field f. */
static inline size_t sp_at(const njord_sht_plan *p, int f, int im, int n)
{
    return p->nspec_loc * (size_t)f + p->soff[im] + (size_t)(n - p->mloc[im]);
}

static int cpu_spec_to_ls(njord_sht_plan *p, const nj_real *spec, int nf)
{
    const int T = p->T, ncol = 2 * nf;
#pragma omp parallel for schedule(dynamic, 4)
    for (int im = 0; im < p->nm; im++)
        for (int f = 0; f < nf; f++) {
            int m = p->mloc[im];
            for (int n = m; n <= T; n++) {
                const nj_real *c = spec + 2 * sp_at(p, f, im, n);
                int par = (n - m) & 1, r = (n - m) >> 1;
                *ls_at(p, im, par, r, 2 * f, ncol) = c[0];
                *ls_at(p, im, par, r, 2 * f + 1, ncol) = m ? c[1] : 0;
            }
        }
    return NJORD_OK;
}

static int cpu_ls_to_spec(njord_sht_plan *p, nj_real *spec, int nf)
{
    const int T = p->T, ncol = 2 * nf;
#pragma omp parallel for schedule(dynamic, 4)
    for (int im = 0; im < p->nm; im++)
        for (int f = 0; f < nf; f++) {
            int m = p->mloc[im];
            for (int n = m; n <= T; n++) {
                nj_real *c = spec + 2 * sp_at(p, f, im, n);
                int par = (n - m) & 1, r = (n - m) >> 1;
                c[0] = *ls_at(p, im, par, r, 2 * f, ncol);
                c[1] = m ? *ls_at(p, im, par, r, 2 * f + 1, ncol) : 0;
            }
        }
    return NJORD_OK;
}

/* Coefficients n-1, n, n+1 of field f as re/im pairs (0 outside m..T), times
 * the inverse Laplacian factor when invlap is set. */
static inline void nb3(const njord_sht_plan *p, const nj_real *spec, int f, int im, int n,
                       int invlap, nj_real out[6])
{
    const int T = p->T, m = p->mloc[im];
    for (int d = 0; d < 3; d++) {
        int k = n - 1 + d;
        if (!spec || k < m || k > T) {
            out[2 * d] = out[2 * d + 1] = 0;
            continue;
        }
        const nj_real *c = spec + 2 * sp_at(p, f, im, k);
        double s = invlap ? nj_invlap_factor(k, p->radius) : 1.0;
        out[2 * d] = (nj_real)(s * c[0]);
        out[2 * d + 1] = m ? (nj_real)(s * c[1]) : 0;
    }
}

static int cpu_vordiv_to_ls(njord_sht_plan *p, const nj_real *vor, const nj_real *div,
                            int potential, int nf)
{
    const int T = p->T, ncol = 4 * nf;
    const double inv_a = 1.0 / p->radius;
#pragma omp parallel for schedule(dynamic, 4)
    for (int im = 0; im < p->nm; im++)
        for (int f = 0; f < nf; f++) {
            int m = p->mloc[im];
            for (int k = m; k <= T + 1; k++) {
                nj_real psi[6], chi[6], U[2], V[2];
                nb3(p, vor, f, im, k, 1, psi);
                nb3(p, div, f, im, k, !potential, chi);
                nj_uv_coef(m, k, inv_a, psi, chi, U, V);
                int par = (k - m) & 1, r = (k - m) >> 1;
                *ls_at(p, im, par, r, 2 * f, ncol) = U[0];
                *ls_at(p, im, par, r, 2 * f + 1, ncol) = U[1];
                *ls_at(p, im, par, r, 2 * nf + 2 * f, ncol) = V[0];
                *ls_at(p, im, par, r, 2 * nf + 2 * f + 1, ncol) = V[1];
            }
        }
    return NJORD_OK;
}

static int cpu_ls_to_vordiv(njord_sht_plan *p, nj_real *vor, nj_real *div, int nf)
{
    const int T = p->T, ncol = 4 * nf;
    const double inv_a = 1.0 / p->radius;
#pragma omp parallel for schedule(dynamic, 4)
    for (int im = 0; im < p->nm; im++)
        for (int f = 0; f < nf; f++) {
            int m = p->mloc[im];
            for (int n = m; n <= T; n++) {
                nj_real a[6], bb[6], z[2], d[2];
                for (int q = 0; q < 3; q++) {
                    int k = n - 1 + q;
                    if (k < m) {
                        a[2 * q] = a[2 * q + 1] = bb[2 * q] = bb[2 * q + 1] = 0;
                        continue;
                    }
                    int par = (k - m) & 1, r = (k - m) >> 1;
                    a[2 * q] = *ls_at(p, im, par, r, 2 * f, ncol);
                    a[2 * q + 1] = *ls_at(p, im, par, r, 2 * f + 1, ncol);
                    bb[2 * q] = *ls_at(p, im, par, r, 2 * nf + 2 * f, ncol);
                    bb[2 * q + 1] = *ls_at(p, im, par, r, 2 * nf + 2 * f + 1, ncol);
                }
                nj_vordiv_coef(m, n, inv_a, a, bb, z, d);
                size_t i = 2 * sp_at(p, f, im, n);
                vor[i] = z[0];
                vor[i + 1] = m ? z[1] : 0;
                div[i] = d[0];
                div[i + 1] = m ? d[1] : 0;
            }
        }
    return NJORD_OK;
}

/* Synthesis products of one block of regenerated functions (the block buffers ps
 * and pa, columns NJ_LEG_JR apart): called by nj_legendre_gen_blocks. */
struct syn_block_ctx {
    const nj_real *ps, *pa;
    int cs, ca, ncol, accumulate;
    const nj_real *lsr, *lar;
    nj_real *S, *A;
    int nh;
};

static void syn_block(void *v, int j, int rows)
{
    const struct syn_block_ctx *c = v;
    nj_leg_syn(rows, 0, c->cs, c->ps, c->cs, c->lsr, c->ncol, c->accumulate, c->S + j, c->nh);
    if (c->ca > 0)
        nj_leg_syn(rows, 0, c->ca, c->pa, c->ca, c->lar, c->ncol, c->accumulate, c->A + j, c->nh);
}

/* Analysis lane sums of one block of regenerated functions (nj_leg_ana_lanes):
 * called by nj_legendre_gen_blocks. */
struct ana_block_ctx {
    const nj_real *ps, *pa;
    int cs, ca, ncol, nh;
    const nj_real *S, *A;
    nj_real *accs, *acca, *tails, *taila;
    int rts, rta;
};

static void ana_block(void *v, int j, int rows)
{
    struct ana_block_ctx *c = v;
    nj_leg_ana_lanes(j, rows, c->cs, c->ps, c->S, c->nh, c->ncol, c->accs, c->tails, &c->rts);
    if (c->ca > 0)
        nj_leg_ana_lanes(j, rows, c->ca, c->pa, c->A, c->nh, c->ncol, c->acca, c->taila, &c->rta);
}

/* The tables a call with ncol columns reads, or NULL: it regenerates the
 * functions (no tables stored, or few columns and large tables). */
static inline const nj_real *cpu_tables(const nj_cpu_sht *b, int ncol)
{
    return ncol > b->regen_cols ? b->tab : NULL;
}

static int cpu_legendre(njord_sht_plan *p, int ncol, int ext, int forward)
{
    nj_cpu_sht *b = BK(p);
    const int T = p->T, nh = p->nh, nhp = b->nhp, nthr = NJ_MIN(b->nthr, nj_max_threads());
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthr)
    for (int im = 0; im < p->nm; im++) { /* local wavenumber index: per-m arrays are local */
        const nj_leg_block k = nj_legendre_block(p, NULL, b->ls, b->four_s, im, ncol, ext);
        nj_real *ls = k.ls, *la = k.la, *S = k.S, *A = k.A;
        const int m = p->mloc[im], ks = k.ks, ka = k.ka, j0 = k.j0, mr = nh - j0;
        const int lds = p->ns[im], lda = p->na[im], tid = nj_thread_id();
        if (!forward && j0 > 0)
            for (int c = 0; c < ncol; c++) {
                memset(S + (size_t)c * nh, 0, sizeof(nj_real) * (size_t)j0);
                memset(A + (size_t)c * nh, 0, sizeof(nj_real) * (size_t)j0);
            }
        if (mr == 0) {
            if (!forward) continue;
            memset(ls, 0, sizeof(nj_real) * (size_t)ks * ncol);
            memset(la, 0, sizeof(nj_real) * (size_t)ka * ncol);
            continue;
        }
        if (!forward && ka == 0)
            for (int c = 0; c < ncol; c++)
                memset(A + (size_t)c * nh + j0, 0, sizeof(nj_real) * (size_t)mr);
        /* the functions: from the table, all degrees at once; or regenerated in
         * pieces (per parity: NJ_LEG_PIECE degrees for the synthesis and the
         * analysis of one field, block by block of rows; NJ_LEG_PIECE_ANA for
         * the other analyses, into packed panels), a synthesis accumulating the
         * pieces in order of degree */
        const nj_real *tab = cpu_tables(b, ncol);
        const int lanes = !tab && forward && ncol <= NJ_ANA_LANES_COLS;
        const int piece = tab ? ks : forward && !lanes ? NJ_LEG_PIECE_ANA : NJ_LEG_PIECE;
        const size_t o = (size_t)im * nh;
        double *gw = b->gwork + (size_t)tid * 2 * nh;
        nj_real *pg = b->pgen + (size_t)tid * 2 * NJ_LEG_PIECE * nhp;
        /* regenerated from the first row of j0's block: the rows before j0
         * regenerate as 0 (nj_legendre_m marks them), and whole blocks are faster */
        const int ja = j0 / NJ_LEG_JR * NJ_LEG_JR;
        for (int r0 = 0; r0 < ks; r0 += piece) {
            const int cs = NJ_MIN(piece, ks - r0), ca = NJ_MAX(0, NJ_MIN(piece, ka - r0));
            nj_real *lsr = ls + (size_t)r0 * ncol, *lar = la + (size_t)r0 * ncol;
            const int n1 = m + 2 * r0, n2 = NJ_MIN(ext ? T + 1 : T, m + 2 * (r0 + piece) - 1);
            if (!tab && (lanes || !forward)) {
                /* each block's products (synthesis) or lane sums (analysis)
                 * right after its functions */
                nj_real *ps = pg, *pa = pg + (size_t)NJ_LEG_PIECE * NJ_LEG_JR;
                nj_real *acc = b->asum + (size_t)tid * ASUM;
                struct syn_block_ctx sc = {ps, pa, cs, ca, ncol, r0 > 0, lsr, lar, S, A, nh};
                struct ana_block_ctx ac = {ps, pa, cs, ca, ncol, nh, S, A, acc, acc + ASUM_LANES,
                                           acc + 2 * ASUM_LANES,
                                           acc + 2 * ASUM_LANES + (size_t)NJ_LEG_PIECE * NJ_LEG_VL,
                                           nh, nh};
                if (lanes) {
                    memset(ac.accs, 0, sizeof(nj_real) * (size_t)cs * ncol * NJ_LEG_VL);
                    memset(ac.acca, 0, sizeof(nj_real) * (size_t)ca * ncol * NJ_LEG_VL);
                }
                nj_legendre_gen_blocks(m, n1, n2, ja, nh, p->mu, b->n0 + o, b->s0 + o,
                                       b->s1 + o, gw, gw + nh, NJ_LEG_JR, ps, pa,
                                       lanes ? ana_block : syn_block,
                                       lanes ? (void *)&ac : (void *)&sc);
                if (lanes) {
                    nj_leg_ana_lanes_end(cs, ncol, ac.accs, ac.tails, ac.rts, nh, S, nh, lsr, ncol);
                    if (ca > 0)
                        nj_leg_ana_lanes_end(ca, ncol, ac.acca, ac.taila, ac.rta, nh, A, nh, lar,
                                             ncol);
                }
                continue;
            }
            const nj_real *ts, *ta;
            int kds, kda;
            if (tab) {
                ts = tab + p->ls_cum[im] * nhp;
                ta = ts + (size_t)lds * nhp;
                kds = lds;
                kda = lda;
            } else {
                nj_legendre_gen(m, n1, n2, ja, nh, p->mu, b->n0 + o, b->s0 + o, b->s1 + o, gw,
                                gw + nh, NJ_LEG_JR, pg, piece, pg + (size_t)piece * nhp, piece);
                ts = pg;
                ta = pg + (size_t)piece * nhp;
                kds = kda = piece;
            }
            if (!forward) {
                nj_leg_syn(nh, j0, cs, ts, kds, lsr, ncol, r0 > 0, S, nh);
                if (ca > 0) nj_leg_syn(nh, j0, ca, ta, kda, lar, ncol, r0 > 0, A, nh);
            } else {
                nj_leg_ana(nh, j0, cs, ts, kds, S, nh, ncol, lsr, ncol);
                if (ca > 0) nj_leg_ana(nh, j0, ca, ta, kda, A, nh, ncol, lar, ncol);
            }
        }
    }
    return NJORD_OK;
}

double nj_sht_legendre_table_bytes(const njord_sht_plan *p, int ncol, int ext)
{
    if (!p || p->ops != &nj_cpu_backend || !p->bk) return -1;
    const nj_cpu_sht *b = BK(p);
    if (!cpu_tables(b, ncol)) return 0;
    double bytes = 0; /* as cpu_legendre reads them: from the block of jlo on */
    for (int im = 0; im < p->nm; im++) {
        const nj_leg_block k = nj_legendre_block(p, NULL, b->ls, b->four_s, im, ncol, ext);
        if (k.j0 >= p->nh) continue;
        bytes += (double)(k.ks + k.ka) * (b->nhp - k.j0 / NJ_LEG_JR * NJ_LEG_JR) * sizeof(nj_real);
    }
    return bytes;
}

static int cpu_legendre_inv(njord_sht_plan *p, int ncol, int ext)
{
    return cpu_legendre(p, ncol, ext, 0);
}

static int cpu_legendre_fwd(njord_sht_plan *p, int ncol, int ext)
{
    return cpu_legendre(p, ncol, ext, 1);
}

/* Whether a grid row has the alignment the FFT plans were made for (that of the
 * row scratch), so that they can read or write it in place. The plan, and so the
 * arithmetic, is the same either way. */
static inline int fft_aligned(const nj_cpu_sht *b, const nj_real *row)
{
    return NJ_FFTW(alignment_of)((nj_real *)row) == NJ_FFTW(alignment_of)(b->rbuf);
}

/* The FFT stage with the own FFTs: NJ_FFT_VL latitude pairs of one field per
 * task, their northern rows in the lanes of one set of buffers and their southern
 * rows in another (lanes beyond the block's pairs compute on zeros or on
 * neighbouring values and are not stored). Per element, the same formulas as the
 * FFTW path (kernels/common/sht_point.h). */
#define VL NJ_FFT_VL
static int own_fft_inv(njord_sht_plan *p, nj_real *grid, int f0, int nf, int ncol,
                       enum nj_rowscale scale)
{
    nj_cpu_sht *b = BK(p);
    const int T = p->T, nhl = p->nhl, nrows = p->nrows, nlon = p->nlon;
    const size_t astride = (size_t)nhl * ncol, L = (size_t)nlon * VL;
    const double *sc = p->syn_scale[scale] + p->j0;
    const int nthr = NJ_MIN(b->nthr, nj_max_threads()), nblk = (nhl + VL - 1) / VL;
#pragma omp parallel for schedule(static) num_threads(nthr)
    for (int q = 0; q < nf * nblk; q++) {
        const int f = q / nblk, jb = (q % nblk) * VL, nb = NJ_MIN(VL, nhl - jb);
        nj_real *xn = b->lanes + (size_t)nj_thread_id() * 4 * L, *xs = xn + L, *w = xs + L,
                *x = w + L;
        double scl[VL];
        for (int r = 0; r < VL; r++) scl[r] = r < nb ? sc[jb + r] : 0.0;
        nj_rfft_pairs_in(T, b->four_g + (size_t)nhl * 2 * (f0 + f) + jb, p->kpos, astride, nhl,
                         scl, xn, xs);
        nj_real *rows[VL];
        int ns = 0;
        nj_rfft_inv(b->rf, xn, T, w, x);
        for (int r = 0; r < nb; r++) rows[r] = grid + ((size_t)f * nrows + jb + r) * nlon;
        nj_rfft_lanes_to_rows(nlon, nb, x, rows);
        for (int r = 0; r < nb; r++)
            if (nrows - 1 - (jb + r) != jb + r) {
                rows[r] = grid + ((size_t)f * nrows + nrows - 1 - (jb + r)) * nlon;
                ns = r + 1;
            }
        if (ns > 0) {
            nj_rfft_inv(b->rf, xs, T, w, x);
            nj_rfft_lanes_to_rows(nlon, ns, x, rows);
        }
    }
    return NJORD_OK;
}

static int own_fft_fwd(njord_sht_plan *p, const nj_real *grid, int f0, int nf, int ncol,
                       enum nj_rowscale scale)
{
    nj_cpu_sht *b = BK(p);
    const int T = p->T, nhl = p->nhl, nrows = p->nrows, nlon = p->nlon;
    const size_t astride = (size_t)nhl * ncol, L = (size_t)nlon * VL;
    const double *sc = p->ana_scale[scale] + p->j0;
    const int nthr = NJ_MIN(b->nthr, nj_max_threads()), nblk = (nhl + VL - 1) / VL;
#pragma omp parallel for schedule(static) num_threads(nthr)
    for (int q = 0; q < nf * nblk; q++) {
        const int f = q / nblk, jb = (q % nblk) * VL, nb = NJ_MIN(VL, nhl - jb);
        nj_real *xn = b->lanes + (size_t)nj_thread_id() * 4 * L, *xs = xn + L, *w = xs + L,
                *x = w + L;
        const nj_real *rows[VL];
        int ns = 0, eq[VL];
        double fac[VL];
        for (int r = 0; r < nb; r++) {
            rows[r] = grid + ((size_t)f * nrows + jb + r) * nlon;
            fac[r] = sc[jb + r] / nlon;
        }
        nj_rfft_rows_to_lanes(nlon, nb, rows, x);
        nj_rfft_fwd(b->rf, x, w, T, xn);
        for (int r = 0; r < nb; r++) {
            int south = nrows - 1 - (jb + r);
            eq[r] = south == jb + r;
            rows[r] = grid + ((size_t)f * nrows + south) * nlon;
            if (!eq[r]) ns = r + 1;
        }
        if (ns > 0) { /* the equator row, if any, is the block's last */
            nj_rfft_rows_to_lanes(nlon, ns, rows, x);
            nj_rfft_fwd(b->rf, x, w, T, xs);
        }
        nj_rfft_pairs_out(T, xn, xs, nb, eq[nb - 1], fac,
                          b->four_g + (size_t)nhl * 2 * (f0 + f) + jb, p->kpos, astride, nhl);
    }
    return NJORD_OK;
}
#undef VL

/* Grid-side Fourier buffer: block of m at 2 * kpos[m] * nhl * ncol, [nhl x ncol] S
 * then A, row jl = local latitude pair. The FFT stage takes NJ_FFT_BLOCK latitude
 * pairs at a time: for each m their S and A values are adjacent (one cache line),
 * so the buffer is read once per block instead of once per latitude. The
 * arithmetic per element is the same as pair by pair. */
static int cpu_fft_inv(njord_sht_plan *p, nj_real *grid, int f0, int nf, int ncol,
                       enum nj_rowscale scale)
{
    nj_cpu_sht *b = BK(p);
    if (b->rf) return own_fft_inv(p, grid, f0, nf, ncol, scale);
    const int T = p->T, nhl = p->nhl, nrows = p->nrows, nlon = p->nlon, nc = nlon / 2 + 1;
    const size_t astride = (size_t)nhl * ncol;
    const double *sc = p->syn_scale[scale] + p->j0;
    const int nthr = NJ_MIN(b->nthr, nj_max_threads());
    const int nblk = (nhl + NJ_FFT_BLOCK - 1) / NJ_FFT_BLOCK;
#pragma omp parallel for schedule(static) num_threads(nthr)
    for (int q = 0; q < nf * nblk; q++) {
        int f = q / nblk, jb = (q % nblk) * NJ_FFT_BLOCK, tid = nj_thread_id();
        int nb = NJ_MIN(NJ_FFT_BLOCK, nhl - jb);
        nj_real *rb = b->rbuf + (size_t)tid * b->rstride;
        NJ_FFTW(complex) *cb = b->cbuf + (size_t)tid * 2 * NJ_FFT_BLOCK * b->cstride;
        int col = 2 * (f0 + f);
        /* wavenumber by wavenumber: the S and A values of the block's latitudes are
         * adjacent in four_g (whole cache lines), and the 2 nb row buffers are
         * written one element each, at a stride that is not a power of two */
        const nj_real *base = b->four_g + (size_t)nhl * col + jb;
        for (int m = 0; m <= T; m++) {
            const nj_real *s = base + 2 * (size_t)p->kpos[m] * astride;
            const nj_real *a = s + astride;
            for (int jj = 0; jj < nb; jj++) {
                NJ_FFTW(complex) *rn = cb + (size_t)(2 * jj) * b->cstride, *rs = rn + b->cstride;
                const double scj = sc[jb + jj];
                nj_pair_to_row(s[jj], s[nhl + jj], a[jj], a[nhl + jj], 1.0, scj, rn[m]);
                nj_pair_to_row(s[jj], s[nhl + jj], a[jj], a[nhl + jj], -1.0, scj, rs[m]);
            }
        }
        for (int jj = 0; jj < nb; jj++) {
            int jl = jb + jj, south = nrows - 1 - jl;
            for (int h = 0; h < (south == jl ? 1 : 2); h++) {
                NJ_FFTW(complex) *row = cb + (size_t)(2 * jj + h) * b->cstride;
                memset(row + T + 1, 0, sizeof(NJ_FFTW(complex)) * (size_t)(nc - T - 1));
                nj_real *out = grid + ((size_t)f * nrows + (h ? south : jl)) * nlon;
                if (fft_aligned(b, out)) {
                    NJ_FFTW(execute_dft_c2r)(b->c2r, row, out);
                } else {
                    NJ_FFTW(execute_dft_c2r)(b->c2r, row, rb);
                    memcpy(out, rb, sizeof(nj_real) * nlon);
                }
            }
        }
    }
    return NJORD_OK;
}

static int cpu_fft_fwd(njord_sht_plan *p, const nj_real *grid, int f0, int nf, int ncol,
                       enum nj_rowscale scale)
{
    nj_cpu_sht *b = BK(p);
    if (b->rf) return own_fft_fwd(p, grid, f0, nf, ncol, scale);
    const int T = p->T, nhl = p->nhl, nrows = p->nrows, nlon = p->nlon;
    const size_t astride = (size_t)nhl * ncol;
    const double *sc = p->ana_scale[scale] + p->j0;
    const int nthr = NJ_MIN(b->nthr, nj_max_threads());
    const int nblk = (nhl + NJ_FFT_BLOCK - 1) / NJ_FFT_BLOCK;
#pragma omp parallel for schedule(static) num_threads(nthr)
    for (int q = 0; q < nf * nblk; q++) {
        int f = q / nblk, jb = (q % nblk) * NJ_FFT_BLOCK, tid = nj_thread_id();
        int nb = NJ_MIN(NJ_FFT_BLOCK, nhl - jb);
        nj_real *rb = b->rbuf + (size_t)tid * b->rstride;
        NJ_FFTW(complex) *cb = b->cbuf + (size_t)tid * 2 * NJ_FFT_BLOCK * b->cstride;
        for (int jj = 0; jj < nb; jj++) {
            int jl = jb + jj, south = nrows - 1 - jl;
            for (int h = 0; h < (south == jl ? 1 : 2); h++) {
                const nj_real *in = grid + ((size_t)f * nrows + (h ? south : jl)) * nlon;
                NJ_FFTW(complex) *row = cb + (size_t)(2 * jj + h) * b->cstride;
                if (fft_aligned(b, in)) {
                    NJ_FFTW(execute_dft_r2c)(b->r2c, (nj_real *)in, row); /* preserves in */
                } else {
                    memcpy(rb, in, sizeof(nj_real) * nlon);
                    NJ_FFTW(execute_dft_r2c)(b->r2c, rb, row);
                }
            }
        }
        int col = 2 * (f0 + f);
        nj_real *base = b->four_g + (size_t)nhl * col + jb;
        double fac[NJ_FFT_BLOCK];
        int eq[NJ_FFT_BLOCK];
        for (int jj = 0; jj < nb; jj++) {
            fac[jj] = sc[jb + jj] / nlon;
            eq[jj] = (nrows - 1 - (jb + jj) == jb + jj);
        }
        for (int m = 0; m <= T; m++) {
            nj_real *s = base + 2 * (size_t)p->kpos[m] * astride;
            nj_real *a = s + astride;
            for (int jj = 0; jj < nb; jj++) {
                const NJ_FFTW(complex) *cn = cb + (size_t)(2 * jj) * b->cstride;
                const NJ_FFTW(complex) *cs = cn + b->cstride;
                for (int c = 0; c < 2; c++)
                    nj_row_to_pair(cn[m][c], eq[jj] ? 0.0 : cs[m][c], eq[jj], fac[jj],
                                   &s[c * nhl + jj], &a[c * nhl + jj]);
            }
        }
    }
    return NJORD_OK;
}

/* Transposition: the grid-side buffer is already grouped by destination rank, so
 * it is sent (or received) in place; the spectral side goes through the staging
 * buffer (index map in kernels/common/xpose_point.h). */
static int cpu_xpose(njord_sht_plan *p, int ncol, int to_spec)
{
    if (p->nranks == 1) return NJORD_OK;
    nj_cpu_sht *b = BK(p);
    int st = nj_par_xcounts(p, ncol, to_spec);
    if (st) return st;
    const int R = p->nranks, nh = p->nh, nm = p->nm;
    int *sc = p->xcounts, *sd = sc + R, *rc = sd + R, *rd = rc + R;
    const size_t nrow = (size_t)nm * 2 * ncol; /* rows (im, part, col) of four_s */
    if (!to_spec) { /* pack four_s -> stage */
#pragma omp parallel for schedule(static)
        for (size_t row = 0; row < nrow; row++)
            for (int q = 0; q < R; q++)
                for (int j = p->r_j0[q]; j < p->r_j0[q] + p->r_nhl[q]; j++)
                    b->stage[nj_xpose_stage_index(row, j, p->r_j0[q], p->r_nhl[q], nm, ncol)] =
                        b->four_s[row * nh + j];
    }
    int rc_mpi = to_spec ? MPI_Alltoallv(b->four_g, sc, sd, NJ_MPI_REAL, b->stage, rc, rd,
                                         NJ_MPI_REAL, p->comm)
                         : MPI_Alltoallv(b->stage, sc, sd, NJ_MPI_REAL, b->four_g, rc, rd,
                                         NJ_MPI_REAL, p->comm);
    if (rc_mpi != MPI_SUCCESS) return nj_error(NJORD_EMPI, "sht transposition: MPI_Alltoallv failed");
    if (to_spec) { /* unpack stage -> four_s */
#pragma omp parallel for schedule(static)
        for (size_t row = 0; row < nrow; row++)
            for (int q = 0; q < R; q++)
                for (int j = p->r_j0[q]; j < p->r_j0[q] + p->r_nhl[q]; j++)
                    b->four_s[row * nh + j] =
                        b->stage[nj_xpose_stage_index(row, j, p->r_j0[q], p->r_nhl[q], nm, ncol)];
    }
    return NJORD_OK;
}

static int cpu_spec_scale(const njord_sht_plan *p, const nj_real *in, nj_real *out, int nf,
                          int inverse)
{
    const int T = p->T;
    for (int f = 0; f < nf; f++)
        for (int im = 0; im < p->nm; im++)
            for (int n = p->mloc[im]; n <= T; n++) {
                size_t i = 2 * sp_at(p, f, im, n);
                nj_spec_scale_coef(p->mloc[im], n, p->radius, inverse, in + i, out + i);
            }
    return NJORD_OK;
}

const nj_sht_backend nj_cpu_backend = {
    .name = "cpu",
    .init = cpu_init,
    .fini = cpu_fini,
    .spec_to_ls = cpu_spec_to_ls,
    .ls_to_spec = cpu_ls_to_spec,
    .vordiv_to_ls = cpu_vordiv_to_ls,
    .ls_to_vordiv = cpu_ls_to_vordiv,
    .legendre_inv = cpu_legendre_inv,
    .legendre_fwd = cpu_legendre_fwd,
    .xpose = cpu_xpose,
    .fft_inv = cpu_fft_inv,
    .fft_fwd = cpu_fft_fwd,
    .spec_scale = cpu_spec_scale,
    .ptr_ok = cpu_ptr_ok,
    .alloc = nj_cpu_alloc,
    .free = nj_cpu_free,
    .to_host = nj_cpu_copy,
    .from_host = nj_cpu_copy,
    .axpby = nj_cpu_axpby,
    .sw_fluxes = nj_cpu_sw_fluxes,
    .spec_degree_scale = nj_cpu_spec_degree_scale,
    .sw_implicit = nj_cpu_sw_implicit,
    .find_nonfinite = nj_cpu_find_nonfinite,
    .pe_columns = nj_cpu_pe_columns,
    .pe_implicit = nj_cpu_pe_implicit,
};
