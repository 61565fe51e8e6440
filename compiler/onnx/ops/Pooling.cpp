//===- Pooling.cpp - MaxPool, AveragePool, GlobalAveragePool ----------------===//
//
// Window ops: kernel, strides, pads (auto_pad resolved by readWindow).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

namespace edgec::onnx_import {
namespace {

template <typename OpTy>
LogicalResult pool(NodeContext &ctx) {
  auto xType = ctx.inputType(0);
  if (!xType || failed(onlyFirstOutput(ctx)))
    return failure();
  SmallVector<int64_t> kernel = ctx.getInts("kernel_shape");
  if (static_cast<int64_t>(kernel.size()) != xType.getRank() - 2)
    return ctx.fail("kernel_shape needs one value per spatial dim");
  auto w = readWindow(ctx, xType, kernel);
  if (failed(w))
    return failure();
  SmallVector<NamedAttribute> attrs{
      ctx.i64s("kernel_shape", kernel), ctx.i64s("strides", w->strides),
      ctx.i64s("pads", w->pads), ctx.i64s("dilations", w->dilations),
      ctx.named("ceil_mode", ctx.b.getBoolAttr(ctx.getInt("ceil_mode", 0)))};
  if constexpr (std::is_same_v<OpTy, g::AveragePoolOp>)
    attrs.push_back(ctx.named("count_include_pad",
                              ctx.b.getBoolAttr(ctx.getInt("count_include_pad", 0))));
  else if (ctx.getInt("storage_order", 0) != 0)
    return ctx.unsupported("storage_order", std::to_string(ctx.getInt("storage_order", 0)));
  return bind(ctx, ctx.create<OpTy>({ctx.input(0)}, attrs));
}

LogicalResult globalAveragePool(NodeContext &ctx) {
  return unary<g::GlobalAveragePoolOp>(ctx);
}

/// GlobalMaxPool: the maximum over every spatial dim, kept as size 1.
LogicalResult globalMaxPool(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (t.getRank() < 3)
    return ctx.fail("GlobalMaxPool needs an input of rank >= 3 (N, C, spatial dims)");
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < t.getRank(); ++i)
    axes.push_back(i);
  return bind(ctx, ctx.create<g::ReduceMaxOp>({ctx.input(0)}, {ctx.i64s("axes", axes),
                                                               ctx.named("keepdims", ctx.b.getBoolAttr(true))}));
}

} // namespace

llvm::ArrayRef<OpEntry> poolingOps() {
  static const OpEntry rows[] = {
      {"AveragePool", 11, 17, pool<g::AveragePoolOp>,
       "auto_pad as Conv"},
      {"GlobalAveragePool", 1, 17, globalAveragePool},
      {"GlobalMaxPool", 1, 17, globalMaxPool},
      {"MaxPool", 12, 17, pool<g::MaxPoolOp>,
       "storage_order 0; the Indices output unused"},
  };
  return rows;
}

} // namespace edgec::onnx_import
