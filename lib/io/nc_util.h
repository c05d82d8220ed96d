/* lib/io/nc_util.h — small NetCDF helpers shared by the readers and writers (internal). */
#ifndef NJ_NC_UTIL_H
#define NJ_NC_UTIL_H

#include <stddef.h>

/** Text attribute name of variable varid (NC_GLOBAL for the file) into buf (len
 *  bytes, truncated to fit), blanks trimmed at both ends: NC_CHAR, or the first
 *  value of an NC_STRING attribute (NetCDF-4, as h5netcdf writes them). Returns
 *  1, or 0 (buf "") when the attribute is absent, of another type or unreadable. */
int nj_nc_att_text(int ncid, int varid, const char *name, char *buf, size_t len);

/** Whether path is a NetCDF classic-format file (CDF-1, -2 or -5) shorter than
 *  its header says: the NetCDF library then reads the missing data as zeros
 *  without an error. Returns 1 and a message in msg, else 0 (also for
 *  NetCDF-4 files, whose library reports damage itself). */
int nj_nc_check_truncated(const char *path, char *msg, size_t len);

/** A variable spec "[PATH:]VAR[[UNITS]]" split: PATH defaults to the caller's
 *  file; UNITS in brackets override the variable's units attribute. */
typedef struct {
    char path[4096];
    char var[257];    /* NC_MAX_NAME + 1 */
    char units[128];  /* the override, or the attribute once loaded ("" if none) */
    int units_given;  /* 1: override in the spec, or attribute present */
} nj_nc_spec;

/** Split spec into *s (file: the default PATH, may be NULL or ""). NJORD_OK, or
 *  NJORD_EINVAL with *why a description of what is wrong (static text; no
 *  message is recorded: the caller names the spec). */
int nj_nc_spec_parse(const char *spec, const char *file, nj_nc_spec *s, const char **why);

/** Unless the spec gave units: the variable's units attribute into s->units
 *  (s->units_given 1 when present). Files that cannot be opened are left to
 *  the reader, which names the problem. */
void nj_nc_spec_units(nj_nc_spec *s);

/** Units the readers know, each with the spellings they accept. */
typedef enum {
    NJ_U_WIND,     /* m/s */
    NJ_U_KELVIN,
    NJ_U_CELSIUS,
    NJ_U_PA,
    NJ_U_HPA,
    NJ_U_KPA,
    NJ_U_LNPA,     /* ln(Pa) */
    NJ_U_DIMLESS,  /* "1", "~", "-", "" */
    NJ_U_GEOPOT,   /* m2 s-2, J/kg */
    NJ_U_METRE,    /* m, gpm */
    NJ_U_KGKG,
    NJ_U_GKG
} nj_unit;

/** Why creating a file for path failed with NetCDF status nc_status, into buf:
 *  the directory's problem when njord_path_writable finds one (the library
 *  reports a missing directory as "Permission denied"), else nc_strerror's. */
void nj_create_reason(const char *path, int nc_status, char *buf, size_t len);

/** Whether s is one of the NULL-terminated list (case-insensitive). */
int nj_one_of(const char *s, const char *const *list);

/** Whether u spells unit k (case-insensitive, as the readers accept it). */
int nj_units_is(const char *u, nj_unit k);

#endif
