/* tests/mpi_sw.c — the shallow-water model distributed over 1..4 ranks (mpirun,
 * tests/run.sh): the state after a few steps of leapfrog and of IMEX, the
 * gathered grid fields and the diagnostics are bitwise identical to a serial run
 * of the same configuration. Prints "mpi_sw ...: N checks passed, N failed". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netcdf.h>

#include "njord.h"

static int npass, nfail, rank, nranks;

static void check(int ok, const char *what)
{
    if (ok) npass++;
    else {
        nfail++;
        fprintf(stderr, "rank %d/%d: FAIL %s (%s)\n", rank, nranks, what, njord_last_error());
    }
}

static njord_model *model(MPI_Comm comm, const char *integrator, const char *cs, const char *extra)
{
    njord_config *c;
    njord_config_create(&c);
    const char *be = getenv("NJ_TEST_BACKEND");
    char b[64], it[64], ic[64];
    snprintf(b, sizeof b, "backend.kind=%s", be ? be : "cpu");
    snprintf(it, sizeof it, "time.integrator=%s", integrator);
    snprintf(ic, sizeof ic, "initial.case=%s", cs);
    const char *sets[] = {"output.file=", "grid.trunc=42", "time.dt=600", b, it, ic, extra, NULL};
    for (int i = 0; sets[i]; i++) njord_config_set(c, sets[i]);
    njord_model *m = NULL;
    check(njord_model_create(c, comm, &m) == NJORD_OK, "model creation");
    njord_config_destroy(c);
    return m;
}

/* extra: one more configuration setting, or NULL */
static void run_case(const char *integrator, const char *cs, const char *extra)
{
    char what[160];
    njord_model *ms = model(MPI_COMM_NULL, integrator, cs, extra),
                *md = model(MPI_COMM_WORLD, integrator, cs, extra);
    if (!ms || !md) return;
    check(njord_model_step(ms, 6) == NJORD_OK, "serial steps");
    check(njord_model_step(md, 6) == NJORD_OK, "distributed steps");
    int T = njord_sht_trunc(njord_model_plan(ms)), nlat, nlon;
    njord_model_grid(ms, &nlat, &nlon, NULL);
    size_t ns = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
    njord_real *a = malloc(sizeof(njord_real) * 3 * ns), *b = malloc(sizeof(njord_real) * 3 * ns);
    njord_real *ga = malloc(sizeof(njord_real) * ng), *gb = malloc(sizeof(njord_real) * ng);
    njord_model_spectral_state(ms, 0, a, a + ns, a + 2 * ns);
    check(njord_model_spectral_state(md, 0, b, b + ns, b + 2 * ns) == NJORD_OK, "gather state");
    snprintf(what, sizeof what, "%s %s %s: spectral state bitwise", cs, integrator, extra ? extra : "");
    if (rank == 0) check(!memcmp(a, b, sizeof(njord_real) * 3 * ns), what);
    if (extra) { /* an ensemble member: its state is not the control's */
        njord_model *mc = model(MPI_COMM_NULL, integrator, cs, NULL);
        if (mc) {
            njord_model_step(mc, 6);
            njord_model_spectral_state(mc, 0, b, b + ns, b + 2 * ns);
            if (rank == 0) check(memcmp(a, b, sizeof(njord_real) * ns) != 0, "the member differs from the control");
            njord_model_destroy(mc);
        }
    }
    /* outputs the root does not want (NULL there, whatever the other ranks
     * pass): every rank skips the same gathers instead of hanging in one */
    memset(b, 0, sizeof(njord_real) * 3 * ns);
    check(njord_model_spectral_state(md, 0, rank == 0 ? b : NULL, NULL, rank == 0 ? b + 2 * ns : NULL) ==
              NJORD_OK,
          "gather state with NULL outputs");
    if (rank == 0)
        check(!memcmp(a, b, sizeof(njord_real) * ns) && !memcmp(a + 2 * ns, b + 2 * ns, sizeof(njord_real) * ns),
              "the wanted outputs of a gather with NULLs");
    /* a NULL global on the root alone: an error on every rank, no hang */
    check(njord_sht_gather_grid((njord_sht_plan *)njord_model_plan(md), 0, gb, NULL, 1) == NJORD_EINVAL,
          "NULL global on the root: NJORD_EINVAL on every rank");
    const char *fields[] = {"u", "v", "zg", "pv"};
    for (int k = 0; k < 4; k++) {
        njord_model_field(ms, fields[k], 0, ga);
        check(njord_model_field(md, fields[k], 0, gb) == NJORD_OK, "gather field");
        snprintf(what, sizeof what, "%s %s: field %s bitwise", cs, integrator, fields[k]);
        if (rank == 0) check(!memcmp(ga, gb, sizeof(njord_real) * ng), what);
    }
    njord_diag ds, dd;
    njord_model_diagnostics(ms, &ds);
    check(njord_model_diagnostics(md, &dd) == NJORD_OK, "diagnostics");
    snprintf(what, sizeof what, "%s %s: diagnostics bitwise", cs, integrator);
    check(ds.mass == dd.mass && ds.energy == dd.energy && ds.enstrophy == dd.enstrophy &&
              ds.max_wind == dd.max_wind,
          what);
    free(a); free(b); free(ga); free(gb);
    njord_model_destroy(ms);
    njord_model_destroy(md);
}

