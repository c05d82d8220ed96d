/*
 * bench/bench_sht_gpu.cu — the transform benchmark on the cuda backend, with the
 * cpu backend side by side.
 *
 * Built twice per precision (Makefile):
 *   bench/build/bench_sht_gpu_{dp,sp}      nvcc, real CUDA (runs on a GPU)
 *   bench/build/bench_sht_gpu_emu_{dp,sp}  g++ against the host emulation of CUDA
 *                                          (kernels/emu): proves the program runs;
 *                                          its numbers are labelled "emulation" and
 *                                          mean nothing about a GPU.
 *
 * Usage:
 *   bench_sht_gpu [-T 85,170,341,682,1279] [-n 1,137] [-o out.json] [-t min_seconds]
 *                 [-r max_reps] [-g gemm_square_n] [-c cpu_max_pair_s] [-m cpu_max_gb]
 *                 [-b budget_s] [-C]   (-C: no cpu side)
 * Under the emulation the defaults shrink to tiny sizes (T 21,42; 1 and 3 fields;
 * 2 repetitions; a 128^3 GEMM; 8 MiB copies).
 *
 * For each T (quadratic Gaussian grid, njord_grid_size) and each number of fields
 * nf, on a cuda plan with every field resident in device memory (njord_mem_alloc):
 *   - the scalar pair  njord_sht_synth + njord_sht_analysis (nf fields), and
 *   - the vector pair  njord_sht_uv_from_vordiv + njord_sht_vordiv_from_uv (nf vector
 *     fields: 2 nf grid fields u, v);
 *   two warm-up pairs, then repetitions (at least 3, until -t seconds, at most -r),
 *   each timed with CUDA events recorded on the legacy default stream after a
 *   cudaDeviceSynchronize (Njord's calls return when their results are complete)
 *   and with the host monotonic clock; medians over repetitions.
 *   Stage split (FFT / Legendre / other) from the library's stage timers
 *   (nj_sht_stage_times, lib/sht/plan.h), averaged over the timed repetitions.
 * In the same run:
 *   - cuBLAS xGEMM (DGEMM, SGEMM in single) on the very GEMM sequence of the Legendre
 *     stage (the plan's own shapes, leading dimensions and a table of the plan's
 *     size, both directions), for the scalar and for the vector shapes;
 *   - cuBLAS xGEMM on a large square product (8192^3): the practical GEMM peak;
 *   - device memory bandwidth of a large cudaMemcpy device-to-device (bytes read +
 *     bytes written): the FFT stage's peak.
 * Legendre flops, per direction: sum over m of 2 * nh * K_m * ncol, K_m = the degrees
 *   of each parity (two GEMMs per m), ncol = 2 nf (scalar, n <= T) or 4 nf (vector:
 *   u and v, n <= T+1).
 * FFT-stage bytes, per grid field and direction (nh = nlat/2, nc = nlon/2+1):
 *   minimum = one pass over the grid field (nlat*nlon reals) + one over its Fourier
 *     coefficients m <= T (4*nh*(T+1) reals: re, im, both hemispheres);
 *   implementation = minimum + the complex row buffer written and read once
 *     (2 * 2*nlat*nc reals: pair <-> rows kernel, then cuFFT in one pass).
 *   A pair moves it twice (inverse and direct); the vector pair has 2 nf grid fields.
 * The cpu backend runs the same cases with host buffers (all OpenMP threads), fewer
 * repetitions for large cases, and is skipped (saying why) when its estimated scalar
 * pair time exceeds -c seconds, its memory -m GB, or the run its budget -b.
 * GPU cases that do not fit in free device memory (cudaMemGetInfo) are skipped,
 * saying so.
 *
 * Output: JSON (-o, rewritten after every case so a killed run keeps what it did) and
 * a markdown table on stdout; progress on stderr. Benchmarks never assert on time:
 * the program exits non-zero only when it cannot run at all (77: no usable GPU).
 */
#include "common/nj_cuda.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>
#include <omp.h>

#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include "njord.h"
extern "C" {
#include "sht/plan.h"
}

#ifdef NJORD_SINGLE
#define GPU_GEMM cublasSgemm
#define CPU_GEMM cblas_sgemm
#define GEMM_NAME "sgemm"
#define GPU_GEMM_NAME "cublasSgemm"
#else
#define GPU_GEMM cublasDgemm
#define CPU_GEMM cblas_dgemm
#define GEMM_NAME "dgemm"
#define GPU_GEMM_NAME "cublasDgemm"
#endif

typedef njord_real real;

#define ECTRANS_GH200_S 0.264 /* ecTrans, T1279, 137 fields, inverse + direct, GH200 */
#define MAXL 32

/* ------------------------------------------------------------------ utilities */

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
    double w[256];
    if (n > 256) n = 256;
    memcpy(w, v, sizeof(double) * (size_t)n);
    qsort(w, (size_t)n, sizeof(double), cmp_double);
    return (n % 2) ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
}

static double minimum(const double *v, int n)
{
    double m = INFINITY;
    for (int i = 0; i < n; i++)
        if (v[i] < m) m = v[i];
    return n > 0 ? m : NAN;
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

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

static const char *g_prog = "bench_sht_gpu";

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "%s: %s: %s\n", g_prog, what, msg);
    exit(2);
}

