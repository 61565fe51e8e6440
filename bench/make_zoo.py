#!/usr/bin/python3
"""Generates the benchmark model zoo as ONNX files (opset 13, batch 1, fixed
seed, random weights: speed does not depend on them) into a cache directory
outside the repository:

    /usr/bin/python3 bench/make_zoo.py [--out DIR]     # default ~/.cache/edgec/zoo

torchvision: resnet18, mobilenet_v2, mobilenet_v3_small, squeezenet1_0,
shufflenet_v2_x1_0 at 224x224. MLPerf Tiny, built here from the published
architectures (github.com/mlcommons/tiny, v1.0 reference models):
  ds_cnn_kws      keyword spotting DS-CNN, 49x10 MFCC input, 12 classes
  resnet8_cifar   image classification ResNet-8, 32x32x3, 10 classes
  mobilenet_vww   visual wake words MobileNetV1 alpha 0.25, 96x96x3, 2 classes
  fc_autoencoder  anomaly detection FC autoencoder, 640 inputs
Existing files are kept (delete them to regenerate).
"""
import argparse
import os
import sys

import torch
from torch import nn

TORCHVISION = ["resnet18", "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_0", "shufflenet_v2_x1_0"]


def conv_bn_relu(cin, cout, k, stride=1, groups=1, padding=None):
    return [nn.Conv2d(cin, cout, k, stride, k // 2 if padding is None else padding, groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU()]


class DsCnn(nn.Module):
    """MLPerf Tiny KWS: conv 10x4 stride 2 (64 ch), 4 depthwise-separable
    blocks, global average pool, dense 12."""

    def __init__(self):
        super().__init__()
        layers = conv_bn_relu(1, 64, (10, 4), 2, padding=(5, 1))
        for _ in range(4):
            layers += conv_bn_relu(64, 64, 3, 1, groups=64) + conv_bn_relu(64, 64, 1)
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(64, 12)

    def forward(self, x):
        return self.classifier(self.features(x))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn_relu(cin, cout, 3, stride),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.skip = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))
                     if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.skip(x))


class ResNet8(nn.Module):
    """MLPerf Tiny image classification: conv 16, three residual stacks
    (16, 32, 64), average pool, dense 10."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(*conv_bn_relu(3, 16, 3), ResBlock(16, 16, 1), ResBlock(16, 32, 2),
                                 ResBlock(32, 64, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class MobileNetV1(nn.Module):
    """MLPerf Tiny visual wake words: MobileNetV1 with width 0.25 at 96x96."""

    def __init__(self, alpha=0.25, classes=2):
        super().__init__()
        c = lambda n: int(n * alpha)  # noqa: E731
        cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
        layers = conv_bn_relu(3, c(32), 3, 2)
        cin = c(32)
        for cout, stride in cfg:
            layers += conv_bn_relu(cin, cin, 3, stride, groups=cin) + conv_bn_relu(cin, c(cout), 1)
            cin = c(cout)
        self.net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))

    def forward(self, x):
        return self.net(x)


class FcAutoencoder(nn.Module):
    """MLPerf Tiny anomaly detection: 640 -> 128 x4 -> 8 -> 128 x4 -> 640,
    dense + batch norm + ReLU."""

    def __init__(self):
        super().__init__()
        dims = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128]
        layers = []
        for a, b in zip(dims, dims[1:]):
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU()]
        self.net = nn.Sequential(*layers, nn.Linear(128, 640))

    def forward(self, x):
        return self.net(x)


def models():
    import torchvision
    for name in TORCHVISION:
        yield name, lambda n=name: getattr(torchvision.models, n)(), (1, 3, 224, 224)
    yield "ds_cnn_kws", DsCnn, (1, 1, 49, 10)
    yield "resnet8_cifar", ResNet8, (1, 3, 32, 32)
    yield "mobilenet_vww", MobileNetV1, (1, 3, 96, 96)
    yield "fc_autoencoder", FcAutoencoder, (1, 640)


def build(make):
    """The model in eval mode, seeded, with random but not degenerate
    batch-norm statistics."""
    torch.manual_seed(0)
    model = make().eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(os.path.expanduser("~"), ".cache", "edgec", "zoo"))
    p.add_argument("--only", default="", help="comma-separated model names")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    for name, make, shape in models():
        if only and name not in only:
            continue
        path = os.path.join(args.out, name + ".onnx")
        if os.path.exists(path):
            print(f"{name}: {path} (kept)")
            continue
        model = build(make)
        tmp = path + ".tmp"
        torch.onnx.export(model, torch.randn(*shape), tmp, opset_version=13,
                          input_names=["input"], output_names=["output"], do_constant_folding=True)
        os.replace(tmp, path)
        print(f"{name}: {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
