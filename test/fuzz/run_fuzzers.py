#!/usr/bin/env python3
"""Runs edgec's libFuzzer targets (test/fuzz) the way CI and longer runs do.

  run_fuzzers.py --fuzz-dir BUILD-fuzz/test/fuzz [--runs SCALE | --time SECONDS]
                 [--seed N] [--work DIR] [--json OUT] [--only NAME,...]

For each fuzzer it first runs every checked-in crasher of that fuzzer
(test/fuzz/crashers/<fuzzer>/, each a bug found and fixed) once: all must
pass. Then it fuzzes from a seed corpus made from the test models (the ONNX
test data's models and input tensors, and .npy files numpy writes) for a
fixed number of executions (--runs, as in CI: a bounded, repeatable amount
of work) or for a time (--time, for longer hunts). New crashes, leaks,
timeouts and out-of-memory inputs are saved under --work and fail the run.
Prints the executions, time and coverage of each fuzzer.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/libonnx-testdata/data"
FUZZERS = ["fuzz_tensor_files", "fuzz_onnx_bytes", "fuzz_onnx_structured", "fuzz_graph_mlir"]
# Per fuzzer in CI: executions including the seeds (libFuzzer's -runs), and
# the seeds used (every k-th test model, so the seeds stay a small part).
CI_RUNS = {"fuzz_tensor_files": 400000, "fuzz_onnx_bytes": 10000, "fuzz_onnx_structured": 5000,
           "fuzz_graph_mlir": 10000}
SEED_STRIDE = {"fuzz_tensor_files": 1, "fuzz_onnx_bytes": 4, "fuzz_onnx_structured": 4, "fuzz_graph_mlir": 4}
# libFuzzer dictionaries (tokens a mutation would hardly guess).
DICTIONARY = {"fuzz_tensor_files": "tensor_files.dict"}
MAX_SEED_BYTES = 64 * 1024


def onnx_models():
    """The ONNX test data's models, small ones only (large seeds make every
    mutation slow), in a fixed order."""
    paths = sorted(glob.glob(os.path.join(DATA, "*", "*", "model.onnx")))
    return [p for p in paths if os.path.getsize(p) <= MAX_SEED_BYTES]


def write_npy_seeds(out):
    """.npy files as numpy writes them: each dtype edgec reads, scalars,
    empty arrays, a version-2 header, Fortran order (refused)."""
    arrays = {
        "f32": np.arange(12, dtype=np.float32).reshape(3, 4),
        "f64": np.linspace(-1, 1, 5),
        "i64": np.array([[1, -2], [3, 4]], dtype=np.int64),
        "i32": np.array([7], dtype=np.int32),
        "i8": np.array([-128, 0, 127], dtype=np.int8),
        "u8": np.zeros((2, 2, 2), dtype=np.uint8),
        "bool": np.array([True, False]),
        "scalar": np.float32(2.5),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "fortran": np.asfortranarray(np.ones((2, 3), dtype=np.float32)),
        "f16": np.ones(4, dtype=np.float16),
    }
    for name, a in arrays.items():
        np.save(os.path.join(out, name + ".npy"), a)
    with open(os.path.join(out, "v2.npy"), "wb") as f:
        np.lib.format.write_array(f, np.ones((2, 2), dtype=np.float32), version=(2, 0))


def write_mlir_seeds(edgec, models, out):
    """The test models as `edgec import` prints them (graph-dialect text,
    weights as hex resources), and a dictionary of the op, attribute and
    type names in them."""
    tokens = set()
    for i, path in enumerate(models):
        seed = os.path.join(out, f"seed{i:04d}_{os.path.basename(os.path.dirname(path))}.mlir")
        r = subprocess.run([edgec, "import", path, "-o", seed], capture_output=True, text=True)
        if r.returncode != 0:
            continue
        text = open(seed).read()
        tokens.update(re.findall(r"\b(?:graph|quant|func)\.[a-z_0-9]+", text))
        tokens.update(re.findall(r"\b([a-z_]+) = ", text))
        tokens.update(re.findall(r"\b(?:tensor|dense|dense_resource|array)<", text))
        tokens.update(re.findall(r"x(?:f16|f32|f64|i1|i8|i32|i64|ui8)>", text))
    return sorted(tokens)


def make_seeds(fuzzer, out, edgec=None, dictionary=None):
    os.makedirs(out, exist_ok=True)
    stride = SEED_STRIDE[fuzzer]
    if fuzzer == "fuzz_graph_mlir":
        tokens = write_mlir_seeds(edgec, onnx_models()[::stride], out)
        with open(dictionary, "w") as f:
            f.writelines(f"{json.dumps(t)}\n" for t in tokens)
        return len(os.listdir(out))
    if fuzzer == "fuzz_tensor_files":
        write_npy_seeds(out)
        tensors = sorted(glob.glob(os.path.join(DATA, "node", "*", "test_data_set_0", "*.pb")))
        sources = [p for p in tensors if os.path.getsize(p) <= 4096][::8]
    else:
        sources = onnx_models()[::stride]
    for i, path in enumerate(sources):
        shutil.copyfile(path, os.path.join(out, f"seed{i:04d}_{os.path.basename(os.path.dirname(path))}"))
    return len(os.listdir(out))


def libfuzzer_figures(log):
    runs = re.findall(r"Done (\d+) runs in (\d+) second", log)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", log)
    return {
        "executions": int(runs[-1][0]) if runs else None,
        "seconds": int(runs[-1][1]) if runs else None,
        "coverage": int(cov[-1][0]) if cov else None,
        "features": int(cov[-1][1]) if cov else None,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fuzz-dir", required=True, help="the fuzzing tree's test/fuzz (scripts/fuzz.sh build)")
    p.add_argument("--edgec", default=None,
                   help="the release edgec, which prints fuzz_graph_mlir's seeds (default: the build tree beside "
                        "the fuzzing tree)")
    p.add_argument("--runs", type=float, default=1.0, help="scale CI's execution counts (default 1)")
    p.add_argument("--time", type=int, default=0, help="fuzz each target this many seconds instead")
    p.add_argument("--work", default=None, help="corpora and findings go here (default: a temporary directory)")
    p.add_argument("--json", default=None)
    p.add_argument("--only", default="", help="comma-separated fuzzer names")
    p.add_argument("--seed", type=int, default=1, help="libFuzzer's random seed (CI: 1, so a run repeats)")
    p.add_argument("--skip-if-missing", action="store_true",
                   help="exit 77 (ctest's skip) when the fuzzers are not built")
    args = p.parse_args()

    unknown = [f for f in args.only.split(",") if f and f not in FUZZERS]
    if unknown:
        print(f"run_fuzzers: no fuzzer named {', '.join(unknown)} (there are {', '.join(FUZZERS)})", file=sys.stderr)
        return 2
    fuzzers = [f for f in FUZZERS if not args.only or f in args.only.split(",")]
    missing = [f for f in fuzzers if not os.path.isfile(os.path.join(args.fuzz_dir, f))]
    if missing:
        print(f"run_fuzzers: {', '.join(missing)} not built in {args.fuzz_dir}; build them with "
              f"scripts/fuzz.sh build", file=sys.stderr)
        return 77 if args.skip_if_missing else 1
    work = args.work or tempfile.mkdtemp(prefix="edgec-fuzz-")
    edgec = args.edgec or os.path.join(re.sub(r"-fuzz$", "", os.path.dirname(os.path.dirname(
        os.path.abspath(args.fuzz_dir)))), "tools", "edgec", "edgec")
    if "fuzz_graph_mlir" in fuzzers and not os.path.isfile(edgec):
        print(f"run_fuzzers: {edgec} (the release edgec, for fuzz_graph_mlir's seeds) is not built; "
              f"give --edgec", file=sys.stderr)
        return 1
    results, failed = [], False
    for fuzzer in fuzzers:
        binary = os.path.join(args.fuzz_dir, fuzzer)
        # The crashers found so far: each must now pass.
        crashers = sorted(glob.glob(os.path.join(HERE, "crashers", fuzzer, "*")))
        regressions = []
        for c in crashers:
            r = subprocess.run([binary, c], capture_output=True, text=True)
            if r.returncode != 0:
                regressions.append(os.path.relpath(c, HERE))
                print(r.stderr[-3000:], file=sys.stderr)
        corpus = os.path.join(work, fuzzer, "corpus")
        findings = os.path.join(work, fuzzer, "findings") + "/"
        shutil.rmtree(os.path.join(work, fuzzer), ignore_errors=True)
        os.makedirs(findings)
        dictionary = os.path.join(work, fuzzer, "graph.dict")
        seeds = make_seeds(fuzzer, corpus, edgec, dictionary)
        budget = (["-max_total_time=%d" % args.time] if args.time
                  else ["-runs=%d" % int(CI_RUNS[fuzzer] * args.runs)])
        cmd = [binary, corpus, f"-seed={args.seed}", "-timeout=30", "-rss_limit_mb=3072", "-print_final_stats=1",
               "-artifact_prefix=" + findings] + budget
        if fuzzer in DICTIONARY:
            cmd.append("-dict=" + os.path.join(HERE, DICTIONARY[fuzzer]))
        elif os.path.exists(dictionary):
            cmd.append("-dict=" + dictionary)
        print(f"run_fuzzers: {fuzzer}: {len(crashers)} crashers, {seeds} seeds, {budget[0]}", flush=True)
        r = subprocess.run(cmd, capture_output=True, text=True)
        found = sorted(os.listdir(findings))
        figures = libfuzzer_figures(r.stderr)
        ok = r.returncode == 0 and not found and not regressions
        failed |= not ok
        results.append({"fuzzer": fuzzer, "seeds": seeds, "crashers": len(crashers),
                        "crashers_failing": regressions, "findings": [findings + f for f in found],
                        "exit": r.returncode, **figures})
        print(f"  {figures['executions']} executions in {figures['seconds']} s, coverage {figures['coverage']} "
              f"edges / {figures['features']} features, "
              f"{len(found)} new findings, {len(regressions)} of {len(crashers)} crashers failing"
              f"{'' if ok else ' -- FAILED'}", flush=True)
        if not ok:
            print("\n".join(r.stderr.splitlines()[-60:]), file=sys.stderr)
            for f in found:
                print(f"  finding: {findings}{f}  (reproduce: {binary} {findings}{f})", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    total = sum(r["executions"] or 0 for r in results)
    print(f"run_fuzzers: {total} executions over {len(results)} fuzzers; "
          f"{'FAILED' if failed else 'no crash, leak, timeout or OOM'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
