/*
 * bench/bench_sht.c — spherical-harmonic transform benchmark for Njord.
 *
 * Build once per precision:
 *   cc -O2 -fopenmp -Iinclude bench/bench_sht.c build/dp/libnjord.a $(LIBS) -o bench_sht_dp
 *   cc -O2 -fopenmp -DNJORD_SINGLE -Iinclude bench/bench_sht.c build/sp/libnjord_sp.a $(LIBS) -o bench_sht_sp
 *
 * Usage:
 *   bench_sht [-T 85,170,341,682] [-n 1,20] [-o out.json] [-t min_seconds] [-r max_reps]
 *             [-g gemm_n]
 *
 * For each truncation T (quadratic Gaussian grid) and each number of fields it
 * times, with clock_gettime(CLOCK_MONOTONIC), the median over repetitions of
 *   - the scalar pair     njord_sht_synth + njord_sht_analysis
 *   - the vector pair     njord_sht_uv_from_vordiv + njord_sht_vordiv_from_uv
 * and, when the library exports nj_sht_stage_times(), the part of each spent in
 * the Legendre stage. The Legendre flop count is the GEMM count of the
 * even/odd (symmetric/antisymmetric) formulation:
 *   per direction, per m: 2*nh*Ke*(2*nf) + 2*nh*Ko*(2*nf) flops,
 *   nh = nlat/2, Ke/Ko = number of n in [m, T] with n-m even/odd
 * (vector pair: 2*nf fields, u and v, and n up to T+1).
 * In the same run it measures the machine's xGEMM rate (DGEMM, or SGEMM in the
 * single build), with the same OpenMP thread count as the transforms, on
 *   (a) the very GEMM sequence of that formulation (same shapes, a table of the
 *       same size, so the same memory traffic), run once after every timed
 *       repetition of a transform so that both see the same machine state; the
 *       fraction "Legendre rate / GEMM rate" is taken per repetition, then the
 *       median;
 *   (b) a large square product (2000^3 by default), once per process.
 *
 * Each case also records foreign_cpu: the share of the machine's CPU time that
 * other processes (and the hypervisor's steal) took while it ran, from
 * /proc/stat minus this process's own usage; above 10% its times are suspect,
 * and the case is timed again (3 attempts at most, the least disturbed kept).
 *
 * Benchmarks never assert on time: the program measures and reports. It exits
 * non-zero only when it cannot run at all.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>
#include <omp.h>

#include <njord/core.h>
#include <njord/sht.h>

#ifdef NJORD_SINGLE
#define XGEMM cblas_sgemm
#define GEMM_NAME "sgemm"
#define PREC_NAME "single"
#else
#define XGEMM cblas_dgemm
#define GEMM_NAME "dgemm"
#define PREC_NAME "double"
#endif

/* Internal per-stage timing of a plan (lib/sht/plan.h). Declared weak here so
 * that the benchmark still builds and runs against a library without it: the
 * Legendre-only numbers are then reported as null. The symbol must live in the
 * same object file as njord_sht_plan_create (or the link must use
 * -Wl,-u,nj_sht_stage_times), since a weak reference does not pull an archive
 * member in by itself. */
extern int nj_sht_stage_times(const njord_sht_plan *p, double *t_fft,
                              double *t_legendre, double *t_other)
    __attribute__((weak));
extern void nj_sht_stage_times_reset(njord_sht_plan *p) __attribute__((weak));
/* Rows (of nlat/2) the Legendre step uses for wavenumber m: the library skips the
 * polar rows where every P_n^m is negligible (lib/sht/plan.h); without the
 * symbol, all rows. */
extern int nj_sht_legendre_rows(const njord_sht_plan *p, int m) __attribute__((weak));
/* Bytes of stored Legendre functions one direction reads for ncol columns (0:
 * regenerated; -1: not known); without the symbol, the traffic model is null. */
extern double nj_sht_legendre_table_bytes(const njord_sht_plan *p, int ncol, int ext)
    __attribute__((weak));

/* ------------------------------------------------------------------ utils */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    if (n <= 0) return NAN;
    double *w = malloc(sizeof(double) * (size_t)n);
    if (!w) return NAN;
    memcpy(w, v, sizeof(double) * (size_t)n);
    qsort(w, (size_t)n, sizeof(double), cmp_double);
    double m = (n % 2) ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
    free(w);
    return m;
}

static double minimum(const double *v, int n)
{
    double m = INFINITY;
    for (int i = 0; i < n; i++)
        if (v[i] < m) m = v[i];
    return m;
}

/* CPU seconds used so far by the whole machine (all processes, from /proc/stat)
 * and by this process. Their difference over a case is the CPU time other
 * processes took meanwhile: on a shared 2-core box that is what spoils timings. */
