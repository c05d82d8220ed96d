#!/usr/bin/env bash
# tests/install.sh — `make install` as a user and a packager meet it, in the
# precisions of PRECS ("dp sp", "dp" or "sp"; from `make check`) and BUILD:
#  - into a prefix whose path has a space: headers, static and shared libraries
#    (soname, version symlinks), njord.pc / njord_sp.pc, the njord command,
#    share/njord (data/*.ini, data/levels/), a configuration of it run;
#  - programs built against the installed libraries through pkg-config: shared
#    (runpath to the prefix, not the build tree), static (`pkg-config --static`
#    with libnjord.a), C++; the precision they get (njord_sp: single);
#  - examples/sht_roundtrip.c built with -Werror and run; the other examples built;
#  - the installed njord from a copy of the prefix moved elsewhere;
#  - installing twice; make install rebuilds nothing that is built;
#  - DESTDIR staging (the .pc files name PREFIX); make uninstall removes it all.
# About 15 s. Exit 0 when everything holds.
set -u
cd "$(dirname "$0")/.."
B=${BUILD:-build}
case "${PRECS:-dp sp}" in
  "dp sp" | "sp dp") precision=both ;;
  dp) precision=double ;;
  sp) precision=single ;;
  *) echo "install.sh: PRECS must be 'dp sp', 'dp' or 'sp'"; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/njord test-prefix"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
fails=0
ok() { echo "  ok: $*"; }
bad() { echo "  FAIL: $*"; fails=$((fails + 1)); }
mk() { make -s --no-print-directory BUILD="$B" PRECISION="$precision" "$@"; }

[ -e test-prefix ] && { echo "install.sh: ./test-prefix exists; remove it"; exit 2; }
mk install PREFIX="$prefix" >"$tmp/install.log" 2>&1; rc=$?
[ -e test-prefix ] && { bad "make install wrote ./test-prefix (an unquoted PREFIX with a space)"; rm -rf test-prefix; }
[ $rc -eq 0 ] || { cat "$tmp/install.log"; echo "  FAIL: make install"; exit 1; }

