#!/usr/bin/env bash
# Usage: cli_search_stuck_test.sh TAPEGRAD WORKDIR hook|sigstop LIMIT
# A search with 2 workers and --trial-timeout LIMIT whose worker hangs:
#   sigstop: the test stops one worker (SIGSTOP) while it runs its first trial; the master
#            names it (its pid and trial), kills it, runs the trial in a new worker, and the
#            search finishes with all 4 trials in the results file.
#   hook:    TAPEGRAD_TEST_WORKER_HANG=1:1 makes every worker given stage 1 trial 1 hang;
#            it is stuck twice, so the search stops with exit status 2, and the results file
#            keeps the other 2 trials.
set -euo pipefail
tapegrad=$1
dir=$2
mode=$3
limit=$4
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
fail() {
  echo "cli_search_stuck_test: $*" >&2
  exit 1
}
quick=(search --stages 1 --epochs 1 --train-limit 300 --validation 200 --workers 2 --threads 1 --checkpoint-dir ""
       --trial-timeout "$limit" --results search.jsonl)
stuck="warning: search: the worker \\(pid [0-9]+\\) running stage 1 trial"
limit_text="passed the trial time limit of $limit s \\(--trial-timeout\\) and was killed"
start=$SECONDS

if [[ $mode == sigstop ]]; then
  "$tapegrad" "${quick[@]}" --trials 4 >out.txt 2>&1 &
  master=$!
  worker=
  for _ in $(seq 400); do
    worker=$(ps -o pid= --ppid "$master" | head -n 1 | tr -d ' ' || true)
    [[ -n $worker ]] && break
    sleep 0.05
  done
  [[ -n $worker ]] || fail "the master started no worker"
  kill -STOP "$worker"
  status=0
  wait "$master" || status=$?
  cat out.txt
  [[ $status -eq 0 ]] || fail "the search exited with status $status; expected 0"
  grep -qE "^warning: search: the worker \\(pid $worker\\) running stage 1 trial [01] $limit_text; the trial runs once more, in a new worker \\(pid [0-9]+\\)$" out.txt ||
    fail "no warning naming the stopped worker (pid $worker) and its trial"
  grep -q '^4 trials run, 0 taken from search.jsonl' out.txt || fail "expected 4 trials run"
  [[ $(wc -l <search.jsonl) -eq 5 ]] || fail "search.jsonl should hold the search's line and 4 trial lines"
  max_seconds=$((limit + 60))
else
  status=0
  out=$(TAPEGRAD_TEST_WORKER_HANG=1:1 "$tapegrad" "${quick[@]}" --trials 3 2>&1) || status=$?
  printf '%s\n' "$out"
  [[ $status -eq 2 ]] || fail "the search exited with status $status; expected 2"
  grep -qE "^$stuck 1 $limit_text; the trial runs once more, in a new worker \\(pid [0-9]+\\)$" <<<"$out" ||
    fail "no warning naming the stuck worker and its trial"
  grep -qE "^tapegrad: error: search: the worker \\(pid [0-9]+\\) running stage 1 trial 1 $limit_text; the trial was stuck before too \\(in the worker pid [0-9]+\\), so the search stops" <<<"$out" ||
    fail "no error for the trial stuck twice"
  [[ $(wc -l <search.jsonl) -eq 3 ]] || fail "search.jsonl should hold the search's line and 2 trial lines"
  grep -q '"trial":0,' search.jsonl || fail "trial 0 is missing from search.jsonl"
  grep -q '"trial":2,' search.jsonl || fail "trial 2 is missing from search.jsonl"
  max_seconds=$((2 * limit + 60))
fi
elapsed=$((SECONDS - start))
[[ $elapsed -le $max_seconds ]] || fail "the search took $elapsed s; expected at most $max_seconds s"
echo "cli_search_stuck_test: ok ($elapsed s)"
