//===- OpTable.cpp - ONNX op -> graph dialect builders --------------------===//
//
// One row per ONNX op. Builders normalise ONNX's conventions (defaults,
// negative axes, auto_pad, constant shape operands) into the explicit
// attributes of the graph dialect; shape checks live in the dialect's
// inference, which reports through the node's location.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/NodeContext.h"
#include "compiler/onnx/TensorProto.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>
#include <limits>

using namespace mlir;
namespace g = edgec::graph;

namespace edgec::onnx_import {
namespace {

LogicalResult bind(NodeContext &ctx, FailureOr<Value> v, size_t output = 0) {
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

/// ONNX Pow allows an exponent of another type; the result has the base's.
LogicalResult pow(NodeContext &ctx) {
  Value a = ctx.input(0), e = ctx.input(1);
  if (!a || !e)
    return failure();
  Type base = llvm::cast<RankedTensorType>(a.getType()).getElementType();
  if (llvm::cast<RankedTensorType>(e.getType()).getElementType() != base) {
    auto cast = ctx.create<g::CastOp>({e}, {ctx.named("to", TypeAttr::get(base))});
    if (failed(cast))
      return failure();
    e = *cast;
  }
  return bind(ctx, ctx.create<g::PowOp>({a, e}));
}

/// Max, Min, Sum: variadic in ONNX, a left fold of the binary op here.
template <typename OpTy>
LogicalResult variadic(NodeContext &ctx) {
  Value acc = ctx.input(0);
  for (size_t i = 1; acc && i < ctx.numInputs(); ++i) {
    Value next = ctx.input(i);
    auto r = next ? ctx.create<OpTy>({acc, next}) : FailureOr<Value>(failure());
    acc = succeeded(r) ? *r : Value();
  }
  return acc ? ctx.setOutput(0, acc) : failure();
}

/// Outputs that edgec does not produce (MaxPool indices, Dropout mask, ...)
/// must not be consumed.
LogicalResult onlyFirstOutput(NodeContext &ctx) {
  for (size_t i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.outputUsed(i))
      return ctx.fail("output " + std::to_string(i) + " ('" + ctx.node.output(i) +
                      "') is not supported");
  return success();
}

LogicalResult identity(NodeContext &ctx) {
  // Dropout's training_mode (input 2) must be absent or false.
  if (ctx.node.op_type() == "Dropout" && ctx.hasInput(2)) {
    auto training = ctx.constantInts(2, "Dropout training_mode");
    if (failed(training))
      return failure();
    if (llvm::any_of(*training, [](int64_t v) { return v != 0; }))
      return ctx.unsupported("training_mode", "true (edgec compiles inference)");
  }
  Value x = ctx.input(0);
  if (!x || failed(onlyFirstOutput(ctx)))
    return failure();
  return ctx.setOutput(0, x);
}

LogicalResult leakyRelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  return bind(ctx, ctx.create<g::LeakyReluOp>(
                       {x}, {ctx.named("alpha", ctx.b.getF32FloatAttr(ctx.getFloat("alpha", 0.01f)))}));
}

LogicalResult hardSigmoid(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  return bind(ctx, ctx.create<g::HardSigmoidOp>(
                       {x}, {ctx.named("alpha", ctx.b.getF32FloatAttr(ctx.getFloat("alpha", 0.2f))),
                             ctx.named("beta", ctx.b.getF32FloatAttr(ctx.getFloat("beta", 0.5f)))}));
}

/// Clip with constant bounds is graph.clip; a bound computed at run time
/// (melspectrogram clips at max(x) - 80 dB) becomes graph.max / graph.min.
/// Unary ops with float attributes (name, ONNX default).
template <typename OpTy>
LogicalResult unaryWithAttrs(NodeContext &ctx, std::initializer_list<std::pair<const char *, float>> attrs) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  SmallVector<NamedAttribute> named;
  for (auto [name, def] : attrs)
    named.push_back(ctx.named(name, ctx.b.getF32FloatAttr(ctx.getFloat(name, def))));
  return bind(ctx, ctx.create<OpTy>({x}, named));
}

LogicalResult elu(NodeContext &ctx) { return unaryWithAttrs<g::EluOp>(ctx, {{"alpha", 1.0f}}); }
LogicalResult celu(NodeContext &ctx) { return unaryWithAttrs<g::CeluOp>(ctx, {{"alpha", 1.0f}}); }
LogicalResult selu(NodeContext &ctx) {
  return unaryWithAttrs<g::SeluOp>(ctx, {{"alpha", 1.67326319217681884765625f},
                                         {"gamma", 1.05070102214813232421875f}});
}
LogicalResult thresholdedRelu(NodeContext &ctx) {
  return unaryWithAttrs<g::ThresholdedReluOp>(ctx, {{"alpha", 1.0f}});
}

/// PRelu's slope broadcasts against X. Models converted from PRelu-6 (and
/// PyTorch's exports of it) give a per-channel slope [C] that only fits
/// along dim 1: it is reshaped to [C, 1, ...] to keep that meaning.
LogicalResult prelu(NodeContext &ctx) {
  Value x = ctx.input(0), slope = ctx.input(1);
  if (!x || !slope)
    return failure();
  auto xt = llvm::cast<RankedTensorType>(x.getType());
  auto st = llvm::cast<RankedTensorType>(slope.getType());
  if (st.getRank() == 1 && xt.getRank() > 2 && st.getDimSize(0) == xt.getDimSize(1) &&
      st.getDimSize(0) != xt.getShape().back() && st.getDimSize(0) != 1) {
    SmallVector<int64_t> shape(xt.getRank() - 1, 1);
    shape[0] = st.getDimSize(0);
    auto r = ctx.create<g::ReshapeOp>({slope}, {ctx.i64s("shape", shape)});
    if (failed(r))
      return failure();
    slope = *r;
  }
  return bind(ctx, ctx.create<g::PReluOp>({x, slope}));
}

LogicalResult where(NodeContext &ctx) {
  Value c = ctx.input(0), a = ctx.input(1), b = ctx.input(2);
  return c && a && b ? bind(ctx, ctx.create<g::WhereOp>({c, a, b})) : failure();
}

// Expand broadcasts its input to a constant shape (numpy rules, either side
// may be 1): a Where with a splat `true` condition of that shape, which
// broadcasts the same way and copies every value exactly.
LogicalResult expand(NodeContext &ctx) {
  Value x = ctx.input(0);
  auto dims = ctx.constantInts(1, "Expand shape");
  if (!x || failed(dims))
    return failure();
  ArrayRef<int64_t> in = llvm::cast<RankedTensorType>(x.getType()).getShape();
  size_t rank = std::max(in.size(), dims->size());
  SmallVector<int64_t> out(rank, 1);
  for (size_t k = 0; k < rank; ++k) {
    int64_t a = k + in.size() >= rank ? in[k + in.size() - rank] : 1;
    int64_t b = k + dims->size() >= rank ? (*dims)[k + dims->size() - rank] : 1;
    if (a != b && a != 1 && b != 1)
      return ctx.fail("Expand cannot broadcast the input to the shape given");
    out[k] = a == 1 ? b : a;
  }
  auto condType = RankedTensorType::get(out, ctx.b.getI1Type());
  Value cond = ctx.constant(DenseElementsAttr::get(condType, true));
  return bind(ctx, ctx.create<g::WhereOp>({cond, x, x}));
}

LogicalResult clip(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  SmallVector<NamedAttribute> attrs;
  for (auto [i, name] : {std::pair<size_t, StringRef>{1, "min"}, {2, "max"}}) {
    if (!ctx.hasInput(i))
      continue;
    Value bound = ctx.input(i);
    if (!bound)
      return failure();
    if (llvm::cast<RankedTensorType>(bound.getType()).getNumElements() != 1)
      return ctx.fail("Clip " + name + " must be a scalar");
    SmallVector<float> v;
    if (g::readFloats(g::getConstant(bound), v)) {
      attrs.push_back(ctx.named(name, ctx.b.getF32FloatAttr(v[0])));
      continue;
    }
    auto r = name == "min" ? ctx.create<g::MaxOp>({x, bound}) : ctx.create<g::MinOp>({x, bound});
    if (failed(r))
      return failure();
    x = *r;
  }
  if (attrs.empty())
    return ctx.setOutput(0, x);
  return bind(ctx, ctx.create<g::ClipOp>({x}, attrs));
}

LogicalResult cast(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x)
    return failure();
  Type to = elementTypeFor(ctx.b.getContext(), ctx.getInt("to", 0));
  if (!to)
    return ctx.unsupported("to", dataTypeName(static_cast<int32_t>(ctx.getInt("to", 0))));
  return bind(ctx, ctx.create<g::CastOp>({x}, {ctx.named("to", TypeAttr::get(to))}));
}

