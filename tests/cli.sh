#!/usr/bin/env bash
# tests/cli.sh — the njord command: --version, info, errors.
set -u
cd "$(dirname "$0")/.."
NJ=${NJ:-build/njord}
case $NJ in /*) ;; */*) NJ=$PWD/$NJ ;; esac # absolute: some checks run elsewhere
fails=0
check() { # description, condition
  if eval "$2"; then echo "  ok: $1"; else echo "  FAIL: $1"; fails=$((fails + 1)); fi
}
out=$($NJ --version); rc=$?
check "--version exits 0" "[ $rc -eq 0 ]"
check "--version names the version" "echo \"\$out\" | grep -Eq '^njord [0-9]+\.[0-9]+\.[0-9]+ \((double|single) precision\)'"
out=$($NJ info); rc=$?
check "info exits 0" "[ $rc -eq 0 ]"
for key in precision backends cuda mpi netcdf fftw blas 'cpu kernels'; do
  check "info reports $key" "echo \"\$out\" | grep -q '^$key: '"
done
check "info reports the auto backend" "echo \"\$out\" | grep -q 'backend auto resolves to: '"
check "info names OpenBLAS's kernels" "echo \"\$out\" | grep -q '^blas: .*, kernels for [A-Za-z0-9]'"
# OpenBLAS kernel advice: nothing when the user chose; otherwise nothing or a core
# name that OpenBLAS then accepts (its own processor-specific kernels)
check "no BLAS advice when OPENBLAS_CORETYPE is set" "[ -z \"\$(OPENBLAS_CORETYPE=Haswell $NJ info --blas-coretype)\" ]"
adv=$(env -u OPENBLAS_CORETYPE $NJ info --blas-coretype)
check "BLAS advice is empty, SkylakeX or Haswell" "echo '$adv' | grep -Eqx '(SkylakeX|Haswell)?'"
if [ -n "$adv" ]; then
  check "OpenBLAS runs the advised kernels, and njord info then stops warning" \
    "OPENBLAS_CORETYPE=$adv $NJ info | grep -q 'kernels for $adv' && ! OPENBLAS_CORETYPE=$adv $NJ info | grep -q '^warning: OpenBLAS'"
  check "without them, njord info warns" "env -u OPENBLAS_CORETYPE $NJ info | grep -q '^warning: OpenBLAS .*OPENBLAS_CORETYPE=$adv'"
  env -u OPENBLAS_CORETYPE $NJ run - --set grid.trunc=21 --set time.length=1h --set time.dt=1h \
     -o /tmp/nj_cli_adv.$$.nc >/dev/null 2>/tmp/nj_cli_err.$$
  check "but njord run does not (its transforms use no BLAS)" "! grep -q 'OPENBLAS' /tmp/nj_cli_err.$$"
  rm -f /tmp/nj_cli_err.$$ /tmp/nj_cli_adv.$$.nc /tmp/nj_cli_adv.$$.nc.json
fi
$NJ frobnicate >/dev/null 2>/tmp/nj_cli_err.$$; rc=$?
check "unknown command exits 2" "[ $rc -eq 2 ]"
check "unknown command is named" "grep -q frobnicate /tmp/nj_cli_err.$$"
rm -f /tmp/nj_cli_err.$$

# njord run: errors name the key; a run writes NetCDF + JSON; a blow-up exits 3
tmp=$(mktemp -d)
$NJ run - --set grid.trunk=42 -o $tmp/x.nc >/dev/null 2>$tmp/err; rc=$?
check "unknown key exits 1" "[ $rc -eq 1 ]"
check "unknown key is named" "grep -q 'grid.trunk' $tmp/err"
$NJ run - --set time.dt=abc >/dev/null 2>$tmp/err; rc=$?
check "bad value exits 1 naming the key" "[ $rc -eq 1 ] && grep -q 'time.dt' $tmp/err"
$NJ run $tmp/missing.ini >/dev/null 2>$tmp/err; rc=$?
check "missing config file exits 1 naming it" "[ $rc -eq 1 ] && grep -q 'missing.ini' $tmp/err"
echo old > $tmp/keep.nc
$NJ run - --set grid.trunc=21 --set time.length=1d --set time.dt=1h --set output.interval=12h \
   --set initial.case=williamson6 -o $tmp/w6.nc >/dev/null 2>$tmp/log; rc=$?
