/* tests/gpu_sht.c — the GPU test suite of the transforms: every transform on the
 * cuda backend against the cpu backend, with fields resident in device memory and
 * with host buffers, in the precision of the build.
 *
 * Built twice (Makefile): against the host emulation of CUDA (build/emu-*), which
 * runs in `make check` everywhere and catches index, launch and layout mistakes,
 * and against the real CUDA backend (build/dp, build/sp), which tools/gpu-check.sh
 * runs on a GPU. Where no GPU works the real build exits 77 (skipped). The output
 * names the device, and says so when it is the emulation. */
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
#define TOL 2e-5
#else
#define TOL 1e-12
#endif

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

static njord_sht_plan *plan(njord_backend_kind k, int T, int nlat, int nlon, int nf)
{
    njord_sht_desc d = {.trunc = T, .nlat = nlat, .nlon = nlon, .max_batch = nf,
                        .backend = k, .comm = MPI_COMM_NULL};
    njord_sht_plan *p = NULL;
    int st = njord_sht_plan_create(&d, &p);
    if (st) fprintf(stderr, "plan (%s): %s\n", njord_backend_name(k), njord_last_error());
    assert_int_equal(st, NJORD_OK);
    return p;
}

/* device copy of a host array, and back */
static njord_real *dev_copy(const njord_real *h, size_t n)
{
    void *d = NULL;
    assert_int_equal(njord_mem_alloc(NJORD_BACKEND_CUDA, sizeof(njord_real) * n, &d), NJORD_OK);
    if (h) assert_int_equal(njord_mem_copy(d, h, sizeof(njord_real) * n), NJORD_OK);
    return d;
}

static njord_real *host_copy(const njord_real *d, size_t n)
{
    njord_real *h = malloc(sizeof(njord_real) * n);
    assert_int_equal(njord_mem_copy(h, d, sizeof(njord_real) * n), NJORD_OK);
    return h;
}

static double rel_diff(const njord_real *a, const njord_real *b, size_t n)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - (double)b[i]));
        m = fmax(m, fabs((double)a[i]));
    }
    return m > 0 ? d / m : d;
}

static void compare(const char *what, int T, const njord_real *cpu, const njord_real *gpu_dev, size_t n)
{
    njord_real *g = host_copy(gpu_dev, n);
    double e = rel_diff(cpu, g, n);
    fprintf(stderr, "  T%-4d %-18s cuda vs cpu: %.2e\n", T, what, e);
    assert_true(e <= TOL);
    free(g);
}

static void check_case(int T, int nlat, int nlon, int nf)
{
    njord_sht_plan *pc = plan(NJORD_BACKEND_CPU, T, nlat, nlon, nf);
    njord_sht_plan *pg = plan(NJORD_BACKEND_CUDA, T, nlat, nlon, nf);
    size_t ns = 2 * NJORD_SHT_NSPEC(T) * nf, ng = (size_t)nlat * nlon * nf;
    njord_real *a = malloc(sizeof(njord_real) * ns), *b = malloc(sizeof(njord_real) * ns);
    for (size_t i = 0; i < ns; i++) {
        a[i] = (njord_real)urand();
        b[i] = (njord_real)urand();
    }
    njord_real *G1 = malloc(sizeof(njord_real) * ng), *G2 = malloc(sizeof(njord_real) * ng);
    njord_real *S1 = malloc(sizeof(njord_real) * ns), *S2 = malloc(sizeof(njord_real) * ns);
    njord_real *da = dev_copy(a, ns), *db = dev_copy(b, ns);
    njord_real *dg1 = dev_copy(NULL, ng), *dg2 = dev_copy(NULL, ng);
    njord_real *ds1 = dev_copy(NULL, ns), *ds2 = dev_copy(NULL, ns);

    /* scalar synthesis and analysis */
    assert_int_equal(njord_sht_synth(pc, a, G1, nf), NJORD_OK);
    assert_int_equal(njord_sht_synth(pg, da, dg1, nf), NJORD_OK);
    compare("synthesis", T, G1, dg1, ng);
    assert_int_equal(njord_sht_analysis(pc, G1, S1, nf), NJORD_OK);
    assert_int_equal(njord_sht_analysis(pg, dg1, ds1, nf), NJORD_OK);
    compare("analysis", T, S1, ds1, ns);

    /* winds from vorticity and divergence, and back */
    assert_int_equal(njord_sht_uv_from_vordiv(pc, a, b, G1, G2, nf), NJORD_OK);
    assert_int_equal(njord_sht_uv_from_vordiv(pg, da, db, dg1, dg2, nf), NJORD_OK);
    compare("u from vor,div", T, G1, dg1, ng);
    compare("v from vor,div", T, G2, dg2, ng);
    assert_int_equal(njord_sht_vordiv_from_uv(pc, G1, G2, S1, S2, nf), NJORD_OK);
    assert_int_equal(njord_sht_vordiv_from_uv(pg, dg1, dg2, ds1, ds2, nf), NJORD_OK);
    compare("vor from u,v", T, S1, ds1, ns);
    compare("div from u,v", T, S2, ds2, ns);

    /* gradient, Laplacian, inverse Laplacian */
    assert_int_equal(njord_sht_gradient(pc, a, G1, G2, nf), NJORD_OK);
    assert_int_equal(njord_sht_gradient(pg, da, dg1, dg2, nf), NJORD_OK);
    compare("gradient x", T, G1, dg1, ng);
    compare("gradient y", T, G2, dg2, ng);
    assert_int_equal(njord_sht_laplacian(pc, a, S1, nf), NJORD_OK);
    assert_int_equal(njord_sht_laplacian(pg, da, ds1, nf), NJORD_OK);
    compare("laplacian", T, S1, ds1, ns);
    assert_int_equal(njord_sht_inverse_laplacian(pc, a, S1, nf), NJORD_OK);
    assert_int_equal(njord_sht_inverse_laplacian(pg, da, ds1, nf), NJORD_OK);
    compare("inverse laplacian", T, S1, ds1, ns);

    /* host buffers on the cuda plan: staged, same answers bitwise */
    assert_int_equal(njord_sht_uv_from_vordiv(pg, da, db, dg1, dg2, nf), NJORD_OK);
    assert_int_equal(njord_sht_uv_from_vordiv(pg, a, b, G1, G2, nf), NJORD_OK);
    njord_real *h = host_copy(dg1, ng);
    assert_memory_equal(h, G1, sizeof(njord_real) * ng);
    free(h);
    assert_int_equal(njord_sht_vordiv_from_uv(pg, G1, G2, S1, S2, nf), NJORD_OK);
    assert_int_equal(njord_sht_vordiv_from_uv(pg, dg1, dg2, ds1, ds2, nf), NJORD_OK);
    h = host_copy(ds2, ns);
    assert_memory_equal(h, S2, sizeof(njord_real) * ns);
    free(h);

    njord_mem_free(NJORD_BACKEND_CUDA, da);
    njord_mem_free(NJORD_BACKEND_CUDA, db);
    njord_mem_free(NJORD_BACKEND_CUDA, dg1);
    njord_mem_free(NJORD_BACKEND_CUDA, dg2);
    njord_mem_free(NJORD_BACKEND_CUDA, ds1);
    njord_mem_free(NJORD_BACKEND_CUDA, ds2);
    free(a); free(b); free(G1); free(G2); free(S1); free(S2);
    njord_sht_plan_destroy(pc);
    njord_sht_plan_destroy(pg);
}