LogicalResult softmax(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", -1), t.getRank());
  if (failed(axis))
    return failure();
  return bind(ctx, ctx.create<g::SoftmaxOp>({ctx.input(0)},
                                            {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis))}));
}

LogicalResult gemm(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  if (!a || !b)
    return failure();
  SmallVector<Value> operands{a, b};
  if (ctx.hasInput(2)) {
    Value c = ctx.input(2);
    if (!c)
      return failure();
    operands.push_back(c);
  }
  return bind(ctx, ctx.create<g::GemmOp>(
                       operands,
                       {ctx.named("alpha", ctx.b.getF32FloatAttr(ctx.getFloat("alpha", 1.0f))),
                        ctx.named("beta", ctx.b.getF32FloatAttr(ctx.getFloat("beta", 1.0f))),
                        ctx.named("trans_a", ctx.b.getBoolAttr(ctx.getInt("transA", 0))),
                        ctx.named("trans_b", ctx.b.getBoolAttr(ctx.getInt("transB", 0)))}));
}

/// Strides, dilations and explicit pads of a conv or pool window, with
/// auto_pad resolved against the input's spatial dims.
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

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

LogicalResult conv(NodeContext &ctx) {
  Value x = ctx.input(0), wv = ctx.input(1);
  if (!x || !wv)
    return failure();
  auto xType = llvm::cast<RankedTensorType>(x.getType());
  auto wType = llvm::cast<RankedTensorType>(wv.getType());
  if (wType.getRank() < 3 || xType.getRank() != wType.getRank())
    return ctx.fail("Conv input and weight must have equal rank >= 3");
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  SmallVector<int64_t> given = ctx.getInts("kernel_shape");
  if (!given.empty() && ArrayRef<int64_t>(given) != kernel)
    return ctx.fail("kernel_shape does not match the weight's spatial dims");
  auto w = readWindow(ctx, xType, kernel);
  if (failed(w))
    return failure();
  SmallVector<Value> operands{x, wv};
  if (ctx.hasInput(2)) {
    Value b = ctx.input(2);
    if (!b)
      return failure();
    operands.push_back(b);
  }
  return bind(ctx, ctx.create<g::ConvOp>(
                       operands, {ctx.i64s("strides", w->strides), ctx.i64s("pads", w->pads),
                                  ctx.i64s("dilations", w->dilations),
                                  ctx.named("group", ctx.b.getI64IntegerAttr(ctx.getInt("group", 1)))}));
}

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

