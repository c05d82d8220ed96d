/* lib/sht/legendre.c — the normalised associated Legendre functions P_n^m(mu_j).
 *
 * P_m^m = sqrt(3/1 ... ) sin^m(theta) underflows double near the poles once m is a
 * few hundred, although P_n^m(theta) becomes representable again further up in n.
 * The recurrence therefore carries each value as x * BIG^e with an integer e <= 0
 * (extended-exponent "X-numbers", Fukushima 2012, J. Geodesy 86:271), in double
 * precision, and writes the ordinary value once e has returned to 0 (values still
 * scaled are below 2^-480 and written as 0). In the single-precision build, values
 * below NJ_LEG_NEGLIGIBLE are written as 0 too: as floats they could be
 * subnormal, and subnormal operands slow the products down many times on some
 * processors (Intel Emerald Rapids: 8x on the single-precision T341 Legendre
 * step). In double they are kept (no double here comes near the subnormal range).
 * The rows before the first one where some degree reaches NJ_LEG_NEGLIGIBLE
 * (jlo) hold 0 in both.
 *
 * Two parts: nj_legendre_start runs the scaled recurrence latitude by latitude up
 * to the degree n0 where the value becomes an ordinary double (once per plan);
 * nj_legendre_gen continues from there with the plain three-term recurrence,
 * vectorised over latitudes (the state of 3 x 8 latitudes kept in registers
 * through NJ_GEN_CHUNK degrees), and writes the columns, column-major or straight
 * into the packed blocks of the cpu backend's Legendre kernels. Stored tables come
 * from the two in turn (nj_legendre_m); above its table-size limit the cpu backend
 * keeps only the start states and regenerates the columns of each m when it needs
 * them, the same values bit for bit. This file is compiled with floating-point
 * contraction (Makefile): the values depend on whether the clone the processor
 * runs has FMA, as the Legendre kernels' results do (lib/backend/cpu_leg.h), but
 * not on the path or the rows a call covers. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "plan.h"

#define NJ_XBIG 0x1p960
#define NJ_XBIGI 0x1p-960
#define NJ_XBIGS 0x1p480
#define NJ_XBIGSI 0x1p-480

static inline nj_real nj_leg_store(double x)
{
#ifdef NJORD_SINGLE
    return (nj_real)(fabs(x) < NJ_LEG_NEGLIGIBLE ? 0.0 : x);
#else
    return x;
#endif
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NJ_GEN_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NJ_GEN_CLONES
#endif

#define NJ_GEN_CHUNK NJ_LEGENDRE_GEN_MAX /* degrees per pass of nj_legendre_gen over the rows */

/* nj_leg_store of eight values (GCC vector extensions, lowered to the clone's
 * vector width): |x| < NJ_LEG_NEGLIGIBLE compared on the bit patterns, which order
 * non-negative doubles as their values (NaN above all), so bitwise the same. */
typedef double nj_vd __attribute__((vector_size(64)));
typedef long long nj_vl __attribute__((vector_size(64)));
static inline __attribute__((always_inline)) void nj_leg_store8(nj_real *out, const nj_vd *xp)
{
#ifdef NJORD_SINGLE
    const nj_vd x = *xp;
    const double neg = NJ_LEG_NEGLIGIBLE;
    long long negbits;
    memcpy(&negbits, &neg, sizeof neg);
    const nj_vl mag = (nj_vl)x & 0x7FFFFFFFFFFFFFFFLL;
    const nj_vd q = (nj_vd)((nj_vl)x & ~(mag < negbits));
    typedef float nj_vf8 __attribute__((vector_size(32)));
    const nj_vf8 f = __builtin_convertvector(q, nj_vf8);
    memcpy(out, &f, sizeof f);
#else
    memcpy(out, xp, sizeof *xp);
#endif
}

/* One step of the three-term recurrence for 8 rows,
 *   P_n = (mu / eps_n) P_{n-1} - (eps_{n-1} / eps_n) P_{n-2}:
 * every value of every path below comes from this one expression, so that all
 * round alike whatever the compiler fuses (this file is compiled with
 * contraction: the first product and the subtraction become one FMA, which keeps
 * the dependence of P_n on P_{n-1} to one instruction). */
