#!/usr/bin/python3
"""What running ONNX's own code in a child process costs (docs/design/reliability.md,
"ONNX isolation"): wall time of `edgec compile --target host` and of
`edgec import` on the MLPerf Tiny models and the shared models, with the
child (the default) and in-process (EDGEC_ONNX_IN_PROCESS=1), interleaved,
median of --repeat runs each.

    /usr/bin/python3 bench/onnx_isolation.py [--edgec build/tools/edgec/edgec] [--repeat 7]
                                             [--json bench/results-isolation.json]

The zoo comes from bench/make_zoo.py (~/.cache/edgec/zoo).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from host import MODELS, ZOO, model_path  # noqa: E402


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def timed(cmd, env):
    start = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"onnx_isolation: {' '.join(cmd)} failed:\n{r.stderr}")
    return elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--zoo", default=ZOO)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--json", default=None)
    args = p.parse_args()

    child = dict(os.environ, EDGEC_ONNX_IN_PROCESS="0", CI="1")
    inproc = dict(child, EDGEC_ONNX_IN_PROCESS="1")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for label, spec, flags, group in MODELS:
            if group not in ("MLPerf Tiny", "shared"):
                continue
            model = model_path(spec, args.zoo)
            if not os.path.exists(model):
                print(f"  {label}: {model} missing (bench/make_zoo.py), skipped")
                continue
            row = {"model": label, "group": group}
            for what, cmd in (("compile", [args.edgec, "compile", model, "--target", "host", "-j", "1",
                                           "-o", os.path.join(work, label)] + flags),
                              ("import", [args.edgec, "import", model, "-o", os.path.join(work, label + ".mlir")]
                               + flags)):
                times = {"child": [], "in-process": []}
                for _ in range(args.repeat):
                    for mode, env in (("child", child), ("in-process", inproc)):
                        times[mode].append(timed(cmd, env))
                c, i = statistics.median(times["child"]), statistics.median(times["in-process"])
                row[what] = {"child_s": round(c, 4), "in_process_s": round(i, 4), "ratio": round(c / i, 4)}
            rows.append(row)
            print(f"  {label:<16} compile {row['compile']['child_s']:.3f} s vs {row['compile']['in_process_s']:.3f} s "
                  f"({(row['compile']['ratio'] - 1) * 100:+.1f}%), import {row['import']['child_s']:.3f} s vs "
                  f"{row['import']['in_process_s']:.3f} s ({(row['import']['ratio'] - 1) * 100:+.1f}%)", flush=True)
    cpu = cpu_name()
    print(f"CPU: {cpu}; median of {args.repeat} runs, compile -j 1 for the host")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu, "repeat": args.repeat, "models": rows}, f, indent=1)


if __name__ == "__main__":
    main()
