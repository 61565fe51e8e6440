//===- Folders.cpp - constant folding of graph ops ------------------------===//
//
// Folding evaluates ops whose operands are constants. The importer folds as
// it builds (so ONNX shape arithmetic like Shape -> Gather -> Concat vanishes
// at import), and edgec-fold-constants folds what later rewrites expose.
// Values are computed in f32 or int64, as the ONNX reference does.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/GraphOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace edgec::graph;

namespace {

RankedTensorType tensorOf(Value v) { return llvm::cast<RankedTensorType>(v.getType()); }

/// Steps `pos` to the next position of a tensor of `shape` in row-major
/// order (back to all zeros after the last).
void nextPosition(MutableArrayRef<int64_t> pos, ArrayRef<int64_t> shape) {
  for (int64_t d = static_cast<int64_t>(pos.size()) - 1; d >= 0; --d) {
    if (++pos[d] < shape[d])
      return;
    pos[d] = 0;
  }
}

/// For every element of `outShape`, the linear index into a tensor of
/// `inShape` that numpy broadcasting reads.
SmallVector<int64_t> broadcastIndex(ArrayRef<int64_t> outShape, ArrayRef<int64_t> inShape) {
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  size_t offset = outShape.size() - inShape.size();
  int64_t n = numElements(outShape);
  SmallVector<int64_t> index(n);
  SmallVector<int64_t> pos(outShape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t d = offset; d < outShape.size(); ++d)
      if (inShape[d - offset] != 1)
        src += pos[d] * inStrides[d - offset];
    index[k] = src;
    nextPosition(pos, outShape);
  }
  return index;
}

/// Folds an elementwise binary op on two constants.
template <typename FloatFn, typename IntFn>
OpFoldResult foldBinary(Value lhs, Value rhs, Value result, Attribute lhsAttr,
                        Attribute rhsAttr, FloatFn floatFn, IntFn intFn) {
  auto l = llvm::dyn_cast_or_null<ElementsAttr>(lhsAttr);
  auto r = llvm::dyn_cast_or_null<ElementsAttr>(rhsAttr);
  if (!l || !r)
    return {};
  auto outType = tensorOf(result);
  SmallVector<int64_t> li = broadcastIndex(outType.getShape(), tensorOf(lhs).getShape());
  SmallVector<int64_t> ri = broadcastIndex(outType.getShape(), tensorOf(rhs).getShape());
  SmallVector<float> lf, rf;
  if (readFloats(l, lf) && readFloats(r, rf)) {
    if (!outType.getElementType().isF32()) { // comparisons
      SmallVector<int64_t> out;
      for (size_t k = 0; k < li.size(); ++k)
        out.push_back(floatFn(lf[li[k]], rf[ri[k]]) != 0.0f);
      return makeInts(outType, out);
    }
    SmallVector<float> out;
    for (size_t k = 0; k < li.size(); ++k)
      out.push_back(floatFn(lf[li[k]], rf[ri[k]]));
    return makeFloats(outType, out);
  }
  SmallVector<int64_t> lv, rv;
  if (readInts(l, lv) && readInts(r, rv)) {
    SmallVector<int64_t> out;
    for (size_t k = 0; k < li.size(); ++k) {
      std::optional<int64_t> v = intFn(lv[li[k]], rv[ri[k]]);
      if (!v)
        return {}; // e.g. division by zero: leave it to run time
      out.push_back(*v);
    }
    return makeInts(outType, out);
  }
  return {};
}

using OptInt = std::optional<int64_t>;

/// True when `attr` is a constant whose every element equals `value`.
bool isUniform(Attribute attr, float value) {
  if (std::isnan(value))
    return false;
  auto c = llvm::dyn_cast_or_null<ElementsAttr>(attr);
  SmallVector<float> f;
  SmallVector<int64_t> i;
  if (readFloats(c, f))
    return llvm::all_of(f, [&](float v) { return v == value; });
  if (readInts(c, i))
    return llvm::all_of(i, [&](int64_t v) { return v == static_cast<int64_t>(value); });
  return false;
}

