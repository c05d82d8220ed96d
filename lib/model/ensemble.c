/* lib/model/ensemble.c — initial perturbations of ensemble members.
 *
 * Member k > 0 (ensemble.member) adds to the initial vorticity of every level
 * the vorticity of a random non-divergent wind: a streamfunction psi with
 * coefficients on the total wavenumbers n = nmin..nmax (ensemble.nmin, .nmax,
 * clipped to T), zeta' = -n(n+1) psi / a^2. Each coefficient is a complex
 * Gaussian number (Box-Muller; m = 0: a real one of the same mean square) of
 * mean square proportional to 1 / (n (n+1) (2n+1)), so that every n of the band
 * carries the same expected kinetic energy, shared equally by its 2n+1 real
 * degrees of freedom; the level's coefficients are then scaled so that the
 * perturbation wind's root-mean-square over the sphere is exactly
 * ensemble.perturbation (m/s):
 *   mean |grad psi|^2 = sum_n n(n+1)/a^2 (|psi_n^0|^2 + 2 sum_{m>0} |psi_n^m|^2)
 * (the harmonics have unit mean square, include/njord/sht.h).
 *
 * The random numbers are functions of (member, level, m, n) alone
 * (nj_uniform), and every rank sums the scale over all coefficients in the same
 * order, so a member is the same bit for bit whatever the number of ranks, the
 * backend's memory or the run's length; and different members, levels and
 * wavenumbers draw independent numbers. Shallow water: the height gets the
 * increment that keeps the perturbation in nonlinear balance (below).
 * Primitive equations: divergence, temperature, surface pressure and tracers
 * are left as they are (the perturbation adjusts by gravity waves). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"

/* the key of one random number: member (20 bits), level (8), m, n (12 each),
 * which of the two (1) */
static uint64_t key(long member, int lev, int m, int n, int which)
{
    return ((((uint64_t)member * 256 + (uint64_t)lev) * 4096 + (uint64_t)m) * 4096 + (uint64_t)n) * 2 +
           (uint64_t)which;
}

/* the unscaled streamfunction coefficient (m, n) of a level: a complex Gaussian
 * number with E|c|^2 = 2 / (n (n+1) (2n+1)) (m = 0: a real one with the same
 * E|c|^2). With the field's weights (1 for m = 0, 2 for m > 0; include/njord/sht.h)
 * the expected kinetic energy of degree n is then the same for every n, and
 * shared equally by every m from -n to n (statistically isotropic). */
static void coef(long member, int lev, int m, int n, double *re, double *im)
{
    double u1 = 1.0 - nj_uniform(key(member, lev, m, n, 0)); /* (0, 1] */
    double u2 = nj_uniform(key(member, lev, m, n, 1));
    double r = sqrt(-2.0 * log(u1) / (n * (n + 1.0) * (2.0 * n + 1.0)));
    double th = 2.0 * M_PI * u2;
    /* m = 0: the real part alone, with the variance of a whole complex one, so
     * that every m (and so every n) gets the same expected energy */
    *re = m == 0 ? sqrt(2.0) * r * cos(th) : r * cos(th);
    *im = m == 0 ? 0.0 : r * sin(th);
}

int nj_model_ensemble_params(njord_model *m, const njord_config *c)
{
    long member, nmin, nmax;
    double amp;
    TRY(njord_config_get_int(c, "ensemble.member", &member));
    TRY(njord_config_get_int(c, "ensemble.nmin", &nmin));
    TRY(njord_config_get_int(c, "ensemble.nmax", &nmax));
    TRY(njord_config_get_double(c, "ensemble.perturbation", &amp));
    m->ens_member = member;
    m->ens_amp = amp;
    m->ens_nmin = (int)nmin;
    m->ens_nmax = (int)nmax;
    if (nmin > nmax)
        return nj_error(NJORD_EINVAL, "ensemble.nmin = %ld is above ensemble.nmax = %ld", nmin, nmax);
    long T;
    TRY(njord_config_get_int(c, "grid.trunc", &T));
    if (member > 0 && amp > 0 && nmin > T)
        return nj_error(NJORD_EINVAL, "ensemble.nmin = %ld is above the truncation grid.trunc = %ld",
                        nmin, T);
    if (member > 0 && m->advection)
        return nj_error(NJORD_EINVAL,
                        "ensemble.member = %ld: perturbations need model.equations = shallow_water "
                        "or primitive (advection has a fixed wind)",
                        member);
    return NJORD_OK;
}

