#!/usr/bin/python3
"""The stack libgcc's helpers use on the targets that link it (docs/design/reliability.md,
"Stack"): the code generator calls them for what the CPU lacks (soft float,
64-bit conversions: __fixsfdi, __aeabi_f2lz, ...), and the compiler's stack
bound counts each call out of the model at the target's `helperStack` bytes.
This reads the libgcc each target's firmware links (the gcc cross
toolchain's, as `edgec run` finds it), disassembles it, and gives for each
helper the deepest chain of frames below it (its calls inside libgcc
included), and the worst over all of them: the figure TargetInfo must be at
least.

    /usr/bin/python3 bench/helper_stack.py [--check] [--json OUT]

--check exits 1 when a target's helperStack (from `edgec targets --json`) is
below the worst helper of its libgcc.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "e2e"))
import edgec_targets  # noqa: E402

OBJDUMP = "/usr/lib/llvm-22/bin/llvm-objdump"
NM = "/usr/lib/llvm-22/bin/llvm-nm"
FUNC = re.compile(r"^[0-9a-f]+ <([^>]+)>:$")
# Frame: Thumb push/vpush/sub sp, RISC-V addi sp.
PUSH = re.compile(r"\bpush(?:\.w)?\s+\{([^}]*)\}")
VPUSH = re.compile(r"\bvpush\s+\{([^}]*)\}")
SUB_SP = re.compile(r"\bsub(?:\.w|w)?\s+sp,\s*(?:sp,\s*)?#(0x[0-9a-f]+|\d+)")
# A store that moves sp down first (Thumb's `str r4, [sp, #-8]!`).
PRE_INDEX = re.compile(r"\bstr\w*(?:\.w)?\s+[^\[]*\[sp,\s*#-(0x[0-9a-f]+|\d+)\]!")
ADDI_SP = re.compile(r"\b(?:c\.)?addi(?:16sp)?\s+sp,\s*(?:sp,\s*)?-(0x[0-9a-f]+|\d+)")
# The helpers LLVM's code generator calls (its runtime library calls):
# arithmetic, comparisons and conversions; not the unwinder or TLS, and not
# those of complex numbers or 128-bit and x87 floats (NOT_EDGEC), types no
# edgec model has.
NOT_EDGEC = re.compile(r"c3$|tf|xf")
HELPER = re.compile(r"^__(aeabi_\w+|(add|sub|mul|div|mod|neg|cmp|ucmp|eq|ne|lt|le|gt|ge|unord|fix|float|extend|trunc|"
                    r"pow|clz|ctz|popcount|parity|ffs|bswap|ashl|ashr|lshr|udiv|umod|udivmod|divmod|abs|mulo|addv|"
                    r"subv|mulv|negv)\w*)$")


def regs(text):
    n = 0
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-")
            n += int(re.sub(r"\D", "", b)) - int(re.sub(r"\D", "", a)) + 1
        elif part:
            n += 1
    return n


MEMBER = re.compile(r"\((.+\.o)\):\s+file format")
CALL_RELOC = re.compile(r"R_(?:RISCV_CALL\w*|RISCV_JAL|ARM_THM_CALL|ARM_THM_JUMP24|ARM_THM_JUMP19|ARM_CALL|"
                        r"ARM_JUMP24)\s+(\S+)")
NM_LINE = re.compile(r"^([0-9a-f]+) [TtWw] (\S+)$")


def aliases(libgcc):
    """Names of one address in one member: the ARM helpers are labels beside
    their generic names (__aeabi_dmul is __muldf3)."""
    out = subprocess.run([NM, "--defined-only", libgcc], capture_output=True, text=True).stdout
    member, at = None, {}
    for line in out.splitlines():
        if line.endswith(".o:"):
            member = line[:-1]
        elif (m := NM_LINE.match(line)) and member:
            at.setdefault((member, m.group(1).lstrip("0") or "0"), []).append(m.group(2))
    return at


def functions(libgcc, triple):
    """Each function's frame (its pushes and sp adjustments) and the
    functions it calls (from the call relocations: an archive's objects are
    not linked yet)."""
    out = subprocess.run([OBJDUMP, "-d", "-r", "--no-show-raw-insn", f"--triple={triple}", libgcc],
                         capture_output=True, text=True, check=True).stdout
    names_at = aliases(libgcc)
    funcs, current, member = {}, None, None
    for line in out.splitlines():
        if m := MEMBER.search(line):
            member = m.group(1)
            continue
        m = FUNC.match(line)
        if m and not m.group(1).startswith("."):  # .LVL1 and the like are labels inside a function
            addr = line.split()[0].lstrip("0") or "0"
            names = names_at.get((member, addr), []) + [m.group(1)]
            current = {"frame": 0, "calls": set()}
            for n in names:
                funcs.setdefault(n, current)
            continue
        if m or current is None or not line.strip():
            continue
        if m := CALL_RELOC.search(line):
            current["calls"].add(m.group(1))
            continue
        ins = line.split(":", 1)[-1].strip()
        if m := PUSH.search(ins):
            current["frame"] += 4 * regs(m.group(1))
        if m := VPUSH.search(ins):
            current["frame"] += 8 * regs(m.group(1))
        for pattern in (SUB_SP, ADDI_SP, PRE_INDEX):
            if m := pattern.search(ins):
                current["frame"] += int(m.group(1), 0)
    return funcs


def deepest(funcs):
    memo = {}

    def depth(name, stack=()):
        if name in memo:
            return memo[name]
        if name in stack or name not in funcs:
            return 0  # recursion (none in libgcc's helpers) or a symbol outside: counted as 0
        f = funcs[name]
        # A tail call counts as nested: an upper bound.
        d = f["frame"] + max((depth(c, stack + (name,)) for c in f["calls"]), default=0)
        memo[name] = d
        return d

    return {n: depth(n) for n in funcs}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edgec", default=os.path.join(HERE, "..", "build", "tools", "edgec", "edgec"))
    p.add_argument("--json", default=None)
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    results, bad = [], []
    for t in edgec_targets.targets(args.edgec):
        t["helperStack"] = t.get("helper_stack_bytes")
        driver = t.get("libgcc") or []
        if not driver:
            continue
        libgcc = subprocess.run(driver + ["-print-libgcc-file-name"], capture_output=True, text=True,
                                check=True).stdout.strip()
        triple = "thumbv8.1m.main" if "cortex-m55" in t["name"] else \
            "thumbv7em" if driver[0].startswith("arm") else "riscv32"
        depths = deepest(functions(libgcc, triple))
        helpers = {n: d for n, d in depths.items() if HELPER.match(n) and not NOT_EDGEC.search(n)}
        if not helpers:
            sys.exit(f"helper_stack: no helpers found in {libgcc}")
        worst = max(helpers.items(), key=lambda kv: kv[1])
        row = {"target": t["name"], "libgcc": libgcc, "worst_helper": worst[0], "worst_bytes": worst[1],
               "helper_stack": t.get("helperStack"), "helpers": dict(sorted(helpers.items()))}
        results.append(row)
        ok = t.get("helperStack") is not None and t["helperStack"] >= worst[1]
        bad += [] if ok else [t["name"]]
        print(f"  {t['name']:<14} worst {worst[0]} {worst[1]} B, helperStack {t.get('helperStack')} "
              f"{'ok' if ok else 'TOO SMALL'}  ({libgcc})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.check and bad:
        print(f"helper_stack: helperStack below libgcc's worst helper on {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