#define CUCHECK(call)                                                                   \
    do {                                                                                \
        cudaError_t e_ = (call);                                                        \
        if (e_ != cudaSuccess) die(#call, cudaGetErrorString(e_));                      \
    } while (0)

#define NJCHECK(call)                                                                   \
    do {                                                                                \
        if ((call) != NJORD_OK) die(#call, njord_last_error());                         \
    } while (0)

static double gb(double bytes) { return bytes / 1e9; }

/* ------------------------------------------------------------------ device helpers */

__global__ void k_fill(real *x, size_t n, unsigned long long seed, double scale)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned long long z = seed + (unsigned long long)i * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    x[i] = (real)(scale * ((double)(z >> 11) * (2.0 / 9007199254740992.0) - 1.0));
}

static void dev_fill(real *x, size_t n, unsigned long long seed, double scale)
{
    if (!n) return;
    size_t blocks = (n + 255) / 256;
    NJ_LAUNCH(k_fill, (unsigned)blocks, 256, 0, (cudaStream_t)0, x, n, seed, scale);
    CUCHECK(cudaGetLastError());
}

static void *dev_alloc(size_t bytes)
{
    void *p = NULL;
    NJCHECK(njord_mem_alloc(NJORD_BACKEND_CUDA, bytes ? bytes : 1, &p));
    return p;
}

static void *host_alloc(size_t bytes)
{
    void *p = NULL;
    if (njord_mem_alloc(NJORD_BACKEND_CPU, bytes ? bytes : 1, &p) != NJORD_OK) return NULL;
    return p;
}

/* ------------------------------------------------------------------ results */

typedef struct {
    int ok, reps;
    double pair_s, pair_min_s, pair_host_s, inverse_s, forward_s;
    double fft_s, legendre_s, other_s;
    double legendre_flops, legendre_gflops;
    double gemm_shape_s, gemm_shape_gflops;
    double fft_bytes_min, fft_bytes_impl;
    double relerr;
} pair_res;

typedef struct {
    char status[16]; /* ok, skipped, error, not run */
    char reason[320];
    double plan_create_s, mem_est_gb;
    int max_batch;
    pair_res sc, vec;
} side_res;

typedef struct {
    int T, nlat, nlon, nf;
    side_res gpu, cpu;
} case_res;

static struct {
    int emulation;
    char device[300];
    char runtime[64];
    int sm_count, cc_major, cc_minor;
    double mem_total_gb, mem_free_gb, attr_mem_bw_gbs;
    int ncpu, omp_threads;
    /* config */
    int Ts[MAXL], nT, nfs[MAXL], nnf;
    double min_time, cpu_max_pair_s, cpu_max_gb, budget_s;
    int max_reps, gemm_n, no_cpu;
    size_t d2d_bytes;
    /* peaks */
    double d2d_gbs, d2d_gbs_median;
    double gemm_sq_gflops, gemm_sq_gflops_median;
    int cpu_gemm_n;
    double cpu_gemm_gflops;
    case_res cases[MAXL * MAXL];
    int ncases;
    double t_start;
    const char *json_path;
} G;

/* ------------------------------------------------------------------ JSON */

static void jnum(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fprintf(f, "null");
}

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", (unsigned char)*s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

static double frac(double a, double b) { return (isfinite(a) && isfinite(b) && b > 0) ? a / b : NAN; }

static void json_pair(FILE *f, const char *name, const pair_res *r, int gpu)
{
    fprintf(f, "\"%s\": {", name);
    if (!r->ok) {
        fprintf(f, "\"ok\": false}");
        return;
    }
    fprintf(f, "\"ok\": true, \"reps\": %d", r->reps);
#define F(key, v) do { fprintf(f, ", \"" key "\": "); jnum(f, v); } while (0)
    F("pair_s", r->pair_s);
    F("pair_min_s", r->pair_min_s);
    F("pair_host_s", r->pair_host_s);
    F("inverse_s", r->inverse_s);
    F("forward_s", r->forward_s);
    F("fft_s", r->fft_s);
    F("legendre_s", r->legendre_s);
    F("other_s", r->other_s);
    F("legendre_flops", r->legendre_flops);
    F("legendre_gflops", r->legendre_gflops);
    if (gpu) {
        F("gemm_shape_s", r->gemm_shape_s);
        F("gemm_shape_gflops", r->gemm_shape_gflops);
        F("legendre_frac_gemm_shape", frac(r->legendre_gflops, r->gemm_shape_gflops));
        F("legendre_frac_gemm_square", frac(r->legendre_gflops, G.gemm_sq_gflops));
        F("fft_bytes_min", r->fft_bytes_min);
        F("fft_bytes_impl", r->fft_bytes_impl);
        F("fft_gbs_min", r->fft_bytes_min / r->fft_s * 1e-9);
        F("fft_gbs_impl", r->fft_bytes_impl / r->fft_s * 1e-9);
        F("fft_frac_d2d_min", frac(r->fft_bytes_min / r->fft_s * 1e-9, G.d2d_gbs));
        F("fft_frac_d2d_impl", frac(r->fft_bytes_impl / r->fft_s * 1e-9, G.d2d_gbs));
    } else {
        F("legendre_frac_cpu_gemm_square", frac(r->legendre_gflops, G.cpu_gemm_gflops));
    }
    F("roundtrip_relerr", r->relerr);
#undef F
    fputc('}', f);
}

static void json_side(FILE *f, const char *name, const side_res *s, int gpu)
{
    fprintf(f, "\"%s\": {\"status\": ", name);
    jstr(f, s->status);
    fprintf(f, ", \"reason\": ");
    jstr(f, s->reason);
    fprintf(f, ", \"plan_create_s\": ");
    jnum(f, s->plan_create_s);
    fprintf(f, ", \"plan_max_batch\": %d, \"mem_est_gb\": ", s->max_batch);
    jnum(f, s->mem_est_gb);
    fprintf(f, ", ");
    json_pair(f, "scalar", &s->sc, gpu);
    fprintf(f, ", ");
    json_pair(f, "vector", &s->vec, gpu);
    fputc('}', f);
}

static const case_res *find_case(int T, int nf)
{
    for (int i = 0; i < G.ncases; i++)
        if (G.cases[i].T == T && G.cases[i].nf == nf) return &G.cases[i];
    return NULL;
}

static void json_targets(FILE *f)
{
    const case_res *c = find_case(1279, 137);
    fprintf(f, "\"targets\": {\"case\": \"T1279, 137 fields, inverse + direct, device-resident\", "
               "\"ectrans_gh200_s\": %.3f", ECTRANS_GH200_S);
    fprintf(f, ", \"legendre_frac_goal\": 0.6");
    if (!c || !c->gpu.sc.ok || G.emulation) {
        fprintf(f, ", \"measured\": false, \"why\": ");
        jstr(f, G.emulation ? "host emulation: no GPU evidence"
                : !c        ? "T1279 with 137 fields was not among the cases"
                            : c->gpu.reason);
        fputc('}', f);
        return;
    }
    fprintf(f, ", \"measured\": true, \"scalar_pair_s\": ");
    jnum(f, c->gpu.sc.pair_s);
    fprintf(f, ", \"vector_pair_s\": ");
    jnum(f, c->gpu.vec.ok ? c->gpu.vec.pair_s : NAN);
    fprintf(f, ", \"scalar_pair_met\": %s", c->gpu.sc.pair_s < ECTRANS_GH200_S ? "true" : "false");
    fprintf(f, ", \"vector_pair_met\": %s",
            c->gpu.vec.ok && c->gpu.vec.pair_s < ECTRANS_GH200_S ? "true" : "false");
    double fs = frac(c->gpu.sc.legendre_gflops, G.gemm_sq_gflops);
    double fsh = frac(c->gpu.sc.legendre_gflops, c->gpu.sc.gemm_shape_gflops);
    fprintf(f, ", \"scalar_legendre_frac_gemm_square\": ");
    jnum(f, fs);
    fprintf(f, ", \"scalar_legendre_frac_gemm_shape\": ");
    jnum(f, fsh);
    fprintf(f, ", \"legendre_met_square\": %s", fs >= 0.6 ? "true" : "false");
    fprintf(f, ", \"legendre_met_shape\": %s", fsh >= 0.6 ? "true" : "false");
    fputc('}', f);
}

static void write_json(void)
{
    if (!G.json_path) return;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%d", G.json_path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "%s: cannot write %s\n", g_prog, tmp);
        return;
    }
    fprintf(f, "{\"program\": \"bench_sht_gpu\", \"precision\": \"%s\", \"emulation\": %s, ",
            njord_precision(), G.emulation ? "true" : "false");
    fprintf(f, "\"label\": ");
    jstr(f, G.emulation ? "emulation (host emulation of CUDA: no GPU evidence)" : "gpu");
    fprintf(f, ",\n \"device\": {\"name\": ");
    jstr(f, G.device);
    fprintf(f, ", \"runtime\": ");
    jstr(f, G.runtime);
    fprintf(f, ", \"sm_count\": %d, \"compute_capability\": \"%d.%d\", \"mem_total_gb\": ",
            G.sm_count, G.cc_major, G.cc_minor);
    jnum(f, G.mem_total_gb);
    fprintf(f, ", \"mem_free_gb_at_start\": ");
    jnum(f, G.mem_free_gb);
    fprintf(f, ", \"attr_mem_bw_gbs\": ");
    jnum(f, G.attr_mem_bw_gbs);
    fprintf(f, "},\n \"host\": {\"cpus\": %d, \"omp_threads\": %d},\n", G.ncpu, G.omp_threads);
    fprintf(f, " \"config\": {\"T\": [");
    for (int i = 0; i < G.nT; i++) fprintf(f, "%s%d", i ? ", " : "", G.Ts[i]);
    fprintf(f, "], \"nf\": [");
    for (int i = 0; i < G.nnf; i++) fprintf(f, "%s%d", i ? ", " : "", G.nfs[i]);
    fprintf(f, "], \"grid\": \"quadratic\", \"min_time_s\": ");
    jnum(f, G.min_time);
    fprintf(f, ", \"max_reps\": %d, \"cpu_max_pair_s\": ", G.max_reps);
    jnum(f, G.cpu_max_pair_s);
    fprintf(f, ", \"cpu_max_gb\": ");
    jnum(f, G.cpu_max_gb);
    fprintf(f, ", \"budget_s\": ");
    jnum(f, G.budget_s);
    fprintf(f, ", \"cpu_side\": %s},\n", G.no_cpu ? "false" : "true");
    fprintf(f, " \"peaks\": {\"d2d_copy_bytes\": %zu, \"d2d_gbs\": ", G.d2d_bytes);
    jnum(f, G.d2d_gbs);
    fprintf(f, ", \"d2d_gbs_median\": ");
    jnum(f, G.d2d_gbs_median);
    fprintf(f, ", \"gemm_square\": {\"routine\": \"" GPU_GEMM_NAME "\", \"n\": %d, \"gflops\": ",
            G.gemm_n);
    jnum(f, G.gemm_sq_gflops);
    fprintf(f, ", \"gflops_median\": ");
    jnum(f, G.gemm_sq_gflops_median);
    fprintf(f, "}, \"cpu_gemm_square\": {\"routine\": \"cblas_" GEMM_NAME "\", \"n\": %d, \"gflops\": ",
            G.cpu_gemm_n);
    jnum(f, G.cpu_gemm_gflops);
    fprintf(f, "}},\n \"cases\": [\n");
    for (int i = 0; i < G.ncases; i++) {
        const case_res *c = &G.cases[i];
        fprintf(f, "  {\"T\": %d, \"nlat\": %d, \"nlon\": %d, \"nf\": %d,\n   ", c->T, c->nlat,
                c->nlon, c->nf);
        json_side(f, "gpu", &c->gpu, 1);
        fprintf(f, ",\n   ");
        json_side(f, "cpu", &c->cpu, 0);
        double s1 = c->gpu.sc.ok && c->cpu.sc.ok ? c->cpu.sc.pair_s / c->gpu.sc.pair_s : NAN;
        double s2 = c->gpu.vec.ok && c->cpu.vec.ok ? c->cpu.vec.pair_s / c->gpu.vec.pair_s : NAN;
        fprintf(f, ",\n   \"speedup_scalar\": ");
        jnum(f, s1);
        fprintf(f, ", \"speedup_vector\": ");
        jnum(f, s2);
        fprintf(f, "}%s\n", i + 1 < G.ncases ? "," : "");
    }
    fprintf(f, " ],\n ");
    json_targets(f);
    fprintf(f, ",\n \"elapsed_s\": ");
    jnum(f, now_s() - G.t_start);
    fprintf(f, "}\n");
    fclose(f);
    if (rename(tmp, G.json_path) != 0) fprintf(stderr, "%s: cannot rename %s\n", g_prog, tmp);
}

