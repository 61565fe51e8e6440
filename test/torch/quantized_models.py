"""PyTorch's own quantised models (eager-mode torch.ao.quantization:
fuse, prepare, calibrate, convert; and FX-mode prepare_fx/convert_fx of
float models) imported by compiler/torch with their
scales, compiled by edgec without --quantize, against PyTorch's quantised
outputs. PyTorch runs them on its qnnpack engine (its mobile one; Debian's
torch has no fbgemm): uint8 activations, int8 weights per tensor (qnnpack's
default qconfig) or per output channel (fbgemm's and onednn's weight
observer).

  quantized_models.py [--edgec BIN] [--targets host,cortex-m4] [--work DIR]

PyTorch's kernels requantise with a float multiplier and edgec with the
QDQ definition (dequantize, float op, quantize), so an output may land one
quantisation step away where the exact value is near a rounding boundary:
outputs must be within one step of PyTorch's (in the model's dequantised
output), and the share of values off by a step is printed.
Exits 1 on a larger difference or a failure.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import torch
from torch import nn
from torch.ao import quantization as tq

ENGINE = os.environ.get("EDGEC_TEST_QENGINE", "qnnpack")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "compiler", "torch"))

import edgec_torch  # noqa: E402
from import_models import outputs_or_failure, summary  # noqa: E402


class SmallQuantNet(nn.Module):
    """conv-bn-relu, max pool, a residual add (FloatFunctional), global
    average pool, linear: each between QuantStub and DeQuantStub."""

    def __init__(self):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.relu2 = nn.ReLU()
        self.skip = nn.quantized.FloatFunctional()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(self.relu(self.bn(self.conv(self.quant(x)))))
        x = self.skip.add(x, self.relu2(self.conv2(x)))
        return self.dequant(self.fc(torch.flatten(self.gap(x), 1)))

    def fuse(self):
        tq.fuse_modules(self, [["conv", "bn", "relu"], ["conv2", "relu2"]], inplace=True)


PER_CHANNEL = tq.QConfig(activation=tq.HistogramObserver.with_args(reduce_range=False),
                         weight=tq.PerChannelMinMaxObserver.with_args(dtype=torch.qint8,
                                                                      qscheme=torch.per_channel_symmetric))


def quantized(make, shape, per_channel, samples=16):
    """make()'s model with seeded weights, quantised by PyTorch."""
    torch.manual_seed(0)
    model = make().eval()
    with torch.no_grad():  # random but not degenerate statistics, as bench/make_zoo.py
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    model.fuse()
    model.qconfig = PER_CHANNEL if per_channel else tq.get_default_qconfig(ENGINE)
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        for _ in range(samples):
            model(torch.randn(*shape))
    tq.convert(model, inplace=True)
    return model


def quantized_fx(make, shape, per_channel, samples=4):
    """make()'s float model quantised by FX-mode graph mode quantisation."""
    from torch.ao.quantization import get_default_qconfig_mapping, quantize_fx
    torch.manual_seed(0)
    model = make().eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    mapping = get_default_qconfig_mapping(ENGINE)
    if per_channel:
        mapping = mapping.set_global(PER_CHANNEL)
    prepared = quantize_fx.prepare_fx(model, mapping, (torch.randn(*shape),))
    with torch.no_grad():
        for _ in range(samples):
            prepared(torch.randn(*shape))
    return quantize_fx.convert_fx(prepared)


def models():
    import torchvision.models.quantization as tvq

    def mobilenet_v2():
        m = tvq.mobilenet_v2(weights=None, quantize=False)
        m.fuse = m.fuse_model
        return m
    for per_channel in (False, True):
        suffix = "_per_channel" if per_channel else ""
        yield f"small_quant_net{suffix}", lambda c=per_channel: quantized(SmallQuantNet, (1, 3, 32, 32), c), \
            (1, 3, 32, 32)
        yield f"mobilenet_v2_quantized{suffix}", \
            lambda c=per_channel: quantized(mobilenet_v2, (1, 3, 224, 224), c, samples=4), (1, 3, 224, 224)
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import make_zoo
    yield "resnet8_fx", lambda: quantized_fx(make_zoo.ResNet8, (1, 3, 32, 32), True), (1, 3, 32, 32)
    import torchvision

    def mobilenet_v2_relu():
        # ReLU for ReLU6, as torchvision's quantisable MobileNetV2 does: in
        # torch 1.13, qnnpack's quantised ReLU6 (hardtanh) of a conv's
        # channels-last output returns its values in the wrong order
        # (checked against dequantize + clamp; edgec agrees with the latter).
        m = torchvision.models.mobilenet_v2()
        for parent in list(m.modules()):
            for child_name, child in parent.named_children():
                if isinstance(child, nn.ReLU6):
                    setattr(parent, child_name, nn.ReLU())
        return m
    yield "mobilenet_v2_fx", lambda: quantized_fx(mobilenet_v2_relu, (1, 3, 224, 224), True), (1, 3, 224, 224)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--targets", default="host")
    p.add_argument("--work", default="")
    p.add_argument("--models", default="")
    args = p.parse_args()
    torch.backends.quantized.engine = ENGINE
    work = args.work or tempfile.mkdtemp(prefix="edgec-torch-quant-")
    os.makedirs(work, exist_ok=True)
    only = set(filter(None, args.models.split(",")))
    failures, runs, skipped = [], 0, 0
    for name, make, shape in models():
        if only and name not in only:
            continue
        model = make()
        torch.manual_seed(1)
        x = torch.randn(*shape)
        with torch.no_grad():
            want = model(x).numpy().ravel()
        # The output's quantisation step: the last quantised module's scale.
        step = next(m.scale for m in reversed(list(model.modules())) if hasattr(m, "scale")
                    and isinstance(getattr(m, "scale"), float))
        mlir = os.path.join(work, f"{name}.mlir")
        with open(mlir, "w") as f:
            f.write(edgec_torch.import_module(model, (x,), ["input"], ["output"]))
        for target in args.targets.split(","):
            if target != "host" and not name.startswith(("small_quant_net", "resnet8")):
                print(f"{name} on {target}: skipped (too large for a microcontroller)", flush=True)
                skipped += 1
                continue
            runs += 1
            got = outputs_or_failure(failures, f"{name} on {target}", args.edgec, mlir, target, x, work, name)
            if got is None:
                continue
            if np.count_nonzero(want) < want.size // 2:
                failures.append(f"{name}: PyTorch's outputs are mostly zero; the comparison would prove nothing")
            steps = np.abs(got - want) / step
            off = int(np.sum(steps > 0.5))
            ok = got.shape == want.shape and steps.max() <= 1.01
            print(f"{name} on {target}: {'ok' if ok else 'MISMATCH'}: {off} of {want.size} outputs one step "
                  f"({step:.3g}) from PyTorch's, at most {steps.max():.2f} steps", flush=True)
            if not ok:
                failures.append(f"{name} on {target}: more than one step from PyTorch")
    return summary(runs, failures, skipped)


if __name__ == "__main__":
    sys.exit(main())
