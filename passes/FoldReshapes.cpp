//===- FoldReshapes.cpp - fold reshape and transpose chains ---------------===//
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_FOLDRESHAPESPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

/// flatten / squeeze / unsqueeze are reshapes with a different spelling.
template <typename OpTy>
struct CanonicaliseToReshape : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = llvm::cast<RankedTensorType>(op.getType());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, op.getInput(), type.getShape());
    return success();
  }
};

/// reshape(reshape(x)) -> reshape(x): only the final shape matters.
struct MergeReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<ReshapeOp>();
    if (!producer)
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), producer.getInput(),
                                           op.getShape());
    return success();
  }
};

/// transpose(transpose(x, p), q) -> transpose(x, p o q).
struct MergeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<TransposeOp>();
    if (!producer)
      return failure();
    SmallVector<int64_t> perm;
    for (int64_t q : op.getPerm())
      perm.push_back(producer.getPerm()[q]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), producer.getInput(), perm);
    return success();
  }
};

/// A transpose that keeps the order of all dims larger than one moves no
/// data: it is a reshape.
struct TransposeOfUnitDimsToReshape : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto inType = op.getInput().getType();
    int64_t last = -1;
    for (int64_t p : op.getPerm()) {
      if (inType.getDimSize(p) == 1)
        continue;
      if (p < last)
        return failure();
      last = p;
    }
    auto type = op.getType();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, op.getInput(), type.getShape());
    return success();
  }
};

struct FoldReshapesPass : impl::FoldReshapesPassBase<FoldReshapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<CanonicaliseToReshape<FlattenOp>, CanonicaliseToReshape<SqueezeOp>,
                 CanonicaliseToReshape<UnsqueezeOp>, MergeReshapes, MergeTransposes,
                 TransposeOfUnitDimsToReshape>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace edgec