/// x - 0, x * 1, x / 1, x ^ 1 are x when broadcasting does not change x's
/// type. (x + 0 is not: -0 + 0 is +0.)
OpFoldResult foldRightIdentity(Value lhs, Value result, Attribute rhsAttr, float identity) {
  if (lhs.getType() == result.getType() && isUniform(rhsAttr, identity))
    return lhs;
  return {};
}

/// Reshape-like ops: identity when the type is unchanged, a re-typed
/// constant when the input is constant.
OpFoldResult foldReshapeLike(Value input, Value result, Attribute inputAttr) {
  if (input.getType() == result.getType())
    return input;
  if (auto c = llvm::dyn_cast_or_null<ElementsAttr>(inputAttr))
    return reshapeConstant(c, tensorOf(result));
  return {};
}

} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto c = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!c)
    return {};
  auto outType = tensorOf(getOutput());
  Type to = outType.getElementType();
  SmallVector<float> f;
  SmallVector<int64_t> i;
  if (readFloats(c, f)) {
    if (to.isF32())
      return makeFloats(outType, f);
    if (!llvm::isa<IntegerType>(to))
      return {};
    SmallVector<int64_t> out;
    for (float v : f) {
      if (!std::isfinite(v) || std::fabs(v) > 9.2e18f)
        return {}; // undefined in ONNX; do not invent a value
      out.push_back(to.isInteger(1) ? v != 0.0f : static_cast<int64_t>(v));
    }
    return makeInts(outType, out);
  }
  if (readInts(c, i)) {
    if (to.isF32()) {
      SmallVector<float> out(i.begin(), i.end());
      return makeFloats(outType, out);
    }
    if (!llvm::isa<IntegerType>(to))
      return {};
    if (to.isInteger(1))
      for (int64_t &v : i)
        v = v != 0;
    return makeInts(outType, i);
  }
  return {};
}

#define EDGEC_FOLD_BINARY(OP, FLOAT_EXPR, INT_EXPR, RIGHT_IDENTITY)                    \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                         \
    if (OpFoldResult r = foldBinary(                                                   \
            getLhs(), getRhs(), getOutput(), adaptor.getLhs(), adaptor.getRhs(),       \
            [](float a, float b) -> float { return FLOAT_EXPR; },                      \
            [](int64_t a, int64_t b) -> OptInt { return INT_EXPR; }))                  \
      return r;                                                                        \
    return foldRightIdentity(getLhs(), getOutput(), adaptor.getRhs(), RIGHT_IDENTITY); \
  }

constexpr float kNoIdentity = std::numeric_limits<float>::quiet_NaN(); // never equal

// Integer arithmetic wraps (two's complement), as ONNX Runtime's does.
EDGEC_FOLD_BINARY(AddOp, a + b, OptInt(static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b))), kNoIdentity)
EDGEC_FOLD_BINARY(SubOp, a - b, OptInt(static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b))), 0.0f)
EDGEC_FOLD_BINARY(MulOp, a * b, OptInt(static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b))), 1.0f)
EDGEC_FOLD_BINARY(DivOp, a / b,
                  (b == 0 || (a == INT64_MIN && b == -1)) ? OptInt() : OptInt(a / b), 1.0f)
