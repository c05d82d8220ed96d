/* tests/cf_tool.c — helper for tests/test_cf_interop.py (linked with libnjord).
 *
 *   cf_tool write FILE NLAT NLON [DEFLATE]
 *
 * writes a CF output file with njord_cf_* on the Gaussian grid of NLAT
 * latitudes (north to south) and NLON longitudes (from 0 E): time-dependent
 * variables u, v, zg, h, vor, div, pv and the static variable orog, 3 steps at
 * 0, 6 and 12 "hours since 2000-01-01 00:00:00" (standard calendar). The value
 * of the k-th variable (k = 0..7 in the order u v zg h vor div pv orog) at step
 * s, latitude phi and longitude lam (degrees) is
 *
 *   10 k + s + cos(phi) cos(lam) + 0.5 sin(phi)
 *
 * which the test recomputes. Exit status 0 on success, 1 on a library error
 * (message on stderr), 2 on usage errors. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "njord/core.h"
#include "njord/io.h"
#include "njord/sht.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double value(int k, int s, double phi_deg, double lam_deg)
{
    double p = phi_deg * M_PI / 180.0, l = lam_deg * M_PI / 180.0;
    return 10.0 * k + s + cos(p) * cos(l) + 0.5 * sin(p);
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[1], "write") != 0) {
        fprintf(stderr, "usage: %s write FILE NLAT NLON [DEFLATE]\n", argv[0]);
        return 2;
    }
    const char *path = argv[2];
    int nlat = atoi(argv[3]), nlon = atoi(argv[4]);
    int deflate = argc > 5 ? atoi(argv[5]) : 1;
    if (nlat < 1 || nlon < 1) {
        fprintf(stderr, "cf_tool: bad grid size\n");
        return 2;
    }
    static const njord_cf_var vars[] = {
        {"u", "eastward_wind", "eastward wind", "m s-1", 0, 0},
        {"v", "northward_wind", "northward wind", "m s-1", 0, 0},
        {"zg", "geopotential_height", "free-surface height above the geoid", "m", 0, 0},
        {"h", NULL, "fluid depth", "m", 0, 0},
        {"vor", "atmosphere_relative_vorticity", "relative vorticity", "s-1", 0, 0},
        {"div", "divergence_of_wind", "divergence", "s-1", 0, 0},
        {"pv", NULL, "potential vorticity (absolute vorticity / fluid depth)", "m-1 s-1", 0, 0},
        {"orog", "surface_altitude", "orography", "m", 1, 0},
    };
    const int nvars = 8, ndyn = 7;
    const char *atts[] = {"title", "Njord CF interoperability test", "history",
                          "written by tests/cf_tool", NULL};
    double *mu = malloc((size_t)nlat * sizeof *mu), *gw = malloc((size_t)nlat * sizeof *gw);
    double *lat = malloc((size_t)nlat * sizeof *lat);
    njord_real *f[8];
    for (int k = 0; k < nvars; k++) f[k] = malloc((size_t)nlat * (size_t)nlon * sizeof **f);
    int rc = njord_gauss_legendre(nlat, mu, gw);
    njord_cf_writer *w = NULL;
    for (int j = 0; j < nlat && rc == NJORD_OK; j++) lat[j] = asin(mu[j]) * 180.0 / M_PI;
    if (rc == NJORD_OK)
        rc = njord_cf_create(path, nlat, nlon, lat, gw, "hours since 2000-01-01 00:00:00",
                             "standard", nvars, vars, deflate, atts, &w);
    for (int s = 0; s < 3 && rc == NJORD_OK; s++) {
        for (int k = 0; k < nvars; k++)
            for (int j = 0; j < nlat; j++)
                for (int i = 0; i < nlon; i++)
                    f[k][(size_t)j * nlon + i] =
                        (njord_real)value(k, s, lat[j], 360.0 * i / (double)nlon);
        if (s == 0) rc = njord_cf_write_static(w, "orog", f[7]);
        if (rc == NJORD_OK)
            rc = njord_cf_write_step(w, 6.0 * s, ndyn, (const njord_real *const *)f);
    }
    if (rc == NJORD_OK) rc = njord_cf_close(w);
    njord_cf_destroy(w);
    if (rc != NJORD_OK) fprintf(stderr, "cf_tool: %s\n", njord_last_error());
    for (int k = 0; k < nvars; k++) free(f[k]);
    free(mu);
    free(gw);
    free(lat);
    return rc == NJORD_OK ? 0 : 1;
}
