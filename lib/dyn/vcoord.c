/* lib/dyn/vcoord.c — hybrid levels: tables, generators, checks; the reference
 * matrices of the semi-implicit scheme (see vcoord.h and kernels/common/pe_point.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/common.h"
#include "vcoord.h"

#define NJ_PE_REAL double
#include "../../kernels/common/pe_point.h"

/* CAM 26 levels as tabulated by Jablonowski & Williamson (2006), appendix B
 * (the same table as NCAR CAM3's L26): a in units of p0 = 1e5 Pa, top to bottom. */
static const double cam26_a[27] = {
    0.002194067, 0.004895209, 0.009882418, 0.01805201, 0.02983724, 0.04462334, 0.06160587,
    0.07851243,  0.07731271,  0.07590131,  0.07424086, 0.07228744, 0.06998933, 0.06728574,
    0.06410509,  0.06036322,  0.05596111,  0.05078225, 0.04468960, 0.03752191, 0.02908949,
    0.02084739,  0.01334443,  0.00708499,  0.00252136, 0.0,        0.0};
static const double cam26_b[27] = {
    0.0,       0.0,       0.0,       0.0,       0.0,       0.0,       0.0,
    0.0,       0.01505309, 0.03276228, 0.05359622, 0.07810627, 0.1069411, 0.1408637,
    0.1807720, 0.2277220, 0.2829562, 0.3479364, 0.4243822, 0.5143168, 0.6201202,
    0.7235355, 0.8176768, 0.8962153, 0.9534761, 0.9851122, 1.0};

void nj_vcoord_free(nj_vcoord *v)
{
    if (!v) return;
    free(v->a);
    free(v->b);
    memset(v, 0, sizeof *v);
}

static int alloc_levels(nj_vcoord *v, int L)
{
    v->nlev = L;
    v->a = calloc((size_t)L + 1, sizeof(double));
    v->b = calloc((size_t)L + 1, sizeof(double));
    if (!v->a || !v->b) {
        nj_vcoord_free(v);
        return nj_error(NJORD_ENOMEM, "vertical levels: out of memory");
    }
    return NJORD_OK;
}

static int check(nj_vcoord *v, const char *spec)
{
    const int L = v->nlev;
    const char *why = NULL;
    char buf[160];
    if (L < 1 || L > NJ_PE_MAXLEV) {
        snprintf(buf, sizeof buf, "%d levels (1..%d allowed)", L, NJ_PE_MAXLEV);
        why = buf;
    } else if (v->b[0] != 0) why = "b at the top must be 0";
    else if (v->a[L] != 0 || v->b[L] != 1) why = "a = 0 and b = 1 are required at the surface";
    for (int k = 0; k <= L && !why; k++)
        if (!(v->a[k] >= 0) || !(v->b[k] >= 0) || !(v->b[k] <= 1)) {
            snprintf(buf, sizeof buf, "half level %d: a = %g Pa, b = %g out of range", k, v->a[k], v->b[k]);
            why = buf;
        }
    for (int k = 0; k < L && !why; k++)
        for (int s = 0; s < 2; s++) {
            /* surface pressures from 400 hPa (below any resolved orography;
             * ECMWF's L137 is monotonic only from ~310 hPa) to 1100 hPa */
            double ps = s ? 110000.0 : 40000.0;
            if (!(v->a[k + 1] + v->b[k + 1] * ps > v->a[k] + v->b[k] * ps)) {
                snprintf(buf, sizeof buf,
                         "half-level pressures do not increase downwards between half levels %d and "
                         "%d at ps = %g Pa", k, k + 1, ps);
                why = buf;
                break;
            }
        }
    if (why) {
        int st = nj_error(NJORD_EINVAL, "vertical levels '%s': %s", spec, why);
        nj_vcoord_free(v);
        return st;
    }
    return NJORD_OK;
}