EDGEC_FOLD_BINARY(PowOp, std::pow(a, b), OptInt(), 1.0f)
// NaN propagates, as through arith.maximumf / minimumf at run time.
EDGEC_FOLD_BINARY(MaxOp, std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b), OptInt(std::max(a, b)), kNoIdentity)
EDGEC_FOLD_BINARY(MinOp, std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b), OptInt(std::min(a, b)), kNoIdentity)
EDGEC_FOLD_BINARY(EqualOp, a == b ? 1.0f : 0.0f, OptInt(a == b ? 1 : 0), kNoIdentity)
EDGEC_FOLD_BINARY(LessOp, a < b ? 1.0f : 0.0f, OptInt(a < b ? 1 : 0), kNoIdentity)
EDGEC_FOLD_BINARY(LessOrEqualOp, a <= b ? 1.0f : 0.0f, OptInt(a <= b ? 1 : 0), kNoIdentity)
EDGEC_FOLD_BINARY(GreaterOp, a > b ? 1.0f : 0.0f, OptInt(a > b ? 1 : 0), kNoIdentity)
EDGEC_FOLD_BINARY(GreaterOrEqualOp, a >= b ? 1.0f : 0.0f, OptInt(a >= b ? 1 : 0), kNoIdentity)
EDGEC_FOLD_BINARY(XorOp, 0.0f, OptInt((a != 0) != (b != 0) ? 1 : 0), kNoIdentity)
EDGEC_FOLD_BINARY(PReluOp, a < 0 ? a * b : a, OptInt(a < 0 ? static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)) : a), kNoIdentity)
// Shape arithmetic; folded only where signed and unsigned readings agree.
EDGEC_FOLD_BINARY(ModOp, a - std::floor(a / b) * b, (a >= 0 && b > 0) ? OptInt(a % b) : OptInt(), kNoIdentity)
EDGEC_FOLD_BINARY(FmodOp, std::fmod(a, b), (a >= 0 && b > 0) ? OptInt(a % b) : OptInt(), kNoIdentity)
EDGEC_FOLD_BINARY(ShiftLeftOp, NAN, OptInt(), kNoIdentity)
EDGEC_FOLD_BINARY(ShiftRightOp, NAN, OptInt(), kNoIdentity)
#undef EDGEC_FOLD_BINARY

/// x && false is false and x && true is x (|| dually), where the operand
/// kept already has the result's type: a loop condition `i < n && data`
/// folds once the counter passes n (unrolled ONNX Loops end there).
static OpFoldResult foldLogic(Value lhs, Value rhs, Value result, Attribute lhsAttr, Attribute rhsAttr,
                              float absorbing) {
  for (auto [v, attr, other] : {std::tuple{lhs, lhsAttr, rhs}, std::tuple{rhs, rhsAttr, lhs}}) {
    if (isUniform(attr, absorbing) && v.getType() == result.getType())
      return attr;
    if (isUniform(attr, 1.0f - absorbing) && other.getType() == result.getType())
      return other;
  }
  return {};
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldBinary(getLhs(), getRhs(), getOutput(), adaptor.getLhs(), adaptor.getRhs(),
                                  [](float, float) { return 0.0f; },
                                  [](int64_t a, int64_t b) -> OptInt { return a && b ? 1 : 0; }))
    return r;
  return foldLogic(getLhs(), getRhs(), getOutput(), adaptor.getLhs(), adaptor.getRhs(), 0.0f);
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldBinary(getLhs(), getRhs(), getOutput(), adaptor.getLhs(), adaptor.getRhs(),
                                  [](float, float) { return 0.0f; },
                                  [](int64_t a, int64_t b) -> OptInt { return a || b ? 1 : 0; }))
    return r;
  return foldLogic(getLhs(), getRhs(), getOutput(), adaptor.getLhs(), adaptor.getRhs(), 1.0f);
}

/// An exact unary function of a constant (shape arithmetic: Range's
/// ceil((limit - start) / delta) clamped at 0 by Relu).
template <typename FloatFn, typename IntFn>
static OpFoldResult foldExactUnary(Attribute input, Value result, FloatFn floatFn, IntFn intFn) {
  auto c = llvm::dyn_cast_or_null<ElementsAttr>(input);
  SmallVector<float> f;
  SmallVector<int64_t> i;
  if (readFloats(c, f)) {
    for (float &v : f)
      v = floatFn(v);
    return makeFloats(tensorOf(result), f);
  }
  if (readInts(c, i)) {
    for (int64_t &v : i)
      v = intFn(v);
    return makeInts(tensorOf(result), i);
  }
  return {};
}

