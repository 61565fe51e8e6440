"""Flash, RAM and instructions per inference of the shared models on every
cross target, measured on the emulated device. Writes a markdown table
(and JSON with --json).

  bench/targets.py [--edgec BIN] [--targets a,b,c] [--out docs/results/targets-bench.md]
                   [--json FILE] [--update FILE] [--from-json FILE]

--update FILE measures --targets, replaces their rows in FILE's results (JSON
from an earlier run) and writes FILE back, so one target can be re-measured
without the others; --from-json only renders.

Per target and model:
  code, weights     .text and .rodata+.data of the model's library (manifest)
  stub code         .text of the runtime stub firmware links (startup,
                    memcpy/memset, helpers), compiled -Os for the target
  arena             the static memory plan's arena (manifest)
  stack             the deepest stack byte the model touched: the harness
                    paints 64 KiB below its frame before the run and scans
                    it after (-DMEASURE_STACK)
  peak RAM          arena + stack (inputs and outputs are the caller's)
  instructions      guest instructions of one inference: a qemu TCG plugin
                    (bench/qemu_insn_count.c) counts the whole program with
                    the model run twice and once; the difference is one
                    run, so startup and file I/O cancel out
TFLite Micro's Cortex-M4 figures (../shared/DESIGN.md) are given for scale.
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
MODELS = os.path.normpath(os.path.join(ROOT, "..", "shared", "models"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import edgec_targets  # noqa: E402

CASES = [
    ("hey_mycroft_v0.1", [], {"arena": 14896, "instructions": 1.15e6}),
    ("melspectrogram", ["--input-shape", "input=1x1760"], {"arena": 71040, "instructions": 81e6}),
    ("embedding_model", ["--dim", "unk__314=1"], {"arena": 681392, "instructions": 331e6}),
    ("silero_vad_legacy", ["--dim", "batch=1", "--dim", "sequence=512", "--input-value", "sr=16000"], None),
]
STACK_PAINT = 65536
# Board limits are the emulated boards'; the figures here are what matters.
MEMORY_FLAGS = ["--flash-size", "64M", "--sram-size", "64M"]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r


def stub_text_bytes(edgec, target, work):
    """.text of the runtime stub sources compiled -Os for the target."""
    info = next(t for t in edgec_targets.targets(edgec) if t["name"] == target)
    total = 0
    for src in info["stub_sources"]:
        obj = os.path.join(work, os.path.basename(src) + ".o")
        run(["clang-22"] + info["cflags"] + ["-std=c99", "-Os", "-ffreestanding", "-ffunction-sections",
                                             "-c", os.path.join(ROOT, "runtime-stub", src), "-o", obj])
        size = run(["/usr/lib/llvm-22/bin/llvm-size", "-A", obj]).stdout
        total += sum(int(m.group(1)) for m in re.finditer(r"^\.text\S*\s+(\d+)", size, re.M))
    return total


def build_plugin(work):
    """The qemu TCG plugin that counts guest instructions."""
    plugin = os.path.join(work, "libinsn_count.so")
    run(["cc", "-shared", "-fPIC", "-O2", os.path.join(HERE, "qemu_insn_count.c"), "-o", plugin])
    return plugin


def measure(edgec, plugin, target, model, flags, work, name=None):
    """Code, weights, arena, stack and instructions per inference of `model`
    (a path) compiled with `flags` for `target`."""
    name = name or os.path.splitext(os.path.basename(model))[0]
    counts, stack, keep = {}, 0, os.path.join(work, f"{target}-{name}")
    for repeat in (1, 2):
        out = os.path.join(work, f"insn-{target}-{name}-{repeat}.txt")
        r = run([edgec, "run", model, "--name", "m", "--target", target, "--keep", keep,
                 f"--harness-define=REPEAT={repeat}", f"--harness-define=MEASURE_STACK={STACK_PAINT}",
                 "--emulator-option=-plugin", f"--emulator-option={plugin},out={out}"]
                + flags + MEMORY_FLAGS)
        counts[repeat] = int(open(out).read())
        m = re.search(r"edgec-stack-bytes: (\d+)", r.stdout + r.stderr)
        if not m:
            sys.exit(f"{target} {name}: the harness printed no stack figure\n{r.stdout}{r.stderr}")
        stack = int(m.group(1))
    sizes = json.load(open(os.path.join(keep, "artifact", "manifest.json")))["sizes"]
    return {"code": sizes["text"], "weights": sizes["rodata"] + sizes["data"], "arena": sizes["arena"],
            "stack": stack, "instructions": counts[2] - counts[1]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--edgec", default=os.path.join(ROOT, "build", "tools", "edgec", "edgec"))
    p.add_argument("--targets", default=None, help="default: every cross target edgec lists")
    p.add_argument("--out", default="")
    p.add_argument("--json", default="")
    p.add_argument("--from-json", default="", help="render the table of an earlier --json run")
    p.add_argument("--update", default="", help="JSON of an earlier run to update with --targets")
    args = p.parse_args()
    edgec = os.path.abspath(args.edgec)
    # The targets measured on an emulated device, in edgec's order.
    cross = edgec_targets.cross(edgec)
    args.targets = args.targets or ",".join(cross)
    previous = args.from_json or args.update
    results = json.load(open(previous)) if previous and os.path.exists(previous) else {}
    if args.update:
        args.json = args.update
    with tempfile.TemporaryDirectory(prefix="edgec-bench-") as work:
        plugin = build_plugin(work)
        for target in ([] if args.from_json else args.targets.split(",")):
            stub = stub_text_bytes(edgec, target, work)
            for name, flags, _ in CASES:
                print(f"measuring {name} on {target} ...", file=sys.stderr, flush=True)
                model = os.path.join(MODELS, name + ".onnx")
                results[f"{target}/{name}"] = dict(measure(edgec, plugin, target, model, flags, work), stub=stub)
    order = cross
    results = dict(sorted(results.items(), key=lambda kv: (order.index(kv[0].split("/")[0])
                                                          if kv[0].split("/")[0] in order else len(order),
                                                          [c[0] for c in CASES].index(kv[0].split("/")[1]))))
    lines = ["# Flash, RAM and instructions per target and model", "",
             "Written by `bench/targets.py` (see its docstring and [targets.md](../guides/targets.md) for the method).",
             "The last column compares instructions per inference with TFLite Micro's on the same",
             "model on Cortex-M4 (../shared/DESIGN.md); it is given for the Cortex-M4 rows only.",
             "rv32imac has no FPU: its counts include libgcc's soft-float routines.", "",
             "| target | model | code | weights | stub code | arena | stack | peak RAM | instructions / inference | / TFLM (Cortex-M4) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, r in results.items():
        target, name = key.split("/")
        tflm = dict((n, t) for n, _, t in CASES)[name]
        ratio = f"{r['instructions'] / tflm['instructions']:.2f}" if tflm and target == "cortex-m4" else "-"
        lines.append(f"| {target} | {name} | {r['code']:,} B | {r['weights']:,} B | {r['stub']:,} B | "
                     f"{r['arena']:,} B | {r['stack']:,} B | {r['arena'] + r['stack']:,} B | "
                     f"{r['instructions']:,} | {ratio} |")
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write("<!-- Written by bench/targets.py; do not edit by hand. -->\n" + table)
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
