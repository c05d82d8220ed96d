#!/usr/bin/env python3
"""Merge the transform-benchmark outputs into bench/results/sht.json and sht.md.

Usage: python3 bench/report.py [--dp F...] [--sp F...] [--shtns F...] [--out F] [--md F]

Inputs (each option takes one or more files; missing files are skipped):
  --dp     JSON written by bench_sht built in double precision  (default bench/results/raw/njord_dp_T*.json)
  --sp     JSON written by bench_sht built in single precision  (default bench/results/raw/njord_sp_T*.json)
  --shtns  JSON written by bench/shtns_bench.py                 (default bench/results/raw/shtns_T*.json)
Outputs: one JSON object (--out, default bench/results/sht.json) and a markdown
report (--md, default bench/results/sht.md); the markdown is also printed.

Only numbers measured in the same run are compared: Legendre GFLOP/s against the
GEMM rates measured by the same bench_sht process, Njord times against the SHTns
times of the same `make bench-sht`. Nothing here asserts on speed; the
"targets" section only says whether each target was met in this run.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RES = os.path.join(HERE, "results")

# Performance targets of the issue (informational only).
TARGET_LEGENDRE_FRAC = 0.60   # batched (20 fields) Legendre rate / GEMM rate
TARGET_SHTNS_RATIO = 1.0      # Njord / SHTns, scalar pair, 20 fields, T341
TARGET_T = 341
BATCH = 20


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as e:
        print("report.py: %s is not valid JSON (%s); ignored" % (path, e), file=sys.stderr)
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def git(*args):
    try:
        r = subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True,
                           timeout=10)
        return r.stdout.strip() if r.returncode == 0 else None
    except Exception:
        return None


def machine_info(runs):
    threads = next((r.get("threads") for r in runs if r), None)
    info = {
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "threads": threads,
        "omp_num_threads_env": os.environ.get("OMP_NUM_THREADS"),
        "loadavg_at_report": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": None,
        "os": platform.platform(),
    }
    st = git("status", "--porcelain", "--untracked-files=no")
    if st is not None:
        info["git_dirty"] = bool(st)
    return info


NOISY_FACTOR = 1.5     # median / fastest repetition above this: noisy
NOISY_FOREIGN = 0.10   # other processes took more than this share of the CPUs: noisy
NOISY_MARK = "⚠"


def noisy(x):
    """A case timed while other processes took a sizeable share of the machine
    (foreign_cpu), or whose median repetition is much slower than its fastest."""
    if not x or not x.get("ok", True) or not x.get("pair_s"):
        return False
    if (x.get("foreign_cpu") or 0) > NOISY_FOREIGN:
        return True
    return (x.get("reps", 0) >= 3 and bool(x.get("pair_min_s"))
            and x["pair_s"] > NOISY_FACTOR * x["pair_min_s"])


def key(c):
    return (c.get("T"), c.get("nfields"))


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def fmt(v, spec, none="–"):
    if v is None:
        return none
    try:
        return format(v, spec)
    except (TypeError, ValueError):
        return str(v)


def combine_njord(runs):
    """Several bench_sht outputs of one precision -> (summary, cases)."""
    runs = [r for r in runs if r]
    if not runs:
        return None, []
    sq = [r.get("gemm_square", {}) for r in runs]
    rates = sorted(x["gflops"] for x in sq if x.get("gflops") is not None)
    bws = [r["mem_read"]["gbs"] for r in runs
           if ((r.get("mem_read") or {}).get("gbs") or 0) > 0]
    first = runs[0]
    summary = {
        "gemm_square": {
            "routine": sq[0].get("routine"), "n": sq[0].get("n"),
            "gflops_median": rates[len(rates) // 2] if rates else None,
            "gflops_min": rates[0] if rates else None,
            "gflops_max": rates[-1] if rates else None,
            "runs": len(rates),
            "note": "measured at the start of each bench_sht process (one per T), the "
                    "fastest of a few repetitions each; legendre_frac_gemm_square uses "
                    "gflops_max, the best of them (noise only slows a GEMM down)",
        },
        "mem_read": {
            "gbs_max": max(bws) if bws else None,
            "gbs_min": min(bws) if bws else None,
            "runs": len(bws),
            "note": "read rate of memory (a sum over 805 MB by all threads), the fastest "
                    "of 5 in each bench_sht process; legendre_memory_s uses gbs_max",
        },
        "gemm_shape_note": "per case: the GEMM sequence of the even/odd Legendre "
                           "formulation (same shapes and table size), see cases[].gemm_shape",
        "njord_version": first.get("njord_version"),
        "build_info": first.get("build_info"),
        "threads": first.get("threads"),
        "affinity_cpus": first.get("affinity_cpus"),
        "stage_times": all(r.get("stage_times") for r in runs),
        "wall_s": sum(r.get("wall_s") or 0 for r in runs),
    }
    # The peak reference of this precision: the best of the large-square rates that
    # the processes of this run measured (noise only ever slows a GEMM down).
    peak = rates[-1] if rates else None
    cases = []
    for r in runs:
        for c in r.get("cases", []):
            c = dict(c)
            c["gemm_square_gflops_process"] = r.get("gemm_square", {}).get("gflops")
            c["gemm_square_gflops"] = peak
            for kind in ("scalar", "vector"):
                x = c.get(kind)
                if x and x.get("ok"):
                    x = dict(x)
                    x["legendre_frac_gemm_square_process"] = x.get("legendre_frac_gemm_square")
                    lg = x.get("legendre_gflops")
                    x["legendre_frac_gemm_square"] = lg / peak if lg and peak else None
                    fl, lmin = x.get("legendre_flops"), x.get("legendre_min_s")
                    # the same from the fastest repetition: the best of the stage
                    # against the best of the GEMM, as the SHTns ratio of minima
                    x["legendre_frac_gemm_square_fastest"] = (
                        fl / lmin / (peak * 1e9) if fl and lmin and peak else None)
                    # the two times the stage cannot beat, with this run's best rates
                    by = x.get("legendre_bytes_model")
                    x["legendre_compute_s"] = fl / (peak * 1e9) if fl and peak else None
                    x["legendre_memory_s"] = (by / (max(bws) * 1e9)
                                              if by is not None and bws else None)
                    c[kind] = x
            cases.append(c)
    cases.sort(key=lambda c: (c.get("T", 0), c.get("nfields", 0)))
    return summary, cases


def combine_shtns(runs):
    runs = [r for r in runs if r]
    if not runs:
        return None, {}
    ok = [r for r in runs if r.get("available")]
    meta = {k: v for k, v in (ok[0] if ok else runs[0]).items() if k not in ("cases", "wall_s")}
    meta["wall_s"] = sum(r.get("wall_s") or 0 for r in runs)
    cases = {}
    for r in ok:
        for c in r.get("cases", []):
            if "nfields" in c:
                cases[key(c)] = c
    return meta, cases


def merge(dps, sps, shs):
    sh_meta, shtns_cases = combine_shtns(shs)
    dp_sum, dp_cases = combine_njord(dps)
    sp_sum, sp_cases = combine_njord(sps)
    out = {
        "benchmark": "sht",
        "machine": machine_info([dp_sum, sp_sum]),
        "baselines": {},
        "shtns": sh_meta,
        "cases": [],
    }
    for prec, summary, cases in (("double", dp_sum, dp_cases), ("single", sp_sum, sp_cases)):
        if not summary:
            continue
        out["baselines"][prec] = summary
        for c in cases:
            e = {"precision": prec}
            e.update(c)
            for kind in ("scalar", "vector"):
                if kind in e and e[kind].get("ok"):
                    e[kind]["noisy"] = noisy(e[kind])
            s = shtns_cases.get(key(c))
            if s is not None:
                e["shtns"] = {"precision": "double",
                              "scalar_pair_s": s["scalar"]["pair_s"],
                              "scalar_pair_min_s": s["scalar"]["pair_min_s"],
                              "scalar_foreign_cpu": s["scalar"].get("foreign_cpu"),
                              "scalar_noisy": noisy(s["scalar"]),
                              "vector_pair_s": s["vector"]["pair_s"],
                              "vector_pair_min_s": s["vector"]["pair_min_s"],
                              "vector_foreign_cpu": s["vector"].get("foreign_cpu"),
                              "vector_noisy": noisy(s["vector"])}
                for kind in ("scalar", "vector"):
                    mine = e.get(kind, {})
                    if not mine.get("ok"):
                        continue
                    mine["shtns_ratio"] = ratio(mine.get("pair_s"), s[kind]["pair_s"])
                    mine["shtns_ratio_min"] = ratio(mine.get("pair_min_s"),
                                                    s[kind]["pair_min_s"])
            out["cases"].append(e)
    out["targets"] = targets(out)
    return out


def ceiling(s):
    cs, ms = s.get("legendre_compute_s"), s.get("legendre_memory_s")
    if not cs or ms is None:
        return None
    return cs / max(cs, ms)


def targets(res):
    t = {"legendre_frac_target": TARGET_LEGENDRE_FRAC, "shtns_ratio_target": TARGET_SHTNS_RATIO,
         "legendre": [], "shtns_T341_batch20": None}
    for c in res["cases"]:
        if c.get("nfields") != BATCH:
            continue
        s = c.get("scalar", {})
        if not s.get("ok"):
            continue
        t["legendre"].append({
            "precision": c["precision"], "T": c["T"], "noisy": noisy(s),
            "frac_gemm_shape": s.get("legendre_frac_gemm_shape"),
            "frac_gemm_square": s.get("legendre_frac_gemm_square"),
            "frac_gemm_square_fastest": s.get("legendre_frac_gemm_square_fastest"),
            "met_vs_shape": None if s.get("legendre_frac_gemm_shape") is None
            else s["legendre_frac_gemm_shape"] >= TARGET_LEGENDRE_FRAC,
            "met_vs_square": None if s.get("legendre_frac_gemm_square") is None
            else s["legendre_frac_gemm_square"] >= TARGET_LEGENDRE_FRAC,
            # the highest fraction of the large-square GEMM rate the stage could
            # reach if its data does not stay cached: the memory time caps it
            "memory_ceiling_frac_square": ceiling(s),
        })
        if c["precision"] == "double" and c["T"] == TARGET_T and "shtns_ratio" in s:
            t["shtns_T341_batch20"] = {"ratio": s["shtns_ratio"],
                                       "noisy": noisy(s) or bool(
                                           c.get("shtns", {}).get("scalar_noisy")),
                                       "ratio_min": s.get("shtns_ratio_min"),
                                       "met": s["shtns_ratio"] is not None
                                       and s["shtns_ratio"] <= TARGET_SHTNS_RATIO}
    return t


def markdown(res):
    m = res["machine"]
    L = []
    L.append("# Njord spherical-harmonic transform benchmark")
    L.append("")
    L.append("- machine: %s, %s CPUs, %s threads, load average at report %s" % (
        m.get("cpu_model"), m.get("cpus"), m.get("threads"),
        ", ".join("%.2f" % x for x in (m.get("loadavg_at_report") or []))))
    L.append("- date: %s, commit: %s%s" % (m.get("date_utc"), m.get("git_commit") or "(none)",
                                           " (dirty)" if m.get("git_dirty") else ""))
    for prec, b in res["baselines"].items():
        gs = b.get("gemm_square", {})
        mr = b.get("mem_read") or {}
        L.append("- %s: Njord %s, %sGEMM %s³ = %s GFLOP/s (best of %s processes, range %s–%s), "
                 "memory read %s GB/s (best of %s, range %s–%s), stage timers %s" % (
                     prec, b.get("njord_version"), "D" if prec == "double" else "S",
                     gs.get("n"), fmt(gs.get("gflops_max"), ".1f"), gs.get("runs"),
                     fmt(gs.get("gflops_min"), ".1f"), fmt(gs.get("gflops_max"), ".1f"),
                     fmt(mr.get("gbs_max"), ".1f"), mr.get("runs"), fmt(mr.get("gbs_min"), ".1f"),
                     fmt(mr.get("gbs_max"), ".1f"), "yes" if b.get("stage_times") else "no"))
    bi = next((b.get("build_info") for b in res["baselines"].values() if b.get("build_info")), "")
    blas = next((l[len("blas: "):] for l in (bi or "").splitlines() if l.startswith("blas: ")), None)
    if blas:
        L.append("- BLAS: %s%s" % (blas, " (OPENBLAS_CORETYPE=%s)" % os.environ["OPENBLAS_CORETYPE"]
                                   if os.environ.get("OPENBLAS_CORETYPE") else ""))
    sh = res.get("shtns")
    if sh is None:
        L.append("- SHTns: not run")
    elif not sh.get("available"):
        L.append("- SHTns: not available (%s)" % sh.get("reason"))
    else:
        L.append("- SHTns %s (double precision; %s)" % (sh.get("shtns_version"),
                                                        sh.get("batching")))
    L.append("")
    L.append("Times are medians per call pair (synthesis + analysis; uv_from_vordiv + "
             "vordiv_from_uv) for all nf fields together. Leg GF/s: Legendre-stage flops / "
             "Legendre-stage time (scalar pair). frac shape / frac sq: that rate over the "
             "GEMM rate measured in the same run on the same GEMM shapes / on a large square "
             "product. Leg ms: the Legendre stage of the scalar pair; at GEMM: its flops at "
             "the large-square GEMM rate; memory: the bytes it must move when nothing stays "
             "cached between stages (LS buffer read and written, Fourier buffer written and "
             "read, written lines counted twice, stored functions read in each direction "
             "unless regenerated) at the memory read rate. A stage cannot beat the larger of "
             "the two unless its data stays in cache. SHTns ratio: Njord time / SHTns time "
             "(< 1: Njord faster; single precision is compared with SHTns double).")
    L.append("")
    L.append("| prec | T | grid | nf | scalar pair ms | vector pair ms | Leg GF/s | "
             "GEMM shape GF/s | frac shape | frac sq | Leg ms | at GEMM ms | memory ms | "
             "SHTns scalar ms | ratio | SHTns vector ms | ratio | roundtrip err |")
    L.append("|" + "---|" * 18)
    def ms(x):
        if not x.get("ok"):
            return "err"
        mark = NOISY_MARK if noisy(x) else ""
        return fmt(1e3 * x["pair_s"], ".2f") + mark

    def shms(shc, kind):
        if not shc:
            return "–"
        return fmt(1e3 * shc[kind + "_pair_s"], ".2f") + (
            NOISY_MARK if shc.get(kind + "_noisy") else "")

    for c in res["cases"]:
        if "plan_error" in c:
            L.append("| %s | %d | %dx%d | – | plan failed: %s |" % (
                c["precision"], c["T"], c["nlon"], c["nlat"], c["plan_error"]))
            continue
        s, v = c.get("scalar", {}), c.get("vector", {})
        shc = c.get("shtns", {})
        err = max([x for x in (s.get("roundtrip_relerr"), v.get("roundtrip_relerr"))
                   if x is not None] or [None]) if (s.get("ok") or v.get("ok")) else None
        def tms(x):
            return fmt(1e3 * x, ".2f") if x is not None else "–"
        L.append("| %s | %d | %dx%d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                 "| %s | %s | %s |"
                 % (c["precision"], c["T"], c["nlon"], c["nlat"], c["nfields"],
                    ms(s), ms(v),
                    fmt(s.get("legendre_gflops"), ".1f"),
                    fmt(c.get("gemm_shape", {}).get("gflops"), ".1f"),
                    fmt(s.get("legendre_frac_gemm_shape"), ".2f"),
                    fmt(s.get("legendre_frac_gemm_square"), ".2f"),
                    tms(s.get("legendre_s")), tms(s.get("legendre_compute_s")),
                    tms(s.get("legendre_memory_s")),
                    shms(shc, "scalar"),
                    fmt(s.get("shtns_ratio"), ".2f"),
                    shms(shc, "vector"),
                    fmt(v.get("shtns_ratio"), ".2f"),
                    fmt(err, ".1e")))
    if any(noisy(c.get(k, {})) or c.get("shtns", {}).get(k + "_noisy")
           for c in res["cases"] for k in ("scalar", "vector")):
        L.append("")
        L.append("%s: other processes took more than %.0f%% of the machine's CPU time while "
                 "this was timed, or the median was more than %.1f× the fastest repetition: "
                 "unreliable, rerun on an idle machine." % (
                     NOISY_MARK, 100 * NOISY_FOREIGN, NOISY_FACTOR))
    errs = [c for c in res["cases"] for k in ("scalar", "vector")
            if k in c and not c[k].get("ok")]
    if errs:
        L.append("")
        L.append("Failed cases:")
        for c in res["cases"]:
            for k in ("scalar", "vector"):
                if k in c and not c[k].get("ok"):
                    L.append("- %s T%d nf=%d %s: %s" % (c["precision"], c["T"], c["nfields"],
                                                       k, c[k].get("error")))
    t = res["targets"]
    L.append("")
    L.append("## Targets (informational; benchmarks do not fail on speed)")
    L.append("")
    L.append("Legendre stage, %d fields, >= %.0f%% of the GEMM rate of the same run:" % (
        BATCH, 100 * TARGET_LEGENDRE_FRAC))
    L.append("")
    if not t["legendre"]:
        L.append("- no data")
    for x in t["legendre"]:
        L.append("- %s T%d: %s of GEMM on the same shapes (%s), %s of large-square GEMM (%s; "
                 "fastest repetition %s; memory-traffic ceiling %s)%s" % (
            x["precision"], x["T"], fmt(x["frac_gemm_shape"], ".0%"),
            {True: "met", False: "not met", None: "n/a"}[x["met_vs_shape"]],
            fmt(x["frac_gemm_square"], ".0%"),
            {True: "met", False: "not met", None: "n/a"}[x["met_vs_square"]],
            fmt(x.get("frac_gemm_square_fastest"), ".0%"),
            fmt(x["memory_ceiling_frac_square"], ".0%"),
            " — " + NOISY_MARK + " unreliable, machine busy" if x["noisy"] else ""))
    L.append("")
    s = t["shtns_T341_batch20"]
    if s is None:
        L.append("Scalar pair, T%d, %d fields, Njord/SHTns <= %.1f: no data" % (
            TARGET_T, BATCH, TARGET_SHTNS_RATIO))
    else:
        L.append("Scalar pair, T%d, %d fields, Njord/SHTns <= %.1f: ratio %s (of minima %s), %s%s" % (
            TARGET_T, BATCH, TARGET_SHTNS_RATIO, fmt(s["ratio"], ".2f"),
            fmt(s["ratio_min"], ".2f"), "met" if s["met"] else "not met",
            " — " + NOISY_MARK + " unreliable, machine busy" if s["noisy"] else ""))
    L.append("")
    return "\n".join(L)


def load_all(paths):
    files = []
    for p in paths:
        files.extend(sorted(glob.glob(p)) if any(ch in p for ch in "*?[") else [p])
    return [x for x in (load(f) for f in files) if x is not None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dp", nargs="*", default=[os.path.join(RES, "raw", "njord_dp_T*.json")])
    ap.add_argument("--sp", nargs="*", default=[os.path.join(RES, "raw", "njord_sp_T*.json")])
    ap.add_argument("--shtns", nargs="*", default=[os.path.join(RES, "raw", "shtns_T*.json")])
    ap.add_argument("--out", default=os.path.join(RES, "sht.json"))
    ap.add_argument("--md", default=os.path.join(RES, "sht.md"))
    a = ap.parse_args()
    dps, sps, shs = load_all(a.dp), load_all(a.sp), load_all(a.shtns)
    if not dps and not sps:
        print("report.py: no bench_sht output found (%s, %s)" % (a.dp, a.sp), file=sys.stderr)
        return 1
    res = merge(dps, sps, shs)
    for path in (a.out, a.md):
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    md = markdown(res)
    with open(a.md, "w") as f:
        f.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
