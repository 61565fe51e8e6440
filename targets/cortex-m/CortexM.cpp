//===- CortexM.cpp - Arm Cortex-M microcontrollers ------------------------===//
//
// Bare-metal Thumb code with the hard-float ABI. The memories are those of
// the MPS2/MPS3 FPGA boards the targets are proven on (qemu-system-arm
// -M mps2-an386 / mps2-an500 / mps3-an547): on MPS2 4 MiB of code SSRAM at
// 0x0 standing for flash and 4 MiB of data SSRAM at 0x20000000. A real
// part has less: give its sizes with --flash-size / --sram-size.
//
//===----------------------------------------------------------------------===//
#include "targets/TargetInfo.h"

namespace edgec::detail {

static TargetInfo cortexM(const std::string &name, const std::string &cpu,
                          const std::string &description, const std::string &board,
                          const std::vector<std::string> &fpu,
                          const std::string &arch = "thumbv7em") {
  TargetInfo t;
  t.name = name;
  t.description = description;
  t.triple = arch + "-unknown-none-eabihf";
  t.cpu = cpu;
  t.indexBits = 32;
  t.bareMetal = true;
  t.vectorBits = 32; // the DSP extension's packed 8/16-bit SIMD
  t.flashBytes = 4u << 20;
  t.sramBytes = 4u << 20;
  t.board = board;
  t.fpuRounding = cpu != "cortex-m4"; // VRINT arrived with FPv5 (M7)
  t.fpuMinMax = t.fpuWideMinMax = false; // f64 maximum does not even select on 32-bit Arm
  t.runner.stubSources = {"cortex-m/startup.c", "cortex-m/aeabi.c", "common/mem.c",
                          "common/half.c"};
  t.runner.linkerScript = "cortex-m/mps2.ld";
  t.runner.testSources = {"semihosting/test_io.c"};
  t.runner.cflags = {"--target=" + t.triple, "-mcpu=" + cpu, "-mthumb", "-mfloat-abi=hard"};
  t.runner.cflags.insert(t.runner.cflags.end(), fpu.begin(), fpu.end());
  t.runner.libgcc = {"arm-none-eabi-gcc", "-mthumb", "-mfloat-abi=hard", "-mcpu=" + cpu};
  t.runner.emulator = {"qemu-system-arm", "-M", board, "-nographic", "-monitor", "none",
                       "-serial", "none", "-semihosting", "-kernel"};
  // Typical parts: STM32F4 (M4, 168 MHz), STM32H7 (M7, 480 MHz); one FPU
  // multiply-accumulate per cycle at best, two 16-bit ones (SMLAD) for int8.
  t.clockMHz = cpu == "cortex-m7" ? 480 : 168;
  t.floatMacsPerCycle = 1;
  t.intMacsPerCycle = 2;
  t.bytesPerCycle = cpu == "cortex-m7" ? 8 : 4;
  return t;
}

void registerCortexMTargets(std::vector<TargetInfo> &targets) {
  targets.push_back(cortexM("cortex-m4", "cortex-m4",
                            "Arm Cortex-M4F (FPv4-SP, DSP), bare metal; proven on MPS2 AN386",
                            "mps2-an386", {"-mfpu=fpv4-sp-d16"}));
  targets.push_back(cortexM("cortex-m7", "cortex-m7",
                            "Arm Cortex-M7 (FPv5 double precision, DSP), bare metal; proven on "
                            "MPS2 AN500",
                            "mps2-an500", {"-mfpu=fpv5-d16"}));
  // Armv8.1-M with MVE (Helium) and double-precision FPv5, on MPS3 AN547:
  // code in the 512 KiB ITCM, weights in 8 MiB QSPI flash, data in 4 MiB
  // SRAM.
  TargetInfo m55 = cortexM("cortex-m55", "cortex-m55",
                           "Arm Cortex-M55 (Helium MVE, FPv5), bare metal; proven on MPS3 AN547",
                           "mps3-an547", {}, "thumbv8.1m.main");
  m55.vectorBits = m55.floatVectorBits = 128;
  // 8 MVE registers: 4 x 1 accumulators, the weight from a core register.
  m55.kernelVectors = 1;
  m55.flashBytes = 8u << 20;
  // Alif Ensemble E7's M55 at 400 MHz: Helium's 64-bit datapath does 2 f32
  // or 8 int8 multiply-accumulates per cycle.
  m55.clockMHz = 400;
  m55.floatMacsPerCycle = 2;
  m55.intMacsPerCycle = 8;
  m55.bytesPerCycle = 8;
  m55.runner.linkerScript = "cortex-m/mps3-an547.ld";
  m55.llvmOptions = {"enable-arm-maskedgatscat=false"};
  targets.push_back(m55);
}

} // namespace edgec::detail
