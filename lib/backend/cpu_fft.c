/* lib/backend/cpu_fft.c — the cpu backend's longitude FFTs (cpu_fft.h).
 *
 * Stockham passes (self-sorting, decimation in frequency): a pass of radix p on
 * a sub-length L = p m with stride s reads
 *   a_t = x[q + s (j + t m)],  t < p,
 * and writes the p-point DFT of the a_t, times the twiddles e^{-2 pi i u j / L},
 *   y[q + s (p j + u)],        u < p,
 * for j < m and q < s; the next pass has L = m and stride s p. Each element is
 * one complex value of VL rows (two 64-byte vectors), so the passes are vector
 * arithmetic with no shuffles. The inverse transform runs the same passes on
 * the sequence with real and imaginary parts exchanged (that exchange turns
 * the forward DFT into the inverse one).
 *
 * Compiled with floating-point contraction (Makefile), like cpu_leg.c; one clone
 * per vector width, chosen when the library loads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_fft.h"

#define NJ_SHT_REAL nj_real
#include "../../kernels/common/sht_point.h"

#define VL NJ_FFT_VL
#define MAXPASS 64

typedef nj_real vr __attribute__((vector_size(64)));

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NJ_FFT_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NJ_FFT_CLONES
#endif
#define INLINE static inline __attribute__((always_inline))

struct nj_rfft {
    int nlon, n, npass;
    int p[MAXPASS], m[MAXPASS], s[MAXPASS];
    nj_real *tw[MAXPASS]; /* pass i: for j < m, (p-1) complex (re, im) e^{-2 pi i u j / (p m)} */
    nj_real *rc, *rs;     /* cos, sin (2 pi k / nlon), k < n: the even/odd split */
};

int nj_rfft_supported(int nlon)
{
    if (nlon < 2 || nlon % 2) return 0;
    int n = nlon / 2;
    while (n % 2 == 0) n /= 2;
    while (n % 3 == 0) n /= 3;
    while (n % 5 == 0) n /= 5;
    return n == 1;
}

/* cos and sin of 2 pi r / den, 0 <= r < den, reduced to the first quadrant in
 * integers (exact at multiples of pi/2), in long double. */
static void twiddle(long r, long den, nj_real *c, nj_real *s)
{
    const long double half_pi = 1.5707963267948966192313216916397514L;
    long q = 4 * r / den, rem = 4 * r - q * den;
    long double phi = half_pi * (long double)rem / (long double)den;
    long double c0 = cosl(phi), s0 = sinl(phi), cr, sr;
    switch (q & 3) {
    case 0: cr = c0; sr = s0; break;
    case 1: cr = -s0; sr = c0; break;
    case 2: cr = -c0; sr = -s0; break;
    default: cr = s0; sr = -c0; break;
    }
    *c = (nj_real)cr;
    *s = (nj_real)sr;
}

void nj_rfft_destroy(nj_rfft *f)
{
    if (!f) return;
    for (int i = 0; i < f->npass; i++) free(f->tw[i]);
    free(f->rc);
    free(f->rs);
    free(f);
}

nj_rfft *nj_rfft_create(int nlon)
{
    if (!nj_rfft_supported(nlon)) return NULL;
    nj_rfft *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->nlon = nlon;
    f->n = nlon / 2;
    int rest = f->n, np = 0;
    while (rest % 8 == 0) f->p[np++] = 8, rest /= 8;
    while (rest % 4 == 0) f->p[np++] = 4, rest /= 4;
    while (rest % 2 == 0) f->p[np++] = 2, rest /= 2;
    while (rest % 3 == 0) f->p[np++] = 3, rest /= 3;
    while (rest % 5 == 0) f->p[np++] = 5, rest /= 5;
    f->npass = np;
    int L = f->n, s = 1, ok = 1;
    for (int i = 0; i < np; i++) {
        int p = f->p[i], m = L / p;
        f->m[i] = m;
        f->s[i] = s;
        f->tw[i] = malloc(sizeof(nj_real) * 2 * (size_t)(p - 1) * (size_t)m);
        if (!f->tw[i]) {
            ok = 0;
            break;
        }
        for (int j = 0; j < m; j++)
            for (int u = 1; u < p; u++) {
                nj_real c, sn;
                twiddle((long)u * j % L, L, &c, &sn);
                f->tw[i][2 * ((size_t)j * (p - 1) + u - 1)] = c;
                f->tw[i][2 * ((size_t)j * (p - 1) + u - 1) + 1] = -sn;
            }
        L = m;
        s *= p;
    }
    f->rc = malloc(sizeof(nj_real) * (size_t)f->n);
    f->rs = malloc(sizeof(nj_real) * (size_t)f->n);
    if (!ok || !f->rc || !f->rs) {
        nj_rfft_destroy(f);
        return NULL;
    }
    for (int k = 0; k < f->n; k++) twiddle(k, nlon, &f->rc[k], &f->rs[k]);
    return f;
}

