#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds edgec and runs every test
# (lit + Catch2 + model tests + fuzzers, all through ctest).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
# The fuzzers, in a tree of their own (clang, sanitizers): ctest's fuzz test runs them.
bash "$root/scripts/fuzz.sh" build
cd "${EDGEC_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j2
