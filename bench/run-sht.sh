#!/bin/sh
# bench/run-sht.sh — run the transform benchmark and write bench/results/sht.{json,md}.
# Usage: sh bench/run-sht.sh [BIN_DIR]
#   BIN_DIR holds bench_sht_dp and bench_sht_sp (default bench/build).
# Environment: BENCH_T (default 85,170,341,682), BENCH_NF (default 1,20),
#   OMP_NUM_THREADS (default: all CPUs), BENCH_PYTHON (default python3, the
#   interpreter where `pip install shtns` went),
#   BENCH_MIN_TIME (seconds of repetitions per case, default 0.2).
# The box is noisy, so the runs are interleaved by truncation: for each T,
# Njord double, then SHTns, then Njord single; each bench_sht process measures
# its own GEMM baselines, so every ratio compares numbers taken minutes apart
# at most. A missing binary or a failing SHTns run is reported, not fatal.
set -u
B=${1:-bench/build}
R=bench/results
RAW=$R/raw
PY=${BENCH_PYTHON:-python3}
TS=${BENCH_T:-85,170,341,682}
NF=${BENCH_NF:-1,20}
MT=${BENCH_MIN_TIME:-0.2}
OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
export OMP_NUM_THREADS
NJ_BLAS_PROBE=${NJ_BLAS_PROBE:-build/njord} . tools/blas-env.sh
mkdir -p "$RAW"
rm -f "$RAW"/njord_dp_T*.json "$RAW"/njord_sp_T*.json "$RAW"/shtns_T*.json
status=0
for T in $(echo "$TS" | tr ',' ' '); do
    for p in dp sp; do
        if [ "$p" = sp ]; then
            echo "== SHTns, T$T"
            if ! "$PY" bench/shtns_bench.py -T "$T" -n "$NF" -t "$MT" -o "$RAW/shtns_T$T.json"; then
                echo '{"available": false, "reason": "bench/shtns_bench.py failed"}' > "$RAW/shtns_T$T.json"
            fi
        fi
        if [ -x "$B/bench_sht_$p" ]; then
            echo "== Njord $p, T$T"
            if ! "$B/bench_sht_$p" -T "$T" -n "$NF" -t "$MT" -o "$RAW/njord_${p}_T$T.json"; then
                echo "run-sht.sh: bench_sht_$p failed for T$T (exit status $?)" >&2
                rm -f "$RAW/njord_${p}_T$T.json"
                status=1
            fi
        else
            echo "run-sht.sh: $B/bench_sht_$p not built" >&2
        fi
    done
done
echo "== Report"
"$PY" bench/report.py --dp "$RAW"/njord_dp_T*.json --sp "$RAW"/njord_sp_T*.json \
    --shtns "$RAW"/shtns_T*.json --out "$R/sht.json" --md "$R/sht.md" || status=1
exit $status
