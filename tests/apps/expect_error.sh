#!/usr/bin/env bash
# Usage: expect_error.sh [--status N] REGEX COMMAND [ARGS...]
# Passes when COMMAND exits non-zero (with status N, given --status) and its stderr+stdout
# matches the extended REGEX. A crash (killed by a signal, status above 128) never passes:
# an aborting program may print the expected message too, from an uncaught exception.
set -uo pipefail
expected_status=
if [[ $1 == --status ]]; then
  expected_status=$2
  shift 2
fi
pattern=$1
shift
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
if [[ $status -eq 0 ]]; then
  echo "expect_error: '$*' exited 0; expected a failure" >&2
  exit 1
fi
if [[ $status -gt 128 ]]; then
  echo "expect_error: '$*' was killed by signal $((status - 128)); expected an error exit" >&2
  exit 1
fi
if [[ -n $expected_status && $status -ne $expected_status ]]; then
  echo "expect_error: '$*' exited with status $status; expected $expected_status" >&2
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$output"; then
  echo "expect_error: output does not match /$pattern/" >&2
  exit 1
fi
