//===- Quantized.cpp - quantise, dequantise, int8 conv/matmul, int4 ---------===//
//
// Quantised tensors are their stored integers by now (the pass made them
// signless); the quantised types come with each op (QuantTypes). An int8
// conv or matmul accumulates in int32 from a start that folds in the input's
// zero point, then requantises in integer arithmetic.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"
#include "passes/PassResults.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace edgec::graph_to_linalg {
namespace {

/// Per-channel constants (`values` along `axis` of `shape`) shaped to
/// broadcast against it: [C, 1, ...], or a scalar when there is one value.
Value channelConstant(Lowering &l, Type element, ArrayRef<double> values, int64_t axis,
                      ArrayRef<int64_t> shape, StringRef name) {
  SmallVector<int64_t> pshape;
  if (values.size() > 1) {
    pshape.assign(shape.size() - axis, 1);
    pshape[0] = shape[axis];
  }
  auto type = RankedTensorType::get(pshape, element);
  if (llvm::isa<FloatType>(element))
    return arith::ConstantOp::create(l.b, makeFloats(type, SmallVector<float>(values.begin(), values.end()), name));
  SmallVector<int64_t> ints;
  for (double v : values)
    ints.push_back(static_cast<int64_t>(v));
  return arith::ConstantOp::create(l.b, makeInts(type, ints, name));
}

/// Scale and zero point of `q` as f32 constants broadcasting against `shape`.
std::pair<Value, Value> quantConstants(Lowering &l, quant::QuantizedType q, ArrayRef<int64_t> shape) {
  auto f32 = l.b.getF32Type();
  SmallVector<int64_t> zp = zeroPointsOf(q);
  return {channelConstant(l, f32, scalesOf(q), axisOf(q), shape, "scales"),
          channelConstant(l, f32, SmallVector<double>(zp.begin(), zp.end()), axisOf(q), shape, "zero_points")};
}

/// q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax), as the
/// stored integers.
FailureOr<Value> lowerQuantize(Lowering &l, QuantizeOp op, quant::QuantizedType q) {
  auto out = typeOf(op.getOutput());
  auto [scale, zero] = quantConstants(l, q, out.getShape());
  double qmin = q.getStorageTypeMin(), qmax = q.getStorageTypeMax();
  return l.elementwise(out, {op.getInput(), scale, zero}, [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    Value x = arith::DivFOp::create(ob, loc, v[0], v[1]);
    x = math::RoundEvenOp::create(ob, loc, x);
    x = arith::AddFOp::create(ob, loc, x, v[2]);
    x = clampOf(ob, loc, x, qmin, qmax);
    Value i = arith::FPToSIOp::create(ob, loc, ob.getI32Type(), x);
    return arith::TruncIOp::create(ob, loc, out.getElementType(), i);
  });
}

/// On the decoding generic of weight-only int8 [N, K] (one scale per row):
/// the scales, which lowerInt8MatVec applies to each row's sum itself.
constexpr llvm::StringLiteral kInt8RowScalesAttr = "edgec.int8_row_scales";

/// x = (q - zero_point) * scale, from the stored integers.
FailureOr<Value> lowerDequantize(Lowering &l, DequantizeOp op, quant::QuantizedType q) {
  auto in = typeOf(op.getInput());
  auto [scale, zero] = quantConstants(l, q, in.getShape());
  bool isSigned = q.isSigned();
  Value y = l.elementwise(typeOf(op.getOutput()), {op.getInput(), scale, zero},
                          [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                            Value wide = isSigned ? Value(arith::ExtSIOp::create(ob, loc, ob.getI32Type(), v[0]))
                                                  : Value(arith::ExtUIOp::create(ob, loc, ob.getI32Type(), v[0]));
                            Value x = arith::SIToFPOp::create(ob, loc, ob.getF32Type(), wide);
                            return arith::MulFOp::create(ob, loc, arith::SubFOp::create(ob, loc, x, v[2]), v[1]);
                          });
  // Weight-only int8 (edgec-quantize-weights-int8): decoded in the kernel
  // that reads it; rows of [N, K] with one scale each are what
  // lowerInt8MatVec reads itself.
  if (op->hasAttr(kDecodeWeightsAttr)) {
    Operation *generic = y.getDefiningOp();
    generic->setAttr(kDecodeWeightsAttr, l.b.getUnitAttr());
    SmallVector<int64_t> zeros = graph::zeroPointsOf(q);
    if (in.getRank() == 2 && graph::axisOf(q) == 0 && q.isSigned() &&
        llvm::all_of(zeros, [](int64_t z) { return z == 0; })) {
      SmallVector<float> rowScales;
      for (double s : graph::scalesOf(q))
        rowScales.push_back(static_cast<float>(s));
      generic->setAttr(kInt8RowScalesAttr, l.b.getDenseF32ArrayAttr(rowScales));
    }
  }
  return y;
}

/// The int32 accumulator's start, bias[c] - x_zero_point * sum of channel
/// c's weights (summing raw stored inputs against the weights then gives
/// sum (x - x_zero_point) * w; padding with the zero point adds nothing),
/// and the largest magnitude each channel's sum can reach.
struct Accumulator {
  Value start;
  SmallVector<int64_t> bound;
};

FailureOr<Accumulator> accumulatorStart(Lowering &l, Value weight, int64_t channelAxis, Value bias,
                                        int64_t inputZeroPoint, bool unsignedInput) {
  SmallVector<int64_t> w, b;
  auto wt = typeOf(weight);
  int64_t channels = wt.getDimSize(channelAxis);
  if (!readInts(graph::getConstant(weight), w))
    return failure();
  if (bias && !readInts(graph::getConstant(bias), b))
    return failure();
  b.resize(channels, 0);
  int64_t inner = 1;
  for (int64_t i = channelAxis + 1; i < wt.getRank(); ++i)
    inner *= wt.getDimSize(i);
  SmallVector<int64_t> weightSum(channels, 0);
  for (size_t i = 0; i < w.size(); ++i) {
    int64_t c = (i / inner) % channels;
    b[c] -= inputZeroPoint * w[i];
    weightSum[c] += std::abs(w[i]);
  }
  Accumulator acc;
  int64_t maxInput = unsignedInput ? 255 : 128;
  for (int64_t c = 0; c < channels; ++c) {
    acc.bound.push_back(std::abs(b[c]) + weightSum[c] * maxInput);
    // A sum that could leave int32 would wrap.
    if (acc.bound.back() > INT32_MAX)
      return failure();
  }
  auto type = RankedTensorType::get({channels}, l.b.getI32Type());
  acc.start = arith::ConstantOp::create(l.b, makeInts(type, b, "accumulator_start"));
  return acc;
}

/// Stored result = clamp(zero_point + round(acc * in_scale * w_scale[c] /
/// out_scale), act_min, act_max), the multiplier as fixed point: integer
/// arithmetic only (a 32x32->64 multiply, or only its high word, and a
/// rounding shift).
///
/// One shift for every channel where the multipliers keep at least 16
/// significant bits (a shift by a constant, where per-channel shifts would
/// be variable 64-bit shifts); the clamp in int32 when `bound` (the
/// accumulator's reach) says the scaled sum fits.
FailureOr<Value> requantise(Lowering &l, Value acc, int64_t channelAxis, quant::UniformQuantizedType in,
                            quant::QuantizedType w, quant::UniformQuantizedType out, int64_t actMin,
                            int64_t actMax, ArrayRef<int64_t> bound, RankedTensorType result) {
  Requantisation rq;
  if (!requantisationOf(in.getScale(), scalesOf(w), out.getScale(), rq))
    return failure();
  const SmallVector<FixedPointMultiplier> &fixed = rq.channels;
  bool oneShift = rq.oneShift;
  int64_t common = rq.commonShift;
  SmallVector<double> multipliers, shifts;
  for (FixedPointMultiplier f : fixed) {
    multipliers.push_back(static_cast<double>(f.multiplier));
    shifts.push_back(static_cast<double>(f.shift));
  }
  double reach = 0; // largest |acc * multiplier / 2^shift|
  for (size_t c = 0; c < std::max(fixed.size(), bound.size()); ++c) {
    size_t k = fixed.size() == 1 ? 0 : c;
    double b = double(bound[bound.size() == 1 ? 0 : c]);
    reach = std::max(reach, std::ldexp(b * multipliers[k], -int(shifts[k])));
  }
  int64_t zp = out.getZeroPoint();
  bool narrow = reach + double(std::abs(zp)) + 2 < double(INT32_MAX);
  auto shape = typeOf(acc).getShape();
  // Multipliers are below 2^31: int32 constants, widened in the kernel
  // (a signed 32x32->64 multiply).
  Value m = channelConstant(l, l.b.getI32Type(), multipliers, channelAxis, shape, "multipliers");
  SmallVector<Value> inputs{acc, m};
  if (!oneShift)
    inputs.push_back(channelConstant(l, l.b.getI64Type(), shifts, channelAxis, shape, "shifts"));
  // With one shift of 33 or more, the high word of the 32x32 product is
  // enough: for P = acc * m, hi = P >> 32 and lo = P mod 2^32,
  // (P + 2^(S-1)) >> S = (hi + 2^(S-33) + lo / 2^32) >> (S-32), and a
  // fraction below 1 added to an integer never crosses a multiple of
  // 2^(S-32): so it is (hi + 2^(S-33)) >> (S-32), exactly. That is a
  // multiply-high and 32-bit adds and shifts (pmuldq on x86, smmul on
  // Cortex-M, mulh on RISC-V) instead of 64-bit arithmetic, which AVX2 and
  // 32-bit cores emulate. Multipliers up to 2^-2 have such shifts.
  bool highWord = oneShift && common >= 33;
  return l.elementwise(result, inputs, [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    Type i64 = ob.getI64Type(), i32 = ob.getI32Type();
    auto c = [&](Type t, int64_t x) { return Value(arith::ConstantIntOp::create(ob, loc, t, x)); };
    auto clampAndStore = [&](Value r, Type t) {
      r = arith::AddIOp::create(ob, loc, r, c(t, zp));
      r = arith::MaxSIOp::create(ob, loc, r, c(t, actMin));
      r = arith::MinSIOp::create(ob, loc, r, c(t, actMax));
      return Value(arith::TruncIOp::create(ob, loc, result.getElementType(), r));
    };
    if (highWord) {
      Value hi = arith::MulSIExtendedOp::create(ob, loc, v[0], v[1]).getHigh();
      Value r = arith::AddIOp::create(ob, loc, hi, c(i32, int64_t(1) << (common - 33)));
      return clampAndStore(arith::ShRSIOp::create(ob, loc, r, c(i32, common - 32)), i32);
    }
    Value wide = arith::ExtSIOp::create(ob, loc, i64, v[0]);
    Value product = arith::MulIOp::create(ob, loc, wide, arith::ExtSIOp::create(ob, loc, i64, v[1]));
    Value shift = oneShift ? c(i64, common) : v[2];
    Value half = arith::ShLIOp::create(ob, loc, c(i64, 1), arith::SubIOp::create(ob, loc, shift, c(i64, 1)));
    Value r = arith::ShRSIOp::create(ob, loc, arith::AddIOp::create(ob, loc, product, half), shift);
    if (!narrow)
      return clampAndStore(r, i64);
    return clampAndStore(arith::TruncIOp::create(ob, loc, i32, r), i32);
  });
}

FailureOr<Value> lowerQConv(Lowering &l, QConvOp op, const QuantTypes &types) {
  auto in = llvm::cast<quant::UniformQuantizedType>(types.operands[0]);
  auto out = llvm::cast<quant::UniformQuantizedType>(types.results[0]);
  auto start = accumulatorStart(l, op.getWeight(), 0, op.getBias(), in.getZeroPoint(), !in.isSigned());
  if (failed(start))
    return failure();
  auto result = typeOf(op.getOutput());
  auto accType = RankedTensorType::get(result.getShape(), l.b.getI32Type());
  ConvSpec spec = convSpecOf(op);
  spec.padValue = static_cast<double>(in.getZeroPoint());
  spec.unsignedInput = !in.isSigned();
  return convGeneric(l, op.getInput(), op.getWeight(), start->start, accType, spec, [&](Value acc) {
    auto accShape = typeOf(acc).getShape();
    return requantise(l, acc, 1, in, types.operands[1], out, op.getActMin(), op.getActMax(), start->bound,
                      RankedTensorType::get(accShape, result.getElementType()));
  });
}

FailureOr<Value> lowerQMatMul(Lowering &l, QMatMulOp op, const QuantTypes &types) {
  auto in = llvm::cast<quant::UniformQuantizedType>(types.operands[0]);
  auto out = llvm::cast<quant::UniformQuantizedType>(types.results[0]);
  auto start = accumulatorStart(l, op.getRhs(), 1, op.getBias(), in.getZeroPoint(), !in.isSigned());
  if (failed(start))
    return failure();
  auto result = typeOf(op.getOutput());
  auto accType = RankedTensorType::get(result.getShape(), l.b.getI32Type());
  int64_t rank = result.getRank();
  auto init = linalg::GenericOp::create(
      l.b, TypeRange{accType}, ValueRange{start->start}, ValueRange{l.empty(accType)},
      ArrayRef<AffineMap>{AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, l.ctx)}, l.ctx),
                          AffineMap::getMultiDimIdentityMap(rank, l.ctx)},
      SmallVector<IteratorType>(rank, IteratorType::parallel),
      [](OpBuilder &ob, Location loc, ValueRange a) { linalg::YieldOp::create(ob, loc, a[0]); });
  Value acc = matmul(l, op.getLhs(), op.getRhs(), accType, false, false, init.getResult(0), !in.isSigned());
  return requantise(l, acc, rank - 1, in, types.operands[1], out, op.getActMin(), op.getActMax(), start->bound,
                    result);
}

