//===- Normalization.cpp - LayerNormalization, InstanceNormalization, MVN -===//
//
// Normalisations decomposed at import into the graph ops the kernels
// already have: the mean and variance over some axes (reduce_mean, kept as
// size 1), then (x - mean) / sqrt(variance + epsilon), scaled and shifted.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
namespace {

/// The mean of `x` over `axes` (kept as size 1), `x` minus it, and the
/// variance (the mean of the squared differences); nulls after an error.
struct Moments {
  Value mean, centred, variance;
};

Moments moments(NodeContext &ctx, Value x, ArrayRef<int64_t> axes) {
  if (!x)
    return {};
  auto reduceMean = [&](Value v) {
    return apply<g::ReduceMeanOp>(ctx, {v}, {ctx.i64s("axes", axes), ctx.named("keepdims", ctx.b.getBoolAttr(true))});
  };
  Moments m;
  m.mean = reduceMean(x);
  m.centred = apply<g::SubOp>(ctx, {x, m.mean});
  m.variance = m.centred ? reduceMean(apply<g::MulOp>(ctx, {m.centred, m.centred})) : nullptr;
  return m;
}

/// 1 / sqrt(variance + epsilon).
Value inverseStdDev(NodeContext &ctx, Value variance, float epsilon) {
  if (!variance)
    return nullptr;
  Type element = llvm::cast<RankedTensorType>(variance.getType()).getElementType();
  Value sum = apply<g::AddOp>(ctx, {variance, floatScalar(ctx, element, epsilon, "epsilon")});
  return apply<g::ReciprocalOp>(ctx, {apply<g::SqrtOp>(ctx, {sum})});
}

bool isFloatTensor(RankedTensorType t) { return t && llvm::isa<FloatType>(t.getElementType()); }

/// LayerNormalization (opset 17): over the dims from `axis` on; Mean and
/// InvStdDev are its optional second and third outputs.
LogicalResult layerNormalization(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!isFloatTensor(t))
    return ctx.fail("LayerNormalization needs a float input");
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", -1), t.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t i = *axis; i < t.getRank(); ++i)
    axes.push_back(i);
  // stash_type 1 (the default): computed in f32, Mean and InvStdDev f32,
  // Y back in the input's type.
  Type element = t.getElementType();
  bool widen = ctx.getInt("stash_type", 1) == 1 && !element.isF32();
  auto toF32 = [&](Value v) {
    return widen ? castTo(ctx, v, ctx.b.getF32Type()) : v;
  };
  Moments m = moments(ctx, toF32(ctx.input(0)), axes);
  Value inv = inverseStdDev(ctx, m.variance, ctx.getFloat("epsilon", 1e-5f));
  Value y = apply<g::MulOp>(ctx, {apply<g::MulOp>(ctx, {m.centred, inv}), toF32(ctx.input(1))});
  if (y && ctx.hasInput(2))
    y = apply<g::AddOp>(ctx, {y, toF32(ctx.input(2))});
  if (y && widen)
    y = castTo(ctx, y, element);
  if (!y || failed(ctx.setOutput(0, y)))
    return failure();
  if (ctx.numOutputs() > 1 && failed(ctx.setOutput(1, m.mean)))
    return failure();
  if (ctx.numOutputs() > 2 && failed(ctx.setOutput(2, inv)))
    return failure();
  return success();
}

/// InstanceNormalization: per sample and channel over the spatial dims,
/// scale and bias per channel.
LogicalResult instanceNormalization(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!isFloatTensor(t) || t.getRank() < 3)
    return ctx.fail("InstanceNormalization needs a float input of rank >= 3 (N, C, spatial dims)");
  SmallVector<int64_t> axes, perChannel(t.getRank() - 1, 1);
  for (int64_t i = 2; i < t.getRank(); ++i)
    axes.push_back(i);
  perChannel[0] = t.getDimSize(1);
  // [C] -> [C, 1, ..]: broadcast over the spatial dims.
  auto channelwise = [&](size_t input) {
    return apply<g::ReshapeOp>(ctx, {ctx.input(input)}, {ctx.i64s("shape", perChannel)});
  };
  Moments m = moments(ctx, ctx.input(0), axes);
  Value inv = inverseStdDev(ctx, m.variance, ctx.getFloat("epsilon", 1e-5f));
  Value y = apply<g::MulOp>(ctx, {apply<g::MulOp>(ctx, {m.centred, inv}), channelwise(1)});
  y = apply<g::AddOp>(ctx, {y, channelwise(2)});
  return y ? ctx.setOutput(0, y) : failure();
}

