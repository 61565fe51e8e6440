"""Floor, Ceil, Round, Sqrt, Max and Min on the values where software
expansions go wrong (signed zeros, halves, 2^23 and beyond, infinities,
NaN, subnormals), on targets whose FPU has the instruction and on targets
where edgec-approximate-math expands it (Cortex-M4, rv32imac, Hexagon):
the first target edgec lists of each set of expansions its pipeline gives
(host, cortex-m4, cortex-m7, rv32imac, rv32imafc, hexagon-v67), each
compared with numpy. Rounding and max/min must be exact (sign of zero
included: max(-0, +0) = +0 and min(-0, +0) = -0, as IEEE 754 maximum and
minimum say, where numpy leaves the zeros unordered); sqrt within 2 ulp.
Prints 'N passed, N failed'.

  special_values.py [--edgec BIN]"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import edgec_targets  # noqa: E402

EDGEC = os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec")
X = np.array([0.0, -0.0, 0.3, -0.3, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999997, 8388607.5, 8388609.0,
              -8388609.0, 1e30, -1e30, np.inf, -np.inf, np.nan, 1e-40, 1e-45, 2.0, 4.0, 0.25, 123.456,
              3.4e38, 1.17549435e-38, -7.0], np.float32)
Y = np.roll(X, 1)
UNARY = {"Floor": np.floor, "Ceil": np.ceil, "Round": np.round, "Sqrt": np.sqrt}
def ieee_max_min(pick_max):
    """numpy's maximum/minimum with IEEE 754's order of signed zeros."""
    def f(x, y):
        r = np.maximum(x, y) if pick_max else np.minimum(x, y)
        zeros = (x == 0) & (y == 0)
        negative = (np.signbit(x) & np.signbit(y)) if pick_max else (np.signbit(x) | np.signbit(y))
        return np.where(zeros, np.where(negative, np.float32(-0.0), np.float32(0.0)), r).astype(np.float32)
    return f


BINARY = {"Max": ieee_max_min(True), "Min": ieee_max_min(False)}


def model(path):
    n = len(X)
    outs = list(UNARY) + list(BINARY)
    nodes = [helper.make_node(o, ["x"], [o]) for o in UNARY] + [helper.make_node(o, ["x", "y"], [o]) for o in BINARY]
    g = helper.make_graph(nodes, "special_values",
                          [helper.make_tensor_value_info(v, TensorProto.FLOAT, [n]) for v in "xy"],
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, [n]) for o in outs])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    return outs


def one_per_expansion_set(edgec):
    """The first target of each distinct set of what edgec-approximate-math
    expands (rounding, sqrt, max/min), in edgec's order."""
    return edgec_targets.first_of_each(
        edgec, lambda t: sorted(edgec_targets.expansions(edgec, t["name"]).items()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--edgec", default=EDGEC)
    edgec = p.parse_args().edgec
    passed = failed = 0
    with tempfile.TemporaryDirectory() as work, np.errstate(all="ignore"):
        outs = model(os.path.join(work, "m.onnx"))
        X.tofile(os.path.join(work, "x.bin"))
        Y.tofile(os.path.join(work, "y.bin"))
        want = [f(X) for f in UNARY.values()] + [f(X, Y) for f in BINARY.values()]
        for target in one_per_expansion_set(edgec):
            saved = os.path.join(work, target)
            r = subprocess.run([edgec, "run", os.path.join(work, "m.onnx"), "--target", target, "--input",
                                os.path.join(work, "x.bin"), "--input", os.path.join(work, "y.bin"),
                                "--save-outputs", saved], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {target}: edgec run exit {r.returncode}: {r.stderr.strip()[-300:]}")
                failed += 1
                continue
            problems = []
            for k, (name, ref) in enumerate(zip(outs, want)):
                got = np.fromfile(os.path.join(saved, f"out{k}.bin"), np.float32)
                both_nan = np.isnan(got) & np.isnan(ref)
                if name == "Sqrt":
                    ulps = np.abs(got.view(np.int32).astype(np.int64) - ref.view(np.int32).astype(np.int64))
                    ok = both_nan | (ulps <= 2)
                else:
                    ok = both_nan | ((got == ref) & (np.signbit(got) == np.signbit(ref)))
                for i in np.flatnonzero(~ok):
                    problems.append(f"{name}({X[i]!r}{', ' + repr(Y[i]) if name in BINARY else ''}) = {got[i]!r}, numpy {ref[i]!r}")
            print(f"{'PASS' if not problems else 'FAIL'} {target}")
            for p in problems:
                print("    " + p)
            passed += not problems
            failed += bool(problems)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
