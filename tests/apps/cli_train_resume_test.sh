#!/usr/bin/env bash
# tapegrad train --resume: 2 epochs, then --resume to 4, end exactly where 4 epochs
# straight end: the same per-epoch losses and accuracies (JSON prints every digit), the
# same test result, and a byte-identical best checkpoint.
# Usage: cli_train_resume_test.sh <tapegrad> <work-dir>
set -euo pipefail
tapegrad=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work"
run=(train --model mlp --dropout 0.2 --flip 0.5 --average --schedule none --train-limit 600 --validation 200
     --seed 5 --report "" --json)
fail() { echo "cli_train_resume_test: $*" >&2; exit 1; }

"$tapegrad" "${run[@]}" --epochs 4 --checkpoint-dir straight >straight.json 2>/dev/null
"$tapegrad" "${run[@]}" --epochs 2 --checkpoint-dir resumed >/dev/null 2>&1
"$tapegrad" "${run[@]}" --epochs 4 --checkpoint-dir resumed --resume resumed/mlp-run.safetensors >resumed.json 2>resumed.log
grep -q "resuming after epoch 2 of 4" resumed.log || fail "no 'resuming after epoch 2 of 4' line: $(cat resumed.log)"

# Everything but the timings and the paths.
results() { grep -vE '"(seconds|samples_per_second|checkpoint|run_state|report)"|safetensors' "$1"; }
diff <(results straight.json) <(results resumed.json) || fail "the resumed run's results differ"
cmp straight/mlp-best.safetensors resumed/mlp-best.safetensors || fail "the best checkpoints differ"
echo "resumed run equals the straight run"
