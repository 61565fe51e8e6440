//===- Reduction.cpp - reductions and softmax -------------------------------===//
//
// A reduction is a generic with reduction loops over the reduced axes into
// a tensor that keeps them as size 1, then reshaped to the op's result;
// softmax subtracts the maximum first.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace edgec::graph_to_linalg {

Value lowerReduce(Lowering &l, ReduceKind kind, Value input, ArrayRef<int64_t> axes,
                  RankedTensorType out, bool isUnsigned) {
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

namespace {

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

/// What softmax and log-softmax share along `axis`: the maximum m, the
/// shifted exponentials e = exp(x - m) (none overflows) and their sum s.
struct ShiftedExp {
  Value m, e, s;
};

template <typename SoftmaxLike>
ShiftedExp shiftedExp(Lowering &l, SoftmaxLike op) {
  Value x = op.getInput();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  Value m = l.reduceMax(x, {axis});
  Value e = l.elementwise(typeOf(x), {x, m}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    return math::ExpOp::create(ob, loc, arith::SubFOp::create(ob, loc, v[0], v[1]));
  });
  return {m, e, l.reduceSum(e, {axis})};
}

/// e / s.
FailureOr<Value> lowerSoftmax(Lowering &l, SoftmaxOp op) {
  ShiftedExp r = shiftedExp(l, op);
  return l.elementwise(typeOf(op.getInput()), {r.e, r.s}, [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
    return arith::DivFOp::create(ob, loc, v[0], v[1]);
  });
}

/// x - m - log(s): not log(softmax(x)), which underflows to -inf.
FailureOr<Value> lowerLogSoftmax(Lowering &l, LogSoftmaxOp op) {
  ShiftedExp r = shiftedExp(l, op);
  return l.elementwise(typeOf(op.getInput()), {op.getInput(), r.m, r.s},
                       [](OpBuilder &ob, Location loc, ValueRange v) -> Value {
                         Value shifted = arith::SubFOp::create(ob, loc, v[0], v[1]);
                         return arith::SubFOp::create(ob, loc, shifted, math::LogOp::create(ob, loc, v[2]));
                       });
}

/// ArgMax/ArgMin: one generic reducing `axis` into two accumulators, the
/// extreme value so far and its index; a strictly better element replaces
/// them (with select_last_index, an equal one too).
template <typename ArgOp>
FailureOr<Value> lowerArg(Lowering &l, ArgOp op, bool isUnsigned) {
  constexpr bool isMax = std::is_same_v<ArgOp, ArgMaxOp>;
  Value x = op.getInput();
  auto t = typeOf(x);
  Type e = t.getElementType();
  bool fp = llvm::isa<FloatType>(e);
  int64_t axis = static_cast<int64_t>(op.getAxis());
  bool last = op.getSelectLastIndex();
  Lowering::ReductionLoops loops = l.reductionLoops(t, {axis});
  // The worst value: -inf / +inf, or the type's extreme.
  unsigned bits = e.getIntOrFloatBitWidth();
  double worst = fp ? (isMax ? -1.0 : 1.0) * std::numeric_limits<double>::infinity()
                 : isMax ? (isUnsigned ? 0.0 : -std::ldexp(1.0, bits - 1))
                 : isUnsigned ? -1.0 /* all ones */
                              : std::ldexp(1.0, bits - 1) - 1;
  auto valueType = RankedTensorType::get(loops.keptShape, e);
  auto indexType = RankedTensorType::get(loops.keptShape, l.b.getI64Type());
  SmallVector<AffineMap> maps{loops.inputMap, loops.outputMap, loops.outputMap};
  auto generic = linalg::GenericOp::create(
      l.b, TypeRange{valueType, indexType}, ValueRange{x}, ValueRange{l.filled(valueType, worst), l.filled(indexType, 0)},
      maps, loops.iterators, [&](OpBuilder &ob, Location loc, ValueRange a) {
        Value v = a[0], best = a[1], bestIndex = a[2];
        Value better;
        if (fp)
          better = arith::CmpFOp::create(ob, loc,
                                         isMax ? (last ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT)
                                               : (last ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT),
                                         v, best);
        else
          better = arith::CmpIOp::create(
              ob, loc,
              isMax ? (isUnsigned ? (last ? arith::CmpIPredicate::uge : arith::CmpIPredicate::ugt)
                                  : (last ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt))
                    : (isUnsigned ? (last ? arith::CmpIPredicate::ule : arith::CmpIPredicate::ult)
                                  : (last ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt)),
              v, best);
        Value index = arith::IndexCastOp::create(ob, loc, ob.getI64Type(), linalg::IndexOp::create(ob, loc, axis));
        linalg::YieldOp::create(ob, loc,
                                ValueRange{arith::SelectOp::create(ob, loc, better, v, best),
                                           arith::SelectOp::create(ob, loc, better, index, bestIndex)});
      });
  return l.reshape(generic.getResult(1), typeOf(op.getOutput()));
}

/// TopK: k passes over the axis, pass j picking the best element that ranks
/// after pass j-1's pick (by value, then by index), so equal values come
/// out in index order and nothing is taken twice. Each pass is a
/// reduction like ArgMax's (value and index accumulators; index -1 until
/// an eligible element is seen); its result is written at position j.
FailureOr<SmallVector<Value>> lowerTopK(Lowering &l, TopKOp op, bool isUnsigned) {
  Value x = op.getInput();
  auto t = typeOf(x);
  Type e = t.getElementType();
  bool fp = llvm::isa<FloatType>(e), largest = op.getLargest();
  int64_t axis = static_cast<int64_t>(op.getAxis()), k = static_cast<int64_t>(op.getK());
  Lowering::ReductionLoops loops = l.reductionLoops(t, {axis});
  auto valueType = RankedTensorType::get(loops.keptShape, e);
  auto indexType = RankedTensorType::get(loops.keptShape, l.b.getI64Type());
  auto valuesOut = typeOf(op.getValues()), indicesOut = typeOf(op.getIndices());
  SmallVector<int64_t> oneShape(t.getShape());
  oneShape[axis] = 1;
  Value values = l.empty(valuesOut), indices = l.empty(indicesOut);
  // Floats in a total order with NaN beyond every number (largest: NaN
  // first), so each element is picked exactly once.
  auto isNaN = [](OpBuilder &ob, Location loc, Value a) -> Value {
    return arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::UNO, a, a);
  };
  auto greater = [&](OpBuilder &ob, Location loc, Value a, Value b) -> Value {
    if (fp) {
      Value ordered =
          arith::CmpFOp::create(ob, loc, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, a, b);
      Value nanFirst = arith::AndIOp::create(
          ob, loc, largest ? isNaN(ob, loc, a) : isNaN(ob, loc, b),
          arith::XOrIOp::create(ob, loc, largest ? isNaN(ob, loc, b) : isNaN(ob, loc, a),
                                Lowering::scalarIn(ob, loc, ob.getI1Type(), 1)));
      return arith::OrIOp::create(ob, loc, ordered, nanFirst);
    }
    return arith::CmpIOp::create(ob, loc,
                                 largest ? (isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                                         : (isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt),
                                 a, b);
  };
  auto equal = [&](OpBuilder &ob, Location loc, Value a, Value b) -> Value {
    if (fp)
      return arith::OrIOp::create(ob, loc, arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OEQ, a, b),
                                  arith::AndIOp::create(ob, loc, isNaN(ob, loc, a), isNaN(ob, loc, b)));
    return arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::eq, a, b);
  };
  Value prevValue, prevIndex;
  for (int64_t j = 0; j < k; ++j) {
    SmallVector<Value> ins{x};
    SmallVector<AffineMap> maps{loops.inputMap};
    if (j > 0) {
      ins.append({prevValue, prevIndex});
      maps.append({loops.outputMap, loops.outputMap});
    }
    maps.append({loops.outputMap, loops.outputMap});
    auto generic = linalg::GenericOp::create(
        l.b, TypeRange{valueType, indexType}, ins, ValueRange{l.filled(valueType, 0), l.filled(indexType, -1)}, maps,
        loops.iterators, [&](OpBuilder &ob, Location loc, ValueRange a) {
          Value v = a[0];
          Value best = a[ins.size()], bestIndex = a[ins.size() + 1];
          Value index = arith::IndexCastOp::create(ob, loc, ob.getI64Type(), linalg::IndexOp::create(ob, loc, axis));
          Value none = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, bestIndex,
                                             Lowering::scalarIn(ob, loc, ob.getI64Type(), 0));
          Value better = arith::OrIOp::create(ob, loc, none, greater(ob, loc, v, best));
          if (j > 0) {
            // Ranks after the previous pick: worse, or equal at a later index.
            Value after = arith::OrIOp::create(
                ob, loc, greater(ob, loc, a[1], v),
                arith::AndIOp::create(ob, loc, equal(ob, loc, v, a[1]),
                                      arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::sgt, index, a[2])));
            better = arith::AndIOp::create(ob, loc, after, better);
          }
          linalg::YieldOp::create(ob, loc,
                                  ValueRange{arith::SelectOp::create(ob, loc, better, v, best),
                                             arith::SelectOp::create(ob, loc, better, index, bestIndex)});
        });
    prevValue = generic.getResult(0);
    prevIndex = generic.getResult(1);
    SmallVector<OpFoldResult> offsets(t.getRank(), l.b.getIndexAttr(0)), sizes, ones(t.getRank(), l.b.getIndexAttr(1));
    offsets[axis] = l.b.getIndexAttr(j);
    for (int64_t d : oneShape)
      sizes.push_back(l.b.getIndexAttr(d));
    values = tensor::InsertSliceOp::create(l.b, l.reshape(prevValue, RankedTensorType::get(oneShape, e)), values,
                                           offsets, sizes, ones);
    indices = tensor::InsertSliceOp::create(
        l.b, l.reshape(prevIndex, RankedTensorType::get(oneShape, l.b.getI64Type())), indices, offsets, sizes, ones);
  }
  return SmallVector<Value>{values, indices};
}

} // namespace

