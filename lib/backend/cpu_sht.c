/* lib/backend/cpu_sht.c — the cpu backend of the transform stages: FFTW for the
 * longitude FFTs, BLAS GEMMs for the Legendre step, OpenMP threads over zonal
 * wavenumbers m and over latitude rows. Every output element is computed by one
 * thread in a fixed order, so results do not depend on the number of threads.
 * BLAS is the OpenMP build of OpenBLAS, which runs single-threaded when called
 * inside a parallel region. */
/* fftw3.h first: with <complex.h> (pulled in by OpenBLAS's cblas.h) already
 * included, fftw_complex would be a C99 complex instead of real[2]. */
#include <fftw3.h>

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

#define NJ_SHT_REAL nj_real
#include "../../kernels/common/sht_point.h"

#ifdef NJORD_SINGLE
#define NJ_FFTW(x) fftwf_##x
#define NJ_GEMM cblas_sgemm
#else
#define NJ_FFTW(x) fftw_##x
#define NJ_GEMM cblas_dgemm
#endif

typedef struct {
    nj_real *tab;   /* Legendre tables */
    nj_real *ls;    /* LS buffer, nls * max_cols */
    nj_real *four;  /* Fourier buffer, 2 * (T+1) * nh * max_cols */
    int nthr;       /* threads the scratch was sized for */
    size_t rstride, cstride; /* scratch row strides (elements), multiples of 64 bytes so
                                every row has the alignment FFTW planned with */
    nj_real *rbuf;  /* per thread: one real row of nlon */
    NJ_FFTW(complex) * cbuf; /* per thread: two rows of nlon/2+1 */
    NJ_FFTW(plan) r2c, c2r;
} nj_cpu_sht;

#define BK(p) ((nj_cpu_sht *)(p)->bk)

