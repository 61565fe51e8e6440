#!/usr/bin/python3
"""edgec vs ONNX Runtime on this machine: latency of every model of the zoo
(bench/make_zoo.py) and of ../shared/models, single thread, same inputs.

    /usr/bin/python3 bench/make_zoo.py            # once: the zoo, ~/.cache/edgec/zoo
    /usr/bin/python3 bench/host.py [--update]     # table; --update writes docs/results/

For each model: `edgec compile --target host` (timed), bench/latency.c
linked against the artifact, ONNX Runtime 1.30 (npm onnxruntime-node,
intraOpNumThreads 1, all graph optimisations) through bench/ort_latency.js.
Both get the same seeded input; edgec's outputs are checked against ONNX
Runtime's first (|edgec - ort| <= 1e-4 + 1e-3 |ort|), so a model that
computes the wrong thing has no speed. The two are run in turns, ROUNDS
times (median of REPEAT runs after WARMUP each); the figure is the median
over rounds. GFLOP/s counts 2 x the MACs of conv/matmul/gemm (report.txt).

--update writes bench/results-host.json, docs/results/host-bench.md and
docs/results/host-bench.png (bars per model); --from-json FILE only renders.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
from harness_build import NUMPY_DTYPE, harness_command, random_input, write_fixed_inputs  # noqa: E402

SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "models"))
ZOO = os.path.join(os.path.expanduser("~"), ".cache", "edgec", "zoo")
# (label, file, edgec flags, group)
MODELS = [
    ("resnet18", "zoo/resnet18.onnx", [], "vision 224x224"),
    ("mobilenet_v2", "zoo/mobilenet_v2.onnx", [], "vision 224x224"),
    ("mobilenet_v3_small", "zoo/mobilenet_v3_small.onnx", [], "vision 224x224"),
    ("squeezenet1_0", "zoo/squeezenet1_0.onnx", [], "vision 224x224"),
    ("shufflenet_v2_x1_0", "zoo/shufflenet_v2_x1_0.onnx", [], "vision 224x224"),
    ("ds_cnn_kws", "zoo/ds_cnn_kws.onnx", [], "MLPerf Tiny"),
    ("resnet8_cifar", "zoo/resnet8_cifar.onnx", [], "MLPerf Tiny"),
    ("mobilenet_vww", "zoo/mobilenet_vww.onnx", [], "MLPerf Tiny"),
    ("fc_autoencoder", "zoo/fc_autoencoder.onnx", [], "MLPerf Tiny"),
    ("embedding_model", "shared/embedding_model.onnx", ["--dim", "unk__314=1"], "shared"),
    ("melspectrogram", "shared/melspectrogram.onnx", ["--input-shape", "input=1x1760"], "shared"),
    ("hey_mycroft", "shared/hey_mycroft_v0.1.onnx", [], "shared"),
    ("silero_vad_16k", "shared/silero_vad_legacy.onnx",
     ["--dim", "batch=1", "--dim", "sequence=512", "--input-value", "sr=16000"], "shared"),
]
ATOL, RTOL = 1e-4, 1e-3
MATMUL_OPS = ("graph.conv", "graph.matmul", "graph.gemm")


def model_path(spec, zoo):
    where, name = spec.split("/", 1)
    return os.path.join(zoo if where == "zoo" else SHARED, name)


def contraction_macs(report):
    """Sum of report.txt's MACs column (fixed-width: it ends where its heading does)."""
    macs, end = 0, None
    for line in open(report):
        parts = line.split()
        if end is None and "MACs" in parts:
            end = line.index("MACs") + len("MACs")
        elif end is not None and len(parts) >= 5 and parts[0].isdigit() and parts[1] in MATMUL_OPS:
            macs += int(line[end - 12:end])
    return macs


def parse_latency(text):
    f = text.split()
    return float(f[f.index("median_ms") + 1])


