/* lib/backend/cpu_leg.h — the cpu backend's Legendre-step kernels (internal).
 *
 * The Legendre step of one wavenumber and parity is a product of the table block
 * P (rows: northern latitudes j, columns: degrees) with few columns (2 per field:
 * 40 for 20 fields). A BLAS GEMM copies ("packs") P on every call, and with so
 * few columns that copy and the table's stream from memory cost as much as the
 * arithmetic (measured: 25-35 % of the DGEMM rate at T341 x 20). These kernels
 * work on P stored once in the order they read it, and fetch the next panel
 * ahead while they compute on the current one.
 *
 * Packed panel of k degrees: blocks of NJ_LEG_JR consecutive rows (block b holds
 * rows b JR .. b JR + JR - 1), each block [kd][JR]: element (j, n) at
 *   P[(j / JR) * kd * JR + n * JR + j % JR],
 * kd >= k the degrees allocated per block. Rows at or beyond nh, and rows below
 * the first row j0 that the step uses, hold 0 (P_n^m there is negligible).
 *
 * Each output element is one chain of multiply-adds in a fixed order (synthesis:
 * degree by degree; analysis: by rows in vector lanes, then a fixed reduction
 * tree), whatever the thread count or MPI decomposition. The kernels have one
 * clone per vector width (AVX-512, AVX2, baseline x86-64), chosen when the library
 * loads; they round alike on one machine. */
#ifndef NJ_CPU_LEG_H
#define NJ_CPU_LEG_H

#include "../core/common.h"

/** Lanes of one 64-byte vector, and rows per packed block (3 vectors). */
#define NJ_LEG_VL ((int)(64 / sizeof(nj_real)))
#define NJ_LEG_JR (3 * NJ_LEG_VL)

/** Pack k columns of a column-major block holding rows j0..nh-1 (row j at
 *  src[j - j0 + n * lds]) into the packed panel dst (kd degrees per block),
 *  blocks j0 / JR .. ceil(nh / JR) - 1, zero below j0 and at or beyond nh. */
void nj_leg_pack(int nh, int j0, int k, const nj_real *src, int lds, nj_real *dst, int kd);

/** Synthesis: for rows j of the blocks j0 / JR .. (rows below nh) and columns c
 *  < nc (nc even):
 *    S[j + c ldS] (accumulate ? S[j + c ldS] : 0) + sum_{n<k} P(j, n) lt[n nc + c],
 *  the degrees in order, lt the LS block transposed ([k][nc]). Writes rows from
 *  JR (j0 / JR) on; rows below j0 get 0 (or stay, accumulating). */
void nj_leg_syn(int nh, int j0, int k, const nj_real *P, int kd, const nj_real *lt, int nc,
                int accumulate, nj_real *S, int ldS);

/** Analysis: L[n ldl + c] = sum over rows j from JR (j0 / JR) to nh-1 of
 *  P(j, n) G[j + c ldg], for n < k and c < nc (nc even): L in the layout of the
 *  synthesis's lt (ldl >= nc). */
void nj_leg_ana(int nh, int j0, int k, const nj_real *P, int kd, const nj_real *G, int ldg,
                int nc, nj_real *L, int ldl);

/** The analysis of nj_leg_ana computed block by block of rows, for nc <= 8
 *  columns (nc even): the same values, bit for bit. For each block (rows j ..
 *  j + rows - 1, rows <= JR, the first at a multiple of JR, in order) with the
 *  functions of its k degrees in P ([k][JR], row j + i at P[n JR + i]):
 *  nj_leg_ana_lanes adds the block to the lane sums acc (k nc vectors of
 *  NJ_LEG_VL, zeroed before the first block) and keeps the rows after the last
 *  whole vector (the last block only) in tail (k NJ_LEG_VL values) with their
 *  first row in *rt (set *rt = nh before the first block). Then
 *  nj_leg_ana_lanes_end reduces the lanes and adds those rows: L[n ldl + c]. */
void nj_leg_ana_lanes(int j, int rows, int k, const nj_real *P, const nj_real *G, int ldg, int nc,
                      nj_real *acc, nj_real *tail, int *rt);
void nj_leg_ana_lanes_end(int k, int nc, const nj_real *acc, const nj_real *tail, int rt, int nh,
                          const nj_real *G, int ldg, nj_real *L, int ldl);

#endif
