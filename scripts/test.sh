#!/usr/bin/env bash
# Bootstraps dependencies, builds build/, runs the full test suite.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
bash scripts/build.sh build
ctest --test-dir build --output-on-failure --no-tests=error -j2
