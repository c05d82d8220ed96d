/* tests/test_config.c — the run configuration (njord/config.h). */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "njord/config.h"
#include "njord/core.h"

static char g_dir[256];

/* Every key of the schema as this test knows it (the table in config.c). */
static const char *const all_keys[] = {
    "model.equations", "vertical.levels", "vertical.tracers",
    "grid.trunc", "grid.grid", "grid.nlat", "grid.nlon",
    "planet.radius", "planet.omega", "planet.gravity", "planet.rd", "planet.cp",
    "time.dt", "time.length", "time.start", "time.integrator", "time.robert_nu",
    "time.williams_alpha",
    "dynamics.diffusion_order", "dynamics.diffusion_time", "dynamics.diffusion_free_degree",
    "dynamics.reference_geopotential", "dynamics.reference_temperature",
    "dynamics.reference_pressure", "physics.forcing",
    "initial.case", "initial.alpha", "initial.file", "initial.u_var", "initial.v_var",
    "initial.h_var", "initial.time_index", "initial.level", "initial.mean_depth",
    "initial.t_var", "initial.ps_var", "initial.phis_var", "initial.q_var",
    "initial.surface_pressure",
    "ensemble.member", "ensemble.perturbation", "ensemble.nmin", "ensemble.nmax",
    "output.file", "output.interval", "output.variables", "output.deflate", "output.overwrite",
    "output.summary", "output.pressure_variables", "output.pressure_levels",
    "restart.output", "restart.interval", "restart.input",
    "backend.kind",
    "run.progress", "run.check_interval",
};
#define NALL ((int)(sizeof all_keys / sizeof all_keys[0]))

