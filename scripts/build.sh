#!/usr/bin/env bash
# Usage: scripts/build.sh [build-dir] [extra cmake args...]
# Configures and builds; build-dir defaults to <repo>/build. Cheap when up to date.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-$root/build}
shift $(( $# > 0 ? 1 : 0 ))

# Release only on first configure, so an existing tree keeps its build type.
[[ -f $build_dir/CMakeCache.txt ]] || set -- -DCMAKE_BUILD_TYPE=Release "$@"
# ccache, when installed, makes a rebuild in a fresh clone nearly free.
if [[ ! -f $build_dir/CMakeCache.txt ]] && command -v ccache >/dev/null; then
  set -- -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@"
fi
cmake -S "$root" -B "$build_dir" "$@"
cmake --build "$build_dir" -j"$(nproc)"
