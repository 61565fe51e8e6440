//===- NpuCodegen.h - an int8 layer graph to an NPU command stream -*- C++ -*-===//
//
// The NPU back end proper, free of MLIR: edgec-npu-compile describes a
// subgraph as a Program (maps in the NPU's NHWC layout, layers with their
// weights already in the array's order and their requantisation decided)
// and gets back the command stream and the constants it reads. This file
// decides where everything lives in SRAM and when the DMA engine moves it
// (docs/design/npu.md, "How edgec uses it").
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_NPUCODEGEN_H
#define EDGEC_TARGETS_NPU_NPUCODEGEN_H

#include "NpuConfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgec::npu {

/// An int8 feature map, height x width x channels (NHWC).
struct MapInfo {
  uint32_t height = 1, width = 1, channels = 1;
  int32_t zeroPoint = 0;
  uint64_t bytes() const { return uint64_t(height) * width * channels; }
};

enum class LayerKind { Conv, DepthwiseConv, MaxPool, AveragePool, Add };

struct Layer {
  LayerKind kind = LayerKind::Conv;
  std::string name;            // the ONNX node, for reports
  std::vector<uint32_t> inputs; // map ids (Add: two)
  uint32_t output = 0;
  uint32_t kernelH = 1, kernelW = 1, strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int32_t padTop = 0, padLeft = 0;
  // Conv: weights [oc][ky][kx][ic] (depthwise [c][ky][kx]); per output
  // channel the int32 bias and the requantisation (multiplier, shift).
  std::vector<int8_t> weights;
  std::vector<int32_t> bias, multiplier, shift;
  int32_t actMin = -128, actMax = 127;
  // AveragePool: input and output scales, padding counted or not; Add: the
  // two inputs' scales and the output's.
  bool countPad = false;
  float scaleA = 1, scaleB = 1, outScale = 1;

  uint64_t reduction(const std::vector<MapInfo> &maps) const;
  uint64_t macs(const std::vector<MapInfo> &maps) const;
};

struct Program {
  std::vector<MapInfo> maps;
  std::vector<uint32_t> inputs, outputs; // map ids, in binding order
  std::vector<Layer> layers;             // in execution order
};

/// Where a layer ended up, for the report.
struct LayerPlacement {
  std::string name;
  uint32_t commands = 0, weightChunks = 0;
  bool chained = false; // run band by band with its neighbours, maps between them in SRAM a few rows at a time
  uint64_t macs = 0, weightBytes = 0;
};

struct CompiledProgram {
  std::vector<uint32_t> stream;
  std::vector<uint8_t> constants; // binding 0
  uint32_t sramBytes = 0;         // highest SRAM byte used + 1
  uint32_t activationBytes = 0, weightBufferBytes = 0; // maps (and row-band staging); the ring of weight chunks
  uint64_t scratchBytes = 0; // DRAM for maps that do not fit SRAM: the binding after the outputs
  std::vector<LayerPlacement> layers;
};

/// The binding (address space - 1) of the constants; inputs follow, then
/// outputs.
constexpr uint32_t kConstantsBinding = 0;

/// Plans SRAM and emits the stream. Fails (with `error` naming the layer)
/// when the program cannot be placed, e.g. a map larger than SRAM.
bool compileProgram(const Program &program, const NpuConfig &config, CompiledProgram &out, std::string &error);

} // namespace edgec::npu

#endif // EDGEC_TARGETS_NPU_NPUCODEGEN_H
