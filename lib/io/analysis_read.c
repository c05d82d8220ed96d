/* lib/io/analysis_read.c — an analysis (winds, temperature, humidity, surface
 * pressure and geopotential on pressure or hybrid levels, any lat-lon grid) put
 * on Njord's Gaussian grid and hybrid levels (see njord/io.h for the contract).
 *
 * Steps:
 *  1. parse the variable specs ("[path:]VAR[[units]]");
 *  2. surface pressure: read and interpolate horizontally (or ps_const); the
 *     model's half levels ai + bi ps must increase in every column;
 *  3. surface geopotential: read, from ps ("estimate"), or flat;
 *  4. u, v, t, q: every level read and interpolated horizontally (the code of
 *     njord_latlon_read, through nj_latlon_read_levels), units converted and
 *     checked, the vertical source coordinate detected (pressure or hybrid),
 *     source pressures checked in every column;
 *  5. only then the outputs are written: column by column, vertical
 *     interpolation in ln p to the model's full levels (lib/dyn/vinterp.h).
 * Nothing is written to the outputs before every check has passed. */
#define _POSIX_C_SOURCE 200809L

#include "njord/io.h"

#include "../core/common.h"
#include "../core/error.h"
#include "../dyn/vinterp.h"
#include "nc_util.h"

#include <math.h>
#include <netcdf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FN "njord_analysis_read"

/* Defined in lib/io/latlon_read.c (internal; see there). */
int nj_latlon_read_levels(const char *path, const char *varname, int time_index, int static_ok,
                          int nlat, int nlon, const double *lat_rad, int *nlev,
                          char levdim[NC_MAX_NAME + 1], double **out);

/* ------------------------------------------------------------------------- */
/* variable specs                                                             */

enum { F_U, F_V, F_T, F_Q, F_PS, F_PHIS, F_COUNT };
static const char *const field_name[F_COUNT] = {"u", "v", "t", "q", "ps", "phis"};

typedef struct {
    int field;                /* F_* */
    const char *spec;         /* as given */
    nj_nc_spec n;             /* file, variable, units */
} vspec;

/* Error naming the field and its spec, then the message. */
static int fail(int status, const vspec *s, const char *fmt, ...) NJ_PRINTF(3, 4);
static int fail(int status, const vspec *s, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nj_error(status, FN ": %s ('%s'): %s", field_name[s->field], s->spec, msg);
}

static int is_empty(const char *s) { return s == NULL || s[0] == '\0'; }

/* "[path:]VAR[[units]]" with path defaulting to file. */
static int parse_spec(int field, const char *spec, const char *file, vspec *s)
{
    memset(s, 0, sizeof *s);
    s->field = field;
    s->spec = spec;
    const char *why;
    if (nj_nc_spec_parse(spec, file, &s->n, &why) != NJORD_OK) return fail(NJORD_EINVAL, s, "%s", why);
    return NJORD_OK;
}

/* ------------------------------------------------------------------------- */
/* attributes and units                                                       */

/* Pressure units -> factor to Pa (0 if not a pressure unit). */
static double pressure_scale(const char *u)
{
    if (nj_units_is(u, NJ_U_PA)) return 1.0;
    if (nj_units_is(u, NJ_U_HPA)) return 100.0;
    if (nj_units_is(u, NJ_U_KPA)) return 1000.0;
    return 0.0;
}

/* Conversion to SI: v = raw * scale + offset, then exp() when is_log. */
typedef struct {
    double scale, offset;
    int is_log;
    const char *what;          /* quantity, for plausibility messages */
    double lo, hi;             /* plausible range after conversion (lo > hi: none) */
    const char *si;            /* unit of lo, hi */
} conv;