/* ------------------------------------------------------------------ sizes and counts */

static size_t nls_of(int T) /* sum over m of the degrees m..T+1 */
{
    size_t s = 0;
    for (int m = 0; m <= T; m++) s += (size_t)(T + 2 - m);
    return s;
}

/* device bytes of a cuda plan (kernels/cuda_sht.cu, one rank), without the small
 * layout tables and cuFFT's work areas (the margin covers them) */
static double gpu_plan_bytes(int T, int nlat, int nlon, int mb)
{
    double nh = (nlat + 1) / 2, nc = nlon / 2 + 1, mc = 4.0 * mb, nls = (double)nls_of(T);
    double nspec = (double)NJORD_SHT_NSPEC(T);
    double reals = nls * nh + nls * mc + 2.0 * (T + 1) * nh * mc + 2.0 * mb * nlat * nc +
                   2.0 * mb * nlat * nlon + 4.0 * mb * nspec;
    return reals * sizeof(real);
}

static size_t round64(size_t n) { return (n + 63) / 64 * 64; }

/* the per-case device pool: 4 spectral + 2 grid buffers of nf fields, reused
 * afterwards as the GEMM-sequence scratch (table + LS + Fourier for 4 nf columns) */
static size_t pool_reals(int T, int nlat, int nlon, int nf)
{
    size_t spec = round64(2 * NJORD_SHT_NSPEC(T) * (size_t)nf);
    size_t grid = round64((size_t)nlat * nlon * nf);
    size_t io = 4 * spec + 2 * grid;
    size_t nh = (size_t)(nlat + 1) / 2, nls = nls_of(T), ncol = 4 * (size_t)nf;
    size_t gemm = round64(nls * nh) + round64(nls * ncol) + round64(2 * (size_t)(T + 1) * nh * ncol);
    return io > gemm ? io : gemm;
}

static double leg_flops_dir(const njord_sht_plan *p, int ncol, int ext)
{
    double fl = 0;
    for (int im = 0; im < p->nm; im++) {
        int k = ext ? p->ns[im] + p->na[im] : p->ns_T[im] + p->na_T[im];
        fl += 2.0 * p->nh * (double)k * ncol;
    }
    return fl;
}

/* FFT-stage bytes of one pair per grid field (see the header) */
static void fft_bytes_field(int T, int nlat, int nlon, double *bmin, double *bimpl)
{
    double nh = nlat / 2.0, nc = nlon / 2 + 1;
    double mn = (double)nlat * nlon + 4.0 * nh * (T + 1);
    *bmin = 2.0 * mn * sizeof(real);
    *bimpl = 2.0 * (mn + 4.0 * nlat * nc) * sizeof(real);
}

/* max |a-b| / max |b| over field 0 (host arrays of one spectral field), skipping the
 * imaginary parts of m = 0 and, when skip_mean, n = 0 */
