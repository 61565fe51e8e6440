//===- QuantUtils.cpp - int8 quantisation parameters ----------------------===//
#include "dialects/graph/QuantUtils.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace edgec::graph {

quant::UniformQuantizedType activationType(MLIRContext *ctx, double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  // A constant-zero tensor still needs a valid (positive) scale.
  double scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
  int64_t zeroPoint = static_cast<int64_t>(std::lround(-128.0 - lo / scale));
  zeroPoint = std::clamp<int64_t>(zeroPoint, -128, 127);
  return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
                                          Float32Type::get(ctx), scale, zeroPoint, -128, 127);
}

QuantisedWeights quantiseWeights(ArrayRef<float> weights, ArrayRef<int64_t> shape, int64_t axis) {
  // Elements of one slice along `axis` are `inner` apart in blocks of `outer`.
  int64_t channels = axis < 0 ? 1 : shape[axis], inner = 1;
  for (size_t i = axis < 0 ? shape.size() : axis + 1; i < shape.size(); ++i)
    inner *= shape[i];
  auto channelOf = [&](size_t i) { return axis < 0 ? 0 : static_cast<int64_t>(i / inner) % channels; };
  SmallVector<double> maxAbs(channels, 0.0);
  for (size_t i = 0; i < weights.size(); ++i)
    maxAbs[channelOf(i)] = std::max(maxAbs[channelOf(i)], std::fabs(static_cast<double>(weights[i])));
  QuantisedWeights q;
  for (double m : maxAbs)
    q.scales.push_back(m > 0 ? m / 127.0 : 1.0);
  q.values.reserve(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    double v = std::nearbyint(weights[i] / q.scales[channelOf(i)]);
    q.values.push_back(static_cast<int64_t>(std::clamp(v, -127.0, 127.0)));
  }
  return q;
}

std::optional<int64_t> weightOutputAxis(Operation *op) {
  if (isa<ConvOp>(op))
    return 0;
  if (auto gemm = dyn_cast<GemmOp>(op))
    return gemm.getTransB() ? 0 : 1;
  if (auto mm = dyn_cast<MatMulOp>(op))
    if (mm.getRhs().getType().getRank() == 2)
      return 1;
  return std::nullopt;
}

quant::QuantizedType weightType(MLIRContext *ctx, ArrayRef<double> scales, int64_t axis) {
  Type i8 = IntegerType::get(ctx, 8), f32 = Float32Type::get(ctx);
  unsigned flags = quant::QuantizationFlags::Signed;
  if (axis < 0)
    return quant::UniformQuantizedType::get(flags, i8, f32, scales[0], 0, -127, 127);
  SmallVector<int64_t> zeros(scales.size(), 0);
  return quant::UniformQuantizedPerAxisType::get(flags, i8, f32, scales, zeros, axis, -127, 127);
}

SmallVector<double> scalesOf(quant::QuantizedType q) {
  if (auto u = llvm::dyn_cast<quant::UniformQuantizedType>(q))
    return {u.getScale()};
  if (auto a = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(q))
    return SmallVector<double>(a.getScales());
  return {};
}

SmallVector<int64_t> zeroPointsOf(quant::QuantizedType q) {
  if (auto u = llvm::dyn_cast<quant::UniformQuantizedType>(q))
    return {u.getZeroPoint()};
  if (auto a = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(q))
    return SmallVector<int64_t>(a.getZeroPoints());
  return {};
}

int64_t axisOf(quant::QuantizedType q) {
  if (auto a = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(q))
    return a.getQuantizedDimension();
  return -1;
}

quant::QuantizedType withAxis(quant::QuantizedType q, int64_t axis) {
  auto a = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(q);
  if (!a)
    return q;
  return quant::UniformQuantizedPerAxisType::get(a.getFlags(), a.getStorageType(), a.getExpressedType(),
                                                 a.getScales(), a.getZeroPoints(), axis,
                                                 a.getStorageTypeMin(), a.getStorageTypeMax());
}

bool toFixedPoint(double real, FixedPointMultiplier &out) {
  if (!(real > 0) || !std::isfinite(real))
    return false;
  int exponent = 0;
  double mantissa = std::frexp(real, &exponent); // real = mantissa * 2^exponent, mantissa in [0.5, 1)
  int64_t m = std::llround(mantissa * 2147483648.0);
  if (m == (int64_t(1) << 31)) {
    m /= 2;
    ++exponent;
  }
  int64_t shift = 31 - exponent;
  if (shift < 1)
    return false;
  if (shift > 62) { // below 2^-31: every accumulator rounds to 0
    out = {0, 1};
    return true;
  }
  out = {m, shift};
  return true;
}

bool requantisationOf(double inScale, llvm::ArrayRef<double> weightScales, double outScale,
                      Requantisation &out) {
  out = Requantisation();
  for (double ws : weightScales) {
    FixedPointMultiplier f;
    if (!toFixedPoint(inScale * ws / outScale, f))
      return false;
    out.channels.push_back(f);
  }
  // Channels whose multiplier is 0 (below 2^-31) give 0 with any shift.
  for (const FixedPointMultiplier &f : out.channels)
    if (f.multiplier != 0)
      out.commonShift = std::min(out.commonShift, f.shift);
  out.oneShift = llvm::all_of(out.channels, [&](const FixedPointMultiplier &f) {
    return f.multiplier == 0 || f.shift - out.commonShift <= 15;
  });
  if (out.oneShift)
    for (FixedPointMultiplier &f : out.channels)
      if (f.shift > out.commonShift) {
        int64_t drop = f.shift - out.commonShift;
        f = {(f.multiplier + (int64_t(1) << (drop - 1))) >> drop, out.commonShift};
      }
  return true;
}

} // namespace edgec::graph
