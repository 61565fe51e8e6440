// The NPU simulator against references written from the ops' definitions
// (ONNX Conv/MaxPool/AveragePool/Add on dequantised values, in long double
// or double), its timing model on cases whose cycle counts follow from
// docs/design/npu.md by hand, and its refusals of bad streams.

#include "runtime-stub/npu/edgec_npu.h"
#include "targets/npu/StreamWriter.h"
#include "targets/npu/sim/Simulator.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

using namespace edgec::npu;

namespace {

std::vector<int8_t> randomBytes(size_t n, uint32_t seed, int lo = -128, int hi = 127) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (int8_t &x : v)
    x = int8_t(d(rng));
  return v;
}

/// round(acc * m / 2^s), halves up, clamped: the requantisation written as
/// exact arithmetic on the real value (long double holds acc * m exactly).
int8_t requantRef(int64_t acc, int32_t m, int32_t s, int32_t zp, int32_t lo, int32_t hi) {
  long double r = std::floor(std::ldexp((long double)acc * m, -s) + 0.5L) + zp;
  return int8_t(std::min<long double>(std::max<long double>(r, lo), hi));
}

/// Runs the stream `s` writes with `dram` as binding 0; the simulator's
/// message is the failure's.
RunStats runStream(const NpuConfig &cfg, const StreamWriter &s, std::vector<uint8_t> &dram) {
  auto stream = s.finish();
  Simulator sim(cfg);
  RunStats stats;
  std::string error;
  int rc = sim.run(stream.data(), stream.size(), {{dram.data(), uint32_t(dram.size())}}, stats, error);
  INFO(error);
  REQUIRE(rc == EDGEC_NPU_OK);
  return stats;
}

struct ConvCase {
  uint32_t h, w, ic, oc, kh, kw, stride, pad;
  bool depthwise;
};

