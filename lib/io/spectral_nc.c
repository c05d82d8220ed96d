/* lib/io/spectral_nc.c — spectral fields in NetCDF, ECMWF/CDO convention.
 *
 * CDO's spectral NetCDF layout and coefficient convention were determined by
 * experiment with cdo 2.1.1 (see lib/io/SPECTRAL_NC.md): a variable
 * [time][lev](nsp, nc2) with attribute CDI_grid_type = "spectral", coefficients
 * ordered m-major and normalised exactly as in Njord, so no rescaling is needed. */
#define _POSIX_C_SOURCE 200809L

#include "njord/io.h"
#include "njord/sht.h"

#include "../core/common.h"
#include "../core/error.h"
#include "nc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netcdf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NJ_SPEC_DIM "nsp"
#define NJ_CPLX_DIM "nc2"
#define NJ_GRIDTYPE_ATT "CDI_grid_type"
#define NJ_TRUNC_ATT "truncation"

/* ------------------------------------------------------------------------- */
/* helpers                                                                    */

/* T from nsp = (T+1)(T+2)/2; -1 if nsp is not such a number. */
static int trunc_from_nspec(size_t nsp)
{
    if (nsp == 0) return -1;
    double t = (sqrt(8.0 * (double)nsp + 1.0) - 3.0) / 2.0;
    long T = lround(t);
    if (T < 0 || T > INT32_MAX / 2) return -1;
    for (long c = T - 1; c <= T + 1; c++)
        if (c >= 0 && NJORD_SHT_NSPEC(c) == nsp) return (int)c;
    return -1;
}

/* Level dimension name for the i-th distinct level count (i = 0, 1, ...). */
static void lev_dim_name(int i, char *buf, size_t len)
{
    if (i == 0)
        snprintf(buf, len, "lev");
    else
        snprintf(buf, len, "lev%d", i + 1);
}

/* ------------------------------------------------------------------------- */
/* writing                                                                    */

static int check_write_args(const char *path, int T, int nvars, const njord_spec_var *vars)
{
    if (path == NULL || path[0] == '\0')
        return nj_error(NJORD_EINVAL, "njord_spec_nc_write: path is NULL or empty");
    if (T < 0)
        return nj_error(NJORD_EINVAL, "njord_spec_nc_write('%s'): truncation T = %d < 0", path, T);
    if (nvars < 1 || vars == NULL)
        return nj_error(NJORD_EINVAL, "njord_spec_nc_write('%s'): no variables (nvars = %d%s)",
                        path, nvars, vars == NULL ? ", vars = NULL" : "");
    size_t nreal = 2 * NJORD_SHT_NSPEC(T);
    for (int i = 0; i < nvars; i++) {
        const njord_spec_var *v = &vars[i];
        if (v->name == NULL || v->name[0] == '\0')
            return nj_error(NJORD_EINVAL, "njord_spec_nc_write('%s'): variable %d has no name",
                            path, i);
        if (v->nlev < 1)
            return nj_error(NJORD_EINVAL,
                            "njord_spec_nc_write('%s'): variable '%s' has nlev = %d < 1", path,
                            v->name, v->nlev);
        if (v->data == NULL)
            return nj_error(NJORD_EINVAL, "njord_spec_nc_write('%s'): variable '%s' has data = NULL",
                            path, v->name);
        if ((size_t)v->nlev > SIZE_MAX / sizeof(double) / nreal)
            return nj_error(NJORD_EINVAL, "njord_spec_nc_write('%s'): variable '%s' is too large",
                            path, v->name);
        if (strcmp(v->name, NJ_SPEC_DIM) == 0 || strcmp(v->name, NJ_CPLX_DIM) == 0 ||
            strncmp(v->name, "lev", 3) == 0) {
            /* "lev", "lev2", ... are the level coordinates; reject any lev* name
             * that could collide with one of them. */
            int collides = strcmp(v->name, NJ_SPEC_DIM) == 0 || strcmp(v->name, NJ_CPLX_DIM) == 0;
            if (!collides) {
                const char *p = v->name + 3;
                collides = 1;
                for (; *p; p++)
                    if (*p < '0' || *p > '9') collides = 0;
            }
            if (collides)
                return nj_error(NJORD_EINVAL,
                                "njord_spec_nc_write('%s'): variable name '%s' is reserved for a "
                                "dimension or level coordinate",
                                path, v->name);
        }
        for (int j = 0; j < i; j++)
            if (strcmp(vars[j].name, v->name) == 0)
                return nj_error(NJORD_EINVAL,
                                "njord_spec_nc_write('%s'): variable name '%s' used twice", path,
                                v->name);
    }
    return NJORD_OK;
}

