/* lib/dyn/testcases.c — initial states of the standard shallow-water tests. */
#include "testcases.h"

#include <math.h>
#include <string.h>

#include "../core/common.h"
#include "njord/sht.h"

#define DAY 86400.0

nj_testcase nj_testcase_parse(const char *name)
{
    static const struct { const char *n; nj_testcase t; } tab[] = {
        {"williamson1", NJ_TC_WILLIAMSON1}, {"williamson2", NJ_TC_WILLIAMSON2},
        {"williamson5", NJ_TC_WILLIAMSON5}, {"williamson6", NJ_TC_WILLIAMSON6},
        {"galewsky", NJ_TC_GALEWSKY},       {"galewsky_unperturbed", NJ_TC_GALEWSKY_UNPERTURBED}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (name && !strcmp(name, tab[i].n)) return tab[i].t;
    return (nj_testcase)0;
}

int nj_testcase_exact(nj_testcase tc) { return tc == NJ_TC_WILLIAMSON1 || tc == NJ_TC_WILLIAMSON2; }
int nj_testcase_advection(nj_testcase tc) { return tc == NJ_TC_WILLIAMSON1; }

/* Solid-body rotation of Williamson tests 1 and 2: angular velocity u0/a about the
 * axis (-sin alpha, 0, cos alpha). */
static void solid_body(double u0, double al, double lam, double th, double *u, double *v)
{
    *u = u0 * (cos(th) * cos(al) + sin(th) * cos(lam) * sin(al));
    *v = -u0 * sin(lam) * sin(al);
}

/* Rotate the unit vector x by angle ang about the unit axis k (Rodrigues). */
static void rotate(const double k[3], double ang, const double x[3], double y[3])
{
    double c = cos(ang), s = sin(ang), kx = k[0] * x[0] + k[1] * x[1] + k[2] * x[2];
    double cr[3] = {k[1] * x[2] - k[2] * x[1], k[2] * x[0] - k[0] * x[2], k[0] * x[1] - k[1] * x[0]};
    for (int i = 0; i < 3; i++) y[i] = x[i] * c + cr[i] * s + k[i] * kx * (1 - c);
}

/* Williamson 1: cosine bell at (3 pi/2, 0), moved by the solid-body rotation:
 * h(x, t) = h_bell(R(-u0 t / a) x). */
static double bell(double a, double u0, double al, double t, double lam, double th)
{
    double x[3] = {cos(th) * cos(lam), cos(th) * sin(lam), sin(th)}, y[3];
    double k[3] = {-sin(al), 0, cos(al)};
    rotate(k, -u0 * t / a, x, y);
    double th2 = asin(fmax(-1.0, fmin(1.0, y[2]))), lam2 = atan2(y[1], y[0]);
    double lc = 1.5 * M_PI, tc = 0, R = a / 3, h0 = 1000;
    double cr = sin(tc) * sin(th2) + cos(tc) * cos(th2) * cos(lam2 - lc);
    double r = a * acos(fmax(-1.0, fmin(1.0, cr)));
    return r < R ? 0.5 * h0 * (1 + cos(M_PI * r / R)) : 0.0;
}

/* Galewsky et al. 2004: the jet and its balanced height */
static const double G_UMAX = 80.0, G_PHI0 = M_PI / 7, G_PHI1 = M_PI / 2 - M_PI / 7;

static double galewsky_u(double phi)
{
    if (phi <= G_PHI0 || phi >= G_PHI1) return 0.0;
    double en = exp(-4.0 / ((G_PHI1 - G_PHI0) * (G_PHI1 - G_PHI0)));
    return G_UMAX / en * exp(1.0 / ((phi - G_PHI0) * (phi - G_PHI1)));
}

/* integral from phi0 to phi of a u (f + u tan(phi)/a): composite 16-point
 * Gauss–Legendre on 64 panels, plenty for this smooth integrand */
static double galewsky_integral(double phi, double a, double omega, const double *gx,
                                const double *gw)
{
    double hi = fmin(phi, G_PHI1);
    if (hi <= G_PHI0) return 0.0;
    double sum = 0, pw = (hi - G_PHI0) / 64;
    for (int k = 0; k < 64; k++) {
        double c = G_PHI0 + (k + 0.5) * pw;
        for (int i = 0; i < 16; i++) {
            double p = c + 0.5 * pw * gx[i], u = galewsky_u(p);
            sum += 0.5 * pw * gw[i] * a * u * (2 * omega * sin(p) + u * tan(p) / a);
        }
    }
    return sum;
}

int nj_testcase_fields(nj_testcase tc, const nj_tc_params *pp, int nlat, const double *lat,
                       const double *w, int nrows, const int *rows, int nlon, double t,
                       double *u, double *v, double *h, double *hs)
{
    const double a = pp->radius, om = pp->omega, g = pp->gravity, al = pp->alpha;
    double gal_h0 = 0, gx[16], gw[16];
    njord_gauss_legendre(16, gx, gw);
    if (tc == NJ_TC_GALEWSKY || tc == NJ_TC_GALEWSKY_UNPERTURBED) {
        /* h0 such that the global mean depth (unperturbed) is 10 km, on this grid */
        double mean = 0;
        for (int j = 0; j < nlat; j++) mean += 0.5 * w[j] * (-galewsky_integral(lat[j], a, om, gx, gw) / g);
        gal_h0 = 10000.0 - mean;
    }
    for (int i = 0; i < nrows; i++) {
        double th = lat[rows[i]];
        double gint = (tc == NJ_TC_GALEWSKY || tc == NJ_TC_GALEWSKY_UNPERTURBED)
                          ? galewsky_integral(th, a, om, gx, gw) : 0;
        for (int k = 0; k < nlon; k++) {
            double lam = 2 * M_PI * k / nlon;
            size_t q = (size_t)i * nlon + k;
            double uu = 0, vv = 0, hh = 0, hhs = 0;
            switch (tc) {
            case NJ_TC_WILLIAMSON1: {
                double u0 = 2 * M_PI * a / (12 * DAY);
                solid_body(u0, al, lam, th, &uu, &vv);
                hh = bell(a, u0, al, t, lam, th);
                break;
            }
            case NJ_TC_WILLIAMSON2:
            case NJ_TC_WILLIAMSON5: {
                double u0 = tc == NJ_TC_WILLIAMSON2 ? 2 * M_PI * a / (12 * DAY) : 20.0;
                double alpha = tc == NJ_TC_WILLIAMSON2 ? al : 0.0;
                double gh0 = tc == NJ_TC_WILLIAMSON2 ? 2.94e4 : g * 5960.0;
                solid_body(u0, alpha, lam, th, &uu, &vv);
                double s = -cos(lam) * cos(th) * sin(alpha) + sin(th) * cos(alpha);
                hh = (gh0 - (a * om * u0 + 0.5 * u0 * u0) * s * s) / g;
                if (tc == NJ_TC_WILLIAMSON5) {
                    double R = M_PI / 9, lc = 1.5 * M_PI, tc5 = M_PI / 6;
                    double r2 = fmin(R * R, (lam - lc) * (lam - lc) + (th - tc5) * (th - tc5));
                    hhs = 2000.0 * (1 - sqrt(r2) / R);
                }
                break;
            }
            case NJ_TC_WILLIAMSON6: {
                const double W = 7.848e-6, K = 7.848e-6, h0 = 8000.0;
                const int R = 4;
                double c = cos(th), s = sin(th), cR = pow(c, R), c2R = cR * cR;
                uu = a * W * c + a * K * pow(c, R - 1) * (R * s * s - c * c) * cos(R * lam);
                vv = -a * K * R * pow(c, R - 1) * s * sin(R * lam);
                double A = 0.5 * W * (2 * om + W) * c * c +
                           0.25 * K * K * c2R * ((R + 1) * c * c + 2 * R * R - R - 2 - 2 * R * R / (c * c));
                double B = 2 * (om + W) * K / ((R + 1.0) * (R + 2)) * cR *
                           (R * R + 2 * R + 2 - (R + 1) * (R + 1) * c * c);
                double C = 0.25 * K * K * c2R * ((R + 1) * c * c - (R + 2));
                hh = h0 + a * a * (A + B * cos(R * lam) + C * cos(2 * R * lam)) / g;
                break;
            }
            case NJ_TC_GALEWSKY:
            case NJ_TC_GALEWSKY_UNPERTURBED: {
                uu = galewsky_u(th);
                hh = gal_h0 - gint / g;
                if (tc == NJ_TC_GALEWSKY) {
                    double l = lam > M_PI ? lam - 2 * M_PI : lam;
                    const double ga = 1.0 / 3, gb = 1.0 / 15, phi2 = M_PI / 4;
                    hh += 120.0 * cos(th) * exp(-(l / ga) * (l / ga)) *
                          exp(-((phi2 - th) / gb) * ((phi2 - th) / gb));
                }
                break;
            }
            default:
                return nj_error(NJORD_EINVAL, "unknown test case %d", (int)tc);
            }
            u[q] = uu;
            v[q] = vv;
            h[q] = hh;
            hs[q] = hhs;
        }
    }
    return NJORD_OK;
}
