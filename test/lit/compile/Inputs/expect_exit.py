"""expect_exit.py CODE CMD...: runs CMD, passes its output through, and
fails unless it exits with CODE."""
import subprocess
import sys

code = int(sys.argv[1])
r = subprocess.run(sys.argv[2:])
if r.returncode != code:
    print(f"expected exit code {code}, got {r.returncode}", file=sys.stderr)
    sys.exit(1)
