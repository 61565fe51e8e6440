//===- GraphToLinalg.cpp - graph dialect -> linalg/tensor/arith/math -----===//
//
// Every graph op becomes linalg on tensors: elementwise ops are one
// linalg.generic with numpy broadcasting in its indexing maps, convolutions
// and pools are generics over the window (input padded by tensor.pad first),
// data movement uses tensor.expand/collapse_shape, insert/extract_slice or a
// generic with computed indices. LSTMs are unrolled over their (static)
// sequence. The ops are replaced in program order; an op that has no
// lowering yet is reported at its ONNX node and the pass fails.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

namespace edgec {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALGPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;
using utils::IteratorType;

RankedTensorType typeOf(Value v) { return llvm::cast<RankedTensorType>(v.getType()); }

/// Builds linalg for one graph op at a time.
class Lowering {
public:
  Lowering(Operation *op) : b(op->getLoc(), op), ctx(op->getContext()) {}

  ImplicitLocOpBuilder b;
  MLIRContext *ctx;
  // Conv weight panels (the pass's panel-lanes / panel-width; 0: none).
  int64_t panelLanes = 0, panelWidth = 0;

  // --- Scalars ---------------------------------------------------------------
  Value scalar(Type t, double v) { return scalarIn(b, b.getLoc(), t, v); }
  static Value scalarIn(OpBuilder &ob, Location loc, Type t, double v) {
    if (llvm::isa<FloatType>(t))
      return arith::ConstantOp::create(ob, loc, ob.getFloatAttr(t, v));
    return arith::ConstantOp::create(ob, loc, ob.getIntegerAttr(t, toInt64(v)));
  }
  /// A double as int64, saturating (2^63 - 1 is not a double).
  static int64_t toInt64(double v) {
    if (v >= 9223372036854775807.0)
      return std::numeric_limits<int64_t>::max();
    if (v <= -9223372036854775808.0)
      return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(v);
  }

  // --- Tensors ---------------------------------------------------------------
  Value empty(RankedTensorType t) {
    return tensor::EmptyOp::create(b, t.getShape(), t.getElementType());
  }
  Value filled(RankedTensorType t, double v) {
    Value s = scalar(t.getElementType(), v);
    return linalg::FillOp::create(b, s, empty(t)).getResult(0);
  }

  /// Indexing map reading `input` (numpy-broadcast, right aligned) inside a
  /// loop nest over `resultShape`.
  AffineMap broadcastMap(RankedTensorType input, ArrayRef<int64_t> resultShape) {
    int64_t rank = resultShape.size(), offset = rank - input.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < input.getRank(); ++i)
      exprs.push_back(input.getDimSize(i) == 1 && resultShape[i + offset] != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(i + offset, ctx));
    return AffineMap::get(rank, 0, exprs, ctx);
  }

  /// One linalg.generic over `resultType`, all loops parallel, inputs
  /// broadcast numpy style. `body` gets the input scalars and returns the
  /// result scalar.
  using Body = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;
  Value elementwise(RankedTensorType resultType, ValueRange inputs, Body body) {
    SmallVector<AffineMap> maps;
    for (Value in : inputs)
      maps.push_back(broadcastMap(typeOf(in), resultType.getShape()));
    maps.push_back(AffineMap::getMultiDimIdentityMap(resultType.getRank(), ctx));
    SmallVector<IteratorType> iters(resultType.getRank(), IteratorType::parallel);
    auto op = linalg::GenericOp::create(
        b, TypeRange{resultType}, inputs, ValueRange{empty(resultType)}, maps, iters,
        [&](OpBuilder &ob, Location loc, ValueRange args) {
          linalg::YieldOp::create(ob, loc, body(ob, loc, args.drop_back()));
        });
    return op.getResult(0);
  }

  /// Reshape through 1-D: collapse then expand (each skipped when trivial).
  Value reshape(Value input, RankedTensorType to) {
    auto from = typeOf(input);
    if (from == to)
      return input;
    Value flat = input;
    int64_t n = from.getNumElements();
    auto flatType = RankedTensorType::get({n}, from.getElementType());
    if (from.getRank() == 0) {
      flat = tensor::ExpandShapeOp::create(b, flatType, input, SmallVector<ReassociationIndices>{});
    } else if (from.getRank() != 1) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t i = 0; i < from.getRank(); ++i)
        all[0].push_back(i);
      flat = tensor::CollapseShapeOp::create(b, flatType, input, all);
    }
    if (to.getRank() == 1)
      return flat;
    SmallVector<ReassociationIndices> all(to.getRank() ? 1 : 0);
    for (int64_t i = 0; i < to.getRank(); ++i)
      all[0].push_back(i);
    if (to.getRank() == 0)
      return tensor::CollapseShapeOp::create(b, to, flat, all);
    return tensor::ExpandShapeOp::create(b, to, flat, all);
  }

  /// Reduces `axes` of `input` with `combine`, starting from `init`;
  /// the result keeps reduced dims as size 1.
  Value reduce(Value input, ArrayRef<int64_t> axes, double init,
               llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
    auto t = typeOf(input);
    SmallVector<int64_t> kept, keptShape;
    SmallVector<AffineExpr> outExprs;
    SmallVector<IteratorType> iters;
    for (int64_t i = 0; i < t.getRank(); ++i) {
      bool reduced = llvm::is_contained(axes, i);
      iters.push_back(reduced ? IteratorType::reduction : IteratorType::parallel);
      if (!reduced) {
        outExprs.push_back(getAffineDimExpr(i, ctx));
        keptShape.push_back(t.getDimSize(i));
      }
    }
    auto outType = RankedTensorType::get(keptShape, t.getElementType());
    SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(t.getRank(), ctx),
                                AffineMap::get(t.getRank(), 0, outExprs, ctx)};
    auto op = linalg::GenericOp::create(
        b, TypeRange{outType}, ValueRange{input}, ValueRange{filled(outType, init)}, maps, iters,
        [&](OpBuilder &ob, Location loc, ValueRange args) {
          linalg::YieldOp::create(ob, loc, combine(ob, loc, args[1], args[0]));
        });
    SmallVector<int64_t> keepShape(t.getShape());
    for (int64_t a : axes)
      keepShape[a] = 1;
    return reshape(op.getResult(0), RankedTensorType::get(keepShape, t.getElementType()));
  }

  Value reduceSum(Value input, ArrayRef<int64_t> axes) {
    return reduce(input, axes, 0.0, [](OpBuilder &ob, Location loc, Value acc, Value x) -> Value {
      if (llvm::isa<FloatType>(x.getType()))
        return arith::AddFOp::create(ob, loc, acc, x);
      return arith::AddIOp::create(ob, loc, acc, x);
    });
  }
  Value reduceMax(Value input, ArrayRef<int64_t> axes, bool isUnsigned = false) {
    auto e = typeOf(input).getElementType();
    // The identity of max: -inf, 0 (unsigned) or the type's smallest value.
    double lowest = llvm::isa<FloatType>(e) ? -std::numeric_limits<double>::infinity()
                    : isUnsigned            ? 0.0
                                            : -std::ldexp(1.0, static_cast<int>(e.getIntOrFloatBitWidth()) - 1);
    return reduce(input, axes, lowest, [isUnsigned](OpBuilder &ob, Location loc, Value acc, Value x) -> Value {
      if (llvm::isa<FloatType>(x.getType()))
        return arith::MaximumFOp::create(ob, loc, acc, x);
      if (isUnsigned)
        return arith::MaxUIOp::create(ob, loc, acc, x);
      return arith::MaxSIOp::create(ob, loc, acc, x);
    });
  }

  /// Zero-or-value padding of the spatial dims (from dim 2 on).
  Value padSpatial(Value input, ArrayRef<int64_t> begin, ArrayRef<int64_t> end, double value) {
    if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
        llvm::all_of(end, [](int64_t p) { return p == 0; }))
      return input;
    auto t = typeOf(input);
    SmallVector<int64_t> lo(2, 0), hi(2, 0), shape(t.getShape());
    for (size_t i = 0; i < begin.size(); ++i) {
      lo.push_back(begin[i]);
      hi.push_back(end[i]);
      shape[i + 2] += begin[i] + end[i];
    }
    return padded(input, lo, hi, value);
  }

  Value padded(Value input, ArrayRef<int64_t> lo, ArrayRef<int64_t> hi, double value) {
    auto t = typeOf(input);
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < t.getRank(); ++i)
      shape.push_back(t.getDimSize(i) + lo[i] + hi[i]);
    auto type = RankedTensorType::get(shape, t.getElementType());
    SmallVector<OpFoldResult> low, high;
    for (size_t i = 0; i < lo.size(); ++i) {
      low.push_back(b.getIndexAttr(lo[i]));
      high.push_back(b.getIndexAttr(hi[i]));
    }
    Value pad = scalar(t.getElementType(), value);
    return tensor::PadOp::create(b, type, input, low, high, pad);
  }
};

// --- Scalar bodies ------------------------------------------------------------

bool isFloat(Value v) { return llvm::isa<FloatType>(v.getType()); }

Value sigmoidOf(OpBuilder &ob, Location loc, Value x) {
  Value one = Lowering::scalarIn(ob, loc, x.getType(), 1.0);
  Value e = math::ExpOp::create(ob, loc, arith::NegFOp::create(ob, loc, x));
  return arith::DivFOp::create(ob, loc, one, arith::AddFOp::create(ob, loc, one, e));
}

