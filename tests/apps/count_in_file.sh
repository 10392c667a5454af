#!/usr/bin/env bash
# Usage: count_in_file.sh FILE TEXT COUNT COMMAND [ARGS...]
# Runs COMMAND (which must exit 0 and write FILE), then passes when TEXT occurs exactly
# COUNT times in FILE. FILE is removed first, so a stale one cannot pass.
set -uo pipefail
file=$1 text=$2 count=$3
shift 3
rm -f -- "$file"
"$@" || { echo "count_in_file: '$*' failed" >&2; exit 1; }
[[ -f $file ]] || { echo "count_in_file: '$file' was not written" >&2; exit 1; }
found=$(grep -o -F -- "$text" "$file" | wc -l)
if [[ $found -ne $count ]]; then
  echo "count_in_file: '$text' occurs $found times in $file, expected $count" >&2
  exit 1
fi
