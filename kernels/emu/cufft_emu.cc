/* kernels/emu/cufft_emu.cc — cuFFT subset on FFTW (fftw3 and fftw3f), host emulation.
 * A cuFFT plan keeps its layout; FFTW plans are made at the first exec (FFTW_ESTIMATE
 * does not touch the arrays, FFTW_UNALIGNED lets any later pointers be used), one per
 * in-place/out-of-place and direction, and run with FFTW's new-array execute. */
#include "cufft_emu.h"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <string>

#include "emu_internal.h"

namespace {

struct Plan {
    bool made = false;
    cufftType type = CUFFT_C2C;
    int rank = 0;
    int n[3] = {1, 1, 1};
    bool basic = true;
    int inembed[3] = {1, 1, 1}, onembed[3] = {1, 1, 1};
    int istride = 1, idist = 0, ostride = 1, odist = 0;
    int batch = 1;
    cudaStream_t stream = nullptr;
    void *fplan[4] = {nullptr, nullptr, nullptr, nullptr}; /* [inplace * 2 + inverse] */
};

std::mutex g_mu;           /* plans and the FFTW planner */
std::map<int, Plan> g_plans;
int g_next = 0; /* cuFFT reserves no handle value: 0 can be a live plan */

bool is_double(cufftType t) { return t == CUFFT_D2Z || t == CUFFT_Z2D || t == CUFFT_Z2Z; }
bool real_in(cufftType t) { return t == CUFFT_R2C || t == CUFFT_D2Z; }
bool real_out(cufftType t) { return t == CUFFT_C2R || t == CUFFT_Z2D; }

const char *type_name(cufftType t)
{
    switch (t) {
    case CUFFT_R2C: return "CUFFT_R2C";
    case CUFFT_C2R: return "CUFFT_C2R";
    case CUFFT_C2C: return "CUFFT_C2C";
    case CUFFT_D2Z: return "CUFFT_D2Z";
    case CUFFT_Z2D: return "CUFFT_Z2D";
    case CUFFT_Z2Z: return "CUFFT_Z2Z";
    }
    return "an invalid cufftType";
}

cufftResult err(cufftResult r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
cufftResult err(cufftResult r, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    nj_emu::set_message("%s", buf);
    return r;
}

/* one side (input or output) of a transform, in elements of its own type */
struct Side {
    int len[3];   /* logical lengths */
    int embed[3]; /* storage lengths */
    int stride, dist;
    bool real;
    size_t elem; /* bytes per element */
};

void sides(const Plan &p, bool inplace, Side &in, Side &out)
{
    size_t r = is_double(p.type) ? sizeof(double) : sizeof(float);
    for (int pass = 0; pass < 2; pass++) {
        Side &s = pass == 0 ? in : out;
        bool is_real = pass == 0 ? real_in(p.type) : real_out(p.type);
        bool halved = (real_in(p.type) || real_out(p.type)) && !is_real;
        s.real = is_real;
        s.elem = is_real ? r : 2 * r;
        for (int k = 0; k < p.rank; k++) s.len[k] = p.n[k];
        if (halved) s.len[p.rank - 1] = p.n[p.rank - 1] / 2 + 1;
        if (p.basic) {
            for (int k = 0; k < p.rank; k++) s.embed[k] = s.len[k];
            if (is_real && inplace && (real_in(p.type) || real_out(p.type)))
                s.embed[p.rank - 1] = 2 * (p.n[p.rank - 1] / 2 + 1);
            s.stride = 1;
            s.dist = 1;
            for (int k = 0; k < p.rank; k++) s.dist *= s.embed[k];
        } else {
            for (int k = 0; k < p.rank; k++) s.embed[k] = pass == 0 ? p.inembed[k] : p.onembed[k];
            s.stride = pass == 0 ? p.istride : p.ostride;
            s.dist = pass == 0 ? p.idist : p.odist;
        }
    }
}

/* bytes from the first to the last element touched, inclusive */
size_t extent_bytes(const Plan &p, const Side &s)
{
    long long last = (long long)(p.batch - 1) * s.dist, inner = 0;
    for (int k = 0; k < p.rank; k++) {
        long long m = s.len[k] - 1;
        for (int j = k + 1; j < p.rank; j++) m *= s.embed[j];
        inner += m;
    }
    last += inner * s.stride;
    return (size_t)(last + 1) * s.elem;
}

cufftResult make_plan(Plan &p, int rank, const int *n, const int *inembed, int istride, int idist,
                      const int *onembed, int ostride, int odist, cufftType type, int batch)
{
    if (type != CUFFT_R2C && type != CUFFT_C2R && type != CUFFT_C2C && type != CUFFT_D2Z && type != CUFFT_Z2D &&
        type != CUFFT_Z2Z)
        return err(CUFFT_INVALID_TYPE, "cufftPlan: invalid type %d", (int)type);
    if (rank < 1 || rank > 3 || !n) return err(CUFFT_INVALID_SIZE, "cufftPlan: rank %d (1..3) or n is NULL", rank);
    for (int k = 0; k < rank; k++)
        if (n[k] < 1) return err(CUFFT_INVALID_SIZE, "cufftPlan: n[%d] = %d", k, n[k]);
    if (batch < 1) return err(CUFFT_INVALID_SIZE, "cufftPlan: batch = %d", batch);
    Plan q;
    q.type = type;
    q.rank = rank;
    for (int k = 0; k < rank; k++) q.n[k] = n[k];
    q.batch = batch;
    q.basic = !inembed || !onembed;
    if (!q.basic) {
        for (int k = 0; k < rank; k++) {
            q.inembed[k] = inembed[k];
            q.onembed[k] = onembed[k];
        }
        q.istride = istride;
        q.idist = idist;
        q.ostride = ostride;
        q.odist = odist;
        if (istride < 1 || ostride < 1)
            return err(CUFFT_INVALID_VALUE, "cufftPlanMany: istride %d and ostride %d must be >= 1", istride, ostride);
        if (batch > 1 && (idist < 1 || odist < 1))
            return err(CUFFT_INVALID_VALUE, "cufftPlanMany: idist %d and odist %d must be >= 1 for batch %d", idist,
                       odist, batch);
        Side in, out;
        sides(q, false, in, out);
        for (int pass = 0; pass < 2; pass++) {
            const Side &s = pass == 0 ? in : out;
            for (int k = 1; k < rank; k++)
                if (s.embed[k] < s.len[k])
                    return err(CUFFT_INVALID_VALUE, "cufftPlanMany: %s[%d] = %d is smaller than the %s length %d",
                               pass == 0 ? "inembed" : "onembed", k, s.embed[k], s.real ? "real" : "complex", s.len[k]);
        }
    }
    for (void *&fp : p.fplan) fp = nullptr; /* caller destroys old FFTW plans */
    q.made = true;
    q.stream = p.stream;
    p = q;
    return CUFFT_SUCCESS;
}

void destroy_fftw(Plan &p)
{
    for (void *&fp : p.fplan) {
        if (!fp) continue;
        if (is_double(p.type)) fftw_destroy_plan((fftw_plan)fp);
        else fftwf_destroy_plan((fftwf_plan)fp);
        fp = nullptr;
    }
}

/* the FFTW plan for this layout; g_mu held */
void *fftw_plan_for(Plan &p, bool inplace, int dir, void *in, void *out, const Side &si, const Side &so)
{
    int slot = (inplace ? 2 : 0) + (dir == CUFFT_INVERSE ? 1 : 0);
    if (p.fplan[slot]) return p.fplan[slot];
    const unsigned flags = FFTW_ESTIMATE | FFTW_UNALIGNED;
    const int *n = p.n;
    void *fp = nullptr;
    switch (p.type) {
    case CUFFT_D2Z:
        fp = fftw_plan_many_dft_r2c(p.rank, n, p.batch, (double *)in, si.embed, si.stride, si.dist,
                                    (fftw_complex *)out, so.embed, so.stride, so.dist, flags);
        break;
    case CUFFT_Z2D:
        fp = fftw_plan_many_dft_c2r(p.rank, n, p.batch, (fftw_complex *)in, si.embed, si.stride, si.dist,
                                    (double *)out, so.embed, so.stride, so.dist, flags);
        break;
    case CUFFT_Z2Z:
        fp = fftw_plan_many_dft(p.rank, n, p.batch, (fftw_complex *)in, si.embed, si.stride, si.dist,
                                (fftw_complex *)out, so.embed, so.stride, so.dist,
                                dir == CUFFT_INVERSE ? FFTW_BACKWARD : FFTW_FORWARD, flags);
        break;
    case CUFFT_R2C:
        fp = fftwf_plan_many_dft_r2c(p.rank, n, p.batch, (float *)in, si.embed, si.stride, si.dist,
                                     (fftwf_complex *)out, so.embed, so.stride, so.dist, flags);
        break;
    case CUFFT_C2R:
        fp = fftwf_plan_many_dft_c2r(p.rank, n, p.batch, (fftwf_complex *)in, si.embed, si.stride, si.dist,
                                     (float *)out, so.embed, so.stride, so.dist, flags);
        break;
    case CUFFT_C2C:
        fp = fftwf_plan_many_dft(p.rank, n, p.batch, (fftwf_complex *)in, si.embed, si.stride, si.dist,
                                 (fftwf_complex *)out, so.embed, so.stride, so.dist,
                                 dir == CUFFT_INVERSE ? FFTW_BACKWARD : FFTW_FORWARD, flags);
        break;
    }
    p.fplan[slot] = fp;
    return fp;
}

cufftResult exec(const char *fn, cufftHandle h, cufftType want, void *in, void *out, int dir)
{
    Plan snapshot;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        auto it = g_plans.find(h);
        if (it == g_plans.end() || !it->second.made)
            return err(CUFFT_INVALID_PLAN, "%s: %d is not a live plan", fn, h);
        snapshot = it->second;
    }
    if (snapshot.type != want)
        return err(CUFFT_INVALID_VALUE, "%s: the plan was made for %s, not %s", fn, type_name(snapshot.type),
                   type_name(want));
    if ((want == CUFFT_C2C || want == CUFFT_Z2Z) && dir != CUFFT_FORWARD && dir != CUFFT_INVERSE)
        return err(CUFFT_INVALID_VALUE, "%s: direction %d is neither CUFFT_FORWARD nor CUFFT_INVERSE", fn, dir);
    bool inplace = in == out;
    Side si, so;
    sides(snapshot, inplace, si, so);
    std::string why;
    size_t bi = extent_bytes(snapshot, si), bo = extent_bytes(snapshot, so);
    if (!nj_emu::device_range(in, bi, why))
        return err(CUFFT_INVALID_VALUE, "%s: input (%zu bytes for this layout) is not inside device memory: %s", fn,
                   bi, why.c_str());
    if (!nj_emu::device_range(out, bo, why))
        return err(CUFFT_INVALID_VALUE, "%s: output (%zu bytes for this layout) is not inside device memory: %s", fn,
                   bo, why.c_str());
    nj_emu::DeviceScope scope;
    void *fp;
    {
        std::lock_guard<std::mutex> lk(g_mu);
        auto it = g_plans.find(h);
        if (it == g_plans.end()) return err(CUFFT_INVALID_PLAN, "%s: plan %d destroyed meanwhile", fn, h);
        fp = fftw_plan_for(it->second, inplace, dir, in, out, si, so);
    }
    if (!fp) return err(CUFFT_INVALID_VALUE, "%s: FFTW cannot plan this layout", fn);
    switch (want) {
    case CUFFT_D2Z: fftw_execute_dft_r2c((fftw_plan)fp, (double *)in, (fftw_complex *)out); break;
    case CUFFT_Z2D: fftw_execute_dft_c2r((fftw_plan)fp, (fftw_complex *)in, (double *)out); break;
    case CUFFT_Z2Z: fftw_execute_dft((fftw_plan)fp, (fftw_complex *)in, (fftw_complex *)out); break;
    case CUFFT_R2C: fftwf_execute_dft_r2c((fftwf_plan)fp, (float *)in, (fftwf_complex *)out); break;
    case CUFFT_C2R: fftwf_execute_dft_c2r((fftwf_plan)fp, (fftwf_complex *)in, (float *)out); break;
    case CUFFT_C2C: fftwf_execute_dft((fftwf_plan)fp, (fftwf_complex *)in, (fftwf_complex *)out); break;
    }
    nj_emu::count(nj_emu::C_FFT);
    return CUFFT_SUCCESS;
}

} // namespace

