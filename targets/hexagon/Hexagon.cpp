//===- Hexagon.cpp - Qualcomm Hexagon DSPs --------------------------------===//
//
// Hexagon v67 scalar, and with 128-byte HVX vectors. Proven under
// qemu-hexagon user mode (qemu 7.2 knows v67 and older) with a freestanding
// program: the runtime stub's _start, trap0 system calls and the compiler
// helpers Hexagon needs (it has no divide instruction), so no toolchain
// library is linked.
//
//===----------------------------------------------------------------------===//
#include "targets/TargetInfo.h"

namespace edgec::detail {

void registerHexagonTargets(std::vector<TargetInfo> &targets) {
  TargetInfo t;
  t.name = "hexagon-v67";
  t.description = "Qualcomm Hexagon v67 DSP, scalar";
  t.triple = "hexagon-unknown-linux-musl";
  t.cpu = "hexagonv67";
  t.features = "+v67";
  t.indexBits = 32;
  t.fpuRounding = t.fpuSqrt = t.fpuWideMinMax = false;
  // f32 max/min stay LLVM's: the compare-and-select expansion becomes
  // sfmax, which returns the other operand for a NaN.
  // No small-data (GP-relative) sections: firmware linking an artifact need
  // not set GP up.
  t.llvmOptions = {"hexagon-small-data-threshold=0"};
  // LLVM's IR pipeline at O2, not O3: after O3 the embedding model's 3x1
  // conv (register-blocked, one function with the whole model) computed
  // NaN rows under qemu-hexagon 7.2, while the same conv alone, the same
  // model at O2, and every other target at O3 are right. Not pinned yet on
  // LLVM 22's Hexagon backend or on qemu 7.2 (which has known Hexagon
  // predicate bugs fixed later); code generation stays at O3.
  t.maxIrOptLevel = 2;
  t.bareMetal = true;
  t.vectorBits = 64;
  t.runner.stubSources = {"common/mem.c", "common/half.c", "hexagon/builtins.c"};
  t.runner.testSources = {"linux-user/test_io.c"};
  t.runner.ldflags = {"-static"};
  t.runner.cflags = {"--target=hexagon-unknown-linux-musl", "-mv67", "-G0"};
  t.runner.emulator = {"qemu-hexagon"};
  // A 1 GHz cDSP: two scalar float multiply-adds per packet, vrmpy's four
  // int8 products in each of two slots.
  t.clockMHz = 1000;
  t.floatMacsPerCycle = 2;
  t.intMacsPerCycle = 8;
  t.bytesPerCycle = 8;
  targets.push_back(t);

  TargetInfo hvx = t;
  hvx.name = "hexagon-v67-hvx";
  hvx.description = "Qualcomm Hexagon v67 DSP with 128-byte HVX vectors";
  hvx.features = "+v67,+hvxv67,+hvx-length128b";
  hvx.vectorBits = 1024; // integer only: HVX float arrived with v68
  hvx.intMacsPerCycle = 128; // vrmpy on 128-byte vectors
  hvx.bytesPerCycle = 64;
  hvx.runner.cflags = {"--target=hexagon-unknown-linux-musl", "-mv67", "-mhvx",
                       "-mhvx-length=128b", "-G0"};
  targets.push_back(hvx);
}

} // namespace edgec::detail