check "a short run exits 0" "[ $rc -eq 0 ]"
check "it writes the NetCDF file" "[ -s $tmp/w6.nc ] && ! ls $tmp/w6.nc.tmp-* >/dev/null 2>&1"
check "it writes the JSON summary" "grep -q '\"status\": \"ok\"' $tmp/w6.nc.json && grep -q '\"sdpd\"' $tmp/w6.nc.json"
check "log lines report progress" "grep -q 'simulated days per day' $tmp/log"
$NJ run - --set grid.trunc=42 --set initial.case=williamson6 --set time.dt=6h --set time.length=40d \
   --set output.interval=1d --set run.check_interval=6h --set dynamics.diffusion_time=0 \
   -o $tmp/blow.nc >/dev/null 2>$tmp/err; rc=$?
check "a blow-up exits 3" "[ $rc -eq 3 ]"
check "the blow-up names field, place and time" "grep -q 'blew up: .* at step .* near latitude .* last good state' $tmp/err"
check "the last good state is in a complete file, the partial one" "[ -s $tmp/blow.partial.nc ] && [ ! -e $tmp/blow.nc ] && grep -q '\"status\": \"blowup\"' $tmp/blow.nc.json && grep -q 'is in .*blow.partial.nc' $tmp/err"
$NJ run - --set output.file=$tmp/keep.nc --set time.dt=7min >/dev/null 2>&1
check "a failed run leaves an existing output file alone" "[ \"\$(cat $tmp/keep.nc)\" = old ]"
# a run that fails after writing output (a restart file it cannot create), and a
# blow-up with restarts every step: the old output stays, the partial output is
# complete, restart files hold only checked (finite) states
T21="--set grid.trunc=21 --set initial.case=williamson6"
if [ "$(id -u)" = 0 ] && [ -d /proc/self ]; then
  # /proc passes the directory check made at the start (for root: it exists and
  # is writable), but no file can be created there: the first restart fails
  echo old > $tmp/keep2.nc
  $NJ run - $T21 --set time.length=1d --set output.interval=6h --set restart.output=/proc/njord-r.nc \
     --set restart.interval=12h -o $tmp/keep2.nc >/dev/null 2>$tmp/err; rc=$?
  check "a run failing midway exits 1, keeps the old output, names the partial one" \
    "[ $rc -eq 1 ] && [ \"\$(cat $tmp/keep2.nc)\" = old ] && [ -s $tmp/keep2.partial.nc ] && grep -q 'keep2.partial.nc' $tmp/err"
else
  echo "  skip: a run failing midway (needs root: /proc as an uncreatable restart file)"
fi
$NJ run - --set grid.trunc=42 --set initial.case=williamson6 --set time.dt=6h --set time.length=40d \
   --set output.interval=1d --set run.check_interval=5d --set dynamics.diffusion_time=0 \
   --set restart.output=$tmp/b.r.nc --set restart.interval=6h -o $tmp/b.nc >/dev/null 2>$tmp/err; rc=$?
check "a blow-up with restarts between checks exits 3" "[ $rc -eq 3 ] && [ -s $tmp/b.r.nc ]"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import netCDF4' 2>/dev/null; then
  check "its restart file holds a finite state" \
    "/usr/bin/python3 -c \"import netCDF4 as n, numpy as np; d = n.Dataset('$tmp/b.r.nc'); assert np.isfinite(d['state'][:]).all() and np.isfinite(d['prev'][:]).all()\""
  /usr/bin/python3 -c "import netCDF4 as n; d = n.Dataset('$tmp/b.r.nc', 'a'); s = d['state'][:]; s[0, 5] = float('nan'); d['state'][:] = s; d.close()"
  $NJ run - --set grid.trunc=42 --set initial.case=williamson6 --set time.dt=6h --set time.length=40d \
     --set restart.input=$tmp/b.r.nc -o $tmp/b3.nc >/dev/null 2>$tmp/err; rc=$?
  check "a restart file with a NaN is refused" "[ $rc -eq 1 ] && grep -q 'not finite' $tmp/err && [ ! -e $tmp/b3.nc ]"
