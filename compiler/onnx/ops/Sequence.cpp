//===- Sequence.cpp - ONNX sequences, resolved at import time -------------===//
//
// A compiled model has a fixed set of buffers, so an ONNX sequence is kept
// only while importing: a list of tensor values (GraphImporter's sequence
// entries) that SequenceConstruct/Insert/Erase build, and SequenceAt,
// SequenceLength and ConcatFromSequence turn back into tensors. Positions
// must be compile-time constants; a sequence may not be a graph input or
// output (the C API passes tensors). What is left in the graph dialect is
// the tensors' own ops (slices, unsqueezes, a concat).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
namespace {

/// Every element of a sequence has one element type (ONNX's seq(tensor(T))).
LogicalResult checkElementType(NodeContext &ctx, ArrayRef<Value> elements, Value added) {
  if (elements.empty())
    return success();
  Type want = llvm::cast<RankedTensorType>(elements.front().getType()).getElementType();
  Type got = llvm::cast<RankedTensorType>(added.getType()).getElementType();
  if (want == got)
    return success();
  std::string w, g;
  llvm::raw_string_ostream(w) << want;
  llvm::raw_string_ostream(g) << got;
  return ctx.fail("a sequence of " + w + " tensors cannot take a " + g + " tensor");
}

/// A constant position input in [-size, size + extra) made non-negative
/// (ONNX counts negative positions from the back; Insert may append, so its
/// `extra` is 1). `fallback` when the input is absent.
FailureOr<int64_t> readPosition(NodeContext &ctx, size_t input, int64_t size, int64_t extra, int64_t fallback) {
  if (!ctx.hasInput(input))
    return fallback;
  auto pos = constantScalarInt(ctx, input, ctx.node.op_type() + " position");
  if (failed(pos))
    return failure();
  if (*pos < -size || *pos >= size + extra)
    return ctx.fail(ctx.node.op_type() + " position " + std::to_string(*pos) + " is outside [" +
                    std::to_string(-size) + ", " + std::to_string(size + extra - 1) + "] for a sequence of " +
                    std::to_string(size));
  return *pos < 0 ? *pos + size : *pos;
}

LogicalResult sequenceEmpty(NodeContext &ctx) { return ctx.setOutputSequence(0, {}); }

LogicalResult sequenceConstruct(NodeContext &ctx) {
  SmallVector<Value> elements;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    Value v = ctx.input(i);
    if (!v || failed(checkElementType(ctx, elements, v)))
      return failure();
    elements.push_back(v);
  }
  return ctx.setOutputSequence(0, elements);
}

LogicalResult sequenceInsert(NodeContext &ctx) {
  auto elements = ctx.inputSequence(0);
  Value tensor = ctx.input(1);
  if (failed(elements) || !tensor || failed(checkElementType(ctx, *elements, tensor)))
    return failure();
  int64_t n = static_cast<int64_t>(elements->size());
  auto pos = readPosition(ctx, 2, n, 1, n);
  if (failed(pos))
    return failure();
  elements->insert(elements->begin() + *pos, tensor);
  return ctx.setOutputSequence(0, *elements);
}

LogicalResult sequenceErase(NodeContext &ctx) {
  auto elements = ctx.inputSequence(0);
  if (failed(elements))
    return failure();
  int64_t n = static_cast<int64_t>(elements->size());
  if (n == 0)
    return ctx.fail("SequenceErase of an empty sequence");
  auto pos = readPosition(ctx, 1, n, 0, n - 1);
  if (failed(pos))
    return failure();
  elements->erase(elements->begin() + *pos);
  return ctx.setOutputSequence(0, *elements);
}

LogicalResult sequenceAt(NodeContext &ctx) {
  auto elements = ctx.inputSequence(0);
  if (failed(elements))
    return failure();
  int64_t n = static_cast<int64_t>(elements->size());
  if (!ctx.hasInput(1))
    return ctx.fail("SequenceAt needs a position");
  auto pos = readPosition(ctx, 1, n, 0, 0);
  if (failed(pos))
    return failure();
  return ctx.setOutput(0, (*elements)[*pos]);
}

LogicalResult sequenceLength(NodeContext &ctx) {
  auto elements = ctx.inputSequence(0);
  if (failed(elements))
    return failure();
  auto type = RankedTensorType::get({}, ctx.b.getI64Type());
  return ctx.setOutput(0, ctx.constant(g::makeInts(type, {static_cast<int64_t>(elements->size())})));
}