# ---- the files
for h in include/njord.h include/njord/*.h; do
  cmp -s "$h" "$prefix/$h" || bad "$h not installed"
done
[ -x "$prefix/bin/njord" ] || bad "bin/njord not installed"
names=(); for p in ${PRECS:-dp sp}; do names+=("$([ "$p" = sp ] && echo njord_sp || echo njord)"); done
for n in "${names[@]}"; do
  L=$prefix/lib
  [ -f "$L/lib$n.a" ] || bad "lib$n.a"
  real=$(cd "$L" && ls lib$n.so.*.*.* 2>/dev/null | head -1)
  [ -n "$real" ] && [ -f "$L/$real" ] && [ ! -L "$L/$real" ] || { bad "lib$n.so.X.Y.Z"; continue; }
  soname=$(readelf -d "$L/$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [ "$soname" = "lib$n.so.$(echo "${real#lib$n.so.}" | cut -d. -f1)" ] || bad "lib$n soname '$soname'"
  [ "$(readlink "$L/$soname")" = "$real" ] || bad "$soname -> $real"
  [ "$(readlink "$L/lib$n.so")" = "$soname" ] || bad "lib$n.so -> $soname"
  [ -f "$L/pkgconfig/$n.pc" ] || { bad "$n.pc"; continue; }
  pkg-config --exists "$n" || bad "pkg-config does not read $n.pc"
  [ "$(pkg-config --variable=libdir "$n")" = "${L// /\\ }" ] || bad "$n.pc libdir: $(pkg-config --variable=libdir "$n")"
  ok "$n: headers, lib$n.a, $real ($soname), symlinks, $n.pc"
done

# ---- programs against the installed libraries
cat >"$tmp/prec.c" <<'EOF'
#include <stdio.h>
#include <njord.h>
int main(void)
{
    printf("%s %s %zu\n", njord_version(), njord_precision(), sizeof(njord_real));
    return 0;
}
EOF
cp "$tmp/prec.c" "$tmp/prec.cc"
for n in "${names[@]}"; do
  want="double 8"; [ "$n" = njord_sp ] && want="single 4"
  cf=$(pkg-config --cflags "$n") lf=$(pkg-config --libs "$n") sf=$(pkg-config --static --libs "$n")
  # shared: pkg-config escapes spaces, so the flags go through eval
  if eval "cc -std=c11 -Wall -Wextra -Werror \"\$tmp/prec.c\" $cf $lf -o \"\$tmp/prec_$n\"" 2>"$tmp/cc.log"; then
    out=$("$tmp/prec_$n" 2>&1)
    [[ "$out" == *" $want" ]] && ok "$n shared: $out" || bad "$n shared prints '$out', wants '$want'"
    so=$(ldd "$tmp/prec_$n" | sed -n "s/^[[:space:]]*lib$n\.so[^ ]* => \(.*\) (0x.*/\1/p")
    [[ "$so" == "$prefix/lib/"* ]] || bad "$n shared: lib$n resolves to '$so', not the prefix"
  else
    cat "$tmp/cc.log"; bad "$n: shared link through pkg-config"
  fi
  # static libnjord.a: every library it needs must come from Libs.private
  if eval "cc -std=c11 \"\$tmp/prec.c\" $cf ${sf/-l$n /-l:lib$n.a } -o \"\$tmp/prec_static_$n\"" 2>"$tmp/cc.log"; then
    out=$("$tmp/prec_static_$n" 2>&1)
    [[ "$out" == *" $want" ]] || bad "$n static prints '$out'"
    readelf -d "$tmp/prec_static_$n" | grep -q "lib$n\.so" && bad "$n static: still needs lib$n.so"
    ok "$n static (pkg-config --static, lib$n.a)"
  else
    cat "$tmp/cc.log"; bad "$n: static link through pkg-config --static"
  fi
  if command -v g++ >/dev/null; then
    if eval "g++ -Wall \"\$tmp/prec.cc\" $cf $lf -o \"\$tmp/precxx_$n\"" 2>"$tmp/cc.log" &&
       [[ "$("$tmp/precxx_$n")" == *" $want" ]]; then
      ok "$n from C++"
    else
      cat "$tmp/cc.log"; bad "$n: C++ program through pkg-config"
    fi
  fi
  # the examples: the transform one runs (a rounding-level round trip in the
  # library's precision), the model ones (minutes on real data) are only built
  tol=1e-15; [ "$n" = njord_sp ] && tol=1e-9
  if eval "cc -std=c11 -Wall -Wextra -Werror examples/sht_roundtrip.c $cf $lf -lm -o \"\$tmp/ex_$n\"" 2>"$tmp/cc.log"; then
    out=$("$tmp/ex_$n" 2>&1)
    err=$(sed -n 's/.*round-trip error \([^ ]*\).*/\1/p' <<<"$out")
    if [[ "$out" == *"${want% *} precision"* ]] && [ -n "$err" ] && awk "BEGIN{exit !($err < $tol)}"; then
      ok "$n sht_roundtrip: $out"
    else
      bad "$n sht_roundtrip: '$out' (error below $tol expected)"
    fi
  else
    cat "$tmp/cc.log"; bad "$n: examples/sht_roundtrip.c"
  fi
  for ex in examples/*.c; do
    [ "$ex" = examples/sht_roundtrip.c ] && continue
    eval "cc -std=c11 -Wall -Wextra -Werror \"\$ex\" $cf $lf -o \"\$tmp/ex\"" 2>"$tmp/cc.log" ||
      { cat "$tmp/cc.log"; bad "$n: $ex does not build"; }
  done
done

# ---- the installed command, from a copy of the prefix moved elsewhere
want=double; [ "$precision" = single ] && want=single
cp -a "$prefix" "$tmp/moved"
v=$("$tmp/moved/bin/njord" --version 2>&1) && [[ "$v" == *"$want precision"* ]] &&
  "$tmp/moved/bin/njord" info >/dev/null 2>&1 && ok "installed njord runs from elsewhere: $v" ||
  bad "installed njord: '$v'"

# ---- the configurations and level tables in share/njord, run by the installed
# command from another directory (a forecast of two steps on ECMWF's L137 levels)
for f in data/*.ini data/levels/*.txt; do
  cmp -s "$f" "$prefix/share/njord/${f#data/}" || bad "$f not installed in share/njord"
done
if (cd "$tmp" && "$prefix/bin/njord" run "$prefix/share/njord/jw06_steady.ini" --set grid.trunc=21 \
      --set time.length=2h --set time.dt=1h --set output.interval=1h \
      --set vertical.levels="file:$prefix/share/njord/levels/ecmwf_L137.txt" -o l137.nc \
      >"$tmp/run.log" 2>&1) && ncdump -h "$tmp/l137.nc" | grep -q "lev = 137"; then
  ok "share/njord: configurations and levels; the installed njord runs them"
else
  cat "$tmp/run.log"; bad "njord run share/njord/jw06_steady.ini on share/njord/levels/ecmwf_L137.txt"
fi

# ---- twice; nothing rebuilt
mk install PREFIX="$prefix" >"$tmp/install.log" 2>&1 && ok "installs twice" ||
  { cat "$tmp/install.log"; bad "second make install"; }
if mk -n install PREFIX="$prefix" 2>&1 | grep -E '(^| )-c |ar rcs|-shared|nvcc' >"$tmp/rebuild.log"; then
  cat "$tmp/rebuild.log"; bad "make install rebuilds what is built"
fi

# ---- DESTDIR staging, then uninstall
stage="$tmp/stage"
dest=/opt/njord-install-test-$$
mk install PREFIX="$dest" DESTDIR="$stage" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; bad "make install DESTDIR"; }
[ -e "$dest" ] && bad "DESTDIR install wrote $dest"
for n in "${names[@]}"; do
  grep -qx "prefix=$dest" "$stage$dest/lib/pkgconfig/$n.pc" 2>/dev/null || bad "DESTDIR: $n.pc does not name prefix=$dest"
  [ -f "$stage$dest/lib/lib$n.a" ] || bad "DESTDIR: lib$n.a"
done
[ -x "$stage$dest/bin/njord" ] && ok "DESTDIR stages under $stage" || bad "DESTDIR: bin/njord"
for d in "$prefix" "$stage$dest"; do
  if [ "$d" = "$prefix" ]; then mk uninstall PREFIX="$prefix" >/dev/null 2>&1
  else mk uninstall PREFIX="$dest" DESTDIR="$stage" >/dev/null 2>&1; fi
  left=$(find "$d" ! -type d)
  [ -z "$left" ] && ok "uninstall empties ${d#$tmp/}" || bad "uninstall leaves: $left"
done
[ $fails -eq 0 ]