static double spec_relerr(int T, const real *a, const real *b, int skip_mean)
{
    double emax = 0, bmax = 0;
    size_t nspec = NJORD_SHT_NSPEC(T);
    for (size_t k = 0; k < nspec; k++) {
        if (skip_mean && k == 0) continue;
        for (int c = 0; c < 2; c++) {
            if (k <= (size_t)T && c == 1) continue; /* m = 0 */
            double d = fabs((double)a[2 * k + c] - (double)b[2 * k + c]);
            double v = fabs((double)b[2 * k + c]);
            if (d > emax || d != d) emax = d;
            if (v > bmax) bmax = v;
        }
    }
    return bmax > 0 ? emax / bmax : emax;
}

static void relerr_fields(int T, int nf, const real *x, const real *y, int skip_mean, double *out)
{
    /* first and last field: copied to the host (works for host and device memory) */
    size_t n = 2 * NJORD_SHT_NSPEC(T);
    real *a = (real *)malloc(sizeof(real) * n), *b = (real *)malloc(sizeof(real) * n);
    if (!a || !b) die("relerr", "out of host memory");
    double e = 0;
    int fl[2] = {0, nf - 1};
    for (int i = 0; i < (nf > 1 ? 2 : 1); i++) {
        NJCHECK(njord_mem_copy(a, y + n * fl[i], sizeof(real) * n));
        NJCHECK(njord_mem_copy(b, x + n * fl[i], sizeof(real) * n));
        double ei = spec_relerr(T, a, b, skip_mean);
        if (ei > e || ei != ei) e = ei;
    }
    free(a);
    free(b);
    *out = e;
}

/* ------------------------------------------------------------------ peaks */

static void measure_d2d(void)
{
    size_t bytes = G.d2d_bytes;
    void *a = dev_alloc(bytes), *b = dev_alloc(bytes);
    dev_fill((real *)a, bytes / sizeof(real), 11, 1.0);
    cudaEvent_t e0, e1;
    CUCHECK(cudaEventCreate(&e0));
    CUCHECK(cudaEventCreate(&e1));
    double t[20];
    int reps = G.emulation ? 2 : 20;
    for (int i = 0; i < 3; i++) CUCHECK(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice));
    CUCHECK(cudaDeviceSynchronize());
    for (int i = 0; i < reps; i++) {
        CUCHECK(cudaEventRecord(e0, 0));
        CUCHECK(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice));
        CUCHECK(cudaEventRecord(e1, 0));
        CUCHECK(cudaEventSynchronize(e1));
        float ms = 0;
        CUCHECK(cudaEventElapsedTime(&ms, e0, e1));
        t[i] = ms * 1e-3;
    }
    G.d2d_gbs = 2.0 * bytes / minimum(t, reps) * 1e-9;
    G.d2d_gbs_median = 2.0 * bytes / median(t, reps) * 1e-9;
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    njord_mem_free(NJORD_BACKEND_CUDA, a);
    njord_mem_free(NJORD_BACKEND_CUDA, b);
}

static void measure_gemm_square(cublasHandle_t h)
{
    int n = G.gemm_n;
    size_t nn = (size_t)n * n;
    real *A = (real *)dev_alloc(nn * sizeof(real)), *B = (real *)dev_alloc(nn * sizeof(real));
    real *C = (real *)dev_alloc(nn * sizeof(real));
    dev_fill(A, nn, 21, 1.0);
    dev_fill(B, nn, 22, 1.0);
    const real one = 1, zero = 0;
    cudaEvent_t e0, e1;
    CUCHECK(cudaEventCreate(&e0));
    CUCHECK(cudaEventCreate(&e1));
    for (int i = 0; i < 2; i++)
        if (GPU_GEMM(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, A, n, B, n, &zero, C, n) !=
            CUBLAS_STATUS_SUCCESS)
            die("gemm square", GPU_GEMM_NAME " failed");
    CUCHECK(cudaDeviceSynchronize());
    double t[10];
    int reps = G.emulation ? 2 : 10;
    for (int i = 0; i < reps; i++) {
        CUCHECK(cudaEventRecord(e0, 0));
        GPU_GEMM(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, A, n, B, n, &zero, C, n);
        CUCHECK(cudaEventRecord(e1, 0));
        CUCHECK(cudaEventSynchronize(e1));
        float ms = 0;
        CUCHECK(cudaEventElapsedTime(&ms, e0, e1));
        t[i] = ms * 1e-3;
    }
    double fl = 2.0 * n * (double)n * n;
    G.gemm_sq_gflops = fl / minimum(t, reps) * 1e-9;
    G.gemm_sq_gflops_median = fl / median(t, reps) * 1e-9;
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    njord_mem_free(NJORD_BACKEND_CUDA, A);
    njord_mem_free(NJORD_BACKEND_CUDA, B);
    njord_mem_free(NJORD_BACKEND_CUDA, C);
}

static void measure_cpu_gemm(void)
{
    int n = G.cpu_gemm_n;
    size_t nn = (size_t)n * n;
    real *A = (real *)host_alloc(nn * sizeof(real)), *B = (real *)host_alloc(nn * sizeof(real));
    real *C = (real *)host_alloc(nn * sizeof(real));
    if (!A || !B || !C) die("cpu gemm", "out of host memory");
    for (size_t i = 0; i < nn; i++) {
        A[i] = (real)urand();
        B[i] = (real)urand();
    }
    CPU_GEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
    double t[8];
    int reps = 0;
    double t0 = now_s();
    while (reps < 8 && (reps < 3 || now_s() - t0 < 0.5)) {
        double a = now_s();
        CPU_GEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
        t[reps++] = now_s() - a;
    }
    G.cpu_gemm_gflops = 2.0 * n * (double)n * n / minimum(t, reps) * 1e-9;
    njord_mem_free(NJORD_BACKEND_CPU, A);
    njord_mem_free(NJORD_BACKEND_CPU, B);
    njord_mem_free(NJORD_BACKEND_CPU, C);
}

/* ------------------------------------------------------------------ GEMM sequence */

/* The Legendre stage's GEMM sequence on the plan's shapes (both directions, as
 * kernels/cuda_sht.cu calls it), on scratch tab/ls/four of the plan's layout. */
static void gemm_sequence(cublasHandle_t h, const njord_sht_plan *p, int ncol, int ext,
                          const real *tab, real *ls, real *four)
{
    const int nh = p->nh;
    const real one = 1, zero = 0;
    for (int dir = 0; dir < 2; dir++)
        for (int im = 0; im < p->nm; im++) {
            const real *ts = tab + p->ls_cum[im] * (size_t)nh;
            const real *ta = ts + (size_t)p->ns[im] * nh;
            real *l = ls + p->ls_cum[im] * (size_t)ncol;
            real *la = l + (size_t)p->ns[im] * ncol;
            real *S = four + 2 * (size_t)im * nh * ncol;
            real *A = S + (size_t)nh * ncol;
            int ks = ext ? p->ns[im] : p->ns_T[im];
            int ka = ext ? p->na[im] : p->na_T[im];
            cublasStatus_t st = CUBLAS_STATUS_SUCCESS;
            if (dir == 0) {
                st = GPU_GEMM(h, CUBLAS_OP_N, CUBLAS_OP_N, nh, ncol, ks, &one, ts, nh, l, p->ns[im],
                              &zero, S, nh);
                if (ka > 0 && st == CUBLAS_STATUS_SUCCESS)
                    st = GPU_GEMM(h, CUBLAS_OP_N, CUBLAS_OP_N, nh, ncol, ka, &one, ta, nh, la,
                                  p->na[im], &zero, A, nh);
            } else {
                st = GPU_GEMM(h, CUBLAS_OP_T, CUBLAS_OP_N, ks, ncol, nh, &one, ts, nh, S, nh, &zero,
                              l, p->ns[im]);
                if (ka > 0 && st == CUBLAS_STATUS_SUCCESS)
                    st = GPU_GEMM(h, CUBLAS_OP_T, CUBLAS_OP_N, ka, ncol, nh, &one, ta, nh, A, nh,
                                  &zero, la, p->na[im]);
            }
            if (st != CUBLAS_STATUS_SUCCESS) die("gemm sequence", GPU_GEMM_NAME " failed");
        }
}

