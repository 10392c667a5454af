#!/usr/bin/env bash
# Runs the training-step benchmarks (mlp, cnn, cnn_bn) and the machine's ceilings, and
# prints the table of docs/performance.md: steps/s, GFLOP/s and % of the FMA peak for 1
# thread, 2 threads and the adaptive default, idle and under one competing process (nice
# 0 and nice 19), medians over repetitions; and the 2-thread speedup.
#
#   scripts/bench_steps.sh [build-dir] [repetitions]     (defaults: build 3)
#
# Each repetition runs every configuration once, so a drift of the machine's speed spreads
# over all of them. The build needs the benchmarks (TAPEGRAD_BUILD_BENCHMARKS, Release).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${1:-build}
REPS=${2:-3}
BENCH=$BUILD/bin/tapegrad_bench
[[ -x $BENCH ]] || { echo "bench_steps.sh: $BENCH is missing: build the target tapegrad_bench" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for rep in $(seq "$REPS"); do
  "$BENCH" --benchmark_filter='^(peak_fma|train_step|mlp_train_step|cnn_train_step|cnn_bn_train_step)' \
           --benchmark_min_time=1 --benchmark_format=json --benchmark_out_format=json \
           --benchmark_out="$OUT/rep$rep.json" > /dev/null 2>&1
  echo "bench_steps.sh: repetition $rep of $REPS done (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
python3 - "$OUT"/rep*.json <<'PY'
import json, statistics, sys, collections
runs = collections.defaultdict(list)
peak = []
for path in sys.argv[1:]:
    for b in json.load(open(path))["benchmarks"]:
        if b["name"].startswith("peak_fma/threads:1"):
            peak.append(b["GFLOP_per_s"])
        elif "_train_step/" in b["name"]:
            runs[b["name"].split("/real_time")[0]].append(b)
def median(name, key):
    values = [b[key] for b in runs.get(name, [])]
    return statistics.median(values) if values else float("nan")
print(f"FMA peak, 1 thread: {statistics.median(peak):.1f} GFLOP/s (median of {len(peak)})\n")
loads = {0: "idle", 1: "busy", 2: "nice 19"}
print("| step | load | 1 thread | 2 threads | default | 2 threads / 1 |")
print("|---|---|---|---|---|---|")
for model in ("mlp", "cnn", "cnn_bn"):
    for load, label in loads.items():
        cells = []
        for threads in (1, 2, 0):
            name = f"{model}_train_step/threads:{threads}/load:{load}"
            cells.append(f"{median(name, 'steps_per_s'):.1f}/s, {median(name, 'pct_of_peak'):.0f}%")
        one = median(f"{model}_train_step/threads:1/load:{load}", "steps_per_s")
        two = median(f"{model}_train_step/threads:2/load:{load}", "steps_per_s")
        print(f"| {model} | {label} | {' | '.join(cells)} | {two / one:.2f}x |")
print("\n(steps/s, % of the FMA peak of the threads used: 1, 2, or every allowed CPU for the default)")
PY