def prepare(label, path, flags, args, work):
    """Compiles, links the latency driver, writes inputs and the ORT spec,
    and checks edgec's outputs against ONNX Runtime's."""
    art = os.path.join(work, "artifact")
    t0 = time.perf_counter()
    r = subprocess.run([args.edgec, "compile", path, "--target", "host", "--name", "m", "-o", art] + flags,
                       capture_output=True, text=True)
    compile_s = time.perf_counter() - t0
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["compile failed"])[-1]}
    manifest = json.load(open(os.path.join(art, "manifest.json")))
    exe = os.path.join(work, "latency")
    cmd = harness_command(art, manifest, exe)
    cmd = [os.path.join(HERE, "latency.c") if c.endswith("harness.c") else c for c in cmd]
    cmd[1:2] = ["-O2", "-D_POSIX_C_SOURCE=200112L"]
    subprocess.run(cmd, check=True)
    rng = np.random.default_rng(0)
    inputs = []
    for i, t in enumerate(manifest["inputs"]):
        p = os.path.join(work, f"in{i}.bin")
        random_input(rng, t).tofile(p)
        inputs.append({"name": t["name"], "dtype": t["dtype"], "shape": t["shape"], "file": p})
    inputs += write_fixed_inputs(flags, path, work)
    ours = [os.path.join(work, f"out{i}.bin") for i in range(len(manifest["outputs"]))]
    theirs = [os.path.join(work, f"ort{i}.bin") for i in range(len(manifest["outputs"]))]
    spec = os.path.join(work, "spec.json")
    json.dump({"inputs": inputs, "outputs": [{"name": t["name"], "file": f}
                                             for t, f in zip(manifest["outputs"], theirs)]}, open(spec, "w"))
    subprocess.run([exe, "0", "1"] + [i["file"] for i in inputs[:len(manifest["inputs"])]] + ours,
                   check=True, capture_output=True)
    subprocess.run(["node", os.path.join(ROOT, "test", "e2e", "ort_reference.js"), path, spec], check=True)
    worst = 0.0
    for t, a, b in zip(manifest["outputs"], ours, theirs):
        x = np.fromfile(a, dtype=NUMPY_DTYPE[t["dtype"]]).astype(np.float64)
        y = np.fromfile(b, dtype=NUMPY_DTYPE[t["dtype"]]).astype(np.float64)
        excess = np.abs(x - y) - (ATOL + RTOL * np.abs(y))
        worst = max(worst, float(np.max(np.abs(x - y), initial=0.0)))
        if np.any(excess > 0) or x.shape != y.shape:
            return {"error": f"output {t['name']} differs from ONNX Runtime (max abs err {worst:.3g})"}
    return {"exe": exe, "inputs": [i["file"] for i in inputs[:len(manifest["inputs"])]], "spec": spec,
            "compile_s": compile_s, "max_abs_err": worst, "macs": contraction_macs(os.path.join(art, "report.txt")),
            "text": manifest["sizes"]["text"], "weights": manifest["sizes"]["weights"],
            "arena": manifest["sizes"]["arena"]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--zoo", default=os.environ.get("EDGEC_ZOO_DIR", ZOO))
    p.add_argument("--only", default="", help="comma-separated model labels")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--update", action="store_true", help="write results-host.json and docs/results/host-bench.*")
    p.add_argument("--from-json", default="", help="only render (and with --update write) these results")
    args = p.parse_args()
    if args.from_json:
        result = json.load(open(args.from_json))
        print(render(result))
        if args.update:
            open(os.path.join(ROOT, "docs", "results", "host-bench.md"), "w").write(render(result))
            chart(result, os.path.join(ROOT, "docs", "results", "host-bench.png"))
        return 0
    if not os.environ.get("EDGEC_ORT_DIR"):
        os.environ["EDGEC_ORT_DIR"] = os.path.join(os.path.expanduser("~"), ".cache", "edgec", "ort")
    only = set(filter(None, args.only.split(",")))
    chosen = [m for m in MODELS if not only or m[0] in only]
    missing = [m[0] for m in chosen if not os.path.exists(model_path(m[1], args.zoo))]
    if missing:
        sys.exit(f"bench/host.py: missing models {', '.join(missing)}; run bench/make_zoo.py first")
    work = tempfile.mkdtemp(prefix="edgec-bench-")
    rows = []
    try:
        prepared = {}
        for label, spec, flags, group in chosen:
            print(f"[{label}] compiling and checking against ONNX Runtime", flush=True)
            d = os.path.join(work, label)
            os.makedirs(d)
            prepared[label] = prepare(label, model_path(spec, args.zoo), flags, args, d)
            if "error" in prepared[label]:
                print(f"[{label}] not measured: {prepared[label]['error']}", flush=True)
        times = {label: ([], []) for label in prepared}
        for r in range(args.rounds):
            for label, spec, flags, group in chosen:
                info = prepared[label]
                if "error" in info:
                    continue
                ours = subprocess.run([info["exe"], str(args.warmup), str(args.repeat)] + info["inputs"],
                                      capture_output=True, text=True, check=True).stdout
                theirs = subprocess.run(["node", os.path.join(HERE, "ort_latency.js"), model_path(spec, args.zoo),
                                         info["spec"], str(args.warmup), str(args.repeat)],
                                        capture_output=True, text=True, check=True).stdout
                times[label][0].append(parse_latency(ours))
                times[label][1].append(parse_latency(theirs))
                print(f"[{label}] round {r + 1}/{args.rounds}: edgec {times[label][0][-1]:.3f} ms, "
                      f"ORT {times[label][1][-1]:.3f} ms", flush=True)
        for label, spec, flags, group in chosen:
            info = prepared[label]
            row = {"model": label, "group": group}
            if "error" in info:
                row["error"] = info["error"]
            else:
                e, o = statistics.median(times[label][0]), statistics.median(times[label][1])
                row.update({"edgec_ms": e, "ort_ms": o, "ratio": e / o, "gflops": 2 * info["macs"] / e / 1e6,
                            "compile_s": info["compile_s"], "max_abs_err": info["max_abs_err"],
                            "macs": info["macs"], "text": info["text"], "weights": info["weights"],
                            "arena": info["arena"]})
            rows.append(row)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               "unknown cpu")
    result = {"cpu": cpu, "rounds": args.rounds, "warmup": args.warmup, "repeat": args.repeat, "models": rows}
    table = render(result)
    print(table)
    if args.update:
        json.dump(result, open(os.path.join(HERE, "results-host.json"), "w"), indent=1)
        open(os.path.join(ROOT, "docs", "results", "host-bench.md"), "w").write(table)
        chart(result, os.path.join(ROOT, "docs", "results", "host-bench.png"))
    return 0 if all("error" not in r for r in rows) else 1


