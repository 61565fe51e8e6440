#!/usr/bin/env python3
"""edgec's NPU on real models: MAC utilisation from the cycle-counting
simulator, and outputs compared with the CPU int8 path.

    /usr/bin/python3 bench/npu.py [--update] [--check] [--models a,b] [--inputs N]

For each model: int8 calibration on random inputs (fixed seed), compiled
twice with the same calibration, for `host` (the CPU int8 path) and for
`npu` (int8 subgraphs on the NPU, the rest on the CPU); both run on the same
random inputs. The NPU's outputs must equal the CPU's byte for byte. The
simulator's report (EDGEC_NPU_REPORT) gives cycles, useful MACs, stalls and
DMA traffic per submission and per layer; MAC utilisation is useful MAC
cycles / total cycles. --update writes bench/results-npu.json and
docs/results/npu-bench.md (with the reason for every layer below 70%); --check fails
when outputs differ or a conv-heavy model (--min-utilisation models) runs
below --min-utilisation. Models come from bench/make_zoo.py (generated into
--zoo when missing) and ../shared/models.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "models")

# name, file (zoo/ or shared/), edgec flags, what it shows
MODELS = [
    ("ds_cnn_kws", "zoo/ds_cnn_kws.onnx", [], "MLPerf Tiny keyword spotting (DS-CNN)"),
    ("mobilenet_vww", "zoo/mobilenet_vww.onnx", [], "MLPerf Tiny visual wake words (MobileNetV1 0.25, 96x96)"),
    ("resnet8_cifar", "zoo/resnet8_cifar.onnx", [], "MLPerf Tiny image classification (ResNet-8)"),
    ("mobilenet_v2", "zoo/mobilenet_v2.onnx", [],
     "torchvision MobileNetV2 at 224x224: its large maps (up to 112x112x96, 1.2 MB) do not fit SRAM; chains run "
     "the first blocks band by band, their expanded maps in SRAM a few rows at a time, so no map goes to DRAM"),
    ("embedding_model", "shared/embedding_model.onnx", ["--input-shape", "input_1=1x76x32x1"],
     "openWakeWord embedding: LeakyRelu and Max run on the CPU between NPU subgraphs"),
]
CONV_HEAVY = ["ds_cnn_kws", "mobilenet_vww", "resnet8_cifar", "mobilenet_v2"]
# One parameter changed at a time (--sensitivity).
SENSITIVITY = [("ppu_elements_per_cycle", 16), ("dma_bytes_per_cycle", 8), ("dma_latency", 400),
               ("sram_bytes", 262144)]


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def input_shape(model, flags):
    import onnx
    graph = onnx.load(model, load_external_data=False).graph
    inits = {i.name for i in graph.initializer}
    first = next(i for i in graph.input if i.name not in inits)
    for k, f in enumerate(flags):
        if f == "--input-shape" and flags[k + 1].startswith(first.name + "="):
            return [int(d) for d in flags[k + 1].split("=")[1].split("x")]
    return [d.dim_value or 1 for d in first.type.tensor_type.shape.dim]


def layer_reason(layer, config):
    """Why a layer keeps the array below 70%: its dominant loss."""
    kind = layer.get("kind", "")
    if layer["macs"] == 0:
        return f"{kind or 'pool/add'}: no multiply-adds (pooling or elementwise unit)"
    busy = layer["compute_cycles"] + layer["stall_cycles"]
    if layer["stall_cycles"] > 0.3 * busy:
        return f"waits for DMA {layer['stall_cycles']} of {busy} cycles (weights or input not yet in SRAM)"
    rows, cols = config["mac_rows"], config["mac_cols"]
    px, ch, red, lanes = layer["pixels"], layer["channels"], layer["reduction"], max(layer["lanes"], 1)
    per_block_rows = rows // lanes
    fills = {
        f"{ch} output channels fill {ch / (math.ceil(ch / cols) * cols):.0%} of the {cols} columns":
            ch / (math.ceil(ch / cols) * cols),
        f"{px} output pixels fill {px / (math.ceil(px / per_block_rows) * per_block_rows):.0%} of the row blocks":
            px / (math.ceil(px / per_block_rows) * per_block_rows),
        f"a reduction of {red} fills {red / (math.ceil(red / lanes) * lanes):.0%} of {lanes} lanes":
            red / (math.ceil(red / lanes) * lanes),
    }
    drain = math.ceil(per_block_rows * cols / config["ppu_elements_per_cycle"])
    steps = math.ceil(red / lanes)
    if steps < drain:
        fills[f"a reduction of {red} ({steps} steps per block) is shorter than the output stage's "
              f"{drain}-cycle drain"] = steps / drain
    reason, fill = min(fills.items(), key=lambda kv: kv[1])
    if fill > 0.9:
        return f"fixed costs ({layer['commands']} commands of {config['command_cycles']} cycles) on a small layer"
    return reason


def measure(args, work, name, rel, flags, config_path, count, config):
    """Compiles `name` for host and npu, runs `count` random inputs through
    both; the NPU's cycle counts from the last input."""
    model = (os.path.join(args.zoo, os.path.basename(rel)) if rel.startswith("zoo/")
             else os.path.join(SHARED, os.path.basename(rel)))
    shape = input_shape(model, flags)
    rng = np.random.default_rng(0)
    calib = os.path.join(work, name, "calibration")
    os.makedirs(calib)
    for k in range(8):
        np.save(os.path.join(calib, f"{k}.npy"), rng.standard_normal(shape).astype(np.float32))
    inputs = []
    for k in range(count):
        path = os.path.join(work, name, f"in{k}.bin")
        rng.standard_normal(shape).astype(np.float32).tofile(path)
        inputs.append(path)
    outputs, reports = {}, []
    for target in ("host", "npu"):
        keep = os.path.join(work, name, target)
        report = os.path.join(work, name, "report.jsonl")
        env = dict(os.environ, EDGEC_NPU_REPORT=report)
        cmd = [args.edgec, "run", model, "--target", target, "--quantize", "int8", "--calibration", calib,
               "--name", "model", "--keep", keep, "--input", inputs[0]] + flags
        if config_path:
            env["EDGEC_NPU_CONFIG"] = config_path
            if target == "npu":
                cmd += ["--npu-config", config_path]
        run(cmd, env=env)
        outs = []
        for k, inp in enumerate(inputs):
            if os.path.exists(report):
                os.remove(report)
            out = os.path.join(keep, f"out_{k}.bin")
            run([os.path.join(keep, "harness"), inp, out], env=env)
            outs.append(open(out, "rb").read())
            if target == "npu":
                reports = [json.loads(line) for line in open(report)]
        outputs[target] = outs
    macs = sum(r["macs"] for r in reports)
    cycles = sum(r["cycles"] for r in reports)
    layers = [l for r in reports for l in r["layers"]]
    for l in layers:
        if l["utilisation"] < 0.7:
            l["reason"] = layer_reason(l, config)
    return {"model": name, "submissions": len(reports), "npu_layers": len(layers), "macs": macs, "cycles": cycles,
            "utilisation": macs / (config["mac_rows"] * config["mac_cols"]) / cycles if cycles else 0.0,
            "stall_cycles": sum(r["stall_cycles"] for r in reports),
            "dma_bytes": sum(r["dma_bytes"] for r in reports),
            "sram_peak": max((r["sram_peak"] for r in reports), default=0),
            "identical_to_cpu": all(a == b for a, b in zip(outputs["host"], outputs["npu"])),
            "inputs": count, "layers": layers}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--zoo", default=os.path.join(os.path.expanduser("~"), ".cache", "edgec", "zoo"))
    p.add_argument("--models", default="", help="comma-separated subset")
    p.add_argument("--inputs", type=int, default=3, help="random inputs compared per model")
    p.add_argument("--config", default="", help="NPU configuration file (default: built in)")
    p.add_argument("--update", action="store_true", help="write bench/results-npu.json and docs/results/npu-bench.md")
    p.add_argument("--check", action="store_true", help="fail on differing outputs or low utilisation")
    p.add_argument("--min-utilisation", type=float, default=0.85)
    p.add_argument("--sensitivity", action="store_true",
                   help="also run the conv-heavy models with one parameter changed at a time")
    args = p.parse_args()
    only = set(filter(None, args.models.split(",")))
    models = [m for m in MODELS if not only or m[0] in only]
    if not models:
        sys.exit(f"no model named {args.models}; known: {', '.join(m[0] for m in MODELS)}")
    missing = [m[0] for m in models if m[1].startswith("zoo/") and
               not os.path.exists(os.path.join(args.zoo, os.path.basename(m[1])))]
    if missing:
        print(f"generating {', '.join(missing)} into {args.zoo} ...", flush=True)
        run(["/usr/bin/python3", os.path.join(HERE, "make_zoo.py"), "--out", args.zoo, "--only", ",".join(missing)])

    config_text = run([args.edgec, "npu-config"] + ([args.config] if args.config else []))
    config = {k.strip(): int(v) for k, v in (line.split("=") for line in config_text.splitlines() if "=" in line)}
    results, failures, sensitivity = [], [], []
    work = tempfile.mkdtemp(prefix="edgec-npu-")
    try:
        for name, rel, flags, what in models:
            print(f"{name}: compiling for host and npu, running {args.inputs} inputs ...", flush=True)
            row = measure(args, work, name, rel, flags, args.config, args.inputs, config)
            row["what"] = what
            results.append(row)
            print(f"  {row['submissions']} submission(s), {row['npu_layers']} NPU layers, {row['macs']:,} MACs in "
                  f"{row['cycles']:,} cycles: utilisation {row['utilisation']:.1%}; outputs "
                  f"{'identical to' if row['identical_to_cpu'] else 'DIFFER from'} the CPU int8 path on "
                  f"{args.inputs} inputs", flush=True)
            if not row["identical_to_cpu"]:
                failures.append(f"{name}: NPU outputs differ from the CPU int8 path")
            if name in CONV_HEAVY and row["utilisation"] < args.min_utilisation:
                failures.append(f"{name}: utilisation {row['utilisation']:.1%} < {args.min_utilisation:.0%}")
        # The same conv-heavy models on accelerators with one parameter
        # changed: how much each default matters.
        for key, value in (SENSITIVITY if args.sensitivity else []):
            path = os.path.join(work, f"{key}.cfg")
            base = open(args.config).read() if args.config else ""
            with open(path, "w") as f:
                f.write(base + f"\n{key} = {value}\n")
            variant = dict(config, **{key: value})
            for name, rel, flags, what in models:
                if name not in CONV_HEAVY:
                    continue
                print(f"{name} with {key} = {value} ...", flush=True)
                row = measure(args, work, f"{name}-{key}", rel, flags, path, 1, variant)
                sensitivity.append({"model": name, "key": key, "value": value, "utilisation": row["utilisation"],
                                    "cycles": row["cycles"]})
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.update:
        with open(os.path.join(ROOT, "bench", "results-npu.json"), "w") as f:
            json.dump({"config": config, "models": results, "sensitivity": sensitivity}, f, indent=1)
            f.write("\n")
        write_doc(results, config, sensitivity)
    for f in failures:
        print("FAIL:", f)
    if args.check and failures:
        sys.exit(1)