fi
# restarts: another grid, or a length not after the restart's time, are refused
$NJ run - $T21 --set time.length=1d --set restart.output=$tmp/sw.r.nc -o $tmp/sw1.nc >/dev/null 2>&1
$NJ run - $T21 --set time.length=2d --set restart.input=$tmp/sw.r.nc --set grid.grid=linear -o $tmp/rl.nc >/dev/null 2>$tmp/err; rc=$?
check "a restart on another grid is refused" "[ $rc -eq 1 ] && grep -q 'grid of nlat' $tmp/err"
$NJ run - $T21 --set time.length=2d --set restart.input=$tmp/sw.r.nc --set time.start=2001-01-01T00:00:00 -o $tmp/rs.nc >/dev/null 2>$tmp/err; rc=$?
check "a restart with another time.start is refused" "[ $rc -eq 1 ] && grep -q 'time.start = 2000-01-01T00:00:00' $tmp/err"
$NJ run - $T21 --set time.length=2d --set restart.input=$tmp/sw.r.nc --set dynamics.reference_geopotential=1000 -o $tmp/rg.nc >/dev/null 2>$tmp/err; rc=$?
check "a restart with another explicit reference geopotential is refused" "[ $rc -eq 1 ] && grep -q 'dynamics.reference_geopotential' $tmp/err"
$NJ run - $T21 --set time.length=12h --set restart.input=$tmp/sw.r.nc -o $tmp/nf.nc >/dev/null 2>$tmp/err; rc=$?
check "time.length before the restart's time is refused" "[ $rc -eq 1 ] && grep -q 'time.length = 12 h is before' $tmp/err"
if command -v ncdump >/dev/null; then
  check "the model output has the configuration's (proleptic Gregorian) calendar" \
    "ncdump -h $tmp/sw1.nc | grep -q 'time:calendar = \"proleptic_gregorian\"'"
fi
# ensembles: members differ, are labelled, and CDO combines them
$NJ run - $T21 --set time.length=6h --set ensemble.member=0 -o $tmp/ens0.nc >/dev/null 2>&1 &&
$NJ run - $T21 --set time.length=6h --set ensemble.member=2 -o $tmp/ens2.nc >/dev/null 2>$tmp/err; rc=$?
check "an ensemble member runs" "[ $rc -eq 0 ]"
if command -v ncdump >/dev/null; then
  check "the output says its ensemble member" "ncdump -h $tmp/ens2.nc | grep -q ':ensemble_member = \"2\"'"
fi
check "so does the summary" "grep -q '\"ensemble_member\": 2,' $tmp/ens2.nc.json"
if command -v cdo >/dev/null; then
  check "cdo ensstd of control and member: a spread of the order of the 1 m/s perturbation" \
    "cdo -s ensstd $tmp/ens0.nc $tmp/ens2.nc $tmp/ensstd.nc &&
     cdo -s outputkey,value -fldmax -selname,u -seltimestep,1 $tmp/ensstd.nc 2>/dev/null |
     awk 'NR > 1 && \$1 > 0.3 && \$1 < 5 { ok = 1 } END { exit !ok }'"
fi
# --members: member files from templates, the same values as single runs, on any
# number of ranks; restarts follow the template; a failed member fails the command
same_u() { [ -s "$1" ] && [ -s "$2" ] && cmp -s <(ncdump -p 9,17 -v u,v,zg "$1" | sed -n '/^data/,$p') <(ncdump -p 9,17 -v u,v,zg "$2" | sed -n '/^data/,$p'); }
$NJ run - $T21 --set time.length=6h --members 2-3 -o $tmp/em.nc --set restart.output=$tmp/er.nc \
  >/dev/null 2>$tmp/err; rc=$?
check "--members 2-3 runs both members" "[ $rc -eq 0 ] && [ -s $tmp/em.m002.nc ] && [ -s $tmp/em.m003.nc ] &&
  [ -s $tmp/em.m003.nc.json ] && [ -s $tmp/er.m003.nc ] && grep -q 'ensemble of 2 members (2..3) in 1 group: 2 done, 0 failed' $tmp/err"
if command -v ncdump >/dev/null; then
  check "member 2 of --members is the single run of ensemble.member = 2 (and member 3 is not)" \
    "same_u $tmp/em.m002.nc $tmp/ens2.nc && ! same_u $tmp/em.m003.nc $tmp/ens2.nc"
