//===- PropagateQuant.cpp - run layout ops on quantised values ------------===//
//
// reshape / transpose / max_pool of dequantize(q) is dequantize of the same
// op on q when q is quantised per tensor: moving or selecting elements
// commutes with an affine map applied to each. Moving the dequantize down
// lets it meet the next quantize, and quantize(dequantize(q)) to q's own
// type folds away (QuantizeOp::fold), so whole chains stay int8.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_PROPAGATEQUANTPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

template <typename OpTy>
struct DequantizeAfter : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto dq = op->getOperand(0).template getDefiningOp<DequantizeOp>();
    if (!dq)
      return rewriter.notifyMatchFailure(op, "input is not dequantised");
    Value q = dq.getInput();
    auto element = llvm::cast<RankedTensorType>(q.getType()).getElementType();
    if (!llvm::isa<quant::UniformQuantizedType>(element))
      return rewriter.notifyMatchFailure(op, "not quantised per tensor");
    Operation *moved = rewriter.clone(*op);
    moved->setOperand(0, q);
    auto out = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    moved->getResult(0).setType(RankedTensorType::get(out.getShape(), element));
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, out, moved->getResult(0));
    return success();
  }
};

struct PropagateQuantPass : impl::PropagateQuantPassBase<PropagateQuantPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DequantizeAfter<ReshapeOp>, DequantizeAfter<TransposeOp>, DequantizeAfter<MaxPoolOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace edgec
