//===- NpuCodegen.cpp - SRAM plan and command stream for an int8 layer graph ===//
//
// The plan (docs/npu.md, "How edgec uses it"):
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
//
//===----------------------------------------------------------------------===//

#include "NpuCodegen.h"
#include "NpuCost.h"
#include "StreamWriter.h"

#include "runtime-stub/npu/edgec_npu.h"

#include <algorithm>
#include <cstring>
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

  /// Lifetimes and SRAM offsets of the maps.
  bool placeMaps() {
    size_t n = p.maps.size(), L = p.layers.size();
    std::vector<long> first(n, -2), last(n, -2);
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
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return p.maps[a].bytes() > p.maps[b].bytes(); });
    sramOffset.assign(n, 0);
    std::vector<uint32_t> placed;
    uint64_t top = 0;
    for (uint32_t m : order) {
      if (first[m] == -2)
        continue; // unused
      // The lowest 16-byte aligned offset clear of every placed map that is
      // alive at the same time.
      std::vector<std::pair<uint64_t, uint64_t>> busy;
      for (uint32_t q : placed)
        if (first[q] <= last[m] && first[m] <= last[q])
          busy.push_back({sramOffset[q], sramOffset[q] + p.maps[q].bytes()});
      std::sort(busy.begin(), busy.end());
      uint64_t at = 0;
      for (auto [b, e] : busy) {
        if (at + p.maps[m].bytes() <= b)
          break;
        at = std::max(at, alignTo(e, 16));
      }
      if (at + p.maps[m].bytes() > cfg.sramBytes)
        return fail("an NPU map of " + std::to_string(p.maps[m].height) + "x" + std::to_string(p.maps[m].width) +
                    "x" + std::to_string(p.maps[m].channels) + " int8 does not fit the " +
                    std::to_string(cfg.sramBytes) + " B of SRAM beside the maps alive with it");
      sramOffset[m] = uint32_t(at);
      top = std::max(top, at + p.maps[m].bytes());
      placed.push_back(m);
    }
    out.activationBytes = uint32_t(alignTo(top, 16));
    return true;
  }

  /// Splits the convs' weights into chunks of at most half the SRAM the maps
  /// leave (so one can load while another is read), and lays them out in
  /// the constants blob.
  bool planChunks(std::vector<Chunk> &chunks) {
    uint64_t free = cfg.sramBytes - out.activationBytes;
    uint64_t buffer = free / 2 / 16 * 16;
    auto need = [](uint64_t channels, uint64_t reduction) { return alignTo(channels * reduction, 4) + 12 * channels; };
    for (size_t k = 0; k < p.layers.size(); ++k) {
      const Layer &l = p.layers[k];
      if (l.kind != LayerKind::Conv && l.kind != LayerKind::DepthwiseConv)
        continue;
      uint64_t red = l.reduction(p.maps), oc = p.maps[l.output].channels;
      uint64_t perChunk = oc;
      if (need(oc, red) > buffer) {
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

  bool emit(const std::vector<Chunk> &chunks) {
    uint32_t inputs = uint32_t(p.inputs.size());
    if (1 + inputs + p.outputs.size() > EDGEC_NPU_MAX_BINDINGS)
      return fail("an NPU subgraph with " + std::to_string(inputs) + " inputs and " +
                  std::to_string(p.outputs.size()) + " outputs needs more bindings than the driver's " +
                  std::to_string(EDGEC_NPU_MAX_BINDINGS));
    StreamWriter s(cfg, 1 + inputs + uint32_t(p.outputs.size()));
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
    // Per input map: the DMAs that bring its rows, as (last row + 1, DMAs done).
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> bands(p.maps.size());
    for (uint32_t i = 0; i < inputs; ++i) {
      uint32_t m = p.inputs[i];
      const MapInfo &info = p.maps[m];
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
    // DMAs that must be done before rows [.., lastRow] of map m are read.
    auto inputReady = [&](uint32_t m, uint64_t lastRow) -> uint32_t {
      for (auto [end, dmas] : bands[m])
        if (lastRow < end)
          return dmas;
      return bands[m].empty() ? 0 : bands[m].back().second;
    };

    size_t nextChunk = 0;
    for (size_t k = 0; k < p.layers.size(); ++k) {
      const Layer &l = p.layers[k];
      uint32_t id = s.layer(l.name);
      LayerPlacement placement;
      placement.name = l.name;
      placement.macs = l.macs(p.maps);
      const MapInfo &o = p.maps[l.output];
      uint32_t firstCompute = s.computeCount();
      // Output row bands: as many as the input has DMA bands (one when the
      // input is computed here, or when the weights come in several chunks).
      uint32_t in0 = l.inputs[0];
      size_t layerChunks = 0;
      for (size_t j = nextChunk; j < chunks.size() && chunks[j].layer == k; ++j)
        ++layerChunks;
      uint32_t rowBands = (bands[in0].size() > 1 && layerChunks <= 1) ? uint32_t(bands[in0].size()) : 1;
      rowBands = std::min(rowBands, o.height);
      auto lastInputRow = [&](uint32_t r1) -> uint64_t {
        if (l.kind == LayerKind::Add)
          return r1 - 1;
        int64_t dil = (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AveragePool) ? 1 : l.dilationH;
        int64_t row = int64_t(r1 - 1) * l.strideH + int64_t(l.kernelH - 1) * dil - l.padTop;
        return uint64_t(std::clamp<int64_t>(row, 0, p.maps[in0].height - 1));
      };
      auto bandWait = [&](uint32_t r1) {
        uint32_t need = 0;
        for (uint32_t in : l.inputs)
          need = std::max(need, inputReady(in, lastInputRow(r1)));
        return need;
      };
      if (l.kind == LayerKind::Conv || l.kind == LayerKind::DepthwiseConv) {
        for (size_t j = nextChunk; j < nextChunk + layerChunks; ++j) {
          const Chunk &c = chunks[j];
          for (uint32_t b = 0; b < rowBands; ++b) {
            uint32_t r0 = o.height * b / rowBands, r1 = o.height * (b + 1) / rowBands;
            waitFor(id, std::max(chunkDma[j], bandWait(r1)));
            ConvDesc d;
            d.depthwise = l.kind == LayerKind::DepthwiseConv;
            d.in = fmap(in0);
            d.out = fmap(l.output);
            d.out.offset += uint32_t(uint64_t(r0) * o.width * o.channels);
            d.out.row0 = r0;
            d.out.rows = r1 - r0;
            d.oc0 = c.oc0;
            d.ocCount = c.count;
            d.kernelH = l.kernelH;
            d.kernelW = l.kernelW;
            d.strideH = l.strideH;
            d.strideW = l.strideW;
            d.dilationH = l.dilationH;
            d.dilationW = l.dilationW;
            d.padTop = l.padTop;
            d.padLeft = l.padLeft;
            d.weights = uint32_t(ringAt[j]);
            d.params = uint32_t(ringAt[j] + c.paramsAt);
            d.actMin = l.actMin;
            d.actMax = l.actMax;
            // The array mode that finishes this command first.
            uint64_t inRows = std::min<uint64_t>(p.maps[in0].height,
                                                 uint64_t(d.out.rows - 1) * l.strideH +
                                                     uint64_t(l.kernelH - 1) * l.dilationH + 1);
            uint64_t reduction = l.reduction(p.maps);
            d.lanes = bestLanes(cfg, {uint64_t(d.out.rows) * o.width, c.count, reduction,
                                      inRows * p.maps[in0].width * p.maps[in0].channels, c.count * reduction});
            s.conv(id, d);
          }
          chunkLastUse[j] = s.computeCount();
          computed = j + 1;
          while (loadNext()) // chunks that waited for this one's place
            ;
          placement.weightBytes += c.bytes;
          ++placement.weightChunks;
        }
        nextChunk += layerChunks;
      } else {
        for (uint32_t b = 0; b < rowBands; ++b) {
          uint32_t r0 = o.height * b / rowBands, r1 = o.height * (b + 1) / rowBands;
          waitFor(id, bandWait(r1));
          FmapDesc outMap = fmap(l.output);
          outMap.offset += uint32_t(uint64_t(r0) * o.width * o.channels);
          outMap.row0 = r0;
          outMap.rows = r1 - r0;
          if (l.kind == LayerKind::Add) {
            AddDesc d;
            d.a = fmap(l.inputs[0]);
            d.b = fmap(l.inputs[1]);
            d.out = outMap;
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
            d.in = fmap(in0);
            d.out = outMap;
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
      }
      placement.commands = s.computeCount() - firstCompute;
      // A subgraph output leaves as soon as its layer is done.
      for (size_t o2 = 0; o2 < p.outputs.size(); ++o2) {
        if (p.outputs[o2] != l.output)
          continue;
        DmaDesc d;
        d.srcSpace = EDGEC_NPU_SPACE_SRAM;
        d.srcOffset = sramOffset[l.output];
        d.dstSpace = EDGEC_NPU_SPACE_BINDING0 + 1 + inputs + uint32_t(o2);
        d.rowBytes = uint32_t(o.bytes());
        d.afterCompute = s.computeCount();
        s.dma(id, d);
      }
      out.layers.push_back(placement);
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
