//===- ApproximateMath.cpp - transcendentals without libm -----------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace edgec {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;

Value f32Constant(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// floor/ceil/trunc/round/roundeven of an f32 or f64 without a rounding
/// instruction: |x| below 2^23 (f64: 2^52) converts exactly through i32
/// (i64) truncating toward zero, then steps by one where the mode needs it;
/// larger magnitudes, infinities and NaN are already integral and pass
/// through. The sign is copied back, so -0.3 rounds to -0.
Value roundWithoutInstruction(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  Value x = op->getOperand(0);
  auto floatType = cast<FloatType>(x.getType());
  bool wide = floatType.isF64();
  Type intType = wide ? b.getI64Type() : b.getI32Type();
  auto c = [&](double v) { return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, v)).getResult(); };
  auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) {
    return arith::CmpFOp::create(b, loc, p, l, r).getResult();
  };
  Value one = c(1.0);
  Value asInt = arith::FPToSIOp::create(b, loc, intType, x);
  Value t = arith::SIToFPOp::create(b, loc, floatType, asInt);
  Value r = t;
  auto awayFromZero = [&](Value cond) {
    Value step = math::CopySignOp::create(b, loc, one, x);
    return arith::SelectOp::create(b, loc, cond, arith::AddFOp::create(b, loc, t, step), t)
        .getResult();
  };
  if (isa<math::FloorOp>(op)) {
    r = arith::SelectOp::create(b, loc, cmp(arith::CmpFPredicate::OGT, t, x),
                                arith::SubFOp::create(b, loc, t, one), t);
  } else if (isa<math::CeilOp>(op)) {
    r = arith::SelectOp::create(b, loc, cmp(arith::CmpFPredicate::OLT, t, x),
                                arith::AddFOp::create(b, loc, t, one), t);
  } else if (isa<math::RoundOp, math::RoundEvenOp>(op)) {
    // x - t is exact here; halves go away from zero, or to the even one.
    Value frac = math::AbsFOp::create(b, loc, arith::SubFOp::create(b, loc, x, t));
    Value half = c(0.5);
    Value up = cmp(arith::CmpFPredicate::OGE, frac, half);
    if (isa<math::RoundEvenOp>(op)) {
      Value lowBit = arith::AndIOp::create(b, loc, asInt, arith::ConstantIntOp::create(b, loc, intType, 1));
      Value odd = arith::TruncIOp::create(b, loc, b.getI1Type(), lowBit);
      up = arith::OrIOp::create(b, loc, cmp(arith::CmpFPredicate::OGT, frac, half),
                                arith::AndIOp::create(b, loc, cmp(arith::CmpFPredicate::OEQ, frac, half), odd));
    }
    r = awayFromZero(up);
  }
  r = math::CopySignOp::create(b, loc, r, x);
  Value small = cmp(arith::CmpFPredicate::OLT, math::AbsFOp::create(b, loc, x), c(wide ? 4503599627370496.0 : 8388608.0));
  return arith::SelectOp::create(b, loc, small, r, x);
}

/// The same for f16, through f32 (exact both ways: an integral value of an
/// f16 is an f16).
Value roundHalfWithoutInstruction(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), op->getOperand(0));
  Operation *wideOp = b.create(loc, op->getName().getIdentifier(), {wide}, {b.getF32Type()}, op->getAttrs());
  Value rounded = roundWithoutInstruction(b, wideOp);
  wideOp->erase();
  return arith::TruncFOp::create(b, loc, op->getResult(0).getType(), rounded);
}

/// sqrt of an f32 without a square-root instruction or libm: the classic
/// reciprocal square root estimate from the exponent bits, three Newton
/// steps, then x * rsqrt(x) with one correction. Subnormal inputs are scaled
/// by 2^24 first; 0, +inf and NaN give themselves and negatives NaN.
Value sqrtWithoutInstruction(OpBuilder &b, math::SqrtOp op) {
  Location loc = op.getLoc();
  Value x = op.getOperand();
  auto c = [&](float v) { return f32Constant(b, loc, v); };
  auto mul = [&](Value l, Value r) { return arith::MulFOp::create(b, loc, l, r).getResult(); };
  auto sub = [&](Value l, Value r) { return arith::SubFOp::create(b, loc, l, r).getResult(); };
  auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) {
    return arith::CmpFOp::create(b, loc, p, l, r).getResult();
  };
  Value subnormal = cmp(arith::CmpFPredicate::OLT, x, c(1.17549435e-38f));
  Value xs = arith::SelectOp::create(b, loc, subnormal, mul(x, c(16777216.0f)), x);
  Type i32 = b.getI32Type();
  Value bits = arith::BitcastOp::create(b, loc, i32, xs);
  Value half = arith::ShRUIOp::create(b, loc, bits, arith::ConstantIntOp::create(b, loc, i32, 1));
  Value y = arith::BitcastOp::create(
      b, loc, b.getF32Type(),
      arith::SubIOp::create(b, loc, arith::ConstantIntOp::create(b, loc, i32, 0x5f3759df), half));
  Value halfX = mul(xs, c(0.5f));
  for (int i = 0; i < 3; ++i)
    y = mul(y, sub(c(1.5f), mul(halfX, mul(y, y))));
  Value s = mul(xs, y);
  s = arith::AddFOp::create(b, loc, s, mul(mul(c(0.5f), y), sub(xs, mul(s, s))));
  s = arith::SelectOp::create(b, loc, subnormal, mul(s, c(1.0f / 4096.0f)), s);
  Value finitePositive =
      arith::AndIOp::create(b, loc, cmp(arith::CmpFPredicate::OGT, x, c(0.0f)),
                            cmp(arith::CmpFPredicate::OLT, x, c(INFINITY)));
  Value special = arith::SelectOp::create(b, loc, cmp(arith::CmpFPredicate::OLT, x, c(0.0f)),
                                          c(NAN), x);
  return arith::SelectOp::create(b, loc, finitePositive, s, special);
}