static int units_conv(const vspec *s, conv *c)
{
    const char *u = s->n.units;
    c->scale = 1.0;
    c->offset = 0.0;
    c->is_log = 0;
    c->lo = 1.0;
    c->hi = 0.0;
    c->si = "";
    switch (s->field) {
    case F_U:
    case F_V:
        c->what = "wind";
        if (!s->n.units_given || nj_units_is(u, NJ_U_WIND)) return NJORD_OK;
        break;
    case F_T:
        c->what = "temperature";
        c->lo = 100.0;
        c->hi = 400.0;
        c->si = "K";
        if (!s->n.units_given) break;
        if (nj_units_is(u, NJ_U_KELVIN)) return NJORD_OK;
        if (nj_units_is(u, NJ_U_CELSIUS)) {
            c->offset = 273.15;
            return NJORD_OK;
        }
        break;
    case F_Q:
        c->what = "specific humidity";
        c->lo = -0.01;
        c->hi = 0.1;
        c->si = "kg/kg";
        if (!s->n.units_given) break;
        if (nj_units_is(u, NJ_U_KGKG)) return NJORD_OK;
        if (nj_units_is(u, NJ_U_GKG)) {
            c->scale = 1e-3;
            return NJORD_OK;
        }
        break;
    case F_PS: {
        c->what = "surface pressure";
        c->lo = 1e4;
        c->hi = 1.2e5;
        c->si = "Pa";
        double f = s->n.units_given ? pressure_scale(u) : 0.0;
        if (f > 0.0) {
            c->scale = f;
            return NJORD_OK;
        }
        if ((s->n.units_given && nj_units_is(u, NJ_U_LNPA)) ||
            (strcasecmp(s->n.var, "lnsp") == 0 && (!s->n.units_given || nj_units_is(u, NJ_U_DIMLESS)))) {
            c->is_log = 1;
            return NJORD_OK;
        }
        break;
    }
    case F_PHIS:
        c->what = "surface geopotential";
        c->lo = -1000.0 * NJ_VI_G;
        c->hi = 10000.0 * NJ_VI_G;
        c->si = "m2 s-2";
        if (!s->n.units_given) break;
        if (nj_units_is(u, NJ_U_GEOPOT)) return NJORD_OK;
        if (nj_units_is(u, NJ_U_METRE)) {
            c->scale = NJ_VI_G;
            return NJORD_OK;
        }
        break;
    default: break;
    }
    static const char *const expect[F_COUNT] = {
        "m/s",
        "m/s",
        "K or degC",
        "kg/kg or g/kg",
        "Pa, hPa, kPa or ln(Pa)",
        "m2 s-2 (geopotential) or m (orography)"};
    if (!s->n.units_given)
        return fail(NJORD_EFORMAT, s,
                    "variable '%s' in '%s' has no units attribute (%s expected); give them in "
                    "the spec, e.g. '%s[%s]'",
                    s->n.var, s->n.path, expect[s->field], s->n.var,
                    s->field == F_T ? "K" : s->field == F_Q ? "kg/kg"
                                        : s->field == F_PS ? "Pa" : "m2 s-2");
    return fail(NJORD_EFORMAT, s, "variable '%s' in '%s' has unknown units '%s' (%s expected)",
                s->n.var, s->n.path, u, expect[s->field]);
}

/* Convert n values in place and check them against the plausible range;
 * a grid of nlat x nlon per level for the location in messages. */
static int convert_check(const vspec *s, const conv *c, double *f, size_t n, int nlat, int nlon,
                         const double *lat)
{
    for (size_t i = 0; i < n; i++) {
        double v = f[i] * c->scale + c->offset;
        if (c->is_log) v = exp(v);
        f[i] = v;
        if (c->lo <= c->hi && !(v >= c->lo && v <= c->hi)) {
            size_t npt = (size_t)nlat * (size_t)nlon, k = i % npt;
            int j = (int)(k / (size_t)nlon), ii = (int)(k % (size_t)nlon);
            return fail(NJORD_EFORMAT, s,
                        "variable '%s' in '%s' with units '%s' gives %g %s (level index %zu, at "
                        "latitude %.2f, longitude %.2f of the model grid), not a plausible %s "
                        "(%g to %g %s); if the units are wrong, give them in the spec, e.g. "
                        "'%s[...]'",
                        s->n.var, s->n.path, s->n.units, v, c->si, i / npt, lat[j] * 180.0 / M_PI,
                        360.0 * ii / nlon, c->what, c->lo, c->hi, c->si, s->n.var);
        }
    }
    return NJORD_OK;
}

/* ------------------------------------------------------------------------- */
/* vertical source coordinate                                                 */

enum { VC_PRESSURE = 1, VC_HYBRID = 2 };

