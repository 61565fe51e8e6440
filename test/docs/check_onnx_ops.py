#!/usr/bin/env python3
"""ctest onnx-ops-doc: docs/results/onnx-ops.md is what `edgec ops --markdown`
prints (the importer's op table), so the supported-op list cannot drift.

  check_onnx_ops.py --edgec BIN --doc docs/results/onnx-ops.md
"""
import argparse
import difflib
import subprocess
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", required=True)
    p.add_argument("--doc", required=True)
    args = p.parse_args()
    r = subprocess.run([args.edgec, "ops", "--markdown"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL: edgec ops --markdown exited with {r.returncode}:\n{r.stderr}")
        return 1
    generated = r.stdout
    with open(args.doc, encoding="utf-8") as f:
        committed = f.read()
    if generated == committed:
        print(f"{args.doc}: the same as `edgec ops --markdown` ({generated.count(chr(10))} lines)")
        return 0
    sys.stdout.writelines(difflib.unified_diff(committed.splitlines(True), generated.splitlines(True),
                                               args.doc, "edgec ops --markdown"))
    print(f"FAIL: {args.doc} differs from the op table; regenerate it with\n"
          f"  {args.edgec} ops --markdown > {args.doc}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