static double time_gemm_sequence(cublasHandle_t h, const njord_sht_plan *p, int ncol, int ext,
                                 real *pool)
{
    size_t nh = (size_t)p->nh;
    real *tab = pool;
    real *ls = tab + round64(p->nls * nh);
    real *four = ls + round64(p->nls * (size_t)ncol);
    dev_fill(tab, p->nls * nh, 31, 0.01);
    dev_fill(ls, p->nls * (size_t)ncol, 32, 1.0);
    dev_fill(four, 2 * (size_t)p->nm * nh * ncol, 33, 1.0);
    cudaEvent_t e0, e1;
    CUCHECK(cudaEventCreate(&e0));
    CUCHECK(cudaEventCreate(&e1));
    gemm_sequence(h, p, ncol, ext, tab, ls, four); /* warm-up */
    CUCHECK(cudaDeviceSynchronize());
    double t[64];
    int reps = 0;
    double t0 = now_s();
    int maxr = G.emulation ? 1 : 30;
    while (reps < maxr && (reps < 3 || now_s() - t0 < 0.5 * G.min_time)) {
        CUCHECK(cudaEventRecord(e0, 0));
        gemm_sequence(h, p, ncol, ext, tab, ls, four);
        CUCHECK(cudaEventRecord(e1, 0));
        CUCHECK(cudaEventSynchronize(e1));
        float ms = 0;
        CUCHECK(cudaEventElapsedTime(&ms, e0, e1));
        t[reps++] = ms * 1e-3;
        if (G.emulation) break;
    }
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    return median(t, reps);
}

/* ------------------------------------------------------------------ transform timing */

typedef struct {
    njord_sht_plan *p;
    int vector, nf;
    const real *in1, *in2; /* spectral inputs (vor, div / spec) */
    real *g1, *g2;         /* grid (u, v / grid) */
    real *o1, *o2;         /* spectral outputs */
} tcase;

static int run_inverse(const tcase *c)
{
    return c->vector ? njord_sht_uv_from_vordiv(c->p, c->in1, c->in2, c->g1, c->g2, c->nf)
                     : njord_sht_synth(c->p, c->in1, c->g1, c->nf);
}

static int run_forward(const tcase *c)
{
    return c->vector ? njord_sht_vordiv_from_uv(c->p, c->g1, c->g2, c->o1, c->o2, c->nf)
                     : njord_sht_analysis(c->p, c->g1, c->o1, c->nf);
}

/* time the pair on the plan's backend: gpu uses CUDA events (and the host clock),
 * cpu the host clock */
static int time_pair(const tcase *c, int gpu, int warm, int min_reps, int max_reps,
                     double min_time, pair_res *r)
{
    cudaEvent_t e0 = NULL, e1 = NULL, e2 = NULL;
    if (gpu) {
        CUCHECK(cudaEventCreate(&e0));
        CUCHECK(cudaEventCreate(&e1));
        CUCHECK(cudaEventCreate(&e2));
    }
    for (int w = 0; w < warm; w++)
        if (run_inverse(c) || run_forward(c)) return -1;
    nj_sht_stage_times_reset(c->p);
    double tp[256], th[256], ti[256], tf[256];
    int reps = 0;
    double t0 = now_s();
    if (max_reps > 256) max_reps = 256;
    while (reps < max_reps && (reps < min_reps || now_s() - t0 < min_time)) {
        if (gpu) {
            CUCHECK(cudaDeviceSynchronize());
            CUCHECK(cudaEventRecord(e0, 0));
        }
        double a = now_s();
        if (run_inverse(c)) return -1;
        if (gpu) CUCHECK(cudaEventRecord(e1, 0));
        double b = now_s();
        if (run_forward(c)) return -1;
        if (gpu) {
            CUCHECK(cudaEventRecord(e2, 0));
            CUCHECK(cudaEventSynchronize(e2));
        }
        double d = now_s();
        th[reps] = d - a;
        if (gpu) {
            float m1 = 0, m2 = 0;
            CUCHECK(cudaEventElapsedTime(&m1, e0, e1));
            CUCHECK(cudaEventElapsedTime(&m2, e1, e2));
            ti[reps] = m1 * 1e-3;
            tf[reps] = m2 * 1e-3;
        } else {
            ti[reps] = b - a;
            tf[reps] = d - b;
        }
        tp[reps] = ti[reps] + tf[reps];
        reps++;
    }
    double sf = 0, sl = 0, so = 0;
    nj_sht_stage_times(c->p, &sf, &sl, &so);
    r->ok = 1;
    r->reps = reps;
    r->pair_s = median(tp, reps);
    r->pair_min_s = minimum(tp, reps);
    r->pair_host_s = median(th, reps);
    r->inverse_s = median(ti, reps);
    r->forward_s = median(tf, reps);
    r->fft_s = sf / reps;
    r->legendre_s = sl / reps;
    r->other_s = so / reps;
    r->legendre_gflops = r->legendre_flops / r->legendre_s * 1e-9;
    if (gpu) {
        cudaEventDestroy(e0);
        cudaEventDestroy(e1);
        cudaEventDestroy(e2);
    }
    /* sanity: the last repetition's round trip */
    relerr_fields(c->p->T, c->nf, c->in1, c->o1, c->vector, &r->relerr);
    if (c->vector) {
        double e2v;
        relerr_fields(c->p->T, c->nf, c->in2, c->o2, 1, &e2v);
        if (e2v > r->relerr || e2v != e2v) r->relerr = e2v;
    }
    return 0;
}

static void set_status(side_res *s, const char *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_status(side_res *s, const char *st, const char *fmt, ...)
{
    snprintf(s->status, sizeof s->status, "%s", st);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->reason, sizeof s->reason, fmt, ap);
    va_end(ap);
}

static njord_sht_plan *make_plan(njord_backend_kind k, int T, int nlat, int nlon, int mb,
                                 double *secs)
{
    njord_sht_desc d;
    memset(&d, 0, sizeof d);
    d.trunc = T;
    d.nlat = nlat;
    d.nlon = nlon;
    d.max_batch = mb;
    d.backend = k;
    d.comm = MPI_COMM_NULL;
    njord_sht_plan *p = NULL;
    double t0 = now_s();
    if (njord_sht_plan_create(&d, &p) != NJORD_OK) p = NULL;
    *secs = now_s() - t0;
    return p;
}