def render(result):
    measured = [r for r in result["models"] if "ratio" in r]
    lines = ["# Host latency: edgec vs ONNX Runtime", "",
             "Generated by `bench/host.py --update` (see its docstring for the method); "
             f"{result['cpu']}, one thread, median over {result['rounds']} interleaved rounds of "
             f"{result['repeat']} runs after {result['warmup']} warm-up runs. Ratio = edgec / ORT "
             "(below 1: edgec is faster). Outputs are checked against ONNX Runtime before timing. "
             "ONNX Runtime is timed through its Node.js binding, so its figures include the binding's "
             "per-call cost (tens of microseconds), which is most of its time on the smallest models; "
             "edgec's include only the call of the compiled function. Compile s is the wall time of "
             "`edgec compile` (import to archive, LLVM on every core of this 2-core machine, see "
             "[host-codegen.md](../design/host-codegen.md#compile-time)).", "",
             "| model | group | edgec ms | ORT ms | ratio | GFLOP/s | compile s | arena KiB | weights KiB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["models"]:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['group']} | — | — | not measured: {r['error']} | | | | |")
            continue
        lines.append(f"| {r['model']} | {r['group']} | {r['edgec_ms']:.3f} | {r['ort_ms']:.3f} | "
                     f"{r['ratio']:.2f} | {r['gflops']:.1f} | {r['compile_s']:.2f} | "
                     f"{r['arena'] / 1024:.0f} | {r['weights'] / 1024:.0f} |")
    if measured:
        geo = math.exp(sum(math.log(r["ratio"]) for r in measured) / len(measured))
        worst = max(measured, key=lambda r: r["ratio"])
        lines += ["", f"Geometric-mean ratio over {len(measured)} measured models: **{geo:.2f}**; "
                  f"worst: {worst['model']} ({worst['ratio']:.2f}). "
                  f"Not measured: {len(result['models']) - len(measured)}."]
    lines += ["", "![edgec vs ONNX Runtime](host-bench.png)", ""]
    return "\n".join(lines)


def chart(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [r for r in result["models"] if "ratio" in r]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [r["edgec_ms"] for r in rows], 0.4, label="edgec")
    ax.bar(x + 0.2, [r["ort_ms"] for r in rows], 0.4, label="ONNX Runtime 1.30")
    ax.set_yscale("log")
    ax.set_ylabel("ms per inference (log)")
    ax.set_xticks(x, [r["model"] for r in rows], rotation=35, ha="right")
    ax.set_title("Host latency, one thread (lower is better)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
