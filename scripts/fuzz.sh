#!/usr/bin/env bash
# edgec's fuzzers (test/fuzz, docs/design/reliability.md).
#   scripts/fuzz.sh build          builds them into <build dir>-fuzz with clang-22:
#                                  every edgec library with libFuzzer's coverage,
#                                  ASan and UBSan
#   scripts/fuzz.sh run [ARGS]     runs them (test/fuzz/run_fuzzers.py ARGS): as
#                                  CI does by default, --time 3600 for an hour each
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${EDGEC_BUILD_DIR:-$root/build}-fuzz"
case "${1:-}" in
build)
  if [ ! -f "$build/build.ninja" ]; then
    # -O1 and assertions on: quick to build, and an assert is a finding.
    cmake -G Ninja -S "$root" -B "$build" -DEDGEC_FUZZ=ON \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_FLAGS_RELEASE="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only"
  fi
  ninja -C "$build" -j"${EDGEC_JOBS:-2}" edgec-fuzzers
  ;;
run)
  shift
  exec /usr/bin/python3 "$root/test/fuzz/run_fuzzers.py" --fuzz-dir "$build/test/fuzz" "$@"
  ;;
*)
  sed -n '2,7p' "$0"
  exit 2
  ;;
esac
