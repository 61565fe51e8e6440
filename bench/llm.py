#!/usr/bin/python3
"""Small-LLM decode on this machine: examples/llm's Llama-architecture
decode step, edgec against ONNX Runtime and against the memory-bandwidth
bound, one thread.

    /usr/bin/python3 bench/llm.py [--sizes small,base] [--tokens 64] [--update]

For each size: the model (random weights, seed 0) exported to ONNX at opset
17; edgec compiles it for the host with the caches as state (`--state`,
updated in place) as fp32 and with `--quantize int8-weights` and
`int4-weights`, each timed
with its peak memory; examples/llm/decode.c (-O2) decodes greedily after a
3-token prompt, best of ROUNDS runs; ONNX Runtime 1.30 (npm
onnxruntime-node, one thread, all graph optimisations, bench/ort_decode.js)
decodes the same fp32 model, feeding its caches back. edgec's fp32 tokens
must equal ONNX Runtime's. The bound is the weight bytes read per token
divided by the single-thread read bandwidth of bench/stream_read.c measured
in the same run. --update writes docs/results/llm-bench.md.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "llm"))
PROMPT = ["1", "2", "3"]
STATES = ["--state", "k_cache=k_cache_out", "--state", "v_cache=v_cache_out"]
VARIANTS = {"fp32": [], "int8 weights": ["--quantize", "int8-weights"],
            "int4 weights (group 32)": ["--quantize", "int4-weights", "--group-size", "32"]}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def timed_compile(edgec, model, out, flags):
    """edgec compile under /usr/bin/time: (seconds, peak MiB, manifest)."""
    p = run(["/usr/bin/time", "-f", "TIME %e %M", edgec, "compile", model, "--name", "llm", "-o", out] + flags)
    secs, kib = re.search(r"TIME ([\d.]+) (\d+)", p.stderr).groups()
    return float(secs), int(kib) / 1024, json.load(open(os.path.join(out, "manifest.json")))


def decode_ms(exe, tokens, rounds):
    """(ids, best decode ms per token) over `rounds` runs of decode.c."""
    best, ids = None, None
    for _ in range(rounds):
        p = run([exe, str(tokens)] + PROMPT)
        ids = p.stdout.strip()
        m = re.search(r"decode: (\d+) tokens in ([\d.]+) ms", p.stderr)
        ms = float(m.group(2)) / int(m.group(1))
        best = ms if best is None else min(best, ms)
    return ids, best


def ort_ms(model, shape, tokens, rounds):
    best, ids = None, None
    for _ in range(rounds):
        p = run(["node", os.path.join(HERE, "ort_decode.js"), model, json.dumps(shape), str(tokens)] + PROMPT)
        lines = p.stdout.strip().splitlines()
        ids = lines[0]
        ms = float(re.search(r"decode_ms_per_token ([\d.]+)", lines[1]).group(1))
        best = ms if best is None else min(best, ms)
    return ids, best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--sizes", default="small,base")
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--work", default="")
    p.add_argument("--update", action="store_true")
    args = p.parse_args()
    if not os.environ.get("EDGEC_ORT_DIR"):
        os.environ["EDGEC_ORT_DIR"] = os.path.join(os.path.expanduser("~"), ".cache", "edgec", "ort")
    import llama
    work = args.work or tempfile.mkdtemp(prefix="edgec-llm-bench-")
    os.makedirs(work, exist_ok=True)
    stream = os.path.join(work, "stream_read")
    run(["cc", "-O3", "-march=native", os.path.join(HERE, "stream_read.c"), "-o", stream])
    gbps = max(float(run([stream, "1024"]).stdout.split()[1]) for _ in range(2))
    host_cpu = next((m.group(1) for m in (re.search(r"x86_64\S* cpu (\S+);", line)
                                           for line in run([args.edgec, "targets"]).stdout.splitlines()) if m), "?")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               "unknown cpu")
    rows = []
    for size in args.sizes.split(","):
        model = llama.build(size)
        params = sum(t.numel() for t in model.parameters())
        onnx_path = os.path.join(work, f"{size}.onnx")
        llama.export(model, onnx_path, 17)
        k, _ = model.empty_cache()
        ort_ids, ort = ort_ms(onnx_path, list(k.shape), args.tokens, args.rounds)
        for variant, flags in VARIANTS.items():
            art = os.path.join(work, f"{size}-{variant.split()[0]}")
            secs, peak, manifest = timed_compile(args.edgec, onnx_path, art, STATES + flags)
            exe = art + "-decode"
            run(["cc", "-O2", "-I", art, os.path.join(ROOT, "examples", "llm", "decode.c"),
                 os.path.join(art, "libllm.a"), "-o", exe])
            ids, ms = decode_ms(exe, args.tokens, args.rounds)
            weights = manifest["sizes"]["weights"]
            # A token reads every weight once, but only its own row of the
            # embedding table (a Gather, kept in fp32 by weight-only quantisation).
            table = model.tok_embeddings.weight
            read = weights - table.numel() * 4 + table.shape[1] * 4
            bound = read / gbps / 1e6
            rows.append({"size": size, "params": params, "variant": variant, "weights": weights, "read": read,
                         "arena": manifest["sizes"]["arena"], "edgec_ms": ms, "ort_ms": ort,
                         "bound_ms": bound, "compile_s": secs, "compile_mib": peak,
                         "same_tokens": ids == ort_ids if variant == "fp32" else None})
            print(f"{size} {variant}: {ms:.3f} ms/token, ORT fp32 {ort:.3f}, bound {bound:.3f}; compile {secs:.1f} s, "
                  f"{peak:.0f} MiB{'; tokens = ORT' if ids == ort_ids else ''}", file=sys.stderr, flush=True)
    text = render(rows, cpu, host_cpu, gbps, args.tokens, args.rounds)
    print(text)
    if args.update:
        open(os.path.join(ROOT, "docs", "results", "llm-bench.md"), "w").write(text)
    fp32_ok = all(r["same_tokens"] for r in rows if r["variant"] == "fp32")
    return 0 if fp32_ok else 1


def render(rows, cpu, host_cpu, gbps, tokens, rounds):
    out = ["<!-- Written by bench/llm.py --update; do not edit by hand. -->",
           "# Small-LLM decode: edgec vs ONNX Runtime and the bandwidth bound", "",
           f"CPU: {cpu} (edgec's host cpu: {host_cpu}), one thread. Read bandwidth (bench/stream_read.c, "
           f"same run): {gbps:.1f} GB/s. Greedy decoding of {tokens} tokens after a 3-token prompt, "
           f"best of {rounds} runs; examples/llm/llama.py (seed 0), ONNX opset 17, the caches as state (`--state`).", "",
           "| model | parameters | weights | read per token | edgec ms/token | ONNX Runtime fp32 ms/token | "
           "tokens/s vs ORT | bound ms/token | of the bound | arena | compile | compile peak | fp32 tokens = ORT's |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        same = "-" if r["same_tokens"] is None else ("yes" if r["same_tokens"] else "NO")
        out.append(f"| {r['size']} {r['variant']} | {r['params'] / 1e6:.1f}M | {r['weights'] / 1e6:.1f} MB | "
                   f"{r['read'] / 1e6:.1f} MB | "
                   f"{r['edgec_ms']:.2f} | {r['ort_ms']:.2f} | {r['ort_ms'] / r['edgec_ms']:.2f}x | "
                   f"{r['bound_ms']:.2f} | {100 * r['bound_ms'] / r['edgec_ms']:.0f}% | {r['arena'] / 1e3:.0f} KB | "
                   f"{r['compile_s']:.1f} s | {r['compile_mib']:.0f} MiB | {same} |")
    out += ["", "\"read per token\": the artifact's weights less the embedding table but one row (a token "
            "reads its own row). \"bound\": those bytes at the measured bandwidth; \"of the bound\": the bound's "
            "time over edgec's (100% = every byte read once at the measured bandwidth; above 100% when the "
            "weights fit in the caches). ONNX Runtime decodes the fp32 model in every row; the int8 and int4 rows "
            "compare edgec's weight-only artifacts with it. Weights as stored in the artifact (int8: a byte per "
            "weight and an f32 scale per output channel; int4: packed nibbles and f16 scales per group of 32)."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
