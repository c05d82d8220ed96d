/* lib/core/config.c — the run configuration: the key schema, typed parsing and
 * validation, INI files in and out, Markdown description.
 *
 * To add a key, add a row to nj_schema[] (section, key, type, default, units,
 * allowed words or range, one-line meaning). Everything else — defaults,
 * parsing, errors, njord_config_write(), njord_config_describe() — follows. */
#include "njord/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest line of a configuration file, comments and indentation removed:
 * room for a path of PATH_MAX (4096) and more. */
#define NJ_CFG_LINE_MAX 8192


#include "common.h"

/* ------------------------------------------------------------------ text helpers */

/* Character classes of the configuration syntax: ASCII only, whatever the
 * caller's locale (isspace() of a Latin-1 locale would eat a no-break space). */
static int nj_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
static int nj_ctrl(int c) { return (c >= 0 && c < 0x20) || c == 0x7f; }
static int nj_lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

static int nj_casecmp(const char *a, const char *b)
{
    for (; *a && nj_lower((unsigned char)*a) == nj_lower((unsigned char)*b); a++, b++) {}
    return nj_lower((unsigned char)*a) - nj_lower((unsigned char)*b);
}

/* Numbers are read and written in the "C" locale: a program that called
 * setlocale(LC_ALL, "") in, say, a German locale must still read "0.53" as 0.53
 * and write "0.53", not "0,53". uselocale() switches the calling thread only. */
static locale_t nj_cloc;
static pthread_once_t nj_cloc_once = PTHREAD_ONCE_INIT;
static void nj_cloc_init(void) { nj_cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static locale_t c_locale_enter(void)
{
    pthread_once(&nj_cloc_once, nj_cloc_init);
    return nj_cloc ? uselocale(nj_cloc) : (locale_t)0;
}

static void c_locale_leave(locale_t old)
{
    if (old) uselocale(old);
}

double nj_strtod_c(const char *s, char **end)
{
    pthread_once(&nj_cloc_once, nj_cloc_init);
    return nj_cloc ? strtod_l(s, end, nj_cloc) : strtod(s, end);
}

/* strtod in the "C" locale; *range set when the value overflows or underflows
 * (a nonzero number too small for a normal double, e.g. 1e-400). */
static double c_strtod(const char *s, int *range)
{
    errno = 0;
    double x = nj_strtod_c(s, NULL);
    *range = errno == ERANGE || !isfinite(x);
    return x;
}

/* NULL when s is valid UTF-8 (no overlong forms, surrogates or code points above
 * U+10FFFF), else a pointer to the first bad byte. */
static const char *bad_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n;
        unsigned cp, lo;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1, cp = c & 0x1f, lo = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, cp = c & 0x0f, lo = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, cp = c & 0x07, lo = 0x10000;
        } else {
            return (const char *)p;
        }
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) return (const char *)p;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp < lo || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return (const char *)p;
        p += n + 1;
    }
    return NULL;
}

/* Edit distance (insertions, deletions, substitutions, adjacent transpositions)
 * between a[0..la) and b[0..lb), capped at 9: for "did you mean" suggestions. */
static int edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    enum { N = 64 };
    if (la >= N || lb >= N) return 9;
    int d[N][N];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            c = NJ_MIN(c, d[i - 1][j] + 1);
            c = NJ_MIN(c, d[i][j - 1] + 1);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                c = NJ_MIN(c, d[i - 2][j - 2] + 1);
            d[i][j] = c;
        }
    return NJ_MIN(d[la][lb], 9);
}

/* A suggestion is made when the edit distance is at most this (for a word of
 * length n): 1 for short words, 2 from 5 characters, 3 from 12. */
static int close_enough(int dist, size_t n) { return dist <= (n >= 12 ? 3 : n >= 5 ? 2 : 1); }

/* ------------------------------------------------------------------ schema */

typedef enum {
    CT_INT,
    CT_DOUBLE,
    CT_DURATION,
    CT_BOOL,
    CT_ENUM,
    CT_STRING,
    CT_LIST,
    CT_DATETIME
} nj_ctype;

enum {
    R_MIN = 1,  /* value >= min (or > min with R_MINX) */
    R_MAX = 2,  /* value <= max */
    R_MINX = 4  /* the minimum is exclusive */
};

typedef struct {
    const char *section, *key, *name; /* name = "section.key" */
    nj_ctype type;
    const char *dflt;    /* default, in text form */
    const char *units;   /* "" when none */
    const char *allowed; /* enum and list words separated by '|', or NULL */
    unsigned range;      /* R_* flags */
    double min, max;
    const char *(*check)(double x); /* extra check of a number: NULL or the reason */
    const char *doc;     /* one line */
} nj_key;

#define K(s, k) s, k, s "." k

static const char *check_level(double x)
{
    return (x == -1.0 || x > 0.0) ? NULL
                                  : "must be -1 (the file's only level) or a pressure > 0";
}

