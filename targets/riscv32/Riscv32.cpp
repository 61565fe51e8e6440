//===- Riscv32.cpp - 32-bit RISC-V microcontrollers -----------------------===//
//
// Bare-metal rv32imac (soft float, ilp32) and rv32imafc (single-precision
// FPU, ilp32f), proven on qemu-system-riscv32 -M virt -bios none with
// semihosting. The virt board's RAM (128 MiB at 0x80000000) holds code and
// data; the limits below are those of a large MCU (2 MiB flash, 1 MiB
// SRAM), to be replaced by the part's with --flash-size / --sram-size.
//
//===----------------------------------------------------------------------===//
#include "targets/TargetInfo.h"

namespace edgec::detail {

static TargetInfo rv32(const std::string &isa, const std::string &abi,
                       const std::string &features, const std::string &description) {
  TargetInfo t;
  t.name = isa;
  t.description = description;
  t.triple = "riscv32-unknown-none-elf";
  t.cpu = "generic-rv32";
  t.features = features;
  t.abi = abi;
  t.indexBits = 32;
  // With F, LLVM rounds with fcvt's static rounding modes and has fsqrt.s.
  t.fpuRounding = t.fpuSqrt = t.fpuMinMax = abi == "ilp32f";
  t.fpuWideMinMax = false; // f16/f64 maximum would call libm
  t.bareMetal = true;
  t.flashBytes = 2u << 20;
  t.sramBytes = 1u << 20;
  t.board = "qemu virt";
  t.runner.stubSources = {"riscv32/startup.c", "common/mem.c", "common/half.c"};
  t.runner.linkerScript = "riscv32/virt.ld";
  t.runner.testSources = {"semihosting/test_io.c"};
  t.runner.cflags = {"--target=riscv32-unknown-none-elf", "-march=" + isa, "-mabi=" + abi,
                     "-mno-relax"};
  t.runner.libgcc = {"riscv64-unknown-elf-gcc", "-march=" + isa, "-mabi=" + abi};
  // libgcc 12's deepest helper here: __fixsfdi -> __fixunssfdi -> __muldf3
  // (and __powidf2), 80 bytes (bench/helper_stack.py; ctest helper-stack).
  t.helperStackBytes = 80;
  t.runner.emulator = {"qemu-system-riscv32", "-M", "virt", "-bios", "none", "-nographic",
                       "-monitor", "none", "-serial", "none", "-semihosting", "-kernel"};
  // A 160 MHz MCU (ESP32-C3 class). Without F, a float multiply-add is a
  // soft-float call of some 50 cycles; int8 is a mul and an add.
  bool fpu = abi == "ilp32f";
  t.clockMHz = 160;
  t.floatMacsPerCycle = fpu ? 1 : 1.0 / 50;
  t.intMacsPerCycle = 0.5;
  t.bytesPerCycle = 4;
  return t;
}

void registerRiscv32Targets(std::vector<TargetInfo> &targets) {
  targets.push_back(rv32("rv32imac", "ilp32", "+m,+a,+c,+zicsr",
                         "RISC-V rv32imac MCU (integer only, soft float), bare metal"));
  targets.push_back(rv32("rv32imafc", "ilp32f", "+m,+a,+f,+c,+zicsr",
                         "RISC-V rv32imafc MCU (single-precision FPU), bare metal"));
}

} // namespace edgec::detail
