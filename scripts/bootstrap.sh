#!/usr/bin/env bash
# Installs the Debian 12 packages tapegrad needs, skipping those already present.
# Usage: scripts/bootstrap.sh [extra package...]  (extras: optional tools, e.g. for fuzzing)
set -euo pipefail

# ocl-icd-opencl-dev: Debian's dnnl-config.cmake requires OpenCL (its GPU runtime), but
# libdnnl-dev only recommends it, and we install without recommends.
# openmpi-bin + libopenmpi-dev: dist/ (data-parallel training and search across processes).
packages=(cmake g++ make libdnnl-dev ocl-icd-opencl-dev libfmt-dev doctest-dev libbenchmark-dev
          zlib1g-dev nlohmann-json3-dev libcli11-dev dataset-fashion-mnist openmpi-bin libopenmpi-dev "$@")

# One dpkg-query for all packages; unknown packages only print to stderr.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null \
            | awk '$2 == "ii" { print $1 }' || true)
missing=()
for p in "${packages[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "bootstrap: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "bootstrap: not root and sudo not available; install as root: ${missing[*]}" >&2
  exit 1
fi
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