Value clampOf(OpBuilder &ob, Location loc, Value x, std::optional<double> lo,
              std::optional<double> hi) {
  if (lo)
    x = arith::MaximumFOp::create(ob, loc, x, Lowering::scalarIn(ob, loc, x.getType(), *lo));
  if (hi)
    x = arith::MinimumFOp::create(ob, loc, x, Lowering::scalarIn(ob, loc, x.getType(), *hi));
  return x;
}

FailureOr<Value> unaryBody(Operation *op, OpBuilder &ob, Location loc, Value x, bool isUnsigned) {
  Type t = x.getType();
  auto f = [&](double v) { return Lowering::scalarIn(ob, loc, t, v); };
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case([&](ReluOp) -> Value {
        if (isFloat(x))
          return arith::MaximumFOp::create(ob, loc, x, f(0));
        return isUnsigned ? x : Value(arith::MaxSIOp::create(ob, loc, x, f(0)));
      })
      .Case([&](SigmoidOp) { return sigmoidOf(ob, loc, x); })
      .Case([&](TanhOp) -> Value { return math::TanhOp::create(ob, loc, x); })
      .Case([&](ExpOp) -> Value { return math::ExpOp::create(ob, loc, x); })
      .Case([&](LogOp) -> Value { return math::LogOp::create(ob, loc, x); })
      .Case([&](SqrtOp) -> Value { return math::SqrtOp::create(ob, loc, x); })
      .Case([&](NegOp) -> Value {
        if (isFloat(x))
          return arith::NegFOp::create(ob, loc, x);
        return arith::SubIOp::create(ob, loc, f(0), x);
      })
      .Case([&](AbsOp) -> Value {
        if (isFloat(x))
          return math::AbsFOp::create(ob, loc, x);
        return isUnsigned ? x : Value(math::AbsIOp::create(ob, loc, x));
      })
      .Case([&](ErfOp) -> Value { return math::ErfOp::create(ob, loc, x); })
      .Case([&](HardSwishOp) -> Value {
        Value gate = arith::AddFOp::create(ob, loc, arith::DivFOp::create(ob, loc, x, f(6)), f(0.5));
        return arith::MulFOp::create(ob, loc, x, clampOf(ob, loc, gate, 0.0, 1.0));
      })
      .Case([&](HardSigmoidOp h) -> Value {
        Value y = arith::AddFOp::create(
            ob, loc, arith::MulFOp::create(ob, loc, x, f(h.getAlpha().convertToFloat())),
            f(h.getBeta().convertToFloat()));
        return clampOf(ob, loc, y, 0.0, 1.0);
      })
      .Case([&](LeakyReluOp l) -> Value {
        Value neg = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLT, x, f(0));
        Value scaled = arith::MulFOp::create(ob, loc, x, f(l.getAlpha().convertToFloat()));
        return arith::SelectOp::create(ob, loc, neg, scaled, x);
      })
      .Case([&](FloorOp) -> Value { return math::FloorOp::create(ob, loc, x); })
      .Case([&](CeilOp) -> Value { return math::CeilOp::create(ob, loc, x); })
      .Case([&](RoundOp) -> Value { return math::RoundEvenOp::create(ob, loc, x); })
      .Case([&](ReciprocalOp) -> Value { return arith::DivFOp::create(ob, loc, f(1), x); })
      .Case([&](SinOp) -> Value { return math::SinOp::create(ob, loc, x); })
      .Case([&](CosOp) -> Value { return math::CosOp::create(ob, loc, x); })
      .Case([&](SoftplusOp) -> Value {
        return math::LogOp::create(ob, loc, arith::AddFOp::create(ob, loc, f(1), math::ExpOp::create(ob, loc, x)));
      })
      .Case([&](SoftsignOp) -> Value {
        return arith::DivFOp::create(ob, loc, x, arith::AddFOp::create(ob, loc, f(1), math::AbsFOp::create(ob, loc, x)));
      })
      .Case([&](NotOp) -> Value { return arith::XOrIOp::create(ob, loc, x, f(1)); })
      .Case([&](SignOp) -> Value {
        if (isFloat(x)) {
          Value pos = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OGT, x, f(0));
          Value neg = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLT, x, f(0));
          return arith::SelectOp::create(ob, loc, pos, f(1),
                                         arith::SelectOp::create(ob, loc, neg, f(-1), f(0)));
        }
        Value pos = arith::CmpIOp::create(ob, loc, isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, x, f(0));
        Value neg = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, x, f(0));
        Value negOrZero = isUnsigned ? f(0) : Value(arith::SelectOp::create(ob, loc, neg, f(-1), f(0)));
        return arith::SelectOp::create(ob, loc, pos, f(1), negOrZero);
      })
      .Case([&](EluOp e) -> Value {
        Value neg = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLT, x, f(0));
        Value em1 = arith::SubFOp::create(ob, loc, math::ExpOp::create(ob, loc, x), f(1));
        return arith::SelectOp::create(ob, loc, neg,
                                       arith::MulFOp::create(ob, loc, em1, f(e.getAlpha().convertToFloat())), x);
      })
      .Case([&](CeluOp c) -> Value {
        double alpha = c.getAlpha().convertToFloat();
        Value em1 = arith::SubFOp::create(
            ob, loc, math::ExpOp::create(ob, loc, arith::DivFOp::create(ob, loc, x, f(alpha))), f(1));
        return arith::AddFOp::create(ob, loc, arith::MaximumFOp::create(ob, loc, x, f(0)),
                                     arith::MinimumFOp::create(ob, loc, f(0), arith::MulFOp::create(ob, loc, em1, f(alpha))));
      })
      .Case([&](SeluOp e) -> Value {
        Value nonPos = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLE, x, f(0));
        Value em1 = arith::SubFOp::create(ob, loc, math::ExpOp::create(ob, loc, x), f(1));
        Value inner = arith::SelectOp::create(
            ob, loc, nonPos, arith::MulFOp::create(ob, loc, em1, f(e.getAlpha().convertToFloat())), x);
        return arith::MulFOp::create(ob, loc, inner, f(e.getGamma().convertToFloat()));
      })
      .Case([&](ThresholdedReluOp t) -> Value {
        Value above = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OGT, x, f(t.getAlpha().convertToFloat()));
        return arith::SelectOp::create(ob, loc, above, x, f(0));
      })
      .Case([&](ClipOp c) -> Value {
        std::optional<double> lo, hi;
        if (c.getMin())
          lo = c.getMin()->convertToFloat();
        if (c.getMax())
          hi = c.getMax()->convertToFloat();
        return clampOf(ob, loc, x, lo, hi);
      })
      .Default([](Operation *) { return failure(); });
}

/// a^b as ONNX (and C's pow) defines it, from exp(b log|a|): a negative base
/// with an integer exponent takes the sign of (-1)^b, with a non-integer one
/// gives NaN; 0^0 is 1. Exponents 1, 2, 3 and 0.5 are exact.
Value powOf(OpBuilder &ob, Location loc, Value a, Value b) {
  Type t = a.getType();
  auto f = [&](double v) { return Lowering::scalarIn(ob, loc, t, v); };
  FloatAttr exponent;
  if (matchPattern(b, m_Constant(&exponent))) {
    double e = exponent.getValueAsDouble();
    if (e == 1.0)
      return a;
    if (e == 2.0)
      return arith::MulFOp::create(ob, loc, a, a);
    if (e == 3.0)
      return arith::MulFOp::create(ob, loc, arith::MulFOp::create(ob, loc, a, a), a);
    if (e == 0.5)
      return math::SqrtOp::create(ob, loc, a);
  }
  Value magnitude = math::PowFOp::create(ob, loc, math::AbsFOp::create(ob, loc, a), b);
  Value isInt = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OEQ, math::FloorOp::create(ob, loc, b), b);
  Value half = arith::MulFOp::create(ob, loc, b, f(0.5));
  Value isOdd = arith::AndIOp::create(
      ob, loc, isInt,
      arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::ONE, math::FloorOp::create(ob, loc, half), half));
  Value negative = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLT, a, f(0.0));
  Value signed_ = arith::SelectOp::create(ob, loc, isOdd, arith::NegFOp::create(ob, loc, magnitude), magnitude);
  Value nan = f(std::numeric_limits<double>::quiet_NaN());
  Value forNegative = arith::SelectOp::create(ob, loc, isInt, signed_, nan);
  Value result = arith::SelectOp::create(ob, loc, negative, forNegative, magnitude);
  // 0^b: 1 for b == 0, 0 for b > 0, inf for b < 0.
  Value zeroBase = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OEQ, a, f(0.0));
  Value zeroPow = arith::SelectOp::create(
      ob, loc, arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OEQ, b, f(0.0)), f(1.0),
      arith::SelectOp::create(ob, loc, arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OGT, b, f(0.0)),
                              f(0.0), f(std::numeric_limits<double>::infinity())));
  return arith::SelectOp::create(ob, loc, zeroBase, zeroPow, result);
}

