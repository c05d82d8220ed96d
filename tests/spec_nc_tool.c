/* tests/spec_nc_tool.c — helper for tests/cdo_interop.sh (linked with libnjord).
 *
 * Known spectral coefficients c(m, n, level) in Njord's convention are evaluated
 * on grids by Njord's own synthesis (njord_sht_synth) and, as an independent
 * cross-check, by a separate formula here (normalised associated Legendre
 * functions by the standard three-term recurrence, no Condon–Shortley phase), so
 * that files exchanged with CDO can be checked in both directions:
 *
 *   spec_nc_tool write     FILE T              spectral file (njord_spec_nc_write):
 *                                              "f" with 2 levels, "g" with 1 level
 *   spec_nc_tool checkgrid FILE T TOL          grid file from `cdo sp2gp` of the above:
 *                                              compare with njord_sht_synth on the
 *                                              same grid and with the analytic field
 *   spec_nc_tool mkgrid    FILE T NLAT NLON    Gaussian-grid file (north to south,
 *                                              lon from 0) of "f" level 1, for `cdo gp2sp`
 *   spec_nc_tool checkspec FILE T TOL          spectral file from `cdo gp2sp`: read "f"
 *                                              with njord_spec_nc_read and compare
 *
 * Errors are relative to the largest magnitude of the reference. Exit status 0
 * when within TOL, 1 when not, 2 on usage or I/O errors. Prints one line. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "njord/core.h"
#include "njord/io.h"
#include "njord/sht.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Known coefficient: smooth, every (m, n) non-zero, distinct per level. */
static void coef(int m, int n, int lev, double *re, double *im)
{
    double s = 1.0 / (1.0 + 0.15 * n);
    *re = s * sin(1.3 * m + 0.7 * n + 0.4 * lev + 0.1);
    *im = m == 0 ? 0.0 : s * cos(0.9 * m - 0.5 * n + 1.1 * lev + 0.3);
}

static void fill_spec(int T, int lev, njord_real *spec)
{
    for (int m = 0; m <= T; m++)
        for (int n = m; n <= T; n++) {
            double re, im;
            coef(m, n, lev, &re, &im);
            size_t k = njord_sht_index(T, m, n);
            spec[2 * k] = (njord_real)re;
            spec[2 * k + 1] = (njord_real)im;
        }
}

/* P[k(m,n)] = Njord's P_n^m(mu): (1/2)∫P² dμ = 1, no Condon–Shortley phase. */
static void legendre(int T, double mu, double *P)
{
    double s = sqrt((1.0 - mu) * (1.0 + mu));
    double pmm = 1.0;
    for (int m = 0; m <= T; m++) {
        if (m > 0) pmm *= sqrt((2.0 * m + 1.0) / (2.0 * m)) * s;
        size_t k0 = njord_sht_index(T, m, m);
        P[k0] = pmm;
        if (m + 1 <= T) P[k0 + 1] = sqrt(2.0 * m + 3.0) * mu * pmm;
        for (int n = m + 2; n <= T; n++) {
            double a = sqrt((4.0 * n * n - 1.0) / ((double)n * n - (double)m * m));
            double b = sqrt(((n - 1.0) * (n - 1.0) - (double)m * m) /
                            (4.0 * (n - 1.0) * (n - 1.0) - 1.0));
            size_t k = k0 + (size_t)(n - m);
            P[k] = a * (mu * P[k - 1] - b * P[k - 2]);
        }
    }
}

/* f(lambda, mu) = Σ f_n^0 P_n^0 + 2 Re Σ_{m>0} f_n^m P_n^m e^{imλ} */
static double eval_field(int T, int lev, const double *P, double lam)
{
    double f = 0.0;
    for (int m = 0; m <= T; m++) {
        double sm = 0.0, cm = 0.0; /* Σ_n Re f P, Σ_n Im f P */
        for (int n = m; n <= T; n++) {
            double re, im;
            coef(m, n, lev, &re, &im);
            double p = P[njord_sht_index(T, m, n)];
            sm += re * p;
            cm += im * p;
        }
        if (m == 0)
            f += sm;
        else
            f += 2.0 * (sm * cos(m * lam) - cm * sin(m * lam));
    }
    return f;
}