/// Relu and Abs of unsigned integers are the integers themselves (read as
/// int64 a large uint64 would look negative).
static bool isUnsignedTensor(Value v) { return tensorOf(v).getElementType().isUnsignedInteger(); }

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  if (isUnsignedTensor(getOutput()))
    return getInput();
  // max(NaN, 0) is NaN at run time (arith.maximumf): kept.
  return foldExactUnary(adaptor.getInput(), getOutput(), [](float v) { return v < 0 ? 0.0f : v; },
                        [](int64_t v) { return v < 0 ? int64_t(0) : v; });
}
OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (isUnsignedTensor(getOutput()))
    return getInput();
  // |INT64_MIN| wraps to itself, as the kernel's does.
  return foldExactUnary(adaptor.getInput(), getOutput(), [](float v) { return std::fabs(v); },
                        [](int64_t v) { return v < 0 ? static_cast<int64_t>(0 - static_cast<uint64_t>(v)) : v; });
}
OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldExactUnary(adaptor.getInput(), getOutput(), [](float v) { return std::floor(v); },
                        [](int64_t v) { return v; });
}
OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldExactUnary(adaptor.getInput(), getOutput(), [](float v) { return std::ceil(v); },
                        [](int64_t v) { return v; });
}

/// Shape arithmetic exporters emit (a negated axis count).
OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  auto c = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  SmallVector<float> f;
  SmallVector<int64_t> i;
  if (readFloats(c, f)) {
    for (float &v : f)
      v = -v;
    return makeFloats(tensorOf(getOutput()), f);
  }
  if (readInts(c, i)) {
    for (int64_t &v : i)
      v = static_cast<int64_t>(0 - static_cast<uint64_t>(v)); // wraps, as the kernel does
    return makeInts(tensorOf(getOutput()), i);
  }
  return {};
}