static int setup_dir(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "%s/njord_test_config.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write text to g_dir/name; the path goes to buf. */
static void write_file(char *buf, size_t len, const char *name, const char *text)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
    FILE *f = fopen(buf, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

#define assert_msg(sub)                                                                         \
    do {                                                                                        \
        if (!strstr(njord_last_error(), (sub)))                                                 \
            fail_msg("message '%s' lacks '%s'", njord_last_error(), (sub));                     \
    } while (0)

static njord_config *new_cfg(void)
{
    njord_config *c = NULL;
    assert_int_equal(njord_config_create(&c), NJORD_OK);
    assert_non_null(c);
    return c;
}

static long geti(const njord_config *c, const char *k)
{
    long v = -12345;
    assert_int_equal(njord_config_get_int(c, k, &v), NJORD_OK);
    return v;
}

static double getd(const njord_config *c, const char *k)
{
    double v = -12345;
    assert_int_equal(njord_config_get_double(c, k, &v), NJORD_OK);
    return v;
}

/* set_value must fail with EINVAL and a message containing the key and sub. */
static void bad(njord_config *c, const char *key, const char *value, const char *sub)
{
    const char *before = njord_config_get(c, key);
    assert_non_null(before);
    char *keep = strdup(before);
    int st = njord_config_set_value(c, key, value);
    if (st != NJORD_EINVAL) fail_msg("%s = '%s' gave %d, expected NJORD_EINVAL", key, value, st);
    assert_msg(key);
    if (sub) assert_msg(sub);
    assert_string_equal(njord_config_get(c, key), keep); /* unchanged */
    free(keep);
}

static void good(njord_config *c, const char *key, const char *value, const char *canon)
{
    int st = njord_config_set_value(c, key, value);
    if (st != NJORD_OK) fail_msg("%s = '%s' failed: %s", key, value, njord_last_error());
    assert_string_equal(njord_config_get(c, key), canon);
}

/* ------------------------------------------------------------------ tests */

static void test_defaults(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    assert_string_equal(njord_config_get(c, "model.equations"), "shallow_water");
    assert_int_equal(geti(c, "grid.trunc"), 85);
    assert_string_equal(njord_config_get(c, "grid.grid"), "quadratic");
    assert_int_equal(geti(c, "grid.nlat"), 0);
    assert_int_equal(geti(c, "grid.nlon"), 0);
    assert_true(getd(c, "planet.radius") == 6.37122e6);
    assert_true(getd(c, "planet.omega") == 7.292e-5);
    assert_true(getd(c, "planet.gravity") == 9.80616);
    assert_true(getd(c, "time.dt") == 600.0);
    assert_true(getd(c, "time.length") == 6 * 86400.0);
    assert_string_equal(njord_config_get(c, "time.length"), "518400");
    assert_string_equal(njord_config_get(c, "time.start"), "2000-01-01T00:00:00");
    assert_string_equal(njord_config_get(c, "time.integrator"), "leapfrog");
    assert_true(getd(c, "time.robert_nu") == 0.05);
    assert_true(getd(c, "time.williams_alpha") == 0.53);
    assert_int_equal(geti(c, "dynamics.diffusion_order"), 4);
    assert_true(getd(c, "dynamics.diffusion_time") == 3 * 3600.0);
    assert_int_equal(geti(c, "dynamics.diffusion_free_degree"), 2);
    assert_true(getd(c, "dynamics.reference_geopotential") == 0.0);
    assert_string_equal(njord_config_get(c, "initial.case"), "galewsky");
    assert_true(getd(c, "initial.alpha") == 0.0);
    assert_string_equal(njord_config_get(c, "initial.file"), "");
    assert_string_equal(njord_config_get(c, "initial.u_var"), "u");
    assert_string_equal(njord_config_get(c, "initial.v_var"), "v");
    assert_string_equal(njord_config_get(c, "initial.h_var"), "");
    assert_int_equal(geti(c, "initial.time_index"), 0);
    assert_true(getd(c, "initial.level") == -1.0);
    assert_string_equal(njord_config_get(c, "output.file"), "njord.nc");
    assert_true(getd(c, "output.interval") == 6 * 3600.0);
    int n = -1;
    const char *const *it = NULL;
    assert_int_equal(njord_config_get_list(c, "output.variables", &n, &it), NJORD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(it[0], "auto");
    assert_null(it[1]);
    assert_int_equal(geti(c, "output.deflate"), 1);
    int b = -1;
    assert_int_equal(njord_config_get_bool(c, "output.overwrite", &b), NJORD_OK);
    assert_int_equal(b, 1);
    assert_string_equal(njord_config_get(c, "output.summary"), "");
    assert_string_equal(njord_config_get(c, "backend.kind"), "auto");
    assert_string_equal(njord_config_get(c, "run.progress"), "auto");
    assert_true(getd(c, "run.check_interval") == 3600.0);
    /* an int key reads as a double too */
    assert_true(getd(c, "grid.trunc") == 85.0);
    njord_config_destroy(c);
    njord_config_destroy(NULL);
}

static void test_getters_errors(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    long l;
    double d;
    int b, n;
    const char *const *it;
    assert_null(njord_config_get(c, "grid.trunk"));
    assert_msg("grid.trunk");
    assert_msg("trunc"); /* the keys of [grid] are listed */
    assert_null(njord_config_get(c, "gird.trunc"));
    assert_msg("unknown section [gird]");
    assert_null(njord_config_get(c, "trunc"));
    assert_msg("section.key");
    assert_null(njord_config_get(NULL, "grid.trunc"));
    assert_null(njord_config_get(c, NULL));
    assert_int_equal(njord_config_get_int(c, "time.dt", &l), NJORD_EINVAL);
    assert_msg("time.dt is a duration key");
    assert_int_equal(njord_config_get_int(c, "planet.radius", &l), NJORD_EINVAL);
    assert_int_equal(njord_config_get_double(c, "time.start", &d), NJORD_EINVAL);
    assert_msg("time.start");
    assert_int_equal(njord_config_get_bool(c, "grid.trunc", &b), NJORD_EINVAL);
    assert_int_equal(njord_config_get_list(c, "output.file", &n, &it), NJORD_EINVAL);
    assert_msg("output.file is a string key");
    assert_int_equal(njord_config_get_int(c, "grid.nope", &l), NJORD_EINVAL);
    assert_msg("grid.nope");
    assert_int_equal(njord_config_get_int(c, "grid.trunc", NULL), NJORD_EINVAL);
    assert_int_equal(njord_config_create(NULL), NJORD_EINVAL);
    assert_int_equal(njord_config_set_value(c, NULL, "1"), NJORD_EINVAL);
    assert_int_equal(njord_config_set_value(c, "grid.trunc", NULL), NJORD_EINVAL);
    assert_int_equal(njord_config_set(NULL, "grid.trunc=1"), NJORD_EINVAL);
    assert_int_equal(njord_config_load(c, NULL), NJORD_EINVAL);
    assert_int_equal(njord_config_write(c, NULL), NJORD_EINVAL);
    assert_int_equal(njord_config_describe(NULL), NJORD_EINVAL);
    njord_config_destroy(c);
}

static void test_int(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    good(c, "grid.trunc", "42", "42");
    assert_int_equal(geti(c, "grid.trunc"), 42);
    good(c, "grid.trunc", "+007", "7");
    good(c, "grid.trunc", "1", "1");
    good(c, "grid.trunc", "4095", "4095");
    good(c, "grid.trunc", "  63 ", "63");
    good(c, "grid.trunc", "\"127\"", "127");
    bad(c, "grid.trunc", "0", "out of range (1..4095)");
    bad(c, "grid.trunc", "4096", "out of range (1..4095)");
    bad(c, "grid.trunc", "-5", "out of range");
    bad(c, "grid.trunc", "abc", "is not an integer");
    bad(c, "grid.trunc", "1.5", "is not an integer");
    bad(c, "grid.trunc", "1e2", "is not an integer");
    bad(c, "grid.trunc", "", "is not an integer");
    bad(c, "grid.trunc", "0x10", "is not an integer");
    bad(c, "grid.trunc", "85 86", "is not an integer");
    bad(c, "dynamics.diffusion_free_degree", "99999999999999999999999", "out of range of a long");
    good(c, "dynamics.diffusion_free_degree", "1000000", "1000000");
    bad(c, "dynamics.diffusion_free_degree", "-1", ">= 0");
    good(c, "output.deflate", "9", "9");
    bad(c, "output.deflate", "10", "0..9");
    bad(c, "initial.time_index", "-1", "out of range");
    njord_config_destroy(c);
}

static void test_double(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    good(c, "planet.radius", "6371000", "6371000");
    good(c, "planet.radius", "6.371e6", "6371000");
    good(c, "planet.radius", "6.37122E+06", "6371220");
    good(c, "planet.omega", "0", "0");
    good(c, "planet.omega", "-0", "0");
    good(c, "planet.omega", ".5e-4", "5e-05");
    good(c, "time.robert_nu", "0.1", "0.1");
    good(c, "time.robert_nu", "1", "1");
    good(c, "initial.alpha", "-0.7853981633974483", "-0.7853981633974483");
    assert_true(getd(c, "initial.alpha") == -0.7853981633974483);
    bad(c, "planet.radius", "0", "out of range (> 0)");
    bad(c, "planet.radius", "-1", "out of range (> 0)");
    bad(c, "planet.omega", "-1e-5", "(>= 0)");
    bad(c, "planet.radius", "abc", "is not a number");
    bad(c, "planet.radius", "6e6m", "is not a number");
    bad(c, "planet.radius", "nan", "is not a number");
    bad(c, "planet.radius", "inf", "is not a number");
    bad(c, "planet.radius", "0x1p20", "is not a number");
    bad(c, "planet.radius", "1e999", "out of range of a double");
    bad(c, "planet.radius", "", "is not a number");
    bad(c, "time.robert_nu", "1.01", "0..1");
    bad(c, "time.williams_alpha", "0.49", "0.5..1");
    good(c, "initial.level", "500", "500");
    good(c, "initial.level", "-1", "-1");
    bad(c, "initial.level", "0", "must be -1");
    bad(c, "initial.level", "-2", "must be -1");
    /* shortest round-trip text */
    good(c, "planet.gravity", "9.80665", "9.80665");
    good(c, "planet.gravity", "0.1", "0.1");
    good(c, "planet.gravity", "0.30000000000000004", "0.30000000000000004");
    njord_config_destroy(c);
}

static void test_duration(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    struct {
        const char *in, *canon;
        double sec;
    } ok[] = {
        {"600", "600", 600},        {"600s", "600", 600},        {"600 s", "600", 600},
        {"10min", "600", 600},      {"10 min", "600", 600},      {"6h", "21600", 21600},
        {"1.5d", "129600", 129600}, {"0.5", "0.5", 0.5},         {"2.5e1min", "1500", 1500},
        {"1d", "86400", 86400},     {"90 s", "90", 90},          {"0.25h", "900", 900},
        /* a unit times a decimal fraction is exact: 1.1h is 3960 s, not
         * 3960.0000000000005 */
        {"1.1h", "3960", 3960},     {"1.1d", "95040", 95040},    {"2.05min", "123", 123},
        {"0.07h", "252", 252},      {"8.3min", "498", 498},      {"1.13h", "4068", 4068},
        {"0.1d", "8640", 8640},     {"1.5e-1h", "540", 540},     {"1.05e1min", "630", 630},
        {"0.001h", "3.6", 3.6},     {"+2.3h", "8280", 8280},     {"0000.25d", "21600", 21600},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        good(c, "time.dt", ok[i].in, ok[i].canon);
        assert_true(getd(c, "time.dt") == ok[i].sec);
    }
    good(c, "time.length", "30d", "2592000");
    good(c, "dynamics.diffusion_time", "0", "0"); /* >= 0 */
    good(c, "dynamics.diffusion_time", "0h", "0");
    good(c, "run.check_interval", "15min", "900");
    good(c, "output.interval", "1d", "86400");
    bad(c, "time.dt", "0", "out of range (> 0)");
    bad(c, "time.dt", "-10min", "-600 s");
    bad(c, "time.dt", "10m", "is not a duration");
    bad(c, "time.dt", "10 minutes", "s, min, h or d");
    bad(c, "time.dt", "h", "is not a duration");
    bad(c, "time.dt", "6hours", "is not a duration");
    bad(c, "time.dt", "6H", "is not a duration");
    bad(c, "time.dt", "", "is not a duration");
    bad(c, "time.dt", "1 2s", "is not a duration");
    bad(c, "dynamics.diffusion_time", "-1s", "(>= 0)");
    bad(c, "output.interval", "0s", "(> 0)");
    njord_config_destroy(c);
}

static void test_bool_enum_string(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    int b;
    const char *t[] = {"true", "TRUE", "yes", "Yes", "on", "1"};
    const char *f[] = {"false", "False", "no", "NO", "off", "0"};
    for (int i = 0; i < 6; i++) {
        good(c, "output.overwrite", f[i], "false");
        assert_int_equal(njord_config_get_bool(c, "output.overwrite", &b), NJORD_OK);
        assert_int_equal(b, 0);
        good(c, "output.overwrite", t[i], "true");
        assert_int_equal(njord_config_get_bool(c, "output.overwrite", &b), NJORD_OK);
        assert_int_equal(b, 1);
    }
    bad(c, "output.overwrite", "maybe", "not a boolean (true/false, yes/no, on/off, 1/0)");
    bad(c, "output.overwrite", "2", "not a boolean");
    bad(c, "output.overwrite", "", "not a boolean");

    good(c, "time.integrator", "imex-sil3", "imex-sil3");
    bad(c, "time.integrator", "rk4", "'rk4' is not one of: leapfrog, imex-sil3");
    bad(c, "time.integrator", "Leapfrog", "leapfrog, imex-sil3");
    bad(c, "backend.kind", "gpu", "auto, cpu, cuda");
    bad(c, "initial.case", "williamson3",
        "williamson1, williamson2, williamson5, williamson6, galewsky, galewsky_unperturbed, jw06_steady, jw06_wave, held_suarez, file");
    bad(c, "grid.grid", "", "linear, quadratic, cubic");
    good(c, "grid.grid", "cubic", "cubic");
    good(c, "model.equations", "advection", "advection");
    good(c, "run.progress", "never", "never");

    good(c, "initial.file", "/data/era5 2000.nc", "/data/era5 2000.nc");
    good(c, "initial.file", "\"  padded  \"", "  padded  ");
    good(c, "initial.file", "a#b;c=d:e", "a#b;c=d:e");
    good(c, "initial.file", "\"\"", "");
    good(c, "initial.file", "", "");
    good(c, "initial.file", "\"x", "\"x");
    bad(c, "initial.file", "a #b", "comment");
    bad(c, "initial.file", "a ;b", "comment");
    bad(c, "initial.file", "a\tb", "control character");
    bad(c, "initial.file", "#x", "must not start");
    bad(c, "initial.file", "a\nb", "control character");
    njord_config_destroy(c);
}

static void test_datetime(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    good(c, "time.start", "2000-02-29T12:30:59", "2000-02-29T12:30:59");
    good(c, "time.start", "1979-01-01T00:00:00", "1979-01-01T00:00:00");
    good(c, "time.start", "2024-12-31T23:59:59", "2024-12-31T23:59:59");
    good(c, "time.start", "0001-01-01T00:00:00", "0001-01-01T00:00:00");
    bad(c, "time.start", "1900-02-29T00:00:00", "no such day");
    bad(c, "time.start", "2001-02-29T00:00:00", "no such day");
    bad(c, "time.start", "2001-04-31T00:00:00", "no such day");
    bad(c, "time.start", "2001-13-01T00:00:00", "month");
    bad(c, "time.start", "2001-00-01T00:00:00", "month");
    bad(c, "time.start", "2001-01-00T00:00:00", "no such day");
    bad(c, "time.start", "2001-01-01T24:00:00", "hour");
    bad(c, "time.start", "2001-01-01T00:60:00", "minute");
    bad(c, "time.start", "2001-01-01T00:00:60", "second");
    bad(c, "time.start", "0000-01-01T00:00:00", "year");
    bad(c, "time.start", "2001-01-01 00:00:00", "YYYY-MM-DDTHH:MM:SS");
    bad(c, "time.start", "2001-01-01", "YYYY-MM-DDTHH:MM:SS");
    bad(c, "time.start", "2001-01-01T00:00:00Z", "YYYY-MM-DDTHH:MM:SS");
    bad(c, "time.start", "2001-1-01T00:00:00", "YYYY-MM-DDTHH:MM:SS");
    bad(c, "time.start", "", "not a valid date");
    njord_config_destroy(c);
}

static void test_list(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    int n;
    const char *const *it;
    good(c, "output.variables", " h , pv,orog ", "h,pv,orog");
    assert_int_equal(njord_config_get_list(c, "output.variables", &n, &it), NJORD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(it[0], "h");
    assert_string_equal(it[1], "pv");
    assert_string_equal(it[2], "orog");
    assert_null(it[3]);
    good(c, "output.variables", "vor", "vor");
    good(c, "output.variables", "", "");
    assert_int_equal(njord_config_get_list(c, "output.variables", &n, &it), NJORD_OK);
    assert_int_equal(n, 0);
    assert_non_null(it);
    assert_null(it[0]);
    good(c, "output.variables", "u,v,zg,h,vor,div,orog,pv", "u,v,zg,h,vor,div,orog,pv");
    bad(c, "output.variables", "u,w", "'w' is not one of: auto, none, u, v, zg, h, vor, div, orog, pv, ps, t, q, phi");
    bad(c, "output.variables", "u,,v", "empty item");
    bad(c, "output.variables", "u,v,", "empty item");
    bad(c, "output.variables", ",u", "empty item");
    bad(c, "output.variables", "u,v,u", "'u' is repeated");
    bad(c, "output.variables", "u v", "not a single word");
    njord_config_destroy(c);
}

static void test_set(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    assert_int_equal(njord_config_set(c, "grid.trunc=42"), NJORD_OK);
    assert_int_equal(geti(c, "grid.trunc"), 42);
    assert_int_equal(njord_config_set(c, "  time.dt = 15min "), NJORD_OK);
    assert_true(getd(c, "time.dt") == 900.0);
    assert_int_equal(njord_config_set(c, "output.summary=run.json"), NJORD_OK);
    assert_string_equal(njord_config_get(c, "output.summary"), "run.json");
    assert_int_equal(njord_config_set(c, "output.summary="), NJORD_OK);
    assert_string_equal(njord_config_get(c, "output.summary"), "");
    assert_int_equal(njord_config_set(c, "initial.file=a=b.nc"), NJORD_OK); /* first '=' splits */
    assert_string_equal(njord_config_get(c, "initial.file"), "a=b.nc");
    assert_int_equal(njord_config_set(c, "grid.trunc"), NJORD_EINVAL);
    assert_msg("section.key=value");
    assert_int_equal(njord_config_set(c, "grid.trunk=5"), NJORD_EINVAL);
    assert_msg("grid.trunk");
    assert_int_equal(njord_config_set(c, "chemistry.scheme=x"), NJORD_EINVAL);
    assert_msg("unknown section [chemistry]");
    assert_int_equal(njord_config_set(c, "=5"), NJORD_EINVAL);
    assert_int_equal(njord_config_set(c, "grid.trunc=5000"), NJORD_EINVAL);
    assert_msg("grid.trunc");
    assert_int_equal(geti(c, "grid.trunc"), 42);
    njord_config_destroy(c);
}

static void test_roundtrip(void **state)
{
    (void)state;
    char path[512];
    njord_config *a = new_cfg();
    /* defaults round trip */
    char *ini = NULL;
    assert_int_equal(njord_config_to_string(a, &ini), NJORD_OK);
    assert_non_null(ini);
    write_file(path, sizeof path, "defaults.ini", ini);
    njord_config *b = new_cfg();
    assert_int_equal(njord_config_set(b, "grid.trunc=21"), NJORD_OK); /* reset by the load */
    assert_int_equal(njord_config_load(b, path), NJORD_OK);
    const char *diff = "x";
    assert_int_equal(njord_config_equal_keys(a, b, NULL, 0, &diff), 1);
    assert_null(diff);
    free(ini);

    /* every key away from its default, awkward strings included */
    const char *set[] = {
        "model.equations=advection", "grid.trunc=170", "grid.grid=cubic", "grid.nlat=256",
        "grid.nlon=512", "planet.radius=6371000.5", "planet.omega=0", "planet.gravity=9.81",
        "time.dt=7.5min", "time.length=10d", "time.start=2021-06-15T06:00:00",
        "time.integrator=imex-sil3", "time.robert_nu=0.2", "time.williams_alpha=1",
        "dynamics.diffusion_order=2", "dynamics.diffusion_time=0",
        "dynamics.diffusion_free_degree=0", "dynamics.reference_geopotential=29400",
        "initial.case=file", "initial.alpha=0.1", "initial.file=/path with spaces/ic#1.nc",
        "initial.u_var=ua", "initial.v_var=va", "initial.h_var=\"\"zg\"\"", "initial.time_index=3",
        "initial.level=500", "initial.mean_depth=8000", "output.file=out;put.nc", "output.interval=30min",
        "output.variables=pv", "output.deflate=0", "output.overwrite=no",
        "output.summary=\"  s.json\"", "backend.kind=cpu", "run.progress=always",
        "run.check_interval=1d", "vertical.levels=sigma:20", "vertical.tracers=1",
        "planet.rd=287", "planet.cp=1004", "dynamics.reference_temperature=250",
        "dynamics.reference_pressure=80000", "physics.forcing=held_suarez", "initial.t_var=T",
        "initial.ps_var=PS", "initial.phis_var=estimate", "initial.q_var=Q",
        "initial.surface_pressure=101325", "output.pressure_variables=ta",
        "output.pressure_levels=500", "restart.output=r.nc", "restart.interval=1d",
        "restart.input=in.nc", "ensemble.member=12", "ensemble.perturbation=0.5",
        "ensemble.nmin=1", "ensemble.nmax=63",
    };
    int nset = (int)(sizeof set / sizeof set[0]);
    assert_int_equal(nset, NALL);
    njord_config *d = new_cfg();
    for (int i = 0; i < nset; i++)
        if (njord_config_set(a, set[i]) != NJORD_OK) fail_msg("%s: %s", set[i], njord_last_error());
    assert_string_equal(njord_config_get(a, "initial.h_var"), "\"zg\"");
    assert_string_equal(njord_config_get(a, "output.summary"), "  s.json");
    /* every key now differs from the defaults */
    for (int i = 0; i < NALL; i++) {
        assert_int_equal(njord_config_equal_keys(a, d, &all_keys[i], 1, &diff), 0);
        assert_string_equal(diff, all_keys[i]);
    }
    assert_int_equal(njord_config_to_string(a, &ini), NJORD_OK);
    write_file(path, sizeof path, "all.ini", ini);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(njord_config_write(a, f), NJORD_OK);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(njord_config_load(d, path), NJORD_OK);
    if (njord_config_equal_keys(a, d, NULL, 0, &diff) != 1) fail_msg("%s", njord_last_error());
    for (int i = 0; i < NALL; i++)
        assert_string_equal(njord_config_get(a, all_keys[i]), njord_config_get(d, all_keys[i]));
    char *ini2 = NULL;
    assert_int_equal(njord_config_to_string(d, &ini2), NJORD_OK);
    assert_string_equal(ini, ini2);
    /* a comment per key */
    assert_non_null(strstr(ini, "# how often (in model time) the run checks the state for NaN/Inf.\n"
                                "# duration, units s: > 0"));
    assert_non_null(strstr(ini, "\n[grid]\n"));
    free(ini);
    free(ini2);
    njord_config_destroy(a);
    njord_config_destroy(b);
    njord_config_destroy(d);
}

static void test_equal_keys(void **state)
{
    (void)state;
    njord_config *a = new_cfg(), *b = new_cfg();
    const char *keys[] = {"grid.trunc", "time.dt", "planet.radius"};
    const char *diff = NULL;
    assert_int_equal(njord_config_set(b, "time.dt=10min"), NJORD_OK); /* 600 s: equal */
    assert_int_equal(njord_config_set(b, "output.file=other.nc"), NJORD_OK);
    assert_int_equal(njord_config_equal_keys(a, b, keys, 3, &diff), 1);
    assert_null(diff);
    assert_int_equal(njord_config_equal_keys(a, b, NULL, 0, &diff), 0);
    assert_string_equal(diff, "output.file");
    assert_msg("output.file");
    assert_int_equal(njord_config_set(b, "planet.radius=6.4e6"), NJORD_OK);
    assert_int_equal(njord_config_equal_keys(a, b, keys, 3, &diff), 0);
    assert_string_equal(diff, "planet.radius");
    assert_msg("6371220");
    assert_msg("6400000");
    assert_int_equal(njord_config_equal_keys(a, b, keys, 3, NULL), 0);
    assert_int_equal(njord_config_equal_keys(a, b, keys, 2, &diff), 1);
    const char *badk[] = {"grid.trunc", "grid.bogus"};
    assert_true(njord_config_equal_keys(a, b, badk, 2, &diff) < 0);
    assert_msg("grid.bogus");
    assert_true(njord_config_equal_keys(a, NULL, keys, 3, &diff) < 0);
    njord_config_destroy(a);
    njord_config_destroy(b);
}

static void test_describe(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(njord_config_describe(f), NJORD_OK);
    assert_int_equal(fclose(f), 0);
    assert_non_null(strstr(buf, "| key | type | default | units | allowed values | meaning |\n"));
    for (int i = 0; i < NALL; i++) {
        char cell[96];
        snprintf(cell, sizeof cell, "| `%s` |", all_keys[i]);
        if (!strstr(buf, cell)) fail_msg("describe lacks %s", all_keys[i]);
    }
    /* one row per key: the schema has no key this test does not know */
    int rows = 0;
    for (const char *p = buf; (p = strstr(p, "\n| `")) != NULL; p++) rows++;
    assert_int_equal(rows, NALL);
    assert_non_null(strstr(buf, "| `time.dt` | duration | `600` | s | > 0; number with optional "
                                "unit s, min, h, d |"));
    assert_non_null(strstr(buf, "| `time.integrator` | enum | `leapfrog` |  | leapfrog, imex-sil3 |"));
    assert_non_null(strstr(buf, "| `initial.file` | string | `\"\"` |"));
    free(buf);

    /* and the written configuration has one assignment per key */
    njord_config *c = new_cfg();
    char *ini = NULL;
    assert_int_equal(njord_config_to_string(c, &ini), NJORD_OK);
    int assigns = 0;
    for (const char *p = ini; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        const char *e = strchr(p, '\n');
        const char *eq = strstr(p, " = ");
        if (*p != '#' && *p != '[' && eq && (!e || eq < e)) assigns++;
    }
    assert_int_equal(assigns, NALL);
    free(ini);
    njord_config_destroy(c);
}

static void test_file_syntax(void **state)
{
    (void)state;
    char path[512];
    write_file(path, sizeof path, "syntax.ini",
               "; a comment\n"
               "# another comment\n"
               "\n"
               "   [grid]   \n"
               "  trunc = 63   ; inline comment\n"
               "\tgrid=linear# not a comment: no whitespace before '#'... \n"
               "[time]\r\n"
               "dt: 20min # inline comment\r\n"
               "    ; indented comment\n"
               "  start = 2010-05-01T12:00:00\n"
               "[output]\n"
               "file = \"my output.nc\"   # quoted\n"
               "variables = u , v\n"
               "summary =\n"
               "[grid]\n"
               "nlat = 96\n");
    njord_config *c = new_cfg();
    int st = njord_config_load(c, path);
    /* "linear# not a comment..." is not a grid word */
    assert_int_equal(st, NJORD_EINVAL);
    assert_msg("syntax.ini:6: grid.grid");
    assert_int_equal(geti(c, "grid.trunc"), 85); /* a failed load applies nothing */

    write_file(path, sizeof path, "syntax.ini",
               "; a comment\n"
               "# another comment\n"
               "\n"
               "   [grid]   \n"
               "  trunc = 63   ; inline comment\n"
               "\tgrid=linear\t# inline comment\n"
               "[time]\r\n"
               "dt: 20min # inline comment\r\n"
               "    ; indented comment\n"
               "  start = 2010-05-01T12:00:00\n"
               "[output]\n"
               "file = \"my output.nc\"   # quoted\n"
               "variables = u , v\n"
               "summary =\n"
               "[grid]\n"
               "nlat = 96\n"
               "# last line without a newline\n"
               "nlon = 192");
    assert_int_equal(njord_config_load(c, path), NJORD_OK);
    assert_int_equal(geti(c, "grid.trunc"), 63);
    assert_string_equal(njord_config_get(c, "grid.grid"), "linear");
    assert_true(getd(c, "time.dt") == 1200.0);
    assert_string_equal(njord_config_get(c, "time.start"), "2010-05-01T12:00:00");
    assert_string_equal(njord_config_get(c, "output.file"), "my output.nc");
    assert_string_equal(njord_config_get(c, "output.variables"), "u,v");
    assert_string_equal(njord_config_get(c, "output.summary"), "");
    assert_int_equal(geti(c, "grid.nlat"), 96);
    assert_int_equal(geti(c, "grid.nlon"), 192);
    /* untouched keys keep their values */
    assert_string_equal(njord_config_get(c, "time.integrator"), "leapfrog");

    /* an empty file and a comments-only file change nothing */
    write_file(path, sizeof path, "empty.ini", "");
    assert_int_equal(njord_config_load(c, path), NJORD_OK);
    write_file(path, sizeof path, "comments.ini", "; nothing\n# here\n\n");
    assert_int_equal(njord_config_load(c, path), NJORD_OK);
    assert_int_equal(geti(c, "grid.trunc"), 63);

    /* --set after a load overrides it */
    assert_int_equal(njord_config_set(c, "grid.trunc=127"), NJORD_OK);
    assert_int_equal(geti(c, "grid.trunc"), 127);
    assert_true(getd(c, "time.dt") == 1200.0);
    njord_config_destroy(c);
}

/* Load text; expect status and a message containing each of the substrings. */
static void load_bad(const char *text, int status, const char *sub1, const char *sub2)
{
    char path[512];
    write_file(path, sizeof path, "bad.ini", text);
    njord_config *c = new_cfg();
    char *before = NULL, *after = NULL;
    assert_int_equal(njord_config_to_string(c, &before), NJORD_OK);
    int st = njord_config_load(c, path);
    if (st != status) fail_msg("expected %d, got %d (%s) for:\n%s", status, st, njord_last_error(), text);
    assert_msg("bad.ini:");
    if (sub1) assert_msg(sub1);
    if (sub2) assert_msg(sub2);
    assert_int_equal(njord_config_to_string(c, &after), NJORD_OK);
    assert_string_equal(before, after); /* nothing applied */
    free(before);
    free(after);
    njord_config_destroy(c);
}

static void test_file_errors(void **state)
{
    (void)state;
    load_bad("[grid]\ntrunc = 42\n\n[chemistry]\nscheme = cbm4\n", NJORD_EINVAL,
             "bad.ini:4:", "unknown section [chemistry]");
    load_bad("[grid]\ntrunc = 42\ntrunk = 42\n", NJORD_EINVAL, "bad.ini:3:",
             "unknown key 'grid.trunk' (keys of [grid]: trunc, grid, nlat, nlon)");
    load_bad("[grid]\ntrunc = 42\n[time]\ndt = 10 parsecs\n", NJORD_EINVAL, "bad.ini:4: time.dt:",
             "is not a duration");
    load_bad("[grid]\ntrunc = 5000\n", NJORD_EINVAL, "bad.ini:2: grid.trunc:", "out of range");
    load_bad("[time]\nintegrator = euler\n", NJORD_EINVAL, "bad.ini:2: time.integrator",
             "leapfrog, imex-sil3");
    load_bad("[grid]\ntrunc = 42\n; x\n[time]\ndt = 60\n[grid]\ntrunc = 43\n", NJORD_EINVAL,
             "bad.ini:7: grid.trunc: duplicate key", "line 2");
    load_bad("trunc = 42\n[grid]\n", NJORD_EINVAL, "bad.ini:1:", "before any [section]");
    load_bad("[grid]\ntrunc 42\n", NJORD_EINVAL, "bad.ini:2:", "neither a [section] header");
    load_bad("[grid\ntrunc = 42\n", NJORD_EINVAL, "bad.ini:1:", "without ']'");
    load_bad("[grid] trunc = 42\n", NJORD_EINVAL, "bad.ini:1:", "after the section header");
    load_bad("[grid]\n= 42\n", NJORD_EINVAL, "bad.ini:2:", "missing key name");
    load_bad("[Grid]\ntrunc = 42\n", NJORD_EINVAL, "bad.ini:1:", "unknown section [Grid]");
    load_bad("[output]\nvariables = u, w\n", NJORD_EINVAL, "bad.ini:2: output.variables", "'w'");
    load_bad("[time]\nstart = 2001-02-29T00:00:00\n", NJORD_EINVAL, "bad.ini:2: time.start", NULL);
    load_bad("[output]\noverwrite = perhaps\n", NJORD_EINVAL, "bad.ini:2: output.overwrite",
             "not a boolean");
    /* a line over the 8192-character limit; a long comment is fine */
    char text[20000];
    char longc[8200];
    memset(longc, 'x', sizeof longc - 1);
    longc[sizeof longc - 1] = '\0';
    snprintf(text, sizeof text, "# %s\n[output]\nfile = %s\n", longc, longc);
    load_bad(text, NJORD_EINVAL, "bad.ini:3:", "line too long");

    /* a missing file */
    njord_config *c = new_cfg();
    char path[512];
    snprintf(path, sizeof path, "%s/no-such-file.ini", g_dir);
    assert_int_equal(njord_config_load(c, path), NJORD_EIO);
    assert_msg(path);
    /* a directory */
    assert_int_equal(njord_config_load(c, g_dir), NJORD_EIO);
    assert_msg(g_dir);
    njord_config_destroy(c);
}

/* Exact decimal durations (the table of test_duration), also zero and negative. */
static void test_duration_exact(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    good(c, "output.interval", "1.1h", "3960");
    assert_true(getd(c, "output.interval") == 3960);
    good(c, "dynamics.diffusion_time", "0.0e3d", "0");
    bad(c, "time.dt", "-1.1h", "-3960 s");
    njord_config_destroy(c);
}

/* Numbers too small for a double are errors, not a silent 0. */
static void test_number_underflow(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    bad(c, "planet.omega", "1e-400", "out of range of a double (too small");
    bad(c, "planet.omega", "4e-320", "out of range of a double"); /* subnormal */
    bad(c, "initial.alpha", "-1e-400", "out of range of a double");
    bad(c, "dynamics.diffusion_time", "1e-400s", "out of range of a double");
    bad(c, "time.dt", "1e306d", "too large");
    bad(c, "time.dt", "1e-99999999999999999999 h", "too small");
    bad(c, "planet.radius", "1e99999999999999999999", "too large");
    good(c, "planet.omega", "0e-400", "0");
    good(c, "planet.omega", "2.2250738585072014e-308", "2.2250738585072014e-308");
    njord_config_destroy(c);
}

/* The caller's locale does not change how numbers are read or written. */
static void test_locale(void **state)
{
    (void)state;
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
                                        "de_DE", "ru_RU.UTF-8", "es_ES.UTF-8", "it_IT.UTF-8"};
    locale_t loc = (locale_t)0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !loc; i++)
        loc = newlocale(LC_ALL_MASK, names[i], (locale_t)0);
    if (!loc) skip(); /* no locale with a decimal comma installed */
    locale_t old = uselocale(loc);
    njord_config *c = NULL;
    int st = njord_config_create(&c);
    char *ini = NULL;
    if (st == NJORD_OK) {
        good(c, "time.williams_alpha", "0.75", "0.75");
        good(c, "time.dt", "1.5min", "90");
        good(c, "planet.radius", "6.4e6", "6400000");
        st = njord_config_to_string(c, &ini);
    }
    uselocale(old);
    freelocale(loc);
    if (st != NJORD_OK) fail_msg("%s", njord_last_error());
    assert_true(getd(c, "time.williams_alpha") == 0.75);
    assert_non_null(strstr(ini, "williams_alpha = 0.75\n"));
    assert_non_null(strstr(ini, "# double: 0.5..1; default 0.53\n"));
    free(ini);
    njord_config_destroy(c);
}

/* Section headers are checked on their own line: unknown or empty names are
 * errors even when no key follows; whitespace inside the brackets is ignored. */
static void test_file_sections(void **state)
{
    (void)state;
    load_bad("[grid]\ntrunc = 42\n[chemistry]\n", NJORD_EINVAL, "bad.ini:3:",
             "unknown section [chemistry]");
    load_bad("[grid]\ntrunc = 42\n[chemistry]   ; empty\n[time]\n", NJORD_EINVAL, "bad.ini:3:",
             "unknown section [chemistry]");
    load_bad("[tiem]\ndt = 60\n", NJORD_EINVAL, "bad.ini:1: unknown section [tiem]",
             "did you mean [time]?");
    load_bad("[]\ntrunc = 42\n", NJORD_EINVAL, "bad.ini:1:", "empty section name");
    load_bad("[grid]\n[ ]\n", NJORD_EINVAL, "bad.ini:2:", "empty section name");
    char path[512];
    write_file(path, sizeof path, "spaces.ini", "[ grid ]\ntrunc = 42\n[\ttime\t]\ndt = 60\n");
    njord_config *c = new_cfg();
    if (njord_config_load(c, path) != NJORD_OK) fail_msg("%s", njord_last_error());
    assert_int_equal(geti(c, "grid.trunc"), 42);
    assert_true(getd(c, "time.dt") == 60.0);
    njord_config_destroy(c);
}

/* Line ends, control characters, quotes around comments, UTF-8. */
static void test_file_characters(void **state)
{
    (void)state;
    /* CR-only line ends: no longer one long comment line that sets nothing */
    load_bad("# settings\r[grid]\rtrunc = 42\r", NJORD_EINVAL, "bad.ini:1:", "carriage return");
    load_bad("[grid]\ntrunc = 42 ; x\rnlat = 96\n", NJORD_EINVAL, "bad.ini:2:", "carriage return");
    load_bad("[grid]\ntrunc = 42\f\n", NJORD_EINVAL, "bad.ini:2:", "control character 0x0C");
    load_bad("\v[grid]\n", NJORD_EINVAL, "bad.ini:1:", "control character 0x0B");
    load_bad("[initial]\nfile = a\x1b[0mb\n", NJORD_EINVAL, "bad.ini:2:", "control character 0x1B");
    /* a comment inside a quoted value would cut it short */
    load_bad("[initial]\nfile = \"a ; b.nc\"\n", NJORD_EINVAL, "bad.ini:2:",
             "also inside double quotes");
    load_bad("[initial]\nfile = \" #1.nc\"\n", NJORD_EINVAL, "bad.ini:2:",
             "also inside double quotes");
    load_bad("[initial]\nfile = \"a.nc ; comment\n", NJORD_EINVAL, "bad.ini:2:",
             "not closed before the comment");
    /* not UTF-8: an overlong '/', a surrogate, Latin-1, a truncated sequence */
    load_bad("[initial]\nfile = a\xc0\xaf" "b\n", NJORD_EINVAL, "bad.ini:2: initial.file",
             "not valid UTF-8 (byte 0xC0 at offset 1)");
    load_bad("[initial]\nfile = \xed\xa0\x80\n", NJORD_EINVAL, "bad.ini:2:", "not valid UTF-8");
    load_bad("[initial]\nfile = caf\xe9.nc\n", NJORD_EINVAL, "bad.ini:2:", "not valid UTF-8");
    load_bad("[initial]\nfile = x\xe2\x82\n", NJORD_EINVAL, "bad.ini:2:", "not valid UTF-8");
    load_bad("[output]\npressure_levels = 850,\xff\n", NJORD_EINVAL,
             "bad.ini:2: output.pressure_levels", "not valid UTF-8");

    char path[512];
    write_file(path, sizeof path, "chars.ini",
               "[initial]\r\n"
               "file = \"x.nc\" ; \"quoted\" comment\r\n"
               "u_var = caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8c\x8d\t\r\n"
               "v_var = v\r"); /* the last line may end in CR alone */
    njord_config *c = new_cfg();
    if (njord_config_load(c, path) != NJORD_OK) fail_msg("%s", njord_last_error());
    assert_string_equal(njord_config_get(c, "initial.file"), "x.nc");
    assert_string_equal(njord_config_get(c, "initial.u_var"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8c\x8d");
    assert_string_equal(njord_config_get(c, "initial.v_var"), "v");
    bad(c, "initial.file", "\xff", "not valid UTF-8");
    bad(c, "output.variables", "u,\xc3", "not valid UTF-8");
    njord_config_destroy(c);
}

/* Unknown keys name the closest known key. */
static void test_suggestions(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    struct {
        const char *set, *msg;
    } cases[] = {
        {"grid.trunk=5", "did you mean 'grid.trunc'?"},
        {"gird.trunc=5", "did you mean 'grid.trunc'?"},
        {"time.radius=5", "did you mean 'planet.radius'?"},
        {"output.variable=u", "did you mean 'output.variables'?"},
        {"initial.fiel=x", "did you mean 'initial.file'?"},
        {"dt=600", "did you mean 'time.dt'?"},
        {"file=x", "did you mean 'initial.file' or 'output.file'?"},
        {"time.dtt=600", "did you mean 'time.dt'?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(njord_config_set(c, cases[i].set), NJORD_EINVAL);
        assert_msg("unknown");
        assert_msg(cases[i].msg);
    }
    assert_int_equal(njord_config_set(c, "grid.zzzzzzzz=5"), NJORD_EINVAL);
    assert_msg("keys of [grid]");
    if (strstr(njord_last_error(), "did you mean")) fail_msg("%s", njord_last_error());
    assert_int_equal(njord_config_set(c, "=5"), NJORD_EINVAL);
    assert_msg("missing key name");
    assert_int_equal(njord_config_set(c, "  = 5"), NJORD_EINVAL);
    assert_msg("missing key name");
    assert_null(njord_config_get(c, "planet.raduis"));
    assert_msg("did you mean 'planet.radius'?");
    load_bad("[time]\nintegator = leapfrog\n", NJORD_EINVAL, "bad.ini:2: unknown key 'time.integator'",
             "did you mean 'time.integrator'?");
    njord_config_destroy(c);
}

/* auto and none stand alone in a list. */
static void test_list_special_words(void **state)
{
    (void)state;
    njord_config *c = new_cfg();
    bad(c, "output.variables", "none,u", "'none' must be the only item");
    bad(c, "output.variables", "u, auto", "'auto' must be the only item");
    bad(c, "output.pressure_variables", "ta,none", "'none' must be the only item");
    good(c, "output.variables", " none ", "none");
    good(c, "output.variables", "auto", "auto");
    good(c, "output.pressure_variables", "none", "none");
    njord_config_destroy(c);
}

struct thread_arg {
    const njord_config *shared;
    const char *ini; /* the shared configuration's text */
    int id, failures;
    char why[256];
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    for (int it = 0; it < 200 && !a->failures; it++) {
        njord_config *mine = NULL;
        char want[64], *ini = NULL;
        if (njord_config_create(&mine) != NJORD_OK) {
            a->failures++;
            snprintf(a->why, sizeof a->why, "create: %s", njord_last_error());
            break;
        }
        /* concurrent reads of the shared configuration */
        double dt = 0;
        if (njord_config_get_double(a->shared, "time.dt", &dt) != NJORD_OK || dt != 3960.0 ||
            njord_config_to_string(a->shared, &ini) != NJORD_OK || strcmp(ini, a->ini) != 0 ||
            njord_config_equal_keys(a->shared, a->shared, NULL, 0, NULL) != 1) {
            a->failures++;
            snprintf(a->why, sizeof a->why, "shared read");
        }
        free(ini);
        /* an error message of this thread's own */
        snprintf(want, sizeof want, "grid.trunc=%d", 5000 + a->id);
        if (njord_config_set(mine, want) != NJORD_EINVAL) a->failures++;
        snprintf(want, sizeof want, "%d is out of range", 5000 + a->id);
        if (!strstr(njord_last_error(), want)) {
            a->failures++;
            snprintf(a->why, sizeof a->why, "message '%s' lacks '%s'", njord_last_error(), want);
        }
        snprintf(want, sizeof want, "time.dt=%d.5min", a->id);
        if (njord_config_set(mine, want) != NJORD_OK || njord_config_get_double(mine, "time.dt", &dt) ||
            dt != a->id * 60.0 + 30.0)
            a->failures++;
        njord_config_destroy(mine);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    enum { NT = 4 };
    njord_config *c = new_cfg();
    good(c, "time.dt", "1.1h", "3960");
    char *ini = NULL;
    assert_int_equal(njord_config_to_string(c, &ini), NJORD_OK);
    pthread_t th[NT];
    struct thread_arg arg[NT];
    for (int i = 0; i < NT; i++) {
        arg[i] = (struct thread_arg){.shared = c, .ini = ini, .id = i + 1};
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &arg[i]), 0);
    }
    for (int i = 0; i < NT; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < NT; i++)
        if (arg[i].failures) fail_msg("thread %d: %d failures (%s)", i, arg[i].failures, arg[i].why);
    free(ini);
    njord_config_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),         cmocka_unit_test(test_getters_errors),
        cmocka_unit_test(test_int),              cmocka_unit_test(test_double),
        cmocka_unit_test(test_duration),         cmocka_unit_test(test_bool_enum_string),
        cmocka_unit_test(test_datetime),         cmocka_unit_test(test_list),
        cmocka_unit_test(test_set),              cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_equal_keys),       cmocka_unit_test(test_describe),
        cmocka_unit_test(test_file_syntax),      cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_duration_exact),   cmocka_unit_test(test_number_underflow),
        cmocka_unit_test(test_locale),           cmocka_unit_test(test_file_sections),
        cmocka_unit_test(test_file_characters),  cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_list_special_words), cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
