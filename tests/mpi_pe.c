/* tests/mpi_pe.c — the primitive-equation model over 1..4 ranks (mpirun,
 * tests/run.sh): after a few steps the gathered grid fields and the diagnostics
 * are bitwise those of a serial run; a run with pressure-level output writes
 * the serial file's values; and restarts cross rank counts: a serial run's
 * restart continued on all ranks, and an all-ranks restart continued serially,
 * both end bitwise equal to an uninterrupted serial run.
 * Prints "mpi_pe ...: N checks passed, N failed". */
#define _POSIX_C_SOURCE 200809L
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

static njord_model *model(MPI_Comm comm, const char *const *extra)
{
    njord_config *c;
    njord_config_create(&c);
    const char *be = getenv("NJ_TEST_BACKEND");
    char b[64];
    snprintf(b, sizeof b, "backend.kind=%s", be ? be : "cpu");
    const char *sets[] = {"output.file=", "model.equations=primitive", "grid.trunc=21",
                          "time.dt=1200", "vertical.levels=cam26", "vertical.tracers=1",
                          "initial.case=jw06_wave", "dynamics.diffusion_order=2",
                          "dynamics.diffusion_time=14h", b, NULL};
    for (int i = 0; sets[i]; i++) check(njord_config_set(c, sets[i]) == NJORD_OK, sets[i]);
    for (int i = 0; extra && extra[i]; i++) check(njord_config_set(c, extra[i]) == NJORD_OK, extra[i]);
    njord_model *m = NULL;
    check(njord_model_create(c, comm, &m) == NJORD_OK, "model creation");
    njord_config_destroy(c);
    return m;
}

/* every grid field of a and b bitwise (checked on rank 0) */
static void compare(njord_model *a, njord_model *b, const char *what)
{
    static const char *fields[] = {"u", "v", "t", "q", "vor", "div", "phi", "ps"};
    int nlat, nlon;
    njord_model_grid(b, &nlat, &nlon, NULL);
    size_t n = (size_t)26 * nlat * nlon;
    njord_real *ga = malloc(sizeof(njord_real) * n), *gb = malloc(sizeof(njord_real) * n);
    for (int k = 0; k < 8; k++) {
        if (a) njord_model_field(a, fields[k], 0, ga);
        check(njord_model_field(b, fields[k], 0, gb) == NJORD_OK, "gather field");
        char w[160];
        snprintf(w, sizeof w, "%s: field %s bitwise", what, fields[k]);
        if (rank == 0) check(!memcmp(ga, gb, sizeof(njord_real) * (k == 7 ? n / 26 : n)), w);
    }
    free(ga);
    free(gb);
}

/* member: an ensemble.member setting, or NULL */
static void run_steps(const char *integrator, const char *member)
{
    char it[64], what[128];
    snprintf(it, sizeof it, "time.integrator=%s", integrator);
    const char *extra[] = {it, member, NULL};
    njord_model *ms = rank == 0 ? model(MPI_COMM_NULL, extra) : NULL, *md = model(MPI_COMM_WORLD, extra);
    if (ms) check(njord_model_step(ms, 6) == NJORD_OK, "serial steps");
    check(njord_model_step(md, 6) == NJORD_OK, "distributed steps");
    snprintf(what, sizeof what, "jw06 %s %s, 6 steps", integrator, member ? member : "");
    compare(ms, md, what);
    njord_diag ds, dd;
    if (ms) njord_model_diagnostics(ms, &ds);
    check(njord_model_diagnostics(md, &dd) == NJORD_OK, "diagnostics");
    if (rank == 0)
        check(ds.mass == dd.mass && ds.energy == dd.energy && ds.ps_min == dd.ps_min &&
                  ds.max_wind == dd.max_wind,
              "diagnostics bitwise");
    njord_model_destroy(ms);
    njord_model_destroy(md);
}