/// A conv run over whole maps with weights and parameters DMA'd from one
/// binding: checks outputs against the definition, element by element.
void checkConv(const ConvCase &k, uint32_t tiles) {
  NpuConfig cfg;
  uint32_t oh = (k.h + 2 * k.pad - k.kh) / k.stride + 1, ow = (k.w + 2 * k.pad - k.kw) / k.stride + 1;
  uint32_t red = k.kh * k.kw * (k.depthwise ? 1 : k.ic);
  auto input = randomBytes(size_t(k.h) * k.w * k.ic, 1);
  auto weights = randomBytes(size_t(k.oc) * red, 2);
  std::vector<int32_t> params;
  std::mt19937 rng(3);
  for (uint32_t c = 0; c < k.oc; ++c)
    params.insert(params.end(), {int32_t(rng() % 2001) - 1000, int32_t(1u << 30) + int32_t(rng() % 100000),
                                 int32_t(42 + c % 5)});
  int32_t inZp = -7, outZp = 5, actMin = -100, actMax = 120;

  // DRAM: input | weights | params | output
  std::vector<uint8_t> dram(input.size() + weights.size() + params.size() * 4 + size_t(oh) * ow * k.oc);
  std::memcpy(dram.data(), input.data(), input.size());
  std::memcpy(dram.data() + input.size(), weights.data(), weights.size());
  std::memcpy(dram.data() + input.size() + weights.size(), params.data(), params.size() * 4);
  uint32_t dWeights = uint32_t(input.size()), dParams = dWeights + uint32_t(weights.size());
  uint32_t dOut = dParams + uint32_t(params.size() * 4);

  StreamWriter s(cfg, 1);
  uint32_t L = s.layer("conv");
  uint32_t sIn = 0, sW = 65536, sP = 131072, sOut = 196608;
  auto copy = [&](uint32_t src, uint32_t dst, uint32_t bytes, bool in, uint32_t after) {
    DmaDesc d;
    d.srcSpace = in ? EDGEC_NPU_SPACE_BINDING0 : EDGEC_NPU_SPACE_SRAM;
    d.dstSpace = in ? EDGEC_NPU_SPACE_SRAM : EDGEC_NPU_SPACE_BINDING0;
    d.srcOffset = src;
    d.dstOffset = dst;
    d.rowBytes = bytes;
    d.afterCompute = after;
    s.dma(L, d);
  };
  copy(0, sIn, uint32_t(input.size()), true, 0);
  copy(dWeights, sW, uint32_t(weights.size()), true, 0);
  copy(dParams, sP, uint32_t(params.size() * 4), true, 0);
  s.wait(L, 3);
  // Output rows in `tiles` bands.
  for (uint32_t t = 0; t < tiles; ++t) {
    ConvDesc c;
    c.depthwise = k.depthwise;
    c.in = {sIn, k.h, k.w, k.ic, 0, k.h, inZp};
    uint32_t r0 = oh * t / tiles, r1 = oh * (t + 1) / tiles;
    c.out = {sOut + r0 * ow * k.oc, oh, ow, k.oc, r0, r1 - r0, outZp};
    c.ocCount = k.oc;
    c.kernelH = k.kh;
    c.kernelW = k.kw;
    c.strideH = c.strideW = k.stride;
    c.padTop = c.padLeft = int32_t(k.pad);
    c.weights = sW;
    c.params = sP;
    c.actMin = actMin;
    c.actMax = actMax;
    s.conv(L, c);
  }
  copy(sOut, dOut, oh * ow * k.oc, false, tiles);
  s.wait(L, 4);
  RunStats stats = runStream(cfg, s, dram);
  const int8_t *out = reinterpret_cast<const int8_t *>(dram.data() + dOut);
  size_t mismatches = 0;
  for (uint32_t y = 0; y < oh; ++y)
    for (uint32_t x = 0; x < ow; ++x)
      for (uint32_t c = 0; c < k.oc; ++c) {
        int64_t acc = params[c * 3];
        for (uint32_t ky = 0; ky < k.kh; ++ky)
          for (uint32_t kx = 0; kx < k.kw; ++kx) {
            int64_t iy = int64_t(y) * k.stride + ky - k.pad, ix = int64_t(x) * k.stride + kx - k.pad;
            for (uint32_t i = 0; i < (k.depthwise ? 1u : k.ic); ++i) {
              uint32_t ch = k.depthwise ? c : i;
              int64_t v = (iy < 0 || ix < 0 || iy >= k.h || ix >= k.w)
                              ? inZp
                              : input[(size_t(iy) * k.w + size_t(ix)) * k.ic + ch];
              acc += (v - inZp) * weights[size_t(c) * red + (size_t(ky) * k.kw + kx) * (k.depthwise ? 1 : k.ic) + i];
            }
          }
        int8_t want = requantRef(acc, params[c * 3 + 1], params[c * 3 + 2], outZp, actMin, actMax);
        mismatches += out[(size_t(y) * ow + x) * k.oc + c] != want;
      }
  CHECK(mismatches == 0);
  uint64_t macs = uint64_t(oh) * ow * k.oc * red;
  CHECK(stats.macs == macs);
  CHECK(stats.layers.size() == 1);
  CHECK(stats.layers[0].commands == tiles);
}

} // namespace

TEST_CASE("NPU conv matches its definition", "[npu]") {
  SECTION("dense 3x3, padding 1, one command") { checkConv({12, 10, 24, 40, 3, 3, 1, 1, false}, 1); }
  SECTION("dense 3x3 stride 2, output in three row bands") { checkConv({15, 9, 5, 16, 3, 3, 2, 1, false}, 3); }
  SECTION("pointwise") { checkConv({7, 7, 32, 20, 1, 1, 1, 0, false}, 1); }
  SECTION("depthwise 3x3, two bands") { checkConv({10, 11, 24, 24, 3, 3, 1, 1, true}, 2); }
  SECTION("depthwise 5x5 stride 2") { checkConv({13, 13, 8, 8, 5, 5, 2, 2, true}, 1); }
}