static void test_transforms_cuda_vs_cpu(void **state)
{
    (void)state;
    check_case(21, 32, 64, 3);
    check_case(30, 47, 96, 2); /* odd nlat: equator row */
    check_case(106, 160, 320, 2);
}

/* host emulation only (kernels/emu/cuda_emu.h): weak, so that the real-CUDA build links */
void nj_emu_fail_after(long n) __attribute__((weak));
unsigned long long nj_emu_live_handles(void) __attribute__((weak));

/* plan creation failing at each CUDA/cuFFT/cuBLAS call in turn: an NJORD error naming
 * the call, no plan, and every device allocation, pinned buffer, stream, event, FFT
 * plan and BLAS handle made before the failure released */
static void test_plan_creation_failures(void **state)
{
    (void)state;
    if (!nj_emu_fail_after || !nj_emu_live_handles) skip(); /* a real GPU: nothing to inject */
    const unsigned long long base = nj_emu_live_handles();
    njord_sht_desc d = {.trunc = 10, .nlat = 16, .nlon = 32, .max_batch = 3,
                        .backend = NJORD_BACKEND_CUDA, .comm = MPI_COMM_NULL};
    njord_sht_plan *p0 = NULL; /* the process's first plan: its cuFFT handles may be 0 */
    assert_int_equal(njord_sht_plan_create(&d, &p0), NJORD_OK);
    njord_sht_plan_destroy(p0);
    assert_int_equal(nj_emu_live_handles(), base);
    long n;
    for (n = 1; n < 1000; n++) {
        njord_sht_plan *p = NULL;
        nj_emu_fail_after(n);
        int st = njord_sht_plan_create(&d, &p);
        nj_emu_fail_after(0);
        if (st == NJORD_OK) {
            njord_sht_plan_destroy(p);
            break;
        }
        assert_null(p);
        const char *msg = njord_last_error();
        if (!strstr(msg, "cuda backend: ") || !strstr(msg, "failed"))
            fail_msg("failure at call %ld: message '%s' does not name the call", n, msg);
        if (nj_emu_live_handles() != base)
            fail_msg("failure at call %ld (%s): %llu CUDA resources leaked", n, msg,
                     nj_emu_live_handles() - base);
    }
    fprintf(stderr, "  plan creation failing at each of its %ld CUDA calls: clean\n", n - 1);
    assert_true(n > 10 && n < 1000);
    assert_int_equal(nj_emu_live_handles(), base);
}

static void test_backend_selection(void **state)
{
    (void)state;
    assert_int_equal(njord_backend_check(NJORD_BACKEND_CUDA), NJORD_OK);
    assert_int_equal(njord_backend_resolve(NJORD_BACKEND_AUTO), NJORD_BACKEND_CUDA);
    njord_sht_plan *p = plan(NJORD_BACKEND_AUTO, 10, 16, 32, 1);
    assert_int_equal(njord_sht_backend(p), NJORD_BACKEND_CUDA);
    njord_sht_plan_destroy(p);
}

int main(void)
{
    if (njord_backend_check(NJORD_BACKEND_CUDA) != NJORD_OK) {
        printf("gpu_sht: SKIP: %s\n", njord_last_error());
        return 77;
    }
    printf("gpu_sht (%s precision) on %s\n", njord_precision(), njord_cuda_device());
    const struct CMUnitTest tests[] = {
        /* first: the process's first cuFFT plan may get handle 0 */
        cmocka_unit_test(test_plan_creation_failures),
        cmocka_unit_test(test_backend_selection),
        cmocka_unit_test(test_transforms_cuda_vs_cpu),
    };
    return cmocka_run_group_tests_name("gpu_sht", tests, NULL, NULL);
}
