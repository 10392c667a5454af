#!/usr/bin/env bash
# Runs the dist benchmarks (benchmarks/dist/, tapegrad_dist_bench) under mpirun and prints
# the tables of docs/distributed.md: all-reduce bandwidth of tg::dist and DataParallel
# against plain MPI_Allreduce, the cnn step at np 1 and 2, the fraction of the all-reduce
# hidden behind backward (idle, with one competing process, over TCP), and the projection
# to 8-64 machines.
#
#   scripts/bench_dist.sh [build-dir] [repetitions]      (defaults: build 3)
#   SUMMARY_ONLY=1 scripts/bench_dist.sh [build-dir] [repetitions]
#                                      prints the tables of the JSON files there already
#
# The build needs -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BUILD_BENCHMARKS=ON and MPI.
# Every rank runs one thread (OMP_NUM_THREADS=1, exported by -x). The comparisons come
# from the *_interleaved benchmarks, which time every variant once per iteration (see
# benchmarks/dist/bench_dist_interleaved.cpp); the configurations run one after another
# once per repetition, and the tables give the medians over the repetitions (of the
# benchmarks' own medians over iterations). The load average before each run goes to the
# log. Results: $OUT (default build/bench_dist/), one JSON file per run. Needs python3
# (standard library only) for the tables.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${1:-build}
REPS=${2:-3}
OUT=${OUT:-$BUILD/bench_dist}
BENCH=$BUILD/bin/tapegrad_dist_bench
if [[ ! -x $BENCH ]]; then
  echo "bench_dist.sh: $BENCH is missing; configure with -DTAPEGRAD_BUILD_BENCHMARKS=ON (MPI found) and build" \
       "the target tapegrad_dist_bench" >&2
  exit 1
fi
if ! [[ $REPS =~ ^[1-9][0-9]*$ ]]; then
  echo "bench_dist.sh: repetitions must be a positive integer, got '$REPS'" >&2
  exit 1
