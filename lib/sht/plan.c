/* lib/sht/plan.c — transform plans: validation, layout, and the stage sequence of
 * each transform. The arithmetic lives in the backends (lib/backend, kernels/). */
#include "plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/backend.h"

#define NJ_EARTH_RADIUS 6.37122e6
#define NJ_MAX_BATCH (1 << 24) /* documented in include/njord/sht.h */

static int nj_check_desc(const njord_sht_desc *d)
{
    if (d->trunc < 1)
        return nj_error(NJORD_EINVAL, "sht plan: truncation T = %d, need T >= 1", d->trunc);
    if (d->trunc > 16383)
        return nj_error(NJORD_EINVAL, "sht plan: truncation T = %d above the supported 16383",
                        d->trunc);
    if (d->nlat < d->trunc + 1)
        return nj_error(NJORD_EINVAL,
                        "sht plan: nlat = %d too small for T%d (need nlat >= T+1 = %d)",
                        d->nlat, d->trunc, d->trunc + 1);
    if (d->nlon < 2 * d->trunc + 1)
        return nj_error(NJORD_EINVAL,
                        "sht plan: nlon = %d too small for T%d (need nlon >= 2T+1 = %d)",
                        d->nlon, d->trunc, 2 * d->trunc + 1);
    if (d->max_batch < 1)
        return nj_error(NJORD_EINVAL, "sht plan: max_batch = %d, need >= 1", d->max_batch);
    if (d->max_batch > NJ_MAX_BATCH) /* 4 real columns per field in int, sizes in size_t */
        return nj_error(NJORD_EINVAL, "sht plan: max_batch = %d above the supported %d",
                        d->max_batch, NJ_MAX_BATCH);
    if (!(d->radius >= 0.0) || !isfinite(d->radius))
        return nj_error(NJORD_EINVAL, "sht plan: radius = %g m, need a finite value >= 0",
                        d->radius);
    return NJORD_OK;
}

/* Agree across the ranks of comm: every rank learns whether any rank failed and
 * whether the descriptions match, so that all return an error together and no
 * rank is left waiting in a collective call. */
