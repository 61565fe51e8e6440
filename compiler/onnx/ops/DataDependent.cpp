//===- DataDependent.cpp - ops whose output size depends on values --------===//
//
// NonZero, Compress, Unique and NonMaxSuppression return as many elements
// as the data selects (docs/guides/onnx-import.md, "Data-dependent sizes"):
// - NonZero of a constant and Compress with a constant condition are
//   computed at import (exporters emit them on masks and buffers): NonZero
//   becomes a constant, Compress a Gather of the selected indices;
// - otherwise the result is sized for its bound (everything selected) with
//   the selected rows first and a run-time count beside it
//   (GraphImporter::Bound, Bounded.cpp): a compaction, built here from
//   graph ops.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

#include "llvm/Support/CheckedArithmetic.h"

namespace edgec::onnx_import {

std::pair<Value, Value> selectionOrder(NodeContext &ctx, Value keep) {
  if (!keep)
    return {};
  FailureOr<SmallVector<Value>> r =
      ctx.createInferred(g::CompactIndicesOp::getOperationName(), {keep}, {}, 2);
  if (failed(r))
    return {};
  return {(*r)[0], (*r)[1]};
}

// The padding is the dropped rows of x, so indices read from it stay in
// range.
std::pair<Value, Value> compactRows(NodeContext &ctx, Value x, int64_t axis, Value keep) {
  if (!x)
    return {};
  auto [order, count] = selectionOrder(ctx, keep);
  Value out = order ? apply<g::GatherOp>(ctx, {x, order}, {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))}) : Value();
  if (!out)
    return {};
  return {out, count};
}

