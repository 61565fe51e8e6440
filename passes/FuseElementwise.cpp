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
// An elementwise op that reads a contraction's result through an
// expand_shape (the ReLU after a pointwise conv, which runs over the
// flattened image) is put on the contraction's shape instead, so that
// edgec-vectorize-contractions applies it on the accumulators (MobileNets:
// one pass over every expanded activation less).
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// GraphToLinalg's decoding of packed (int4) weights.
constexpr llvm::StringLiteral kDecodeWeights = "edgec.decode_weights";

bool worthFusing(OpOperand *fused) {
  // Packed weights stay packed in flash: their decoding is never folded
  // into a float constant...
  if (fused->getOwner()->hasAttr(kDecodeWeights))
    return false;
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  // ...but done inside the kernel that reads them, once per use.
  if (producer->hasAttr(kDecodeWeights))
    return true;
  auto consumer = llvm::dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer || consumer.getNumReductionLoops() == 0)
    return true;
  // A permutation visits every element once.
  return consumer.getMatchingIndexingMap(fused).isPermutation();
}

/// A contraction's result read back through an expand_shape (a pointwise
/// conv runs over the flattened image; the ReLU after it reads the image):
/// the reader is a generic of the contraction's own shape afterwards, which
/// edgec-vectorize-contractions can evaluate on the accumulators.
bool readsContractionReshaped(Value v) {
  auto expand = v.getDefiningOp<tensor::ExpandShapeOp>();
  auto producer = expand ? expand.getSrc().getDefiningOp<linalg::LinalgOp>() : nullptr;
  return producer && producer.getNumReductionLoops() > 0;
}

bool collapseOntoContraction(OpOperand *fused) {
  auto consumer = llvm::dyn_cast<linalg::GenericOp>(fused->getOwner());
  return consumer && consumer.getNumReductionLoops() == 0 && consumer.getNumDpsInits() == 1 &&
         readsContractionReshaped(fused->get());
}

/// True if `op` is a generic that reads a contraction's result directly.
bool readsContraction(Operation *op) {
  auto generic = llvm::dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumReductionLoops() != 0)
    return false;
  return llvm::any_of(generic.getDpsInputs(), [](Value input) {
    auto producer = input.getDefiningOp<linalg::LinalgOp>();
    return producer && producer.getNumReductionLoops() > 0;
  });
}

/// worthFusing, but a generic that reads a contraction's result keeps the
/// contraction's shape (expanded, the kernel could no longer apply it on its
/// accumulators; and collapseOntoContraction would undo it).
bool worthFusingOrExpanding(OpOperand *fused) {
  if (readsContraction(fused->getOwner()) || readsContraction(fused->get().getDefiningOp()))
    return false;
  return worthFusing(fused);
}

struct FuseElementwisePass : impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::ControlFusionFn control = worthFusing;
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, worthFusingOrExpanding);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    // Then, alone (with the expansions above they would undo each other),
    // the readers of reshaped contraction results onto the contraction's shape.
    RewritePatternSet collapsing(ctx);
    linalg::populateFoldReshapeOpsByCollapsingPatterns(collapsing, collapseOntoContraction);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(collapsing, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(collapsing, ctx);
    tensor::EmptyOp::getCanonicalizationPatterns(collapsing, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(collapsing), config)))
      signalPassFailure();
  }
};

} // namespace
} // namespace edgec
