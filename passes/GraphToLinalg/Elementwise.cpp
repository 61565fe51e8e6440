//===- Elementwise.cpp - unary, binary, cast and select ops -----------------===//
//
// Every elementwise graph op is one linalg.generic with numpy broadcasting
// in its indexing maps (Lowering::elementwise); an op adds only its scalar
// body here. Integer tensors are signless by now: a body that depends on
// signedness reads whether the graph types were unsigned.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"

namespace edgec::graph_to_linalg {
namespace {

/// A unary op's scalar operand, and constants of its type.
struct Unary {
  OpBuilder &ob;
  Location loc;
  Value x;
  bool isUnsigned;
  Value f(double v) const { return Lowering::scalarIn(ob, loc, x.getType(), v); }
};

/// Registers a unary elementwise op: `body(op, const Unary &)` computes one
/// element.
template <typename OpTy, typename Body>
void addUnary(LoweringTable &table, Body body) {
  table.add<OpTy>(
      [body](OpTy op, LoweringInput &in) {
        return in.l.elementwise(typeOf(op->getResult(0)), op->getOperands(),
                                [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                                  return body(op, Unary{ob, loc, v[0], in.sign.in});
                                });
      });
}

/// A binary op's scalar operands (numpy broadcast already).
struct Binary {
  OpBuilder &ob;
  Location loc;
  Value a, c;
  bool fp, isUnsigned;
};

template <typename... OpTys, typename Body>
void addBinary(LoweringTable &table, Body body) {
  table.add<OpTys...>(
      [body](auto op, LoweringInput &in) {
        return in.l.elementwise(typeOf(op->getResult(0)), op->getOperands(),
                                [&](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                                  return body(op, Binary{ob, loc, v[0], v[1], isFloat(v[0]), in.sign.in});
                                });
      });
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

/// The remainder of a / b with the sign of a (fmod, C's %), or with the sign
/// of b (floored: Python's %). Floats: a - trunc(a / b) * b, exact while the
/// quotient is below 2^24 (no libm fmodf on the targets). Integers: a zero
/// or -1 divisor (undefined in ONNX, UB in LLVM) gives 0.
Value remainderOf(const Binary &s, bool floored) {
  OpBuilder &ob = s.ob;
  Location loc = s.loc;
  Type t = s.a.getType();
  auto k = [&](double v) { return Lowering::scalarIn(ob, loc, t, v); };
  Value r;
  if (s.fp) {
    Value q = math::TruncOp::create(ob, loc, arith::DivFOp::create(ob, loc, s.a, s.c));
    r = arith::SubFOp::create(ob, loc, s.a, arith::MulFOp::create(ob, loc, q, s.c));
    if (!floored)
      return r;
    Value zero = k(0);
    Value rNeg = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLT, r, zero);
    Value bNeg = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLT, s.c, zero);
    Value adjust = arith::AndIOp::create(ob, loc, arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::ONE, r, zero),
                                         arith::XOrIOp::create(ob, loc, rNeg, bNeg));
    return arith::SelectOp::create(ob, loc, adjust, arith::AddFOp::create(ob, loc, r, s.c), r);
  }
  if (s.isUnsigned) {
    Value zeroDivisor = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::eq, s.c, k(0));
    Value safe = arith::SelectOp::create(ob, loc, zeroDivisor, k(1), s.c);
    return arith::RemUIOp::create(ob, loc, s.a, safe);
  }
  Value special = arith::OrIOp::create(ob, loc, arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::eq, s.c, k(0)),
                                       arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::eq, s.c, k(-1)));
  Value safe = arith::SelectOp::create(ob, loc, special, k(1), s.c);
  r = arith::RemSIOp::create(ob, loc, s.a, safe);
  if (!floored)
    return r;
  Value zero = k(0);
  Value rNeg = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, r, zero);
  Value bNeg = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, safe, zero);
  Value adjust = arith::AndIOp::create(ob, loc, arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::ne, r, zero),
                                       arith::XOrIOp::create(ob, loc, rNeg, bNeg));
  return arith::SelectOp::create(ob, loc, adjust, arith::AddIOp::create(ob, loc, r, safe), r);
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

} // namespace

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