typedef struct {
    int kind;
    int n;
    double *a; /* pressure (Pa), or the hybrid A (Pa) */
    double *b; /* hybrid B, or NULL */
    char desc[4 * NC_MAX_NAME + 256];
} vcoord;

/* A 1-D numeric variable of length n (any dimension name) as double. */
static int read_1d(const vspec *s, int ncid, const char *name, size_t n, double *out,
                   const char *role)
{
    int vid, nd, dimid;
    size_t len;
    if (nc_inq_varid(ncid, name, &vid) != NC_NOERR)
        return fail(NJORD_EFORMAT, s, "file '%s' has no variable '%s' (%s of variable '%s')",
                    s->n.path, name, role, s->n.var);
    if (nc_inq_varndims(ncid, vid, &nd) != NC_NOERR || nd != 1 ||
        nc_inq_vardimid(ncid, vid, &dimid) != NC_NOERR ||
        nc_inq_dimlen(ncid, dimid, &len) != NC_NOERR || len != n)
        return fail(NJORD_EFORMAT, s,
                    "variable '%s' in '%s' (%s of variable '%s') is not 1-D of length %zu", name,
                    s->n.path, role, s->n.var, n);
    int rc = nc_get_var_double(ncid, vid, out);
    if (rc != NC_NOERR)
        return fail(NJORD_EIO, s, "reading '%s' from '%s': %s", name, s->n.path, nc_strerror(rc));
    for (size_t i = 0; i < n; i++)
        if (!isfinite(out[i]))
            return fail(NJORD_EFORMAT, s, "variable '%s' in '%s' (%s of variable '%s') has a "
                        "non-finite value at %zu", name, s->n.path, role, s->n.var, i);
    return NJORD_OK;
}

/* A scalar (0-D or one-element) numeric variable in Pa (units Pa, hPa, kPa or none). */
static int read_p0(const vspec *s, int ncid, const char *name, double *p0)
{
    int vid, nd, dimids[NC_MAX_VAR_DIMS];
    if (nc_inq_varid(ncid, name, &vid) != NC_NOERR)
        return fail(NJORD_EFORMAT, s, "file '%s' has no variable '%s' (reference pressure of "
                    "variable '%s')", s->n.path, name, s->n.var);
    size_t total = 1;
    if (nc_inq_varndims(ncid, vid, &nd) == NC_NOERR && nc_inq_vardimid(ncid, vid, dimids) ==
        NC_NOERR)
        for (int d = 0; d < nd; d++) {
            size_t l;
            nc_inq_dimlen(ncid, dimids[d], &l);
            total *= l;
        }
    if (total != 1)
        return fail(NJORD_EFORMAT, s, "reference pressure '%s' in '%s' is not a scalar", name,
                    s->n.path);
    int rc = nc_get_var_double(ncid, vid, p0);
    if (rc != NC_NOERR)
        return fail(NJORD_EIO, s, "reading '%s' from '%s': %s", name, s->n.path, nc_strerror(rc));
    char u[64];
    double f = 1.0;
    if (nj_nc_att_text(ncid, vid, "units", u, sizeof u)) {
        f = pressure_scale(u);
        if (f == 0.0)
            return fail(NJORD_EFORMAT, s, "reference pressure '%s' in '%s' has unknown units "
                        "'%s' (Pa or hPa expected)", name, s->n.path, u);
    }
    *p0 *= f;
    if (!(*p0 > 0.0 && isfinite(*p0)))
        return fail(NJORD_EFORMAT, s, "reference pressure '%s' in '%s' is %g Pa", name, s->n.path,
                    *p0);
    return NJORD_OK;
}

/* Factor to Pa of the units of variable name (none: Pa); 0 with an error. */
static double coef_pa_scale(const vspec *s, int ncid, const char *name, int *st)
{
    int vid;
    char u[64];
    *st = NJORD_OK;
    if (nc_inq_varid(ncid, name, &vid) != NC_NOERR || !nj_nc_att_text(ncid, vid, "units", u, sizeof u))
        return 1.0;
    double f = pressure_scale(u);
    if (f == 0.0)
        *st = fail(NJORD_EFORMAT, s, "hybrid coefficient '%s' in '%s' has unknown units '%s' "
                   "(Pa or hPa expected)", name, s->n.path, u);
    return f;
}

