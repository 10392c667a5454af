#!/usr/bin/env bash
# Usage: no_outside_references.sh SOURCE_DIR
# Passes when no source, header, test, doc or build file under SOURCE_DIR cites a document
# a reader of the repository does not have (the mission text) or an issue by number;
# comments cite docs/, a header or a paper instead. Prints each offending line.
set -uo pipefail
root=$1
# The patterns are built from pieces so that this file does not match itself.
mission="MISSION""\\.md"
issue="[Ii]ssue"" ?#?[0-9]+"
found=$(grep -rnE --include='*.cpp' --include='*.hpp' --include='*.h' --include='*.md' --include='*.cmake' \
          --include='*.txt' --include='*.sh' --include='*.py' -e "$mission" -e "$issue" \
          "$root/core" "$root/ops" "$root/nn" "$root/optim" "$root/train" "$root/apps" "$root/examples" \
          "$root/tests" "$root/benchmarks" "$root/docs" "$root/scripts" "$root/README.md" 2>/dev/null)
if [[ -n $found ]]; then
  echo "no_outside_references: these lines cite a document or issue outside the repository:" >&2
  echo "$found" >&2
  exit 1
fi
