// The NPU back end's plans, run on the simulator: the same layer graph
// planned for a roomy SRAM and for one so small that weights stream in
// chunks, maps are chained a few rows at a time, or maps go to DRAM must
// compute the same bytes (the simulator rejects any race the plan would
// have), and a program that cannot fit is refused by name.

#include "runtime-stub/npu/edgec_npu.h"
#include "targets/npu/NpuCodegen.h"
#include "targets/npu/sim/Simulator.h"

#include <catch2/catch.hpp>

#include <random>

using namespace edgec::npu;

namespace {

Layer conv(const std::string &name, LayerKind kind, uint32_t in, uint32_t out, uint32_t k, uint32_t stride,
           uint64_t weightCount, uint32_t channels, std::mt19937 &rng) {
  Layer l;
  l.kind = kind;
  l.name = name;
  l.inputs = {in};
  l.output = out;
  l.kernelH = l.kernelW = k;
  l.strideH = l.strideW = stride;
  l.padTop = l.padLeft = int32_t(k / 2);
  for (uint64_t i = 0; i < weightCount; ++i)
    l.weights.push_back(int8_t(int(rng() % 255) - 127));
  for (uint32_t c = 0; c < channels; ++c) {
    l.bias.push_back(int32_t(rng() % 4001) - 2000);
    l.multiplier.push_back(int32_t(1u << 30) + int32_t(rng() % 1000000));
    l.shift.push_back(41);
  }
  l.actMin = kind == LayerKind::Conv ? -20 : -128; // a fused ReLU on the first
  return l;
}

/// An add of maps a and b (their scales sa, sb) into `out` (scale so).
Layer add(const std::string &name, uint32_t a, uint32_t b, uint32_t out, float sa, float sb, float so) {
  Layer l;
  l.kind = LayerKind::Add;
  l.name = name;
  l.inputs = {a, b};
  l.output = out;
  l.scaleA = sa;
  l.scaleB = sb;
  l.outScale = so;
  return l;
}

/// input 12x10x8 -> conv 3x3 (32) -> depthwise 3x3 stride 2 -> max pool 2x2
/// -> pointwise (20); and add(depthwise, depthwise) as a second output.
Program smallNet() {
  std::mt19937 rng(7);
  Program p;
  p.maps = {{12, 10, 8, -3}, {12, 10, 32, -20}, {6, 5, 32, 4}, {3, 2, 32, 4}, {3, 2, 20, 1}, {6, 5, 32, 0}};
  p.inputs = {0};
  p.outputs = {4, 5};
  p.layers.push_back(conv("conv1", LayerKind::Conv, 0, 1, 3, 1, 32 * 9 * 8, 32, rng));
  p.layers.push_back(conv("dw", LayerKind::DepthwiseConv, 1, 2, 3, 2, 32 * 9, 32, rng));
  Layer pool;
  pool.kind = LayerKind::MaxPool;
  pool.name = "pool";
  pool.inputs = {2};
  pool.output = 3;
  pool.kernelH = pool.kernelW = pool.strideH = pool.strideW = 2;
  p.layers.push_back(pool);
  p.layers.push_back(conv("pw", LayerKind::Conv, 3, 4, 1, 1, 20 * 32, 20, rng));
  p.layers.push_back(add("add", 2, 2, 5, 0.02f, 0.02f, 0.05f));
  return p;
}

/// Two MobileNetV2 blocks on a 64x16x4 input: expand 1x1 (16), depthwise
/// 3x3, project 1x1 (4), add the block's input; expand (24), depthwise 3x3
/// stride 2, project (8). The expanded maps are the largest.
Program invertedResiduals() {
  std::mt19937 rng(11);
  Program p;
  p.maps = {{64, 16, 4, 2},  {64, 16, 16, -128}, {64, 16, 16, -128}, {64, 16, 4, 5},
            {64, 16, 4, -1}, {64, 16, 24, -128}, {32, 8, 24, -128},  {32, 8, 8, 3}};
  p.inputs = {0};
  p.outputs = {7};
  p.layers.push_back(conv("expand1", LayerKind::Conv, 0, 1, 1, 1, 16 * 4, 16, rng));
  p.layers.push_back(conv("dw1", LayerKind::DepthwiseConv, 1, 2, 3, 1, 16 * 9, 16, rng));
  p.layers.push_back(conv("project1", LayerKind::Conv, 2, 3, 1, 1, 4 * 16, 4, rng));
  p.layers.push_back(add("add1", 3, 0, 4, 0.03f, 0.02f, 0.04f));
  p.layers.push_back(conv("expand2", LayerKind::Conv, 4, 5, 1, 1, 24 * 4, 24, rng));
  p.layers.push_back(conv("dw2", LayerKind::DepthwiseConv, 5, 6, 3, 2, 24 * 9, 24, rng));
  p.layers.push_back(conv("project2", LayerKind::Conv, 6, 7, 1, 1, 8 * 24, 8, rng));
  return p;
}

/// Compiles for `config`, runs on the simulator; returns the outputs' bytes.
std::vector<uint8_t> runOn(const Program &p, const NpuConfig &config, RunStats &stats, uint64_t scratch = 0) {
  CompiledProgram c;
  std::string error;
  REQUIRE(compileProgram(p, config, c, error));
  REQUIRE(c.scratchBytes == scratch);
  std::vector<uint8_t> dram(scratch);
  std::vector<uint8_t> input(p.maps[p.inputs[0]].bytes());
  std::mt19937 rng(9);
  for (uint8_t &b : input)
    b = uint8_t(rng());
  std::vector<std::vector<uint8_t>> outs;
  std::vector<Binding> bindings{{c.constants.data(), uint32_t(c.constants.size())},
                                {input.data(), uint32_t(input.size())}};
  for (uint32_t o : p.outputs)
    outs.emplace_back(p.maps[o].bytes());
  for (std::vector<uint8_t> &o : outs)
    bindings.push_back({o.data(), uint32_t(o.size())});
  if (scratch)
    bindings.push_back({dram.data(), uint32_t(dram.size())});
  Simulator sim(config);
  int rc = sim.run(c.stream.data(), c.stream.size(), bindings, stats, error);
  INFO(error);
  REQUIRE(rc == EDGEC_NPU_OK);
  CHECK(stats.sramPeak <= c.sramBytes);
  std::vector<uint8_t> all;
  for (const std::vector<uint8_t> &o : outs)
    all.insert(all.end(), o.begin(), o.end());
  return all;
}

} // namespace

