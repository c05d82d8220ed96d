/* lib/io/nc_util.c — small NetCDF helpers shared by the readers (nc_util.h). */
#include "nc_util.h"

#include "njord/core.h"

#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int nj_nc_att_text(int ncid, int varid, const char *name, char *buf, size_t len)
{
    nc_type t;
    size_t n;
    buf[0] = '\0';
    if (nc_inq_att(ncid, varid, name, &t, &n) != NC_NOERR) return 0;
    if (t == NC_CHAR) {
        char *tmp = malloc(n + 1);
        if (!tmp) return 0;
        if (nc_get_att_text(ncid, varid, name, tmp) != NC_NOERR) {
            free(tmp);
            return 0;
        }
        tmp[n] = '\0';
        snprintf(buf, len, "%s", tmp);
        free(tmp);
    } else if (t == NC_STRING && n >= 1) {
        char **sv = calloc(n, sizeof *sv);
        if (!sv) return 0;
        if (nc_get_att_string(ncid, varid, name, sv) != NC_NOERR) {
            free(sv);
            return 0;
        }
        snprintf(buf, len, "%s", sv[0] ? sv[0] : "");
        nc_free_string(n, sv);
        free(sv);
    } else {
        return 0;
    }
    size_t k = strlen(buf);
    while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == '\t')) buf[--k] = '\0';
    size_t b = strspn(buf, " \t");
    if (b) memmove(buf, buf + b, strlen(buf + b) + 1);
    return 1;
}

/* ------------------------------------------------------------------------- */
/* truncated classic files                                                    */

/* Reader over the header bytes of a classic (CDF-1, -2, -5) file: big-endian
 * integers, 4-byte padding (NetCDF classic format specification). */
typedef struct {
    const unsigned char *b;
    size_t n, at;
    int v; /* format version 1, 2 or 5 */
    int bad;
} nj_hdr;

static unsigned long long hdr_uint(nj_hdr *h, int bytes)
{
    unsigned long long x = 0;
    if (h->bad || h->at + (size_t)bytes > h->n) {
        h->bad = 1;
        return 0;
    }
    for (int i = 0; i < bytes; i++) x = (x << 8) | h->b[h->at++];
    return x;
}

/* nelems and counts: 8 bytes in CDF-5, else 4 */
static unsigned long long hdr_count(nj_hdr *h) { return hdr_uint(h, h->v == 5 ? 8 : 4); }

static void hdr_skip(nj_hdr *h, unsigned long long bytes)
{
    unsigned long long padded = (bytes + 3) / 4 * 4;
    if (h->bad || padded > h->n - h->at) h->bad = 1;
    else h->at += (size_t)padded;
}

static int type_size(unsigned long long t)
{
    switch (t) {
    case 1: case 2: case 7: return 1;  /* byte, char, ubyte */
    case 3: case 8: return 2;          /* short, ushort */
    case 4: case 5: case 9: return 4;  /* int, float, uint */
    case 6: case 10: case 11: return 8; /* double, int64, uint64 */
    }
    return 0;
}

static void hdr_atts(nj_hdr *h)
{
    unsigned long long tag = hdr_uint(h, 4), n = hdr_count(h);
    if (tag == 0) return; /* ABSENT */
    for (unsigned long long a = 0; a < n && !h->bad; a++) {
        hdr_skip(h, hdr_count(h)); /* name */
        int ts = type_size(hdr_uint(h, 4));
        unsigned long long ne = hdr_count(h);
        if (!ts || ne > (1ULL << 40)) h->bad = 1;
        else hdr_skip(h, ne * (unsigned long long)ts);
    }
}

