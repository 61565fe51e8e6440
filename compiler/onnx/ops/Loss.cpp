//===- Loss.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss -------===//
//
// The losses decomposed at import, without a gather: the target becomes a
// one-hot mask over the classes (dim 1), which picks -input[n, target, d...]
// (times weight[target]) by a masked sum over dim 1. The mask costs what
// one pass over the input costs; a target equal to ignore_index selects no
// class and adds no weight.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
namespace {

/// ReduceSum over `axes` without keeping them; null after an error.
Value sumOver(NodeContext &ctx, Value v, ArrayRef<int64_t> axes) {
  return apply<g::ReduceSumOp>(ctx, {v}, {ctx.i64s("axes", axes), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
}

FailureOr<Value> orFailure(Value v) {
  if (!v)
    return failure();
  return v;
}

/// The loss of `input` [N, C, d...] (log-probabilities) against `target`
/// [N, d...] with optional class `weight` [C], reduced as the node says.
FailureOr<Value> negativeLogLikelihood(NodeContext &ctx, Value input, Value target, Value weight) {
  if (!input || !target)
    return failure();
  auto t = llvm::cast<RankedTensorType>(input.getType());
  auto tt = llvm::cast<RankedTensorType>(target.getType());
  int64_t rank = t.getRank();
  if (rank < 2 || tt.getRank() != rank - 1)
    return ctx.fail("the loss needs an input of shape [N, C, d...] and a target of shape [N, d...]");
  Type element = t.getElementType(), targetElement = tt.getElementType();
  if (!llvm::isa<FloatType>(element))
    return ctx.fail("the loss needs a float input");
  std::string reduction = ctx.getString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.unsupported("reduction", reduction);
  // classIds[0, c, 0...] = c, compared with target[n, newaxis, d...].
  SmallVector<int64_t> classShape(rank, 1);
  classShape[1] = t.getDimSize(1);
  Value classIds = iotaAlong(ctx, rank, 1, classShape[1], targetElement, "loss_class_ids");
  if (!classIds)
    return failure();
  Value target1 = apply<g::UnsqueezeOp>(ctx, {target}, {ctx.i64s("axes", {1})});
  Value mask = apply<g::EqualOp>(ctx, {target1, classIds});
  Value valid;
  if (ctx.attr("ignore_index")) {
    Value ignore = ctx.constant(g::makeInts(RankedTensorType::get({}, targetElement), {ctx.getInt("ignore_index", 0)},
                                            "loss_ignore_index"));
    valid = apply<g::NotOp>(ctx, {apply<g::EqualOp>(ctx, {target1, ignore})});
    mask = apply<g::AndOp>(ctx, {mask, valid});
  }
  Value zero = floatScalar(ctx, element, 0.0f, "loss_zero");
  Value classWeight;
  if (weight)
    classWeight = apply<g::ReshapeOp>(ctx, {weight}, {ctx.i64s("shape", classShape)});
  Value weighted = weight ? apply<g::MulOp>(ctx, {input, classWeight}) : input;
  Value loss = apply<g::NegOp>(ctx, {sumOver(ctx, apply<g::WhereOp>(ctx, {mask, weighted, zero}), {1})});
  if (!loss || reduction == "none")
    return orFailure(loss);

  SmallVector<int64_t> lossAxes, allAxes;
  for (int64_t i = 0; i < rank - 1; ++i)
    lossAxes.push_back(i);
  for (int64_t i = 0; i < rank; ++i)
    allAxes.push_back(i);
  Value total = sumOver(ctx, loss, lossAxes);
  if (reduction == "sum")
    return orFailure(total);
  // mean: divided by the summed weights of the targets that count.
  Value count;
  if (weight)
    count = sumOver(ctx, apply<g::WhereOp>(ctx, {mask, classWeight, zero}), allAxes);
  else if (valid)
    count = sumOver(ctx, castTo(ctx, valid, element), allAxes);
  else
    count = floatScalar(ctx, element, static_cast<float>(tt.getNumElements()), "loss_count");
  Value mean = apply<g::DivOp>(ctx, {total, count});
  return orFailure(mean);
}

LogicalResult nllLoss(NodeContext &ctx) {
  return bind(ctx, negativeLogLikelihood(ctx, ctx.input(0), ctx.input(1), ctx.hasInput(2) ? ctx.input(2) : Value()));
}

/// LogSoftmax over the classes, then the loss; the log-probabilities are the
/// optional second output.
LogicalResult softmaxCrossEntropy(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (t.getRank() < 2)
    return ctx.fail("SoftmaxCrossEntropyLoss needs scores of shape [N, C, d...]");
  Value logProb = apply<g::LogSoftmaxOp>(ctx, {ctx.input(0)}, {ctx.named("axis", ctx.b.getI64IntegerAttr(1))});
  if (failed(bind(ctx, negativeLogLikelihood(ctx, logProb, ctx.input(1), ctx.hasInput(2) ? ctx.input(2) : Value()))))
    return failure();
  return ctx.setOutput(1, logProb);
}

} // namespace

llvm::ArrayRef<OpEntry> lossOps() {
  static const OpEntry rows[] = {
      {"NegativeLogLikelihoodLoss", 13, 17, nllLoss,
       "reductions none, sum, mean; computed as a masked sum over the classes"},
      {"SoftmaxCrossEntropyLoss", 13, 17, softmaxCrossEntropy,
       "reductions none, sum, mean; log_prob output optional"},
  };
  return rows;
}

} // namespace edgec::onnx_import
