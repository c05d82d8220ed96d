/* bench/hs_climate.c — the Held & Suarez (1994) climate of the primitive-equation
 * model: runs a configuration (data/held_suarez.ini) and accumulates, at every
 * sample time after the spin-up, the zonal means of u and T on the model's
 * sigma levels and the eddy temperature variance [T'^2] (T' = T - [T], [.] the
 * zonal mean), averaged over the samples. Writes them as JSON (levels x
 * latitudes) for tools/validate-dry.sh to plot and tabulate.
 *
 *   hs_climate CONFIG.ini OUT.json [--set key=value ...]
 *     --set time.length=1200d  (run length), and the sampling:
 *   env HS_SPINUP_DAYS (default 200), HS_SAMPLE_HOURS (default 24)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <njord.h>

typedef struct {
    int nlat, nlon, nlev, nsamp;
    double spinup;
    double *su, *st, *sv; /* [nlev][nlat] sums of [u], [T], [T'^2] */
    njord_real *buf;
} acc_t;

static int sample(njord_model *m, void *user)
{
    acc_t *a = user;
    double t = njord_model_time(m);
    njord_diag d;
    int st = njord_model_diagnostics(m, &d);
    if (st) return st;
    if (fmod(t, 86400.0 * 50) < 1.0)
        fprintf(stderr, "day %6.0f  ps %.1f..%.1f hPa  max wind %.1f m/s  samples %d\n", t / 86400,
                d.ps_min / 100, d.ps_max / 100, d.max_wind, a->nsamp);
    if (t < a->spinup * 86400 - 1) return NJORD_OK;
    const size_t ng = (size_t)a->nlat * a->nlon;
    for (int f = 0; f < 2; f++) {
        if ((st = njord_model_field(m, f ? "t" : "u", 0, a->buf))) return st;
        for (int k = 0; k < a->nlev; k++)
            for (int j = 0; j < a->nlat; j++) {
                const njord_real *row = a->buf + (size_t)k * ng + (size_t)j * a->nlon;
                double s = 0, s2 = 0;
                for (int i = 0; i < a->nlon; i++) s += row[i];
                s /= a->nlon;
                for (int i = 0; i < a->nlon; i++) s2 += (row[i] - s) * (row[i] - s);
                if (f == 0) a->su[k * a->nlat + j] += s;
                else {
                    a->st[k * a->nlat + j] += s;
                    a->sv[k * a->nlat + j] += s2 / a->nlon;
                }
            }
    }
    a->nsamp++;
    return NJORD_OK;
}

static void write_array(FILE *f, const char *name, const double *x, int nlev, int nlat, int n)
{
    fprintf(f, "  \"%s\": [", name);
    for (int k = 0; k < nlev; k++) {
        fprintf(f, "%s\n   [", k ? "," : "");
        for (int j = 0; j < nlat; j++) fprintf(f, "%s%.5f", j ? ", " : "", x[k * nlat + j] / n);
        fprintf(f, "]");
    }
    fprintf(f, "]");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hs_climate CONFIG.ini OUT.json [--set key=value ...]\n");
        return 2;
    }
    njord_config *cfg;
    int st = njord_config_create(&cfg);
    if (!st) st = njord_config_load(cfg, argv[1]);
    for (int i = 3; i + 1 < argc && !st; i += 2)
        if (!strcmp(argv[i], "--set")) st = njord_config_set(cfg, argv[i + 1]);
    double hours = getenv("HS_SAMPLE_HOURS") ? atof(getenv("HS_SAMPLE_HOURS")) : 24;
    char iv[64];
    snprintf(iv, sizeof iv, "output.interval=%gh", hours);
    if (!st) st = njord_config_set(cfg, iv);
    if (!st) st = njord_config_set(cfg, "output.file=");
    njord_model *m = NULL;
    if (!st) st = njord_model_create(cfg, MPI_COMM_NULL, &m);
    acc_t a = {0};
    a.spinup = getenv("HS_SPINUP_DAYS") ? atof(getenv("HS_SPINUP_DAYS")) : 200;
    const double *lat = NULL;
    if (!st) {
        njord_model_grid(m, &a.nlat, &a.nlon, &lat);
        a.nlev = atoi(njord_config_get(cfg, "vertical.levels") + 6); /* sigma:N */
        if (strncmp(njord_config_get(cfg, "vertical.levels"), "sigma:", 6) || a.nlev < 1) {
            fprintf(stderr, "hs_climate: needs vertical.levels = sigma:N\n");
            return 2;
        }
        size_t n = (size_t)a.nlev * a.nlat;
        a.su = calloc(n, sizeof(double));
        a.st = calloc(n, sizeof(double));
        a.sv = calloc(n, sizeof(double));
        a.buf = malloc(sizeof(njord_real) * n * a.nlon);
        if (!a.su || !a.st || !a.sv || !a.buf) st = NJORD_ENOMEM;
    }
    double t0 = 0;
    if (!st) st = njord_model_run(m, -1, sample, &a);
    if (st) {
        fprintf(stderr, "hs_climate: %s\n", njord_last_error());
        return 1;
    }
    double tr, gp, ot, tot;
    njord_model_timing(m, &tr, &gp, &ot, &tot);
    (void)t0;
    FILE *f = fopen(argv[2], "w");
    if (!f) return 1;
    fprintf(f, "{\n  \"config\": \"%s\",\n  \"days\": %.1f,\n  \"spinup_days\": %.1f,\n  \"samples\": %d,\n",
            argv[1], njord_model_time(m) / 86400, a.spinup, a.nsamp);
    fprintf(f, "  \"sample_hours\": %g,\n  \"step_seconds_total\": %.1f,\n  \"nlev\": %d,\n", hours, tot, a.nlev);
    fprintf(f, "  \"sigma\": [");
    for (int k = 0; k < a.nlev; k++) fprintf(f, "%s%.5f", k ? ", " : "", (k + 0.5) / a.nlev);
    fprintf(f, "],\n  \"lat\": [");
    for (int j = 0; j < a.nlat; j++) fprintf(f, "%s%.5f", j ? ", " : "", lat[j] * 180 / M_PI);
    fprintf(f, "],\n");
    write_array(f, "u_zonal_mean", a.su, a.nlev, a.nlat, a.nsamp);
    fprintf(f, ",\n");
    write_array(f, "t_zonal_mean", a.st, a.nlev, a.nlat, a.nsamp);
    fprintf(f, ",\n");
    write_array(f, "t_eddy_variance", a.sv, a.nlev, a.nlat, a.nsamp);
    fprintf(f, "\n}\n");
    fclose(f);
    njord_model_destroy(m);
    njord_config_destroy(cfg);
    free(a.su);
    free(a.st);
    free(a.sv);
    free(a.buf);
    return 0;
}