static int over_budget(void) { return now_s() - G.t_start > G.budget_s; }

/* ------------------------------------------------------------------ GPU side of one T */

static void gpu_cases(cublasHandle_t h, int T, int nlat, int nlon, case_res **cs, int ncs)
{
    size_t fr = 0, tot = 0;
    CUCHECK(cudaMemGetInfo(&fr, &tot));
    double usable = 0.92 * (double)fr - 1.0e9; /* cuFFT/cuBLAS work areas, fragmentation */
    if (G.emulation) usable = 0.5 * (double)fr;
    /* the largest nf whose plan + pool fits */
    int mb = 0;
    for (int i = 0; i < ncs; i++) {
        int nf = cs[i]->nf;
        double need = gpu_plan_bytes(T, nlat, nlon, nf) +
                      (double)pool_reals(T, nlat, nlon, nf) * sizeof(real);
        cs[i]->gpu.mem_est_gb = gb(need);
        if (need <= usable && nf > mb) mb = nf;
    }
    for (int i = 0; i < ncs; i++)
        if (cs[i]->nf > mb)
            set_status(&cs[i]->gpu, "skipped",
                       "does not fit in device memory: needs about %.1f GB, %.1f GB free",
                       cs[i]->gpu.mem_est_gb, gb((double)fr));
    if (mb == 0) return;
    double tp = 0;
    njord_sht_plan *p = make_plan(NJORD_BACKEND_CUDA, T, nlat, nlon, mb, &tp);
    if (!p) {
        for (int i = 0; i < ncs; i++)
            if (cs[i]->nf <= mb)
                set_status(&cs[i]->gpu, "error", "cuda plan (max_batch %d): %s", mb,
                           njord_last_error());
        return;
    }
    fprintf(stderr, "  [%.0fs] T%d cuda plan (max_batch %d) in %.2f s\n", now_s() - G.t_start,
            T, mb, tp);
    for (int i = 0; i < ncs; i++) {
        case_res *c = cs[i];
        int nf = c->nf;
        if (nf > mb) continue;
        side_res *s = &c->gpu;
        s->plan_create_s = tp;
        s->max_batch = mb;
        size_t pr = pool_reals(T, nlat, nlon, nf);
        real *pool = (real *)dev_alloc(pr * sizeof(real));
        size_t spec = round64(2 * NJORD_SHT_NSPEC(T) * (size_t)nf);
        size_t grid = round64((size_t)nlat * nlon * nf);
        real *i1 = pool, *i2 = i1 + spec, *o1 = i2 + spec, *o2 = o1 + spec;
        real *g1 = o2 + spec, *g2 = g1 + grid;
        dev_fill(i1, spec, 1000 + T * 7 + nf, 1.0);
        dev_fill(i2, spec, 2000 + T * 7 + nf, 1.0);
        CUCHECK(cudaDeviceSynchronize());
        int warm = G.emulation ? 1 : 2;
        int minr = G.emulation ? 1 : 3;
        int maxr = over_budget() ? minr : G.max_reps;
        double fbmin, fbimpl;
        fft_bytes_field(T, nlat, nlon, &fbmin, &fbimpl);
        int bad = 0;
        for (int vec = 0; vec < 2 && !bad; vec++) {
            tcase tc = {p, vec, nf, i1, i2, g1, g2, o1, o2};
            pair_res *r = vec ? &s->vec : &s->sc;
            int ncol = vec ? 4 * nf : 2 * nf;
            r->legendre_flops = 2.0 * leg_flops_dir(p, ncol, vec);
            r->fft_bytes_min = fbmin * nf * (vec ? 2 : 1);
            r->fft_bytes_impl = fbimpl * nf * (vec ? 2 : 1);
            if (time_pair(&tc, 1, warm, minr, maxr, G.min_time, r)) {
                set_status(s, "error", "%s pair: %s", vec ? "vector" : "scalar", njord_last_error());
                r->ok = 0;
                bad = 1;
            }
        }
        /* the same GEMM sequence through cuBLAS, on the pool as scratch */
        for (int vec = 0; vec < 2 && !bad; vec++) {
            pair_res *r = vec ? &s->vec : &s->sc;
            r->gemm_shape_s = time_gemm_sequence(h, p, vec ? 4 * nf : 2 * nf, vec, pool);
            r->gemm_shape_gflops = r->legendre_flops / r->gemm_shape_s * 1e-9;
        }
        njord_mem_free(NJORD_BACKEND_CUDA, pool);
        if (!bad) set_status(s, "ok", "%s", "");
        fprintf(stderr, "  [%.0fs] T%d nf %d cuda: scalar %.4g s, vector %.4g s\n",
                now_s() - G.t_start, T, nf, s->sc.pair_s, s->vec.pair_s);
        write_json();
    }
    njord_sht_plan_destroy(p);
}

/* ------------------------------------------------------------------ CPU side of one T */