/// condition ? lhs : rhs on constants (shape arithmetic: Where(Equal(shape,
/// -1), ..)), with numpy broadcasting of all three.
OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  auto c = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getCondition());
  auto l = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getLhs());
  auto r = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getRhs());
  SmallVector<int64_t> cond;
  if (!l || !r || !readInts(c, cond))
    return {};
  auto outType = tensorOf(getOutput());
  SmallVector<int64_t> ci = broadcastIndex(outType.getShape(), tensorOf(getCondition()).getShape());
  SmallVector<int64_t> li = broadcastIndex(outType.getShape(), tensorOf(getLhs()).getShape());
  SmallVector<int64_t> ri = broadcastIndex(outType.getShape(), tensorOf(getRhs()).getShape());
  auto select = [&](const auto &lv, const auto &rv, auto &out) {
    for (size_t k = 0; k < ci.size(); ++k)
      out.push_back(cond[ci[k]] ? lv[li[k]] : rv[ri[k]]);
  };
  SmallVector<float> lf, rf, of;
  if (readFloats(l, lf) && readFloats(r, rf)) {
    select(lf, rf, of);
    return makeFloats(outType, of);
  }
  SmallVector<int64_t> lv, rv, ov;
  if (readInts(l, lv) && readInts(r, rv)) {
    select(lv, rv, ov);
    return makeInts(outType, ov);
  }
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor a) {
  return foldReshapeLike(getInput(), getOutput(), a.getInput());
}
OpFoldResult FlattenOp::fold(FoldAdaptor a) {
  return foldReshapeLike(getInput(), getOutput(), a.getInput());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor a) {
  return foldReshapeLike(getInput(), getOutput(), a.getInput());
}
OpFoldResult UnsqueezeOp::fold(FoldAdaptor a) {
  return foldReshapeLike(getInput(), getOutput(), a.getInput());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= p == static_cast<int64_t>(i);
  if (identity)
    return getInput();
  auto c = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!c)
    return {};
  return transposeConstant(c, perm);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  auto outType = tensorOf(getOutput());
  int64_t axis = static_cast<int64_t>(getAxis());
  ArrayRef<int64_t> shape = outType.getShape();
  int64_t outer = numElements(shape.take_front(axis));
  int64_t inner = numElements(shape.drop_front(axis + 1));
  // Concatenate as ints or floats, whichever all inputs read as.
  bool isFloat = outType.getElementType().isF32();
  SmallVector<float> outF;
  SmallVector<int64_t> outI;
  SmallVector<SmallVector<float>> fs;
  SmallVector<SmallVector<int64_t>> is;
  for (Attribute a : adaptor.getInputs()) {
    auto c = llvm::dyn_cast_or_null<ElementsAttr>(a);
    if (!c)
      return {};
    fs.emplace_back();
    is.emplace_back();
    if (!(isFloat ? readFloats(c, fs.back()) : readInts(c, is.back())))
      return {};
  }
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [k, v] : llvm::enumerate(getInputs())) {
      int64_t chunk = tensorOf(v).getDimSize(axis) * inner;
      for (int64_t j = 0; j < chunk; ++j) {
        if (isFloat)
          outF.push_back(fs[k][o * chunk + j]);
        else
          outI.push_back(is[k][o * chunk + j]);
      }
    }
  }
  return isFloat ? makeFloats(outType, outF) : makeInts(outType, outI);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  // Same shape with positive steps means everything, in order; a negative
  // step of the same shape reverses.
  if (getInput().getType() == getType() &&
      llvm::all_of(getSteps(), [](int64_t s) { return s > 0; }))
    return getInput();
  auto c = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!c)
    return {};
  auto outType = tensorOf(getOutput());
  SmallVector<int64_t> inStrides = stridesOf(getInput().getType().getShape());
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  SmallVector<int64_t> index;
  SmallVector<int64_t> pos(outType.getRank(), 0);
  for (int64_t k = 0, n = outType.getNumElements(); k < n; ++k) {
    int64_t src = 0;
    for (size_t d = 0; d < pos.size(); ++d)
      src += (starts[d] + pos[d] * steps[d]) * inStrides[d];
    index.push_back(src);
    nextPosition(pos, outType.getShape());
  }
  return gatherElements(c, index, outType);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  auto indices = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getIndices());
  SmallVector<int64_t> idx;
  if (!data || !indices || !readInts(indices, idx))
    return {};
  auto inType = getInput().getType();
  int64_t axis = static_cast<int64_t>(getAxis());
  int64_t dim = inType.getDimSize(axis);
  int64_t outer = numElements(inType.getShape().take_front(axis));
  int64_t inner = numElements(inType.getShape().drop_front(axis + 1));
  SmallVector<int64_t> index;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i : idx) {
      std::optional<int64_t> row = normaliseIndex(i, dim);
      if (!row)
        return {}; // out of range: the verifier of the importer reports it
      for (int64_t j = 0; j < inner; ++j)
        index.push_back((o * dim + *row) * inner + j);
    }
  }
  return gatherElements(data, index, tensorOf(getOutput()));
}

