//===- Constants.cpp - Constant, ConstantOfShape, Shape ---------------------===//
//
// Ops whose result is known at compile time become graph.constant.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

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

} // namespace

llvm::ArrayRef<OpEntry> constantsOps() {
  static const OpEntry rows[] = {
      {"Constant", 13, 17, constant,
       "dense numeric values (no sparse or string constants)"},
      {"ConstantOfShape", 9, 17, constantOfShape,
       "shape a compile-time constant; value f32 or integer"},
      {"Size", 13, 17, size, "of a statically shaped tensor (a constant)"},
      {"Shape", 15, 17, shape,
       "of a statically shaped tensor (a constant)"},
  };
  return rows;
}

} // namespace edgec::onnx_import
