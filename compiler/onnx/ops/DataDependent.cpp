//===- DataDependent.cpp - ops whose output size depends on values --------===//
//
// NonZero, Compress, Unique and NonMaxSuppression return as many elements
// as the data selects. edgec compiles static shapes, so (docs/guides/
// onnx-import.md, "Data-dependent sizes"):
// - NonZero of a constant and Compress with a constant condition are
//   computed at import (exporters emit them on masks and buffers): NonZero
//   becomes a constant, Compress a Gather of the selected indices;
// - otherwise each is refused with a diagnostic saying why and what to do.
// Unique and NonMaxSuppression are not imported: refusalReason() (OpTable.cpp)
// says why when a model has one.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
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

/// The refusal: why, what to do instead, and (for a value computed from
/// graph inputs, `input` >= 0) that binding them makes it a constant.
LogicalResult refuseDataDependent(NodeContext &ctx, StringRef what, StringRef instead, int input = -1) {
  InFlightDiagnostic d = ctx.error();
  d << ctx.node.op_type() << "'s output size depends on " << what
    << ", known only at run time (edgec compiles static shapes): " << instead;
  if (input >= 0)
    ctx.noteGraphInputs(d, input);
  return failure();
}

/// NonZero: the indices [rank, count] of the nonzero elements, row-major.
LogicalResult nonZero(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<bool> nonzero;
  if (t.getNumElements() > kMaxBuiltElements || !readNonZero(ctx.input(0), nonzero))
    return refuseDataDependent(ctx, "its input's values",
                               "make the input a constant (NonZero is folded then), or end the model before "
                               "NonZero and select in your code",
                               0);
  int64_t rank = t.getRank(), count = llvm::count(nonzero, true);
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
  if (!readNonZero(ctx.input(1), keep))
    return refuseDataDependent(ctx, "its condition's values",
                               "make the condition a constant (Compress is a Gather then), or end the model "
                               "before Compress",
                               1);
  if (static_cast<int64_t>(keep.size()) > dim)
    return ctx.fail("Compress condition has " + std::to_string(keep.size()) + " values for a dim of " +
                    std::to_string(dim));
  SmallVector<int64_t> selected;
  for (auto [i, k] : llvm::enumerate(keep))
    if (k)
      selected.push_back(static_cast<int64_t>(i));
  auto indexType = RankedTensorType::get({static_cast<int64_t>(selected.size())}, ctx.b.getI64Type());
  Value indices = ctx.constant(g::makeInts(indexType, selected));
  return bind(ctx, ctx.create<g::GatherOp>({input, indices}, {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))}));
}

} // namespace

llvm::ArrayRef<OpEntry> dataDependentOps() {
  static const OpEntry rows[] = {
      {"NonZero", 13, 17, nonZero, "a compile-time constant input (folded); refused otherwise"},
      {"Compress", 11, 17, compress, "a compile-time constant condition (a Gather); refused otherwise"},
  };
  return rows;
}

} // namespace edgec::onnx_import
