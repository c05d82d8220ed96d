#!/usr/bin/env bash
# tests/cli.sh — the njord command: --version, info, errors.
set -u
cd "$(dirname "$0")/.."
NJ=build/njord
fails=0
check() { # description, condition
  if eval "$2"; then echo "  ok: $1"; else echo "  FAIL: $1"; fails=$((fails + 1)); fi
}
out=$($NJ --version); rc=$?
check "--version exits 0" "[ $rc -eq 0 ]"
check "--version names the version" "echo \"\$out\" | grep -Eq '^njord [0-9]+\.[0-9]+\.[0-9]+ \((double|single) precision\)'"
out=$($NJ info); rc=$?
check "info exits 0" "[ $rc -eq 0 ]"
for key in precision backends cuda mpi netcdf fftw blas; do
  check "info reports $key" "echo \"\$out\" | grep -q '^$key: '"
done
check "info reports the auto backend" "echo \"\$out\" | grep -q 'backend auto resolves to: '"
$NJ frobnicate >/dev/null 2>/tmp/nj_cli_err.$$; rc=$?
check "unknown command exits 2" "[ $rc -eq 2 ]"
check "unknown command is named" "grep -q frobnicate /tmp/nj_cli_err.$$"
rm -f /tmp/nj_cli_err.$$
[ $fails -eq 0 ]
