#!/usr/bin/env python3
"""Writes a pre-quantised (QDQ) version of the Fashion-MNIST CNN, the way
ONNX Runtime's static quantiser lays one out, to test edgec's import of
already-quantised models:

    /usr/bin/python3 bench/fashion_mnist/make_qdq.py OUT.onnx [--calibration-count 500]

Activation ranges come from a numpy forward pass of the float model over
training images (min/max); activations are int8 per tensor (asymmetric),
weights int8 per output channel (symmetric), biases int32 at
input_scale * weight_scale. Every value feeding a Conv/Gemm goes through
QuantizeLinear -> DequantizeLinear, as do their (ReLU) outputs.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dataset  # noqa: E402


def conv2d(x, w, b):  # NCHW, 3x3, stride 1, pad 1
    n, c, h, wd = x.shape
    k = w.shape[2]
    p = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    cols = np.stack([xp[:, :, i:i + h, j:j + wd] for i in range(k) for j in range(k)], axis=2)
    # cols [n, c, k*k, h, w]; w [oc, c, k, k]
    return np.einsum("nckhw,ock->nohw", cols, w.reshape(w.shape[0], c, k * k)) + b[None, :, None, None]


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def forward(weights, x):
    """The float model's tensors that get quantised, by name."""
    t = {"image": x}
    t["relu1"] = np.maximum(conv2d(x, weights["onnx::Conv_30"], weights["onnx::Conv_31"]), 0)
    t["relu2"] = np.maximum(conv2d(maxpool2(t["relu1"]), weights["onnx::Conv_33"], weights["onnx::Conv_34"]), 0)
    flat = maxpool2(t["relu2"]).reshape(len(x), -1)
    t["relu3"] = np.maximum(flat @ weights["classifier.1.weight"].T + weights["classifier.1.bias"], 0)
    t["logits"] = t["relu3"] @ weights["classifier.3.weight"].T + weights["classifier.3.bias"]
    return t


def activation_params(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    return np.float32(scale), np.int8(np.clip(round(-128 - lo / scale), -128, 127))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--calibration-count", type=int, default=500)
    args = p.parse_args()
    model = onnx.load(os.path.join(HERE, "fashion_cnn.onnx"))
    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    train_x, _ = dataset.load("train")
    rng = np.random.default_rng(0)
    x = train_x[rng.choice(len(train_x), args.calibration_count, replace=False)]
    ranges = {k: (float(v.min()), float(v.max())) for k, v in forward(weights, x).items()}

    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def qdq(value, key):
        """value -> Q -> DQ with the range of tensor `key`."""
        scale, zp = activation_params(*ranges[key])
        s, z = const(f"{value}_scale", scale), const(f"{value}_zp", zp)
        nodes.append(helper.make_node("QuantizeLinear", [value, s, z], [f"{value}_q"]))
        nodes.append(helper.make_node("DequantizeLinear", [f"{value}_q", s, z], [f"{value}_dq"]))
        return f"{value}_dq", float(scale)

    def weight(name, in_scale):
        w = weights[name]
        flat = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
        scales = np.where(flat > 0, flat / 127.0, 1.0).astype(np.float32)
        q = np.clip(np.round(w / scales.reshape(-1, *[1] * (w.ndim - 1))), -127, 127).astype(np.int8)
        s, z = const(f"{name}_scale", scales), const(f"{name}_zp", np.zeros(len(scales), np.int8))
        nodes.append(helper.make_node("DequantizeLinear", [const(f"{name}_q", q), s, z], [f"{name}_dq"], axis=0))
        return f"{name}_dq", scales * np.float32(in_scale)

    def bias(name, scales):
        b = np.round(weights[name] / scales).astype(np.int32)
        s, z = const(f"{name}_scale", scales.astype(np.float32)), const(f"{name}_zp", np.zeros(len(b), np.int32))
        nodes.append(helper.make_node("DequantizeLinear", [const(f"{name}_q", b), s, z], [f"{name}_dq"], axis=0))
        return f"{name}_dq"

    x_dq, sx = qdq("image", "image")
    w, ws = weight("onnx::Conv_30", sx)
    nodes.append(helper.make_node("Conv", [x_dq, w, bias("onnx::Conv_31", ws)], ["conv1"], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["conv1"], ["relu1"]))
    r1, s1 = qdq("relu1", "relu1")
    nodes.append(helper.make_node("MaxPool", [r1], ["pool1"], kernel_shape=[2, 2], strides=[2, 2]))
    p1, _ = qdq("pool1", "relu1")  # a pool keeps its input's quantisation
    w, ws = weight("onnx::Conv_33", s1)
    nodes.append(helper.make_node("Conv", [p1, w, bias("onnx::Conv_34", ws)], ["conv2"], pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["conv2"], ["relu2"]))
    r2, s2 = qdq("relu2", "relu2")
    nodes.append(helper.make_node("MaxPool", [r2], ["pool2"], kernel_shape=[2, 2], strides=[2, 2]))
    nodes.append(helper.make_node("Flatten", ["pool2"], ["flat"]))
    f, _ = qdq("flat", "relu2")
    w, ws = weight("classifier.1.weight", s2)
    nodes.append(helper.make_node("Gemm", [f, w, bias("classifier.1.bias", ws)], ["fc1"], transB=1))
    nodes.append(helper.make_node("Relu", ["fc1"], ["relu3"]))
    r3, s3 = qdq("relu3", "relu3")
    w, ws = weight("classifier.3.weight", s3)
    nodes.append(helper.make_node("Gemm", [r3, w, bias("classifier.3.bias", ws)], ["fc2"], transB=1))
    out, _ = qdq("fc2", "logits")
    nodes.append(helper.make_node("Identity", [out], ["logits"]))

    graph = helper.make_graph(
        nodes, "fashion_cnn_qdq",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    qdq_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(qdq_model)
    onnx.save(qdq_model, args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