/* ------------------------------------------------------------------ passes */

typedef struct {
    vr r, i;
} cv;

/* element k of a sequence: real part at ro, imaginary part at io (0 and VL, or
 * exchanged for the inverse) */
#define EL(x, k) ((x) + 2 * VL * (size_t)(k))
INLINE cv ld(const nj_real *e, int ro, int io)
{
    cv v = {*(const vr *)(const void *)(e + ro), *(const vr *)(const void *)(e + io)};
    return v;
}
INLINE void st(nj_real *e, int ro, int io, cv v)
{
    *(vr *)(void *)(e + ro) = v.r;
    *(vr *)(void *)(e + io) = v.i;
}
INLINE cv cadd(cv a, cv b) { return (cv){a.r + b.r, a.i + b.i}; }
INLINE cv csub(cv a, cv b) { return (cv){a.r - b.r, a.i - b.i}; }
/* a times the scalar complex (c, s) */
INLINE cv cmul(cv a, nj_real c, nj_real s) { return (cv){a.r * c - a.i * s, a.r * s + a.i * c}; }
/* -i a */
INLINE cv cmi(cv a) { return (cv){a.i, -a.r}; }

INLINE void bfly2(cv *a)
{
    cv t = a[0];
    a[0] = cadd(t, a[1]);
    a[1] = csub(t, a[1]);
}

INLINE void bfly4(cv *a)
{
    cv t0 = cadd(a[0], a[2]), t1 = csub(a[0], a[2]);
    cv t2 = cadd(a[1], a[3]), t3 = cmi(csub(a[1], a[3]));
    a[0] = cadd(t0, t2);
    a[2] = csub(t0, t2);
    a[1] = cadd(t1, t3);
    a[3] = csub(t1, t3);
}

INLINE void bfly3(cv *a)
{
    const nj_real h = (nj_real)0.5, s3 = (nj_real)0.86602540378443864676372317075293618L;
    cv t1 = cadd(a[1], a[2]), d = csub(a[1], a[2]);
    cv t2 = {a[0].r - h * t1.r, a[0].i - h * t1.i};
    cv r = cmi(d); /* -i (a1 - a2), times sin(2 pi / 3) */
    r.r *= s3;
    r.i *= s3;
    a[0] = cadd(a[0], t1);
    a[1] = cadd(t2, r);
    a[2] = csub(t2, r);
}

INLINE void bfly5(cv *a)
{
    const nj_real c1 = (nj_real)0.30901699437494742410229341718281906L,  /* cos 2pi/5 */
        c2 = (nj_real)-0.80901699437494742410229341718281906L,           /* cos 4pi/5 */
        s1 = (nj_real)0.95105651629515357211643933337938214L,            /* sin 2pi/5 */
        s2 = (nj_real)0.58778525229247312916870595463907277L;            /* sin 4pi/5 */
    cv t1 = cadd(a[1], a[4]), t2 = cadd(a[2], a[3]);
    cv t3 = csub(a[1], a[4]), t4 = csub(a[2], a[3]);
    cv r1 = {a[0].r + c1 * t1.r + c2 * t2.r, a[0].i + c1 * t1.i + c2 * t2.i};
    cv r2 = {a[0].r + c2 * t1.r + c1 * t2.r, a[0].i + c2 * t1.i + c1 * t2.i};
    cv i1 = cmi((cv){s1 * t3.r + s2 * t4.r, s1 * t3.i + s2 * t4.i});
    cv i2 = cmi((cv){s2 * t3.r - s1 * t4.r, s2 * t3.i - s1 * t4.i});
    a[0] = cadd(a[0], cadd(t1, t2));
    a[1] = cadd(r1, i1);
    a[4] = csub(r1, i1);
    a[2] = cadd(r2, i2);
    a[3] = csub(r2, i2);
}

