/* examples/barotropic_uv300.c — a barotropic forecast from real data, through the
 * library API: the January (or July) 300 hPa winds of the Debian package
 * libncarg-data, read from their T42 Gaussian grid and interpolated to the model
 * grid; the height is put in balance with the wind around a mean depth of 10 km.
 * Runs 5 days at T42 (a second on 2 cores) and prints the diagnostics every
 * 12 hours: the mean depth and the energy stay constant (to 1e-6), the largest
 * wind eases from 56 to 45 m/s (January).
 *
 *   cc barotropic_uv300.c $(pkg-config --cflags --libs njord) -o barotropic_uv300
 *   barotropic_uv300 [PATH_TO_uv300.nc] [0|1 (January|July)] [OUTPUT.nc]
 */
#include <stdio.h>
#include <stdlib.h>

#include <njord.h>

static int report(njord_model *m, void *user)
{
    (void)user;
    njord_diag d;
    int st = njord_model_diagnostics(m, &d);
    if (!st)
        printf("day %5.2f  mean depth %.6f m  energy %.6e  enstrophy %.6e  max wind %6.2f m/s\n",
               d.time / 86400, d.mass, d.energy, d.enstrophy, d.max_wind);
    return st;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/usr/share/ncarg/data/cdf/uv300.nc";
    const char *month = argc > 2 ? argv[2] : "0";
    const char *out = argc > 3 ? argv[3] : "uv300_forecast.nc";
    char kv[3][512];
    snprintf(kv[0], sizeof kv[0], "initial.file=%s", path);
    snprintf(kv[1], sizeof kv[1], "initial.time_index=%s", month);
    snprintf(kv[2], sizeof kv[2], "output.file=%s", out);
    const char *sets[] = {"initial.case=file", "initial.u_var=U", "initial.v_var=V", "grid.trunc=42",
                          "time.dt=15min", "time.length=5d", "output.interval=12h",
                          "output.variables=u,v,zg,vor", kv[0], kv[1], kv[2], NULL};
    njord_config *cfg;
    njord_model *m = NULL;
    int st = njord_config_create(&cfg);
    for (int i = 0; sets[i] && !st; i++) st = njord_config_set(cfg, sets[i]);
    if (!st) st = njord_model_create(cfg, MPI_COMM_NULL, &m);
    if (!st) st = njord_model_run(m, -1, report, NULL);
    if (st) fprintf(stderr, "barotropic_uv300: %s\n", njord_last_error());
    njord_model_destroy(m); /* completes the output file */
    njord_config_destroy(cfg);
    if (!st) printf("wrote %s\n", out);
    return st ? 1 : 0;
}