static void cpu_cases(int T, int nlat, int nlon, case_res **cs, int ncs)
{
    int mb = 0;
    for (int i = 0; i < ncs; i++) {
        side_res *s = &cs[i]->cpu;
        int nf = cs[i]->nf;
        if (G.no_cpu) {
            set_status(s, "skipped", "%s", "cpu side disabled (-C)");
            continue;
        }
        if (over_budget()) {
            set_status(s, "skipped", "run budget of %.0f s spent", G.budget_s);
            continue;
        }
        /* estimate: Legendre flops at half the cpu GEMM peak */
        double fl = 0;
        for (int m = 0; m <= T; m++) fl += 2.0 * (nlat / 2) * (double)(T + 1 - m) * 2.0 * nf;
        double est = 2.0 * fl / (0.5 * G.cpu_gemm_gflops * 1e9);
        double mem = gpu_plan_bytes(T, nlat, nlon, nf) +
                     (4.0 * 2 * NJORD_SHT_NSPEC(T) * nf + 2.0 * nlat * nlon * nf) * sizeof(real);
        s->mem_est_gb = gb(mem);
        if (est > G.cpu_max_pair_s)
            set_status(s, "skipped",
                       "estimated scalar pair %.3g s > %.3g s per pair (-c)", est,
                       G.cpu_max_pair_s);
        else if (gb(mem) > G.cpu_max_gb)
            set_status(s, "skipped", "estimated host memory %.1f GB > %.1f GB (-m)", gb(mem),
                       G.cpu_max_gb);
        else if (nf > mb)
            mb = nf;
    }
    if (mb == 0) return;
    double tp = 0;
    njord_sht_plan *p = make_plan(NJORD_BACKEND_CPU, T, nlat, nlon, mb, &tp);
    if (!p) {
        for (int i = 0; i < ncs; i++)
            if (!cs[i]->cpu.status[0])
                set_status(&cs[i]->cpu, "error", "cpu plan: %s", njord_last_error());
        return;
    }
    for (int i = 0; i < ncs; i++) {
        case_res *c = cs[i];
        side_res *s = &c->cpu;
        int nf = c->nf;
        if (s->status[0]) continue;
        s->plan_create_s = tp;
        s->max_batch = mb;
        size_t spec = 2 * NJORD_SHT_NSPEC(T) * (size_t)nf, grid = (size_t)nlat * nlon * nf;
        real *i1 = (real *)host_alloc(spec * sizeof(real));
        real *i2 = (real *)host_alloc(spec * sizeof(real));
        real *o1 = (real *)host_alloc(spec * sizeof(real));
        real *o2 = (real *)host_alloc(spec * sizeof(real));
        real *g1 = (real *)host_alloc(grid * sizeof(real));
        real *g2 = (real *)host_alloc(grid * sizeof(real));
        if (!i1 || !i2 || !o1 || !o2 || !g1 || !g2) {
            set_status(s, "skipped", "%s", "out of host memory");
        } else {
            for (size_t k = 0; k < spec; k++) {
                i1[k] = (real)urand();
                i2[k] = (real)urand();
            }
            int bad = 0;
            for (int vec = 0; vec < 2 && !bad; vec++) {
                tcase tc = {p, vec, nf, i1, i2, g1, g2, o1, o2};
                pair_res *r = vec ? &s->vec : &s->sc;
                r->legendre_flops = 2.0 * leg_flops_dir(p, vec ? 4 * nf : 2 * nf, vec);
                int maxr = G.emulation ? 1 : (over_budget() ? 2 : 10);
                if (time_pair(&tc, 0, 1, G.emulation ? 1 : 2, maxr, G.min_time, r)) {
                    set_status(s, "error", "%s pair: %s", vec ? "vector" : "scalar",
                               njord_last_error());
                    r->ok = 0;
                    bad = 1;
                }
            }
            if (!bad) set_status(s, "ok", "%s", "");
            fprintf(stderr, "  [%.0fs] T%d nf %d cpu: scalar %.4g s, vector %.4g s\n",
                    now_s() - G.t_start, T, nf, s->sc.pair_s, s->vec.pair_s);
        }
        njord_mem_free(NJORD_BACKEND_CPU, i1);
        njord_mem_free(NJORD_BACKEND_CPU, i2);
        njord_mem_free(NJORD_BACKEND_CPU, o1);
        njord_mem_free(NJORD_BACKEND_CPU, o2);
        njord_mem_free(NJORD_BACKEND_CPU, g1);
        njord_mem_free(NJORD_BACKEND_CPU, g2);
        write_json();
    }
    njord_sht_plan_destroy(p);
}

/* ------------------------------------------------------------------ report */

static void cell_ms(char *b, size_t n, const pair_res *r)
{
    if (r->ok) snprintf(b, n, "%.3f", r->pair_s * 1e3);
    else snprintf(b, n, "–");
}

static void print_table(void)
{
    printf("### bench_sht_gpu, %s precision%s\n\n", njord_precision(),
           G.emulation ? " — EMULATION (host emulation of CUDA: no GPU evidence, times mean nothing)"
                       : "");
    printf("Device: %s (%s); host: %d CPUs, %d OpenMP threads.\n", G.device, G.runtime, G.ncpu,
           G.omp_threads);
    printf("Peaks measured in this run: device-to-device copy %.0f GB/s (read + write, %.0f MB "
           "buffers); " GPU_GEMM_NAME " %d^3 %.0f GFLOP/s; cpu cblas_" GEMM_NAME
           " %d^3 %.1f GFLOP/s.\n\n",
           G.d2d_gbs, G.d2d_bytes / 1e6, G.gemm_n, G.gemm_sq_gflops, G.cpu_gemm_n,
           G.cpu_gemm_gflops);
    printf("Times per pair (inverse + direct), ms, medians; Legendre GFLOP/s and %% of the "
           "square GEMM (shape: %% of the same GEMM sequence); FFT stage GB/s (minimum bytes) "
           "and %% of the copy bandwidth.\n\n");
    printf("| T | grid | nf | gpu scalar | gpu vector | Leg. GF/s | %% sq. | %% shape | FFT GB/s "
           "| %% copy | cpu scalar | cpu vector | speed-up (scalar) |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < G.ncases; i++) {
        const case_res *c = &G.cases[i];
        char a[32], b[32], d[32], e[32];
        cell_ms(a, sizeof a, &c->gpu.sc);
        cell_ms(b, sizeof b, &c->gpu.vec);
        cell_ms(d, sizeof d, &c->cpu.sc);
        cell_ms(e, sizeof e, &c->cpu.vec);
        const pair_res *r = &c->gpu.sc;
        if (r->ok) {
            double bw = r->fft_bytes_min / r->fft_s * 1e-9;
            printf("| %d | %dx%d | %d | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s | ",
                   c->T, c->nlon, c->nlat, c->nf, a, b, r->legendre_gflops,
                   100 * frac(r->legendre_gflops, G.gemm_sq_gflops),
                   100 * frac(r->legendre_gflops, r->gemm_shape_gflops), bw,
                   100 * frac(bw, G.d2d_gbs), d, e);
        } else {
            printf("| %d | %dx%d | %d | %s | %s | – | – | – | – | – | %s | %s | ", c->T, c->nlon,
                   c->nlat, c->nf, c->gpu.status[0] ? c->gpu.status : "not run", b, d, e);
        }
        if (r->ok && c->cpu.sc.ok) printf("%.1f× |\n", c->cpu.sc.pair_s / r->pair_s);
        else printf("– |\n");
    }
    int notes = 0;
    for (int i = 0; i < G.ncases; i++) {
        const case_res *c = &G.cases[i];
        for (int k = 0; k < 2; k++) {
            const side_res *s = k ? &c->cpu : &c->gpu;
            if (strcmp(s->status, "ok") != 0) {
                if (!notes++) printf("\n");
                printf("- T%d, %d fields, %s: %s%s%s\n", c->T, c->nf, k ? "cpu" : "gpu",
                       s->status[0] ? s->status : "not run", s->reason[0] ? ": " : "", s->reason);
            }
        }
    }
    const case_res *c = find_case(1279, 137);
    printf("\nTargets (benchmark, not test): T1279, 137 fields, inverse + direct well under "
           "%.3f s (ecTrans on a GH200); Legendre stage >= 60%% of the cuBLAS GEMM rate.\n",
           ECTRANS_GH200_S);
    if (G.emulation) {
        printf("- not measured: host emulation.\n");
    } else if (!c || !c->gpu.sc.ok) {
        printf("- not measured: %s\n", !c ? "T1279 x 137 not among the cases" : c->gpu.reason);
    } else {
        printf("- scalar pair %.4f s (%s), vector pair %.4f s (%s)\n", c->gpu.sc.pair_s,
               c->gpu.sc.pair_s < ECTRANS_GH200_S ? "under" : "NOT under", c->gpu.vec.pair_s,
               c->gpu.vec.ok && c->gpu.vec.pair_s < ECTRANS_GH200_S ? "under" : "NOT under");
        double fs = frac(c->gpu.sc.legendre_gflops, G.gemm_sq_gflops);
        double fsh = frac(c->gpu.sc.legendre_gflops, c->gpu.sc.gemm_shape_gflops);
        printf("- Legendre (scalar) %.0f GFLOP/s = %.0f%% of the square GEMM (%s), %.0f%% of "
               "the same GEMM sequence (%s)\n",
               c->gpu.sc.legendre_gflops, 100 * fs, fs >= 0.6 ? "met" : "NOT met", 100 * fsh,
               fsh >= 0.6 ? "met" : "NOT met");
    }
    printf("\n(%.0f s in all)\n", now_s() - G.t_start);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: %s [-T 85,170,341,682,1279] [-n 1,137] [-o out.json] [-t min_seconds]\n"
            "          [-r max_reps] [-g gemm_square_n] [-c cpu_max_pair_s] [-m cpu_max_gb]\n"
            "          [-b budget_s] [-C]\n",
            g_prog);
}