/* 8 points: two 4-point DFTs (even and odd inputs) and their combination with
 * e^{-2 pi i k / 8} */
INLINE void bfly8(cv *a)
{
    const nj_real r2 = (nj_real)0.70710678118654752440084436210484904L;
    cv e[4] = {a[0], a[2], a[4], a[6]}, o[4] = {a[1], a[3], a[5], a[7]};
    bfly4(e);
    bfly4(o);
    cv o1 = {r2 * (o[1].r + o[1].i), r2 * (o[1].i - o[1].r)};
    cv o2 = cmi(o[2]);
    cv o3 = {r2 * (o[3].i - o[3].r), -r2 * (o[3].r + o[3].i)};
    a[0] = cadd(e[0], o[0]);
    a[4] = csub(e[0], o[0]);
    a[1] = cadd(e[1], o1);
    a[5] = csub(e[1], o1);
    a[2] = cadd(e[2], o2);
    a[6] = csub(e[2], o2);
    a[3] = cadd(e[3], o3);
    a[7] = csub(e[3], o3);
}

#define PASS(P, BFLY)                                                                     \
    INLINE void pass##P(int m, int s, const nj_real *tw, const nj_real *x, nj_real *y,   \
                        int ro, int io)                                                   \
    {                                                                                     \
        for (int j = 0; j < m; j++) {                                                     \
            const nj_real *w = tw + 2 * (P - 1) * (size_t)j;                              \
            for (int q = 0; q < s; q++) {                                                 \
                cv a[P];                                                                  \
                _Pragma("GCC unroll 8") for (int t = 0; t < P; t++)                       \
                    a[t] = ld(EL(x, q + (size_t)s * (j + (size_t)t * m)), ro, io);       \
                BFLY(a);                                                                  \
                st(EL(y, q + (size_t)s * ((size_t)P * j)), ro, io, a[0]);                \
                if (m > 1)                                                                \
                    _Pragma("GCC unroll 8") for (int u = 1; u < P; u++)                   \
                        a[u] = cmul(a[u], w[2 * (u - 1)], w[2 * (u - 1) + 1]);           \
                _Pragma("GCC unroll 8") for (int u = 1; u < P; u++)                       \
                    st(EL(y, q + (size_t)s * ((size_t)P * j + u)), ro, io, a[u]);        \
            }                                                                             \
        }                                                                                 \
    }
PASS(2, bfly2)
PASS(3, bfly3)
PASS(4, bfly4)
PASS(5, bfly5)
PASS(8, bfly8)

/* The complex FFT of the n elements at in (overwritten), through w, the result
 * in out (when out is not NULL; distinct from in and w) or in in or w: returns
 * where. */
INLINE nj_real *cfft(const nj_rfft *f, nj_real *in, nj_real *w, nj_real *out, int ro, int io)
{
    nj_real *cur = in;
    for (int i = 0; i < f->npass; i++) {
        nj_real *dst = (i == f->npass - 1 && out) ? out : (cur == w ? in : w);
        switch (f->p[i]) {
        case 8: pass8(f->m[i], f->s[i], f->tw[i], cur, dst, ro, io); break;
        case 4: pass4(f->m[i], f->s[i], f->tw[i], cur, dst, ro, io); break;
        case 2: pass2(f->m[i], f->s[i], f->tw[i], cur, dst, ro, io); break;
        case 3: pass3(f->m[i], f->s[i], f->tw[i], cur, dst, ro, io); break;
        default: pass5(f->m[i], f->s[i], f->tw[i], cur, dst, ro, io); break;
        }
        cur = dst;
    }
    if (out && cur != out) memcpy(out, cur, sizeof(nj_real) * 2 * VL * (size_t)f->n);
    return out ? out : cur;
}

NJ_FFT_CLONES
void nj_rfft_fwd(const nj_rfft *f, nj_real *x, nj_real *w, int kmax, nj_real *X)
{
    const int n = f->n;
    const nj_real *Z = cfft(f, x, w, NULL, 0, VL);
    const vr h = (vr){0} + (nj_real)0.5;
    /* X_k = E_k + e^{-2 pi i k / nlon} O_k, with E and O the transforms of the
     * even and odd values: E_k = (Z_k + conj Z_{n-k}) / 2, O_k = -i (Z_k - conj
     * Z_{n-k}) / 2 */
    {
        cv z = ld(EL(Z, 0), 0, VL);
        st(EL(X, 0), 0, VL, (cv){z.r + z.i, (vr){0}});
    }
    for (int k = 1; k <= kmax; k++) {
        cv a = ld(EL(Z, k), 0, VL), b = ld(EL(Z, n - k), 0, VL);
        cv e = {h * (a.r + b.r), h * (a.i - b.i)};
        cv o = {h * (a.i + b.i), h * (b.r - a.r)};
        const nj_real c = f->rc[k], s = f->rs[k];
        st(EL(X, k), 0, VL, (cv){e.r + c * o.r + s * o.i, e.i + c * o.i - s * o.r});
    }
}