static void cpu_snapshot(double *machine_s, double *self_s)
{
    *machine_s = NAN;
    FILE *f = fopen("/proc/stat", "r");
    if (f) {
        unsigned long long v[10] = {0};
        if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
            long hz = sysconf(_SC_CLK_TCK);
            /* user nice system [idle iowait] irq softirq steal */
            *machine_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (hz > 0 ? hz : 100);
        }
        fclose(f);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *self_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
              (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static int ncpus_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

static void *xalloc(size_t bytes)
{
    size_t b = (bytes + 63) / 64 * 64;
    if (b == 0) b = 64;
    void *p = aligned_alloc(64, b);
    if (!p) {
        fprintf(stderr, "bench_sht: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    memset(p, 0, b);
    return p;
}

static int parse_list(const char *s, int *out, int maxn)
{
    int n = 0;
    while (*s && n < maxn) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s) break;
        if (v > 0) out[n++] = (int)v;
        s = end;
        while (*s == ',' || *s == ' ') s++;
    }
    return n;
}

/* Random band-limited spectral field(s): coefficients decay like 1/(n+1), the
 * imaginary part of m = 0 is zero, and when skip_mean the n = 0 term is zero. */
static void random_spec(int T, njord_real *spec, int nfields, double scale, int skip_mean)
{
    size_t nspec = NJORD_SHT_NSPEC(T);
    for (int f = 0; f < nfields; f++) {
        njord_real *s = spec + (size_t)f * 2 * nspec;
        for (int m = 0; m <= T; m++)
            for (int n = m; n <= T; n++) {
                size_t k = njord_sht_index(T, m, n);
                double a = scale / (n + 1);
                s[2 * k] = (njord_real)(a * urand());
                s[2 * k + 1] = (m == 0) ? 0 : (njord_real)(a * urand());
                if (skip_mean && n == 0) s[2 * k] = s[2 * k + 1] = 0;
            }
    }
}

/* max |a-b| / max |b| over the spectral coefficients, ignoring n = 0 if asked. */
static double spec_relerr(int T, const njord_real *a, const njord_real *b, int nfields,
                          int skip_mean)
{
    size_t nspec = NJORD_SHT_NSPEC(T);
    double emax = 0, bmax = 0;
    for (int f = 0; f < nfields; f++)
        for (int m = 0; m <= T; m++)
            for (int n = m; n <= T; n++) {
                if (skip_mean && n == 0) continue;
                size_t k = (size_t)f * nspec + njord_sht_index(T, m, n);
                for (int c = 0; c < 2; c++) {
                    if (m == 0 && c == 1) continue;
                    double d = fabs((double)a[2 * k + c] - (double)b[2 * k + c]);
                    double v = fabs((double)b[2 * k + c]);
                    if (d > emax || d != d) emax = d;
                    if (v > bmax) bmax = v;
                }
            }
    return bmax > 0 ? emax / bmax : emax;
}

/* Legendre flops for one transform direction of nf real fields (2 columns each,
 * re and im) with orders m = 0..T and degrees n = m..nmax: per m two GEMMs,
 * 2*rows[m]*K*(2*nf) flops each, K = number of n - m even (resp. odd), rows[m] the
 * latitude rows of a hemisphere in use (nlat/2 but for the negligible polar rows
 * the library skips): the flops executed. Scalar transforms: nmax = T, nf
 * fields. Vector transforms: nmax = T+1 (winds need degree T+1), 2*nf fields (u
 * and v). */
static double legendre_flops_dir(int T, int nmax, const int *rows, int nf)
{
    double fl = 0;
    for (int m = 0; m <= T; m++) {
        int ke = (nmax - m) / 2 + 1;     /* n - m even */
        int ko = (nmax - m + 1) / 2;     /* n - m odd */
        fl += 2.0 * rows[m] * ke * (2.0 * nf) + 2.0 * rows[m] * ko * (2.0 * nf);
    }
    return fl;
}

/* Bytes the Legendre stage of one pair moves between memory and the cores when
 * nothing stays cached from one stage to the next (as in a model step, where
 * the FFTs and the grid-point computations pass over the data in between): the
 * synthesis reads the LS buffer (nls * ncol values) and the stored functions,
 * and writes the Fourier buffer (2 (T+1) nh ncol values; a written line is read
 * first, so twice); the analysis reads the Fourier buffer and the functions and
 * writes the LS buffer (twice). table_bytes: per direction, 0 where the
 * functions are regenerated. Left out, as small next to the rest with many
 * fields: the recurrence's start states a regeneration reads (20 bytes per row
 * and m per direction: 3 MB per pair at T341, a quarter of the total for one
 * field); counted in: the polar rows the analysis skips (2 % at T341). */
static double legendre_bytes_pair(int T, int nh, int nmax, int ncol, double table_bytes)
{
    double nls = 0;
    for (int m = 0; m <= T; m++) nls += nmax - m + 1;
    const double ls = nls * ncol * sizeof(njord_real);
    const double four = 2.0 * (T + 1) * nh * ncol * sizeof(njord_real);
    return 3 * ls + 3 * four + 2 * table_bytes;
}

/* The stored functions one direction reads (nj_sht_legendre_table_bytes), or
 * -1 where the library does not say. */
static double table_bytes(const njord_sht_plan *p, int ncol, int ext)
{
    return nj_sht_legendre_table_bytes ? nj_sht_legendre_table_bytes(p, ncol, ext) : -1;
}

/* Rate of reading memory in GB/s: a sum over 768 MiB = 805 MB (three times the largest
 * last-level cache seen on these machines) by all threads, the fastest of the
 * repetitions (as for the GEMM: noise only slows). */
static double mem_read_rate(size_t *bytes_out)
{
    const size_t n = (size_t)96 << 20;
    double *a = malloc(n * sizeof *a);
    *bytes_out = n * sizeof *a;
    if (!a) return NAN;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = 1.0;
    double best = INFINITY, s = 0;
    for (int r = 0; r < 5; r++) {
        double t = now_s();
#pragma omp parallel for simd schedule(static) reduction(+ : s)
        for (size_t i = 0; i < n; i++) s += a[i];
        t = now_s() - t;
        if (t < best) best = t;
    }
    free(a);
    if (s != 5.0 * (double)n) return NAN; /* every value read */
    return (double)n * sizeof(double) / best * 1e-9;
}

/* ------------------------------------------------------------ GEMM rates */

/* Rate of a large square xGEMM (n x n x n) in GFLOP/s, from the fastest of the
 * repetitions: this is the machine's peak reference, and noise only slows. */
static double gemm_square_rate(int n, int *reps_out)
{
    size_t nn = (size_t)n * (size_t)n;
    njord_real *A = xalloc(nn * sizeof(njord_real));
    njord_real *B = xalloc(nn * sizeof(njord_real));
    njord_real *C = xalloc(nn * sizeof(njord_real));
    for (size_t i = 0; i < nn; i++) {
        A[i] = (njord_real)urand();
        B[i] = (njord_real)urand();
    }
    XGEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
    double t[16];
    int reps = 0;
    double t0 = now_s();
    while (reps < 16 && (reps < 3 || now_s() - t0 < 1.0)) {
        double a = now_s();
        XGEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
        t[reps++] = now_s() - a;
    }
    free(A);
    free(B);
    free(C);
    *reps_out = reps;
    return 2.0 * n * (double)n * n / minimum(t, reps) * 1e-9;
}

/* The GEMM sequence of the even/odd Legendre formulation for one pair
 * (synthesis direction, C = P B, then analysis direction, B = P^T C) with a
 * packed table of the full size (so the same memory traffic as the library).
 * The table depends on T only; B and C are sized for max_nf fields. */
typedef struct {
    int T, nh, kmax;
    const int *rows; /* [T+1] latitude rows per m, as the transform uses them */
    njord_real *P, *B, *C, *B2; /* B2: the analysis output, so that B stays as drawn
                                   (writing back into B would scale it by P^T P on every
                                   repetition, towards subnormals or overflow) */
} gemm_shape_ctx;

static int gemm_shape_init(gemm_shape_ctx *g, int T, int nlat, int max_nf, const int *rows)
{
    memset(g, 0, sizeof *g);
    g->T = T;
    g->rows = rows;
    g->nh = nlat / 2;
    g->kmax = T / 2 + 1;
    size_t tab = 0;
    for (int m = 0; m <= T; m++) tab += (size_t)g->nh * (size_t)(T - m + 1);
    g->P = malloc(tab * sizeof(njord_real));
    if (!g->P) return -1;
    for (size_t i = 0; i < tab; i++) g->P[i] = (njord_real)(0.01 * urand());
    size_t nb = (size_t)g->kmax * 2 * max_nf, nc = (size_t)g->nh * 2 * max_nf;
    g->B = xalloc(nb * sizeof(njord_real));
    g->C = xalloc(nc * sizeof(njord_real));
    g->B2 = xalloc(nb * sizeof(njord_real));
    for (size_t i = 0; i < nb; i++) g->B[i] = (njord_real)urand();
    for (size_t i = 0; i < nc; i++) g->C[i] = (njord_real)urand();
    return 0;
}

static void gemm_shape_free(gemm_shape_ctx *g)
{
    free(g->P);
    free(g->B);
    free(g->C);
    free(g->B2);
    memset(g, 0, sizeof *g);
}

/* One pair of the GEMM sequence for nf fields; returns seconds. */
static double gemm_shape_once(gemm_shape_ctx *g, int nf)
{
    const int T = g->T, nh = g->nh, kmax = g->kmax, ncol = 2 * nf;
    njord_real *B = g->B, *C = g->C;
    double a = now_s();
    njord_real *Pm = g->P;
    for (int m = 0; m <= T; m++) {
        int ke = (T - m) / 2 + 1, ko = (T - m + 1) / 2;
        njord_real *Pe = Pm, *Po = Pm + (size_t)nh * ke;
        const int r = g->rows[m];
        XGEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, r, ncol, ke, 1, Pe, nh, B, kmax, 0,
              C, nh);
        if (ko > 0)
            XGEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, r, ncol, ko, 1, Po, nh, B, kmax,
                  1, C, nh);
        Pm += (size_t)nh * (T - m + 1);
    }
    Pm = g->P;
    for (int m = 0; m <= T; m++) {
        int ke = (T - m) / 2 + 1, ko = (T - m + 1) / 2;
        njord_real *Pe = Pm, *Po = Pm + (size_t)nh * ke;
        const int r = g->rows[m];
        XGEMM(CblasColMajor, CblasTrans, CblasNoTrans, ke, ncol, r, 1, Pe, nh, C, nh, 0, g->B2,
              kmax);
        if (ko > 0)
            XGEMM(CblasColMajor, CblasTrans, CblasNoTrans, ko, ncol, r, 1, Po, nh, C, nh, 0, g->B2,
                  kmax);
        Pm += (size_t)nh * (T - m + 1);
    }
    return now_s() - a;
}

