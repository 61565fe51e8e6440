//===- Linear.cpp - conv, matmul, gemm, batch norm ---------------------------===//
//
// The contractions: generics whose reduction loops
// edgec-vectorize-contractions turns into kernels. Constant weights are
// stored in the layout those kernels read (conv output channel last or in
// panels, a dense layer's transposed B as [K, N]).
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "dialects/graph/ConstantUtils.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace edgec::graph_to_linalg {
namespace {

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

} // namespace

FailureOr<Value> convGeneric(Lowering &l, Value x, Value w, Value bias, RankedTensorType out,
                             const ConvSpec &spec, ConvEpilogue epilogue) {
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

Value matmul(Lowering &l, Value a, Value bv, RankedTensorType out, bool transA, bool transB, Value init,
             bool unsignedA) {
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

namespace {

FailureOr<Value> lowerConv(Lowering &l, ConvOp op) {
  return convGeneric(l, op.getInput(), op.getWeight(), op.getBias(), typeOf(op.getOutput()), convSpecOf(op));
}

/// x [1, .., 1, K] times a constant f32 weight [K, N] (a decode step's
/// projection, on a SIMD target): the weight stored transposed, [N, K], so
/// that each output's weights are one contiguous stream, and multiplied
/// row by row (rowsTimesVector). Null otherwise.
Value lowerConstantMatVec(Lowering &l, Value a, Value w, bool transB, RankedTensorType out) {
  auto at = typeOf(a), wt = typeOf(w);
  if (l.panelLanes <= 1 || wt.getRank() != 2 || !at.getElementType().isF32() || !wt.getElementType().isF32() ||
      at.getNumElements() != at.getShape().back() || at.getShape().back() != wt.getDimSize(transB ? 1 : 0))
    return {};
  ElementsAttr c = graph::getConstant(w);
  if (!c)
    return {};
  ElementsAttr rows = transB ? c : graph::transposeConstant(c, {1, 0});
  if (!rows)
    return {};
  int64_t k = at.getShape().back();
  Value x = l.reshape(a, RankedTensorType::get({k}, at.getElementType()));
  Value y = rowsTimesVector(l, x, arith::ConstantOp::create(l.b, llvm::cast<TypedAttr>(rows)), Value());
  return y ? l.reshape(y, out) : Value();
}

FailureOr<Value> lowerMatMul(Lowering &l, MatMulOp op) {
  Value a = op.getLhs(), bv = op.getRhs();
  auto at = typeOf(a), bt = typeOf(bv), out = typeOf(op.getOutput());
  if (Value y = lowerInt4MatVec(l, a, bv, out)) // one row times int4 weights
    return y;
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
  // B transposed in its last two dims (attention's K^T): read in place,
  // not copied first.
  bool transB = false;
  auto t = bv.getDefiningOp<linalg::TransposeOp>();
  if (t && t->hasOneUse() && graph::swapsLastTwoDims(t.getPermutation())) {
    transB = true;
    bv = t.getInput(); // the transpose is dead once this matmul replaces the graph op
  }
  if (transB)
    if (Value y = lowerInt8MatVec(l, op.getLhs(), bv, out)) // one row times int8 weights
      return y;
  if (Value y = lowerConstantMatVec(l, op.getLhs(), bv, transB, out))
    return y;
  return l.reshape(matmul(l, a, bv, full, false, transB), out);
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

} // namespace

void populateLinearLowerings(LoweringTable &table) {
  table.add<ConvOp>([](ConvOp c, LoweringInput &in) { return lowerConv(in.l, c); });
  table.add<MatMulOp>([](MatMulOp m, LoweringInput &in) { return lowerMatMul(in.l, m); });
  table.add<GemmOp>([](GemmOp g, LoweringInput &in) { return lowerGemm(in.l, g); });
  table.add<BatchNormOp>([](BatchNormOp bn, LoweringInput &in) { return lowerBatchNorm(in.l, bn); });
}

} // namespace edgec::graph_to_linalg
