#!/usr/bin/env python3
"""Quantisation accuracy of the Fashion-MNIST CNN, as the compiled artifacts run it.

    /usr/bin/python3 bench/fashion_mnist/accuracy.py [--count 10000] [--update]

Compiles bench/fashion_mnist/fashion_cnn.onnx for the host as FP32, INT8 with
per-tensor weights and INT8 with per-channel weights (calibrated on 500
training images, fixed seed), INT4 weights (groups of 32 and 128), and a
pre-quantised QDQ version of it (make_qdq.py); runs each artifact over the
first COUNT test images, and also runs ONNX Runtime on the FP32 and QDQ models. Prints top-1 accuracy,
weight bytes, flash (code + read-only data), peak arena and latency against
FP32 from the same run. --update writes bench/results-quant.json and
docs/results/quantization-accuracy.md; --check fails (exit 1) when the INT8
per-channel model loses more than --max-drop points against FP32, the
INT4-weight model (group 128) more than --max-drop-int4, edgec's FP32
accuracy differs from ONNX Runtime's by more than 0.2 points, or edgec's
predictions on the pre-quantised (QDQ) model agree with ONNX Runtime's
reference run of it on fewer than 99% of images, or the QDQ model compiled
for the NPU (--target npu, run by the simulator) gives logits that differ
from the host int8 kernels' at all (CI runs this on 500 images).
With --mcu, --check also fails when an INT8 variant's logits on the device
differ from the host's at all: its kernels are integer arithmetic, the same
on every target (CI runs this on cortex-m4 and cortex-a76).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import dataset  # noqa: E402

MODEL = os.path.join(HERE, "fashion_cnn.onnx")
VARIANTS = [  # name, edgec flags
    ("FP32", []),
    ("INT8 per-tensor", ["--quantize", "int8-per-tensor"]),
    ("INT8 per-channel", ["--quantize", "int8"]),
    ("INT4 weights g32", ["--quantize", "int4-weights", "--group-size", "32"]),
    ("INT4 weights g128", ["--quantize", "int4-weights", "--group-size", "128"]),
]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def multiply_adds(model_path):
    """Multiply-adds per inference of the model's Conv and Gemm nodes."""
    import onnx
    from onnx import shape_inference
    graph = shape_inference.infer_shapes(onnx.load(model_path)).graph
    dims = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in list(graph.value_info) + list(graph.output) + list(graph.input)}
    dims.update({t.name: list(t.dims) for t in graph.initializer})
    total = 0
    for node in graph.node:
        if node.op_type in ("Conv", "Gemm"):
            weight, out = dims[node.input[1]], dims[node.output[0]]
            # Conv: each output element sums Cin/group x kernel; Gemm: K.
            total = total + int(np.prod(out)) * int(np.prod(weight[1:]))
    return total


def isa_peak(work):
    """This CPU's peak GMAC/s for FMA, pmaddwd and pmaddubsw (bench/isa_peak.c)."""
    exe = os.path.join(work, "isa_peak")
    run(["cc", "-O2", "-mavx2", "-mfma", os.path.join(ROOT, "bench", "isa_peak.c"), "-o", exe])
    return json.loads(run([exe]))


def latency_ns(exe, images, count, logits_path):
    """Mean ns per image of the fastest of five passes over the images (a
    pass is short; the fastest is the one a busy machine disturbed least)."""
    return min(float(run([exe, images, str(count), logits_path]).strip()) for _ in range(5))


