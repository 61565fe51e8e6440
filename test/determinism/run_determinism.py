#!/usr/bin/env python3
"""Every test model compiled twice, in two set-ups that should not matter,
must give byte-identical artifacts (or, for a model edgec refuses, the same
diagnostic and exit code).

  run_determinism.py --edgec BIN [--work DIR] [--jobs N] [--stride K]

The models: the four of ../shared/models (as their e2e flags give, for the
first target edgec lists of each instruction set, not the NPU: host,
cortex-m4, cortex-a53, rv32imac and hexagon-v67), bench/fashion_mnist's
CNN (float for those targets, int8 with calibration for cortex-m4 and npu)
and every model of the ONNX test data's node, simple and pytorch suites for
the host (--stride K takes every K-th, for a quick look).

The two compiles differ in all a build machine might: working directory
(and so relative vs absolute model and output paths), the environment's
order and contents (locale, time zone, HOME, unrelated variables), the
output directory's name and LLVM's thread count (-j2 vs -j1). Prints a
line per difference and a summary; exits 1 on any difference.

  --against OLD_BIN  the first compile of each pair uses OLD_BIN: a change
                     meant to leave every artifact and every diagnostic as
                     it was (a refactoring) is checked against the binary
                     of the commit before it.
  --zoo DIR          also the zoo's models (bench/make_zoo.py) for host and
                     cortex-a53, and int8 with calibration for cortex-m4
                     and the NPU.
"""
import argparse
import concurrent.futures
import filecmp
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import edgec_targets  # noqa: E402

SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "models"))
DATA = "/usr/share/libonnx-testdata/data"
SHARED_FLAGS = {
    "hey_mycroft_v0.1.onnx": [],
    "embedding_model.onnx": ["--dim", "unk__314=1"],
    "melspectrogram.onnx": ["--input-shape", "input=1x1760"],
    "silero_vad_legacy.onnx": ["--dim", "batch=1", "--dim", "sequence=512", "--input-value", "sr=16000"],
}


def zoo_cases(zoo, work):
    """The zoo's models: float for two targets, int8 for two more."""
    out = []
    rng = np.random.default_rng(1)
    for path in sorted(glob.glob(os.path.join(zoo, "*.onnx"))):
        name = os.path.basename(path)
        out.append((f"zoo/{name} [host,cortex-a53]", path, ["--target", "host,cortex-a53"]))
        import onnx
        shape = [d.dim_value for d in onnx.load(path, load_external_data=False)
                 .graph.input[0].type.tensor_type.shape.dim]
        calibration = os.path.join(work, "calibration-" + name)
        os.makedirs(calibration)
        for i in range(4):
            np.save(os.path.join(calibration, f"sample{i}.npy"), rng.random(shape, dtype=np.float32))
        out.append((f"zoo/{name} int8 [cortex-m4,npu]", path,
                    ["--target", "cortex-m4,npu", "--quantize", "int8", "--calibration", calibration]))
    return out


def one_per_arch(edgec):
    """The first target of each instruction set in edgec's order, not the
    NPU (the host's CPU with it): as "a,b,c" for --target."""
    return ",".join(edgec_targets.first_of_each(edgec, edgec_targets.arch,
                                                lambda t: not edgec_targets.is_npu(edgec, t["name"])))


def cases(edgec, stride, calibration):
    """(label, model, flags) for every compile."""
    out = []
    cross = one_per_arch(edgec)
    for name, flags in SHARED_FLAGS.items():
        path = os.path.join(SHARED, name)
        if os.path.exists(path):
            out.append((f"{name} [{cross}]", path, flags + ["--target", cross]))
        else:
            print(f"skipped: {path} is missing (../shared/models beside the repository)")
    fashion = os.path.join(ROOT, "bench", "fashion_mnist", "fashion_cnn.onnx")
    if not os.path.exists(fashion):
        sys.exit(f"run_determinism: {fashion} is missing")
    out.append(("fashion_cnn.onnx [" + cross + "]", fashion, ["--target", cross]))
    out.append(("fashion_cnn.onnx int8 [cortex-m4,npu]", fashion,
                ["--target", "cortex-m4,npu", "--quantize", "int8", "--calibration", calibration]))
    models = sorted(glob.glob(os.path.join(DATA, "node", "*", "model.onnx")) +
                    glob.glob(os.path.join(DATA, "simple", "*", "model.onnx")) +
                    glob.glob(os.path.join(DATA, "pytorch-*", "*", "model.onnx")))
    for path in models[::stride]:
        suite, case = path.split(os.sep)[-3:-1]
        out.append((f"{suite}/{case}", path, ["--target", "host"]))
    return out


