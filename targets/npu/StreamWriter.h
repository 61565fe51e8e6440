//===- StreamWriter.h - builds NPU command streams ---------------*- C++ -*-===//
//
// Typed commands in, the word format of runtime-stub/npu/edgec_npu.h out.
// The compiler (targets/npu) writes streams with it and the simulator's
// tests build theirs; neither spells a word index by hand.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_STREAMWRITER_H
#define EDGEC_TARGETS_NPU_STREAMWRITER_H

#include "NpuConfig.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace edgec::npu {

/// A feature map in SRAM (NHWC int8); rows [row0, row0 + rows) of a
/// height x width x channels tensor.
struct FmapDesc {
  uint32_t offset = 0, height = 1, width = 1, channels = 1, row0 = 0, rows = 1;
  int32_t zeroPoint = 0;
  uint64_t rowBytes() const { return uint64_t(width) * channels; }
  uint64_t bytes() const { return rowBytes() * rows; }
};

/// count2 x count1 rows of rowBytes, between SRAM and a binding or within SRAM.
struct DmaDesc {
  uint32_t srcSpace = 0, srcOffset = 0, dstSpace = 0, dstOffset = 0;
  uint32_t rowBytes = 0, count1 = 1, srcStride1 = 0, dstStride1 = 0, count2 = 1, srcStride2 = 0, dstStride2 = 0;
  uint32_t afterCompute = 0; // compute commands that must finish first
};

struct ConvDesc {
  bool depthwise = false;
  FmapDesc in, out;
  uint32_t oc0 = 0, ocCount = 0;
  uint32_t kernelH = 1, kernelW = 1, strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int32_t padTop = 0, padLeft = 0;
  uint32_t weights = 0, params = 0; // SRAM offsets
  int32_t actMin = -128, actMax = 127;
  uint32_t lanes = 1; // array mode (NpuCost.h)
};

struct PoolDesc {
  bool average = false, countPad = false;
  FmapDesc in, out;
  uint32_t kernelH = 1, kernelW = 1, strideH = 1, strideW = 1;
  int32_t padTop = 0, padLeft = 0;
  float inScale = 1, outScale = 1;
};

struct AddDesc {
  FmapDesc a, b, out;
  float aScale = 1, bScale = 1, outScale = 1;
  int32_t actMin = -128, actMax = 127;
};

class StreamWriter {
public:
  StreamWriter(const NpuConfig &config, uint32_t bindings);

  /// The index of layer `name` in the stream's name table (added once).
  uint32_t layer(const std::string &name);

  void dma(uint32_t layer, const DmaDesc &d);
  void wait(uint32_t layer, uint32_t dmaDone);
  void conv(uint32_t layer, const ConvDesc &d);
  void pool(uint32_t layer, const PoolDesc &d);
  void add(uint32_t layer, const AddDesc &d);

  uint32_t dmaCount() const { return dmas_; }
  uint32_t computeCount() const { return computes_; }

  /// The whole stream: header, commands, END, name table.
  std::vector<uint32_t> finish() const;

private:
  void begin(uint32_t opcode, uint32_t words, uint32_t layer);
  void fmap(const FmapDesc &f);

  NpuConfig config_;
  uint32_t bindings_;
  std::vector<uint32_t> commands_;
  uint32_t commandCount_ = 0, dmas_ = 0, computes_ = 0;
  std::vector<std::string> names_;
  std::map<std::string, uint32_t> nameIndex_;
};

} // namespace edgec::npu

#endif // EDGEC_TARGETS_NPU_STREAMWRITER_H
