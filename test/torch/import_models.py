"""PyTorch models imported straight from nn.Module (compiler/torch), compiled
by edgec and run on random inputs, against PyTorch's eager outputs; and the
same modules exported to ONNX and compiled from there, against the first.

  import_models.py [--edgec BIN] [--targets host,cortex-m4,cortex-a53] [--models a,b]
                   [--work DIR] [--onnx]

With --onnx, the small float-input models are also quantised to int8 by
edgec (--quantize int8, the same calibration samples) from both imports:
their outputs must be byte-identical.

Models: torchvision resnet18, mobilenet_v2, mobilenet_v3_small,
shufflenet_v2_x0_5, squeezenet1_1 at 224x224 and the MLPerf-Tiny-shaped
models of bench/make_zoo.py, with random weights and random (not
degenerate) batch-norm statistics; two small sequence models (embedding,
stacked and bidirectional LSTMs, LayerNorm, GELU, SiLU, softmax).
Cross targets run under their emulator; on a microcontroller (cortex-m*,
rv32*) only the models that fit one run, the others are counted as skipped.
Tolerance as test/e2e: |edgec - torch| <= 1e-4 + 1e-3 * |torch|.
Prints a line per model and target; exits 1 on any mismatch or failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "compiler", "torch"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import edgec_torch  # noqa: E402
import make_zoo  # noqa: E402

ATOL, RTOL = 1e-4, 1e-3
TORCHVISION = ["resnet18", "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2_x0_5", "squeezenet1_1"]
MCU_SIZED = ["ds_cnn_kws", "resnet8_cifar", "mobilenet_vww", "fc_autoencoder", "keyword_lstm", "bilstm_classifier"]


class KeywordLstm(torch.nn.Module):
    """Token ids -> embedding -> 2-layer LSTM -> LayerNorm -> GELU -> logits per step."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 16)
        self.lstm = torch.nn.LSTM(16, 24, num_layers=2, batch_first=True)
        self.norm = torch.nn.LayerNorm(24)
        self.head = torch.nn.Sequential(torch.nn.GELU(), torch.nn.Linear(24, 5))

    def forward(self, tokens):
        out, _ = self.lstm(self.embed(tokens))
        return self.head(self.norm(out))


