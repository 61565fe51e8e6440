"""The targets an edgec binary knows, as it lists them (`edgec targets
--json`, in its order), for scripts that run or measure several: they ask
the binary they are given rather than keep a list of their own.

  targets(edgec)              every target: the JSON's fields and "name"
  names(edgec, where=None)    the names of those `where(target)` accepts
  cross(edgec)                the targets that do not run on this machine
                              (each under its emulator)
  arch(target)                a target's instruction set, from its triple
                              (thumbv7em and thumbv8.1m.main are both "thumb")
  pipeline(edgec, name)       the pass pipeline edgec lowers with for it
                              (`edgec compile --print-pipeline`)
  is_npu(edgec, name)         whether it hands int8 layers to the NPU
  expansions(edgec, name)     what edgec-approximate-math expands in software
                              there (what its FPU lacks): {"rounding": bool,
                              "sqrt": ..., ...}
  first_of_each(edgec, key, where=None)
                              the first target of each distinct key(target)
"""
import functools
import json
import subprocess


@functools.lru_cache(maxsize=None)
def _listed(edgec):
    r = subprocess.run([edgec, "targets", "--json"], capture_output=True, text=True, check=True)
    return tuple(dict(info, name=name) for name, info in json.loads(r.stdout).items())


def targets(edgec):
    """Every target of `edgec` in the order it lists them, each the dict of
    `edgec targets --json` with its "name" added."""
    return [dict(t) for t in _listed(edgec)]


def names(edgec, where=None):
    return [t["name"] for t in targets(edgec) if where is None or where(t)]


def cross(edgec):
    """The targets whose artifacts do not run on this machine: `edgec run`
    runs them under their emulator."""
    return names(edgec, lambda t: not t["host_native"])


def arch(target):
    """The instruction set of `target` (a dict of targets()): its triple's
    architecture, Thumb's versions as one."""
    a = target["triple"].split("-")[0]
    return "thumb" if a.startswith("thumb") else a


@functools.lru_cache(maxsize=None)
def pipeline(edgec, name):
    """The pass pipeline `edgec` lowers with for target `name` (no model is
    read: the file need not exist)."""
    r = subprocess.run([edgec, "compile", "model.onnx", "--target", name, "--print-pipeline"],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip()


def is_npu(edgec, name):
    """Whether target `name` hands int8 subgraphs to edgec's NPU (the
    JSON's "npu")."""
    return next(t for t in _listed(edgec) if t["name"] == name)["npu"]


def expansions(edgec, name):
    """What edgec-approximate-math expands in generated code on target
    `name` (what its FPU lacks, the JSON's "fpu"): {"rounding": bool,
    "sqrt": bool, "min-max": bool, "wide-min-max": bool}."""
    fpu = next(t for t in _listed(edgec) if t["name"] == name)["fpu"]
    return {k.replace("_", "-"): not v for k, v in fpu.items()}


def first_of_each(edgec, key, where=None):
    """The names of the first target (in edgec's order) of each distinct
    key(target), among those `where(target)` accepts."""
    seen, out = [], []
    for t in targets(edgec):
        if where is not None and not where(t):
            continue
        k = key(t)
        if k not in seen:
            seen.append(k)
            out.append(t["name"])
    return out