/* njord_model_run with output on every rank count: the file written by rank 0
 * holds the same values as the serial run's (the collectives of the output path
 * must stay in step on every rank) */
static void run_output(void)
{
    char fs[64], fd[64];
    snprintf(fs, sizeof fs, "/tmp/njord-mpi-sw-%d-s.nc", nranks);
    snprintf(fd, sizeof fd, "/tmp/njord-mpi-sw-%d-d.nc", nranks);
    for (int k = 0; k < 2; k++) {
        njord_config *c;
        njord_config_create(&c);
        const char *be = getenv("NJ_TEST_BACKEND");
        char b[64], o[96];
        snprintf(b, sizeof b, "backend.kind=%s", be ? be : "cpu");
        snprintf(o, sizeof o, "output.file=%s", k ? fd : fs);
        const char *sets[] = {"initial.case=williamson5", "grid.trunc=21", "time.dt=1h",
                              "time.length=12h", "output.interval=3h", "output.variables=u,zg,orog",
                              b, o, NULL};
        for (int i = 0; sets[i]; i++) njord_config_set(c, sets[i]);
        njord_model *m = NULL;
        MPI_Comm comm = k ? MPI_COMM_WORLD : MPI_COMM_NULL;
        if (k || rank == 0) {
            check(njord_model_create(c, comm, &m) == NJORD_OK, "model with output");
            check(njord_model_run(m, -1, NULL, NULL) == NJORD_OK, "run with output");
            njord_model_destroy(m);
        }
        njord_config_destroy(c);
        MPI_Barrier(MPI_COMM_WORLD);
    }
    if (rank == 0) {
        int ok = 1;
        int id[2];
        ok = nc_open(fs, NC_NOWRITE, &id[0]) == NC_NOERR && nc_open(fd, NC_NOWRITE, &id[1]) == NC_NOERR;
        const char *vars[] = {"u", "zg", "orog"};
        for (int v = 0; v < 3 && ok; v++) {
            int vid[2];
            size_t n = 5 * 32 * 64;
            float *a = calloc(n, sizeof(float)), *bb = calloc(n, sizeof(float));
            ok = nc_inq_varid(id[0], vars[v], &vid[0]) == NC_NOERR &&
                 nc_inq_varid(id[1], vars[v], &vid[1]) == NC_NOERR &&
                 nc_get_var_float(id[0], vid[0], a) == NC_NOERR &&
                 nc_get_var_float(id[1], vid[1], bb) == NC_NOERR && !memcmp(a, bb, sizeof(float) * n);
            free(a);
            free(bb);
        }
        nc_close(id[0]);
        nc_close(id[1]);
        check(ok, "output file of the distributed run equals the serial one");
        remove(fs);
        remove(fd);
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    const char *be = getenv("NJ_TEST_BACKEND");
    njord_backend_kind k = NJORD_BACKEND_CPU;
    if (be) njord_backend_parse(be, &k);
    if (njord_backend_check(k)) {
        if (rank == 0) printf("mpi_sw: SKIP: %s\n", njord_last_error());
        MPI_Finalize();
        return 77;
    }
    run_case("leapfrog", "galewsky", NULL);
    run_case("imex-sil3", "williamson5", NULL);
    run_case("leapfrog", "galewsky", "ensemble.member=7");
    run_output();
    int tot[2] = {npass, nfail}, sum[2];
    MPI_Reduce(tot, sum, 2, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    int any = 0;
    MPI_Allreduce(&nfail, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0)
        printf("mpi_sw (%s, %s backend, %d ranks): %d checks passed, %d failed\n", njord_precision(),
               be ? be : "cpu", nranks, sum[0], sum[1]);
    MPI_Finalize();
    return any ? 1 : 0;
}