class BiLstmClassifier(torch.nn.Module):
    """Features [batch, time, 8] -> bidirectional LSTM -> last step -> SiLU -> softmax."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(8, 12, bidirectional=True)
        self.fc = torch.nn.Linear(24, 4)

    def forward(self, x):
        out, (h, c) = self.lstm(x.transpose(0, 1))
        last = out[-1]
        return torch.softmax(self.fc(torch.nn.functional.silu(last + torch.cat([h[0], h[1]], dim=-1))), dim=-1)


def models():
    """(name, factory, example input maker)."""
    import torchvision
    image = lambda: torch.randn(1, 3, 224, 224)  # noqa: E731
    for name in TORCHVISION:
        yield name, lambda n=name: getattr(torchvision.models, n)(), image
    for name, make, shape in make_zoo.models():
        if name in MCU_SIZED:
            yield name, make, lambda s=shape: torch.randn(*s)
    yield "keyword_lstm", KeywordLstm, lambda: torch.randint(0, 50, (1, 12))
    yield "bilstm_classifier", BiLstmClassifier, lambda: torch.randn(1, 10, 8)


def edgec_outputs(edgec, model_file, target, x, work, tag, flags=()):
    """Runs `model_file` with edgec on input x; returns its first output."""
    xin = os.path.join(work, "x.bin")
    x.numpy().tofile(xin)
    out = os.path.join(work, f"out-{tag}-{target}")
    proc = subprocess.run([edgec, "run", model_file, "--target", target, "--input", xin, "--save-outputs", out]
                          + list(flags), capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"edgec run {os.path.basename(model_file)} --target {target}: "
                           + (proc.stderr.strip().splitlines() or ["failed"])[-1])
    return np.fromfile(os.path.join(out, "out0.bin"), dtype=np.float32)


def compare(got, want):
    want = want.reshape(-1)
    if got.shape != want.shape:
        return False, f"{got.size} values, expected {want.size}"
    err = np.abs(got - want)
    ok = bool(np.all(err <= ATOL + RTOL * np.abs(want)))
    return ok, f"max |error| {err.max():.2e} (max |torch| {np.abs(want).max():.2e})"


def outputs_or_failure(failures, label, *args, **kwargs):
    """edgec_outputs(...), or None with the failure recorded and printed."""
    try:
        return edgec_outputs(*args, **kwargs)
    except RuntimeError as e:
        failures.append(f"{label}: {e}")
        print(f"{label}: FAILED: {e}", flush=True)
        return None


def summary(runs, failures, skipped):
    """The closing lines; the exit code (1 on a failure, or when nothing ran)."""
    print(f"{runs} runs, {len(failures)} failed, {skipped} skipped (models too large for the target)")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures or runs == 0 else 0


def int8_parity(edgec, name, mlir, onnx_file, x, work):
    """Both imports quantised by edgec on the same samples: the same bytes out."""
    cal = os.path.join(work, "calibration")
    os.makedirs(cal, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(8):
        np.save(os.path.join(cal, f"s{i}.npy"), rng.standard_normal(tuple(x.shape)).astype(np.float32))
    flags = ["--quantize", "int8", "--calibration", cal]
    failures = []
    a = outputs_or_failure(failures, f"{name} int8", edgec, mlir, "host", x, work, "torch-int8", flags)
    if a is None:
        return failures
    b = outputs_or_failure(failures, f"{name} int8", edgec, onnx_file, "host", x, work, "onnx-int8", flags)
    if b is None:
        return failures
    same = a.tobytes() == b.tobytes()
    print(f"{name} int8 via PyTorch and via ONNX: {'identical' if same else 'DIFFERENT'}", flush=True)
    return [] if same else [f"{name}: int8 artifacts from the two imports differ"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--targets", default="host")
    p.add_argument("--models", default="", help="comma-separated subset")
    p.add_argument("--work", default="")
    p.add_argument("--onnx", action="store_true", help="also compile the torch.onnx.export of each model and "
                                                       "compare the two artifacts' outputs")
    args = p.parse_args()
    only = set(filter(None, args.models.split(",")))
    targets = args.targets.split(",")
    work = args.work or tempfile.mkdtemp(prefix="edgec-torch-test-")
    os.makedirs(work, exist_ok=True)
    failures, runs, skipped = [], 0, 0
    for name, make, example in models():
        if only and name not in only:
            continue
        model = make_zoo.build(make)
        torch.manual_seed(1)
        x = example()
        with torch.no_grad():
            want = model(x).numpy()
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        mlir = os.path.join(d, f"{name}.mlir")
        try:
            with open(mlir, "w") as f:
                f.write(edgec_torch.import_module(model, (x,), ["input"], ["output"]))
        except Exception as e:
            failures.append(f"{name}: import: {e}")
            print(f"{name}: import FAILED: {e}", flush=True)
            continue
        for target in targets:
            if target.startswith(("cortex-m", "rv32")) and name not in MCU_SIZED:
                skipped += 1
                print(f"{name} on {target}: skipped (too large for a microcontroller)", flush=True)
                continue
            runs += 1
            got = outputs_or_failure(failures, f"{name} on {target}", args.edgec, mlir, target, x, d, "torch")
            if got is None:
                continue
            ok, how = compare(got, want)
            print(f"{name} on {target}: {'ok' if ok else 'MISMATCH'} vs PyTorch eager, {how}", flush=True)
            if not ok:
                failures.append(f"{name} on {target}: outputs differ from PyTorch")
            if args.onnx and target == "host":
                onnx_file = os.path.join(d, f"{name}.onnx")
                torch.onnx.export(model, x, onnx_file, opset_version=13, input_names=["input"],
                                  output_names=["output"])
                via_onnx = outputs_or_failure(failures, f"{name} via ONNX", args.edgec, onnx_file, target, x, d,
                                              "onnx")
                if via_onnx is None:
                    continue
                ok, how = compare(got, via_onnx)
                print(f"{name} via ONNX on {target}: {'ok' if ok else 'MISMATCH'} vs via PyTorch, {how}",
                      flush=True)
                if not ok:
                    failures.append(f"{name}: the ONNX and PyTorch imports' artifacts differ")
                if name in MCU_SIZED and x.is_floating_point():
                    failures += int8_parity(args.edgec, name, mlir, onnx_file, x, d)
    return summary(runs, failures, skipped)


if __name__ == "__main__":
    sys.exit(main())
