#!/usr/bin/env bash
# tools/validate-dry.sh — long validation of the dry primitive-equation core (make
# validate-dry; hours on 2 cores, not part of make check). Results, numbers and
# pictures go to bench/results/validate-dry/ (summary.md, *.json, *.png).
#   1. JW06 baroclinic wave at each truncation of VALIDATE_TRUNCS (default
#      "42 85 170"), 10 days on the 26 CAM levels with the CAM3 Eulerian
#      settings (dt 1200/600/300/150 s, del^4 with K4 = 1e16, 1e15, 1.5e14,
#      1.5e13 m^4/s); the minimum surface pressure per day, and the l2
#      difference of surface pressure between successive resolutions at days
#      7-10 (the finer solution interpolated bilinearly to the coarser grid).
#   2. JW06 steady state at T42, 30 days: l2 of the zonal-mean u minus its
#      initial value, and the largest non-zonal u, per day.
#   3. Held-Suarez climate, T42L20 (data/held_suarez.ini, dt = HS_DT, default
#      1800 s), HS_DAYS days (default 1200), the last HS_DAYS - HS_SPINUP_DAYS
#      (default 1000) averaged: zonal-mean u and T, eddy temperature variance.
# VALIDATE_STAGES selects stages (default "jw06 steady hs").
#   usage: tools/validate-dry.sh [NJORD_BINARY]
set -eu
NJ=${1:-build/njord}
NJ_BLAS_PROBE=$NJ . tools/blas-env.sh
OUT=bench/results/validate-dry
WORK=${VALIDATE_WORK:-/tmp/njord-validate-dry}
TRUNCS=${VALIDATE_TRUNCS:-"42 85 170"}
STAGES=${VALIDATE_STAGES:-"jw06 steady hs"}
mkdir -p "$OUT" "$WORK"
run() { echo "+ $*"; "$@"; }
a=6.37122e6
for stage in $STAGES; do
  case $stage in
  jw06)
    for T in $TRUNCS; do
      case $T in 42) dt=1200; K=1e16;; 85) dt=600; K=1e15;; 170) dt=300; K=1.5e14;; *) dt=150; K=1.5e13;; esac
      tau=$(awk -v a=$a -v T=$T -v K=$K 'BEGIN { x = a * a / (T * (T + 1)); printf "%.0f", x * x / K }')
      run "$NJ" run data/jw06_wave.ini --set grid.trunc=$T --set time.dt=$dt \
        --set dynamics.diffusion_time=$tau --set output.file="$WORK/jw06_T$T.nc" \
        --set output.variables=ps --set output.pressure_variables=none --set output.interval=1d \
        --set output.summary="$WORK/jw06_T$T.json" --set run.progress=never
    done ;;
  steady)
    run "$NJ" run data/jw06_steady.ini --set output.file="$WORK/jw06_steady_T42.nc" \
      --set output.variables=ps,u --set output.pressure_variables=none --set output.interval=1d \
      --set output.summary="$WORK/jw06_steady_T42.json" --set run.progress=never ;;
  hs)
    make -s bench/build/hs_climate_dp
    run env HS_SPINUP_DAYS=${HS_SPINUP_DAYS:-200} bench/build/hs_climate_dp data/held_suarez.ini \
      "$WORK/hs_climate.json" --set time.length=${HS_DAYS:-1200}d --set time.dt=${HS_DT:-1800} ;;
  esac
done
/usr/bin/python3 tools/validate_dry.py "$WORK" "$OUT" "$TRUNCS"
