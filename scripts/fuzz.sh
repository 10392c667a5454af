#!/usr/bin/env bash
# Usage: scripts/fuzz.sh [seconds per target (default 30)] [target...]
# Builds the libFuzzer targets of tests/fuzz with clang, ASan and UBSan in build-fuzz/
# (TAPEGRAD_FUZZ_BUILD_DIR overrides) and runs each for the given time, starting from its
# seed corpus (written at build time by the project's writers, build-fuzz/fuzz-seeds/) and
# the corpus earlier runs grew (build-fuzz/fuzz-corpus/, kept between runs). Fails on any
# crash, sanitizer report, leak, timeout or out-of-memory; the input that caused it is
# saved as build-fuzz/fuzz-crashes/<target>-<kind>-<hash>, and
#   build-fuzz/bin/<target> <that file>
# replays it. Needs clang++, libfuzzer-14-dev, libclang-rt-14-dev and libomp-14-dev.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}
shift $(( $# > 0 ? 1 : 0 ))
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: seconds must be a positive integer, got '$seconds'" >&2; exit 2; }
build_dir=${TAPEGRAD_FUZZ_BUILD_DIR:-$root/build-fuzz}
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (apt-get install clang)" >&2; exit 1; }

if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # -O1 with line tables (no full debug info): quicker to build, and enough for the
  # sanitizers' stack traces. No -DNDEBUG: assertions are findings too.
  cmake -S "$root" -B "$build_dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Fuzz \
        -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only" \
        -DTAPEGRAD_FUZZ=ON -DTAPEGRAD_BUILD_TESTS=OFF -DTAPEGRAD_BUILD_BENCHMARKS=OFF "${launcher[@]}"
fi
cmake --build "$build_dir" -j"$(nproc)" --target tapegrad_fuzz

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for binary in "$build_dir"/bin/fuzz_*; do targets+=("$(basename "$binary")"); done
fi

# One thread: the readers are sequential, and OpenMP's spinning workers only slow a fuzzer.
export OMP_NUM_THREADS=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$build_dir/fuzz-crashes" "$build_dir/fuzz-logs"
status=0
for target in "${targets[@]}"; do
  corpus=$build_dir/fuzz-corpus/$target
  log=$build_dir/fuzz-logs/$target.log
  mkdir -p "$corpus"
  echo "fuzz: $target for ${seconds} s"
  if "$build_dir/bin/$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
       -artifact_prefix="$build_dir/fuzz-crashes/$target-" "$corpus" "$build_dir/fuzz-seeds/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "PASS: $target: ${runs:-?} inputs in ${seconds} s, corpus of $(find "$corpus" -type f | wc -l) inputs"
  else
    echo "FAIL: $target (log: $log)"
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -20 || true
    status=1
  fi
done
exit $status