/* Map a NetCDF error during definition/writing to a status with message. */
static int nc_fail(int ncerr, const char *path, const char *what, const char *name)
{
    int status = (ncerr == NC_EBADNAME || ncerr == NC_EMAXNAME || ncerr == NC_ENAMEINUSE)
                     ? NJORD_EINVAL
                     : NJORD_EIO;
    if (name)
        return nj_error(status, "njord_spec_nc_write('%s'): %s '%s': %s", path, what, name,
                        nc_strerror(ncerr));
    return nj_error(status, "njord_spec_nc_write('%s'): %s: %s", path, what, nc_strerror(ncerr));
}

/* Write the whole file into an already created (define mode) dataset. */
static int write_contents(int ncid, const char *path, int T, int nvars, const njord_spec_var *vars)
{
    int rc, old_fill;
    size_t nsp = NJORD_SHT_NSPEC(T);
    size_t nreal = 2 * nsp;
    int dim_sp, dim_c2;
    int status = NJORD_OK;
    int *varids = NULL, *levdims = NULL, *levvars = NULL, *levsize = NULL;
    double *buf = NULL;
    int nlevdims = 0;

    varids = calloc((size_t)nvars, sizeof *varids);
    levdims = calloc((size_t)nvars, sizeof *levdims);
    levvars = calloc((size_t)nvars, sizeof *levvars);
    levsize = calloc((size_t)nvars, sizeof *levsize);
    buf = malloc(nreal * sizeof *buf);
    if (!varids || !levdims || !levvars || !levsize || !buf) {
        status = nj_error(NJORD_ENOMEM, "njord_spec_nc_write('%s'): out of memory", path);
        goto done;
    }

    if ((rc = nc_set_fill(ncid, NC_NOFILL, &old_fill)) != NC_NOERR) {
        status = nc_fail(rc, path, "nc_set_fill", NULL);
        goto done;
    }
    const char *conv = "CF-1.6";
    const char *source = "Njord " NJORD_VERSION_STRING;
    if ((rc = nc_put_att_text(ncid, NC_GLOBAL, "Conventions", strlen(conv), conv)) != NC_NOERR ||
        (rc = nc_put_att_text(ncid, NC_GLOBAL, "source", strlen(source), source)) != NC_NOERR) {
        status = nc_fail(rc, path, "global attributes", NULL);
        goto done;
    }
    if ((rc = nc_def_dim(ncid, NJ_SPEC_DIM, nsp, &dim_sp)) != NC_NOERR ||
        (rc = nc_def_dim(ncid, NJ_CPLX_DIM, 2, &dim_c2)) != NC_NOERR) {
        status = nc_fail(rc, path, "defining dimensions", NULL);
        goto done;
    }

    /* Level dimensions: one per distinct nlev > 1, in order of appearance. */
    for (int i = 0; i < nvars; i++) {
        if (vars[i].nlev == 1) continue;
        int k;
        for (k = 0; k < nlevdims; k++)
            if (levsize[k] == vars[i].nlev) break;
        if (k < nlevdims) continue;
        char lname[32];
        lev_dim_name(nlevdims, lname, sizeof lname);
        if ((rc = nc_def_dim(ncid, lname, (size_t)vars[i].nlev, &levdims[nlevdims])) != NC_NOERR ||
            (rc = nc_def_var(ncid, lname, NC_DOUBLE, 1, &levdims[nlevdims], &levvars[nlevdims])) !=
                NC_NOERR) {
            status = nc_fail(rc, path, "defining level dimension", lname);
            goto done;
        }
        const char *ln = "level index";
        if ((rc = nc_put_att_text(ncid, levvars[nlevdims], "long_name", strlen(ln), ln)) !=
                NC_NOERR ||
            (rc = nc_put_att_text(ncid, levvars[nlevdims], "axis", 1, "Z")) != NC_NOERR) {
            status = nc_fail(rc, path, "level attributes", lname);
            goto done;
        }
        levsize[nlevdims++] = vars[i].nlev;
    }

    for (int i = 0; i < nvars; i++) {
        const njord_spec_var *v = &vars[i];
        int dims[3], nd = 0;
        if (v->nlev > 1) {
            int k;
            for (k = 0; k < nlevdims; k++)
                if (levsize[k] == v->nlev) break;
            dims[nd++] = levdims[k];
        }
        dims[nd++] = dim_sp;
        dims[nd++] = dim_c2;
        if ((rc = nc_def_var(ncid, v->name, NC_DOUBLE, nd, dims, &varids[i])) != NC_NOERR) {
            status = nc_fail(rc, path, "defining variable", v->name);
            goto done;
        }
        const char *gt = "spectral";
        const char *axis = v->nlev > 1 ? "Z--" : "--";
        int tr = T;
        if ((rc = nc_put_att_text(ncid, varids[i], NJ_GRIDTYPE_ATT, strlen(gt), gt)) != NC_NOERR ||
            (rc = nc_put_att_text(ncid, varids[i], "axis", strlen(axis), axis)) != NC_NOERR ||
            (rc = nc_put_att_int(ncid, varids[i], NJ_TRUNC_ATT, NC_INT, 1, &tr)) != NC_NOERR ||
            (v->long_name && (rc = nc_put_att_text(ncid, varids[i], "long_name",
                                                   strlen(v->long_name), v->long_name)) !=
                                 NC_NOERR) ||
            (v->units && (rc = nc_put_att_text(ncid, varids[i], "units", strlen(v->units),
                                               v->units)) != NC_NOERR)) {
            status = nc_fail(rc, path, "attributes of variable", v->name);
            goto done;
        }
    }
    if ((rc = nc_enddef(ncid)) != NC_NOERR) {
        status = nc_fail(rc, path, "nc_enddef", NULL);
        goto done;
    }

    for (int k = 0; k < nlevdims; k++) {
        for (int l = 0; l < levsize[k]; l++) {
            size_t idx = (size_t)l;
            double val = (double)(l + 1);
            if ((rc = nc_put_var1_double(ncid, levvars[k], &idx, &val)) != NC_NOERR) {
                status = nc_fail(rc, path, "writing level coordinate", NULL);
                goto done;
            }
        }
    }

    for (int i = 0; i < nvars; i++) {
        const njord_spec_var *v = &vars[i];
        for (int l = 0; l < v->nlev; l++) {
            const njord_real *src = v->data + (size_t)l * nreal;
            for (size_t j = 0; j < nreal; j++) buf[j] = (double)src[j];
            /* m = 0: coefficients 0..T; their imaginary parts are zero by convention. */
            for (int n = 0; n <= T; n++) buf[2 * (size_t)n + 1] = 0.0;
            size_t start[3] = {0, 0, 0}, count[3] = {0, 0, 0};
            int nd = 0;
            if (v->nlev > 1) {
                start[nd] = (size_t)l;
                count[nd++] = 1;
            }
            count[nd++] = nsp;
            count[nd++] = 2;
            if ((rc = nc_put_vara_double(ncid, varids[i], start, count, buf)) != NC_NOERR) {
                status = nc_fail(rc, path, "writing variable", v->name);
                goto done;
            }
        }
    }

done:
    free(varids);
    free(levdims);
    free(levvars);
    free(levsize);
    free(buf);
    return status;
}

