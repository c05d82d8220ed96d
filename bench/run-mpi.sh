#!/usr/bin/env bash
# bench/run-mpi.sh — distributed transform benchmark: 1, 2 and 4 ranks (one
# OpenMP thread each; 4 ranks oversubscribe a 2-core machine) at T170 and T341,
# 20 fields. Writes bench/results/mpi.json and prints a table.
# Usage: bench/run-mpi.sh [BIN_DIR]   (BENCH_MPI_NP, BENCH_MPI_T, BENCH_NF override)
set -eu
B=${1:-bench/build}
NPS=${BENCH_MPI_NP:-"1 2 4"}
TS=${BENCH_MPI_T:-"170 341"}
NF=${BENCH_NF:-20}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
NJ_BLAS_PROBE=${NJ_BLAS_PROBE:-build/njord} . tools/blas-env.sh
out=bench/results/mpi.json
tmp=$(mktemp)
for np in $NPS; do
  mpirun --oversubscribe -np "$np" "$B/bench_mpi_dp" "$NF" $TS >> "$tmp"
done
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import json, sys, subprocess, datetime, os
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
base = {(r["T"]): r["pair_s"] for r in rows if r["ranks"] == 1}
for r in rows:
    b = base.get(r["T"])
    r["speedup_vs_1_rank"] = round(b / r["pair_s"], 3) if b else None
    r["comm_share"] = round(r["comm_s"] / r["pair_s"], 3)
try:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
except Exception:
    commit = None
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
doc = {"benchmark": "njord distributed transforms (synthesis + analysis pair)",
       "machine": {"cpu": cpu, "cores": os.cpu_count()}, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
       "commit": commit,
       "note": "one OpenMP thread per rank; ranks beyond the core count are oversubscribed, "
               "so their times show overhead, not speed-up; bytes are exact (from the decomposition)",
       "cases": rows}
json.dump(doc, open(sys.argv[2], "w"), indent=1)
print("| T | grid | fields | ranks | pair ms | comm ms | comm share | speed-up vs 1 rank | MB sent per rank per pair |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['T']} | {r['nlon']}x{r['nlat']} | {r['fields']} | {r['ranks']} | {r['pair_s']*1e3:.1f} | "
          f"{r['comm_s']*1e3:.2f} | {r['comm_share']:.2f} | {r['speedup_vs_1_rank']} | {r['bytes_sent_per_rank_per_pair']/1e6:.2f} |")
PY
rm -f "$tmp"
echo "wrote $out"
