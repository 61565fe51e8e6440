"""ONNX conformance: every case of Debian's libonnx-testdata (node, simple,
pytorch-operator, pytorch-converted) compiled by edgec, run on its
test_data_set_0 inputs and compared with the expected outputs. On the host
the C harness runs natively; with --target X (cortex-m4, rv32imac,
hexagon-v67, ...) `edgec run --target X` links the freestanding harness
with X's runtime stub and runs it under X's emulator.

  run_conformance.py [--edgec BIN] [--target T] [--jobs N]
                     [--suites node,simple,...] [--filter SUBSTR]
                     [--subset ops] [--json OUT] [--sanitize]
                     [--expected expected_pass.txt] [--update-expected]

--sanitize (host): the generated code is compiled with --sanitize-address,
so AddressSanitizer checks its every access, and the harness is built
with ASan and UBSan.

--subset ops runs only a few cases of --expected: for every op used by a
case listed there, the first listed case that uses it (CI runs this on each
cross target; the full suite is the same command without --subset).

Each case ends as
  pass         outputs within tolerance (|d| <= 1e-4 + 1e-3 |expected| for
               floats, equal for integers and bools)
  fail         compiled but wrong, crashed, or a compile error edgec should
               not give
  unsupported  edgec says it does not implement an op, attribute value or
               type (the diagnostic is kept in the JSON)
  xfail        failed or unsupported, and listed in xfail.txt with a reason
               (printed)
Prints per-suite 'N passed, N failed, N unsupported' lines, a per-op table
and a closing total line. With --expected, exits 1 when a case listed there
does not pass (a regression); new passes are printed so the list can grow.
"""
import argparse
import collections
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness_build import NUMPY_DTYPE, decode_strings, encode_strings, harness_command  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/libonnx-testdata/data"
ATOL, RTOL = 1e-4, 1e-3
UNSUPPORTED = re.compile(r"unsupported|cannot be compiled yet|not supported|edgec supports opsets up to|"
                         r"must be a compile-time|does not read yet|cannot convert the model from opset|"
                         r"imports no default-domain opset")
# A case too big for the emulated board (edgec's flash/RAM check, or the
# harness's static inputs + outputs + arena overflowing the board's RAM).
TOO_BIG = re.compile(r"the model needs \d+ B of (flash|RAM)|will not fit in region")


def first_error(stderr):
    """The line of a failed command's output that says what went wrong."""
    lines = stderr.strip().splitlines()
    for line in lines:
        if "error" in line.lower() or "fault" in line.lower():
            return line.strip()[:300]
    return (lines[-1] if lines else "").strip()[:300]
# edgec compiles static graphs: an input that feeds a shape (Reshape's shape,
# Slice's starts, Resize's scales, ...) is fixed to the test's value with
# --input-value, as a user would do.
CONSTANT_INPUT = re.compile(r"\(input '([^']+)'\) must be a compile-time")
# ... or the graph input edgec names as the one such a value is computed from.
FROM_GRAPH_INPUT = re.compile(r"computed from graph inputs? '([^']+)'")


def ops_of(model_path):
    m = onnx.load(model_path, load_external_data=False)
    ops = set()

    def walk(g):
        for n in g.node:
            ops.add(n.op_type)
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    walk(a.g)
    walk(m.graph)
    return sorted(ops), m


def run_case(job):
    try:
        return run_case_checked(job)
    except Exception as e:  # a bug in this script must not hide the other cases
        return {"suite": job[0], "case": job[1], "status": "fail", "detail": f"runner: {e!r}"}


