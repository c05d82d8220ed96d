/* tests/mpi_sht.c — distributed transforms, run under mpirun with 1..4 ranks
 * (tests/run.sh). Every rank also builds the serial plan (MPI_COMM_NULL) and
 * checks that its part of every distributed result is bitwise identical to the
 * corresponding part of the serial result; then scatter/gather round trips,
 * rank-count-independent global means, and errors that must reach every rank
 * without a hang. Prints "mpi_sht ...: N passed, N failed" on rank 0; exit 1 if
 * any check failed on any rank. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "njord.h"

static int npass = 0, nfail = 0, rank = 0, nranks = 1;
static njord_backend_kind backend = NJORD_BACKEND_CPU; /* NJ_TEST_BACKEND=cuda */

static void check(int ok, const char *what)
{
    if (ok) {
        npass++;
    } else {
        nfail++;
        fprintf(stderr, "rank %d/%d: FAIL %s (%s)\n", rank, nranks, what, njord_last_error());
    }
}

static uint64_t rng = 0x243F6A8885A308D3ull;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

static njord_sht_plan *plan(int T, int nlat, int nlon, int batch, MPI_Comm comm)
{
    njord_sht_desc d = {.trunc = T, .nlat = nlat, .nlon = nlon, .max_batch = batch,
                        .backend = backend, .comm = comm};
    njord_sht_plan *p = NULL;
    int st = njord_sht_plan_create(&d, &p);
    check(st == NJORD_OK, "plan creation");
    return p;
}

/* the local part of global grid fields, by the plan's row list */
static void local_grid(njord_sht_plan *p, const njord_real *g, njord_real *l, int nf)
{
    int nrows, nlat = njord_sht_nlat(p), nlon = njord_sht_nlon(p);
    const int *rows;
    njord_sht_grid_rows(p, &nrows, &rows);
    for (int f = 0; f < nf; f++)
        for (int i = 0; i < nrows; i++)
            memcpy(l + ((size_t)f * nrows + i) * nlon, g + ((size_t)f * nlat + rows[i]) * nlon,
                   sizeof(njord_real) * nlon);
}

static void local_spec(njord_sht_plan *p, const njord_real *g, njord_real *l, int nf)
{
    int nm, T = njord_sht_trunc(p);
    const int *ms;
    njord_sht_spec_ms(p, &nm, &ms);
    size_t nsp = NJORD_SHT_NSPEC(T), k = 0;
    for (int f = 0; f < nf; f++)
        for (int i = 0; i < nm; i++)
            for (int n = ms[i]; n <= T; n++, k++) {
                l[2 * k] = g[2 * (nsp * f + njord_sht_index(T, ms[i], n))];
                l[2 * k + 1] = g[2 * (nsp * f + njord_sht_index(T, ms[i], n)) + 1];
            }
}

