//===- Simulator.cpp - bit-exact execution and cycle counts of NPU streams ===//

#include "Simulator.h"

#include "../NpuCost.h"

#include "runtime-stub/npu/edgec_npu.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace edgec::npu {

double LayerStats::utilisation(const NpuConfig &config) const {
  uint64_t cycles = computeCycles + stallCycles;
  return cycles ? double(macs) / double(config.macsPerCycle()) / double(cycles) : 0.0;
}

double RunStats::utilisation(const NpuConfig &config) const {
  return cycles ? double(macs) / double(config.macsPerCycle()) / double(cycles) : 0.0;
}

namespace {

uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

float floatOf(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

int32_t clampTo(int64_t v, int64_t lo, int64_t hi) { return int32_t(std::min(std::max(v, lo), hi)); }

/// round_half_even(x / scale) + zp, clamped: the CPU path's quantize.
int32_t quantizeFloat(float x, float scale, int32_t zp, int32_t lo, int32_t hi) {
  float q = std::nearbyint(x / scale); // the default rounding mode: half to even
  if (q != q)
    q = 0; // NaN from absurd scales (inf - inf): a defined result, not UB
  q = q + float(zp);
  q = std::min(std::max(q, float(lo)), float(hi));
  return int32_t(q);
}

/// A byte range of SRAM a command reads or writes.
struct Range {
  uint32_t begin, end;
  bool write;
};

/// A feature map operand as the command names it.
struct Fmap {
  uint32_t offset, height, width, channels, row0, rows;
  int32_t zeroPoint;
  uint64_t rowBytes() const { return uint64_t(width) * channels; }
  uint64_t bytes() const { return rowBytes() * rows; }
};

Fmap fmapAt(const uint32_t *w) {
  return {w[EDGEC_NPU_FMAP_OFFSET], w[EDGEC_NPU_FMAP_HEIGHT], w[EDGEC_NPU_FMAP_WIDTH],
          w[EDGEC_NPU_FMAP_CHANNELS], w[EDGEC_NPU_FMAP_ROW0], w[EDGEC_NPU_FMAP_ROWS],
          int32_t(w[EDGEC_NPU_FMAP_ZERO_POINT])};
}

/// A command that ran and the SRAM it touched (for the race check).
struct Touched {
  size_t index; // in the stream
  std::vector<Range> ranges;
};

} // namespace

struct Simulator::Impl {
  Simulator &sim;
  const NpuConfig &cfg;
  const std::vector<Binding> &bindings;
  RunStats &stats;
  std::string &error;
  std::vector<std::string> layerNames;

  // Engine state.
  uint64_t computeFree = 0;  // the compute engine is idle from here
  uint64_t waitUntil = 0;    // the next compute command starts no earlier
  uint64_t dmaIssue = 0;     // the last DMA's request time (requests are in order)
  uint64_t dmaBusFree = 0;   // the DMA data bus is idle from here
  std::vector<uint64_t> computeEnd, dmaEnd; // completion of each, in stream order
  // The race check's history: every compute and every DMA so far, in order.
  std::vector<Touched> computes, dmas;
  uint32_t waitMark = 0; // DMAs the compute engine has waited for (WAIT's highest count)
  size_t commandIndex = 0, layer = 0;

  int fail(int code, const std::string &message) {
    std::string where = "command " + std::to_string(commandIndex);
    if (layer < layerNames.size())
      where += " (layer " + layerNames[layer] + ")";
    error = where + ": " + message;
    return code;
  }

  LayerStats &layerStats() {
    if (stats.layers.size() <= layer)
      stats.layers.resize(layer + 1);
    return stats.layers[layer];
  }

  bool inSram(uint64_t offset, uint64_t bytes) { return offset <= cfg.sramBytes && bytes <= cfg.sramBytes - offset; }

