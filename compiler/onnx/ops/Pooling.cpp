//===- Pooling.cpp - MaxPool, AveragePool, GlobalAveragePool ----------------===//
//
// Window ops: kernel, strides, pads (auto_pad resolved by readWindow).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

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

/// MaxUnpool: zeros with X's values at I's positions (flat indices into the
/// whole output): a ScatterElements into the flattened output. The output
/// shape: output_shape (a constant) or what the pool's window gives.
LogicalResult maxUnpool(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  auto it = t ? ctx.inputType(1) : RankedTensorType();
  if (!it)
    return failure();
  if (it.getShape() != t.getShape())
    return ctx.fail("MaxUnpool indices must have X's shape");
  int64_t rank = t.getRank(), n = rank - 2;
  SmallVector<int64_t> kernel = ctx.getInts("kernel_shape"), strides = ctx.getInts("strides"),
                       pads = ctx.getInts("pads");
  if (int64_t(kernel.size()) != n)
    return ctx.fail("kernel_shape needs one value per spatial dim");
  if (strides.empty())
    strides.assign(n, 1);
  if (pads.empty())
    pads.assign(2 * n, 0);
  if (int64_t(strides.size()) != n || int64_t(pads.size()) != 2 * n)
    return ctx.fail("strides and pads need one (two) values per spatial dim");
  constexpr int64_t kLimit = int64_t(1) << 24; // per dim: a network's sizes
  auto within = [&](int64_t v, int64_t lo) { return v >= lo && v <= kLimit; };
  for (int64_t i = 0; i < n; ++i)
    if (!within(strides[i], 1) || !within(kernel[i], 1) || !within(pads[i], 0) || !within(pads[i + n], 0) ||
        !within(t.getDimSize(i + 2), 1))
      return ctx.fail("MaxUnpool kernel_shape and strides must be positive, pads not negative, each below 2^24");
  // The indices address the pool's own input (the default output); a
  // given output_shape places each element at the same coordinates in it.
  SmallVector<int64_t> shape(t.getShape().take_front(2)), natural(shape);
  for (int64_t i = 0; i < n; ++i)
    natural.push_back((t.getDimSize(i + 2) - 1) * strides[i] + kernel[i] - pads[i] - pads[i + n]);
  if (ctx.hasInput(2)) {
    auto given = ctx.constantInts(2, "MaxUnpool output_shape");
    if (failed(given))
      return failure();
    if (int64_t(given->size()) != rank)
      return ctx.fail("MaxUnpool output_shape needs " + std::to_string(rank) + " values");
    shape.assign(given->begin(), given->end());
  } else {
    shape = natural;
  }
  int64_t total = 1, naturalTotal = 1;
  for (auto [d, m] : llvm::zip(shape, natural)) {
    if (d < 1 || d > kMaxBuiltElements || total > kMaxBuiltElements / d || m < 1 || m > d)
      return ctx.fail("MaxUnpool output dims must be positive, at least the pool input's, and hold at most 2^28 "
                      "elements");
    total *= d;
    naturalTotal *= m;
  }
  Type e = t.getElementType();
  Value zeros = ctx.constant(DenseElementsAttr::get(RankedTensorType::get({total}, e), ctx.b.getZeroAttr(e)));
  auto flat = [&](Value v) { return apply<g::ReshapeOp>(ctx, {v}, {ctx.i64s("shape", {t.getNumElements()})}); };
  Value indices = flat(ctx.input(1));
  if (shape != natural && indices) {
    // index -> coordinates in the natural shape -> index in the output.
    auto i64 = [&](int64_t v) {
      return ctx.constant(g::makeInts(RankedTensorType::get({}, ctx.b.getI64Type()), {v}, "unpool_dim"));
    };
    Value rest = castTo(ctx, indices, ctx.b.getI64Type()), moved;
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      Value coord = apply<g::ModOp>(ctx, {rest, i64(natural[d])});
      rest = apply<g::DivOp>(ctx, {rest, i64(natural[d])});
      Value term = apply<g::MulOp>(ctx, {coord, i64(stride)});
      moved = moved ? apply<g::AddOp>(ctx, {moved, term}) : term;
      stride *= shape[d];
    }
    indices = moved;
  }
  Value y = apply<g::ScatterElementsOp>(ctx, {zeros, indices, flat(ctx.input(0))},
                                        {ctx.named("axis", ctx.b.getI64IntegerAttr(0)),
                                         ctx.named("reduction", ctx.b.getStringAttr("none"))});
  y = apply<g::ReshapeOp>(ctx, {y}, {ctx.i64s("shape", shape)});
  return y ? ctx.setOutput(0, y) : failure();
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
      {"MaxUnpool", 11, 17, maxUnpool, "output_shape a compile-time constant; a ScatterElements into zeros"},
      {"MaxPool", 12, 17, pool<g::MaxPoolOp>,
       "storage_order 0; the Indices output unused"},
  };
  return rows;
}

} // namespace edgec::onnx_import
