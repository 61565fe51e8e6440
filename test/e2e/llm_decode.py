"""Greedy decoding with the Llama-architecture decode step of examples/llm
against PyTorch eager: the model (random weights from a seed) is exported
to ONNX at opsets 14 and 17 and imported by edgec-torch, compiled by edgec
for the host, linked into examples/llm/decode.c (built with ASan and UBSan),
and run on a prompt for --tokens tokens; the +state routes compile the
caches as state (--state), updated in place in one buffer each; +int4 with
--quantize int4-weights (group 32) and +int8 with --quantize int8-weights,
against PyTorch computing with the same dequantised weights
(int4_dequantised, int8_dequantised: edgec's quantisers in numpy). The tokens must be identical to
PyTorch's, and every step's logits within 1e-4 + 1e-3 |torch|.

  llm_decode.py [--edgec BIN] [--size tiny] [--tokens 64] [--routes onnx14,onnx17,torch,onnx17+state,...]
                [--target T] [--work DIR]

On a target other than the host, decode.c itself runs under the target's
emulator (`edgec run --target T --program examples/llm/decode.c`, built
freestanding with the prompt and count compiled in), writing the logits
through the target's platform I/O.

Prints one line per route; exits 1 on any difference or failure. Needs
/usr/bin/python3 with torch and a C compiler (cc).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples", "llm"))
sys.path.insert(0, os.path.join(ROOT, "compiler", "torch"))
PROMPT = [1, 2, 3]
ATOL, RTOL = 1e-4, 1e-3


STATES = ["--state", "k_cache=k_cache_out", "--state", "v_cache=v_cache_out"]
INT4 = ["--quantize", "int4-weights", "--group-size", "32"]
INT8 = ["--quantize", "int8-weights"]


def int8_dequantised(w):
    """A Linear weight [out, in] as edgec's --quantize int8-weights stores it
    (dialects/graph/QuantUtils.cpp quantiseWeights: per output row, scale
    max |w| / 127 in double, q = round-half-even(w / scale) clipped to
    [-127, 127]), dequantised with the scale as the f32 the kernel uses."""
    wd = w.astype(np.float64)
    max_abs = np.abs(wd).max(axis=1)
    scale = np.where(max_abs > 0, max_abs / 127.0, 1.0)
    q = np.clip(np.rint(wd / scale[:, None]), -127, 127)
    return (q.astype(np.float32) * scale.astype(np.float32)[:, None]).astype(np.float32)


def int4_dequantised(w, group):
    """A Linear weight [out, in] as edgec's --quantize int4-weights stores it
    (passes/QuantizeWeightsInt4.cpp: per output row, groups of `group` inputs;
    of max |w| / 7 shrunk by up to half in 26 steps, the scale with the least
    squared error; the scale rounded to f16 and the weights rounded against
    it), dequantised: what PyTorch must compute with for the same tokens.
    float32 arithmetic in the same order as the C++."""
    f = np.float32
    rows, cols = w.shape
    g = w.reshape(rows * cols // group, group).astype(f)
    max_abs = np.abs(g).max(axis=1)
    best_err = np.full(len(g), -1.0)
    best = np.zeros(len(g), f)
    for step in range(26):
        cand = (max_abs * (f(1.0) - f(0.02) * f(step))).astype(f)
        unit = (cand / f(7.0)).astype(f)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(cand[:, None] > 0, np.clip(np.rint(g / unit[:, None]), -7, 7), 0).astype(f)
        diff = (g - (q * cand[:, None]) / f(7.0)).astype(np.float64)
        err = np.zeros(len(g))
        for j in range(group):  # summed in order, as the C++ loop
            err = err + diff[:, j] * diff[:, j]
        better = (best_err < 0) | (err < best_err)
        best_err = np.where(better, err, best_err)
        best = np.where(better, cand, best)
    scale = np.where(best > 0, (best / f(7.0)).astype(f), f(1.0)).astype(np.float16).astype(f)
    q = np.clip(np.rint(g / scale[:, None]), -7, 7).astype(f)
    return (q * scale[:, None]).reshape(rows, cols)


def reference_model(model, route):
    """The model PyTorch computes the route's tokens with: itself, or for
    +int4 / +int8 a copy with every Linear's weight as edgec stores it."""
    if "int4" not in route and "int8" not in route:
        return model
    import copy
    import torch
    ref = copy.deepcopy(model)
    for m in ref.modules():
        if isinstance(m, torch.nn.Linear):
            w = m.weight.detach().numpy()
            m.weight.data = torch.from_numpy(int4_dequantised(w, 32) if "int4" in route else int8_dequantised(w))
    return ref