/* Gauss–Legendre nodes, decreasing (north to south), by Newton iteration. */
static void gauss_nodes(int n, double *mu)
{
    for (int i = 0; i < n; i++) {
        double x = cos(M_PI * (i + 0.75) / (n + 0.5));
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = x;
            for (int k = 2; k <= n; k++) {
                double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            double dp = n * (x * p1 - p0) / (x * x - 1.0);
            double dx = p1 / dp;
            x -= dx;
            if (fabs(dx) < 1e-16) break;
        }
        mu[i] = x;
    }
}

#define NCCHK(call)                                                                 \
    do {                                                                            \
        int rc_ = (call);                                                           \
        if (rc_ != NC_NOERR) {                                                      \
            printf("FAIL: netcdf: %s (%s:%d)\n", nc_strerror(rc_), __FILE__, __LINE__); \
            exit(2);                                                                \
        }                                                                           \
    } while (0)

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        printf("FAIL: out of memory\n");
        exit(2);
    }
    return p;
}

static int cmd_write(const char *path, int T)
{
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *f = xmalloc(2 * nr * sizeof *f), *g = xmalloc(nr * sizeof *g);
    fill_spec(T, 0, f);
    fill_spec(T, 1, f + nr);
    fill_spec(T, 2, g);
    njord_spec_var vars[2] = {
        {"f", "test field f", "1", 2, f},
        {"g", "test field g", "K", 1, g},
    };
    int st = njord_spec_nc_write(path, T, 2, vars);
    free(f);
    free(g);
    if (st != NJORD_OK) {
        printf("FAIL: njord_spec_nc_write: %s\n", njord_last_error());
        return 2;
    }
    return 0;
}

/* Compare variable `name` of a CDO grid file (…, lat, lon) with levels lev0..
 * Returns the largest difference from the analytic field; *synerr gets the largest
 * difference from njord_sht_synth (and its latitudes must match the file's). */