static inline __attribute__((always_inline)) nj_vd nj_leg_step(nj_vd c, double iv, double e1,
                                                               nj_vd a, nj_vd b)
{
    return c * iv * a - e1 * b;
}

/* cnt recurrence steps of nv (1 or 3) independent vectors of 8 rows from row i,
 * none of which starts within the steps: the state in registers, and the vectors
 * interleaved, since each step waits for the last. */
static inline __attribute__((always_inline)) void
nj_leg_steps(int nv, int cnt, const double *costh, double *p1, double *p2, const double *e1,
             const double *iv, nj_real *const *out, int i)
{
    nj_vd c[3], a[3], b[3];
    memcpy(c, costh, sizeof c[0] * (size_t)nv);
    memcpy(a, p1, sizeof a[0] * (size_t)nv);
    memcpy(b, p2, sizeof b[0] * (size_t)nv);
    for (int t = 0; t < cnt; t++)
        for (int v = 0; v < nv; v++) {
            nj_vd p = nj_leg_step(c[v], iv[t], e1[t], a[v], b[v]);
            b[v] = a[v];
            a[v] = p;
            nj_leg_store8(out[t] + i + 8 * v, &p);
        }
    memcpy(p1, a, sizeof a[0] * (size_t)nv);
    memcpy(p2, b, sizeof b[0] * (size_t)nv);
}

/* The step t of the cnt degrees from n at which a row with start degree n0
 * starts its recurrence (n0 = n + t), or -1. */
static inline int nj_leg_start_step(int n0, int n, int cnt)
{
    return (unsigned)(n0 - n) < (unsigned)cnt ? n0 - n : -1;
}

/* The same for the nr rows from row i (nr <= 24: nv = ceil(nr / 8) vectors,
 * interleaved), some of which may start at a degree n + t of the steps (n0:
 * there the value becomes representable, with the start state s1, s0; before it
 * the row holds 0, which the recurrence keeps): the start states put in by
 * masks. Lanes beyond nr compute on zeros and are not stored. */
static inline __attribute__((always_inline)) void
nj_leg_steps_starts(int nr, int n, int cnt, const double *costh, const int *n0,
                    const double *s0, const double *s1, double *p1, double *p2,
                    const double *e1, const double *iv, nj_real *const *out, int i)
{
    const int nv = (nr + 7) / 8;
    double cc[24] = {0}, aa[24] = {0}, bb[24] = {0}, z0[24] = {0}, z1[24] = {0};
    long long st[24]; /* the step at which each row starts, or -1 */
    for (int l = 0; l < 24; l++) {
        st[l] = l < nr ? nj_leg_start_step(n0[i + l], n, cnt) : -1;
        if (l >= nr) continue;
        cc[l] = costh[i + l];
        aa[l] = p1[i + l];
        bb[l] = p2[i + l];
        z0[l] = s0[i + l];
        z1[l] = s1[i + l];
    }
    nj_vd c[3], a[3], b[3], v0[3], v1[3];
    nj_vl ts[3];
    memcpy(c, cc, sizeof c);
    memcpy(a, aa, sizeof a);
    memcpy(b, bb, sizeof b);
    memcpy(v0, z0, sizeof v0);
    memcpy(v1, z1, sizeof v1);
    memcpy(ts, st, sizeof ts);
    for (int t = 0; t < cnt; t++)
        for (int v = 0; v < nv; v++) {
            const nj_vd p = nj_leg_step(c[v], iv[t], e1[t], a[v], b[v]);
            const nj_vl here = ts[v] == t; /* all bits set in the lanes starting now */
            b[v] = (nj_vd)(((nj_vl)v0[v] & here) | ((nj_vl)a[v] & ~here));
            a[v] = (nj_vd)(((nj_vl)v1[v] & here) | ((nj_vl)p & ~here));
            const int k = NJ_MIN(8, nr - 8 * v);
            if (k == 8)
                nj_leg_store8(out[t] + i + 8 * v, &a[v]);
            else
                for (int l = 0; l < k; l++) out[t][i + 8 * v + l] = nj_leg_store(a[v][l]);
        }
    memcpy(aa, a, sizeof a);
    memcpy(bb, b, sizeof b);
    for (int l = 0; l < nr; l++) {
        p1[i + l] = aa[l];
        p2[i + l] = bb[l];
    }
}