NJ_FFT_CLONES
void nj_rfft_inv(const nj_rfft *f, nj_real *X, int kmax, nj_real *w, nj_real *x)
{
    const int n = f->n;
    const vr zero = {0};
    /* Z_k = E_k + i O_k, E_k = X_k + conj X_{n-k}, O_k = (X_k - conj X_{n-k})
     * e^{2 pi i k / nlon} (twice the even and odd parts), Z_{n-k} = conj E_k +
     * i conj O_k; in place, pair by pair */
    {
        vr x0 = *(const vr *)(const void *)X;
        st(EL(X, 0), 0, VL, (cv){x0, x0});
    }
    for (int k = 1; 2 * k <= n; k++) {
        const int j = n - k;
        cv a = k <= kmax ? ld(EL(X, k), 0, VL) : (cv){zero, zero};
        cv b = j <= kmax ? ld(EL(X, j), 0, VL) : (cv){zero, zero};
        const nj_real c = f->rc[k], s = f->rs[k];
        cv e = {a.r + b.r, a.i - b.i}, d = {a.r - b.r, a.i + b.i};
        cv o = {c * d.r - s * d.i, c * d.i + s * d.r};
        st(EL(X, k), 0, VL, (cv){e.r - o.i, e.i + o.r});
        if (j != k) st(EL(X, j), 0, VL, (cv){e.r + o.i, o.r - e.i});
    }
    /* the inverse DFT: the forward passes with real and imaginary exchanged */
    cfft(f, X, w, x, VL, 0);
}

/* ------------------------------------------------------- rows <-> lanes */

/* Transposition of VL vectors in log2(VL) steps: step b exchanges bit b of the
 * row index with bit b of the column index (two-source shuffles). */
#define LO(b, j) (((j) & (b)) ? VL + ((j) & ~(b)) : (j))
#define HI(b, j) (((j) & (b)) ? VL + (j) : ((j) | (b)))
#ifdef NJORD_SINGLE
#define SHUF(x, y, F, b)                                                                     \
    __builtin_shufflevector(x, y, F(b, 0), F(b, 1), F(b, 2), F(b, 3), F(b, 4), F(b, 5),     \
                            F(b, 6), F(b, 7), F(b, 8), F(b, 9), F(b, 10), F(b, 11), F(b, 12), \
                            F(b, 13), F(b, 14), F(b, 15))
#else
#define SHUF(x, y, F, b)                                                                 \
    __builtin_shufflevector(x, y, F(b, 0), F(b, 1), F(b, 2), F(b, 3), F(b, 4), F(b, 5), \
                            F(b, 6), F(b, 7))
#endif
#define XSTEP(b)                                                     \
    for (int i = 0; i < VL; i++)                                     \
        if (!(i & (b))) {                                            \
            vr lo = SHUF(t[i], t[i + (b)], LO, b);                   \
            vr hi = SHUF(t[i], t[i + (b)], HI, b);                   \
            t[i] = lo;                                               \
            t[i + (b)] = hi;                                         \
        }
INLINE void transpose(vr *t)
{
    XSTEP(1)
    XSTEP(2)
    XSTEP(4)
#ifdef NJORD_SINGLE
    XSTEP(8)
#endif
}

typedef nj_real vu __attribute__((vector_size(64), aligned(sizeof(nj_real)))); /* unaligned */

NJ_FFT_CLONES
void nj_rfft_rows_to_lanes(int nlon, int nr, const nj_real *const *rows, nj_real *x)
{
    int i0 = 0;
    if (nr == VL)
        for (; i0 + VL <= nlon; i0 += VL) {
            vr t[VL];
            for (int r = 0; r < VL; r++) t[r] = *(const vu *)(const void *)(rows[r] + i0);
            transpose(t);
            for (int j = 0; j < VL; j++) *(vr *)(void *)(x + (size_t)(i0 + j) * VL) = t[j];
        }
    for (int i = i0; i < nlon; i++) {
        nj_real *xi = x + (size_t)i * VL;
        for (int r = 0; r < nr; r++) xi[r] = rows[r][i];
        for (int r = nr; r < VL; r++) xi[r] = 0;
    }
}

