#!/usr/bin/env bash
# tests/run.sh — runs the test suite (called by `make check`).
#   PRECS     precisions to test: "dp sp" (default), "dp" or "sp"
#   NJ_WRAP   command prefix for each test binary (e.g. valgrind ...)
#   NJ_QUICK  set to skip the largest cases (sanitizers, valgrind)
# Each test binary / script is one suite; a suite exiting 77 is skipped.
# The last line is "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
PRECS=${PRECS:-"dp sp"}
B=${BUILD:-build}
WRAP=${NJ_WRAP:-}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
pass=0; fail=0; skip=0; failed=()

run_suite() { # name, command...
  local name=$1; shift
  local t0=$SECONDS
  "$@"
  local rc=$?
  local dt=$((SECONDS - t0))
  if [ $rc -eq 0 ]; then pass=$((pass + 1)); echo "suite $name: PASS (${dt}s)"
  elif [ $rc -eq 77 ]; then skip=$((skip + 1)); echo "suite $name: SKIP"
  else fail=$((fail + 1)); failed+=("$name"); echo "suite $name: FAIL (exit $rc, ${dt}s)"
  fi
}

for p in $PRECS; do
  for t in $B/$p/tests/test_*; do
    [ -x "$t" ] || continue
    run_suite "$p/$(basename "$t")" $WRAP "$t"
  done
done

# command-line and interoperability checks (not under the wrapper)
if [ -z "$WRAP" ] && [ "$B" = build ]; then
  for p in $PRECS; do
    tol=1e-10; [ "$p" = sp ] && tol=1e-5
    run_suite "$p/cdo_interop" env SPEC_NC_TOOL=$B/$p/tests/spec_nc_tool NJORD_INTEROP_TOL=$tol tests/cdo_interop.sh
  done
  run_suite cli tests/cli.sh
fi

echo
[ $fail -gt 0 ] && echo "failed suites: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