def compile_route(route, model, edgec, out):
    """Compiles `model` into artifact dir `out` (name llm) by `route`:
    onnxN (exported at opset N) or torch (edgec-torch), +state for the
    caches updated in place."""
    import torch
    import llama
    kind, *extras = route.split("+")
    path = os.path.join(out + "-model", "llm.onnx" if kind.startswith("onnx") else "llm.mlir")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if kind.startswith("onnx"):
        llama.export(model, path, int(kind[len("onnx"):]))
    else:
        import edgec_torch
        k, v = model.empty_cache()
        with open(path, "w") as f:
            f.write(edgec_torch.import_module(model, (torch.tensor([[1]]), torch.tensor([0]), k, v),
                                              input_names=["token", "pos", "k_cache", "v_cache"],
                                              output_names=["logits", "k_cache_out", "v_cache_out"]))
    flags = ["--name", "llm"] + (STATES if "state" in extras else []) + (INT4 if "int4" in extras else []) + (
        INT8 if "int8" in extras else [])
    subprocess.run([edgec, "compile", path, "-o", out] + flags, check=True, capture_output=True, text=True)
    return path, flags


def decode_on_target(edgec, target, path, flags, tokens, logits_path):
    """Greedy decoding by examples/llm/decode.c itself on `target`, under its
    emulator: `edgec run --program` links it (freestanding, the prompt and
    count compiled in) against the artifact and the target's platform I/O.
    Returns (token ids, logits of each generated token)."""
    defines = [f"N_TOKENS={tokens}", "PROMPT={" + ",".join(str(t) for t in PROMPT) + "}",
               f'LOGITS_FILE="{logits_path}"']
    cmd = [edgec, "run", path, "--target", target, "--program", os.path.join(ROOT, "examples", "llm", "decode.c")]
    for d in defines:
        cmd += ["--harness-define", d]
    run = subprocess.run(cmd + flags, check=True, capture_output=True, text=True)
    # edgec_test_print writes to the console: stderr under qemu user mode.
    lines = (run.stdout + "\n" + run.stderr).splitlines()
    line = next(l for l in lines if l and all(c.isdigit() or c == "," for c in l))
    return [int(t) for t in line.split(",")], np.fromfile(logits_path, dtype=np.float32)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--size", default="tiny")
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--routes", default="onnx14,onnx17,torch,onnx17+state,torch+state,onnx17+state+int4,torch+state+int8")
    p.add_argument("--target", default="host",
                   help="host: examples/llm/decode.c under ASan/UBSan; another target: decode.c under the "
                        "target's emulator (edgec run --program)")
    p.add_argument("--work", default="")
    args = p.parse_args()
    try:
        import torch  # noqa: F401
        import llama
    except ImportError as e:
        print(f"SKIP: {e} (run with /usr/bin/python3)")
        return 0
    work = args.work or tempfile.mkdtemp(prefix="edgec-llm-")
    model = llama.build(args.size)
    failures = []
    for route in args.routes.split(","):
        want_tokens, want_logits = llama.greedy(reference_model(model, route), PROMPT, args.tokens)
        want_logits = np.stack([t.numpy() for t in want_logits])
        art = os.path.join(work, route)
        logits_path = os.path.join(work, f"{route}-logits.bin")
        try:
            path, flags = compile_route(route, model, args.edgec, art)
            if args.target == "host":
                exe = os.path.join(work, f"decode-{route}")
                subprocess.run(["cc", "-O1", "-g", "-std=c11", "-fsanitize=address,undefined",
                                "-fno-sanitize-recover=all", "-I", art, f'-DLOGITS_FILE="{logits_path}"',
                                os.path.join(ROOT, "examples", "llm", "decode.c"), os.path.join(art, "libllm.a"),
                                "-o", exe], check=True, capture_output=True, text=True)
                run = subprocess.run([exe, str(args.tokens)] + [str(t) for t in PROMPT], check=True,
                                     capture_output=True, text=True)
                got_tokens = [int(t) for t in run.stdout.strip().split(",")]
                got_logits = np.fromfile(logits_path, dtype=np.float32).reshape(want_logits.shape)
                note = run.stderr.strip()
            else:
                got_tokens, got_logits = decode_on_target(args.edgec, args.target, path, flags, args.tokens,
                                                          logits_path)
                got_logits = got_logits.reshape(want_logits.shape)
                note = f"examples/llm/decode.c on {args.target} (edgec run --program)"
        except subprocess.CalledProcessError as e:
            print(f"{route}: FAILED: {' '.join(e.cmd[:3])}...: {e.stderr.strip()[-800:]}")
            failures.append(route)
            continue
        err = np.abs(got_logits - want_logits)
        logits_ok = bool(np.all(err <= ATOL + RTOL * np.abs(want_logits)))
        same = got_tokens == want_tokens
        print(f"{route}: {'ok' if same and logits_ok else 'MISMATCH'}: {args.tokens} tokens "
              f"{'identical' if same else 'differ'} (first difference at "
              f"{next((i for i, (a, b) in enumerate(zip(got_tokens, want_tokens)) if a != b), '-')}), "
              f"logits max |error| {err.max():.2e}; {note}", flush=True)
        if not (same and logits_ok):
            failures.append(route)
    print(f"{len(args.routes.split(','))} routes, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
