#!/bin/sh
# A checkpoint written by tapegrad loads in Python's safetensors with the same values.
# Usage: safetensors_python_test.sh <path to tapegrad_tests>. Exit 77 (skipped) when
# Python's safetensors (with numpy) is not installed.
set -u
tests_binary=$1
if ! python3 -c 'import safetensors.numpy' >/dev/null 2>&1; then
  echo "python3 module safetensors (with numpy) not installed: skipped"
  exit 77
fi
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
sample="$dir/sample.safetensors"
TAPEGRAD_CHECKPOINT_SAMPLE="$sample" "$tests_binary" -tc='checkpoint sample file round trip' >/dev/null || {
  echo "tapegrad_tests failed to write $sample"
  exit 1
}
python3 - "$sample" <<'PYTHON'
import sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

path = sys.argv[1]
tensors = load_file(path)
assert sorted(tensors) == ["model.labels", "model.weight", "optimizer.steps"], sorted(tensors)
weight = tensors["model.weight"]
assert weight.dtype == np.float32 and weight.shape == (2, 3), (weight.dtype, weight.shape)
assert weight.tolist() == [[0, 1, 2], [0.5, 1.5, 2.5]], weight.tolist()
labels = tensors["model.labels"]
assert labels.dtype == np.int64 and labels.tolist() == [-1, 0, 1, 1 << 40], labels.tolist()
steps = tensors["optimizer.steps"]
assert steps.dtype == np.float64 and steps.shape == () and float(steps) == 7.0, (steps.dtype, steps.shape)
with safe_open(path, framework="numpy") as f:
    assert f.metadata() == {"epoch": "3"}, f.metadata()
print("python safetensors read the tapegrad checkpoint:", ", ".join(sorted(tensors)))
PYTHON
