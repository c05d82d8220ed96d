/* lib/backend/cpu_leg.c — the cpu backend's Legendre-step kernels (cpu_leg.h).
 *
 * Register-blocked products on the packed panels, in GCC vector extensions of
 * one 64-byte vector (8 doubles or 16 floats), each function cloned per vector
 * width. This file is compiled with floating-point contraction (Makefile), so a
 * clone with FMA instructions multiplies and adds in one rounding. */
#include <string.h>

#include "cpu_leg.h"

#define VL NJ_LEG_VL
#define JR NJ_LEG_JR

typedef nj_real vr __attribute__((vector_size(64)));
typedef nj_real vu __attribute__((vector_size(64), aligned(sizeof(nj_real)))); /* unaligned */
typedef nj_real v8 __attribute__((vector_size(8 * sizeof(nj_real))));          /* 8 lanes */

#define LD(p) (*(const vu *)(const void *)(p))
#define ST(p, v) (*(vu *)(void *)(p) = (v))

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NJ_LEG_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NJ_LEG_CLONES
#endif
#define INLINE static inline __attribute__((always_inline))

/* The 64-byte vector folded to 8 lanes (floats: lanes i and i + 8 added). */
#ifdef NJORD_SINGLE
#define FOLD8(a) \
    (__builtin_shufflevector(a, a, 0, 1, 2, 3, 4, 5, 6, 7) + \
     __builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15))
#else
#define FOLD8(a) (a)
#endif

/* Sums of the lanes of eight 8-lane vectors by one transposing tree: lane i of
 * the result is the sum of v[perm8[i]]. */
static const int perm8[8] = {0, 2, 1, 3, 4, 6, 5, 7};
INLINE v8 hsum8(v8 a0, v8 a1, v8 a2, v8 a3, v8 a4, v8 a5, v8 a6, v8 a7)
{
#define H1(x, y) \
    (__builtin_shufflevector(x, y, 0, 1, 2, 3, 8, 9, 10, 11) + \
     __builtin_shufflevector(x, y, 4, 5, 6, 7, 12, 13, 14, 15))
#define H2(x, y) \
    (__builtin_shufflevector(x, y, 0, 1, 8, 9, 4, 5, 12, 13) + \
     __builtin_shufflevector(x, y, 2, 3, 10, 11, 6, 7, 14, 15))
#define H3(x, y) \
    (__builtin_shufflevector(x, y, 0, 2, 4, 6, 8, 10, 12, 14) + \
     __builtin_shufflevector(x, y, 1, 3, 5, 7, 9, 11, 13, 15))
    v8 t0 = H1(a0, a1), t1 = H1(a2, a3), t2 = H1(a4, a5), t3 = H1(a6, a7);
    v8 u0 = H2(t0, t1), u1 = H2(t2, t3);
    return H3(u0, u1);
#undef H1
#undef H2
#undef H3
}

void nj_leg_pack(int nh, int j0, int k, const nj_real *src, int lds, nj_real *dst, int kd)
{
    const int nb = (nh + JR - 1) / JR;
    for (int b = j0 / JR; b < nb; b++) {
        nj_real *d = dst + (size_t)b * kd * JR;
        for (int n = 0; n < k; n++)
            for (int r = 0; r < JR; r++) {
                int j = b * JR + r;
                d[(size_t)n * JR + r] = j >= j0 && j < nh ? src[j - j0 + (size_t)n * lds] : 0;
            }
    }
}

/* One tile of the synthesis: the rows of a block (the first `rows` of JR valid)
 * by cb columns, all k degrees. Prefetches one line of the next panel per degree
 * from *pf up to pfe, the 3 nxc output lines of the next tile (at nx) two per
 * degree (written, or read when accumulating, only at the ends of a tile, they
 * would otherwise all miss at once), and with ln the next tile's line of lt per
 * degree (first block: lt is read from memory, a line every nc values). */
