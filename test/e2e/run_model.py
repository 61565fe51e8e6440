"""Compiles an ONNX model with edgec for a target, runs it on inputs (on
the host through a C harness; on any other target with `edgec run
--target T`, under the target's emulator), runs ONNX Runtime (CPU, one
thread) on the same inputs, and compares the outputs.

  run_model.py MODEL [--edgec BIN] [--target T] [--work DIR] [--sanitize]
               [--seed N] [--input NAME=FILE.npy]... [-- EDGEC_COMPILE_FLAGS...]

Inputs not given are drawn from a normal distribution (seeded). Inputs fixed
with --input-value in the edgec flags are fed to ONNX Runtime as given.
Tolerance: |edgec - ort| <= atol + rtol * |ort| with atol 1e-4, rtol 1e-3
for float outputs (edgec uses polynomial exp/log/tanh and its own summation
order); integer and bool outputs must be equal.
Prints one line per output and exits 1 on any mismatch.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

from harness_build import NUMPY_DTYPE, harness_command, random_input, write_fixed_inputs

HERE = os.path.dirname(os.path.abspath(__file__))
ATOL, RTOL = 1e-4, 1e-3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--target", default="host")
    p.add_argument("--work", default=None)
    p.add_argument("--sanitize", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--input", action="append", default=[])
    p.add_argument("flags", nargs="*")
    args = p.parse_args()
    work = args.work or os.path.join("/tmp", "edgec-run-" + os.path.basename(args.model))
    os.makedirs(work, exist_ok=True)
    art = os.path.join(work, "artifact")

    subprocess.run([args.edgec, "compile", args.model, "-o", art, "--name", "m", "--target", args.target]
                   + args.flags, check=True, stdout=subprocess.DEVNULL)
    manifest = json.load(open(os.path.join(art, "manifest.json")))

    rng = np.random.default_rng(args.seed)
    given = dict(s.split("=", 1) for s in args.input)
    inputs = []
    for i, t in enumerate(manifest["inputs"]):
        if t["name"] in given:
            value = np.load(given[t["name"]]).astype(NUMPY_DTYPE[t["dtype"]])
        else:
            value = random_input(rng, t)
        path = os.path.join(work, f"in{i}.bin")
        value.tofile(path)
        inputs.append((t, value, path))

    ours = [os.path.join(work, f"out{i}.bin") for i in range(len(manifest["outputs"]))]
    if args.target == "host":
        harness = os.path.join(work, "harness")
        subprocess.run(harness_command(art, manifest, harness, args.sanitize), check=True)
        subprocess.run([harness] + [p for _, _, p in inputs] + ours, check=True)
    else:
        cmd = [args.edgec, "run", args.model, "--name", "m", "--target", args.target, "--save-outputs", work]
        for _, _, path in inputs:
            cmd += ["--input", path]
        subprocess.run(cmd + args.flags, check=True, stdout=subprocess.DEVNULL)

    spec_inputs = [{"name": t["name"], "dtype": t["dtype"], "shape": t["shape"], "file": path}
                   for t, _, path in inputs]
    spec_inputs += write_fixed_inputs(args.flags, args.model, work)
    # A count output (the run-time size of another output) is edgec's: ONNX
    # Runtime's output has that size instead.
    counts = {t["count_output"] for t in manifest["outputs"] if "runtime_dim" in t}
    outputs = [(t, mine, os.path.join(work, f"ort{i}.bin"))
               for i, (t, mine) in enumerate(zip(manifest["outputs"], ours)) if i not in counts]
    spec = {"inputs": spec_inputs, "outputs": [{"name": t["name"], "file": f} for t, _, f in outputs]}
    json.dump(spec, open(os.path.join(work, "spec.json"), "w"))
    subprocess.run(["node", os.path.join(HERE, "ort_reference.js"), args.model,
                    os.path.join(work, "spec.json")], check=True)

    ok = True
    for t, mine, ref in outputs:
        dtype = NUMPY_DTYPE[t["dtype"]]
        a = np.fromfile(mine, dtype=dtype).reshape(t["shape"])
        b = np.fromfile(ref, dtype=dtype)
        if "runtime_dim" in t:
            # Sized for the bound: the first `count` along the dim hold data.
            d = t["runtime_dim"]
            count = int(np.fromfile(ours[t["count_output"]], dtype=np.int64)[0])
            rest = int(np.prod(t["shape"])) // max(t["shape"][d], 1)
            shape = list(t["shape"])
            shape[d] = b.size // rest if rest else 0
            if not 0 <= count <= t["shape"][d] or count != shape[d]:
                print(f"{t['name']}: MISMATCH run-time size {count}, ONNX Runtime's {shape[d]}")
                ok = False
                continue
            a = np.take(a, np.arange(count), axis=d)
            b = b.reshape(shape)
        else:
            b = b.reshape(t["shape"])
        if np.issubdtype(dtype, np.floating):
            # Infinities and NaN must sit where ONNX Runtime has them (a
            # masked attention score is -inf); the other values are compared.
            special = ~np.isfinite(b)
            same_special = np.array_equal(np.isnan(a), np.isnan(b)) and \
                np.array_equal(np.where(np.isinf(b), b, 0), np.where(np.isinf(a), a, 0))
            err = np.abs(np.where(special, 0, a.astype(np.float64)) - np.where(special, 0, b))
            rel = err / np.maximum(np.abs(np.where(special, 0, b)), 1e-30)
            good = same_special and bool(np.all(err <= ATOL + RTOL * np.abs(np.where(special, 0, b))))
            print(f"{t['name']}: {'match' if good else 'MISMATCH'} max abs err {err.max():.3g}, "
                  f"max rel err {rel.max():.3g} ({a.size} values"
                  + (f", {int(special.sum())} inf/nan in place" if same_special and special.any() else
                     ", inf/nan misplaced" if not same_special else "") + ")")
        else:
            good = bool(np.array_equal(a, b))
            print(f"{t['name']}: {'match' if good else 'MISMATCH'} ({a.size} values, exact)")
        ok &= good
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
