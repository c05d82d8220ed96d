/* examples/forecast_from_analysis.c — a primitive-equation forecast started from
 * real data, through the library API. The Debian package libncarg-data ships a
 * CAM history sample (vinth2p.nc: temperature and surface pressure on 18 hybrid
 * levels, T42 Gaussian grid) and monthly-mean winds on 14 pressure levels
 * (nc4uvt.nc). njord_analysis_read takes T and ps from the first file and U, V
 * from the second ("path:VAR"), interpolates them in ln p onto the 26 CAM levels
 * and estimates the orography from the surface pressure (the files carry none;
 * ICAO standard atmosphere). The forecast runs 2 days at T42L26 and writes model
 * levels and 850/500/250 hPa fields, and prints the surface pressure and the
 * largest wind every 12 hours (about 5 s on 2 cores). The data are a
 * demonstration, not a consistent analysis, and the model has no surface drag:
 * the flow adjusts throughout the 2 days. The largest wind (81 m/s at the start)
 * reaches 80-120 m/s at the top level, and lowest-level winds, 12 m/s at most at
 * the start, reach 70 m/s over the Himalaya and Greenland, where the estimated
 * orography is steep (pressure-level winds below the ground hold the lowest
 * level's); the mean surface pressure stays at 984.38 hPa.
 *
 *   cc forecast_from_analysis.c $(pkg-config --cflags --libs njord) -o forecast_from_analysis
 *   forecast_from_analysis [DATA_DIR] [OUTPUT.nc]
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
        printf("day %5.2f  surface pressure %.1f .. %.1f hPa (mean %.3f)  max wind %6.2f m/s\n",
               d.time / 86400, d.ps_min / 100, d.ps_max / 100, d.mass / 100, d.max_wind);
    return st;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/usr/share/ncarg/data/cdf";
    const char *out = argc > 2 ? argv[2] : "analysis_forecast.nc";
    char kv[4][600];
    snprintf(kv[0], sizeof kv[0], "initial.file=%s/vinth2p.nc", dir);
    snprintf(kv[1], sizeof kv[1], "initial.u_var=%s/nc4uvt.nc:U", dir);
    snprintf(kv[2], sizeof kv[2], "initial.v_var=%s/nc4uvt.nc:V", dir);
    snprintf(kv[3], sizeof kv[3], "output.file=%s", out);
    const char *sets[] = {"model.equations=primitive", "vertical.levels=cam26", "grid.trunc=42",
                          "initial.case=file", "initial.t_var=T", "initial.ps_var=PS",
                          "initial.phis_var=estimate", "time.dt=15min", "time.length=2d",
                          "dynamics.diffusion_order=2", "dynamics.diffusion_time=14h",
                          "output.interval=12h", "output.variables=ps,orog,u,v,t",
                          "output.pressure_variables=ua,va,ta,zg", kv[0], kv[1], kv[2], kv[3], NULL};
    njord_config *cfg;
    njord_model *m = NULL;
    int st = njord_config_create(&cfg);
    for (int i = 0; sets[i] && !st; i++) st = njord_config_set(cfg, sets[i]);
    if (!st) st = njord_model_create(cfg, MPI_COMM_NULL, &m);
    if (!st) st = njord_model_run(m, -1, report, NULL);
    if (st) fprintf(stderr, "forecast_from_analysis: %s\n", njord_last_error());
    njord_model_destroy(m); /* completes the output file */
    njord_config_destroy(cfg);
    if (!st) printf("wrote %s\n", out);
    return st ? 1 : 0;
}
