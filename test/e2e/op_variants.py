"""Op variants the ONNX test data leaves out, as hand-made one-node models,
compiled by edgec and compared with ONNX Runtime (run_model.py) on seeded
inputs: MaxPool's Indices (dilations, ceil_mode, column-major storage, 1-D
and 3-D), NonMaxSuppression (centre boxes, a score threshold, batches and
classes, a limit given at run time), Unique along an axis, NonZero of a 3-D
tensor, Compress without an axis. Outputs of run-time size are compared on
their counted part, and the count with ONNX Runtime's size.

  op_variants.py [--edgec BIN] [--target T]

Prints one line per model and 'N passed, N failed'. Needs ONNX Runtime
(EDGEC_ORT_DIR); without it prints SKIP."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def model(node, inputs, outputs, inits=()):
    g = helper.make_graph([node], "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return onnx.shape_inference.infer_shapes(m)


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def i64(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.INT64, shape)


def maxpool(shape, **attrs):
    return model(helper.make_node("MaxPool", ["x"], ["y", "i"], **attrs), [f32("x", shape)],
                 [f32("y", None), i64("i", None)]), {}


def boxes(rng, batches, n, centre):
    """Boxes that overlap each other often: corners, or centre and size."""
    xy = rng.uniform(0, 20, (batches, n, 2))
    wh = rng.uniform(4, 12, (batches, n, 2))
    if centre:
        return np.concatenate([xy, wh], -1).astype(np.float32)
    return np.concatenate([xy, xy + wh], -1)[..., [1, 0, 3, 2]].astype(np.float32)  # [y1, x1, y2, x2]


def nms(rng, batches, classes, n, centre, limit, iou, score):
    inputs = [f32("boxes", [batches, n, 4]), f32("scores", [batches, classes, n]), i64("limit", [1])]
    node = helper.make_node("NonMaxSuppression", ["boxes", "scores", "limit", "iou", "score"], ["selected"],
                            center_point_box=int(centre))
    inits = [helper.make_tensor("iou", TensorProto.FLOAT, [1], [iou]),
             helper.make_tensor("score", TensorProto.FLOAT, [1], [score])]
    given = {"boxes": boxes(rng, batches, n, centre),
             "scores": rng.uniform(0, 1, (batches, classes, n)).astype(np.float32),
             "limit": np.array([limit], np.int64)}
    return model(node, inputs, [i64("selected", None)], inits), given


def cases(rng):
    yield "maxpool_dilated_ceil", maxpool([2, 3, 9, 8], kernel_shape=[3, 2], strides=[2, 3], pads=[1, 0, 1, 1],
                                          dilations=[1, 2], ceil_mode=1)
    yield "maxpool_column_major", maxpool([1, 2, 7, 6], kernel_shape=[2, 3], strides=[2, 1], pads=[0, 1, 1, 1],
                                          storage_order=1)
    yield "maxpool_3d", maxpool([1, 2, 5, 6, 4], kernel_shape=[2, 2, 2], strides=[1, 2, 2], pads=[1, 0, 0, 0, 1, 1])
    yield "maxpool_1d_ceil", maxpool([2, 2, 11], kernel_shape=[4], strides=[3], ceil_mode=1)
    yield "nms_corners", nms(rng, 2, 3, 24, False, 5, 0.3, 0.2)
    yield "nms_centre_boxes", nms(rng, 1, 2, 30, True, 100, 0.5, 0.0)
    yield "nms_no_boxes_left", nms(rng, 1, 1, 8, False, 3, 0.5, 2.0)
    yield "unique_axis", (model(helper.make_node("Unique", ["x"], ["y", "idx", "inv", "cnt"], axis=1, sorted=1),
                                [f32("x", [2, 7, 3])], [f32("y", None), i64("idx", None), i64("inv", None),
                                                        i64("cnt", None)]),
                          {"x": rng.integers(0, 2, (2, 7, 3)).astype(np.float32)})
    yield "unique_unsorted", (model(helper.make_node("Unique", ["x"], ["y", "idx", "inv", "cnt"], sorted=0),
                                    [i64("x", [12])], [i64("y", None), i64("idx", None), i64("inv", None),
                                                      i64("cnt", None)]),
                              {"x": rng.integers(-3, 4, (12,)).astype(np.int64)})
    yield "nonzero_3d", (model(helper.make_node("NonZero", ["x"], ["y"]), [f32("x", [3, 4, 5])], [i64("y", None)]),
                         {"x": (rng.uniform(0, 1, (3, 4, 5)) > 0.6).astype(np.float32)})
    yield "compress_flat", (model(helper.make_node("Compress", ["x", "c"], ["y"]),
                                  [f32("x", [3, 4]), helper.make_tensor_value_info("c", TensorProto.BOOL, [9])],
                                  [f32("y", [None])]),
                            {"x": rng.standard_normal((3, 4)).astype(np.float32),
                             "c": rng.integers(0, 2, (9,)).astype(bool)})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--target", default="host")
    args = p.parse_args()
    if not os.path.isdir(os.path.join(os.environ.get("EDGEC_ORT_DIR", ""), "node_modules", "onnxruntime-node")):
        print("SKIP: no ONNX Runtime (EDGEC_ORT_DIR)")
        print("0 passed, 0 failed")
        return 0
    rng = np.random.default_rng(20261207)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="edgec-variants-") as work:
        for name, (m, given) in cases(rng):
            path = os.path.join(work, name + ".onnx")
            onnx.save(m, path)
            flags = []
            for k, v in given.items():
                np.save(os.path.join(work, f"{name}_{k}.npy"), v)
                flags += ["--input", f"{k}={os.path.join(work, f'{name}_{k}.npy')}"]
            r = subprocess.run([sys.executable, os.path.join(HERE, "run_model.py"), "--edgec", args.edgec, "--target",
                                args.target, "--work", os.path.join(work, name)] + flags + [path],
                               capture_output=True, text=True)
            lines = (r.stdout + r.stderr).strip().splitlines()
            ok = r.returncode == 0
            passed += ok
            failed += not ok
            print(f"{'PASS' if ok else 'FAIL'} {name}: " + ("; ".join(lines[-4:]) if lines else ""))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