/// CumSum: one pass over the elements, along the axis in order (from its
/// end when reversed), in an scf.for nest carrying the output: out[i] =
/// x[i] + out[i - 1], exclusive out[i] = x[i - 1] + out[i - 1]. Linear in
/// the elements and summed in the order of ONNX's reference. The output
/// starts as a copy of x, so the element read before the first of each run
/// (selected away) is defined.
FailureOr<Value> lowerCumSum(Lowering &l, CumSumOp op) {
  Value x = op.getInput();
  auto t = typeOf(x);
  int64_t axis = static_cast<int64_t>(op.getAxis()), n = t.getDimSize(axis);
  bool reverse = op.getReverse(), exclusive = op.getExclusive();
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d : t.getShape()) {
    lbs.push_back(arith::ConstantIndexOp::create(l.b, 0));
    ubs.push_back(arith::ConstantIndexOp::create(l.b, d));
    steps.push_back(arith::ConstantIndexOp::create(l.b, 1));
  }
  bool fp = llvm::isa<FloatType>(t.getElementType());
  scf::LoopNest nest = scf::buildLoopNest(
      l.b, l.b.getLoc(), lbs, ubs, steps, ValueRange{x},
      [&](OpBuilder &ob, Location loc, ValueRange ivs, ValueRange acc) -> scf::ValueVector {
        auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(ob, loc, v); };
        Value step = ivs[axis];
        Value pos = reverse ? Value(arith::SubIOp::create(ob, loc, c(n - 1), step)) : step;
        Value first = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::eq, step, c(0));
        Value before = reverse ? Value(arith::AddIOp::create(ob, loc, pos, c(1)))
                               : Value(arith::SubIOp::create(ob, loc, pos, c(1)));
        SmallVector<Value> at(ivs), prev(ivs);
        at[axis] = pos;
        prev[axis] = arith::SelectOp::create(ob, loc, first, pos, before);
        auto add = [&](Value a, Value b) -> Value {
          return fp ? Value(arith::AddFOp::create(ob, loc, a, b)) : Value(arith::AddIOp::create(ob, loc, a, b));
        };
        Value zero = Lowering::scalarIn(ob, loc, t.getElementType(), 0);
        Value sum = arith::SelectOp::create(ob, loc, first, zero, tensor::ExtractOp::create(ob, loc, acc[0], prev));
        Value v = exclusive ? arith::SelectOp::create(ob, loc, first, zero,
                                                      add(sum, tensor::ExtractOp::create(ob, loc, x, prev)))
                            : add(sum, tensor::ExtractOp::create(ob, loc, x, at));
        return {tensor::InsertOp::create(ob, loc, v, acc[0], at).getResult()};
      });
  return nest.results.empty() ? x : nest.results[0];
}