int njord_spec_nc_write(const char *path, int T, int nvars, const njord_spec_var *vars)
{
    int status = check_write_args(path, T, nvars, vars);
    if (status != NJORD_OK) return status;

    size_t plen = strlen(path) + 32;
    char *tmp = malloc(plen);
    if (!tmp) return nj_error(NJORD_ENOMEM, "njord_spec_nc_write('%s'): out of memory", path);
    snprintf(tmp, plen, "%s.tmp-%ld", path, (long)getpid());

    int ncid, rc;
    if ((rc = nc_create(tmp, NC_CLOBBER | NC_64BIT_OFFSET, &ncid)) != NC_NOERR) {
        char why[4400];
        nj_create_reason(path, rc, why, sizeof why);
        status = nj_error(NJORD_EIO, "njord_spec_nc_write('%s'): cannot create '%s': %s", path,
                          tmp, why);
        free(tmp);
        return status;
    }
    status = write_contents(ncid, path, T, nvars, vars);
    rc = nc_close(ncid);
    if (status == NJORD_OK && rc != NC_NOERR)
        status = nj_error(NJORD_EIO, "njord_spec_nc_write('%s'): closing '%s': %s", path, tmp,
                          nc_strerror(rc));
    if (status == NJORD_OK) {
        /* Make the data durable before the rename makes it visible. */
        int fd = open(tmp, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0)
            status = nj_error(NJORD_EIO, "njord_spec_nc_write('%s'): fsync of '%s' failed: %s",
                              path, tmp, strerror(errno));
        if (fd >= 0) close(fd);
    }
    if (status == NJORD_OK && rename(tmp, path) != 0)
        status = nj_error(NJORD_EIO, "njord_spec_nc_write('%s'): rename from '%s' failed: %s",
                          path, tmp, strerror(errno));
    if (status != NJORD_OK) remove(tmp);
    free(tmp);
    return status;
}

