//===- Recurrent.cpp - RNN, GRU, LSTM ---------------------------------------===//
//
// Recurrent ops: their weights, states and attributes. An LSTM with the
// default activations, no clip, no peepholes and full-length sequences is
// one graph.lstm (lowered as a unit); every other LSTM, and every RNN and
// GRU, is unrolled here over its (static) sequence into graph ops: the
// input projection of all steps as one MatMul, then per step the
// recurrence MatMul and the gates' elementwise ops, which the kernels and
// the fusion of elementwise ops then handle as any other graph.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"
#include "llvm/Support/CheckedArithmetic.h"

namespace edgec::onnx_import {
namespace {

/// One activation of the list ONNX's recurrent ops take, with its alpha and
/// beta where it has them.
struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

bool takesAlpha(StringRef n) {
  return n == "LeakyRelu" || n == "ThresholdedRelu" || n == "ScaledTanh" || n == "HardSigmoid" || n == "Elu" ||
         n == "Affine";
}
bool takesBeta(StringRef n) { return n == "ScaledTanh" || n == "HardSigmoid" || n == "Affine"; }

/// The activations per direction (`perDirection` of them, defaults when the
/// attribute is absent), alphas and betas consumed in order.
FailureOr<SmallVector<Activation>> readActivations(NodeContext &ctx, ArrayRef<StringRef> defaults, int64_t dirs) {
  SmallVector<std::string> names = ctx.getStrings("activations");
  if (names.empty())
    for (int64_t d = 0; d < dirs; ++d)
      for (StringRef n : defaults)
        names.push_back(n.str());
  if (names.size() != defaults.size() * size_t(dirs))
    return ctx.fail("activations needs " + std::to_string(defaults.size()) + " names per direction");
  const onnx::AttributeProto *alphaAttr = ctx.attr("activation_alpha");
  const onnx::AttributeProto *betaAttr = ctx.attr("activation_beta");
  int nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> acts;
  for (const std::string &n : names) {
    static const char *known[] = {"Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu",
                                  "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus"};
    if (llvm::none_of(known, [&](const char *k) { return n == k; }))
      return ctx.unsupported("activations", "'" + n + "'");
    Activation a{n};
    // ONNX's defaults where the lists stop short.
    a.alpha = n == "LeakyRelu" ? 0.01f : n == "HardSigmoid" ? 0.2f : 1.0f;
    a.beta = n == "HardSigmoid" ? 0.5f : n == "Affine" ? 0.0f : 1.0f;
    if (takesAlpha(n) && alphaAttr && nextAlpha < alphaAttr->floats_size())
      a.alpha = alphaAttr->floats(nextAlpha++);
    if (takesBeta(n) && betaAttr && nextBeta < betaAttr->floats_size())
      a.beta = betaAttr->floats(nextBeta++);
    acts.push_back(a);
  }
  return acts;
}

/// The unrolled recurrence of one node: graph-op helpers on its element
/// type, each null after an error (and null in, null out).
struct Unroller {
  NodeContext &ctx;
  Type e;
  int64_t seq, batch, hidden;
  std::optional<float> clip;