static int read_file(const char *path, nj_vcoord *v)
{
    FILE *f = fopen(path, "r");
    if (!f) return nj_error(NJORD_EIO, "vertical levels: cannot open %s", path);
    double *a = NULL, *b = NULL;
    int n = 0, cap = 0, line = 0, st = NJORD_OK;
    char buf[512];
    while (fgets(buf, sizeof buf, f)) {
        line++;
        char *h = strchr(buf, '#');
        if (h) *h = '\0';
        char *s = buf;
        while (isspace((unsigned char)*s)) s++;
        if (!*s) continue;
        double x, y;
        char extra;
        if (sscanf(s, "%lf %lf %c", &x, &y, &extra) != 2) {
            st = nj_error(NJORD_EFORMAT, "vertical levels %s line %d: expected two numbers 'a b'",
                          path, line);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            double *na = realloc(a, sizeof(double) * cap), *nb = na ? realloc(b, sizeof(double) * cap) : NULL;
            if (na) a = na;
            if (nb) b = nb;
            if (!na || !nb) {
                st = nj_error(NJORD_ENOMEM, "vertical levels: out of memory");
                break;
            }
        }
        a[n] = x;
        b[n] = y;
        n++;
    }
    fclose(f);
    if (!st && n < 2) st = nj_error(NJORD_EFORMAT, "vertical levels %s: need at least 2 half levels, found %d", path, n);
    if (!st) st = alloc_levels(v, n - 1);
    if (!st) {
        memcpy(v->a, a, sizeof(double) * n);
        memcpy(v->b, b, sizeof(double) * n);
    }
    free(a);
    free(b);
    return st;
}

int nj_vcoord_parse(const char *spec, nj_vcoord *v)
{
    memset(v, 0, sizeof *v);
    if (!spec || !*spec) return nj_error(NJORD_EINVAL, "vertical levels: empty specification");
    int st, n;
    char extra;
    size_t len = strlen(spec);
    if (sscanf(spec, "sigma:%d%c", &n, &extra) == 1) {
        if (n < 1 || n > NJ_PE_MAXLEV)
            return nj_error(NJORD_EINVAL, "vertical levels '%s': 1..%d levels allowed", spec, NJ_PE_MAXLEV);
        if ((st = alloc_levels(v, n))) return st;
        for (int k = 0; k <= n; k++) v->b[k] = (double)k / n;
        v->b[n] = 1.0;
    } else if (sscanf(spec, "eta:%d%c", &n, &extra) == 1) {
        if (n < 2 || n > NJ_PE_MAXLEV)
            return nj_error(NJORD_EINVAL, "vertical levels '%s': 2..%d levels allowed", spec, NJ_PE_MAXLEV);
        if ((st = alloc_levels(v, n))) return st;
        /* eta_k = ptop/p0 + (1 - ptop/p0) k/n; b = (eta - eta_t)/(1 - eta_t) below
         * eta_t = 0.2, a = p0 (eta - b) >= 0; dp/deta = p0 - (p0 - ps)/(1 - eta_t) > 0
         * for every ps > eta_t p0 */
        const double p0 = 1e5, ptop = 219.4067, et = 0.2;
        for (int k = 0; k <= n; k++) {
            double e = ptop / p0 + (1 - ptop / p0) * k / n;
            double b = e > et ? (e - et) / (1 - et) : 0;
            v->b[k] = b;
            v->a[k] = k == n ? 0.0 : p0 * (e - b);
        }
        v->b[n] = 1.0;
    } else if (!strcmp(spec, "cam26")) {
        if ((st = alloc_levels(v, 26))) return st;
        for (int k = 0; k <= 26; k++) {
            v->a[k] = 1e5 * cam26_a[k];
            v->b[k] = cam26_b[k];
        }
    } else if (!strncmp(spec, "file:", 5)) {
        if ((st = read_file(spec + 5, v))) return st;
    } else if (len > 4 && !strcmp(spec + len - 4, ".txt")) {
        if ((st = read_file(spec, v))) return st;
    } else {
        return nj_error(NJORD_EINVAL,
                        "vertical levels '%s': expected sigma:N, eta:N, cam26, file:PATH or a .txt file",
                        spec);
    }
    snprintf(v->name, sizeof v->name, "%s", spec);
    return check(v, spec);
}

