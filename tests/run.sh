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
# fitting OpenBLAS kernels on processors OpenBLAS does not know (not under valgrind)
if [[ "$WRAP" != *valgrind* ]]; then NJ_BLAS_PROBE=$B/njord . tools/blas-env.sh; fi
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
  # the cpu backend without stored Legendre tables (it regenerates the functions)
  [ -x $B/$p/tests/test_sht ] &&
    run_suite "$p/test_sht (Legendre regenerated)" env NJORD_LEGENDRE_TABLE_MB=0 $WRAP $B/$p/tests/test_sht
done

# GPU test suite: on the host emulation of CUDA (always), and on the real CUDA
# backend (skipped, exit 77, where no GPU works)
# (the host emulation switches stacks between its fibers: not under valgrind)
if [[ "$WRAP" != *valgrind* ]]; then
[ -x $B/emu/test_cuda_emu ] && run_suite "test_cuda_emu (host emulation)" $WRAP $B/emu/test_cuda_emu
[ -x $B/cuda/test_cuda_emu ] && run_suite "test_cuda_emu (cuda)" $WRAP $B/cuda/test_cuda_emu
for p in $PRECS; do
  for t in $B/emu-$p/tests/gpu_*; do
    [ -x "$t" ] && run_suite "$p/$(basename "$t") (cuda host emulation)" $WRAP "$t"
  done
  for t in $B/$p/tests/gpu_*; do
    [ -x "$t" ] && run_suite "$p/$(basename "$t") (cuda)" $WRAP "$t"
  done
done
fi

# command-line and interoperability checks (not under the wrapper)
if [ -z "$WRAP" ] && [ "$B" = build ]; then
  for p in $PRECS; do
    tol=1e-10; [ "$p" = sp ] && tol=1e-5
    run_suite "$p/cdo_interop" env SPEC_NC_TOOL=$B/$p/tests/spec_nc_tool NJORD_INTEROP_TOL=$tol tests/cdo_interop.sh
    run_suite "$p/cf_interop" env CF_TOOL=$B/$p/tests/cf_tool ${PYTHON:-/usr/bin/python3} -m pytest -q -p no:cacheprovider tests/test_cf_interop.py
  done
  run_suite cli env NJ=$B/njord bash tests/cli.sh
  run_suite install tests/install.sh
fi

# distributed transforms: 1 to 4 ranks, oversubscribed, one thread per rank
# (not under valgrind: Open MPI's own allocations swamp it; under ASan without
# the leak checker, for the same reason)
if command -v mpirun >/dev/null && [[ "$WRAP" != *valgrind* ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  for p in $PRECS; do
    [ -x "$B/$p/tests/mpi_autoinit" ] &&
      run_suite "$p/mpi_autoinit" env ASAN_OPTIONS=detect_leaks=0 "$B/$p/tests/mpi_autoinit"
    [ -x "$B/$p/tests/mpi_sht" ] &&
      run_suite "$p/mpi_sht-singleton" env OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=0 "$B/$p/tests/mpi_sht"
    for np in 1 2 3 4; do
      [ -x "$B/$p/tests/mpi_sht" ] || continue
      run_suite "$p/mpi_sht-np$np" env OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=0 timeout 300 \
        mpirun --oversubscribe -np $np "$B/$p/tests/mpi_sht"
    done
    [ -x "$B/$p/tests/mpi_sht" ] &&
      run_suite "$p/mpi_sht-np3 (Legendre regenerated)" env OMP_NUM_THREADS=1 NJORD_LEGENDRE_TABLE_MB=0 \
        ASAN_OPTIONS=detect_leaks=0 timeout 300 mpirun --oversubscribe -np 3 "$B/$p/tests/mpi_sht"
    for np in 1 2 4; do
      [ -x "$B/$p/tests/mpi_sw" ] || continue
      run_suite "$p/mpi_sw-np$np" env OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=0 timeout 600 \
        mpirun --oversubscribe -np $np "$B/$p/tests/mpi_sw"
    done
    for np in 1 2 4; do
      [ -x "$B/$p/tests/mpi_pe" ] || continue
      run_suite "$p/mpi_pe-np$np" env OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=0 timeout 600 \
        mpirun --oversubscribe -np $np "$B/$p/tests/mpi_pe"
    done
    # the cuda backend's transposition (device buffers staged through pinned host
    # memory), on the host emulation
    for np in 1 3; do
      [ -x "$B/emu-$p/tests/mpi_sht" ] || continue
      run_suite "$p/mpi_sht-np$np (cuda host emulation)" env OMP_NUM_THREADS=1 NJ_TEST_BACKEND=cuda \
        ASAN_OPTIONS=detect_leaks=0 timeout 300 mpirun --oversubscribe -np $np "$B/emu-$p/tests/mpi_sht"
    done
    # the model on the cuda backend over 2 ranks: bitwise the serial cuda run
    [ -x "$B/emu-$p/tests/mpi_sw" ] &&
      run_suite "$p/mpi_sw-np2 (cuda host emulation)" env OMP_NUM_THREADS=1 NJ_TEST_BACKEND=cuda \
        ASAN_OPTIONS=detect_leaks=0 timeout 600 mpirun --oversubscribe -np 2 "$B/emu-$p/tests/mpi_sw"
  done
fi

echo
[ $fail -gt 0 ] && echo "failed suites: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
