#!/usr/bin/env bash
# tests/install.sh — make install into a temporary prefix, then build and run the
# transform example against the installed libraries through pkg-config, in both
# precisions.
set -u
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make -s install PREFIX="$prefix" BUILD="${BUILD:-build}" >/dev/null || { echo "make install failed"; exit 1; }
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
fails=0
for pc in njord njord_sp; do
  [ -f "$prefix/lib/pkgconfig/$pc.pc" ] || continue
  if cc -std=c11 examples/sht_roundtrip.c $(pkg-config --cflags --libs $pc) -lm -o "$prefix/ex_$pc" &&
     "$prefix/ex_$pc" | grep -q "round-trip error"; then
    echo "  ok: $pc installs, links through pkg-config and runs"
  else
    echo "  FAIL: $pc"; fails=$((fails + 1))
  fi
done
"$prefix/bin/njord" --version >/dev/null || { echo "  FAIL: installed njord"; fails=$((fails + 1)); }
[ $fails -eq 0 ]
