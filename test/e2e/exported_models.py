"""Models as users export them: small networks of the kinds people bring
(recurrent keyword spotters, a ConvTranspose decoder, a GPT-style decoder,
nn.TransformerEncoder, a ViT with a class token, a classifier cascade whose
second stage runs only when the first is unsure (an If on data), a
refinement loop that stops early on a data-dependent test (a Loop), an
SSD-style detector ending in torchvision's NMS (outputs of run-time size),
torchvision's segmentation heads), written here with PyTorch 1.13 (random weights, seeded), exported
with torch.onnx.export at opsets 9, 11, 13 and 17 where the exporter
allows, compiled by edgec and compared with ONNX Runtime (run_model.py) on
the host; the MCU-sized ones also on --mcu (default cortex-m4).

The same modules also go through edgec-torch (torch.fx, no ONNX) and are
compared with PyTorch eager; KNOWN_TORCH_REFUSED lists what it does not
map yet (counted and printed), scripted modules are counted as untraceable.

  exported_models.py [--edgec BIN] [--only NAME] [--mcu TARGET] [--no-mcu] [--no-torch]

Prints one line per run and 'N passed, N failed, N refused, N not exported'.
A model edgec refuses (exit 1 with a diagnostic) counts as refused and
fails the run unless KNOWN_REFUSED names it with the reason. Needs
/usr/bin/python3 with torch and torchvision, and ONNX Runtime
(EDGEC_ORT_DIR); without them it prints SKIP.
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OPSETS = (9, 11, 13, 17)

# (model, opset) -> why edgec refuses it today. Listed, counted, printed.
KNOWN_REFUSED = {}
# model -> why edgec-torch (torch.fx, no ONNX) does not import it yet.
# Listed, counted, printed; one that imports fails the run until removed.
KNOWN_TORCH_REFUSED = {
    "detector_nms": "torchvision.ops.nms: a run-time output size, which the .mlir route cannot carry",
}


def build_models():
    """name -> (module, example input, MCU-sized)."""
    import torch
    import torch.nn as nn
    import torchvision
    torch.manual_seed(0)

    class KeywordSpotter(nn.Module):
        """MFCC frames [1, 10, T] -> conv -> recurrent -> class log-probabilities."""

        def __init__(self, cell):
            super().__init__()
            self.conv = nn.Conv1d(10, 16, 3, padding=1)
            self.cell = cell
            out = cell.hidden_size * (2 if cell.bidirectional else 1)
            self.fc = nn.Linear(out, 6)

        def forward(self, x):
            y = torch.relu(self.conv(x)).transpose(1, 2)
            y, _ = self.cell(y)
            return torch.log_softmax(self.fc(y[:, -1]), -1)

    class Decoder(nn.Module):
        """U-Net style: two strided convs down, ConvTranspose up with skips."""

        def __init__(self):
            super().__init__()
            self.d1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
            self.d2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
            self.u1 = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
            self.u2 = nn.ConvTranspose2d(16, 4, 3, stride=2, padding=1, output_padding=1)
            self.head = nn.Conv2d(4, 2, 1)

        def forward(self, x):
            a = torch.relu(self.d1(x))
            b = torch.relu(self.d2(a))
            c = torch.relu(self.u1(b))
            return self.head(torch.relu(self.u2(torch.cat([c, a], 1))))

    class Detector(nn.Module):
        """SSD-style: a conv body predicts a box and a score per cell of an
        8x8 grid (anchors at the cell centres), then torchvision's NMS keeps
        the boxes that overlap no better one: kept boxes and scores, as
        many as the data selects (NonMaxSuppression, a run-time count)."""

        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(),
                                      nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
            self.box = nn.Conv2d(16, 4, 1)
            self.score = nn.Conv2d(16, 1, 1)
            centre = (torch.arange(8, dtype=torch.float32) + 0.5) * 4.0
            cy, cx = torch.meshgrid(centre, centre, indexing="ij")
            self.register_buffer("anchors", torch.stack([cx.reshape(-1), cy.reshape(-1)], 1))

        def forward(self, x):
            f = self.body(x)
            d = self.box(f).flatten(2)[0].t()  # [64, 4]
            centre = self.anchors + d[:, :2] * 4.0
            size = 6.0 + torch.relu(d[:, 2:]) * 4.0
            boxes = torch.cat([centre - size / 2, centre + size / 2], 1)
            scores = torch.sigmoid(self.score(f).flatten())
            keep = torchvision.ops.nms(boxes, scores, 0.15)
            return boxes[keep], scores[keep]

    class GptBlock(nn.Module):
        def __init__(self, d, heads, t):
            super().__init__()
            self.heads = heads
            # the causal mask as nanoGPT keeps it: a lower-triangle buffer
            self.register_buffer("bias", torch.tril(torch.ones(t, t)).view(1, 1, t, t))
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x):
            b, t, d = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)  # the fused qkv Split
            q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-2, -1)) / (d // self.heads) ** 0.5
            att = att.masked_fill(self.bias[:, :, :t, :t] == 0, float("-inf")).softmax(-1)
            y = (att @ v).transpose(1, 2).reshape(b, t, d)
            x = x + self.proj(y)
            return x + self.mlp(self.ln2(x))

    class Gpt(nn.Module):
        def __init__(self, vocab=64, d=32, t=16):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Parameter(torch.randn(1, t, d) * 0.02)
            self.blocks = nn.Sequential(GptBlock(d, 4, t), GptBlock(d, 4, t))
            self.ln = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab, bias=False)

        def forward(self, idx):
            return self.head(self.ln(self.blocks(self.tok(idx) + self.pos)))

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
            self.enc = nn.TransformerEncoder(layer, 2)

        def forward(self, x):
            return self.enc(x)

    class ViT(nn.Module):
        def __init__(self, d=32):
            super().__init__()
            self.patch = nn.Conv2d(3, d, 8, stride=8)
            self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
            self.pos = nn.Parameter(torch.randn(1, 17, d) * 0.02)
            layer = nn.TransformerEncoderLayer(d, 4, 2 * d, dropout=0.0, batch_first=True, norm_first=True)
            self.enc = nn.TransformerEncoder(layer, 2)
            self.head = nn.Linear(d, 10)

        def forward(self, x):
            p = self.patch(x).flatten(2).transpose(1, 2)
            p = torch.cat([self.cls.expand(x.shape[0], -1, -1), p], 1) + self.pos
            return self.head(self.enc(p)[:, 0])

    class Cascade(nn.Module):
        """A small classifier; only when it is unsure (top probability below
        0.5, decided at run time) does the larger one run: an ONNX If on data."""

        def __init__(self):
            super().__init__()
            self.small = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                       nn.Flatten(), nn.Linear(4, 10))
            self.big = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1),
                                     nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

        def forward(self, x):
            p = torch.softmax(self.small(x), dim=1)
            if p.max() < 0.5:
                p = torch.softmax(self.big(x), dim=1)
            return p

    cascade = Cascade().eval()
    unsure = torch.randn(1, 1, 16, 16)
    # Both branches are tested: an input the small classifier is sure of
    # (the same one scaled up) and one it is not.
    sure = unsure * 1000
    with torch.no_grad():
        tops = [torch.softmax(cascade.small(x), 1).max().item() for x in (unsure, sure)]
    assert tops[0] < 0.5 <= tops[1], f"cascade inputs no longer take both branches: {tops}"

    class EarlyExit(nn.Module):
        """Refines until the state is large enough, at most 6 times: a Loop
        whose condition is computed from data (TorchScript's for-with-break
        is a Loop with M = 2^63-1, a counter and an If in the body)."""

        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(8, 8)

        def forward(self, x):
            h = x
            for _ in range(6):
                if h.abs().sum() > 20.0:
                    break
                h = self.lin(h) * 1.5
            return h

    early_exit = EarlyExit().eval()

    def iterations(x):
        h, n = x, 0
        with torch.no_grad():
            while n < 6 and h.abs().sum() <= 20.0:
                h, n = early_exit.lin(h) * 1.5, n + 1
        return n

    # Inputs that stop after 0, some and all 6 iterations.
    base = torch.randn(1, 8)
    by_count = {}
    for k in range(-40, 41):
        scale = 10 ** (k / 10)
        by_count.setdefault(iterations(base * scale), base * scale)
    assert {0, 6} <= set(by_count) and len(by_count) >= 3, f"early-exit inputs: {sorted(by_count)}"
    early_inputs = [by_count[n] for n in sorted(by_count)]

    import torchvision
    seg = torchvision.models.segmentation
    models = {
        "kws_gru": (KeywordSpotter(nn.GRU(16, 12, num_layers=2, batch_first=True, bidirectional=True)),
                    torch.randn(1, 10, 24), True),
        "kws_rnn": (KeywordSpotter(nn.RNN(16, 12, batch_first=True, nonlinearity="relu")),
                    torch.randn(1, 10, 24), True),
        "kws_lstm": (KeywordSpotter(nn.LSTM(16, 12, batch_first=True, bidirectional=True)),
                     torch.randn(1, 10, 24), True),
        "unet_decoder": (Decoder(), torch.randn(1, 3, 32, 32), True),
        "detector_nms": (Detector(), torch.randn(1, 3, 32, 32), True),
        "gpt_decoder": (Gpt(), torch.randint(0, 64, (1, 16)), False),
        "transformer_encoder": (Encoder(), torch.randn(1, 12, 32), False),
        "vit": (ViT(), torch.randn(1, 3, 32, 32), False),
        "cascade_if": (torch.jit.script(cascade), [unsure, sure], True),
        "early_exit_loop": (torch.jit.script(early_exit), early_inputs, True),
        "lraspp_mobilenet_v3_large": (seg.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None),
                                      torch.randn(1, 3, 64, 64), False),
        "fcn_resnet50": (seg.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=False),
                         torch.randn(1, 3, 64, 64), False),
    }
    for m, _, _ in models.values():
        m.eval()
    return models


def examples_of(example):
    """A model's inputs to run: one example, or a list of them."""
    return example if isinstance(example, list) else [example]