constexpr llvm::StringLiteral kInt4LayoutAttr = "edgec.int4_layout";

/// Weight-only int4: element (i_0, .., i_n) is nibble row * R + r of the
/// packed bytes (row = i_axis, r the other indices flattened) times
/// scales[row, r / group]. One elementwise generic, marked so that
/// edgec-fuse-elementwise never folds it back into float constants and
/// decodes it inside a matmul that reads each weight once. A conv reads
/// each weight once per output pixel and names its window dims only
/// through this operand, so linalg does not fuse it there: the conv's
/// weights are decoded into the arena before it (one layer's float
/// weights in RAM at a time), not once per multiply-accumulate.
FailureOr<Value> lowerDequantizeInt4(Lowering &l, DequantizeInt4Op op) {
  auto out = typeOf(op.getOutput());
  int64_t rank = out.getRank(), axis = static_cast<int64_t>(op.getAxis());
  int64_t group = static_cast<int64_t>(op.getGroupSize());
  auto d = [&](int64_t i) { return getAffineDimExpr(i, l.ctx); };
  AffineExpr r = getAffineConstantExpr(0, l.ctx);
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      r = r * out.getDimSize(i) + d(i);
  int64_t reduction = out.getNumElements() / out.getDimSize(axis);
  AffineExpr nibble = d(axis) * reduction + r;
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, {nibble.floorDiv(2)}, l.ctx),
                              AffineMap::get(rank, 0, {d(axis), r.floorDiv(group)}, l.ctx)};
  SmallVector<Value> inputs{op.getPacked(), op.getScales()};
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, l.ctx));
  SmallVector<int64_t> dimSizes(out.getShape());
  auto generic = linalg::GenericOp::create(
      l.b, TypeRange{out}, inputs, ValueRange{l.empty(out)}, maps,
      SmallVector<IteratorType>(rank, IteratorType::parallel),
      [&](OpBuilder &ob, Location loc, ValueRange a) {
        // The nibble's index, for its parity: low (even) or high (odd)
        // half of the byte.
        auto c = [&](int64_t v) { return Value(arith::ConstantIndexOp::create(ob, loc, v)); };
        Value flat = c(0);
        for (int64_t i = 0; i < rank; ++i) {
          if (i == axis)
            continue;
          flat = arith::MulIOp::create(ob, loc, flat, c(dimSizes[i]));
          flat = arith::AddIOp::create(ob, loc, flat, linalg::IndexOp::create(ob, loc, i));
        }
        Value row = arith::MulIOp::create(ob, loc, linalg::IndexOp::create(ob, loc, axis), c(reduction));
        flat = arith::AddIOp::create(ob, loc, flat, row);
        Value odd = arith::RemUIOp::create(ob, loc, flat, c(2));
        Value oddI8 = arith::IndexCastOp::create(ob, loc, ob.getI8Type(), odd);
        // Low nibble: (byte << 4) >> 4; high: byte >> 4 (arithmetic: signed).
        Value four = arith::ConstantIntOp::create(ob, loc, ob.getI8Type(), 4);
        Value up = arith::ShLIOp::create(ob, loc, a[0],
                                         arith::SubIOp::create(ob, loc, four, arith::MulIOp::create(ob, loc, oddI8, four)));
        Value q = arith::ShRSIOp::create(ob, loc, up, four);
        Value f = arith::SIToFPOp::create(ob, loc, out.getElementType(), q);
        Value scale = a[1];
        if (scale.getType() != out.getElementType()) // f16 scales
          scale = arith::ExtFOp::create(ob, loc, out.getElementType(), scale);
        linalg::YieldOp::create(ob, loc, arith::MulFOp::create(ob, loc, f, scale).getResult());
      });
  generic->setAttr(kDecodeWeightsAttr, l.b.getUnitAttr());
  // For lowerInt4MatVec, which reads the packed weights itself.
  generic->setAttr(kInt4LayoutAttr, l.b.getDenseI64ArrayAttr({axis, group}));
  return generic.getResult(0);
}

} // namespace

