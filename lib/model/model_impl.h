/* lib/model/model_impl.h — the model's internal state, shared by the driver
 * (model.c: configuration, time loop, checks, output), the primitive-equation
 * parts (pe_model.c) and restarts (restart.c). Internal. */
#ifndef NJ_MODEL_IMPL_H
#define NJ_MODEL_IMPL_H

#include "../dyn/primitive.h"
#include "../dyn/shallow_water.h"
#include "../dyn/testcases.h"
#include "njord/config.h"
#include "njord/io.h"
#include "njord/model.h"

enum { F_U, F_V, F_ZG, F_H, F_VOR, F_DIV, F_OROG, F_PV, F_COUNT };
#define NJ_MAX_OUT 16
/* a wind above this (m/s) means the model blew up: no atmosphere has it, and
 * beyond it the state soon overflows (both models) */
#define NJ_MAX_WIND 1000.0

struct njord_model {
    char *cfg_text;                /* the whole configuration, for the output file */
    char case_name[64];
    /* parameters */
    double radius, omega, gravity, dt, length, out_interval, check_interval;
    double tilt;                   /* of the rotation axis (Williamson 2) */
    long out_every, check_every;
    int advection;
    nj_testcase tc;
    nj_tc_params tcp;
    char start[32];
    /* numerics */
    njord_sht_plan *plan;
    const nj_sht_backend *ops;
    nj_sw sw;
    nj_equation eq;
    nj_integrator *it;
    nj_real *x, *good, *good_prev; /* state, last checked state (+ its leapfrog level) */
    long good_steps;
    double phiref;
    double phiref_cfg;             /* dynamics.reference_geopotential (0: automatic) */
    nj_real *hs_grid;              /* local orography (m), host */
    /* time */
    long steps;
    /* output */
    int nout, out_fields[NJ_MAX_OUT];
    njord_cf_writer *writer;       /* rank 0 */
    char *out_path;
    int deflate, overwrite;
    int out_open;                  /* every rank: the output file was opened */
    int out_done;                  /* every rank: ... and completed (no more output) */
    int initial_done;              /* every rank: the initial state was output */
    long out_last;                 /* every rank: step of the last output written, or -1 */
    int failed;                    /* a run failed: its output goes to the partial path */
    char bad_what[64];             /* check_state: the bad field, as the first bad rank named it */
    /* MPI */
    MPI_Comm comm;
    int rank;
    /* timing, inside time steps only */
    double t_total, t_trans;
    /* state size: nfields local spectral fields of 2 * nspec_loc reals */
    int nfields;
    size_t nstate;
    /* primitive equations (pe_mode): lib/model/pe_model.c */
    int pe_mode;
    nj_pe pe;
    nj_vcoord vc;                  /* the parsed levels, until nj_pe_init takes them */
    int pe_case;                   /* nj_pe_case, 0 for a file */
    double rd, cp, tref, pref;
    int ntr, hs;
    int nplev, npout, pout[NJ_MAX_OUT]; /* pressure-level output: levels and variables */
    double plev[64];               /* Pa */
    /* restarts */
    char *restart_out;             /* path written at restart_every and at the end, or "" */
    long restart_every;            /* steps; 0: only at the end of a run */
    char integrator[16];           /* time.integrator */
    /* ensemble (lib/model/ensemble.c) */
    long ens_member;               /* ensemble.member: 0 the control */
    double ens_amp;                /* ensemble.perturbation, m/s */
    int ens_nmin, ens_nmax;        /* its total wavenumbers */
};

#define TRY(call)                                                                          \
    do {                                                                                   \
        int st_ = (call);                                                                  \
        if (st_) return st_;                                                               \
    } while (0)

/* model.c */
int nj_model_agree(njord_model *m, int st);
/* the list of config key against names[nnames]: indices into out (at most
 * NJ_MAX_OUT); "auto" gives dflt, "none" nothing; an unknown word is an error
 * naming it and listing the what-model's variables */
int nj_model_parse_vars(const njord_config *c, const char *key, const char *const *names,
                        int nnames, const int *dflt, int ndflt, const char *what, int *out, int *nout);
static inline size_t nj_model_ngrid(const njord_model *m) { return (size_t)m->plan->nrows * m->plan->nlon; }
static inline size_t nj_model_nspec(const njord_model *m) { return 2 * m->plan->nspec_loc; }

/* pe_model.c: the primitive-equation parts of the model */
int nj_pem_read_params(njord_model *m, const njord_config *c);
int nj_pem_setup(njord_model *m, const njord_config *c);
int nj_pem_open_vars(njord_model *m, njord_cf_var *vars, int *nv, njord_cf_vertical *vert,
                     double *buf);
int nj_pem_write_output(njord_model *m);
int nj_pem_field(njord_model *m, const char *name, int root, njord_real *global);
int nj_pem_diagnostics(njord_model *m, njord_diag *dg);
int nj_pem_orography(njord_model *m);
/* first bad grid value: *field (name) < 0 when none; host check of winds and T */
int nj_pem_check_grid(njord_model *m, const char **what, double *lat, double *lon, double *val,
                      int *bad);

/* model.c: shallow water: the geopotential x[ns..2ns) in balance with the wind of
 * x's vorticity and divergence (the steady divergence equation), of global mean
 * g mean_depth. Collective. */
int nj_model_balanced_height(njord_model *m, double mean_depth);

/* ensemble.c: ensemble.* read and checked (after model.equations); the initial
 * perturbation of member > 0 added to the state's vorticity, and for shallow
 * water its balance increment to the height (collective: the transforms; the
 * same on every rank count) */
int nj_model_ensemble_params(njord_model *m, const njord_config *c);
int nj_model_ensemble_perturb(njord_model *m);

/* restart.c */
int nj_restart_read(njord_model *m, const char *path);

#endif
