#!/usr/bin/env bash
# Installs a built tapegrad tree into a scratch prefix, then builds a stand-alone project
# against it via find_package(tapegrad) and runs one of its programs.
# Usage: install_consumer_test.sh <build-dir> <work-dir> <project-dir> <program> [program args...]
# Extra cmake arguments for the project (e.g. its compiler) come from $CONSUMER_CMAKE_ARGS;
# a launcher for the program (e.g. "mpirun -np 2") from $CONSUMER_LAUNCHER.
set -euo pipefail

if [[ $# -lt 4 ]]; then
  echo "usage: $0 <build-dir> <work-dir> <project-dir> <program> [program args...]" >&2
  exit 2
fi
build_dir=$(realpath "$1")
work_dir=$(realpath -m "$2")
project_dir=$(realpath "$3")
program=$4
shift 4
prefix=$work_dir/prefix

rm -rf "$work_dir"
mkdir -p "$work_dir"

cmake --install "$build_dir" --prefix "$prefix" >/dev/null

# The installed CLI must find libtapegrad through its RPATH alone.
if [[ -x $prefix/bin/tapegrad ]]; then
  if ldd "$prefix/bin/tapegrad" | grep -q 'not found'; then
    ldd "$prefix/bin/tapegrad" >&2
    echo "installed tapegrad CLI has unresolved libraries" >&2
    exit 1
  fi
fi

# shellcheck disable=SC2086  # CONSUMER_CMAKE_ARGS is a list of arguments
cmake -S "$project_dir" -B "$work_dir/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" ${CONSUMER_CMAKE_ARGS:-} >/dev/null
cmake --build "$work_dir/build" -j2
cd "$work_dir"
# shellcheck disable=SC2086  # CONSUMER_LAUNCHER is a command and its arguments
${CONSUMER_LAUNCHER:-} "$work_dir/build/$program" "$@"
