"""Runs the ONNX conformance suite on every target and writes the pass
counts as a markdown table (docs/results/conformance-targets.md). On every device
target `edgec run` paints the stack and fails a case whose model went
deeper than the compiler's bound (<NAME>_STACK_BYTES, exit 7): the table
counts those cases in a column of their own (they are failures too).

  test/conformance/targets_table.py [--targets host,cortex-m4,...] [--subset all|ops]
                                    [--jobs 2] [--results-dir DIR] [--rerun] [--out FILE]

Each target is run_conformance.py --target T over the same cases with the
host's expected list; the table gives passed / failed / unsupported / xfail
per suite and target, and the cases that fail on a target but pass on the
host. Each target's run_conformance JSON is kept in --results-dir (default
build/conformance-targets/) and reused unless --rerun, so targets can be
added one at a time; the full suite takes about five minutes per target on
two cores.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import edgec_targets  # noqa: E402


def every_target(edgec):
    """The host and every cross target, in edgec's order: not the other
    targets that run on this machine (host-x86-64-v2, npu), whose CPU is
    the host's."""
    return ",".join(edgec_targets.names(edgec, lambda t: t["name"] == "host" or not t["host_native"]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--targets", default=None, help="default: the host and every cross target edgec lists")
    p.add_argument("--subset", choices=["all", "ops"], default="all")
    p.add_argument("--jobs", default="2")
    p.add_argument("--results-dir", default=os.path.join(HERE, "..", "..", "build", "conformance-targets"))
    p.add_argument("--rerun", action="store_true")
    p.add_argument("--out", default="")
    args = p.parse_args()
    args.targets = args.targets or every_target(args.edgec)
    rows, failures = [], collections.defaultdict(list)
    os.makedirs(args.results_dir, exist_ok=True)
    for target in args.targets.split(","):
        out = os.path.join(args.results_dir, f"{target}{'' if args.subset == 'all' else '-' + args.subset}.json")
        if args.rerun or not os.path.exists(out):
            print(f"conformance on {target} ...", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, os.path.join(HERE, "run_conformance.py"), "--edgec", args.edgec,
                            "--target", target, "--subset", args.subset, "--jobs", args.jobs,
                            "--expected", os.path.join(HERE, "expected_pass.txt"), "--json", out],
                           stdout=subprocess.DEVNULL, check=False)
        data = json.load(open(out))
        over = collections.Counter(r["suite"] for r in data["cases"] if "failed (exit 7)" in (r.get("detail") or ""))
        for suite, c in sorted(data["suites"].items()):
            total = sum(c.values())
            stack = "-" if target.startswith("host") else over[suite]
            rows.append(f"| {target} | {suite} | {c.get('pass', 0)} | {c.get('fail', 0)} | {stack} | "
                        f"{c.get('unsupported', 0)} | {c.get('xfail', 0)} | {total} | "
                        f"{100.0 * c.get('pass', 0) / max(total, 1):.1f}% |")
        for r in data["cases"]:
            if r["status"] == "fail":
                failures[target].append(f"{r['suite']}/{r['case']}: {r['detail']}")
    text = ["<!-- Written by test/conformance/targets_table.py; do not edit by hand. -->",
            f"Cases: {'all of libonnx-testdata' if args.subset == 'all' else 'the op-covering subset of expected_pass.txt (--subset ops)'}.",
            "",
            "Every case run on a device is also a check of the stack bound: the "
            "harness paints the stack and fails when the model used more than the compiler computed "
            "(\"over stack bound\", failures too; \"-\" on the host, which has no painted stack).",
            "",
            "| target | suite | passed | failed | over stack bound | unsupported | xfail | cases | pass rate |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"] + rows
    for target, cases in failures.items():
        text += ["", f"Failures on {target}:", ""] + [f"- {c}" for c in cases]
    table = "\n".join(text) + "\n"
    print(table)
    if args.out:
        open(args.out, "w").write(table)


if __name__ == "__main__":
    main()