TEST_CASE("NPU plans: weights streamed in chunks compute the same bytes", "[npu]") {
  Program p = smallNet();
  NpuConfig roomy, tight;
  tight.sramBytes = 8192; // the maps take ~5 KB: weights must stream in pieces
  RunStats a, b;
  std::vector<uint8_t> wide = runOn(p, roomy, a), narrow = runOn(p, tight, b);
  CHECK(wide == narrow);
  CHECK(a.macs == b.macs);
  CHECK(b.dmaBytes > a.dmaBytes - 1); // the same bytes move, in more transfers
  size_t nonZero = 0;
  for (uint8_t v : wide)
    nonZero += v != 0;
  CHECK(nonZero > wide.size() / 2); // the test compares real values, not zeros

  CompiledProgram c;
  std::string error;
  REQUIRE(compileProgram(p, tight, c, error));
  CHECK(c.layers[0].weightChunks > 1);
  CHECK(c.layers[0].macs == 12ull * 10 * 32 * 72);
}

TEST_CASE("NPU plans: maps that do not fit SRAM go through DRAM in row bands", "[npu]") {
  Program p = smallNet();
  NpuConfig roomy;
  RunStats a;
  std::vector<uint8_t> wide = runOn(p, roomy, a);
  for (uint32_t sram : {4608u, 4096u}) { // the maps need 4800 B at once; conv1's output alone is 3840 B
    NpuConfig small;
    small.sramBytes = sram;
    CompiledProgram c;
    std::string error;
    bool ok = compileProgram(p, small, c, error);
    INFO("SRAM " << sram << ": " << error);
    REQUIRE(ok);
    CHECK(c.scratchBytes > 0);
    RunStats b;
    CHECK(runOn(p, small, b, c.scratchBytes) == wide);
    CHECK(b.macs == a.macs);
  }
}

