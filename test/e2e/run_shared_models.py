"""The four models in ../shared/models, compiled by edgec and compared with
ONNX Runtime on seeded random inputs (run_model.py). On the host once with
a plain harness and once with an ASan/UBSan harness; with --targets a,b,c
on each of those targets instead, run under its emulator. Prints one line
per run and a closing 'N passed, N failed' line; exits 1 on any failure.
Missing models or ONNX Runtime are reported as skipped."""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "models"))
CASES = [
    ("hey_mycroft_v0.1.onnx", []),
    ("embedding_model.onnx", ["--dim", "unk__314=1"]),
    ("melspectrogram.onnx", ["--input-shape", "input=1x1760"]),
    ("silero_vad_legacy.onnx", ["--dim", "batch=1", "--dim", "sequence=512", "--input-value", "sr=16000"]),
    ("silero_vad_legacy.onnx", ["--dim", "batch=1", "--dim", "sequence=256", "--input-value", "sr=8000"]),
]

parser = argparse.ArgumentParser()
parser.add_argument("--targets", default="host")
parser.add_argument("--edgec", default=os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec"))
cli = parser.parse_args()
targets = cli.targets.split(",")
runs = [(t, False) for t in targets] + ([("host", True)] if "host" in targets else [])

passed = failed = skipped = 0
ort = os.environ.get("EDGEC_ORT_DIR", "")
for model, flags in CASES:
    path = os.path.join(MODELS, model)
    if not os.path.exists(path) or not os.path.isdir(os.path.join(ort, "node_modules", "onnxruntime-node")):
        print(f"SKIP {model}: {'no model' if not os.path.exists(path) else 'no ONNX Runtime (EDGEC_ORT_DIR)'}")
        skipped += 1
        continue
    for target, sanitize in runs:
        label = f"{model} {' '.join(flags)} on {target}{' [asan+ubsan]' if sanitize else ''}"
        with tempfile.TemporaryDirectory(prefix="edgec-e2e-") as work:
            cmd = [sys.executable, os.path.join(HERE, "run_model.py"), "--work", work, "--target", target,
                   "--edgec", cli.edgec]
            cmd += (["--sanitize"] if sanitize else []) + [path, "--"] + flags
            r = subprocess.run(cmd, capture_output=True, text=True)
        ok = r.returncode == 0
        passed += ok
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {label}")
        for line in (r.stdout + (r.stderr if not ok else "")).strip().splitlines()[-6:]:
            print("    " + line)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