/* Whether a row of [a, b) starts its recurrence within degrees [n, n + cnt)
 * (rows starting later hold 0 until then, and the plain recurrence keeps 0). */
static inline int nj_leg_starts(const int *n0, int a, int b, int n, int cnt)
{
    int any = 0;
    for (int i = a; i < b; i++) any |= nj_leg_start_step(n0[i], n, cnt) >= 0;
    return any;
}

/* eps_n = sqrt((n^2 - m^2) / (4 n^2 - 1)) */
static inline double nj_leg_eps(int n, int m)
{
    return sqrt(((double)n * n - (double)m * m) / (4.0 * n * n - 1.0));
}

void nj_legendre_start(int m, int T, int nh, const double *costh, const double *sinth,
                       int *n0, double *s0, double *s1)
{
    const int Tx = T + 1; /* degrees up to T+1 */
    for (int j = 0; j < nh; j++) {
        /* P_m^m = prod_{k=1..m} sqrt((2k+1)/(2k)) sin(theta) */
        double x = 1.0;
        int e = 0;
        for (int k = 1; k <= m; k++) {
            x *= sqrt((2.0 * k + 1.0) / (2.0 * k)) * sinth[j];
            if (fabs(x) < NJ_XBIGSI) {
                x *= NJ_XBIG;
                e -= 1;
            }
        }
        n0[j] = m;
        s1[j] = x;
        s0[j] = 0.0;
        if (e == 0) continue;
        /* eps_n P_n = mu P_{n-1} - eps_{n-1} P_{n-2}, scaled, until e returns to 0 */
        double p1 = x, p2 = 0.0, en1 = 0.0;
        n0[j] = Tx + 1; /* never representable up to T+1 */
        s1[j] = s0[j] = 0.0;
        for (int n = m + 1; n <= Tx; n++) {
            double en = nj_leg_eps(n, m), inv = 1.0 / en;
            double p = (costh[j] * p1 - en1 * p2) * inv;
            p2 = p1;
            p1 = p;
            if (fabs(p) > NJ_XBIGS) {
                p1 *= NJ_XBIGI;
                p2 *= NJ_XBIGI;
                if (++e == 0) {
                    n0[j] = n;
                    s1[j] = p1;
                    s0[j] = p2;
                    break;
                }
            }
            en1 = en;
        }
    }
}

/* The element of row j0 + lo of one output column: column-major (row j0 first),
 * or, with br > 0, in the packed blocks of br rows (kd columns per block). */
static inline nj_real *nj_leg_at(nj_real *col, int br, int kd, int j0, int lo)
{
    if (!br) return col + lo;
    const int j = j0 + lo;
    return col + (size_t)(j / br) * kd * br + j % br;
}

/* The factors of the recurrence for the cnt (<= NJ_GEN_CHUNK) degrees from n:
 * e1[t] = eps_{n+t-1} / eps_{n+t}, iv[t] = 1 / eps_{n+t} (eps_m = 0); in vectors. */
static inline __attribute__((always_inline)) void nj_leg_factors(int m, int n, int cnt,
                                                                 double *e1, double *iv)
{
    double en[NJ_GEN_CHUNK + 1];
#pragma omp simd
    for (int t = 0; t <= cnt; t++) en[t] = nj_leg_eps(n - 1 + t, m);
#pragma omp simd
    for (int t = 0; t < cnt; t++) {
        e1[t] = en[t] / en[t + 1];
        iv[t] = 1.0 / en[t + 1];
    }
}

/* The first degree (n = m) of nr rows: the start states where the recurrence
 * starts at m, else 0; written to out[i]. */
static inline __attribute__((always_inline)) void nj_leg_first(int m, int nr, const int *n0,
                                                               const double *s0, const double *s1,
                                                               double *p1, double *p2, nj_real *out)
{
#pragma omp simd
    for (int i = 0; i < nr; i++) {
        int here = n0[i] == m;
        p1[i] = here ? s1[i] : 0.0;
        p2[i] = here ? s0[i] : 0.0;
        out[i] = nj_leg_store(p1[i]);
    }
}