namespace {

/// Whether each element of `v`'s constant value is nonzero; false (and
/// nothing read) when `v` is not a constant.
bool readNonZero(Value v, SmallVectorImpl<bool> &out) {
  ElementsAttr c = g::getConstant(v);
  SmallVector<float> f;
  SmallVector<int64_t> i;
  if (g::readFloats(c, f)) {
    for (float x : f)
      out.push_back(x != 0.0f); // NaN counts as nonzero, as in ONNX Runtime
    return true;
  }
  if (g::readInts(c, i)) {
    for (int64_t x : i)
      out.push_back(x != 0);
    return true;
  }
  return false;
}

/// `x != 0` (NaN counts as nonzero, as in ONNX Runtime).
Value isNonZero(NodeContext &ctx, Value x) {
  Type e = llvm::cast<RankedTensorType>(x.getType()).getElementType();
  if (e.isInteger(1))
    return x;
  Value zero = llvm::isa<FloatType>(e) ? floatScalar(ctx, e, 0.0f, "zero")
                                       : intScalar(ctx, e, 0);
  return apply<g::NotOp>(ctx, {apply<g::EqualOp>(ctx, {x, zero})});
}

/// NonZero: the indices [rank, count] of the nonzero elements, row-major.
LogicalResult nonZero(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<bool> nonzero;
  int64_t rank = t.getRank(), n = t.getNumElements();
  if (n > kMaxBuiltElements)
    return ctx.fail("NonZero of " + std::to_string(n) + " elements (at most 2^28)");
  if (!readNonZero(ctx.input(0), nonzero)) {
    if (rank == 0)
      return ctx.fail("NonZero of a scalar computed at run time (its result has no rows to count)");
    // At run time: the coordinates of every element, [rank, n], with those
    // of the nonzero ones compacted to the front.
    Value flat = apply<g::ReshapeOp>(ctx, {isNonZero(ctx, ctx.input(0))}, {ctx.i64s("shape", {n})});
    auto [selected, count] = flat ? selectionOrder(ctx, flat) : std::pair<Value, Value>();
    if (!selected)
      return failure();
    SmallVector<Value> rows;
    SmallVector<int64_t> strides = g::stridesOf(t.getShape());
    for (int64_t d = 0; d < rank; ++d) {
      auto scalar = [&](int64_t v) { return intScalar(ctx, ctx.b.getI64Type(), v); };
      Value coord = apply<g::DivOp>(ctx, {selected, scalar(strides[d])});
      if (d > 0)
        coord = apply<g::ModOp>(ctx, {coord, scalar(t.getDimSize(d))});
      rows.push_back(apply<g::UnsqueezeOp>(ctx, {coord}, {ctx.i64s("axes", {0})}));
    }
    Value indices = rank == 1 ? rows[0]
                              : apply<g::ConcatOp>(ctx, rows, {ctx.named("axis", ctx.b.getI64IntegerAttr(0))});
    if (!indices)
      return failure();
    return ctx.setBoundedOutput(0, indices, 1, count);
  }
  int64_t count = llvm::count(nonzero, true);
  SmallVector<int64_t> strides = g::stridesOf(t.getShape()), indices(rank * count);
  for (int64_t flat = 0, k = 0; flat < static_cast<int64_t>(nonzero.size()); ++flat) {
    if (!nonzero[flat])
      continue;
    for (int64_t d = 0, rest = flat; d < rank; ++d) {
      indices[d * count + k] = rest / strides[d];
      rest %= strides[d];
    }
    ++k;
  }
  auto type = RankedTensorType::get({rank, count}, ctx.b.getI64Type());
  return ctx.setOutput(0, ctx.constant(g::makeInts(type, indices)));
}

/// Compress: the slices along `axis` (of the flattened input without one)
/// where the condition is true; a Gather of those indices.
LogicalResult compress(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  auto condType = ctx.inputType(1);
  if (!t || !condType)
    return failure();
  Value input = ctx.input(0);
  int64_t axis = 0;
  if (ctx.attr("axis")) {
    auto a = normaliseAxis(ctx, ctx.getInt("axis", 0), t.getRank());
    if (failed(a))
      return failure();
    axis = *a;
  } else {
    input = apply<g::ReshapeOp>(ctx, {input}, {ctx.i64s("shape", {t.getNumElements()})});
    if (!input)
      return failure();
  }
  int64_t dim = llvm::cast<RankedTensorType>(input.getType()).getDimSize(axis);
  SmallVector<bool> keep;
  if (condType.getRank() != 1)
    return ctx.fail("Compress condition must be 1-D");
  int64_t given = condType.getDimSize(0);
  if (given > dim)
    return ctx.fail("Compress condition has " + std::to_string(given) + " values for a dim of " +
                    std::to_string(dim));
  if (!readNonZero(ctx.input(1), keep)) {
    // At run time: the kept slices compacted to the front; a condition
    // shorter than the dim drops the slices past its end.
    Value cond = isNonZero(ctx, ctx.input(1));
    if (given < dim) {
      auto padType = RankedTensorType::get({dim - given}, ctx.b.getI1Type());
      cond = apply<g::ConcatOp>(ctx, {cond, ctx.constant(g::makeInts(padType, SmallVector<int64_t>(dim - given, 0)))},
                                {ctx.named("axis", ctx.b.getI64IntegerAttr(0))});
    }
    auto [selected, count] = compactRows(ctx, input, axis, cond);
    return selected ? ctx.setBoundedOutput(0, selected, axis, count) : failure();
  }
  SmallVector<int64_t> selected;
  for (auto [i, k] : llvm::enumerate(keep))
    if (k)
      selected.push_back(static_cast<int64_t>(i));
  auto indexType = RankedTensorType::get({static_cast<int64_t>(selected.size())}, ctx.b.getI64Type());
  Value indices = ctx.constant(g::makeInts(indexType, selected));
  return bind(ctx, ctx.create<g::GatherOp>({input, indices}, {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))}));
}