LogicalResult batchNorm(NodeContext &ctx) {
  if (ctx.getInt("training_mode", 0) != 0)
    return ctx.unsupported("training_mode", "1 (edgec compiles inference)");
  if (failed(onlyFirstOutput(ctx)))
    return failure();
  SmallVector<Value> operands;
  for (size_t i = 0; i < 5; ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    operands.push_back(v);
  }
  return bind(ctx, ctx.create<g::BatchNormOp>(
                       operands, {ctx.named("epsilon", ctx.b.getF32FloatAttr(ctx.getFloat("epsilon", 1e-5f)))}));
}

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

template <typename OpTy>
LogicalResult reduce(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<int64_t> axes;
  // ReduceSum takes axes as an input from opset 13, the others as attribute
  // until opset 18.
  if (ctx.hasInput(1)) {
    auto v = ctx.constantInts(1, "axes");
    if (failed(v))
      return failure();
    axes = *v;
  } else {
    axes = ctx.getInts("axes");
  }
  if (axes.empty() && ctx.getInt("noop_with_empty_axes", 0))
    return ctx.setOutput(0, ctx.input(0));
  if (axes.empty())
    for (int64_t i = 0; i < t.getRank(); ++i)
      axes.push_back(i);
  for (int64_t &a : axes) {
    auto n = normaliseAxis(ctx, a, t.getRank());
    if (failed(n))
      return failure();
    a = *n;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return bind(ctx, ctx.create<OpTy>({ctx.input(0)}, {ctx.i64s("axes", axes),
                                                     ctx.named("keepdims", ctx.b.getBoolAttr(ctx.getInt("keepdims", 1)))}));
}

LogicalResult globalAveragePool(NodeContext &ctx) {
  return unary<g::GlobalAveragePoolOp>(ctx);
}

LogicalResult reshape(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto shape = ctx.constantInts(1, "Reshape shape");
  if (failed(shape))
    return failure();
  bool allowZero = ctx.getInt("allowzero", 0);
  int64_t known = 1, inferred = -1;
  SmallVector<int64_t> dims(*shape);
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= t.getRank())
        return ctx.fail("Reshape copies dim " + std::to_string(i) + " from an input of rank " +
                        std::to_string(t.getRank()));
      d = t.getDimSize(i);
    }
    if (d == -1) {
      if (inferred >= 0)
        return ctx.fail("Reshape shape has more than one -1");
      inferred = i;
      continue;
    }
    if (d < 0)
      return ctx.fail("Reshape shape has negative dim " + std::to_string(d));
    known *= d;
  }
  if (inferred >= 0) {
    if (known == 0 || t.getNumElements() % known != 0)
      return ctx.fail("Reshape cannot infer the -1 dim of the new shape");
    dims[inferred] = t.getNumElements() / known;
  }
  return bind(ctx, ctx.create<g::ReshapeOp>({ctx.input(0)}, {ctx.i64s("shape", dims)}));
}

LogicalResult flatten(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  int64_t axis = ctx.getInt("axis", 1);
  if (axis < -t.getRank() || axis > t.getRank())
    return ctx.fail("Flatten axis out of range");
  if (axis < 0)
    axis += t.getRank();
  return bind(ctx, ctx.create<g::FlattenOp>({ctx.input(0)},
                                            {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))}));
}

LogicalResult transpose(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<int64_t> perm = ctx.getInts("perm");
  if (!ctx.attr("perm"))
    for (int64_t i = t.getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  return bind(ctx, ctx.create<g::TransposeOp>({ctx.input(0)}, {ctx.i64s("perm", perm)}));
}

/// Axes of Squeeze/Unsqueeze: an input since opset 13.
FailureOr<SmallVector<int64_t>> sortedAxes(NodeContext &ctx, int64_t rank) {
  auto axes = ctx.constantInts(1, "axes");
  if (failed(axes))
    return failure();
  for (int64_t &a : *axes) {
    auto n = normaliseAxis(ctx, a, rank);
    if (failed(n))
      return failure();
    a = *n;
  }
  llvm::sort(*axes);
  return axes;
}

LogicalResult squeeze(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<int64_t> axes;
  if (ctx.hasInput(1)) {
    auto a = sortedAxes(ctx, t.getRank());
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (t.getDimSize(i) == 1)
        axes.push_back(i);
  }
  return bind(ctx, ctx.create<g::SqueezeOp>({ctx.input(0)}, {ctx.i64s("axes", axes)}));
}

LogicalResult unsqueeze(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t || !ctx.hasInput(1))
    return t ? ctx.fail("Unsqueeze needs axes") : failure();
  auto count = ctx.constantInts(1, "axes");
  if (failed(count))
    return failure();
  auto axes = sortedAxes(ctx, t.getRank() + static_cast<int64_t>(count->size()));
  if (failed(axes))
    return failure();
  return bind(ctx, ctx.create<g::UnsqueezeOp>({ctx.input(0)}, {ctx.i64s("axes", *axes)}));
}