FailureOr<Value> binaryBody(Operation *op, OpBuilder &ob, Location loc, Value a, Value c,
                            bool isUnsigned) {
  bool fp = isFloat(a);
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case([&](AddOp) -> Value {
        return fp ? Value(arith::AddFOp::create(ob, loc, a, c)) : arith::AddIOp::create(ob, loc, a, c);
      })
      .Case([&](SubOp) -> Value {
        return fp ? Value(arith::SubFOp::create(ob, loc, a, c)) : arith::SubIOp::create(ob, loc, a, c);
      })
      .Case([&](MulOp) -> Value {
        return fp ? Value(arith::MulFOp::create(ob, loc, a, c)) : arith::MulIOp::create(ob, loc, a, c);
      })
      .Case([&](DivOp) -> Value {
        if (fp)
          return arith::DivFOp::create(ob, loc, a, c);
        return isUnsigned ? Value(arith::DivUIOp::create(ob, loc, a, c)) : arith::DivSIOp::create(ob, loc, a, c);
      })
      .Case([&](PowOp) -> Value {
        if (!fp)
          return math::IPowIOp::create(ob, loc, a, c);
        return powOf(ob, loc, a, c);
      })
      .Case([&](MaxOp) -> Value {
        if (fp)
          return arith::MaximumFOp::create(ob, loc, a, c);
        return isUnsigned ? Value(arith::MaxUIOp::create(ob, loc, a, c)) : arith::MaxSIOp::create(ob, loc, a, c);
      })
      .Case([&](MinOp) -> Value {
        if (fp)
          return arith::MinimumFOp::create(ob, loc, a, c);
        return isUnsigned ? Value(arith::MinUIOp::create(ob, loc, a, c)) : arith::MinSIOp::create(ob, loc, a, c);
      })
      .Case([&](EqualOp) -> Value {
        if (fp)
          return arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OEQ, a, c);
        return arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::eq, a, c);
      })
      .Case<LessOp, LessOrEqualOp, GreaterOp, GreaterOrEqualOp>([&](auto cmp) -> Value {
        using T = decltype(cmp);
        constexpr bool less = std::is_same_v<T, LessOp> || std::is_same_v<T, LessOrEqualOp>;
        constexpr bool orEqual = std::is_same_v<T, LessOrEqualOp> || std::is_same_v<T, GreaterOrEqualOp>;
        if (fp)
          return arith::CmpFOp::create(ob, loc,
                                       less ? (orEqual ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT)
                                            : (orEqual ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT),
                                       a, c);
        arith::CmpIPredicate p =
            isUnsigned ? (less ? (orEqual ? arith::CmpIPredicate::ule : arith::CmpIPredicate::ult)
                               : (orEqual ? arith::CmpIPredicate::uge : arith::CmpIPredicate::ugt))
                       : (less ? (orEqual ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt)
                               : (orEqual ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt));
        return arith::CmpIOp::create(ob, loc, p, a, c);
      })
      .Case([&](AndOp) -> Value { return arith::AndIOp::create(ob, loc, a, c); })
      .Case([&](OrOp) -> Value { return arith::OrIOp::create(ob, loc, a, c); })
      .Case([&](XorOp) -> Value { return arith::XOrIOp::create(ob, loc, a, c); })
      .Case([&](PReluOp) -> Value {
        Value zero = Lowering::scalarIn(ob, loc, a.getType(), 0);
        if (fp)
          return arith::SelectOp::create(ob, loc, arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLT, a, zero),
                                         arith::MulFOp::create(ob, loc, a, c), a);
        return arith::SelectOp::create(ob, loc, arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, a, zero),
                                       arith::MulIOp::create(ob, loc, a, c), a);
      })
      .Default([](Operation *) { return failure(); });
}

/// `fromUnsigned` / `toUnsigned`: the graph types were unsigned (the values
/// here are signless, as arith wants).
Value castScalar(OpBuilder &ob, Location loc, Value x, Type to, bool fromUnsigned,
                 bool toUnsigned) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromInt = llvm::dyn_cast<IntegerType>(from);
  auto toInt = llvm::dyn_cast<IntegerType>(to);
  if (fromInt && toInt) {
    if (toInt.getWidth() == 1)
      return arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::ne, x,
                                   Lowering::scalarIn(ob, loc, from, 0));
    if (fromInt.getWidth() < toInt.getWidth())
      return fromUnsigned || fromInt.getWidth() == 1
                 ? Value(arith::ExtUIOp::create(ob, loc, to, x))
                 : Value(arith::ExtSIOp::create(ob, loc, to, x));
    return arith::TruncIOp::create(ob, loc, to, x);
  }
  if (fromInt) // int -> float
    return fromUnsigned || fromInt.getWidth() == 1
               ? Value(arith::UIToFPOp::create(ob, loc, to, x))
               : Value(arith::SIToFPOp::create(ob, loc, to, x));
  if (toInt) { // float -> int
    if (toInt.getWidth() == 1)
      return arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::UNE, x,
                                   Lowering::scalarIn(ob, loc, from, 0.0));
    return toUnsigned ? Value(arith::FPToUIOp::create(ob, loc, to, x))
                              : Value(arith::FPToSIOp::create(ob, loc, to, x));
  }
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(ob, loc, to, x);
  return arith::TruncFOp::create(ob, loc, to, x);
}

/// acc + a * b, in float or (wrapping) integer arithmetic. Integers
/// narrower than the accumulator are widened first (int8 kernels sum in
/// int32): `b` is signed, `a` as `aUnsigned` says.
Value multiplyAdd(OpBuilder &ob, Location loc, Value acc, Value a, Value b, bool aUnsigned = false) {
  if (isFloat(a))
    return arith::AddFOp::create(ob, loc, acc, arith::MulFOp::create(ob, loc, a, b));
  Type wide = acc.getType();
  if (a.getType() != wide)
    a = aUnsigned ? Value(arith::ExtUIOp::create(ob, loc, wide, a)) : Value(arith::ExtSIOp::create(ob, loc, wide, a));
  if (b.getType() != wide)
    b = arith::ExtSIOp::create(ob, loc, wide, b);
  return arith::AddIOp::create(ob, loc, acc, arith::MulIOp::create(ob, loc, a, b));
}

// --- Ops ----------------------------------------------------------------------

/// A window op (conv or pool) over NC[spatial] tensors: loop dims are
/// (n, c_out, o_1..o_k) parallel, then the op's reduction dims.
struct Window {
  ArrayRef<int64_t> strides, dilations;
};

/// A constant conv weight [C_out, C_in/group, k_1..] as stored for the
/// kernels.
struct PackedWeight {
  Value value;       // null if the weight is not a constant of a type that can be read
  int64_t panel = 0; // output channels per panel; 0: one, [C_in/group, k_1.., C_out]
};

/// The widest panel of output channels, a multiple of the target's lanes no
/// wider than its kernel block, that divides `outChannels` (0: none, or
/// one panel would hold them all).
int64_t panelFor(const Lowering &l, int64_t outChannels) {
  if (l.panelLanes <= 0 || l.panelWidth < l.panelLanes)
    return 0;
  for (int64_t p = l.panelWidth / l.panelLanes * l.panelLanes; p >= l.panelLanes; p -= l.panelLanes)
    if (outChannels % p == 0)
      return p < outChannels ? p : 0;
  return 0;
}

/// Output channel last, [C_in/group, k_1.., C_out]: consecutive output
/// channels are consecutive in memory, so a kernel loads them as a vector.
/// Without groups and with more output channels than a kernel block covers,
/// in panels [C_out/P, C_in, k_1.., P]: the P channels a block computes
/// have their weights for consecutive reduction steps side by side (one
/// stream through memory, where [.., C_out] puts C_out elements between
/// steps and a late layer's weights miss every cache line).
PackedWeight packConvWeight(Lowering &l, Value w, int64_t group) {
  ElementsAttr c = graph::getConstant(w);
  if (!c)
    return {};
  RankedTensorType wt = typeOf(w);
  int64_t rank = wt.getRank(), outChannels = wt.getDimSize(0);
  int64_t panel = group == 1 ? panelFor(l, outChannels) : 0;
  // With panels, C_out is split first: [C_out/P, P, C_in, k..] (a view of
  // the same data), then P moves last. Either way one transposition.
  SmallVector<int64_t> perm;
  if (panel) {
    SmallVector<int64_t> split{outChannels / panel, panel};
    llvm::append_range(split, wt.getShape().drop_front());
    c = graph::reshapeConstant(c, RankedTensorType::get(split, wt.getElementType()));
    if (!c)
      return {};
    perm.push_back(0);
  }
  int64_t channel = panel ? 1 : 0;
  for (int64_t i = channel + 1; i < channel + rank; ++i)
    perm.push_back(i);
  perm.push_back(channel);
  ElementsAttr t = graph::transposeConstant(c, perm);
  if (!t)
    return {};
  return {arith::ConstantOp::create(l.b, t), panel};
}

/// The convolution geometry of graph.conv and graph.qconv.
struct ConvSpec {
  ArrayRef<int64_t> strides, pads, dilations;
  int64_t group;
  double padValue = 0.0; // the input's zero (its zero point when quantised)
  bool unsignedInput = false;
};

template <typename ConvLike>
ConvSpec convSpecOf(ConvLike op) {
  return {op.getStrides(), op.getPads(), op.getDilations(), static_cast<int64_t>(op.getGroup())};
}

/// Applied to a conv's accumulator before it is reshaped back from a
/// pointwise conv's flattened image (an int8 conv's requantisation): it
/// reads the very tensor the conv wrote, which edgec-vectorize-contractions
/// needs to evaluate it in the kernel.
using ConvEpilogue = llvm::function_ref<FailureOr<Value>(Value)>;