fi
$NJ run - $T21 --set time.length=12h --members 2-4 --set restart.input=$tmp/er.nc -o $tmp/ec.nc \
  >/dev/null 2>$tmp/err; rc=$?
check "members continue from their own restarts; a missing one fails the command" "[ $rc -eq 1 ] &&
  [ -s $tmp/ec.m002.nc ] && [ -s $tmp/ec.m003.nc ] && grep -q 'member 4\]: error: restart file $tmp/er.m004.nc' $tmp/err &&
  grep -q '2 done, 1 failed' $tmp/err"
if command -v cdo >/dev/null && command -v ncdump >/dev/null; then
  $NJ run - $T21 --set time.length=12h --set ensemble.member=3 -o $tmp/e12.nc >/dev/null 2>&1
  cdo -s seltimestep,-1 $tmp/ec.m003.nc $tmp/ec_last.nc && cdo -s seltimestep,-1 $tmp/e12.nc $tmp/e12_last.nc
  check "a member continued from its restart ends where the uninterrupted member does" \
    "same_u $tmp/ec_last.nc $tmp/e12_last.nc && ! same_u $tmp/ec_last.nc $tmp/ec.m002.nc"
fi
$NJ run - --members 3-1 >/dev/null 2>$tmp/err; rc=$?
check "--members with a bad range is a usage error" "[ $rc -eq 2 ] && grep -q 'expected A-B' $tmp/err"
$NJ run - --members 1- >/dev/null 2>$tmp/err; rc=$?
check "--members 1- is a usage error" "[ $rc -eq 2 ] && grep -q 'expected A-B' $tmp/err"
$NJ run - $T21 --set time.length=1h --set ensemble.member=7 --members 1 -o $tmp/en.nc >/dev/null 2>$tmp/err; rc=$?
check "--members says it replaces a configured ensemble.member" \
  "[ $rc -eq 0 ] && grep -q 'members 1-1 replaces ensemble.member = 7' $tmp/err && [ -s $tmp/en.m001.nc ]"
(cd $tmp && $NJ run - $T21 --set time.length=1h --members 1-2 --set output.file= --set output.overwrite=false \
   >/dev/null 2>$tmp/err); rc=$?
check "members without output files get a summary each" "[ $rc -eq 0 ] && [ -s $tmp/njord.m001.json ] && [ -s $tmp/njord.m002.json ]"
if command -v mpirun >/dev/null && command -v ncdump >/dev/null; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 timeout 120 \
    mpirun --oversubscribe -np 3 $NJ run - $T21 --set time.length=6h --members 1-2 -o "$tmp/pm_{member}.nc" \
    >/dev/null 2>$tmp/err; rc=$?
  check "on 3 ranks, 2 members side by side (groups of 2 and 1 ranks): the serial values" \
    "[ $rc -eq 0 ] && grep -q 'in 2 groups: 2 done' $tmp/err && same_u $tmp/pm_002.nc $tmp/ens2.nc"
fi
# paths and output lists
$NJ run - $T21 --set time.length=1h --set output.variables= -o $tmp/e.nc >/dev/null 2>$tmp/err; rc=$?
check "an empty output.variables is refused" "[ $rc -eq 1 ] && grep -q 'output.variables is empty' $tmp/err"
$NJ run data/jw06_wave.ini --set grid.trunc=21 --set time.length=6h --set output.variables=none -o $tmp/pl.nc >/dev/null 2>&1
if command -v ncdump >/dev/null; then
  check "pressure-level output alone is written" "ncdump -h $tmp/pl.nc | grep -q 'float ua(time, plev, lat, lon)' && ! ncdump -h $tmp/pl.nc | grep -q 'float u('"
fi
$NJ run data/jw06_wave.ini --set grid.trunc=21 --set time.length=6h --set output.variables=none \
   --set output.pressure_variables=none -o $tmp/pn.nc >/dev/null 2>$tmp/log