LogicalResult concat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    inputs.push_back(v);
  }
  if (inputs.empty())
    return ctx.fail("Concat needs at least one input");
  int64_t rank = llvm::cast<RankedTensorType>(inputs[0].getType()).getRank();
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  return bind(ctx, ctx.create<g::ConcatOp>(inputs, {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis))}));
}

LogicalResult slice(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto starts = ctx.constantInts(1, "Slice starts");
  auto ends = ctx.constantInts(2, "Slice ends");
  if (failed(starts) || failed(ends))
    return failure();
  SmallVector<int64_t> axes, steps;
  if (ctx.hasInput(3)) {
    auto a = ctx.constantInts(3, "Slice axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (ctx.hasInput(4)) {
    auto s = ctx.constantInts(4, "Slice steps");
    if (failed(s))
      return failure();
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return ctx.fail("Slice starts, ends, axes and steps differ in length");
  int64_t rank = t.getRank();
  SmallVector<int64_t> s(rank, 0), e(t.getShape()), st(rank, 1);
  for (size_t k = 0; k < axes.size(); ++k) {
    auto axis = normaliseAxis(ctx, axes[k], rank);
    if (failed(axis))
      return failure();
    int64_t d = t.getDimSize(*axis), step = steps[k];
    if (step == 0)
      return ctx.fail("Slice step must not be 0");
    // ONNX: negative positions count from the end; then clamp to the range
    // [0, d] (step > 0) or [-1, d - 1] (step < 0).
    // [0, d] (step > 0); for negative steps starts to [0, d - 1] and ends to
    // [-1, d - 1].
    auto clampPos = [&](int64_t p, bool isStart) {
      if (p < 0)
        p = std::max<int64_t>(p, std::numeric_limits<int64_t>::min() + d) + d;
      if (step > 0)
        return std::clamp<int64_t>(p, 0, d);
      return std::clamp<int64_t>(p, isStart ? 0 : -1, d - 1);
    };
    s[*axis] = clampPos((*starts)[k], true);
    e[*axis] = clampPos((*ends)[k], false);
    st[*axis] = step;
  }
  return bind(ctx, ctx.create<g::SliceOp>({ctx.input(0)}, {ctx.i64s("starts", s), ctx.i64s("ends", e),
                                                           ctx.i64s("steps", st)}));
}

LogicalResult gather(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  Value idx = t ? ctx.input(1) : Value();
  if (!idx)
    return failure();
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", 0), t.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> constIdx;
  int64_t dim = t.getDimSize(*axis);
  if (g::readInts(g::getConstant(idx), constIdx))
    for (int64_t i : constIdx)
      if (i < -dim || i >= dim)
        return ctx.fail("Gather index " + std::to_string(i) + " is out of range for a dim of " +
                        std::to_string(dim));
  return bind(ctx, ctx.create<g::GatherOp>({ctx.input(0), idx},
                                           {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis))}));
}

LogicalResult pad(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto pads = ctx.constantInts(1, "Pad pads");
  if (failed(pads))
    return failure();
  float value = 0.0f;
  if (ctx.hasInput(2)) {
    auto v = ctx.constantFloats(2, "Pad constant_value");
    if (failed(v))
      return failure();
    if (v->size() != 1)
      return ctx.fail("Pad constant_value must be a scalar");
    value = (*v)[0];
  }
  return bind(ctx, ctx.create<g::PadOp>({ctx.input(0)},
                                        {ctx.i64s("pads", *pads),
                                         ctx.named("mode", ctx.b.getStringAttr(ctx.getString("mode", "constant"))),
                                         ctx.named("value", ctx.b.getF32FloatAttr(value))}));
}

LogicalResult resize(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<float> scales;
  SmallVector<int64_t> sizes;
  if (ctx.hasInput(3)) {
    auto s = ctx.constantInts(3, "Resize sizes");
    if (failed(s))
      return failure();
    sizes = *s;
    if (static_cast<int64_t>(sizes.size()) != t.getRank())
      return ctx.fail("Resize sizes needs one value per dim");
    for (auto [i, d] : llvm::enumerate(sizes))
      scales.push_back(static_cast<float>(d) / static_cast<float>(t.getDimSize(i)));
  } else if (ctx.hasInput(2)) {
    auto s = ctx.constantFloats(2, "Resize scales");
    if (failed(s))
      return failure();
    scales = *s;
    if (static_cast<int64_t>(scales.size()) != t.getRank())
      return ctx.fail("Resize scales needs one value per dim");
    for (auto [i, sc] : llvm::enumerate(scales))
      sizes.push_back(static_cast<int64_t>(std::floor(t.getDimSize(i) * sc)));
  } else {
    return ctx.fail("Resize needs scales or sizes");
  }
  std::string ctm = ctx.getString("coordinate_transformation_mode", "half_pixel");
  if (ctm == "tf_crop_and_resize")
    return ctx.unsupported("coordinate_transformation_mode", "'tf_crop_and_resize'");
  if (ctx.getInt("exclude_outside", 0) != 0)
    return ctx.unsupported("exclude_outside", "1");
  if (ctx.attr("cubic_coeff_a") && ctx.getFloat("cubic_coeff_a", -0.75f) != -0.75f)
    return ctx.unsupported("cubic_coeff_a", std::to_string(ctx.getFloat("cubic_coeff_a", 0)) +
                                                " (only the default -0.75)");
  return bind(ctx, ctx.create<g::ResizeOp>(
                       {ctx.input(0)},
                       {ctx.i64s("sizes", sizes), ctx.named("scales", ctx.b.getDenseF32ArrayAttr(scales)),
                        ctx.named("mode", ctx.b.getStringAttr(ctx.getString("mode", "nearest"))),
                        ctx.named("coordinate_transformation_mode", ctx.b.getStringAttr(ctm)),
                        ctx.named("nearest_mode",
                                  ctx.b.getStringAttr(ctx.getString("nearest_mode", "round_prefer_floor")))}));
}

