/* lib/dyn/testcases.h — analytic initial states of the shallow-water test cases
 * (shared/REFERENCES.md: Williamson et al. 1992; Galewsky, Scott & Polvani 2004).
 * Fields are evaluated on the given local grid rows (host, double). */
#ifndef NJ_TESTCASES_H
#define NJ_TESTCASES_H

typedef enum {
    NJ_TC_WILLIAMSON1 = 1,
    NJ_TC_WILLIAMSON2,
    NJ_TC_WILLIAMSON5,
    NJ_TC_WILLIAMSON6,
    NJ_TC_GALEWSKY,
    NJ_TC_GALEWSKY_UNPERTURBED
} nj_testcase;

typedef struct {
    double radius, omega, gravity, alpha; /* alpha: rotation angle of Williamson 1, 2 */
} nj_tc_params;

/** Parse a case name ("williamson1", ..., "galewsky_unperturbed"); 0 if unknown. */
nj_testcase nj_testcase_parse(const char *name);

/** u, v (m/s), free-surface height h (m, depth + orography) and orography hs (m)
 *  at time t (s) on nrows rows (global latitude indices rows[], Gaussian latitudes
 *  lat[] in radians and weights w[] of all nlat rows) of nlon longitudes.
 *  t > 0 is only meaningful for cases with an analytic solution
 *  (nj_testcase_exact): Williamson 1 (the bell carried by solid-body rotation)
 *  and 2 (steady). Arrays are [nrows][nlon]. */
int nj_testcase_fields(nj_testcase tc, const nj_tc_params *pp, int nlat, const double *lat,
                       const double *w, int nrows, const int *rows, int nlon, double t,
                       double *u, double *v, double *h, double *hs);

/** Does the case have an analytic solution at every time? */
int nj_testcase_exact(nj_testcase tc);

/** Does the case need the advection equation (the wind stays fixed)? */
int nj_testcase_advection(nj_testcase tc);

#endif
