//===- Elementwise.cpp - unary, binary and variadic elementwise ops, casts, Expand ---===//
//
// Most elementwise ONNX ops map one to one onto a graph op (unary<>,
// binary<>); the rest read attributes (alpha, bounds, the Cast target) or
// normalise ONNX forms (PRelu's slope shape, variadic Max/Min/Sum as a
// fold, Expand as a select between broadcast copies of the input).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "compiler/onnx/TensorProto.h"
#include "dialects/graph/ConstantUtils.h"
#include "llvm/Support/CheckedArithmetic.h"

namespace edgec::onnx_import {
namespace {

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

/// The left fold of the binary op over the node's inputs; null after an
/// error.
template <typename OpTy>
Value foldInputs(NodeContext &ctx) {
  Value acc = ctx.input(0);
  for (size_t i = 1; acc && i < ctx.numInputs(); ++i) {
    Value next = ctx.input(i);
    auto r = next ? ctx.create<OpTy>({acc, next}) : FailureOr<Value>(failure());
    acc = succeeded(r) ? *r : Value();
  }
  return acc;
}

/// Max, Min, Sum: variadic in ONNX, a left fold of the binary op here.
template <typename OpTy>
LogicalResult variadic(NodeContext &ctx) {
  Value acc = foldInputs<OpTy>(ctx);
  return acc ? ctx.setOutput(0, acc) : failure();
}

/// Mean: the inputs' sum divided by their count.
LogicalResult mean(NodeContext &ctx) {
  Value sum = foldInputs<g::AddOp>(ctx);
  if (!sum)
    return failure();
  Type element = llvm::cast<RankedTensorType>(sum.getType()).getElementType();
  if (!llvm::isa<FloatType>(element))
    return ctx.unsupported("input type", "integer (Mean of floats only)");
  Value mean = apply<g::DivOp>(ctx, {sum, floatScalar(ctx, element, static_cast<float>(ctx.numInputs()), "mean_count")});
  return mean ? ctx.setOutput(0, mean) : failure();
}

/// A scalar zero of `element` (float or integer); null after an error.
Value zeroOf(NodeContext &ctx, Type element) {
  if (llvm::isa<FloatType>(element))
    return floatScalar(ctx, element, 0.0f, "zero");
  return ctx.constant(g::makeInts(RankedTensorType::get({}, element), {0}, "zero"));
}

/// Trilu: the input where a constant [N, M] mask of the last two dims keeps
/// the upper (j - i >= k) or lower (j - i <= k) triangle, zero elsewhere.
LogicalResult trilu(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (t.getRank() < 2)
    return ctx.fail("Trilu needs an input of rank >= 2");
  if (t.getNumElements() == 0) // nothing to mask, whatever k is
    return ctx.setOutput(0, ctx.input(0));
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    auto v = constantScalarInt(ctx, 1, "Trilu k");
    if (failed(v))
      return failure();
    k = *v;
  }
  bool upper = ctx.getInt("upper", 1) != 0;
  int64_t rows = t.getDimSize(t.getRank() - 2), cols = t.getDimSize(t.getRank() - 1);
  std::optional<int64_t> matrix = llvm::checkedMul(rows, cols);
  if (!matrix || *matrix > kMaxBuiltElements)
    return ctx.fail("Trilu of matrices of more than 2^28 elements");
  SmallVector<int64_t> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(upper ? j - i >= k : j - i <= k);
  Value mask = ctx.constant(g::makeInts(RankedTensorType::get({rows, cols}, ctx.b.getI1Type()), keep, "trilu_mask"));
  Value y = apply<g::WhereOp>(ctx, {mask, ctx.input(0), zeroOf(ctx, t.getElementType())});
  return y ? ctx.setOutput(0, y) : failure();
}

/// Mod: fmod = 1 keeps the dividend's sign (required for floats), 0 the
/// divisor's.
LogicalResult mod(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  bool fmod = ctx.getInt("fmod", 0) != 0;
  if (llvm::isa<FloatType>(t.getElementType()) && !fmod)
    return ctx.fail("Mod of float tensors needs attribute 'fmod' = 1");
  return fmod ? binary<g::FmodOp>(ctx) : binary<g::ModOp>(ctx);
}

LogicalResult bitShift(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!t.getElementType().isUnsignedInteger())
    return ctx.fail("BitShift needs unsigned integer tensors");
  std::string direction = ctx.getString("direction", "");
  if (direction == "LEFT")
    return binary<g::ShiftLeftOp>(ctx);
  if (direction == "RIGHT")
    return binary<g::ShiftRightOp>(ctx);
  return ctx.unsupported("direction", direction);
}

/// IsNaN: x != x (only NaN is unequal to itself).
LogicalResult isNaN(NodeContext &ctx) {
  Value x = ctx.input(0);
  Value r = x ? apply<g::NotOp>(ctx, {apply<g::EqualOp>(ctx, {x, x})}) : Value();
  return r ? ctx.setOutput(0, r) : failure();
}

/// IsInf: x == +inf and/or x == -inf, as detect_positive/detect_negative say.
LogicalResult isInf(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!llvm::isa<FloatType>(t.getElementType()))
    return ctx.fail("IsInf needs a float input");
  Value x = ctx.input(0);
  auto equalTo = [&](float v, StringRef name) {
    return apply<g::EqualOp>(ctx, {x, floatScalar(ctx, t.getElementType(), v, name)});
  };
  bool positive = ctx.getInt("detect_positive", 1) != 0, negative = ctx.getInt("detect_negative", 1) != 0;
  Value r;
  if (positive)
    r = equalTo(INFINITY, "plus_inf");
  if (negative)
    r = r ? apply<g::OrOp>(ctx, {r, equalTo(-INFINITY, "minus_inf")}) : equalTo(-INFINITY, "minus_inf");
  if (!positive && !negative)
    r = equalTo(NAN, "nan"); // never equal: all false
  return r ? ctx.setOutput(0, r) : failure();
}