check "no variables: no output file, and njord says so" "[ ! -e $tmp/pn.nc ] && grep -q 'no output file' $tmp/log"
$NJ run - $T21 --set time.length=1h --set restart.output=$tmp/same.nc -o $tmp/same.nc >/dev/null 2>$tmp/err; rc=$?
check "restart.output = output.file is refused" "[ $rc -eq 1 ] && grep -q 'same file' $tmp/err"
$NJ run - $T21 --set time.length=1h --set output.summary=$tmp/s.nc -o $tmp/s.nc >/dev/null 2>$tmp/err; rc=$?
check "output.summary = output.file is refused" "[ $rc -eq 1 ] && grep -q 'also the output file' $tmp/err"
# destinations in a missing directory stop the run before its first step
$NJ run - $T21 --set time.length=1h --set output.summary=none -o $tmp/nodir/x.nc >$tmp/out 2>$tmp/err; rc=$?
check "output.file in a missing directory: refused at once, named" \
  "[ $rc -eq 1 ] && grep -q \"output.file: cannot write .*directory '$tmp/nodir' does not exist\" $tmp/err && ! grep -q 'step' $tmp/err"
$NJ run - $T21 --set time.length=1h --set restart.output=$tmp/nodir/r.nc -o $tmp/rd.nc >/dev/null 2>$tmp/err; rc=$?
check "restart.output in a missing directory: refused at once" \
  "[ $rc -eq 1 ] && grep -q \"restart.output: cannot write .*does not exist\" $tmp/err && [ ! -e $tmp/rd.nc ]"
$NJ run - $T21 --set time.length=1h --set output.summary=$tmp/sw1.nc.json/s.json -o $tmp/sd.nc >/dev/null 2>$tmp/err; rc=$?
check "output.summary under a file: refused at once" \
  "[ $rc -eq 1 ] && grep -q 'output.summary: .*is not a directory' $tmp/err && [ ! -e $tmp/sd.nc ]"
$NJ run --help >$tmp/out 2>&1; rc=$?
check "njord run --help prints the usage" "[ $rc -eq 0 ] && grep -q '^usage: njord' $tmp/out"
qp="$tmp/q\"uote.nc"
$NJ run - $T21 --set time.length=1h -o "$qp" >/dev/null 2>&1
if /usr/bin/python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["output"] == sys.argv[2]' "$qp.json" "$qp"; then
  echo "  ok: the summary is valid JSON whatever the path"
else
  echo "  FAIL: the summary is valid JSON whatever the path"; fails=$((fails + 1))
fi
$NJ run - $T21 --set time.length=1h --set output.summary=none -o $tmp/ns.nc >/dev/null 2>&1
check "output.summary = none writes none" "[ -s $tmp/ns.nc ] && [ ! -e $tmp/ns.nc.json ]"
cp $tmp/sw1.nc.json $tmp/ow.json.keep
$NJ run - $T21 --set time.length=1h --set output.overwrite=false -o $tmp/sw1.nc >/dev/null 2>$tmp/err; rc=$?
check "output.overwrite = false keeps output and summary" "[ $rc -eq 1 ] && cmp -s $tmp/sw1.nc.json $tmp/ow.json.keep && grep -q 'exists' $tmp/err"
mkdir -p $tmp/$(printf 'd%.0s' $(seq 1 200))
long=$tmp/$(printf 'd%.0s' $(seq 1 200))/$(printf 'x%.0s' $(seq 1 200)).nc
$NJ run - $T21 --set time.length=1h -o $long >/dev/null 2>$tmp/err; rc=$?
check "a path of 400+ characters is a valid output.file" "[ $rc -eq 0 ] && [ -s $long ]"
rm -f $long
printf '[output]\nfile = %s\n' "$long" > $tmp/long.ini
$NJ run $tmp/long.ini $T21 --set time.length=1h >/dev/null 2>&1; rc=$?
check "and loads from a configuration file" "[ $rc -eq 0 ] && [ -s $long ]"
$NJ run - $T21 --set time.length=1h -o $tmp/$(printf 'y%.0s' $(seq 1 9000)) >/dev/null 2>$tmp/err; rc=$?
check "a value too long for a configuration line is refused" "[ $rc -eq 1 ] && grep -q 'output.file: value too long' $tmp/err"
printf '\xef\xbb\xbf[grid]\ntrunc = 21\n' > $tmp/bom.ini
$NJ run $tmp/bom.ini --set time.length=1h -o $tmp/bom.nc >/dev/null 2>&1; rc=$?
check "a configuration file with a UTF-8 byte order mark loads" "[ $rc -eq 0 ]"
$NJ run data/jw06_wave.ini --set grid.trunc=21 --set time.dt=10min --set time.length=20min \
   --set vertical.levels=data/levels/ecmwf_L137.txt -o $tmp/l137.nc >/dev/null 2>$tmp/err; rc=$?