/* formula_terms "ap: X b: Y ps: Z": the variable of term key, or "" */
static void formula_term(const char *ft, const char *key, char *out, size_t len)
{
    out[0] = '\0';
    size_t kl = strlen(key);
    const char *p = ft;
    while (*p) {
        p += strspn(p, " \t");
        const char *tok = p;
        p += strcspn(p, " \t");
        size_t tl = (size_t)(p - tok);
        if (tl == kl + 1 && strncmp(tok, key, kl) == 0 && tok[kl] == ':') {
            p += strspn(p, " \t");
            size_t vl = strcspn(p, " \t");
            if (vl >= len) vl = len - 1;
            memcpy(out, p, vl);
            out[vl] = '\0';
            return;
        }
    }
}

static int detect_vcoord(const vspec *s, const char *levdim, int n, vcoord *vc)
{
    memset(vc, 0, sizeof *vc);
    vc->n = n;
    if (levdim[0] == '\0')
        return fail(NJORD_EFORMAT, s,
                    "variable '%s' in '%s' has no level dimension (a field on pressure or hybrid "
                    "levels is needed; a level dimension is recognised by its coordinate's axis "
                    "Z, standard_name air_pressure, pressure units, or the names lev, level, "
                    "plev, pressure)",
                    s->n.var, s->n.path);
    int ncid, rc;
    if ((rc = nc_open(s->n.path, NC_NOWRITE, &ncid)) != NC_NOERR)
        return fail(NJORD_EIO, s, "cannot open '%s': %s", s->n.path, nc_strerror(rc));
    char trunc_msg[4400];
    if (nj_nc_check_truncated(s->n.path, trunc_msg, sizeof trunc_msg)) {
        nc_close(ncid);
        return fail(NJORD_EIO, s, "%s", trunc_msg);
    }
    int st = NJORD_OK, dimid = -1, cvid = -1;
    vc->a = malloc((size_t)n * sizeof *vc->a);
    vc->b = malloc((size_t)n * sizeof *vc->b);
    if (!vc->a || !vc->b) {
        st = fail(NJORD_ENOMEM, s, "out of memory");
        goto done;
    }
    if (nc_inq_dimid(ncid, levdim, &dimid) == NC_NOERR) {
        int vid, nd, d0;
        if (nc_inq_varid(ncid, levdim, &vid) == NC_NOERR &&
            nc_inq_varndims(ncid, vid, &nd) == NC_NOERR && nd == 1 &&
            nc_inq_vardimid(ncid, vid, &d0) == NC_NOERR && d0 == dimid)
            cvid = vid;
    }
    char ft[512] = "", units[128] = "", sn[128] = "";
    if (cvid >= 0) {
        nj_nc_att_text(ncid, cvid, "formula_terms", ft, sizeof ft);
        nj_nc_att_text(ncid, cvid, "units", units, sizeof units);
        nj_nc_att_text(ncid, cvid, "standard_name", sn, sizeof sn);
    }

    /* 1. CF / ECMWF hybrid: formula_terms */
    if (ft[0]) {
        char ap[NC_MAX_NAME + 1], a[NC_MAX_NAME + 1], b[NC_MAX_NAME + 1], p0[NC_MAX_NAME + 1];
        formula_term(ft, "ap", ap, sizeof ap);
        formula_term(ft, "a", a, sizeof a);
        formula_term(ft, "b", b, sizeof b);
        formula_term(ft, "p0", p0, sizeof p0);
        if (!b[0] || (!ap[0] && !(a[0] && p0[0]))) {
            st = fail(NJORD_EFORMAT, s,
                      "level coordinate '%s' of variable '%s' in '%s' has formula_terms '%s'; "
                      "\"ap: AP b: B ps: PS\" or \"a: A b: B ps: PS p0: P0\" is understood",
                      levdim, s->n.var, s->n.path, ft);
            goto done;
        }
        if ((st = read_1d(s, ncid, b, (size_t)n, vc->b, "hybrid coefficient b")) != NJORD_OK)
            goto done;
        if (ap[0]) {
            double f = coef_pa_scale(s, ncid, ap, &st);
            if (st != NJORD_OK) goto done;
            if ((st = read_1d(s, ncid, ap, (size_t)n, vc->a, "hybrid coefficient ap")) !=
                NJORD_OK)
                goto done;
            for (int j = 0; j < n; j++) vc->a[j] *= f;
            snprintf(vc->desc, sizeof vc->desc, "hybrid levels (ap: %s, b: %s)", ap, b);
        } else {
            double pref;
            if ((st = read_p0(s, ncid, p0, &pref)) != NJORD_OK) goto done;
            if ((st = read_1d(s, ncid, a, (size_t)n, vc->a, "hybrid coefficient a")) != NJORD_OK)
                goto done;
            for (int j = 0; j < n; j++) vc->a[j] *= pref;
            snprintf(vc->desc, sizeof vc->desc, "hybrid levels (a: %s, b: %s, p0: %s)", a, b, p0);
        }
        vc->kind = VC_HYBRID;
        goto done;
    }

    /* 2. pressure levels */
    double f = pressure_scale(units);
    if (cvid >= 0 && (f > 0.0 || strcmp(sn, "air_pressure") == 0)) {
        if (f == 0.0) {
            st = fail(NJORD_EFORMAT, s,
                      "level coordinate '%s' of variable '%s' in '%s' (air_pressure) has "
                      "unknown units '%s' (Pa, hPa, mbar or kPa expected)",
                      levdim, s->n.var, s->n.path, units);
            goto done;
        }
        if ((st = read_1d(s, ncid, levdim, (size_t)n, vc->a, "level coordinate")) != NJORD_OK)
            goto done;
        for (int j = 0; j < n; j++) {
            vc->a[j] *= f;
            vc->b[j] = 0.0;
        }
        vc->kind = VC_PRESSURE;
        snprintf(vc->desc, sizeof vc->desc, "pressure levels ('%s' in %s)", levdim, units);
        goto done;
    }

    /* 3. CAM hybrid: hyam, hybm (or A_var, B_var) and P0 (or P0_var, else 1e5 Pa) */
    {
        char an[NC_MAX_NAME + 1] = "hyam", bn[NC_MAX_NAME + 1] = "hybm",
             pn[NC_MAX_NAME + 1] = "P0";
        if (cvid >= 0) {
            char t[NC_MAX_NAME + 1];
            if (nj_nc_att_text(ncid, cvid, "A_var", t, sizeof t) && t[0]) strcpy(an, t);
            if (nj_nc_att_text(ncid, cvid, "B_var", t, sizeof t) && t[0]) strcpy(bn, t);
            if (nj_nc_att_text(ncid, cvid, "P0_var", t, sizeof t) && t[0]) strcpy(pn, t);
        }
        int va, vb, vp;
        if (nc_inq_varid(ncid, an, &va) == NC_NOERR && nc_inq_varid(ncid, bn, &vb) == NC_NOERR) {
            if ((st = read_1d(s, ncid, an, (size_t)n, vc->a, "hybrid coefficient A")) !=
                    NJORD_OK ||
                (st = read_1d(s, ncid, bn, (size_t)n, vc->b, "hybrid coefficient B")) != NJORD_OK)
                goto done;
            char au[64];
            double fa = nj_nc_att_text(ncid, va, "units", au, sizeof au) ? pressure_scale(au) : 0.0;
            double pref = 1e5;
            if (fa > 0.0) {
                for (int j = 0; j < n; j++) vc->a[j] *= fa;
                snprintf(vc->desc, sizeof vc->desc, "hybrid levels (%s in %s, %s)", an, au, bn);
            } else {
                if (nc_inq_varid(ncid, pn, &vp) == NC_NOERR &&
                    (st = read_p0(s, ncid, pn, &pref)) != NJORD_OK)
                    goto done;
                for (int j = 0; j < n; j++) vc->a[j] *= pref;
                snprintf(vc->desc, sizeof vc->desc, "hybrid levels (%s * %g Pa + %s * ps)", an,
                         pref, bn);
            }
            vc->kind = VC_HYBRID;
            goto done;
        }
    }
    st = fail(NJORD_EFORMAT, s,
              "level dimension '%s' of variable '%s' in '%s' (%s%s%s) is neither on pressure "
              "levels (a coordinate in Pa, hPa or mbar, or standard_name air_pressure) nor on "
              "hybrid levels (formula_terms, or variables hyam and hybm): no level coordinate",
              levdim, s->n.var, s->n.path,
              cvid < 0 ? "no coordinate variable" : "coordinate units '", cvid < 0 ? "" : units,
              cvid < 0 ? "" : "'");

done:
    nc_close(ncid);
    if (st != NJORD_OK) {
        free(vc->a);
        free(vc->b);
        vc->a = vc->b = NULL;
    }
    return st;
}

