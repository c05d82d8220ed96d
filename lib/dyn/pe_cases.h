/* lib/dyn/pe_cases.h — analytic initial states of the primitive-equation test
 * cases (shared/REFERENCES.md): Jablonowski & Williamson (2006, QJRMS 132) steady
 * state and baroclinic wave, and the Held & Suarez (1994) start from rest. */
#ifndef NJ_PE_CASES_H
#define NJ_PE_CASES_H

#include "vcoord.h"

typedef enum { NJ_PE_JW06_STEADY = 1, NJ_PE_JW06_WAVE, NJ_PE_HELD_SUAREZ } nj_pe_case;

typedef struct {
    double radius, omega, gravity, rd;
} nj_pe_case_params;

/** Parse "jw06_steady", "jw06_wave", "held_suarez"; 0 if unknown. */
nj_pe_case nj_pe_case_parse(const char *name);

/** Fields on nrows local rows (global indices rows[], latitudes lat[] in radians)
 *  of nlon longitudes (2 pi i / nlon), host, double: u, v, t (K) on the full
 *  levels of vc, level-major [nlev][nrows][nlon]; ps (Pa) and phis (m2 s-2)
 *  [nrows][nlon]; q (may be NULL): the first tracer, specific humidity (kg/kg),
 *  [nlev][nrows][nlon]: for JW06 the moisture of the moist variant (DCMIP 2016,
 *  Ullrich et al.): q = 0.018 exp(-(lat/(2pi/9))^4) exp(-((eta-1) p0/34000 Pa)^2),
 *  carried as a passive tracer; 0 for Held–Suarez. JW06: ps = 1000 hPa and eta at full level k is the mean of the
 *  half-level eta = a/p0 + b. Held–Suarez: rest, 300 K plus a deterministic
 *  noise of +-0.1 K that depends only on the global grid point (the same for any
 *  decomposition), ps = 1000 hPa, flat. */
int nj_pe_case_fields(nj_pe_case c, const nj_pe_case_params *pp, const nj_vcoord *vc,
                      const double *lat, int nrows, const int *rows, int nlon, double *u,
                      double *v, double *t, double *q, double *ps, double *phis);

#endif