def on_npu(args, qdq_model, work, images, test_y, host_logits, ort_ref_logits):
    """The pre-quantised model compiled for --target npu and run by the NPU
    simulator (linked into eval.c as the device): accuracy, agreement with
    ONNX Runtime's reference, the largest logit difference from the host's
    int8 kernels (must be 0), and the simulator's cycles for one image."""
    art = os.path.join(work, "qdq_npu")
    run([args.edgec, "compile", qdq_model, "--target", "npu", "--name", "fashion", "-o", art])
    # One pass over the images: the simulator's report then has one line per
    # submission of each inference.
    run(["cc", "-O2", "-c", "-include", os.path.join(art, "fashion.h"), "-DRUN=fashion_run_packed",
         "-DARENA_BYTES=FASHION_ARENA_BYTES", "-DPASSES=1", os.path.join(HERE, "eval.c"), "-o",
         os.path.join(art, "eval.o")])
    sim = [os.path.join(ROOT, "targets", "npu", f) for f in
           ("NpuConfig.cpp", "NpuCost.cpp", "sim/Simulator.cpp", "sim/HostDevice.cpp")]
    exe = os.path.join(art, "eval")
    run(["c++", "-O2", "-std=c++17", "-ffp-contract=off", "-I", ROOT, os.path.join(art, "eval.o"),
         os.path.join(art, "libfashion.a")] + sim + ["-o", exe])
    logits_path = os.path.join(art, "logits.bin")
    run([exe, images, str(args.count), logits_path])
    acc, logits = accuracy(logits_path, test_y)
    report = os.path.join(art, "report.jsonl")
    one = os.path.join(art, "one.bin")
    with open(images, "rb") as f:
        open(one, "wb").write(f.read(784 * 4))
    run([exe, one, "1", os.path.join(art, "one_logits.bin")], env=dict(os.environ, EDGEC_NPU_REPORT=report))
    subs = [json.loads(line) for line in open(report)]
    macs, cycles = sum(s["macs"] for s in subs), sum(s["cycles"] for s in subs)
    return {"accuracy": acc, "submissions": len(subs), "macs": macs, "cycles": cycles,
            "utilisation": macs / 256 / cycles if cycles else 0.0,
            "max_abs_diff_vs_host": float(np.abs(logits - host_logits).max()),
            "prediction_agreement_vs_ort_reference": float((logits.argmax(1) == ort_ref_logits.argmax(1)).mean())}


def accuracy(logits_path, labels):
    logits = np.fromfile(logits_path, dtype=np.float32).reshape(len(labels), 10)
    return float((logits.argmax(1) == labels).mean()), logits


