//===- Emit.cpp - the NPU command stream for a planned program ------------===//
//
// Writes the DMAs, compute commands and waits of a planned program
// (Planner.h): inputs in row bands, weights round the ring, chains band by
// band, spilled maps through staging buffers, outputs out as soon as done.
//
//===----------------------------------------------------------------------===//
#include "targets/npu/codegen/Planner.h"

#include "targets/npu/NpuCost.h"

#include "runtime-stub/npu/edgec_npu.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <functional>
#include <numeric>

namespace edgec::npu::codegen {

FmapDesc Planner::fmap(uint32_t m) const {
  const MapInfo &i = p.maps[m];
  return {sramOffset[m], i.height, i.width, i.channels, 0, i.height, i.zeroPoint};
}

uint32_t Planner::inputReady(uint32_t m, uint64_t lastRow) const {
  for (auto [end, dmas] : bands[m])
    if (lastRow < end)
      return dmas;
  return bands[m].empty() ? 0 : bands[m].back().second;
}

uint64_t Planner::lastInputRow(const Layer &l, uint32_t m, uint32_t r1) const {
  if (l.kind == LayerKind::Add)
    return r1 - 1;
  int64_t dil = (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AveragePool) ? 1 : l.dilationH;
  int64_t row = int64_t(r1 - 1) * l.strideH + int64_t(l.kernelH - 1) * dil - l.padTop;
  return uint64_t(std::clamp<int64_t>(row, 0, p.maps[m].height - 1));
}

template <typename InMap>
void Planner::emitCompute(StreamWriter &s, uint32_t id, const Layer &l, InMap in, const FmapDesc &out, const Chunk *chunk,
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

bool Planner::emitBanded(StreamWriter &s, size_t k, uint32_t id, const std::vector<Chunk> &chunks, size_t firstChunk,
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

void Planner::emitChain(StreamWriter &s, const Chain &c, const std::vector<Chunk> &chunks, size_t firstChunk,
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

bool Planner::emit(const std::vector<Chunk> &chunks) {
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

} // namespace edgec::npu::codegen
