//===- Pooling.cpp - max, average and global pools --------------------------===//
//
// Pools are generics over the window, the input padded first (with the
// type's lowest value for max); ceil_mode adds end padding so that every
// window stays inside the input.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "dialects/graph/ConstantUtils.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace edgec::graph_to_linalg {
namespace {

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

} // namespace

void populatePoolingLowerings(LoweringTable &table) {
  table.add<MaxPoolOp>([](MaxPoolOp p, LoweringInput &in) { return lowerPool(in.l, p, true, in.sign.in); });
  table.add<AveragePoolOp>([](AveragePoolOp p, LoweringInput &in) { return lowerPool(in.l, p, false, false); });
  table.add<GlobalAveragePoolOp>([](GlobalAveragePoolOp p, LoweringInput &in) {
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < typeOf(p.getInput()).getRank(); ++i)
      axes.push_back(i);
    return lowerReduce(in.l, ReduceKind::Mean, p.getInput(), axes, typeOf(p.getOutput()));
  });
}

} // namespace edgec::graph_to_linalg
