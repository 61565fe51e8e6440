//===- FuseElementwise.cpp - elementwise fusion without recomputation -----===//
//
// MLIR's elementwise fusion, except that an elementwise producer is not
// fused into a consumer with reduction loops that reads each of its
// elements several times (a conv, pool or matmul): there the producer's
// work (an activation) would be redone for every multiply-accumulate, and
// the consumer would no longer be a plain contraction for
// edgec-vectorize-contractions. Such producers keep their own loop. The
// exception is the decoding of packed int4 weights, which belongs in the
// kernel (the weights stay packed in flash).
//
//===----------------------------------------------------------------------===//
#include "passes/PassResults.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

bool worthFusing(OpOperand *fused) {
  // Packed weights stay packed in flash: their decoding is never folded
  // into a float constant...
  if (fused->getOwner()->hasAttr(kDecodeWeightsAttr))
    return false;
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  // ...but done inside the kernel that reads them, once per use.
  if (producer->hasAttr(kDecodeWeightsAttr))
    return true;
  auto consumer = llvm::dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer || consumer.getNumReductionLoops() == 0)
    return true;
  // A permutation visits every element once.
  return consumer.getMatchingIndexingMap(fused).isPermutation();
}

struct FuseElementwisePass : impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::ControlFusionFn control = worthFusing;
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
} // namespace edgec