/// out[n, oc, o..] = bias[oc] + sum x[n, ic, o * s + k * d] * w[oc, ic, k..]
/// as one generic; `out`'s element type is the accumulator's (f32, or i32
/// for int8 operands), then `epilogue`'s if there is one.
FailureOr<Value> convGeneric(Lowering &l, Value x, Value w, Value bias, RankedTensorType out,
                             const ConvSpec &spec, ConvEpilogue epilogue = {}) {
  auto xt = typeOf(x), wt = typeOf(w);
  auto finalOut = out;
  int64_t k = xt.getRank() - 2;
  ArrayRef<int64_t> pads = spec.pads;
  SmallVector<int64_t> strides(spec.strides), dilations(spec.dilations);
  // Constant weights are stored output channel last (or in panels of
  // output channels), for edgec-vectorize-contractions' vector loads.
  PackedWeight pw = packConvWeight(l, w, spec.group);
  Value packed = pw.value;
  // A pointwise conv (1x1, stride 1, no pads) is a matmul over the flattened
  // image: one long contiguous dim instead of short rows, which a kernel
  // fills its vectors from.
  bool pointwise = k > 1 && llvm::all_of(wt.getShape().drop_front(2), [](int64_t s) { return s == 1; }) &&
                   llvm::all_of(strides, [](int64_t s) { return s == 1; }) &&
                   llvm::all_of(pads, [](int64_t p) { return p == 0; });
  if (pointwise) {
    int64_t n = xt.getDimSize(0), pixels = numElements(xt.getShape().drop_front(2));
    Type e = xt.getElementType();
    x = l.reshape(x, RankedTensorType::get({n, xt.getDimSize(1), pixels}, e));
    out = RankedTensorType::get({n, out.getDimSize(1), pixels}, out.getElementType());
    if (pw.panel)
      packed = l.reshape(packed, RankedTensorType::get(
                                     {wt.getDimSize(0) / pw.panel, wt.getDimSize(1), 1, pw.panel}, e));
    else if (packed)
      packed = l.reshape(packed, RankedTensorType::get({wt.getDimSize(1), 1, wt.getDimSize(0)}, e));
    else
      w = l.reshape(w, RankedTensorType::get({wt.getDimSize(0), wt.getDimSize(1), 1}, e));
    k = 1;
    strides = {1};
    dilations = {1};
  } else {
    x = l.padSpatial(x, pads.take_front(k), pads.drop_front(k), spec.padValue);
  }
  int64_t group = spec.group;
  int64_t outPerGroup = wt.getDimSize(0) / group, inPerGroup = wt.getDimSize(1);
  // Loops: n, oc, o_1..o_k (parallel), ic, kw_1..kw_k (reduction).
  int64_t loops = 2 + 2 * k + 1;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, l.ctx); };
  int64_t ic = 2 + k;
  // The input channel: the group's first plus the reduction index (without
  // groups, just the reduction index: then the input visibly does not
  // depend on the output channel, which kernels use to reuse it).
  AffineExpr inChannel = group == 1 ? d(ic) : d(1).floorDiv(outPerGroup) * inPerGroup + d(ic);
  SmallVector<AffineExpr> inExprs{d(0), inChannel};
  // Weights [C_out, C_in, k..], [C_in, k.., C_out] or [C_out/P, C_in, k.., P].
  SmallVector<AffineExpr> wExprs;
  if (pw.panel)
    wExprs.push_back(d(1).floorDiv(pw.panel));
  else if (!packed)
    wExprs.push_back(d(1));
  wExprs.push_back(d(ic));
  SmallVector<AffineExpr> outExprs{d(0), d(1)};
  for (int64_t i = 0; i < k; ++i) {
    inExprs.push_back(d(2 + i) * strides[i] + d(ic + 1 + i) * dilations[i]);
    wExprs.push_back(d(ic + 1 + i));
    outExprs.push_back(d(2 + i));
  }
  if (packed) {
    wExprs.push_back(pw.panel ? d(1) % pw.panel : d(1));
    w = packed;
  }
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, inExprs, l.ctx),
                              AffineMap::get(loops, 0, wExprs, l.ctx),
                              AffineMap::get(loops, 0, outExprs, l.ctx)};
  SmallVector<IteratorType> iters(2 + k, IteratorType::parallel);
  iters.append(k + 1, IteratorType::reduction);
  Value init;
  if (bias) {
    // Start from the bias broadcast over dim 1.
    auto biasMap = AffineMap::get(out.getRank(), 0, {d(1)}, l.ctx);
    auto id = AffineMap::getMultiDimIdentityMap(out.getRank(), l.ctx);
    init = linalg::GenericOp::create(
               l.b, TypeRange{out}, ValueRange{bias}, ValueRange{l.empty(out)},
               ArrayRef<AffineMap>{biasMap, id},
               SmallVector<IteratorType>(out.getRank(), IteratorType::parallel),
               [](OpBuilder &ob, Location loc, ValueRange a) { linalg::YieldOp::create(ob, loc, a[0]); })
               .getResult(0);
  } else {
    init = l.filled(out, 0.0);
  }
  bool unsignedInput = spec.unsignedInput;
  auto conv = linalg::GenericOp::create(
      l.b, TypeRange{out}, ValueRange{x, w}, ValueRange{init}, maps, iters,
      [unsignedInput](OpBuilder &ob, Location loc, ValueRange a) {
        linalg::YieldOp::create(ob, loc, multiplyAdd(ob, loc, a[2], a[0], a[1], unsignedInput));
      });
  Value result = conv.getResult(0);
  if (epilogue) {
    FailureOr<Value> r = epilogue(result);
    if (failed(r))
      return failure();
    result = *r;
  }
  return l.reshape(result, RankedTensorType::get(finalOut.getShape(), typeOf(result).getElementType()));
}

FailureOr<Value> lowerConv(Lowering &l, ConvOp op) {
  return convGeneric(l, op.getInput(), op.getWeight(), op.getBias(), typeOf(op.getOutput()), convSpecOf(op));
}

/// Extra end padding so that ceil_mode windows stay inside the input.
SmallVector<int64_t> ceilExtra(RankedTensorType in, RankedTensorType out, ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                               ArrayRef<int64_t> dilations) {
  int64_t k = kernel.size();
  SmallVector<int64_t> extra;
  for (int64_t i = 0; i < k; ++i) {
    int64_t needed = (out.getDimSize(i + 2) - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = in.getDimSize(i + 2) + pads[i] + pads[i + k];
    extra.push_back(std::max<int64_t>(0, needed - have));
  }
  return extra;
}

template <typename PoolOp>
FailureOr<Value> lowerPool(Lowering &l, PoolOp op, bool isMax, bool isUnsigned) {
  auto xt = typeOf(op.getInput()), out = typeOf(op.getOutput());
  ArrayRef<int64_t> kernel = op.getKernelShape(), pads = op.getPads();
  int64_t k = kernel.size();
  SmallVector<int64_t> extra = ceilExtra(xt, out, kernel, op.getStrides(), pads, op.getDilations());
  SmallVector<int64_t> endPads(pads.drop_front(k));
  for (int64_t i = 0; i < k; ++i)
    endPads[i] += extra[i];
  Type e = xt.getElementType();
  bool fp = llvm::isa<FloatType>(e);
  if (!isMax && !fp)
    return failure(); // integer average pooling: not in ONNX
  // The identity of max: -inf, or the smallest integer of the type.
  double padValue = 0.0;
  if (isMax)
    padValue = fp ? -std::numeric_limits<double>::infinity()
               : isUnsigned ? 0.0
                            : -std::ldexp(1.0, static_cast<int>(e.getIntOrFloatBitWidth()) - 1);
  Value x = l.padSpatial(op.getInput(), pads.take_front(k), endPads, padValue);
  auto d = [&](int64_t i) { return getAffineDimExpr(i, l.ctx); };
  int64_t loops = 2 + 2 * k;
  SmallVector<AffineExpr> inExprs{d(0), d(1)}, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < k; ++i) {
    inExprs.push_back(d(2 + i) * op.getStrides()[i] + d(2 + k + i) * op.getDilations()[i]);
    outExprs.push_back(d(2 + i));
  }
  // The kernel window is a loop with no operand of its own: give it a
  // constant "shape" operand so linalg knows its bounds.
  auto windowType = RankedTensorType::get(kernel, xt.getElementType());
  Value window = l.empty(windowType);
  SmallVector<AffineExpr> winExprs;
  for (int64_t i = 0; i < k; ++i)
    winExprs.push_back(d(2 + k + i));
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, inExprs, l.ctx),
                              AffineMap::get(loops, 0, winExprs, l.ctx),
                              AffineMap::get(loops, 0, outExprs, l.ctx)};
  SmallVector<IteratorType> iters(2 + k, IteratorType::parallel);
  iters.append(k, IteratorType::reduction);
  Value init = l.filled(out, padValue);
  Value acc = linalg::GenericOp::create(
                  l.b, TypeRange{out}, ValueRange{x, window}, ValueRange{init}, maps, iters,
                  [&](OpBuilder &ob, Location loc, ValueRange a) {
                    Value r;
                    if (!isMax)
                      r = arith::AddFOp::create(ob, loc, a[2], a[0]);
                    else if (fp)
                      r = arith::MaximumFOp::create(ob, loc, a[2], a[0]);
                    else if (isUnsigned)
                      r = arith::MaxUIOp::create(ob, loc, a[2], a[0]);
                    else
                      r = arith::MaxSIOp::create(ob, loc, a[2], a[0]);
                    linalg::YieldOp::create(ob, loc, r);
                  })
                  .getResult(0);
  if (isMax)
    return acc;
  // Average: divide by the number of window elements that count, which
  // depends on the position when pads are excluded. Computed here, at
  // compile time, as a constant over the output's spatial dims.
  bool includePad = false;
  if constexpr (std::is_same_v<PoolOp, AveragePoolOp>)
    includePad = op.getCountIncludePad();
  SmallVector<int64_t> spatial(out.getShape().drop_front(2));
  int64_t n = numElements(spatial);
  SmallVector<float> counts(n);
  SmallVector<int64_t> pos(k, 0);
  for (int64_t idx = 0; idx < n; ++idx) {
    int64_t count = 1;
    for (int64_t i = 0; i < k; ++i) {
      int64_t lo = includePad ? -pads[i] : 0;
      int64_t hi = includePad ? xt.getDimSize(i + 2) + pads[i + k] : xt.getDimSize(i + 2);
      int64_t c = 0;
      for (int64_t j = 0; j < kernel[i]; ++j) {
        int64_t at = pos[i] * op.getStrides()[i] - pads[i] + j * op.getDilations()[i];
        c += at >= lo && at < hi;
      }
      count *= c;
    }
    counts[idx] = static_cast<float>(std::max<int64_t>(count, 1));
    for (int64_t i = k - 1; i >= 0; --i) {
      if (++pos[i] < spatial[i])
        break;
      pos[i] = 0;
    }
  }
  auto countType = RankedTensorType::get(spatial, out.getElementType());
  Value countConst = arith::ConstantOp::create(l.b, makeFloats(countType, counts, "pool_counts"));
  return l.elementwise(out, {acc, countConst}, [](OpBuilder &ob, Location loc, ValueRange a) -> Value {
    return arith::DivFOp::create(ob, loc, a[0], a[1]);
  });
}

