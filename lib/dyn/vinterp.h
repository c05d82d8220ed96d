/* lib/dyn/vinterp.h — vertical interpolation of single columns (internal).
 *
 * Used (a) by the model to write fields on pressure levels and (b) by
 * njord_analysis_read (lib/io/analysis_read.c) to put an analysis on the
 * model's hybrid levels. Pure functions of their arguments, in double
 * precision, column by column: no allocation, no state, no error reporting.
 * Columns run from the top to the bottom: source pressures strictly
 * increasing (Pa, all > 0); targets may come in any order.
 *
 * Constants (shared/REFERENCES.md): g = 9.80616 m s-2, Rd = 287.04 J kg-1 K-1,
 * standard lapse rate Gamma = 0.0065 K m-1, so the exponent of the
 * constant-lapse-rate atmosphere is
 *     gamma = Rd Gamma / g = 0.190263...
 *
 * Below the ground (extrapolation as in the ECMWF post-processing, IFS
 * documentation Part III; Trenberth, Berry & Buja 1993, NCAR/TN-396+STR):
 * temperature follows the standard lapse rate from the lowest model level L
 * (pressure p_L, temperature T_L). In an atmosphere of constant lapse rate,
 * dT/dz = -Gamma with hydrostatic balance dp/p = -g dz / (Rd T) gives
 * dT/T = (Rd Gamma / g) dp/p, so
 *     T(p) = T_L (p / p_L)^gamma                                       (1)
 * for every p > p_L. In particular the surface temperature is
 *     T* = T(ps) = T_L (ps / p_L)^gamma
 *        = T_L + gamma T_L ln(ps/p_L) + O(ln^2)   (the linearised T* of the
 *          IFS, T_L (1 + gamma (ps/p_L - 1)), agrees to the same order),
 * and below the ground (p > ps) (1) is the same as T(p) = T* (p/ps)^gamma.
 * Integrating the hydrostatic equation dPhi = -Rd T d(ln p) from the surface
 * (ps, phis) with T = T* (p/ps)^gamma:
 *     Phi(p) = phis - Rd T* [(p/ps)^gamma - 1] / gamma
 *            = phis + (g T* / Gamma) [1 - (p/ps)^gamma]                 (2)
 * (the IFS and NCL's vinth2p_ecmwf evaluate (2) through its Taylor series in
 * gamma ln(p/ps); here the closed form is used). Both T and Phi are continuous
 * at p = ps: (1) is one formula on both sides of the surface, and (2) gives
 * phis at p = ps, where the interpolation above the ground ends (below).
 * Not applied: the IFS / Trenberth et al. reductions of the lapse rate over
 * high or warm ground (T* < 255 K, T* + Gamma z_s > 290.5 K, z_s > 2000 m).
 */
#ifndef NJ_VINTERP_H
#define NJ_VINTERP_H

#define NJ_VI_G 9.80616     /**< gravity, m s-2 */
#define NJ_VI_RD 287.04     /**< gas constant of dry air, J kg-1 K-1 */
#define NJ_VI_LAPSE 0.0065  /**< standard lapse rate Gamma, K m-1 */
/** Exponent of the constant-lapse-rate atmosphere, gamma = Rd Gamma / g. */
#define NJ_VI_GAMMA (NJ_VI_RD * NJ_VI_LAPSE / NJ_VI_G)

/** Interpolate a column given at n >= 1 source pressures p_src (Pa, > 0,
 *  strictly increasing = top to bottom) with values f_src to m >= 0 target
 *  pressures p_tgt (any order), linearly in ln p:
 *      f(p) = f_k + (f_{k+1} - f_k) ln(p/p_k) / ln(p_{k+1}/p_k),  p_k <= p <= p_{k+1}.
 *  A field linear in ln p is therefore reproduced to rounding. Outside the
 *  source range the nearest end value is held (p <= p_src[0]: f_src[0];
 *  p >= p_src[n-1]: f_src[n-1]) — the choice for winds and humidity. A target
 *  pressure <= 0 counts as above the top. f_tgt must not overlap the inputs. */
void nj_vinterp_logp(int n, const double *p_src, const double *f_src, int m, const double *p_tgt,
                     double *f_tgt);

/** Temperature: as nj_vinterp_logp (linear in ln p inside, held above the
 *  top), but below the lowest source level (p > p_src[n-1]) extrapolated with
 *  the standard lapse rate from that level, formula (1) of the header comment:
 *      T(p) = T_bot (p / p_bot)^gamma,  p_bot = p_src[n-1], T_bot = t_src[n-1].
 *  Continuous at p_bot. */
void nj_vinterp_logp_lapse(int n, const double *p_src, const double *t_src, int m,
                           const double *p_tgt, double *t_tgt);

/** Temperature and geopotential on pressure levels from a model column: n >= 1
 *  full levels at pressures p_full (Pa, strictly increasing) with temperature
 *  t_full (K) and geopotential phi_full (m2 s-2), surface pressure ps
 *  (> p_full[n-1]) and surface geopotential phis; m target pressures p_tgt
 *  (> 0, any order). Either output may be NULL.
 *
 *  Temperature (t_out): nj_vinterp_logp_lapse on the full levels — held above
 *  the top full level, linear in ln p between full levels, and below the
 *  lowest full level L (both between p_L and the surface and below the
 *  ground) T(p) = T_L (p/p_L)^gamma, i.e. T* (p/ps)^gamma below the ground.
 *
 *  Geopotential (phi_out):
 *   - above the top full level (p < p_full[0]): isothermal at the held
 *     temperature, Phi(p) = Phi_0 + Rd T_0 ln(p_full[0] / p) (hydrostatic
 *     and consistent with the held T);
 *   - from the top full level to the surface: linear in ln p through the
 *     points (p_full[k], phi_full[k]) and the surface point (ps, phis);
 *   - below the ground (p > ps): formula (2),
 *     Phi(p) = phis + (g T* / Gamma) [1 - (p/ps)^gamma], T* = T_L (ps/p_L)^gamma.
 *  T and Phi are continuous at p = ps. */
void nj_vinterp_t_phi_to_p(int n, const double *p_full, const double *t_full,
                           const double *phi_full, double ps, double phis, int m,
                           const double *p_tgt, double *t_out, double *phi_out);

/** Full-level pressures of a hybrid column: n levels, n+1 half-level
 *  coefficients ai (Pa) and bi (half level i = 0..n, i = 0 the top, i = n the
 *  surface), surface pressure ps (Pa):
 *      ph[i] = ai[i] + bi[i] ps,   p_full[k] = (ph[k] + ph[k+1]) / 2,  k = 0..n-1
 *  (full level k is the arithmetic mean of the half levels that bound it). */
void nj_vinterp_full_levels(int n, const double *ai, const double *bi, double ps,
                            double *p_full);

#endif
