#!/usr/bin/env bash
# tools/gpu-check.sh — the GPU test suite and the GPU transform benchmark on a machine
# with an NVIDIA GPU and no package registry, prepared on a normal machine.
#
#   bash tools/gpu-check.sh prepare   here (a Debian machine with nvcc, no GPU needed):
#       `make deps lib` with CUDA, then the real-CUDA builds of the GPU tests and of the
#       benchmark: build/{dp,sp}/tests/gpu_{sht,sw,pe}, build/cuda/test_cuda_emu, njord,
#       bench/build/bench_sht_gpu_{dp,sp}. Copies them to gpu-carry/bin and packs
#       every shared library they load that is neither glibc's (libc, libm,
#       libpthread, libdl, librt, ld-linux, ...) nor CUDA's (cudart, cufft, cublas,
#       cublasLt: the GPU machine's CUDA image has them) into gpu-carry/libs.tar.xz
#       (netCDF, HDF5, FFTW, OpenBLAS, Open MPI, cmocka, the GCC runtime, ...).
#       Writes gpu-carry/MANIFEST (commit, date, build machine, sizes); fails if
#       gpu-carry is over 50 MB. gpu-carry/ is ignored by git.
#
#   bash tools/gpu-check.sh run       there (the GPU machine; the working tree and
#       gpu-carry/ travel with it): unpacks the libraries into a temporary folder,
#       puts it on LD_LIBRARY_PATH together with the folders holding libcudart.so.13,
#       libcufft.so.12, libcublas.so.13 (searched in /usr/local/cuda*/lib64, the
#       loader cache, Python site-packages nvidia/*/lib, then the file system),
#       records nvidia-smi, runs the GPU tests (exit 77 = skipped, else pass/fail)
#       and the benchmark in double and single precision, the shallow-water and the
#       primitive-equation models on cuda and cpu (njord run: SDPD, time split), and writes into
#       ${OUT:-bench/results/gpu}:
#         gpu-check.log            everything printed, in order
#         nvidia-smi.txt           nvidia-smi and a CSV line of clocks/memory/power
#         bench_sht_gpu_dp.json    benchmark results, double (bench/README.md)
#         bench_sht_gpu_sp.json    the same, single
#         summary.md               test results, benchmark tables, the targets
#       The run step builds nothing: it tests the binaries in gpu-carry/ (MANIFEST names
#       their commit), so run prepare again after changing the code. It needs glibc at
#       least as new as the build machine's (MANIFEST: "needs there"; checked), bash,
#       coreutils, and xz or a python3 to unpack.
#       (5 files: the device tool brings back at most 8.) Whole run about 3-5 min on
#       an H100/H200; each step has a timeout inside RUN_BUDGET_S.
#       The lead's device call:
#         run(command="bash tools/gpu-check.sh run", carry=["gpu-carry"], timeout_s=540)
#
#   bash tools/gpu-check.sh local     here, without a GPU: builds the host-emulation
#       binaries (bench/build/bench_sht_gpu_emu_*, build/emu-*/tests/gpu_sht,
#       build/emu/test_cuda_emu) and runs the same run step on them with tiny sizes,
#       into ${OUT:-bench/build/gpu-check-local}. Everything is labelled EMULATION:
#       it proves the script and the programs work, nothing about a GPU.
#
# Environment:
#   OUT            output folder (see above)
#   GPU_CARRY      the carry folder (default: gpu-carry at the repository root)
#   RUN_BUDGET_S   wall seconds for the whole run step (default 420); each step's
#                  timeout is cut to what is left
#   BENCH_ARGS     extra arguments for bench_sht_gpu (e.g. "-T 85,1279 -n 137 -C")
#   SKIP_TESTS=1   run only the benchmark
#   OMP_NUM_THREADS  threads of the cpu side (default: all CPUs)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARRY=${GPU_CARRY:-$ROOT/gpu-carry}
MAX_CARRY_MB=50
CUDA_SONAMES=(libcudart.so.13 libcufft.so.12 libcublas.so.13 libcublasLt.so.13)

