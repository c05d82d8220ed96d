/* kernels/common/xpose_point.h — index map of the MPI transposition staging
 * buffer, shared by the CPU loops and the CUDA pack/unpack kernels.
 *
 * On the spectral side a rank holds, for its nm local wavenumbers, the Fourier
 * buffer four_s: [im][part (S, A)][col][j], j over all nh latitude pairs. The
 * staging buffer holds the same values grouped by the rank q that owns the grid
 * side of pairs r_j0[q] .. r_j0[q] + r_nhl[q] - 1:
 *   block of q at nm * 2 * ncol * r_j0[q], inside it [im][part][col][jl].
 * Element e of four_s (e = ((im * 2 + part) * ncol + col) * nh + j), with j in the
 * block of q, sits in the staging buffer at nj_xpose_stage_index(...). */
#ifndef NJ_XPOSE_POINT_H
#define NJ_XPOSE_POINT_H

#include <stddef.h>

#include "nj_hd.h"

NJ_HD size_t nj_xpose_stage_index(size_t row, int j, int q_j0, int q_nhl, int nm, int ncol)
{
    /* row = (im * 2 + part) * ncol + col */
    return (size_t)nm * 2 * (size_t)ncol * (size_t)q_j0 + row * (size_t)q_nhl + (size_t)(j - q_j0);
}

#endif
