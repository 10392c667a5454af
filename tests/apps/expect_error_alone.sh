#!/usr/bin/env bash
# Usage: expect_error_alone.sh [--status N] REGEX COMMAND [ARGS...]
# expect_error.sh, and the error is all the command printed (stdout and stderr): one line,
# "tapegrad: error: ...", besides the lines that say what each --plugin registered. For
# checks that must come before any work (no data loaded, no table header, no progress).
set -uo pipefail
output=$("$(dirname "$0")/expect_error.sh" "$@")
status=$?
printf '%s\n' "$output"
[[ $status -eq 0 ]] || exit "$status"
output=$(printf '%s\n' "$output" | grep -v "^--plugin '")
if [[ $(printf '%s\n' "$output" | wc -l) -ne 1 || $output != "tapegrad: error: "* ]]; then
  echo "expect_error_alone: the command printed more than its error" >&2
  exit 1
fi
