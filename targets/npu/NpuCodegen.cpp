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
//===----------------------------------------------------------------------===//

#include "NpuCodegen.h"
#include "NpuCost.h"
#include "StreamWriter.h"

#include "runtime-stub/npu/edgec_npu.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <functional>
#include <numeric>

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

namespace {

uint64_t alignTo(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

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

  bool fail(const std::string &message) {
    error = message;
    return false;
  }

  bool checkProgram() {
    for (const Layer &l : p.layers) {
      auto bad = [&](const std::string &why) { return fail("NPU layer " + l.name + ": " + why); };
      size_t wantInputs = l.kind == LayerKind::Add ? 2 : 1;
      if (l.inputs.size() != wantInputs || l.output >= p.maps.size())
        return bad("wrong number of operands");
      for (uint32_t in : l.inputs)
        if (in >= p.maps.size())
          return bad("names an unknown map");
      const MapInfo &o = p.maps[l.output], &i = p.maps[l.inputs[0]];
      if (l.kind == LayerKind::Conv || l.kind == LayerKind::DepthwiseConv) {
        if (l.kind == LayerKind::DepthwiseConv && i.channels != o.channels)
          return bad("a depthwise conv keeps its channel count");
        size_t oc = o.channels;
        if (l.weights.size() != oc * l.reduction(p.maps) || l.bias.size() != oc || l.multiplier.size() != oc ||
            l.shift.size() != oc)
          return bad("weights or parameters do not match its shape");
      }
    }
    return true;
  }

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

  bool lifetimes() {
    size_t n = p.maps.size(), L = p.layers.size();
    first.assign(n, -2);
    last.assign(n, -2);
    for (uint32_t in : p.inputs)
      first[in] = last[in] = -1;
    for (size_t k = 0; k < L; ++k) {
      const Layer &l = p.layers[k];
      for (uint32_t in : l.inputs) {
        if (first[in] == -2)
          return fail("NPU layer " + l.name + " reads a map nothing writes");
        last[in] = long(k);
      }
      if (first[l.output] != -2)
        return fail("NPU layer " + l.name + " writes a map written before");
      first[l.output] = last[l.output] = long(k);
    }
    for (uint32_t o : p.outputs) {
      if (first[o] == -2 || first[o] == -1)
        return fail("an NPU subgraph output must be written by one of its layers");
      last[o] = long(L);
    }
    ownFirst = first;
    ownLast = last;
    sramSize.resize(n);
    for (size_t m = 0; m < n; ++m)
      sramSize[m] = p.maps[m].bytes();
    return true;
  }

  /// Packs the maps `which` selects below `limit` bytes (`sramSize` each):
  /// maps whose lifetimes overlap get disjoint bytes, largest first, each at the lowest
  /// 16-byte aligned offset. Returns the top, or UINT64_MAX when one does
  /// not fit (`failed` names it).
  uint64_t pack(const std::vector<bool> &which, uint64_t limit, std::vector<uint64_t> &offset, uint32_t &failed) {
    size_t n = p.maps.size();
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return sramSize[a] > sramSize[b]; });
    offset.assign(n, 0);
    std::vector<uint32_t> placed;
    uint64_t top = 0;
    for (uint32_t m : order) {
      if (first[m] == -2 || !which[m])
        continue;
      std::vector<std::pair<uint64_t, uint64_t>> busy;
      for (uint32_t q : placed)
        if (first[q] <= last[m] && first[m] <= last[q])
          busy.push_back({offset[q], offset[q] + sramSize[q]});
      std::sort(busy.begin(), busy.end());
      uint64_t at = 0;
      for (auto [b, e] : busy) {
        if (at + sramSize[m] <= b)
          break;
        at = std::max(at, alignTo(e, 16));
      }
      if (at + sramSize[m] > limit) {
        failed = m;
        return UINT64_MAX;
      }
      offset[m] = at;
      top = std::max(top, at + sramSize[m]);
      placed.push_back(m);
    }
    return top;
  }

  /// Input rows [a, b) of map `m` that output rows [r0, r1) of `l` read
  /// (padding rows are not).
  std::pair<uint32_t, uint32_t> rowsRead(const Layer &l, uint32_t m, uint32_t r0, uint32_t r1) const {
    bool window = l.kind != LayerKind::Add;
    int64_t kh = window ? l.kernelH : 1, sh = window ? l.strideH : 1, padTop = window ? l.padTop : 0;
    int64_t dh = l.kind == LayerKind::Conv || l.kind == LayerKind::DepthwiseConv ? l.dilationH : 1;
    int64_t height = p.maps[m].height;
    int64_t a = std::clamp<int64_t>(int64_t(r0) * sh - padTop, 0, height);
    int64_t b = std::min<int64_t>(height, int64_t(r1 - 1) * sh + (kh - 1) * dh - padTop + 1);
    return {uint32_t(a), uint32_t(std::max(a, b))};
  }

  /// The most input rows of map `m` a band of `rows` output rows of `l` reads.
  uint64_t bandInRows(const Layer &l, uint32_t m, uint32_t rows) const {
    bool window = l.kind != LayerKind::Add;
    uint64_t kh = window ? l.kernelH : 1, sh = window ? l.strideH : 1;
    uint64_t dh = l.kind == LayerKind::Conv || l.kind == LayerKind::DepthwiseConv ? l.dilationH : 1;
    return std::min<uint64_t>(p.maps[m].height, uint64_t(rows - 1) * sh + (kh - 1) * dh + 1);
  }

  /// SRAM the row bands of `l` take, `rows` output rows each: two buffers
  /// per spilled input and two for a spilled output.
  uint64_t bandStaging(const Layer &l, uint32_t rows) const {
    uint64_t bytes = 0;
    for (uint32_t m : l.inputs)
      if (spilled[m])
        bytes += 2 * alignTo(bandInRows(l, m, rows) * p.maps[m].width * p.maps[m].channels, 16);
    if (spilled[l.output])
      bytes += 2 * alignTo(uint64_t(rows) * p.maps[l.output].width * p.maps[l.output].channels, 16);
    return bytes;
  }

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
  static uint64_t chunkBytes(uint64_t channels, uint64_t reduction) {
    return alignTo(channels * reduction, 4) + 12 * channels;
  }

  /// A map a chain may hold a few rows of: written by one layer and read
  /// once, by the next one, neither an input nor an output of the subgraph.
  bool chainable(uint32_t m) const {
    long k = ownFirst[m];
    if (k < 0 || ownLast[m] != k + 1 || size_t(k + 1) >= p.layers.size())
      return false;
    const std::vector<uint32_t> &ins = p.layers[k + 1].inputs;
    return std::count(ins.begin(), ins.end(), m) == 1;
  }

  /// The weights and parameters of chain `c`'s layers, each chunk aligned
  /// as the ring places it: all of them stay in SRAM while it runs.
  uint64_t chainWeightBytes(const Chain &c) const {
    uint64_t bytes = 0;
    for (size_t j = c.first; j <= c.last; ++j)
      if (p.layers[j].kind == LayerKind::Conv || p.layers[j].kind == LayerKind::DepthwiseConv)
        bytes += alignTo(chunkBytes(p.maps[p.layers[j].output].channels, p.layers[j].reduction(p.maps)), 16);
    return bytes;
  }

  /// No chains: every map whole, with its own lifetime (which maps are
  /// cascaded is left to the caller).
  void unchain() {
    chains.clear();
    chainOf.assign(p.layers.size(), -1);
    first = ownFirst;
    last = ownLast;
    for (size_t m = 0; m < p.maps.size(); ++m)
      sramSize[m] = p.maps[m].bytes();
  }

  /// Makes the chains of the cascaded maps, with bands of the last layer's
  /// output as large as lets each chain's buffers fit `budget` (one row if
  /// none does); sets the cascaded maps' sizes and stretches lifetimes over
  /// the chains. False when a chain cannot run: its weights exceed a
  /// sixteenth of SRAM, or a band would read none of a cascaded map's rows.
  bool formChains(uint64_t budget) {
    size_t L = p.layers.size();
    unchain();
    for (size_t k = 0; k < L;) {
      size_t e = k;
      while (cascaded[p.layers[e].output])
        ++e; // a cascaded map's reader is the next layer
      if (e == k) {
        ++k;
        continue;
      }
      Chain c;
      c.first = k;
      c.last = e;
      if (chainWeightBytes(c) > cfg.sramBytes / 16)
        return false;
      uint32_t height = p.maps[p.layers[e].output].height;
      bool runs = false;
      for (uint32_t rows = height; rows >= 1; --rows) {
        runs = scheduleChain(c, rows);
        if (rows == 1 || chainBytes(c) <= budget)
          break;
      }
      if (!runs)
        return false;
      for (size_t j = k; j <= e; ++j) {
        chainOf[j] = long(chains.size());
        for (uint32_t in : p.layers[j].inputs)
          if (!cascaded[in])
            last[in] = std::max(last[in], long(e));
        uint32_t out = p.layers[j].output;
        if (cascaded[out]) {
          first[out] = long(k);
          last[out] = long(e);
          auto [one, two] = bufferBytes(c, j - k);
          sramSize[out] = two ? 2 * one : one;
        } else {
          first[out] = std::min(first[out], long(k));
        }
      }
      chains.push_back(std::move(c));
      k = e + 1;
    }
    return true;
  }

  /// Fills `c.need` for bands of `rows` rows of the chain's last output.
  /// False when a band needs rows of a layer whose input rows it needs are
  /// none (rows of padding only): such a chain is not run.
  bool scheduleChain(Chain &c, uint32_t rows) {
    uint32_t height = p.maps[p.layers[c.last].output].height;
    c.bands = (height + rows - 1) / rows;
    size_t n = c.last - c.first + 1;
    c.need.assign(c.bands, std::vector<std::pair<uint32_t, uint32_t>>(n));
    for (uint32_t b = 0; b < c.bands; ++b) {
      c.need[b][n - 1] = {b * rows, std::min(height, (b + 1) * rows)};
      for (size_t i = n - 1; i > 0; --i) {
        auto [r0, r1] = c.need[b][i];
        uint32_t in = p.layers[c.first + i - 1].output;
        if (r1 <= r0) {
          c.need[b][i - 1] = b ? std::make_pair(c.need[b - 1][i - 1].second, c.need[b - 1][i - 1].second)
                               : std::make_pair(0u, 0u);
          continue;
        }
        c.need[b][i - 1] = rowsRead(p.layers[c.first + i], in, r0, r1);
        if (c.need[b][i - 1].second <= c.need[b][i - 1].first)
          return false;
      }
    }
    return true;
  }

  /// The bytes of one buffer of the `i`-th layer's output in chain `c`, and
  /// whether the map needs two (some band reads rows an earlier computed).
  std::pair<uint64_t, bool> bufferBytes(const Chain &c, size_t i) const {
    uint32_t rows = 0;
    bool two = false;
    for (uint32_t b = 0; b < c.bands; ++b) {
      auto [lo, hi] = c.need[b][i];
      rows = std::max(rows, hi - lo);
      two = two || (b > 0 && lo < c.need[b - 1][i].second);
    }
    return {alignTo(rows * rowBytes(p.layers[c.first + i].output), 16), two};
  }

  /// All the buffers of chain `c`'s cascaded maps.
  uint64_t chainBytes(const Chain &c) const {
    uint64_t bytes = 0;
    for (size_t i = 0; i < c.last - c.first; ++i) {
      auto [one, two] = bufferBytes(c, i);
      bytes += two ? 2 * one : one;
    }
    return bytes;
  }

  /// Cascades the largest maps that can be, one at a time, until the maps
  /// fit beside an eighth of SRAM for weights, and each chain's weights fit
  /// half the weight ring that leaves (so none is split in chunks or
  /// overwrites another of its chain). False when they never do.
  bool placeWithChains(std::vector<uint64_t> &offset, uint64_t &top) {
    size_t n = p.maps.size();
    cascaded.assign(n, false);
    std::vector<bool> tried(n, false);
    uint32_t failed = 0;
    uint64_t limit = cfg.sramBytes - cfg.sramBytes / 8;
    for (;;) {
      long pick = -1;
      for (size_t m = 0; m < n; ++m)
        if (!tried[m] && chainable(uint32_t(m)) &&
            (pick < 0 || p.maps[m].bytes() > p.maps[pick].bytes()))
          pick = long(m);
      if (pick < 0)
        break;
      cascaded[pick] = tried[pick] = true;
      if (!formChains(cfg.sramBytes)) {
        cascaded[pick] = false;
        continue;
      }
      // Larger bands first (fewer, fuller commands), smaller until it fits.
      for (int halvings = 1; halvings <= 5; ++halvings) {
        formChains(cfg.sramBytes >> halvings);
        top = pack(std::vector<bool>(n, true), limit, offset, failed);
        if (top == UINT64_MAX)
          continue;
        uint64_t weightBuffer = (cfg.sramBytes - alignTo(top, 16)) / 2 / 16 * 16; // as planChunks splits
        if (std::any_of(chains.begin(), chains.end(),
                        [&](const Chain &c) { return chainWeightBytes(c) > weightBuffer; }))
          continue;
        bufferAt.assign(n, {0, 0});
        for (const Chain &c : chains)
          for (size_t i = 0; i < c.last - c.first; ++i) {
            uint32_t m = p.layers[c.first + i].output;
            auto [one, two] = bufferBytes(c, i);
            bufferAt[m] = {offset[m], offset[m] + (two ? one : 0)};
          }
        return true;
      }
    }
    cascaded.assign(n, false);
    unchain();
    return false;
  }

  /// SRAM offsets of the maps. When they do not fit at once, chains first
  /// (placeWithChains); failing that, the maps that do not fit beside the
  /// maps alive with them are spilled to DRAM, largest first, until the
  /// rest fit in what the row bands' staging and the weights leave.
  bool placeMaps() {
    if (!lifetimes())
      return false;
    size_t n = p.maps.size();
    spilled.assign(n, false);
    std::vector<uint64_t> offset;
    uint32_t failed = 0;
    cascaded.assign(n, false);
    unchain();
    uint64_t top = pack(std::vector<bool>(n, true), cfg.sramBytes, offset, failed);
    // Maps that do not fit at once: chains hold the largest a few rows at a
    // time; failing that, they go to DRAM.
    if (top == UINT64_MAX)
      placeWithChains(offset, top);
    // A quarter of SRAM stages row bands (more if one layer's smallest bands
    // need it), an eighth at least is left for weights; the largest maps
    // go to DRAM until the rest fit.
    for (uint64_t staging = cfg.sramBytes / 4 / 16 * 16; top == UINT64_MAX;) {
      if (staging + cfg.sramBytes / 8 >= cfg.sramBytes)
        return fail("the NPU's maps do not fit its " + std::to_string(cfg.sramBytes) + " B of SRAM, even "
                    "through DRAM in row bands");
      stagingBytes = staging;
      uint64_t limit = cfg.sramBytes - stagingBytes - cfg.sramBytes / 8;
      std::vector<uint32_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](uint32_t a, uint32_t b) { return p.maps[a].bytes() > p.maps[b].bytes(); });
      spilled.assign(n, false);
      for (uint32_t m : order) {
        std::vector<bool> inSram(n);
        for (size_t i = 0; i < n; ++i)
          inSram[i] = !spilled[i];
        top = pack(inSram, limit, offset, failed);
        if (top != UINT64_MAX)
          break;
        spilled[m] = true;
      }
      uint64_t need = 0;
      for (const Layer &l : p.layers)
        need = std::max(need, bandStaging(l, 1));
      if (top != UINT64_MAX && need > stagingBytes) {
        top = UINT64_MAX; // again with room for one-row bands
        staging = alignTo(need, 16);
      } else if (top == UINT64_MAX) {
        return fail("the NPU's maps do not fit its " + std::to_string(cfg.sramBytes) + " B of SRAM");
      }
    }
    sramOffset.assign(n, 0);
    for (size_t i = 0; i < n; ++i)
      sramOffset[i] = uint32_t(offset[i]);
    out.activationBytes = uint32_t(alignTo(top, 16) + stagingBytes);
    // Where spilled maps live: an input or output in its own binding, any
    // other in the scratch binding (packed by lifetime too).
    dramSpace.assign(n, 0);
    dramOffset.assign(n, 0);
    std::vector<bool> scratch(n, false);
    for (size_t m = 0; m < n; ++m)
      scratch[m] = spilled[m];
    uint32_t inputs = uint32_t(p.inputs.size());
    for (uint32_t i = 0; i < inputs; ++i) {
      dramSpace[p.inputs[i]] = EDGEC_NPU_SPACE_BINDING0 + 1 + i;
      scratch[p.inputs[i]] = false;
    }
    for (uint32_t o = 0; o < p.outputs.size(); ++o) {
      dramSpace[p.outputs[o]] = EDGEC_NPU_SPACE_BINDING0 + 1 + inputs + o;
      scratch[p.outputs[o]] = false;
    }
    std::vector<uint64_t> at;
    uint64_t scratchTop = pack(scratch, UINT64_MAX / 2, at, failed);
    out.scratchBytes = scratchTop;
    for (size_t m = 0; m < n; ++m)
      if (scratch[m]) {
        dramSpace[m] = EDGEC_NPU_SPACE_BINDING0 + 1 + inputs + uint32_t(p.outputs.size());
        dramOffset[m] = at[m];
      }
    return true;
  }

  /// Splits the convs' weights into chunks of at most half the SRAM the maps
  /// leave (so one can load while another is read), and lays them out in
  /// the constants blob.
  bool planChunks(std::vector<Chunk> &chunks) {
    uint64_t free = cfg.sramBytes - out.activationBytes;
    uint64_t buffer = free / 2 / 16 * 16;
    auto need = chunkBytes;
    for (size_t k = 0; k < p.layers.size(); ++k) {
      const Layer &l = p.layers[k];
      if (l.kind != LayerKind::Conv && l.kind != LayerKind::DepthwiseConv)
        continue;
      uint64_t red = l.reduction(p.maps), oc = p.maps[l.output].channels;
      uint64_t perChunk = oc;
      if (need(oc, red) > buffer) {
        if (chainOf[k] >= 0) // placeWithChains keeps chained weights whole
          return fail("NPU layer " + l.name + ": its weights do not fit SRAM beside its chain");
        perChunk = 0;
        while (perChunk < oc && need(perChunk + 1, red) <= buffer)
          ++perChunk;
        if (perChunk >= cfg.macCols)
          perChunk -= perChunk % cfg.macCols; // whole column blocks
        if (perChunk == 0)
          return fail("NPU layer " + l.name + ": one output channel's weights (" + std::to_string(need(1, red)) +
                      " B) do not fit the " + std::to_string(buffer) + " B weight buffer the maps leave in SRAM");
      }
      for (uint64_t c = 0; c < oc; c += perChunk) {
        Chunk ch{k, uint32_t(c), uint32_t(std::min(perChunk, oc - c))};
        ch.paramsAt = alignTo(uint64_t(ch.count) * red, 4);
        ch.bytes = need(ch.count, red);
        ch.constOffset = alignTo(out.constants.size(), 16);
        out.constants.resize(ch.constOffset + ch.bytes, 0);
        std::memcpy(out.constants.data() + ch.constOffset, l.weights.data() + uint64_t(c) * red,
                    uint64_t(ch.count) * red);
        for (uint32_t i = 0; i < ch.count; ++i) {
          int32_t rec[3] = {l.bias[c + i], l.multiplier[c + i], l.shift[c + i]};
          std::memcpy(out.constants.data() + ch.constOffset + ch.paramsAt + 12 * i, rec, 12);
        }
        chunks.push_back(ch);
      }
    }
    return true;
  }

  FmapDesc fmap(uint32_t m) const {
    const MapInfo &i = p.maps[m];
    return {sramOffset[m], i.height, i.width, i.channels, 0, i.height, i.zeroPoint};
  }

  /// DMAs that must be done before rows [.., lastRow] of map m (a subgraph
  /// input in SRAM) are read; 0 for maps the NPU computes.
  uint32_t inputReady(uint32_t m, uint64_t lastRow) const {
    for (auto [end, dmas] : bands[m])
      if (lastRow < end)
        return dmas;
    return bands[m].empty() ? 0 : bands[m].back().second;
  }

  /// The last row of input `m` that output rows [.., r1) of `l` read.
  uint64_t lastInputRow(const Layer &l, uint32_t m, uint32_t r1) const {
    if (l.kind == LayerKind::Add)
      return r1 - 1;
    int64_t dil = (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AveragePool) ? 1 : l.dilationH;
    int64_t row = int64_t(r1 - 1) * l.strideH + int64_t(l.kernelH - 1) * dil - l.padTop;
    return uint64_t(std::clamp<int64_t>(row, 0, p.maps[m].height - 1));
  }

  /// The compute command of layer `l` from its input maps (`in(i)`) to
  /// `out`; a conv with the weights of `chunk`, loaded at `weightsAt`.
  template <typename InMap>
  void emitCompute(StreamWriter &s, uint32_t id, const Layer &l, InMap in, const FmapDesc &out, const Chunk *chunk,
                   uint64_t weightsAt) {
    assert((!chunk || weightsAt) && "a conv's weights are loaded before it runs");
    ++commandsOf[size_t(&l - p.layers.data())];
    if (l.kind == LayerKind::Conv || l.kind == LayerKind::DepthwiseConv) {
      ConvDesc d;
      d.depthwise = l.kind == LayerKind::DepthwiseConv;
      d.in = in(0);
      d.out = out;
      d.oc0 = chunk->oc0;
      d.ocCount = chunk->count;
      d.kernelH = l.kernelH;
      d.kernelW = l.kernelW;
      d.strideH = l.strideH;
      d.strideW = l.strideW;
      d.dilationH = l.dilationH;
      d.dilationW = l.dilationW;
      d.padTop = l.padTop;
      d.padLeft = l.padLeft;
      d.weights = uint32_t(weightsAt);
      d.params = uint32_t(weightsAt + chunk->paramsAt);
      d.actMin = l.actMin;
      d.actMax = l.actMax;
      // The array mode that finishes this command first, by the timing
      // model the simulator uses (the same input rows too).
      uint64_t inRows = inputRowsRead(d.out.row0, d.out.rows, l.strideH, l.kernelH, l.dilationH, l.padTop,
                                      d.in.row0, d.in.rows)
                            .count();
      uint64_t reduction = l.reduction(p.maps);
      uint64_t inChannels = d.depthwise ? chunk->count : d.in.channels;
      d.lanes = bestLanes(cfg, {uint64_t(d.out.rows) * out.width, chunk->count, reduction,
                                inRows * d.in.width * inChannels, chunk->count * reduction, d.depthwise});
      s.conv(id, d);
    } else if (l.kind == LayerKind::Add) {
      AddDesc d;
      d.a = in(0);
      d.b = in(1);
      d.out = out;
      d.aScale = l.scaleA;
      d.bScale = l.scaleB;
      d.outScale = l.outScale;
      d.actMin = l.actMin;
      d.actMax = l.actMax;
      s.add(id, d);
    } else {
      PoolDesc d;
      d.average = l.kind == LayerKind::AveragePool;
      d.countPad = l.countPad;
      d.in = in(0);
      d.out = out;
      d.kernelH = l.kernelH;
      d.kernelW = l.kernelW;
      d.strideH = l.strideH;
      d.strideW = l.strideW;
      d.padTop = l.padTop;
      d.padLeft = l.padLeft;
      d.inScale = l.scaleA;
      d.outScale = l.outScale;
      s.pool(id, d);
    }
  }

  /// A layer with a map in DRAM: its output in row bands, each band's input
  /// rows DMA'd into one of two staging buffers while the array works on
  /// the other's, each band's output (when spilled) computed into one of two
  /// buffers and DMA'd out. `waited` is the stream's WAIT watermark.
  bool emitBanded(StreamWriter &s, size_t k, uint32_t id, const std::vector<Chunk> &chunks, size_t firstChunk,
                  size_t chunkCount, const std::vector<uint64_t> &ringAt, const std::vector<uint32_t> &chunkDma,
                  const std::function<void(size_t)> &chunkDone, uint32_t &waited) {
    const Layer &l = p.layers[k];
    const MapInfo &o = p.maps[l.output];
    uint32_t rows = o.height;
    while (rows > 0 && bandStaging(l, rows) > stagingBytes)
      --rows;
    if (rows == 0)
      return fail("NPU layer " + l.name + ": one row band does not fit the " + std::to_string(stagingBytes) +
                  " B staging area");
    uint64_t stagingAt = out.activationBytes - stagingBytes;
    // Buffer offsets: [in0 A, in0 B, in1 A, in1 B, out A, out B].
    std::vector<uint64_t> inBuffer[2];
    uint64_t at = stagingAt;
    for (size_t i = 0; i < l.inputs.size(); ++i)
      if (spilled[l.inputs[i]]) {
        const MapInfo &in = p.maps[l.inputs[i]];
        uint64_t size = alignTo(bandInRows(l, l.inputs[i], rows) * in.width * in.channels, 16);
        inBuffer[i] = {at, at + size};
        at += 2 * size;
      }
    uint64_t outSize = alignTo(uint64_t(rows) * o.width * o.channels, 16);
    uint64_t outBuffer[2] = {at, at + outSize};
    auto waitFor = [&](uint32_t dmas) {
      if (dmas > waited) {
        s.wait(id, dmas);
        waited = dmas;
      }
    };
    uint32_t bandCount = (o.height + rows - 1) / rows;
    // The DMAs that last read each output buffer: a band computed into it
    // waits for them (another layer's, or an earlier chunk's, at first).
    uint32_t outBufferFree[2] = {stagingDmaMark, stagingDmaMark};
    for (size_t j = firstChunk; j < firstChunk + std::max<size_t>(chunkCount, 1); ++j) {
      bool conv = chunkCount > 0;
      // DMAs that bring band b's input rows, and the computes that read
      // them (the buffer is free for band b + 2 once band b is done).
      std::vector<uint32_t> inDma(bandCount, 0), bandCompute(bandCount, 0);
      auto loadBand = [&](uint32_t b) {
        uint32_t r0 = b * rows, r1 = std::min(o.height, r0 + rows);
        for (size_t i = 0; i < l.inputs.size(); ++i) {
          uint32_t m = l.inputs[i];
          if (!spilled[m])
            continue;
          auto [a, e] = rowsRead(l, m, r0, r1);
          uint64_t rowBytes = uint64_t(p.maps[m].width) * p.maps[m].channels;
          DmaDesc d;
          d.srcSpace = dramSpace[m];
          d.srcOffset = uint32_t(dramOffset[m] + a * rowBytes);
          d.dstSpace = EDGEC_NPU_SPACE_SRAM;
          d.dstOffset = uint32_t(inBuffer[i][b % 2]);
          d.rowBytes = uint32_t((e - a) * rowBytes);
          // The buffer's previous band is read by then (the first band
          // waits for everything before: another layer's staging may overlap).
          d.afterCompute = b >= 2 ? bandCompute[b - 2] : s.computeCount();
          s.dma(id, d);
          inDma[b] = s.dmaCount();
        }
      };
      loadBand(0);
      for (uint32_t b = 0; b < bandCount; ++b) {
        if (b + 1 < bandCount)
          loadBand(b + 1);
        uint32_t r0 = b * rows, r1 = std::min(o.height, r0 + rows);
        uint32_t need = inDma[b];
        if (conv)
          need = std::max(need, chunkDma[j]);
        if (spilled[l.output])
          need = std::max(need, outBufferFree[b % 2]); // its previous band has left
        for (uint32_t m : l.inputs) // an input in SRAM may still be arriving
          if (!spilled[m]) {
            need = std::max(need, inputReady(m, lastInputRow(l, m, r1)));
            if (last[m] == long(k) && b + 1 == bandCount && !bands[m].empty())
              need = std::max(need, bands[m].back().second);
          }
        waitFor(need);
        auto inMap = [&](size_t i) {
          uint32_t m = l.inputs[i];
          FmapDesc f = fmap(m);
          if (spilled[m]) {
            auto [a, e] = rowsRead(l, m, r0, r1);
            f.offset = uint32_t(inBuffer[i][b % 2]);
            f.row0 = a;
            f.rows = e - a;
          }
          return f;
        };
        FmapDesc outMap = fmap(l.output);
        if (spilled[l.output])
          outMap.offset = uint32_t(outBuffer[b % 2]);
        else
          outMap.offset += uint32_t(uint64_t(r0) * o.width * o.channels);
        outMap.row0 = r0;
        outMap.rows = r1 - r0;
        emitCompute(s, id, l, inMap, outMap, conv ? &chunks[j] : nullptr, conv ? ringAt[j] : 0);
        bandCompute[b] = s.computeCount();
        if (spilled[l.output]) {
          DmaDesc d;
          d.srcSpace = EDGEC_NPU_SPACE_SRAM;
          d.srcOffset = uint32_t(outBuffer[b % 2]);
          d.dstSpace = dramSpace[l.output];
          uint64_t rowBytes = uint64_t(o.width) * o.channels;
          d.dstOffset = uint32_t(dramOffset[l.output] + uint64_t(r0) * rowBytes);
          d.rowBytes = uint32_t((r1 - r0) * rowBytes);
          if (conv && chunks[j].count != o.channels) {
            // A chunk writes only its channels: strided rows of them.
            d.rowBytes = chunks[j].count;
            d.count1 = (r1 - r0) * o.width;
            d.srcStride1 = d.dstStride1 = o.channels;
            d.srcOffset += chunks[j].oc0;
            d.dstOffset += chunks[j].oc0;
          }
          d.afterCompute = s.computeCount();
          s.dma(id, d);
          outBufferFree[b % 2] = stagingDmaMark = s.dmaCount();
        }
      }
      if (conv)
        chunkDone(j);
    }
    return true;
  }

  /// Runs chain `c` band by band (see Chain). Every weight chunk of the
  /// chain is loaded before its first band and kept until its last.
  void emitChain(StreamWriter &s, const Chain &c, const std::vector<Chunk> &chunks, size_t firstChunk,
                 const std::vector<uint64_t> &ringAt, const std::vector<uint32_t> &chunkDma,
                 const std::function<void(uint32_t, uint32_t)> &waitFor) {
    size_t n = c.last - c.first + 1;
    std::vector<long> chunkOf(n, -1);
    for (size_t j = firstChunk; j < chunks.size() && chunks[j].layer <= c.last; ++j) {
      assert(chunkOf[chunks[j].layer - c.first] < 0 && "a chained layer's weights are one chunk");
      chunkOf[chunks[j].layer - c.first] = long(j);
    }
    // Per cascaded map and buffer: the DMAs done once the copy into it has
    // landed, and once the last copy out of it has read it.
    std::vector<std::array<uint32_t, 2>> copiedIn(p.maps.size(), {0, 0}), copiedOut(p.maps.size(), {0, 0});
    uint32_t lastId = 0;
    for (uint32_t b = 0; b < c.bands; ++b)
      for (size_t i = 0; i < n; ++i) {
        const Layer &l = p.layers[c.first + i];
        uint32_t id = lastId = s.layer(l.name), m = l.output;
        auto [lo, hi] = c.need[b][i];
        uint32_t from = b ? std::max(lo, c.need[b - 1][i].second) : lo; // rows before it are computed
        if (from < hi) {
          uint32_t need = chunkOf[i] >= 0 ? chunkDma[chunkOf[i]] : 0;
          if (cascaded[m])
            need = std::max(need, copiedOut[m][b % 2]);
          for (uint32_t in : l.inputs)
            need = std::max(need, cascaded[in] ? copiedIn[in][b % 2] : inputReady(in, lastInputRow(l, in, hi)));
          waitFor(id, need);
          auto inMap = [&](size_t x) {
            uint32_t in = l.inputs[x];
            FmapDesc f = fmap(in);
            if (cascaded[in]) {
              auto [inLo, inHi] = c.need[b][i - 1];
              f.offset = uint32_t(bufferAt[in][b % 2]);
              f.row0 = inLo;
              f.rows = inHi - inLo;
            }
            return f;
          };
          FmapDesc outMap = fmap(m);
          outMap.offset = uint32_t(cascaded[m] ? bufferAt[m][b % 2] + (from - lo) * rowBytes(m)
                                               : outMap.offset + from * rowBytes(m));
          outMap.row0 = from;
          outMap.rows = hi - from;
          const Chunk *chunk = chunkOf[i] >= 0 ? &chunks[chunkOf[i]] : nullptr;
          emitCompute(s, id, l, inMap, outMap, chunk, chunk ? ringAt[chunkOf[i]] : 0);
        }
        // The rows of m the next band reads again, to the front of the
        // other buffer, while this band's later layers run.
        if (cascaded[m] && b + 1 < c.bands && c.need[b + 1][i].first < hi) {
          uint32_t keep = c.need[b + 1][i].first;
          DmaDesc d;
          d.srcSpace = d.dstSpace = EDGEC_NPU_SPACE_SRAM;
          d.srcOffset = uint32_t(bufferAt[m][b % 2] + (keep - lo) * rowBytes(m));
          d.dstOffset = uint32_t(bufferAt[m][(b + 1) % 2]);
          d.rowBytes = uint32_t((hi - keep) * rowBytes(m));
          d.afterCompute = s.computeCount();
          s.dma(id, d);
          copiedIn[m][(b + 1) % 2] = copiedOut[m][b % 2] = s.dmaCount();
        }
      }
    // Nothing may still move into or out of the buffers (later maps reuse
    // them), nor into an input whose last reader this chain holds.
    uint32_t pending = 0;
    for (size_t m = 0; m < p.maps.size(); ++m)
      pending = std::max({pending, copiedIn[m][0], copiedIn[m][1]});
    for (size_t k = c.first; k <= c.last; ++k)
      for (uint32_t in : p.layers[k].inputs)
        if (!cascaded[in] && ownLast[in] == long(k) && !bands[in].empty())
          pending = std::max(pending, bands[in].back().second);
    waitFor(lastId, pending);
  }

  bool emit(const std::vector<Chunk> &chunks) {
    uint32_t inputs = uint32_t(p.inputs.size());
    uint32_t bindings = 1 + inputs + uint32_t(p.outputs.size()) + (out.scratchBytes ? 1 : 0);
    if (bindings > EDGEC_NPU_MAX_BINDINGS)
      return fail("an NPU subgraph with " + std::to_string(inputs) + " inputs and " +
                  std::to_string(p.outputs.size()) + " outputs needs more bindings than the driver's " +
                  std::to_string(EDGEC_NPU_MAX_BINDINGS));
    StreamWriter s(cfg, bindings);
    for (const Layer &l : p.layers) // the name table in execution order
      s.layer(l.name);
    // The weights go round a ring in the SRAM the maps leave: each chunk
    // after the previous one, back to the start when it does not fit. A
    // chunk's DMA waits for the chunks whose bytes it overwrites; when all
    // weights fit, every DMA can start at once and runs ahead of the array.
    uint64_t ringBytes = cfg.sramBytes - out.activationBytes;
    std::vector<uint64_t> ringAt(chunks.size());
    std::vector<size_t> evicts(chunks.size(), SIZE_MAX); // the latest earlier chunk it overwrites
    uint64_t top = 0, used = 0;
    for (size_t j = 0; j < chunks.size(); ++j) {
      if (top + chunks[j].bytes > ringBytes)
        top = 0;
      ringAt[j] = out.activationBytes + top;
      for (size_t i = j; i-- > 0;)
        if (ringAt[i] < ringAt[j] + chunks[j].bytes && ringAt[j] < ringAt[i] + chunks[i].bytes) {
          evicts[j] = i;
          break;
        }
      top = alignTo(top + chunks[j].bytes, 16);
      used = std::max(used, top);
    }
    out.weightBufferBytes = uint32_t(used);
    out.sramBytes = uint32_t(out.activationBytes + used);

    std::vector<uint32_t> chunkDma(chunks.size(), 0);      // DMAs done once the chunk is loaded
    std::vector<uint32_t> chunkLastUse(chunks.size(), 0);  // computes done once the chunk is no longer read
    size_t loaded = 0, computed = 0;                        // chunks whose DMA / computes are in the stream
    // The next chunk's DMA, once the chunk it overwrites has its computes
    // in the stream (the DMA waits for them to finish).
    auto loadNext = [&] {
      if (loaded == chunks.size() || (evicts[loaded] != SIZE_MAX && evicts[loaded] >= computed))
        return false;
      const Chunk &c = chunks[loaded];
      DmaDesc d;
      d.srcSpace = EDGEC_NPU_SPACE_BINDING0 + kConstantsBinding;
      d.srcOffset = uint32_t(c.constOffset);
      d.dstSpace = EDGEC_NPU_SPACE_SRAM;
      d.dstOffset = uint32_t(ringAt[loaded]);
      d.rowBytes = uint32_t(c.bytes);
      d.afterCompute = evicts[loaded] == SIZE_MAX ? 0 : chunkLastUse[evicts[loaded]];
      s.dma(s.layer(p.layers[c.layer].name), d);
      chunkDma[loaded++] = s.dmaCount();
      return true;
    };

    // The first chunk's weights, then the inputs in row bands.
    if (!p.layers.empty())
      s.layer(p.layers.front().name);
    loadNext(); // the first chunk before the inputs: the first layer needs both
    bands.assign(p.maps.size(), {});
    for (uint32_t i = 0; i < inputs; ++i) {
      uint32_t m = p.inputs[i];
      const MapInfo &info = p.maps[m];
      if (spilled[m])
        continue; // read in row bands by the layers that use it
      uint32_t count = std::min<uint32_t>(info.height, 4);
      for (uint32_t b = 0; b < count; ++b) {
        uint32_t r0 = info.height * b / count, r1 = info.height * (b + 1) / count;
        DmaDesc d;
        d.srcSpace = EDGEC_NPU_SPACE_BINDING0 + 1 + i;
        d.srcOffset = uint32_t(r0 * info.width * info.channels);
        d.dstSpace = EDGEC_NPU_SPACE_SRAM;
        d.dstOffset = sramOffset[m] + d.srcOffset;
        d.rowBytes = uint32_t((r1 - r0) * info.width * info.channels);
        s.dma(s.layer(p.layers.empty() ? "input" : p.layers.front().name), d);
        bands[m].push_back({r1, s.dmaCount()});
      }
    }

    while (loadNext()) // then every chunk that has a free place
      ;

    uint32_t waited = 0;
    auto waitFor = [&](uint32_t layer, uint32_t dmas) {
      if (dmas > waited) {
        s.wait(layer, dmas);
        waited = dmas;
      }
    };

    // After a chunk's last compute: later chunks may take its place.
    auto chunkDone = [&](size_t j) {
      chunkLastUse[j] = s.computeCount();
      computed = j + 1;
      while (loadNext())
        ;
    };
    // After a layer's last command: its report line; a subgraph output in
    // SRAM leaves (a spilled one was written to its binding band by band).
    auto finishLayer = [&](size_t k, size_t firstChunk, size_t layerChunks) {
      const Layer &l = p.layers[k];
      LayerPlacement placement;
      placement.name = l.name;
      placement.macs = l.macs(p.maps);
      placement.commands = commandsOf[k];
      placement.chained = chainOf[k] >= 0;
      for (size_t j = firstChunk; j < firstChunk + layerChunks; ++j) {
        placement.weightBytes += chunks[j].bytes;
        ++placement.weightChunks;
      }
      for (size_t o2 = 0; o2 < p.outputs.size(); ++o2) {
        if (p.outputs[o2] != l.output || spilled[l.output])
          continue;
        DmaDesc d;
        d.srcSpace = EDGEC_NPU_SPACE_SRAM;
        d.srcOffset = sramOffset[l.output];
        d.dstSpace = EDGEC_NPU_SPACE_BINDING0 + 1 + inputs + uint32_t(o2);
        d.rowBytes = uint32_t(p.maps[l.output].bytes());
        d.afterCompute = s.computeCount();
        s.dma(s.layer(l.name), d);
      }
      out.layers.push_back(placement);
    };
    // The chunks of layer k, from chunks[from] on (they are in layer order).
    auto chunksOf = [&](size_t k, size_t from) {
      size_t count = 0;
      while (from + count < chunks.size() && chunks[from + count].layer == k)
        ++count;
      return count;
    };
    commandsOf.assign(p.layers.size(), 0);
    size_t nextChunk = 0;
    for (size_t k = 0; k < p.layers.size(); ++k) {
      const Layer &l = p.layers[k];
      uint32_t id = s.layer(l.name);
      const MapInfo &o = p.maps[l.output];
      size_t layerChunks = chunksOf(k, nextChunk);
      if (chainOf[k] >= 0) {
        const Chain &c = chains[chainOf[k]];
        while (loadNext()) // the chain's chunks all fit at once (placeWithChains)
          ;
        size_t chainChunks = 0;
        while (nextChunk + chainChunks < chunks.size() && chunks[nextChunk + chainChunks].layer <= c.last)
          ++chainChunks;
        if (loaded < nextChunk + chainChunks)
          return fail("NPU layer " + l.name + ": the weights of its chain do not fit SRAM at once");
        emitChain(s, c, chunks, nextChunk, ringAt, chunkDma, waitFor);
        for (size_t j = nextChunk; j < nextChunk + chainChunks; ++j)
          chunkDone(j);
        for (size_t kk = c.first; kk <= c.last; ++kk) {
          size_t own = chunksOf(kk, nextChunk);
          finishLayer(kk, nextChunk, own);
          nextChunk += own;
        }
        k = c.last;
        continue;
      }
      bool banded = spilled[l.output] ||
                    std::any_of(l.inputs.begin(), l.inputs.end(), [&](uint32_t m) { return spilled[m]; });
      if (banded) {
        if (!emitBanded(s, k, id, chunks, nextChunk, layerChunks, ringAt, chunkDma, chunkDone, waited))
          return false;
      } else {
        // Output row bands: as many as the input has DMA bands (one when the
        // input is computed here, or when the weights come in several chunks).
        uint32_t in0 = l.inputs[0];
        uint32_t rowBands = (bands[in0].size() > 1 && layerChunks <= 1) ? uint32_t(bands[in0].size()) : 1;
        rowBands = std::min(rowBands, o.height);
        for (size_t j = nextChunk; j < nextChunk + std::max<size_t>(layerChunks, 1); ++j) {
          const Chunk *chunk = layerChunks ? &chunks[j] : nullptr;
          for (uint32_t b = 0; b < rowBands; ++b) {
            uint32_t r0 = o.height * b / rowBands, r1 = o.height * (b + 1) / rowBands;
            uint32_t need = chunk ? chunkDma[j] : 0;
            for (uint32_t in : l.inputs) {
              need = std::max(need, inputReady(in, lastInputRow(l, in, r1)));
              // An input's last reader ends having waited for all of it: its
              // bytes are free for other maps afterwards, and no DMA may
              // still write them (a strided layer may not read the last rows).
              if (last[in] == long(k) && b + 1 == rowBands && !bands[in].empty())
                need = std::max(need, bands[in].back().second);
            }
            waitFor(id, need);
            FmapDesc outMap = fmap(l.output);
            outMap.offset += uint32_t(uint64_t(r0) * o.width * o.channels);
            outMap.row0 = r0;
            outMap.rows = r1 - r0;
            emitCompute(s, id, l, [&](size_t i) { return fmap(l.inputs[i]); }, outMap, chunk,
                        chunk ? ringAt[j] : 0);
          }
          if (chunk)
            chunkDone(j);
        }
      }
      finishLayer(k, nextChunk, layerChunks);
      nextChunk += layerChunks;
    }
    out.stream = s.finish();
    return true;
  }
};

} // namespace

bool compileProgram(const Program &program, const NpuConfig &config, CompiledProgram &out, std::string &error) {
  out = CompiledProgram();
  Planner planner{program, config, out, error, {}};
  std::vector<Chunk> chunks;
  return planner.checkProgram() && planner.placeMaps() && planner.planChunks(chunks) && planner.emit(chunks);
}

} // namespace edgec::npu