/* ------------------------------------------------------------------------- */
/* reading                                                                    */

typedef struct {
    int ncid;
    int varid;
    int T;       /* file truncation */
    int nlev;    /* levels (1 without a level dimension) */
    int ndims;   /* 2..4 */
    int levpos;  /* index of the level dimension, -1 if none */
    int timepos; /* index of the time dimension, -1 if none */
    size_t nsp;
} spec_var_info;

static int open_err(int rc, const char *fn, const char *path)
{
    if (rc == NC_ENOTNC)
        return nj_error(NJORD_EFORMAT, "%s: '%s' is not a NetCDF file", fn, path);
    return nj_error(NJORD_EIO, "%s: cannot open '%s': %s", fn, path, nc_strerror(rc));
}

/* Open path and locate the spectral variable name; on success the file is open
 * (caller closes info->ncid), on error it is closed. */
static int open_spec_var(const char *fn, const char *path, const char *name,
                         spec_var_info *info)
{
    int rc, status = NJORD_OK;
    if (path == NULL || path[0] == '\0')
        return nj_error(NJORD_EINVAL, "%s: path is NULL or empty", fn);
    if (name == NULL || name[0] == '\0')
        return nj_error(NJORD_EINVAL, "%s('%s'): variable name is NULL or empty", fn, path);

    if ((rc = nc_open(path, NC_NOWRITE, &info->ncid)) != NC_NOERR) return open_err(rc, fn, path);
    char trunc_msg[4400];
    if (nj_nc_check_truncated(path, trunc_msg, sizeof trunc_msg)) {
        status = nj_error(NJORD_EIO, "%s: %s", fn, trunc_msg);
        goto fail;
    }

    if ((rc = nc_inq_varid(info->ncid, name, &info->varid)) != NC_NOERR) {
        status = nj_error(NJORD_EFORMAT, "%s: file '%s' has no variable '%s'", fn, path, name);
        goto fail;
    }

    /* CDO recognises a spectral field by CDI_grid_type = "spectral"; so do we. */
    nc_type at;
    size_t alen;
    char gtype[32] = "";
    if (!nj_nc_att_text(info->ncid, info->varid, NJ_GRIDTYPE_ATT, gtype, sizeof gtype)) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s' is not a spectral field "
                          "(no text attribute " NJ_GRIDTYPE_ATT " = \"spectral\")",
                          fn, name, path);
        goto fail;
    }
    if (strcmp(gtype, "spectral") != 0) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s' is not a spectral field "
                          "(" NJ_GRIDTYPE_ATT " = \"%s\")",
                          fn, name, path, gtype);
        goto fail;
    }

    nc_type vt;
    int dimids[NC_MAX_VAR_DIMS];
    if ((rc = nc_inq_var(info->ncid, info->varid, NULL, &vt, &info->ndims, dimids, NULL)) !=
        NC_NOERR) {
        status = nj_error(NJORD_EIO, "%s: '%s', variable '%s': %s", fn, path, name,
                          nc_strerror(rc));
        goto fail;
    }
    if (vt != NC_FLOAT && vt != NC_DOUBLE) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s' is not stored as float or double "
                          "(packed integers are not spectral coefficients here)",
                          fn, name, path);
        goto fail;
    }
    if (info->ndims < 2 || info->ndims > 4) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s' has %d dimensions; expected "
                          "[time][level](nsp, 2)",
                          fn, name, path, info->ndims);
        goto fail;
    }
    size_t len[4];
    char dname[4][NC_MAX_NAME + 1];
    for (int d = 0; d < info->ndims; d++)
        if ((rc = nc_inq_dim(info->ncid, dimids[d], dname[d], &len[d])) != NC_NOERR) {
            status = nj_error(NJORD_EIO, "%s: '%s', variable '%s': %s", fn, path, name,
                              nc_strerror(rc));
            goto fail;
        }
    int nd = info->ndims;
    if (len[nd - 1] != 2) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s': last dimension '%s' has length %zu, "
                          "expected 2 (real, imaginary)",
                          fn, name, path, dname[nd - 1], len[nd - 1]);
        goto fail;
    }
    info->nsp = len[nd - 2];
    info->T = trunc_from_nspec(info->nsp);
    if (info->T < 0) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s': dimension '%s' = %zu is not (T+1)(T+2)/2 "
                          "for any truncation T",
                          fn, name, path, dname[nd - 2], info->nsp);
        goto fail;
    }
    int tr;
    if (nc_inq_att(info->ncid, info->varid, NJ_TRUNC_ATT, &at, &alen) == NC_NOERR) {
        if (alen != 1 || at == NC_CHAR || at == NC_STRING ||
            nc_get_att_int(info->ncid, info->varid, NJ_TRUNC_ATT, &tr) != NC_NOERR ||
            tr != info->T) {
            status = nj_error(NJORD_EFORMAT,
                              "%s: variable '%s' in '%s': attribute truncation does not match "
                              "%zu coefficients (T%d)",
                              fn, name, path, info->nsp, info->T);
            goto fail;
        }
    }

    /* Leading dimensions: optional time (record dimension or "time", length 1),
     * then an optional level dimension. */
    int unlimdim = -1;
    nc_inq_unlimdim(info->ncid, &unlimdim);
    info->timepos = -1;
    info->levpos = -1;
    info->nlev = 1;
    int lead = nd - 2;
    int d0_time = lead >= 1 && (dimids[0] == unlimdim || strcmp(dname[0], "time") == 0);
    if (lead == 2 && !d0_time) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s': unexpected dimension '%s'; expected "
                          "[time][level](nsp, 2)",
                          fn, name, path, dname[0]);
        goto fail;
    }
    if (d0_time) {
        info->timepos = 0;
        if (len[0] != 1) {
            status = nj_error(NJORD_EFORMAT,
                              "%s: variable '%s' in '%s' has %zu time steps; only one is "
                              "supported (select one with cdo seltimestep)",
                              fn, name, path, len[0]);
            goto fail;
        }
    }
    if (lead == 2 || (lead == 1 && !d0_time)) {
        int d = lead - 1;
        if (len[d] < 1 || len[d] > INT32_MAX) {
            status = nj_error(NJORD_EFORMAT,
                              "%s: variable '%s' in '%s': level dimension '%s' has length %zu",
                              fn, name, path, dname[d], len[d]);
            goto fail;
        }
        info->levpos = d;
        info->nlev = (int)len[d];
    }
    return NJORD_OK;

