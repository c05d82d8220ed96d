/* lib/dyn/vinterp.c — vertical interpolation of columns (see vinterp.h for the
 * formulas and their derivation). */
#include "vinterp.h"

#include <math.h>

/* Index k with p[k] <= x < p[k+1] in strictly increasing p[0..n-1], for
 * p[0] < x < p[n-1] (n >= 2). */
static int bracket(int n, const double *p, double x)
{
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (p[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Linear in ln p between the source levels that bracket x (p[0] < x < p[n-1]). */
static double interior(int n, const double *p, const double *f, double x)
{
    int k = bracket(n, p, x);
    double w = log(x / p[k]) / log(p[k + 1] / p[k]);
    return f[k] + w * (f[k + 1] - f[k]);
}

void nj_vinterp_logp(int n, const double *p_src, const double *f_src, int m, const double *p_tgt,
                     double *f_tgt)
{
    for (int i = 0; i < m; i++) {
        double x = p_tgt[i];
        if (!(x > p_src[0]))
            f_tgt[i] = isnan(x) ? x : f_src[0];
        else if (x >= p_src[n - 1])
            f_tgt[i] = f_src[n - 1];
        else
            f_tgt[i] = interior(n, p_src, f_src, x);
    }
}

void nj_vinterp_logp_lapse(int n, const double *p_src, const double *t_src, int m,
                           const double *p_tgt, double *t_tgt)
{
    double pb = p_src[n - 1], tb = t_src[n - 1];
    for (int i = 0; i < m; i++) {
        double x = p_tgt[i];
        if (!(x > p_src[0]))
            t_tgt[i] = isnan(x) ? x : t_src[0];
        else if (x > pb)
            t_tgt[i] = tb * pow(x / pb, NJ_VI_GAMMA);
        else if (x == pb)
            t_tgt[i] = tb;
        else
            t_tgt[i] = interior(n, p_src, t_src, x);
    }
}

void nj_vinterp_t_phi_to_p(int n, const double *p_full, const double *t_full,
                           const double *phi_full, double ps, double phis, int m,
                           const double *p_tgt, double *t_out, double *phi_out)
{
    if (t_out) nj_vinterp_logp_lapse(n, p_full, t_full, m, p_tgt, t_out);
    if (!phi_out) return;
    double pl = p_full[n - 1], tl = t_full[n - 1], phil = phi_full[n - 1];
    double tstar = tl * pow(ps / pl, NJ_VI_GAMMA); /* T at the surface, formula (1) */
    for (int i = 0; i < m; i++) {
        double x = p_tgt[i], r;
        if (isnan(x)) {
            r = x;
        } else if (x < p_full[0]) {
            /* isothermal above the top at the held temperature */
            r = phi_full[0] + NJ_VI_RD * t_full[0] * log(p_full[0] / x);
        } else if (x <= pl) {
            r = (n == 1 || x == p_full[0]) ? phi_full[0] : interior(n, p_full, phi_full, x);
            if (x == pl) r = phil;
        } else if (x <= ps) {
            /* between the lowest full level and the surface: linear in ln p
             * through (p_L, Phi_L) and (ps, phis) */
            double w = log(x / pl) / log(ps / pl);
            r = phil + w * (phis - phil);
        } else {
            /* below the ground, formula (2) */
            r = phis + (NJ_VI_G * tstar / NJ_VI_LAPSE) * (1.0 - pow(x / ps, NJ_VI_GAMMA));
        }
        phi_out[i] = r;
    }
}

void nj_vinterp_full_levels(int n, const double *ai, const double *bi, double ps,
                            double *p_full)
{
    double above = ai[0] + bi[0] * ps;
    for (int k = 0; k < n; k++) {
        double below = ai[k + 1] + bi[k + 1] * ps;
        p_full[k] = 0.5 * (above + below);
        above = below;
    }
}