  int checkFmap(const Fmap &f, const char *what) {
    if (f.rows == 0 || f.width == 0 || f.channels == 0 || f.row0 + uint64_t(f.rows) > f.height)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, std::string(what) + ": empty map or rows beyond its height");
    // Checked in this order, no product below overflows 64 bits.
    if (f.height > (1u << 30) || f.width > (1u << 30) || f.channels > (1u << 30) || f.rowBytes() > cfg.sramBytes ||
        !inSram(f.offset, f.bytes()))
      return fail(EDGEC_NPU_ERROR_BAD_ADDRESS, std::string(what) + " reaches outside SRAM");
    if (f.zeroPoint < -128 || f.zeroPoint > 127)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, std::string(what) + ": zero point outside int8");
    return EDGEC_NPU_OK;
  }

  /// The bytes of input rows a window op reads for output rows
  /// [out.row0, out.row0 + out.rows): the race check must not blame a
  /// command for rows of its buffer it never touches.
  Range rowsRead(const Fmap &in, const Fmap &out, uint32_t stride, uint32_t kernel, uint32_t dilation,
                 int64_t padTop) {
    RowSpan rows = inputRowsRead(out.row0, out.rows, stride, kernel, dilation, padTop, in.row0, in.rows);
    if (!rows.count())
      return {in.offset, in.offset, false};
    return {uint32_t(in.offset + uint64_t(rows.first - in.row0) * in.rowBytes()),
            uint32_t(in.offset + uint64_t(rows.last - in.row0) * in.rowBytes()), false};
  }

  /// Byte `(y, x, c)` of a map; y in the whole tensor's rows.
  int8_t &at(const Fmap &f, uint32_t y, uint32_t x, uint32_t c) {
    return reinterpret_cast<int8_t &>(sim.sram_[f.offset + (uint64_t(y - f.row0) * f.width + x) * f.channels + c]);
  }

  /// A race: an earlier command touching the same bytes (one writing) that
  /// the stream does not order before this one, so hardware may run them in
  /// either order whatever the timing. Ordered are: computes among
  /// themselves and DMAs among themselves (each engine runs in stream
  /// order); a DMA before a compute once a WAIT covered it; a compute before
  /// a DMA that names it in after_compute. `after` is this command's: the
  /// computes before it (a DMA) or the DMAs before it (a compute) that the
  /// stream orders first.
  int record(bool isDma, uint32_t after, std::vector<Range> ranges) {
    for (const Range &r : ranges)
      stats.sramPeak = std::max(stats.sramPeak, r.end);
    const std::vector<Touched> &other = isDma ? computes : dmas;
    for (size_t i = after; i < other.size(); ++i)
      for (const Range &a : other[i].ranges)
        for (const Range &b : ranges)
          if ((a.write || b.write) && a.begin < b.end && b.begin < a.end)
            return fail(EDGEC_NPU_ERROR_BAD_STREAM,
                        "races with command " + std::to_string(other[i].index) + " on SRAM [" +
                            std::to_string(b.begin) + ", " + std::to_string(b.end) + "): nothing orders them");
    (isDma ? dmas : computes).push_back({commandIndex, std::move(ranges)});
    return EDGEC_NPU_OK;
  }

  /// Times a compute command of `cycles` and books it to the current layer.
  int compute(uint64_t cycles, uint64_t macs, std::vector<Range> ranges, const char *kind, uint64_t pixels = 0,
              uint64_t channels = 0, uint64_t reduction = 0, uint32_t lanes = 0) {
    cycles += cfg.commandCycles;
    uint64_t start = std::max(computeFree, waitUntil);
    LayerStats &l = layerStats();
    if (l.kind.empty() || macs > l.pixels * l.channels * l.reduction) {
      l.kind = kind;
      l.pixels = pixels;
      l.channels = channels;
      l.reduction = reduction;
      l.lanes = lanes;
    }
    l.stallCycles += start - computeFree;
    l.computeCycles += cycles;
    l.macs += macs;
    ++l.commands;
    stats.stallCycles += start - computeFree;
    stats.computeCycles += cycles;
    stats.macs += macs;
    computeFree = start + cycles;
    computeEnd.push_back(computeFree);
    return record(false, waitMark, std::move(ranges));
  }

  int dma(const uint32_t *w) {
    uint32_t srcSpace = w[EDGEC_NPU_DMA_SRC_SPACE], dstSpace = w[EDGEC_NPU_DMA_DST_SPACE];
    uint32_t row = w[EDGEC_NPU_DMA_ROW_BYTES], n1 = w[EDGEC_NPU_DMA_COUNT1], n2 = w[EDGEC_NPU_DMA_COUNT2];
    uint32_t after = w[EDGEC_NPU_DMA_AFTER_COMPUTE];
    if (srcSpace != EDGEC_NPU_SPACE_SRAM && dstSpace != EDGEC_NPU_SPACE_SRAM)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "DMA must move to or from SRAM");
    if (after > computeEnd.size())
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "DMA waits for a compute command later in the stream");
    // Where each end of the transfer lives, and the span it covers.
    struct End {
      uint8_t *base;
      uint64_t size, offset, stride1, stride2;
    };
    auto endOf = [&](uint32_t space, uint32_t offset, uint32_t s1, uint32_t s2, End &e) -> bool {
      if (space == EDGEC_NPU_SPACE_SRAM)
        e = {sim.sram_.data(), cfg.sramBytes, offset, s1, s2};
      else if (space - EDGEC_NPU_SPACE_BINDING0 < bindings.size())
        e = {bindings[space - 1].data, bindings[space - 1].bytes, offset, s1, s2};
      else
        return false;
      // The last row's end: the farthest byte the transfer touches.
      uint64_t last = e.offset + uint64_t(n1 ? n1 - 1 : 0) * s1 + uint64_t(n2 ? n2 - 1 : 0) * s2 + row;
      return e.base && last <= e.size;
    };
    End src{}, dst{};
    if (!endOf(srcSpace, w[EDGEC_NPU_DMA_SRC_OFFSET], w[EDGEC_NPU_DMA_SRC_STRIDE1], w[EDGEC_NPU_DMA_SRC_STRIDE2],
               src) ||
        !endOf(dstSpace, w[EDGEC_NPU_DMA_DST_OFFSET], w[EDGEC_NPU_DMA_DST_STRIDE1], w[EDGEC_NPU_DMA_DST_STRIDE2],
               dst))
      return fail(EDGEC_NPU_ERROR_BAD_ADDRESS, "DMA reaches outside SRAM or its binding (or an unbound space)");
    for (uint32_t i2 = 0; i2 < n2; ++i2)
      for (uint32_t i1 = 0; i1 < n1; ++i1)
        std::memmove(dst.base + dst.offset + uint64_t(i2) * dst.stride2 + uint64_t(i1) * dst.stride1,
                     src.base + src.offset + uint64_t(i2) * src.stride2 + uint64_t(i1) * src.stride1, row);
    // Timing: requests leave in order once their compute dependency is
    // done; each waits the DRAM latency, then holds the bus for its bytes
    // (every row a whole number of bus cycles).
    uint64_t issue = std::max(dmaIssue, after ? computeEnd[after - 1] : 0);
    uint64_t busCycles = uint64_t(n1) * n2 * ceilDiv(row, cfg.dmaBytesPerCycle);
    uint64_t dataStart = std::max(dmaBusFree, issue + cfg.dmaLatency);
    dmaIssue = issue;
    dmaBusFree = dataStart + busCycles;
    dmaEnd.push_back(dmaBusFree);
    uint64_t bytes = uint64_t(row) * n1 * n2;
    layerStats().dmaBytes += bytes;
    stats.dmaBytes += bytes;
    stats.dmaBusyCycles += busCycles;
    if (bytes == 0)
      return record(true, after, {});
    // The SRAM it reads and writes (a copy within SRAM: both).
    std::vector<Range> touched;
    auto touch = [&](const End &side, bool write) {
      uint64_t span = uint64_t(n1 ? n1 - 1 : 0) * side.stride1 + uint64_t(n2 ? n2 - 1 : 0) * side.stride2 + row;
      touched.push_back({uint32_t(side.offset), uint32_t(side.offset + span), write});
    };
    if (srcSpace == EDGEC_NPU_SPACE_SRAM)
      touch(src, false);
    if (dstSpace == EDGEC_NPU_SPACE_SRAM)
      touch(dst, true);
    if (touched.size() == 2 && touched[0].begin < touched[1].end && touched[1].begin < touched[0].end)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "a DMA within SRAM whose source and destination overlap");
    return record(true, after, std::move(touched));
  }

  int wait(const uint32_t *w) {
    uint32_t done = w[EDGEC_NPU_WAIT_DMA_DONE];
    if (done > dmaEnd.size())
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "WAIT for a DMA later in the stream");
    if (done)
      waitUntil = std::max(waitUntil, dmaEnd[done - 1]);
    waitMark = std::max(waitMark, done);
    return EDGEC_NPU_OK;
  }

  int conv(const uint32_t *w) {
    bool depthwise = w[EDGEC_NPU_CONV_FLAGS] & EDGEC_NPU_CONV_DEPTHWISE;
    Fmap in = fmapAt(w + EDGEC_NPU_CONV_IN), out = fmapAt(w + EDGEC_NPU_CONV_OUT);
    uint32_t oc0 = w[EDGEC_NPU_CONV_OC0], ocCount = w[EDGEC_NPU_CONV_OC_COUNT];
    uint32_t kh = w[EDGEC_NPU_CONV_KERNEL_H], kw = w[EDGEC_NPU_CONV_KERNEL_W];
    uint32_t sh = w[EDGEC_NPU_CONV_STRIDE_H], sw = w[EDGEC_NPU_CONV_STRIDE_W];
    uint32_t dh = w[EDGEC_NPU_CONV_DILATION_H], dw = w[EDGEC_NPU_CONV_DILATION_W];
    int64_t padTop = int32_t(w[EDGEC_NPU_CONV_PAD_TOP]), padLeft = int32_t(w[EDGEC_NPU_CONV_PAD_LEFT]);
    uint32_t weights = w[EDGEC_NPU_CONV_WEIGHTS], params = w[EDGEC_NPU_CONV_PARAMS];
    int32_t actMin = int32_t(w[EDGEC_NPU_CONV_ACT_MIN]), actMax = int32_t(w[EDGEC_NPU_CONV_ACT_MAX]);
    uint32_t lanes = w[EDGEC_NPU_CONV_LANES];
    if (!validLanes(cfg, lanes))
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "CONV lanes must divide the array's rows");
    if (int rc = checkFmap(in, "CONV input"))
      return rc;
    if (int rc = checkFmap(out, "CONV output"))
      return rc;
    // Geometry within 16 bits keeps every row and column index in int64.
    if (!kh || !kw || !sh || !sw || !dh || !dw || std::max({kh, kw, sh, sw, dh, dw}) > 0xFFFF ||
        std::abs(padTop) > 0xFFFF || std::abs(padLeft) > 0xFFFF || !ocCount || uint64_t(oc0) + ocCount > out.channels ||
        actMin > actMax || actMin < -128 || actMax > 127 || (depthwise && in.channels != out.channels))
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "CONV geometry is inconsistent");
    uint64_t reduction = uint64_t(kh) * kw * (depthwise ? 1 : in.channels);
    uint64_t weightBytes = reduction * ocCount, paramBytes = uint64_t(ocCount) * 12;
    if (!inSram(weights, weightBytes) || !inSram(params, paramBytes) || params % 4)
      return fail(EDGEC_NPU_ERROR_BAD_ADDRESS, "CONV weights or parameters reach outside SRAM (or misaligned)");
    const int8_t *wt = reinterpret_cast<const int8_t *>(sim.sram_.data() + weights);
    auto param = [&](uint32_t c, int k) {
      int32_t v;
      std::memcpy(&v, sim.sram_.data() + params + (uint64_t(c) * 3 + k) * 4, 4);
      return v;
    };
    for (uint32_t c = 0; c < ocCount; ++c)
      if (param(c, 2) < 0 || param(c, 2) > 62)
        return fail(EDGEC_NPU_ERROR_BAD_STREAM, "CONV shift outside [0, 62]");
    for (uint32_t oy = out.row0; oy < out.row0 + out.rows; ++oy)
      for (uint32_t ox = 0; ox < out.width; ++ox)
        for (uint32_t c = 0; c < ocCount; ++c) {
          uint32_t acc = uint32_t(param(c, 0)); // int32 arithmetic, wrapping as hardware does
          const int8_t *wc = wt + uint64_t(c) * reduction;
          for (uint32_t ky = 0; ky < kh; ++ky) {
            int64_t iy = int64_t(oy) * sh + int64_t(ky) * dh - padTop;
            if (iy < 0 || iy >= int64_t(in.height))
              continue; // padding: (zero point - zero point) * w
            if (iy < int64_t(in.row0) || iy >= int64_t(in.row0) + in.rows)
              return fail(EDGEC_NPU_ERROR_BAD_ADDRESS,
                          "CONV reads input row " + std::to_string(iy) + ", which its input buffer does not hold");
            for (uint32_t kx = 0; kx < kw; ++kx) {
              int64_t ix = int64_t(ox) * sw + int64_t(kx) * dw - padLeft;
              if (ix < 0 || ix >= int64_t(in.width))
                continue;
              if (depthwise) {
                int32_t x = at(in, uint32_t(iy), uint32_t(ix), oc0 + c) - in.zeroPoint;
                acc += uint32_t(x * int32_t(wc[ky * kw + kx]));
              } else {
                const int8_t *wk = wc + (uint64_t(ky) * kw + kx) * in.channels;
                const int8_t *px = &at(in, uint32_t(iy), uint32_t(ix), 0);
                for (uint32_t ic = 0; ic < in.channels; ++ic)
                  acc += uint32_t((int32_t(px[ic]) - in.zeroPoint) * int32_t(wk[ic]));
              }
            }
          }
          int64_t m = param(c, 1), s = param(c, 2);
          int64_t product = int64_t(int32_t(acc)) * m;
          int64_t scaled = s ? (product + (int64_t(1) << (s - 1))) >> s : product;
          at(out, oy, ox, oc0 + c) = int8_t(clampTo(scaled + out.zeroPoint, actMin, actMax));
        }
    uint64_t pixels = uint64_t(out.rows) * out.width;
    Range read = rowsRead(in, out, sh, kh, dh, padTop);
    uint64_t inputBytes = read.end - read.begin;
    if (depthwise) // the channels it reads, of every pixel in those rows
      inputBytes = inputBytes / in.channels * ocCount;
    uint64_t cycles =
        convCycles(cfg, {pixels, ocCount, reduction, inputBytes, weightBytes, depthwise}, lanes);
    uint64_t outBegin = out.offset;
    return compute(cycles, pixels * ocCount * reduction,
                   {read, {weights, uint32_t(weights + weightBytes), false},
                    {params, uint32_t(params + paramBytes), false},
                    {uint32_t(outBegin), uint32_t(outBegin + out.bytes()), true}},
                   depthwise ? "depthwise" : "conv", pixels, ocCount, reduction, lanes);
  }

  int pool(const uint32_t *w) {
    uint32_t flags = w[EDGEC_NPU_POOL_FLAGS];
    Fmap in = fmapAt(w + EDGEC_NPU_POOL_IN), out = fmapAt(w + EDGEC_NPU_POOL_OUT);
    uint32_t kh = w[EDGEC_NPU_POOL_KERNEL_H], kw = w[EDGEC_NPU_POOL_KERNEL_W];
    uint32_t sh = w[EDGEC_NPU_POOL_STRIDE_H], sw = w[EDGEC_NPU_POOL_STRIDE_W];
    int64_t padTop = int32_t(w[EDGEC_NPU_POOL_PAD_TOP]), padLeft = int32_t(w[EDGEC_NPU_POOL_PAD_LEFT]);
    float inScale = floatOf(w[EDGEC_NPU_POOL_IN_SCALE]), outScale = floatOf(w[EDGEC_NPU_POOL_OUT_SCALE]);
    bool average = flags & EDGEC_NPU_POOL_AVERAGE;
    if (int rc = checkFmap(in, "POOL input"))
      return rc;
    if (int rc = checkFmap(out, "POOL output"))
      return rc;
    if (!kh || !kw || !sh || !sw || std::max({kh, kw, sh, sw}) > 0xFFFF || std::abs(padTop) > 0xFFFF ||
        std::abs(padLeft) > 0xFFFF || in.channels != out.channels ||
        (average && !(std::isfinite(inScale) && std::isfinite(outScale) && outScale > 0)))
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "POOL geometry or scales are inconsistent");
    for (uint32_t oy = out.row0; oy < out.row0 + out.rows; ++oy)
      for (uint32_t ox = 0; ox < out.width; ++ox)
        for (uint32_t c = 0; c < in.channels; ++c) {
          int32_t best = -129;
          float sum = 0.0f;
          uint32_t count = 0;
          for (uint32_t ky = 0; ky < kh; ++ky) {
            int64_t iy = int64_t(oy) * sh + ky - padTop;
            if (iy < 0 || iy >= int64_t(in.height))
              continue;
            if (iy < int64_t(in.row0) || iy >= int64_t(in.row0) + in.rows)
              return fail(EDGEC_NPU_ERROR_BAD_ADDRESS,
                          "POOL reads input row " + std::to_string(iy) + ", which its input buffer does not hold");
            for (uint32_t kx = 0; kx < kw; ++kx) {
              int64_t ix = int64_t(ox) * sw + kx - padLeft;
              if (ix < 0 || ix >= int64_t(in.width))
                continue;
              int32_t q = at(in, uint32_t(iy), uint32_t(ix), c);
              best = std::max(best, q);
              sum = sum + (float(q) - float(in.zeroPoint)) * inScale;
              ++count;
            }
          }
          if (!count)
            return fail(EDGEC_NPU_ERROR_BAD_STREAM, "POOL window holds only padding");
          int32_t result = best;
          if (average) {
            float divisor = float(flags & EDGEC_NPU_POOL_COUNT_PAD ? kh * kw : count);
            result = quantizeFloat(sum / divisor, outScale, out.zeroPoint, -128, 127);
          }
          at(out, oy, ox, c) = int8_t(result);
        }
    uint64_t outputs = uint64_t(out.rows) * out.width * out.channels;
    uint64_t cycles = poolCycles(cfg, outputs, uint64_t(kh) * kw);
    return compute(cycles, 0,
                   {rowsRead(in, out, sh, kh, 1, padTop), {out.offset, uint32_t(out.offset + out.bytes()), true}},
                   average ? "average_pool" : "max_pool");
  }

  int add(const uint32_t *w) {
    Fmap a = fmapAt(w + EDGEC_NPU_ADD_A), b = fmapAt(w + EDGEC_NPU_ADD_B), out = fmapAt(w + EDGEC_NPU_ADD_OUT);
    float as = floatOf(w[EDGEC_NPU_ADD_A_SCALE]), bs = floatOf(w[EDGEC_NPU_ADD_B_SCALE]);
    float os = floatOf(w[EDGEC_NPU_ADD_OUT_SCALE]);
    int32_t actMin = int32_t(w[EDGEC_NPU_ADD_ACT_MIN]), actMax = int32_t(w[EDGEC_NPU_ADD_ACT_MAX]);
    for (auto [f, what] : {std::pair{&a, "ADD a"}, {&b, "ADD b"}, {&out, "ADD output"}})
      if (int rc = checkFmap(*f, what))
        return rc;
    auto same = [&](const Fmap &f) {
      return f.height == out.height && f.width == out.width && f.channels == out.channels && f.row0 <= out.row0 &&
             f.row0 + f.rows >= out.row0 + out.rows;
    };
    if (!same(a) || !same(b) || !(std::isfinite(as) && std::isfinite(bs) && std::isfinite(os) && os > 0) ||
        actMin > actMax || actMin < -128 || actMax > 127)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "ADD operands differ in shape, or its scales are inconsistent");
    for (uint32_t y = out.row0; y < out.row0 + out.rows; ++y)
      for (uint32_t x = 0; x < out.width; ++x)
        for (uint32_t c = 0; c < out.channels; ++c) {
          float fa = (float(at(a, y, x, c)) - float(a.zeroPoint)) * as;
          float fb = (float(at(b, y, x, c)) - float(b.zeroPoint)) * bs;
          at(out, y, x, c) = int8_t(quantizeFloat(fa + fb, os, out.zeroPoint, actMin, actMax));
        }
    uint64_t elements = uint64_t(out.rows) * out.rowBytes();
    return compute(addCycles(cfg, elements), 0,
                   {rowsRead(a, out, 1, 1, 1, 0), rowsRead(b, out, 1, 1, 1, 0),
                    {out.offset, uint32_t(out.offset + out.bytes()), true}},
                   "add");
  }

  int runStream(const uint32_t *stream, size_t words) {
    if (words < EDGEC_NPU_HEADER_WORDS || stream[EDGEC_NPU_HDR_MAGIC] != EDGEC_NPU_MAGIC)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "not an NPU command stream");
    if (stream[EDGEC_NPU_HDR_VERSION] != EDGEC_NPU_FORMAT_VERSION)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "format version " + std::to_string(stream[EDGEC_NPU_HDR_VERSION]) +
                                                  ", this simulator reads " +
                                                  std::to_string(EDGEC_NPU_FORMAT_VERSION));
    if (stream[EDGEC_NPU_HDR_MAC_ROWS] != cfg.macRows || stream[EDGEC_NPU_HDR_MAC_COLS] != cfg.macCols ||
        stream[EDGEC_NPU_HDR_SRAM_BYTES] != cfg.sramBytes)
      return fail(EDGEC_NPU_ERROR_WRONG_CONFIG,
                  "compiled for a " + std::to_string(stream[EDGEC_NPU_HDR_MAC_ROWS]) + "x" +
                      std::to_string(stream[EDGEC_NPU_HDR_MAC_COLS]) + " array with " +
                      std::to_string(stream[EDGEC_NPU_HDR_SRAM_BYTES]) + " B of SRAM, this NPU has " +
                      std::to_string(cfg.macRows) + "x" + std::to_string(cfg.macCols) + " and " +
                      std::to_string(cfg.sramBytes) + " B");
    if (stream[EDGEC_NPU_HDR_BINDINGS] != bindings.size())
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "the stream uses " + std::to_string(stream[EDGEC_NPU_HDR_BINDINGS]) +
                                                  " bindings, " + std::to_string(bindings.size()) + " given");
    uint64_t commandWords = stream[EDGEC_NPU_HDR_COMMAND_WORDS], nameWords = stream[EDGEC_NPU_HDR_NAME_WORDS];
    if (EDGEC_NPU_HEADER_WORDS + commandWords + nameWords != words)
      return fail(EDGEC_NPU_ERROR_BAD_STREAM, "section sizes do not add up to the stream's length");
    // The layer names: NUL-terminated strings after the commands.
    const char *names = reinterpret_cast<const char *>(stream + EDGEC_NPU_HEADER_WORDS + commandWords);
    size_t nameBytes = nameWords * 4, pos = 0;
    for (uint32_t i = 0; i < stream[EDGEC_NPU_HDR_LAYERS]; ++i) {
      const void *nul = std::memchr(names + pos, 0, nameBytes - pos);
      if (pos >= nameBytes || !nul)
        return fail(EDGEC_NPU_ERROR_BAD_STREAM, "the layer-name table is truncated");
      layerNames.emplace_back(names + pos);
      pos = size_t(static_cast<const char *>(nul) - names) + 1;
    }
    stats.layers.resize(layerNames.size());
    for (size_t i = 0; i < layerNames.size(); ++i)
      stats.layers[i].name = layerNames[i];

    static const struct {
      uint32_t opcode, words;
    } kSizes[] = {{EDGEC_NPU_OP_DMA, EDGEC_NPU_DMA_WORDS},   {EDGEC_NPU_OP_WAIT, EDGEC_NPU_WAIT_WORDS},
                  {EDGEC_NPU_OP_CONV, EDGEC_NPU_CONV_WORDS}, {EDGEC_NPU_OP_POOL, EDGEC_NPU_POOL_WORDS},
                  {EDGEC_NPU_OP_ADD, EDGEC_NPU_ADD_WORDS},   {EDGEC_NPU_OP_END, EDGEC_NPU_END_WORDS}};
    const uint32_t *cmd = stream + EDGEC_NPU_HEADER_WORDS, *end = cmd + commandWords;
    for (commandIndex = 0; cmd < end; ++commandIndex) {
      uint32_t opcode = cmd[0] & 0xFF, size = (cmd[0] >> 8) & 0xFF;
      layer = cmd[0] >> 16;
      bool known = false;
      for (const auto &k : kSizes)
        known |= k.opcode == opcode && k.words == size;
      if (!known || size > size_t(end - cmd))
        return fail(EDGEC_NPU_ERROR_BAD_STREAM, "unknown opcode " + std::to_string(opcode) + " or wrong size " +
                                                    std::to_string(size));
      if (layer >= layerNames.size() && opcode != EDGEC_NPU_OP_END)
        return fail(EDGEC_NPU_ERROR_BAD_STREAM, "layer index beyond the name table");
      int rc = EDGEC_NPU_OK;
      switch (opcode) {
      case EDGEC_NPU_OP_DMA:
        rc = dma(cmd);
        break;
      case EDGEC_NPU_OP_WAIT:
        rc = wait(cmd);
        break;
      case EDGEC_NPU_OP_CONV:
        rc = conv(cmd);
        break;
      case EDGEC_NPU_OP_POOL:
        rc = pool(cmd);
        break;
      case EDGEC_NPU_OP_ADD:
        rc = add(cmd);
        break;
      case EDGEC_NPU_OP_END:
        if (cmd + size != end)
          return fail(EDGEC_NPU_ERROR_BAD_STREAM, "commands after END");
        stats.cycles = std::max(computeFree, dmaBusFree);
        return EDGEC_NPU_OK;
      }
      if (rc)
        return rc;
      cmd += size;
    }
    return fail(EDGEC_NPU_ERROR_BAD_STREAM, "no END command");
  }
};