/* ----------------------------------------------------------- transforms */

typedef struct {
    int ok;
    char err[256];
    int reps;
    double pair_s, pair_min_s, fwd_s, inv_s;   /* medians; fwd = synth / uv_from_vordiv */
    double leg_s, fft_s, other_s;             /* medians of per-pair stage deltas; NAN if none */
    double leg_min_s;                         /* fastest Legendre stage of the repetitions */
    double relerr;                            /* round-trip relative error */
    double foreign_cpu;   /* share of the machine's CPU time other processes used meanwhile */
    int attempts;         /* timed attempts made (retried while foreign_cpu was high) */
    double shape_s;       /* median time of the GEMM-shape pair run after each repetition */
    double frac_shape;    /* median over repetitions of (Legendre rate / GEMM-shape rate) */
} case_result;

typedef struct {
    njord_sht_plan *plan;
    gemm_shape_ctx *shape; /* GEMM sequence interleaved with the repetitions, or NULL */
    double flops, shape_flops;
    int T, nlat, nlon, nf, vector;
    njord_real *s1, *s2, *s3, *s4; /* spectral */
    njord_real *g1, *g2;           /* grid */
} case_ctx;

static int run_once(case_ctx *c, double *tf, double *ti)
{
    int st;
    double a = now_s();
    if (c->vector)
        st = njord_sht_uv_from_vordiv(c->plan, c->s1, c->s2, c->g1, c->g2, c->nf);
    else
        st = njord_sht_synth(c->plan, c->s1, c->g1, c->nf);
    double b = now_s();
    if (st != NJORD_OK) return st;
    if (c->vector)
        st = njord_sht_vordiv_from_uv(c->plan, c->g1, c->g2, c->s3, c->s4, c->nf);
    else
        st = njord_sht_analysis(c->plan, c->g1, c->s3, c->nf);
    double e = now_s();
    *tf = b - a;
    *ti = e - b;
    return st;
}

