#!/usr/bin/env bash
# mpirun -np 2 tapegrad train --distributed: one rank prints (one header, one table, one
# test line) and saves; its run state resumes on another number of ranks (np 1).
# Usage: cli_train_distributed_test.sh <mpirun> <tapegrad> <work-dir>
set -euo pipefail
mpirun=$1
tapegrad=$2
work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
run=(train --distributed --model mlp --dropout 0 --train-limit 1000 --validation 200 --batch-size 32 --seed 3
     --report "" --checkpoint-dir run)
fail() { echo "cli_train_distributed_test: $*" >&2; exit 1; }

"$mpirun" --oversubscribe -np 2 "$tapegrad" "${run[@]}" --epochs 1 >np2.log 2>&1 || fail "np 2 failed: $(cat np2.log)"
cat np2.log
[[ $(grep -c '^tapegrad train: ' np2.log) == 1 ]] || fail "expected one header line (rank 0's)"
grep -q 'batch 64 (32 per rank x 2 ranks)' np2.log || fail "the header does not give the global batch"
[[ $(grep -c '^test accuracy' np2.log) == 1 ]] || fail "expected one test line"
[[ -f run/mlp-run.safetensors ]] || fail "no run state"

"$mpirun" --oversubscribe -np 1 "$tapegrad" "${run[@]}" --epochs 2 --resume run/mlp-run.safetensors >np1.log 2>&1 ||
  fail "resuming on 1 rank failed: $(cat np1.log)"
cat np1.log
grep -q 'resuming after epoch 1 of 2' np1.log || fail "no 'resuming after epoch 1 of 2'"
grep -qE '^ +2 ' np1.log || fail "no epoch 2 row"
echo "np 2 printed once and saved; np 1 resumed its run"