say() { printf '%s\n' "$*"; }
die() { printf 'gpu-check: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# ------------------------------------------------------------------ prepare

# shared libraries to carry: not glibc, not CUDA's, not the vdso
carry_filter() {
  grep -Ev '/(libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libnsl|libanl|libBrokenLocale|libthread_db|libnss_[a-z]*|ld-linux[-a-z0-9_]*)\.so' |
    grep -Ev '/(libcudart|libcufft|libcufftw|libcublas|libcublasLt|libcuda|libnvidia-[a-z-]*|libnvJitLink|libnvrtc)\.so' |
    grep -v '^/usr/local/cuda'
}

prepare() {
  cd "$ROOT" || exit 1
  local nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
  [ -x "$nvcc" ] || command -v nvcc >/dev/null || die "prepare needs nvcc (CUDA toolkit) at $nvcc"
  local jobs; jobs=$(nproc 2>/dev/null || echo 2)
  say "== make deps lib (the libraries with the cuda backend)"
  make -j"$jobs" CUDA=1 deps lib || die "make failed"
  say "== make the GPU tests and the GPU benchmark (real CUDA)"
  local targets=(build/dp/tests/gpu_sht build/sp/tests/gpu_sht build/dp/tests/gpu_sw build/sp/tests/gpu_sw
                 build/dp/tests/gpu_pe build/sp/tests/gpu_pe build/cuda/test_cuda_emu
                 bench/build/bench_sht_gpu_dp bench/build/bench_sht_gpu_sp)
  make -j"$jobs" CUDA=1 "${targets[@]}" || die "make ${targets[*]} failed"
  local t
  for t in "${targets[@]}"; do
    ldd "$t" | grep -q 'libcudart\.so' || die "$t does not link the CUDA runtime: not a CUDA build"
  done

  rm -rf "$CARRY"
  mkdir -p "$CARRY/bin" || die "cannot create $CARRY"
  cp build/dp/tests/gpu_sht "$CARRY/bin/gpu_sht_dp"
  cp build/sp/tests/gpu_sht "$CARRY/bin/gpu_sht_sp"
  cp build/dp/tests/gpu_sw "$CARRY/bin/gpu_sw_dp"
  cp build/sp/tests/gpu_sw "$CARRY/bin/gpu_sw_sp"
  cp build/dp/tests/gpu_pe "$CARRY/bin/gpu_pe_dp"
  cp build/sp/tests/gpu_pe "$CARRY/bin/gpu_pe_sp"
  cp build/cuda/test_cuda_emu "$CARRY/bin/test_cuda_emu"
  cp bench/build/bench_sht_gpu_dp bench/build/bench_sht_gpu_sp "$CARRY/bin/"
  make -j"$jobs" CUDA=1 build/njord || die "make build/njord failed"
  cp build/njord "$CARRY/bin/njord"
  mkdir -p "$CARRY/data" && cp data/galewsky.ini data/jw06_wave.ini "$CARRY/data/"

  say "== gather shared libraries"
  local tmp; tmp=$(mktemp -d) || exit 1
  mkdir -p "$tmp/libs"
  local missing
  missing=$(for b in "$CARRY"/bin/*; do ldd "$b"; done | grep 'not found' | sort -u)
  [ -z "$missing" ] || die "unresolved libraries here: $missing"
  local libs
  libs=$(for b in "$CARRY"/bin/*; do ldd "$b"; done |
         awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u | carry_filter)
  local l
  for l in $libs; do
    cp -L "$l" "$tmp/libs/$(basename "$l")" || die "cannot copy $l"
  done
  (cd "$tmp" && tar -cf - libs) | xz -T0 -6 > "$CARRY/libs.tar.xz" || die "tar/xz failed"

  # the newest glibc symbol version anything here needs (the GPU machine must have it)
  local glibc_need
  glibc_need=$( { for f in "$CARRY"/bin/* "$tmp"/libs/*; do objdump -T "$f" 2>/dev/null; done; } |
               grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1)
  local commit dirty=""
  commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
  [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] &&
    dirty=" (working tree has uncommitted changes to tracked files)"
  {
    say "njord gpu-carry (tools/gpu-check.sh prepare)"
    say "commit: $commit$dirty"
    say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    say "built on: $( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null), $(uname -m), glibc $(ldd --version | head -1 | awk '{print $NF}')"
    say "nvcc: $("$nvcc" --version 2>/dev/null | tail -1)"
    say "needs there: glibc with $glibc_need, an NVIDIA driver for CUDA 13, ${CUDA_SONAMES[*]}"
    say "binaries (bytes):"
    (cd "$CARRY/bin" && for f in *; do printf '  %10d  %s\n' "$(stat -c %s "$f")" "$f"; done)
    say "libs.tar.xz: $(stat -c %s "$CARRY/libs.tar.xz") bytes, $(du -sb "$tmp/libs" | cut -f1) unpacked, $(ls "$tmp/libs" | wc -l) libraries:"
    (cd "$tmp/libs" && for f in *; do printf '  %10d  %s\n' "$(stat -c %s "$f")" "$f"; done)
  } > "$CARRY/MANIFEST"
  rm -rf "$tmp"
  local total_b total_mb
  total_b=$(du -sb "$CARRY" | cut -f1)
  total_mb=$(( (total_b + 1048575) / 1048576 ))
  say "total: $total_b bytes" >> "$CARRY/MANIFEST"
  cat "$CARRY/MANIFEST"
  say "gpu-carry: ${total_mb} MiB (limit ${MAX_CARRY_MB} MiB)"
  [ "$total_mb" -le "$MAX_CARRY_MB" ] || die "gpu-carry is ${total_mb} MiB, over ${MAX_CARRY_MB} MiB"
  say "ready: run(command=\"bash tools/gpu-check.sh run\", carry=[\"gpu-carry\"], timeout_s=540)"
}

# ------------------------------------------------------------------ run

T_START=$SECONDS
left() { echo $(( ${RUN_BUDGET_S:-420} - (SECONDS - T_START) )); }
# timeout for a step: its own cap, cut to what is left of the budget
step_timeout() { local l; l=$(left); [ "$l" -lt "$1" ] && echo "$l" || echo "$1"; }

# folders that hold the CUDA libraries, one per line
find_cuda_dirs() {
  local dirs=() d lib py sp
  local cands=(/usr/local/cuda/lib64 /usr/local/cuda-*/lib64 /usr/local/cuda/targets/x86_64-linux/lib
               /usr/local/cuda-*/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu /usr/local/lib)
  for py in python3 /opt/torch/.venv/bin/python3 /opt/conda/bin/python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    for sp in $("$py" -c 'import site; print("\n".join(site.getsitepackages()))' 2>/dev/null); do
      cands+=("$sp"/nvidia/*/lib "$sp"/nvidia/*/*/lib "$sp"/nvidia/lib)
    done
  done
  for lib in "${CUDA_SONAMES[@]}"; do
    local found=""
    for d in "${cands[@]}"; do
      if [ -e "$d/$lib" ]; then found=$d; break; fi
    done
    if [ -z "$found" ]; then
      found=$(ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l {print $NF; exit}')
      [ -n "$found" ] && found=$(dirname "$found")
    fi
    if [ -z "$found" ]; then
      found=$(timeout 60 find / -xdev \( -path /proc -o -path /sys \) -prune -o -name "$lib" -print -quit 2>/dev/null)
      [ -n "$found" ] && found=$(dirname "$found")
    fi
    if [ -n "$found" ]; then
      echo "  $lib: $found" >&2
      case " ${dirs[*]} " in *" $found "*) ;; *) dirs+=("$found") ;; esac
    else
      echo "  $lib: NOT FOUND" >&2
    fi
  done
  printf '%s\n' "${dirs[@]}"
}