NJ_FFT_CLONES
void nj_rfft_lanes_to_rows(int nlon, int nr, const nj_real *x, nj_real *const *rows)
{
    int i0 = 0;
    if (nr == VL)
        for (; i0 + VL <= nlon; i0 += VL) {
            vr t[VL];
            for (int j = 0; j < VL; j++)
                t[j] = *(const vr *)(const void *)(x + (size_t)(i0 + j) * VL);
            transpose(t);
            for (int r = 0; r < VL; r++) *(vu *)(void *)(rows[r] + i0) = t[r];
        }
    for (int i = i0; i < nlon; i++) {
        const nj_real *xi = x + (size_t)i * VL;
        for (int r = 0; r < nr; r++) rows[r][i] = xi[r];
    }
}

/* --------------------------------------- latitude pairs <-> lanes (sht_point.h) */

NJ_FFT_CLONES
void nj_rfft_pairs_in(int kmax, const nj_real *base, const int *kpos, size_t astride, size_t ld,
                      const double *scale, nj_real *xn, nj_real *xs)
{
    for (int k = 0; k <= kmax; k++) {
        const nj_real *sr = base + 2 * (size_t)kpos[k] * astride, *si = sr + ld;
        const nj_real *ar = sr + astride, *ai = ar + ld;
        if (k + NJ_FFT_AHEAD <= kmax) {
            const nj_real *sp = base + 2 * (size_t)kpos[k + NJ_FFT_AHEAD] * astride;
            __builtin_prefetch(sp);
            __builtin_prefetch(sp + ld);
            __builtin_prefetch(sp + astride);
            __builtin_prefetch(sp + astride + ld);
        }
        nj_real *restrict n_ = xn + 2 * (size_t)k * VL, *restrict s_ = xs + 2 * (size_t)k * VL;
        for (int r = 0; r < VL; r++) {
            nj_real t[2], u[2];
            nj_pair_to_row(sr[r], si[r], ar[r], ai[r], 1.0, scale[r], t);
            nj_pair_to_row(sr[r], si[r], ar[r], ai[r], -1.0, scale[r], u);
            n_[r] = t[0];
            n_[VL + r] = t[1];
            s_[r] = u[0];
            s_[VL + r] = u[1];
        }
    }
}

NJ_FFT_CLONES
void nj_rfft_pairs_out(int kmax, const nj_real *xn, const nj_real *xs, int nr, int eq_last,
                       const double *fac, nj_real *base, const int *kpos, size_t astride,
                       size_t ld)
{
    const int full = nr == VL && !eq_last, nv = eq_last ? nr - 1 : nr;
    for (int k = 0; k <= kmax; k++) {
        nj_real *s_ = base + 2 * (size_t)kpos[k] * astride, *a_ = s_ + astride;
        if (k + NJ_FFT_AHEAD <= kmax) {
            nj_real *sp = base + 2 * (size_t)kpos[k + NJ_FFT_AHEAD] * astride;
            __builtin_prefetch(sp, 1);
            __builtin_prefetch(sp + ld, 1);
            __builtin_prefetch(sp + astride, 1);
            __builtin_prefetch(sp + astride + ld, 1);
        }
        const nj_real *restrict vn = xn + 2 * (size_t)k * VL;
        const nj_real *restrict vs = xs + 2 * (size_t)k * VL;
        for (int c = 0; c < 2; c++) {
            nj_real *restrict so = s_ + c * ld, *restrict ao = a_ + c * ld;
            if (full) {
                for (int r = 0; r < VL; r++)
                    nj_row_to_pair(vn[c * VL + r], vs[c * VL + r], 0, fac[r], &so[r], &ao[r]);
            } else {
                for (int r = 0; r < nv; r++)
                    nj_row_to_pair(vn[c * VL + r], vs[c * VL + r], 0, fac[r], &so[r], &ao[r]);
                if (eq_last)
                    nj_row_to_pair(vn[c * VL + nr - 1], 0.0, 1, fac[nr - 1], &so[nr - 1],
                                   &ao[nr - 1]);
            }
        }
    }
}
