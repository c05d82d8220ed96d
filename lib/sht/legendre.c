/* lib/sht/legendre.c — tables of the normalised associated Legendre functions.
 *
 * P_m^m = sqrt(3/1 ... ) sin^m(theta) underflows double near the poles once m is a
 * few hundred, although P_n^m(theta) becomes representable again further up in n.
 * The recurrence therefore carries each value as x * BIG^e with an integer e <= 0
 * (extended-exponent "X-numbers", Fukushima 2012, J. Geodesy 86:271), in double
 * precision, and writes the ordinary value once e has returned to 0 (values still
 * scaled are below 2^-480 and written as 0). */
#include <math.h>

#include "plan.h"

#define NJ_XBIG 0x1p960
#define NJ_XBIGI 0x1p-960
#define NJ_XBIGS 0x1p480
#define NJ_XBIGSI 0x1p-480

int nj_legendre_m(int m, int T, int nh, const double *costh, const double *sinth,
                  double *p1, double *p2, int *ex, nj_real *sym, int lds, nj_real *anti,
                  int lda)
{
    const int Tx = T + 1; /* degrees up to T+1 */
    /* P_m^m = prod_{k=1..m} sqrt((2k+1)/(2k)) sin(theta) */
    for (int j = 0; j < nh; j++) {
        double x = 1.0;
        int e = 0;
        for (int k = 1; k <= m; k++) {
            x *= sqrt((2.0 * k + 1.0) / (2.0 * k)) * sinth[j];
            if (fabs(x) < NJ_XBIGSI) {
                x *= NJ_XBIG;
                e -= 1;
            }
        }
        p1[j] = x;
        p2[j] = 0.0;
        ex[j] = e;
        sym[j] = (nj_real)(e == 0 ? x : 0.0);
    }
    /* eps_n P_n = mu P_{n-1} - eps_{n-1} P_{n-2} */
    double en1 = 0.0;
    for (int n = m + 1; n <= Tx; n++) {
        double en = sqrt(((double)n * n - (double)m * m) / (4.0 * n * n - 1.0));
        double inv = 1.0 / en;
        int r = (n - m) >> 1;
        nj_real *col = ((n - m) & 1) ? anti + (size_t)r * lda : sym + (size_t)r * lds;
        for (int j = 0; j < nh; j++) {
            double p = (costh[j] * p1[j] - en1 * p2[j]) * inv;
            p2[j] = p1[j];
            p1[j] = p;
            if (ex[j] < 0) {
                if (fabs(p) > NJ_XBIGS) {
                    p1[j] *= NJ_XBIGI;
                    p2[j] *= NJ_XBIGI;
                    ex[j] += 1;
                }
                col[j] = (nj_real)(ex[j] == 0 ? p1[j] : 0.0);
            } else {
                col[j] = (nj_real)p;
            }
        }
        en1 = en;
    }
    /* first row (from the pole) where some degree reaches NJ_LEG_NEGLIGIBLE */
    const int nsym = (Tx - m) / 2 + 1, nanti = (Tx - m + 1) / 2;
    for (int j = 0; j < nh; j++) {
        for (int r = 0; r < nsym; r++)
            if (fabs((double)sym[j + (size_t)r * lds]) >= NJ_LEG_NEGLIGIBLE) return j;
        for (int r = 0; r < nanti; r++)
            if (fabs((double)anti[j + (size_t)r * lda]) >= NJ_LEG_NEGLIGIBLE) return j;
    }
    return nh;
}

void nj_legendre_tables(int T, int nh, const double *costh, const double *sinth, int nm,
                        const int *mloc, const int *ns, const size_t *tab_cum, int nthr,
                        double *work, int *iwork, nj_real *tab, int *jlo)
{
#pragma omp parallel num_threads(nthr)
    {
        int tid = nj_thread_id();
        double *p1 = work + (size_t)tid * 2 * nh;
        int *ex = iwork + (size_t)tid * nh;
#pragma omp for schedule(dynamic, 1)
        for (int im = 0; im < nm; im++) {
            nj_real *sym = tab + tab_cum[im] * (size_t)nh;
            nj_real *anti = sym + (size_t)ns[im] * (size_t)nh;
            jlo[im] = nj_legendre_m(mloc[im], T, nh, costh, sinth, p1, p1 + nh, ex, sym, nh, anti,
                                    nh);
        }
    }
}