void populateElementwiseLowerings(LoweringTable &table) {
  addUnary<ReluOp>(table, [](ReluOp, const Unary &u) -> Value {
    if (isFloat(u.x))
      return arith::MaximumFOp::create(u.ob, u.loc, u.x, u.f(0));
    return u.isUnsigned ? u.x : Value(arith::MaxSIOp::create(u.ob, u.loc, u.x, u.f(0)));
  });
  addUnary<SigmoidOp>(table, [](SigmoidOp, const Unary &u) -> Value { return sigmoidOf(u.ob, u.loc, u.x); });
  addUnary<TanhOp>(table, [](TanhOp, const Unary &u) -> Value { return math::TanhOp::create(u.ob, u.loc, u.x); });
  addUnary<ExpOp>(table, [](ExpOp, const Unary &u) -> Value { return math::ExpOp::create(u.ob, u.loc, u.x); });
  addUnary<LogOp>(table, [](LogOp, const Unary &u) -> Value { return math::LogOp::create(u.ob, u.loc, u.x); });
  addUnary<SqrtOp>(table, [](SqrtOp, const Unary &u) -> Value { return math::SqrtOp::create(u.ob, u.loc, u.x); });
  addUnary<NegOp>(table, [](NegOp, const Unary &u) -> Value {
    if (isFloat(u.x))
      return arith::NegFOp::create(u.ob, u.loc, u.x);
    return arith::SubIOp::create(u.ob, u.loc, u.f(0), u.x);
  });
  addUnary<AbsOp>(table, [](AbsOp, const Unary &u) -> Value {
    if (isFloat(u.x))
      return math::AbsFOp::create(u.ob, u.loc, u.x);
    return u.isUnsigned ? u.x : Value(math::AbsIOp::create(u.ob, u.loc, u.x));
  });
  addUnary<ErfOp>(table, [](ErfOp, const Unary &u) -> Value { return math::ErfOp::create(u.ob, u.loc, u.x); });
  addUnary<HardSwishOp>(table, [](HardSwishOp, const Unary &u) -> Value {
    Value gate = arith::AddFOp::create(u.ob, u.loc, arith::DivFOp::create(u.ob, u.loc, u.x, u.f(6)), u.f(0.5));
    return arith::MulFOp::create(u.ob, u.loc, u.x, clampOf(u.ob, u.loc, gate, 0.0, 1.0));
  });
  addUnary<HardSigmoidOp>(table, [](HardSigmoidOp h, const Unary &u) -> Value {
    Value y = arith::AddFOp::create(
        u.ob, u.loc, arith::MulFOp::create(u.ob, u.loc, u.x, u.f(h.getAlpha().convertToFloat())),
        u.f(h.getBeta().convertToFloat()));
    return clampOf(u.ob, u.loc, y, 0.0, 1.0);
  });
  addUnary<LeakyReluOp>(table, [](LeakyReluOp l, const Unary &u) -> Value {
    Value neg = arith::CmpFOp::create(u.ob, u.loc, arith::CmpFPredicate::OLT, u.x, u.f(0));
    Value scaled = arith::MulFOp::create(u.ob, u.loc, u.x, u.f(l.getAlpha().convertToFloat()));
    return arith::SelectOp::create(u.ob, u.loc, neg, scaled, u.x);
  });
  addUnary<FloorOp>(table, [](FloorOp, const Unary &u) -> Value { return math::FloorOp::create(u.ob, u.loc, u.x); });
  addUnary<CeilOp>(table, [](CeilOp, const Unary &u) -> Value { return math::CeilOp::create(u.ob, u.loc, u.x); });
  addUnary<RoundOp>(table, [](RoundOp, const Unary &u) -> Value { return math::RoundEvenOp::create(u.ob, u.loc, u.x); });
  addUnary<ReciprocalOp>(table, [](ReciprocalOp, const Unary &u) -> Value { return arith::DivFOp::create(u.ob, u.loc, u.f(1), u.x); });
  addUnary<SinOp>(table, [](SinOp, const Unary &u) -> Value { return math::SinOp::create(u.ob, u.loc, u.x); });
  addUnary<CosOp>(table, [](CosOp, const Unary &u) -> Value { return math::CosOp::create(u.ob, u.loc, u.x); });
  addUnary<TanOp>(table, [](TanOp, const Unary &u) -> Value { return math::TanOp::create(u.ob, u.loc, u.x); });
  addUnary<AsinOp>(table, [](AsinOp, const Unary &u) -> Value { return math::AsinOp::create(u.ob, u.loc, u.x); });
  addUnary<AcosOp>(table, [](AcosOp, const Unary &u) -> Value { return math::AcosOp::create(u.ob, u.loc, u.x); });
  addUnary<AtanOp>(table, [](AtanOp, const Unary &u) -> Value { return math::AtanOp::create(u.ob, u.loc, u.x); });
  addUnary<SinhOp>(table, [](SinhOp, const Unary &u) -> Value { return math::SinhOp::create(u.ob, u.loc, u.x); });
  addUnary<CoshOp>(table, [](CoshOp, const Unary &u) -> Value { return math::CoshOp::create(u.ob, u.loc, u.x); });
  addUnary<AsinhOp>(table, [](AsinhOp, const Unary &u) -> Value { return math::AsinhOp::create(u.ob, u.loc, u.x); });
  addUnary<AcoshOp>(table, [](AcoshOp, const Unary &u) -> Value { return math::AcoshOp::create(u.ob, u.loc, u.x); });
  addUnary<AtanhOp>(table, [](AtanhOp, const Unary &u) -> Value { return math::AtanhOp::create(u.ob, u.loc, u.x); });
  addUnary<SoftplusOp>(table, [](SoftplusOp, const Unary &u) -> Value {
    return math::LogOp::create(u.ob, u.loc, arith::AddFOp::create(u.ob, u.loc, u.f(1), math::ExpOp::create(u.ob, u.loc, u.x)));
  });
  addUnary<SoftsignOp>(table, [](SoftsignOp, const Unary &u) -> Value {
    return arith::DivFOp::create(u.ob, u.loc, u.x, arith::AddFOp::create(u.ob, u.loc, u.f(1), math::AbsFOp::create(u.ob, u.loc, u.x)));
  });
  addUnary<NotOp>(table, [](NotOp, const Unary &u) -> Value { return arith::XOrIOp::create(u.ob, u.loc, u.x, u.f(1)); });
  addUnary<SignOp>(table, [](SignOp, const Unary &u) -> Value {
    if (isFloat(u.x)) {
      Value pos = arith::CmpFOp::create(u.ob, u.loc, arith::CmpFPredicate::OGT, u.x, u.f(0));
      Value neg = arith::CmpFOp::create(u.ob, u.loc, arith::CmpFPredicate::OLT, u.x, u.f(0));
      return arith::SelectOp::create(u.ob, u.loc, pos, u.f(1),
                                     arith::SelectOp::create(u.ob, u.loc, neg, u.f(-1), u.f(0)));
    }
    Value pos = arith::CmpIOp::create(u.ob, u.loc, u.isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, u.x, u.f(0));
    Value neg = arith::CmpIOp::create(u.ob, u.loc, arith::CmpIPredicate::slt, u.x, u.f(0));
    Value negOrZero = u.isUnsigned ? u.f(0) : Value(arith::SelectOp::create(u.ob, u.loc, neg, u.f(-1), u.f(0)));
    return arith::SelectOp::create(u.ob, u.loc, pos, u.f(1), negOrZero);
  });
  addUnary<EluOp>(table, [](EluOp e, const Unary &u) -> Value {
    Value neg = arith::CmpFOp::create(u.ob, u.loc, arith::CmpFPredicate::OLT, u.x, u.f(0));
    Value em1 = arith::SubFOp::create(u.ob, u.loc, math::ExpOp::create(u.ob, u.loc, u.x), u.f(1));
    return arith::SelectOp::create(u.ob, u.loc, neg,
                                   arith::MulFOp::create(u.ob, u.loc, em1, u.f(e.getAlpha().convertToFloat())), u.x);
  });
  addUnary<CeluOp>(table, [](CeluOp c, const Unary &u) -> Value {
    double alpha = c.getAlpha().convertToFloat();
    Value em1 = arith::SubFOp::create(
        u.ob, u.loc, math::ExpOp::create(u.ob, u.loc, arith::DivFOp::create(u.ob, u.loc, u.x, u.f(alpha))), u.f(1));
    return arith::AddFOp::create(u.ob, u.loc, arith::MaximumFOp::create(u.ob, u.loc, u.x, u.f(0)),
                                 arith::MinimumFOp::create(u.ob, u.loc, u.f(0), arith::MulFOp::create(u.ob, u.loc, em1, u.f(alpha))));
  });
  addUnary<SeluOp>(table, [](SeluOp e, const Unary &u) -> Value {
    Value nonPos = arith::CmpFOp::create(u.ob, u.loc, arith::CmpFPredicate::OLE, u.x, u.f(0));
    Value em1 = arith::SubFOp::create(u.ob, u.loc, math::ExpOp::create(u.ob, u.loc, u.x), u.f(1));
    Value inner = arith::SelectOp::create(
        u.ob, u.loc, nonPos, arith::MulFOp::create(u.ob, u.loc, em1, u.f(e.getAlpha().convertToFloat())), u.x);
    return arith::MulFOp::create(u.ob, u.loc, inner, u.f(e.getGamma().convertToFloat()));
  });
  addUnary<ThresholdedReluOp>(table, [](ThresholdedReluOp t, const Unary &u) -> Value {
    Value above = arith::CmpFOp::create(u.ob, u.loc, arith::CmpFPredicate::OGT, u.x, u.f(t.getAlpha().convertToFloat()));
    return arith::SelectOp::create(u.ob, u.loc, above, u.x, u.f(0));
  });
  addUnary<ClipOp>(table, [](ClipOp c, const Unary &u) -> Value {
    std::optional<double> lo, hi;
    if (c.getMin())
      lo = c.getMin()->convertToFloat();
    if (c.getMax())
      hi = c.getMax()->convertToFloat();
    return clampOf(u.ob, u.loc, u.x, lo, hi);
  });
  addBinary<AddOp>(table, [](AddOp, const Binary &s) -> Value {
    return s.fp ? Value(arith::AddFOp::create(s.ob, s.loc, s.a, s.c)) : arith::AddIOp::create(s.ob, s.loc, s.a, s.c);
  });
  addBinary<SubOp>(table, [](SubOp, const Binary &s) -> Value {
    return s.fp ? Value(arith::SubFOp::create(s.ob, s.loc, s.a, s.c)) : arith::SubIOp::create(s.ob, s.loc, s.a, s.c);
  });
  addBinary<MulOp>(table, [](MulOp, const Binary &s) -> Value {
    return s.fp ? Value(arith::MulFOp::create(s.ob, s.loc, s.a, s.c)) : arith::MulIOp::create(s.ob, s.loc, s.a, s.c);
  });
  addBinary<DivOp>(table, [](DivOp, const Binary &s) -> Value {
    if (s.fp)
      return arith::DivFOp::create(s.ob, s.loc, s.a, s.c);
    // A zero divisor (undefined in ONNX, a trap or UB in LLVM: padding of a
    // run-time-size tensor holds zeros) divides by 1; a -1 divisor negates
    // with wrap-around (INT_MIN / -1 overflows).
    auto k = [&](int64_t v) { return Lowering::scalarIn(s.ob, s.loc, s.a.getType(), v); };
    auto is = [&](int64_t v) { return arith::CmpIOp::create(s.ob, s.loc, arith::CmpIPredicate::eq, s.c, k(v)); };
    if (s.isUnsigned)
      return arith::DivUIOp::create(s.ob, s.loc, s.a, arith::SelectOp::create(s.ob, s.loc, is(0), k(1), s.c));
    Value minusOne = is(-1);
    Value safe = arith::SelectOp::create(s.ob, s.loc, arith::OrIOp::create(s.ob, s.loc, is(0), minusOne), k(1), s.c);
    Value negated = arith::SubIOp::create(s.ob, s.loc, k(0), s.a);
    Value quotient = arith::DivSIOp::create(s.ob, s.loc, s.a, safe);
    return arith::SelectOp::create(s.ob, s.loc, minusOne, negated, quotient);
  });
  addBinary<PowOp>(table, [](PowOp, const Binary &s) -> Value {
    if (!s.fp)
      return math::IPowIOp::create(s.ob, s.loc, s.a, s.c);
    return powOf(s.ob, s.loc, s.a, s.c);
  });
  addBinary<ModOp, FmodOp>(table, [](auto op, const Binary &s) -> Value {
    return remainderOf(s, std::is_same_v<decltype(op), ModOp>);
  });
  table.add<ShiftLeftOp, ShiftRightOp>([](auto op, LoweringInput &in) -> FailureOr<Value> {
    constexpr bool left = std::is_same_v<decltype(op), ShiftLeftOp>;
    if (!llvm::isa<IntegerType>(typeOf(op.getOutput()).getElementType()))
      return failure();
    return in.l.elementwise(typeOf(op.getOutput()), op->getOperands(),
                            [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                              // A shift by the width or more is poison in LLVM;
                              // ONNX's reference (numpy) gives 0 there.
                              Type t = v[0].getType();
                              Value inRange = arith::CmpIOp::create(
                                  ob, loc, arith::CmpIPredicate::ult, v[1],
                                  Lowering::scalarIn(ob, loc, t, t.getIntOrFloatBitWidth()));
                              Value shifted = left ? Value(arith::ShLIOp::create(ob, loc, v[0], v[1]))
                                                   : Value(arith::ShRUIOp::create(ob, loc, v[0], v[1]));
                              return arith::SelectOp::create(ob, loc, inRange, shifted,
                                                             Lowering::scalarIn(ob, loc, t, 0));
                            });
  });
  addBinary<MaxOp>(table, [](MaxOp, const Binary &s) -> Value {
    if (s.fp)
      return arith::MaximumFOp::create(s.ob, s.loc, s.a, s.c);
    return s.isUnsigned ? Value(arith::MaxUIOp::create(s.ob, s.loc, s.a, s.c)) : arith::MaxSIOp::create(s.ob, s.loc, s.a, s.c);
  });
  addBinary<MinOp>(table, [](MinOp, const Binary &s) -> Value {
    if (s.fp)
      return arith::MinimumFOp::create(s.ob, s.loc, s.a, s.c);
    return s.isUnsigned ? Value(arith::MinUIOp::create(s.ob, s.loc, s.a, s.c)) : arith::MinSIOp::create(s.ob, s.loc, s.a, s.c);
  });
  addBinary<EqualOp>(table, [](EqualOp, const Binary &s) -> Value {
    if (s.fp)
      return arith::CmpFOp::create(s.ob, s.loc, arith::CmpFPredicate::OEQ, s.a, s.c);
    return arith::CmpIOp::create(s.ob, s.loc, arith::CmpIPredicate::eq, s.a, s.c);
  });
  addBinary<LessOp, LessOrEqualOp, GreaterOp, GreaterOrEqualOp>(table, [](auto cmp, const Binary &s) -> Value {
    using T = decltype(cmp);
    constexpr bool less = std::is_same_v<T, LessOp> || std::is_same_v<T, LessOrEqualOp>;
    constexpr bool orEqual = std::is_same_v<T, LessOrEqualOp> || std::is_same_v<T, GreaterOrEqualOp>;
    if (s.fp)
      return arith::CmpFOp::create(s.ob, s.loc,
                                   less ? (orEqual ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT)
                                        : (orEqual ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT),
                                   s.a, s.c);
    arith::CmpIPredicate p =
        s.isUnsigned ? (less ? (orEqual ? arith::CmpIPredicate::ule : arith::CmpIPredicate::ult)
                           : (orEqual ? arith::CmpIPredicate::uge : arith::CmpIPredicate::ugt))
                   : (less ? (orEqual ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt)
                           : (orEqual ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt));
    return arith::CmpIOp::create(s.ob, s.loc, p, s.a, s.c);
  });
  addBinary<AndOp>(table, [](AndOp, const Binary &s) -> Value { return arith::AndIOp::create(s.ob, s.loc, s.a, s.c); });
  addBinary<OrOp>(table, [](OrOp, const Binary &s) -> Value { return arith::OrIOp::create(s.ob, s.loc, s.a, s.c); });
  addBinary<XorOp>(table, [](XorOp, const Binary &s) -> Value { return arith::XOrIOp::create(s.ob, s.loc, s.a, s.c); });
  addBinary<PReluOp>(table, [](PReluOp, const Binary &s) -> Value {
    Value zero = Lowering::scalarIn(s.ob, s.loc, s.a.getType(), 0);
    if (s.fp)
      return arith::SelectOp::create(s.ob, s.loc, arith::CmpFOp::create(s.ob, s.loc, arith::CmpFPredicate::OLT, s.a, zero),
                                     arith::MulFOp::create(s.ob, s.loc, s.a, s.c), s.a);
    return arith::SelectOp::create(s.ob, s.loc, arith::CmpIOp::create(s.ob, s.loc, arith::CmpIPredicate::slt, s.a, zero),
                                   arith::MulIOp::create(s.ob, s.loc, s.a, s.c), s.a);
  });
  table.add<CastOp>([](CastOp c, LoweringInput &in) {
    Type to = c.getTo();
    if (auto i = llvm::dyn_cast<IntegerType>(to); i && !i.isSignless())
      to = IntegerType::get(i.getContext(), i.getWidth());
    return in.l.elementwise(typeOf(c.getOutput()), {c.getInput()}, [&](OpBuilder &ob, Location loc, ValueRange v) {
      return castScalar(ob, loc, v[0], to, in.sign.in, in.sign.out);
    });
  });
  table.add<WhereOp>([](WhereOp w, LoweringInput &in) {
    return in.l.elementwise(typeOf(w.getOutput()), {w.getCondition(), w.getLhs(), w.getRhs()},
                            [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                              return arith::SelectOp::create(ob, loc, v[0], v[1], v[2]);
                            });
  });
}

} // namespace edgec::graph_to_linalg
