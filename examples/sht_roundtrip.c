/* examples/sht_roundtrip.c — the transform API by example.
 *
 * Builds a T85 plan on its quadratic Gaussian grid, synthesises the Rossby–Haurwitz
 * wave's vorticity (Williamson test 6), computes the winds (the largest zonal wind
 * is 100 m/s), transforms them back, and reports the round-trip error: rounding
 * level, about 1e-18 1/s in double and 2e-11 1/s in single precision, for a
 * vorticity of up to 2e-4 1/s.
 *
 *   cc sht_roundtrip.c $(pkg-config --cflags --libs njord) -lm -o sht_roundtrip
 *   (njord_sp instead of njord: the single-precision library)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <njord.h>

#define CHECK(call)                                                                        \
    do {                                                                                   \
        int st_ = (call);                                                                  \
        if (st_ != NJORD_OK) {                                                             \
            fprintf(stderr, "%s failed: %s\n", #call, njord_last_error());                 \
            return 1;                                                                      \
        }                                                                                  \
    } while (0)

int main(void)
{
    int T = 85, nlat, nlon;
    CHECK(njord_grid_size(T, NJORD_GRID_QUADRATIC, &nlat, &nlon)); /* 256 x 128 */

    njord_sht_desc desc = {.trunc = T, .nlat = nlat, .nlon = nlon, .max_batch = 1,
                           .backend = NJORD_BACKEND_AUTO, .comm = MPI_COMM_NULL};
    njord_sht_plan *plan;
    CHECK(njord_sht_plan_create(&desc, &plan));

    size_t nspec = 2 * NJORD_SHT_NSPEC(T), ngrid = (size_t)nlat * nlon;
    njord_real *vor = calloc(nspec, sizeof *vor), *div = calloc(nspec, sizeof *div);
    njord_real *vor2 = calloc(nspec, sizeof *vor2), *div2 = calloc(nspec, sizeof *div2);
    njord_real *u = malloc(ngrid * sizeof *u), *v = malloc(ngrid * sizeof *v);

    /* Williamson et al. (1992) test 6, omega = K = 7.848e-6 1/s, R = 4: the vorticity
     *   2 omega mu - K (R^2 + 3R + 2) mu (1 - mu^2)^(R/2) cos(R lambda)
     * is solid-body rotation, coefficient (m, n) = (0, 1), plus one harmonic (4, 5).
     * With the headers' normalisation P_1^0 = sqrt(3) mu and
     * P_5^4 = sqrt(11 / 9!) 945 mu (1 - mu^2)^2, and a field of 2 Re(f_n^m e^{im lambda})
     * for m > 0: */
    double omega = 7.848e-6, K = 7.848e-6;
    vor[2 * njord_sht_index(T, 0, 1)] = (njord_real)(2 * omega / sqrt(3.0));
    vor[2 * njord_sht_index(T, 4, 5)] = (njord_real)(-30 * K / (2 * 945 * sqrt(11 / 362880.0)));

    CHECK(njord_sht_uv_from_vordiv(plan, vor, div, u, v, 1));
    CHECK(njord_sht_vordiv_from_uv(plan, u, v, vor2, div2, 1));

    double umax = 0, err = 0;
    for (size_t i = 0; i < ngrid; i++) umax = fmax(umax, fabs((double)u[i]));
    for (size_t i = 0; i < nspec; i++) err = fmax(err, fabs((double)(vor2[i] - vor[i])));
    printf("T%d on %d x %d (%s backend, %s precision): max |u| = %.2f m/s, "
           "vorticity round-trip error %.2e 1/s\n",
           T, nlon, nlat, njord_backend_name(njord_sht_backend(plan)), njord_precision(), umax,
           err);

    njord_sht_plan_destroy(plan);
    free(vor); free(div); free(vor2); free(div2); free(u); free(v);
    return 0;
}