/* The size the header of a classic file says it needs (0 if it cannot tell). */
static unsigned long long classic_needed(nj_hdr *h)
{
    h->at = 4;
    unsigned long long numrecs = hdr_count(h);
    if (numrecs == (h->v == 5 ? ~0ULL : 0xFFFFFFFFULL)) return 0; /* streaming */
    unsigned long long tag = hdr_uint(h, 4), ndims = hdr_count(h);
    enum { MAXD = 1024 };
    unsigned long long dimlen[MAXD];
    if (tag != 0 && ndims > MAXD) return 0;
    for (unsigned long long d = 0; tag != 0 && d < ndims && !h->bad; d++) {
        hdr_skip(h, hdr_count(h));
        dimlen[d] = hdr_count(h); /* 0: the record dimension */
    }
    if (tag == 0) ndims = 0;
    hdr_atts(h); /* global attributes */
    tag = hdr_uint(h, 4);
    unsigned long long nvars = hdr_count(h), need = 0, recsize = 0, recend = 0;
    int nrec = 0;
    for (unsigned long long v = 0; tag != 0 && v < nvars && !h->bad; v++) {
        hdr_skip(h, hdr_count(h));
        unsigned long long nd = hdr_count(h);
        int isrec = 0;
        for (unsigned long long k = 0; k < nd && !h->bad; k++) {
            unsigned long long id = hdr_count(h);
            if (id >= ndims) h->bad = 1;
            else if (k == 0 && dimlen[id] == 0) isrec = 1;
        }
        hdr_atts(h);
        hdr_uint(h, 4); /* type */
        const unsigned long long vsize = hdr_count(h), begin = hdr_uint(h, h->v == 1 ? 4 : 8);
        if (isrec) {
            recsize += vsize;
            nrec++;
            if (begin + vsize > recend) recend = begin + vsize;
        } else if (begin + vsize > need) {
            need = begin + vsize;
        }
    }
    if (h->bad) return 0;
    /* the last record: numrecs - 1 records of recsize bytes after the first */
    if (nrec > 0 && numrecs > 0 && recend + (numrecs - 1) * recsize > need)
        need = recend + (numrecs - 1) * recsize;
    return need;
}

/* Whether path is a classic-format file shorter than its header says (the
 * NetCDF library reads the missing data as zeros); then msg says so. */
int nj_nc_check_truncated(const char *path, char *msg, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char *buf = NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned long long need = 0;
    /* read until the header parses (64 KiB first, up to 64 MiB), or to the end */
    for (;;) {
        unsigned char *nb = realloc(buf, cap);
        if (!nb) break;
        buf = nb;
        n += fread(buf + n, 1, cap - n, f);
        if (n < 8 || memcmp(buf, "CDF", 3) || (buf[3] != 1 && buf[3] != 2 && buf[3] != 5))
            break; /* not a classic file */
        nj_hdr h = {buf, n, 0, buf[3], 0};
        need = classic_needed(&h);
        if (!h.bad || n < cap || cap >= (64u << 20)) break;
        cap *= 4;
    }
    int truncated = 0;
    if (need > 0 && fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        /* 3 bytes of slack: a lone record variable's records are not padded */
        if (size >= 0 && (unsigned long long)size + 3 < need) {
            snprintf(msg, len, "file '%s' is truncated: %ld bytes, its header describes %llu",
                     path, size, need);
            truncated = 1;
        }
    }
    free(buf);
    fclose(f);
    return truncated;
}

/* ------------------------------------------------------------------------- */
/* variable specs and units                                                   */

int nj_nc_spec_parse(const char *spec, const char *file, nj_nc_spec *s, const char **why)
{
    memset(s, 0, sizeof *s);
    char buf[sizeof s->path + sizeof s->var + sizeof s->units + 8];
    size_t n = spec ? strlen(spec) : 0;
    if (!spec) {
        *why = "no spec";
        return NJORD_EINVAL;
    }
    if (n >= sizeof buf) {
        *why = "spec is too long";
        return NJORD_EINVAL;
    }
    memcpy(buf, spec, n + 1);
    if (n > 0 && buf[n - 1] == ']') {
        char *open = strrchr(buf, '[');
        if (!open) {
            *why = "unbalanced ']' (units are given as VAR[units])";
            return NJORD_EINVAL;
        }
        size_t ul = (size_t)(buf + n - 1 - (open + 1));
        if (ul == 0 || ul >= sizeof s->units) {
            *why = "the units in [] are empty or too long";
            return NJORD_EINVAL;
        }
        memcpy(s->units, open + 1, ul);
        s->units[ul] = '\0';
        s->units_given = 1;
        *open = '\0';
    }
    char *colon = strrchr(buf, ':');
    const char *var = buf, *path = file;
    if (colon) {
        *colon = '\0';
        var = colon + 1;
        path = buf;
        if (buf[0] == '\0') {
            *why = "empty file name before ':'";
            return NJORD_EINVAL;
        }
    } else if (!file || !*file) {
        *why = "no file: none is configured and the spec does not name one (\"path:VAR\")";
        return NJORD_EINVAL;
    }
    if (var[0] == '\0') {
        *why = "empty variable name";
        return NJORD_EINVAL;
    }
    if (strlen(var) >= sizeof s->var) {
        *why = "variable name is too long";
        return NJORD_EINVAL;
    }
    if (strlen(path) >= sizeof s->path) {
        *why = "file name is too long";
        return NJORD_EINVAL;
    }
    strcpy(s->var, var);
    strcpy(s->path, path);
    return NJORD_OK;
}