  Value scalar(float v, StringRef name) { return floatScalar(ctx, e, v, name); }
  /// A zero state [batch, hidden].
  Value zeroState() {
    return ctx.constant(DenseElementsAttr::get(RankedTensorType::get({batch, hidden}, e), ctx.b.getFloatAttr(e, 0.0)));
  }
  Value add(Value a, Value b) { return apply<g::AddOp>(ctx, {a, b}); }
  Value sub(Value a, Value b) { return apply<g::SubOp>(ctx, {a, b}); }
  Value mul(Value a, Value b) { return apply<g::MulOp>(ctx, {a, b}); }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return apply<g::ReshapeOp>(ctx, {v}, {ctx.i64s("shape", shape)});
  }
  Value transpose(Value v, ArrayRef<int64_t> perm) {
    return apply<g::TransposeOp>(ctx, {v}, {ctx.i64s("perm", perm)});
  }
  /// v[starts : ends] over every dim.
  Value slice(Value v, ArrayRef<int64_t> starts, ArrayRef<int64_t> ends) {
    return apply<g::SliceOp>(ctx, {v}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends),
                                        ctx.i64s("steps", SmallVector<int64_t>(starts.size(), 1))});
  }
  /// a @ b^T for a [m, k] (or [s, m, k]) and b [n, k].
  Value matmulT(Value a, Value b) { return apply<g::MatMulOp>(ctx, {a, transpose(b, {1, 0})}); }
  Value concat(ArrayRef<Value> vs, int64_t axis) {
    if (vs.size() == 1)
      return vs[0];
    return apply<g::ConcatOp>(ctx, vs, {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))});
  }
  Value where(Value c, Value a, Value b) { return apply<g::WhereOp>(ctx, {c, a, b}); }

  /// The activation of a gate's pre-activation `x` (clipped first when the
  /// node says so).
  Value activate(const Activation &a, Value x) {
    if (clip)
      x = apply<g::ClipOp>(ctx, {x}, {ctx.named("min", ctx.b.getF32FloatAttr(-*clip)),
                                      ctx.named("max", ctx.b.getF32FloatAttr(*clip))});
    auto alpha = [&] { return ctx.named("alpha", ctx.b.getF32FloatAttr(a.alpha)); };
    const std::string &n = a.name;
    if (n == "Relu")
      return apply<g::ReluOp>(ctx, {x});
    if (n == "Tanh")
      return apply<g::TanhOp>(ctx, {x});
    if (n == "Sigmoid")
      return apply<g::SigmoidOp>(ctx, {x});
    if (n == "Softsign")
      return apply<g::SoftsignOp>(ctx, {x});
    if (n == "Softplus")
      return apply<g::SoftplusOp>(ctx, {x});
    if (n == "LeakyRelu")
      return apply<g::LeakyReluOp>(ctx, {x}, {alpha()});
    if (n == "ThresholdedRelu")
      return apply<g::ThresholdedReluOp>(ctx, {x}, {alpha()});
    if (n == "Elu")
      return apply<g::EluOp>(ctx, {x}, {alpha()});
    if (n == "HardSigmoid")
      return apply<g::HardSigmoidOp>(ctx, {x}, {alpha(), ctx.named("beta", ctx.b.getF32FloatAttr(a.beta))});
    if (n == "Affine")
      return add(mul(x, scalar(a.alpha, "affine_alpha")), scalar(a.beta, "affine_beta"));
    // ScaledTanh: alpha * tanh(beta * x)
    return mul(scalar(a.alpha, "scaled_tanh_alpha"), apply<g::TanhOp>(ctx, {mul(x, scalar(a.beta, "scaled_tanh_beta"))}));
  }

  /// Rows [k * hidden, (k + 1) * hidden) of direction `dir` of a weight
  /// [dirs, G * hidden, n], as [hidden, n] (`gates` of them at once).
  Value gateRows(Value w, int64_t dir, int64_t k, int64_t gates = 1) {
    auto t = llvm::cast<RankedTensorType>(w.getType());
    int64_t n = t.getDimSize(2);
    return reshape(slice(w, {dir, k * hidden, 0}, {dir + 1, (k + gates) * hidden, n}), {gates * hidden, n});
  }
  /// Elements [k * hidden, (k + gates) * hidden) of direction `dir` of a
  /// bias [dirs, m].
  Value biasPart(Value b, int64_t dir, int64_t k, int64_t gates = 1) {
    return reshape(slice(b, {dir, k * hidden}, {dir + 1, (k + gates) * hidden}), {gates * hidden});
  }
  /// Gate k of step t of a projection [seq, batch, G * hidden], as [batch, hidden].
  Value stepGate(Value proj, int64_t t, int64_t k) {
    return reshape(slice(proj, {t, 0, k * hidden}, {t + 1, batch, (k + 1) * hidden}), {batch, hidden});
  }
  /// Gate k of a per-step product [batch, G * hidden].
  Value gate(Value v, int64_t k) { return slice(v, {0, k * hidden}, {batch, (k + 1) * hidden}); }
};

enum class Cell { Rnn, Gru, Lstm };