check "the shipped ECMWF L137 levels run" "[ $rc -eq 0 ] && [ -s $tmp/l137.nc ]"
$NJ run - $T21 --set time.length=1h --set physics.forcing=held_suarez -o $tmp/pf.nc >/dev/null 2>$tmp/err; rc=$?
check "a primitive-equation key set for shallow water is refused" "[ $rc -eq 1 ] && grep -q 'physics.forcing = held_suarez applies only to model.equations = primitive' $tmp/err"
$NJ config --bogus >/dev/null 2>&1; rc=$?
check "njord config with an unknown option exits 2" "[ $rc -eq 2 ]"
$NJ run - $T21 -o --set time.length=1h >/dev/null 2>$tmp/err; rc=$?
check "-o without a file name is a usage error" "[ $rc -eq 2 ] && grep -q 'needs a file name' $tmp/err"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import xarray' 2>/dev/null; then
  check "xarray opens the output" "/usr/bin/python3 -c \"import xarray as x; d = x.open_dataset('$tmp/w6.nc'); assert d.zg.shape == (3, 32, 64), d.zg.shape; assert str(d.time.values[-1]).startswith('2000-01-02')\""
fi
if command -v cdo >/dev/null; then
  check "cdo reads the output as a Gaussian grid" "cdo -s sinfon $tmp/w6.nc 2>&1 | grep -q 'gaussian'"
fi
# njord run under mpirun: the same file as the serial run, value for value
if command -v mpirun >/dev/null && /usr/bin/python3 -c 'import netCDF4' 2>/dev/null; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 timeout 120 \
    mpirun --oversubscribe -np 2 $NJ run data/williamson6.ini --set time.length=1d -o $tmp/m.nc >/dev/null 2>&1
  $NJ run data/williamson6.ini --set time.length=1d -o $tmp/s.nc >/dev/null 2>&1
  check "njord run on 2 MPI ranks writes the serial run's values" "/usr/bin/python3 -c \"import netCDF4 as n, numpy as np; a = n.Dataset('$tmp/m.nc'); b = n.Dataset('$tmp/s.nc'); assert all(np.array_equal(a[v][:], b[v][:]) for v in ('u', 'v', 'zg', 'vor'))\""
  MPIRUN="env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 timeout 120 mpirun --oversubscribe -np 2"
  $MPIRUN $NJ run data/galewsky.ini --set grid.trunc=21 --set time.dt=20min --set time.length=6h \
    -o $tmp/nodir/x.nc >/dev/null 2>&1; rc=$?
  check "on 2 ranks, an unwritable output (and summary) exits 1, no hang" "[ $rc -eq 1 ]"
  $MPIRUN $NJ run data/galewsky.ini --set grid.trunc=42 --set time.dt=3h --set time.length=6d \
    --set output.interval=6h --set dynamics.diffusion_time=0 -o $tmp/mb.nc >/dev/null 2>$tmp/err; rc=$?
  check "on 2 ranks, a blow-up names field and place" "[ $rc -eq 3 ] && grep -q 'blew up: unphysical .* near latitude .* (rank [01])' $tmp/err"
fi

# a forecast from real data (libncarg-data's January 300 hPa winds), as data/uv300.ini
if [ -r /usr/share/ncarg/data/cdf/uv300.nc ]; then
  $NJ run data/uv300.ini --set time.length=1d -o $tmp/uv.nc >/dev/null 2>$tmp/log; rc=$?
  check "a forecast from uv300.nc runs" "[ $rc -eq 0 ] && [ -s $tmp/uv.nc ]"
  check "its winds are those of the file (jet 40-80 m/s)" "grep -Eq 'max wind +[4-7][0-9]\.' $tmp/log"
  $NJ run data/uv300.ini --set initial.u_var=UWIND -o $tmp/uv2.nc >/dev/null 2>$tmp/err; rc=$?
  check "a missing variable is named" "[ $rc -eq 1 ] && grep -q UWIND $tmp/err"
  $NJ run data/uv300.ini --set time.length=1h --set initial.file=$tmp/none.nc \
     --set initial.u_var=/usr/share/ncarg/data/cdf/uv300.nc:U \
     --set initial.v_var=/usr/share/ncarg/data/cdf/uv300.nc:V -o $tmp/uv3.nc >/dev/null 2>$tmp/err; rc=$?
  check "initial.u_var and v_var take PATH:VAR" "[ $rc -eq 0 ] && [ -s $tmp/uv3.nc ]"
  if /usr/bin/python3 -c 'import netCDF4' 2>/dev/null; then
    /usr/bin/python3 -c "
