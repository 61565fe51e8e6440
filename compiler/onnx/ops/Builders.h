//===- Builders.h - what the importer's op families share -------*- C++ -*-===//
//
// The importer's op table is split by family, a file per family in this
// directory, each with its rows (ONNX op, opsets, builder) next to its
// builders; compiler/onnx/OpTable.cpp merges them. Builders normalise
// ONNX's conventions (defaults, negative axes, auto_pad, constant shape
// operands) into the explicit attributes of the graph dialect; shape checks
// live in the dialect's inference, which reports through the node's
// location.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ONNX_OPS_BUILDERS_H
#define EDGEC_COMPILER_ONNX_OPS_BUILDERS_H

#include "compiler/onnx/NodeContext.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <limits>

namespace edgec::onnx_import {
using namespace mlir;
namespace g = edgec::graph;

inline LogicalResult bind(NodeContext &ctx, FailureOr<Value> v, size_t output = 0) {
  if (failed(v))
    return failure();
  return ctx.setOutput(output, *v);
}

template <typename OpTy>
LogicalResult unary(NodeContext &ctx) {
  Value x = ctx.input(0);
  return x ? bind(ctx, ctx.create<OpTy>({x})) : failure();
}

template <typename OpTy>
LogicalResult binary(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  return a && b ? bind(ctx, ctx.create<OpTy>({a, b})) : failure();
}

/// Outputs that edgec does not produce (MaxPool indices, Dropout mask, ...)
/// must not be consumed.
LogicalResult onlyFirstOutput(NodeContext &ctx);

/// Strides, dilations and explicit pads of a conv or pool window, with
/// auto_pad resolved against the input's spatial dims.
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

FailureOr<Window> readWindow(NodeContext &ctx, RankedTensorType input, ArrayRef<int64_t> kernel);

/// The most elements a builder makes (a folded constant or a tiled or
/// masked tensor): more is a crafted model, not a network.
constexpr int64_t kMaxBuiltElements = int64_t(1) << 28;

/// A compile-time integer scalar input (`what` names it in the diagnostic);
/// failure (reported) when it is not one.
FailureOr<int64_t> constantScalarInt(NodeContext &ctx, size_t input, const std::string &what);

/// Input 0's type and the node's `axis` attribute (ONNX's default `def`)
/// normalised against its rank; failure after an error.
struct InputAxis {
  RankedTensorType type;
  int64_t axis;
};
FailureOr<InputAxis> inputAndAxis(NodeContext &ctx, int64_t def);

/// A scalar constant `v` of float type `element` (made f32 and cast when
/// `element` is another float type); null after an error.
Value floatScalar(NodeContext &ctx, Type element, float v, StringRef name);
/// A scalar constant `v` of integer type `element`.
Value intScalar(NodeContext &ctx, Type element, int64_t v, StringRef name = "");

/// The integers 0 .. n-1 along `axis` of a rank-`rank` constant whose other
/// dims are 1 (compared with an index tensor, a one-hot mask); null after
/// an error.
Value iotaAlong(NodeContext &ctx, int64_t rank, int64_t axis, int64_t n, Type element, StringRef name);

/// x [seq, batch, n] with each batch entry b's first lens[b] steps reversed
/// (steps past a length keep their place): a Gather of the rows of
/// [seq * batch, n]; null after an error.
Value reverseWithinLengths(NodeContext &ctx, Value x, ArrayRef<int64_t> lens);

/// The positions where `keep` (i1 [n]) holds, in order, then the others
/// (graph.compact_indices), and how many held (i64 scalar); nulls after an
/// error.
std::pair<Value, Value> selectionOrder(NodeContext &ctx, Value keep);
/// The rows of `x` along `axis` where `keep` (i1 [n], n = x's dim) holds,
/// moved to the front in order, the other rows after them: a selection
/// sized for every row, and how many were kept (i64 scalar), for an output
/// of run-time size (setBoundedOutput); nulls after an error.
std::pair<Value, Value> compactRows(NodeContext &ctx, Value x, int64_t axis, Value keep);

/// `OpTy` on `operands`, or null after an error (for chains of ops that
/// stop at the first failure).
template <typename OpTy>
Value apply(NodeContext &ctx, ValueRange operands, ArrayRef<NamedAttribute> attrs = {}) {
  for (Value v : operands)
    if (!v)
      return nullptr;
  FailureOr<Value> r = ctx.create<OpTy>(operands, attrs);
  return succeeded(r) ? *r : nullptr;
}

/// `v` cast to element type `to`; null after an error.
inline Value castTo(NodeContext &ctx, Value v, Type to) {
  return apply<g::CastOp>(ctx, {v}, {ctx.named("to", TypeAttr::get(to))});
}

// The families' rows.
llvm::ArrayRef<OpEntry> elementwiseOps();
llvm::ArrayRef<OpEntry> linearOps();
llvm::ArrayRef<OpEntry> recurrentOps();
llvm::ArrayRef<OpEntry> poolingOps();
llvm::ArrayRef<OpEntry> reductionOps();
llvm::ArrayRef<OpEntry> dataMovementOps();
llvm::ArrayRef<OpEntry> resizeOps();
llvm::ArrayRef<OpEntry> constantsOps();
llvm::ArrayRef<OpEntry> quantizedOps();
llvm::ArrayRef<OpEntry> normalizationOps();
llvm::ArrayRef<OpEntry> lossOps();
llvm::ArrayRef<OpEntry> sequenceOps();
llvm::ArrayRef<OpEntry> dataDependentOps();
llvm::ArrayRef<OpEntry> textOps();
llvm::ArrayRef<OpEntry> spectralOps();

} // namespace edgec::onnx_import

#endif // EDGEC_COMPILER_ONNX_OPS_BUILDERS_H