void nj_vcoord_reference(const nj_vcoord *v, double rd, double kappa, double tr, double pr,
                         double *gam, double *tau, double *nu)
{
    const int L = v->nlev;
    double dp[NJ_PE_MAXLEV], lnr[NJ_PE_MAXLEV], al[NJ_PE_MAXLEV];
    nj_pe_lev lv[NJ_PE_MAXLEV];
    nj_pe_column_coefs(L, v->a, v->b, pr, lv);
    for (int k = 0; k < L; k++) {
        dp[k] = lv[k].dp;
        lnr[k] = lv[k].lnr;
        al[k] = lv[k].alpha;
        nu[k] = dp[k] / pr;
    }
    for (int k = 0; k < L; k++)
        for (int j = 0; j < L; j++) {
            gam[k * L + j] = j == k ? rd * al[k] : j > k ? rd * lnr[j] : 0.0;
            tau[k * L + j] = j == k ? kappa * tr * al[k] : j < k ? kappa * tr * lnr[k] * dp[j] / dp[k] : 0.0;
        }
}

int nj_vcoord_implicit_inverse(int L, int T, double radius, double eta, double rtr,
                               const double *gam, const double *tau, const double *nu,
                               double *minv)
{
    double *bm = malloc(sizeof(double) * L * L), *w = malloc(sizeof(double) * L * 2 * L);
    if (!bm || !w) {
        free(bm);
        free(w);
        return nj_error(NJORD_ENOMEM, "semi-implicit matrices: out of memory");
    }
    for (int i = 0; i < L; i++) /* B = gam tau + R T_r 1 nu^T */
        for (int j = 0; j < L; j++) {
            double s = rtr * nu[j];
            for (int k = 0; k < L; k++) s += gam[i * L + k] * tau[k * L + j];
            bm[i * L + j] = s;
        }
    double bnorm = 0; /* max-row-sum norm of B, for the singularity test */
    for (int i = 0; i < L; i++) {
        double r = 0;
        for (int j = 0; j < L; j++) r += fabs(bm[i * L + j]);
        bnorm = r > bnorm ? r : bnorm;
    }
    int st = NJORD_OK;
    for (int n = 0; n <= T && !st; n++) {
        double c = eta * eta * n * (n + 1.0) / (radius * radius);
        /* [M | I] -> [I | M^-1], M = I + c B */
        for (int i = 0; i < L; i++)
            for (int j = 0; j < 2 * L; j++)
                w[i * 2 * L + j] = j < L ? (i == j) + c * bm[i * L + j] : (double)(j - L == i);
        for (int col = 0; col < L && !st; col++) {
            int piv = col;
            for (int i = col + 1; i < L; i++)
                if (fabs(w[i * 2 * L + col]) > fabs(w[piv * 2 * L + col])) piv = i;
            if (!(fabs(w[piv * 2 * L + col]) > 1e-14 * (1.0 + fabs(c) * bnorm))) {
                st = nj_error(NJORD_EINVAL, "semi-implicit matrix of degree %d is singular", n);
                break;
            }
            if (piv != col)
                for (int j = 0; j < 2 * L; j++) {
                    double tmp = w[col * 2 * L + j];
                    w[col * 2 * L + j] = w[piv * 2 * L + j];
                    w[piv * 2 * L + j] = tmp;
                }
            double d = 1.0 / w[col * 2 * L + col];
            for (int j = 0; j < 2 * L; j++) w[col * 2 * L + j] *= d;
            for (int i = 0; i < L; i++) {
                if (i == col) continue;
                double f = w[i * 2 * L + col];
                if (f != 0)
                    for (int j = 0; j < 2 * L; j++) w[i * 2 * L + j] -= f * w[col * 2 * L + j];
            }
        }
        for (int i = 0; i < L; i++)
            for (int j = 0; j < L; j++) minv[(size_t)n * L * L + i * L + j] = w[i * 2 * L + L + j];
    }
    free(bm);
    free(w);
    return st;
}