int main(int argc, char **argv)
{
    G.t_start = now_s();
    const char *Tlist = NULL, *nflist = NULL;
    G.min_time = -1;
    G.max_reps = -1;
    G.gemm_n = -1;
    G.cpu_max_pair_s = -1;
    G.cpu_max_gb = 48;
    G.budget_s = 100;
    int opt;
    while ((opt = getopt(argc, argv, "T:n:o:t:r:g:c:m:b:Ch")) != -1) {
        switch (opt) {
        case 'T': Tlist = optarg; break;
        case 'n': nflist = optarg; break;
        case 'o': G.json_path = optarg; break;
        case 't': G.min_time = atof(optarg); break;
        case 'r': G.max_reps = atoi(optarg); break;
        case 'g': G.gemm_n = atoi(optarg); break;
        case 'c': G.cpu_max_pair_s = atof(optarg); break;
        case 'm': G.cpu_max_gb = atof(optarg); break;
        case 'b': G.budget_s = atof(optarg); break;
        case 'C': G.no_cpu = 1; break;
        default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    G.emulation = nj_cuda_is_emulation();
    if (njord_backend_check(NJORD_BACKEND_CUDA) != NJORD_OK) {
        printf("### bench_sht_gpu, %s precision: SKIPPED: %s\n", njord_precision(),
               njord_last_error());
        fprintf(stderr, "%s: skipped: %s\n", g_prog, njord_last_error());
        return 77;
    }
    if (!Tlist) Tlist = G.emulation ? "21,42" : "85,170,341,682,1279";
    if (!nflist) nflist = G.emulation ? "1,3" : "1,137";
    G.nT = parse_list(Tlist, G.Ts, MAXL);
    G.nnf = parse_list(nflist, G.nfs, MAXL);
    if (G.nT < 1 || G.nnf < 1) {
        usage();
        return 2;
    }
    if (G.min_time < 0) G.min_time = G.emulation ? 0 : 0.3;
    if (G.max_reps < 1) G.max_reps = G.emulation ? 1 : 50;
    if (G.gemm_n < 1) G.gemm_n = G.emulation ? 128 : 8192;
    if (G.cpu_max_pair_s < 0) G.cpu_max_pair_s = G.emulation ? 1e9 : 1.0;
    G.cpu_gemm_n = G.emulation ? 128 : 2000;
    G.d2d_bytes = G.emulation ? ((size_t)8 << 20) : ((size_t)2 << 30);

    /* device */
    cudaDeviceProp prop;
    memset(&prop, 0, sizeof prop);
    int dev = 0;
    CUCHECK(cudaGetDevice(&dev));
    CUCHECK(cudaGetDeviceProperties(&prop, dev));
    snprintf(G.device, sizeof G.device, "%s", njord_cuda_device());
    G.sm_count = prop.multiProcessorCount;
    G.cc_major = prop.major;
    G.cc_minor = prop.minor;
    G.attr_mem_bw_gbs = NAN;
#ifdef NJ_CUDA_EMU
    snprintf(G.runtime, sizeof G.runtime, "host emulation of CUDA");
#else
    {
        int rt = 0, drv = 0, mclk = 0, bus = 0;
        cudaRuntimeGetVersion(&rt);
        cudaDriverGetVersion(&drv);
        snprintf(G.runtime, sizeof G.runtime, "CUDA runtime %d.%d, driver %d.%d", rt / 1000,
                 (rt % 1000) / 10, drv / 1000, (drv % 1000) / 10);
        if (cudaDeviceGetAttribute(&mclk, cudaDevAttrMemoryClockRate, dev) == cudaSuccess &&
            cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, dev) == cudaSuccess)
            G.attr_mem_bw_gbs = 2.0 * mclk * 1e3 * (bus / 8.0) * 1e-9;
        (void)cudaGetLastError();
    }
#endif
    size_t fr = 0, tot = 0;
    CUCHECK(cudaMemGetInfo(&fr, &tot));
    G.mem_total_gb = gb((double)tot);
    G.mem_free_gb = gb((double)fr);
    G.ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    G.omp_threads = omp_get_max_threads();
    fprintf(stderr, "%s: %s precision on %s (%s)%s; %d CPUs, %d OpenMP threads\n", g_prog,
            njord_precision(), G.device, G.runtime,
            G.emulation ? " — EMULATION, numbers mean nothing" : "", G.ncpu, G.omp_threads);

    /* peaks */
    cublasHandle_t h;
    if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) die("cublasCreate", "failed");
    measure_d2d();
    measure_gemm_square(h);
    measure_cpu_gemm();
    fprintf(stderr, "  [%.0fs] peaks: copy %.0f GB/s, " GPU_GEMM_NAME " %.0f GFLOP/s, cpu %.1f "
                    "GFLOP/s\n",
            now_s() - G.t_start, G.d2d_gbs, G.gemm_sq_gflops, G.cpu_gemm_gflops);
    write_json();

    /* cases, T by T */
    for (int it = 0; it < G.nT; it++) {
        int T = G.Ts[it], nlat = 0, nlon = 0;
        if (njord_grid_size(T, NJORD_GRID_QUADRATIC, &nlat, &nlon) != NJORD_OK) {
            fprintf(stderr, "%s: T%d: %s\n", g_prog, T, njord_last_error());
            continue;
        }
        case_res *cs[MAXL];
        int ncs = 0;
        for (int in = 0; in < G.nnf && G.ncases < MAXL * MAXL; in++) {
            case_res *c = &G.cases[G.ncases++];
            memset(c, 0, sizeof *c);
            c->T = T;
            c->nlat = nlat;
            c->nlon = nlon;
            c->nf = G.nfs[in];
            c->gpu.plan_create_s = c->cpu.plan_create_s = NAN;
            c->gpu.mem_est_gb = c->cpu.mem_est_gb = NAN;
            cs[ncs++] = c;
        }
        gpu_cases(h, T, nlat, nlon, cs, ncs);
        cpu_cases(T, nlat, nlon, cs, ncs);
        write_json();
    }
    cublasDestroy(h);
    write_json();
    print_table();
    return 0;
}