static double check_grid_var(int ncid, const char *name, int T, int lev0, int nlev_expect,
                             double *refmax, double *synerr)
{
    int varid, ndims, dimids[NC_MAX_VAR_DIMS];
    NCCHK(nc_inq_varid(ncid, name, &varid));
    NCCHK(nc_inq_varndims(ncid, varid, &ndims));
    NCCHK(nc_inq_vardimid(ncid, varid, dimids));
    if (ndims < 2) {
        printf("FAIL: grid variable %s has %d dims\n", name, ndims);
        exit(2);
    }
    size_t nlat, nlon, total = 1;
    char latname[NC_MAX_NAME + 1], lonname[NC_MAX_NAME + 1];
    NCCHK(nc_inq_dim(ncid, dimids[ndims - 2], latname, &nlat));
    NCCHK(nc_inq_dim(ncid, dimids[ndims - 1], lonname, &nlon));
    for (int d = 0; d < ndims; d++) {
        size_t len;
        NCCHK(nc_inq_dimlen(ncid, dimids[d], &len));
        total *= len;
    }
    size_t nlev = total / (nlat * nlon);
    if ((int)nlev != nlev_expect) {
        printf("FAIL: grid variable %s has %zu levels, expected %d\n", name, nlev, nlev_expect);
        exit(1);
    }
    double *lat = xmalloc(nlat * sizeof *lat), *lon = xmalloc(nlon * sizeof *lon);
    double *data = xmalloc(total * sizeof *data);
    int latid, lonid;
    NCCHK(nc_inq_varid(ncid, latname, &latid));
    NCCHK(nc_inq_varid(ncid, lonname, &lonid));
    NCCHK(nc_get_var_double(ncid, latid, lat));
    NCCHK(nc_get_var_double(ncid, lonid, lon));
    NCCHK(nc_get_var_double(ncid, varid, data));
    /* Njord's grid: latitudes north to south, longitudes from 0 east. */
    if (nlat > 1 && !(lat[0] > lat[nlat - 1])) {
        printf("FAIL: %s: latitudes not north to south\n", name);
        exit(1);
    }
    if (fabs(lon[0]) > 1e-12) {
        printf("FAIL: %s: first longitude %g, not 0\n", name, lon[0]);
        exit(1);
    }
    /* Njord's synthesis on the same grid. */
    njord_sht_desc desc = {0};
    desc.trunc = T;
    desc.nlat = (int)nlat;
    desc.nlon = (int)nlon;
    desc.max_batch = (int)nlev;
    desc.backend = NJORD_BACKEND_CPU;
    desc.comm = MPI_COMM_NULL;
    njord_sht_plan *plan = NULL;
    if (njord_sht_plan_create(&desc, &plan) != NJORD_OK) {
        printf("FAIL: njord_sht_plan_create: %s\n", njord_last_error());
        exit(2);
    }
    const double *plat = njord_sht_lats(plan);
    for (size_t j = 0; j < nlat; j++)
        if (fabs(plat[j] * 180.0 / M_PI - lat[j]) > 1e-9) {
            printf("FAIL: %s: latitude %zu: file %.12f, Njord %.12f\n", name, j, lat[j],
                   plat[j] * 180.0 / M_PI);
            exit(1);
        }
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *spec = xmalloc(nlev * nr * sizeof *spec);
    njord_real *syn = xmalloc(total * sizeof *syn);
    for (size_t l = 0; l < nlev; l++) fill_spec(T, lev0 + (int)l, spec + l * nr);
    if (njord_sht_synth(plan, spec, syn, (int)nlev) != NJORD_OK) {
        printf("FAIL: njord_sht_synth: %s\n", njord_last_error());
        exit(2);
    }
    njord_sht_plan_destroy(plan);
    for (size_t i = 0; i < total; i++) {
        double d = fabs((double)syn[i] - data[i]);
        if (d > *synerr) *synerr = d;
    }
    free(spec);
    free(syn);

    double *P = xmalloc(NJORD_SHT_NSPEC(T) * sizeof *P);
    double maxerr = 0.0;
    for (size_t l = 0; l < nlev; l++)
        for (size_t j = 0; j < nlat; j++) {
            legendre(T, sin(lat[j] * M_PI / 180.0), P);
            for (size_t i = 0; i < nlon; i++) {
                double ref = eval_field(T, lev0 + (int)l, P, lon[i] * M_PI / 180.0);
                double got = data[(l * nlat + j) * nlon + i];
                if (fabs(ref) > *refmax) *refmax = fabs(ref);
                if (fabs(got - ref) > maxerr) maxerr = fabs(got - ref);
            }
        }
    free(P);
    free(lat);
    free(lon);
    free(data);
    return maxerr;
}

static int cmd_checkgrid(const char *path, int T, double tol)
{
    int ncid;
    NCCHK(nc_open(path, NC_NOWRITE, &ncid));
    double refmax = 0.0, synerr = 0.0;
    double ef = check_grid_var(ncid, "f", T, 0, 2, &refmax, &synerr);
    double eg = check_grid_var(ncid, "g", T, 2, 1, &refmax, &synerr);
    nc_close(ncid);
    double rel = fmax(ef, eg) / refmax, srel = synerr / refmax;
    int ok = rel <= tol && srel <= tol;
    printf("%s: cdo sp2gp T%d: max rel err vs njord_sht_synth %.3e, vs analytic %.3e "
           "(tol %.1e)\n",
           ok ? "PASS" : "FAIL", T, srel, rel, tol);
    return ok ? 0 : 1;
}