TEST_CASE("NPU pooling and add match their definitions", "[npu]") {
  NpuConfig cfg;
  const uint32_t H = 9, W = 8, C = 20;
  auto a = randomBytes(H * W * C, 11), b = randomBytes(H * W * C, 12);
  std::vector<uint8_t> dram(4 * H * W * C);
  std::memcpy(dram.data(), a.data(), a.size());
  std::memcpy(dram.data() + a.size(), b.data(), b.size());
  StreamWriter s(cfg, 1);
  uint32_t L = s.layer("pool");
  DmaDesc in;
  in.srcSpace = EDGEC_NPU_SPACE_BINDING0;
  in.rowBytes = 2 * H * W * C;
  s.dma(L, in);
  s.wait(L, 1);
  FmapDesc fa{0, H, W, C, 0, H, 3}, fb{H * W * C, H, W, C, 0, H, -9};
  // 3x3 stride 2 pad 1: (9 + 2 - 3) / 2 + 1 = 5 rows, (8 + 2 - 3) / 2 + 1 = 4 columns
  const uint32_t OH = 5, OW = 4;
  PoolDesc mp;
  mp.in = fa;
  mp.out = {2 * H * W * C, OH, OW, C, 0, OH, 3};
  mp.kernelH = mp.kernelW = 3;
  mp.strideH = mp.strideW = 2;
  mp.padTop = mp.padLeft = 1;
  s.pool(L, mp);
  PoolDesc ap = mp;
  ap.average = true;
  ap.inScale = 0.05f;
  ap.outScale = 0.03f;
  ap.out = {2 * H * W * C + OH * OW * C, OH, OW, C, 0, OH, -2};
  s.pool(L, ap);
  AddDesc ad;
  ad.a = fa;
  ad.b = fb;
  ad.aScale = 0.02f;
  ad.bScale = 0.045f;
  ad.outScale = 0.06f;
  ad.actMin = 0; // a fused ReLU
  ad.out = {3 * H * W * C, H, W, C, 0, H, -128};
  s.add(L, ad);
  DmaDesc out;
  out.srcOffset = 2 * H * W * C;
  out.dstSpace = EDGEC_NPU_SPACE_BINDING0;
  out.dstOffset = 2 * H * W * C;
  out.rowBytes = 2 * H * W * C;
  out.afterCompute = 3;
  s.dma(L, out);
  s.wait(L, 2);
  runStream(cfg, s, dram);
  auto got = [&](uint32_t offset, size_t i) { return int(int8_t(dram[offset + i])); };
  size_t maxBad = 0, avgOff = 0, addOff = 0;
  for (uint32_t y = 0; y < OH; ++y)
    for (uint32_t x = 0; x < OW; ++x)
      for (uint32_t c = 0; c < C; ++c) {
        int best = -1000;
        double sum = 0;
        int n = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            int iy = int(y) * 2 + ky - 1, ix = int(x) * 2 + kx - 1;
            if (iy < 0 || ix < 0 || iy >= int(H) || ix >= int(W))
              continue;
            int q = a[(size_t(iy) * W + ix) * C + c];
            best = std::max(best, q);
            sum += (q - 3) * 0.05;
            ++n;
          }
        size_t i = (size_t(y) * OW + x) * C + c;
        maxBad += got(2 * H * W * C, i) != best;
        double avg = std::nearbyint(sum / n / 0.03) - 2;
        avg = std::min(127.0, std::max(-128.0, avg));
        // float32 against double: a half-way case may round the other way.
        avgOff += std::abs(got(2 * H * W * C + OH * OW * C, i) - avg) > 1;
      }
  for (size_t i = 0; i < a.size(); ++i) {
    double r = std::nearbyint(((a[i] - 3) * 0.02 + (b[i] + 9) * 0.045) / 0.06) - 128;
    r = std::min(127.0, std::max(0.0, r));
    addOff += std::abs(got(3 * H * W * C, i) - r) > 1;
  }
  CHECK(maxBad == 0);
  CHECK(avgOff == 0);
  CHECK(addOff == 0);
}

