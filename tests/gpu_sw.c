/* tests/gpu_sw.c — the shallow-water model on the cuda backend against the cpu
 * backend: a full run (Galewsky, T42, 12 steps, leapfrog, hyperdiffusion on) and
 * an IMEX run, compared field by field. Built against the host emulation (runs in
 * make check) and against the real CUDA backend (tools/gpu-check.sh); exits 77
 * where no GPU works. The output names the device and says when it is the
 * emulation. */
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
#define TOL 1e-4
#else
#define TOL 1e-10
#endif

static njord_model *model(const char *backend, const char *integrator)
{
    njord_config *c;
    assert_int_equal(njord_config_create(&c), NJORD_OK);
    const char *sets[] = {"output.file=", "initial.case=galewsky", "grid.trunc=42", "time.dt=600",
                          NULL, NULL};
    char b[64], it[64];
    snprintf(b, sizeof b, "backend.kind=%s", backend);
    snprintf(it, sizeof it, "time.integrator=%s", integrator);
    for (int i = 0; sets[i]; i++) assert_int_equal(njord_config_set(c, sets[i]), NJORD_OK);
    assert_int_equal(njord_config_set(c, b), NJORD_OK);
    assert_int_equal(njord_config_set(c, it), NJORD_OK);
    njord_model *m = NULL;
    int st = njord_model_create(c, MPI_COMM_NULL, &m);
    if (st) fprintf(stderr, "%s\n", njord_last_error());
    assert_int_equal(st, NJORD_OK);
    njord_config_destroy(c);
    return m;
}

static void compare_runs(const char *integrator)
{
    njord_model *mc = model("cpu", integrator), *mg = model("cuda", integrator);
    assert_int_equal(njord_model_step(mc, 12), NJORD_OK);
    assert_int_equal(njord_model_step(mg, 12), NJORD_OK);
    int T = njord_sht_trunc(njord_model_plan(mc));
    size_t ns = 2 * NJORD_SHT_NSPEC(T);
    njord_real *a = malloc(sizeof(njord_real) * 3 * ns), *b = malloc(sizeof(njord_real) * 3 * ns);
    assert_int_equal(njord_model_spectral_state(mc, 0, a, a + ns, a + 2 * ns), NJORD_OK);
    assert_int_equal(njord_model_spectral_state(mg, 0, b, b + ns, b + 2 * ns), NJORD_OK);
    static const char *names[3] = {"vorticity", "divergence", "geopotential"};
    for (int k = 0; k < 3; k++) {
        double d = 0, mx = 0;
        for (size_t i = k * ns; i < (k + 1) * ns; i++) {
            d = fmax(d, fabs((double)a[i] - b[i]));
            mx = fmax(mx, fabs((double)a[i]));
        }
        fprintf(stderr, "  %s, 12 steps, %s: cuda vs cpu max rel difference %.2e\n", integrator, names[k],
                d / mx);
        assert_true(d <= TOL * mx);
    }
    njord_diag dc, dg;
    assert_int_equal(njord_model_diagnostics(mc, &dc), NJORD_OK);
    assert_int_equal(njord_model_diagnostics(mg, &dg), NJORD_OK);
    assert_true(fabs(dc.mass - dg.mass) <= TOL * dc.mass);
    free(a);
    free(b);
    njord_model_destroy(mc);
    njord_model_destroy(mg);
}

/* host emulation only (kernels/emu/cuda_emu.h): weak, so that the real-CUDA build links */
void nj_emu_fail_after(long n) __attribute__((weak));
unsigned long long nj_emu_live_handles(void) __attribute__((weak));

/* model creation (T21) and a first step failing at each CUDA call in turn: an error
 * status, and every device resource made before the failure released by destroy */
static void test_failures_release_everything(void **state)
{
    (void)state;
    if (!nj_emu_fail_after || !nj_emu_live_handles) skip(); /* a real GPU: nothing to inject */
    const unsigned long long base = nj_emu_live_handles();
    long n;
    for (n = 1; n < 3000; n++) {
        njord_config *c;
        assert_int_equal(njord_config_create(&c), NJORD_OK);
        const char *sets[] = {"output.file=", "initial.case=galewsky", "grid.trunc=21",
                              "time.dt=1200", "backend.kind=cuda", NULL};
        for (int i = 0; sets[i]; i++) assert_int_equal(njord_config_set(c, sets[i]), NJORD_OK);
        njord_model *m = NULL;
        nj_emu_fail_after(n);
        int st = njord_model_create(c, MPI_COMM_NULL, &m);
        if (!st) st = njord_model_step(m, 1);
        nj_emu_fail_after(0);
        njord_config_destroy(c);
        njord_model_destroy(m);
        if (nj_emu_live_handles() != base)
            fail_msg("failure at call %ld (%s): %llu CUDA resources leaked", n,
                     st ? njord_last_error() : "no failure", nj_emu_live_handles() - base);
        if (!st) break;
    }
    fprintf(stderr, "  model creation + 1 step failing at each of its %ld CUDA calls: clean\n",
            n - 1);
    assert_true(n > 10 && n < 3000);
}

static void test_leapfrog(void **state)
{
    (void)state;
    compare_runs("leapfrog");
}

static void test_imex(void **state)
{
    (void)state;
    compare_runs("imex-sil3");
}

int main(void)
{
    if (njord_backend_check(NJORD_BACKEND_CUDA) != NJORD_OK) {
        printf("gpu_sw: SKIP: %s\n", njord_last_error());
        return 77;
    }
    printf("gpu_sw (%s precision) on %s\n", njord_precision(), njord_cuda_device());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leapfrog),
        cmocka_unit_test(test_imex),
        cmocka_unit_test(test_failures_release_everything),
    };
    return cmocka_run_group_tests_name("gpu_sw", tests, NULL, NULL);
}
