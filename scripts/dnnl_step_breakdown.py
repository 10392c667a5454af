#!/usr/bin/env python3
"""Sums oneDNN's own timing of every primitive it ran, per kind of work.

Run a program with DNNL_VERBOSE=1 (oneDNN prints one "exec" line per primitive call,
ending with its time in ms), then:
    DNNL_VERBOSE=1 build/bin/tapegrad_bench --benchmark_filter='^cnn_train_step/threads:1/load:0' \
        --benchmark_min_time=1 > log.txt
    scripts/dnnl_step_breakdown.py log.txt
Prints ms per step for each (primitive, propagation, shape) group, largest first. The
steps are counted as the most common execution count among the groups (most primitives
run once per step in a training loop), unless --steps N is given. Time outside oneDNN (tapegrad's own
kernels, the tape, allocation) is the step time minus the total printed here.
"""
import argparse
import collections
import re
import sys


def label(fields):
    kind, impl, prop = fields[3], fields[4], fields[5]
    shape = fields[-2]
    layouts = fields[6]
    if kind == "reorder":
        src = re.search(r"src_f32::blocked:(\w+)", layouts)
        dst = re.search(r"dst_f32::blocked:(\w+)", layouts)
        return f"reorder {src.group(1) if src else '?'}->{dst.group(1) if dst else '?'} {shape}"
    alg = re.search(r"alg:(\w+)", fields[-3] if len(fields) > 8 else "")
    what = alg.group(1) if alg else ""
    return f"{kind} {prop} {what} {shape} [{impl}]".replace("  ", " ")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log")
    ap.add_argument("--steps", type=int, default=0)
    args = ap.parse_args()
    total = collections.defaultdict(float)
    count = collections.Counter()
    with open(args.log) as f:
        for line in f:
            if ",exec," not in line or not line.startswith(("onednn_verbose", "dnnl_verbose")):
                continue
            fields = line.rstrip().split(",")
            key = label(fields)
            total[key] += float(fields[-1])
            count[key] += 1
    if not total:
        sys.exit("no oneDNN exec lines: run the program with DNNL_VERBOSE=1")
    steps = args.steps or collections.Counter(count.values()).most_common(1)[0][0]
    print(f"{steps} steps; ms per step, largest first")
    grand = 0.0
    for key, ms in sorted(total.items(), key=lambda kv: -kv[1]):
        grand += ms / steps
        print(f"{ms / steps:8.3f}  x{count[key] / steps:g}  {key}")
    print(f"{grand:8.3f}  total inside oneDNN")


if __name__ == "__main__":
    main()