void nj_nc_spec_units(nj_nc_spec *s)
{
    int ncid, vid;
    if (s->units_given || nc_open(s->path, NC_NOWRITE, &ncid) != NC_NOERR) return;
    if (nc_inq_varid(ncid, s->var, &vid) == NC_NOERR)
        s->units_given = nj_nc_att_text(ncid, vid, "units", s->units, sizeof s->units);
    nc_close(ncid);
}

int nj_one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(s, *list) == 0) return 1;
    return 0;
}

static const char *const u_wind[] = {
    "m/s", "m s-1", "m s**-1", "m s^-1", "m.s-1", "m*s-1", "ms-1", "m sec-1", "m/sec",
    "meter/second", "meters/second", "metre/second", "metres/second", "meter second-1",
    "meters second-1", "metre second-1", "metres second-1", NULL};
static const char *const u_kelvin[] = {"K",        "kelvin",    "kelvins",   "degK",
                                       "deg_K",    "degree_K",  "degrees_K", "degreeK",
                                       "degreesK", "degrees K", "deg K",     NULL};
static const char *const u_celsius[] = {
    "C",         "degC",      "deg_C",          "degree_C",        "degrees_C",
    "degreeC",   "degreesC",  "deg C",          "degrees C",       "degree C",
    "Celsius",   "celsius",   "degree_Celsius", "degrees_Celsius", "degree Celsius",
    "degrees Celsius",        NULL};
static const char *const u_pa[] = {"Pa", "pascal", "pascals", NULL};
static const char *const u_hpa[] = {"hPa",      "hectopascal", "hectopascals", "mbar",
                                    "millibar", "millibars",   "mb",           NULL};
static const char *const u_kpa[] = {"kPa", "kilopascal", "kilopascals", NULL};
static const char *const u_lnpa[] = {"ln(Pa)", "log(Pa)", "ln Pa", "ln(pascal)", NULL};
static const char *const u_dimless[] = {"~", "1", "-", "dimensionless", "", NULL};
static const char *const u_geopot[] = {
    "m2 s-2",   "m**2 s**-2", "m^2/s^2", "m2/s2",  "m^2 s^-2", "m^2 s-2", "m2.s-2",
    "m2 s**-2", "m**2/s**2",  "m2/s^2",  "J/kg",   "J kg-1",   "J kg**-1", "J.kg-1",
    "J kg^-1",  NULL};
static const char *const u_metre[] = {"m",      "meter", "meters", "metre", "metres",
                                      "gpm",    "geopotential meters", "geopotential metres",
                                      NULL};
static const char *const u_kgkg[] = {"kg/kg",  "kg kg-1", "kg kg**-1", "kg kg^-1", "kg.kg-1",
                                     "kg*kg-1", "1",      NULL};
static const char *const u_gkg[] = {"g/kg", "g kg-1", "g kg**-1", "g kg^-1", "g.kg-1", NULL};

int nj_units_is(const char *u, nj_unit k)
{
    static const char *const *const list[] = {u_wind, u_kelvin, u_celsius, u_pa,     u_hpa,  u_kpa,
                                              u_lnpa, u_dimless, u_geopot, u_metre, u_kgkg, u_gkg};
    if ((unsigned)k >= sizeof list / sizeof list[0]) return 0;
    return nj_one_of(u, list[k]);
}