TEST_CASE("NPU timing follows the documented model", "[npu]") {
  NpuConfig cfg; // 16x16 array, DMA 16 B/cycle after 100 cycles, 16 cycles per command
  cfg.ppuElementsPerCycle = 16; // the numbers below assume a 16-lane output stage
  auto run = [&](StreamWriter &s, std::vector<uint8_t> &dram, RunStats &stats) { stats = runStream(cfg, s, dram); };
  std::vector<uint8_t> dram(1 << 20);

  SECTION("one DMA: latency, then a bus cycle per 16 bytes of each row") {
    StreamWriter s(cfg, 1);
    uint32_t L = s.layer("copy");
    DmaDesc d;
    d.srcSpace = EDGEC_NPU_SPACE_BINDING0;
    d.rowBytes = 40; // 3 bus cycles per row
    d.count1 = 10;
    d.srcStride1 = 64;
    d.dstStride1 = 40;
    s.dma(L, d);
    RunStats stats;
    run(s, dram, stats);
    CHECK(stats.cycles == 100 + 10 * 3);
    CHECK(stats.dmaBytes == 400);
  }

  SECTION("a conv whose blocks fill the array runs at full utilisation but for its fixed costs") {
    // 32x32 output pixels = 64 blocks of 16, 32 channels = 2 blocks, K = 64
    StreamWriter s(cfg, 1);
    uint32_t L = s.layer("pw");
    ConvDesc c;
    c.in = {0, 32, 32, 64, 0, 32, 0};
    c.out = {65536, 32, 32, 32, 0, 32, 0};
    c.ocCount = 32;
    c.weights = 131072;
    c.params = 139264;
    s.conv(L, c);
    RunStats stats;
    run(s, dram, stats);
    uint64_t blocks = 64 * 2, mac = blocks * 64 + 16; // + the last block's drain
    CHECK(stats.cycles == mac + 16);                  // + the command's fixed cost
    CHECK(stats.macs == 32ull * 32 * 32 * 64);
    CHECK(stats.utilisation(cfg) == Approx(double(blocks * 64) / double(mac + 16)));
  }

  SECTION("a short reduction is bound by the output stage's drain") {
    StreamWriter s(cfg, 1);
    uint32_t L = s.layer("dw");
    ConvDesc c;
    c.depthwise = true;
    c.in = {0, 16, 16, 16, 0, 16, 0};
    c.out = {65536, 16, 16, 16, 0, 16, 0};
    c.ocCount = 16;
    c.kernelH = c.kernelW = 3;
    c.padTop = c.padLeft = 1;
    c.weights = 131072;
    c.params = 139264;
    s.conv(L, c);
    RunStats stats;
    run(s, dram, stats);
    // 16 pixel blocks x 1 channel block, K = 9 < 256 / 16 = 16 drain cycles
    CHECK(stats.cycles == 16 * 16 + 16 + 16);
  }

  SECTION("array modes: one pixel of a long reduction runs on all rows at once") {
    // 1 pixel x 16 channels x K 64: one row per step takes 64 cycles;
    // 16 lanes take 4, and drain 16 results in one cycle.
    auto fc = [&](uint32_t lanes, std::vector<uint8_t> &mem, RunStats &stats) {
      StreamWriter s(cfg, 1);
      uint32_t L = s.layer("fc");
      DmaDesc in;
      in.srcSpace = EDGEC_NPU_SPACE_BINDING0;
      in.rowBytes = 64 + 16 * 64 + 16 * 12; // input, weights, params
      s.dma(L, in);
      s.wait(L, 1);
      ConvDesc c;
      c.in = {0, 1, 1, 64, 0, 1, 0};
      c.out = {4096, 1, 1, 16, 0, 1, 3};
      c.ocCount = 16;
      c.weights = 64;
      c.params = 64 + 16 * 64;
      c.lanes = lanes;
      s.conv(L, c);
      DmaDesc out;
      out.srcOffset = 4096;
      out.dstSpace = EDGEC_NPU_SPACE_BINDING0;
      out.dstOffset = 8192;
      out.rowBytes = 16;
      out.afterCompute = 1;
      s.dma(L, out);
      run(s, mem, stats);
    };
    std::vector<uint8_t> a(dram.size()), b;
    std::mt19937 rng(4);
    for (size_t i = 0; i < 64 + 16 * 64; ++i)
      a[i] = uint8_t(rng());
    for (uint32_t c = 0; c < 16; ++c) {
      int32_t rec[3] = {int32_t(rng() % 1000), int32_t(1u << 30), 38};
      std::memcpy(a.data() + 64 + 16 * 64 + 12 * c, rec, 12);
    }
    b = a;
    RunStats one, sixteen;
    fc(1, a, one);
    fc(16, b, sixteen);
    CHECK(std::equal(a.begin() + 8192, a.begin() + 8208, b.begin() + 8192));
    CHECK(one.computeCycles == 64 + 16 + 16);     // 64 steps, drain 16, command 16
    CHECK(sixteen.computeCycles == 4 + 1 + 16);   // 4 steps, drain 1, command 16
  }

  SECTION("double buffering: the second load overlaps the first compute; a stall is counted") {
    StreamWriter s(cfg, 1);
    uint32_t L = s.layer("fc");
    auto load = [&](uint32_t dst) {
      DmaDesc d;
      d.srcSpace = EDGEC_NPU_SPACE_BINDING0;
      d.dstOffset = dst;
      d.rowBytes = 16 * 64; // 64 bus cycles
      s.dma(L, d);
    };
    auto conv = [&](uint32_t in) {
      ConvDesc c;
      c.in = {in, 1, 16, 64, 0, 1, 0}; // 16 pixels x 64 channels
      c.out = {200000 + in, 1, 16, 16, 0, 1, 0};
      c.ocCount = 16;
      c.weights = 300000;
      c.params = 310000;
      s.conv(L, c);
    };
    load(0);
    load(4096);
    s.wait(L, 1);
    conv(0); // 1 block x K 64 + drain 16 + 16 = 96 cycles
    s.wait(L, 2);
    conv(4096);
    RunStats stats;
    run(s, dram, stats);
    // load 0 ends at 164, load 1 at 228 (its latency overlapped the first
    // transfer); conv 0 runs 164..260, conv 1 260..356 without a stall.
    CHECK(stats.cycles == 356);
    CHECK(stats.stallCycles == 164);
    CHECK(stats.computeCycles == 192);
  }
}