/// Unique: the distinct elements (or slices along `axis`), sorted or in the
/// order they first occur, the index of each one's first occurrence, each
/// element's place among them and how often each occurs. All from an
/// n x n comparison of the n rows (elements, or slices flattened): an
/// element is new when the first row equal to it is itself; its place is
/// the number of new rows before it, or (sorted) smaller than it,
/// lexicographically at the first position where the two differ.
LogicalResult unique(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  bool sorted = ctx.getInt("sorted", 1) != 0;
  Type i64 = ctx.b.getI64Type(), i32 = ctx.b.getI32Type();
  int64_t axis = -1, n = t.getNumElements(), m = 1;
  SmallVector<int64_t> perm, inverse, sliceShape;
  Value rows = ctx.input(0);
  if (ctx.attr("axis")) {
    auto a = normaliseAxis(ctx, ctx.getInt("axis", 0), t.getRank());
    if (failed(a))
      return failure();
    axis = *a;
    n = t.getDimSize(axis);
    m = n ? t.getNumElements() / n : 0;
    perm.push_back(axis);
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != axis)
        perm.push_back(d);
    inverse.resize(perm.size());
    for (auto [k, d] : llvm::enumerate(perm)) {
      inverse[d] = static_cast<int64_t>(k);
      sliceShape.push_back(t.getDimSize(d));
    }
    rows = apply<g::TransposeOp>(ctx, {rows}, {ctx.i64s("perm", perm)});
  }
  std::optional<int64_t> pairs = llvm::checkedMul(n, n);
  if (pairs)
    pairs = llvm::checkedMul(*pairs, m);
  if (!pairs || *pairs > (int64_t(1) << 24))
    return ctx.fail("Unique of " + std::to_string(n) + " rows of " + std::to_string(m) +
                    " elements (edgec compares every pair: at most 2^24 element pairs)");
  if (n == 0 || m == 0)
    return ctx.fail("Unique of an empty tensor");
  auto ints = [&](ArrayRef<int64_t> shape, int64_t v, StringRef name) {
    int64_t size = 1;
    for (int64_t d : shape)
      size *= d;
    return ctx.constant(g::makeInts(RankedTensorType::get(shape, i64), SmallVector<int64_t>(size, v), name));
  };
  auto axisAttr = [&](int64_t a) { return ctx.named("axis", ctx.b.getI64IntegerAttr(a)); };
  auto sum = [&](Value v, int64_t a) {
    return apply<g::ReduceSumOp>(ctx, {v}, {ctx.i64s("axes", {a}), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
  };
  auto firstIndexOf = [&](Value v, int64_t a, bool keep) {
    return apply<g::ArgMaxOp>(ctx, {castTo(ctx, v, i32)},
                              {axisAttr(a), ctx.named("keepdims", ctx.b.getBoolAttr(keep)),
                               ctx.named("select_last_index", ctx.b.getBoolAttr(false))});
  };
  auto exclusiveCount = [&](Value v) {
    return apply<g::CumSumOp>(ctx, {v}, {axisAttr(0), ctx.named("exclusive", ctx.b.getBoolAttr(true)),
                                         ctx.named("reverse", ctx.b.getBoolAttr(false))});
  };
  rows = apply<g::ReshapeOp>(ctx, {rows}, {ctx.i64s("shape", {n, m})});
  Value rowI = apply<g::UnsqueezeOp>(ctx, {rows}, {ctx.i64s("axes", {1})}); // [n, 1, m]
  Value rowJ = apply<g::UnsqueezeOp>(ctx, {rows}, {ctx.i64s("axes", {0})}); // [1, n, m]
  Value equal = apply<g::EqualOp>(ctx, {rowI, rowJ});                      // [n, n, m]
  Value same = apply<g::ReduceMinOp>(ctx, {castTo(ctx, equal, i32)},
                                     {ctx.i64s("axes", {2}), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
  Value first = firstIndexOf(same, 1, false); // [n]: the first row equal to row i
  Value iota = iotaAlong(ctx, 1, 0, n, i64, "unique_rows");
  Value isNew = apply<g::EqualOp>(ctx, {first, iota});
  Value newCount = castTo(ctx, isNew, i64);
  Value count = sum(newCount, 0);
  Value place;
  if (!sorted) {
    place = exclusiveCount(newCount);
  } else {
    Value less = apply<g::LessOp>(ctx, {rowJ, rowI}); // [n, n, m]: row j < row i at each position
    if (m > 1) {
      Value differ = firstIndexOf(apply<g::NotOp>(ctx, {equal}), 2, true); // [n, n, 1]
      less = castTo(ctx, apply<g::GatherElementsOp>(ctx, {castTo(ctx, less, i32), differ}, {axisAttr(2)}),
                    ctx.b.getI1Type());
    }
    less = apply<g::ReshapeOp>(ctx, {less}, {ctx.i64s("shape", {n, n})});
    Value newJ = apply<g::UnsqueezeOp>(ctx, {isNew}, {ctx.i64s("axes", {0})});
    place = sum(castTo(ctx, apply<g::AndOp>(ctx, {less, newJ}), i64), 1);
  }
  Value slot = apply<g::GatherOp>(ctx, {place, first}, {axisAttr(0)}); // inverse_indices
  // New rows go to their place, the others after the count (in order); the
  // inverse permutation gathers them.
  Value dest = apply<g::WhereOp>(
      ctx, {isNew, place,
            apply<g::AddOp>(ctx, {exclusiveCount(apply<g::SubOp>(ctx, {ints({}, 1, "one"), newCount})), count})});
  Value source = apply<g::ScatterElementsOp>(
      ctx, {iota, dest, iota}, {axisAttr(0), ctx.named("reduction", ctx.b.getStringAttr("none"))});
  Value values = apply<g::GatherOp>(ctx, {rows, source}, {axisAttr(0)});
  if (axis < 0) {
    values = apply<g::ReshapeOp>(ctx, {values}, {ctx.i64s("shape", {n})});
  } else {
    values = apply<g::ReshapeOp>(ctx, {values}, {ctx.i64s("shape", sliceShape)});
    values = apply<g::TransposeOp>(ctx, {values}, {ctx.i64s("perm", inverse)});
  }
  Value counts = apply<g::ScatterElementsOp>(
      ctx, {ints({n}, 0, "zeros"), slot, ints({n}, 1, "ones")},
      {axisAttr(0), ctx.named("reduction", ctx.b.getStringAttr("add"))});
  if (!values || !counts || !slot || !source)
    return failure();
  if (failed(ctx.setBoundedOutput(0, values, axis < 0 ? 0 : axis, count)) ||
      failed(ctx.setBoundedOutput(1, source, 0, count)) || failed(ctx.setOutput(2, slot)))
    return failure();
  return ctx.setBoundedOutput(3, counts, 0, count);
}

/// NonMaxSuppression: graph.non_max_suppression, its output sized for
/// every batch and class picking min(N, max_output_boxes_per_class) boxes
/// (N when the limit is computed at run time), with a run-time count.
LogicalResult nonMaxSuppression(NodeContext &ctx) {
  auto boxes = ctx.inputType(0);
  auto scores = boxes ? ctx.inputType(1) : RankedTensorType();
  if (!scores)
    return failure();
  if (boxes.getRank() != 3 || scores.getRank() != 3)
    return ctx.fail("NonMaxSuppression needs boxes [batches, boxes, 4] and scores [batches, classes, boxes]");
  int64_t center = ctx.getInt("center_point_box", 0);
  if (center != 0 && center != 1)
    return ctx.unsupported("center_point_box", std::to_string(center));
  int64_t n = boxes.getDimSize(1), rowsPerClass = n;
  Type i64 = ctx.b.getI64Type(), f32 = ctx.b.getF32Type();
  Value limit;
  if (ctx.hasInput(2)) {
    limit = ctx.input(2);
    if (!limit)
      return failure();
    SmallVector<int64_t> given;
    if (g::readInts(g::getConstant(limit), given) && given.size() == 1)
      rowsPerClass = std::clamp<int64_t>(given[0], 0, n);
  } else {
    rowsPerClass = 0; // absent: no boxes
  }
  auto scalar = [&](size_t input, float def, Type t) -> Value {
    if (ctx.hasInput(input))
      return ctx.input(input);
    return floatScalar(ctx, t, def, "nms_threshold");
  };
  if (rowsPerClass == 0) // nothing can be picked: an empty result
    return ctx.setOutput(0, ctx.constant(g::makeInts(RankedTensorType::get({0, 3}, i64), {})));
  Value iou = scalar(3, 0.0f, f32), scoreThreshold = scalar(4, 0.0f, f32);
  if (!iou || !scoreThreshold)
    return failure();
  FailureOr<SmallVector<Value>> r = ctx.createInferred(
      g::NonMaxSuppressionOp::getOperationName(), {ctx.input(0), ctx.input(1), limit, iou, scoreThreshold},
      {ctx.named("center_point_box", ctx.b.getBoolAttr(center == 1)),
       ctx.named("has_score_threshold", ctx.b.getBoolAttr(ctx.hasInput(4))),
       ctx.named("rows_per_class", ctx.b.getI64IntegerAttr(rowsPerClass))},
      2);
  if (failed(r))
    return failure();
  return ctx.setBoundedOutput(0, (*r)[0], 0, (*r)[1]);
}

} // namespace

llvm::ArrayRef<OpEntry> dataDependentOps() {
  static const OpEntry rows[] = {
      {"NonZero", 13, 17, nonZero,
       "folded for a constant input; otherwise sized for every element, with a run-time count"},
      {"Compress", 11, 17, compress,
       "a Gather for a constant condition; otherwise sized for every slice, with a run-time count"},
      {"NonMaxSuppression", 11, 17, nonMaxSuppression,
       "float boxes and scores; sized for every batch and class picking min(boxes, max_output_boxes_per_class) "
       "(all boxes when the limit is computed at run time), with a run-time count"},
      {"Unique", 11, 17, unique,
       "sized for every element (or slice), with a run-time count; compares every pair: at most 2^24 element "
       "pairs"},
  };
  return rows;
}

} // namespace edgec::onnx_import
