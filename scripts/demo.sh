#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds edgec and runs the main job on the
# bundled example: import ../shared/models/hey_mycroft_v0.1.onnx, optimise it,
# print the optimised graph (weights elided) and its op/parameter summary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="$(realpath "${1:-$root/../shared/models/hey_mycroft_v0.1.onnx}")"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
"${EDGEC_BUILD_DIR:-$root/build}/tools/edgec/edgec" import "$model" --optimize --summary \
  --mlir-elide-resource-strings-if-larger=16
