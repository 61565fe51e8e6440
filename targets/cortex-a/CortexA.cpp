//===- CortexA.cpp - Arm Cortex-A application cores (AArch64) -------------===//
//
// AArch64 Linux user space with NEON (and dot product on the A76), proven
// under qemu-aarch64 user mode with a freestanding program (no libc): the
// runtime stub's _start and raw system calls.
//
//===----------------------------------------------------------------------===//
#include "targets/TargetInfo.h"

namespace edgec::detail {

static TargetInfo cortexA(const std::string &cpu, const std::string &description,
                          uint64_t l1, uint64_t l2) {
  TargetInfo t;
  t.name = cpu;
  t.description = description;
  t.triple = "aarch64-unknown-linux-gnu";
  t.cpu = cpu;
  t.vectorBits = t.floatVectorBits = 128;
  // 32 NEON registers: 4 x 4 accumulators of 4 floats.
  t.kernelVectors = 4;
  t.l1Bytes = l1;
  t.l2Bytes = l2;
  t.runner.stubSources = {"common/mem.c"};
  t.runner.testSources = {"linux-user/test_io.c"};
  t.runner.ldflags = {"-static"};
  t.runner.cflags = {"--target=aarch64-unknown-linux-gnu", "-mcpu=" + cpu};
  t.runner.emulator = {"qemu-aarch64", "-cpu", cpu};
  return t;
}

void registerCortexATargets(std::vector<TargetInfo> &targets) {
  // Raspberry Pi 3 (A53, 1.2 GHz: a 64-bit NEON datapath, 2 f32 FMAs per
  // cycle) and 5 (A76, 2.4 GHz: two 128-bit FMA pipes; sdot 4x that in int8).
  TargetInfo a53 = cortexA("cortex-a53", "Arm Cortex-A53 (AArch64, NEON), Linux user space", 32 << 10, 512 << 10);
  a53.clockMHz = 1200;
  a53.floatMacsPerCycle = 2;
  a53.intMacsPerCycle = 4;
  a53.bytesPerCycle = 8;
  targets.push_back(a53);
  TargetInfo a76 = cortexA("cortex-a76", "Arm Cortex-A76 (AArch64, NEON + dot product), Linux user space",
                           64 << 10, 512 << 10);
  // sdot: four int8 products summed into each 32-bit lane (ARMv8.2 DotProd).
  a76.intDotProduct = "arm-sdot";
  a76.clockMHz = 2400;
  a76.floatMacsPerCycle = 8;
  a76.intMacsPerCycle = 32;
  a76.bytesPerCycle = 16;
  targets.push_back(a76);
}

} // namespace edgec::detail
