//===- Recurrent.cpp - LSTM -------------------------------------------------===//
//
// Recurrent ops: their weights, states and attributes, checked against
// what the unrolled lowering implements.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

namespace edgec::onnx_import {
namespace {

LogicalResult lstm(NodeContext &ctx) {
  std::string direction = ctx.getString("direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t layout = ctx.getInt("layout", 0);
  if (layout != 0 && layout != 1)
    return ctx.unsupported("layout", std::to_string(layout));
  // layout 1 is batch-first: transpose to the dialect's layout 0 and back.
  auto transpose = [&](Value v, ArrayRef<int64_t> perm) -> Value {
    auto t = ctx.create<g::TransposeOp>({v}, {ctx.i64s("perm", perm)});
    return succeeded(t) ? *t : Value();
  };
  if (ctx.attr("clip"))
    return ctx.unsupported("clip", std::to_string(ctx.getFloat("clip", 0)));
  if (ctx.getInt("input_forget", 0) != 0)
    return ctx.unsupported("input_forget", "1");
  SmallVector<std::string> acts = ctx.getStrings("activations");
  for (size_t i = 0; i < acts.size(); ++i) {
    const char *expected = i % 3 == 0 ? "Sigmoid" : "Tanh";
    if (acts[i] != expected)
      return ctx.unsupported("activations", "'" + acts[i] + "' at position " + std::to_string(i));
  }
  if (!acts.empty() && static_cast<int64_t>(acts.size()) != 3 * dirs)
    return ctx.fail("activations needs 3 names per direction");
  if (ctx.hasInput(7))
    return ctx.fail("peephole weights (input P) are not supported");
  Value x = ctx.input(0), w = ctx.input(1), r = ctx.input(2);
  if (!x || !w || !r)
    return failure();
  if (layout == 1 && !(x = transpose(x, {1, 0, 2})))
    return failure();
  if (ctx.hasInput(4)) {
    // sequence_lens: fine when every sequence has the full length.
    auto lens = ctx.constantInts(4, "LSTM sequence_lens");
    if (failed(lens))
      return failure();
    int64_t seq = llvm::cast<RankedTensorType>(x.getType()).getDimSize(0);
    if (llvm::any_of(*lens, [&](int64_t l) { return l != seq; }))
      return ctx.fail("sequence_lens shorter than the sequence are not supported");
  }
  SmallVector<Value> operands{x, w, r};
  int32_t segments[6] = {1, 1, 1, 0, 0, 0};
  for (auto [slot, input] : {std::pair<int, size_t>{3, 3}, {4, 5}, {5, 6}}) {
    if (!ctx.hasInput(input))
      continue;
    Value v = ctx.input(input);
    if (v && layout == 1 && input != 3) // initial_h / initial_c: [B, D, H]
      v = transpose(v, {1, 0, 2});
    if (!v)
      return failure();
    operands.push_back(v);
    segments[slot] = 1;
  }
  int64_t hidden = ctx.getInt("hidden_size", -1);
  if (hidden <= 0)
    return ctx.fail("LSTM needs a positive hidden_size");
  auto results = ctx.createInferred(
      g::LSTMOp::getOperationName(), operands,
      {ctx.named("hidden_size", ctx.b.getI64IntegerAttr(hidden)),
       ctx.named("direction", ctx.b.getStringAttr(direction)),
       ctx.named("operandSegmentSizes", ctx.b.getDenseI32ArrayAttr(segments))},
      3);
  if (failed(results))
    return failure();
  for (size_t i = 0; i < 3; ++i) {
    Value out = (*results)[i];
    if (layout == 1 && ctx.outputUsed(i))
      out = transpose(out, i == 0 ? ArrayRef<int64_t>{2, 0, 1, 3} : ArrayRef<int64_t>{1, 0, 2});
    if (!out || failed(ctx.setOutput(i, out)))
      return failure();
  }
  return success();
}

} // namespace

llvm::ArrayRef<OpEntry> recurrentOps() {
  static const OpEntry rows[] = {
      {"LSTM", 14, 17, lstm,
       "default activations (Sigmoid, Tanh, Tanh), no clip, input_forget 0, no peepholes, sequence_lens absent or the full length"},
  };
  return rows;
}

} // namespace edgec::onnx_import