import netCDF4 as n, numpy as np
d = n.Dataset('$tmp/h0.nc', 'w'); d.createDimension('lat', 19); d.createDimension('lon', 36)
la = d.createVariable('lat', 'f8', ('lat',)); la.units = 'degrees_north'; la[:] = np.linspace(-90, 90, 19)
lo = d.createVariable('lon', 'f8', ('lon',)); lo.units = 'degrees_east'; lo[:] = np.arange(36) * 10.0
for v, x in (('u', 0.0), ('v', 0.0), ('h', 0.0)):
    a = d.createVariable(v, 'f8', ('lat', 'lon')); a[:] = x
d.close()"
    $NJ run data/uv300.ini --set time.length=1h --set initial.file=$tmp/h0.nc --set initial.u_var=u \
       --set initial.v_var=v --set initial.h_var=h -o $tmp/h0o.nc >/dev/null 2>$tmp/err; rc=$?
    check "a non-positive initial depth is refused" "[ $rc -eq 1 ] && grep -q 'depth must be positive' $tmp/err"
    # units: winds in m/s, the depth in m or as a geopotential (m2 s-2, divided by g)
    /usr/bin/python3 -c "
import netCDF4 as n, numpy as np
d = n.Dataset('$tmp/hu.nc', 'w'); d.createDimension('lat', 19); d.createDimension('lon', 36)
la = d.createVariable('lat', 'f8', ('lat',)); la.units = 'degrees_north'; la[:] = np.linspace(-90, 90, 19)
lo = d.createVariable('lon', 'f8', ('lon',)); lo.units = 'degrees_east'; lo[:] = np.arange(36) * 10.0
for v, x, u in (('u', 0.0, 'm s-1'), ('v', 0.0, 'm/s'), ('z', 5000 * 9.80616, 'm2 s-2'), ('t', 280.0, 'K')):
    a = d.createVariable(v, 'f8', ('lat', 'lon')); a.units = u; a[:] = x
d.close()"
    HU="data/uv300.ini --set time.length=1h --set initial.file=$tmp/hu.nc --set initial.v_var=v"
    $NJ run $HU --set initial.u_var=u --set initial.h_var=z -o $tmp/hu1.nc >/dev/null 2>$tmp/log; rc=$?
    check "an initial depth given as a geopotential is divided by g" "[ $rc -eq 0 ] && grep -q 'mass 5.00000000[0-9]*e+03 m' $tmp/log"
    $NJ run $HU --set initial.u_var=u --set 'initial.h_var=z[m]' -o $tmp/hu2.nc >/dev/null 2>$tmp/log; rc=$?
    check "units in the spec override the file's" "[ $rc -eq 0 ] && grep -q 'mass 4.90308000[0-9]*e+04 m' $tmp/log"
    $NJ run $HU --set initial.u_var=t --set initial.h_var=z -o $tmp/hu3.nc >/dev/null 2>$tmp/err; rc=$?
    check "a wind in K is refused, naming the units" "[ $rc -eq 1 ] && grep -q \"initial.u_var = t: variable 't' .* has units 'K' (m/s expected)\" $tmp/err"
    $NJ run $HU --set initial.u_var=u --set initial.h_var=t -o $tmp/hu4.nc >/dev/null 2>$tmp/err; rc=$?
    check "a depth in K is refused" "[ $rc -eq 1 ] && grep -q \"initial.h_var = t: .*units 'K'\" $tmp/err"
  fi
else
  echo "  skip: /usr/share/ncarg/data/cdf/uv300.nc not installed (Debian package libncarg-data)"
fi
rm -rf $tmp
[ $fails -eq 0 ]
