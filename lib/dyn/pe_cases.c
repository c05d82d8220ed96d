/* lib/dyn/pe_cases.c — JW06 and Held–Suarez initial states (see pe_cases.h;
 * formulas and constants from shared/REFERENCES.md). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../core/common.h"
#include "pe_cases.h"

nj_pe_case nj_pe_case_parse(const char *name)
{
    if (!name) return 0;
    if (!strcmp(name, "jw06_steady")) return NJ_PE_JW06_STEADY;
    if (!strcmp(name, "jw06_wave")) return NJ_PE_JW06_WAVE;
    if (!strcmp(name, "held_suarez")) return NJ_PE_HELD_SUAREZ;
    return 0;
}

/* JW06 constants */
#define JW_U0 35.0
#define JW_ETA0 0.252
#define JW_ETAT 0.2
#define JW_T0 288.0
#define JW_GAMMA 0.005
#define JW_DT 4.8e5
#define JW_P0 1e5

static double jw_tbar(double eta, const nj_pe_case_params *p)
{
    double t = JW_T0 * pow(eta, p->rd * JW_GAMMA / p->gravity);
    if (eta < JW_ETAT) t += JW_DT * pow(JW_ETAT - eta, 5);
    return t;
}

/* the latitude-dependent brackets of T and Phi */
static void jw_terms(double phi, double *a1, double *a2)
{
    double s = sin(phi), c = cos(phi);
    *a1 = -2 * pow(s, 6) * (c * c + 1.0 / 3) + 10.0 / 63;
    *a2 = 1.6 * c * c * c * (s * s + 2.0 / 3) - M_PI / 4;
}

static double jw_u(double eta, double phi)
{
    double ev = (eta - JW_ETA0) * M_PI / 2, s2 = sin(2 * phi);
    return JW_U0 * pow(cos(ev), 1.5) * s2 * s2;
}

static double jw_t(double eta, double phi, const nj_pe_case_params *p)
{
    double ev = (eta - JW_ETA0) * M_PI / 2, a1, a2;
    jw_terms(phi, &a1, &a2);
    return jw_tbar(eta, p) + 0.75 * eta * M_PI * JW_U0 / p->rd * sin(ev) * sqrt(cos(ev)) *
                                 (a1 * 2 * JW_U0 * pow(cos(ev), 1.5) + a2 * p->radius * p->omega);
}

static double jw_phis(double phi, const nj_pe_case_params *p)
{
    double ev = (1.0 - JW_ETA0) * M_PI / 2, a1, a2;
    jw_terms(phi, &a1, &a2);
    double c = pow(cos(ev), 1.5);
    return JW_U0 * c * (a1 * JW_U0 * c + a2 * p->radius * p->omega);
}

/* deterministic noise in [-1, 1) from a global index */
static double noise(uint64_t i)
{
    return 2.0 * nj_uniform(i) - 1.0;
}

int nj_pe_case_fields(nj_pe_case c, const nj_pe_case_params *pp, const nj_vcoord *vc,
                      const double *lat, int nrows, const int *rows, int nlon, double *u,
                      double *v, double *t, double *q, double *ps, double *phis)
{
    const int L = vc->nlev;
    const size_t ng = (size_t)nrows * nlon;
    if (c != NJ_PE_JW06_STEADY && c != NJ_PE_JW06_WAVE && c != NJ_PE_HELD_SUAREZ)
        return nj_error(NJORD_EINVAL, "unknown primitive-equation test case %d", (int)c);
    for (int i = 0; i < nrows; i++) {
        double phi = lat[rows[i]];
        for (int il = 0; il < nlon; il++) {
            size_t g = (size_t)i * nlon + il;
            double lam = 2 * M_PI * il / nlon;
            ps[g] = JW_P0;
            phis[g] = c == NJ_PE_HELD_SUAREZ ? 0.0 : jw_phis(phi, pp);
            double up = 0;
            if (c == NJ_PE_JW06_WAVE) { /* u' = 1 m/s exp(-(r/R)^2), R = a/10, at (20E, 40N) */
                const double lc = M_PI / 9, pc = 2 * M_PI / 9;
                double x = sin(pc) * sin(phi) + cos(pc) * cos(phi) * cos(lam - lc);
                x = x > 1 ? 1 : x < -1 ? -1 : x;
                double r = acos(x) * 10; /* r / R with R = a / 10 */
                up = exp(-r * r);
            }
            for (int k = 0; k < L; k++) {
                size_t o = (size_t)k * ng + g;
                double eta = 0.5 * (vc->a[k] / JW_P0 + vc->b[k] + vc->a[k + 1] / JW_P0 + vc->b[k + 1]);
                if (q) {
                    double x = phi / (2 * M_PI / 9), y = (eta - 1) * JW_P0 / 34000.0;
                    q[o] = c == NJ_PE_HELD_SUAREZ ? 0.0 : 0.018 * exp(-x * x * x * x) * exp(-y * y);
                }
                if (c == NJ_PE_HELD_SUAREZ) {
                    u[o] = 0;
                    v[o] = 0;
                    uint64_t gi = ((uint64_t)k * 65536 + (uint64_t)rows[i]) * 65536 + (uint64_t)il;
                    t[o] = 300.0 + 0.1 * noise(gi);
                } else {
                    u[o] = jw_u(eta, phi) + up;
                    v[o] = 0;
                    t[o] = jw_t(eta, phi, pp);
                }
            }
        }
    }
    return NJORD_OK;
}
