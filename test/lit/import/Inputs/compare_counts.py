"""Compares `edgec import --summary-json` with onnx_reference_counts.py.

Usage: compare_counts.py EDGEC.json REFERENCE.json; exits 1 on any difference.
"""
import json
import sys

edgec, ref = (json.load(open(p)) for p in sys.argv[1:3])
bad = [f"{key}: edgec {edgec[key]} vs ONNX reference {ref[key]}"
       for key in ("ops", "op_counts", "parameters") if edgec[key] != ref[key]]
for line in bad:
    print(line)
print(f"ops {edgec['ops']}, parameters {edgec['parameters']}: "
      f"{'MISMATCH' if bad else 'match the ONNX reference'}")
sys.exit(1 if bad else 0)