/// Shape of a static tensor is a constant.
LogicalResult shape(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  int64_t rank = t.getRank();
  auto clampEnd = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  int64_t start = clampEnd(ctx.getInt("start", 0)), end = clampEnd(ctx.getInt("end", rank));
  SmallVector<int64_t> dims(t.getShape().begin() + start,
                            t.getShape().begin() + std::max(start, end));
  auto type = RankedTensorType::get({static_cast<int64_t>(dims.size())}, ctx.b.getI64Type());
  return ctx.setOutput(0, ctx.constant(g::makeInts(type, dims)));
}

LogicalResult constantOfShape(NodeContext &ctx) {
  auto dims = ctx.constantInts(0, "ConstantOfShape shape");
  if (failed(dims))
    return failure();
  Type element = ctx.b.getF32Type();
  std::vector<char> one(4, 0); // default: float 0
  if (const auto *value = ctx.attr("value")) {
    auto attr = tensorToAttr(value->t(), ctx.b.getContext(), ctx.loc, "fill");
    if (failed(attr))
      return failure();
    if (attr->getNumElements() != 1)
      return ctx.fail("ConstantOfShape value must have one element");
    element = attr->getElementType();
    SmallVector<float> f;
    SmallVector<int64_t> i;
    if (g::readFloats(*attr, f))
      one.assign(reinterpret_cast<char *>(f.data()), reinterpret_cast<char *>(f.data()) + 4);
    else if (g::readInts(*attr, i))
      one.assign(reinterpret_cast<char *>(i.data()),
                 reinterpret_cast<char *>(i.data()) +
                     (element.isInteger(1) ? 1 : element.getIntOrFloatBitWidth() / 8));
    else
      return ctx.fail("ConstantOfShape value must be f32 or integer");
  }
  int64_t n = g::numElements(*dims);
  if (n < 0 || n > (int64_t(1) << 28))
    return ctx.fail("ConstantOfShape shape is invalid or too large");
  std::vector<char> bytes;
  bytes.reserve(n * one.size());
  for (int64_t k = 0; k < n; ++k)
    bytes.insert(bytes.end(), one.begin(), one.end());
  auto type = RankedTensorType::get(*dims, element);
  return ctx.setOutput(0, ctx.constant(g::makeFromBytes(type, bytes, "filled")));
}

LogicalResult constant(NodeContext &ctx) {
  Builder &b = ctx.b;
  const auto &attrs = ctx.node.attribute();
  if (attrs.size() != 1)
    return ctx.fail("Constant needs exactly one value attribute");
  const onnx::AttributeProto &a = attrs[0];
  std::string name = ctx.node.output(0);
  auto scalarOrList = [&](Type element, auto values, bool scalar) -> ElementsAttr {
    SmallVector<int64_t> shape;
    if (!scalar)
      shape.push_back(static_cast<int64_t>(values.size()));
    auto type = RankedTensorType::get(shape, element);
    if constexpr (std::is_same_v<typename decltype(values)::value_type, float>)
      return g::makeFloats(type, values, name);
    else
      return g::makeInts(type, values, name);
  };
  ElementsAttr value;
  if (a.name() == "value") {
    auto attr = tensorToAttr(a.t(), b.getContext(), ctx.loc, name);
    if (failed(attr))
      return failure();
    value = *attr;
  } else if (a.name() == "value_float") {
    value = scalarOrList(b.getF32Type(), SmallVector<float>{a.f()}, true);
  } else if (a.name() == "value_floats") {
    value = scalarOrList(b.getF32Type(), SmallVector<float>(a.floats().begin(), a.floats().end()), false);
  } else if (a.name() == "value_int") {
    value = scalarOrList(b.getI64Type(), SmallVector<int64_t>{a.i()}, true);
  } else if (a.name() == "value_ints") {
    value = scalarOrList(b.getI64Type(), SmallVector<int64_t>(a.ints().begin(), a.ints().end()), false);
  } else {
    return ctx.unsupported(a.name(), "(sparse and string constants)");
  }
  return ctx.setOutput(0, ctx.constant(value));
}

