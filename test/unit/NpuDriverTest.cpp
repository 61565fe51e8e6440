// The NPU driver (runtime-stub/npu/edgec_npu.c) against a device played by
// the simulator behind a block of fake registers: the driver is compiled
// with EDGEC_NPU_BASE pointing at the block and its poll hook runs the
// device, so the protocol (registers, binding table, start, done, result,
// acknowledge) is exercised without threads.

#include "runtime-stub/npu/edgec_npu.h"
#include "targets/npu/StreamWriter.h"
#include "targets/npu/sim/Simulator.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <memory>

using namespace edgec::npu;

extern "C" {
uint32_t edgec_test_npu_registers[EDGEC_NPU_REG_BYTES / 4];
void edgec_test_npu_poll(void);
}

namespace {

uint32_t &reg(uint32_t offset) { return edgec_test_npu_registers[offset / 4]; }

struct FakeDevice {
  NpuConfig config;
  Simulator sim{config};
  bool responds = true;
  int jobs = 0;

  void reset() {
    std::memset(edgec_test_npu_registers, 0, sizeof edgec_test_npu_registers);
    reg(EDGEC_NPU_REG_ID) = EDGEC_NPU_MAGIC;
    reg(EDGEC_NPU_REG_VERSION) = EDGEC_NPU_FORMAT_VERSION;
    responds = true;
    jobs = 0;
  }

  /// What the hardware does when the driver polls: run a started job.
  void poll() {
    if (!responds || reg(EDGEC_NPU_REG_CONTROL) != EDGEC_NPU_CONTROL_START)
      return;
    auto address = [](uint32_t lo, uint32_t hi) { return uintptr_t((uint64_t(reg(hi)) << 32) | reg(lo)); };
    auto *stream = reinterpret_cast<const uint32_t *>(address(EDGEC_NPU_REG_STREAM_LO, EDGEC_NPU_REG_STREAM_HI));
    auto *table = reinterpret_cast<const uint32_t *>(address(EDGEC_NPU_REG_TABLE_LO, EDGEC_NPU_REG_TABLE_HI));
    std::vector<Binding> bindings;
    for (uint32_t i = 0; i < reg(EDGEC_NPU_REG_TABLE_COUNT); ++i)
      bindings.push_back({reinterpret_cast<uint8_t *>(uintptr_t((uint64_t(table[4 * i + 1]) << 32) | table[4 * i])),
                          table[4 * i + 2]});
    RunStats stats;
    std::string error;
    reg(EDGEC_NPU_REG_RESULT) = uint32_t(sim.run(stream, reg(EDGEC_NPU_REG_STREAM_WORDS), bindings, stats, error));
    reg(EDGEC_NPU_REG_CONTROL) = 0;
    reg(EDGEC_NPU_REG_STATUS) = EDGEC_NPU_STATUS_DONE;
    ++jobs;
  }
};

FakeDevice &device() {
  static FakeDevice d;
  return d;
}

/// The acknowledge's effect, which a register write has on hardware.
void acknowledge() {
  if (reg(EDGEC_NPU_REG_CONTROL) == EDGEC_NPU_CONTROL_ACK)
    reg(EDGEC_NPU_REG_STATUS) = 0;
}

/// A stream that copies 64 bytes of binding 0 to binding 1 through SRAM,
/// doubling nothing: the driver's bindings must reach the device intact.
std::vector<uint32_t> copyStream(const NpuConfig &cfg) {
  StreamWriter s(cfg, 2);
  uint32_t L = s.layer("copy");
  DmaDesc in;
  in.srcSpace = EDGEC_NPU_SPACE_BINDING0;
  in.rowBytes = 64;
  s.dma(L, in);
  DmaDesc out;
  out.dstSpace = EDGEC_NPU_SPACE_BINDING0 + 1;
  out.rowBytes = 64;
  s.dma(L, out);
  return s.finish();
}

} // namespace

extern "C" void edgec_test_npu_poll(void) { device().poll(); }

TEST_CASE("NPU driver: submits through the registers and returns the device's status", "[npu]") {
  FakeDevice &d = device();
  d.reset();
  auto stream = copyStream(d.config);
  uint8_t src[64], dst[64] = {0};
  for (int i = 0; i < 64; ++i)
    src[i] = uint8_t(3 * i + 1);
  void *bindings[2] = {src, dst};
  uint32_t bytes[2] = {64, 64};
  CHECK(edgec_npu_submit(stream.data(), uint32_t(stream.size()), bindings, bytes, 2) == EDGEC_NPU_OK);
  CHECK(std::memcmp(src, dst, 64) == 0);
  CHECK(d.jobs == 1);
  CHECK(reg(EDGEC_NPU_REG_CONTROL) == EDGEC_NPU_CONTROL_ACK);
  acknowledge();

  // A second job after the acknowledge; a binding too small for the
  // stream's DMA: the device's error comes back.
  bytes[1] = 32;
  CHECK(edgec_npu_submit(stream.data(), uint32_t(stream.size()), bindings, bytes, 2) ==
        EDGEC_NPU_ERROR_BAD_ADDRESS);
  CHECK(d.jobs == 2);
}

TEST_CASE("NPU driver: refuses what it cannot submit", "[npu]") {
  FakeDevice &d = device();
  d.reset();
  auto stream = copyStream(d.config);
  uint8_t buf[64];
  void *bindings[2] = {buf, buf};
  uint32_t bytes[2] = {64, 64};
  SECTION("no device at the address") {
    reg(EDGEC_NPU_REG_ID) = 0;
    CHECK(edgec_npu_submit(stream.data(), uint32_t(stream.size()), bindings, bytes, 2) ==
          EDGEC_NPU_ERROR_NO_DEVICE);
  }
  SECTION("a device that never finishes") {
    d.responds = false;
    CHECK(edgec_npu_submit(stream.data(), uint32_t(stream.size()), bindings, bytes, 2) == EDGEC_NPU_ERROR_TIMEOUT);
  }
  SECTION("more bindings than the driver's table holds") {
    CHECK(edgec_npu_submit(stream.data(), uint32_t(stream.size()), bindings, bytes, EDGEC_NPU_MAX_BINDINGS + 1) ==
          EDGEC_NPU_ERROR_BAD_STREAM);
  }
  CHECK(d.jobs == 0);
}