def run_case_checked(job):
    suite, case, edgec, sanitize, target = job
    case_dir = os.path.join(DATA, suite, case)
    model = os.path.join(case_dir, "model.onnx")
    data = os.path.join(case_dir, "test_data_set_0")
    result = {"suite": suite, "case": case, "status": "fail", "detail": ""}
    try:
        ops, m = ops_of(model)
    except Exception as e:  # a model the onnx package cannot read
        result.update(status="fail", detail=f"onnx cannot load: {e}")
        return result
    result["ops"] = ops
    if not os.path.isdir(data):
        result.update(status="unsupported", detail="no test_data_set_0")
        return result
    inits = {t.name for t in m.graph.initializer}
    graph_inputs = [i for i in m.graph.input if i.name not in inits]
    if any(not i.type.HasField("tensor_type") for i in graph_inputs + list(m.graph.output)):
        result.update(status="unsupported", detail="sequence or optional inputs/outputs")
        return result
    inputs = []
    for k in range(len(graph_inputs)):
        t = onnx.TensorProto()
        with open(os.path.join(data, f"input_{k}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        inputs.append(numpy_helper.to_array(t))
    expected = []
    for k in range(len(m.graph.output)):
        t = onnx.TensorProto()
        path = os.path.join(data, f"output_{k}.pb")
        if not os.path.exists(path):
            break
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
        expected.append(numpy_helper.to_array(t))

    work = tempfile.mkdtemp(prefix="edgec-conf-")
    try:
        art = os.path.join(work, "art")
        # --sanitize: ASan checks the generated code's accesses, ASan and
        # UBSan the harness's.
        sanitize_flags = ["--sanitize-address"] if sanitize and target == "host" else []
        shapes, fixed_values = {}, {}  # input name -> --input-shape / --input-value text
        by_name = {}
        for gi, value in zip(graph_inputs, inputs):
            by_name[gi.name] = value
            dims = gi.type.tensor_type.shape.dim
            if len(dims) == value.ndim and all(d.HasField("dim_value") for d in dims):
                continue  # static in the model already
            shapes[gi.name] = "x".join(str(d) for d in value.shape) if value.ndim else "scalar"

        def edgec_flags():
            flags = list(sanitize_flags)
            for name, shape in shapes.items():
                flags += ["--input-shape", f"{name}={shape}"]
            for name, text in fixed_values.items():
                flags += ["--input-value", f"{name}={text}"]
            return flags

        while True:
            flags = edgec_flags()
            r = subprocess.run([edgec, "compile", model, "-o", art, "--name", "m", "--target", target]
                               + flags, capture_output=True, text=True, timeout=300)
            wanted = (FROM_GRAPH_INPUT.search(r.stderr) or CONSTANT_INPUT.search(r.stderr)) if r.returncode == 1 else None
            if not wanted or wanted.group(1) not in by_name or wanted.group(1) in fixed_values:
                break
            # A value edgec needs at compile time: the test's input, bound
            # (which fixes its shape too).
            name = wanted.group(1)
            shapes.pop(name, None)
            values = by_name[name].reshape(-1)
            fixed_values[name] = ",".join(repr(float(v)) if values.dtype.kind == "f" else str(int(v)) for v in values)
        fixed = set(fixed_values)
        result["fixed_inputs"] = sorted(fixed)
        if r.returncode != 0:
            detail = r.stderr.strip().splitlines()[0] if r.stderr.strip() else f"exit {r.returncode}"
            unsupported = r.returncode == 1 and (UNSUPPORTED.search(r.stderr) or TOO_BIG.search(r.stderr))
            result.update(status="unsupported" if unsupported else "fail", detail=detail[:300])
            return result
        manifest = json.load(open(os.path.join(art, "manifest.json")))
        in_files = []
        for k, t in enumerate(manifest["inputs"]):
            path = os.path.join(work, f"in{k}.bin")
            if t["dtype"] == "string":
                with open(path, "wb") as f:
                    f.write(encode_strings(by_name[t["name"]], t))
            else:
                np.ascontiguousarray(by_name[t["name"]].astype(NUMPY_DTYPE[t["dtype"]])).tofile(path)
            in_files.append(path)
        if target == "host":
            harness = os.path.join(work, "harness")
            r = subprocess.run(harness_command(art, manifest, harness, sanitize), capture_output=True, text=True)
            if r.returncode != 0:
                result.update(detail="harness link: " + r.stderr.strip()[-300:])
                return result
            out_files = [os.path.join(work, f"out{k}.bin") for k in range(len(manifest["outputs"]))]
            r = subprocess.run([harness] + in_files + out_files, capture_output=True, text=True, timeout=300)
        else:
            outs = os.path.join(work, "outs")
            out_files = [os.path.join(outs, f"out{k}.bin") for k in range(len(manifest["outputs"]))]
            cmd = [edgec, "run", model, "--name", "m", "--target", target, "--save-outputs", outs,
                   "--timeout", "300"] + flags
            for f in in_files:
                cmd += ["--input", f]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=400)
        if r.returncode != 0:
            if TOO_BIG.search(r.stderr):
                result.update(status="unsupported", detail="does not fit the board: " + first_error(r.stderr))
            else:
                result.update(detail=f"run: exit {r.returncode}: " + first_error(r.stderr))
            return result
        worst = 0.0
        for k, (t, want) in enumerate(zip(manifest["outputs"], expected)):
            if t["dtype"] == "string":
                got = decode_strings(open(out_files[k], "rb").read(), t)
            else:
                got = np.fromfile(out_files[k], dtype=NUMPY_DTYPE[t["dtype"]]).reshape(t["shape"])
            if "runtime_dim" in t:
                # Sized for the bound: the count output says how much holds data.
                count = int(np.fromfile(out_files[t["count_output"]], dtype=np.int64)[0])
                if not 0 <= count <= got.shape[t["runtime_dim"]]:
                    result.update(detail=f"output {k}: run-time size {count} outside 0..{got.shape[t['runtime_dim']]}")
                    return result
                got = np.take(got, np.arange(count), axis=t["runtime_dim"])
            if got.shape != want.shape and got.size == want.size:
                got = got.reshape(want.shape)
            if got.shape != want.shape:
                result.update(detail=f"output {k}: shape {got.shape} vs expected {want.shape}")
                return result
            if np.issubdtype(want.dtype, np.floating):
                w = want.astype(np.float64)
                g = got.astype(np.float64)
                same_nan = np.isnan(w) == np.isnan(g)
                close = np.abs(g - w) <= ATOL + RTOL * np.abs(w)
                close |= (g == w)  # equal infinities
                ok = bool(np.all(same_nan & (close | np.isnan(w))))
                finite = np.isfinite(w) & np.isfinite(g)
                if finite.any():
                    worst = max(worst, float(np.max(np.abs(g - w)[finite])))
            else:
                ok = bool(np.array_equal(got.astype(want.dtype), want))
            if not ok:
                result.update(detail=f"output {k}: wrong values (max abs err {worst:.3g})")
                return result
        result.update(status="pass", detail=f"max abs err {worst:.3g}")
        return result
    except subprocess.TimeoutExpired:
        result.update(detail="timeout")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def op_covering_subset(cases, listed):
    """For every op used by a listed case, the first listed case using it."""
    chosen, covered = [], set()
    for suite, case in cases:
        if f"{suite}/{case}" not in listed:
            continue
        try:
            ops = set(ops_of(os.path.join(DATA, suite, case, "model.onnx"))[0])
        except Exception:
            continue
        if not ops <= covered:
            chosen.append((suite, case))
            covered |= ops
    return chosen


def load_list(path):
    entries = {}
    if path and os.path.exists(path):
        for line in open(path):
            line = line.split("#", 1)
            name = line[0].strip()
            if name:
                entries[name] = line[1].strip() if len(line) > 1 else ""
    return entries


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--target", default="host")
    p.add_argument("--subset", choices=["all", "ops"], default="all")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--suites", default="node,simple,pytorch-operator,pytorch-converted")
    p.add_argument("--filter", default="")
    p.add_argument("--json", default="")
    p.add_argument("--sanitize", action="store_true")
    p.add_argument("--expected", default="")
    p.add_argument("--update-expected", action="store_true")
    args = p.parse_args()
    if not os.path.isdir(DATA):
        print(f"SKIP: {DATA} not installed (Debian package libonnx-testdata)")
        print("0 passed, 0 failed")
        return 0
    xfail = load_list(os.path.join(HERE, "xfail.txt"))
    if args.target != "host":  # a target's own known failures, with reasons
        xfail.update(load_list(os.path.join(HERE, f"xfail-{args.target}.txt")))
    cases = [(suite, case) for suite in args.suites.split(",")
             for case in sorted(os.listdir(os.path.join(DATA, suite))) if args.filter in case]
    if args.update_expected and args.target != "host":
        sys.exit("--update-expected writes the host's list; run it without --target")
    if args.subset == "ops":
        listed = set(load_list(args.expected))
        if not listed:
            sys.exit(f"--subset ops picks from --expected, which lists no case ({args.expected!r})")
        cases = op_covering_subset(cases, listed)
        print(f"subset: {len(cases)} cases cover every op of the cases {os.path.basename(args.expected)} lists")
    jobs = [(suite, case, os.path.abspath(args.edgec), args.sanitize, args.target) for suite, case in cases]
    # A counter on a terminal; nothing in CI logs (CI services set CI).
    tty = sys.stdout.isatty() and not os.environ.get("CI") and not os.environ.get("EDGEC_NO_PROGRESS")
    results = []
    with multiprocessing.Pool(args.jobs) as pool:
        for i, r in enumerate(pool.imap(run_case, jobs, chunksize=4)):
            key = f"{r['suite']}/{r['case']}"
            if r["status"] in ("fail", "unsupported") and key in xfail:
                r["status"] = "xfail"
                r["reason"] = xfail[key]
            results.append(r)
            if tty:
                print(f"\r[{i + 1}/{len(jobs)}] {key[:60]:<60}", end="", flush=True)
    if tty:
        print()

    by_suite = collections.defaultdict(collections.Counter)
    by_op = collections.defaultdict(collections.Counter)
    for r in results:
        by_suite[r["suite"]][r["status"]] += 1
        for op in r.get("ops", ["?"]):
            by_op[op][r["status"]] += 1
    print("per op (cases using it): pass / fail / unsupported / xfail")
    for op in sorted(by_op):
        c = by_op[op]
        print(f"  {op:<28} {c['pass']:>4} {c['fail']:>4} {c['unsupported']:>4} {c['xfail']:>4}")
    for r in results:
        if r["status"] == "fail":
            print(f"FAIL {r['suite']}/{r['case']}: {r['detail']}")
        elif r["status"] == "xfail":
            print(f"XFAIL {r['suite']}/{r['case']}: {r['reason']}")
    for suite, c in by_suite.items():
        total = sum(c.values())
        print(f"{suite}: {c['pass']} passed, {c['fail']} failed, {c['unsupported']} unsupported, "
              f"{c['xfail']} xfail of {total} ({100.0 * c['pass'] / max(total, 1):.1f}% pass)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"suites": {s: dict(c) for s, c in by_suite.items()}, "cases": results}, f, indent=1)

    passing = {f"{r['suite']}/{r['case']}" for r in results if r["status"] == "pass"}
    regressions = []
    if args.expected:
        expected = set(load_list(args.expected))
        ran = {f"{r['suite']}/{r['case']}" for r in results}
        excused = {f"{r['suite']}/{r['case']}" for r in results if r["status"] == "xfail"}
        regressions = sorted((expected & ran) - passing - excused)
        for key in regressions:
            print(f"REGRESSION {key}: listed in {os.path.basename(args.expected)} but does not pass")
        new = sorted(passing - expected)
        if new:
            print(f"{len(new)} cases pass that {os.path.basename(args.expected)} does not list yet")
        if args.update_expected:
            with open(args.expected, "w") as f:
                f.write("# Conformance cases that pass on the host; CI fails if one stops passing.\n")
                f.write("# Regenerate with run_conformance.py --expected THIS --update-expected.\n")
                for key in sorted(passing | (expected - ran)):
                    f.write(key + "\n")
    total = collections.Counter(r["status"] for r in results)
    print(f"conformance: {total['pass']} passed, {total['fail']} failed, {total['unsupported']} unsupported, "
          f"{total['xfail']} xfail, {len(regressions)} regressions")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
