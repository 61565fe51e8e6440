//===- HostDevice.cpp - edgec_npu_submit on the host: the simulator is the NPU ===//
//
// An artifact compiled for the NPU calls edgec_npu_submit. On a board the
// driver (runtime-stub/npu/edgec_npu.c) hands the stream to the hardware;
// linked on the host with this file, the simulator runs it instead:
//   EDGEC_NPU_CONFIG=file   the accelerator's parameters (default: built in)
//   EDGEC_NPU_REPORT=file   append one JSON line of cycle counts per submit
// A failing stream prints the simulator's message on stderr.
//
//===----------------------------------------------------------------------===//

#include "Simulator.h"

#include "runtime-stub/npu/edgec_npu.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace {

edgec::npu::Simulator *device() {
  static std::unique_ptr<edgec::npu::Simulator> sim;
  if (!sim) {
    edgec::npu::NpuConfig config;
    if (const char *path = std::getenv("EDGEC_NPU_CONFIG")) {
      std::string error;
      if (!edgec::npu::loadNpuConfig(path, config, error)) {
        std::fprintf(stderr, "edgec NPU simulator: %s\n", error.c_str());
        return nullptr;
      }
    }
    sim = std::make_unique<edgec::npu::Simulator>(config);
  }
  return sim.get();
}

} // namespace

extern "C" int edgec_npu_submit(const uint32_t *stream, uint32_t stream_words, void *const *bindings,
                                const uint32_t *binding_bytes, uint32_t binding_count) {
  // One device: callers on several threads take turns, as on hardware.
  static std::mutex busy;
  std::lock_guard<std::mutex> lock(busy);
  edgec::npu::Simulator *sim = device();
  if (!sim)
    return EDGEC_NPU_ERROR_WRONG_CONFIG;
  std::vector<edgec::npu::Binding> views(binding_count);
  for (uint32_t i = 0; i < binding_count; ++i)
    views[i] = {static_cast<uint8_t *>(bindings[i]), binding_bytes[i]};
  edgec::npu::RunStats stats;
  std::string error;
  int rc = sim->run(stream, stream_words, views, stats, error);
  if (rc != EDGEC_NPU_OK) {
    std::fprintf(stderr, "edgec NPU simulator: %s\n", error.c_str());
    return rc;
  }
  if (const char *path = std::getenv("EDGEC_NPU_REPORT")) {
    if (FILE *f = std::fopen(path, "a")) {
      std::fprintf(f, "%s\n", edgec::npu::statsToJson(stats, sim->config()).c_str());
      std::fclose(f);
    }
  }
  return EDGEC_NPU_OK;
}