INLINE void syn_tile(int k, const nj_real *pb, const nj_real *l, int nc, int cb, int accumulate,
                     nj_real *S, int ldS, int rows, const char **pf, const char *pfe,
                     const nj_real *nx, int nxc, const nj_real *ln)
{
    vr a[3][8];
    for (int q = 0; q < cb; q++)
        for (int v = 0; v < 3; v++) {
            a[v][q] = (vr){0};
            if (!accumulate) continue;
            const nj_real *s = S + v * VL + (size_t)q * ldS;
            int rv = rows - v * VL;
            if (rv >= VL)
                a[v][q] = LD(s);
            else
                for (int i = 0; i < rv; i++) a[v][q][i] = s[i];
        }
    const char *f = *pf;
    int wq = 0, wv = 0; /* next output line to fetch: column wq, vector wv */
    for (int n = 0; n < k; n++, pb += JR, l += nc) {
        if (f < pfe) {
            __builtin_prefetch(f);
            f += 64;
        }
        for (int i = 0; i < 2 && wq < nxc; i++) {
            __builtin_prefetch(nx + (size_t)wq * ldS + wv * VL, 1);
            if (++wv == 3) wv = 0, wq++;
        }
        if (ln) __builtin_prefetch(ln + (size_t)n * nc);
        vr p0 = LD(pb), p1 = LD(pb + VL), p2 = LD(pb + 2 * VL);
        for (int q = 0; q < cb; q++) {
            nj_real s = l[q];
            a[0][q] += p0 * s;
            a[1][q] += p1 * s;
            a[2][q] += p2 * s;
        }
    }
    *pf = f;
    for (; wq < nxc; wq++)
        for (wv = 0; wv < 3; wv++) __builtin_prefetch(nx + (size_t)wq * ldS + wv * VL, 1);
    for (int q = 0; q < cb; q++)
        for (int v = 0; v < 3; v++) {
            nj_real *s = S + v * VL + (size_t)q * ldS;
            int rv = rows - v * VL;
            if (rv >= VL)
                ST(s, a[v][q]);
            else
                for (int i = 0; i < rv; i++) s[i] = a[v][q][i];
        }
}

/* Columns of the tile from column c of nc: 8, 4 or 2 (nc even). */
static inline int syn_cols(int c, int nc)
{
    return c + 8 <= nc ? 8 : c + 4 <= nc ? 4 : 2;
}

NJ_LEG_CLONES
void nj_leg_syn(int nh, int j0, int k, const nj_real *P, int kd, const nj_real *lt, int nc,
                int accumulate, nj_real *S, int ldS)
{
    const int nb = (nh + JR - 1) / JR;
    for (int b = j0 / JR; b < nb; b++) {
        const nj_real *pb = P + (size_t)b * kd * JR;
        const int rows = NJ_MIN(JR, nh - b * JR);
        nj_real *Sb = S + (size_t)b * JR;
        /* the next block's panel is fetched while this one is computed on */
        const char *pf = (const char *)(pb + (size_t)kd * JR);
        const char *pfe = b + 1 < nb ? pf + sizeof(nj_real) * (size_t)k * JR : pf;
        for (int c = 0; c < nc;) {
            const int cb = syn_cols(c, nc);
            /* the next tile: the next columns of this block, or the first of the next */
            const int last = c + cb >= nc;
            const nj_real *nx = last ? Sb + JR : Sb + (size_t)(c + cb) * ldS;
            const int nxc = last ? (b + 1 < nb ? syn_cols(0, nc) : 0) : syn_cols(c + cb, nc);
            const nj_real *ln = b == j0 / JR && !last ? lt + c + cb : NULL;
            if (cb == 8)
                syn_tile(k, pb, lt + c, nc, 8, accumulate, Sb + (size_t)c * ldS, ldS, rows, &pf,
                         pfe, nx, nxc, ln);
            else if (cb == 4)
                syn_tile(k, pb, lt + c, nc, 4, accumulate, Sb + (size_t)c * ldS, ldS, rows, &pf,
                         pfe, nx, nxc, ln);
            else
                syn_tile(k, pb, lt + c, nc, 2, accumulate, Sb + (size_t)c * ldS, ldS, rows, &pf,
                         pfe, nx, nxc, ln);
            c += cb;
        }
    }
}

/* s plus the products p[i] g[i], i < n, in order, each one multiply-add: the
 * analysis's rows after the last whole vector (fewer than a vector). The empty
 * asm keeps the compiler from vectorising the loop (which would round the
 * products apart from the additions), so that every caller rounds alike. */