static int nj_plan_consensus(MPI_Comm comm, int st, const njord_sht_desc *d)
{
    int v[6] = {st != NJORD_OK, d->trunc, d->nlat, d->nlon, d->max_batch, (int)d->backend};
    int lo[6], hi[6];
    /* the radius as the plan uses it, and its negative: one MIN gives both extremes */
    const double a = d->radius > 0 ? d->radius : NJ_EARTH_RADIUS, av[2] = {a, -a};
    double alo[2];
    if (MPI_Allreduce(v, lo, 6, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS ||
        MPI_Allreduce(v, hi, 6, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS ||
        MPI_Allreduce(av, alo, 2, MPI_DOUBLE, MPI_MIN, comm) != MPI_SUCCESS)
        return nj_error(NJORD_EMPI, "sht plan: MPI_Allreduce failed on the communicator");
    if (st) return st; /* this rank's own message */
    if (hi[0]) return nj_error(NJORD_EINVAL, "sht plan: creation failed on another rank");
    for (int i = 1; i < 6; i++)
        if (lo[i] != hi[i])
            return nj_error(NJORD_EINVAL,
                            "sht plan: the ranks disagree on the plan (%s differs between "
                            "ranks: %d vs %d); every rank must pass the same description",
                            (const char *[]){"", "trunc", "nlat", "nlon", "max_batch",
                                             "backend"}[i],
                            lo[i], hi[i]);
    if (alo[0] != -alo[1])
        return nj_error(NJORD_EINVAL,
                        "sht plan: the ranks disagree on the plan (radius differs between "
                        "ranks: %.17g vs %.17g m); every rank must pass the same description",
                        alo[0], -alo[1]);
    return NJORD_OK;
}

/* The communicator: MPI_COMM_NULL means serial (MPI is not touched). */
static int nj_plan_comm(njord_sht_plan *p, MPI_Comm comm, int st_local, const njord_sht_desc *d)
{
    p->comm = MPI_COMM_NULL;
    p->rank = 0;
    p->nranks = 1;
    if (comm == MPI_COMM_NULL) return st_local;
    /* a description zero-initialised without setting comm: no valid handle in any
     * MPI (Open MPI: a null pointer; MPICH: 0), and passing it on would make the
     * MPI library abort the process */
    static const MPI_Comm zero;
    if (!memcmp(&comm, &zero, sizeof comm))
        return st_local ? st_local : nj_error(NJORD_EINVAL, "sht plan: desc.comm is not set (all bytes zero): use "
                                      "MPI_COMM_NULL for a serial plan, or a communicator");
    int st = njord_init(NULL, NULL);
    if (st) return st;
    if (MPI_Comm_size(comm, &p->nranks) != MPI_SUCCESS ||
        MPI_Comm_rank(comm, &p->rank) != MPI_SUCCESS)
        return nj_error(NJORD_EMPI, "sht plan: invalid communicator");
    st = nj_plan_consensus(comm, st_local, d);
    if (st) return st;
    if (p->nranks > (d->nlat + 1) / 2)
        return nj_error(NJORD_EINVAL,
                        "sht plan: %d ranks but only %d latitude pairs (nlat = %d); use at "
                        "most %d ranks",
                        p->nranks, (d->nlat + 1) / 2, d->nlat, (d->nlat + 1) / 2);
    if (MPI_Comm_dup(comm, &p->comm) != MPI_SUCCESS)
        return nj_error(NJORD_EMPI, "sht plan: MPI_Comm_dup failed");
    return NJORD_OK;
}

int njord_sht_plan_create(const njord_sht_desc *desc, njord_sht_plan **plan)
{
    if (!plan) return nj_error(NJORD_EINVAL, "njord_sht_plan_create: plan is NULL");
    *plan = NULL;
    if (!desc) return nj_error(NJORD_EINVAL, "njord_sht_plan_create: desc is NULL");
    /* resolved first: resolving auto clears the error state (no usable GPU) */
    njord_backend_kind kind = njord_backend_resolve(desc->backend);
    int st = nj_check_desc(desc);
    const nj_sht_backend *ops = NULL;
    if (!st) {
        if (kind == NJORD_BACKEND_CPU) {
            ops = &nj_cpu_backend;
        } else if (kind == NJORD_BACKEND_CUDA) {
            st = nj_cuda_usable();
            if (st) st = nj_error_context(st, "sht plan: backend cuda");
            else ops = nj_cuda_sht_backend();
        } else {
            st = nj_error(NJORD_EINVAL, "sht plan: unknown backend %d", (int)desc->backend);
        }
    }

    njord_sht_plan *p = calloc(1, sizeof *p);
    if (!p) return nj_error(NJORD_ENOMEM, "sht plan: out of memory");
    p->comm = MPI_COMM_NULL;
    st = nj_plan_comm(p, desc->comm, st, desc);
    if (st) goto fail;
    p->T = desc->trunc;
    p->nlat = desc->nlat;
    p->nlon = desc->nlon;
    p->nh = (desc->nlat + 1) / 2;
    p->max_batch = desc->max_batch;
    p->max_cols = 4 * desc->max_batch;
    p->backend = kind;
    p->radius = desc->radius > 0 ? desc->radius : NJ_EARTH_RADIUS;
    p->ops = ops;
    st = nj_par_decompose(p);
    if (st) goto fail;

    const int T = p->T, nlat = p->nlat, nh = p->nh, nm = p->nm;
    p->lat = malloc(sizeof(double) * (size_t)nlat * 4);
    p->ns = malloc(sizeof(int) * (size_t)(nm + 1) * 5);
    p->ls_cum = malloc(sizeof(size_t) * (size_t)(nm + 1));
    double *rowf = malloc(sizeof(double) * (size_t)nh * 4);
    if (!p->lat || !p->ns || !p->ls_cum || !rowf) {
        free(rowf);
        st = nj_error(NJORD_ENOMEM, "sht plan: out of memory for T%d", T);
        goto fail;
    }
    p->mu = p->lat + nlat;
    p->w = p->mu + nlat;
    p->coslat = p->w + nlat;
    p->syn_scale[0] = rowf;
    p->syn_scale[1] = rowf + nh;
    p->ana_scale[0] = rowf + 2 * nh;
    p->ana_scale[1] = rowf + 3 * nh;
    p->na = p->ns + (nm + 1);
    p->ns_T = p->na + (nm + 1);
    p->na_T = p->ns_T + (nm + 1);
    p->jlo = p->na_T + (nm + 1);

    /* geometry: colatitudes theta_j, mu = cos(theta), cos(lat) = sin(theta) */
    st = nj_gauss_theta(nlat, p->lat, p->w);
    if (st) goto fail;
    for (int j = 0; j < nlat; j++) {
        double th = p->lat[j];
        p->mu[j] = (2 * j + 1 == nlat) ? 0.0 : cos(th);
        p->coslat[j] = sin(th);
        p->lat[j] = M_PI / 2 - th;
    }
    for (int j = 0; j < nh; j++) {
        p->syn_scale[0][j] = 1.0;
        p->syn_scale[1][j] = 1.0 / p->coslat[j];
        p->ana_scale[0][j] = 0.5 * p->w[j];
        p->ana_scale[1][j] = 0.5 * p->w[j] / p->coslat[j];
    }
    /* Legendre layout of the local wavenumbers */
    p->ls_cum[0] = 0;
    for (int im = 0; im < nm; im++) {
        int m = p->mloc[im];
        p->ns[im] = (T + 1 - m) / 2 + 1;
        p->na[im] = (T + 2 - m) / 2;
        p->ns_T[im] = (T - m) / 2 + 1;
        p->na_T[im] = (T + 1 - m) / 2;
        p->ls_cum[im + 1] = p->ls_cum[im] + (size_t)(p->ns[im] + p->na[im]);
    }
    p->nls = p->ls_cum[nm];

    st = p->ops->init(p);
fail:
    if (p->comm != MPI_COMM_NULL) {
        /* all ranks succeed or fail together (e.g. out of memory on one rank) */
        int bad = st != NJORD_OK, anybad = 0;
        MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, p->comm);
        if (anybad && !st) st = nj_error(NJORD_EINVAL, "sht plan: creation failed on another rank");
    }
    if (st) {
        njord_sht_plan_destroy(p);
        return st;
    }
    *plan = p;
    return NJORD_OK;
}

void njord_sht_plan_destroy(njord_sht_plan *p)
{
    if (!p) return;
    if (p->ops && p->bk) p->ops->fini(p);
    nj_par_free(p);
    free(p->syn_scale[0]);
    free(p->lat);
    free(p->ns);
    free(p->ls_cum);
    if (p->comm != MPI_COMM_NULL) {
        int fin = 0;
        MPI_Finalized(&fin);
        if (!fin) MPI_Comm_free(&p->comm);
    }
    free(p);
}

int njord_sht_trunc(const njord_sht_plan *p) { return p ? p->T : 0; }
int njord_sht_nlat(const njord_sht_plan *p) { return p ? p->nlat : 0; }
int njord_sht_nlon(const njord_sht_plan *p) { return p ? p->nlon : 0; }
int njord_sht_max_batch(const njord_sht_plan *p) { return p ? p->max_batch : 0; }
njord_backend_kind njord_sht_backend(const njord_sht_plan *p)
{
    return p ? p->backend : NJORD_BACKEND_AUTO;
}
double njord_sht_radius(const njord_sht_plan *p) { return p ? p->radius : 0.0; }
const double *njord_sht_lats(const njord_sht_plan *p) { return p ? p->lat : NULL; }
const double *njord_sht_mu(const njord_sht_plan *p) { return p ? p->mu : NULL; }
const double *njord_sht_weights(const njord_sht_plan *p) { return p ? p->w : NULL; }

int nj_sht_stage_times(const njord_sht_plan *p, double *t_fft, double *t_legendre,
                       double *t_other)
{
    if (!p) return nj_error(NJORD_EINVAL, "nj_sht_stage_times: plan is NULL");
    if (t_fft) *t_fft = p->t_fft;
    if (t_legendre) *t_legendre = p->t_legendre;
    if (t_other) *t_other = p->t_other;
    return NJORD_OK;
}

int nj_sht_legendre_rows(const njord_sht_plan *p, int m)
{
    if (!p) return -1;
    for (int im = 0; im < p->nm; im++)
        if (p->mloc[im] == m) return p->nh - p->jlo[im];
    return -1;
}

void nj_sht_stage_times_reset(njord_sht_plan *p)
{
    if (p) p->t_fft = p->t_legendre = p->t_comm = p->t_other = 0.0;
}

double nj_sht_comm_time(const njord_sht_plan *p) { return p ? p->t_comm : 0.0; }

/* Argument checks shared by the execution functions. */
static int nj_check_exec(const njord_sht_plan *p, const char *fn, int nf, int nptr,
                         const void *const *ptrs, const char *const *names)
{
    if (!p) return nj_error(NJORD_EINVAL, "%s: plan is NULL", fn);
    if (nf < 0 || nf > p->max_batch)
        return nj_error(NJORD_EINVAL, "%s: nfields = %d outside 0..%d (the plan's max_batch)",
                        fn, nf, p->max_batch);
    for (int i = 0; i < nptr; i++)
        if (!p->ops->ptr_ok(p, ptrs[i]))
            return nj_error(NJORD_EINVAL, "%s: %s is NULL or not %s memory", fn, names[i],
                            p->ops->name);
    return NJORD_OK;
}

#define NJ_TIMED(acc, call)                                                                  \
    do {                                                                                     \
        double t0_ = nj_wtime();                                                             \
        int st_ = (call);                                                                    \
        (acc) += nj_wtime() - t0_;                                                           \
        if (st_) return st_;                                                                 \
    } while (0)

int njord_sht_synth(njord_sht_plan *p, const njord_real *spec, njord_real *grid, int nf)
{
    const void *ptrs[] = {spec, grid};
    const char *names[] = {"spec", "grid"};
    int st = nj_check_exec(p, "njord_sht_synth", nf, 2, ptrs, names);
    if (st || nf == 0) return st;
    NJ_TIMED(p->t_other, p->ops->spec_to_ls(p, spec, nf));
    NJ_TIMED(p->t_legendre, p->ops->legendre_inv(p, 2 * nf, 0));
    NJ_TIMED(p->t_comm, p->ops->xpose(p, 2 * nf, 0));
    NJ_TIMED(p->t_fft, p->ops->fft_inv(p, grid, 0, nf, 2 * nf, NJ_ROW_PLAIN));
    return NJORD_OK;
}

int njord_sht_analysis(njord_sht_plan *p, const njord_real *grid, njord_real *spec, int nf)
{
    const void *ptrs[] = {grid, spec};
    const char *names[] = {"grid", "spec"};
    int st = nj_check_exec(p, "njord_sht_analysis", nf, 2, ptrs, names);
    if (st || nf == 0) return st;
    NJ_TIMED(p->t_fft, p->ops->fft_fwd(p, grid, 0, nf, 2 * nf, NJ_ROW_PLAIN));
    NJ_TIMED(p->t_comm, p->ops->xpose(p, 2 * nf, 1));
    NJ_TIMED(p->t_legendre, p->ops->legendre_fwd(p, 2 * nf, 0));
    NJ_TIMED(p->t_other, p->ops->ls_to_spec(p, spec, nf));
    return NJORD_OK;
}

/* U, V in the LS buffer (degrees to T+1) -> u = U/cos, v = V/cos on the grid */
static int nj_wind_synth(njord_sht_plan *p, njord_real *u, njord_real *v, int nf)
{
    NJ_TIMED(p->t_legendre, p->ops->legendre_inv(p, 4 * nf, 1));
    NJ_TIMED(p->t_comm, p->ops->xpose(p, 4 * nf, 0));
    NJ_TIMED(p->t_fft, p->ops->fft_inv(p, u, 0, nf, 4 * nf, NJ_ROW_WIND));
    NJ_TIMED(p->t_fft, p->ops->fft_inv(p, v, nf, nf, 4 * nf, NJ_ROW_WIND));
    return NJORD_OK;
}

int njord_sht_uv_from_vordiv(njord_sht_plan *p, const njord_real *vor, const njord_real *div,
                             njord_real *u, njord_real *v, int nf)
{
    const void *ptrs[] = {vor, div, u, v};
    const char *names[] = {"vor", "div", "u", "v"};
    int st = nj_check_exec(p, "njord_sht_uv_from_vordiv", nf, 4, ptrs, names);
    if (st || nf == 0) return st;
    NJ_TIMED(p->t_other, p->ops->vordiv_to_ls(p, vor, div, 0, nf));
    return nj_wind_synth(p, u, v, nf);
}

int njord_sht_gradient(njord_sht_plan *p, const njord_real *spec, njord_real *dfdx,
                       njord_real *dfdy, int nf)
{
    const void *ptrs[] = {spec, dfdx, dfdy};
    const char *names[] = {"spec", "dfdx", "dfdy"};
    int st = nj_check_exec(p, "njord_sht_gradient", nf, 3, ptrs, names);
    if (st || nf == 0) return st;
    NJ_TIMED(p->t_other, p->ops->vordiv_to_ls(p, NULL, spec, 1, nf));
    return nj_wind_synth(p, dfdx, dfdy, nf);
}

int njord_sht_vordiv_from_uv(njord_sht_plan *p, const njord_real *u, const njord_real *v,
                             njord_real *vor, njord_real *div, int nf)
{
    const void *ptrs[] = {u, v, vor, div};
    const char *names[] = {"u", "v", "vor", "div"};
    int st = nj_check_exec(p, "njord_sht_vordiv_from_uv", nf, 4, ptrs, names);
    if (st || nf == 0) return st;
    NJ_TIMED(p->t_fft, p->ops->fft_fwd(p, u, 0, nf, 4 * nf, NJ_ROW_WIND));
    NJ_TIMED(p->t_fft, p->ops->fft_fwd(p, v, nf, nf, 4 * nf, NJ_ROW_WIND));
    NJ_TIMED(p->t_comm, p->ops->xpose(p, 4 * nf, 1));
    NJ_TIMED(p->t_legendre, p->ops->legendre_fwd(p, 4 * nf, 1));
    NJ_TIMED(p->t_other, p->ops->ls_to_vordiv(p, vor, div, nf));
    return NJORD_OK;
}

static int nj_spec_op(const njord_sht_plan *p, const char *fn, const njord_real *in,
                      njord_real *out, int nf, int inverse)
{
    if (!p) return nj_error(NJORD_EINVAL, "%s: plan is NULL", fn);
    if (nf < 0) return nj_error(NJORD_EINVAL, "%s: nfields = %d < 0", fn, nf);
    if (!p->ops->ptr_ok(p, in) || !p->ops->ptr_ok(p, out))
        return nj_error(NJORD_EINVAL, "%s: in or out is NULL or not %s memory", fn,
                        p->ops->name);
    if (nf == 0) return NJORD_OK;
    return p->ops->spec_scale(p, in, out, nf, inverse);
}

int njord_sht_laplacian(const njord_sht_plan *p, const njord_real *in, njord_real *out, int nf)
{
    return nj_spec_op(p, "njord_sht_laplacian", in, out, nf, 0);
}

int njord_sht_inverse_laplacian(const njord_sht_plan *p, const njord_real *in,
                                njord_real *out, int nf)
{
    return nj_spec_op(p, "njord_sht_inverse_laplacian", in, out, nf, 1);
}
