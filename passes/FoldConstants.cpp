//===- FoldConstants.cpp - evaluate graph ops on constants ----------------===//
#include "passes/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "passes/Passes.h.inc"

namespace {
struct FoldConstantsPass : impl::FoldConstantsPassBase<FoldConstantsPass> {
  void runOnOperation() override {
    // No patterns: the greedy driver folds every op through its folder,
    // erases dead ones and merges equal constants at the function entry.
    mlir::RewritePatternSet patterns(&getContext());
    if (mlir::failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace edgec
