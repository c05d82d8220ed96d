#!/usr/bin/env bash
# tests/cdo_interop.sh — spectral NetCDF files exchanged between Njord and CDO.
#
#  (a) Njord writes known coefficients (njord_spec_nc_write), `cdo sp2gp` turns
#      them into a Gaussian grid, and the grid must equal both njord_sht_synth of
#      the same coefficients on the same grid (same latitudes, north to south, lon
#      from 0) and an independent analytic evaluation in the helper.
#  (b) A Gaussian-grid field of known harmonics goes through `cdo gp2sp`, and
#      njord_spec_nc_read must return the known coefficients.
# Both for T21 (64x32 grid) and T42 (128x64). Errors are relative to the largest
# reference magnitude; tolerance 1e-10 (double build; CDO is run with -b F64).
# Override with NJORD_INTEROP_TOL (e.g. 1e-5 for a single-precision tool).
#
# The helper is tests/spec_nc_tool.c linked with libnjord (the Makefile builds it as
# build/<prec>/tests/spec_nc_tool): set SPEC_NC_TOOL to its path, otherwise
# build/dp/tests/spec_nc_tool is used.
# Exit: 0 pass, 1 fail, 77 skip (cdo not installed). Prints one line.
set -u

if ! command -v cdo >/dev/null 2>&1; then
    echo "SKIP: cdo not installed"
    exit 77
fi

root=$(cd "$(dirname "$0")/.." && pwd)
tol=${NJORD_INTEROP_TOL:-1e-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/njord_cdo_interop.XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
trap 'rm -rf "$work"' EXIT

tool=${SPEC_NC_TOOL:-}
if [ -z "$tool" ]; then
    for c in "$root/build/dp/tests/spec_nc_tool" "$root/build/dp/spec_nc_tool"; do
        if [ -x "$c" ]; then tool=$c; break; fi
    done
fi
if [ -z "$tool" ] || [ ! -x "$tool" ]; then
    echo "FAIL: helper not found: build it (make tests -> build/dp/tests/spec_nc_tool) or set SPEC_NC_TOOL"
    exit 1
fi

fail() { echo "FAIL: $*"; exit 1; }

results=()
for spec in "21 32 64" "42 64 128"; do
    set -- $spec
    T=$1 nlat=$2 nlon=$3

    # (a) Njord -> CDO
    "$tool" write "$work/s$T.nc" "$T" >"$work/log" 2>&1 || fail "T$T write: $(cat "$work/log")"
    cdo -s -b F64 sp2gp "$work/s$T.nc" "$work/g$T.nc" >"$work/log" 2>&1 ||
        fail "T$T cdo sp2gp: $(tr '\n' ' ' <"$work/log")"
    out=$("$tool" checkgrid "$work/g$T.nc" "$T" "$tol" 2>&1) || fail "T$T (a) ${out#FAIL: }"
    r=${out#*max rel err }
    results+=(" sp2gp T$T ${r% (tol*}")

    # (b) CDO -> Njord
    "$tool" mkgrid "$work/gr$T.nc" "$T" "$nlat" "$nlon" >"$work/log" 2>&1 ||
        fail "T$T mkgrid: $(cat "$work/log")"
    cdo -s -b F64 gp2sp "$work/gr$T.nc" "$work/sp$T.nc" >"$work/log" 2>&1 ||
        fail "T$T cdo gp2sp: $(tr '\n' ' ' <"$work/log")"
    out=$("$tool" checkspec "$work/sp$T.nc" "$T" "$tol" 2>&1) || fail "T$T (b) ${out#FAIL: }"
    r=${out#*max rel err }
    results+=(" gp2sp T$T ${r% (tol*}")
done

echo "PASS: cdo interop, max rel err (tol $tol):$(IFS=';'; echo "${results[*]}")"
exit 0
