//===- Constants.cpp - Constant, ConstantOfShape, Shape ---------------------===//
//
// Ops whose result is known at compile time become graph.constant.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include <cmath>

#include "compiler/onnx/TensorProto.h"
#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
namespace {

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

/// Size of a static tensor is a constant (an int64 scalar).
LogicalResult size(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto type = RankedTensorType::get({}, ctx.b.getI64Type());
  return ctx.setOutput(0, ctx.constant(g::makeInts(type, {t.getNumElements()})));
}

/// EyeLike: ones on diagonal k of the input's 2-d shape, a constant.
LogicalResult eyeLike(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (t.getRank() != 2)
    return ctx.fail("EyeLike needs a 2-d input");
  Type element = t.getElementType();
  if (ctx.attr("dtype")) {
    element = elementTypeFor(ctx.b.getContext(), ctx.getInt("dtype", 0));
    if (!element)
      return ctx.unsupported("dtype", dataTypeName(static_cast<int32_t>(ctx.getInt("dtype", 0))));
  }
  if (t.getNumElements() > kMaxBuiltElements)
    return ctx.fail("EyeLike of more than 2^28 elements");
  int64_t rows = t.getDimSize(0), cols = t.getDimSize(1), k = ctx.getInt("k", 0);
  SmallVector<int64_t> ones(rows * cols, 0);
  for (int64_t i = 0; i < rows; ++i)
    if (i + k >= 0 && i + k < cols)
      ones[i * cols + i + k] = 1;
  // Made as int32 and cast, so every element type of EyeLike comes out.
  auto intType = RankedTensorType::get(t.getShape(), ctx.b.getI32Type());
  Value eye = ctx.constant(g::makeInts(intType, ones, "eye"));
  if (element != ctx.b.getI32Type())
    eye = castTo(ctx, eye, element);
  return eye ? ctx.setOutput(0, eye) : failure();
}

/// HannWindow, HammingWindow, BlackmanWindow of a constant size: a constant
/// sum of cosines a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N), N the size
/// (periodic) or the size - 1 (symmetric), computed in double.
template <int Kind> // 0 Hann, 1 Hamming, 2 Blackman
LogicalResult window(NodeContext &ctx) {
  auto n = constantScalarInt(ctx, 0, "window size");
  if (failed(n))
    return failure();
  if (*n < 1 || *n > kMaxBuiltElements)
    return ctx.fail("window size " + std::to_string(*n) + " is outside [1, 2^28]");
  Type element = elementTypeFor(ctx.b.getContext(), ctx.getInt("output_datatype", 1));
  if (!element)
    return ctx.unsupported("output_datatype", std::to_string(ctx.getInt("output_datatype", 1)));
  double a0 = Kind == 0 ? 0.5 : Kind == 1 ? 25.0 / 46.0 : 0.42, a1 = Kind == 2 ? 0.5 : 1.0 - a0,
         a2 = Kind == 2 ? 0.08 : 0.0;
  double period = ctx.getInt("periodic", 1) != 0 ? double(*n) : double(*n - 1);
  SmallVector<double> w;
  for (int64_t k = 0; k < *n; ++k) {
    double x = period > 0 ? 2.0 * M_PI * double(k) / period : 0.0;
    w.push_back(a0 - a1 * std::cos(x) + a2 * std::cos(2.0 * x));
  }
  auto type = [&](Type e) { return RankedTensorType::get({*n}, e); };
  Value y;
  if (element.isF64()) {
    y = ctx.constant(DenseElementsAttr::get(type(element), ArrayRef<double>(w)));
  } else {
    SmallVector<float> f(w.begin(), w.end());
    y = ctx.constant(g::makeFloats(type(ctx.b.getF32Type()), f, "window"));
    if (!element.isF32())
      y = castTo(ctx, y, element);
  }
  return y ? ctx.setOutput(0, y) : failure();
}

/// Range with constant start, limit and delta: a constant.
LogicalResult range(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  Type element = t.getElementType();
  SmallVector<double> bounds;
  for (size_t i = 0; i < 3; ++i) {
    const char *what[] = {"Range start", "Range limit", "Range delta"};
    if (llvm::isa<FloatType>(element)) {
      auto v = ctx.constantFloats(i, what[i]);
      if (failed(v) || v->size() != 1)
        return failed(v) ? failure() : ctx.fail(llvm::Twine(what[i]) + " must be a scalar");
      bounds.push_back((*v)[0]);
    } else {
      auto v = ctx.constantInts(i, what[i]);
      if (failed(v) || v->size() != 1)
        return failed(v) ? failure() : ctx.fail(llvm::Twine(what[i]) + " must be a scalar");
      bounds.push_back(static_cast<double>((*v)[0]));
    }
  }
  double start = bounds[0], limit = bounds[1], delta = bounds[2];
  if (delta == 0)
    return ctx.fail("Range delta must not be 0");
  // The count as ONNX computes it, in the inputs' type: for f32 the
  // difference is rounded to f32 first (1.8, 13.7, 0.7 give 17, not 18).
  double count = llvm::isa<FloatType>(element)
                     ? std::ceil(static_cast<double>(static_cast<float>(limit) - static_cast<float>(start)) /
                                 static_cast<float>(delta))
                     : std::ceil((limit - start) / delta);
  if (!(count <= 1 << 24))
    return ctx.fail("Range has more than 2^24 elements");
  int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  auto type = RankedTensorType::get({n}, element);
  if (llvm::isa<FloatType>(element)) {
    // The ONNX definition accumulates: start, start + delta, ... in the
    // output type.
    SmallVector<float> values;
    float v = static_cast<float>(start);
    for (int64_t i = 0; i < n; ++i, v += static_cast<float>(delta))
      values.push_back(v);
    return ctx.setOutput(0, ctx.constant(g::makeFloats(type, values, "range")));
  }
  SmallVector<int64_t> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(static_cast<int64_t>(start) + i * static_cast<int64_t>(delta));
  return ctx.setOutput(0, ctx.constant(g::makeInts(type, values, "range")));
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
  if (n < 0 || n > kMaxBuiltElements)
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

} // namespace

llvm::ArrayRef<OpEntry> constantsOps() {
  static const OpEntry rows[] = {
      {"BlackmanWindow", 17, 17, window<2>, "size a compile-time constant; a constant"},
      {"HammingWindow", 17, 17, window<1>, "size a compile-time constant; a constant"},
      {"HannWindow", 17, 17, window<0>, "size a compile-time constant; a constant"},
      {"Constant", 13, 17, constant,
       "dense numeric values (no sparse or string constants)"},
      {"ConstantOfShape", 9, 17, constantOfShape,
       "shape a compile-time constant; value f32 or integer"},
      {"EyeLike", 9, 17, eyeLike, "a constant (of the input's static shape)"},
      {"Range", 11, 17, range, "start, limit and delta compile-time constants (f32 or integer); a constant"},
      {"Size", 13, 17, size, "of a statically shaped tensor (a constant)"},
      {"Shape", 15, 17, shape,
       "of a statically shaped tensor (a constant)"},
  };
  return rows;
}

} // namespace edgec::onnx_import
