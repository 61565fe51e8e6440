//===- Reduction.cpp - ReduceX ops ------------------------------------------===//
//
// Reductions: axes from the attribute (opset < 18) or the constant second
// input, normalised and sorted; noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
namespace {

template <typename OpTy>
LogicalResult reduce(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<int64_t> axes;
  // ReduceSum takes axes as an input from opset 13, the others as attribute
  // until opset 18.
  if (ctx.hasInput(1)) {
    auto v = ctx.constantInts(1, "axes");
    if (failed(v))
      return failure();
    axes = *v;
  } else {
    axes = ctx.getInts("axes");
  }
  if (axes.empty() && ctx.getInt("noop_with_empty_axes", 0))
    return ctx.setOutput(0, ctx.input(0));
  if (axes.empty())
    for (int64_t i = 0; i < t.getRank(); ++i)
      axes.push_back(i);
  for (int64_t &a : axes) {
    auto n = normaliseAxis(ctx, a, t.getRank());
    if (failed(n))
      return failure();
    a = *n;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return bind(ctx, ctx.create<OpTy>({ctx.input(0)}, {ctx.i64s("axes", axes),
                                                     ctx.named("keepdims", ctx.b.getBoolAttr(ctx.getInt("keepdims", 1)))}));
}

/// ArgMax, ArgMin: the axis normalised.
template <typename OpTy>
LogicalResult argExtreme(NodeContext &ctx) {
  auto in = inputAndAxis(ctx, 0);
  if (failed(in))
    return failure();
  return bind(ctx, ctx.create<OpTy>({ctx.input(0)},
                                    {ctx.named("axis", ctx.b.getI64IntegerAttr(in->axis)),
                                     ctx.named("keepdims", ctx.b.getBoolAttr(ctx.getInt("keepdims", 1) != 0)),
                                     ctx.named("select_last_index",
                                               ctx.b.getBoolAttr(ctx.getInt("select_last_index", 0) != 0))}));
}

/// Hardmax: 1 where ArgMax (the first maximum) is along the axis, else 0.
LogicalResult hardmax(NodeContext &ctx) {
  auto in = inputAndAxis(ctx, -1);
  if (failed(in))
    return failure();
  RankedTensorType t = in->type;
  int64_t axis = in->axis;
  Value best = apply<g::ArgMaxOp>(ctx, {ctx.input(0)},
                                  {ctx.named("axis", ctx.b.getI64IntegerAttr(axis)),
                                   ctx.named("keepdims", ctx.b.getBoolAttr(true)),
                                   ctx.named("select_last_index", ctx.b.getBoolAttr(false))});
  Value ids = iotaAlong(ctx, t.getRank(), axis, t.getDimSize(axis), ctx.b.getI64Type(), "hardmax_ids");
  Value y = castTo(ctx, apply<g::EqualOp>(ctx, {best, ids}), t.getElementType());
  return y ? ctx.setOutput(0, y) : failure();
}

/// TopK: k a constant (at most 256: one pass over the axis per element).
LogicalResult topK(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto k = ctx.constantInts(1, "TopK k");
  if (failed(k))
    return failure();
  if (k->size() != 1)
    return ctx.fail("TopK k must be a tensor of one element");
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", -1), t.getRank());
  if (failed(axis))
    return failure();
  if ((*k)[0] > 256)
    return ctx.fail("TopK k = " + std::to_string((*k)[0]) + " (at most 256: edgec selects one element per pass)");
  auto results = ctx.createInferred(g::TopKOp::getOperationName(), {ctx.input(0)},
                                    {ctx.named("k", ctx.b.getI64IntegerAttr((*k)[0])),
                                     ctx.named("axis", ctx.b.getI64IntegerAttr(*axis)),
                                     ctx.named("largest", ctx.b.getBoolAttr(ctx.getInt("largest", 1) != 0))},
                                    2);
  if (failed(results) || failed(ctx.setOutput(0, (*results)[0])))
    return failure();
  return ctx.setOutput(1, (*results)[1]);
}

/// CumSum: graph.cumsum (a running sum in order, linear in the elements).
LogicalResult cumSum(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto axisValue = constantScalarInt(ctx, 1, "CumSum axis");
  if (failed(axisValue))
    return failure();
  auto axis = normaliseAxis(ctx, *axisValue, t.getRank());
  if (failed(axis))
    return failure();
  return bind(ctx, ctx.create<g::CumSumOp>(
                       {ctx.input(0)}, {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis)),
                                        ctx.named("exclusive", ctx.b.getBoolAttr(ctx.getInt("exclusive", 0) != 0)),
                                        ctx.named("reverse", ctx.b.getBoolAttr(ctx.getInt("reverse", 0) != 0))}));
}

} // namespace

llvm::ArrayRef<OpEntry> reductionOps() {
  static const OpEntry rows[] = {
      {"ArgMax", 13, 17, argExtreme<g::ArgMaxOp>},
      {"ArgMin", 13, 17, argExtreme<g::ArgMinOp>},
      {"CumSum", 14, 17, cumSum, "axis a compile-time constant"},
      {"Hardmax", 13, 17, hardmax},
      {"TopK", 11, 17, topK,
       "k a compile-time constant, at most 256; the output sorted (also for sorted = 0)"},
      {"ReduceMax", 13, 17, reduce<g::ReduceMaxOp>,
       "axes a compile-time constant"},
      {"ReduceMean", 13, 17, reduce<g::ReduceMeanOp>,
       "axes a compile-time constant"},
      {"ReduceSum", 13, 17, reduce<g::ReduceSumOp>,
       "axes a compile-time constant"},
      {"ReduceL1", 13, 17, reduce<g::ReduceL1Op>,
       "axes a compile-time constant"},
      {"ReduceL2", 13, 17, reduce<g::ReduceL2Op>,
       "axes a compile-time constant"},
      {"ReduceLogSum", 13, 17, reduce<g::ReduceLogSumOp>,
       "axes a compile-time constant"},
      {"ReduceLogSumExp", 13, 17, reduce<g::ReduceLogSumExpOp>,
       "axes a compile-time constant"},
      {"ReduceMin", 13, 17, reduce<g::ReduceMinOp>,
       "axes a compile-time constant"},
      {"ReduceProd", 13, 17, reduce<g::ReduceProdOp>,
       "axes a compile-time constant"},
      {"ReduceSumSquare", 13, 17, reduce<g::ReduceSumSquareOp>,
       "axes a compile-time constant"},
  };
  return rows;
}

} // namespace edgec::onnx_import