/// The rows of y [N] (f32), up to four per pass: `sums` gives each row's
/// vector of partial sums (given the pass's row indices), which are summed
/// across lanes and, with `finish`, adjusted per row before being stored.
using RowSums = llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ArrayRef<Value> rows)>;
using RowFinish = llvm::function_ref<Value(OpBuilder &, Location, Value total, Value row)>;
Value forRowBlocks(Lowering &l, int64_t n, RowSums sums, RowFinish finish = nullptr) {
  int64_t rowsPerPass = n % 4 == 0 ? 4 : n % 2 == 0 ? 2 : 1;
  auto c = [&](OpBuilder &ob, Location loc, int64_t v) { return Value(arith::ConstantIndexOp::create(ob, loc, v)); };
  Value y = l.empty(RankedTensorType::get({n}, l.b.getF32Type()));
  auto loop = scf::ForOp::create(
      l.b, c(l.b, l.b.getLoc(), 0), c(l.b, l.b.getLoc(), n), c(l.b, l.b.getLoc(), rowsPerPass), ValueRange{y},
      [&](OpBuilder &ob, Location loc, Value firstRow, ValueRange yIter) {
        SmallVector<Value> row;
        for (int64_t r = 0; r < rowsPerPass; ++r)
          row.push_back(arith::AddIOp::create(ob, loc, firstRow, c(ob, loc, r)));
        SmallVector<Value> partial = sums(ob, loc, row);
        Value yRows = yIter[0];
        for (int64_t r = 0; r < rowsPerPass; ++r) {
          Value total = vector::ReductionOp::create(ob, loc, vector::CombiningKind::ADD, partial[r]);
          if (finish)
            total = finish(ob, loc, total, row[r]);
          yRows = tensor::InsertOp::create(ob, loc, total, yRows, ValueRange{row[r]});
        }
        scf::YieldOp::create(ob, loc, yRows);
      });
  return loop.getResult(0);
}