/* Source pressures of column c (ps: the column's surface pressure) into p,
 * top to bottom; *rev = 1 when the file's levels run bottom to top. Checks
 * positivity and strict monotonicity. */
static int source_column(const vspec *s, const vcoord *vc, double ps, double *p, int *rev,
                         int check, double latd, double lond)
{
    int n = vc->n;
    for (int j = 0; j < n; j++) p[j] = vc->a[j] + vc->b[j] * ps;
    *rev = n > 1 && p[0] > p[n - 1];
    if (*rev)
        for (int j = 0; j < n / 2; j++) {
            double x = p[j];
            p[j] = p[n - 1 - j];
            p[n - 1 - j] = x;
        }
    if (!check) return NJORD_OK;
    for (int j = 0; j < n; j++)
        if (!(p[j] > 0.0 && isfinite(p[j])) || (j > 0 && !(p[j] > p[j - 1])))
            return fail(NJORD_EFORMAT, s,
                        "variable '%s' in '%s' on %s: the source pressures are not positive and "
                        "strictly monotonic (%g Pa at level index %d; surface pressure %g Pa, "
                        "latitude %.2f, longitude %.2f)",
                        s->n.var, s->n.path, vc->desc, p[j], *rev ? n - 1 - j : j, ps, latd, lond);
    return NJORD_OK;
}