def export(module, example, opset, path):
    """torch.onnx.export (input 'x'); torchvision's segmentation models
    return a dict, of which 'out' is exported; a scripted module (control
    flow on data) is exported as it is."""
    import torch

    if isinstance(module, torch.jit.ScriptModule):
        torch.onnx.export(module, (example,), path, opset_version=opset, input_names=["x"])
        return

    class Wrapped(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            y = self.m(x)
            return y["out"] if isinstance(y, dict) else y

    torch.onnx.export(Wrapped(module), example, path, opset_version=opset, do_constant_folding=True,
                      input_names=["x"])


def run_torch(name, module, examples, edgec, work):
    """The model through edgec-torch (torch.fx, no ONNX): imported, compiled
    and run by `edgec run` on each example, against PyTorch eager. Returns
    (status, detail) with status pass, fail, refused or untraceable."""
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "..", "compiler", "torch"))
    from edgec_torch.importer import UnsupportedError, import_module
    from edgec_torch.tracer import TraceFailure

    if isinstance(module, torch.jit.ScriptModule):
        return "untraceable", "control flow on data (scripted): torch.fx records one path"
    try:
        text = import_module(module, (examples[0],))
    except (UnsupportedError, TraceFailure) as e:
        return "refused", str(e).splitlines()[0][:200]
    mlir = os.path.join(work, f"{name}_torch.mlir")
    with open(mlir, "w") as f:
        f.write(text)
    worst = 0.0
    for k, x in enumerate(examples):
        with torch.no_grad():
            want = module(x)
        want = (want["out"] if isinstance(want, dict) else want).numpy().reshape(-1)
        xin, out = os.path.join(work, f"{name}_torch_x{k}.bin"), os.path.join(work, f"{name}_torch_out{k}")
        x.numpy().tofile(xin)
        r = subprocess.run([edgec, "run", mlir, "--input", xin, "--save-outputs", out], capture_output=True, text=True)
        if r.returncode:
            return "fail", (r.stderr.strip().splitlines() or ["edgec run failed"])[-1][:200]
        got = np.fromfile(os.path.join(out, "out0.bin"), dtype=want.dtype)
        if got.shape != want.shape:
            return "fail", f"{got.size} values, expected {want.size}"
        err = np.abs(got.astype(np.float64) - want)
        if not np.all(err <= 1e-4 + 1e-3 * np.abs(want)):
            return "fail", f"max |error| {err.max():.2e}"
        worst = max(worst, float(err.max()))
    return "pass", f"{len(examples)} input(s), max |error| {worst:.2e} vs PyTorch eager"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--only", default="")
    p.add_argument("--mcu", default="cortex-m4")
    p.add_argument("--no-mcu", action="store_true")
    p.add_argument("--work", default="")
    p.add_argument("--no-torch", action="store_true", help="skip the edgec-torch route")
    args = p.parse_args()
    ort = os.environ.get("EDGEC_ORT_DIR", "")
    try:
        import torch  # noqa: F401
        import torchvision  # noqa: F401
    except ImportError:
        print("SKIP: needs torch and torchvision (run with /usr/bin/python3)")
        print("0 passed, 0 failed, 0 refused, 0 not exported")
        return 0
    if not os.path.isdir(os.path.join(ort, "node_modules", "onnxruntime-node")):
        print("SKIP: no ONNX Runtime (EDGEC_ORT_DIR)")
        print("0 passed, 0 failed, 0 refused, 0 not exported")
        return 0
    import warnings
    warnings.filterwarnings("ignore")
    global np
    import numpy as np
    models = build_models()
    counts = {"passed": 0, "failed": 0, "refused": 0, "not exported": 0}
    torch_counts = {"pass": 0, "fail": 0, "refused": 0, "untraceable": 0}
    unexpected = []
    with tempfile.TemporaryDirectory(prefix="edgec-exported-") as tmp:
        work = args.work or tmp
        os.makedirs(work, exist_ok=True)
        for name, (module, example, mcu) in models.items():
            if args.only and args.only not in name:
                continue
            for opset in OPSETS:
                path = os.path.join(work, f"{name}_op{opset}.onnx")
                examples = examples_of(example)
                try:
                    export(module, examples[0], opset, path)
                except Exception as e:  # the exporter's own limits
                    print(f"NOT EXPORTED {name} opset {opset}: {str(e).splitlines()[0][:120]}")
                    counts["not exported"] += 1
                    continue
                targets = ["host"] + ([args.mcu] if mcu and not args.no_mcu else [])
                inputs = [None] if len(examples) == 1 else []
                for k, x in enumerate(examples if len(examples) > 1 else []):
                    inputs.append(os.path.join(work, f"{name}_input{k}.npy"))
                    np.save(inputs[-1], x.numpy())
                for target, (k, given) in itertools.product(targets, enumerate(inputs)):
                    r = subprocess.run([sys.executable, os.path.join(HERE, "run_model.py"), path, "--edgec",
                                        args.edgec, "--target", target, "--work",
                                        os.path.join(work, f"{name}_op{opset}_{target}")] +
                                       (["--input", f"x={given}"] if given else []),
                                       capture_output=True, text=True)
                    label = f"{name} opset {opset} on {target}" + (f" (input {k})" if given else "")
                    lines = (r.stdout + r.stderr).strip().splitlines()
                    error = next((l for l in lines if l.startswith("edgec: error")), "")
                    if r.returncode == 0:
                        counts["passed"] += 1
                        print(f"PASS {label}: {lines[-1] if lines else ''}")
                    elif error:
                        counts["refused"] += 1
                        known = KNOWN_REFUSED.get((name, opset))
                        print(f"REFUSED {label}: {error[:200]}" + (f" (known: {known})" if known else ""))
                        if not known:
                            unexpected.append(label)
                    else:
                        counts["failed"] += 1
                        unexpected.append(label)
                        print(f"FAIL {label}:\n  " + "\n  ".join(lines[-6:]))
            if args.no_torch:
                continue
            status, detail = run_torch(name, module, examples_of(example), args.edgec, work)
            known = KNOWN_TORCH_REFUSED.get(name)
            torch_counts[status] += 1
            print(f"{status.upper()} {name} through edgec-torch: {detail}" + (f" (known: {known})" if known else ""))
            if (status == "refused") != bool(known) or status == "fail":
                unexpected.append(f"{name} through edgec-torch")
    print(", ".join(f"{v} {k}" for k, v in counts.items()))
    print("edgec-torch: " + ", ".join(f"{v} {k}" for k, v in torch_counts.items()))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