def write_doc(results, config, sensitivity):
    lines = ["# NPU: MAC utilisation on real models", "",
             "Generated by `/usr/bin/python3 bench/npu.py --update`; do not edit. The accelerator is",
             "[docs/design/npu.md](../design/npu.md)'s, at its default parameters:", "",
             "```", *[f"{k} = {v}" for k, v in config.items()], "```", "",
             "Each model is quantised to int8 (calibration on random inputs, fixed seed) and compiled for `npu`; "
             "the cycle-counting simulator runs it. Utilisation = useful MAC cycles (multiply-adds / "
             f"{config['mac_rows'] * config['mac_cols']}) / all cycles from the first command to the last, stalls "
             "and the pooling and elementwise units' time included. \"Identical\" compares the outputs with the "
             "same model compiled for the CPU (`host`, int8 kernels) on random inputs, byte for byte.", "",
             "| model | NPU submissions | NPU layers | MACs | cycles | utilisation | stall cycles | DMA bytes "
             "| SRAM peak | identical |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['model']} | {r['submissions']} | {r['npu_layers']} | {r['macs']:,} | {r['cycles']:,} "
                     f"| {r['utilisation']:.1%} | {r['stall_cycles']:,} | {r['dma_bytes']:,} | {r['sram_peak']:,} "
                     f"| {'yes' if r['identical_to_cpu'] else 'NO'} ({r['inputs']} inputs) |")
    lines += ["", "What each model shows:", ""]
    for r in results:
        goal = ""
        if r["model"] in CONV_HEAVY:
            goal = " Conv-heavy: the goal is 85%, checked by `--check` (ctest `npu-models`)."
        lines.append(f"- **{r['model']}**: {r['what']}.{goal}")
    if sensitivity:
        models = sorted({s["model"] for s in sensitivity}, key=[r["model"] for r in results].index)
        base = {r["model"]: r["utilisation"] for r in results}
        lines += ["", "## Sensitivity", "",
                  "The conv-heavy models' utilisation with one parameter changed from its default "
                  "(`bench/npu.py --update --sensitivity`).", "",
                  "| parameter | " + " | ".join(models) + " |", "|---|" + "---|" * len(models),
                  "| defaults | " + " | ".join(f"{base[m]:.1%}" for m in models) + " |"]
        for key, value in SENSITIVITY:
            cells = [next((f"{s['utilisation']:.1%}" for s in sensitivity if s["model"] == m and s["key"] == key),
                          "") for m in models]
            lines.append(f"| `{key} = {value}` (default {config[key]}) | " + " | ".join(cells) + " |")
    lines += ["", "## Layers below 70%", "",
              "Every NPU layer whose useful MAC cycles are under 70% of its cycles (busy plus stalled), with "
              "the dominant reason, derived from its shape and the array's geometry.", ""]
    for r in results:
        low = [l for l in r["layers"] if l["utilisation"] < 0.7]
        if not low:
            continue
        share = sum(l["compute_cycles"] + l["stall_cycles"] for l in low) / max(r["cycles"], 1)
        lines += [f"### {r['model']} ({len(low)} of {r['npu_layers']} layers, {share:.1%} of its cycles)", "",
                  "| layer | MACs | cycles | utilisation | reason |", "|---|---|---|---|---|"]
        for l in low:
            lines.append(f"| `{l['name']}` | {l['macs']:,} | {l['compute_cycles'] + l['stall_cycles']:,} "
                         f"| {l['utilisation']:.0%} | {l['reason']} |")
        lines.append("")
    with open(os.path.join(ROOT, "docs", "results", "npu-bench.md"), "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


if __name__ == "__main__":
    main()