fi
mkdir -p "$OUT"
LOG=$OUT/log.txt
SUMMARY_ONLY=${SUMMARY_ONLY:-0}
if [[ $SUMMARY_ONLY != 1 ]]; then
  rm -f "$OUT"/*.json
  : > "$LOG"
fi

# As root (containers, CI) Open MPI refuses to start without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1
# --oversubscribe: the machine may have fewer free slots than ranks; -x exports the
# thread count to every rank (here all ranks are local, where mpirun passes the
# environment anyway; on several machines -x is what carries it).
MPIRUN=(mpirun --oversubscribe -x OMP_NUM_THREADS)

COMPETITOR=
stop_competitor() {
  if [[ -n $COMPETITOR ]]; then
    kill "$COMPETITOR" 2>/dev/null || true
    wait "$COMPETITOR" 2>/dev/null || true
    COMPETITOR=
  fi
}
trap stop_competitor EXIT

# run NAME NP FILTER [MPIRUN OPTIONS...]: one mpirun, its JSON in $OUT/NAME.json.
run() {
  local name=$1 np=$2 filter=$3
  shift 3
  echo "$(date -u +%H:%M:%S) $name np=$np $* load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$LOG"
  "${MPIRUN[@]}" "$@" -np "$np" "$BENCH" --benchmark_filter="$filter" \
    --benchmark_out="$OUT/$name.json" --benchmark_out_format=json --benchmark_color=false >> "$LOG" 2>&1
}

# Shared memory between the ranks (Open MPI's default on one machine), and TCP over the
# loopback interface: a slower transport through the same network stack as between
# machines, where the all-reduce is a larger part of the step.
TCP=(--mca btl self,tcp)
# Open MPI's non-blocking all-reduce with fewer than 4 ranks uses a binomial tree (reduce
# to one rank, then broadcast); this forces its ring instead (docs/distributed.md).
RING=(--mca coll_libnbc_iallreduce_algorithm 1)
for ((rep = 1; rep <= REPS && SUMMARY_ONLY != 1; ++rep)); do
  for load in idle busy; do
    if [[ $load == busy ]]; then
      yes > /dev/null &
      COMPETITOR=$!
    fi
    run "rep${rep}_${load}_np1" 1 '^cnn_step_local/width:1/'
    run "rep${rep}_${load}_np2" 2 '^cnn_interleaved'
    stop_competitor
  done
  run "rep${rep}_tcp_np2" 2 '^cnn_interleaved' "${TCP[@]}"
  run "rep${rep}_idle_allreduce" 2 '^allreduce_interleaved' 
  run "rep${rep}_tcp_allreduce" 2 '^allreduce_interleaved' "${TCP[@]}"
  run "rep${rep}_ring_allreduce" 2 '^allreduce_interleaved' "${RING[@]}"
  # For the projection, idle: the bigger model's compute, and DataParallel's own cost at
  # one rank (the copies into the bucket and the mean out; one rank's all-reduce moves
  # nothing).
  run "rep${rep}_idle_np1_wide" 1 '^cnn_step_local/width:5/'
  run "rep${rep}_idle_np1_copies" 1 '^allreduce_ddp/MB:64/'
done

python3 - "$OUT" "$REPS" <<'PY'
import glob, json, os, statistics, sys

out, reps = sys.argv[1], int(sys.argv[2])
runs = {}  # (run name, benchmark name) -> [the benchmark's JSON entry, one per repetition]
for path in sorted(glob.glob(os.path.join(out, "rep*.json"))):
    rep, run = os.path.basename(path)[:-5].split("_", 1)
    try:
        with open(path) as f:
            data = json.load(f)
    except ValueError:
        print(f"skipped {path}: not complete JSON (a run that failed or is still going)", file=sys.stderr)
        continue
    for b in data["benchmarks"]:
        name = b["name"].replace("/real_time", "").split("/iterations:")[0]
        runs.setdefault((run, name), []).append(b)

def values(run, bench, key):
    return [b[key] for b in runs.get((run, bench), []) if key in b]

def med(run, bench, key):
    v = values(run, bench, key)
    return statistics.median(v) if v else float("nan")

def rng(run, bench, key, scale=1e3):
    v = values(run, bench, key)
    return f"{min(v) * scale:.2f}-{max(v) * scale:.2f}" if v else "-"

print(f"Medians over the repetitions (up to {reps}) of each benchmark's median over its iterations.")

print("\nAll-reduce, np 2, f32, idle: time of one call (ms) and, in brackets, the median ratio MPI_Allreduce time / this time")
cols = [("mpi", None, "MPI_Allreduce"), ("mpi_nb_in_place", "ratio_mpi_nb_in_place", "MPI_Iallreduce in place"),
        ("mpi_nb_two_buffers", "ratio_mpi_nb_two_buffers", "MPI_Iallreduce 2 buffers"),
        ("tg_sum", "ratio_tg_sum", "tg all_reduce sum"), ("tg_mean", "ratio_tg_mean", "tg all_reduce mean"),
        ("ddp", "ratio_ddp", "DataParallel bucket"), (None, "ratio_hook", "DataParallel via hook")]
print("| transport | MB | MPI_Allreduce GB/s | " + " | ".join(c[2] for c in cols) + " |")
print("|---|---:|---:|" + "---:|" * len(cols))
transports = {"idle": "shared memory", "tcp": "TCP loopback", "ring": "shared memory, libnbc ring"}
for run, label in transports.items():
    for mb in (1, 4, 16, 64):
        bench = f"allreduce_interleaved/MB:{mb}"
        t_mpi = med(f"{run}_allreduce", bench, "mpi")
        cells = []
        for key, ratio, _ in cols:
            t = f"{med(f'{run}_allreduce', bench, key) * 1e3:.2f}" if key else "-"
            r = f" ({med(f'{run}_allreduce', bench, ratio):.0%})" if ratio else ""
            cells.append(t + r)
        print(f"| {label} | {mb} | {mb * 2**20 / t_mpi / 1e9:.2f} | " + " | ".join(cells) + " |")

print("\ncnn training step, batch 64 per rank, 1 thread per rank (ms; range over repetitions)")
print("| load | np | configuration | ms | range |")
print("|---|---:|---|---:|---|")
rows = [("local", "step, no communication (slowest rank)"), ("local_barrier", "step, then MPI_Barrier"),
        ("ddp_25mb", "DataParallel step, 25 MB buckets"), ("ddp_1mb", "DataParallel step, 1 MB buckets"),
        ("sync_25mb", "  of which synchronize(), 25 MB"), ("sync_1mb", "  of which synchronize(), 1 MB"),
        ("alone_25mb", "synchronize() alone, 25 MB buckets"), ("alone_1mb", "synchronize() alone, 1 MB buckets"),
        ("mpi", "MPI_Allreduce of the gradient bytes")]
for load in ("idle", "busy", "tcp"):
    if load != "tcp":
        print(f"| {load} | 1 | step, no communication | {med(f'{load}_np1', 'cnn_step_local/width:1', 'seconds_per_step') * 1e3:.2f} "
              f"| {rng(f'{load}_np1', 'cnn_step_local/width:1', 'seconds_per_step')} |")
    for key, what in rows:
        print(f"| {load} | 2 | {what} | {med(f'{load}_np2', 'cnn_interleaved', key) * 1e3:.2f} "
              f"| {rng(f'{load}_np2', 'cnn_interleaved', key)} |")
wide_t = med("idle_np1_wide", "cnn_step_local/width:5", "seconds_per_step")
wide_p = med("idle_np1_wide", "cnn_step_local/width:5", "params")
print(f"| idle | 1 | cnn width 5 ({wide_p / 1e6:.2f} M parameters), no communication | {wide_t * 1e3:.1f} "
      f"| {rng('idle_np1_wide', 'cnn_step_local/width:5', 'seconds_per_step')} |")

print("\nHidden fraction of the all-reduce, np 2: 1 - (t_ddp - t_local) / t_alone (from the step, or the step with a")
print("barrier), and 1 - t_sync / t_alone (from the time in synchronize())")
print("| transport, load | buckets | hidden | hidden (barrier) | hidden (sync) |")
print("|---|---|---:|---:|---:|")
for load, label in (("idle", "shared memory, idle"), ("busy", "shared memory, busy"), ("tcp", "TCP loopback, idle")):
    for size, what in (("25mb", "25 MB (1 bucket)"), ("1mb", "1 MB (2 buckets)")):
        cells = [f"{med(f'{load}_np2', 'cnn_interleaved', f'{k}_{size}'):.0%}" for k in ("hidden", "hidden_barrier", "hidden_sync")]
        print(f"| {label} | {what} | " + " | ".join(cells) + " |")

# Projection (docs/distributed.md): per-rank batch 64, one rank per machine, p machines.
#   ring all-reduce  T_ar = 2 (p-1) (alpha + n / (p beta)),  n = 4 bytes x parameters
#   no overlap       T = t_compute + t_copy + T_ar
#   overlap          T = t_compute + t_copy + max(0, T_ar - (2/3) t_compute)
# t_compute: the step measured at np 1 (idle); t_copy: DataParallel's copies at np 1, per
# byte from the 64 MB bucket; backward taken as 2/3 of the step (twice the forward's work).
copy_per_byte = med("idle_np1_copies", "allreduce_ddp/MB:64", "seconds_per_call") / (64 * 2**20)
models = [("cnn", med("idle_np1", "cnn_step_local/width:1", "seconds_per_step"),
           med("idle_np1", "cnn_step_local/width:1", "params")), ("cnn width 5", wide_t, wide_p)]
networks = [("10 Gb/s, 30 us", 10e9 / 8, 30e-6), ("25 Gb/s, 20 us", 25e9 / 8, 20e-6),
            ("100 Gb/s, 10 us", 100e9 / 8, 10e-6)]
print(f"\nProjection, one rank per machine, per-rank batch 64; DataParallel's copies: {copy_per_byte * 1e9:.3f} ns/byte "
      "measured at np 1")
print("| model (parameters) | t_compute ms | t_copy ms | network | p | T_ar ms | step ms, no overlap | efficiency | step ms, overlap | efficiency |")
print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
for name, t_c, n_params in models:
    n = 4 * n_params
    t_copy = copy_per_byte * n
    for net, beta, alpha in networks:
        for p in (8, 16, 32, 64):
            t_ar = 2 * (p - 1) * (alpha + n / (p * beta))
            plain = t_c + t_copy + t_ar
            hidden = t_c + t_copy + max(0.0, t_ar - 2 / 3 * t_c)
            print(f"| {name} ({n_params / 1e6:.2f} M) | {t_c * 1e3:.1f} | {t_copy * 1e3:.2f} | {net} | {p} | {t_ar * 1e3:.2f} "
                  f"| {plain * 1e3:.1f} | {t_c / plain:.0%} | {hidden * 1e3:.1f} | {t_c / hidden:.0%} |")
print(f"\nLoad averages before each run: {os.path.join(out, 'log.txt')}")
PY