/// RNN, GRU or LSTM unrolled (see the file comment).
LogicalResult unrolledRecurrence(NodeContext &ctx, Cell cell) {
  const int64_t gates = cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 3 : 4;
  std::string direction = ctx.getString("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return ctx.unsupported("direction", "'" + direction + "'");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t layout = ctx.getInt("layout", 0);
  if (layout != 0 && layout != 1)
    return ctx.unsupported("layout", std::to_string(layout));
  int64_t hidden = ctx.getInt("hidden_size", -1);
  if (hidden <= 0 || hidden > kMaxBuiltElements)
    return ctx.fail("the recurrent op needs a positive hidden_size");
  SmallVector<StringRef, 3> defaults;
  if (cell == Cell::Rnn)
    defaults = {"Tanh"};
  else if (cell == Cell::Gru)
    defaults = {"Sigmoid", "Tanh"};
  else
    defaults = {"Sigmoid", "Tanh", "Tanh"};
  auto acts = readActivations(ctx, defaults, dirs);
  if (failed(acts))
    return failure();
  Value x = ctx.input(0), w = ctx.input(1), r = ctx.input(2);
  auto xt = x ? llvm::dyn_cast<RankedTensorType>(x.getType()) : RankedTensorType();
  if (!xt || !w || !r)
    return failure();
  if (xt.getRank() != 3 || !llvm::isa<FloatType>(xt.getElementType()))
    return ctx.fail("the recurrent op's X must be a rank-3 float tensor");
  Unroller u{ctx, xt.getElementType(), 0, 0, hidden, std::nullopt};
  if (ctx.attr("clip")) {
    float c = ctx.getFloat("clip", 0);
    if (!(c > 0))
      return ctx.fail("clip must be positive");
    u.clip = c;
  }
  if (layout == 1)
    x = u.transpose(x, {1, 0, 2});
  if (!x)
    return failure();
  xt = llvm::cast<RankedTensorType>(x.getType());
  u.seq = xt.getDimSize(0);
  u.batch = xt.getDimSize(1);
  int64_t in = xt.getDimSize(2);
  auto wt = llvm::cast<RankedTensorType>(w.getType()), rt = llvm::cast<RankedTensorType>(r.getType());
  if (wt.getShape() != ArrayRef<int64_t>{dirs, gates * hidden, in} ||
      rt.getShape() != ArrayRef<int64_t>{dirs, gates * hidden, hidden})
    return ctx.fail("W must be [" + std::to_string(dirs) + ", " + std::to_string(gates * hidden) + ", " +
                    std::to_string(in) + "] and R [" + std::to_string(dirs) + ", " +
                    std::to_string(gates * hidden) + ", " + std::to_string(hidden) + "]");
  std::optional<int64_t> steps = llvm::checkedMul(u.seq, u.batch);
  std::optional<int64_t> states = steps ? llvm::checkedMul(*steps, hidden) : std::nullopt;
  if (u.seq > 65536 || !states || *states > kMaxBuiltElements)
    return ctx.fail("the recurrent op's sequence is too long to unroll");
  Value bias = ctx.hasInput(3) ? ctx.input(3) : Value();
  if (ctx.hasInput(3) && !bias)
    return failure();
  // sequence_lens: a constant; steps past a batch entry's length leave its
  // state alone and give zeros in Y.
  SmallVector<int64_t> lens(u.batch, u.seq);
  bool partial = false;
  if (ctx.hasInput(4)) {
    auto given = ctx.constantInts(4, "sequence_lens");
    if (failed(given))
      return failure();
    if (int64_t(given->size()) != u.batch)
      return ctx.fail("sequence_lens needs one length per batch entry");
    for (auto [b, l] : llvm::enumerate(*given)) {
      if (l < 0 || l > u.seq)
        return ctx.fail("sequence_lens " + std::to_string(l) + " is outside [0, " + std::to_string(u.seq) + "]");
      lens[b] = l;
      partial |= l != u.seq;
    }
  }
  auto state = [&](size_t input) -> FailureOr<Value> {
    if (!ctx.hasInput(input))
      return Value();
    Value v = ctx.input(input);
    if (v && layout == 1)
      v = u.transpose(v, {1, 0, 2});
    if (!v)
      return failure();
    return v;
  };
  auto h0 = state(5);
  auto c0 = cell == Cell::Lstm ? state(6) : FailureOr<Value>(Value());
  if (failed(h0) || failed(c0))
    return failure();
  Value peephole = cell == Cell::Lstm && ctx.hasInput(7) ? ctx.input(7) : Value();
  bool coupled = cell == Cell::Lstm && ctx.getInt("input_forget", 0) != 0;
  bool linearBeforeReset = cell == Cell::Gru && ctx.getInt("linear_before_reset", 0) != 0;

  // valid[t]: [batch, 1] booleans, t < len[b].
  auto valid = [&](int64_t t) {
    SmallVector<int64_t> v;
    for (int64_t b = 0; b < u.batch; ++b)
      v.push_back(t < lens[b]);
    return ctx.constant(g::makeInts(RankedTensorType::get({u.batch, 1}, ctx.b.getI1Type()), v, "step_valid"));
  };
  Value zeros = u.scalar(0, "zero");

  SmallVector<Value> ys, finalH, finalC;
  for (int64_t dir = 0; dir < dirs; ++dir) {
    bool reverse = direction == "reverse" || dir == 1;
    ArrayRef<Activation> a = ArrayRef<Activation>(*acts).slice(dir * defaults.size(), defaults.size());
    Value xs = reverse && partial ? reverseWithinLengths(ctx, x, lens) : x;
    // The input projection of every step, with the biases that add outside
    // any gate product.
    Value proj = u.matmulT(xs, u.gateRows(w, dir, 0, gates));
    Value recurrentBias;
    if (bias) {
      Value wb = u.biasPart(bias, dir, 0, gates);
      Value rb = u.biasPart(bias, dir, gates, gates);
      if (linearBeforeReset) {
        // The new gate's recurrent bias stays inside r * (...).
        recurrentBias = u.biasPart(bias, dir, gates + 2);
        rb = u.concat({u.biasPart(bias, dir, gates, 2), u.mul(recurrentBias, zeros)}, 0);
      }
      proj = u.add(proj, u.add(wb, rb));
    }
    Value h = *h0 ? u.reshape(u.slice(*h0, {dir, 0, 0}, {dir + 1, u.batch, hidden}), {u.batch, hidden})
                  : u.zeroState();
    Value c;
    if (cell == Cell::Lstm)
      c = *c0 ? u.reshape(u.slice(*c0, {dir, 0, 0}, {dir + 1, u.batch, hidden}), {u.batch, hidden})
              : u.zeroState();
    Value pi, po, pf;
    if (peephole) {
      pi = u.biasPart(peephole, dir, 0);
      po = u.biasPart(peephole, dir, 1);
      pf = u.biasPart(peephole, dir, 2);
    }
    Value rAll = u.gateRows(r, dir, 0, gates);
    Value rZR = cell == Cell::Gru ? u.gateRows(r, dir, 0, 2) : Value();
    Value rH = cell == Cell::Gru ? u.gateRows(r, dir, 2) : Value();
    SmallVector<Value> stepY(u.seq);
    for (int64_t step = 0; step < u.seq; ++step) {
      // Unrolled in processing order; with lengths, a reversed direction
      // runs forward over the reversed steps.
      int64_t t = reverse && !partial ? u.seq - 1 - step : step;
      Value hNew, cNew;
      if (cell == Cell::Rnn) {
        hNew = u.activate(a[0], u.add(u.stepGate(proj, t, 0), u.matmulT(h, rAll)));
      } else if (cell == Cell::Gru) {
        // gates z, r, h: z, r from one product; h~ from r * h (or r * (h R^T + Rb)).
        Value zr = u.matmulT(h, rZR);
        Value z = u.activate(a[0], u.add(u.stepGate(proj, t, 0), u.gate(zr, 0)));
        Value rg = u.activate(a[0], u.add(u.stepGate(proj, t, 1), u.gate(zr, 1)));
        Value candidate;
        if (linearBeforeReset) {
          Value hr = u.matmulT(h, rH);
          if (recurrentBias)
            hr = u.add(hr, recurrentBias);
          candidate = u.add(u.stepGate(proj, t, 2), u.mul(rg, hr));
        } else {
          candidate = u.add(u.stepGate(proj, t, 2), u.matmulT(u.mul(rg, h), rH));
        }
        Value hh = u.activate(a[1], candidate);
        hNew = u.add(hh, u.mul(z, u.sub(h, hh))); // (1 - z) * hh + z * h
      } else {
        // gates i, o, f, c.
        Value all = u.matmulT(h, rAll);
        auto pre = [&](int64_t k) { return u.add(u.stepGate(proj, t, k), u.gate(all, k)); };
        Value ipre = pre(0), fpre = pre(2);
        if (peephole) {
          ipre = u.add(ipre, u.mul(pi, c));
          fpre = u.add(fpre, u.mul(pf, c));
        }
        Value ig = u.activate(a[0], ipre);
        Value fg = coupled ? u.sub(u.scalar(1, "one"), ig) : u.activate(a[0], fpre);
        Value cand = u.activate(a[1], pre(3));
        cNew = u.add(u.mul(fg, c), u.mul(ig, cand));
        Value opre = pre(1);
        if (peephole)
          opre = u.add(opre, u.mul(po, cNew));
        hNew = u.mul(u.activate(a[0], opre), u.activate(a[2], cNew));
      }
      if (partial) {
        Value ok = valid(step);
        stepY[t] = u.where(ok, hNew, zeros);
        hNew = u.where(ok, hNew, h);
        if (cNew)
          cNew = u.where(ok, cNew, c);
      } else {
        stepY[t] = hNew;
      }
      h = hNew;
      c = cNew;
      if (!h)
        return failure();
    }
    SmallVector<Value> steps;
    for (Value v : stepY)
      steps.push_back(u.reshape(v, {1, 1, u.batch, hidden}));
    Value y = u.concat(steps, 0);
    if (reverse && partial)
      y = u.reshape(reverseWithinLengths(ctx, u.reshape(y, {u.seq, u.batch, hidden}), lens), {u.seq, 1, u.batch, hidden});
    ys.push_back(y);
    finalH.push_back(u.reshape(h, {1, u.batch, hidden}));
    if (c)
      finalC.push_back(u.reshape(c, {1, u.batch, hidden}));
  }
  Value y = u.concat(ys, 1), yh = u.concat(finalH, 0);
  Value yc = cell == Cell::Lstm ? u.concat(finalC, 0) : Value();
  if (layout == 1) {
    y = u.transpose(y, {2, 0, 1, 3});
    yh = u.transpose(yh, {1, 0, 2});
    if (yc)
      yc = u.transpose(yc, {1, 0, 2});
  }
  if (!y || !yh || failed(ctx.setOutput(0, y)) || failed(ctx.setOutput(1, yh)))
    return failure();
  return cell == Cell::Lstm && yc ? ctx.setOutput(2, yc) : success();
}

/// graph.lstm where it implements the node, the unrolled graph otherwise.
LogicalResult lstm(NodeContext &ctx) {
  std::string direction = ctx.getString("direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t layout = ctx.getInt("layout", 0);
  SmallVector<std::string> acts = ctx.getStrings("activations");
  bool defaultActivations = true;
  for (size_t i = 0; i < acts.size(); ++i)
    defaultActivations &= acts[i] == (i % 3 == 0 ? "Sigmoid" : "Tanh");
  bool fullLengths = true;
  if (ctx.hasInput(4)) {
    auto lens = ctx.constantInts(4, "LSTM sequence_lens");
    auto xt = ctx.inputType(0);
    if (failed(lens) || !xt)
      return failure();
    if (xt.getRank() != 3)
      return ctx.fail("the recurrent op's X must be a rank-3 float tensor");
    int64_t seq = xt.getDimSize(layout == 1 ? 1 : 0);
    fullLengths = llvm::all_of(*lens, [&](int64_t l) { return l == seq; });
  }
  if (ctx.attr("clip") || ctx.getInt("input_forget", 0) != 0 || !defaultActivations || ctx.hasInput(7) ||
      !fullLengths || (layout != 0 && layout != 1) || (!acts.empty() && int64_t(acts.size()) != 3 * dirs))
    return unrolledRecurrence(ctx, Cell::Lstm);
  // layout 1 is batch-first: transpose to the dialect's layout 0 and back.
  auto transpose = [&](Value v, ArrayRef<int64_t> perm) -> Value {
    auto t = ctx.create<g::TransposeOp>({v}, {ctx.i64s("perm", perm)});
    return succeeded(t) ? *t : Value();
  };
  Value x = ctx.input(0), w = ctx.input(1), r = ctx.input(2);
  if (!x || !w || !r)
    return failure();
  if (layout == 1 && !(x = transpose(x, {1, 0, 2})))
    return failure();
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

LogicalResult rnn(NodeContext &ctx) { return unrolledRecurrence(ctx, Cell::Rnn); }
LogicalResult gru(NodeContext &ctx) { return unrolledRecurrence(ctx, Cell::Gru); }

} // namespace

llvm::ArrayRef<OpEntry> recurrentOps() {
  static const OpEntry rows[] = {
      {"GRU", 14, 17, gru,
       "sequence_lens a compile-time constant; unrolled over the sequence"},
      {"LSTM", 14, 17, lstm,
       "sequence_lens a compile-time constant; one graph.lstm with the default activations, no clip, "
       "input_forget or peepholes and full-length sequences, unrolled otherwise"},
      {"RNN", 14, 17, rnn,
       "sequence_lens a compile-time constant; unrolled over the sequence"},
  };
  return rows;
}

} // namespace edgec::onnx_import