/// numpy matmul via a generic: loops (batch..., m, n, k).
Value matmul(Lowering &l, Value a, Value bv, RankedTensorType out, bool transA = false,
             bool transB = false, Value init = {}, bool unsignedA = false) {
  auto at = typeOf(a), bt = typeOf(bv);
  int64_t batch = out.getRank() - 2, loops = out.getRank() + 1;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, l.ctx); };
  auto operandMap = [&](RankedTensorType t, AffineExpr r, AffineExpr c) {
    SmallVector<AffineExpr> e;
    int64_t tb = t.getRank() - 2;
    for (int64_t i = 0; i < tb; ++i) {
      int64_t outDim = batch - tb + i;
      e.push_back(t.getDimSize(i) == 1 && out.getDimSize(outDim) != 1 ? getAffineConstantExpr(0, l.ctx)
                                                                      : d(outDim));
    }
    e.push_back(r);
    e.push_back(c);
    return AffineMap::get(loops, 0, e, l.ctx);
  };
  AffineExpr m = d(batch), n = d(batch + 1), kk = d(batch + 2);
  SmallVector<AffineMap> maps{transA ? operandMap(at, kk, m) : operandMap(at, m, kk),
                              transB ? operandMap(bt, n, kk) : operandMap(bt, kk, n),
                              AffineMap::get(loops, 0, [&] {
                                SmallVector<AffineExpr> e;
                                for (int64_t i = 0; i < batch + 2; ++i)
                                  e.push_back(d(i));
                                return e;
                              }(), l.ctx)};
  SmallVector<IteratorType> iters(batch + 2, IteratorType::parallel);
  iters.push_back(IteratorType::reduction);
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{a, bv}, ValueRange{init ? init : l.filled(out, 0.0)}, maps, iters,
             [unsignedA](OpBuilder &ob, Location loc, ValueRange v) {
               linalg::YieldOp::create(ob, loc, multiplyAdd(ob, loc, v[2], v[0], v[1], unsignedA));
             })
      .getResult(0);
}

FailureOr<Value> lowerMatMul(Lowering &l, MatMulOp op) {
  Value a = op.getLhs(), bv = op.getRhs();
  auto at = typeOf(a), bt = typeOf(bv), out = typeOf(op.getOutput());
  Type e = out.getElementType();
  // 1-d operands are [1, k] and [k, 1]; the result drops those dims again.
  if (at.getRank() == 1)
    a = l.reshape(a, RankedTensorType::get({1, at.getDimSize(0)}, e));
  if (bt.getRank() == 1)
    bv = l.reshape(bv, RankedTensorType::get({bt.getDimSize(0), 1}, e));
  SmallVector<int64_t> shape(out.getShape());
  if (at.getRank() == 1)
    shape.insert(shape.end() - (bt.getRank() == 1 ? 0 : 1), 1);
  if (bt.getRank() == 1)
    shape.push_back(1);
  auto full = RankedTensorType::get(shape, e);
  return l.reshape(matmul(l, a, bv, full), out);
}

FailureOr<Value> lowerGemm(Lowering &l, GemmOp op) {
  auto out = typeOf(op.getOutput());
  // A constant transposed B (a dense layer's [N, K] weight) is stored as
  // [K, N]: consecutive outputs read consecutive weights.
  Value bv = op.getB();
  bool transB = op.getTransB();
  if (transB)
    if (ElementsAttr c = graph::getConstant(bv))
      if (ElementsAttr t = graph::transposeConstant(c, {1, 0})) {
        bv = arith::ConstantOp::create(l.b, t);
        transB = false;
      }
  Value acc = matmul(l, op.getA(), bv, out, op.getTransA(), transB);
  float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
  if (!op.getC() || beta == 0.0f) {
    if (alpha == 1.0f)
      return acc;
    return l.elementwise(out, {acc}, [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
      return arith::MulFOp::create(ob, loc, v[0], Lowering::scalarIn(ob, loc, v[0].getType(), alpha));
    });
  }
  return l.elementwise(out, {acc, op.getC()}, [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    Value x = v[0], c = v[1];
    if (alpha != 1.0f)
      x = arith::MulFOp::create(ob, loc, x, Lowering::scalarIn(ob, loc, x.getType(), alpha));
    if (beta != 1.0f)
      c = arith::MulFOp::create(ob, loc, c, Lowering::scalarIn(ob, loc, c.getType(), beta));
    return arith::AddFOp::create(ob, loc, x, c);
  });
}

FailureOr<Value> lowerBatchNorm(Lowering &l, BatchNormOp op) {
  auto out = typeOf(op.getOutput());
  // Per-channel params [C] broadcast over dim 1: reshape them to [C, 1, ...].
  SmallVector<int64_t> shape(out.getRank() - 1, 1);
  shape[0] = out.getDimSize(1);
  auto pt = RankedTensorType::get(shape, out.getElementType());
  SmallVector<Value> ins{op.getInput()};
  for (Value p : {op.getScale(), op.getBias(), op.getMean(), op.getVariance()})
    ins.push_back(l.reshape(p, pt));
  float eps = op.getEpsilon().convertToFloat();
  return l.elementwise(out, ins, [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    Value var = arith::AddFOp::create(ob, loc, v[4], Lowering::scalarIn(ob, loc, v[4].getType(), eps));
    Value norm = arith::DivFOp::create(ob, loc, arith::SubFOp::create(ob, loc, v[0], v[3]),
                                       math::SqrtOp::create(ob, loc, var));
    return arith::AddFOp::create(ob, loc, arith::MulFOp::create(ob, loc, norm, v[1]), v[2]);
  });
}

enum class ReduceKind { Sum, Mean, Max };

Value lowerReduce(Lowering &l, ReduceKind kind, Value input, ArrayRef<int64_t> axes,
                  RankedTensorType out, bool isUnsigned = false) {
  if (kind == ReduceKind::Max)
    return l.reshape(l.reduceMax(input, axes, isUnsigned), out);
  Value r = l.reduceSum(input, axes);
  if (kind == ReduceKind::Mean) {
    int64_t count = 1;
    for (int64_t a : axes)
      count *= typeOf(input).getDimSize(a);
    r = l.elementwise(typeOf(r), {r}, [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
      return arith::DivFOp::create(ob, loc, v[0], Lowering::scalarIn(ob, loc, v[0].getType(), count));
    });
  }
  return l.reshape(r, out);
}

/// ReduceMin/Prod/SumSquare/L1/L2/LogSum/LogSumExp: a per-element map, one
/// reduction (keeping dims) and a final map; then the output's shape.
template <typename OpTy>
FailureOr<Value> lowerOtherReduce(Lowering &l, OpTy op, bool isUnsigned) {
  Value x = op.getInput();
  auto t = typeOf(x);
  bool fp = llvm::isa<FloatType>(t.getElementType());
  ArrayRef<int64_t> axes = op.getAxes();
  auto map = [&](Value v, auto fn) {
    return l.elementwise(typeOf(v), {v}, [&](OpBuilder &ob, Location loc, ValueRange a) -> Value {
      return fn(ob, loc, a[0]);
    });
  };
  Value r;
  if constexpr (std::is_same_v<OpTy, ReduceMinOp>) {
    // The identity of min: +inf, all ones (unsigned), or the type's largest.
    double highest = fp ? std::numeric_limits<double>::infinity()
                        : isUnsigned ? -1.0
                                     : std::ldexp(1.0, static_cast<int>(t.getElementTypeBitWidth()) - 1) - 1;
    r = l.reduce(x, axes, highest, [&](OpBuilder &ob, Location loc, Value acc, Value v) -> Value {
      if (fp)
        return arith::MinimumFOp::create(ob, loc, acc, v);
      return isUnsigned ? Value(arith::MinUIOp::create(ob, loc, acc, v)) : Value(arith::MinSIOp::create(ob, loc, acc, v));
    });
  } else if constexpr (std::is_same_v<OpTy, ReduceProdOp>) {
    r = l.reduce(x, axes, 1.0, [&](OpBuilder &ob, Location loc, Value acc, Value v) -> Value {
      return fp ? Value(arith::MulFOp::create(ob, loc, acc, v)) : Value(arith::MulIOp::create(ob, loc, acc, v));
    });
  } else {
    if (!fp)
      return failure();
    if constexpr (std::is_same_v<OpTy, ReduceSumSquareOp> || std::is_same_v<OpTy, ReduceL2Op>)
      x = map(x, [](OpBuilder &ob, Location loc, Value v) -> Value { return arith::MulFOp::create(ob, loc, v, v); });
    if constexpr (std::is_same_v<OpTy, ReduceL1Op>)
      x = map(x, [](OpBuilder &ob, Location loc, Value v) -> Value { return math::AbsFOp::create(ob, loc, v); });
    if constexpr (std::is_same_v<OpTy, ReduceLogSumExpOp>) {
      // log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the maximum.
      Value m = l.reduceMax(x, axes);
      Value shifted = l.elementwise(t, {x, m}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
        return math::ExpOp::create(ob, loc, arith::SubFOp::create(ob, loc, v[0], v[1]));
      });
      Value s = l.reduceSum(shifted, axes);
      r = l.elementwise(typeOf(s), {s, m}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
        return arith::AddFOp::create(ob, loc, math::LogOp::create(ob, loc, v[0]), v[1]);
      });
    } else {
      r = l.reduceSum(x, axes);
      if constexpr (std::is_same_v<OpTy, ReduceL2Op>)
        r = map(r, [](OpBuilder &ob, Location loc, Value v) -> Value { return math::SqrtOp::create(ob, loc, v); });
      if constexpr (std::is_same_v<OpTy, ReduceLogSumOp>)
        r = map(r, [](OpBuilder &ob, Location loc, Value v) -> Value { return math::LogOp::create(ob, loc, v); });
    }
  }
  return l.reshape(r, typeOf(op.getOutput()));
}