/// Shrink: x < -lambd ? x + bias : x > lambd ? x - bias : 0.
LogicalResult shrink(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  Type e = t.getElementType();
  if (!llvm::isa<FloatType>(e))
    return ctx.unsupported("input type", "integer (Shrink of floats only)");
  float lambd = ctx.getFloat("lambd", 0.5f), bias = ctx.getFloat("bias", 0.0f);
  Value x = ctx.input(0);
  Value below = apply<g::LessOp>(ctx, {x, floatScalar(ctx, e, -lambd, "shrink_low")});
  Value above = apply<g::GreaterOp>(ctx, {x, floatScalar(ctx, e, lambd, "shrink_high")});
  Value b = floatScalar(ctx, e, bias, "shrink_bias");
  Value y = apply<g::WhereOp>(ctx, {above, apply<g::SubOp>(ctx, {x, b}), zeroOf(ctx, e)});
  y = apply<g::WhereOp>(ctx, {below, apply<g::AddOp>(ctx, {x, b}), y});
  return y ? ctx.setOutput(0, y) : failure();
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

/// Clip with constant bounds is graph.clip; a bound computed at run time
/// (melspectrogram clips at max(x) - 80 dB) becomes graph.max / graph.min.
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

/// CastLike: Cast to the element type of the second input.
LogicalResult castLike(NodeContext &ctx) {
  Value x = ctx.input(0);
  auto like = ctx.inputType(1);
  if (!x || !like)
    return failure();
  Value y = castTo(ctx, x, like.getElementType());
  return y ? ctx.setOutput(0, y) : failure();
}

/// Softmax and LogSoftmax: the axis normalised.
template <typename OpTy>
LogicalResult softmax(NodeContext &ctx) {
  auto in = inputAndAxis(ctx, -1);
  if (failed(in))
    return failure();
  return bind(ctx, ctx.create<OpTy>({ctx.input(0)}, {ctx.named("axis", ctx.b.getI64IntegerAttr(in->axis))}));
}

} // namespace

llvm::ArrayRef<OpEntry> elementwiseOps() {
  static const OpEntry rows[] = {
      {"Abs", 13, 17, unary<g::AbsOp>},
      {"Acos", 7, 17, unary<g::AcosOp>},
      {"Acosh", 9, 17, unary<g::AcoshOp>},
      {"Asin", 7, 17, unary<g::AsinOp>},
      {"Asinh", 9, 17, unary<g::AsinhOp>},
      {"Atan", 7, 17, unary<g::AtanOp>},
      {"Atanh", 9, 17, unary<g::AtanhOp>},
      {"BitShift", 11, 17, bitShift, "unsigned integers; a shift by the width or more gives 0"},
      {"Cosh", 9, 17, unary<g::CoshOp>},
      {"IsInf", 10, 17, isInf},
      {"IsNaN", 13, 17, isNaN},
      {"Mod", 13, 17, mod,
       "a zero divisor gives 0; floats (fmod = 1) exact while |a / b| < 2^24"},
      {"Sinh", 9, 17, unary<g::SinhOp>},
      {"Tan", 7, 17, unary<g::TanOp>},
      {"Add", 14, 17, binary<g::AddOp>},
      {"And", 7, 17, binary<g::AndOp>},
      {"CastLike", 15, 17, castLike},
      {"Cast", 13, 17, cast,
       "to: a numeric or bool type (no strings)"},
      {"Ceil", 13, 17, unary<g::CeilOp>},
      {"Celu", 12, 17, celu},
      {"Clip", 13, 17, clip,
       "min and max scalars"},
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
      {"Mean", 13, 17, mean, "float inputs"},
      {"Min", 13, 17, variadic<g::MinOp>},
      {"Mul", 14, 17, binary<g::MulOp>},
      {"Neg", 13, 17, unary<g::NegOp>},
      {"Not", 1, 17, unary<g::NotOp>},
      {"Or", 7, 17, binary<g::OrOp>},
      {"PRelu", 16, 17, prelu},
      {"Pow", 15, 17, pow,
       "an exponent of another type is cast to the base's"},
      {"Reciprocal", 13, 17, unary<g::ReciprocalOp>},
      {"Relu", 14, 17, unary<g::ReluOp>},
      {"Round", 11, 17, unary<g::RoundOp>},
      {"Selu", 6, 17, selu},
      {"Sigmoid", 13, 17, unary<g::SigmoidOp>},
      {"Sign", 13, 17, unary<g::SignOp>},
      {"Sin", 7, 17, unary<g::SinOp>},
      {"Softmax", 13, 17, softmax<g::SoftmaxOp>},
      {"LogSoftmax", 13, 17, softmax<g::LogSoftmaxOp>},
      {"Softplus", 1, 17, unary<g::SoftplusOp>},
      {"Softsign", 1, 17, unary<g::SoftsignOp>},
      {"Sqrt", 13, 17, unary<g::SqrtOp>},
      {"Sub", 14, 17, binary<g::SubOp>},
      {"Sum", 13, 17, variadic<g::AddOp>},
      {"Shrink", 9, 17, shrink, "float input"},
      {"Tanh", 13, 17, unary<g::TanhOp>},
      {"Trilu", 14, 17, trilu, "k a compile-time constant"},
      {"ThresholdedRelu", 10, 17, thresholdedRelu},
      {"Where", 16, 17, where},
      {"Expand", 13, 17, expand,
       "shape a compile-time constant"},
      {"Xor", 7, 17, binary<g::XorOp>},
  };
  return rows;
}

} // namespace edgec::onnx_import