static void cpu_fini(njord_sht_plan *p)
{
    nj_cpu_sht *b = BK(p);
    if (!b) return;
#pragma omp critical(nj_fftw_planner)
    {
        if (b->r2c) NJ_FFTW(destroy_plan)(b->r2c);
        if (b->c2r) NJ_FFTW(destroy_plan)(b->c2r);
    }
    NJ_FFTW(free)(b->rbuf);
    NJ_FFTW(free)(b->cbuf);
    nj_free(b->tab);
    nj_free(b->ls);
    nj_free(b->four);
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
    size_t ntab = p->nls * (size_t)nh;
    b->tab = nj_alloc(sizeof(nj_real) * ntab);
    b->ls = nj_alloc(sizeof(nj_real) * p->nls * (size_t)p->max_cols);
    b->four = nj_alloc(sizeof(nj_real) * 2 * (size_t)(T + 1) * nh * (size_t)p->max_cols);
    b->rstride = ((size_t)nlon + 15) / 16 * 16;
    b->cstride = ((size_t)nc + 7) / 8 * 8;
    b->rbuf = NJ_FFTW(alloc_real)((size_t)b->nthr * b->rstride);
    b->cbuf = NJ_FFTW(alloc_complex)((size_t)b->nthr * 2 * b->cstride);
    double *work = malloc(sizeof(double) * (size_t)b->nthr * 2 * nh);
    int *iwork = malloc(sizeof(int) * (size_t)b->nthr * nh);
    double *cth = malloc(sizeof(double) * 2 * (size_t)nh);
    if (!b->tab || !b->ls || !b->four || !b->rbuf || !b->cbuf || !work || !iwork || !cth) {
        free(work);
        free(iwork);
        free(cth);
        cpu_fini(p);
        return nj_error(NJORD_ENOMEM,
                        "cpu backend: out of memory for T%d tables (%.1f MB) and buffers",
                        T, (double)(ntab * sizeof(nj_real)) / 1e6);
    }
    for (int j = 0; j < nh; j++) {
        cth[j] = p->mu[j];
        cth[nh + j] = p->coslat[j];
    }
    nj_legendre_tables(T, nh, cth, cth + nh, p->ns, p->ls_cum, b->nthr, work, iwork, b->tab);
    free(work);
    free(iwork);
    free(cth);
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

/* Address of LS row r of parity par for m, column col, in a call with ncol columns. */
static inline nj_real *ls_at(const njord_sht_plan *p, int m, int par, int r, int col, int ncol)
{
    nj_real *blk = BK(p)->ls + p->ls_cum[m] * (size_t)ncol;
    int ld = par ? p->na[m] : p->ns[m];
    if (par) blk += (size_t)p->ns[m] * ncol;
    return blk + r + (size_t)ld * col;
}

static int cpu_spec_to_ls(njord_sht_plan *p, const nj_real *spec, int nf)
{
    const int T = p->T, ncol = 2 * nf;
    const size_t nsp = NJORD_SHT_NSPEC(T);
#pragma omp parallel for schedule(dynamic, 4)
    for (int m = 0; m <= T; m++)
        for (int f = 0; f < nf; f++)
            for (int n = m; n <= T; n++) {
                const nj_real *c = spec + 2 * (nsp * f + njord_sht_index(T, m, n));
                int par = (n - m) & 1, r = (n - m) >> 1;
                *ls_at(p, m, par, r, 2 * f, ncol) = c[0];
                *ls_at(p, m, par, r, 2 * f + 1, ncol) = m ? c[1] : 0;
            }
    return NJORD_OK;
}

static int cpu_ls_to_spec(njord_sht_plan *p, nj_real *spec, int nf)
{
    const int T = p->T, ncol = 2 * nf;
    const size_t nsp = NJORD_SHT_NSPEC(T);
#pragma omp parallel for schedule(dynamic, 4)
    for (int m = 0; m <= T; m++)
        for (int f = 0; f < nf; f++)
            for (int n = m; n <= T; n++) {
                nj_real *c = spec + 2 * (nsp * f + njord_sht_index(T, m, n));
                int par = (n - m) & 1, r = (n - m) >> 1;
                c[0] = *ls_at(p, m, par, r, 2 * f, ncol);
                c[1] = m ? *ls_at(p, m, par, r, 2 * f + 1, ncol) : 0;
            }
    return NJORD_OK;
}

/* Coefficients n-1, n, n+1 of field f as re/im pairs (0 outside m..T), times
 * the inverse Laplacian factor when invlap is set. */
static inline void nb3(const njord_sht_plan *p, const nj_real *spec, int f, int m, int n,
                       int invlap, nj_real out[6])
{
    const int T = p->T;
    const size_t nsp = NJORD_SHT_NSPEC(T);
    for (int d = 0; d < 3; d++) {
        int k = n - 1 + d;
        if (!spec || k < m || k > T) {
            out[2 * d] = out[2 * d + 1] = 0;
            continue;
        }
        const nj_real *c = spec + 2 * (nsp * f + njord_sht_index(T, m, k));
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
    for (int m = 0; m <= T; m++)
        for (int f = 0; f < nf; f++)
            for (int k = m; k <= T + 1; k++) {
                nj_real psi[6], chi[6], U[2], V[2];
                nb3(p, vor, f, m, k, 1, psi);
                nb3(p, div, f, m, k, !potential, chi);
                nj_uv_coef(m, k, inv_a, psi, chi, U, V);
                int par = (k - m) & 1, r = (k - m) >> 1;
                *ls_at(p, m, par, r, 2 * f, ncol) = U[0];
                *ls_at(p, m, par, r, 2 * f + 1, ncol) = U[1];
                *ls_at(p, m, par, r, 2 * nf + 2 * f, ncol) = V[0];
                *ls_at(p, m, par, r, 2 * nf + 2 * f + 1, ncol) = V[1];
            }
    return NJORD_OK;
}

static int cpu_ls_to_vordiv(njord_sht_plan *p, nj_real *vor, nj_real *div, int nf)
{
    const int T = p->T, ncol = 4 * nf;
    const size_t nsp = NJORD_SHT_NSPEC(T);
    const double inv_a = 1.0 / p->radius;
#pragma omp parallel for schedule(dynamic, 4)
    for (int m = 0; m <= T; m++)
        for (int f = 0; f < nf; f++)
            for (int n = m; n <= T; n++) {
                nj_real a[6], bb[6], z[2], d[2];
                for (int q = 0; q < 3; q++) {
                    int k = n - 1 + q;
                    if (k < m) {
                        a[2 * q] = a[2 * q + 1] = bb[2 * q] = bb[2 * q + 1] = 0;
                        continue;
                    }
                    int par = (k - m) & 1, r = (k - m) >> 1;
                    a[2 * q] = *ls_at(p, m, par, r, 2 * f, ncol);
                    a[2 * q + 1] = *ls_at(p, m, par, r, 2 * f + 1, ncol);
                    bb[2 * q] = *ls_at(p, m, par, r, 2 * nf + 2 * f, ncol);
                    bb[2 * q + 1] = *ls_at(p, m, par, r, 2 * nf + 2 * f + 1, ncol);
                }
                nj_vordiv_coef(m, n, inv_a, a, bb, z, d);
                size_t i = 2 * (nsp * f + njord_sht_index(T, m, n));
                vor[i] = z[0];
                vor[i + 1] = m ? z[1] : 0;
                div[i] = d[0];
                div[i + 1] = m ? d[1] : 0;
            }
    return NJORD_OK;
}

static int cpu_legendre(njord_sht_plan *p, int ncol, int ext, int forward)
{
    nj_cpu_sht *b = BK(p);
    const int T = p->T, nh = p->nh;
#pragma omp parallel for schedule(dynamic, 1)
    for (int m = 0; m <= T; m++) {
        const nj_real *ts = b->tab + p->ls_cum[m] * (size_t)nh;
        const nj_real *ta = ts + (size_t)p->ns[m] * nh;
        nj_real *ls = b->ls + p->ls_cum[m] * (size_t)ncol;
        nj_real *la = ls + (size_t)p->ns[m] * ncol;
        nj_real *S = b->four + 2 * (size_t)m * nh * ncol;
        nj_real *A = S + (size_t)nh * ncol;
        int ks = ext ? p->ns[m] : p->ns_T[m];
        int ka = ext ? p->na[m] : p->na_T[m];
        if (!forward) {
            NJ_GEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, nh, ncol, ks, 1, ts, nh, ls,
                    p->ns[m], 0, S, nh);
            if (ka > 0)
                NJ_GEMM(CblasColMajor, CblasNoTrans, CblasNoTrans, nh, ncol, ka, 1, ta, nh, la,
                        p->na[m], 0, A, nh);
            else
                memset(A, 0, sizeof(nj_real) * (size_t)nh * ncol);
        } else {
            NJ_GEMM(CblasColMajor, CblasTrans, CblasNoTrans, ks, ncol, nh, 1, ts, nh, S, nh, 0,
                    ls, p->ns[m]);
            if (ka > 0)
                NJ_GEMM(CblasColMajor, CblasTrans, CblasNoTrans, ka, ncol, nh, 1, ta, nh, A, nh,
                        0, la, p->na[m]);
        }
    }
    return NJORD_OK;
}

static int cpu_legendre_inv(njord_sht_plan *p, int ncol, int ext)
{
    return cpu_legendre(p, ncol, ext, 0);
}

static int cpu_legendre_fwd(njord_sht_plan *p, int ncol, int ext)
{
    return cpu_legendre(p, ncol, ext, 1);
}

static int cpu_fft_inv(njord_sht_plan *p, nj_real *grid, int f0, int nf, int ncol,
                       enum nj_rowscale scale)
{
    nj_cpu_sht *b = BK(p);
    const int T = p->T, nh = p->nh, nlat = p->nlat, nlon = p->nlon, nc = nlon / 2 + 1;
    const size_t mstride = 2 * (size_t)nh * ncol, astride = (size_t)nh * ncol;
    const double *sc = p->syn_scale[scale];
    const int nthr = NJ_MIN(b->nthr, nj_max_threads());
#pragma omp parallel for schedule(static) num_threads(nthr)
    for (int q = 0; q < nf * nh; q++) {
        int f = q / nh, j = q % nh, tid = nj_thread_id();
        nj_real *rb = b->rbuf + (size_t)tid * b->rstride;
        NJ_FFTW(complex) *cb = b->cbuf + (size_t)tid * 2 * b->cstride;
        int col = 2 * (f0 + f);
        const nj_real *s0 = b->four + (size_t)j + (size_t)nh * col;
        int nrow = (2 * j + 1 == nlat) ? 1 : 2;
        for (int h = 0; h < nrow; h++) {
            double sg = h ? -1.0 : 1.0;
            for (int m = 0; m <= T; m++) {
                const nj_real *s = s0 + m * mstride;
                const nj_real *a = s + astride;
                cb[m][0] = (nj_real)(sc[j] * (s[0] + sg * a[0]));
                cb[m][1] = (nj_real)(sc[j] * (s[nh] + sg * a[nh]));
            }
            for (int m = T + 1; m < nc; m++) cb[m][0] = cb[m][1] = 0;
            NJ_FFTW(execute_dft_c2r)(b->c2r, cb, rb);
            int lat = h ? nlat - 1 - j : j;
            memcpy(grid + ((size_t)f * nlat + lat) * nlon, rb, sizeof(nj_real) * nlon);
        }
    }
    return NJORD_OK;
}

static int cpu_fft_fwd(njord_sht_plan *p, const nj_real *grid, int f0, int nf, int ncol,
                       enum nj_rowscale scale)
{
    nj_cpu_sht *b = BK(p);
    const int T = p->T, nh = p->nh, nlat = p->nlat, nlon = p->nlon;
    const size_t mstride = 2 * (size_t)nh * ncol, astride = (size_t)nh * ncol;
    const double *sc = p->ana_scale[scale];
    const int nthr = NJ_MIN(b->nthr, nj_max_threads());
#pragma omp parallel for schedule(static) num_threads(nthr)
    for (int q = 0; q < nf * nh; q++) {
        int f = q / nh, j = q % nh, tid = nj_thread_id();
        nj_real *rb = b->rbuf + (size_t)tid * b->rstride;
        NJ_FFTW(complex) *cn = b->cbuf + (size_t)tid * 2 * b->cstride;
        NJ_FFTW(complex) *cs = cn + b->cstride;
        int eq = (2 * j + 1 == nlat);
        memcpy(rb, grid + ((size_t)f * nlat + j) * nlon, sizeof(nj_real) * nlon);
        NJ_FFTW(execute_dft_r2c)(b->r2c, rb, cn);
        if (!eq) {
            memcpy(rb, grid + ((size_t)f * nlat + (nlat - 1 - j)) * nlon, sizeof(nj_real) * nlon);
            NJ_FFTW(execute_dft_r2c)(b->r2c, rb, cs);
        }
        const double fac = sc[j] / nlon;
        int col = 2 * (f0 + f);
        nj_real *s0 = b->four + (size_t)j + (size_t)nh * col;
        for (int m = 0; m <= T; m++) {
            nj_real *s = s0 + m * mstride;
            nj_real *a = s + astride;
            for (int c = 0; c < 2; c++) {
                double vn = cn[m][c], vs = eq ? 0.0 : cs[m][c];
                double ss = eq ? vn : vn + vs, aa = eq ? 0.0 : vn - vs;
                s[c * nh] = (nj_real)(fac * ss);
                a[c * nh] = (nj_real)(fac * aa);
            }
        }
    }
    return NJORD_OK;
}

static int cpu_spec_scale(const njord_sht_plan *p, const nj_real *in, nj_real *out, int nf,
                          int inverse)
{
    const int T = p->T;
    const size_t nsp = NJORD_SHT_NSPEC(T);
    for (int f = 0; f < nf; f++)
        for (int m = 0; m <= T; m++)
            for (int n = m; n <= T; n++) {
                size_t i = 2 * (nsp * f + njord_sht_index(T, m, n));
                double s = inverse ? nj_invlap_factor(n, p->radius) : nj_lap_factor(n, p->radius);
                out[i] = (nj_real)(s * in[i]);
                out[i + 1] = (nj_real)(s * in[i + 1]);
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
    .fft_inv = cpu_fft_inv,
    .fft_fwd = cpu_fft_fwd,
    .spec_scale = cpu_spec_scale,
    .ptr_ok = cpu_ptr_ok,
};
