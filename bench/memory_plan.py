"""Arena figures of the shared models on the host: peak (edgec's plan), the
naive sum (every buffer its own bytes) and the lower bound (most bytes alive
at once), with TFLite Micro's arena for the same model as measured on
Cortex-M4 (../shared/DESIGN.md) for scale. Prints a markdown table.

  bench/memory_plan.py [--edgec BIN]
"""
import argparse
import math
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "models"))
CASES = [
    ("hey_mycroft_v0.1", [], 14896),
    ("embedding_model", ["--dim", "unk__314=1"], 681392),
    ("melspectrogram", ["--input-shape", "input=1x1760"], 71040),
    ("silero_vad_legacy", ["--dim", "batch=1", "--dim", "sequence=512", "--input-value", "sr=16000"], None),
]

p = argparse.ArgumentParser()
p.add_argument("--edgec", default=os.path.join(HERE, "..", "build", "tools", "edgec", "edgec"))
args = p.parse_args()
print("| model | arena (edgec) | naive sum | lower bound | peak / lower bound | arena + I/O | TFLM arena | (arena + I/O) / TFLM |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
with tempfile.TemporaryDirectory() as work:
    for name, flags, tflm in CASES:
        out = os.path.join(work, name)
        subprocess.run([args.edgec, "compile", os.path.join(MODELS, name + ".onnx"), "-o", out] + flags,
                       check=True, stdout=subprocess.DEVNULL)
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        s = manifest["sizes"]
        # TFLM's arena also holds the input and output tensors; edgec's
        # caller owns those, so add them for a like-for-like figure.
        io = sum(4 * math.prod(t["shape"]) for t in manifest["inputs"] + manifest["outputs"])
        total = s["arena"] + io
        ratio = f"{total / tflm:.2f}" if tflm else "-"
        print(f"| {name} | {s['arena']:,} B | {s['arena_naive']:,} B | {s['arena_lower_bound']:,} B | "
              f"{s['arena'] / max(1, s['arena_lower_bound']):.2f} | {total:,} B | "
              f"{f'{tflm:,} B' if tflm else '-'} | {ratio} |")
