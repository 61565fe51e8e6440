"""edgec_torch.compile(): an nn.Module to an edgec artifact in one call."""

import json
import os
import shutil
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch

from .importer import import_module


class CompileError(Exception):
    """edgec refused the model; the message is edgec's diagnostics, and the
    imported graph is kept where the message says."""


def find_edgec(edgec=None):
    """The edgec binary: the argument, $EDGEC, `edgec` on PATH, this
    checkout's build/tools/edgec/edgec, or an installation's bin/edgec."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [edgec, os.environ.get("EDGEC"), shutil.which("edgec"),
                  os.path.join(here, "..", "..", "..", "build", "tools", "edgec", "edgec"),
                  os.path.join(here, "..", "..", "..", "..", "bin", "edgec")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise CompileError("edgec not found: pass edgec=PATH, set $EDGEC, or put edgec on PATH")


def c_identifier(text):
    """`text` made a C identifier (edgec's --name): other characters to _."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return ident if ident and not ident[0].isdigit() else "m_" + ident


def _as_tuple(example_inputs):
    if isinstance(example_inputs, torch.Tensor):
        return (example_inputs,)
    return tuple(example_inputs)


def compile(module, example_inputs, target="host", quantize=None, calibration=None, out_dir=None, name=None,
            input_names=(), output_names=(), edgec=None, extra_args=(), verbose=False):
    """Imports `module` called on `example_inputs` and compiles it for `target`.

    quantize: None, "int8", "int8-per-tensor", "int8-weights" or "int4-weights" (edgec's
    --quantize). calibration: for "int8", a directory of .npy samples, or a
    list of example input tuples (written as .npy for edgec). out_dir: the
    artifact directory (default: a new directory named after the model in
    the current directory). Returns a dict: "dir", "library", "header",
    "report", "mlir" (the imported graph, kept beside the artifact), and
    "sizes" (bytes of code, weights, arena, ... from the manifest).
    """
    example_inputs = _as_tuple(example_inputs)
    name = c_identifier(name or type(module).__name__.lower())
    out_dir = os.path.abspath(out_dir or name)
    binary = find_edgec(edgec)
    text = import_module(module, example_inputs, input_names, output_names)
    work = tempfile.mkdtemp(prefix="edgec-torch-")
    failed = False
    try:
        mlir = os.path.join(work, f"{name}.mlir")
        with open(mlir, "w") as f:
            f.write(text)
        cmd = [binary, "compile", mlir, "--target", target, "--name", name, "-o", out_dir]
        if quantize:
            cmd += ["--quantize", quantize]
        if calibration is not None:
            if not isinstance(calibration, (str, os.PathLike)):
                cal_dir = os.path.join(work, "calibration")
                os.makedirs(cal_dir)
                # edgec's layout (docs/guides/quantization.md): a file per sample for
                # one input, a directory of input_<k>.npy per sample otherwise.
                for i, sample in enumerate(calibration):
                    sample = _as_tuple(sample)
                    if len(sample) == 1:
                        np.save(os.path.join(cal_dir, f"sample{i:05d}.npy"), sample[0].detach().cpu().numpy())
                        continue
                    os.makedirs(os.path.join(cal_dir, f"sample{i:05d}"))
                    for k, t in enumerate(sample):
                        np.save(os.path.join(cal_dir, f"sample{i:05d}", f"input_{k}.npy"), t.detach().cpu().numpy())
                calibration = cal_dir
            cmd += ["--calibration", str(calibration)]
        cmd += list(extra_args)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if verbose and not proc.returncode:
            print(proc.stderr, end="", file=sys.stderr)
        if proc.returncode:
            failed = True  # keep the graph the diagnostics point into
            raise CompileError((proc.stderr.strip() or f"edgec exited with {proc.returncode}") +
                               f"\n(the imported graph is kept in {mlir})")
        shutil.copy(mlir, os.path.join(out_dir, f"{name}.mlir"))
    finally:
        if not failed:
            shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(out_dir, "manifest.json")) as f:
        manifest = json.load(f)
    return {"dir": out_dir, "library": os.path.join(out_dir, f"lib{name}.a"),
            "header": os.path.join(out_dir, f"{name}.h"), "report": os.path.join(out_dir, "report.txt"),
            "mlir": os.path.join(out_dir, f"{name}.mlir"), "sizes": manifest.get("sizes", {})}