def setups(work, index):
    """The two set-ups of compile `index`: (cwd, env, model path maker, output, extra flags)."""
    base = {k: v for k, v in os.environ.items() if k not in ("TZ", "LC_ALL", "LANG")}
    a_dir = os.path.join(work, "a", str(index))
    b_dir = os.path.join(work, "b", "elsewhere", "deeper", str(index))
    os.makedirs(a_dir)
    os.makedirs(b_dir)
    env_a = dict(sorted(base.items()), TZ="UTC", LC_ALL="C")
    env_b = dict(reversed(sorted(base.items())))
    env_b.update(TZ="Asia/Kolkata", LANG="de_DE.UTF-8", HOME=b_dir, EDGEC_DETERMINISM_PROBE="1")
    return [
        (a_dir, env_a, lambda m: os.path.abspath(m), "out", ["-j2"]),
        (b_dir, env_b, lambda m: os.path.relpath(m, b_dir), os.path.join(b_dir, "artifact-b"), ["-j1"]),
    ]


def compare_trees(a, b):
    """Relative paths that differ between directories a and b."""
    diffs = []
    names_a = sorted(os.path.relpath(os.path.join(d, f), a) for d, _, fs in os.walk(a) for f in fs)
    names_b = sorted(os.path.relpath(os.path.join(d, f), b) for d, _, fs in os.walk(b) for f in fs)
    diffs += [f"only in the first: {n}" for n in sorted(set(names_a) - set(names_b))]
    diffs += [f"only in the second: {n}" for n in sorted(set(names_b) - set(names_a))]
    for n in sorted(set(names_a) & set(names_b)):
        if not filecmp.cmp(os.path.join(a, n), os.path.join(b, n), shallow=False):
            diffs.append(f"differs: {n}")
    return diffs


def run_case(edgecs, work, index, case):
    label, model, flags = case
    results = []
    for edgec, (cwd, env, model_path, output, extra) in zip(edgecs, setups(work, index)):
        r = subprocess.run([edgec, "compile", model_path(model), "-o", output] + flags + extra,
                           cwd=cwd, env=env, capture_output=True, text=True)
        out_dir = output if os.path.isabs(output) else os.path.join(cwd, output)
        # Paths given on the command line may appear in diagnostics; nothing else may differ.
        stderr = r.stderr.replace(model_path(model), "MODEL")
        # Progress lines before a refusal (calibration) carry timings.
        stderr = re.sub(r"\b\d+(\.\d+)? (s|ms)\b", "TIME", stderr)
        results.append((r.returncode, stderr, out_dir))
    (rc_a, err_a, dir_a), (rc_b, err_b, dir_b) = results
    # A refusal's diagnostic must be the same; a compile's progress lines
    # carry timings, so only its artifact is compared.
    if rc_a != rc_b or (rc_a != 0 and err_a != err_b):
        return label, rc_a, [f"exit {rc_a} vs {rc_b}; stderr {err_a.strip()[:200]!r} vs {err_b.strip()[:200]!r}"]
    # A refusal is exit 1 with a diagnostic; a crash or an internal error is
    # a failure however repeatable.
    if rc_a not in (0, 1) or "internal error" in err_a:
        return label, rc_a, [f"exit {rc_a}: {err_a.strip()[:300]!r}"]
    if rc_a != 0:
        return label, rc_a, []
    return label, rc_a, compare_trees(dir_a, dir_b)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", required=True)
    p.add_argument("--work", default=None)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--against", default=None, help="the binary of the first compile of each pair")
    p.add_argument("--zoo", default=None, help="a directory of bench/make_zoo.py's models")
    args = p.parse_args()
    edgec = os.path.abspath(args.edgec)
    edgecs = [os.path.abspath(args.against) if args.against else edgec, edgec]
    work = args.work or tempfile.mkdtemp(prefix="edgec-determinism-")
    if args.work:
        subprocess.run(["rm", "-rf", work], check=True)
    os.makedirs(work)
    calibration = os.path.join(work, "calibration")
    os.makedirs(calibration)
    rng = np.random.default_rng(0)
    for i in range(8):
        np.save(os.path.join(calibration, f"sample{i}.npy"), rng.random((1, 1, 28, 28), dtype=np.float32))
    compiles_to_do = cases(edgec, args.stride, calibration)
    if args.zoo:
        compiles_to_do += zoo_cases(args.zoo, work)
    compiled = refused = 0
    different = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_case, edgecs, work, i, c) for i, c in enumerate(compiles_to_do)]
        for n, f in enumerate(futures, 1):
            label, rc, diffs = f.result()
            if diffs:
                different.append(label)
                print(f"DIFFERENT {label}")
                for d in diffs[:10]:
                    print("    " + d)
            elif rc == 0:
                compiled += 1
            else:
                refused += 1
            if n % 100 == 0:
                print(f"... {n} of {len(compiles_to_do)}", flush=True)
    print(f"{len(compiles_to_do)} compiles twice: {compiled} artifacts byte-identical, {refused} refusals identical "
          f"(diagnostic and exit code), {len(different)} different")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
