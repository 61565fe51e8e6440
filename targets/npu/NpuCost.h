//===- NpuCost.h - how many cycles the NPU's units take ----------*- C++ -*-===//
//
// The timing model of docs/design/npu.md ("Timing"), in one place: the simulator
// counts cycles with it, and the compiler uses it to choose each conv's
// array mode, so the two never disagree about what is fast.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_NPUCOST_H
#define EDGEC_TARGETS_NPU_NPUCOST_H

#include "NpuConfig.h"

#include <cstdint>

namespace edgec::npu {

/// One CONV command's work: output pixels x output channels, each a sum of
/// `reduction` products; the SRAM bytes of the operands it reads. A dense
/// conv reads all its input rows' bytes for every channel block; a
/// depthwise one reads each input channel for its own output channel only,
/// so `inputBytes` counts the command's channels and is read once.
struct ConvWork {
  uint64_t pixels = 0, channels = 0, reduction = 0;
  uint64_t inputBytes = 0, weightBytes = 0;
  bool depthwise = false;
};

/// Input rows [first, last) a window op reads to make output rows
/// [outRow0, outRow0 + outRows) from a buffer holding input rows
/// [inRow0, inRow0 + inRows): padding rows are not read. Empty when none.
struct RowSpan {
  int64_t first = 0, last = 0;
  uint64_t count() const { return last > first ? uint64_t(last - first) : 0; }
};
RowSpan inputRowsRead(uint64_t outRow0, uint64_t outRows, uint64_t stride, uint64_t kernel, uint64_t dilation,
                      int64_t padTop, uint64_t inRow0, uint64_t inRows);

/// A valid array mode: the rows split into macRows / lanes pixels of
/// `lanes` reduction steps each, summed per column.
bool validLanes(const NpuConfig &config, uint32_t lanes);

/// Cycles of a CONV command in a mode (without the fixed command cost).
uint64_t convCycles(const NpuConfig &config, const ConvWork &work, uint32_t lanes);

/// The fastest mode for the work (the fewest lanes on a tie).
uint32_t bestLanes(const NpuConfig &config, const ConvWork &work);

/// Cycles of a POOL command producing `outputs` values of `window` inputs.
uint64_t poolCycles(const NpuConfig &config, uint64_t outputs, uint64_t window);

/// Cycles of an ADD command over `elements`.
uint64_t addCycles(const NpuConfig &config, uint64_t elements);

} // namespace edgec::npu

#endif // EDGEC_TARGETS_NPU_NPUCOST_H