TEST_CASE("NPU simulator refuses bad streams", "[npu]") {
  NpuConfig cfg;
  std::vector<uint8_t> dram(4096);
  std::vector<Binding> bind{{dram.data(), uint32_t(dram.size())}};
  auto runOf = [&](std::vector<uint32_t> stream, std::string &error, const NpuConfig &simCfg) {
    Simulator sim(simCfg);
    RunStats stats;
    return sim.run(stream.data(), stream.size(), bind, stats, error);
  };
  std::string error;
  auto base = [&] {
    StreamWriter s(cfg, 1);
    s.layer("l");
    return s;
  };

  // A 1x1 conv of a 4x16x16 map at SRAM 0 into one at 8192.
  auto smallConv = [] {
    ConvDesc c;
    c.in = {0, 4, 16, 16, 0, 4, 0};
    c.out = {8192, 4, 16, 16, 0, 4, 0};
    c.ocCount = 16;
    c.weights = 16384;
    c.params = 20480;
    return c;
  };

  SECTION("not a stream") {
    std::vector<uint32_t> junk(20, 7);
    CHECK(runOf(junk, error, cfg) == EDGEC_NPU_ERROR_BAD_STREAM);
  }
  SECTION("compiled for another array") {
    NpuConfig other = cfg;
    other.macCols = 8;
    CHECK(runOf(base().finish(), error, other) == EDGEC_NPU_ERROR_WRONG_CONFIG);
    CHECK(error.find("16x16") != std::string::npos);
  }
  SECTION("a DMA beyond its binding") {
    StreamWriter s = base();
    DmaDesc d;
    d.srcSpace = EDGEC_NPU_SPACE_BINDING0;
    d.srcOffset = 4000;
    d.rowBytes = 200;
    s.dma(0, d);
    CHECK(runOf(s.finish(), error, cfg) == EDGEC_NPU_ERROR_BAD_ADDRESS);
    CHECK(error.find("layer l") != std::string::npos);
  }
  SECTION("a DMA that overwrites a running conv's input: a race") {
    StreamWriter s = base();
    ConvDesc c = smallConv();
    s.conv(0, c);
    DmaDesc d;
    d.srcSpace = EDGEC_NPU_SPACE_BINDING0;
    d.rowBytes = 64; // into SRAM [0, 64): the conv's input
    s.dma(0, d);     // afterCompute = 0: nothing orders it after the conv
    CHECK(runOf(s.finish(), error, cfg) == EDGEC_NPU_ERROR_BAD_STREAM);
    CHECK(error.find("races with command 0") != std::string::npos);
    // Ordered after the conv, the same transfer is fine.
    StreamWriter t = base();
    t.conv(0, c);
    d.afterCompute = 1;
    t.dma(0, d);
    CHECK(runOf(t.finish(), error, cfg) == EDGEC_NPU_OK);
  }
  SECTION("a copy within SRAM reads and writes SRAM; onto itself or between two bindings it is refused") {
    StreamWriter s = base();
    ConvDesc c = smallConv();
    s.conv(0, c);
    DmaDesc d;
    d.srcSpace = d.dstSpace = EDGEC_NPU_SPACE_SRAM;
    d.srcOffset = 8192; // the conv's output: read before the conv is done
    d.dstOffset = 30000;
    d.rowBytes = 64;
    s.dma(0, d);
    CHECK(runOf(s.finish(), error, cfg) == EDGEC_NPU_ERROR_BAD_STREAM);
    CHECK(error.find("races with command 0") != std::string::npos);
    StreamWriter t = base();
    t.conv(0, c);
    d.srcOffset = 100;  // the conv's input: both only read it
    t.dma(0, d);
    CHECK(runOf(t.finish(), error, cfg) == EDGEC_NPU_OK);
    StreamWriter v = base();
    d.dstOffset = 132; // [100, 164) onto [132, 196)
    v.dma(0, d);
    CHECK(runOf(v.finish(), error, cfg) == EDGEC_NPU_ERROR_BAD_STREAM);
    CHECK(error.find("overlap") != std::string::npos);
    StreamWriter u = base();
    d.srcSpace = d.dstSpace = EDGEC_NPU_SPACE_BINDING0;
    d.srcOffset = d.dstOffset = 0;
    u.dma(0, d);
    CHECK(runOf(u.finish(), error, cfg) == EDGEC_NPU_ERROR_BAD_STREAM);
    CHECK(error.find("to or from SRAM") != std::string::npos);
  }
  SECTION("a conv reading rows its input tile does not hold") {
    StreamWriter s = base();
    ConvDesc c;
    c.in = {0, 8, 8, 16, 0, 4, 0}; // rows 0..3 of 8
    c.out = {8192, 8, 8, 16, 3, 2, 0}; // rows 3..4 need input rows 2..5
    c.ocCount = 16;
    c.kernelH = c.kernelW = 3;
    c.padTop = c.padLeft = 1;
    c.weights = 16384;
    c.params = 20480;
    s.conv(0, c);
    CHECK(runOf(s.finish(), error, cfg) == EDGEC_NPU_ERROR_BAD_ADDRESS);
    CHECK(error.find("input row 4") != std::string::npos);
  }
  SECTION("a WAIT for a DMA that comes later") {
    StreamWriter s = base();
    s.wait(0, 1);
    CHECK(runOf(s.finish(), error, cfg) == EDGEC_NPU_ERROR_BAD_STREAM);
  }
  SECTION("a truncated stream") {
    auto stream = base().finish();
    stream.pop_back();
    CHECK(runOf(stream, error, cfg) == EDGEC_NPU_ERROR_BAD_STREAM);
  }
}

TEST_CASE("NPU configuration files", "[npu]") {
  NpuConfig c;
  std::string error;
  CHECK(parseNpuConfig("# a bigger array\nmac_rows = 32\nsram_bytes = 0x100000 # 1 MiB\n", c, error));
  CHECK(c.macRows == 32);
  CHECK(c.sramBytes == 1048576);
  CHECK(c.macCols == 16);
  CHECK_FALSE(parseNpuConfig("mac_rows = 32\nmac_colls = 8\n", c, error));
  CHECK(error == "line 2: unknown parameter `mac_colls`");
  CHECK_FALSE(parseNpuConfig("dma_latency = -3\n", c, error));
  CHECK(error.find("positive 32-bit integer") != std::string::npos);
  CHECK_FALSE(parseNpuConfig("dma_latency\n", c, error));
  NpuConfig d, e;
  CHECK(parseNpuConfig(printNpuConfig(d), e, error));
  CHECK(printNpuConfig(e) == printNpuConfig(d));
}
