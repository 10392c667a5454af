#!/usr/bin/env bash
# Installs a built tapegrad tree into a scratch prefix, then builds and runs
# tests/consumer against it via find_package(tapegrad).
# Usage: install_consumer_test.sh <build-dir> <work-dir> [extra cmake args for the consumer...]
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 <build-dir> <work-dir> [cmake args...]" >&2
  exit 2
fi
build_dir=$(realpath "$1")
work_dir=$(realpath -m "$2")
shift 2
consumer_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/consumer" && pwd)
prefix=$work_dir/prefix

rm -rf "$work_dir"
mkdir -p "$work_dir"

cmake --install "$build_dir" --prefix "$prefix"

# The installed CLI must find libtapegrad through its RPATH alone.
if [[ -x $prefix/bin/tapegrad ]]; then
  if ldd "$prefix/bin/tapegrad" | grep -q 'not found'; then
    ldd "$prefix/bin/tapegrad" >&2
    echo "installed tapegrad CLI has unresolved libraries" >&2
    exit 1
  fi
fi

cmake -S "$consumer_src" -B "$work_dir/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" "$@"
cmake --build "$work_dir/build" -j2
"$work_dir/build/consumer"
