//===- NpuConfig.h - parameters of edgec's NPU, shared by compiler and simulator -*- C++ -*-===//
//
// One struct describes the accelerator: the compiler tiles for it and the
// simulator times it, so both read the same values (defaults, or a
// `key = value` file given to `edgec compile --npu-config` and to the
// simulator through EDGEC_NPU_CONFIG). docs/design/npu.md explains each parameter
// and why its default is what it is. No LLVM here: the simulator links this
// into plain C/C++ test programs.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_NPUCONFIG_H
#define EDGEC_TARGETS_NPU_NPUCONFIG_H

#include <cstdint>
#include <string>

namespace edgec::npu {

struct NpuConfig {
  // MAC array: rows take output pixels, columns output channels; one int8 x
  // int8 -> int32 multiply-add per cell per cycle.
  uint32_t macRows = 16, macCols = 16;
  // On-chip SRAM: size, and banks x bytes each bank moves per cycle (single
  // ported: a read or a write).
  uint32_t sramBytes = 512 * 1024;
  uint32_t sramBanks = 16, sramBankBytes = 16;
  // DMA between DRAM and SRAM: sustained bytes per cycle, and cycles from a
  // transfer's start to its first byte (DRAM latency).
  uint32_t dmaBytesPerCycle = 16, dmaLatency = 100;
  // Output stage (requantise, clamp) elements per cycle: a 3x3 depthwise
  // conv makes one output per 9 multiply-adds, 256 / 9 = 28.4 per cycle at
  // full rate, so 32 lanes; pooling and elementwise units, elements per
  // cycle.
  uint32_t ppuElementsPerCycle = 32, poolElementsPerCycle = 16, eltwiseElementsPerCycle = 16;
  // Fixed cost of each compute command (decode, pipeline fill), in cycles.
  uint32_t commandCycles = 16;
  // For reports: cycles per microsecond.
  uint32_t clockMhz = 1000;

  uint32_t macsPerCycle() const { return macRows * macCols; }
  uint32_t sramBytesPerCycle() const { return sramBanks * sramBankBytes; }
};

/// Reads `key = value` lines ('#' starts a comment) over the defaults. On
/// error returns false and sets `error` to a message naming the line.
bool parseNpuConfig(const std::string &text, NpuConfig &config, std::string &error);
/// The same from a file (error names the file).
bool loadNpuConfig(const std::string &path, NpuConfig &config, std::string &error);
/// The parameters as `key = value` lines, in the parser's names.
std::string printNpuConfig(const NpuConfig &config);

} // namespace edgec::npu

#endif // EDGEC_TARGETS_NPU_NPUCONFIG_H