# tar.xz without xz on the machine (a minimal image): Python's tarfile reads it
unpack_xz() { # file dir
  if command -v xz >/dev/null 2>&1; then tar -xJf "$1" -C "$2"; return; fi
  local py
  for py in python3 /opt/torch/.venv/bin/python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$1" "$2" && return 0
  done
  return 1
}

RESULTS=()   # "name|result|seconds"
FAILED=0

run_step() { # name timeout cmd... ; records PASS/SKIP/FAIL/TIMEOUT (messages on stderr:
             # stdout is the command's own)
  local name=$1 to=$2; shift 2
  if [ "$to" -lt 10 ]; then
    say "--- $name: not run (run budget spent)" >&2
    RESULTS+=("$name|not run (budget)|0"); FAILED=1; return 1
  fi
  say "--- $name (timeout ${to}s): $*" >&2
  local t0=$SECONDS rc
  timeout -k 10 "$to" "$@"
  rc=$?
  local dt=$((SECONDS - t0)) res
  case $rc in
    0) case $name in bench*) res=ran ;; *) res=PASS ;; esac ;;
    77) res=SKIP ;;
    124|137) res="TIMEOUT (${to}s)"; FAILED=1 ;;
    *) res="FAIL (exit $rc)"; FAILED=1 ;;
  esac
  say "--- $name: $res (${dt}s)" >&2
  RESULTS+=("$name|$res|$dt")
  return 0
}

