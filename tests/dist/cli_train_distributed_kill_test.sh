#!/usr/bin/env bash
# A rank killed mid-run ends the whole job within 30 s with a message naming it, and the
# last run state stays valid: the same command with --resume finishes the run.
# Usage: cli_train_distributed_kill_test.sh <mpirun> <tapegrad> <work-dir> [recovery]
#   recovery: run mpirun --enable-recovery (the job is not ended by mpirun) with
#   --dist-timeout 3: the surviving rank must notice by itself and stop with its own error.
set -uo pipefail
mpirun=$1
tapegrad=$2
work=$3
mode=${4:-}
bounded=$(cd "$(dirname "${BASH_SOURCE[0]}")/../support" && pwd)/mpirun_bounded.sh
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "cli_train_distributed_kill_test: $*" >&2; exit 1; }
launcher=("$mpirun" --oversubscribe)
expected='exited on signal 9'
run=(train --distributed --model mlp --train-limit 2000 --validation 200 --batch-size 32 --report "" --checkpoint-dir run
     --epochs 30)
if [[ $mode == recovery ]]; then
  # Open MPI 4.1's mpirun may outlive its ranks under --enable-recovery (see the script).
  launcher=("$bounded" "${launcher[@]}" --enable-recovery)
  run+=(--dist-timeout 3)
  expected='had no answer from the other ranks within 3 s'
fi

"${launcher[@]}" -np 2 "$tapegrad" "${run[@]}" >job.log 2>&1 &
job=$!
# Wait for the first run state, then kill rank 1: found by the rank Open MPI gives it, and
# by its folder (this test's; another test's job may run beside it).
for _ in $(seq 1800); do [[ -f run/mlp-run.safetensors ]] && break; sleep 0.1; done  # up to 180 s: ASan under load
[[ -f run/mlp-run.safetensors ]] || { kill -9 $job; fail "no run state after 180 s: $(cat job.log)"; }
victim=
for pid in $(pgrep -f -- "--checkpoint-dir run"); do
  [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$PWD" ]] || continue
  if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim=$pid; fi
done
[[ -n $victim ]] || { kill -9 $job; fail "rank 1's process not found"; }
kill -9 "$victim"
killed_at=$(date +%s.%N)
wait $job
status=$?
elapsed=$(echo "$(date +%s.%N) - $killed_at" | bc)
cat job.log
echo "the job ended ${elapsed} s after rank 1 was killed, with status $status"
# (mpirun --enable-recovery exits 0 whatever its ranks return: there the message tells.)
[[ $status -ne 0 || $mode == recovery ]] || fail "the job exited 0 after a rank was killed"
(($(echo "$elapsed < 30" | bc))) || fail "the job took ${elapsed} s to end (limit 30 s)"
grep -q "$expected" job.log || fail "no '$expected' in the output"

# The run state on disk is whole: the run resumes from it and finishes.
"$mpirun" --oversubscribe -np 2 "$tapegrad" "${run[@]}" --resume run/mlp-run.safetensors >resume.log 2>&1 ||
  fail "resuming failed: $(cat resume.log)"
grep -q 'resuming after epoch' resume.log || fail "no 'resuming after epoch' line: $(cat resume.log)"
grep -q '^test accuracy' resume.log || fail "the resumed run did not finish: $(cat resume.log)"
echo "killed rank ended the job; the run resumed and finished"
