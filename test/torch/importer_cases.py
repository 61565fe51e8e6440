"""Small modules that exercise the PyTorch importer's corners: each either
compiles to the outputs PyTorch computes (within 1e-4 + 1e-3 |torch|), or is
refused with a message naming what is not supported.

  importer_cases.py [--edgec BIN] [--work DIR]

Prints a line per case; exits 1 on a wrong output, a crash, or a refusal
with another message.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.ao import quantization as tq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "compiler", "torch"))

import edgec_torch  # noqa: E402


class Fn(nn.Module):
    """forward(x) = fn(self, x), with `mods` as submodules."""

    def __init__(self, fn, **mods):
        super().__init__()
        self.fn = fn
        for k, v in mods.items():
            setattr(self, k, v)

    def forward(self, x):
        return self.fn(self, x)


def inplace_alias(s, x):
    y = s.conv(x)
    z = s.relu(y)  # ReLU(inplace=True): y is z now
    return y + z


def iadd_alias(s, x):
    y = x * 2
    z = y
    y += 1  # z sees it
    return z


def quantized_chunk():
    class Q(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
            self.conv = nn.Conv2d(4, 4, 1)

        def forward(self, x):
            a, b = self.conv(self.quant(x)).chunk(2, dim=1)
            return self.dequant(torch.cat([b, a], 1))
    torch.backends.quantized.engine = "qnnpack"
    torch.manual_seed(0)
    m = Q().eval()
    m.qconfig = tq.get_default_qconfig("qnnpack")
    tq.prepare(m, inplace=True)
    m(torch.randn(1, 4, 6, 6))
    return tq.convert(m)


def quant_tiny_scale():
    m = nn.Sequential(tq.QuantStub(), tq.DeQuantStub()).eval()
    m.qconfig = tq.get_default_qconfig("qnnpack")
    tq.prepare(m, inplace=True)
    m(torch.randn(1, 8) * 1e-4)  # scale about 1e-6: written with a decimal point
    return tq.convert(m)


class Table(nn.Module):
    """A buffer indexed by positions the input decides (a rotary table read
    at `pos`), a cache written there (index_copy), new axes, stack, pow and
    rsqrt, and a mask made from torch.arange (a constant subgraph)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("table", torch.randn(6, 4))

    def forward(self, x):  # x [2, 4]
        pos = (x[0] > 0).long()  # [4] of 0 and 1, decided at run time
        rows = self.table[pos]  # [4, 4]
        cache = self.table.index_copy(0, pos[:2] + 3, x)  # rows 3, 4 written
        mask = torch.zeros(4).masked_fill(torch.arange(4) > 1, -1.0)
        y = torch.stack([rows[None, :, 1:].expand(2, 4, 3), x.pow(2)[:, None, 1:].expand(2, 4, 3)], -1)
        return y.sum((0, 2, 3)) + torch.rsqrt(x.abs() + 1).mean() + mask + cache[:4].sum(0)