static void run_case(int T, int nlat, int nlon, int nf)
{
    char what[160];
    njord_sht_plan *ps = plan(T, nlat, nlon, nf, MPI_COMM_NULL);
    njord_sht_plan *pd = plan(T, nlat, nlon, nf, MPI_COMM_WORLD);
    if (!ps || !pd) return;
    size_t gs = (size_t)nlat * nlon, ss = 2 * NJORD_SHT_NSPEC(T), gl, sl;
    njord_sht_local_sizes(pd, &gl, &sl);
    /* global inputs, identical on every rank (same seed) */
    njord_real *a = malloc(sizeof(njord_real) * ss * nf), *b = malloc(sizeof(njord_real) * ss * nf);
    for (size_t i = 0; i < ss * nf; i++) a[i] = (njord_real)urand();
    for (size_t i = 0; i < ss * nf; i++) b[i] = (njord_real)urand();
    for (int f = 0; f < nf; f++) a[ss * f + 1] = b[ss * f + 1] = 0; /* Im(m=0,n=0) */
    njord_real *G[5], *S[4], *g[5], *s[4], *want = malloc(sizeof(njord_real) * (gl > sl ? gl : sl) * nf + 1);
    for (int k = 0; k < 5; k++) {
        G[k] = malloc(sizeof(njord_real) * gs * nf);
        g[k] = malloc(sizeof(njord_real) * gl * nf + 1);
    }
    for (int k = 0; k < 4; k++) {
        S[k] = malloc(sizeof(njord_real) * ss * nf);
        s[k] = malloc(sizeof(njord_real) * sl * nf + 1);
    }
    /* serial reference on the global fields */
    njord_sht_synth(ps, a, G[0], nf);
    njord_sht_uv_from_vordiv(ps, a, b, G[1], G[2], nf);
    njord_sht_analysis(ps, G[0], S[0], nf);
    njord_sht_vordiv_from_uv(ps, G[1], G[2], S[1], S[2], nf);
    njord_sht_gradient(ps, b, G[3], G[4], nf);
    njord_sht_laplacian(ps, a, S[3], nf);

    /* distributed: inputs scattered from rank 0 */
    check(njord_sht_scatter_spec(pd, 0, a, s[0], nf) == NJORD_OK, "scatter spec");
    check(njord_sht_scatter_spec(pd, 0, b, s[1], nf) == NJORD_OK, "scatter spec");
    local_spec(pd, a, want, nf);
    check(!memcmp(want, s[0], sizeof(njord_real) * sl * nf), "scatter_spec gives the local part");

    njord_sht_synth(pd, s[0], g[0], nf);
    local_grid(pd, G[0], want, nf);
    snprintf(what, sizeof what, "T%d %dx%d synthesis bitwise", T, nlon, nlat);
    check(!memcmp(want, g[0], sizeof(njord_real) * gl * nf), what);

    njord_sht_uv_from_vordiv(pd, s[0], s[1], g[1], g[2], nf);
    local_grid(pd, G[1], want, nf);
    snprintf(what, sizeof what, "T%d uv_from_vordiv u bitwise", T);
    check(!memcmp(want, g[1], sizeof(njord_real) * gl * nf), what);
    local_grid(pd, G[2], want, nf);
    check(!memcmp(want, g[2], sizeof(njord_real) * gl * nf), "uv_from_vordiv v bitwise");

    njord_sht_analysis(pd, g[0], s[2], nf);
    local_spec(pd, S[0], want, nf);
    snprintf(what, sizeof what, "T%d analysis bitwise", T);
    check(!memcmp(want, s[2], sizeof(njord_real) * sl * nf), what);

    njord_sht_vordiv_from_uv(pd, g[1], g[2], s[2], s[3], nf);
    local_spec(pd, S[1], want, nf);
    check(!memcmp(want, s[2], sizeof(njord_real) * sl * nf), "vordiv_from_uv vor bitwise");
    local_spec(pd, S[2], want, nf);
    check(!memcmp(want, s[3], sizeof(njord_real) * sl * nf), "vordiv_from_uv div bitwise");

    njord_sht_laplacian(pd, s[0], s[2], nf);
    local_spec(pd, S[3], want, nf);
    check(!memcmp(want, s[2], sizeof(njord_real) * sl * nf), "laplacian bitwise");

    njord_sht_gradient(pd, s[1], g[3], g[4], nf);
    local_grid(pd, G[3], want, nf);
    check(!memcmp(want, g[3], sizeof(njord_real) * gl * nf), "gradient x bitwise");
    local_grid(pd, G[4], want, nf);
    check(!memcmp(want, g[4], sizeof(njord_real) * gl * nf), "gradient y bitwise");

    /* gather back: the full global fields on rank 0 */
    njord_real *back = malloc(sizeof(njord_real) * (gs > ss ? gs : ss) * nf);
    check(njord_sht_gather_grid(pd, 0, g[0], back, nf) == NJORD_OK, "gather grid");
    if (rank == 0) check(!memcmp(back, G[0], sizeof(njord_real) * gs * nf), "gather_grid equals serial");
    check(njord_sht_gather_spec(pd, 0, s[0], back, nf) == NJORD_OK, "gather spec");
    if (rank == 0) check(!memcmp(back, a, sizeof(njord_real) * ss * nf), "scatter/gather spec round trip");
    njord_sht_scatter_grid(pd, nranks - 1, G[0], g[1], nf); /* from the last rank */
    check(!memcmp(g[1], g[0], sizeof(njord_real) * gl * nf), "scatter_grid from another root");

    /* global means: bitwise independent of the rank count */
    double ms_[8], md[8];
    check(njord_sht_grid_mean(ps, G[0], nf, ms_) == NJORD_OK, "serial mean");
    check(njord_sht_grid_mean(pd, g[0], nf, md) == NJORD_OK, "distributed mean");
    check(!memcmp(ms_, md, sizeof(double) * nf), "grid mean bitwise");
    /* and the mean is the n = 0 coefficient */
    check(fabs(md[0] - (double)a[0]) <= 1e-5 * (fabs((double)a[0]) + 1), "grid mean = f_0^0");

    for (int k = 0; k < 5; k++) {
        free(G[k]); free(g[k]);
    }
    for (int k = 0; k < 4; k++) {
        free(S[k]); free(s[k]);
    }
    free(a); free(b); free(want); free(back);
    njord_sht_plan_destroy(pd);
    njord_sht_plan_destroy(ps);
}

