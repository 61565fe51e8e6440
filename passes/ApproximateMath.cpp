//===- ApproximateMath.cpp - transcendentals without libm -----------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "passes/Passes.h.inc"

namespace {
struct ApproximateMathPass : impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    mlir::MLIRContext *ctx = &getContext();
    // First x^2 -> x * x and friends, then the remaining powf into exp/log,
    // then exp/log/tanh/erf/... into polynomials.
    {
      mlir::RewritePatternSet patterns(ctx);
      mlir::populateMathAlgebraicSimplificationPatterns(patterns);
      if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    {
      mlir::RewritePatternSet patterns(ctx);
      mlir::math::populateExpansionPatterns(patterns, {"powf", "sinh", "cosh", "asinh", "acosh",
                                                       "atanh", "fpowi", "ctlz", "exp2f"});
      if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    mlir::RewritePatternSet patterns(ctx);
    auto all = [](llvm::StringRef) { return true; };
    mlir::populateMathF32ExpansionPatterns(patterns, all);
    mlir::populateMathPolynomialApproximationPatterns(patterns, all);
    if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // The approximations use math.fma, which becomes a call to libm's fmaf
    // on cpus without FMA (x86-64-v2, Cortex-M0...). A contractable multiply
    // and add is fused by LLVM where the cpu has FMA and stays two
    // instructions where it does not.
    getOperation().walk([](mlir::math::FmaOp fma) {
      mlir::OpBuilder b(fma);
      auto contract = mlir::arith::FastMathFlagsAttr::get(b.getContext(),
                                                          mlir::arith::FastMathFlags::contract);
      mlir::Value product =
          mlir::arith::MulFOp::create(b, fma.getLoc(), fma.getA(), fma.getB(), contract);
      fma.replaceAllUsesWith(
          mlir::arith::AddFOp::create(b, fma.getLoc(), product, fma.getC(), contract).getResult());
      fma.erase();
    });
  }
};
} // namespace
} // namespace edgec
