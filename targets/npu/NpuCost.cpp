//===- NpuCost.cpp - the NPU's timing model --------------------------------===//

#include "NpuCost.h"

#include <algorithm>

namespace edgec::npu {
namespace {
uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
} // namespace

RowSpan inputRowsRead(uint64_t outRow0, uint64_t outRows, uint64_t stride, uint64_t kernel, uint64_t dilation,
                      int64_t padTop, uint64_t inRow0, uint64_t inRows) {
  int64_t first = int64_t(outRow0 * stride) - padTop;
  int64_t last = int64_t((outRow0 + outRows - 1) * stride + (kernel - 1) * dilation) - padTop + 1;
  return {std::max<int64_t>(first, int64_t(inRow0)), std::min<int64_t>(last, int64_t(inRow0 + inRows))};
}

bool validLanes(const NpuConfig &config, uint32_t lanes) {
  return lanes >= 1 && lanes <= config.macRows && config.macRows % lanes == 0;
}

uint64_t convCycles(const NpuConfig &config, const ConvWork &w, uint32_t lanes) {
  // A block is `rows` pixels x macCols channels; each cycle every pixel of
  // it takes `lanes` reduction steps. The output stage drains a block's
  // results while the next one accumulates, so a block lasts at least its
  // drain; the last drain is not hidden.
  uint64_t rows = config.macRows / lanes;
  uint64_t pixelBlocks = ceilDiv(w.pixels, rows), channelBlocks = ceilDiv(w.channels, config.macCols);
  uint64_t drain = ceilDiv(rows * config.macCols, config.ppuElementsPerCycle);
  uint64_t macCycles = pixelBlocks * channelBlocks * std::max(ceilDiv(w.reduction, lanes), drain) + drain;
  // SRAM bounds it from the other side: the input is read once per channel
  // block (a depthwise block reads only its own channels), the weights once
  // per pixel block, the output written once.
  uint64_t inputReads = w.depthwise ? w.inputBytes : w.inputBytes * channelBlocks;
  uint64_t traffic = inputReads + w.weightBytes * pixelBlocks + w.pixels * w.channels;
  return std::max(macCycles, ceilDiv(traffic, config.sramBytesPerCycle()));
}

uint32_t bestLanes(const NpuConfig &config, const ConvWork &work) {
  uint32_t best = 1;
  for (uint32_t lanes = 2; lanes <= config.macRows; ++lanes)
    if (validLanes(config, lanes) && convCycles(config, work, lanes) < convCycles(config, work, best))
      best = lanes;
  return best;
}

uint64_t poolCycles(const NpuConfig &config, uint64_t outputs, uint64_t window) {
  return ceilDiv(outputs * window, config.poolElementsPerCycle);
}

uint64_t addCycles(const NpuConfig &config, uint64_t elements) {
  return ceilDiv(elements, config.eltwiseElementsPerCycle);
}

} // namespace edgec::npu