static void run_errors(void)
{
    njord_sht_plan *p = NULL;
    /* more ranks than latitude pairs (nlat = 2: one pair) */
    njord_sht_desc d = {.trunc = 1, .nlat = 2, .nlon = 4, .max_batch = 1,
                        .backend = NJORD_BACKEND_CPU, .comm = MPI_COMM_WORLD};
    int st = njord_sht_plan_create(&d, &p);
    if (nranks > 1)
        check(st == NJORD_EINVAL && p == NULL && strstr(njord_last_error(), "latitude pairs"),
              "more ranks than latitude pairs refused on every rank");
    else
        check(st == NJORD_OK, "one rank, one latitude pair");
    njord_sht_plan_destroy(p);
    p = NULL;
    /* ranks disagree on the description */
    njord_sht_desc e = {.trunc = 21 - (rank == nranks - 1 && nranks > 1), .nlat = 32, .nlon = 64,
                        .max_batch = 1, .backend = NJORD_BACKEND_CPU, .comm = MPI_COMM_WORLD};
    st = njord_sht_plan_create(&e, &p);
    if (nranks > 1)
        check(st == NJORD_EINVAL && strstr(njord_last_error(), "disagree"),
              "mismatched descriptions refused on every rank");
    njord_sht_plan_destroy(p);
    p = NULL;
    /* the radius too */
    njord_sht_desc r = {.trunc = 21, .nlat = 32, .nlon = 64, .max_batch = 1,
                        .backend = NJORD_BACKEND_CPU, .radius = rank == 0 ? 1e6 : 0,
                        .comm = MPI_COMM_WORLD};
    st = njord_sht_plan_create(&r, &p);
    if (nranks > 1)
        check(st == NJORD_EINVAL && strstr(njord_last_error(), "radius differs"),
              "mismatched radii refused on every rank");
    njord_sht_plan_destroy(p);
    p = NULL;
    /* invalid on one rank only: that rank names the problem, the others fail too */
    njord_sht_desc f = {.trunc = 21, .nlat = rank == 0 ? 8 : 32, .nlon = 64, .max_batch = 1,
                        .backend = NJORD_BACKEND_CPU, .comm = MPI_COMM_WORLD};
    st = njord_sht_plan_create(&f, &p);
    check(st == NJORD_EINVAL && p == NULL, "an error on one rank fails every rank");
    if (rank == 0) check(strstr(njord_last_error(), "nlat = 8") != NULL, "the failing rank names the cause");
    njord_sht_plan_destroy(p);
    /* a plan on a sub-communicator (two halves) works independently */
    MPI_Comm half;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
    njord_sht_desc h = {.trunc = 10, .nlat = 16, .nlon = 32, .max_batch = 1,
                        .backend = NJORD_BACKEND_CPU, .comm = half};
    p = NULL;
    check(njord_sht_plan_create(&h, &p) == NJORD_OK, "plan on a split communicator");
    njord_sht_plan_destroy(p);
    MPI_Comm_free(&half);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    const char *be = getenv("NJ_TEST_BACKEND");
    if (be && njord_backend_parse(be, &backend)) {
        fprintf(stderr, "%s\n", njord_last_error());
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (njord_backend_check(backend)) {
        if (rank == 0) printf("mpi_sht: SKIP: %s\n", njord_last_error());
        MPI_Finalize();
        return 77;
    }
    run_case(21, 32, 64, 3);   /* even nlat */
    run_case(30, 47, 96, 2);   /* odd nlat: the equator row is a pair of its own */
    run_case(63, 96, 192, 2);  /* quadratic-ish */
    run_case(4, 16, 32, 1);    /* 3 units of m: with 4 ranks one rank owns no m */
    run_errors();
    int tot[2] = {npass, nfail}, sum[2];
    MPI_Reduce(tot, sum, 2, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    int anyfail = 0;
    MPI_Allreduce(&nfail, &anyfail, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0)
        printf("mpi_sht (%s, %s backend%s, %d ranks): %d checks passed, %d failed\n",
               njord_precision(), njord_backend_name(backend),
               backend == NJORD_BACKEND_CUDA ? (strstr(njord_cuda_device(), "emulation") ? ", host emulation" : ", GPU") : "",
               nranks, sum[0], sum[1]);
    MPI_Finalize();
    return anyfail ? 1 : 0;
}