void populateReductionLowerings(LoweringTable &table) {
  table.add<TopKOp>([](TopKOp op, LoweringInput &in) { return lowerTopK(in.l, op, in.sign.in); });
  table.add<ReduceMeanOp>([](ReduceMeanOp r, LoweringInput &in) -> FailureOr<Value> {
    if (!llvm::isa<FloatType>(typeOf(r.getInput()).getElementType()))
      return failure(); // integer means round; not lowered yet
    return lowerReduce(in.l, ReduceKind::Mean, r.getInput(), r.getAxes(), typeOf(r.getOutput()));
  });
  table.add<ReduceMaxOp>([](ReduceMaxOp r, LoweringInput &in) {
    return lowerReduce(in.l, ReduceKind::Max, r.getInput(), r.getAxes(), typeOf(r.getOutput()), in.sign.in);
  });
  table.add<ReduceSumOp>([](ReduceSumOp r, LoweringInput &in) {
    return lowerReduce(in.l, ReduceKind::Sum, r.getInput(), r.getAxes(), typeOf(r.getOutput()));
  });
  table.add<ReduceMinOp, ReduceProdOp, ReduceSumSquareOp, ReduceL1Op, ReduceL2Op>(
      [](auto r, LoweringInput &in) { return lowerOtherReduce(in.l, r, in.sign.in); });
  table.add<ReduceLogSumOp, ReduceLogSumExpOp>(
      [](auto r, LoweringInput &in) { return lowerOtherReduce(in.l, r, in.sign.in); });
  table.add<ArgMaxOp, ArgMinOp>([](auto op, LoweringInput &in) { return lowerArg(in.l, op, in.sign.in); });
  table.add<SoftmaxOp>([](SoftmaxOp s, LoweringInput &in) { return lowerSoftmax(in.l, s); });
  table.add<LogSoftmaxOp>([](LogSoftmaxOp s, LoweringInput &in) { return lowerLogSoftmax(in.l, s); });
  table.add<CumSumOp>([](CumSumOp c, LoweringInput &in) { return lowerCumSum(in.l, c); });
}

} // namespace edgec::graph_to_linalg