static void stage_now(njord_sht_plan *p, double *f, double *l, double *o)
{
    *f = *l = *o = NAN;
    if (nj_sht_stage_times && nj_sht_stage_times(p, f, l, o) != 0) *f = *l = *o = NAN;
}

/* Warm-up, correctness check, then repetitions until min_time has passed (at
 * least MIN_REPS, at most max_reps). After each timed pair, the GEMM-shape sequence
 * runs once (untimed for the pair), so that both see the same machine state:
 * on a noisy box the fraction is taken per repetition, then the median. */
/* A median of 7 stays with the undisturbed repetitions while up to 3 of them are
 * disturbed (with 3, one disturbed repetition could move it). */
#define MIN_REPS 7
static case_result run_case_once(case_ctx *c, double min_time, int max_reps)
{
    case_result r;
    memset(&r, 0, sizeof r);
    r.leg_s = r.fft_s = r.other_s = r.shape_s = r.frac_shape = r.leg_min_s = NAN;
    double tf, ti;
    /* warm-up (also the correctness check) */
    int st = run_once(c, &tf, &ti);
    if (st == NJORD_OK) st = run_once(c, &tf, &ti);
    if (st != NJORD_OK) {
        snprintf(r.err, sizeof r.err, "%s: %s", njord_strerror(st), njord_last_error());
        return r;
    }
    if (c->vector)
        r.relerr = fmax(spec_relerr(c->T, c->s3, c->s1, c->nf, 1),
                        spec_relerr(c->T, c->s4, c->s2, c->nf, 1));
    else
        r.relerr = spec_relerr(c->T, c->s3, c->s1, c->nf, 0);
    if (c->shape) gemm_shape_once(c->shape, c->nf); /* warm-up */

    double *tp = malloc(sizeof(double) * (size_t)max_reps * 8);
    if (!tp) {
        snprintf(r.err, sizeof r.err, "out of memory");
        return r;
    }
    double *tfw = tp + max_reps, *tiv = tp + 2 * max_reps, *tl = tp + 3 * max_reps,
           *tff = tp + 4 * max_reps, *tot = tp + 5 * max_reps, *tsh = tp + 6 * max_reps,
           *fr = tp + 7 * max_reps;
    if (nj_sht_stage_times_reset) nj_sht_stage_times_reset(c->plan);
    int reps = 0, have_stage = nj_sht_stage_times != NULL;
    double m0, self0, m1, self1;
    cpu_snapshot(&m0, &self0);
    double t0 = now_s();
    while (reps < max_reps) {
        double f0, l0, o0, f1, l1, o1;
        /* after the GEMM sequence (which streams its own tables through the
         * caches), one untimed pair: every timed pair follows a pair, as SHTns's
         * calls follow each other in its loop */
        if (c->shape) (void)run_once(c, &tf, &ti); /* an error shows in the timed one */
        stage_now(c->plan, &f0, &l0, &o0);
        st = run_once(c, &tf, &ti);
        stage_now(c->plan, &f1, &l1, &o1);
        if (st != NJORD_OK) {
            snprintf(r.err, sizeof r.err, "%s: %s", njord_strerror(st), njord_last_error());
            free(tp);
            return r;
        }
        tp[reps] = tf + ti;
        tfw[reps] = tf;
        tiv[reps] = ti;
        tl[reps] = l1 - l0;
        tff[reps] = f1 - f0;
        tot[reps] = o1 - o0;
        tsh[reps] = c->shape ? gemm_shape_once(c->shape, c->nf) : NAN;
        /* (flops/tl) / (shape_flops/tsh) */
        fr[reps] = (c->flops / tl[reps]) / (c->shape_flops / tsh[reps]);
        if (!(tl[reps] == tl[reps])) have_stage = 0;
        reps++;
        if (reps >= MIN_REPS && now_s() - t0 >= min_time) break;
    }
    double wall = now_s() - t0;
    cpu_snapshot(&m1, &self1);
    r.foreign_cpu = fmax(0.0, ((m1 - m0) - (self1 - self0)) / (wall * ncpus_online()));
    r.ok = 1;
    r.reps = reps;
    r.pair_s = median(tp, reps);
    r.pair_min_s = minimum(tp, reps);
    r.fwd_s = median(tfw, reps);
    r.inv_s = median(tiv, reps);
    if (c->shape) r.shape_s = median(tsh, reps);
    if (have_stage) {
        r.leg_s = median(tl, reps);
        r.leg_min_s = minimum(tl, reps);
        r.fft_s = median(tff, reps);
        r.other_s = median(tot, reps);
        if (c->shape) r.frac_shape = median(fr, reps);
    }
    free(tp);
    return r;
}