fail:
    nc_close(info->ncid);
    return status;
}

int njord_spec_nc_inquire(const char *path, const char *name, int *T, int *nlev)
{
    spec_var_info info;
    int status = open_spec_var("njord_spec_nc_inquire", path, name, &info);
    if (status != NJORD_OK) return status;
    nc_close(info.ncid);
    if (T) *T = info.T;
    if (nlev) *nlev = info.nlev;
    return NJORD_OK;
}

int njord_spec_nc_read(const char *path, const char *name, int T, int nlev, njord_real *out)
{
    static const char *fn = "njord_spec_nc_read";
    if (T < 0)
        return nj_error(NJORD_EINVAL, "%s('%s', '%s'): truncation T = %d < 0", fn,
                        path ? path : "(null)", name ? name : "(null)", T);
    if (nlev < 1)
        return nj_error(NJORD_EINVAL, "%s('%s', '%s'): nlev = %d < 1", fn, path ? path : "(null)",
                        name ? name : "(null)", nlev);
    if (out == NULL)
        return nj_error(NJORD_EINVAL, "%s('%s', '%s'): out is NULL", fn, path ? path : "(null)",
                        name ? name : "(null)");

    spec_var_info info;
    int status = open_spec_var(fn, path, name, &info);
    if (status != NJORD_OK) return status;
    double *buf = NULL;
    if (info.nlev != nlev) {
        status = nj_error(NJORD_EFORMAT,
                          "%s: variable '%s' in '%s' has %d level(s), the caller expects %d", fn,
                          name, path, info.nlev, nlev);
        goto done;
    }
    size_t fnreal = 2 * info.nsp;
    if ((size_t)nlev > SIZE_MAX / sizeof(double) / fnreal ||
        (buf = malloc((size_t)nlev * fnreal * sizeof *buf)) == NULL) {
        status = nj_error(NJORD_ENOMEM, "%s: out of memory reading variable '%s' from '%s'", fn,
                          name, path);
        goto done;
    }
    size_t start[4] = {0, 0, 0, 0}, count[4] = {1, 1, 1, 1};
    if (info.levpos >= 0) count[info.levpos] = (size_t)nlev;
    count[info.ndims - 2] = info.nsp;
    count[info.ndims - 1] = 2;
    int rc = nc_get_vara_double(info.ncid, info.varid, start, count, buf);
    if (rc != NC_NOERR) {
        status = nj_error(rc == NC_ERANGE ? NJORD_EFORMAT : NJORD_EIO,
                          "%s: reading variable '%s' from '%s': %s", fn, name, path,
                          nc_strerror(rc));
        goto done;
    }

    /* packing (CF: x = stored * scale_factor + add_offset), then no fill or NaN:
     * a hole in a spectral field has no meaning */
    double scale = 1, offset = 0, fill[2];
    int nfill = 0;
    if (nc_get_att_double(info.ncid, info.varid, "scale_factor", &scale) != NC_NOERR) scale = 1;
    if (nc_get_att_double(info.ncid, info.varid, "add_offset", &offset) != NC_NOERR) offset = 0;
    static const char *const fills[2] = {"_FillValue", "missing_value"};
    for (int a = 0; a < 2; a++) {
        size_t len = 0;
        nc_type at;
        if (nc_inq_att(info.ncid, info.varid, fills[a], &at, &len) == NC_NOERR && len == 1 &&
            nc_get_att_double(info.ncid, info.varid, fills[a], &fill[nfill]) == NC_NOERR)
            nfill++;
    }
    for (size_t i = 0; i < (size_t)nlev * fnreal; i++) {
        int bad = isnan(buf[i]);
        for (int a = 0; a < nfill; a++) bad |= buf[i] == fill[a];
        if (bad) {
            const size_t l = i / fnreal, k = (i % fnreal) / 2;
            status = nj_error(NJORD_EFORMAT,
                              "%s: variable '%s' in '%s' has a missing or NaN value at level %zu, "
                              "coefficient %zu (%s part)", fn, name, path, l, k,
                              i % 2 ? "imaginary" : "real");
            goto done;
        }
        buf[i] = buf[i] * scale + offset;
    }

    /* Copy with truncation or zero padding; the convention is the identity. */
    int Tf = info.T, Tc = NJ_MIN(T, Tf);
    size_t onreal = 2 * NJORD_SHT_NSPEC(T);
    for (int l = 0; l < nlev; l++) {
        njord_real *o = out + (size_t)l * onreal;
        const double *s = buf + (size_t)l * fnreal;
        memset(o, 0, onreal * sizeof *o);
        for (int m = 0; m <= Tc; m++) {
            size_t ko = njord_sht_index(T, m, m), kf = njord_sht_index(Tf, m, m);
            for (int n = m; n <= Tc; n++, ko++, kf++) {
                o[2 * ko] = (njord_real)s[2 * kf];
                o[2 * ko + 1] = m == 0 ? (njord_real)0 : (njord_real)s[2 * kf + 1];
            }
        }
    }

done:
    free(buf);
    nc_close(info.ncid);
    return status;
}