/// x [1, .., 1, K] times int4 weights [K, N] (a decode step's projection):
/// each weight is read once, so the time is the packed bytes' (half a byte
/// per weight) if they are decoded in registers. Per output n, the K
/// nibbles of row n are contiguous, even k in the low halves of the bytes:
/// `lanes` bytes at a time are sign-extended to i32 (x86 has no byte
/// shifts: i8 shifts cost several instructions each), split into the even
/// and odd weights, multiplied by x's even and odd elements (deinterleaved
/// once), summed per group of `group` and scaled, the lanes reduced at the
/// end of the row. Up to four rows share each load of x. Null when the
/// operands are not that (the fused generic then computes it).
Value lowerInt4MatVec(Lowering &l, Value a, Value w, RankedTensorType out) {
  auto decode = w.getDefiningOp<linalg::GenericOp>();
  auto layout = decode ? decode->getAttrOfType<DenseI64ArrayAttr>(kInt4LayoutAttr) : DenseI64ArrayAttr();
  auto at = typeOf(a), wt = typeOf(w);
  if (!layout || wt.getRank() != 2 || layout[0] != 1 || !at.getElementType().isF32() ||
      at.getNumElements() != at.getShape().back())
    return {};
  int64_t k = wt.getDimSize(0), n = wt.getDimSize(1), group = layout[1];
  int64_t lanes = std::max<int64_t>(1, l.panelLanes);
  if (k % group != 0 || group % (2 * lanes) != 0)
    return {};
  Value packed = decode.getInputs()[0], scales = decode.getInputs()[1];
  auto pt = typeOf(packed), st = typeOf(scales);
  if (pt.getNumElements() * 2 != k * n || !pt.getElementType().isInteger(8) || st.getRank() != 2 ||
      st.getDimSize(0) != n || st.getDimSize(1) != k / group)
    return {};
  MLIRContext *ctx = l.ctx;
  Type f32 = l.b.getF32Type(), i8 = l.b.getI8Type();
  packed = l.reshape(packed, RankedTensorType::get({pt.getNumElements()}, i8));
  Value x = l.reshape(a, RankedTensorType::get({k}, f32));
  // x's even and odd elements, the partners of the low and high nibbles.
  auto half = RankedTensorType::get({k / 2}, f32);
  auto strided = [&](int64_t offset) {
    AffineMap in = AffineMap::get(1, 0, {getAffineDimExpr(0, ctx) * 2 + offset}, ctx);
    return linalg::GenericOp::create(l.b, TypeRange{half}, ValueRange{x}, ValueRange{l.empty(half)},
                                     SmallVector<AffineMap>{in, AffineMap::getMultiDimIdentityMap(1, ctx)},
                                     SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
                                     [](OpBuilder &ob, Location loc, ValueRange v) {
                                       linalg::YieldOp::create(ob, loc, v[0]);
                                     })
        .getResult(0);
  };
  Value xEven = strided(0), xOdd = strided(1);
  auto vf = VectorType::get({lanes}, f32), vi = VectorType::get({lanes}, i8);
  auto vi32 = VectorType::get({lanes}, l.b.getI32Type());
  auto c = [&](OpBuilder &ob, Location loc, int64_t v) { return Value(arith::ConstantIndexOp::create(ob, loc, v)); };
  Value zero = arith::ConstantOp::create(l.b, vf, DenseElementsAttr::get(vf, 0.0f));
  Value four = arith::ConstantOp::create(l.b, vi32, DenseElementsAttr::get(vi32, int32_t{4}));
  Value low = arith::ConstantOp::create(l.b, vi32, DenseElementsAttr::get(vi32, int32_t{28}));
  Value padF = arith::ConstantOp::create(l.b, l.b.getF32FloatAttr(0));
  Value padI = arith::ConstantOp::create(l.b, l.b.getI8IntegerAttr(0));
  auto read = [&](OpBuilder &ob, Location loc, VectorType t, Value src, Value at, Value pad) {
    return vector::TransferReadOp::create(ob, loc, t, src, ValueRange{at}, pad, ArrayRef<bool>{true}).getResult();
  };
  Value y = forRowBlocks(l, n, [&](OpBuilder &ob, Location loc, ArrayRef<Value> row) {
    SmallVector<Value> rowBytes, zeros(row.size(), zero);
    for (Value r : row)
      rowBytes.push_back(arith::MulIOp::create(ob, loc, r, c(ob, loc, k / 2)));
    auto groups = scf::ForOp::create(
        ob, loc, c(ob, loc, 0), c(ob, loc, k / group), c(ob, loc, 1), zeros,
        [&](OpBuilder &gb, Location gl, Value g, ValueRange acc) {
          Value start = arith::MulIOp::create(gb, gl, g, c(gb, gl, group / 2));
          auto steps = scf::ForOp::create(
              gb, gl, c(gb, gl, 0), c(gb, gl, group / 2), c(gb, gl, lanes), zeros,
              [&](OpBuilder &sb, Location sl, Value j, ValueRange gacc) {
                Value at = arith::AddIOp::create(sb, sl, start, j);
                Value even = read(sb, sl, vf, xEven, at, padF), odd = read(sb, sl, vf, xOdd, at, padF);
                SmallVector<Value> sums;
                for (size_t r = 0; r < row.size(); ++r) {
                  Value bytes = read(sb, sl, vi, packed, arith::AddIOp::create(sb, sl, rowBytes[r], at), padI);
                  Value wide = arith::ExtSIOp::create(sb, sl, vi32, bytes);
                  // Low nibble: (v << 28) >> 28; high: v >> 4 (arithmetic: signed).
                  Value lo = arith::ShRSIOp::create(sb, sl, arith::ShLIOp::create(sb, sl, wide, low), low);
                  Value hi = arith::ShRSIOp::create(sb, sl, wide, four);
                  Value s = vector::FMAOp::create(sb, sl, arith::SIToFPOp::create(sb, sl, vf, lo), even, gacc[r]);
                  sums.push_back(vector::FMAOp::create(sb, sl, arith::SIToFPOp::create(sb, sl, vf, hi), odd, s));
                }
                scf::YieldOp::create(sb, sl, sums);
              });
          SmallVector<Value> sums;
          for (size_t r = 0; r < row.size(); ++r) {
            Value scale = tensor::ExtractOp::create(gb, gl, scales, ValueRange{row[r], g});
            if (scale.getType() != f32)
              scale = arith::ExtFOp::create(gb, gl, f32, scale);
            sums.push_back(vector::FMAOp::create(gb, gl, steps.getResult(r),
                                                 vector::BroadcastOp::create(gb, gl, vf, scale), acc[r]));
          }
          scf::YieldOp::create(gb, gl, sums);
        });
    return SmallVector<Value>(groups.getResults());
  });
  return l.reshape(y, out);
}

