/* bench/bench_mpi.c — distributed transform benchmark (run under mpirun; see
 * bench/run-mpi.sh). For each truncation, on its quadratic Gaussian grid with
 * NF fields: time per scalar synthesis+analysis pair (median over repetitions,
 * slowest rank), the share spent in MPI transpositions, and the bytes each rank
 * sends and receives per pair. Prints one JSON object per case on rank 0.
 *   usage: bench_mpi [NF] [T ...]      (defaults: 20 fields, T170 T341) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "njord.h"
#include "sht/plan.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, nranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    int nf = argc > 1 ? atoi(argv[1]) : 20;
    int Ts[16] = {170, 341}, nT = 2;
    if (argc > 2) {
        nT = 0;
        for (int i = 2; i < argc && nT < 16; i++) Ts[nT++] = atoi(argv[i]);
    }
    for (int c = 0; c < nT; c++) {
        int T = Ts[c], nlat, nlon;
        njord_grid_size(T, NJORD_GRID_QUADRATIC, &nlat, &nlon);
        njord_sht_desc d = {.trunc = T, .nlat = nlat, .nlon = nlon, .max_batch = nf,
                            .backend = NJORD_BACKEND_CPU, .comm = MPI_COMM_WORLD};
        njord_sht_plan *p;
        if (njord_sht_plan_create(&d, &p)) {
            if (rank == 0) fprintf(stderr, "T%d: %s\n", T, njord_last_error());
            continue;
        }
        size_t gl, sl;
        njord_sht_local_sizes(p, &gl, &sl);
        njord_real *s = calloc(sl * nf + 1, sizeof(njord_real));
        njord_real *g = calloc(gl * nf + 1, sizeof(njord_real));
        for (size_t i = 0; i < sl * nf; i++) s[i] = (njord_real)((double)rand() / RAND_MAX - 0.5);
        /* bytes this rank sends/receives per direction (excluding its own share) */
        nj_par_xcounts(p, 2 * nf, 1);
        long sent = 0, recv = 0;
        for (int q = 0; q < nranks; q++)
            if (q != rank) {
                sent += p->xcounts[q];
                recv += p->xcounts[2 * nranks + q];
            }
        double bytes_pair = 2.0 * (double)(sent + recv) / 2 * sizeof(njord_real);
        njord_sht_synth(p, s, g, nf); /* warm-up */
        njord_sht_analysis(p, g, s, nf);
        int reps = T <= 200 ? 10 : 4;
        double t[16], tc[16];
        for (int r = 0; r < reps; r++) {
            nj_sht_stage_times_reset(p);
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            njord_sht_synth(p, s, g, nf);
            njord_sht_analysis(p, g, s, nf);
            double dt = MPI_Wtime() - t0, dc = nj_sht_comm_time(p);
            MPI_Allreduce(&dt, &t[r], 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
            MPI_Allreduce(&dc, &tc[r], 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        }
        qsort(t, reps, sizeof(double), cmp);
        qsort(tc, reps, sizeof(double), cmp);
        double maxbytes = 0;
        MPI_Allreduce(&bytes_pair, &maxbytes, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (rank == 0)
            printf("{\"T\": %d, \"nlat\": %d, \"nlon\": %d, \"fields\": %d, \"ranks\": %d, "
                   "\"threads_per_rank\": %s, \"precision\": \"%s\", \"pair_s\": %.6e, "
                   "\"comm_s\": %.6e, \"bytes_sent_per_rank_per_pair\": %.0f}\n",
                   T, nlat, nlon, nf, nranks, getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "null",
                   njord_precision(), t[reps / 2], tc[reps / 2], maxbytes);
        free(s);
        free(g);
        njord_sht_plan_destroy(p);
    }
    MPI_Finalize();
    return 0;
}