/// ONNX QuantizeLinear / DequantizeLinear: scale and zero point must be
/// constants; they become the !quant.uniform element type.
FailureOr<Type> quantType(NodeContext &ctx, RankedTensorType floatLike, size_t scaleInput,
                          size_t zpInput, Type defaultStorage, std::optional<int64_t> fixedAxis = std::nullopt) {
  auto scales = ctx.constantFloats(scaleInput, "quantisation scale");
  if (failed(scales))
    return failure();
  SmallVector<int64_t> zps(scales->size(), 0);
  Type storage = defaultStorage;
  if (ctx.hasInput(zpInput)) {
    Value zp = ctx.input(zpInput);
    auto z = ctx.constantInts(zpInput, "quantisation zero point");
    if (failed(z))
      return failure();
    zps = *z;
    storage = llvm::cast<RankedTensorType>(zp.getType()).getElementType();
  }
  auto storageInt = llvm::dyn_cast<IntegerType>(storage);
  if (!storageInt || storageInt.getWidth() != 8)
    return ctx.fail("only int8 and uint8 quantisation are supported"), failure();
  if (zps.size() != scales->size())
    return ctx.fail("scale and zero point differ in length"), failure();
  bool isSigned = !storageInt.isUnsigned();
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t qmin = isSigned ? -128 : 0, qmax = isSigned ? 127 : 255;
  Type i8 = ctx.b.getIntegerType(8);
  Type expressed = ctx.b.getF32Type();
  // A scalar scale, or (where the op has no axis) a single one: per tensor.
  if (scales->size() == 1 &&
      (fixedAxis || llvm::cast<RankedTensorType>(ctx.input(scaleInput).getType()).getRank() == 0))
    return Type(quant::UniformQuantizedType::get(flags, i8, expressed, (*scales)[0], zps[0], qmin, qmax));
  auto axis = normaliseAxis(ctx, fixedAxis ? *fixedAxis : ctx.getInt("axis", 1), floatLike.getRank());
  if (failed(axis))
    return failure();
  if (floatLike.getDimSize(*axis) != static_cast<int64_t>(scales->size()))
    return ctx.fail("per-axis scales do not match the quantised dim"), failure();
  SmallVector<double> s(scales->begin(), scales->end());
  return Type(quant::UniformQuantizedPerAxisType::get(flags, i8, expressed, s, zps, *axis, qmin, qmax));
}

LogicalResult quantizeLinear(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  // Without a zero point ONNX quantises to uint8.
  auto q = quantType(ctx, t, 1, 2, ctx.b.getIntegerType(8, /*isSigned=*/false));
  if (failed(q))
    return failure();
  auto type = RankedTensorType::get(t.getShape(), *q);
  auto op = g::QuantizeOp::create(ctx.b, ctx.loc, type, ctx.input(0));
  if (failed(mlir::verify(op)))
    return failure();
  return ctx.setOutput(0, op);
}

/// A constant int32 tensor (a QDQ model's bias) dequantized at import:
/// (v - zero_point) * scale, per tensor or along the axis.
FailureOr<Value> dequantizedInt32(NodeContext &ctx, RankedTensorType t, ArrayRef<int64_t> values, size_t scaleInput,
                                  size_t zpInput, std::optional<int64_t> fixedAxis) {
  auto scales = ctx.constantFloats(scaleInput, "quantisation scale");
  if (failed(scales))
    return failure();
  SmallVector<int64_t> zps(scales->size(), 0);
  if (ctx.hasInput(zpInput)) {
    auto z = ctx.constantInts(zpInput, "quantisation zero point");
    if (failed(z))
      return failure();
    zps = *z;
  }
  if (zps.size() != scales->size())
    return ctx.fail("scale and zero point differ in length"), failure();
  int64_t axis = 0, inner = 1;
  if (scales->size() > 1) {
    auto a = normaliseAxis(ctx, fixedAxis ? *fixedAxis : ctx.getInt("axis", 1), t.getRank());
    if (failed(a))
      return failure();
    axis = *a;
    if (t.getDimSize(axis) != static_cast<int64_t>(scales->size()))
      return ctx.fail("per-axis scales do not match the quantised dim"), failure();
    for (int64_t i = axis + 1; i < t.getRank(); ++i)
      inner *= t.getDimSize(i);
  }
  SmallVector<float> out;
  for (size_t i = 0; i < values.size(); ++i) {
    size_t c = scales->size() > 1 ? (i / inner) % scales->size() : 0;
    out.push_back(static_cast<float>(double(values[i] - zps[c]) * (*scales)[c]));
  }
  return ctx.constant(g::makeFloats(RankedTensorType::get(t.getShape(), ctx.b.getF32Type()), out, "dequantized"));
}

/// dequantize(input `data` viewed with the scale and zero point inputs),
/// as DequantizeLinear and the QLinear ops read their operands.
FailureOr<Value> dequantized(NodeContext &ctx, size_t data, size_t scaleInput, size_t zpInput,
                             std::optional<int64_t> fixedAxis = std::nullopt) {
  Value x = ctx.input(data);
  if (!x)
    return failure();
  auto t = llvm::cast<RankedTensorType>(x.getType());
  // The storage type when no zero point is given is x's own.
  Type storage = t.getElementType();
  auto inQuant = llvm::dyn_cast<quant::QuantizedType>(storage);
  if (inQuant)
    storage = ctx.b.getIntegerType(8, inQuant.isSigned());
  auto storageInt = llvm::dyn_cast<IntegerType>(storage);
  SmallVector<int64_t> ints;
  if (storageInt && storageInt.getWidth() == 32 && g::readInts(g::getConstant(x), ints))
    return dequantizedInt32(ctx, t, ints, scaleInput, zpInput, fixedAxis);
  if (!storageInt || storageInt.getWidth() != 8)
    return ctx.fail("DequantizeLinear of " + std::string(storageInt ? "int32" : "non-integer") +
                    " data is only supported for int8, uint8 and constant int32 (biases)"),
           failure();
  auto q = quantType(ctx, t, scaleInput, zpInput, storage, fixedAxis);
  if (failed(q))
    return failure();
  auto quantTensor = RankedTensorType::get(t.getShape(), *q);
  if (x.getType() != quantTensor) {
    // Integer data (quantised weights), or a quantised value read with other
    // scales than it was made with: view its stored integers as this type.
    // quant.scast takes signless storage: uint8 data is reinterpreted first.
    auto signless = RankedTensorType::get(t.getShape(), ctx.b.getIntegerType(8));
    SmallVector<int64_t> values;
    if (inQuant)
      x = quant::StorageCastOp::create(ctx.b, ctx.loc, signless, x);
    else if (storageInt.isUnsigned() && g::readInts(g::getConstant(x), values))
      x = ctx.constant(g::makeInts(signless, values)); // same bytes, signless
    else if (storageInt.isUnsigned())
      x = tensor::BitcastOp::create(ctx.b, ctx.loc, signless, x);
    x = quant::StorageCastOp::create(ctx.b, ctx.loc, quantTensor, x);
  }
  return ctx.create<g::DequantizeOp>({x});
}

