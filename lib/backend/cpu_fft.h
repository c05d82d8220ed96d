/* lib/backend/cpu_fft.h — the cpu backend's longitude FFTs (internal).
 *
 * Real FFTs of one length nlon on NJ_FFT_VL rows at once, one row per lane of a
 * 64-byte vector (8 doubles or 16 floats): the lanes never mix, so each row is
 * transformed by the same operations in the same order whichever lane, block,
 * thread or MPI rank it falls to. Lane layout: value i of row r at x[i VL + r];
 * a complex value k as two vectors, x[2k VL + r] (real) and x[(2k+1) VL + r]
 * (imaginary). A real row of nlon values is, in this layout, the complex
 * sequence z_k = x_2k + i x_2k+1 of n = nlon / 2 values, which is what the
 * transform works on (the half-length complex FFT of a real sequence, followed
 * or preceded by the split into the even and odd parts).
 *
 * The complex FFT of length n is a self-sorting (Stockham) sequence of radix-8,
 * 4, 2, 3 and 5 passes, so n must be a product of 2, 3 and 5; the backend uses FFTW
 * for other lengths (nj_rfft_supported). Twiddle factors come from long double
 * sines and cosines, rounded once. Conventions are FFTW's: forward
 * X_k = sum_i x_i e^{-2 pi i k i / nlon}, inverse unnormalised. */
#ifndef NJ_CPU_FFT_H
#define NJ_CPU_FFT_H

#include "../core/common.h"

/** Rows per call: lanes of one 64-byte vector. */
#define NJ_FFT_VL ((int)(64 / sizeof(nj_real)))

typedef struct nj_rfft nj_rfft;

/** Whether nlon is even, >= 2, and nlon / 2 has no prime factor above 5. */
int nj_rfft_supported(int nlon);

/** Plan for rows of nlon values (nj_rfft_supported(nlon)); NULL when out of memory. */
nj_rfft *nj_rfft_create(int nlon);
void nj_rfft_destroy(nj_rfft *f);

/** Forward transform of the rows in x (nlon VL reals, lane layout, 64-byte
 *  aligned), coefficients k = 0..kmax (kmax < nlon / 2) to X (2 (kmax+1) VL
 *  reals); x is overwritten, w is scratch of nlon VL reals. X, x and w must not
 *  overlap. */
void nj_rfft_fwd(const nj_rfft *f, nj_real *x, nj_real *w, int kmax, nj_real *X);

/** Inverse (unnormalised) transform of the coefficients k = 0..kmax (kmax <
 *  nlon / 2; those above are 0; imaginary parts of k = 0 ignored) in X, a buffer
 *  of nlon VL reals that is overwritten, to the rows x (nlon VL reals); w is
 *  scratch of nlon VL reals. All 64-byte aligned, none overlapping. */
void nj_rfft_inv(const nj_rfft *f, nj_real *X, int kmax, nj_real *w, nj_real *x);

/** Prefetch distance (in wavenumbers) of the two functions below. */
#ifndef NJ_FFT_AHEAD
#define NJ_FFT_AHEAD 6
#endif

/** The Fourier coefficients k = 0..kmax of VL latitude pairs, from the symmetric
 *  and antisymmetric parts (cpu backend's grid-side Fourier buffer: for k, the
 *  block at base + 2 kpos[k] astride holds the symmetric real parts at [r], the
 *  imaginary ones at [ld + r], the antisymmetric ones at + astride), to the
 *  northern rows' coefficients xn and the southern rows' xs (lane layout, times
 *  scale[r]: nj_pair_to_row). Reads VL values at each place. */
void nj_rfft_pairs_in(int kmax, const nj_real *base, const int *kpos, size_t astride, size_t ld,
                      const double *scale, nj_real *xn, nj_real *xs);

/** The reverse (nj_row_to_pair, factor fac[r]) for the first nr lanes, the last
 *  being the equator row (no southern mirror, xs ignored) when eq_last. */
void nj_rfft_pairs_out(int kmax, const nj_real *xn, const nj_real *xs, int nr, int eq_last,
                       const double *fac, nj_real *base, const int *kpos, size_t astride,
                       size_t ld);

/** Rows to lanes: x[i VL + r] = rows[r][i] for r < nr <= VL, i < nlon; 0 in the
 *  lanes from nr on. Lanes to rows: the reverse, for r < nr. */
void nj_rfft_rows_to_lanes(int nlon, int nr, const nj_real *const *rows, nj_real *x);
void nj_rfft_lanes_to_rows(int nlon, int nr, const nj_real *x, nj_real *const *rows);

#endif