/* Retry a case timed while other processes took more than 10% of the machine
 * (at most 3 attempts), keeping the attempt they disturbed least. */
#define FOREIGN_LIMIT 0.10
#define MAX_ATTEMPTS 3
static case_result run_case(case_ctx *c, double min_time, int max_reps)
{
    case_result best = run_case_once(c, min_time, max_reps);
    best.attempts = 1;
    for (int a = 2; a <= MAX_ATTEMPTS && best.ok && best.foreign_cpu > FOREIGN_LIMIT; a++) {
        case_result r = run_case_once(c, min_time, max_reps);
        if (r.ok && r.foreign_cpu < best.foreign_cpu) best = r;
        best.attempts = a;
    }
    return best;
}

/* ------------------------------------------------------------------ JSON */

static void json_num(FILE *f, double v)
{
    if (v == v && !isinf(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_case(FILE *f, const char *kind, const case_result *r, double flops,
                      double shape_flops, double peak_gf, double bytes, double bw_gbs)
{
    fprintf(f, "\"%s\": {\"ok\": %s", kind, r->ok ? "true" : "false");
    if (!r->ok) {
        fputs(", \"error\": ", f);
        json_str(f, r->err);
        fputs("}", f);
        return;
    }
    double lg = flops / r->leg_s * 1e-9;
    fprintf(f, ", \"reps\": %d, \"pair_s\": ", r->reps);
    json_num(f, r->pair_s);
    fputs(", \"pair_min_s\": ", f);
    json_num(f, r->pair_min_s);
    fputs(", \"forward_s\": ", f);
    json_num(f, r->fwd_s);
    fputs(", \"inverse_s\": ", f);
    json_num(f, r->inv_s);
    fputs(", \"legendre_s\": ", f);
    json_num(f, r->leg_s);
    fputs(", \"legendre_min_s\": ", f);
    json_num(f, r->leg_min_s);
    fputs(", \"fft_s\": ", f);
    json_num(f, r->fft_s);
    fputs(", \"other_s\": ", f);
    json_num(f, r->other_s);
    fputs(", \"legendre_flops\": ", f);
    json_num(f, flops);
    fputs(", \"legendre_gflops\": ", f);
    json_num(f, lg);
    fputs(",\n   \"gemm_shape_s\": ", f);
    json_num(f, r->shape_s);
    fputs(", \"gemm_shape_gflops\": ", f);
    json_num(f, shape_flops / r->shape_s * 1e-9);
    fputs(", \"legendre_frac_gemm_shape\": ", f);
    json_num(f, r->frac_shape);
    fputs(", \"legendre_frac_gemm_square\": ", f);
    json_num(f, lg / peak_gf);
    fputs(",\n   \"legendre_bytes_model\": ", f);
    json_num(f, bytes);
    /* the two times the stage cannot beat: its flops at the large-square GEMM
     * rate; its bytes at the memory read rate, if nothing stays cached */
    fputs(", \"legendre_compute_s\": ", f);
    json_num(f, flops / (peak_gf * 1e9));
    fputs(", \"legendre_memory_s\": ", f);
    json_num(f, bytes / (bw_gbs * 1e9));
    fputs(", \"pair_gflops_lower_bound\": ", f);
    json_num(f, flops / r->pair_s * 1e-9);
    fputs(", \"roundtrip_relerr\": ", f);
    json_num(f, r->relerr);
    fputs(", \"foreign_cpu\": ", f);
    json_num(f, r->foreign_cpu);
    fprintf(f, ", \"attempts\": %d", r->attempts);
    fputs("}", f);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_sht [-T 85,170,341,682] [-n 1,20] [-o out.json] [-t min_s] "
            "[-r max_reps] [-g gemm_n]\n");
}

int main(int argc, char **argv)
{
    int Ts[32], nT = 4, nfs[8], nnf = 2, max_reps = 1000, gemm_n = 2000;
    double min_time = 0.2;
    const char *out = NULL;
    Ts[0] = 85, Ts[1] = 170, Ts[2] = 341, Ts[3] = 682;
    nfs[0] = 1, nfs[1] = 20;
    const char *envT = getenv("BENCH_T");
    if (envT && *envT) nT = parse_list(envT, Ts, 32);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-T") && i + 1 < argc)
            nT = parse_list(argv[++i], Ts, 32);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            nnf = parse_list(argv[++i], nfs, 8);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            min_time = atof(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            max_reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-g") && i + 1 < argc)
            gemm_n = atoi(argv[++i]);
        else {
            usage();
            return 2;
        }
    }
    if (nT <= 0 || nnf <= 0 || max_reps < 3) {
        usage();
        return 2;
    }
    int max_batch = 1;
    for (int i = 0; i < nnf; i++)
        if (nfs[i] > max_batch) max_batch = nfs[i];
    if (max_batch < 20) max_batch = 20;

    FILE *jf = NULL;
    if (out) {
        jf = fopen(out, "w");
        if (!jf) {
            fprintf(stderr, "bench_sht: cannot write %s: %s\n", out, strerror(errno));
            return 2;
        }
    }

    int threads = omp_get_max_threads();
    cpu_set_t cs;
    int affinity = -1;
    if (sched_getaffinity(0, sizeof cs, &cs) == 0) affinity = CPU_COUNT(&cs);
    double wall0 = now_s();

    printf("njord %s (%s), %d OpenMP threads, %d CPUs in affinity mask\n", njord_version(),
           njord_precision(), threads, affinity);
    if (strcmp(njord_precision(), PREC_NAME) != 0)
        fprintf(stderr, "bench_sht: warning: compiled for %s but library is %s\n", PREC_NAME,
                njord_precision());
    if (!nj_sht_stage_times)
        printf("note: library has no nj_sht_stage_times(): Legendre-only times not "
               "available\n");

    int sq_reps = 0;
    double peak = gemm_square_rate(gemm_n, &sq_reps);
    printf("%s %dx%dx%d: %.1f GFLOP/s (fastest of %d)\n", GEMM_NAME, gemm_n, gemm_n, gemm_n,
           peak, sq_reps);
    size_t bw_bytes = 0;
    const double bw = mem_read_rate(&bw_bytes);
    printf("memory read: %.1f GB/s (fastest of 5 sums over %.0f MB)\n\n", bw, bw_bytes / 1e6);

    if (jf) {
        fprintf(jf, "{\n\"precision\": \"%s\",\n\"njord_version\": ", PREC_NAME);
        json_str(jf, njord_version());
        fputs(",\n\"build_info\": ", jf);
        json_str(jf, njord_build_info());
        fprintf(jf,
                ",\n\"threads\": %d,\n\"affinity_cpus\": %d,\n\"stage_times\": %s,\n"
                "\"min_time_s\": %g,\n\"max_reps\": %d,\n",
                threads, affinity, nj_sht_stage_times ? "true" : "false", min_time, max_reps);
        fprintf(jf, "\"gemm_square\": {\"routine\": \"%s\", \"n\": %d, \"reps\": %d, "
                    "\"gflops\": ",
                GEMM_NAME, gemm_n, sq_reps);
        json_num(jf, peak);
        fprintf(jf, "},\n\"mem_read\": {\"bytes\": %zu, \"reps\": 5, \"gbs\": ", bw_bytes);
        json_num(jf, bw);
        fputs("},\n\"cases\": [\n", jf);
    }

    printf("%-5s %-10s %3s | %10s %8s %8s %8s %6s %6s %8s %8s | %10s %8s %8s | %8s %6s\n", "T",
           "grid", "nf", "scal pair", "Leg s", "LegGF/s", "GEMM GF", "frac", "fracSq", "flop s",
           "mem s", "vec pair", "Leg s", "LegGF/s", "relerr", "others");

    int first = 1;
    for (int it = 0; it < nT; it++) {
        int T = Ts[it], nlat = 0, nlon = 0;
        if (njord_grid_size(T, NJORD_GRID_QUADRATIC, &nlat, &nlon) != NJORD_OK) {
            fprintf(stderr, "bench_sht: njord_grid_size(T%d): %s\n", T, njord_last_error());
            continue;
        }
        njord_sht_desc d;
        memset(&d, 0, sizeof d);
        d.trunc = T;
        d.nlat = nlat;
        d.nlon = nlon;
        d.max_batch = max_batch;
        d.backend = NJORD_BACKEND_CPU;
        d.radius = 0;
        d.comm = MPI_COMM_NULL;
        njord_sht_plan *plan = NULL;
        double tc = now_s();
        int st = njord_sht_plan_create(&d, &plan);
        tc = now_s() - tc;
        if (st != NJORD_OK) {
            fprintf(stderr, "bench_sht: plan T%d: %s: %s\n", T, njord_strerror(st),
                    njord_last_error());
            if (jf) {
                fprintf(jf, "%s{\"T\": %d, \"nlat\": %d, \"nlon\": %d, \"plan_error\": ",
                        first ? "" : ",\n", T, nlat, nlon);
                json_str(jf, njord_last_error());
                fputs("}", jf);
                first = 0;
            }
            continue;
        }
        size_t nspec = NJORD_SHT_NSPEC(T), ngrid = (size_t)nlat * nlon;
        case_ctx c;
        memset(&c, 0, sizeof c);
        c.plan = plan;
        c.T = T;
        c.nlat = nlat;
        c.nlon = nlon;
        c.s1 = xalloc(2 * nspec * max_batch * sizeof(njord_real));
        c.s2 = xalloc(2 * nspec * max_batch * sizeof(njord_real));
        c.s3 = xalloc(2 * nspec * max_batch * sizeof(njord_real));
        c.s4 = xalloc(2 * nspec * max_batch * sizeof(njord_real));
        c.g1 = xalloc(ngrid * max_batch * sizeof(njord_real));
        c.g2 = xalloc(ngrid * max_batch * sizeof(njord_real));
        int *rows = xalloc(sizeof(int) * (size_t)(T + 1));
        double rows_used = 0, rows_all = 0; /* share of the table work in use */
        for (int m = 0; m <= T; m++) {
            int r = nj_sht_legendre_rows ? nj_sht_legendre_rows(plan, m) : -1;
            rows[m] = r >= 0 ? r : nlat / 2;
            rows_used += (double)rows[m] * (T - m + 1);
            rows_all += (double)(nlat / 2) * (T - m + 1);
        }
        gemm_shape_ctx shape;
        if (gemm_shape_init(&shape, T, nlat, max_batch, rows) == 0)
            c.shape = &shape;
        else
            fprintf(stderr, "bench_sht: no memory for the GEMM-shape table at T%d\n", T);

        for (int in = 0; in < nnf; in++) {
            int nf = nfs[in];
            c.nf = nf;
            /* exactly 3 repetitions where one pair is expensive (T682 x 20 fields):
             * keeps the whole run within minutes on 2 cores */
            int mr = max_reps;
            if ((double)T * T * nlat * nf > 682.0 * 682 * 1024 * 10) mr = 3;

            double fl_s = 2.0 * legendre_flops_dir(T, T, rows, nf);
            double fl_v = 2.0 * legendre_flops_dir(T, T + 1, rows, 2 * nf);
            c.shape_flops = fl_s; /* the GEMM sequence is that of the scalar pair */

            c.vector = 0;
            c.flops = fl_s;
            random_spec(T, c.s1, nf, 1.0, 0);
            case_result rs = run_case(&c, min_time, mr);

            c.vector = 1;
            c.flops = fl_v;
            random_spec(T, c.s1, nf, 1e-5, 1);
            random_spec(T, c.s2, nf, 1e-6, 1);
            case_result rv = run_case(&c, min_time, mr);

            const double tb_s = table_bytes(plan, 2 * nf, 0), tb_v = table_bytes(plan, 4 * nf, 1);
            const int nh = (nlat + 1) / 2; /* with the equator row of an odd grid */
            const double by_s = tb_s >= 0 ? legendre_bytes_pair(T, nh, T, 2 * nf, tb_s) : NAN;
            const double by_v = tb_v >= 0 ? legendre_bytes_pair(T, nh, T + 1, 4 * nf, tb_v) : NAN;
            double shape_gf = fl_s / rs.shape_s * 1e-9;
            double lgs = fl_s / rs.leg_s * 1e-9, lgv = fl_v / rv.leg_s * 1e-9;
            char grid[32];
            snprintf(grid, sizeof grid, "%dx%d", nlon, nlat);
            printf("%-5d %-10s %3d | %8.2fms %8.4f %8.1f %8.1f %6.2f %6.2f %8.4f %8.4f | %8.2fms "
                   "%8.4f %8.1f | %8.1e %5.0f%%",
                   T, grid, nf, rs.ok ? 1e3 * rs.pair_s : NAN, rs.leg_s, lgs, shape_gf,
                   rs.frac_shape, lgs / peak, fl_s / (peak * 1e9), by_s / (bw * 1e9),
                   rv.ok ? 1e3 * rv.pair_s : NAN, rv.leg_s, lgv,
                   fmax(rs.relerr, rv.relerr), 100 * fmax(rs.foreign_cpu, rv.foreign_cpu));
            if (!rs.ok) printf("  scalar: %s", rs.err);
            if (!rv.ok) printf("  vector: %s", rv.err);
            printf("\n");
            fflush(stdout);

            if (jf) {
                fprintf(jf,
                        "%s{\"T\": %d, \"nlat\": %d, \"nlon\": %d, \"nfields\": %d, "
                        "\"plan_create_s\": %.4g, \"legendre_rows_in_use\": %.4f,\n "
                        "\"gemm_shape\": {\"routine\": \"%s\", \"reps\": %d, \"seconds\": ",
                        first ? "" : ",\n", T, nlat, nlon, nf, tc, rows_used / rows_all,
                        GEMM_NAME, rs.reps);
                json_num(jf, rs.shape_s);
                fputs(", \"gflops\": ", jf);
                json_num(jf, shape_gf);
                fputs("},\n ", jf);
                json_case(jf, "scalar", &rs, fl_s, fl_s, peak, by_s, bw);
                fputs(",\n ", jf);
                json_case(jf, "vector", &rv, fl_v, fl_s, peak, by_v, bw);
                fputs("}", jf);
                fflush(jf);
                first = 0;
            }
        }
        if (c.shape) gemm_shape_free(c.shape);
        free(rows);
        free(c.s1);
        free(c.s2);
        free(c.s3);
        free(c.s4);
        free(c.g1);
        free(c.g2);
        njord_sht_plan_destroy(plan);
    }
    double wall = now_s() - wall0;
    printf("\ntotal %.1f s\n", wall);
    if (jf) {
        fprintf(jf, "\n],\n\"wall_s\": %.3f\n}\n", wall);
        fclose(jf);
    }
    return 0;
}
