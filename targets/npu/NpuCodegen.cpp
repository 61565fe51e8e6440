//===- NpuCodegen.cpp - SRAM plan and command stream for an int8 layer graph ===//
//
// The plan (docs/design/npu.md, "How edgec uses it"):
//  - Every map of the subgraph lives in SRAM for its lifetime (from the
//    layer that writes it, or the start for an input, to its last reader, or
//    the end for an output); maps whose lifetimes overlap get disjoint
//    bytes, packed largest first. Inputs arrive by DMA, outputs leave by DMA
//    as soon as their layer is done.
//  - Weights stream: each conv's weights and parameters (a chunk; a layer
//    whose weights exceed half the SRAM the maps leave is split by output
//    channels) go round a ring in that SRAM, each DMA'd as soon as the
//    bytes it overwrites are no longer read, while the array works on
//    earlier chunks.
//  - A layer that reads a subgraph input is split into row bands, each
//    waiting only for the input rows it needs: the array starts while the
//    rest of the input is still arriving.
//  - When the maps do not fit at once, chains of consecutive layers keep
//    the maps between them in SRAM a few rows at a time (see Chain); if
//    that does not make them fit either, the largest maps go to DRAM and
//    the layers touching them run in row bands through staging buffers.
//
//
// This file is the entry point; codegen/ has the planner: Plan.cpp decides,
// Emit.cpp writes the stream.
//
//===----------------------------------------------------------------------===//

#include "NpuCodegen.h"
#include "targets/npu/codegen/Planner.h"

namespace edgec::npu {

uint64_t Layer::reduction(const std::vector<MapInfo> &maps) const {
  if (kind == LayerKind::Conv)
    return uint64_t(kernelH) * kernelW * maps[inputs[0]].channels;
  return uint64_t(kernelH) * kernelW;
}

uint64_t Layer::macs(const std::vector<MapInfo> &maps) const {
  if (kind != LayerKind::Conv && kind != LayerKind::DepthwiseConv)
    return 0;
  const MapInfo &out = maps[output];
  return uint64_t(out.height) * out.width * out.channels * reduction(maps);
}

bool compileProgram(const Program &program, const NpuConfig &config, CompiledProgram &out, std::string &error) {
  out = CompiledProgram();
  codegen::Planner planner{program, config, out, error, {}};
  std::vector<codegen::Chunk> chunks;
  return planner.checkProgram() && planner.placeMaps() && planner.planChunks(chunks) && planner.emit(chunks);
}

} // namespace edgec::npu
