/* lib/dyn/vcoord.h — hybrid sigma–pressure vertical coordinate and the reference
 * matrices of the semi-implicit primitive equations (internal).
 *
 * Half levels k = 0..L from the top to the surface: p_k = a[k] + b[k] ps (a in Pa).
 * Requirements (checked): b[0] = 0, a[L] = 0, b[L] = 1, a >= 0, and the half-level
 * pressures strictly increase for every surface pressure in [30 kPa, 110 kPa]. */
#ifndef NJ_VCOORD_H
#define NJ_VCOORD_H

typedef struct {
    int nlev;
    double *a, *b; /* nlev + 1 each, owned */
    char name[64];
} nj_vcoord;

/** Levels from a specification:
 *   "sigma:N"   N equally spaced sigma layers (half levels k/N; Held & Suarez 1994)
 *   "cam26"     the 26 CAM hybrid levels of Jablonowski & Williamson (2006,
 *               QJRMS 132, appendix; top at 219 Pa)
 *   "file:PATH" or a path ending in .txt: a text file of nlev+1 lines "a b"
 *               (a in Pa), top to bottom; '#' starts a comment.
 *   "eta:N"     N layers equally spaced in eta = a/p0 + b from a 2.194 hPa top
 *               (as cam26) to the surface: pure pressure above eta = 0.2, b
 *               growing linearly from 0 there to 1 at the surface (generated).
 *  On error *v is empty and the message names the problem. */
int nj_vcoord_parse(const char *spec, nj_vcoord *v);
void nj_vcoord_free(nj_vcoord *v);

/** Matrices of the gravity-wave terms linearised about an isothermal state at
 *  rest, temperature tr (K) and surface pressure pr (Pa) (pe_point.h):
 *  gam (L x L, m^2 s^-2 K^-1): Phi_k - Phi_s = sum_j gam_kj T_j;
 *  tau (L x L, K): the energy-conversion term kappa T_r (omega/p)_k = -sum_j tau_kj delta_j;
 *  nu (L): d ln ps/dt = -sum_k nu_k delta_k. Row-major. */
void nj_vcoord_reference(const nj_vcoord *v, double rd, double kappa, double tr, double pr,
                         double *gam, double *tau, double *nu);

/** minv (T+1 blocks of L x L, row-major) = (I + eta^2 lam_n (gam tau + R T_r 1 nu^T))^-1
 *  with lam_n = n(n+1)/a^2, for n = 0..T. Gaussian elimination with partial
 *  pivoting in double. Returns nonzero if a matrix is singular. */
int nj_vcoord_implicit_inverse(int L, int T, double radius, double eta, double rtr,
                               const double *gam, const double *tau, const double *nu,
                               double *minv);

#endif
