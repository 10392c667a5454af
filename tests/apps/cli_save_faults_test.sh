#!/usr/bin/env bash
# Usage: cli_save_faults_test.sh TAPEGRAD WORKDIR kill|late
# Faults during checkpoint saves of `tapegrad train`, made with the test hooks of
# nn/src/save_temporaries.hpp:
#   kill  kill -9 in the middle of a save (TAPEGRAD_TEST_PAUSE_IN_SAVE holds it between
#         writing the temporary file and renaming it), and a save killed by SIGXFSZ (ulimit -f):
#         the folder holds the earlier run's checkpoints, every one loadable, and the killed
#         save's temporary file; the next run removes it, and every checkpoint still loads.
#   late  the last save of a run fails (TAPEGRAD_TEST_FAIL_SAVE, as on a full disk): the
#         command still prints the test evaluation and the --json result, then exits 2 with
#         the file and the reason.
set -euo pipefail
tapegrad=$1
dir=$2
mode=$3
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
fail() {
  echo "cli_save_faults_test: $*" >&2
  exit 1
}
quick=(train --model mlp --epochs 1 --train-limit 200 --validation 100 --threads 1 --report '' --checkpoint-dir ckpt)

# The names in ckpt that are not checkpoints (save_safetensors's temporary files, or anything else).
not_checkpoints() { ls ckpt | grep -v '\.safetensors$' || true; }
# --ensemble loads every checkpoint named (and evaluates it); it fails on one that does not load.
all_load() {
  # The model checkpoints (not the run state, mlp-run.safetensors, which --resume reads).
  "$tapegrad" train --ensemble "$(ls ckpt/*.safetensors | grep -v -- '-run\.safetensors$' | paste -sd, -)" --threads 1 >/dev/null ||
    fail "a checkpoint does not load; the folder holds: $(ls ckpt)"
}
one_temporary_file() {
  local left
  left=$(not_checkpoints)
  [[ $(grep -cE '\.safetensors\.tmp-[0-9]+-[0-9a-f]{16}$' <<<"$left") -eq 1 && $(wc -l <<<"$left") -eq 1 ]] ||
    fail "$1: expected one temporary file besides the checkpoints, got: $left"
}

if [[ $mode == kill ]]; then
  "$tapegrad" "${quick[@]}" >/dev/null
  [[ -z $(not_checkpoints) ]] || fail "a clean run left $(not_checkpoints)"

  TAPEGRAD_TEST_PAUSE_IN_SAVE=60 "$tapegrad" "${quick[@]}" --seed 1 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [[ -n $(not_checkpoints) ]] && break
    sleep 0.1
  done
  kill -9 "$pid"
  wait "$pid" && fail "the paused run was not killed"
  one_temporary_file "after kill -9 mid-save"
  all_load
  "$tapegrad" "${quick[@]}" --seed 2 >/dev/null
  [[ -z $(not_checkpoints) ]] || fail "the next run left $(not_checkpoints)"

  # A file-size limit below a checkpoint's size (the mlp's is 2.8 MB) kills the save with SIGXFSZ.
  (ulimit -f 1024 && exec "$tapegrad" "${quick[@]}" --seed 3) >/dev/null 2>&1 && fail "the run under ulimit -f passed"
  one_temporary_file "after SIGXFSZ"
  all_load
  "$tapegrad" "${quick[@]}" --seed 4 >/dev/null
  [[ -z $(not_checkpoints) ]] || fail "the run after SIGXFSZ left $(not_checkpoints)"
  all_load
  echo "cli_save_faults_test: kill: ok"
elif [[ $mode == late ]]; then
  # One epoch saves twice: its epoch checkpoint, then <model>-best, which fails.
  status=0
  TAPEGRAD_TEST_FAIL_SAVE=2 "$tapegrad" "${quick[@]}" --json >out.json 2>err.txt || status=$?
  cat out.json err.txt
  [[ $status -eq 2 ]] || fail "expected exit status 2, got $status"
  grep -qE '^  "test_accuracy": 0\.[0-9]+,?$' out.json || fail "no test accuracy in the JSON"
  grep -qE "^    \"save_safetensors: cannot write 'ckpt/mlp-best.safetensors' .*: No space left on device\"$" out.json ||
    fail "the JSON does not name the failed save"
  grep -qE '^test accuracy 0\.[0-9]+ ' err.txt || fail "no test evaluation printed"
  grep -qE "^tapegrad: error: train: the run finished, but save_safetensors: cannot write 'ckpt/mlp-best.safetensors' .*: No space left on device$" err.txt ||
    fail "no final error naming the file and the reason"
  [[ $(ls ckpt) == mlp-epoch01-val0.*.safetensors ]] || fail "expected only the epoch's checkpoint, got: $(ls ckpt)"
  all_load
  echo "cli_save_faults_test: late: ok"
else
  fail "unknown mode '$mode'"
fi