static int cmd_mkgrid(const char *path, int T, int nlat, int nlon)
{
    double *mu = xmalloc((size_t)nlat * sizeof *mu);
    double *lat = xmalloc((size_t)nlat * sizeof *lat), *lon = xmalloc((size_t)nlon * sizeof *lon);
    double *g = xmalloc((size_t)nlat * (size_t)nlon * sizeof *g);
    double *P = xmalloc(NJORD_SHT_NSPEC(T) * sizeof *P);
    gauss_nodes(nlat, mu);
    for (int i = 0; i < nlon; i++) lon[i] = 360.0 * i / nlon;
    for (int j = 0; j < nlat; j++) {
        lat[j] = asin(mu[j]) * 180.0 / M_PI;
        legendre(T, mu[j], P);
        for (int i = 0; i < nlon; i++)
            g[(size_t)j * nlon + i] = eval_field(T, 0, P, 2.0 * M_PI * i / nlon);
    }
    int ncid, dlat, dlon, vlat, vlon, vf;
    NCCHK(nc_create(path, NC_CLOBBER | NC_64BIT_OFFSET, &ncid));
    NCCHK(nc_def_dim(ncid, "lat", (size_t)nlat, &dlat));
    NCCHK(nc_def_dim(ncid, "lon", (size_t)nlon, &dlon));
    NCCHK(nc_def_var(ncid, "lat", NC_DOUBLE, 1, &dlat, &vlat));
    NCCHK(nc_def_var(ncid, "lon", NC_DOUBLE, 1, &dlon, &vlon));
    NCCHK(nc_put_att_text(ncid, vlat, "standard_name", 8, "latitude"));
    NCCHK(nc_put_att_text(ncid, vlat, "units", 13, "degrees_north"));
    NCCHK(nc_put_att_text(ncid, vlat, "axis", 1, "Y"));
    NCCHK(nc_put_att_text(ncid, vlon, "standard_name", 9, "longitude"));
    NCCHK(nc_put_att_text(ncid, vlon, "units", 12, "degrees_east"));
    NCCHK(nc_put_att_text(ncid, vlon, "axis", 1, "X"));
    int dims[2] = {dlat, dlon};
    NCCHK(nc_def_var(ncid, "f", NC_DOUBLE, 2, dims, &vf));
    NCCHK(nc_enddef(ncid));
    NCCHK(nc_put_var_double(ncid, vlat, lat));
    NCCHK(nc_put_var_double(ncid, vlon, lon));
    NCCHK(nc_put_var_double(ncid, vf, g));
    NCCHK(nc_close(ncid));
    free(mu);
    free(lat);
    free(lon);
    free(g);
    free(P);
    return 0;
}

static int cmd_checkspec(const char *path, int T, double tol)
{
    int Tf = -1, nlev = -1;
    if (njord_spec_nc_inquire(path, "f", &Tf, &nlev) != NJORD_OK) {
        printf("FAIL: njord_spec_nc_inquire: %s\n", njord_last_error());
        return 1;
    }
    if (Tf != T || nlev != 1) {
        printf("FAIL: %s: truncation %d levels %d, expected T%d, 1 level\n", path, Tf, nlev, T);
        return 1;
    }
    size_t nr = 2 * NJORD_SHT_NSPEC(T);
    njord_real *got = xmalloc(nr * sizeof *got), *ref = xmalloc(nr * sizeof *ref);
    if (njord_spec_nc_read(path, "f", T, 1, got) != NJORD_OK) {
        printf("FAIL: njord_spec_nc_read: %s\n", njord_last_error());
        return 1;
    }
    fill_spec(T, 0, ref);
    double maxerr = 0.0, refmax = 0.0;
    for (size_t k = 0; k < nr; k++) {
        if (fabs((double)ref[k]) > refmax) refmax = fabs((double)ref[k]);
        if (fabs((double)got[k] - (double)ref[k]) > maxerr)
            maxerr = fabs((double)got[k] - (double)ref[k]);
    }
    free(got);
    free(ref);
    double rel = maxerr / refmax;
    printf("%s: cdo gp2sp read by Njord T%d: max rel err %.3e (tol %.1e)\n",
           rel <= tol ? "PASS" : "FAIL", T, rel, tol);
    return rel <= tol ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "write") == 0) return cmd_write(argv[2], atoi(argv[3]));
    if (argc >= 5 && strcmp(argv[1], "checkgrid") == 0)
        return cmd_checkgrid(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc >= 6 && strcmp(argv[1], "mkgrid") == 0)
        return cmd_mkgrid(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (argc >= 5 && strcmp(argv[1], "checkspec") == 0)
        return cmd_checkspec(argv[2], atoi(argv[3]), atof(argv[4]));
    fprintf(stderr,
            "usage: %s write FILE T | checkgrid FILE T TOL | mkgrid FILE T NLAT NLON | "
            "checkspec FILE T TOL\n",
            argv[0]);
    return 2;
}