/* ------------------------------------------------------------------------- */

int njord_analysis_read(const njord_analysis_opts *o, int nlat, int nlon, const double *lat,
                        int nlev, const double *ai, const double *bi, double *u, double *v,
                        double *t, double *q, double *ps, double *phis)
{
    if (o == NULL) return nj_error(NJORD_EINVAL, FN ": options are NULL");
    const char *spec_of[F_COUNT] = {o->u, o->v, o->t, o->q, o->ps, o->phis};
    for (int f = F_U; f <= F_T; f++)
        if (is_empty(spec_of[f]))
            return nj_error(NJORD_EINVAL, FN ": the %s spec is empty (u, v and t are required)",
                            field_name[f]);
    int have_q = !is_empty(o->q), have_ps = !is_empty(o->ps), have_phis = !is_empty(o->phis);
    int estimate = have_phis && strcmp(o->phis, "estimate") == 0;
    if (o->time_index < 0)
        return nj_error(NJORD_EINVAL, FN ": time_index = %d < 0", o->time_index);
    if (nlat < 1 || nlon < 1 || nlev < 1)
        return nj_error(NJORD_EINVAL, FN ": nlat = %d, nlon = %d, nlev = %d (each must be >= 1)",
                        nlat, nlon, nlev);
    if (!lat || !ai || !bi || !u || !v || !t || !ps || !phis || (have_q && !q))
        return nj_error(NJORD_EINVAL, FN ": %s is NULL",
                        !lat ? "lat" : !ai ? "ai" : !bi ? "bi" : !u ? "u" : !v ? "v" : !t ? "t"
                        : !ps ? "ps" : !phis ? "phis" : "q (o->q is given)");
    for (int j = 0; j < nlat; j++)
        if (!isfinite(lat[j]) || fabs(lat[j]) > M_PI / 2 * (1 + 1e-12))
            return nj_error(NJORD_EINVAL, FN ": latitude %d = %g rad is not in [-pi/2, pi/2]", j,
                            lat[j]);
    for (int i = 0; i <= nlev; i++)
        if (!isfinite(ai[i]) || !isfinite(bi[i]))
            return nj_error(NJORD_EINVAL, FN ": half level %d: ai = %g, bi = %g are not finite",
                            i, ai[i], bi[i]);
    if (!have_ps && !(o->ps_const > 0.0 && isfinite(o->ps_const)))
        return nj_error(NJORD_EINVAL,
                        FN ": ps is empty and ps_const = %g Pa; a positive ps_const is needed",
                        o->ps_const);

    vspec sp[F_COUNT];
    int st = NJORD_OK;
    for (int f = 0; f < F_COUNT; f++) {
        if (f == F_Q && !have_q) continue;
        if (f == F_PS && !have_ps) continue;
        if (f == F_PHIS && (!have_phis || estimate)) continue;
        if ((st = parse_spec(f, spec_of[f], o->file, &sp[f])) != NJORD_OK) return st;
    }

    size_t ncol = (size_t)nlat * (size_t)nlon;
    double *src[F_COUNT] = {NULL};
    vcoord vc[F_COUNT];
    memset(vc, 0, sizeof vc);
    double *psm = NULL, *phm = NULL, *pcol = NULL, *fcol = NULL, *pfull = NULL, *ocol = NULL;
    int nsrc_max = 1;

    /* ---- surface pressure */
    if (have_ps) {
        vspec *s = &sp[F_PS];
        int nl;
        char levdim[NC_MAX_NAME + 1];
        st = nj_latlon_read_levels(s->n.path, s->n.var, o->time_index, 0, nlat, nlon, lat, &nl,
                                   levdim, &psm);
        if (st != NJORD_OK) {
            nj_error_context(st, FN ": %s ('%s')", field_name[F_PS], s->spec);
            goto done;
        }
        if (nl != 1) {
            st = fail(NJORD_EFORMAT, s, "variable '%s' in '%s' has %d levels (dimension '%s'); "
                      "a surface field has one", s->n.var, s->n.path, nl, levdim);
            goto done;
        }
        conv c;
        nj_nc_spec_units(&s->n);
        if ((st = units_conv(s, &c)) != NJORD_OK ||
            (st = convert_check(s, &c, psm, ncol, nlat, nlon, lat)) != NJORD_OK)
            goto done;
    } else {
        psm = malloc(ncol * sizeof *psm);
        if (!psm) {
            st = nj_error(NJORD_ENOMEM, FN ": out of memory");
            goto done;
        }
        for (size_t c = 0; c < ncol; c++) psm[c] = o->ps_const;
    }
    /* the model's half levels in every column */
    for (size_t c = 0; c < ncol; c++) {
        double prev = ai[0] + bi[0] * psm[c];
        if (!(prev >= 0.0)) {
            st = nj_error(NJORD_EINVAL, FN ": model half level 0 has pressure %g Pa < 0 for ps = "
                          "%g Pa (ai[0] = %g, bi[0] = %g)", prev, psm[c], ai[0], bi[0]);
            goto done;
        }
        for (int i = 1; i <= nlev; i++) {
            double ph = ai[i] + bi[i] * psm[c];
            if (!(ph > prev)) {
                st = nj_error(NJORD_EINVAL,
                              FN ": model half levels do not increase downwards for ps = %g Pa: "
                              "%g Pa at half level %d, %g Pa at %d (ai, bi or %s wrong?)",
                              psm[c], prev, i - 1, ph, i,
                              have_ps ? "the surface pressure" : "ps_const");
                goto done;
            }
            prev = ph;
        }
    }

    /* ---- surface geopotential */
    if (have_phis && !estimate) {
        vspec *s = &sp[F_PHIS];
        int nl;
        char levdim[NC_MAX_NAME + 1];
        st = nj_latlon_read_levels(s->n.path, s->n.var, o->time_index, 1, nlat, nlon, lat, &nl,
                                   levdim, &phm);
        if (st != NJORD_OK) {
            nj_error_context(st, FN ": %s ('%s')", field_name[F_PHIS], s->spec);
            goto done;
        }
        if (nl != 1) {
            st = fail(NJORD_EFORMAT, s, "variable '%s' in '%s' has %d levels (dimension '%s'); "
                      "a surface field has one", s->n.var, s->n.path, nl, levdim);
            goto done;
        }
        nj_nc_spec_units(&s->n);
        conv c;
        if ((st = units_conv(s, &c)) != NJORD_OK ||
            (st = convert_check(s, &c, phm, ncol, nlat, nlon, lat)) != NJORD_OK)
            goto done;
    } else {
        phm = malloc(ncol * sizeof *phm);
        if (!phm) {
            st = nj_error(NJORD_ENOMEM, FN ": out of memory");
            goto done;
        }
        for (size_t c = 0; c < ncol; c++)
            phm[c] = estimate ? NJ_VI_G * (288.15 / NJ_VI_LAPSE) *
                                    (1.0 - pow(psm[c] / 101325.0, NJ_VI_GAMMA))
                              : 0.0;
    }

    /* ---- the 3-D fields */
    for (int f = F_U; f <= F_Q; f++) {
        if (f == F_Q && !have_q) continue;
        vspec *s = &sp[f];
        int nl;
        char levdim[NC_MAX_NAME + 1];
        st = nj_latlon_read_levels(s->n.path, s->n.var, o->time_index, 0, nlat, nlon, lat, &nl,
                                   levdim, &src[f]);
        if (st != NJORD_OK) {
            nj_error_context(st, FN ": %s ('%s')", field_name[f], s->spec);
            goto done;
        }
        nj_nc_spec_units(&s->n);
        conv c;
        if ((st = units_conv(s, &c)) != NJORD_OK ||
            (st = convert_check(s, &c, src[f], (size_t)nl * ncol, nlat, nlon, lat)) != NJORD_OK)
            goto done;
        if ((st = detect_vcoord(s, levdim, nl, &vc[f])) != NJORD_OK) goto done;
        if (vc[f].kind == VC_HYBRID && !have_ps) {
            st = fail(NJORD_EINVAL, s,
                      "variable '%s' in '%s' is on %s, which need the surface pressure, but "
                      "o->ps is empty",
                      s->n.var, s->n.path, vc[f].desc);
            goto done;
        }
        nsrc_max = NJ_MAX(nsrc_max, nl);
    }

    pcol = malloc((size_t)nsrc_max * sizeof *pcol);
    fcol = malloc((size_t)nsrc_max * sizeof *fcol);
    pfull = malloc((size_t)nlev * sizeof *pfull);
    ocol = malloc((size_t)nlev * sizeof *ocol);
    if (!pcol || !fcol || !pfull || !ocol) {
        st = nj_error(NJORD_ENOMEM, FN ": out of memory");
        goto done;
    }
    /* source pressures in every column (pressure levels: once) */
    for (int f = F_U; f <= F_Q; f++) {
        if (!src[f]) continue;
        size_t nc = vc[f].kind == VC_HYBRID ? ncol : 1;
        for (size_t c = 0; c < nc; c++) {
            int rev;
            if ((st = source_column(&sp[f], &vc[f], psm[c], pcol, &rev, 1,
                                    lat[c / (size_t)nlon] * 180.0 / M_PI,
                                    360.0 * (double)(c % (size_t)nlon) / nlon)) != NJORD_OK)
                goto done;
        }
    }

    /* ---- every check passed: write the outputs */
    double *outp[F_COUNT] = {u, v, t, q, NULL, NULL};
    for (size_t c = 0; c < ncol; c++) {
        nj_vinterp_full_levels(nlev, ai, bi, psm[c], pfull);
        for (int f = F_U; f <= F_Q; f++) {
            if (!src[f]) continue;
            int n = vc[f].n, rev;
            source_column(&sp[f], &vc[f], psm[c], pcol, &rev, 0, 0.0, 0.0);
            for (int j = 0; j < n; j++) fcol[j] = src[f][(size_t)(rev ? n - 1 - j : j) * ncol + c];
            if (f == F_T)
                nj_vinterp_logp_lapse(n, pcol, fcol, nlev, pfull, ocol);
            else
                nj_vinterp_logp(n, pcol, fcol, nlev, pfull, ocol);
            for (int k = 0; k < nlev; k++) outp[f][(size_t)k * ncol + c] = ocol[k];
        }
        ps[c] = psm[c];
        phis[c] = phm[c];
    }

done:
    for (int f = 0; f < F_COUNT; f++) {
        free(src[f]);
        free(vc[f].a);
        free(vc[f].b);
    }
    free(psm);
    free(phm);
    free(pcol);
    free(fcol);
    free(pfull);
    free(ocol);
    return st;
}
