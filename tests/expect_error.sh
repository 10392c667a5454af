#!/usr/bin/env bash
# Usage: expect_error.sh REGEX COMMAND [ARGS...]
# Passes when COMMAND exits non-zero and its stderr+stdout matches the extended REGEX.
set -uo pipefail
pattern=$1
shift
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
if [[ $status -eq 0 ]]; then
  echo "expect_error: '$*' exited 0; expected a failure" >&2
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$output"; then
  echo "expect_error: output does not match /$pattern/" >&2
  exit 1
fi
