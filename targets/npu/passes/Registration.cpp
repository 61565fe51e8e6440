//===- Registration.cpp - the NPU plug-in's hooks -------------------------===//
#include "targets/npu/NpuConfig.h"
#include "targets/npu/passes/NpuPasses.h"

#include <mutex>

namespace edgec::npu {

void registerNpuExtensions(mlir::DialectRegistry &registry) {
  static std::once_flag once;
  std::call_once(once, [] { registerEdgecNpuPasses(); });
  registry.insert<NpuDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
}

std::string npuStages(const std::string &config) {
  return "func.func(edgec-npu-partition,edgec-npu-compile{config=" + config + "})";
}

bool describeNpuConfig(const std::string &file, std::string &text, std::string &error) {
  NpuConfig config;
  if (!file.empty() && !loadNpuConfig(file, config, error))
    return false;
  text = printNpuConfig(config);
  return true;
}

} // namespace edgec::npu
