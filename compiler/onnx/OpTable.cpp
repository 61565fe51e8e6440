//===- OpTable.cpp - the importer's op table, merged ----------------------===//
//
// One row per ONNX op: its type, the opsets its builder implements, the
// builder. The rows live with their builders, a file per op family under
// compiler/onnx/ops/; this file merges them and holds the helpers more than
// one family uses.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <vector>

namespace edgec::onnx_import {

LogicalResult onlyFirstOutput(NodeContext &ctx) {
  for (size_t i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.outputUsed(i))
      return ctx.fail("output " + std::to_string(i) + " ('" + ctx.node.output(i) +
                      "') is not supported");
  return success();
}

FailureOr<Window> readWindow(NodeContext &ctx, RankedTensorType input,
                             ArrayRef<int64_t> kernel) {
  size_t n = kernel.size();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = ctx.getInts("strides");
  w.dilations = ctx.getInts("dilations");
  w.pads = ctx.getInts("pads");
  if (w.strides.empty())
    w.strides.assign(n, 1);
  if (w.dilations.empty())
    w.dilations.assign(n, 1);
  if (w.strides.size() != n || w.dilations.size() != n)
    return ctx.fail("strides and dilations need " + std::to_string(n) + " values"), failure();
  if (llvm::any_of(w.strides, [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(w.dilations, [](int64_t d) { return d <= 0; }))
    return ctx.fail("strides and dilations must be positive"), failure();
  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    if (w.pads.empty())
      w.pads.assign(2 * n, 0);
    return w;
  }
  if (!w.pads.empty())
    return ctx.fail("pads and auto_pad are both given"), failure();
  w.pads.assign(2 * n, 0);
  if (autoPad == "VALID")
    return w;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.unsupported("auto_pad", "'" + autoPad + "'"), failure();
  for (size_t i = 0; i < n; ++i) {
    int64_t in = input.getDimSize(i + 2), s = w.strides[i];
    int64_t out = in / s + (in % s != 0);
    // Checked: a fuzzer's stride of 2^63-1 overflowed here.
    std::optional<int64_t> reach = llvm::checkedMul(out - 1, s);
    std::optional<int64_t> window = llvm::checkedMulAdd(kernel[i] - 1, w.dilations[i], int64_t(1));
    std::optional<int64_t> covered = reach && window ? llvm::checkedAdd(*reach, *window) : std::nullopt;
    if (!covered)
      return ctx.fail("strides, dilations and kernel_shape are too large for auto_pad"), failure();
    int64_t total = std::max<int64_t>(0, *covered - in);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[i + n] = autoPad == "SAME_UPPER" ? large : small;
  }
  return w;
}

Value iotaAlong(NodeContext &ctx, int64_t rank, int64_t axis, int64_t n, Type element, StringRef name) {
  if (n > kMaxBuiltElements) {
    (void)ctx.fail("a dim of " + std::to_string(n) + " to enumerate (at most 2^28)");
    return nullptr;
  }
  SmallVector<int64_t> shape(rank, 1), values(n);
  shape[axis] = n;
  for (int64_t i = 0; i < n; ++i)
    values[i] = i;
  return ctx.constant(g::makeInts(RankedTensorType::get(shape, element), values, name));
}

Value reverseWithinLengths(NodeContext &ctx, Value x, ArrayRef<int64_t> lens) {
  if (!x)
    return nullptr;
  auto t = llvm::cast<RankedTensorType>(x.getType());
  int64_t seq = t.getDimSize(0), batch = t.getDimSize(1), n = t.getDimSize(2);
  std::optional<int64_t> count = llvm::checkedMul(seq, batch);
  if (!count || *count > kMaxBuiltElements) {
    (void)ctx.fail("a sequence of " + std::to_string(seq) + " x " + std::to_string(batch) +
                   " steps to reverse (at most 2^28)");
    return nullptr;
  }
  SmallVector<int64_t> rows;
  for (int64_t s = 0; s < seq; ++s)
    for (int64_t b = 0; b < batch; ++b)
      rows.push_back((s < lens[b] ? lens[b] - 1 - s : s) * batch + b);
  Value idx = ctx.constant(g::makeInts(RankedTensorType::get({seq * batch}, ctx.b.getI64Type()), rows, "reverse_rows"));
  Value flat = apply<g::ReshapeOp>(ctx, {x}, {ctx.i64s("shape", {seq * batch, n})});
  Value rowsGathered = apply<g::GatherOp>(ctx, {flat, idx}, {ctx.named("axis", ctx.b.getI64IntegerAttr(0))});
  return apply<g::ReshapeOp>(ctx, {rowsGathered}, {ctx.i64s("shape", {seq, batch, n})});
}

Value floatScalar(NodeContext &ctx, Type element, float v, StringRef name) {
  Value c = ctx.constant(g::makeFloats(RankedTensorType::get({}, ctx.b.getF32Type()), {v}, name));
  return element.isF32() ? c : castTo(ctx, c, element);
}

Value intScalar(NodeContext &ctx, Type element, int64_t v, StringRef name) {
  return ctx.constant(g::makeInts(RankedTensorType::get({}, element), {v}, name));
}

FailureOr<InputAxis> inputAndAxis(NodeContext &ctx, int64_t def) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", def), t.getRank());
  if (failed(axis))
    return failure();
  return InputAxis{t, *axis};
}

FailureOr<int64_t> constantScalarInt(NodeContext &ctx, size_t input, const std::string &what) {
  auto v = ctx.constantInts(input, what);
  if (failed(v))
    return failure();
  if (v->size() != 1)
    return ctx.fail(what + " must be a scalar");
  return (*v)[0];
}

ArrayRef<OpEntry> opTable() {
  static const std::vector<OpEntry> table = [] {
    std::vector<OpEntry> all;
    for (ArrayRef<OpEntry> family : {elementwiseOps(), linearOps(), recurrentOps(), poolingOps(), reductionOps(),
                                     dataMovementOps(), resizeOps(), constantsOps(), quantizedOps(),
                                     normalizationOps(), lossOps(), sequenceOps(), dataDependentOps(), textOps(),
                                     spectralOps()})
      all.insert(all.end(), family.begin(), family.end());
    return all;
  }();
  return table;
}

StringRef refusalReason(StringRef opType) {
  static const llvm::StringMap<StringRef> reasons = {
      {"RandomNormal", "random values: edgec compiles deterministic inference"},
      {"RandomNormalLike", "random values: edgec compiles deterministic inference"},
      {"RandomUniform", "random values: edgec compiles deterministic inference"},
      {"RandomUniformLike", "random values: edgec compiles deterministic inference"},
      {"Multinomial", "random values: edgec compiles deterministic inference"},
      {"Bernoulli", "random values: edgec compiles deterministic inference"},
  };
  auto it = reasons.find(opType);
  return it == reasons.end() ? StringRef() : it->second;
}

const OpEntry *findOp(StringRef opType, int64_t opset) {
  for (const OpEntry &e : opTable())
    if (opType == e.opType && opset >= e.sinceOpset && opset <= e.untilOpset)
      return &e;
  return nullptr;
}

} // namespace edgec::onnx_import
