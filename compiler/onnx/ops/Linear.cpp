//===- Linear.cpp - Conv, Gemm, MatMul, BatchNormalization ------------------===//
//
// The contractions and the batch norm that folds into them.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

namespace edgec::onnx_import {
namespace {

LogicalResult gemm(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  if (!a || !b)
    return failure();
  SmallVector<Value> operands{a, b};
  if (ctx.hasInput(2)) {
    Value c = ctx.input(2);
    if (!c)
      return failure();
    operands.push_back(c);
  }
  return bind(ctx, ctx.create<g::GemmOp>(
                       operands,
                       {ctx.named("alpha", ctx.b.getF32FloatAttr(ctx.getFloat("alpha", 1.0f))),
                        ctx.named("beta", ctx.b.getF32FloatAttr(ctx.getFloat("beta", 1.0f))),
                        ctx.named("trans_a", ctx.b.getBoolAttr(ctx.getInt("transA", 0))),
                        ctx.named("trans_b", ctx.b.getBoolAttr(ctx.getInt("transB", 0)))}));
}

LogicalResult conv(NodeContext &ctx) {
  Value x = ctx.input(0), wv = ctx.input(1);
  if (!x || !wv)
    return failure();
  auto xType = llvm::cast<RankedTensorType>(x.getType());
  auto wType = llvm::cast<RankedTensorType>(wv.getType());
  if (wType.getRank() < 3 || xType.getRank() != wType.getRank())
    return ctx.fail("Conv input and weight must have equal rank >= 3");
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  SmallVector<int64_t> given = ctx.getInts("kernel_shape");
  if (!given.empty() && ArrayRef<int64_t>(given) != kernel)
    return ctx.fail("kernel_shape does not match the weight's spatial dims");
  auto w = readWindow(ctx, xType, kernel);
  if (failed(w))
    return failure();
  SmallVector<Value> operands{x, wv};
  if (ctx.hasInput(2)) {
    Value b = ctx.input(2);
    if (!b)
      return failure();
    operands.push_back(b);
  }
  return bind(ctx, ctx.create<g::ConvOp>(
                       operands, {ctx.i64s("strides", w->strides), ctx.i64s("pads", w->pads),
                                  ctx.i64s("dilations", w->dilations),
                                  ctx.named("group", ctx.b.getI64IntegerAttr(ctx.getInt("group", 1)))}));
}

LogicalResult batchNorm(NodeContext &ctx) {
  if (ctx.getInt("training_mode", 0) != 0)
    return ctx.unsupported("training_mode", "1 (edgec compiles inference)");
  if (failed(onlyFirstOutput(ctx)))
    return failure();
  SmallVector<Value> operands;
  for (size_t i = 0; i < 5; ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    operands.push_back(v);
  }
  return bind(ctx, ctx.create<g::BatchNormOp>(
                       operands, {ctx.named("epsilon", ctx.b.getF32FloatAttr(ctx.getFloat("epsilon", 1e-5f)))}));
}

} // namespace

llvm::ArrayRef<OpEntry> linearOps() {
  static const OpEntry rows[] = {
      {"BatchNormalization", 15, 17, batchNorm,
       "inference only (training_mode 0; the running mean/var outputs unused)"},
      {"Conv", 11, 17, conv,
       "weight rank >= 3; auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID"},
      {"Gemm", 13, 17, gemm},
      {"MatMul", 13, 17, binary<g::MatMulOp>},
  };
  return rows;
}

} // namespace edgec::onnx_import
