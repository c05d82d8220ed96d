/* lib/par/scatter.c — what a rank owns, scatter/gather of whole fields, and
 * rank-count-independent global means. Host memory only. */
#include <stdlib.h>
#include <string.h>

#include "../sht/plan.h"

#ifdef NJORD_SINGLE
#define NJ_MPI_REAL MPI_FLOAT
#else
#define NJ_MPI_REAL MPI_DOUBLE
#endif

int njord_sht_grid_rows(const njord_sht_plan *p, int *nrows, const int **rows)
{
    if (!p) return nj_error(NJORD_EINVAL, "njord_sht_grid_rows: plan is NULL");
    if (nrows) *nrows = p->nrows;
    if (rows) *rows = p->rows;
    return NJORD_OK;
}

int njord_sht_spec_ms(const njord_sht_plan *p, int *nm, const int **ms)
{
    if (!p) return nj_error(NJORD_EINVAL, "njord_sht_spec_ms: plan is NULL");
    if (nm) *nm = p->nm;
    if (ms) *ms = p->mloc;
    return NJORD_OK;
}

int njord_sht_local_sizes(const njord_sht_plan *p, size_t *grid_reals, size_t *spec_reals)
{
    if (!p) return nj_error(NJORD_EINVAL, "njord_sht_local_sizes: plan is NULL");
    if (grid_reals) *grid_reals = (size_t)p->nrows * (size_t)p->nlon;
    if (spec_reals) *spec_reals = 2 * p->nspec_loc;
    return NJORD_OK;
}

int njord_sht_rank(const njord_sht_plan *p, int *rank, int *nranks)
{
    if (!p) return nj_error(NJORD_EINVAL, "njord_sht_rank: plan is NULL");
    if (rank) *rank = p->rank;
    if (nranks) *nranks = p->nranks;
    return NJORD_OK;
}

/* Global latitude of local row i of rank q (same rule as nj_par_decompose). */
static int row_of(const njord_sht_plan *p, int q, int i)
{
    int j0 = p->r_j0[q], nhl = p->r_nhl[q];
    int eq = (p->nlat & 1) && j0 + nhl == p->nh;
    int nrows = 2 * nhl - eq;
    if (i < nhl) return j0 + i;
    return p->nlat - 1 - (j0 + (nrows - 1 - i));
}

/* Number of complex coefficients rank q owns. */
static size_t spec_count(const njord_sht_plan *p, int q)
{
    size_t c = 0;
    for (int k = p->r_mdispl[q]; k < p->r_mdispl[q] + p->r_nm[q]; k++)
        c += (size_t)(p->T + 1 - p->m_order[k]);
    return c;
}

static size_t rows_of_rank(const njord_sht_plan *p, int q)
{
    int eq = (p->nlat & 1) && p->r_j0[q] + p->r_nhl[q] == p->nh;
    return (size_t)(2 * p->r_nhl[q] - eq);
}

/* Copy between the global layout and the concatenation of all ranks' local
 * layouts (rank after rank, each [nf][local]). to_local: global -> concatenation. */
static void grid_permute(const njord_sht_plan *p, nj_real *glob, nj_real *cat, int nf, int to_local)
{
    const size_t nlon = (size_t)p->nlon;
    size_t off = 0;
    for (int q = 0; q < p->nranks; q++) {
        size_t nr = rows_of_rank(p, q);
        for (int f = 0; f < nf; f++)
            for (size_t i = 0; i < nr; i++) {
                nj_real *g = glob + ((size_t)f * p->nlat + (size_t)row_of(p, q, (int)i)) * nlon;
                nj_real *c = cat + off + ((size_t)f * nr + i) * nlon;
                if (to_local) memcpy(c, g, sizeof(nj_real) * nlon);
                else memcpy(g, c, sizeof(nj_real) * nlon);
            }
        off += (size_t)nf * nr * nlon;
    }
}

