#!/usr/bin/python3
"""ctest crashers: every input the fuzzers found (test/fuzz/crashers/), run
through each command a user has, must be refused cleanly by the release
edgec: exit 1 (2 for a file given to `run --input`, which is an argument),
one or more `edgec: error:` lines on stderr and nothing else there (no
crash report, no stack dump), none of them the ONNX isolation's (each
crasher is fixed by edgec's own checks; the isolation is the net below
them), and nothing written.

  - models (fuzz_onnx_bytes/, fuzz_onnx_structured/, and fuzz_graph_mlir/
    as .mlir): edgec compile, run, import and inspect;
  - tensor files (fuzz_tensor_files/), as .npy and as .pb: edgec run
    --input, and edgec compile --quantize int8 --calibration DIR.

    refuse_crashers.py EDGEC WORK_DIR

Prints a line per input and command, then the counts; exits 1 on any
difference. The fuzzers' own run (run_fuzzers.py) checks the same inputs
in-process, under the sanitizers.
"""
import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRASHERS = os.path.join(HERE, "crashers")
# What the ONNX isolation says when ONNX's own code dies.
ISOLATED = ("crashed (", "ran out of memory", "did not finish in", " threw ", "ended the process")
# A model with one float input of 3x4x5, for the tensor files.
RELU = "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx"


def check(cmd, out, label, code=1):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    lines = r.stderr.splitlines()
    problems = []
    if r.returncode != code:
        problems.append(f"exit {r.returncode}, expected {code}")
    if not lines or any(not l.startswith("edgec: error: ") for l in lines):
        problems.append("stderr is not only edgec's errors:\n    " + "\n    ".join(lines[-20:]))
    # Each crasher is fixed by edgec's own checks: refusing it only because
    # ONNX's code died in the child process means the fix was lost.
    if any(m in r.stderr for m in ISOLATED):
        problems.append("refused by the ONNX isolation, not by edgec's checks: " + r.stderr.strip())
    if out and os.path.exists(out):
        problems.append(f"{out} was written")
    print(f"{'ok  ' if not problems else 'FAIL'} {label}" + ("" if problems else f": {lines[0][len('edgec: error: '):]}")
          + "".join("\n  " + p for p in problems), flush=True)
    return not problems


def main():
    edgec, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    results = []
    models = sorted(glob.glob(os.path.join(CRASHERS, "fuzz_onnx_*", "*")) +
                    glob.glob(os.path.join(CRASHERS, "fuzz_graph_mlir", "*")))
    for path in models:
        name = os.path.basename(path)
        model = os.path.join(work, name + (".mlir" if "fuzz_graph_mlir" in path else ".onnx"))
        shutil.copyfile(path, model)
        out = os.path.join(work, name)
        for command, cmd, written in (
                ("compile", [edgec, "compile", model, "--target", "host", "-o", out + ".compiled"], out + ".compiled"),
                ("run", [edgec, "run", model, "--save-outputs", out + ".outputs"], out + ".outputs"),
                ("import", [edgec, "import", model, "-o", out + ".imported.mlir"], out + ".imported.mlir"),
                ("inspect", [edgec, "inspect", model, "--target", "host"], None)):
            results.append(check(cmd, written, f"{command} {name}"))
    tensors = sorted(glob.glob(os.path.join(CRASHERS, "fuzz_tensor_files", "*")))
    if tensors and not os.path.exists(RELU):
        print(f"crashers: {RELU} missing (libonnx-testdata); tensor files not checked")
        return 1
    for path in tensors:
        name = os.path.basename(path)
        for ext in (".npy", ".pb"):
            calibration = os.path.join(work, name + ext + ".samples")
            os.makedirs(calibration)
            tensor = os.path.join(calibration, "input_0" + ext)
            shutil.copyfile(path, tensor)
            out = os.path.join(work, name + ext)
            results.append(check([edgec, "run", RELU, "--input", tensor, "--save-outputs", out + ".outputs"],
                                 out + ".outputs", f"run --input {name}{ext}", code=2))
            results.append(check([edgec, "compile", RELU, "--quantize", "int8", "--calibration", calibration,
                                  "-o", out + ".compiled"], out + ".compiled", f"compile --calibration {name}{ext}"))
    failed = results.count(False)
    print(f"crashers: {len(results) - failed} passed, {failed} failed "
          f"({len(models)} models x 4 commands, {len(tensors)} tensor files x 2 formats x 2 commands)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