FailureOr<Value> lowerSoftmax(Lowering &l, SoftmaxOp op) {
  Value x = op.getInput();
  auto t = typeOf(x);
  int64_t axis = static_cast<int64_t>(op.getAxis());
  Value m = l.reduceMax(x, {axis});
  Value e = l.elementwise(t, {x, m}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    return math::ExpOp::create(ob, loc, arith::SubFOp::create(ob, loc, v[0], v[1]));
  });
  Value s = l.reduceSum(e, {axis});
  return l.elementwise(t, {e, s}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    return arith::DivFOp::create(ob, loc, v[0], v[1]);
  });
}

FailureOr<Value> lowerConcat(Lowering &l, ConcatOp op) {
  auto out = typeOf(op.getOutput());
  int64_t axis = static_cast<int64_t>(op.getAxis());
  Value acc = l.empty(out);
  int64_t offset = 0;
  for (Value in : op.getInputs()) {
    auto t = typeOf(in);
    SmallVector<OpFoldResult> offsets(out.getRank(), l.b.getIndexAttr(0)), sizes, strides(out.getRank(), l.b.getIndexAttr(1));
    offsets[axis] = l.b.getIndexAttr(offset);
    for (int64_t d : t.getShape())
      sizes.push_back(l.b.getIndexAttr(d));
    acc = tensor::InsertSliceOp::create(l.b, in, acc, offsets, sizes, strides);
    offset += t.getDimSize(axis);
  }
  return acc;
}

FailureOr<Value> lowerSlice(Lowering &l, SliceOp op) {
  auto out = typeOf(op.getOutput());
  ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
  if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t i = 0; i < out.getRank(); ++i) {
      offsets.push_back(l.b.getIndexAttr(starts[i]));
      sizes.push_back(l.b.getIndexAttr(out.getDimSize(i)));
      strides.push_back(l.b.getIndexAttr(steps[i]));
    }
    return Value(tensor::ExtractSliceOp::create(l.b, out, op.getInput(), offsets, sizes, strides));
  }
  // Negative steps: read input[start + i * step] element by element.
  Value input = op.getInput();
  int64_t r = out.getRank();
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{}, ValueRange{l.empty(out)},
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(r, l.ctx)},
             SmallVector<IteratorType>(r, IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange) {
               SmallVector<Value> coords;
               for (int64_t i = 0; i < r; ++i) {
                 Value idx = linalg::IndexOp::create(ob, loc, i);
                 Value scaled = arith::MulIOp::create(ob, loc, idx, arith::ConstantIndexOp::create(ob, loc, steps[i]));
                 coords.push_back(arith::AddIOp::create(ob, loc, scaled,
                                                        arith::ConstantIndexOp::create(ob, loc, starts[i])));
               }
               linalg::YieldOp::create(ob, loc, Value(tensor::ExtractOp::create(ob, loc, input, coords)));
             })
      .getResult(0);
}

FailureOr<Value> lowerTranspose(Lowering &l, TransposeOp op) {
  auto out = typeOf(op.getOutput());
  return linalg::TransposeOp::create(l.b, op.getInput(), l.empty(out), op.getPerm()).getResult()[0];
}

FailureOr<Value> lowerGather(Lowering &l, GatherOp op) {
  auto out = typeOf(op.getOutput());
  auto dt = typeOf(op.getInput()), it = typeOf(op.getIndices());
  int64_t axis = static_cast<int64_t>(op.getAxis()), ir = it.getRank();
  // Loops over the output; the index tensor is read at dims [axis, axis+ir).
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < ir; ++i)
    idxExprs.push_back(getAffineDimExpr(axis + i, l.ctx));
  Value data = op.getInput();
  SmallVector<AffineMap> maps{AffineMap::get(out.getRank(), 0, idxExprs, l.ctx),
                              AffineMap::getMultiDimIdentityMap(out.getRank(), l.ctx)};
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{op.getIndices()}, ValueRange{l.empty(out)}, maps,
             SmallVector<IteratorType>(out.getRank(), IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange a) {
               Value idx = arith::IndexCastOp::create(ob, loc, ob.getIndexType(), a[0]);
               // Negative indices count from the end.
               Value dim = arith::ConstantIndexOp::create(ob, loc, dt.getDimSize(axis));
               Value zero = arith::ConstantIndexOp::create(ob, loc, 0);
               Value neg = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, idx, zero);
               idx = arith::SelectOp::create(ob, loc, neg, arith::AddIOp::create(ob, loc, idx, dim), idx);
               // Out-of-range indices are clamped: never a read outside the data.
               idx = arith::MaxSIOp::create(ob, loc, idx, zero);
               idx = arith::MinSIOp::create(ob, loc, idx, arith::ConstantIndexOp::create(ob, loc, dt.getDimSize(axis) - 1));
               SmallVector<Value> coords;
               for (int64_t i = 0; i < axis; ++i)
                 coords.push_back(linalg::IndexOp::create(ob, loc, i));
               coords.push_back(idx);
               for (int64_t i = axis + 1; i < dt.getRank(); ++i)
                 coords.push_back(linalg::IndexOp::create(ob, loc, i - 1 + ir));
               linalg::YieldOp::create(ob, loc, Value(tensor::ExtractOp::create(ob, loc, data, coords)));
             })
      .getResult(0);
}

FailureOr<Value> lowerPad(Lowering &l, PadOp op) {
  auto t = typeOf(op.getInput());
  ArrayRef<int64_t> pads = op.getPads();
  int64_t r = t.getRank();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return failure(); // cropping pads: not yet
  if (op.getMode() == "constant")
    return l.padded(op.getInput(), pads.take_front(r), pads.drop_front(r),
                    op.getValue().convertToFloat());
  // reflect / edge: every output element reads the input at a mirrored or
  // clamped position.
  bool reflect = op.getMode() == "reflect";
  auto out = typeOf(op.getOutput());
  Value input = op.getInput();
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{}, ValueRange{l.empty(out)},
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(r, l.ctx)},
             SmallVector<IteratorType>(r, IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange) {
               auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(ob, loc, v); };
               SmallVector<Value> coords;
               for (int64_t i = 0; i < r; ++i) {
                 int64_t d = t.getDimSize(i);
                 Value src = arith::SubIOp::create(ob, loc, linalg::IndexOp::create(ob, loc, i), c(pads[i]));
                 if (reflect) {
                   // -src below 0, 2(d-1) - src past the end.
                   Value neg = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, src, c(0));
                   src = arith::SelectOp::create(ob, loc, neg, arith::SubIOp::create(ob, loc, c(0), src), src);
                   Value past = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::sge, src, c(d));
                   src = arith::SelectOp::create(ob, loc, past,
                                                 arith::SubIOp::create(ob, loc, c(2 * (d - 1)), src), src);
                 } else {
                   src = arith::MaxSIOp::create(ob, loc, src, c(0));
                   src = arith::MinSIOp::create(ob, loc, src, c(d - 1));
                 }
                 coords.push_back(src);
               }
               linalg::YieldOp::create(ob, loc, Value(tensor::ExtractOp::create(ob, loc, input, coords)));
             })
      .getResult(0);
}