def on_mcu(args, model, flags, work, name, test_x, test_y):
    """Accuracy of the variant run on the emulated device over the first
    --mcu-count images (the harness's BATCH mode: one firmware run reads
    in<k>.bin and writes out<k>.bin), and its flash, RAM and instructions
    per inference (bench/targets.py's method)."""
    sys.path.insert(0, os.path.dirname(HERE))
    import targets  # noqa: E402  (bench/targets.py)
    count = min(args.mcu_count, len(test_x))
    keep = os.path.join(work, "mcu-" + name.replace(" ", "_"))
    os.makedirs(keep)
    for k in range(count):
        test_x[k].tofile(os.path.join(keep, f"in{k}.bin"))
    first = os.path.join(work, "mcu-first.bin")
    test_x[0].tofile(first)
    print(f"running {name} on {args.mcu} over {count} images ...", file=sys.stderr, flush=True)
    run([args.edgec, "run", model, "--target", args.mcu, "--name", "fashion", "--keep", keep, "--input", first,
         f"--harness-define=BATCH={count}", "--timeout", "7200"] + flags)
    logits = np.concatenate([np.fromfile(os.path.join(keep, f"out{k}.bin"), dtype=np.float32)
                             for k in range(count)]).reshape(count, 10)
    plugin = targets.build_plugin(work) if not os.path.exists(os.path.join(work, "libinsn_count.so")) \
        else os.path.join(work, "libinsn_count.so")
    m = targets.measure(args.edgec, plugin, args.mcu, model, flags, work, "fashion-" + name.replace(" ", "_"))
    return {"target": args.mcu, "count": count, "accuracy": float((logits.argmax(1) == test_y[:count]).mean()),
            "instructions": m["instructions"], "code_bytes": m["code"], "weight_bytes": m["weights"],
            "arena_bytes": m["arena"], "stack_bytes": m["stack"]}, logits


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=10000, help="test images (first COUNT of 10,000)")
    p.add_argument("--calibration-count", type=int, default=500)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--observer", default="minmax")
    p.add_argument("--mcu", default="", help="also run every edgec variant on this target (e.g. cortex-m4) "
                   "under its emulator: accuracy on --mcu-count images, instructions per inference")
    p.add_argument("--mcu-count", type=int, default=10000)
    p.add_argument("--update", action="store_true", help="write the JSON and the docs table")
    p.add_argument("--check", action="store_true", help="fail on the accuracy thresholds")
    p.add_argument("--max-drop", type=float, default=1.0, help="allowed INT8 per-channel loss, points")
    p.add_argument("--max-drop-int4", type=float, default=1.5, help="allowed INT4 (group 128) loss, points")
    args = p.parse_args()
    ort_dir = os.environ.get("EDGEC_ORT_DIR", os.path.expanduser("~/.cache/edgec/ort"))

    work = tempfile.mkdtemp(prefix="edgec-fashion-")
    try:
        train_x, _ = dataset.load("train")
        rng = np.random.default_rng(0)
        calib = os.path.join(work, "calibration")
        os.makedirs(calib)
        np.save(os.path.join(calib, "train.npy"),
                train_x[rng.choice(len(train_x), args.calibration_count, replace=False)])
        test_x, test_y = dataset.load("t10k")
        test_x, test_y = test_x[:args.count], test_y[:args.count]
        images = os.path.join(work, "images.bin")
        test_x.tofile(images)

        rows = []
        for name, flags in VARIANTS:
            art = os.path.join(work, name.replace(" ", "_"))
            cmd = [args.edgec, "compile", MODEL, "--target", "host", "--name", "fashion", "-o", art] + flags
            if flags and flags[1].startswith("int8"):
                cmd += ["--calibration", calib, "--observer", args.observer]
            run(cmd)
            exe = os.path.join(art, "eval")
            run(["cc", "-O2", "-include", os.path.join(art, "fashion.h"), "-DRUN=fashion_run_packed",
                 "-DARENA_BYTES=FASHION_ARENA_BYTES", os.path.join(HERE, "eval.c"),
                 os.path.join(art, "libfashion.a"), "-o", exe])
            logits_path = os.path.join(art, "logits.bin")
            ns = latency_ns(exe, images, args.count, logits_path)
            acc, _ = accuracy(logits_path, test_y)
            sizes = json.load(open(os.path.join(art, "manifest.json")))["sizes"]
            rows.append({"variant": name, "runner": "edgec (host)", "accuracy": acc,
                         "weight_bytes": sizes["weights"], "flash_bytes": sizes["text"] + sizes["rodata"],
                         "arena_bytes": sizes["arena"], "ns_per_inference": ns})
            if args.mcu:
                mcu, mcu_logits = on_mcu(args, MODEL, flags + (["--calibration", calib, "--observer", args.observer]
                                                               if flags and flags[1].startswith("int8") else []),
                                         work, name, test_x, test_y)
                # The same images on the host: int8 kernels must agree exactly.
                host_logits = np.fromfile(logits_path, dtype=np.float32).reshape(-1, 10)[:mcu["count"]]
                mcu["max_abs_diff_vs_host"] = float(np.abs(mcu_logits - host_logits).max())
                mcu["prediction_agreement_vs_host"] = float((mcu_logits.argmax(1) == host_logits.argmax(1)).mean())
                rows[-1]["mcu"] = mcu
        def ort(model, name, *extra):
            path = os.path.join(work, name)
            run(["node", os.path.join(HERE, "ort_eval.js"), model, images, str(args.count), path, *extra],
                env=dict(os.environ, EDGEC_ORT_DIR=ort_dir))
            return accuracy(path, test_y)

        ort_acc, _ = ort(MODEL, "ort.bin")
        # A pre-quantised (QDQ) model, as ONNX Runtime's quantiser writes one:
        # edgec imports it into the same int8 kernels; ORT runs it too.
        qdq_model = os.path.join(work, "fashion_qdq.onnx")
        run(["/usr/bin/python3", os.path.join(HERE, "make_qdq.py"), qdq_model,
             "--calibration-count", str(args.calibration_count)])
        art = os.path.join(work, "qdq")
        run([args.edgec, "compile", qdq_model, "--target", "host", "--name", "fashion", "-o", art])
        exe = os.path.join(art, "eval")
        run(["cc", "-O2", "-include", os.path.join(art, "fashion.h"), "-DRUN=fashion_run_packed",
             "-DARENA_BYTES=FASHION_ARENA_BYTES", os.path.join(HERE, "eval.c"),
             os.path.join(art, "libfashion.a"), "-o", exe])
        ns = latency_ns(exe, images, args.count, os.path.join(art, "logits.bin"))
        qdq_acc, qdq_logits = accuracy(os.path.join(art, "logits.bin"), test_y)
        sizes = json.load(open(os.path.join(art, "manifest.json")))["sizes"]
        rows.append({"variant": "INT8 QDQ import", "runner": "edgec (host)", "accuracy": qdq_acc,
                     "weight_bytes": sizes["weights"], "flash_bytes": sizes["text"] + sizes["rodata"],
                     "arena_bytes": sizes["arena"], "ns_per_inference": ns})
        # ORT's fused int8 kernels (what it deploys), and the QDQ graph as
        # its ops define it (graph optimisations off): the reference.
        ort_qdq_acc, _ = ort(qdq_model, "ort_qdq.bin")
        ort_ref_acc, ort_ref_logits = ort(qdq_model, "ort_qdq_ref.bin", "disabled")
        agreement = float((qdq_logits.argmax(1) == ort_ref_logits.argmax(1)).mean())
        npu = on_npu(args, qdq_model, work, images, test_y, qdq_logits, ort_ref_logits)
        peak = isa_peak(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    macs = multiply_adds(MODEL)
    fp32 = rows[0]
    for r in rows:
        r["accuracy_drop_points"] = round(100 * (fp32["accuracy"] - r["accuracy"]), 2)
        r["weights_smaller"] = round(fp32["weight_bytes"] / r["weight_bytes"], 2)
        r["speedup_vs_fp32"] = round(fp32["ns_per_inference"] / r["ns_per_inference"], 2)
        r["gmac_per_s"] = round(macs / r["ns_per_inference"], 2)
    header = (f"{'variant':18} {'top-1':>7} {'drop':>6} {'weights B':>10} {'smaller':>8} {'flash B':>8} "
              f"{'arena B':>8} {'us/inf':>7} {'vs FP32':>7}")
    print(f"Fashion-MNIST, {args.count} test images, calibration {args.calibration_count} training images "
          f"({args.observer})")
    print(header)
    for r in rows:
        print(f"{r['variant']:18} {100 * r['accuracy']:6.2f}% {r['accuracy_drop_points']:6.2f} "
              f"{r['weight_bytes']:10} {r['weights_smaller']:7.2f}x {r['flash_bytes']:8} {r['arena_bytes']:8} "
              f"{r['ns_per_inference'] / 1000:7.2f} {r['speedup_vs_fp32']:6.2f}x")
    if args.mcu:
        print(f"\non {args.mcu} (emulated):")
        print(f"{'variant':18} {'top-1':>7} {'images':>7} {'instructions':>13} {'vs FP32':>7} {'code B':>7} "
              f"{'weights B':>9} {'arena B':>8} {'stack B':>7} {'max|diff| vs host':>17}")
        base = rows[0]["mcu"]["instructions"]
        for r in rows:
            if "mcu" not in r:
                continue
            m = r["mcu"]
            m["instructions_vs_fp32"] = round(m["instructions"] / base, 3)
            print(f"{r['variant']:18} {100 * m['accuracy']:6.2f}% {m['count']:7} {m['instructions']:13,} "
                  f"{m['instructions_vs_fp32']:6.2f}x {m['code_bytes']:7} {m['weight_bytes']:9} "
                  f"{m['arena_bytes']:8} {m['stack_bytes']:7} {m['max_abs_diff_vs_host']:17.3g}")
    print(f"{'ORT FP32':18} {100 * ort_acc:6.2f}%")
    print(f"{'ORT INT8 QDQ':18} {100 * ort_qdq_acc:6.2f}%   (ORT's fused int8 kernels)")
    print(f"{'ORT INT8 QDQ ref':18} {100 * ort_ref_acc:6.2f}%   (graph optimisations off: the QDQ ops as defined; "
          f"edgec agrees on {100 * agreement:.2f}% of predictions)")
    print(f"{'NPU INT8 QDQ':18} {100 * npu['accuracy']:6.2f}%   (simulated NPU: logits differ from the host "
          f"int8 kernels' by {npu['max_abs_diff_vs_host']:.3g}; predictions agree with ONNX Runtime's reference "
          f"on {100 * npu['prediction_agreement_vs_ort_reference']:.2f}%; {npu['cycles']:,} cycles per image, "
          f"MAC utilisation {npu['utilisation']:.1%})")
    int8 = next(r for r in rows if r["variant"] == "INT8 per-channel")
    print(f"\n{macs:,} multiply-adds per inference; FP32 runs {fp32['gmac_per_s']} GMAC/s, INT8 per-channel "
          f"{int8['gmac_per_s']} GMAC/s. This CPU's peaks (bench/isa_peak.c): FMA {peak['fma']}, pmaddwd "
          f"{peak['pmaddwd']}, pmaddubsw {peak['pmaddubsw']} GMAC/s")

    if args.update:
        result = {"count": args.count, "calibration_count": args.calibration_count, "observer": args.observer,
                  "rows": rows, "onnxruntime_fp32_accuracy": ort_acc,
                  "onnxruntime_qdq_accuracy": ort_qdq_acc, "onnxruntime_qdq_reference_accuracy": ort_ref_acc,
                  "qdq_prediction_agreement_with_reference": agreement,
                  "multiply_adds_per_inference": macs, "isa_peak_gmac_per_s": peak, "npu": npu}
        with open(os.path.join(ROOT, "bench", "results-quant.json"), "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        lines = ["# Quantisation accuracy: Fashion-MNIST CNN", "",
                 "Generated by `/usr/bin/python3 bench/fashion_mnist/accuracy.py --update`; do not edit.",
                 f"Top-1 accuracy on the first {args.count} Fashion-MNIST test images, as the compiled host "
                 f"artifact computes it; calibration on {args.calibration_count} training images "
                 f"(`--observer {args.observer}`). Latency is the mean per inference on this machine "
                 "(fastest of five passes over the images), against FP32 in the same run.", "",
                 "| variant | top-1 | drop (points) | weight bytes | smaller | flash bytes | arena bytes "
                 "| µs / inference | vs FP32 |", "|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['variant']} | {100 * r['accuracy']:.2f}% | {r['accuracy_drop_points']:.2f} | "
                         f"{r['weight_bytes']} | {r['weights_smaller']:.2f}x | {r['flash_bytes']} | "
                         f"{r['arena_bytes']} | {r['ns_per_inference'] / 1000:.2f} | {r['speedup_vs_fp32']:.2f}x |")
        lines.append(f"| ONNX Runtime FP32 | {100 * ort_acc:.2f}% | | | | | | | |")
        lines.append(f"| ONNX Runtime INT8 QDQ, its int8 kernels | {100 * ort_qdq_acc:.2f}% | | | | | | | |")
        lines.append(f"| ONNX Runtime INT8 QDQ, as defined (optimisations off) | {100 * ort_ref_acc:.2f}% "
                     "| | | | | | | |")
        lines += ["", "INT8 QDQ import: the same CNN pre-quantised by `bench/fashion_mnist/make_qdq.py` "
                  "(QuantizeLinear/DequantizeLinear pairs as ONNX Runtime's quantiser writes them), compiled "
                  "without `--quantize`. edgec agrees with ONNX Runtime running the QDQ ops as defined "
                  f"(graph optimisations off) on {100 * agreement:.2f}% of top-1 predictions. ONNX Runtime's "
                  "own fused int8 kernels score lower on this machine: its documentation notes that its x86 "
                  "u8 x s8 kernels (VPMADDUBSW) can saturate, and suggests `reduce_range` or U8U8 then.",
                  "", f"On edgec's NPU (`--target npu`, [npu.md](../design/npu.md); the cycle-counting simulator "
                  f"linked as the device) the QDQ model scores {100 * npu['accuracy']:.2f}%: its logits "
                  f"differ from the host int8 kernels' by {npu['max_abs_diff_vs_host']:.3g} at most, and its "
                  "predictions agree with ONNX Runtime's reference on "
                  f"{100 * npu['prediction_agreement_vs_ort_reference']:.2f}% of images. It runs as "
                  f"{npu['submissions']} NPU submissions (the flatten between the pools and the classifier "
                  f"stays on the CPU): {npu['cycles']:,} NPU cycles per image for {npu['macs']:,} multiply-adds "
                  f"({npu['utilisation']:.1%} of the MAC array; a 28x28 image is small for a 256-MAC array).",
                  "", "## What this CPU allows", "",
                  f"The CNN does {macs:,} multiply-adds per inference: FP32 runs them at "
                  f"{fp32['gmac_per_s']} GMAC/s, INT8 per-channel at {int8['gmac_per_s']} GMAC/s. The peak "
                  "throughput of the instructions they use, measured in the same run by `bench/isa_peak.c` "
                  "(ten independent accumulators, no loads: no kernel can exceed it):", "",
                  "| instruction | multiply-adds each | exact | peak GMAC/s | vs FMA |", "|---|---|---|---|---|",
                  f"| `vfmadd231ps` (FP32 kernels) | 8 | float | {peak['fma']} | 1.00x |",
                  f"| `vpmaddwd` + `vpaddd` (edgec's int8 kernels) | 16 | yes | {peak['pmaddwd']} | "
                  f"{peak['pmaddwd'] / peak['fma']:.2f}x |",
                  f"| `vpmaddubsw` + `vpmaddwd` + `vpaddd` | 32 | saturates unless one operand has 7 bits | "
                  f"{peak['pmaddubsw']} | {peak['pmaddubsw'] / peak['fma']:.2f}x |", "",
                  f"AVX2's exact int8 instruction peaks at {peak['pmaddwd'] / peak['fma']:.2f}x FMA's here, so "
                  "int8 wins on the host only by moving fewer bytes. An INT8 latency 2.5x below FP32's (the "
                  "goal of issue #6) would need int8 kernels to run at 2.5x FP32's achieved rate, "
                  f"{2.5 * fp32['gmac_per_s']:.1f} GMAC/s, which is "
                  f"{2.5 * fp32['gmac_per_s'] / peak['pmaddwd']:.0%} of `vpmaddwd`'s peak and "
                  f"{2.5 * fp32['gmac_per_s'] / peak['pmaddubsw']:.0%} of the saturating `vpmaddubsw`'s. "
                  "CPUs with VNNI (`vpdpbusd`) or Arm's `sdot` do 4-way int8 dot products without "
                  "saturation; see [kernels.md](../design/kernels.md)."]
        mcu_rows = [r for r in rows if "mcu" in r]
        if mcu_rows:
            m0 = mcu_rows[0]["mcu"]
            lines += ["", f"## On {m0['target']} (emulated)", "",
                      f"The same artifacts compiled for {m0['target']}, run under its emulator on the first "
                      f"{m0['count']} test images (one firmware run, the harness's BATCH mode). Instructions "
                      "per inference are counted by a qemu plugin (bench/targets.py's method); RAM is arena "
                      "plus the deepest stack the model touched. The last column compares the device's "
                      "logits with the host artifact's on the same images: the INT8 kernels are integer "
                      "arithmetic and agree exactly; float kernels may differ in rounding (FMA).", "",
                      "| variant | top-1 | instructions / inference | vs FP32 | code bytes | weight bytes "
                      "| arena bytes | stack bytes | max \\|logit difference\\| vs host |",
                      "|---|---|---|---|---|---|---|---|---|"]
            for r in mcu_rows:
                m = r["mcu"]
                lines.append(f"| {r['variant']} | {100 * m['accuracy']:.2f}% | {m['instructions']:,} | "
                             f"{m['instructions_vs_fp32']:.2f}x | {m['code_bytes']} | {m['weight_bytes']} | "
                             f"{m['arena_bytes']} | {m['stack_bytes']} | {m['max_abs_diff_vs_host']:.3g} |")
        with open(os.path.join(ROOT, "docs", "results", "quantization-accuracy.md"), "w") as f:
            f.write("\n".join(lines) + "\n")

    if args.check:
        failures = []
        if abs(fp32["accuracy"] - ort_acc) > 0.002:
            failures.append(f"FP32 accuracy {fp32['accuracy']:.4f} differs from ONNX Runtime's {ort_acc:.4f}")
        if agreement < 0.99:
            failures.append(f"edgec agrees with ONNX Runtime's QDQ reference on only {100 * agreement:.2f}% "
                            "of predictions")
        by_name = {r["variant"]: r for r in rows}
        if by_name["INT8 per-channel"]["accuracy_drop_points"] > args.max_drop:
            failures.append(f"INT8 per-channel loses {by_name['INT8 per-channel']['accuracy_drop_points']} points "
                            f"(> {args.max_drop})")
        if by_name["INT4 weights g128"]["accuracy_drop_points"] > args.max_drop_int4:
            failures.append(f"INT4 weights lose {by_name['INT4 weights g128']['accuracy_drop_points']} points "
                            f"(> {args.max_drop_int4})")
        if npu["max_abs_diff_vs_host"] != 0:
            failures.append(f"the NPU's logits differ from the host int8 kernels' by up to "
                            f"{npu['max_abs_diff_vs_host']:.3g} (the NPU must compute the same bytes)")
        for r in rows:
            m = r.get("mcu")
            if m and r["variant"].startswith("INT8") and m["max_abs_diff_vs_host"] != 0:
                failures.append(f"{r['variant']} on {m['target']}: logits differ from the host's by up to "
                                f"{m['max_abs_diff_vs_host']:.3g} (integer kernels must agree exactly)")
        for f in failures:
            print("FAIL:", f)
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
