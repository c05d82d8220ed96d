/* lib/par/decomp.c — the distribution of a transform plan over MPI ranks.
 *
 * Grid space: latitude pairs (a northern row and its southern mirror, so the
 * symmetric/antisymmetric split of the Legendre step stays local) in contiguous
 * blocks, as even as possible. Spectral space: zonal wavenumbers in units
 * {m, T-m}, whose Legendre work (T+2-m + T+2-(T-m) degrees) is the same for every
 * unit, dealt in contiguous blocks of units. The sizes depend only on (T, nlat,
 * nranks), so every rank computes the whole map without communicating. */
#include <limits.h>
#include <stdlib.h>

#include "../sht/plan.h"

static int block_start(int n, int parts, int i) { return (int)((long)n * i / parts); }

void nj_par_free(njord_sht_plan *p)
{
    free(p->rows);
    free(p->mloc);
    free(p->soff);
    free(p->r_j0);
    free(p->m_order);
    p->rows = p->mloc = p->r_j0 = p->m_order = NULL;
    p->soff = NULL;
}

int nj_par_decompose(njord_sht_plan *p)
{
    const int T = p->T, nh = p->nh, R = p->nranks, me = p->rank;
    const int nunits = (T + 2) / 2; /* {0,T}, {1,T-1}, ...; the middle m alone if T is even */
    p->r_j0 = malloc(sizeof(int) * (size_t)R * 8);
    p->m_order = malloc(sizeof(int) * (size_t)(T + 1) * 2);
    if (!p->r_j0 || !p->m_order) return nj_error(NJORD_ENOMEM, "sht plan: out of memory (decomposition)");
    p->r_nhl = p->r_j0 + R;
    p->r_nm = p->r_nhl + R;
    p->r_mdispl = p->r_nm + R;
    p->xcounts = p->r_mdispl + R;
    p->kpos = p->m_order + (T + 1);

    int k = 0;
    for (int r = 0; r < R; r++) {
        p->r_j0[r] = block_start(nh, R, r);
        p->r_nhl[r] = block_start(nh, R, r + 1) - p->r_j0[r];
        int u0 = block_start(nunits, R, r), u1 = block_start(nunits, R, r + 1);
        p->r_mdispl[r] = k;
        /* ascending m: the low members u0..u1-1, then the high members T-u (descending u) */
        for (int u = u0; u < u1; u++) p->m_order[k++] = u;
        for (int u = u1 - 1; u >= u0; u--)
            if (T - u != u) p->m_order[k++] = T - u;
        p->r_nm[r] = k - p->r_mdispl[r];
    }
    for (int i = 0; i < T + 1; i++) p->kpos[p->m_order[i]] = i;

    p->j0 = p->r_j0[me];
    p->nhl = p->r_nhl[me];
    int eq = (p->nlat & 1) && p->nhl > 0 && p->j0 + p->nhl == nh; /* owns the equator row */
    p->nrows = 2 * p->nhl - eq;
    p->nm = p->r_nm[me];
    p->rows = malloc(sizeof(int) * (size_t)(p->nrows > 0 ? p->nrows : 1));
    p->mloc = malloc(sizeof(int) * (size_t)(p->nm > 0 ? p->nm : 1));
    p->soff = malloc(sizeof(size_t) * (size_t)(p->nm > 0 ? p->nm : 1));
    if (!p->rows || !p->mloc || !p->soff)
        return nj_error(NJORD_ENOMEM, "sht plan: out of memory (decomposition)");
    for (int jl = 0; jl < p->nhl; jl++) {
        p->rows[jl] = p->j0 + jl;
        if (!(eq && jl == p->nhl - 1)) p->rows[p->nrows - 1 - jl] = p->nlat - 1 - (p->j0 + jl);
    }
    size_t off = 0;
    for (int im = 0; im < p->nm; im++) {
        p->mloc[im] = p->m_order[p->r_mdispl[me] + im];
        p->soff[im] = off;
        off += (size_t)(T + 1 - p->mloc[im]);
    }
    p->nspec_loc = off;
    return NJORD_OK;
}

int nj_par_xcounts(njord_sht_plan *p, int ncol, int to_spec)
{
    const int R = p->nranks, me = p->rank;
    int *sc = p->xcounts, *sd = sc + R, *rc = sd + R, *rd = rc + R;
    for (int q = 0; q < R; q++) {
        /* grid side of rank a -> spectral side of rank b: nm_b * 2 * ncol * nhl_a values */
        long g_send = (long)p->r_nm[q] * 2 * ncol * p->nhl;        /* me (grid) -> q (spec) */
        long g_sdsp = (long)p->r_mdispl[q] * 2 * ncol * p->nhl;
        long s_recv = (long)p->nm * 2 * ncol * p->r_nhl[q];         /* q (grid) -> me (spec) */
        long s_rdsp = (long)p->nm * 2 * ncol * p->r_j0[q];
        long a = to_spec ? g_send : s_recv, b = to_spec ? g_sdsp : s_rdsp;
        long c = to_spec ? s_recv : g_send, d = to_spec ? s_rdsp : g_sdsp;
        if (a > INT_MAX || b > INT_MAX || c > INT_MAX || d > INT_MAX)
            return nj_error(NJORD_ENOTSUP,
                            "sht transposition: message of %ld values exceeds MPI's int counts; "
                            "use fewer fields per call or more ranks",
                            a > c ? a : c);
        sc[q] = (int)a;
        sd[q] = (int)b;
        rc[q] = (int)c;
        rd[q] = (int)d;
    }
    (void)me;
    return NJORD_OK;
}
