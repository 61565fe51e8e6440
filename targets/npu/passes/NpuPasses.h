//===- NpuPasses.h - the NPU plug-in's passes -------------------*- C++ -*-===//
#ifndef EDGEC_TARGETS_NPU_PASSES_NPUPASSES_H
#define EDGEC_TARGETS_NPU_PASSES_NPUPASSES_H

#include "passes/Passes.h"
#include "targets/npu/dialect/NpuOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <string>

namespace edgec {

#define GEN_PASS_DECL
#include "targets/npu/passes/NpuPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/npu/passes/NpuPasses.h.inc"

namespace npu {
/// The NPU's dialect (with npu.submit's bufferisation) and passes: the
/// npu target's TargetInfo::registerExtensions.
void registerNpuExtensions(mlir::DialectRegistry &registry);
/// The stages `--target npu` runs before the CPU lowering: partition, then
/// compile with the configuration file `config` ("" = the defaults).
std::string npuStages(const std::string &config);
/// `edgec npu-config [FILE]`: the parameters, the defaults or FILE's over
/// them; false with `error` set when FILE is not a valid configuration.
bool describeNpuConfig(const std::string &file, std::string &text, std::string &error);
} // namespace npu

} // namespace edgec

#endif // EDGEC_TARGETS_NPU_PASSES_NPUPASSES_H