/// y[n] = (sum_k x[k] * rows[n, k]) * scales[n] (no scales: 1): `rows`
/// [N, K] f32 or int8 (converted in registers), each row contiguous and
/// read once. `lanes` elements of each of up to four rows per step, one
/// load of x shared by them; the lanes summed once per row. Null when K is
/// not a multiple of the lanes.
Value rowsTimesVector(Lowering &l, Value x, Value rows, Value scales) {
  auto rt = typeOf(rows);
  int64_t n = rt.getDimSize(0), k = rt.getDimSize(1);
  int64_t lanes = std::max<int64_t>(1, l.panelLanes);
  if (k % lanes != 0)
    return {};
  Type f32 = l.b.getF32Type(), e = rt.getElementType();
  auto vf = VectorType::get({lanes}, f32), ve = VectorType::get({lanes}, e);
  auto vi32 = VectorType::get({lanes}, l.b.getI32Type());
  auto c = [&](OpBuilder &ob, Location loc, int64_t v) { return Value(arith::ConstantIndexOp::create(ob, loc, v)); };
  Value zero = arith::ConstantOp::create(l.b, vf, DenseElementsAttr::get(vf, 0.0f));
  Value padF = arith::ConstantOp::create(l.b, l.b.getF32FloatAttr(0));
  Value padE = e.isF32() ? padF : Value(arith::ConstantOp::create(l.b, l.b.getIntegerAttr(e, 0)));
  auto sums = [&](OpBuilder &ob, Location loc, ArrayRef<Value> row) {
    SmallVector<Value> zeros(row.size(), zero);
    auto steps = scf::ForOp::create(
        ob, loc, c(ob, loc, 0), c(ob, loc, k), c(ob, loc, lanes), zeros,
        [&](OpBuilder &sb, Location sl, Value j, ValueRange acc) {
          Value xs = vector::TransferReadOp::create(sb, sl, vf, x, ValueRange{j}, padF, ArrayRef<bool>{true});
          SmallVector<Value> partial;
          for (size_t r = 0; r < row.size(); ++r) {
            Value w = vector::TransferReadOp::create(sb, sl, ve, rows, ValueRange{row[r], j}, padE,
                                                     ArrayRef<bool>{true});
            if (!e.isF32())
              w = arith::SIToFPOp::create(sb, sl, vf, arith::ExtSIOp::create(sb, sl, vi32, w));
            partial.push_back(vector::FMAOp::create(sb, sl, w, xs, acc[r]));
          }
          scf::YieldOp::create(sb, sl, partial);
        });
    return SmallVector<Value>(steps.getResults());
  };
  auto scaled = [&](OpBuilder &ob, Location loc, Value total, Value row) -> Value {
    return arith::MulFOp::create(ob, loc, total, tensor::ExtractOp::create(ob, loc, scales, ValueRange{row}));
  };
  return scales ? forRowBlocks(l, n, sums, scaled) : forRowBlocks(l, n, sums);
}

