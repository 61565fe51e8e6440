#!/usr/bin/env bash
# Installs every build and test dependency of edgec on Debian 12 (bookworm).
# Idempotent: packages already present are left alone; safe to run repeatedly.
#   scripts/setup.sh           build and test dependencies (what CI needs)
#   scripts/setup.sh --bench   also what bench/ needs: matplotlib for charts
set -euo pipefail

PACKAGES=(
  # toolchain and build
  cmake ninja-build ccache g++
  # LLVM/MLIR 22 (MLIR static libraries, LLVM as one shared library)
  llvm-22-dev libmlir-22-dev mlir-22-tools clang-22 lld-22 llvm-22-tools
  # libFuzzer and the sanitizer runtimes for the fuzz tree (scripts/fuzz.sh)
  libclang-rt-22-dev
  # model formats and CLI
  libonnx-dev libprotobuf-dev protobuf-compiler libcli11-dev libfmt-dev
  # tests
  catch2 python3-onnx python3-numpy libonnx-testdata
  # the PyTorch importer (compiler/torch) and its tests, which build
  # torchvision's models (also the NPU test's model zoo, bench/make_zoo.py)
  python3-torch python3-torchvision
  # quantisation accuracy on real images
  dataset-fashion-mnist
  # end-to-end tests: ONNX Runtime runs under node; harnesses build with cc
  nodejs gcc libc6-dev espeak-ng sox
  # cross targets: emulators, and the gcc cross toolchains whose libgcc
  # holds the compiler helpers (64-bit division, soft float) firmware links
  qemu-user qemu-system-arm qemu-system-misc gcc-arm-none-eabi gcc-riscv64-unknown-elf
)
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(python3-matplotlib)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "edgec setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "edgec setup: all packages present"
fi

# ONNX Runtime (the reference for end-to-end tests), from npm. Its postinstall
# download does not work offline; the library inside the package does.
ort_dir="${EDGEC_ORT_DIR:-$HOME/.cache/edgec/ort}"
if [ ! -d "$ort_dir/node_modules/onnxruntime-node" ]; then
  echo "edgec setup: installing onnxruntime-node@1.30.0 into $ort_dir"
  mkdir -p "$ort_dir"
  (cd "$ort_dir" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@1.30.0 >/dev/null)
fi