TEST_CASE("NPU plans: a row band that cannot fit is refused", "[npu]") {
  Program p = smallNet();
  NpuConfig tiny;
  tiny.sramBytes = 512;
  CompiledProgram c;
  std::string error;
  CHECK_FALSE(compileProgram(p, tiny, c, error));
  INFO(error);
  CHECK(error.find(" fit") != std::string::npos);
}

TEST_CASE("NPU plans: chained layers keep their maps in SRAM a few rows at a time", "[npu]") {
  Program p = invertedResiduals();
  NpuConfig roomy, tight;
  tight.sramBytes = 24576; // an expanded map alone takes 16-24 KiB
  RunStats a, b;
  std::vector<uint8_t> wide = runOn(p, roomy, a), narrow = runOn(p, tight, b);
  CHECK(wide == narrow);
  CHECK(a.macs == b.macs); // no row is computed twice
  size_t nonZero = 0;
  for (uint8_t v : wide)
    nonZero += v != 0;
  CHECK(nonZero > wide.size() / 2);

  CompiledProgram c;
  std::string error;
  REQUIRE(compileProgram(p, tight, c, error));
  CHECK(c.scratchBytes == 0); // nothing went to DRAM
  std::vector<std::string> chained;
  for (const LayerPlacement &l : c.layers)
    if (l.chained)
      chained.push_back(l.name);
  CHECK(chained == std::vector<std::string>{"expand1", "dw1", "project1", "expand2", "dw2"});
  CHECK(c.layers[1].commands > 8); // the depthwise conv ran in bands
  CHECK(b.dmaBytes < a.dmaBytes + p.maps[1].bytes()); // rows copied within SRAM, a small share
}

/// A chain with tiny weights: input 44x2x3 -> depthwise 1x1 -> add the
/// input; then, if asked, a 1x1 conv whose output is two rows taller
/// (bottom padding: its last rows read no input row).
Program tinyChain(bool paddedConv) {
  std::mt19937 rng(5);
  Program p;
  p.maps = {{44, 2, 3, 0}, {44, 2, 3, 1}, {44, 2, 3, -2}, {46, 2, 4, 3}};
  p.inputs = {0};
  p.outputs = {paddedConv ? 3u : 2u};
  p.layers.push_back(conv("dw", LayerKind::DepthwiseConv, 0, 1, 1, 1, 3, 3, rng));
  p.layers.push_back(add("add", 0, 1, 2, 0.02f, 0.03f, 0.04f));
  if (!paddedConv) {
    p.maps.pop_back();
    return p;
  }
  Layer pad = conv("padded", LayerKind::Conv, 2, 3, 1, 1, 4 * 3, 4, rng);
  pad.padTop = 0; // 44 rows in, 46 out: the last two read padding only
  p.layers.push_back(pad);
  return p;
}

TEST_CASE("NPU plans: at any SRAM size a plan computes the same bytes or is refused", "[npu]") {
  Program p = GENERATE(invertedResiduals(), tinyChain(false), tinyChain(true));
  NpuConfig roomy;
  RunStats a;
  std::vector<uint8_t> wide = runOn(p, roomy, a);
  // Sizes that are multiples of 16 but not of 128 or 256 included: the
  // weight ring and buffers round to 16 bytes.
  size_t planned = 0;
  for (uint32_t sram = 16; sram <= 40000; sram += sram < 4096 ? 16 : 1488) {
    NpuConfig small;
    small.sramBytes = sram;
    CompiledProgram c;
    std::string error;
    if (!compileProgram(p, small, c, error)) {
      INFO("SRAM " << sram);
      CHECK(error.find("fit") != std::string::npos);
      continue;
    }
    ++planned;
    INFO("SRAM " << sram);
    RunStats b;
    CHECK(runOn(p, small, b, c.scratchBytes) == wide);
  }
  CHECK(planned > 10);
}
