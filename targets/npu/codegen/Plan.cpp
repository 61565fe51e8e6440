//===- Plan.cpp - where an NPU program's maps and weights live ------------===//
//
// Checks the program, gives every map its lifetime and SRAM bytes (or a
// chain's row buffers, or DRAM with staging bands) and cuts the convs'
// weights into chunks for the ring (Planner.h).
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

bool Planner::fail(const std::string &message) {
  error = message;
  return false;
}

bool Planner::checkProgram() {
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

bool Planner::lifetimes() {
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

uint64_t Planner::pack(const std::vector<bool> &which, uint64_t limit, std::vector<uint64_t> &offset, uint32_t &failed) {
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

std::pair<uint32_t, uint32_t> Planner::rowsRead(const Layer &l, uint32_t m, uint32_t r0, uint32_t r1) const {
  bool window = l.kind != LayerKind::Add;
  int64_t kh = window ? l.kernelH : 1, sh = window ? l.strideH : 1, padTop = window ? l.padTop : 0;
  int64_t dh = l.kind == LayerKind::Conv || l.kind == LayerKind::DepthwiseConv ? l.dilationH : 1;
  int64_t height = p.maps[m].height;
  int64_t a = std::clamp<int64_t>(int64_t(r0) * sh - padTop, 0, height);
  int64_t b = std::min<int64_t>(height, int64_t(r1 - 1) * sh + (kh - 1) * dh - padTop + 1);
  return {uint32_t(a), uint32_t(std::max(a, b))};
}

uint64_t Planner::bandInRows(const Layer &l, uint32_t m, uint32_t rows) const {
  bool window = l.kind != LayerKind::Add;
  uint64_t kh = window ? l.kernelH : 1, sh = window ? l.strideH : 1;
  uint64_t dh = l.kind == LayerKind::Conv || l.kind == LayerKind::DepthwiseConv ? l.dilationH : 1;
  return std::min<uint64_t>(p.maps[m].height, uint64_t(rows - 1) * sh + (kh - 1) * dh + 1);
}

uint64_t Planner::bandStaging(const Layer &l, uint32_t rows) const {
  uint64_t bytes = 0;
  for (uint32_t m : l.inputs)
    if (spilled[m])
      bytes += 2 * alignTo(bandInRows(l, m, rows) * p.maps[m].width * p.maps[m].channels, 16);
  if (spilled[l.output])
    bytes += 2 * alignTo(uint64_t(rows) * p.maps[l.output].width * p.maps[l.output].channels, 16);
  return bytes;
}

uint64_t Planner::chunkBytes(uint64_t channels, uint64_t reduction) {
  return alignTo(channels * reduction, 4) + 12 * channels;
}

bool Planner::chainable(uint32_t m) const {
  long k = ownFirst[m];
  if (k < 0 || ownLast[m] != k + 1 || size_t(k + 1) >= p.layers.size())
    return false;
  const std::vector<uint32_t> &ins = p.layers[k + 1].inputs;
  return std::count(ins.begin(), ins.end(), m) == 1;
}

uint64_t Planner::chainWeightBytes(const Chain &c) const {
  uint64_t bytes = 0;
  for (size_t j = c.first; j <= c.last; ++j)
    if (p.layers[j].kind == LayerKind::Conv || p.layers[j].kind == LayerKind::DepthwiseConv)
      bytes += alignTo(chunkBytes(p.maps[p.layers[j].output].channels, p.layers[j].reduction(p.maps)), 16);
  return bytes;
}

void Planner::unchain() {
  chains.clear();
  chainOf.assign(p.layers.size(), -1);
  first = ownFirst;
  last = ownLast;
  for (size_t m = 0; m < p.maps.size(); ++m)
    sramSize[m] = p.maps[m].bytes();
}

bool Planner::formChains(uint64_t budget) {
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

bool Planner::scheduleChain(Chain &c, uint32_t rows) {
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

std::pair<uint64_t, bool> Planner::bufferBytes(const Chain &c, size_t i) const {
  uint32_t rows = 0;
  bool two = false;
  for (uint32_t b = 0; b < c.bands; ++b) {
    auto [lo, hi] = c.need[b][i];
    rows = std::max(rows, hi - lo);
    two = two || (b > 0 && lo < c.need[b - 1][i].second);
  }
  return {alignTo(rows * rowBytes(p.layers[c.first + i].output), 16), two};
}

uint64_t Planner::chainBytes(const Chain &c) const {
  uint64_t bytes = 0;
  for (size_t i = 0; i < c.last - c.first; ++i) {
    auto [one, two] = bufferBytes(c, i);
    bytes += two ? 2 * one : one;
  }
  return bytes;
}

bool Planner::placeWithChains(std::vector<uint64_t> &offset, uint64_t &top) {
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

bool Planner::placeMaps() {
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

bool Planner::planChunks(std::vector<Chunk> &chunks) {
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

} // namespace edgec::npu::codegen