CASES = [
    # name, module factory, input, None (match PyTorch) or the refusal's text
    ("relu inplace=True aliasing", lambda: Fn(inplace_alias, conv=nn.Conv2d(3, 4, 3), relu=nn.ReLU(inplace=True)),
     (1, 3, 8, 8), None),
    ("y += 1 aliasing", lambda: Fn(iadd_alias), (2, 4), None),
    ("Sequential root (resource names from digits)", lambda: nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)),
     (1, 8), None),
    ("shared module (weights once)", lambda: Fn(lambda s, x: s.fc(s.fc(x)), fc=nn.Linear(8, 8)), (2, 8), None),
    ("avg_pool2d positional ceil_mode, count_include_pad",
     lambda: Fn(lambda s, x: F.avg_pool2d(x, 3, 2, 1, False, False)), (1, 2, 7, 7), None),
    ("root AvgPool2d count_include_pad=False", lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False), (1, 2, 7, 7),
     None),
    ("max pool ceil_mode, last window in the padding", lambda: nn.MaxPool2d(2, 2, padding=1, ceil_mode=True),
     (1, 2, 5, 5), None),
    ("softmax without dim on 3-D", lambda: nn.Softmax(), (2, 3, 4), None),
    ("log_softmax: module, function and method",
     lambda: Fn(lambda s, x: s.ls(x) + F.log_softmax(x, dim=0) + x.log_softmax(-1), ls=nn.LogSoftmax(dim=1)),
     (3, 5), None),
    ("keyword arguments", lambda: Fn(lambda s, x: torch.cat(tensors=[torch.relu(input=x), x.transpose(dim0=0, dim1=1)
                                                                      .transpose(dim0=0, dim1=1)], dim=1)), (2, 3), None),
    ("quantised chunk", quantized_chunk, (1, 4, 6, 6), None),
    ("quantised tiny scale", quant_tiny_scale, (1, 8), None),
    ("hardtanh to infinity", lambda: Fn(lambda s, x: F.hardtanh(x, 0.0, float("inf"))), (2, 8), None),
    ("item()", lambda: Fn(lambda s, x: x / x.mean().item()), (2, 4), "reads tensor data"),
    ("branch on data", lambda: Fn(lambda s, x: x * 2 if x.mean() > 0 else x), (2, 4), "control flow on a tensor"),
    ("add with alpha", lambda: Fn(lambda s, x: x.add(x, alpha=2)), (2, 4), "alpha"),
    ("floor division", lambda: Fn(lambda s, x: torch.div(x, 0.7, rounding_mode="floor")), (2, 4), "rounding_mode"),
    ("F.dropout in training mode", lambda: Fn(lambda s, x: F.dropout(x, 0.5)), (2, 4), "F.dropout in training mode"),
    ("unbatched LSTM", lambda: Fn(lambda s, x: s.l(x)[0], l=nn.LSTM(4, 5)), (3, 4), "unbatched"),
    ("LSTM initial state by keyword",
     lambda: Fn(lambda s, x: s.l(x, hx=(torch.zeros(1, 1, 5), torch.zeros(1, 1, 5)))[0], l=nn.LSTM(4, 5)),
     (3, 1, 4), "initial states"),
    ("upsampling: nearest module, bilinear function both ways, nearest-exact to a size",
     lambda: Fn(lambda s, x: torch.cat([s.up(x), F.interpolate(x, scale_factor=2, mode="bilinear"),
                                        F.interpolate(x, size=(8, 8), mode="bilinear", align_corners=True),
                                        F.interpolate(x, size=(8, 8), mode="nearest-exact")], 1),
                up=nn.Upsample(scale_factor=2)), (1, 1, 4, 4), None),
    ("bicubic downsampling to a size", lambda: Fn(lambda s, x: F.interpolate(x, size=(3, 5), mode="bicubic")),
     (1, 2, 6, 7), None),
    ("matmul: operator, function, batched method", lambda: Fn(lambda s, x: (x @ x.transpose(1, 2)).bmm(x) +
                                                             torch.matmul(x, x.transpose(1, 2)) @ x), (2, 3, 4), None),
    ("expand and masked_fill with -inf, then softmax",
     lambda: Fn(lambda s, x: torch.softmax(x.masked_fill(x > 1.5, float("-inf")) + x[:, :1, :].expand(2, 4, 4), -1)),
     (2, 4, 4), None),
    ("comparisons with numbers and tensors", lambda: Fn(lambda s, x: torch.where(
        (x > 0.5) | (x <= -1) | (x.ne(x * 2)) & (torch.ge(x, 0.0) == (x < 1)), x, -x)), (3, 4), None),
    ("MultiheadAttention [L, B, E] with a causal bool mask, weights averaged",
     lambda: Fn(lambda s, x: (lambda o: o[0] * o[1].mean())(
         s.a(x, x, x, attn_mask=torch.triu(torch.ones(5, 5), 1).bool())), a=nn.MultiheadAttention(8, 2)),
     (5, 3, 8), None),
    ("MultiheadAttention batch_first, float mask, no bias, weights per head",
     lambda: Fn(lambda s, x: (lambda o: o[0].sum(-1, keepdim=True) * 0 + o[0] + o[1].mean())(
         s.a(x, x, x, attn_mask=torch.arange(16.0).reshape(4, 4) * -0.1, average_attn_weights=False)),
                a=nn.MultiheadAttention(6, 3, batch_first=True, bias=False)), (2, 4, 6), None),
    ("MultiheadAttention with positional arguments (no padding mask, weights per head)",
     lambda: Fn(lambda s, x: (lambda o: o[0] + o[1].mean())(s.a(x, x, x, None, True, None, False)),
                a=nn.MultiheadAttention(6, 2, batch_first=True)), (2, 3, 6), None),
    ("TransformerEncoder, norm_first, GELU", lambda: Fn(lambda s, x: s.enc(x), enc=nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True), 2)),
     (2, 5, 8), None),
    ("ConvTranspose2d stride 2 (graph.onnx: the ONNX importer's decomposition)",
     lambda: Fn(lambda s, x: s.ct(x), ct=nn.ConvTranspose2d(2, 3, 2, stride=2)), (1, 2, 3, 3), None),
    ("ConvTranspose1d groups, dilation, padding, output_padding, no bias",
     lambda: Fn(lambda s, x: s.ct(x), ct=nn.ConvTranspose1d(4, 6, 3, stride=3, padding=1, output_padding=2, groups=2,
                                                            dilation=2, bias=False)), (1, 4, 5), None),
    ("GRU 2 layers, bidirectional, with the final states",
     lambda: Fn(lambda s, x: (lambda o: o[0].sum(-1) + o[1].sum(0).sum(-1).unsqueeze(0))(s.g(x)),
                g=nn.GRU(4, 5, num_layers=2, bidirectional=True)), (6, 1, 4), None),
    ("RNN relu, batch_first, no bias", lambda: Fn(lambda s, x: s.r(x)[0], r=nn.RNN(4, 3, nonlinearity="relu",
                                                                                  batch_first=True, bias=False)),
     (2, 5, 4), None),
    ("GRU with an initial state", lambda: Fn(lambda s, x: s.g(x, torch.zeros(1, 1, 5))[0], g=nn.GRU(4, 5)),
     (3, 1, 4), "initial state"),
    ("pixel shuffle: module and function", lambda: Fn(lambda s, x: s.p(x) + F.pixel_shuffle(x * 2, 2),
                                                     p=nn.PixelShuffle(2)), (1, 8, 2, 3), None),
    ("grid_sample: bilinear zeros, bicubic reflection with align_corners",
     lambda: Fn(lambda s, x: F.grid_sample(x, torch.tanh(x[:, :2].permute(0, 2, 3, 1)) * 1.2) +
                F.grid_sample(x, torch.tanh(x[:, 1:].permute(0, 2, 3, 1)) * 1.3, mode="bicubic",
                              padding_mode="reflection", align_corners=True)), (1, 3, 5, 5), None),
    ("tensor index into a buffer, index_copy, None, stack, pow, rsqrt, an arange mask", Table, (2, 4), None),
    ("a random tensor in forward", lambda: Fn(lambda s, x: x + torch.randn_like(x)), (2, 4), "random numbers"),
    ("unfold", lambda: Fn(lambda s, x: s.u(x), u=nn.Unfold(2)), (1, 2, 4, 4), "module Unfold is not supported"),
]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--work", default="")
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="edgec-torch-cases-")
    os.makedirs(work, exist_ok=True)
    failures = []
    for k, (name, make, shape, refusal) in enumerate(CASES):
        torch.manual_seed(k)
        model = make().eval()
        x = torch.randn(*shape)
        try:
            text = edgec_torch.import_module(model, (x,))
        except (edgec_torch.UnsupportedError, edgec_torch.TraceFailure) as e:
            ok = refusal is not None and refusal in str(e)
            print(f"{name}: {'refused as expected' if ok else 'REFUSED'}: {e}", flush=True)
            if not ok:
                failures.append(name)
            continue
        if refusal is not None:
            print(f"{name}: IMPORTED, expected a refusal mentioning '{refusal}'", flush=True)
            failures.append(name)
            continue
        with torch.no_grad():
            want = model(x.clone()).numpy().ravel()
        d = os.path.join(work, f"case{k}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "m.mlir"), "w") as f:
            f.write(text)
        x.numpy().tofile(os.path.join(d, "x.bin"))
        proc = subprocess.run([args.edgec, "run", os.path.join(d, "m.mlir"), "--input", os.path.join(d, "x.bin"),
                               "--save-outputs", os.path.join(d, "out")], capture_output=True, text=True)
        if proc.returncode:
            print(f"{name}: edgec FAILED: {proc.stderr.strip()}", flush=True)
            failures.append(name)
            continue
        got = np.fromfile(os.path.join(d, "out", "out0.bin"), dtype=np.float32)
        ok = got.shape == want.shape and bool(np.all(np.abs(got - want) <= 1e-4 + 1e-3 * np.abs(want)))
        print(f"{name}: {'ok' if ok else 'MISMATCH'} (max |error| "
              f"{np.abs(got - want).max() if got.shape == want.shape else 'shape'})", flush=True)
        if not ok:
            failures.append(name)
        if name.startswith("shared") and text.count("_weight\"") + text.count("_weight:") > 1:
            print(f"{name}: the shared weight is written more than once", flush=True)
            failures.append(name + " (duplicate weight)")
    print(f"{len(CASES)} cases, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