/* Rows 0..nr-1 of the arrays through the cnt degrees from n (factors e1, iv),
 * degree n + t written to out[t][i]: groups of 24 rows (3 vectors) in registers,
 * the starts within the degrees put in by masks (a tenth of the work at T341 is
 * in blocks where some row starts; done 8 rows at a time, lane by lane, they
 * made the one-field Legendre stage 5-12 % slower); the last rows (fewer than 24) in
 * groups of 8 without starts, else of up to 8 rows with the starts. */
static inline __attribute__((always_inline)) void
nj_leg_rows(int n, int cnt, int nr, const double *costh, const int *n0, const double *s0,
            const double *s1, double *p1, double *p2, const double *e1, const double *iv,
            nj_real *const *out)
{
    for (int i = 0; i < nr;) {
        const int k = NJ_MIN(8, nr - i);
        if (nr - i >= 24) {
            if (!nj_leg_starts(n0, i, i + 24, n, cnt))
                nj_leg_steps(3, cnt, costh + i, p1 + i, p2 + i, e1, iv, out, i);
            else
                nj_leg_steps_starts(24, n, cnt, costh, n0, s0, s1, p1, p2, e1, iv, out, i);
            i += 24;
        } else if (k == 8 && !nj_leg_starts(n0, i, i + 8, n, cnt)) {
            nj_leg_steps(1, cnt, costh + i, p1 + i, p2 + i, e1, iv, out, i);
            i += 8;
        } else {
            nj_leg_steps_starts(k, n, cnt, costh, n0, s0, s1, p1, p2, e1, iv, out, i);
            i += k;
        }
    }
}

NJ_GEN_CLONES
void nj_legendre_gen(int m, int n1, int n2, int j0, int nh, const double *costh, const int *n0,
                     const double *s0, const double *s1, double *p1, double *p2, int br,
                     nj_real *sym, int lds, nj_real *anti, int lda)
{
    const int mr = nh - j0;
    costh += j0;
    n0 += j0;
    s0 += j0;
    s1 += j0;
    int n = n1;
    /* row segments [lo, hi): the whole column, or its parts in each block */
#define NJ_SEGMENTS(lo, hi) \
    for (int lo = 0, hi; lo < mr; lo = hi) \
        if ((hi = br ? NJ_MIN(mr, ((j0 + lo) / br + 1) * br - j0) : mr), 1)
    if (n1 == m) {
        NJ_SEGMENTS(lo, hi)
        nj_leg_first(m, hi - lo, n0 + lo, s0 + lo, s1 + lo, p1 + lo, p2 + lo,
                     nj_leg_at(sym, br, lds, j0, lo));
        n++;
    }
    while (n <= n2) { /* NJ_GEN_CHUNK degrees at a time */
        const int cnt = NJ_MIN(NJ_GEN_CHUNK, n2 - n + 1);
        double e1[NJ_GEN_CHUNK], iv[NJ_GEN_CHUNK];
        nj_leg_factors(m, n, cnt, e1, iv);
        /* per degree: the address of the segment's first row, and (packed) the
         * shift from one block of rows to the next */
        nj_real *out[NJ_GEN_CHUNK];
        ptrdiff_t step[NJ_GEN_CHUNK];
        for (int t = 0; t < cnt; t++) {
            const int odd = (n + t - m) & 1;
            const size_t r = (size_t)((n + t - n1) >> 1);
            nj_real *col = odd ? anti + r * (br ? br : lda) : sym + r * (br ? br : lds);
            out[t] = nj_leg_at(col, br, odd ? lda : lds, j0, 0);
            step[t] = br ? (ptrdiff_t)(odd ? lda : lds) * br : 0;
        }
        NJ_SEGMENTS(lo, hi)
        {
            nj_leg_rows(n, cnt, hi - lo, costh + lo, n0 + lo, s0 + lo, s1 + lo, p1 + lo, p2 + lo,
                        e1, iv, out);
            if (br && hi < mr) /* the next block: its first row */
                for (int t = 0; t < cnt; t++) out[t] += step[t] - (j0 + lo) % br;
        }
        n += cnt;
    }
#undef NJ_SEGMENTS
}

