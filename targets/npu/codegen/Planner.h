//===- Planner.h - the NPU back end's state: plan, then emit ----*- C++ -*-===//
//
// compileProgram (NpuCodegen.cpp) runs a Planner: Plan.cpp checks the
// program and decides where everything lives (map lifetimes and SRAM
// offsets, chains of layers kept in row buffers, maps spilled to DRAM,
// weight chunks on the ring); Emit.cpp writes the command stream for that
// plan. The design is in NpuCodegen.cpp's header comment.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_NPU_CODEGEN_PLANNER_H
#define EDGEC_TARGETS_NPU_CODEGEN_PLANNER_H

#include "targets/npu/NpuCodegen.h"
#include "targets/npu/StreamWriter.h"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace edgec::npu::codegen {

inline uint64_t alignTo(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

/// An output-channel range of a conv with its weights and parameters.
struct Chunk {
  size_t layer;
  uint32_t oc0, count;
  uint64_t constOffset = 0, paramsAt = 0, bytes = 0; // in the constants blob; params relative to the chunk
};

struct Planner {
  const Program &p;
  const NpuConfig &cfg;
  CompiledProgram &out;
  std::string &error;
  std::vector<uint32_t> sramOffset; // per map

  bool fail(const std::string &message);

  bool checkProgram();

  std::vector<long> first, last;   // lifetimes in layer indices (-1: the start, L: the end)
  std::vector<long> ownFirst, ownLast; // the same before chains stretch them
  std::vector<uint64_t> sramSize;  // SRAM bytes per map: all of it, or a chain's row buffers
  std::vector<bool> spilled;       // lives in DRAM, read and written in row bands
  std::vector<uint32_t> dramSpace; // spilled maps: their address space and offset
  std::vector<uint64_t> dramOffset;
  uint64_t stagingBytes = 0;       // SRAM for the row bands of spilled maps
  uint32_t stagingDmaMark = 0;     // DMAs done once no transfer reads the staging area any more
  // Per subgraph input in SRAM: the DMAs that bring its rows, as (last row
  // + 1, DMAs done once they are in).
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> bands;

  bool lifetimes();

  /// Packs the maps `which` selects below `limit` bytes (`sramSize` each):
  /// maps whose lifetimes overlap get disjoint bytes, largest first, each at the lowest
  /// 16-byte aligned offset. Returns the top, or UINT64_MAX when one does
  /// not fit (`failed` names it).
  uint64_t pack(const std::vector<bool> &which, uint64_t limit, std::vector<uint64_t> &offset, uint32_t &failed);

  /// Input rows [a, b) of map `m` that output rows [r0, r1) of `l` read
  /// (padding rows are not).
  std::pair<uint32_t, uint32_t> rowsRead(const Layer &l, uint32_t m, uint32_t r0, uint32_t r1) const;

  /// The most input rows of map `m` a band of `rows` output rows of `l` reads.
  uint64_t bandInRows(const Layer &l, uint32_t m, uint32_t rows) const;

  /// SRAM the row bands of `l` take, `rows` output rows each: two buffers
  /// per spilled input and two for a spilled output.
  uint64_t bandStaging(const Layer &l, uint32_t rows) const;

  // Chains: consecutive layers whose maps between them are "cascaded": held
  // in SRAM a few rows at a time, never whole. A chain runs band by band of
  // its last layer's output; each band computes, layer after layer, only
  // the rows of each cascaded map that band reads and no earlier band
  // computed. Rows a later band reads again (a window's overlap) are copied
  // by DMA within SRAM to the front of the map's other buffer, where that
  // band's new rows follow them.
  struct Chain {
    size_t first = 0, last = 0; // layers
    uint32_t bands = 0;
    // Per band, per layer of the chain: the rows [lo, hi) of its output
    // that band needs.
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> need;
  };
  std::vector<Chain> chains;
  std::vector<bool> cascaded;                  // per map
  std::vector<uint32_t> commandsOf;            // per layer: compute commands emitted
  std::vector<long> chainOf;                   // per layer: its chain, or -1
  std::vector<std::array<uint64_t, 2>> bufferAt; // cascaded maps: their two buffers (one when equal)

  uint64_t rowBytes(uint32_t m) const { return uint64_t(p.maps[m].width) * p.maps[m].channels; }

  /// SRAM a conv's weights and parameters take (one chunk).
  static uint64_t chunkBytes(uint64_t channels, uint64_t reduction);

  /// A map a chain may hold a few rows of: written by one layer and read
  /// once, by the next one, neither an input nor an output of the subgraph.
  bool chainable(uint32_t m) const;

  /// The weights and parameters of chain `c`'s layers, each chunk aligned
  /// as the ring places it: all of them stay in SRAM while it runs.
  uint64_t chainWeightBytes(const Chain &c) const;

  /// No chains: every map whole, with its own lifetime (which maps are
  /// cascaded is left to the caller).
  void unchain();

  /// Makes the chains of the cascaded maps, with bands of the last layer's
  /// output as large as lets each chain's buffers fit `budget` (one row if
  /// none does); sets the cascaded maps' sizes and stretches lifetimes over
  /// the chains. False when a chain cannot run: its weights exceed a
  /// sixteenth of SRAM, or a band would read none of a cascaded map's rows.
  bool formChains(uint64_t budget);

  /// Fills `c.need` for bands of `rows` rows of the chain's last output.
  /// False when a band needs rows of a layer whose input rows it needs are
  /// none (rows of padding only): such a chain is not run.
  bool scheduleChain(Chain &c, uint32_t rows);

  /// The bytes of one buffer of the `i`-th layer's output in chain `c`, and
  /// whether the map needs two (some band reads rows an earlier computed).
  std::pair<uint64_t, bool> bufferBytes(const Chain &c, size_t i) const;

  /// All the buffers of chain `c`'s cascaded maps.
  uint64_t chainBytes(const Chain &c) const;

  /// Cascades the largest maps that can be, one at a time, until the maps
  /// fit beside an eighth of SRAM for weights, and each chain's weights fit
  /// half the weight ring that leaves (so none is split in chunks or
  /// overwrites another of its chain). False when they never do.
  bool placeWithChains(std::vector<uint64_t> &offset, uint64_t &top);

  /// SRAM offsets of the maps. When they do not fit at once, chains first
  /// (placeWithChains); failing that, the maps that do not fit beside the
  /// maps alive with them are spilled to DRAM, largest first, until the
  /// rest fit in what the row bands' staging and the weights leave.
  bool placeMaps();

  /// Splits the convs' weights into chunks of at most half the SRAM the maps
  /// leave (so one can load while another is read), and lays them out in
  /// the constants blob.
  bool planChunks(std::vector<Chunk> &chunks);

  FmapDesc fmap(uint32_t m) const;

  /// DMAs that must be done before rows [.., lastRow] of map m (a subgraph
  /// input in SRAM) are read; 0 for maps the NPU computes.
  uint32_t inputReady(uint32_t m, uint64_t lastRow) const;

  /// The last row of input `m` that output rows [.., r1) of `l` read.
  uint64_t lastInputRow(const Layer &l, uint32_t m, uint32_t r1) const;

  /// The compute command of layer `l` from its input maps (`in(i)`) to
  /// `out`; a conv with the weights of `chunk`, loaded at `weightsAt`.
  template <typename InMap>
  void emitCompute(StreamWriter &s, uint32_t id, const Layer &l, InMap in, const FmapDesc &out, const Chunk *chunk,
                   uint64_t weightsAt);

  /// A layer with a map in DRAM: its output in row bands, each band's input
  /// rows DMA'd into one of two staging buffers while the array works on
  /// the other's, each band's output (when spilled) computed into one of two
  /// buffers and DMA'd out. `waited` is the stream's WAIT watermark.
  bool emitBanded(StreamWriter &s, size_t k, uint32_t id, const std::vector<Chunk> &chunks, size_t firstChunk,
                  size_t chunkCount, const std::vector<uint64_t> &ringAt, const std::vector<uint32_t> &chunkDma,
                  const std::function<void(size_t)> &chunkDone, uint32_t &waited);

  /// Runs chain `c` band by band (see Chain). Every weight chunk of the
  /// chain is loaded before its first band and kept until its last.
  void emitChain(StreamWriter &s, const Chain &c, const std::vector<Chunk> &chunks, size_t firstChunk,
                 const std::vector<uint64_t> &ringAt, const std::vector<uint32_t> &chunkDma,
                 const std::function<void(uint32_t, uint32_t)> &waitFor);

  bool emit(const std::vector<Chunk> &chunks);
};

} // namespace edgec::npu::codegen

#endif // EDGEC_TARGETS_NPU_CODEGEN_PLANNER_H