INLINE nj_real ana_rest(nj_real s, const nj_real *p, const nj_real *g, int n)
{
    for (int i = 0; i < n; i++) {
        s += p[i] * g[i];
#if defined(__x86_64__) || defined(__i386__)
        __asm__("" : "+x"(s)); /* s stays in a vector register */
#elif defined(__aarch64__)
        __asm__("" : "+w"(s));
#else
        __asm__("" : "+m"(s));
#endif
    }
    return s;
}

/* One tile of the analysis: nn degrees from n by qq columns from c, summed over
 * the rows from block b0 to nh-1: vector lanes over the rows, then the lanes by
 * hsum8, then the rows beyond the last whole vector. With pft >= 0, fetches the
 * next nn degrees of the row blocks b with b % npft == pft. */
INLINE void ana_tile(int nh, int b0, int n, int nn, const nj_real *P, int kd, const nj_real *G,
                     int ldg, int c, int qq, nj_real *L, int ldl, int pft, int npft)
{
    const int nb = (nh + JR - 1) / JR;
    vr a[16];
    for (int i = 0; i < nn * qq; i++) a[i] = (vr){0};
    int r = b0 * JR; /* first row not summed in the lanes */
    for (int b = b0; b < nb; b++) {
        const nj_real *pb = P + (size_t)b * kd * JR + (size_t)n * JR;
        for (int v = 0; v < 3; v++, r += VL) {
            if (r + VL > nh) goto tail;
            if (pft >= 0 && b % npft == pft) {
                const char *f = (const char *)(pb + (size_t)nn * JR) + 4 * 64 * v;
                for (int i = 0; i < 4; i++) __builtin_prefetch(f + 64 * i);
            }
            vr pv[4], gv[4];
            for (int i = 0; i < nn; i++) pv[i] = LD(pb + (size_t)i * JR + v * VL);
            for (int q = 0; q < qq; q++) gv[q] = LD(G + r + (size_t)(c + q) * ldg);
            for (int i = 0; i < nn; i++)
                for (int q = 0; q < qq; q++) a[i * qq + q] += pv[i] * gv[q];
        }
    }
tail:;
    nj_real sum[16];
    for (int g = 0; g < nn * qq; g += 8) {
        v8 h[8];
        for (int i = 0; i < 8; i++) h[i] = g + i < nn * qq ? FOLD8(a[g + i]) : (v8){0};
        v8 s = hsum8(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
        for (int i = 0; i < 8; i++)
            if (g + perm8[i] < nn * qq) sum[g + perm8[i]] = s[i];
    }
    for (int i = 0; i < nn; i++)
        for (int q = 0; q < qq; q++) {
            /* the rows from r, all in r's block */
            const nj_real *pt = P + (size_t)(r / JR) * kd * JR + (size_t)(n + i) * JR + r % JR;
            L[(size_t)(n + i) * ldl + c + q] =
                ana_rest(sum[i * qq + q], pt, G + r + (size_t)(c + q) * ldg, nh - r);
        }
}

NJ_LEG_CLONES
void nj_leg_ana(int nh, int j0, int k, const nj_real *P, int kd, const nj_real *G, int ldg,
                int nc, nj_real *L, int ldl)
{
    const int b0 = j0 / JR, nt = (nc + 3) / 4; /* column tiles per degree block */
    int n = 0;
    for (; n + 4 <= k; n += 4) {
        /* the next block of 4 degrees is fetched block by block of rows, spread
         * over this one's column tiles (a burst would overflow the fill buffers) */
        const int pf = n + 8 <= k;
        int c = 0, t = 0;
        for (; c + 4 <= nc; c += 4, t++)
            ana_tile(nh, b0, n, 4, P, kd, G, ldg, c, 4, L, ldl, pf ? t : -1, nt);
        if (c + 2 <= nc) ana_tile(nh, b0, n, 4, P, kd, G, ldg, c, 2, L, ldl, pf ? t : -1, nt);
    }
    for (; n < k; n++) {
        int c = 0;
        for (; c + 4 <= nc; c += 4) ana_tile(nh, b0, n, 1, P, kd, G, ldg, c, 4, L, ldl, -1, 1);
        if (c + 2 <= nc) ana_tile(nh, b0, n, 1, P, kd, G, ldg, c, 2, L, ldl, -1, 1);
    }
}

/* The analysis of nj_leg_ana in pieces of rows (cpu_leg.h): the lane sums of
 * ana_tile kept in acc from one block of rows to the next. NC columns. */
INLINE void ana_lanes(int j, int rows, int k, const nj_real *P, const nj_real *G, int ldg,
                      nj_real *acc, nj_real *tail, int *rt, const int NC)
{
    int nv = 0; /* whole vectors: rows j + v VL .. + VL - 1 all in the block */
    while (nv < 3 && nv * VL + VL <= rows) nv++;
    if (nv * VL < rows) { /* the rest: summed after the lanes, by nj_leg_ana_lanes_end */
        *rt = j + nv * VL;
        for (int n = 0; n < k; n++)
            for (int i = 0; i < rows - nv * VL; i++) tail[n * VL + i] = P[n * JR + nv * VL + i];
    }
    vr g[8][3];
#pragma GCC unroll 8
    for (int c = 0; c < NC; c++)
#pragma GCC unroll 3
        for (int v = 0; v < 3; v++) g[c][v] = v < nv ? LD(G + j + v * VL + (size_t)c * ldg) : (vr){0};
    if (nv == 3) {
#pragma GCC unroll 4
        for (int n = 0; n < k; n++) {
            const vr p0 = LD(P + n * JR), p1 = LD(P + n * JR + VL), p2 = LD(P + n * JR + 2 * VL);
#pragma GCC unroll 8
            for (int c = 0; c < NC; c++) {
                nj_real *a = acc + (size_t)(n * NC + c) * VL;
                vr x = LD(a);
                x += p0 * g[c][0];
                x += p1 * g[c][1];
                x += p2 * g[c][2];
                ST(a, x);
            }
        }
    } else {
        for (int n = 0; n < k; n++)
#pragma GCC unroll 8
            for (int c = 0; c < NC; c++) {
                nj_real *a = acc + (size_t)(n * NC + c) * VL;
                vr x = LD(a);
                for (int v = 0; v < nv; v++) x += LD(P + n * JR + v * VL) * g[c][v];
                ST(a, x);
            }
    }
}

/* CALL(NC) with the column count nc (2, 4, 6 or 8: the contract of cpu_leg.h)
 * as the constant NC */
#define NC_CONST(nc, CALL) \
    do { \
        switch (nc) { \
        case 2: CALL(2); break; \
        case 4: CALL(4); break; \
        case 6: CALL(6); break; \
        case 8: CALL(8); break; \
        default: __builtin_trap(); /* outside the contract */ \
        } \
    } while (0)

NJ_LEG_CLONES
void nj_leg_ana_lanes(int j, int rows, int k, const nj_real *P, const nj_real *G, int ldg, int nc,
                      nj_real *acc, nj_real *tail, int *rt)
{
#define LANES(NC) ana_lanes(j, rows, k, P, G, ldg, acc, tail, rt, NC)
    NC_CONST(nc, LANES);
#undef LANES
}

/* nj_leg_ana_lanes_end for NC columns (a constant: no divisions per output). */
INLINE void ana_lanes_end(int k, const nj_real *acc, const nj_real *tail, int rt, int nh,
                          const nj_real *G, int ldg, nj_real *L, int ldl, const int NC)
{
    const int total = k * NC;
    for (int g = 0; g < total; g += 8) {
        v8 h[8];
        for (int i = 0; i < 8; i++)
            h[i] = g + i < total ? FOLD8(LD(acc + (size_t)(g + i) * VL)) : (v8){0};
        const v8 s = hsum8(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
        for (int i = 0; i < 8; i++) {
            const int e = g + perm8[i];
            if (e >= total) continue;
            const int n = e / NC, c = e % NC;
            L[(size_t)n * ldl + c] = ana_rest(s[i], tail + n * VL, G + rt + (size_t)c * ldg, nh - rt);
        }
    }
}

NJ_LEG_CLONES
void nj_leg_ana_lanes_end(int k, int nc, const nj_real *acc, const nj_real *tail, int rt, int nh,
                          const nj_real *G, int ldg, nj_real *L, int ldl)
{
#define LANES_END(NC) ana_lanes_end(k, acc, tail, rt, nh, G, ldg, L, ldl, NC)
    NC_CONST(nc, LANES_END);
#undef LANES_END
}
