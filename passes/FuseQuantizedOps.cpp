//===- FuseQuantizedOps.cpp - Q/DQ patterns to integer kernels ------------===//
//
//   quantize(act(conv(dequantize(x), dequantize(w), b)))
//     -> graph.qconv(x, w, round(b / (x_scale * w_scale[c])))
//   quantize(act(gemm / matmul(dequantize(a), dequantize(w), c)))
//     -> graph.qmatmul(a, w as [K, N], int32 c)
// where act is nothing, relu or clip: its bounds become the kernel's clamp
// in stored integers. x, a and the result are per-tensor int8; w is
// symmetric. Whatever does not match stays as it is (float between Q/DQ).
//
// First, a float value that is quantised anyway reaches the residual adds
// that also read it through its quantised form, dequantize(quantize(v)), as
// a QDQ model has it: a chain of residual adds (MobileNetV2's) then runs on
// int8 maps from one quantize to the next instead of keeping a float sum
// beside them, on the CPU's int8 path and on the NPU alike.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace edgec {
#define GEN_PASS_DEF_FUSEQUANTIZEDOPSPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

quant::QuantizedType quantTypeOf(Value v) {
  return llvm::dyn_cast<quant::QuantizedType>(llvm::cast<RankedTensorType>(v.getType()).getElementType());
}

/// The stored int8 constant behind a quantised weight (quant.scast of a
/// graph constant), or null.
ElementsAttr storedWeights(Value wq) {
  if (auto cast = wq.getDefiningOp<quant::StorageCastOp>())
    return getConstant(cast.getInput());
  return {};
}

/// The clamp of the stored result: the storage range, narrowed by a relu or clip.
std::pair<int64_t, int64_t> activationClamp(Operation *act, quant::UniformQuantizedType out) {
  int64_t lo = out.getStorageTypeMin(), hi = out.getStorageTypeMax();
  auto stored = [&](double x) {
    return static_cast<int64_t>(std::nearbyint(x / out.getScale())) + out.getZeroPoint();
  };
  std::optional<double> min, max;
  if (isa_and_nonnull<ReluOp>(act))
    min = 0.0;
  if (auto clip = dyn_cast_or_null<ClipOp>(act)) {
    if (clip.getMin())
      min = clip.getMin()->convertToDouble();
    if (clip.getMax())
      max = clip.getMax()->convertToDouble();
  }
  if (min)
    lo = std::clamp(stored(*min), lo, hi);
  if (max)
    hi = std::clamp(stored(*max), lo, hi);
  return {lo, hi};
}

