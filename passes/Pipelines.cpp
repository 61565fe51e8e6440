//===- Pipelines.cpp - edgec pass pipelines and registration --------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"

namespace edgec {

void buildGraphOptimizationPipeline(mlir::OpPassManager &pm) {
  mlir::OpPassManager &fn = pm.nest<mlir::func::FuncOp>();
  fn.addPass(createFoldConstantsPass());
  fn.addPass(createFoldReshapesPass());
  fn.addPass(createFoldBatchNormPass());
  fn.addPass(createFoldConstantsPass());
  fn.addPass(createShareRepeatedHeadsPass());
  fn.addPass(createFoldReshapesPass());
  fn.addPass(createEliminateDeadCodePass());
  // Pre-quantised (QDQ) models: int8 kernels where the pattern allows.
  fn.addPass(createPropagateQuantPass());
  fn.addPass(createFuseQuantizedOpsPass());
  fn.addPass(createFoldConstantsPass());
  fn.addPass(createEliminateDeadCodePass());
}

void buildQuantizationPipeline(mlir::OpPassManager &pm, bool perChannel) {
  mlir::OpPassManager &fn = pm.nest<mlir::func::FuncOp>();
  InsertQDQPassOptions options;
  options.perChannel = perChannel;
  fn.addPass(createInsertQDQPass(options));
  fn.addPass(createPropagateQuantPass());
  fn.addPass(createFuseQuantizedOpsPass());
  fn.addPass(createFoldConstantsPass());
  fn.addPass(createEliminateDeadCodePass());
}

void buildInt4WeightPipeline(mlir::OpPassManager &pm, int64_t groupSize) {
  mlir::OpPassManager &fn = pm.nest<mlir::func::FuncOp>();
  QuantizeWeightsInt4PassOptions options;
  options.groupSize = groupSize;
  fn.addPass(createQuantizeWeightsInt4Pass(options));
  fn.addPass(createEliminateDeadCodePass());
}

void buildInt8WeightPipeline(mlir::OpPassManager &pm) {
  mlir::OpPassManager &fn = pm.nest<mlir::func::FuncOp>();
  fn.addPass(createQuantizeWeightsInt8Pass());
  fn.addPass(createEliminateDeadCodePass());
}

void registerAllPasses() {
  registerEdgecPasses();
  mlir::PassPipelineRegistration<>(
      "edgec-optimize-graph", "Graph-level optimisations run after import",
      buildGraphOptimizationPipeline);
}

} // namespace edgec