/// MeanVarianceNormalization: (x - mean) / (sqrt(variance) + 1e-9) over
/// `axes` (default N and the spatial dims of an NCHW tensor), as ONNX's
/// function body defines it, but with the variance as the mean of the
/// squared differences (ONNX's E[x^2] - E[x]^2 cancels in f32).
LogicalResult meanVarianceNormalization(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!isFloatTensor(t))
    return ctx.fail("MeanVarianceNormalization needs a float input");
  SmallVector<int64_t> axes;
  for (int64_t a : ctx.attr("axes") ? ctx.getInts("axes") : SmallVector<int64_t>{0, 2, 3}) {
    auto axis = normaliseAxis(ctx, a, t.getRank());
    if (failed(axis))
      return failure();
    if (!llvm::is_contained(axes, *axis))
      axes.push_back(*axis);
  }
  llvm::sort(axes);
  Moments m = moments(ctx, ctx.input(0), axes);
  Value stdDev = apply<g::SqrtOp>(ctx, {m.variance});
  Value y = apply<g::DivOp>(ctx, {m.centred, apply<g::AddOp>(ctx, {stdDev, floatScalar(ctx, t.getElementType(), 1e-9f,
                                                                                          "mvn_epsilon")})});
  return y ? ctx.setOutput(0, y) : failure();
}

/// LRN: x / (bias + alpha / size * (sum of x^2 over a window of `size`
/// channels))^beta; the window sum is a Conv of ones over [N, 1, C, ...].
LogicalResult lrn(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!isFloatTensor(t) || t.getRank() < 3)
    return ctx.fail("LRN needs a float input [N, C, d...]");
  int64_t size = ctx.getInt("size", 0), rank = t.getRank();
  if (size < 1 || size > t.getDimSize(1) * 2 + 1)
    return ctx.fail("LRN size must be positive (and at most twice the channels + 1)");
  float alpha = ctx.getFloat("alpha", 1e-4f), beta = ctx.getFloat("beta", 0.75f), bias = ctx.getFloat("bias", 1.0f);
  Type e = t.getElementType();
  Value x = ctx.input(0);
  Value squares = apply<g::UnsqueezeOp>(ctx, {apply<g::MulOp>(ctx, {x, x})}, {ctx.i64s("axes", {1})});
  SmallVector<int64_t> kernelShape(rank + 1, 1), pads(2 * (rank - 1), 0), ones(rank - 1, 1);
  kernelShape[2] = size;
  pads[0] = (size - 1) / 2;
  pads[rank - 1] = size - 1 - (size - 1) / 2;
  Value kernel = ctx.constant(
      g::makeFloats(RankedTensorType::get(kernelShape, ctx.b.getF32Type()), SmallVector<float>(size, 1.0f), "lrn_window"));
  if (!e.isF32())
    kernel = castTo(ctx, kernel, e);
  Value sums = apply<g::ConvOp>(ctx, {squares, kernel},
                                {ctx.i64s("strides", ones), ctx.i64s("pads", pads), ctx.i64s("dilations", ones),
                                 ctx.named("group", ctx.b.getI64IntegerAttr(1))});
  sums = apply<g::ReshapeOp>(ctx, {sums}, {ctx.i64s("shape", t.getShape())});
  Value base = apply<g::AddOp>(ctx, {apply<g::MulOp>(ctx, {sums, floatScalar(ctx, e, alpha / float(size), "lrn_alpha")}),
                                     floatScalar(ctx, e, bias, "lrn_bias")});
  Value y = apply<g::MulOp>(ctx, {x, apply<g::PowOp>(ctx, {base, floatScalar(ctx, e, -beta, "lrn_beta")})});
  return y ? ctx.setOutput(0, y) : failure();
}

} // namespace

llvm::ArrayRef<OpEntry> normalizationOps() {
  static const OpEntry rows[] = {
      {"LRN", 13, 17, lrn, "float input; the channel window summed by a Conv of ones"},
      {"InstanceNormalization", 6, 17, instanceNormalization, "float input"},
      {"LayerNormalization", 17, 17, layerNormalization, "float input"},
      {"MeanVarianceNormalization", 13, 17, meanVarianceNormalization, "float input"},
  };
  return rows;
}

} // namespace edgec::onnx_import