LogicalResult dequantizeLinear(NodeContext &ctx) { return bind(ctx, dequantized(ctx, 0, 1, 2)); }

/// The float op's result quantised with the scale and zero point inputs.
LogicalResult quantizedOutput(NodeContext &ctx, FailureOr<Value> result, size_t scaleInput, size_t zpInput) {
  if (failed(result))
    return failure();
  auto t = llvm::cast<RankedTensorType>(result->getType());
  auto zp = ctx.inputType(zpInput);
  if (!zp)
    return failure();
  auto q = quantType(ctx, t, scaleInput, zpInput, zp.getElementType(), 0);
  if (failed(q))
    return failure();
  auto op = g::QuantizeOp::create(ctx.b, ctx.loc, RankedTensorType::get(t.getShape(), *q), *result);
  if (failed(mlir::verify(op)))
    return failure();
  return ctx.setOutput(0, op);
}

/// QLinearConv as quantize(conv(dequantize(x), dequantize(w), bias)): the
/// QDQ form edgec-fuse-quantized-ops makes an integer kernel of (constant
/// symmetric weights), computed in float otherwise. The int32 bias is
/// dequantized at x_scale * w_scale[c].
LogicalResult qlinearConv(NodeContext &ctx) {
  auto x = dequantized(ctx, 0, 1, 2);
  auto w = dequantized(ctx, 3, 4, 5, 0);
  if (failed(x) || failed(w))
    return failure();
  auto xType = llvm::cast<RankedTensorType>(x->getType());
  auto wType = llvm::cast<RankedTensorType>(w->getType());
  if (wType.getRank() < 3 || xType.getRank() != wType.getRank())
    return ctx.fail("QLinearConv input and weight must have equal rank >= 3");
  auto window = readWindow(ctx, xType, wType.getShape().drop_front(2));
  if (failed(window))
    return failure();
  SmallVector<Value> operands{*x, *w};
  if (ctx.hasInput(8)) {
    auto xs = ctx.constantFloats(1, "x_scale"), ws = ctx.constantFloats(4, "w_scale");
    auto bias = ctx.constantInts(8, "QLinearConv bias");
    if (failed(xs) || failed(ws) || failed(bias))
      return failure();
    int64_t channels = wType.getDimSize(0);
    if (static_cast<int64_t>(bias->size()) != channels || (ws->size() != 1 && static_cast<int64_t>(ws->size()) != channels))
      return ctx.fail("QLinearConv bias and w_scale must have one entry per output channel");
    SmallVector<float> values;
    for (int64_t c = 0; c < channels; ++c)
      values.push_back(static_cast<float>((*bias)[c] * double((*xs)[0]) * (*ws)[ws->size() == 1 ? 0 : c]));
    auto type = RankedTensorType::get({channels}, ctx.b.getF32Type());
    operands.push_back(ctx.constant(g::makeFloats(type, values, "qlinearconv_bias")));
  }
  auto conv = ctx.create<g::ConvOp>(
      operands, {ctx.i64s("strides", window->strides), ctx.i64s("pads", window->pads),
                 ctx.i64s("dilations", window->dilations),
                 ctx.named("group", ctx.b.getI64IntegerAttr(ctx.getInt("group", 1)))});
  return quantizedOutput(ctx, conv, 6, 7);
}

/// QLinearMatMul as quantize(matmul(dequantize(a), dequantize(b))).
LogicalResult qlinearMatMul(NodeContext &ctx) {
  auto bType = ctx.inputType(3);
  if (!bType)
    return failure();
  auto a = dequantized(ctx, 0, 1, 2, 0);
  // b's scales, if per column, run along its last dim.
  auto b = dequantized(ctx, 3, 4, 5, bType.getRank() - 1);
  if (failed(a) || failed(b))
    return failure();
  return quantizedOutput(ctx, ctx.create<g::MatMulOp>({*a, *b}), 6, 7);
}

