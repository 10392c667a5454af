#!/usr/bin/env bash
# Runs the dist benchmarks (benchmarks/dist/, tapegrad_dist_bench) under mpirun and prints
# the tables of docs/distributed.md: all-reduce bandwidth of tg::dist and DataParallel
# against plain MPI_Allreduce, the cnn step at np 1 and 2, and the fraction of the
# all-reduce hidden behind backward, idle and with one competing process.
#
#   scripts/bench_dist.sh [build-dir] [repetitions]      (defaults: build 5)
#   SUMMARY_ONLY=1 scripts/bench_dist.sh [build-dir] [repetitions]
#                                      prints the tables of the JSON files there already
#
# The build needs -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BUILD_BENCHMARKS=ON and MPI.
# Every rank runs one thread (OMP_NUM_THREADS=1, exported by -x). The configurations run
# interleaved, once per repetition (idle, then under load, np 1 then np 2), so that a
# change in the machine's load shows in the spread instead of biasing one configuration;
# the tables give medians over the repetitions. The load average before each run goes to
# the log. Results: $OUT (default build/bench_dist/), one JSON file per run.
# Needs python3 (standard library only) for the tables.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${1:-build}
REPS=${2:-5}
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

CNN_NP1='^cnn_step_local/width:1'
CNN_NP2='^cnn_(step_local(_barrier)?/width:1|step_ddp|allreduce)'
BANDWIDTH='^(allreduce|backward)'
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
    run "rep${rep}_${load}_np1" 1 "$CNN_NP1"
    run "rep${rep}_${load}_np2" 2 "$CNN_NP2"
    stop_competitor
  done
  run "rep${rep}_idle-tcp_np2" 2 "$CNN_NP2" "${TCP[@]}"
  run "rep${rep}_idle_np2_allreduce" 2 "$BANDWIDTH"
  run "rep${rep}_idle-tcp_np2_allreduce" 2 "$BANDWIDTH" "${TCP[@]}"
  run "rep${rep}_idle-ring_np2_allreduce" 2 "$BANDWIDTH" "${RING[@]}"
  # For the projection in docs/distributed.md, idle only: the bigger model's compute, and
  # DataParallel's own cost at one rank (copies into the buckets and the mean out; the
  # all-reduce of one rank moves nothing).
  run "rep${rep}_idle_np1_wide" 1 '^cnn_step_local/width:5'
  run "rep${rep}_idle_np1_copies" 1 '^allreduce_ddp/MB:64/'
done

python3 - "$OUT" "$REPS" <<'EOF'
import glob, json, os, statistics, sys

out, reps = sys.argv[1], int(sys.argv[2])
runs = {}  # (rep, name) -> {benchmark name: seconds per iteration, bytes/s}
for path in glob.glob(os.path.join(out, "rep*.json")):
    tag = os.path.basename(path)[:-5]
    rep, rest = tag.split("_", 1)
    with open(path) as f:
        data = json.load(f)
    times = {}
    for b in data["benchmarks"]:
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        name = b["name"].replace("/real_time", "").split("/iterations:")[0]
        times[name] = {"t": b["real_time"] * scale, "per_call": b.get("seconds_per_call"),
                       "per_step": b.get("seconds_per_step"), "params": b.get("params"),
                       "sync": b.get("seconds_in_synchronize")}
    runs[(int(rep[3:]), rest)] = times

def series(run, bench, key):
    vals = [runs[(r, run)][bench][key] for r in range(1, reps + 1)
            if (r, run) in runs and bench in runs[(r, run)]]
    return vals

def med(vals):
    return statistics.median(vals) if vals else float("nan")

def spread(vals):
    return f"{min(vals) * 1e3:.2f}-{max(vals) * 1e3:.2f}" if vals else "-"