Simulator::Simulator(const NpuConfig &config) : config_(config), sram_(config.sramBytes, 0) {}
Simulator::~Simulator() = default;

int Simulator::run(const uint32_t *stream, size_t words, const std::vector<Binding> &bindings, RunStats &stats,
                   std::string &error) {
  stats = RunStats();
  Impl impl{*this, config_, bindings, stats, error, {}};
  return impl.runStream(stream, words);
}

std::string statsToJson(const RunStats &stats, const NpuConfig &config) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"cycles\": %" PRIu64 ", \"macs\": %" PRIu64 ", \"utilisation\": %.4f, \"compute_cycles\": %" PRIu64
                ", \"stall_cycles\": %" PRIu64 ", \"dma_bytes\": %" PRIu64 ", \"dma_busy_cycles\": %" PRIu64
                ", \"sram_peak\": %u, \"layers\": [",
                stats.cycles, stats.macs, stats.utilisation(config), stats.computeCycles, stats.stallCycles,
                stats.dmaBytes, stats.dmaBusyCycles, stats.sramPeak);
  out += buf;
  for (size_t i = 0; i < stats.layers.size(); ++i) {
    const LayerStats &l = stats.layers[i];
    out += i ? ", {\"name\": \"" : "{\"name\": \"";
    for (char c : l.name) {
      if (c == '"' || c == '\\')
        out += '\\';
      if (static_cast<unsigned char>(c) >= 0x20)
        out += c;
    }
    std::snprintf(buf, sizeof buf,
                  "\", \"kind\": \"%s\", \"macs\": %" PRIu64 ", \"compute_cycles\": %" PRIu64
                  ", \"stall_cycles\": %" PRIu64 ", \"dma_bytes\": %" PRIu64
                  ", \"commands\": %u, \"utilisation\": %.4f, \"pixels\": %" PRIu64 ", \"channels\": %" PRIu64
                  ", \"reduction\": %" PRIu64 ", \"lanes\": %u}",
                  l.kind.c_str(), l.macs, l.computeCycles, l.stallCycles, l.dmaBytes, l.commands,
                  l.utilisation(config), l.pixels, l.channels, l.reduction, l.lanes);
    out += buf;
  }
  out += "]}";
  return out;
}

} // namespace edgec::npu
