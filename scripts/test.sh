#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds edgec and runs every test
# (lit + Catch2 + model tests, all through ctest).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
cd "${EDGEC_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j2