namespace {

/// `data` with each element `k` of `updates` written to (or combined by
/// `reduction` with) the element at `dest[k]`, in order; null when an
/// element type does not read as f32 or integers or the reduction is not
/// ONNX's. Scatters on constants are shape arithmetic: PyTorch exports
/// index_copy's expanded shape as a ScatterElements into Shape(x).
template <typename T>
std::optional<SmallVector<T>> scatterInto(SmallVector<T> data, ArrayRef<T> updates,
                                          ArrayRef<int64_t> dest, StringRef reduction) {
  for (auto [k, d] : llvm::enumerate(dest)) {
    T &x = data[d];
    T u = updates[k];
    if (reduction == "none")
      x = u;
    else if (reduction == "add")
      x = static_cast<T>(x + u);
    else if (reduction == "mul")
      x = static_cast<T>(x * u);
    else if (reduction == "max")
      x = std::max(x, u);
    else if (reduction == "min")
      x = std::min(x, u);
    else
      return std::nullopt;
  }
  return data;
}

OpFoldResult foldScatter(Attribute dataAttr, Attribute updatesAttr, RankedTensorType type,
                         ArrayRef<int64_t> dest, StringRef reduction) {
  auto data = llvm::dyn_cast_or_null<ElementsAttr>(dataAttr);
  auto updates = llvm::dyn_cast_or_null<ElementsAttr>(updatesAttr);
  if (!data || !updates)
    return {};
  SmallVector<float> df, uf;
  if (readFloats(data, df) && readFloats(updates, uf)) {
    auto out = scatterInto<float>(df, uf, dest, reduction);
    return out ? makeFloats(type, *out) : ElementsAttr();
  }
  // Integers reduce with wrapping arithmetic, as the kernels do.
  SmallVector<int64_t> di, ui;
  if (!readInts(data, di) || !readInts(updates, ui))
    return {};
  if (reduction == "max" || reduction == "min") {
    auto out = scatterInto<int64_t>(di, ui, dest, reduction);
    return out ? makeInts(type, *out) : ElementsAttr();
  }
  SmallVector<uint64_t> du(di.begin(), di.end()), uu(ui.begin(), ui.end());
  auto out = scatterInto<uint64_t>(du, uu, dest, reduction);
  if (!out)
    return {};
  return makeInts(type, SmallVector<int64_t>(out->begin(), out->end()));
}

} // namespace

/// ScatterElements on constants: update element (i_0, ..., i_r) goes to the
/// data element with i_axis replaced by indices[i_0, ..., i_r].
OpFoldResult ScatterElementsOp::fold(FoldAdaptor adaptor) {
  SmallVector<int64_t> idx;
  auto indices = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getIndices());
  if (!indices || !readInts(indices, idx) || !adaptor.getInput() || !adaptor.getUpdates())
    return {};
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  ArrayRef<int64_t> updShape = getIndices().getType().getShape();
  SmallVector<int64_t> strides = stridesOf(shape);
  auto axis = static_cast<size_t>(getAxis());
  SmallVector<int64_t> dest, pos(updShape.size(), 0);
  for (int64_t i : idx) {
    std::optional<int64_t> at = normaliseIndex(i, shape[axis]);
    if (!at)
      return {};
    int64_t d = 0;
    for (size_t k = 0; k < pos.size(); ++k)
      d += (k == axis ? *at : pos[k]) * strides[k];
    dest.push_back(d);
    nextPosition(pos, updShape);
  }
  return foldScatter(adaptor.getInput(), adaptor.getUpdates(), getOutput().getType(), dest,
                     getReduction());
}

/// ScatterND on constants: each index tuple (the last dim of indices)
/// names a slice of the data that its update slice is written to.
OpFoldResult ScatterNDOp::fold(FoldAdaptor adaptor) {
  SmallVector<int64_t> idx;
  auto indices = llvm::dyn_cast_or_null<ElementsAttr>(adaptor.getIndices());
  if (!indices || !readInts(indices, idx) || !adaptor.getInput() || !adaptor.getUpdates())
    return {};
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  SmallVector<int64_t> strides = stridesOf(shape);
  int64_t tuple = getIndices().getType().getShape().back();
  if (tuple < 1 || tuple > static_cast<int64_t>(shape.size()))
    return {};
  int64_t slice = numElements(shape.drop_front(tuple));
  SmallVector<int64_t> dest;
  for (size_t t = 0; t + tuple <= idx.size(); t += tuple) {
    int64_t base = 0;
    for (int64_t k = 0; k < tuple; ++k) {
      std::optional<int64_t> at = normaliseIndex(idx[t + k], shape[k]);
      if (!at)
        return {};
      base += *at * strides[k];
    }
    for (int64_t j = 0; j < slice; ++j)
      dest.push_back(base + j);
  }
  return foldScatter(adaptor.getInput(), adaptor.getUpdates(), getOutput().getType(), dest,
                     getReduction());
}

/// quantize(dequantize(q)) back to the same type is q.
OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  if (auto dq = getInput().getDefiningOp<DequantizeOp>())
    if (dq.getInput().getType() == getOutput().getType())
      return dq.getInput();
  return {};
}
