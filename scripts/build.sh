#!/usr/bin/env bash
# Configures and builds edgec into ./build (Ninja, Release, ccache when present).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${EDGEC_BUILD_DIR:-$root/build}"
jobs="${EDGEC_JOBS:-2}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${EDGEC_BUILD_TYPE:-Release}" \
    ${EDGEC_CMAKE_ARGS:-}
fi
ninja -C "$build" -j"$jobs"
