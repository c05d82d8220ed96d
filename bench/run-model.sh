#!/usr/bin/env bash
# bench/run-model.sh — model speed: simulated days per day (SDPD) of a configuration
# at several truncations on the cpu backend (and cuda where a GPU works,
# BENCH_BACKENDS="cpu cuda"), and the share of step time spent in transforms,
# grid-point work and the rest (implicit solve, filters, linear combinations).
# Writes a JSON file and prints a table. Runs are short (the SDPD of a run is
# steady after a few steps); no output files are written. Step costs are quoted
# as ratios to the first case, measured in the same run.
#   usage: bench/run-model.sh NJORD_BINARY CONFIG.ini OUT.json "T:dt:length ..." TITLE
#   make bench-sw:  Galewsky at T85, T170, T341            -> bench/results/sw.json
#   make bench-dry: JW06 baroclinic wave, T85L26, T170L26  -> bench/results/dry.json
set -eu
NJ=$1
NJ_BLAS_PROBE=$NJ . tools/blas-env.sh
INI=$2
out=$3
cases=$4
TITLE=$5
BACKENDS=${BENCH_BACKENDS:-${BENCH_SW_BACKENDS:-cpu}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for b in $BACKENDS; do
  for c in $cases; do
    T=${c%%:*}; rest=${c#*:}; dt=${rest%%:*}; len=${rest#*:}
    if "$NJ" run "$INI" --set grid.trunc=$T --set time.dt=$dt --set time.length=$len \
        --set output.interval=$len --set output.file= --set output.summary=$tmp/$b-$T.json \
        --set backend.kind=$b --set run.progress=never >"$tmp/$b-$T.log" 2>&1; then
      echo "T$T $b: done"
    else
      echo "T$T $b: failed ($(tail -1 "$tmp/$b-$T.log"))"
    fi
  done
done
/usr/bin/python3 - "$tmp" "$out" "$TITLE" <<'PY'
import datetime, glob, json, os, subprocess, sys
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    r = json.load(open(f))
    s = r["step_seconds"]
    tot = s["total"] or 1e-30
    rows.append({"backend": os.path.basename(f).split("-")[0], "T": r["truncation"], "grid": r["grid"],
                 "simulated_days": r["simulated_days"], "steps": r["steps"], "wall_s": r["wall_seconds"],
                 "sdpd": r["sdpd"], "seconds_per_step": tot / max(r["steps"], 1),
                 "share_transforms": s["transforms"] / tot, "share_gridpoint": s["gridpoint"] / tot,
                 "share_other": s["other"] / tot, "cpu_energy_joules": r.get("cpu_energy_joules")})
rows.sort(key=lambda r: (r["backend"], r["T"]))
base = {}
for r in rows:
    base.setdefault(r["backend"], (r["T"], r["seconds_per_step"]))
for r in rows:
    t0, b = base[r["backend"]]
    r["step_cost_vs_T%d" % t0] = round(r["seconds_per_step"] / b, 2)
    r["step_cost_ratio"] = r["step_cost_vs_T%d" % t0]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
doc = {"benchmark": sys.argv[3],
       "machine": {"cpu": cpu, "cores": os.cpu_count(), "omp_threads": os.environ.get("OMP_NUM_THREADS")},
       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "commit": commit,
       "note": "CPU times on a shared machine; compare ratios measured in the same run (step_cost_ratio, "
               "against the first truncation), "
               "absolute times only from a dedicated or GPU run",
       "cases": rows}
json.dump(doc, open(sys.argv[2], "w"), indent=1)
print("| backend | T | grid | steps | s/step | SDPD | cost vs first | transforms | grid-point | other |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['backend']} | {r['T']} | {r['grid'][0]}x{r['grid'][1]} | {r['steps']} | {r['seconds_per_step']*1e3:.1f} ms | "
          f"{r['sdpd']:.0f} | {r['step_cost_ratio']} | {r['share_transforms']:.0%} | {r['share_gridpoint']:.0%} | {r['share_other']:.0%} |")
PY
echo "wrote $out"