/// ONNX Resize, nearest, (multi-)linear or cubic: every output element
/// computes its source coordinate per dim (coordinate_transformation_mode)
/// and combines the input at one, two or four taps per dim.
FailureOr<Value> lowerResize(Lowering &l, ResizeOp op) {
  StringRef mode = op.getMode(), ctm = op.getCoordinateTransformationMode(),
            nearest = op.getNearestMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return failure();
  static const char *modes[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                "asymmetric", "tf_half_pixel_for_nn"};
  if (!llvm::is_contained(modes, ctm))
    return failure();
  auto in = typeOf(op.getInput()), out = typeOf(op.getOutput());
  if (!in.getElementType().isF32())
    return failure();
  int64_t r = in.getRank();
  ArrayRef<float> scales = op.getScales();
  Value input = op.getInput();
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{}, ValueRange{l.empty(out)},
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(r, l.ctx)},
             SmallVector<IteratorType>(r, IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange) {
               Type f32 = ob.getF32Type();
               auto f = [&](double v) { return Lowering::scalarIn(ob, loc, f32, v); };
               auto ci = [&](int64_t v) { return arith::ConstantIndexOp::create(ob, loc, v); };
               auto toIndex = [&](Value x) -> Value {
                 Value i = arith::FPToSIOp::create(ob, loc, ob.getI64Type(), x);
                 return arith::IndexCastOp::create(ob, loc, ob.getIndexType(), i);
               };
               // Per dim: the taps (source index, weight) to combine.
               SmallVector<SmallVector<std::pair<Value, Value>>> taps(r);
               for (int64_t i = 0; i < r; ++i) {
                 int64_t inLen = in.getDimSize(i), outLen = out.getDimSize(i);
                 Value idx = linalg::IndexOp::create(ob, loc, i);
                 if (inLen == outLen && scales[i] == 1.0f) {
                   taps[i].push_back({idx, Value()});
                   continue;
                 }
                 Value x = arith::UIToFPOp::create(ob, loc, f32,
                                                   arith::IndexCastOp::create(ob, loc, ob.getI64Type(), idx));
                 Value s = f(scales[i]);
                 Value src;
                 if (ctm == "asymmetric") {
                   src = arith::DivFOp::create(ob, loc, x, s);
                 } else if (ctm == "align_corners") {
                   // The resized length is in * scale, unrounded, as in the
                   // ONNX reference.
                   double resized = double(inLen) * scales[i];
                   src = resized <= 1.0 ? f(0)
                                        : Value(arith::MulFOp::create(
                                              ob, loc, x, f(double(inLen - 1) / (resized - 1.0))));
                 } else if (ctm == "tf_half_pixel_for_nn") {
                   src = arith::DivFOp::create(ob, loc, arith::AddFOp::create(ob, loc, x, f(0.5)), s);
                 } else { // half_pixel, pytorch_half_pixel
                   src = arith::SubFOp::create(
                       ob, loc, arith::DivFOp::create(ob, loc, arith::AddFOp::create(ob, loc, x, f(0.5)), s),
                       f(0.5));
                   if (ctm == "pytorch_half_pixel" && outLen == 1)
                     src = f(0);
                 }
                 auto clampIndex = [&](Value v) -> Value {
                   return arith::MinSIOp::create(ob, loc, arith::MaxSIOp::create(ob, loc, v, ci(0)),
                                                 ci(inLen - 1));
                 };
                 if (mode == "nearest") {
                   Value n;
                   if (nearest == "floor")
                     n = math::FloorOp::create(ob, loc, src);
                   else if (nearest == "ceil")
                     n = math::CeilOp::create(ob, loc, src);
                   else if (nearest == "round_prefer_ceil")
                     n = math::FloorOp::create(ob, loc, arith::AddFOp::create(ob, loc, src, f(0.5)));
                   else // round_prefer_floor: halves go down
                     n = math::CeilOp::create(ob, loc, arith::SubFOp::create(ob, loc, src, f(0.5)));
                   n = clampOf(ob, loc, n, 0.0, double(inLen - 1));
                   taps[i].push_back({toIndex(n), Value()});
                   continue;
                 }
                 if (mode == "linear") {
                   src = clampOf(ob, loc, src, 0.0, double(inLen - 1));
                   Value floor = math::FloorOp::create(ob, loc, src);
                   Value t = arith::SubFOp::create(ob, loc, src, floor);
                   Value lo = toIndex(floor);
                   taps[i].push_back({lo, arith::SubFOp::create(ob, loc, f(1.0), t)});
                   taps[i].push_back({clampIndex(arith::AddIOp::create(ob, loc, lo, ci(1))), t});
                   continue;
                 }
                 // cubic (a = -0.75): taps at floor - 1 .. floor + 2, indices
                 // clamped to the edge.
                 double A = -0.75;
                 Value floor = math::FloorOp::create(ob, loc, src);
                 Value t = arith::SubFOp::create(ob, loc, src, floor);
                 Value base = toIndex(floor);
                 auto mul = [&](Value p, Value q) { return Value(arith::MulFOp::create(ob, loc, p, q)); };
                 auto add = [&](Value p, Value q) { return Value(arith::AddFOp::create(ob, loc, p, q)); };
                 // Keys' kernel for |d| in [1, 2): ((A d - 5A) d + 8A) d - 4A;
                 // for |d| < 1: ((A + 2) d - (A + 3)) d d + 1.
                 auto outer = [&](Value d) { return add(mul(add(mul(add(mul(f(A), d), f(-5 * A)), d), f(8 * A)), d), f(-4 * A)); };
                 auto inner = [&](Value d) { return add(mul(mul(add(mul(f(A + 2), d), f(-(A + 3))), d), d), f(1.0)); };
                 Value oneMinusT = arith::SubFOp::create(ob, loc, f(1.0), t);
                 Value weights[4] = {outer(add(t, f(1.0))), inner(t), inner(oneMinusT),
                                     outer(arith::SubFOp::create(ob, loc, f(2.0), t))};
                 for (int k = 0; k < 4; ++k)
                   taps[i].push_back({clampIndex(arith::AddIOp::create(ob, loc, base, ci(k - 1))), weights[k]});
               }
               // Sum over every combination of taps.
               Value acc;
               SmallVector<size_t> pick(r, 0);
               while (true) {
                 SmallVector<Value> coords;
                 Value w;
                 for (int64_t i = 0; i < r; ++i) {
                   auto [index, weight] = taps[i][pick[i]];
                   coords.push_back(index);
                   if (weight)
                     w = w ? Value(arith::MulFOp::create(ob, loc, w, weight)) : weight;
                 }
                 Value v = tensor::ExtractOp::create(ob, loc, input, coords);
                 Value term = w ? Value(arith::MulFOp::create(ob, loc, v, w)) : v;
                 acc = acc ? Value(arith::AddFOp::create(ob, loc, acc, term)) : term;
                 int64_t d = r - 1;
                 while (d >= 0 && ++pick[d] == taps[d].size())
                   pick[d--] = 0;
                 if (d < 0)
                   break;
               }
               linalg::YieldOp::create(ob, loc, acc);
             })
      .getResult(0);
}

/// The quantised types an op's operands and results had before the pass
/// made every quantised tensor its stored integers (null where not
/// quantised).
struct QuantTypes {
  SmallVector<quant::QuantizedType> operands, results;
};

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

/// x = (q - zero_point) * scale, from the stored integers.
FailureOr<Value> lowerDequantize(Lowering &l, DequantizeOp op, quant::QuantizedType q) {
  auto in = typeOf(op.getInput());
  auto [scale, zero] = quantConstants(l, q, in.getShape());
  bool isSigned = q.isSigned();
  return l.elementwise(typeOf(op.getOutput()), {op.getInput(), scale, zero},
                       [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                         Value wide = isSigned ? Value(arith::ExtSIOp::create(ob, loc, ob.getI32Type(), v[0]))
                                               : Value(arith::ExtUIOp::create(ob, loc, ob.getI32Type(), v[0]));
                         Value x = arith::SIToFPOp::create(ob, loc, ob.getF32Type(), wide);
                         return arith::MulFOp::create(ob, loc, arith::SubFOp::create(ob, loc, x, v[2]), v[1]);
                       });
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
  generic->setAttr("edgec.decode_weights", l.b.getUnitAttr());
  return generic.getResult(0);
}

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

/// Lowers one op; returns its replacement values, or failure after an error.
/// Whether a graph op's integer operands / results were unsigned before the
/// pass made every integer tensor signless.
struct Signedness {
  bool in = false, out = false;
};