/// maximumf/minimumf of any float width: NaN if either is NaN, +0 > -0.
Value minMaxWithoutInstruction(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  Value l = op->getOperand(0), r = op->getOperand(1);
  bool isMax = isa<arith::MaximumFOp>(op);
  auto cmp = [&](arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y).getResult();
  };
  // l when it wins or is NaN, else r (which is then r or NaN).
  Value pickLeft = arith::OrIOp::create(
      b, loc, cmp(isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, l, r),
      cmp(arith::CmpFPredicate::UNO, l, l));
  Value picked = arith::SelectOp::create(b, loc, pickLeft, l, r);
  // Equal: only the zeros differ; max(+0, -0) = +0 is the AND of the bits.
  Type floatType = l.getType();
  Type bitsType = b.getIntegerType(floatType.getIntOrFloatBitWidth());
  Value lb = arith::BitcastOp::create(b, loc, bitsType, l);
  Value rb = arith::BitcastOp::create(b, loc, bitsType, r);
  Value bits = isMax ? arith::AndIOp::create(b, loc, lb, rb).getResult()
                     : arith::OrIOp::create(b, loc, lb, rb).getResult();
  Value equal = arith::BitcastOp::create(b, loc, floatType, bits);
  return arith::SelectOp::create(b, loc, cmp(arith::CmpFPredicate::OEQ, l, r), equal, picked);
}

/// An f64 transcendental computed at f32 precision: the approximations
/// below are f32 polynomials, and an f64 op would call libm, which the
/// targets do not have. (f16 is widened to f32 by MLIR's own patterns.)
void narrowWideTranscendentals(Operation *root) {
  root->walk([](Operation *op) {
    if (!isa<math::ExpOp, math::Exp2Op, math::ExpM1Op, math::LogOp, math::Log2Op, math::Log10Op,
             math::Log1pOp, math::TanhOp, math::ErfOp, math::ErfcOp, math::SinOp, math::CosOp,
             math::TanOp, math::AtanOp, math::Atan2Op, math::AsinOp, math::AcosOp, math::CbrtOp,
             math::PowFOp>(op))
      return;
    Type wide = op->getResult(0).getType();
    if (!getElementTypeOrSelf(wide).isF64())
      return;
    OpBuilder b(op);
    Type narrow = b.getF32Type();
    if (auto v = dyn_cast<VectorType>(wide))
      narrow = v.clone(narrow);
    SmallVector<Value> operands;
    for (Value v : op->getOperands())
      operands.push_back(arith::TruncFOp::create(b, op->getLoc(), narrow, v));
    Operation *narrowOp = b.create(op->getLoc(), op->getName().getIdentifier(), operands, {narrow},
                                   op->getAttrs());
    op->getResult(0).replaceAllUsesWith(
        arith::ExtFOp::create(b, op->getLoc(), wide, narrowOp->getResult(0)).getResult());
    op->erase();
  });
}

struct ApproximateMathPass : impl::ApproximateMathPassBase<ApproximateMathPass> {
  using ApproximateMathPassBase::ApproximateMathPassBase;

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
                                                       "atanh", "tan", "fpowi", "ctlz", "exp2f", "rsqrt"});
      if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    narrowWideTranscendentals(getOperation());
    mlir::RewritePatternSet patterns(ctx);
    // Not rsqrt: its approximation is AVX2 code in the x86vector dialect
    // (it crashed on vector<8xf32>); rsqrt is 1 / sqrt by now.
    auto all = [](llvm::StringRef name) { return name != "rsqrt"; };
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
    // Last, so that ops the expansions above introduced are covered too.
    getOperation().walk([&](Operation *op) {
      if (op->getNumResults() != 1)
        return;
      Type type = op->getResult(0).getType();
      OpBuilder b(op);
      Value replacement;
      // max/min of any float width: LLVM calls libm's fmaximum for f16 and
      // f64 on these cpus, or fails to select them at all (32-bit Arm).
      bool expandThisMinMax = type.isF32() ? expandMinMax : expandWideMinMax;
      // f16/f64 rounding is expanded also where the FPU has no wide ops
      // (rv32imafc rounds f32 in hardware; f64 would call libm's trunc).
      bool rounding = isa<math::FloorOp, math::CeilOp, math::TruncOp, math::RoundOp, math::RoundEvenOp>(op);
      if (expandThisMinMax && isa<FloatType>(type) &&
          isa<arith::MaximumFOp, arith::MinimumFOp>(op)) {
        replacement = minMaxWithoutInstruction(b, op);
      } else if ((expandRounding || expandWideMinMax) && rounding && type.isF16()) {
        replacement = roundHalfWithoutInstruction(b, op); // else LLVM calls libm's truncf, ...
      } else if ((expandRounding || expandWideMinMax) && rounding && type.isF64()) {
        replacement = roundWithoutInstruction(b, op); // else LLVM calls libm's trunc, ...
      } else if (!type.isF32()) {
        return;
      } else if (expandRounding && rounding) {
        replacement = roundWithoutInstruction(b, op);
      } else if (auto sqrt = dyn_cast<math::SqrtOp>(op); expandSqrt && sqrt) {
        replacement = sqrtWithoutInstruction(b, sqrt);
      }
      if (!replacement)
        return;
      op->getResult(0).replaceAllUsesWith(replacement);
      op->erase();
    });
  }
};
} // namespace
} // namespace edgec
