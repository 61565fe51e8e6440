//===- FoldBatchNorm.cpp - fold batch_norm into conv / gemm ---------------===//
#include "passes/Passes.h"

#include "dialects/graph/ConstantUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace edgec {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

/// Per-channel affine form of an inference batch_norm: y = x * scale + shift.
struct ChannelAffine {
  SmallVector<float> scale, shift;
};

FailureOr<ChannelAffine> readBatchNorm(BatchNormOp bn) {
  SmallVector<float> gamma, beta, mean, var;
  if (!readFloats(getConstant(bn.getScale()), gamma) ||
      !readFloats(getConstant(bn.getBias()), beta) ||
      !readFloats(getConstant(bn.getMean()), mean) ||
      !readFloats(getConstant(bn.getVariance()), var))
    return failure();
  ChannelAffine a;
  float eps = bn.getEpsilon().convertToFloat();
  for (size_t c = 0; c < gamma.size(); ++c) {
    float s = gamma[c] / std::sqrt(var[c] + eps);
    a.scale.push_back(s);
    a.shift.push_back(beta[c] - mean[c] * s);
  }
  return a;
}

Value makeConstant(PatternRewriter &rewriter, Location loc, RankedTensorType type,
                   ArrayRef<float> values, StringRef name) {
  return ConstantOp::create(rewriter, loc, makeFloats(type, values, name));
}

struct FoldIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn, PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    SmallVector<float> weight, bias;
    if (!readFloats(getConstant(conv.getWeight()), weight))
      return rewriter.notifyMatchFailure(bn, "conv weight is not an f32 constant");
    auto affine = readBatchNorm(bn);
    if (failed(affine))
      return rewriter.notifyMatchFailure(bn, "parameters are not f32 constants");
    int64_t channels = affine->scale.size();
    if (conv.getBias() && !readFloats(getConstant(conv.getBias()), bias))
      return rewriter.notifyMatchFailure(bn, "conv bias is not an f32 constant");
    if (bias.empty())
      bias.assign(channels, 0.0f);
    // Weight is [out_channels, ...]: scale each filter by its channel's scale.
    int64_t perFilter = weight.size() / channels;
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t k = 0; k < perFilter; ++k)
        weight[c * perFilter + k] *= affine->scale[c];
      bias[c] = bias[c] * affine->scale[c] + affine->shift[c];
    }
    auto weightType = conv.getWeight().getType();
    auto biasType = RankedTensorType::get({channels}, weightType.getElementType());
    Value w = makeConstant(rewriter, bn.getLoc(), weightType, weight, "folded_bn_weight");
    Value b = makeConstant(rewriter, bn.getLoc(), biasType, bias, "folded_bn_bias");
    rewriter.replaceOpWithNewOp<ConvOp>(bn, bn.getType(), conv.getInput(), w, b,
                                        conv.getStrides(), conv.getPads(),
                                        conv.getDilations(), conv.getGroup());
    return success();
  }
};

struct FoldIntoGemm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn, PatternRewriter &rewriter) const override {
    auto gemm = bn.getInput().getDefiningOp<GemmOp>();
    if (!gemm || !gemm->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use gemm");
    SmallVector<float> b, c;
    if (!readFloats(getConstant(gemm.getB()), b))
      return rewriter.notifyMatchFailure(bn, "gemm B is not an f32 constant");
    auto affine = readBatchNorm(bn);
    if (failed(affine))
      return rewriter.notifyMatchFailure(bn, "parameters are not f32 constants");
    int64_t n = affine->scale.size();
    if (gemm.getC()) {
      // Only a per-column C (shape [n] or [1, n]) folds into a per-column bias.
      ArrayRef<int64_t> cShape = gemm.getC().getType().getShape();
      bool perColumn = cShape == ArrayRef<int64_t>{n} || cShape == ArrayRef<int64_t>{1, n};
      if (!perColumn ||
          !readFloats(getConstant(gemm.getC()), c))
        return rewriter.notifyMatchFailure(bn, "gemm C is not a per-column constant");
    } else {
      c.assign(n, 0.0f);
    }
    // y = alpha*A*op(B) + beta*C; BN scales column j by s_j and adds t_j.
    auto bType = gemm.getB().getType();
    int64_t rows = bType.getDimSize(0), cols = bType.getDimSize(1);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < cols; ++k)
        b[r * cols + k] *= affine->scale[gemm.getTransB() ? r : k];
    float beta = gemm.getBeta().convertToFloat();
    for (int64_t j = 0; j < n; ++j)
      c[j] = beta * c[j] * affine->scale[j] + affine->shift[j];
    auto cType = RankedTensorType::get({n}, bType.getElementType());
    Value newB = makeConstant(rewriter, bn.getLoc(), bType, b, "folded_bn_weight");
    Value newC = makeConstant(rewriter, bn.getLoc(), cType, c, "folded_bn_bias");
    rewriter.replaceOpWithNewOp<GemmOp>(bn, bn.getType(), gemm.getA(), newB, newC,
                                        gemm.getAlphaAttr(), rewriter.getF32FloatAttr(1.0f),
                                        gemm.getTransAAttr(), gemm.getTransBAttr());
    return success();
  }
};

struct FoldBatchNormPass : impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv, FoldIntoGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace edgec
