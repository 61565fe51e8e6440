//===- Simulator.h - executes and times an NPU command stream ---*- C++ -*-===//
//
// The simulator runs a stream (runtime-stub/npu/edgec_npu.h) the way the
// accelerator would: every command's arithmetic bit-exactly, in stream
// order, and its timing on three engines that work in parallel -- the DMA
// engine, the compute engine (MAC array, pooling and elementwise units) and
// the command front end that feeds them. It checks what hardware would get
// wrong silently: an access outside SRAM or a binding, and a race (two
// commands touching the same SRAM bytes, one writing, that the stream's
// WAIT and after_compute fields do not order). docs/design/npu.md gives the
// timing model.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_SIM_SIMULATOR_H
#define EDGEC_TARGETS_NPU_SIM_SIMULATOR_H

#include "../NpuConfig.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edgec::npu {

/// What one layer (the commands tagged with its name) cost.
struct LayerStats {
  std::string name;
  uint64_t macs = 0;          // multiply-adds the layer's math defines
  uint64_t computeCycles = 0; // compute engine busy
  uint64_t stallCycles = 0;   // compute engine idle, waiting for DMA
  uint64_t dmaBytes = 0;
  uint32_t commands = 0;
  // What the layer is, from its largest compute command: "conv",
  // "depthwise", "max_pool", "average_pool" or "add"; for convs the shape
  // that decides how well it fills the array.
  std::string kind;
  uint64_t pixels = 0, channels = 0, reduction = 0;
  uint32_t lanes = 0;
  /// Useful MAC cycles over the layer's cycles (busy + stalled).
  double utilisation(const NpuConfig &config) const;
};

struct RunStats {
  uint64_t cycles = 0; // first command to last completion
  uint64_t macs = 0;
  uint64_t computeCycles = 0, stallCycles = 0;
  uint64_t dmaBytes = 0, dmaBusyCycles = 0;
  uint32_t sramPeak = 0; // highest SRAM byte any command touched, + 1
  std::vector<LayerStats> layers;
  /// Useful MAC cycles (macs / MACs per cycle) over all cycles.
  double utilisation(const NpuConfig &config) const;
};

/// A DRAM buffer the caller binds to address space 1 + index.
struct Binding {
  uint8_t *data = nullptr;
  uint32_t bytes = 0;
};

class Simulator {
public:
  explicit Simulator(const NpuConfig &config);
  ~Simulator();

  /// Runs `stream` to completion. Returns EDGEC_NPU_OK, or an
  /// EDGEC_NPU_ERROR_* code with `error` naming the command and its layer.
  /// SRAM keeps its contents between runs, as hardware would.
  int run(const uint32_t *stream, size_t words, const std::vector<Binding> &bindings, RunStats &stats,
          std::string &error);

  const NpuConfig &config() const { return config_; }

private:
  struct Impl;
  NpuConfig config_;
  std::vector<uint8_t> sram_;
};

/// The stats as one JSON object (per layer and totals).
std::string statsToJson(const RunStats &stats, const NpuConfig &config);

} // namespace edgec::npu

#endif // EDGEC_TARGETS_NPU_SIM_SIMULATOR_H