/* restart written with one rank count and continued with another */
static void run_restart(void)
{
    char r1[96], r2[96], o1[128], o2[128], i1[128], i2[128];
    snprintf(r1, sizeof r1, "/tmp/njord-mpi-pe-%d-serial.nc", nranks);
    snprintf(r2, sizeof r2, "/tmp/njord-mpi-pe-%d-dist.nc", nranks);
    snprintf(o1, sizeof o1, "restart.output=%s", r1);
    snprintf(o2, sizeof o2, "restart.output=%s", r2);
    snprintf(i1, sizeof i1, "restart.input=%s", r1);
    snprintf(i2, sizeof i2, "restart.input=%s", r2);
    const double t1 = 3 * 1200.0, t2 = 8 * 1200.0;
    /* uninterrupted, serial */
    njord_model *ref = rank == 0 ? model(MPI_COMM_NULL, NULL) : NULL;
    if (ref) check(njord_model_run(ref, t2, NULL, NULL) == NJORD_OK, "reference run");
    /* first halves: serial (rank 0) and distributed */
    const char *e1[] = {o1, NULL}, *e2[] = {o2, NULL};
    if (rank == 0) {
        njord_model *m = model(MPI_COMM_NULL, e1);
        check(njord_model_run(m, t1, NULL, NULL) == NJORD_OK, "serial first half");
        njord_model_destroy(m);
    }
    njord_model *m = model(MPI_COMM_WORLD, e2);
    check(njord_model_run(m, t1, NULL, NULL) == NJORD_OK, "distributed first half");
    njord_model_destroy(m);
    MPI_Barrier(MPI_COMM_WORLD);
    /* second halves, swapped */
    const char *c1[] = {i1, NULL}, *c2[] = {i2, NULL};
    m = model(MPI_COMM_WORLD, c1);
    check(njord_model_run(m, t2, NULL, NULL) == NJORD_OK, "distributed second half");
    compare(ref, m, "serial restart continued on all ranks");
    njord_model_destroy(m);
    if (rank == 0) { /* serial models: no collectives */
        m = model(MPI_COMM_NULL, c2);
        check(njord_model_run(m, t2, NULL, NULL) == NJORD_OK, "serial second half");
        compare(ref, m, "distributed restart continued serially");
        njord_model_destroy(m);
        remove(r1);
        remove(r2);
    }
    njord_model_destroy(ref);
}

/* output with pressure levels: the distributed file equals the serial one */
static void run_output(void)
{
    char fs[64], fd[64];
    snprintf(fs, sizeof fs, "/tmp/njord-mpi-pe-%d-s.nc", nranks);
    snprintf(fd, sizeof fd, "/tmp/njord-mpi-pe-%d-d.nc", nranks);
    for (int k = 0; k < 2; k++) {
        char o[96];
        snprintf(o, sizeof o, "output.file=%s", k ? fd : fs);
        const char *extra[] = {o, "time.length=4h", "output.interval=2h",
                               "output.variables=ps,orog,u,t,q,phi", "output.pressure_variables=ta,zg,hus",
                               NULL};
        if (k || rank == 0) {
            njord_model *m = model(k ? MPI_COMM_WORLD : MPI_COMM_NULL, extra);
            check(njord_model_run(m, -1, NULL, NULL) == NJORD_OK, "run with output");
            njord_model_destroy(m);
        }
        MPI_Barrier(MPI_COMM_WORLD);
    }
    if (rank == 0) {
        int id[2], ok = nc_open(fs, NC_NOWRITE, &id[0]) == NC_NOERR && nc_open(fd, NC_NOWRITE, &id[1]) == NC_NOERR;
        const char *vars[] = {"ps", "orog", "u", "t", "q", "phi", "ta", "zg", "hus"};
        for (int v = 0; v < 9 && ok; v++) {
            int vid[2], nd, dims[NC_MAX_VAR_DIMS];
            size_t n = 1, len;
            ok = nc_inq_varid(id[0], vars[v], &vid[0]) == NC_NOERR &&
                 nc_inq_varndims(id[0], vid[0], &nd) == NC_NOERR &&
                 nc_inq_vardimid(id[0], vid[0], dims) == NC_NOERR;
            for (int k = 0; k < nd && ok; k++) {
                ok = nc_inq_dimlen(id[0], dims[k], &len) == NC_NOERR;
                n *= len;
            }
            float *a = calloc(n, sizeof(float)), *bb = calloc(n, sizeof(float));
            ok = nc_inq_varid(id[0], vars[v], &vid[0]) == NC_NOERR &&
                 nc_inq_varid(id[1], vars[v], &vid[1]) == NC_NOERR &&
                 nc_get_var_float(id[0], vid[0], a) == NC_NOERR &&
                 nc_get_var_float(id[1], vid[1], bb) == NC_NOERR && !memcmp(a, bb, sizeof(float) * n);
            if (!ok) fprintf(stderr, "variable %s differs\n", vars[v]);
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
        if (rank == 0) printf("mpi_pe: SKIP: %s\n", njord_last_error());
        MPI_Finalize();
        return 77;
    }
    run_steps("leapfrog", NULL);
    run_steps("imex-sil3", NULL);
    run_steps("leapfrog", "ensemble.member=9");
    run_restart();
    run_output();
    int tot[2] = {npass, nfail};
    MPI_Allreduce(MPI_IN_PLACE, tot, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("mpi_pe (%d ranks, %s precision, %s backend): %d checks passed, %d failed\n", nranks,
               njord_precision(), be ? be : "cpu", tot[0], tot[1]);
    MPI_Finalize();
    return tot[1] ? 1 : 0;
}
