"""Greedy decoding with the Llama-architecture decode step of examples/llm
against PyTorch eager: the model (random weights from a seed) is exported
to ONNX at opsets 14 and 17 and imported by edgec-torch, compiled by edgec
for the host, linked into examples/llm/decode.c (built with ASan and UBSan),
and run on a prompt for --tokens tokens; the +state routes compile the
caches as state (--state), updated in place in one buffer each. The tokens must be identical to
PyTorch's, and every step's logits within 1e-4 + 1e-3 |torch|.

  llm_decode.py [--edgec BIN] [--size tiny] [--tokens 64] [--routes onnx14,onnx17,torch,onnx17+state,...]
                [--work DIR]

Prints one line per route; exits 1 on any difference or failure. Needs
/usr/bin/python3 with torch and a C compiler (cc).
"""
import argparse
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


def compile_route(route, model, edgec, out):
    """Compiles `model` into artifact dir `out` (name llm) by `route`:
    onnxN (exported at opset N) or torch (edgec-torch), +state for the
    caches updated in place."""
    import torch
    import llama
    kind, _, state = route.partition("+")
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
    cmd = [edgec, "compile", path, "--name", "llm", "-o", out] + (STATES if state else [])
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--size", default="tiny")
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--routes", default="onnx14,onnx17,torch,onnx17+state,torch+state")
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
    want_tokens, want_logits = llama.greedy(model, PROMPT, args.tokens)
    want_logits = np.stack([t.numpy() for t in want_logits])
    failures = []
    for route in args.routes.split(","):
        art = os.path.join(work, route)
        logits_path = os.path.join(work, f"{route}-logits.bin")
        try:
            compile_route(route, model, args.edgec, art)
            exe = os.path.join(work, f"decode-{route}")
            subprocess.run(["cc", "-O1", "-g", "-std=c11", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                            "-I", art, f'-DLOGITS_FILE="{logits_path}"', os.path.join(ROOT, "examples", "llm", "decode.c"),
                            os.path.join(art, "libllm.a"), "-o", exe], check=True, capture_output=True, text=True)
            run = subprocess.run([exe, str(args.tokens)] + [str(t) for t in PROMPT], check=True,
                                 capture_output=True, text=True)
        except subprocess.CalledProcessError as e:
            print(f"{route}: FAILED: {' '.join(e.cmd[:3])}...: {e.stderr.strip()[-800:]}")
            failures.append(route)
            continue
        got_tokens = [int(t) for t in run.stdout.strip().split(",")]
        got_logits = np.fromfile(logits_path, dtype=np.float32).reshape(want_logits.shape)
        err = np.abs(got_logits - want_logits)
        logits_ok = bool(np.all(err <= ATOL + RTOL * np.abs(want_logits)))
        same = got_tokens == want_tokens
        print(f"{route}: {'ok' if same and logits_ok else 'MISMATCH'}: {args.tokens} tokens "
              f"{'identical' if same else 'differ'} (first difference at "
              f"{next((i for i, (a, b) in enumerate(zip(got_tokens, want_tokens)) if a != b), '-')}), "
              f"logits max |error| {err.max():.2e}; {run.stderr.strip()}", flush=True)
        if not (same and logits_ok):
            failures.append(route)
    print(f"{len(args.routes.split(','))} routes, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
