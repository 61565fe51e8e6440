"""Checks the symbols of an artifact compiled in parts.

usage: check_parts.py LIB.a NAME

Every symbol a member leaves undefined is defined by another member or is one
the runtime stubs provide (memcpy, memset, memmove, __* compiler helpers);
every global symbol other than NAME_run and NAME_run_packed is hidden and
starts with NAME. Prints one line per member and exits 1 on a violation.
"""
import subprocess
import sys

lib, name = sys.argv[1], sys.argv[2]
out = subprocess.run(["llvm-readelf", "--syms", lib], check=True, capture_output=True,
                     text=True).stdout
members, defined, undefined, errors = [], set(), set(), []
for line in out.splitlines():
    if line.startswith("File: "):
        members.append(line.split("(")[-1].rstrip(")"))
        continue
    fields = line.split()
    # Num: Value Size Type Bind Vis Ndx Name
    if len(fields) < 8 or not fields[0].endswith(":") or fields[4] != "GLOBAL":
        continue
    vis, ndx, sym = fields[5], fields[6], fields[7]
    if ndx == "UND":
        undefined.add(sym)
        continue
    defined.add(sym)
    if sym in (name + "_run", name + "_run_packed"):
        if vis != "DEFAULT":
            errors.append(f"{sym} is {vis}, the C API must be visible")
    elif vis != "HIDDEN" or not sym.startswith(name):
        errors.append(f"{sym} is {vis}: a symbol between parts must be hidden and start with {name}")
for sym in sorted(undefined - defined):
    if sym not in ("memcpy", "memset", "memmove") and not sym.startswith("__"):
        errors.append(f"{sym} is used and defined by no member")
print(f"{len(members)} members: {' '.join(members)}")
print(f"{len(undefined & defined)} symbols between parts")
for e in errors:
    print("error:", e)
sys.exit(1 if errors else 0)
