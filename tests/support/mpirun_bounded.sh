#!/usr/bin/env bash
# Usage: mpirun_bounded.sh MPIRUN [ARGS...]
# Runs mpirun and returns its exit status, except in one case. Under --enable-recovery,
# Open MPI 4.1's mpirun sometimes stays in its event loop after every rank has ended, when
# one of them was killed (it no longer even reaps them). If mpirun has had no live child
# process (no rank) for 5 s, this
# script stops it, says so on stderr and returns 0. Under --enable-recovery, mpirun's
# status says nothing of how the ranks ended anyway.
set -uo pipefail
"$@" &
mpirun_pid=$!
idle=0
while kill -0 "$mpirun_pid" 2>/dev/null; do
  # Ranks that have ended but that mpirun has not reaped are zombies: they count as ended.
  if [[ -z $(ps -o stat= --ppid "$mpirun_pid" | grep -v '^Z') ]]; then
    idle=$((idle + 1))
    if ((idle >= 10)); then
      kill -KILL "$mpirun_pid" 2>/dev/null
      wait "$mpirun_pid" 2>/dev/null
      echo "mpirun_bounded: every rank had ended, and mpirun was still running 5 s later; stopped it" >&2
      exit 0
    fi
  else
    idle=0
  fi
  sleep 0.5
done
wait "$mpirun_pid"