/// x [1, .., 1, K] times int8 weights stored [N, K] with one scale per row
/// (edgec-quantize-weights-int8; `w` is their decoding, read transposed):
/// each weight read once, a byte per weight, the row's scale applied to its
/// sum. Null when the operands are not that.
Value lowerInt8MatVec(Lowering &l, Value a, Value w, RankedTensorType out) {
  auto decode = w.getDefiningOp<linalg::GenericOp>();
  auto rowScales = decode ? decode->getAttrOfType<DenseF32ArrayAttr>(kInt8RowScalesAttr) : DenseF32ArrayAttr();
  auto at = typeOf(a), wt = typeOf(w);
  if (!rowScales || wt.getRank() != 2 || !at.getElementType().isF32() || at.getNumElements() != at.getShape().back())
    return {};
  int64_t n = wt.getDimSize(0), k = wt.getDimSize(1);
  Value bytes = decode.getInputs()[0];
  if (k != at.getShape().back() || static_cast<int64_t>(rowScales.size()) != n ||
      typeOf(bytes).getShape() != wt.getShape() || !typeOf(bytes).getElementType().isInteger(8))
    return {};
  Value x = l.reshape(a, RankedTensorType::get({k}, l.b.getF32Type()));
  auto scaleType = RankedTensorType::get({n}, l.b.getF32Type());
  Value scales = arith::ConstantOp::create(l.b, DenseElementsAttr::get(scaleType, rowScales.asArrayRef()));
  Value y = rowsTimesVector(l, x, bytes, scales);
  return y ? l.reshape(y, out) : Value();
}

void populateQuantizedLowerings(LoweringTable &table) {
  table.add<QuantizeOp>([](QuantizeOp q, LoweringInput &in) { return lowerQuantize(in.l, q, in.quant.results[0]); });
  table.add<DequantizeOp>(
      [](DequantizeOp d, LoweringInput &in) { return lowerDequantize(in.l, d, in.quant.operands[0]); });
  table.add<QConvOp>([](QConvOp c, LoweringInput &in) { return lowerQConv(in.l, c, in.quant); });
  table.add<QMatMulOp>([](QMatMulOp m, LoweringInput &in) { return lowerQMatMul(in.l, m, in.quant); });
  table.add<DequantizeInt4Op>([](DequantizeInt4Op d, LoweringInput &in) { return lowerDequantizeInt4(in.l, d); });
}

} // namespace edgec::graph_to_linalg