static void spec_permute(const njord_sht_plan *p, nj_real *glob, nj_real *cat, int nf, int to_local)
{
    const int T = p->T;
    const size_t nsp = NJORD_SHT_NSPEC(T);
    size_t off = 0;
    for (int q = 0; q < p->nranks; q++) {
        size_t cnt = spec_count(p, q);
        for (int f = 0; f < nf; f++) {
            size_t l = 0;
            for (int k = p->r_mdispl[q]; k < p->r_mdispl[q] + p->r_nm[q]; k++) {
                int m = p->m_order[k];
                size_t len = (size_t)(T + 1 - m);
                nj_real *g = glob + 2 * (nsp * f + njord_sht_index(T, m, m));
                nj_real *c = cat + off + 2 * (cnt * f + l);
                if (to_local) memcpy(c, g, sizeof(nj_real) * 2 * len);
                else memcpy(g, c, sizeof(nj_real) * 2 * len);
                l += len;
            }
        }
        off += 2 * cnt * (size_t)nf;
    }
}

typedef void (*permute_fn)(const njord_sht_plan *, nj_real *, nj_real *, int, int);

static int scatter_gather(njord_sht_plan *p, const char *fn, int root, nj_real *glob,
                          nj_real *local, int nf, int is_grid, int scatter)
{
    if (!p) return nj_error(NJORD_EINVAL, "%s: plan is NULL", fn);
    if (nf < 0) return nj_error(NJORD_EINVAL, "%s: nfields = %d < 0", fn, nf);
    if (root < 0 || root >= p->nranks)
        return nj_error(NJORD_EINVAL, "%s: root %d outside 0..%d", fn, root, p->nranks - 1);
    if (nf == 0) return NJORD_OK;
    int am_root = p->rank == root;
    size_t per = is_grid ? (size_t)p->nrows * p->nlon : 2 * p->nspec_loc;
    /* a local error must stop every rank before the collective: a rank that
     * returned alone would leave the others waiting in it */
    int st = NJORD_OK;
    if (!local && per > 0) st = nj_error(NJORD_EINVAL, "%s: local is NULL", fn);
    else if (am_root && !glob) st = nj_error(NJORD_EINVAL, "%s: global is NULL on the root rank", fn);
    permute_fn perm = is_grid ? grid_permute : spec_permute;
    if (p->nranks == 1) {
        if (!st) perm(p, glob, local, nf, scatter);
        return st;
    }
    const int R = p->nranks;
    size_t total = (size_t)nf * (is_grid ? (size_t)p->nlat * p->nlon : 2 * NJORD_SHT_NSPEC(p->T));
    int *cnt = st ? NULL : malloc(sizeof(int) * 2 * (size_t)R);
    nj_real *cat = !st && am_root ? malloc(sizeof(nj_real) * total) : NULL;
    if (!st && (!cnt || (am_root && !cat))) st = nj_error(NJORD_ENOMEM, "%s: out of memory", fn);
    int bad = st != NJORD_OK, anybad = 0;
    MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, p->comm);
    if (anybad) {
        free(cnt);
        free(cat);
        return st ? st : nj_error(NJORD_EINVAL, "%s: failed on another rank", fn);
    }
    int *dsp = cnt + R;
    size_t off = 0;
    for (int q = 0; q < R; q++) {
        size_t n = (size_t)nf * (is_grid ? rows_of_rank(p, q) * p->nlon : 2 * spec_count(p, q));
        cnt[q] = (int)n;
        dsp[q] = (int)off;
        off += n;
    }
    int rc;
    if (scatter) {
        if (am_root) perm(p, glob, cat, nf, 1);
        rc = MPI_Scatterv(cat, cnt, dsp, NJ_MPI_REAL, local, (int)(per * nf), NJ_MPI_REAL, root,
                          p->comm);
    } else {
        rc = MPI_Gatherv(local, (int)(per * nf), NJ_MPI_REAL, cat, cnt, dsp, NJ_MPI_REAL, root,
                         p->comm);
        if (rc == MPI_SUCCESS && am_root) perm(p, glob, cat, nf, 0);
    }
    free(cnt);
    free(cat);
    if (rc != MPI_SUCCESS) return nj_error(NJORD_EMPI, "%s: MPI collective failed", fn);
    return NJORD_OK;
}

int njord_sht_scatter_grid(njord_sht_plan *p, int root, const njord_real *global,
                           njord_real *local, int nf)
{
    return scatter_gather(p, "njord_sht_scatter_grid", root, (nj_real *)global, local, nf, 1, 1);
}

