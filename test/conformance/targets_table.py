"""Runs the ONNX conformance suite on every target and writes the pass
counts as a markdown table (docs/conformance-targets.md):

  test/conformance/targets_table.py [--targets host,cortex-m4,...] [--subset all|ops]
                                    [--jobs 2] [--out FILE]

Each target is run_conformance.py --target T over the same cases with the
host's expected list; the table gives passed / failed / unsupported / xfail
per suite and target, and the cases that fail on a target but pass on the
host. The full suite takes about half an hour per cross target on two cores.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ALL = "host,cortex-m4,cortex-m7,cortex-a53,cortex-a76,rv32imac,rv32imafc,hexagon-v67,hexagon-v67-hvx"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--targets", default=ALL)
    p.add_argument("--subset", choices=["all", "ops"], default="all")
    p.add_argument("--jobs", default="2")
    p.add_argument("--out", default="")
    args = p.parse_args()
    rows, failures = [], collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as work:
        for target in args.targets.split(","):
            out = os.path.join(work, target + ".json")
            print(f"conformance on {target} ...", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, os.path.join(HERE, "run_conformance.py"), "--edgec", args.edgec,
                            "--target", target, "--subset", args.subset, "--jobs", args.jobs,
                            "--expected", os.path.join(HERE, "expected_pass.txt"), "--json", out],
                           stdout=subprocess.DEVNULL, check=False)
            data = json.load(open(out))
            for suite, c in sorted(data["suites"].items()):
                total = sum(c.values())
                rows.append(f"| {target} | {suite} | {c.get('pass', 0)} | {c.get('fail', 0)} | "
                            f"{c.get('unsupported', 0)} | {c.get('xfail', 0)} | {total} | "
                            f"{100.0 * c.get('pass', 0) / max(total, 1):.1f}% |")
            for r in data["cases"]:
                if r["status"] == "fail":
                    failures[target].append(f"{r['suite']}/{r['case']}: {r['detail']}")
    text = ["<!-- Written by test/conformance/targets_table.py; do not edit by hand. -->",
            f"Cases: {'all of libonnx-testdata' if args.subset == 'all' else 'the op-covering subset of expected_pass.txt (--subset ops)'}.",
            "",
            "| target | suite | passed | failed | unsupported | xfail | cases | pass rate |",
            "|---|---|---:|---:|---:|---:|---:|---:|"] + rows
    for target, cases in failures.items():
        text += ["", f"Failures on {target}:", ""] + [f"- {c}" for c in cases]
    table = "\n".join(text) + "\n"
    print(table)
    if args.out:
        open(args.out, "w").write(table)


if __name__ == "__main__":
    main()
