"""examples/firmware built as a user would (find_package(edgec),
edgec_add_model, the Cortex-M4 toolchain file), run on the MPS2 AN386 board
under qemu; its logits against ONNX Runtime on the same input.

  run_example.py --build-dir BUILD [--work DIR]

Also checks the build's dependencies: a second build does nothing, and a
newer model file makes edgec run again. Exits 1 on any failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLE = os.path.join(ROOT, "examples", "firmware")
MODEL = os.path.join(ROOT, "bench", "fashion_mnist", "fashion_cnn.onnx")


def run(cmd, **kw):
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", required=True, help="edgec's build directory (holds edgecConfig.cmake)")
    p.add_argument("--work", default="/tmp/edgec-firmware-example")
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    fw = os.path.join(args.work, "fw")
    model = os.path.join(args.work, "model.onnx")
    shutil.copy(MODEL, model)  # a copy, to touch it below
    run(["cmake", "-S", EXAMPLE, "-B", fw, "-G", "Ninja", f"-Dedgec_DIR={os.path.abspath(args.build_dir)}",
         f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(EXAMPLE, 'cortex-m4.cmake')}", f"-DMODEL={model}"])
    first = run(["ninja", "-C", fw]).stdout
    if "edgec: " not in first:
        print("FAIL: the first build did not run edgec"); return 1
    again = run(["ninja", "-C", fw]).stdout
    if "no work to do" not in again:
        print("FAIL: a second build did work:\n" + again); return 1
    os.utime(model)  # a newer model: edgec runs again, the firmware relinks
    third = run(["ninja", "-C", fw]).stdout
    if "edgec: " not in third or "Linking" not in third:
        print("FAIL: a newer model did not rebuild the artifact and the firmware:\n" + third); return 1

    # qemu writes the semihosting console to stderr.
    qemu = subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-semihosting", "-nographic", "-kernel",
                           os.path.join(fw, "firmware.elf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)
    print(qemu.stdout, end="")
    if qemu.returncode:
        print(f"FAIL: the firmware exited with {qemu.returncode}"); return 1
    return 0 if matches_onnx_runtime(qemu.stdout, args.work) else 1


def matches_onnx_runtime(console, work):
    """True when the example firmware's console output (its logits and class)
    agrees with ONNX Runtime on the firmware's test pattern; prints both."""
    m = re.search(r"logits \(x1e6\):((?: -?\d+)+)\s+class (\d+)", console)
    if not m:
        print("FAIL: the firmware printed no logits"); return False
    got = np.array([int(v) for v in m.group(1).split()], dtype=np.float64) / 1e6
    predicted = int(m.group(2))

    image = (np.arange(784) * 37 % 256).astype(np.float32) / np.float32(255)
    x = os.path.join(work, "x.bin")
    image.tofile(x)
    y = os.path.join(work, "y.bin")
    spec = os.path.join(work, "spec.json")
    with open(spec, "w") as f:
        json.dump({"inputs": [{"name": "image", "dtype": "float32", "shape": [1, 1, 28, 28], "file": x}],
                   "outputs": [{"name": "logits", "file": y}]}, f)
    subprocess.run(["node", os.path.join(ROOT, "test", "e2e", "ort_reference.js"), MODEL, spec], check=True)
    want = np.fromfile(y, dtype=np.float32).astype(np.float64)
    err = np.abs(got - want)
    ok = bool(np.all(err <= 1e-4 + 1e-3 * np.abs(want))) and predicted == int(np.argmax(want))
    print(f"firmware on mps2-an386 vs ONNX Runtime: max |error| {err.max():.2e}, class {predicted} "
          f"(ONNX Runtime: {int(np.argmax(want))}): {'ok' if ok else 'MISMATCH'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
