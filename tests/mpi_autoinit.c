/* tests/mpi_autoinit.c — a program that never initialises MPI may still pass a
 * communicator: the library initialises MPI itself (a singleton, no mpirun) and
 * finalises it at exit; the results equal the serial plan's bitwise.
 * (A separate program from the cmocka suites because Open MPI's start-up
 * allocations, kept until exit, would drown the sanitizer and valgrind runs.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "njord.h"

#define CHECK(c)                                                                          \
    do {                                                                                  \
        if (!(c)) {                                                                       \
            fprintf(stderr, "FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #c,             \
                    njord_last_error());                                                  \
            return 1;                                                                     \
        }                                                                                 \
    } while (0)

int main(void)
{
    int init = 1;
    MPI_Initialized(&init);
    CHECK(init == 0);
    int T = 21, nlat = 32, nlon = 64;
    njord_sht_desc d = {.trunc = T, .nlat = nlat, .nlon = nlon, .max_batch = 1,
                        .backend = NJORD_BACKEND_CPU, .comm = MPI_COMM_WORLD};
    njord_sht_plan *pw = NULL, *ps = NULL;
    CHECK(njord_sht_plan_create(&d, &pw) == NJORD_OK);
    MPI_Initialized(&init);
    CHECK(init == 1);
    int r, n;
    CHECK(njord_sht_rank(pw, &r, &n) == NJORD_OK && r == 0 && n == 1);
    d.comm = MPI_COMM_NULL;
    CHECK(njord_sht_plan_create(&d, &ps) == NJORD_OK);
    size_t nsp = 2 * NJORD_SHT_NSPEC(T), ng = (size_t)nlat * nlon;
    njord_real *s = calloc(nsp, sizeof(njord_real)), *g1 = malloc(sizeof(njord_real) * ng),
               *g2 = malloc(sizeof(njord_real) * ng);
    for (size_t i = 0; i < nsp; i++) s[i] = (njord_real)((double)(i % 17) / 17 - 0.5);
    CHECK(njord_sht_synth(pw, s, g1, 1) == NJORD_OK);
    CHECK(njord_sht_synth(ps, s, g2, 1) == NJORD_OK);
    CHECK(!memcmp(g1, g2, sizeof(njord_real) * ng));
    njord_sht_plan_destroy(pw);
    njord_sht_plan_destroy(ps);
    free(s);
    free(g1);
    free(g2);
    printf("mpi_autoinit (%s): MPI initialised by the library, results bitwise serial: ok\n",
           njord_precision());
    return 0; /* MPI_Finalize runs from the library's atexit handler */
}
