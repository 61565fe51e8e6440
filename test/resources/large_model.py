#!/usr/bin/env python3
"""A model with 100 MB of weights compiles for the host within bounded memory.

  large_model.py --edgec BIN [--work DIR] [--megabytes 100]

Builds an MLP whose Gemm weights take --megabytes (float32, random), with
onnx's helpers, compiles it with `edgec compile` and reads the compile's
peak resident memory from the kernel (the child's ru_maxrss). Fails when
the compile fails, when its peak exceeds the bound below, or when the
artifact does not hold the weights. Prints the figures; wall time is
printed, never checked.

The bound: at the compile's peak (LLVM's code generation) edgec holds four
copies of the weights: the graph's constants (an MLIR resource, shared by
every target of a multi-target compile), LLVM's constants, the assembler's
fragments and the object being written (sized up front, so it never
doubles). With 300 MB for LLVM, MLIR and the rest the peak must stay under
5 x weights + 300 MB. Measured (docs/design/reliability.md): 25 MB -> 235 MB,
100 MB -> 563 MB, 200 MB -> 957 MB, 2.3 s for 100 MB.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make_model(path, megabytes):
    # Four square layers of width w hold 4 w^2 floats.
    width = int((megabytes * 1e6 / 16) ** 0.5) // 64 * 64
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    name = "x"
    for i in range(4):
        w = rng.standard_normal((width, width), dtype=np.float32) * (1.0 / width ** 0.5)
        b = np.zeros(width, dtype=np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        out = f"h{i}" if i < 3 else "y"
        nodes.append(helper.make_node("Gemm", [name, f"w{i}", f"b{i}"], [f"g{i}" if i < 3 else out]))
        if i < 3:
            nodes.append(helper.make_node("Relu", [f"g{i}"], [out]))
        name = out
    graph = helper.make_graph(nodes, "large", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, width])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)
    return width, 4 * width * width * 4


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", required=True)
    p.add_argument("--work", default=None)
    p.add_argument("--megabytes", type=float, default=100)
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="edgec-large-")
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "large.onnx")
    width, weight_bytes = make_model(model, args.megabytes)
    print(f"large.onnx: 4 Gemm layers of {width}x{width}, {weight_bytes / 1e6:.1f} MB of weights, "
          f"file {os.path.getsize(model) / 1e6:.1f} MB")
    out = os.path.join(work, "out")
    start = time.monotonic()
    r = subprocess.run([os.path.abspath(args.edgec), "compile", model, "--target", "host", "-o", out],
                       capture_output=True, text=True)
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux reports KiB
    bound = 5 * weight_bytes + 300e6
    print(f"compile: exit {r.returncode}, {seconds:.1f} s, peak resident {peak / 1e6:.0f} MB "
          f"({peak / weight_bytes:.2f} x the weights); bound {bound / 1e6:.0f} MB")
    if r.returncode != 0:
        print(r.stderr[-2000:])
        return 1
    archive = os.path.join(out, "liblarge.a")
    size = os.path.getsize(archive)
    print(f"liblarge.a: {size / 1e6:.1f} MB")
    ok = peak <= bound and size >= weight_bytes
    print("PASS" if ok else "FAIL: " + ("peak above the bound" if peak > bound else "archive smaller than the weights"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
