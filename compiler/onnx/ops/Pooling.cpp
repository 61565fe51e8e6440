//===- Pooling.cpp - MaxPool, AveragePool, GlobalAveragePool ----------------===//
//
// Window ops: kernel, strides, pads (auto_pad resolved by readWindow).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
namespace {

/// MaxPool's Indices: the flat position in x of each window's maximum (the
/// first in window order on ties, as ONNX Runtime scans), over the spatial
/// dims in row-major order (storage_order 0) or column-major (1), after
/// the (n, c) offset. Each kernel tap is a strided slice of x padded with
/// -inf; an ArgMax over the taps picks one, whose coordinates give the
/// index.
Value maxPoolIndices(NodeContext &ctx, const Window &w, RankedTensorType out, bool columnMajor) {
  auto t = ctx.inputType(0);
  int64_t rank = t.getRank(), n = rank - 2;
  Type i64 = ctx.b.getI64Type();
  int64_t taps = 1;
  for (int64_t k : w.kernel)
    taps *= k;
  if (taps > 1024)
    return (void)ctx.fail("MaxPool's Indices with a window of " + std::to_string(taps) + " taps (at most 1024)"),
           Value();
  // Padded so that every tap of every output (ceil_mode included) is inside.
  SmallVector<int64_t> pads(2 * rank, 0);
  for (int64_t d = 0; d < n; ++d) {
    int64_t size = t.getDimSize(d + 2), begin = w.pads[d], end = w.pads[d + n];
    int64_t reach = (out.getDimSize(d + 2) - 1) * w.strides[d] + (w.kernel[d] - 1) * w.dilations[d] + 1;
    pads[d + 2] = begin;
    pads[rank + d + 2] = std::max(end, reach - size - begin);
  }
  Value padded = apply<g::PadOp>(ctx, {ctx.input(0)}, {ctx.i64s("pads", pads), ctx.named("mode", ctx.b.getStringAttr("constant")),
                                                       ctx.named("value", ctx.b.getF32FloatAttr(-INFINITY))});
  SmallVector<Value> windows;
  for (int64_t tap = 0; tap < taps; ++tap) {
    SmallVector<int64_t> starts(rank, 0), ends(out.getShape()), steps(rank, 1);
    for (int64_t d = n - 1, rest = tap; d >= 0; rest /= w.kernel[d], --d) {
      starts[d + 2] = (rest % w.kernel[d]) * w.dilations[d];
      ends[d + 2] = starts[d + 2] + (out.getDimSize(d + 2) - 1) * w.strides[d] + 1;
      steps[d + 2] = w.strides[d];
    }
    Value s = apply<g::SliceOp>(ctx, {padded}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends), ctx.i64s("steps", steps)});
    windows.push_back(apply<g::UnsqueezeOp>(ctx, {s}, {ctx.i64s("axes", {rank})}));
  }
  Value all = taps == 1 ? windows[0] : apply<g::ConcatOp>(ctx, windows, {ctx.named("axis", ctx.b.getI64IntegerAttr(rank))});
  Value tap = apply<g::ArgMaxOp>(ctx, {all}, {ctx.named("axis", ctx.b.getI64IntegerAttr(rank)),
                                              ctx.named("keepdims", ctx.b.getBoolAttr(false)),
                                              ctx.named("select_last_index", ctx.b.getBoolAttr(false))});
  auto scalar = [&](int64_t v) { return intScalar(ctx, i64, v); };
  // (n * C + c) * spatial size, then each spatial coordinate times its stride.
  int64_t spatial = 1;
  for (int64_t d = 0; d < n; ++d)
    spatial *= t.getDimSize(d + 2);
  Value index = apply<g::MulOp>(ctx, {apply<g::AddOp>(ctx, {apply<g::MulOp>(ctx, {iotaAlong(ctx, rank, 0, out.getDimSize(0), i64, "pool_n"), scalar(t.getDimSize(1))}),
                                                          iotaAlong(ctx, rank, 1, out.getDimSize(1), i64, "pool_c")}),
                                      scalar(spatial)});
  for (int64_t d = n - 1, kernelStride = 1; d >= 0; kernelStride *= w.kernel[d], --d) {
    int64_t stride = 1; // of spatial dim d in the flat index
    for (int64_t e = columnMajor ? 0 : d + 1; e < (columnMajor ? d : n); ++e)
      stride *= t.getDimSize(e + 2);
    Value k = apply<g::ModOp>(ctx, {apply<g::DivOp>(ctx, {tap, scalar(kernelStride)}), scalar(w.kernel[d])});
    Value at = apply<g::AddOp>(ctx, {apply<g::MulOp>(ctx, {iotaAlong(ctx, rank, d + 2, out.getDimSize(d + 2), i64, "pool_o"),
                                                            scalar(w.strides[d])}),
                                     apply<g::MulOp>(ctx, {k, scalar(w.dilations[d])})});
    at = apply<g::SubOp>(ctx, {at, scalar(w.pads[d])});
    index = apply<g::AddOp>(ctx, {index, apply<g::MulOp>(ctx, {at, scalar(stride)})});
  }
  return index;
}

template <typename OpTy>
LogicalResult pool(NodeContext &ctx) {
  auto xType = ctx.inputType(0);
  bool indices = std::is_same_v<OpTy, g::MaxPoolOp> && ctx.outputUsed(1);
  if (!xType || (!indices && failed(onlyFirstOutput(ctx))))
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
  else if (int64_t order = ctx.getInt("storage_order", 0); order != 0 && order != 1)
    return ctx.unsupported("storage_order", std::to_string(order));
  FailureOr<Value> y = ctx.create<OpTy>({ctx.input(0)}, attrs);
  if (failed(y) || failed(ctx.setOutput(0, *y)))
    return failure();
  if (!indices)
    return success();
  Value i = maxPoolIndices(ctx, *w, llvm::cast<RankedTensorType>(y->getType()), ctx.getInt("storage_order", 0) == 1);
  return i ? ctx.setOutput(1, i) : failure();
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
       "Indices: a window of at most 1024 taps (an ArgMax over the taps' strided slices)"},
  };
  return rows;
}

} // namespace edgec::onnx_import
