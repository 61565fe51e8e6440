//===- Quantized.cpp - QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul ---===//
//
// ONNX's quantised ops become the QDQ form on float graph ops, which
// edgec-fuse-quantized-ops turns into integer kernels.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "compiler/onnx/TensorProto.h"
#include "dialects/graph/ConstantUtils.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

namespace edgec::onnx_import {
namespace {

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

/// QuantizeLinear with a scale (or zero point) computed at run time, per
/// tensor: clip(round(x / scale) + zero_point) in f32, then the integer
/// type (the result is a plain int8/uint8 tensor, not a quantised type).
LogicalResult quantizeLinearAtRunTime(NodeContext &ctx, RankedTensorType t) {
  Value x = ctx.input(0), scale = ctx.input(1), zp = ctx.hasInput(2) ? ctx.input(2) : Value();
  if (!x || !scale || (ctx.hasInput(2) && !zp))
    return failure();
  if (!t.getElementType().isF32())
    return ctx.fail("QuantizeLinear with a scale computed at run time needs an f32 input");
  Type storage = zp ? llvm::cast<RankedTensorType>(zp.getType()).getElementType()
                    : ctx.b.getIntegerType(8, /*isSigned=*/false);
  auto storageInt = llvm::dyn_cast<IntegerType>(storage);
  if (!storageInt || storageInt.getWidth() != 8)
    return ctx.fail("only int8 and uint8 quantisation are supported");
  bool isSigned = !storageInt.isUnsigned();
  Type f32 = ctx.b.getF32Type();
  auto scalar = [&](Value v) { return apply<g::ReshapeOp>(ctx, {v}, {ctx.i64s("shape", ArrayRef<int64_t>{})}); };
  Value y = apply<g::RoundOp>(ctx, {apply<g::DivOp>(ctx, {x, scalar(scale)})});
  if (zp)
    y = apply<g::AddOp>(ctx, {y, castTo(ctx, scalar(zp), f32)});
  y = apply<g::ClipOp>(ctx, {y}, {ctx.named("min", ctx.b.getF32FloatAttr(isSigned ? -128.0f : 0.0f)),
                                  ctx.named("max", ctx.b.getF32FloatAttr(isSigned ? 127.0f : 255.0f))});
  y = castTo(ctx, y, storage);
  return y ? ctx.setOutput(0, y) : failure();
}

LogicalResult quantizeLinear(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  Value scale = ctx.input(1);
  if (!scale)
    return failure();
  // Per tensor, a scale or zero point computed at run time is fine; per
  // axis they must be constants (reported by quantType).
  auto oneElement = [](Value v) { return llvm::cast<RankedTensorType>(v.getType()).getNumElements() == 1; };
  Value zp = ctx.hasInput(2) ? ctx.input(2) : Value();
  bool runTime = !g::getConstant(scale) || (zp && !g::getConstant(zp));
  if (runTime && oneElement(scale) && (!zp || oneElement(zp)))
    return quantizeLinearAtRunTime(ctx, t);
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
/// DynamicQuantizeLinear: uint8 with the scale and zero point of the
/// input's range widened to hold 0, computed at run time:
/// scale = (max(x, 0) - min(x, 0)) / 255, zp = clip(round(-min / scale)),
/// y = clip(round(x / scale) + zp).
LogicalResult dynamicQuantizeLinear(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!t.getElementType().isF32())
    return ctx.fail("DynamicQuantizeLinear needs an f32 input");
  Value x = ctx.input(0);
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < t.getRank(); ++i)
    all.push_back(i);
  auto reduced = [&](auto tag) {
    using Op = decltype(tag);
    return apply<Op>(ctx, {x}, {ctx.i64s("axes", all), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
  };
  auto scalar = [&](float v, StringRef name) { return floatScalar(ctx, ctx.b.getF32Type(), v, name); };
  Value zero = scalar(0.0f, "dql_zero");
  Value hi = apply<g::MaxOp>(ctx, {reduced(g::ReduceMaxOp()), zero});
  Value lo = apply<g::MinOp>(ctx, {reduced(g::ReduceMinOp()), zero});
  // An all-zero input has no range: scale 1, as ONNX Runtime (0 would
  // divide by zero below).
  Value range = apply<g::SubOp>(ctx, {hi, lo});
  Value scale = apply<g::WhereOp>(ctx, {apply<g::EqualOp>(ctx, {range, zero}), scalar(1.0f, "dql_unit"),
                                        apply<g::DivOp>(ctx, {range, scalar(255.0f, "dql_range")})});
  auto clip = [&](Value v) {
    return apply<g::ClipOp>(ctx, {v}, {ctx.named("min", ctx.b.getF32FloatAttr(0.0f)),
                                       ctx.named("max", ctx.b.getF32FloatAttr(255.0f))});
  };
  Value zp = clip(apply<g::RoundOp>(ctx, {apply<g::NegOp>(ctx, {apply<g::DivOp>(ctx, {lo, scale})})}));
  Value y = clip(apply<g::AddOp>(ctx, {apply<g::RoundOp>(ctx, {apply<g::DivOp>(ctx, {x, scale})}), zp}));
  Type u8 = IntegerType::get(ctx.b.getContext(), 8, IntegerType::Unsigned);
  y = castTo(ctx, y, u8);
  if (!y || failed(ctx.setOutput(0, y)) || failed(ctx.setOutput(1, scale)))
    return failure();
  Value zpOut = castTo(ctx, zp, u8);
  return zpOut ? ctx.setOutput(2, zpOut) : failure();
}

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

} // namespace

llvm::ArrayRef<OpEntry> quantizedOps() {
  static const OpEntry rows[] = {
      {"DynamicQuantizeLinear", 11, 17, dynamicQuantizeLinear, "f32 input; scale and zero point computed at run time"},
      {"DequantizeLinear", 13, 17, dequantizeLinear,
       "int8 or uint8 (int32 when a constant); scale and zero point compile-time constants"},
      {"QuantizeLinear", 13, 17, quantizeLinear,
       "int8 or uint8; per-axis scale and zero point compile-time constants (per tensor they may be computed at "
       "run time: then a plain integer result, not a quantised type)"},
      {"QLinearConv", 10, 17, qlinearConv,
       "as QuantizeLinear and Conv; bias and w_scale per output channel"},
      {"QLinearMatMul", 10, 17, qlinearMatMul,
       "as QuantizeLinear and MatMul"},
  };
  return rows;
}

} // namespace edgec::onnx_import