int nj_model_ensemble_perturb(njord_model *m)
{
    const long member = m->ens_member;
    if (member <= 0 || m->ens_amp == 0) return NJORD_OK;
    const njord_sht_plan *p = m->plan;
    const int T = p->T, n1 = m->ens_nmin, n2 = NJ_MIN(m->ens_nmax, T);
    const int nlev = m->pe_mode ? m->pe.L : 1;
    const size_t ns = nj_model_nspec(m), nv = (size_t)nlev * ns;
    const double a2 = m->radius * m->radius;
    nj_real *h = malloc(sizeof(nj_real) * (nv ? nv : 1));
    if (!h) return nj_error(NJORD_ENOMEM, "ensemble perturbation: out of memory");
    int st = m->ops->to_host(h, m->x, sizeof(nj_real) * nv);
    for (int k = 0; k < nlev && !st; k++) {
        /* the scale: the wind's mean square over all coefficients, in one order */
        double ms = 0;
        for (int mm = 0; mm <= n2; mm++)
            for (int n = NJ_MAX(mm, n1); n <= n2; n++) {
                double re, im;
                coef(member, k, mm, n, &re, &im);
                ms += n * (n + 1.0) / a2 * (mm == 0 ? re * re : 2.0 * (re * re + im * im));
            }
        const double scale = ms > 0 ? m->ens_amp / sqrt(ms) : 0.0;
        /* this rank's coefficients: for each local m, n = m..T */
        nj_real *z = h + (size_t)k * ns;
        size_t o = 0;
        for (int im = 0; im < p->nm; im++) {
            const int mm = p->mloc[im];
            for (int n = mm; n <= T; n++, o += 2) {
                if (n < n1 || n > n2) continue;
                double re, ii;
                coef(member, k, mm, n, &re, &ii);
                const double f = -n * (n + 1.0) / a2 * scale;
                z[o] = (nj_real)((double)z[o] + f * re);
                z[o + 1] = (nj_real)((double)z[o + 1] + f * ii);
            }
        }
    }
    /* shallow water: the height gets the balance increment of the new wind,
     * Phi_bal(V + V') - Phi_bal(V) (nonlinear balance, nj_model_balanced_height),
     * so that the perturbation starts without the gravity waves of an
     * unbalanced one; the control's own height, balanced or not, is kept */
    nj_real *keep = NULL, *bal0 = NULL;
    if (!st && !m->pe_mode) {
        st = m->ops->alloc(sizeof(nj_real) * 2 * (ns ? ns : 1), (void **)&keep);
        bal0 = keep + ns;
        if (!st) st = m->ops->axpby(ns, 1.0, m->x + ns, 0.0, keep);
        if (!st) st = nj_model_balanced_height(m, 0.0);
        if (!st) st = m->ops->axpby(ns, 1.0, m->x + ns, 0.0, bal0);
    }
    if (!st) st = m->ops->from_host(m->x, h, sizeof(nj_real) * nv);
    if (!st && !m->pe_mode) {
        st = nj_model_balanced_height(m, 0.0);         /* Phi_bal(V + V') */
        if (!st) st = m->ops->axpby(ns, -1.0, bal0, 1.0, m->x + ns); /* minus Phi_bal(V) */
        if (!st) st = m->ops->axpby(ns, 1.0, keep, 1.0, m->x + ns);  /* plus the control's */
    }
    if (keep) m->ops->free(keep);
    free(h);
    return st;
}