static const nj_key nj_schema[] = {
    {K("model", "equations"), CT_ENUM, "shallow_water", "", "shallow_water|advection|primitive", 0, 0,
     0, NULL,
     "equations solved: shallow_water = the full nonlinear shallow-water equations; "
     "advection = height advected by the fixed initial wind (Williamson test 1); primitive = the "
     "hydrostatic primitive equations on hybrid levels (vertical.levels)"},

    {K("vertical", "levels"), CT_STRING, "cam26", "", NULL, 0, 0, 0, NULL,
     "model levels (primitive equations): sigma:N (N equally spaced sigma layers), eta:N "
     "(N hybrid layers equally spaced in eta), cam26 (the CAM/JW06 26 levels), or a text file "
     "(file:PATH or PATH.txt) of half-level coefficients 'a b' (a in Pa), top to bottom"},
    {K("vertical", "tracers"), CT_INT, "0", "", NULL, R_MIN | R_MAX, 0, 8, NULL,
     "passive tracers advected by the primitive-equation model; the first is specific humidity"},

    {K("grid", "trunc"), CT_INT, "85", "", NULL, R_MIN | R_MAX, 1, 4095, NULL,
     "triangular truncation T (highest total wavenumber kept)"},
    {K("grid", "grid"), CT_ENUM, "quadratic", "", "linear|quadratic|cubic", 0, 0, 0, NULL,
     "Gaussian grid for the truncation: nlon >= 2T+1 (linear), 3T+1 (quadratic), 4T+1 (cubic), "
     "nlat = nlon/2"},
    {K("grid", "nlat"), CT_INT, "0", "", NULL, R_MIN | R_MAX, 0, 16384, NULL,
     "number of Gaussian latitudes; 0: from grid.grid"},
    {K("grid", "nlon"), CT_INT, "0", "", NULL, R_MIN | R_MAX, 0, 32768, NULL,
     "number of longitudes; 0: from grid.grid"},

    {K("planet", "radius"), CT_DOUBLE, "6.37122e6", "m", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "planet radius"},
    {K("planet", "omega"), CT_DOUBLE, "7.292e-5", "s-1", NULL, R_MIN, 0, 0, NULL,
     "angular velocity of the planet's rotation"},
    {K("planet", "gravity"), CT_DOUBLE, "9.80616", "m s-2", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "gravitational acceleration"},
    {K("planet", "rd"), CT_DOUBLE, "287.04", "J kg-1 K-1", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "gas constant of dry air"},
    {K("planet", "cp"), CT_DOUBLE, "1004.64", "J kg-1 K-1", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "specific heat of dry air at constant pressure"},

    {K("time", "dt"), CT_DURATION, "600", "s", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "time step"},
    {K("time", "length"), CT_DURATION, "6d", "s", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "length of the forecast"},
    {K("time", "start"), CT_DATETIME, "2000-01-01T00:00:00", "", NULL, 0, 0, 0, NULL,
     "date and time of the initial state (ISO 8601, YYYY-MM-DDTHH:MM:SS)"},
    {K("time", "integrator"), CT_ENUM, "leapfrog", "", "leapfrog|imex-sil3", 0, 0, 0, NULL,
     "time integrator: leapfrog (semi-implicit, with the Robert-Asselin-Williams filter) or "
     "imex-sil3 (the implicit-explicit Runge-Kutta scheme SIL3 of Whitaker and Kar, 2013)"},
    {K("time", "robert_nu"), CT_DOUBLE, "0.05", "", NULL, R_MIN | R_MAX, 0, 1, NULL,
     "strength nu of the Robert-Asselin-Williams filter (leapfrog)"},
    {K("time", "williams_alpha"), CT_DOUBLE, "0.53", "", NULL, R_MIN | R_MAX, 0.5, 1, NULL,
     "Williams alpha of the Robert-Asselin-Williams filter (0.5: conserves the mean; "
     "1: the plain Robert-Asselin filter)"},

    {K("dynamics", "diffusion_order"), CT_INT, "4", "", NULL, R_MIN | R_MAX, 1, 8, NULL,
     "order p of the del^(2p) hyperdiffusion"},
    {K("dynamics", "diffusion_time"), CT_DURATION, "3h", "s", NULL, R_MIN, 0, 0, NULL,
     "e-folding time of the hyperdiffusion at the truncation; 0 switches diffusion off"},
    {K("dynamics", "diffusion_free_degree"), CT_INT, "2", "", NULL, R_MIN, 0, 0, NULL,
     "total wavenumbers n <= this are not diffused"},
    {K("dynamics", "reference_temperature"), CT_DOUBLE, "300", "K", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "temperature of the isothermal reference state of the semi-implicit scheme (primitive "
     "equations; Simmons, Hoskins & Burridge 1978 advise a warm one)"},
    {K("dynamics", "reference_pressure"), CT_DOUBLE, "100000", "Pa", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "surface pressure of the reference state of the semi-implicit scheme (primitive equations)"},
    {K("dynamics", "reference_geopotential"), CT_DOUBLE, "0", "m2 s-2", NULL, R_MIN, 0, 0, NULL,
     "reference geopotential of the semi-implicit scheme (shallow water); 0: the global mean "
     "of the initial state (after a restart: the restart's)"},
    {K("physics", "forcing"), CT_ENUM, "none", "", "none|held_suarez", 0, 0, 0, NULL,
     "column forcing of the primitive equations: none, or held_suarez (Held & Suarez 1994 "
     "Newtonian cooling and Rayleigh friction)"},

    {K("initial", "case"), CT_ENUM, "galewsky", "",
     "williamson1|williamson2|williamson5|williamson6|galewsky|galewsky_unperturbed|jw06_steady|"
     "jw06_wave|held_suarez|file",
     0, 0, 0, NULL,
     "initial state: a Williamson et al. (1992) test case, the Galewsky et al. (2004) jet "
     "(with or without its perturbation) for the shallow-water model; jw06_steady, jw06_wave "
     "(Jablonowski & Williamson 2006 steady state, baroclinic wave) or held_suarez (rest, "
     "isothermal 300 K with 0.1 K noise) for the primitive equations; or file (initial.file)"},
    {K("initial", "alpha"), CT_DOUBLE, "0", "rad", NULL, 0, 0, 0, NULL,
     "rotation angle of the Williamson flows relative to the rotation axis"},
    {K("initial", "file"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "NetCDF file of the initial state (case = file)"},
    {K("initial", "u_var"), CT_STRING, "u", "", NULL, 0, 0, 0, NULL,
     "eastward wind variable (m/s) of the initial state: VAR (in initial.file) or PATH:VAR, "
     "either with [UNITS] to override the file's units attribute"},
    {K("initial", "v_var"), CT_STRING, "v", "", NULL, 0, 0, 0, NULL,
     "northward wind variable (m/s) of the initial state: VAR or PATH:VAR"},
    {K("initial", "h_var"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "fluid depth variable (m, > 0; a geopotential in m2 s-2 is divided by planet.gravity) "
     "of the shallow-water initial state: VAR or PATH:VAR, with optional [UNITS] "
     "(optional; empty: none)"},
    {K("initial", "t_var"), CT_STRING, "t", "", NULL, 0, 0, 0, NULL,
     "temperature variable (K or degC) of the initial state (primitive equations); like every "
     "*_var key it may be VAR (in initial.file) or PATH:VAR"},
    {K("initial", "ps_var"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "surface pressure (Pa or hPa) or its logarithm (lnsp) of the initial state; empty: "
     "initial.surface_pressure everywhere"},
    {K("initial", "phis_var"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "surface geopotential (m2 s-2) or orography (m) of the initial state; empty: flat; "
     "'estimate': from the surface pressure through the ICAO standard atmosphere"},
    {K("initial", "q_var"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "specific humidity of the initial state (needs vertical.tracers >= 1); empty: zero"},
    {K("initial", "surface_pressure"), CT_DOUBLE, "0", "Pa", NULL, R_MIN, 0, 0, NULL,
     "constant surface pressure used when initial.ps_var is empty (primitive equations)"},
    {K("initial", "time_index"), CT_INT, "0", "", NULL, R_MIN, 0, 0, NULL,
     "time index to read from initial.file (0: the first)"},
    {K("initial", "level"), CT_DOUBLE, "-1", "hPa", NULL, 0, 0, 0, check_level,
     "pressure level to read from initial.file; -1: the file's only level"},
    {K("initial", "mean_depth"), CT_DOUBLE, "10000", "m", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "mean fluid depth when initial.file has no height (initial.h_var empty): the height "
     "is then put in balance with the wind (steady divergence equation)"},

    {K("ensemble", "member"), CT_INT, "0", "", NULL, R_MIN | R_MAX, 0, 999999, NULL,
     "ensemble member: 0 is the control (the initial state as given); a member k > 0 adds to the "
     "initial vorticity of every level a random non-divergent wind of ensemble.perturbation "
     "(root-mean-square over the sphere) on the total wavenumbers ensemble.nmin..ensemble.nmax, "
     "drawn from k alone (bitwise the same for any number of MPI ranks; independent for "
     "each member, level and wavenumber); shallow water: with the height increment that keeps "
     "it in balance; not applied when continuing from restart.input"},
    {K("ensemble", "perturbation"), CT_DOUBLE, "1", "m s-1", NULL, R_MIN, 0, 0, NULL,
     "root-mean-square wind of a member's initial perturbation, at each level; 0: none"},
    {K("ensemble", "nmin"), CT_INT, "10", "", NULL, R_MIN | R_MAX, 1, 4095, NULL,
     "lowest total wavenumber of the perturbation (each wavenumber of the band gets the same "
     "expected kinetic energy, spread evenly over its zonal wavenumbers)"},
    {K("ensemble", "nmax"), CT_INT, "40", "", NULL, R_MIN | R_MAX, 1, 4095, NULL,
     "highest total wavenumber of the perturbation (at most the truncation is used)"},

    {K("output", "file"), CT_STRING, "njord.nc", "", NULL, 0, 0, 0, NULL,
     "NetCDF output file"},
    {K("output", "interval"), CT_DURATION, "6h", "s", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "interval between output times"},
    {K("output", "variables"), CT_LIST, "auto", "", "auto|none|u|v|zg|h|vor|div|orog|pv|ps|t|q|phi", 0,
     0, 0, NULL,
     "fields written (auto: u,v,zg,vor,div for shallow water; ps,orog,u,v,t for the primitive "
     "equations; none: no such output). Shallow water: u, v (wind), zg (geopotential height), h (fluid depth), vor, "
     "div (vorticity, divergence), orog (orography), pv (potential vorticity). Primitive "
     "equations, on model levels: u, v, t, q, vor, div, phi (geopotential); at the surface: ps, "
     "orog"},
    {K("output", "pressure_variables"), CT_LIST, "ua,va,ta,zg", "", "none|ua|va|ta|zg|hus", 0, 0, 0,
     NULL,
     "fields written on output.pressure_levels (primitive equations): ua, va (wind), ta "
     "(temperature), zg (geopotential height), hus (specific humidity); none: no pressure levels"},
    {K("output", "pressure_levels"), CT_LIST, "850,500,250", "hPa", NULL, 0, 0, 0, NULL,
     "pressure levels of the pressure-level output (hPa, at most 64)"},
    {K("output", "deflate"), CT_INT, "1", "", NULL, R_MIN | R_MAX, 0, 9, NULL,
     "NetCDF-4 deflate level (0: no compression)"},
    {K("output", "overwrite"), CT_BOOL, "true", "", NULL, 0, 0, 0, NULL,
     "replace an existing output file; false: an existing file is an error"},
    {K("output", "summary"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "path of the JSON summary njord run writes; empty: output.file + .json (njord.json "
     "without an output file); none: no summary"},

    {K("restart", "output"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "restart file written every restart.interval and at the end of the run; empty: none"},
    {K("restart", "interval"), CT_DURATION, "0", "s", NULL, R_MIN, 0, 0, NULL,
     "interval between restart files (model time); 0: only at the end of the run"},
    {K("restart", "input"), CT_STRING, "", "", NULL, 0, 0, 0, NULL,
     "restart file to continue from instead of the initial state (its configuration must "
     "match in grid, levels, tracers, time step and equations)"},

    {K("backend", "kind"), CT_ENUM, "auto", "", "auto|cpu|cuda", 0, 0, 0, NULL,
     "compute backend: auto (cuda when a GPU works, else cpu), cpu or cuda"},

    {K("run", "progress"), CT_ENUM, "auto", "", "auto|always|never", 0, 0, 0, NULL,
     "progress reports: auto or always (a progress line on a terminal, else a log line "
     "per output time), never"},
    {K("run", "check_interval"), CT_DURATION, "1h", "s", NULL, R_MIN | R_MINX, 0, 0, NULL,
     "how often (in model time) the run checks the state for NaN/Inf"},
};

#define NKEYS ((int)(sizeof nj_schema / sizeof nj_schema[0]))

/* ------------------------------------------------------------------ values */

typedef struct {
    char *text;   /* canonical text (malloc'ed); NULL only while unset */
    long i;       /* int, bool */
    double d;     /* int, double, duration (seconds) */
    int n;        /* list: number of items */
    char **items; /* list: n item pointers + NULL, then the item text, one block */
} nj_val;

struct njord_config {
    nj_val v[sizeof nj_schema / sizeof nj_schema[0]];
};

static void val_free(nj_val *v)
{
    free(v->text);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static const char *type_name(nj_ctype t)
{
    switch (t) {
    case CT_INT: return "int";
    case CT_DOUBLE: return "double";
    case CT_DURATION: return "duration";
    case CT_BOOL: return "bool";
    case CT_ENUM: return "enum";
    case CT_STRING: return "string";
    case CT_LIST: return "list";
    case CT_DATETIME: return "datetime";
    }
    return "?";
}

static int find_key(const char *name)
{
    for (int k = 0; k < NKEYS; k++)
        if (strcmp(nj_schema[k].name, name) == 0) return k;
    return -1;
}

/* Shortest text that reads back to x: the fewest significant digits, written
 * without an exponent when the decimal exponent is in -4..15 ("6371220", "0.05",
 * "7.292e-05"). */
static void fmt_double(double x, char *buf, size_t len)
{
    locale_t old = c_locale_enter();
    int p = 1;
    for (; p < 17; p++) {
        snprintf(buf, len, "%.*e", p - 1, x);
        if (strtod(buf, NULL) == x) break;
    }
    snprintf(buf, len, "%.*e", p - 1, x);
    const char *e = strchr(buf, 'e');
    int ex = e ? atoi(e + 1) : 0;
    if (x != 0.0 && ex >= -4 && ex <= 15)
        snprintf(buf, len, "%.*f", NJ_MAX(0, p - 1 - ex), x);
    else if (x == 0.0)
        snprintf(buf, len, "0");
    c_locale_leave(old);
}

/* "a|b|c" -> "a, b, c" */
static void words_text(const char *allowed, char *buf, size_t len)
{
    size_t o = 0;
    for (const char *p = allowed; *p && o + 3 < len; p++) {
        if (*p == '|') {
            buf[o++] = ',';
            buf[o++] = ' ';
        } else {
            buf[o++] = *p;
        }
    }
    buf[o] = '\0';
}

static int word_allowed(const char *allowed, const char *w, size_t wl)
{
    const char *p = allowed;
    while (*p) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == wl && strncmp(p, w, wl) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

/* Range of a number key as text ("1..4095", "> 0", ">= 0"); "" when unbounded. */
static void range_text(const nj_key *k, char *buf, size_t len)
{
    char a[32], b[32];
    fmt_double(k->min, a, sizeof a);
    fmt_double(k->max, b, sizeof b);
    buf[0] = '\0';
    if ((k->range & R_MIN) && (k->range & R_MAX) && !(k->range & R_MINX))
        snprintf(buf, len, "%s..%s", a, b);
    else if ((k->range & R_MIN) && (k->range & R_MAX))
        snprintf(buf, len, "> %s and <= %s", a, b);
    else if (k->range & R_MIN)
        snprintf(buf, len, "%s %s", (k->range & R_MINX) ? ">" : ">=", a);
    else if (k->range & R_MAX)
        snprintf(buf, len, "<= %s", b);
}

/* What a key accepts, in words (for comments and the description). */
static void constraint_text(const nj_key *k, char *buf, size_t len)
{
    char w[512];
    buf[0] = '\0';
    switch (k->type) {
    case CT_INT:
    case CT_DOUBLE:
    case CT_DURATION:
        range_text(k, buf, len);
        if (k->check == check_level) snprintf(buf, len, "-1 or > 0");
        if (k->type == CT_DURATION) {
            size_t o = strlen(buf);
            snprintf(buf + o, len - o, "%s%s", o ? "; " : "",
                     "number with optional unit s, min, h, d");
        }
        break;
    case CT_BOOL: snprintf(buf, len, "true, false"); break;
    case CT_ENUM:
        words_text(k->allowed, w, sizeof w);
        snprintf(buf, len, "%s", w);
        break;
    case CT_LIST:
        if (k->allowed) {
            words_text(k->allowed, w, sizeof w);
            snprintf(buf, len, "comma-separated, from: %s", w);
        } else {
            snprintf(buf, len, "comma-separated words");
        }
        break;
    case CT_DATETIME: snprintf(buf, len, "YYYY-MM-DDTHH:MM:SS"); break;
    case CT_STRING: break;
    }
}

/* Length of a decimal number at s (sign, digits, fraction, exponent); 0 if none. */
static size_t scan_number(const char *s, int real)
{
    size_t i = 0, nd = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    for (; isdigit((unsigned char)s[i]); i++) nd++;
    if (real && s[i] == '.') {
        i++;
        for (; isdigit((unsigned char)s[i]); i++) nd++;
    }
    if (nd == 0) return 0;
    if (real && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-') j++;
        if (isdigit((unsigned char)s[j])) {
            while (isdigit((unsigned char)s[j])) j++;
            i = j;
        }
    }
    return i;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

/* "" when s is a valid datetime, else the reason. */
static const char *check_datetime(const char *s)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd";
    if (strlen(s) != sizeof pat - 1) return "not of the form YYYY-MM-DDTHH:MM:SS";
    for (size_t i = 0; i < sizeof pat - 1; i++) {
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return "not of the form YYYY-MM-DDTHH:MM:SS";
    }
#define NUM2(p) ((s[p] - '0') * 10 + (s[(p) + 1] - '0'))
    int y = NUM2(0) * 100 + NUM2(2), mo = NUM2(5), d = NUM2(8);
    int h = NUM2(11), mi = NUM2(14), se = NUM2(17);
#undef NUM2
    if (y < 1) return "year 0000 does not exist (years 0001-9999)";
    if (mo < 1 || mo > 12) return "month out of range (01-12)";
    if (d < 1 || d > days_in_month(y, mo)) return "no such day in that month";
    if (h > 23) return "hour out of range (00-23)";
    if (mi > 59) return "minute out of range (00-59)";
    if (se > 59) return "second out of range (00-59)";
    return "";
}

/* String rules: no control characters, nothing a written INI file would read
 * back differently. "" when fine, else the reason. */
static const char *check_string(const char *s)
{
    if (*s == ';' || *s == '#') return "must not start with ';' or '#' (a comment in an INI file)";
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) return "contains a control character";
        if ((*p == ';' || *p == '#') && p > s && (p[-1] == ' ' || p[-1] == '\t'))
            return "contains ';' or '#' after whitespace (a comment in an INI file)";
    }
    return "";
}

static int check_range(const nj_key *k, double x, const char *text, const char *shown)
{
    int bad = 0;
    if (k->range & R_MIN) bad |= (k->range & R_MINX) ? !(x > k->min) : !(x >= k->min);
    if (k->range & R_MAX) bad |= !(x <= k->max);
    if (bad) {
        char r[64];
        range_text(k, r, sizeof r);
        return nj_error(NJORD_EINVAL, "%s: %s%s is out of range (%s)", k->name, text, shown, r);
    }
    if (k->check) {
        const char *why = k->check(x);
        if (why) return nj_error(NJORD_EINVAL, "%s: %s: %s", k->name, text, why);
    }
    return NJORD_OK;
}

static char *dup_str(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int parse_list(const nj_key *k, const char *s, nj_val *out)
{
    size_t len = strlen(s);
    int nmax = 1;
    for (const char *p = s; *p; p++) nmax += (*p == ',');
    /* one block: nmax+1 pointers, then the canonical text (at most len+1 bytes) */
    size_t off = (size_t)(nmax + 1) * sizeof(char *);
    char **items = malloc(off + len + 1);
    char *text = malloc(len + 1);
    if (!items || !text) {
        free(items);
        free(text);
        return nj_error(NJORD_ENOMEM, "%s: out of memory", k->name);
    }
    char *store = (char *)items + off;
    size_t o = 0, t = 0;
    int n = 0;
    const char *p = s;
    int st = NJORD_OK;
    while (*s && st == NJORD_OK) {
        const char *e = strchr(p, ',');
        const char *end = e ? e : p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && nj_space((unsigned char)*a)) a++;
        while (b > a && nj_space((unsigned char)b[-1])) b--;
        size_t wl = (size_t)(b - a);
        if (wl == 0) {
            st = nj_error(NJORD_EINVAL, "%s: '%s' has an empty item (items are separated by single commas)",
                          k->name, s);
            break;
        }
        for (const char *q = a; q < b; q++)
            if (nj_space((unsigned char)*q) || nj_ctrl((unsigned char)*q) || *q == ';' || *q == '#') {
                st = nj_error(NJORD_EINVAL, "%s: list item '%.*s' is not a single word", k->name,
                              (int)wl, a);
                break;
            }
        if (st != NJORD_OK) break;
        if (k->allowed && !word_allowed(k->allowed, a, wl)) {
            char w[512];
            words_text(k->allowed, w, sizeof w);
            st = nj_error(NJORD_EINVAL, "%s: list item '%.*s' is not one of: %s", k->name, (int)wl,
                          a, w);
            break;
        }
        for (int j = 0; j < n; j++)
            if (strlen(items[j]) == wl && strncmp(items[j], a, wl) == 0) {
                st = nj_error(NJORD_EINVAL, "%s: list item '%.*s' is repeated", k->name, (int)wl, a);
                break;
            }
        if (st != NJORD_OK) break;
        items[n++] = store + o;
        memcpy(store + o, a, wl);
        o += wl;
        store[o++] = '\0';
        if (t) text[t++] = ',';
        memcpy(text + t, a, wl);
        t += wl;
        if (!e) break;
        p = e + 1;
    }
    /* the special words of a list (auto, none) stand alone: "none,u" is a mistake */
    for (int j = 0; st == NJORD_OK && n > 1 && j < n; j++)
        if (k->allowed && (!strcmp(items[j], "auto") || !strcmp(items[j], "none")))
            st = nj_error(NJORD_EINVAL, "%s: '%s' must be the only item (got '%s')", k->name,
                          items[j], s);
    if (st != NJORD_OK) {
        free(items);
        free(text);
        return st;
    }
    items[n] = NULL;
    text[t] = '\0';
    out->items = items;
    out->n = n;
    out->text = text;
    return NJORD_OK;
}

/* The number s[0..l) (as scan_number(s, 1) found it) times unit, correctly
 * rounded: the product is formed in decimal, so that "1.1h" is exactly 3960 s
 * (1.1 * 3600 in binary is 3960.0000000000005). *range: over- or underflow. */
static int scaled_strtod(const char *s, size_t l, unsigned long unit, double *x, int *range)
{
    enum { PAD = 12 }; /* room before the digits for the carry and the sign */
    size_t cap = l + PAD + 32;
    char *b = malloc(cap);
    if (!b) return NJORD_ENOMEM;
    size_t i = 0, o = PAD;
    int neg = 0;
    long frac = 0, ex = 0;
    if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
    for (; i < l && isdigit((unsigned char)s[i]); i++) b[o++] = s[i];
    if (i < l && s[i] == '.')
        for (i++; i < l && isdigit((unsigned char)s[i]); i++, frac++) b[o++] = s[i];
    if (i < l && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (s[i] == '+' || s[i] == '-') eneg = s[i++] == '-';
        for (; i < l && isdigit((unsigned char)s[i]); i++)
            if (ex < 100000000L) ex = 10 * ex + (s[i] - '0');
        if (eneg) ex = -ex;
    }
    unsigned long carry = 0;
    for (size_t j = o; j-- > PAD;) {
        unsigned long t = (unsigned long)(b[j] - '0') * unit + carry;
        b[j] = (char)('0' + t % 10);
        carry = t / 10;
    }
    size_t a = PAD;
    for (; carry; carry /= 10) b[--a] = (char)('0' + carry % 10);
    if (neg) b[--a] = '-';
    snprintf(b + o, cap - o, "e%ld", ex - frac);
    *x = c_strtod(b + a, range);
    free(b);
    return NJORD_OK;
}

/* Parse value text s (already trimmed, quotes removed) for key k into out
 * (which must be empty). On error out stays empty and the message names the key. */
static int parse_value(const nj_key *k, const char *s, nj_val *out)
{
    char buf[64];
    const char *why;
    memset(out, 0, sizeof *out);
    const char *bad = bad_utf8(s);
    if (bad)
        return nj_error(NJORD_EINVAL, "%s: the value is not valid UTF-8 (byte 0x%02X at offset %zu)",
                        k->name, (unsigned)(unsigned char)*bad, (size_t)(bad - s));
    switch (k->type) {
    case CT_INT: {
        size_t l = scan_number(s, 0);
        if (l == 0 || s[l] != '\0')
            return nj_error(NJORD_EINVAL, "%s: '%s' is not an integer", k->name, s);
        errno = 0;
        long x = strtol(s, NULL, 10);
        if (errno == ERANGE)
            return nj_error(NJORD_EINVAL, "%s: %s is out of range of a long integer", k->name, s);
        snprintf(buf, sizeof buf, "%ld", x);
        int st = check_range(k, (double)x, buf, "");
        if (st != NJORD_OK) return st;
        out->i = x;
        out->d = (double)x;
        break;
    }
    case CT_DOUBLE:
    case CT_DURATION: {
        size_t l = scan_number(s, 1);
        unsigned long unit = 1;
        if (l > 0 && k->type == CT_DURATION) {
            const char *u = s + l;
            while (*u == ' ' || *u == '\t') u++;
            if (*u == '\0' || strcmp(u, "s") == 0) unit = 1;
            else if (strcmp(u, "min") == 0) unit = 60;
            else if (strcmp(u, "h") == 0) unit = 3600;
            else if (strcmp(u, "d") == 0) unit = 86400;
            else l = 0;
        } else if (l > 0 && s[l] != '\0') {
            l = 0;
        }
        if (l == 0) {
            if (k->type == CT_DURATION)
                return nj_error(NJORD_EINVAL,
                                "%s: '%s' is not a duration (a number with an optional unit s, "
                                "min, h or d, e.g. 600, 10min, 6h, 1.5d)",
                                k->name, s);
            return nj_error(NJORD_EINVAL, "%s: '%s' is not a number", k->name, s);
        }
        double x;
        int range;
        if (scaled_strtod(s, l, unit, &x, &range) != NJORD_OK)
            return nj_error(NJORD_ENOMEM, "%s: out of memory", k->name);
        if (range)
            return nj_error(NJORD_EINVAL, "%s: '%s' is out of range of a double (%s)", k->name, s,
                            fabs(x) < 1 ? "too small; write 0 for zero" : "too large");
        if (x == 0.0) x = 0.0; /* no "-0" */
        fmt_double(x, buf, sizeof buf);
        char shown[80] = "";
        if (k->type == CT_DURATION && strcmp(buf, s) != 0)
            snprintf(shown, sizeof shown, " (%s s)", buf);
        int st = check_range(k, x, s, shown);
        if (st != NJORD_OK) return st;
        out->d = x;
        break;
    }
    case CT_BOOL:
        if (!nj_casecmp(s, "true") || !nj_casecmp(s, "yes") || !nj_casecmp(s, "on") ||
            !strcmp(s, "1"))
            out->i = 1;
        else if (!nj_casecmp(s, "false") || !nj_casecmp(s, "no") || !nj_casecmp(s, "off") ||
                 !strcmp(s, "0"))
            out->i = 0;
        else
            return nj_error(NJORD_EINVAL,
                            "%s: '%s' is not a boolean (true/false, yes/no, on/off, 1/0)", k->name,
                            s);
        snprintf(buf, sizeof buf, "%s", out->i ? "true" : "false");
        break;
    case CT_ENUM:
        if (!word_allowed(k->allowed, s, strlen(s))) {
            char w[512];
            words_text(k->allowed, w, sizeof w);
            return nj_error(NJORD_EINVAL, "%s: '%s' is not one of: %s", k->name, s, w);
        }
        break;
    case CT_STRING:
        why = check_string(s);
        if (*why) return nj_error(NJORD_EINVAL, "%s: '%s' %s", k->name, s, why);
        break;
    case CT_DATETIME:
        why = check_datetime(s);
        if (*why)
            return nj_error(NJORD_EINVAL,
                            "%s: '%s' is not a valid date and time (YYYY-MM-DDTHH:MM:SS, e.g. "
                            "2000-01-01T00:00:00): %s",
                            k->name, s, why);
        break;
    case CT_LIST:
        return parse_list(k, s, out);
    }
    const char *canon = (k->type == CT_INT || k->type == CT_DOUBLE || k->type == CT_DURATION ||
                         k->type == CT_BOOL)
                            ? buf
                            : s;
    out->text = dup_str(canon, strlen(canon));
    if (!out->text) return nj_error(NJORD_ENOMEM, "%s: out of memory", k->name);
    return NJORD_OK;
}

/* Trimmed copy of s with one pair of enclosing double quotes removed. */
static char *normalize(const char *s)
{
    const char *a = s, *b = s + strlen(s);
    while (a < b && nj_space((unsigned char)*a)) a++;
    while (b > a && nj_space((unsigned char)b[-1])) b--;
    if (b - a >= 2 && *a == '"' && b[-1] == '"') {
        a++;
        b--;
    }
    char *r = dup_str(a, (size_t)(b - a));
    if (!r) nj_error(NJORD_ENOMEM, "out of memory");
    return r;
}

/* Parse value text (not yet normalised) for key k into out. */
static int parse_text(const nj_key *k, const char *value, nj_val *out)
{
    char *s = normalize(value);
    if (!s) return NJORD_ENOMEM;
    int st = parse_value(k, s, out);
    free(s);
    return st;
}

/* "; did you mean 'a.b'?" (or "'a.b' or 'c.d'") for the schema keys closest to the
 * unknown name, or "" when none is close: the key part a few edits from a key of
 * the same (or a nearly same) section, or exactly a key of another section. */
static void suggest_key(const char *name, char *buf, size_t len)
{
    const char *dot = strchr(name, '.');
    const char *kp = dot ? dot + 1 : name;
    size_t sl = dot ? (size_t)(dot - name) : 0, kl = strlen(kp);
    int d[sizeof nj_schema / sizeof nj_schema[0]];
    int best = 99;
    for (int k = 0; k < NKEYS; k++) {
        const nj_key *q = &nj_schema[k];
        size_t qsl = strlen(q->section), qkl = strlen(q->key);
        int dk = edit_distance(kp, kl, q->key, qkl);
        int ds = dot ? edit_distance(name, sl, q->section, qsl) : 9;
        d[k] = 99;
        if (dk == 0) d[k] = close_enough(ds, qsl) ? ds : 3; /* the key of another section */
        else if (close_enough(dk, qkl) && close_enough(ds, qsl)) d[k] = ds + dk;
        else if (close_enough(dk, qkl) && !dot) d[k] = 3 + dk;
        best = NJ_MIN(best, d[k]);
    }
    buf[0] = '\0';
    if (best == 99) return;
    size_t o = 0;
    int nfound = 0;
    for (int k = 0; k < NKEYS && nfound < 3; k++) {
        if (d[k] != best) continue;
        int w = snprintf(buf + o, len - o, "%s'%s'", nfound ? " or " : "; did you mean ",
                         nj_schema[k].name);
        if (w < 0 || (size_t)w >= len - o) break;
        o += (size_t)w;
        nfound++;
    }
    if (o + 2 <= len) snprintf(buf + o, len - o, "?");
}

/* The list of sections ("model, vertical, ...") into buf. */
static void sections_text(char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < NKEYS; k++) {
        if (k > 0 && strcmp(nj_schema[k - 1].section, nj_schema[k].section) == 0) continue;
        int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", nj_schema[k].section);
        if (w < 0 || (size_t)w >= len - o) break;
        o += (size_t)w;
    }
}

/* Whether s[0..n) names a section of the schema. */
static int known_section(const char *s, size_t n)
{
    for (int k = 0; k < NKEYS; k++)
        if (strlen(nj_schema[k].section) == n && strncmp(nj_schema[k].section, s, n) == 0) return 1;
    return 0;
}

/* Message for an unknown section name s[0..n) in a [section] header. */
static int unknown_section(const char *s, size_t n)
{
    char list[400], hint[80] = "";
    sections_text(list, sizeof list);
    int best = 99, bk = -1;
    for (int k = 0; k < NKEYS; k++) {
        const char *q = nj_schema[k].section;
        int dd = edit_distance(s, n, q, strlen(q));
        if (close_enough(dd, strlen(q)) && dd < best) best = dd, bk = k;
    }
    if (bk >= 0) snprintf(hint, sizeof hint, "; did you mean [%s]?", nj_schema[bk].section);
    return nj_error(NJORD_EINVAL, "unknown section [%.*s] (sections: %s)%s", (int)n, s, list, hint);
}

/* Message for an unknown key name. */
static int unknown_key(const char *name)
{
    const char *dot = strchr(name, '.');
    char list[700], hint[200];
    size_t o = 0;
    list[0] = '\0';
    suggest_key(name, hint, sizeof hint);
    if (!*name) return nj_error(NJORD_EINVAL, "missing key name (keys are named section.key, e.g. time.dt)");
    if (!dot)
        return nj_error(NJORD_EINVAL,
                        "unknown key '%s' (keys are named section.key, e.g. time.dt)%s", name, hint);
    size_t sl = (size_t)(dot - name);
    int known = known_section(name, sl);
    if (!known) {
        sections_text(list, sizeof list);
        return nj_error(NJORD_EINVAL, "unknown section [%.*s] in key '%s' (sections: %s)%s",
                        (int)sl, name, name, list, hint);
    }
    for (int k = 0; k < NKEYS; k++) {
        const nj_key *q = &nj_schema[k];
        if (strlen(q->section) != sl || strncmp(q->section, name, sl) != 0) continue;
        int w = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", q->key);
        if (w < 0 || (size_t)w >= sizeof list - o) break;
        o += (size_t)w;
    }
    return nj_error(NJORD_EINVAL, "unknown key '%s' (keys of [%.*s]: %s)%s", name, (int)sl, name,
                    list, hint);
}

/* ------------------------------------------------------------------ create, set, get */

void njord_config_destroy(njord_config *cfg)
{
    if (!cfg) return;
    for (int k = 0; k < NKEYS; k++) val_free(&cfg->v[k]);
    free(cfg);
}

int njord_config_create(njord_config **cfg)
{
    if (!cfg) return nj_error(NJORD_EINVAL, "njord_config_create: cfg is NULL");
    *cfg = NULL;
    njord_config *c = calloc(1, sizeof *c);
    if (!c) return nj_error(NJORD_ENOMEM, "njord_config_create: out of memory");
    for (int k = 0; k < NKEYS; k++) {
        int st = parse_text(&nj_schema[k], nj_schema[k].dflt, &c->v[k]);
        if (st != NJORD_OK) {
            njord_config_destroy(c);
            if (st == NJORD_ENOMEM) return st;
            return nj_error_context(NJORD_EINTERNAL, "invalid default in the configuration schema");
        }
    }
    *cfg = c;
    return NJORD_OK;
}

int njord_config_set_value(njord_config *cfg, const char *key, const char *value)
{
    if (!cfg || !key || !value)
        return nj_error(NJORD_EINVAL, "njord_config_set_value: NULL argument");
    int k = find_key(key);
    if (k < 0) return unknown_key(key);
    nj_val v;
    int st = parse_text(&nj_schema[k], value, &v);
    if (st != NJORD_OK) return st;
    /* the line njord_config_write makes of it must load back */
    const size_t line = strlen(nj_schema[k].key) + 3 + strlen(v.text) + 2;
    if (line > NJ_CFG_LINE_MAX) {
        val_free(&v);
        return nj_error(NJORD_EINVAL,
                        "%s: value too long (%zu characters; a configuration line holds at most "
                        "%d with the key)", nj_schema[k].name, strlen(value), NJ_CFG_LINE_MAX);
    }
    val_free(&cfg->v[k]);
    cfg->v[k] = v;
    return NJORD_OK;
}

int njord_config_set(njord_config *cfg, const char *assignment)
{
    if (!cfg || !assignment) return nj_error(NJORD_EINVAL, "njord_config_set: NULL argument");
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return nj_error(NJORD_EINVAL, "'%s' is not an assignment section.key=value", assignment);
    const char *a = assignment, *b = eq;
    while (a < b && nj_space((unsigned char)*a)) a++;
    while (b > a && nj_space((unsigned char)b[-1])) b--;
    if (a == b)
        return nj_error(NJORD_EINVAL, "'%s': missing key name before '=' (section.key=value)",
                        assignment);
    char *key = dup_str(a, (size_t)(b - a));
    if (!key) return nj_error(NJORD_ENOMEM, "out of memory");
    int st = njord_config_set_value(cfg, key, eq + 1);
    free(key);
    return st;
}

static const nj_val *lookup(const njord_config *cfg, const char *key, const char *fn, int *kk)
{
    if (!cfg || !key) {
        nj_error(NJORD_EINVAL, "%s: NULL argument", fn);
        return NULL;
    }
    int k = find_key(key);
    if (k < 0) {
        unknown_key(key);
        return NULL;
    }
    *kk = k;
    return &cfg->v[k];
}

const char *njord_config_get(const njord_config *cfg, const char *key)
{
    int k;
    const nj_val *v = lookup(cfg, key, "njord_config_get", &k);
    return v ? v->text : NULL;
}

static int type_error(int k, const char *want)
{
    return nj_error(NJORD_EINVAL, "%s is a %s key, not %s", nj_schema[k].name,
                    type_name(nj_schema[k].type), want);
}

int njord_config_get_int(const njord_config *cfg, const char *key, long *v)
{
    int k;
    const nj_val *x = lookup(cfg, key, "njord_config_get_int", &k);
    if (!x) return NJORD_EINVAL;
    if (!v) return nj_error(NJORD_EINVAL, "njord_config_get_int: NULL argument");
    if (nj_schema[k].type != CT_INT) return type_error(k, "an int");
    *v = x->i;
    return NJORD_OK;
}

int njord_config_get_double(const njord_config *cfg, const char *key, double *v)
{
    int k;
    const nj_val *x = lookup(cfg, key, "njord_config_get_double", &k);
    if (!x) return NJORD_EINVAL;
    if (!v) return nj_error(NJORD_EINVAL, "njord_config_get_double: NULL argument");
    nj_ctype t = nj_schema[k].type;
    if (t != CT_DOUBLE && t != CT_DURATION && t != CT_INT)
        return type_error(k, "a number (double, duration or int)");
    *v = x->d;
    return NJORD_OK;
}

int njord_config_get_bool(const njord_config *cfg, const char *key, int *v)
{
    int k;
    const nj_val *x = lookup(cfg, key, "njord_config_get_bool", &k);
    if (!x) return NJORD_EINVAL;
    if (!v) return nj_error(NJORD_EINVAL, "njord_config_get_bool: NULL argument");
    if (nj_schema[k].type != CT_BOOL) return type_error(k, "a bool");
    *v = (int)x->i;
    return NJORD_OK;
}

int njord_config_get_list(const njord_config *cfg, const char *key, int *n,
                          const char *const **items)
{
    int k;
    const nj_val *x = lookup(cfg, key, "njord_config_get_list", &k);
    if (!x) return NJORD_EINVAL;
    if (!n || !items) return nj_error(NJORD_EINVAL, "njord_config_get_list: NULL argument");
    if (nj_schema[k].type != CT_LIST) return type_error(k, "a list");
    *n = x->n;
    *items = (const char *const *)x->items;
    return NJORD_OK;
}

/* ------------------------------------------------------------------ load */

typedef struct {
    const char *path;
    FILE *f;
    char *line;        /* getline buffer */
    size_t cap;
    int lineno;        /* lines read so far */
    int status;        /* first error (NJORD_OK while none) */
    int err_line;      /* its line */
    int at[sizeof nj_schema / sizeof nj_schema[0]];        /* line that set a key, 0: none */
    nj_val v[sizeof nj_schema / sizeof nj_schema[0]];      /* values set by the file */
} nj_load;

static int load_fail(nj_load *c, int status)
{
    c->status = status;
    c->err_line = c->lineno;
    return nj_error_context(status, "%s:%d", c->path, c->lineno);
}

/* The line reader: the next line, in place in c->line. Strips the line end,
 * comments and indentation, checks the line's shape, characters and length, and
 * writes section headers as "[name]". NULL at the end of the file or on an error
 * (c->status). */
static char *nj_reader(nj_load *c)
{
    if (c->status != NJORD_OK) return NULL;
    errno = 0;
    ssize_t len = getline(&c->line, &c->cap, c->f);
    if (len < 0) {
        if (ferror(c->f)) {
            c->lineno++;
            c->status = nj_error(NJORD_EIO, "%s: read error: %s", c->path,
                                 strerror(errno ? errno : EIO));
            c->err_line = c->lineno;
        }
        return NULL;
    }
    c->lineno++;
    char *s = c->line;
    if (c->lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3)) { /* a UTF-8 byte order mark */
        s += 3;
        len -= 3;
    }
    if ((size_t)len != strlen(s)) {
        load_fail(c, nj_error(NJORD_EINVAL, "the line contains a NUL character"));
        return NULL;
    }
    /* the line end: "\n", "\r\n" or, on the last line, nothing or "\r" */
    size_t n = (size_t)len;
    if (n > 0 && s[n - 1] == '\n') s[--n] = '\0';
    if (n > 0 && s[n - 1] == '\r') s[--n] = '\0';
    if (strchr(s, '\r')) {
        /* else a file with old Mac line endings (CR only) would be one comment line */
        load_fail(c, nj_error(NJORD_EINVAL, "a carriage return (\\r) inside the line: line ends "
                                            "must be LF or CR LF"));
        return NULL;
    }
    while (*s == ' ' || *s == '\t') s++;
    char *cut = NULL; /* where a comment starts */
    if (*s == ';' || *s == '#') {
        cut = s;
    } else if (*s) {
        for (char *p = s + 1; *p && !cut; p++)
            if ((*p == ';' || *p == '#') && (p[-1] == ' ' || p[-1] == '\t')) cut = p;
    }
    if (cut && cut > s && s[0] != '[') {
        /* key = "value ; more": the comment would cut the quoted value short */
        size_t d = strcspn(s, "=:");
        char *v = s + d + (s[d] != '\0');
        while (*v == ' ' || *v == '\t') v++;
        if (v < cut && *v == '"') {
            char *q = strchr(v + 1, '"');
            if (!q || q > cut) {
                load_fail(c, nj_error(NJORD_EINVAL, "'%s': %s", s,
                                      q ? "a ';' or '#' after whitespace starts a comment, also "
                                          "inside double quotes"
                                        : "the double quote is not closed before the comment"));
                return NULL;
            }
        }
    }
    if (cut) *cut = '\0';
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (nj_ctrl((unsigned char)s[i]) && s[i] != '\t') {
            load_fail(c, nj_error(NJORD_EINVAL, "the line contains the control character 0x%02X",
                                  (unsigned)(unsigned char)s[i]));
            return NULL;
        }
    if (n > 0) {
        if (s[0] == '[') {
            char *e = strchr(s, ']');
            if (!e) {
                load_fail(c, nj_error(NJORD_EINVAL, "'%s': section header without ']'", s));
                return NULL;
            }
            if (e[1] != '\0') {
                load_fail(c, nj_error(NJORD_EINVAL, "'%s': text after the section header", s));
                return NULL;
            }
            /* "[ grid ]" is [grid]; an empty or unknown name is an error here, on
             * its own line, even when no key follows */
            char *a = s + 1, *b = e;
            while (a < b && (*a == ' ' || *a == '\t')) a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
            if (a == b) {
                load_fail(c, nj_error(NJORD_EINVAL, "'%s': empty section name", s));
                return NULL;
            }
            if (!known_section(a, (size_t)(b - a))) {
                load_fail(c, unknown_section(a, (size_t)(b - a)));
                return NULL;
            }
            memmove(s + 1, a, (size_t)(b - a));
            s[1 + (b - a)] = ']';
            s[2 + (b - a)] = '\0';
            n = strlen(s);
        } else {
            size_t d = strcspn(s, "=:");
            if (s[d] == '\0') {
                load_fail(c, nj_error(NJORD_EINVAL,
                                      "'%s' is neither a [section] header nor key = value", s));
                return NULL;
            }
            if (d == 0) {
                load_fail(c, nj_error(NJORD_EINVAL, "'%s': missing key name before '%c'", s, s[0]));
                return NULL;
            }
        }
    }
    if (n > NJ_CFG_LINE_MAX) {
        load_fail(c, nj_error(NJORD_EINVAL, "line too long (%zu characters; the limit is %d)", n,
                              NJ_CFG_LINE_MAX));
        return NULL;
    }
    return s;
}

/* One key = value of section: checked and parsed into c; 0 on an error. */
static int nj_handler(nj_load *c, const char *section, const char *name, const char *value)
{
    if (!*section) {
        load_fail(c, nj_error(NJORD_EINVAL, "key '%s' before any [section] header", name));
        return 0;
    }
    char full[512];
    int w = snprintf(full, sizeof full, "%s.%s", section, name);
    int k = (w > 0 && (size_t)w < sizeof full) ? find_key(full) : -1;
    if (k < 0) {
        load_fail(c, unknown_key(full));
        return 0;
    }
    if (c->at[k]) {
        load_fail(c, nj_error(NJORD_EINVAL, "%s: duplicate key (already set on line %d)", full,
                              c->at[k]));
        return 0;
    }
    int st = parse_text(&nj_schema[k], value, &c->v[k]);
    if (st != NJORD_OK) {
        load_fail(c, st);
        return 0;
    }
    c->at[k] = c->lineno;
    return 1;
}

int njord_config_load(njord_config *cfg, const char *path)
{
    if (!cfg || !path) return nj_error(NJORD_EINVAL, "njord_config_load: NULL argument");
    nj_load *c = calloc(1, sizeof *c);
    if (!c) return nj_error(NJORD_ENOMEM, "njord_config_load: out of memory");
    c->path = path;
    c->f = fopen(path, "r");
    if (!c->f) {
        int e = errno;
        free(c);
        return nj_error(NJORD_EIO, "cannot open configuration file '%s': %s", path, strerror(e));
    }
    /* each line as nj_reader leaves it: empty, "[section]" (checked) or
     * "key<=|:>value" (a key before the separator, checked) */
    char *buf, section[128] = "";
    while ((buf = nj_reader(c)) != NULL) {
        if (!*buf) continue;
        if (buf[0] == '[') {
            snprintf(section, sizeof section, "%.*s", (int)(strlen(buf) - 2), buf + 1);
            continue;
        }
        size_t d = strcspn(buf, "=:");
        char *key = buf, *value = buf + d + 1;
        buf[d] = '\0';
        while (d > 0 && (key[d - 1] == ' ' || key[d - 1] == '\t')) key[--d] = '\0';
        while (*value == ' ' || *value == '\t') value++;
        if (!nj_handler(c, section, key, value)) break;
    }
    int st = c->status;
    fclose(c->f);
    free(c->line);
    for (int k = 0; k < NKEYS; k++) {
        if (!c->at[k]) continue;
        if (st == NJORD_OK) {
            val_free(&cfg->v[k]);
            cfg->v[k] = c->v[k];
        } else {
            val_free(&c->v[k]);
        }
    }
    free(c);
    return st;
}

/* ------------------------------------------------------------------ write, describe, compare */

#define PUT(...)                                                                                \
    do {                                                                                        \
        if (fprintf(f, __VA_ARGS__) < 0) return nj_error(NJORD_EIO, "cannot write configuration"); \
    } while (0)

int njord_config_write(const njord_config *cfg, FILE *f)
{
    if (!cfg || !f) return nj_error(NJORD_EINVAL, "njord_config_write: NULL argument");
    PUT("# Njord %s configuration: every key with its value.\n"
        "# Durations are written in seconds; they also accept the units min, h and d.\n",
        njord_version());
    for (int k = 0; k < NKEYS; k++) {
        const nj_key *q = &nj_schema[k];
        const char *val = cfg->v[k].text;
        char con[600];
        constraint_text(q, con, sizeof con);
        if (k == 0 || strcmp(nj_schema[k - 1].section, q->section) != 0)
            PUT("\n[%s]\n", q->section);
        PUT("# %s.\n", q->doc);
        PUT("# %s%s%s%s%s; default %s%s%s\n", type_name(q->type), *q->units ? ", units " : "",
            q->units, *con ? ": " : "", con, *q->dflt ? "" : "\"", q->dflt, *q->dflt ? "" : "\"");
        size_t vl = strlen(val);
        if (vl == 0 || val[0] == '"' || nj_space((unsigned char)val[0]) ||
            nj_space((unsigned char)val[vl - 1]))
            PUT("%s = \"%s\"\n", q->key, val);
        else
            PUT("%s = %s\n", q->key, val);
    }
    if (fflush(f) != 0 || ferror(f)) return nj_error(NJORD_EIO, "cannot write configuration");
    return NJORD_OK;
}

int njord_config_to_string(const njord_config *cfg, char **ini)
{
    if (!cfg || !ini) return nj_error(NJORD_EINVAL, "njord_config_to_string: NULL argument");
    *ini = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return nj_error(NJORD_ENOMEM, "njord_config_to_string: out of memory");
    int st = njord_config_write(cfg, f);
    if (fclose(f) != 0 && st == NJORD_OK)
        st = nj_error(NJORD_ENOMEM, "njord_config_to_string: out of memory");
    if (st != NJORD_OK) {
        free(buf);
        return st;
    }
    *ini = buf;
    return NJORD_OK;
}

/* A Markdown table cell: '|' escaped. */
static int put_cell(FILE *f, const char *s)
{
    if (fputs(" ", f) < 0) return -1;
    for (; *s; s++)
        if ((*s == '|' ? fputs("\\|", f) : fputc(*s, f)) < 0) return -1;
    return fputs(" |", f) < 0 ? -1 : 0;
}

int njord_config_describe(FILE *f)
{
    if (!f) return nj_error(NJORD_EINVAL, "njord_config_describe: NULL argument");
    PUT("| key | type | default | units | allowed values | meaning |\n"
        "| --- | --- | --- | --- | --- | --- |\n");
    for (int k = 0; k < NKEYS; k++) {
        const nj_key *q = &nj_schema[k];
        char con[600], key[96], dflt[96];
        constraint_text(q, con, sizeof con);
        snprintf(key, sizeof key, "`%s`", q->name);
        snprintf(dflt, sizeof dflt, "`%s`", *q->dflt ? q->dflt : "\"\"");
        PUT("|");
        if (put_cell(f, key) || put_cell(f, type_name(q->type)) || put_cell(f, dflt) ||
            put_cell(f, q->units) || put_cell(f, con) || put_cell(f, q->doc))
            return nj_error(NJORD_EIO, "cannot write the configuration description");
        PUT("\n");
    }
    if (fflush(f) != 0 || ferror(f))
        return nj_error(NJORD_EIO, "cannot write the configuration description");
    return NJORD_OK;
}

int njord_config_equal_keys(const njord_config *a, const njord_config *b,
                            const char *const *keys, int nkeys, const char **first_diff)
{
    if (first_diff) *first_diff = NULL;
    if (!a || !b) return nj_error(NJORD_EINVAL, "njord_config_equal_keys: NULL configuration");
    if (keys && nkeys < 0) return nj_error(NJORD_EINVAL, "njord_config_equal_keys: nkeys < 0");
    int n = keys ? nkeys : NKEYS;
    for (int i = 0; i < n; i++) {
        int k = i;
        if (keys) {
            if (!keys[i]) return nj_error(NJORD_EINVAL, "njord_config_equal_keys: keys[%d] is NULL", i);
            k = find_key(keys[i]);
            if (k < 0) return unknown_key(keys[i]);
        }
        if (strcmp(a->v[k].text, b->v[k].text) != 0) {
            if (first_diff) *first_diff = nj_schema[k].name;
            nj_error(NJORD_EINVAL, "%s differs: '%s' and '%s'", nj_schema[k].name, a->v[k].text,
                     b->v[k].text);
            return 0;
        }
    }
    return 1;
}