/// SplitToSequence: slices along `axis` — of size 1 (squeezed unless
/// keepdims) without `split`, of `split` each (the last one shorter) for a
/// scalar, of the listed sizes for a 1-D `split`.
LogicalResult splitToSequence(NodeContext &ctx) {
  auto in = inputAndAxis(ctx, 0);
  if (failed(in))
    return failure();
  RankedTensorType t = in->type;
  int64_t axis = in->axis;
  int64_t dim = t.getDimSize(axis);
  SmallVector<int64_t> sizes;
  bool squeeze = false;
  constexpr int64_t kMaxParts = 4096;
  auto tooMany = [&](int64_t parts) {
    return ctx.fail("SplitToSequence makes " + std::to_string(parts) + " tensors; edgec takes at most " +
                    std::to_string(kMaxParts));
  };
  if (!ctx.hasInput(1)) {
    if (dim > kMaxParts)
      return tooMany(dim);
    sizes.assign(dim, 1);
    squeeze = ctx.getInt("keepdims", 1) == 0;
  } else {
    auto given = ctx.constantInts(1, "SplitToSequence split");
    if (failed(given))
      return failure();
    auto splitType = ctx.inputType(1);
    if (splitType.getRank() == 0) {
      int64_t chunk = (*given)[0];
      if (chunk <= 0)
        return ctx.fail("SplitToSequence split must be positive, not " + std::to_string(chunk));
      if (dim / chunk + (dim % chunk != 0) > kMaxParts)
        return tooMany(dim / chunk + (dim % chunk != 0));
      for (int64_t at = 0; at < dim; at += chunk)
        sizes.push_back(std::min(chunk, dim - at));
    } else {
      int64_t sum = 0;
      for (int64_t s : *given) {
        if (s < 0 || s > dim - sum)
          return ctx.fail("SplitToSequence sizes must be non-negative and add up to dim " + std::to_string(axis) +
                          " (" + std::to_string(dim) + ")");
        sum += s;
      }
      if (sum != dim)
        return ctx.fail("SplitToSequence sizes add up to " + std::to_string(sum) + ", not to dim " +
                        std::to_string(axis) + " (" + std::to_string(dim) + ")");
      sizes.assign(given->begin(), given->end());
    }
  }
  if (static_cast<int64_t>(sizes.size()) > kMaxParts)
    return tooMany(static_cast<int64_t>(sizes.size()));
  SmallVector<int64_t> starts(t.getRank(), 0), ends(t.getShape()), steps(t.getRank(), 1);
  ends[axis] = 0;
  SmallVector<Value> elements;
  for (int64_t size : sizes) {
    starts[axis] = ends[axis];
    ends[axis] += size;
    Value part = apply<g::SliceOp>(ctx, {ctx.input(0)},
                                   {ctx.i64s("starts", starts), ctx.i64s("ends", ends), ctx.i64s("steps", steps)});
    if (part && squeeze)
      part = apply<g::SqueezeOp>(ctx, {part}, {ctx.i64s("axes", {axis})});
    if (!part)
      return failure();
    elements.push_back(part);
  }
  return ctx.setOutputSequence(0, elements);
}

/// ConcatFromSequence: a concat along `axis`, or with new_axis a stack (each
/// element unsqueezed at `axis` first, which may then be the new last dim).
LogicalResult concatFromSequence(NodeContext &ctx) {
  auto elements = ctx.inputSequence(0);
  if (failed(elements))
    return failure();
  if (elements->empty())
    return ctx.fail("ConcatFromSequence of an empty sequence");
  if (!ctx.attr("axis"))
    return ctx.fail("ConcatFromSequence needs an axis");
  bool stack = ctx.getInt("new_axis", 0) != 0;
  int64_t rank = llvm::cast<RankedTensorType>(elements->front().getType()).getRank() + (stack ? 1 : 0);
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<Value> parts;
  for (Value v : *elements) {
    if (stack)
      v = apply<g::UnsqueezeOp>(ctx, {v}, {ctx.i64s("axes", {*axis})});
    if (!v)
      return failure();
    parts.push_back(v);
  }
  return bind(ctx, ctx.create<g::ConcatOp>(parts, {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis))}));
}

} // namespace

llvm::ArrayRef<OpEntry> sequenceOps() {
  static const char *kConstant = "positions compile-time constants; no sequence graph inputs or outputs";
  static const OpEntry rows[] = {
      {"SequenceEmpty", 11, 17, sequenceEmpty, "no sequence graph inputs or outputs"},
      {"SequenceConstruct", 11, 17, sequenceConstruct, "no sequence graph inputs or outputs"},
      {"SequenceInsert", 11, 17, sequenceInsert, kConstant},
      {"SequenceErase", 11, 17, sequenceErase, kConstant},
      {"SequenceAt", 11, 17, sequenceAt, kConstant},
      {"SequenceLength", 11, 17, sequenceLength, "no sequence graph inputs or outputs"},
      {"SplitToSequence", 11, 17, splitToSequence, "split a compile-time constant"},
      {"ConcatFromSequence", 11, 17, concatFromSequence, "no sequence graph inputs or outputs"},
  };
  return rows;
}

} // namespace edgec::onnx_import