FailureOr<SmallVector<Value>> lowerOp(Operation *op, Signedness sign, const QuantTypes &quantTypes,
                                      int64_t panelLanes, int64_t panelWidth) {
  Lowering l(op);
  l.panelLanes = panelLanes;
  l.panelWidth = panelWidth;
  // Polynomial approximations exist for f32 only; f64 would call libm.
  if (isa<ExpOp, LogOp, TanhOp, SigmoidOp, ErfOp, SoftmaxOp, PowOp, LSTMOp, SinOp, CosOp,
          SoftplusOp, EluOp, CeluOp, SeluOp, ReduceLogSumOp, ReduceLogSumExpOp>(op) &&
      llvm::any_of(op->getResultTypes(), [](Type t) {
        return llvm::cast<RankedTensorType>(t).getElementType().isF64();
      }))
    return failure();
  // A result with no elements needs no computation (and slices of it would
  // have out-of-range offsets).
  if (op->getNumResults() > 0 && llvm::all_of(op->getResultTypes(), [](Type t) {
        auto rt = llvm::dyn_cast<RankedTensorType>(t);
        return rt && rt.getNumElements() == 0;
      })) {
    SmallVector<Value> empties;
    for (Type t : op->getResultTypes())
      empties.push_back(l.empty(llvm::cast<RankedTensorType>(t)));
    return empties;
  }
  auto one = [](FailureOr<Value> v) -> FailureOr<SmallVector<Value>> {
    if (failed(v))
      return failure();
    return SmallVector<Value>{*v};
  };
  if (auto c = dyn_cast<ConstantOp>(op)) {
    auto value = llvm::cast<ElementsAttr>(c.getValue());
    auto type = typeOf(c.getOutput()); // signless already
    if (value.getType() != type)
      value = reshapeConstant(value, type); // same bytes, signless type
    if (!value)
      return failure();
    return one(Value(arith::ConstantOp::create(l.b, value)));
  }
  if (op->getNumOperands() == 1 && op->getNumResults() == 1 &&
      op->hasTrait<OpTrait::SameOperandsAndResultType>() && !isa<SoftmaxOp>(op)) {
    auto out = typeOf(op->getResult(0));
    bool ok = true;
    Value r = l.elementwise(out, op->getOperands(), [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
      auto body = unaryBody(op, ob, loc, v[0], sign.in);
      if (failed(body)) {
        ok = false;
        return v[0];
      }
      return *body;
    });
    return ok ? one(r) : FailureOr<SmallVector<Value>>(failure());
  }
  if (isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, EqualOp, LessOp, LessOrEqualOp,
          GreaterOp, GreaterOrEqualOp, AndOp, OrOp, XorOp, PReluOp>(op)) {
    bool ok = true;
    Value r = l.elementwise(typeOf(op->getResult(0)), op->getOperands(),
                            [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                              auto body = binaryBody(op, ob, loc, v[0], v[1], sign.in);
                              if (failed(body)) {
                                ok = false;
                                return v[0];
                              }
                              return *body;
                            });
    return ok ? one(r) : FailureOr<SmallVector<Value>>(failure());
  }
  return llvm::TypeSwitch<Operation *, FailureOr<SmallVector<Value>>>(op)
      .Case([&](CastOp c) {
        Type to = c.getTo();
        if (auto i = llvm::dyn_cast<IntegerType>(to); i && !i.isSignless())
          to = IntegerType::get(i.getContext(), i.getWidth());
        return one(l.elementwise(typeOf(c.getOutput()), {c.getInput()},
                                 [&](OpBuilder &ob, Location loc, ValueRange v) {
                                   return castScalar(ob, loc, v[0], to, sign.in, sign.out);
                                 }));
      })
      .Case([&](ConvOp c) { return one(lowerConv(l, c)); })
      .Case([&](MatMulOp m) { return one(lowerMatMul(l, m)); })
      .Case([&](GemmOp g) { return one(lowerGemm(l, g)); })
      .Case([&](BatchNormOp bn) { return one(lowerBatchNorm(l, bn)); })
      .Case([&](MaxPoolOp p) { return one(lowerPool(l, p, true, sign.in)); })
      .Case([&](AveragePoolOp p) { return one(lowerPool(l, p, false, false)); })
      .Case([&](GlobalAveragePoolOp p) {
        SmallVector<int64_t> axes;
        for (int64_t i = 2; i < typeOf(p.getInput()).getRank(); ++i)
          axes.push_back(i);
        return one(lowerReduce(l, ReduceKind::Mean, p.getInput(), axes, typeOf(p.getOutput())));
      })
      .Case([&](ReduceMeanOp r) -> FailureOr<SmallVector<Value>> {
        if (!llvm::isa<FloatType>(typeOf(r.getInput()).getElementType()))
          return failure(); // integer means round; not lowered yet
        return one(lowerReduce(l, ReduceKind::Mean, r.getInput(), r.getAxes(), typeOf(r.getOutput())));
      })
      .Case([&](ReduceMaxOp r) {
        return one(lowerReduce(l, ReduceKind::Max, r.getInput(), r.getAxes(), typeOf(r.getOutput()),
                               sign.in));
      })
      .Case([&](ReduceSumOp r) {
        return one(lowerReduce(l, ReduceKind::Sum, r.getInput(), r.getAxes(), typeOf(r.getOutput())));
      })
      .Case([&](SoftmaxOp s) { return one(lowerSoftmax(l, s)); })
      .Case([&](WhereOp w) {
        return one(l.elementwise(typeOf(w.getOutput()), {w.getCondition(), w.getLhs(), w.getRhs()},
                                 [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                                   return arith::SelectOp::create(ob, loc, v[0], v[1], v[2]);
                                 }));
      })
      .Case<ReduceMinOp, ReduceProdOp, ReduceSumSquareOp, ReduceL1Op, ReduceL2Op, ReduceLogSumOp,
            ReduceLogSumExpOp>([&](auto r) { return one(lowerOtherReduce(l, r, sign.in)); })
      .Case<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>([&](auto r) {
        return one(l.reshape(r.getInput(), typeOf(r.getOutput())));
      })
      .Case([&](TransposeOp t) { return one(lowerTranspose(l, t)); })
      .Case([&](ConcatOp c) { return one(lowerConcat(l, c)); })
      .Case([&](SliceOp s) { return one(lowerSlice(l, s)); })
      .Case([&](GatherOp g) { return one(lowerGather(l, g)); })
      .Case([&](PadOp p) { return one(lowerPad(l, p)); })
      .Case([&](ResizeOp r) { return one(lowerResize(l, r)); })
      .Case([&](QuantizeOp q) { return one(lowerQuantize(l, q, quantTypes.results[0])); })
      .Case([&](DequantizeOp d) { return one(lowerDequantize(l, d, quantTypes.operands[0])); })
      .Case([&](QConvOp c) { return one(lowerQConv(l, c, quantTypes)); })
      .Case([&](QMatMulOp m) { return one(lowerQMatMul(l, m, quantTypes)); })
      .Case([&](DequantizeInt4Op d) { return one(lowerDequantizeInt4(l, d)); })
      .Case([&](LSTMOp s) { return lowerLSTM(l, s); })
      .Default([](Operation *) { return failure(); });
}

struct ConvertGraphToLinalgPass
    : impl::ConvertGraphToLinalgPassBase<ConvertGraphToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      // graph.yield goes with its graph.if, which reports the problem.
      if (isa<GraphDialect>(op->getDialect()) && !isa<YieldOp>(op))
        ops.push_back(op);
    });
    // arith works on signless integers, and linalg on plain ones: remember
    // which ops computed on unsigned or quantised tensors, then make every
    // such tensor its signless stored integers.
    auto quantOf = [](Type t) -> quant::QuantizedType {
      auto tensor = llvm::dyn_cast<RankedTensorType>(t);
      return tensor ? llvm::dyn_cast<quant::QuantizedType>(tensor.getElementType()) : nullptr;
    };
    auto isUnsigned = [&](Type t) {
      auto tensor = llvm::dyn_cast<RankedTensorType>(t);
      if (quant::QuantizedType q = quantOf(t))
        return !q.isSigned();
      return tensor && tensor.getElementType().isUnsignedInteger();
    };
    llvm::DenseMap<Operation *, Signedness> signs;
    llvm::DenseMap<Operation *, QuantTypes> quantTypes;
    for (Operation *op : ops) {
      signs[op] = {llvm::any_of(op->getOperandTypes(), isUnsigned),
                   llvm::any_of(op->getResultTypes(), isUnsigned)};
      QuantTypes &q = quantTypes[op];
      for (Type t : op->getOperandTypes())
        q.operands.push_back(quantOf(t));
      for (Type t : op->getResultTypes())
        q.results.push_back(quantOf(t));
    }
    auto makeSignless = [&](Value v) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!t)
        return;
      Type e = t.getElementType();
      if (quant::QuantizedType q = quantOf(t))
        e = IntegerType::get(t.getContext(), q.getStorageTypeIntegralWidth());
      else if (e.isUnsignedInteger())
        e = IntegerType::get(t.getContext(), e.getIntOrFloatBitWidth());
      if (e != t.getElementType())
        v.setType(RankedTensorType::get(t.getShape(), e));
    };
    getOperation().walk([&](Operation *op) {
      for (Value r : op->getResults())
        makeSignless(r);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument a : block.getArguments())
            makeSignless(a);
    });
    // Views of stored integers as quantised (quant.scast) and of uint8 as
    // int8 (tensor.bitcast) now cast a type to itself.
    getOperation().walk([&](Operation *op) {
      if (isa<quant::StorageCastOp, tensor::BitcastOp>(op) &&
          op->getOperand(0).getType() == op->getResult(0).getType()) {
        op->getResult(0).replaceAllUsesWith(op->getOperand(0));
        op->erase();
      }
    });
    for (Operation *op : ops) {
      auto replacement = lowerOp(op, signs[op], quantTypes[op], panelLanes, panelWidth);
      if (failed(replacement)) {
        op->emitError() << "'" << op->getName() << "' cannot be compiled yet"
                        << (isa<PadOp>(op) ? " (negative pads)" : "");
        return signalPassFailure();
      }
      op->replaceAllUsesWith(*replacement);
      op->erase();
    }
    storeQuantisedAtBoundary(getOperation());
  }

  /// Quantised and unsigned arguments and results are passed as their
  /// stored integers (the C API sees int8/uint8); each result needs a
  /// buffer of its own.
  static void storeQuantisedAtBoundary(func::FuncOp fn) {
    OpBuilder b(fn.getContext());
    SmallVector<Type> args(fn.getBody().front().getArgumentTypes()), results;
    fn.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      // A value returned twice (ONNX outputs joined by Identity) is copied
      // for the second.
      llvm::SmallPtrSet<Value, 4> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        if (seen.insert(operand.get()).second)
          continue;
        auto t = llvm::cast<RankedTensorType>(operand.get().getType());
        Value empty = tensor::EmptyOp::create(b, ret.getLoc(), t.getShape(), t.getElementType());
        operand.set(linalg::CopyOp::create(b, ret.getLoc(), operand.get(), empty).getResult(0));
      }
      results.assign(ret->getOperandTypes().begin(), ret->getOperandTypes().end());
    });
    fn.setType(FunctionType::get(fn.getContext(), args, results));
  }
};

} // namespace
} // namespace edgec
