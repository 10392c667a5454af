#!/bin/sh
# Usage: no_dnnl_outside_kernels.sh SOURCE_DIR
# Passes when the only sources that include oneDNN's headers are the kernel layer's
# oneDNN files, ops/kernels/dnnl_*: every other file reaches oneDNN through the
# kernels' own functions and enums; including a private ops/kernels/dnnl_*.hpp counts
# as including oneDNN. Build trees (directories holding a CMakeCache.txt) and .git are
# skipped; each offending file is listed with its include line.
root=${1:?usage: no_dnnl_outside_kernels.sh SOURCE_DIR}
offenders=$(find "$root" -type d \( -name .git -o -exec test -e '{}/CMakeCache.txt' ';' \) -prune -o \
  -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' -o -name '*.cxx' \) -print |
  grep -v '/ops/kernels/dnnl_[^/]*$' |
  xargs grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](oneapi/dnnl/|dnnl\.h|dnnl_|kernels/dnnl_)' 2>/dev/null)
if [ -n "$offenders" ]; then
  echo "oneDNN included outside ops/kernels/dnnl_*:"
  echo "$offenders"
  exit 1
fi
echo "oneDNN is included only by ops/kernels/dnnl_*"