const OpEntry kOpTable[] = {
    // Elementwise
    {"Abs", 13, 17, unary<g::AbsOp>},
    {"Add", 14, 17, binary<g::AddOp>},
    {"And", 7, 17, binary<g::AndOp>},
    {"Cast", 13, 17, cast},
    {"Ceil", 13, 17, unary<g::CeilOp>},
    {"Celu", 12, 17, celu},
    {"Clip", 13, 17, clip},
    {"Cos", 7, 17, unary<g::CosOp>},
    {"Div", 14, 17, binary<g::DivOp>},
    {"Elu", 6, 17, elu},
    {"Equal", 13, 17, binary<g::EqualOp>},
    {"Erf", 13, 17, unary<g::ErfOp>},
    {"Exp", 13, 17, unary<g::ExpOp>},
    {"Floor", 13, 17, unary<g::FloorOp>},
    {"Greater", 13, 17, binary<g::GreaterOp>},
    {"GreaterOrEqual", 16, 17, binary<g::GreaterOrEqualOp>},
    {"HardSigmoid", 6, 17, hardSigmoid},
    {"HardSwish", 14, 17, unary<g::HardSwishOp>},
    {"LeakyRelu", 16, 17, leakyRelu},
    {"Less", 13, 17, binary<g::LessOp>},
    {"LessOrEqual", 16, 17, binary<g::LessOrEqualOp>},
    {"Log", 13, 17, unary<g::LogOp>},
    {"Max", 13, 17, variadic<g::MaxOp>},
    {"Min", 13, 17, variadic<g::MinOp>},
    {"Mul", 14, 17, binary<g::MulOp>},
    {"Neg", 13, 17, unary<g::NegOp>},
    {"Not", 1, 17, unary<g::NotOp>},
    {"Or", 7, 17, binary<g::OrOp>},
    {"PRelu", 16, 17, prelu},
    {"Pow", 15, 17, pow},
    {"Reciprocal", 13, 17, unary<g::ReciprocalOp>},
    {"Relu", 14, 17, unary<g::ReluOp>},
    {"Round", 11, 17, unary<g::RoundOp>},
    {"Selu", 6, 17, selu},
    {"Sigmoid", 13, 17, unary<g::SigmoidOp>},
    {"Sign", 13, 17, unary<g::SignOp>},
    {"Sin", 7, 17, unary<g::SinOp>},
    {"Softmax", 13, 17, softmax},
    {"Softplus", 1, 17, unary<g::SoftplusOp>},
    {"Softsign", 1, 17, unary<g::SoftsignOp>},
    {"Sqrt", 13, 17, unary<g::SqrtOp>},
    {"Sub", 14, 17, binary<g::SubOp>},
    {"Sum", 13, 17, variadic<g::AddOp>},
    {"Tanh", 13, 17, unary<g::TanhOp>},
    {"ThresholdedRelu", 10, 17, thresholdedRelu},
    {"Where", 16, 17, where},
    {"Expand", 13, 17, expand},
    {"Xor", 7, 17, binary<g::XorOp>},
    // Linear algebra, convolution, normalisation, recurrence
    {"BatchNormalization", 15, 17, batchNorm},
    {"Conv", 11, 17, conv},
    {"Gemm", 13, 17, gemm},
    {"LSTM", 14, 17, lstm},
    {"MatMul", 13, 17, binary<g::MatMulOp>},
    {"QLinearConv", 10, 17, qlinearConv},
    {"QLinearMatMul", 10, 17, qlinearMatMul},
    // Pooling and reductions
    {"AveragePool", 11, 17, pool<g::AveragePoolOp>},
    {"GlobalAveragePool", 1, 17, globalAveragePool},
    {"MaxPool", 12, 17, pool<g::MaxPoolOp>},
    {"ReduceMax", 13, 17, reduce<g::ReduceMaxOp>},
    {"ReduceMean", 13, 17, reduce<g::ReduceMeanOp>},
    {"ReduceSum", 13, 17, reduce<g::ReduceSumOp>},
    {"ReduceL1", 13, 17, reduce<g::ReduceL1Op>},
    {"ReduceL2", 13, 17, reduce<g::ReduceL2Op>},
    {"ReduceLogSum", 13, 17, reduce<g::ReduceLogSumOp>},
    {"ReduceLogSumExp", 13, 17, reduce<g::ReduceLogSumExpOp>},
    {"ReduceMin", 13, 17, reduce<g::ReduceMinOp>},
    {"ReduceProd", 13, 17, reduce<g::ReduceProdOp>},
    {"ReduceSumSquare", 13, 17, reduce<g::ReduceSumSquareOp>},
    // Data movement
    {"Concat", 13, 17, concat},
    {"Dropout", 13, 17, identity},
    {"Flatten", 13, 17, flatten},
    {"Gather", 13, 17, gather},
    {"Identity", 16, 17, identity},
    {"Pad", 13, 17, pad},
    {"Reshape", 14, 17, reshape},
    {"Resize", 13, 17, resize},
    {"Slice", 13, 17, slice},
    {"Squeeze", 13, 17, squeeze},
    {"Transpose", 13, 17, transpose},
    {"Unsqueeze", 13, 17, unsqueeze},
    // Constants and shapes
    {"Constant", 13, 17, constant},
    {"ConstantOfShape", 9, 17, constantOfShape},
    {"Shape", 15, 17, shape},
    // Quantisation
    {"DequantizeLinear", 13, 17, dequantizeLinear},
    {"QuantizeLinear", 13, 17, quantizeLinear},
};

} // namespace

ArrayRef<OpEntry> opTable() { return kOpTable; }

const OpEntry *findOp(StringRef opType, int64_t opset) {
  for (const OpEntry &e : kOpTable)
    if (opType == e.opType && opset >= e.sinceOpset && opset <= e.untilOpset)
      return &e;
  return nullptr;
}

} // namespace edgec::onnx_import