size_t nj_emu::live_fft_plans()
{
    std::lock_guard<std::mutex> lk(g_mu);
    return g_plans.size();
}

extern "C" {

cufftResult cufftCreate(cufftHandle *plan)
{
    if (!plan) return err(CUFFT_INVALID_VALUE, "cufftCreate: plan is NULL");
    if (nj_emu::injected_failure("cufftCreate"))
        return err(CUFFT_ALLOC_FAILED, "cufftCreate: failure injected by nj_emu_fail_after");
    std::lock_guard<std::mutex> lk(g_mu);
    *plan = g_next++;
    g_plans[*plan] = Plan();
    return CUFFT_SUCCESS;
}

cufftResult cufftMakePlanMany(cufftHandle plan, int rank, int *n, int *inembed, int istride, int idist, int *onembed,
                              int ostride, int odist, cufftType type, int batch, size_t *workSize)
{
    if (nj_emu::injected_failure("cufftMakePlanMany"))
        return err(CUFFT_ALLOC_FAILED, "cufftMakePlanMany: failure injected by nj_emu_fail_after");
    std::lock_guard<std::mutex> lk(g_mu);
    auto it = g_plans.find(plan);
    if (it == g_plans.end()) return err(CUFFT_INVALID_PLAN, "cufftMakePlan: %d is not a plan from cufftCreate", plan);
    destroy_fftw(it->second);
    cufftResult r = make_plan(it->second, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch);
    if (workSize) *workSize = 0;
    return r;
}

cufftResult cufftMakePlan1d(cufftHandle plan, int nx, cufftType type, int batch, size_t *workSize)
{
    return cufftMakePlanMany(plan, 1, &nx, nullptr, 1, 0, nullptr, 1, 0, type, batch, workSize);
}

cufftResult cufftPlanMany(cufftHandle *plan, int rank, int *n, int *inembed, int istride, int idist, int *onembed,
                          int ostride, int odist, cufftType type, int batch)
{
    cufftResult r = cufftCreate(plan);
    if (r != CUFFT_SUCCESS) return r;
    r = cufftMakePlanMany(*plan, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch, nullptr);
    if (r != CUFFT_SUCCESS) {
        std::lock_guard<std::mutex> lk(g_mu);
        g_plans.erase(*plan);
    }
    return r;
}

cufftResult cufftPlan1d(cufftHandle *plan, int nx, cufftType type, int batch)
{
    return cufftPlanMany(plan, 1, &nx, nullptr, 1, 0, nullptr, 1, 0, type, batch);
}

cufftResult cufftPlan2d(cufftHandle *plan, int nx, int ny, cufftType type)
{
    int n[2] = {nx, ny};
    return cufftPlanMany(plan, 2, n, nullptr, 1, 0, nullptr, 1, 0, type, 1);
}

cufftResult cufftGetSize(cufftHandle plan, size_t *workSize)
{
    std::lock_guard<std::mutex> lk(g_mu);
    if (!g_plans.count(plan)) return err(CUFFT_INVALID_PLAN, "cufftGetSize: %d is not a live plan", plan);
    if (workSize) *workSize = 0;
    return CUFFT_SUCCESS;
}

cufftResult cufftSetAutoAllocation(cufftHandle plan, int autoAllocate)
{
    (void)autoAllocate;
    std::lock_guard<std::mutex> lk(g_mu);
    if (!g_plans.count(plan)) return err(CUFFT_INVALID_PLAN, "cufftSetAutoAllocation: %d is not a live plan", plan);
    return CUFFT_SUCCESS;
}

cufftResult cufftSetWorkArea(cufftHandle plan, void *workArea)
{
    (void)workArea;
    std::lock_guard<std::mutex> lk(g_mu);
    if (!g_plans.count(plan)) return err(CUFFT_INVALID_PLAN, "cufftSetWorkArea: %d is not a live plan", plan);
    return CUFFT_SUCCESS;
}

cufftResult cufftSetStream(cufftHandle plan, cudaStream_t stream)
{
    if (nj_emu::injected_failure("cufftSetStream"))
        return err(CUFFT_INTERNAL_ERROR, "cufftSetStream: failure injected by nj_emu_fail_after");
    if (!nj_emu::stream_valid(stream))
        return err(CUFFT_INVALID_VALUE, "cufftSetStream: %p is not a live stream", (void *)stream);
    std::lock_guard<std::mutex> lk(g_mu);
    auto it = g_plans.find(plan);
    if (it == g_plans.end()) return err(CUFFT_INVALID_PLAN, "cufftSetStream: %d is not a live plan", plan);
    it->second.stream = stream;
    return CUFFT_SUCCESS;
}

cufftResult cufftDestroy(cufftHandle plan)
{
    std::lock_guard<std::mutex> lk(g_mu);
    auto it = g_plans.find(plan);
    if (it == g_plans.end()) return err(CUFFT_INVALID_PLAN, "cufftDestroy: %d is not a live plan", plan);
    destroy_fftw(it->second);
    g_plans.erase(it);
    return CUFFT_SUCCESS;
}

cufftResult cufftGetVersion(int *version)
{
    if (!version) return err(CUFFT_INVALID_VALUE, "cufftGetVersion: version is NULL");
    *version = CUFFT_VERSION;
    return CUFFT_SUCCESS;
}

cufftResult cufftExecR2C(cufftHandle plan, cufftReal *idata, cufftComplex *odata)
{
    return exec("cufftExecR2C", plan, CUFFT_R2C, idata, odata, CUFFT_FORWARD);
}
cufftResult cufftExecC2R(cufftHandle plan, cufftComplex *idata, cufftReal *odata)
{
    return exec("cufftExecC2R", plan, CUFFT_C2R, idata, odata, CUFFT_INVERSE);
}
cufftResult cufftExecC2C(cufftHandle plan, cufftComplex *idata, cufftComplex *odata, int direction)
{
    return exec("cufftExecC2C", plan, CUFFT_C2C, idata, odata, direction);
}
cufftResult cufftExecD2Z(cufftHandle plan, cufftDoubleReal *idata, cufftDoubleComplex *odata)
{
    return exec("cufftExecD2Z", plan, CUFFT_D2Z, idata, odata, CUFFT_FORWARD);
}
cufftResult cufftExecZ2D(cufftHandle plan, cufftDoubleComplex *idata, cufftDoubleReal *odata)
{
    return exec("cufftExecZ2D", plan, CUFFT_Z2D, idata, odata, CUFFT_INVERSE);
}
cufftResult cufftExecZ2Z(cufftHandle plan, cufftDoubleComplex *idata, cufftDoubleComplex *odata, int direction)
{
    return exec("cufftExecZ2Z", plan, CUFFT_Z2Z, idata, odata, direction);
}

} /* extern "C" */