run_main() { # mode: gpu | emu
  local mode=$1 outd=$2
  local label="GPU" bindir tests=() benches=()
  [ "$mode" = emu ] && label="EMULATION (host emulation of CUDA: no GPU evidence)"
  say "== njord gpu-check ($label), $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname 2>/dev/null || echo '?'), $(nproc) CPUs"
  say "== output: $outd"
  export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
  local tmp; tmp=$(mktemp -d /tmp/njord-gpu-check.XXXXXX) || exit 1

  if [ "$mode" = gpu ]; then
    if [ ! -f "$CARRY/libs.tar.xz" ] || [ ! -d "$CARRY/bin" ]; then
      say "no $CARRY: run 'bash tools/gpu-check.sh prepare' first and carry gpu-carry"; return 1
    fi
    say "== carry:"; sed -n '1,6p' "$CARRY/MANIFEST" 2>/dev/null
    local have need
    have=$(ldd --version 2>/dev/null | head -1 | awk '{print $NF}')
    need=$(sed -n 's/^needs there: glibc with GLIBC_\([0-9.]*\).*/\1/p' "$CARRY/MANIFEST" 2>/dev/null)
    say "== this machine: glibc $have, $( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null)"
    if [ -n "$need" ] && [ -n "$have" ] &&
       [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
      say "WARNING: the carried build needs glibc $need, this machine has $have: binaries may not start"
    fi
    unpack_xz "$CARRY/libs.tar.xz" "$tmp" || { say "cannot unpack libs.tar.xz"; return 1; }
    say "== CUDA libraries:"
    local cdirs; cdirs=$(find_cuda_dirs | paste -sd: -)
    export LD_LIBRARY_PATH="$tmp/libs${cdirs:+:$cdirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    # a carried library older than what this machine's CUDA libraries need (libstdc++,
    # say): drop it, so the machine's own is used
    local b bad
    for b in "$CARRY"/bin/*; do
      ldd "$b" 2>&1 | grep -o "$tmp/libs/[^: ]*: version [^ ]* not found" | sed 's/: version.*//' | sort -u |
        while read -r bad; do say "  carried $(basename "$bad") too old here: using this machine's"; rm -f "$bad"; done
    done
    for b in "$CARRY"/bin/*; do
      ldd "$b" 2>&1 | grep -E 'not found' | sed "s|^|  $(basename "$b"): |"
    done
    say "== where the benchmark's libraries come from:"
    ldd "$CARRY/bin/bench_sht_gpu_dp" 2>&1 | grep -E 'openblas|fftw3|netcdf|libmpi|cmocka|stdc\+\+|gomp|cudart|cufft|cublas|not found'
    bindir=$CARRY/bin
    tests=("test_cuda_emu (cuda)|$bindir/test_cuda_emu" "gpu_sht dp (cuda)|$bindir/gpu_sht_dp"
           "gpu_sht sp (cuda)|$bindir/gpu_sht_sp" "gpu_sw dp (cuda)|$bindir/gpu_sw_dp"
           "gpu_sw sp (cuda)|$bindir/gpu_sw_sp" "gpu_pe dp (cuda)|$bindir/gpu_pe_dp"
           "gpu_pe sp (cuda)|$bindir/gpu_pe_sp")
    benches=("dp|$bindir/bench_sht_gpu_dp" "sp|$bindir/bench_sht_gpu_sp")
    { nvidia-smi; echo; nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.sm,clocks.max.sm,clocks.mem,clocks.max.mem,power.draw,power.limit,temperature.gpu --format=csv; } \
      > "$outd/nvidia-smi.txt" 2>&1 || say "nvidia-smi failed (see nvidia-smi.txt)"
    sed -n '1,20p' "$outd/nvidia-smi.txt"
  else
    tests=("test_cuda_emu (host emulation)|$ROOT/build/emu/test_cuda_emu"
           "gpu_sht dp (cuda host emulation)|$ROOT/build/emu-dp/tests/gpu_sht"
           "gpu_sht sp (cuda host emulation)|$ROOT/build/emu-sp/tests/gpu_sht"
           "gpu_sw dp (cuda host emulation)|$ROOT/build/emu-dp/tests/gpu_sw"
           "gpu_pe dp (cuda host emulation)|$ROOT/build/emu-dp/tests/gpu_pe")
    benches=("dp|$ROOT/bench/build/bench_sht_gpu_emu_dp" "sp|$ROOT/bench/build/bench_sht_gpu_emu_sp")
    echo "EMULATION run (tools/gpu-check.sh local): no GPU, nvidia-smi not run" > "$outd/nvidia-smi.txt"
  fi

  local e name cmd
  if [ "${SKIP_TESTS:-0}" != 1 ]; then
    say "== GPU tests"
    for e in "${tests[@]}"; do
      name=${e%%|*}; cmd=${e#*|}
      run_step "$name" "$(step_timeout 120)" "$cmd"
    done
  fi

  say "== GPU transform benchmark"
  local p to json md
  for e in "${benches[@]}"; do
    p=${e%%|*}; cmd=${e#*|}
    json="$outd/bench_sht_gpu_$p.json"; md="$tmp/bench_$p.md"
    rm -f "$json"
    if [ "$p" = dp ]; then to=$(step_timeout 200); else to=$(step_timeout 170); fi
    # -b: the benchmark's own soft budget (cpu side dropped, fewer repetitions after it)
    # shellcheck disable=SC2086
    run_step "bench_sht_gpu $p" "$to" "$cmd" -o "$json" -b $((to * 55 / 100)) ${BENCH_ARGS:-} > "$md"
    cat "$md"
  done
  rm -f "$outd"/*.tmp-*

  # the shallow-water model on the GPU (make bench-sw's cases): SDPD and time split
  local swmd="$tmp/sw.md" njb cfg
  if [ "$mode" = gpu ]; then njb=$CARRY/bin/njord; cfg=$CARRY/data/galewsky.ini
  else njb=$ROOT/build/njord; cfg=$ROOT/data/galewsky.ini; fi
  say "== shallow-water model (Galewsky), njord run" | tee "$swmd"
  for c in 85:300s:1d 170:150s:6h 341:75s:2h; do
    local T=${c%%:*} rest=${c#*:}; local dt=${rest%%:*} len=${rest#*:} be
    for be in cuda cpu; do
      [ "$mode" = gpu ] || [ "$be" = cpu ] || continue
      run_step "sw T$T $be" "$(step_timeout 60)" "$njb" run "$cfg" --set grid.trunc=$T --set time.dt=$dt \
        --set time.length=$len --set output.interval=$len --set output.file= --set run.progress=never \
        --set backend.kind=$be --set output.summary="$tmp/sw-$be-$T.json" > /dev/null 2>&1
      [ -s "$tmp/sw-$be-$T.json" ] && { echo "T$T $be:"; cat "$tmp/sw-$be-$T.json"; } >> "$swmd"
    done
  done

  # the primitive-equation model on the GPU (make bench-dry's cases)
  local pemd="$tmp/pe.md"
  if [ "$mode" = gpu ]; then cfg=$CARRY/data/jw06_wave.ini; else cfg=$ROOT/data/jw06_wave.ini; fi
  say "== primitive-equation model (JW06 baroclinic wave, L26), njord run" | tee "$pemd"
  for c in 85:600s:12h 170:300s:2h; do
    local T=${c%%:*} rest=${c#*:}; local dt=${rest%%:*} len=${rest#*:} be
    for be in cuda cpu; do
      [ "$mode" = gpu ] || [ "$be" = cpu ] || continue
      run_step "pe T${T}L26 $be" "$(step_timeout 90)" "$njb" run "$cfg" --set grid.trunc=$T --set time.dt=$dt \
        --set time.length=$len --set output.interval=$len --set output.file= --set run.progress=never \
        --set backend.kind=$be --set output.summary="$tmp/pe-$be-$T.json" > /dev/null 2>&1
      [ -s "$tmp/pe-$be-$T.json" ] && { echo "T${T}L26 $be:"; cat "$tmp/pe-$be-$T.json"; } >> "$pemd"
    done
  done

  # summary
  local commit
  if [ "$mode" = gpu ]; then commit=$(sed -n 's/^commit: //p' "$CARRY/MANIFEST" 2>/dev/null)
  else commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null); fi
  {
    say "# Njord GPU check — $label"
    say
    say "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); run step took $((SECONDS - T_START)) s"
    say "- commit: ${commit:-unknown}"
    if [ "$mode" = gpu ]; then
      say "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'nvidia-smi failed')"
    else
      say "- device: host emulation of CUDA (kernels/emu) — **not a GPU; no number below is GPU evidence**"
    fi
    say "- host: $(nproc) CPUs, OMP_NUM_THREADS=$OMP_NUM_THREADS"
    say
    say "## Steps (tests: PASS / FAIL / SKIP = no usable GPU; benchmarks: ran)"
    say
    say "| step | result | seconds |"
    say "|---|---|---|"
    for e in "${RESULTS[@]}"; do IFS='|' read -r a r s <<<"$e"; say "| $a | $r | $s |"; done
    say
    say "## Transform benchmark"
    say
    say "Targets (benchmark, not test; issue text): on an H100/H200, T1279 with 137 fields,"
    say "inverse + direct, well under 0.26 s (ecTrans: 0.264 s on a GH200); the Legendre part at"
    say ">= 60 % of the cuBLAS GEMM rate measured in the same run. Full numbers:"
    say "bench_sht_gpu_dp.json, bench_sht_gpu_sp.json (fields: bench/README.md)."
    say
    for p in dp sp; do
      if [ -s "$tmp/bench_$p.md" ]; then cat "$tmp/bench_$p.md"; else say "### $p: no output (see gpu-check.log)"; fi
      say
    done
    say "## Shallow-water model (JSON summaries of njord run; sdpd, step_seconds)"
    say
    [ -s "$swmd" ] && cat "$swmd"
    say
    say "## Primitive-equation model (JSON summaries of njord run; sdpd, step_seconds)"
    say
    [ -s "$pemd" ] && cat "$pemd"
  } > "$outd/summary.md"
  rm -rf "$tmp"
  say "== summary ($outd/summary.md)"
  cat "$outd/summary.md"
  say "== files: $(cd "$outd" && ls | tr '\n' ' ')"
  [ "$FAILED" = 0 ]
}

run_cmd() { # mode default_out
  local mode=$1 outd=${OUT:-$2}
  mkdir -p "$outd" || die "cannot create $outd"
  rm -f "$outd/gpu-check.log"
  run_main "$mode" "$outd" 2>&1 | tee "$outd/gpu-check.log"
  return "${PIPESTATUS[0]}"
}

local_cmd() {
  cd "$ROOT" || exit 1
  say "== building the host-emulation binaries"
  make -j"$(nproc 2>/dev/null || echo 2)" bench/build/bench_sht_gpu_emu_dp bench/build/bench_sht_gpu_emu_sp \
    build/emu-dp/tests/gpu_sht build/emu-sp/tests/gpu_sht build/emu-dp/tests/gpu_sw build/emu-dp/tests/gpu_pe \
    build/emu/test_cuda_emu || die "make failed"
  run_cmd emu "$ROOT/bench/build/gpu-check-local"
}

case ${1:-} in
  prepare) prepare ;;
  run) run_cmd gpu "$ROOT/bench/results/gpu" ;;
  local) local_cmd ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