struct FuseIntoKernel : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto outType = llvm::cast<RankedTensorType>(q.getType());
    auto out = llvm::dyn_cast<quant::UniformQuantizedType>(outType.getElementType());
    if (!out || out.getStorageTypeIntegralWidth() != 8)
      return rewriter.notifyMatchFailure(q, "result is not per-tensor 8-bit");
    Value v = q.getInput();
    Operation *act = v.getDefiningOp();
    if (isa_and_nonnull<ReluOp, ClipOp>(act)) {
      if (!v.hasOneUse())
        return rewriter.notifyMatchFailure(q, "activation has other users");
      v = act->getOperand(0);
    } else {
      act = nullptr;
    }
    Operation *kernel = v.getDefiningOp();
    if (!isa_and_nonnull<ConvOp, GemmOp, MatMulOp>(kernel) || !v.hasOneUse())
      return rewriter.notifyMatchFailure(q, "not a single-use conv, gemm or matmul");
    auto dqIn = kernel->getOperand(0).getDefiningOp<DequantizeOp>();
    auto dqW = kernel->getOperand(1).getDefiningOp<DequantizeOp>();
    if (!dqIn || !dqW)
      return rewriter.notifyMatchFailure(q, "operands are not dequantised");
    Value x = dqIn.getInput(), wq = dqW.getInput();
    auto in = llvm::dyn_cast<quant::UniformQuantizedType>(quantTypeOf(x));
    quant::QuantizedType w = quantTypeOf(wq);
    if (!in || in.getStorageTypeIntegralWidth() != 8 || !w || w.getStorageTypeIntegralWidth() != 8 ||
        !w.isSigned() || llvm::any_of(zeroPointsOf(w), [](int64_t z) { return z != 0; }))
      return rewriter.notifyMatchFailure(q, "input or weight quantisation has no integer kernel");
    auto [actMin, actMax] = activationClamp(act, out);
    Location loc = kernel->getLoc();

    if (auto conv = dyn_cast<ConvOp>(kernel)) {
      int64_t channels = conv.getWeight().getType().getDimSize(0);
      if (axisOf(w) > 0)
        return rewriter.notifyMatchFailure(q, "weight scales not per output channel");
      auto bias = quantisedBias(rewriter, loc, conv.getBias(), in, w, channels);
      if (failed(bias))
        return rewriter.notifyMatchFailure(q, "bias is not a constant");
      rewriter.replaceOpWithNewOp<QConvOp>(q, outType, x, wq, *bias, conv.getStrides(), conv.getPads(),
                                           conv.getDilations(), conv.getGroup(), actMin, actMax);
      return success();
    }

    // gemm and matmul: the weight as [K, N], scales along N.
    Value bias;
    bool transposed = false;
    if (auto gemm = dyn_cast<GemmOp>(kernel)) {
      if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
          (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f))
        return rewriter.notifyMatchFailure(q, "gemm with alpha, beta or transposed A");
      transposed = gemm.getTransB();
      bias = gemm.getC();
    }
    auto wt = llvm::cast<RankedTensorType>(wq.getType());
    if (wt.getRank() != 2 || llvm::cast<RankedTensorType>(x.getType()).getRank() < 2)
      return rewriter.notifyMatchFailure(q, "not a [.., M, K] x [K, N] product");
    int64_t n = wt.getDimSize(transposed ? 0 : 1);
    if (axisOf(w) >= 0 && axisOf(w) != (transposed ? 0 : 1))
      return rewriter.notifyMatchFailure(q, "weight scales not per output column");
    if (transposed) {
      ElementsAttr stored = storedWeights(wq);
      ElementsAttr t = stored ? transposeConstant(stored, {1, 0}) : ElementsAttr();
      if (!t)
        return rewriter.notifyMatchFailure(q, "transposed weight is not a constant");
      w = withAxis(w, 1);
      Value ints = ConstantOp::create(rewriter, loc, t.getType(), t);
      auto viewType = RankedTensorType::get({wt.getDimSize(1), n}, w);
      wq = quant::StorageCastOp::create(rewriter, loc, viewType, ints);
    }
    auto intBias = quantisedBias(rewriter, loc, bias, in, w, n);
    if (failed(intBias))
      return rewriter.notifyMatchFailure(q, "bias is not a constant of N elements");
    rewriter.replaceOpWithNewOp<QMatMulOp>(q, outType, x, wq, *intBias, actMin, actMax);
    return success();
  }

  /// The bias as int32 at scale in_scale * w_scale[c]: from a float
  /// constant, or the stored integers of dequantize(int32) (ONNX QDQ).
  /// Null when there is no bias.
  static FailureOr<Value> quantisedBias(PatternRewriter &rewriter, Location loc, Value bias,
                                        quant::UniformQuantizedType in, quant::QuantizedType w,
                                        int64_t channels) {
    if (!bias)
      return Value();
    SmallVector<float> values;
    if (!readFloats(getConstant(bias), values) || static_cast<int64_t>(values.size()) != channels)
      return failure();
    SmallVector<double> ws = scalesOf(w);
    SmallVector<int64_t> ints;
    for (int64_t c = 0; c < channels; ++c) {
      double scale = in.getScale() * ws[ws.size() == 1 ? 0 : c];
      double v = std::nearbyint(values[c] / scale);
      ints.push_back(static_cast<int64_t>(std::clamp(v, -2147483648.0, 2147483647.0)));
    }
    auto type = RankedTensorType::get({channels}, rewriter.getI32Type());
    return Value(ConstantOp::create(rewriter, loc, type, makeInts(type, ints, "quantised_bias")));
  }
};

/// Residual adds read a value that is also quantised through its quantised
/// form (see the file comment).
void readResidualsQuantised(func::FuncOp fn) {
  SmallVector<QuantizeOp> quantizes;
  fn.walk([&](QuantizeOp q) { quantizes.push_back(q); });
  for (QuantizeOp q : quantizes) {
    auto type = llvm::dyn_cast<quant::UniformQuantizedType>(q.getOutput().getType().getElementType());
    Value v = q.getInput();
    if (!type || !v.getDefiningOp() || v.getDefiningOp()->getBlock() != q->getBlock())
      continue;
    SmallVector<OpOperand *> adds;
    for (OpOperand &use : v.getUses())
      if (isa<AddOp>(use.getOwner()))
        adds.push_back(&use);
    if (adds.empty())
      continue;
    q->moveAfter(v.getDefiningOp()); // before every reader of v
    OpBuilder b(q->getContext());
    b.setInsertionPointAfter(q);
    auto dq = DequantizeOp::create(b, q.getLoc(), q.getOutput());
    if (dq.getOutput().getType() != v.getType()) {
      dq->erase(); // another float type: leave it
      continue;
    }
    for (OpOperand *use : adds)
      use->set(dq.getOutput());
  }
}

struct FuseQuantizedOpsPass : impl::FuseQuantizedOpsPassBase<FuseQuantizedOpsPass> {
  void runOnOperation() override {
    readResidualsQuantised(getOperation());
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseIntoKernel>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace edgec