print(f"\nMedians over {reps} repetitions (ms; min-max in brackets).")
print("\nAll-reduce, np 2, f32, idle: GB/s (= size / time of one call) and the ratio to MPI_Allreduce")
print("| transport | MB | MPI_Allreduce | MPI_Iallreduce in place | MPI_Iallreduce 2 buffers | tg all_reduce sum | tg all_reduce mean | DataParallel bucket | DataParallel via hook |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
names = {"idle": "shared memory", "idle-tcp": "TCP loopback", "idle-ring": "shared memory, libnbc ring"}
for transport, mb in [(t, m) for t in names for m in (1, 4, 16, 64)]:
    run = f"{transport}_np2_allreduce"
    def t(bench):
        return series(run, f"{bench}/MB:{mb}", "per_call")
    ref = t("allreduce_mpi")
    hook = [a - b for a, b in zip(t("backward_ddp"), t("backward_local"))]
    cells = []
    for vals in (ref, t("allreduce_mpi_nonblocking"), t("allreduce_mpi_nonblocking_two_buffers"), t("allreduce_tg_sum"), t("allreduce_tg_mean"),
                 t("allreduce_ddp"), hook):
        gbs = mb * 2**20 / med(vals) / 1e9
        ratio = med([a / b for a, b in zip(ref, vals)])  # per repetition, paired
        cells.append(f"{gbs:.2f} ({ratio:.0%})")
    print(f"| {names[transport]} | {mb} | " + " | ".join(cells) + " |")

print("\ncnn training step (batch 64 per rank, 1 thread per rank): ms per step")
print("| load | np | configuration | ms/step | range |")
print("|---|---:|---|---:|---|")
rows = [("np1", "cnn_step_local/width:1", "no communication"),
        ("np2", "cnn_step_local/width:1", "no communication (each rank alone)"),
        ("np2", "cnn_step_local_barrier/width:1", "no communication, MPI_Barrier after each step"),
        ("np2", "cnn_step_ddp/bucket_kb:25600", "DataParallel, 25 MB buckets"),
        ("np2", "cnn_step_ddp/bucket_kb:1024", "DataParallel, 1 MB buckets"),
        ("np2", "cnn_allreduce_alone/bucket_kb:25600", "all-reduce alone, 25 MB buckets"),
        ("np2", "cnn_allreduce_alone/bucket_kb:1024", "all-reduce alone, 1 MB buckets"),
        ("np2", "cnn_allreduce_mpi", "MPI_Allreduce of the gradient bytes")]
for load in ("idle", "busy", "idle-tcp"):
    for np_, bench, what in rows:
        if load == "idle-tcp" and np_ == "np1":
            continue
        vals = series(f"{load}_{np_}", bench, "per_step")
        print(f"| {load} | {np_[2:]} | {what} | {med(vals) * 1e3:.2f} | {spread(vals)} |")
wide = series("idle_np1_wide", "cnn_step_local/width:5", "per_step")
params = series("idle_np1_wide", "cnn_step_local/width:5", "params")
if wide:
    print(f"| idle | 1 | cnn width 5 ({med(params) / 1e6:.1f} M parameters), no communication "
          f"| {med(wide) * 1e3:.1f} | {spread(wide)} |")

print("\nHidden fraction of the all-reduce: 1 - (t_ddp - t_local) / t_allreduce_alone, np 2 (per repetition, median);")
print("t_local without (alone) and with an MPI_Barrier per step (barrier); and 1 - t_sync / t_allreduce_alone, t_sync the")
print("time per step in synchronize() (what backward did not hide, plus waiting for the slower rank)")
print("| load | buckets | t_local alone | t_local barrier | t_ddp | t_allreduce_alone | t_sync | hidden (alone) | hidden (barrier) | hidden (sync) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for load in ("idle", "busy", "idle-tcp"):
    run = f"{load}_np2"
    local = series(run, "cnn_step_local/width:1", "per_step")
    synced = series(run, "cnn_step_local_barrier/width:1", "per_step")
    for kb, what in ((25600, "25 MB (1 bucket)"), (1024, "1 MB (2 buckets)")):
        ddp = series(run, f"cnn_step_ddp/bucket_kb:{kb}", "per_step")
        alone = series(run, f"cnn_allreduce_alone/bucket_kb:{kb}", "per_step")
        hidden = [1 - (d - l) / a for l, d, a in zip(local, ddp, alone)]
        hidden_synced = [1 - (d - l) / a for l, d, a in zip(synced, ddp, alone)]
        sync = series(run, f"cnn_step_ddp/bucket_kb:{kb}", "sync")
        hidden_sync = [1 - w / a for w, a in zip(sync, alone)]
        print(f"| {load} | {what} | {med(local) * 1e3:.2f} | {med(synced) * 1e3:.2f} | {med(ddp) * 1e3:.2f} "
              f"| {med(alone) * 1e3:.2f} | {med(sync) * 1e3:.2f} | {med(hidden):.0%} | {med(hidden_synced):.0%} "
              f"| {med(hidden_sync):.0%} |")

# Projection (docs/distributed.md): per-rank batch 64 on p machines, one rank each.
#   ring all-reduce  T_ar = 2 (p-1) (alpha + n / (p beta)),  n = 4 bytes x parameters
#   no overlap       T = t_compute + t_copy + T_ar
#   overlap          T = t_compute + t_copy + max(0, T_ar - (2/3) t_compute)
# t_compute: the step measured at np 1 (idle); t_copy: DataParallel's copies at np 1, per
# byte from the 64 MB bucket; backward taken as 2/3 of the step (twice the forward's work).
copies = series("idle_np1_copies", "allreduce_ddp/MB:64", "per_call")
copy_per_byte = med(copies) / (64 * 2**20) if copies else float("nan")
models = [("cnn", med(series("idle_np1", "cnn_step_local/width:1", "per_step")),
           med(series("idle_np1", "cnn_step_local/width:1", "params"))),
          ("cnn width 5", med(wide), med(params))]
networks = [("10 Gb/s, 30 us", 10e9 / 8, 30e-6), ("25 Gb/s, 20 us", 25e9 / 8, 20e-6),
            ("100 Gb/s, 10 us", 100e9 / 8, 10e-6)]
print(f"\nProjection, one rank per machine, per-rank batch 64: DataParallel copies {copy_per_byte * 1e9:.3f} ns/byte "
      f"measured at np 1")
print("| model (parameters) | t_compute ms | network | p | T_ar ms | step ms, no overlap | efficiency | step ms, overlap | efficiency |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
for name, t_c, n_params in models:
    n = 4 * n_params
    t_copy = copy_per_byte * n
    for net, beta, alpha in networks:
        for p in (8, 16, 32, 64):
            t_ar = 2 * (p - 1) * (alpha + n / (p * beta))
            plain = t_c + t_copy + t_ar
            hidden = t_c + t_copy + max(0.0, t_ar - 2 / 3 * t_c)
            print(f"| {name} ({n_params / 1e6:.2f} M) | {t_c * 1e3:.1f} | {net} | {p} | {t_ar * 1e3:.2f} | {plain * 1e3:.1f} "
                  f"| {t_c / plain:.0%} | {hidden * 1e3:.1f} | {t_c / hidden:.0%} |")
print(f"\nLoad averages before each run: {os.path.join(out, 'log.txt')}")
EOF