NJ_GEN_CLONES
void nj_legendre_gen_blocks(int m, int n1, int n2, int j0, int nh, const double *costh,
                            const int *n0, const double *s0, const double *s1, double *p1,
                            double *p2, int br, nj_real *sym, nj_real *anti,
                            void (*use)(void *ctx, int j, int rows), void *ctx)
{
    /* the factors and the block buffer's columns once for all blocks */
    const int n = n1 == m ? n1 + 1 : n1, cnt = n2 - n + 1;
    double e1[NJ_GEN_CHUNK], iv[NJ_GEN_CHUNK];
    nj_real *out[NJ_GEN_CHUNK];
    if (cnt > 0) nj_leg_factors(m, n, cnt, e1, iv);
    for (int t = 0; t < cnt; t++) {
        const size_t r = (size_t)((n + t - n1) >> 1);
        out[t] = ((n + t - m) & 1 ? anti : sym) + r * br;
    }
    for (int j = j0; j < nh; j += br) {
        const int nr = NJ_MIN(br, nh - j);
        if (n1 == m) nj_leg_first(m, nr, n0 + j, s0 + j, s1 + j, p1 + j - j0, p2 + j - j0, sym);
        if (cnt > 0)
            nj_leg_rows(n, cnt, nr, costh + j, n0 + j, s0 + j, s1 + j, p1 + j - j0, p2 + j - j0, e1,
                        iv, out);
        use(ctx, j, nr);
    }
}

/* The first row j (of nh) where some |P_n^m|, n = m..T+1, reaches
 * NJ_LEG_NEGLIGIBLE (nh if none), jlo; the rows before it set to 0. */
static int nj_legendre_jlo(int m, int T, int nh, nj_real *sym, int lds, nj_real *anti, int lda)
{
    const int Tx = T + 1, nsym = (Tx - m) / 2 + 1, nanti = (Tx - m + 1) / 2;
    int jlo = nh;
    for (int j = 0; j < nh && jlo == nh; j++) {
        for (int r = 0; r < nsym; r++)
            if (fabs((double)sym[j + (size_t)r * lds]) >= NJ_LEG_NEGLIGIBLE) jlo = j;
        for (int r = 0; r < nanti; r++)
            if (fabs((double)anti[j + (size_t)r * lda]) >= NJ_LEG_NEGLIGIBLE) jlo = j;
    }
    for (int j = 0; j < jlo; j++) {
        for (int r = 0; r < nsym; r++) sym[j + (size_t)r * lds] = 0;
        for (int r = 0; r < nanti; r++) anti[j + (size_t)r * lda] = 0;
    }
    return jlo;
}

int nj_legendre_m(int m, int T, int nh, const double *costh, const double *sinth, int *n0,
                  double *s0, double *s1, double *work, nj_real *sym, int lds, nj_real *anti,
                  int lda)
{
    nj_legendre_start(m, T, nh, costh, sinth, n0, s0, s1);
    nj_legendre_gen(m, m, T + 1, 0, nh, costh, n0, s0, s1, work, work + nh, 0, sym, lds, anti,
                    lda);
    const int jlo = nj_legendre_jlo(m, T, nh, sym, lds, anti, lda);
    /* the rows before jlo marked as never starting, so that regenerating them
     * (nj_legendre_gen from a row below jlo) gives 0 as well */
    for (int j = 0; j < jlo; j++) {
        n0[j] = T + 2;
        s0[j] = s1[j] = 0.0;
    }
    return jlo;
}

void nj_legendre_tables(int T, int nh, const double *costh, const double *sinth, int nm,
                        const int *mloc, const int *ns, const size_t *tab_cum, int nthr,
                        double *work, int *iwork, nj_real *tab, int *jlo)
{
#pragma omp parallel num_threads(nthr)
    {
        int tid = nj_thread_id();
        double *w = work + (size_t)tid * 4 * nh; /* s0, s1, recurrence state */
        int *iw = iwork + (size_t)tid * nh;
#pragma omp for schedule(dynamic, 1)
        for (int im = 0; im < nm; im++) {
            nj_real *sym = tab + tab_cum[im] * (size_t)nh;
            nj_real *anti = sym + (size_t)ns[im] * (size_t)nh;
            jlo[im] = nj_legendre_m(mloc[im], T, nh, costh, sinth, iw, w, w + nh, w + 2 * nh, sym,
                                    nh, anti, nh);
        }
    }
}
