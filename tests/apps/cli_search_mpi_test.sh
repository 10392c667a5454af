#!/usr/bin/env bash
# Usage: cli_search_mpi_test.sh TAPEGRAD MPIEXEC WORKDIR MODE
# A distributed search (tapegrad search --mpi) under mpirun on this machine:
#   np2:          2 ranks, 4 trials: the search finishes, and the results file holds each
#                 of the 4 trials once.
#   resume:       the whole job (mpirun and its ranks) is killed with SIGKILL once the
#                 results file holds a trial; the same command then reuses the finished
#                 trials, runs only the others, and finishes.
#   rank_dies:    3 ranks under mpirun --enable-recovery; TAPEGRAD_TEST_RANK_DIE=1:1 makes
#                 the worker rank given stage 1 trial 1 kill itself (SIGKILL); rank 0 names
#                 that rank, stage and trial once it has been silent for --mpi-timeout 5 s,
#                 another rank runs the trial, and the search finishes (within 90 s).
#   master_dies:  2 ranks under mpirun --enable-recovery; the test kills rank 0 (SIGKILL)
#                 once a trial has finished; the worker rank stops with an error naming
#                 rank 0's silence (--mpi-timeout 5 s), and the whole job ends (within 90 s).
set -euo pipefail
tapegrad=$1
mpiexec=$2
bounded=$(cd "$(dirname "${BASH_SOURCE[0]}")/../support" && pwd)/mpirun_bounded.sh  # mpirun may outlive its ranks under --enable-recovery
dir=$3
mode=$4
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
fail() {
  echo "cli_search_mpi_test: $*" >&2
  exit 1
}
quick=(search --mpi --stages 1 --validation 200 --threads 1 --checkpoint-dir "" --report "" --results search.jsonl)
tiny=(--epochs 1 --train-limit 300)
trial_lines() { grep -c '"trial":' search.jsonl || true; }
# Each of trials 0 .. n-1 exactly once in the results file.
check_trials() {
  local n=$1
  [[ $(trial_lines) -eq $n ]] || fail "search.jsonl should hold $n trial lines, got $(trial_lines): $(cat search.jsonl)"
  for ((trial = 0; trial < n; ++trial)); do
    [[ $(grep -c "\"trial\":$trial," search.jsonl) -eq 1 ]] || fail "trial $trial is not in search.jsonl exactly once"
  done
}
# Polls (up to 120 s) until the results file holds at least one trial.
wait_for_a_trial() {
  for _ in $(seq 2400); do
    [[ -f search.jsonl && $(trial_lines) -ge 1 ]] && return 0
    sleep 0.05
  done
  fail "no trial finished within 120 s"
}
start=$SECONDS

case $mode in
np2)
  out=$("$mpiexec" --oversubscribe -np 2 "$tapegrad" "${quick[@]}" "${tiny[@]}" --trials 4 2>&1)
  printf '%s\n' "$out"
  grep -q '^tapegrad search: .*, 1 worker rank x 1 thread; results search.jsonl (0 trials in it)$' <<<"$out" ||
    fail "the header should name 1 worker rank"
  grep -q '^4 trials run, 0 taken from search.jsonl' <<<"$out" || fail "expected 4 trials run"
  [[ $(grep -c '^\[[1-4]/4\] stage 1 trial 0[0-3] ' <<<"$out") -eq 4 ]] || fail "expected 4 trial lines, printed once"
  check_trials 4
  ;;
resume)
  # Longer trials (about a second each), so that the job is killed in the middle.
  slow=("${quick[@]}" --trials 4 --epochs 2 --train-limit 20000)
  setsid "$mpiexec" --oversubscribe -np 2 "$tapegrad" "${slow[@]}" >killed.txt 2>&1 &
  session=$!  # setsid ran mpirun in a session of its own, whose id is mpirun's pid
  wait_for_a_trial
  kill -KILL $(ps -o pid= -s "$session") 2>/dev/null || true
  wait "$session" || true
  for _ in $(seq 200); do
    [[ -z $(ps -o pid= -s "$session") ]] && break
    sleep 0.05
  done
  [[ -z $(ps -o pid= -s "$session") ]] || fail "processes of the killed job are still there"
  cat killed.txt
  done_before=$(trial_lines)
  [[ $done_before -ge 1 && $done_before -lt 4 ]] ||
    fail "the killed search should have finished 1 to 3 trials, got $done_before"
  out=$("$mpiexec" --oversubscribe -np 2 "$tapegrad" "${slow[@]}" 2>&1)
  printf '%s\n' "$out"
  grep -q "($done_before done already, from search.jsonl)" <<<"$out" ||
    fail "the resumed stage should start with $done_before trials done"
  grep -q "^$((4 - done_before)) trials\\? run, $done_before taken from search.jsonl" <<<"$out" ||
    fail "the resumed search should run only the $((4 - done_before)) trials left"
  check_trials 4
  ;;
rank_dies)
  out=$(TAPEGRAD_TEST_RANK_DIE=1:1 "$bounded" "$mpiexec" --oversubscribe --enable-recovery -x TAPEGRAD_TEST_RANK_DIE -np 3 \
        "$tapegrad" "${quick[@]}" "${tiny[@]}" --trials 4 --mpi-timeout 5 2>&1)
  printf '%s\n' "$out"
  dead=$(grep -oE '^TAPEGRAD_TEST_RANK_DIE: rank [12] kills itself, given stage 1 trial 1$' <<<"$out" |
         grep -oE 'rank [12]' | grep -oE '[12]')
  [[ -n $dead ]] || fail "no worker rank killed itself"
  grep -qE "^warning: search: rank $dead sent nothing for [0-9.]+ s \\(more than --mpi-timeout 5 s\\) while running stage 1 trial 1; it counts as dead, and the trial goes back to the queue for another rank$" <<<"$out" ||
    fail "no warning naming the dead rank $dead and its trial"
  grep -q '^4 trials run, 0 taken from search.jsonl' <<<"$out" || fail "expected 4 trials run"
  check_trials 4
  ;;
master_dies)
  setsid "$bounded" "$mpiexec" --oversubscribe --enable-recovery -np 2 "$tapegrad" "${quick[@]}" "${tiny[@]}" --trials 1000 \
    --mpi-timeout 5 >out.txt 2>&1 &
  session=$!
  wait_for_a_trial
  master=
  for pid in $(ps -o pid= -s "$session"); do
    tr '\0' '\n' </proc/"$pid"/environ 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=0' && master=$pid
  done
  [[ -n $master ]] || fail "rank 0's process was not found"
  kill -KILL "$master"
  # Under --enable-recovery mpirun's own exit status does not tell how the ranks ended.
  wait "$session" || true
  cat out.txt
  grep -qE '^tapegrad: error: search: rank 1 heard nothing from rank 0 for [0-9.]+ s \(more than --mpi-timeout 5 s\): rank 0 died or is stuck, so this worker stops$' out.txt ||
    fail "the worker rank did not stop with an error naming rank 0's silence"
  [[ -z $(ps -o pid= -s "$session") ]] || fail "processes of the job are still there"
  ;;
*)
  fail "unknown mode '$mode'"
  ;;
esac
elapsed=$((SECONDS - start))
[[ $elapsed -le 90 ]] || fail "the test took $elapsed s; expected at most 90 s"
echo "cli_search_mpi_test: $mode ok ($elapsed s)"
