#!/usr/bin/env bash
# Usage: cli_search_test.sh TAPEGRAD WORKDIR
# A tiny real search with 2 worker processes writes its results file, checkpoints named
# by validation score, the ranking table and the report; an interrupted search (--trials
# 2, then --trials 4 on the same file) redoes nothing.
set -euo pipefail
tapegrad=$1
dir=$2
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
fail() {
  echo "cli_search_test: $*" >&2
  exit 1
}
quick=(search --stages 1 --epochs 1 --train-limit 500 --validation 200 --workers 2 --checkpoint-dir ckpt)

out=$("$tapegrad" "${quick[@]}" --trials 3 --results search.jsonl --report search.html)
printf '%s\n' "$out"
[[ $(wc -l <search.jsonl) -eq 4 ]] || fail "search.jsonl should hold the search's line and 3 trial lines"
[[ $(ls ckpt | grep -cE '^val0\.[0-9]{4}-stage1-trial0[0-2]\.safetensors$') -eq 3 ]] ||
  fail "expected 3 checkpoints named val0.dddd-stage1-trial0N.safetensors, got: $(ls ckpt)"
# Each trial line names its checkpoint, whose score is the line's accuracy to 4 digits.
for trial in 0 1 2; do
  line=$(grep "\"trial\":$trial," search.jsonl)
  name=$(grep -oE 'val0\.[0-9]{4}-stage1-trial0'"$trial"'\.safetensors' <<<"$line")
  [[ -f ckpt/$name ]] || fail "trial $trial's checkpoint $name is missing"
done
grep -qE '^rank  stage  trial +lr +weight_decay +dropout +val acc +val loss +time +checkpoint$' <<<"$out" ||
  fail "no ranking table"
grep -qE '^   1      1      [0-2] .* ckpt/val0\.[0-9]{4}-stage1-trial0[0-2]\.safetensors$' <<<"$out" ||
  fail "no first row in the ranking"
grep -q '^3 trials run, 0 taken from search.jsonl' <<<"$out" || fail "expected 3 trials run"
[[ $(grep -o '<svg' search.html | wc -l) -eq 3 ]] || fail "the report should hold one plot per range (3)"

"$tapegrad" "${quick[@]}" --trials 2 --results resume.jsonl >/dev/null
out=$("$tapegrad" "${quick[@]}" --trials 4 --results resume.jsonl)
printf '%s\n' "$out"
grep -q '(2 done already, from resume.jsonl)' <<<"$out" || fail "the resumed stage should start with 2 trials done"
grep -q '^2 trials run, 2 taken from resume.jsonl' <<<"$out" || fail "the resumed search should run 2 trials"
[[ $(wc -l <resume.jsonl) -eq 5 ]] || fail "resume.jsonl should hold 4 trials"
out=$("$tapegrad" "${quick[@]}" --trials 4 --results resume.jsonl)
grep -q '^0 trials run, 4 taken from resume.jsonl' <<<"$out" || fail "a finished search should run nothing"
echo "cli_search_test: ok"
