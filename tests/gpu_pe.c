/* tests/gpu_pe.c — the primitive-equation model on the cuda backend against the
 * cpu backend: the JW06 baroclinic wave at T21L26 (leapfrog, diffusion on, one
 * tracer) and Held–Suarez forcing on 10 sigma levels (SIL3; from the JW06
 * state, so that every term of the forcing acts from the first step), 6 steps each,
 * compared field by field on the grid. Built against the host emulation (runs in
 * make check) and the real CUDA backend (tools/gpu-check.sh); exits 77 where no
 * GPU works. The output names the device and says when it is the emulation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "njord.h"

#ifdef NJORD_SINGLE
/* float: the pressure-gradient force is the difference of two large terms
 * (grad Phi and R T grad ln p) and the divergence a small residual of the
 * balance, so summation-order differences of ~1e-7 grow to ~1e-4 of the
 * vorticity scale in the divergence over 6 steps (measured 1.1e-4) */
#define TOL 5e-4
#else
#define TOL 1e-10
#endif

static njord_model *model(const char *backend, const char *const *extra)
{
    njord_config *c;
    assert_int_equal(njord_config_create(&c), NJORD_OK);
    const char *sets[] = {"output.file=", "model.equations=primitive", "grid.trunc=21",
                          "time.dt=1200", "vertical.tracers=1", NULL};
    char b[64];
    snprintf(b, sizeof b, "backend.kind=%s", backend);
    for (int i = 0; sets[i]; i++) assert_int_equal(njord_config_set(c, sets[i]), NJORD_OK);
    for (int i = 0; extra[i]; i++) assert_int_equal(njord_config_set(c, extra[i]), NJORD_OK);
    assert_int_equal(njord_config_set(c, b), NJORD_OK);
    njord_model *m = NULL;
    int st = njord_model_create(c, MPI_COMM_NULL, &m);
    if (st) fprintf(stderr, "%s\n", njord_last_error());
    assert_int_equal(st, NJORD_OK);
    njord_config_destroy(c);
    return m;
}

static void compare_runs(const char *name, int nlev, const char *const *extra)
{
    njord_model *mc = model("cpu", extra), *mg = model("cuda", extra);
    assert_int_equal(njord_model_step(mc, 6), NJORD_OK);
    assert_int_equal(njord_model_step(mg, 6), NJORD_OK);
    int nlat, nlon;
    njord_model_grid(mc, &nlat, &nlon, NULL);
    const int L = 26; /* the most levels of the cases */
    size_t n = (size_t)L * nlat * nlon;
    njord_real *a = malloc(sizeof(njord_real) * n), *b = malloc(sizeof(njord_real) * n);
    /* differences relative to the field's scale: v is measured against the
     * largest u, the divergence against the largest vorticity (v and div start
     * near zero) */
    static const char *fields[] = {"u", "v", "t", "vor", "div", "q", "ps"};
    double scale_u = 0, scale_vor = 0;
    for (int k = 0; k < 7; k++) {
        assert_int_equal(njord_model_field(mc, fields[k], 0, a), NJORD_OK);
        assert_int_equal(njord_model_field(mg, fields[k], 0, b), NJORD_OK);
        size_t len = k == 6 ? (size_t)nlat * nlon : n * nlev / L;
        double d = 0, mx = 0;
        for (size_t i = 0; i < len; i++) {
            d = fmax(d, fabs((double)a[i] - b[i]));
            mx = fmax(mx, fabs((double)a[i]));
        }
        if (k == 0) scale_u = mx;
        if (k == 3) scale_vor = mx;
        double sc = k == 1 ? scale_u : k == 4 ? scale_vor : mx;
        fprintf(stderr, "  %s, 6 steps, %s: cuda vs cpu max difference %.2e (relative %.2e)\n", name,
                fields[k], d, sc > 0 ? d / sc : 0.0);
        assert_true(d <= TOL * (sc > 0 ? sc : 1));
    }
    njord_diag dc, dg;
    assert_int_equal(njord_model_diagnostics(mc, &dc), NJORD_OK);
    assert_int_equal(njord_model_diagnostics(mg, &dg), NJORD_OK);
    assert_true(fabs(dc.energy - dg.energy) <= TOL * dc.energy);
    free(a);
    free(b);
    njord_model_destroy(mc);
    njord_model_destroy(mg);
}

static void test_jw06(void **state)
{
    (void)state;
    const char *extra[] = {"initial.case=jw06_wave", "vertical.levels=cam26", "dynamics.diffusion_order=2",
                           "dynamics.diffusion_time=14h", NULL};
    compare_runs("jw06 wave, leapfrog", 26, extra);
}

static void test_held_suarez(void **state)
{
    (void)state;
    const char *extra[] = {"initial.case=jw06_wave", "vertical.levels=sigma:10",
                           "physics.forcing=held_suarez", "time.integrator=imex-sil3", NULL};
    compare_runs("held-suarez forcing, sil3", 10, extra);
}

int main(void)
{
    if (njord_backend_check(NJORD_BACKEND_CUDA) != NJORD_OK) {
        printf("gpu_pe: SKIP: %s\n", njord_last_error());
        return 77;
    }
    printf("gpu_pe (%s precision) on %s\n", njord_precision(), njord_cuda_device());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jw06),
        cmocka_unit_test(test_held_suarez),
    };
    return cmocka_run_group_tests_name("gpu_pe", tests, NULL, NULL);
}
