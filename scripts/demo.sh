#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds edgec and runs the main job on the
# bundled example: compile ../shared/models/hey_mycroft_v0.1.onnx for the host
# (artifact in build/demo/kws), link it into examples/host/kws_demo.c, run it,
# and print the result and the artifact's sizes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${EDGEC_BUILD_DIR:-$root/build}"
model="$(realpath "${1:-$root/../shared/models/hey_mycroft_v0.1.onnx}")"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
edgec="$build/tools/edgec/edgec"
echo "== edgec import $model --optimize --summary"
"$edgec" import "$model" --optimize --summary -o /dev/null
echo "== edgec compile $model --target host --name kws -o $build/demo/kws"
"$edgec" compile "$model" --target host --name kws -o "$build/demo/kws"
cc -O2 -std=c11 -I "$build/demo/kws" "$root/examples/host/kws_demo.c" "$build/demo/kws/libkws.a" \
  -o "$build/demo/kws_demo"
echo "== run"
"$build/demo/kws_demo"
echo "== $build/demo/kws/report.txt (tail)"
tail -6 "$build/demo/kws/report.txt"
