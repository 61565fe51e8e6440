//===- NpuTarget.cpp - `npu`: this machine's CPU with edgec's NPU beside it ===//
//
// The CPU part is compiled as for `host`; int8 subgraphs go to the NPU
// (docs/design/npu.md). On this machine the NPU is the simulator, linked into the
// program that runs the artifact (`edgec run`).
//
//===----------------------------------------------------------------------===//
#include "targets/TargetInfo.h"
#include "targets/npu/passes/NpuPasses.h"

namespace edgec::detail {

void registerNpuTargets(std::vector<TargetInfo> &targets) {
  const TargetInfo *host = nullptr;
  for (const TargetInfo &t : targets)
    if (t.name == "host")
      host = &t;
  if (!host)
    return;
  TargetInfo target = *host;
  target.name = "npu";
  target.description = "edgec's NPU (16x16 int8 MAC array, 512 KiB SRAM; simulated) with this machine's CPU";
  target.npu = true;
  target.registerExtensions = npu::registerNpuExtensions;
  target.ownStages = npu::npuStages;
  target.afterEntryStages = "edgec-lower-npu-submit";
  target.runtimeCalls = {"edgec_npu_submit"};
  target.describeConfig = npu::describeNpuConfig;
  targets.push_back(target);
}

} // namespace edgec::detail
