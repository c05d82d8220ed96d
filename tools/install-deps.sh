#!/usr/bin/env bash
# tools/install-deps.sh — install the Debian packages Njord needs, if missing.
# Idempotent: checks each package with dpkg-query and installs only what is
# missing, saying what it runs. Usage: tools/install-deps.sh [--check]
#   --check   only report missing packages (exit 1 if any)
# NJORD_DEPS=none skips it (packagers who provide the dependencies themselves).
set -euo pipefail

PKGS=(
  build-essential pkg-config
  libfftw3-dev libopenblas-dev libopenblas-openmp-dev
  libnetcdf-dev libhdf5-dev netcdf-bin
  libopenmpi-dev openmpi-bin
  libcmocka-dev
  cdo libncarg-data
  python3 python3-numpy python3-netcdf4 python3-xarray python3-matplotlib python3-pytest
)

# NJORD_DEPS=none (e.g. `make NJORD_DEPS=none install` in a package build):
# the caller provides the dependencies; nothing is checked or installed
if [ "${NJORD_DEPS:-}" = "none" ]; then
  exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: not a Debian system (no dpkg-query); install the equivalents of:" >&2
  echo "  ${PKGS[*]}" >&2
  [ "${1:-}" = "--check" ] && exit 1
  exit 0
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "missing Debian packages: ${missing[*]}"
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
echo "+ $SUDO apt-get update"
$SUDO apt-get update -qq
echo "+ $SUDO apt-get install -y ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