int njord_sht_gather_grid(njord_sht_plan *p, int root, const njord_real *local,
                          njord_real *global, int nf)
{
    return scatter_gather(p, "njord_sht_gather_grid", root, global, (nj_real *)local, nf, 1, 0);
}

int njord_sht_scatter_spec(njord_sht_plan *p, int root, const njord_real *global,
                           njord_real *local, int nf)
{
    return scatter_gather(p, "njord_sht_scatter_spec", root, (nj_real *)global, local, nf, 0, 1);
}

int njord_sht_gather_spec(njord_sht_plan *p, int root, const njord_real *local,
                          njord_real *global, int nf)
{
    return scatter_gather(p, "njord_sht_gather_spec", root, global, (nj_real *)local, nf, 0, 0);
}

int njord_sht_grid_mean(njord_sht_plan *p, const njord_real *local, int nf, double *mean)
{
    if (!p) return nj_error(NJORD_EINVAL, "njord_sht_grid_mean: plan is NULL");
    if (!mean || (!local && nf > 0))
        return nj_error(NJORD_EINVAL, "njord_sht_grid_mean: NULL argument");
    if (nf <= 0) return nf < 0 ? nj_error(NJORD_EINVAL, "njord_sht_grid_mean: nfields < 0") : NJORD_OK;
    const int nlat = p->nlat, nlon = p->nlon, R = p->nranks;
    /* per-row sums in a fixed order, then all rows of all ranks summed north to south */
    double *rowsum = malloc(sizeof(double) * ((size_t)p->nrows + (size_t)nlat) * nf);
    int *cnt = malloc(sizeof(int) * 2 * (size_t)R);
    int st = (!rowsum || !cnt) ? nj_error(NJORD_ENOMEM, "njord_sht_grid_mean: out of memory") : NJORD_OK;
    if (p->nranks > 1) {
        int bad = st != NJORD_OK, anybad = 0;
        MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, p->comm);
        if (anybad && !st) st = nj_error(NJORD_ENOMEM, "njord_sht_grid_mean: out of memory on another rank");
    }
    if (st) {
        free(rowsum);
        free(cnt);
        return st;
    }
    double *all = rowsum + (size_t)p->nrows * nf; /* [nlat][nf] in the concatenated rank order */
    for (int i = 0; i < p->nrows; i++)
        for (int f = 0; f < nf; f++) {
            const nj_real *r = local + ((size_t)f * p->nrows + i) * nlon;
            double acc = 0;
            for (int k = 0; k < nlon; k++) acc += (double)r[k];
            rowsum[(size_t)i * nf + f] = acc;
        }
    if (R > 1) {
        int *dsp = cnt + R, off = 0;
        for (int q = 0; q < R; q++) {
            cnt[q] = (int)rows_of_rank(p, q) * nf;
            dsp[q] = off;
            off += cnt[q];
        }
        if (MPI_Allgatherv(rowsum, p->nrows * nf, MPI_DOUBLE, all, cnt, dsp, MPI_DOUBLE, p->comm) !=
            MPI_SUCCESS) {
            free(rowsum);
            free(cnt);
            return nj_error(NJORD_EMPI, "njord_sht_grid_mean: MPI_Allgatherv failed");
        }
    } else {
        memcpy(all, rowsum, sizeof(double) * (size_t)nlat * nf);
    }
    /* sum the rows north to south: global row j is in pair min(j, nlat-1-j), owned by
     * the rank whose contiguous block holds it, as its local row jl (northern) or
     * nrows-1-jl (southern) */
    for (int f = 0; f < nf; f++) mean[f] = 0;
    for (int j = 0; j < nlat; j++) {
        int pair = j < p->nh ? j : nlat - 1 - j, q = 0;
        while (q + 1 < R && p->r_j0[q + 1] <= pair) q++;
        size_t off = 0;
        for (int r = 0; r < q; r++) off += rows_of_rank(p, r);
        size_t jl = (size_t)(pair - p->r_j0[q]);
        size_t i = j < p->nh ? jl : rows_of_rank(p, q) - 1 - jl;
        double wq = 0.5 * p->w[j] / nlon;
        for (int f = 0; f < nf; f++) mean[f] += wq * all[(off + i) * nf + f];
    }
    free(rowsum);
    free(cnt);
    return NJORD_OK;
}
