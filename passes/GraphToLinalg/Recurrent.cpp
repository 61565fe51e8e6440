//===- Recurrent.cpp - LSTM -------------------------------------------------===//
//
// Recurrent ops are unrolled over their (static) sequence: per step, the
// gates are matmuls and elementwise generics on the previous state.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace edgec::graph_to_linalg {
namespace {

/// LSTM unrolled over the sequence (ONNX gate order i, o, f, c).
FailureOr<SmallVector<Value>> lowerLSTM(Lowering &l, LSTMOp op) {
  auto xt = typeOf(op.getInput());
  int64_t seq = xt.getDimSize(0), batch = xt.getDimSize(1), in = xt.getDimSize(2);
  int64_t h = static_cast<int64_t>(op.getHiddenSize());
  int64_t dirs = op.getDirection() == "bidirectional" ? 2 : 1;
  Type e = xt.getElementType();
  auto t2 = [&](int64_t a, int64_t c) { return RankedTensorType::get({a, c}, e); };
  auto slice = [&](Value v, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                   RankedTensorType to) -> Value {
    SmallVector<OpFoldResult> o, s, st;
    for (auto [off, size] : llvm::zip(offsets, sizes)) {
      o.push_back(l.b.getIndexAttr(off));
      s.push_back(l.b.getIndexAttr(size));
      st.push_back(l.b.getIndexAttr(1));
    }
    auto full = RankedTensorType::get(sizes, e);
    Value sliced = tensor::ExtractSliceOp::create(l.b, full, v, o, s, st);
    return l.reshape(sliced, to);
  };
  auto ew = [&](RankedTensorType t, ValueRange vs, Lowering::Body body) {
    return l.elementwise(t, vs, body);
  };
  auto yType = typeOf(op.getY());
  Value y = l.empty(yType);
  SmallVector<Value> lastH, lastC;
  for (int64_t dir = 0; dir < dirs; ++dir) {
    bool reverse = op.getDirection() == "reverse" || dir == 1;
    Value w = slice(op.getWeight(), {dir, 0, 0}, {1, 4 * h, in}, t2(4 * h, in));
    Value r = slice(op.getRecurrence(), {dir, 0, 0}, {1, 4 * h, h}, t2(4 * h, h));
    Value bias;
    if (op.getBias()) {
      Value wb = slice(op.getBias(), {dir, 0}, {1, 4 * h}, RankedTensorType::get({4 * h}, e));
      Value rb = slice(op.getBias(), {dir, 4 * h}, {1, 4 * h}, RankedTensorType::get({4 * h}, e));
      bias = ew(RankedTensorType::get({4 * h}, e), {wb, rb},
                [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                  return arith::AddFOp::create(ob, loc, v[0], v[1]);
                });
    }
    Value hs = op.getInitialH() ? slice(op.getInitialH(), {dir, 0, 0}, {1, batch, h}, t2(batch, h))
                                : l.filled(t2(batch, h), 0.0);
    Value cs = op.getInitialC() ? slice(op.getInitialC(), {dir, 0, 0}, {1, batch, h}, t2(batch, h))
                                : l.filled(t2(batch, h), 0.0);
    for (int64_t step = 0; step < seq; ++step) {
      int64_t t = reverse ? seq - 1 - step : step;
      Value xs = slice(op.getInput(), {t, 0, 0}, {1, batch, in}, t2(batch, in));
      Value gates = matmul(l, xs, w, t2(batch, 4 * h), false, true);
      Value rec = matmul(l, hs, r, t2(batch, 4 * h), false, true);
      SmallVector<Value> parts{gates, rec};
      if (bias)
        parts.push_back(bias);
      gates = ew(t2(batch, 4 * h), parts, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
        Value s = arith::AddFOp::create(ob, loc, v[0], v[1]);
        return v.size() > 2 ? Value(arith::AddFOp::create(ob, loc, s, v[2])) : s;
      });
      auto gate = [&](int64_t k) { return slice(gates, {0, k * h}, {batch, h}, t2(batch, h)); };
      Value i = gate(0), o = gate(1), f = gate(2), c = gate(3);
      cs = ew(t2(batch, h), {i, f, c, cs}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
        Value ig = sigmoidOf(ob, loc, v[0]), fg = sigmoidOf(ob, loc, v[1]);
        Value cand = math::TanhOp::create(ob, loc, v[2]);
        return arith::AddFOp::create(ob, loc, arith::MulFOp::create(ob, loc, fg, v[3]),
                                     arith::MulFOp::create(ob, loc, ig, cand));
      });
      hs = ew(t2(batch, h), {o, cs}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
        return arith::MulFOp::create(ob, loc, sigmoidOf(ob, loc, v[0]),
                                     math::TanhOp::create(ob, loc, v[1]));
      });
      SmallVector<OpFoldResult> off{l.b.getIndexAttr(t), l.b.getIndexAttr(dir), l.b.getIndexAttr(0),
                                    l.b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes{l.b.getIndexAttr(1), l.b.getIndexAttr(1),
                                      l.b.getIndexAttr(batch), l.b.getIndexAttr(h)};
      SmallVector<OpFoldResult> ones(4, l.b.getIndexAttr(1));
      Value h4 = l.reshape(hs, RankedTensorType::get({1, 1, batch, h}, e));
      y = tensor::InsertSliceOp::create(l.b, h4, y, off, sizes, ones);
    }
    lastH.push_back(hs);
    lastC.push_back(cs);
  }
  auto stateType = typeOf(op.getYH());
  auto stack = [&](ArrayRef<Value> states) {
    Value acc = l.empty(stateType);
    for (auto [dir, s] : llvm::enumerate(states)) {
      Value s3 = l.reshape(s, RankedTensorType::get({1, batch, h}, e));
      SmallVector<OpFoldResult> off{l.b.getIndexAttr(dir), l.b.getIndexAttr(0), l.b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes{l.b.getIndexAttr(1), l.b.getIndexAttr(batch), l.b.getIndexAttr(h)};
      SmallVector<OpFoldResult> ones(3, l.b.getIndexAttr(1));
      acc = tensor::InsertSliceOp::create(l.b, s3, acc, off, sizes, ones);
    }
    return acc;
  };
  return SmallVector<Value>{y, stack(lastH), stack(lastC)};
}

} // namespace

void populateRecurrentLowerings(LoweringTable &table) {
  table.add<LSTMOp>([](LSTMOp s, LoweringInput &in) { return lowerLSTM(in.l, s); });
}

} // namespace edgec::graph_to_linalg
