"""ctest new-user: docs/guides/getting-started.md and docs/guides/ci.md, followed as written.

Runs every ```sh block of the two pages in order (bash -euo pipefail), in a
scratch directory that holds this repository's files and build, except a
block marked `<!-- new-user test: skip ... -->` (the install and build,
which CI runs before any test). Then checks what a reader would look at:
the two devices' artifacts and manifests, the firmware's output against ONNX
Runtime, and the CI job's artifact per model and device.

    new_user.py --build-dir BUILD [--work DIR]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "firmware"))
from run_example import matches_onnx_runtime  # noqa: E402


def sh_blocks(page):
    """The page's ```sh blocks, without those marked to skip."""
    text = open(os.path.join(ROOT, "docs", "guides", page)).read()
    blocks = []
    for m in re.finditer(r"(<!-- new-user test: skip[^>]*-->\s*)?```sh\n(.*?)```", text, re.S):
        if not m.group(1):
            blocks.append(m.group(2))
    return blocks


def follow(page, work):
    """Runs the page's blocks in `work`; their output, or None on a failure."""
    output = ""
    for block in sh_blocks(page):
        print(f"--- {page}:\n{block}", flush=True)
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=work, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
        print(r.stdout, end="")
        if r.returncode:
            print(f"FAIL: a block of docs/guides/{page} exited with {r.returncode}")
            return None
        output += r.stdout
    return output


def manifest(path):
    with open(path) as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", required=True)
    p.add_argument("--work", default="/tmp/edgec-new-user")
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    # The repository as a reader has it, with this build as its build/.
    for entry in os.listdir(ROOT):
        if entry not in (".git", "build"):
            os.symlink(os.path.join(ROOT, entry), os.path.join(args.work, entry))
    os.symlink(os.path.abspath(args.build_dir), os.path.join(args.work, "build"))
    ok = True

    out = follow("getting-started.md", args.work)
    if out is None:
        return 1
    for device in ("cortex-m4", "rv32imac"):
        m = manifest(os.path.join(args.work, "out", device, "manifest.json"))
        if m["target"] != device or not os.path.exists(os.path.join(args.work, "out", device, "libfashion_cnn.a")):
            print(f"FAIL: out/{device} is not the {device} artifact"); ok = False
    if "all 10 op(s) on the CPU" not in out:
        print("FAIL: edgec inspect did not report the model's ops per target"); ok = False
    if not matches_onnx_runtime(out, args.work):
        ok = False

    out = follow("ci.md", args.work)
    if out is None:
        return 1
    built = sorted(line.split()[:2] for line in out.splitlines() if line.startswith(("fashion_cnn ", "tiny ")))
    want = sorted([name, device] for name in ("fashion_cnn", "tiny") for device in ("cortex-m4", "rv32imac", "host"))
    if built != want:
        print(f"FAIL: the CI job built {built}, not {want}"); ok = False
    print("new user: getting-started.md and ci.md work as written" if ok else "new user: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
