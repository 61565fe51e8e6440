//===- Pipeline.h - graph module -> native object --------------*- C++ -*-===//
//
// The compiler's driver library: runs edgec's pass pipeline from the graph
// dialect down to the LLVM dialect, translates to LLVM IR, optimises, and
// emits object files for a target (one, or a large model in parts), all
// in-process.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_PIPELINE_H
#define EDGEC_COMPILER_PIPELINE_H

#include "compiler/ParallelCodegen.h"
#include "passes/PassResults.h"
#include "targets/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
}

namespace edgec {

struct CompileOptions {
  std::string name = "model"; // C symbol prefix
  int optLevel = 3;           // LLVM -O level
  bool printIRAfterAll = false;
  bool timing = false;
  unsigned jobs = 0; // threads for LLVM; 0: one per core (the output is the same)
  std::string npuConfig; // NPU targets: configuration file, "" = defaults
  // For people reading or changing the code (`edgec compile --emit`,
  // `--pass-pipeline`): stop after the MLIR pipeline, leaving the module in
  // the LLVM dialect; or make each part assembly or LLVM IR, not objects.
  bool stopAfterMlir = false;
  EmitKind emit = EmitKind::Object;
  // Replaces loweringPipeline() when not empty: a textual pipeline on
  // builtin.module, as `--print-pipeline` prints it.
  std::string passPipeline;
  // Host code for tests (`edgec run --sanitize`): every access of the
  // generated code checked by AddressSanitizer; the program links its runtime.
  bool addressSanitizer = false;
};

/// What the lowering learned that the artifact reports.
struct CompiledModel {
  std::vector<std::string> objects; // ELF objects (a large model's code in parts)
  int64_t arenaBytes = 0, arenaNaiveBytes = 0, arenaLowerBoundBytes = 0;
  std::vector<ArenaBuffer> arenaPlan;
  std::map<std::string, std::string> kernels; // ONNX node -> the register-blocked kernel(s) it became
  // NPU targets: the submissions, and the graph ops left to the CPU.
  std::vector<NpuSubmission> npu;
  std::map<std::string, int64_t> cpuOps;
  // The deepest stack a run uses (objects only; StackUsage.h).
  StackBound stack;
};

/// Registers everything the pipeline's textual description names.
void registerPipelineDialectsAndPasses(mlir::DialectRegistry &registry);

/// The pass pipeline from the graph dialect to the LLVM dialect, as text:
/// `edgec-opt --pass-pipeline='builtin.module(<this>)'` runs the same. A
/// target plug-in's own stages (TargetInfo::ownStages) come first.
std::string loweringPipeline(const CompileOptions &options, const TargetInfo &target);

/// Lowers `module` (graph dialect, one @main) in place and emits its objects
/// (or, as `options` ask, stops at the LLVM dialect or emits text). Errors
/// are reported through the context's diagnostics.
mlir::FailureOr<CompiledModel> compileToObject(mlir::ModuleOp module, const TargetInfo &target,
                                               const CompileOptions &options);

} // namespace edgec

#endif
