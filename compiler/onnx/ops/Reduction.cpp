//===- Reduction.cpp - ReduceX ops ------------------------------------------===//
//
// Reductions: axes from the attribute (opset < 18) or the constant second
// input, normalised and sorted; noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

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

} // namespace

llvm::ArrayRef<OpEntry> reductionOps() {
  static const OpEntry rows[] = {
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
