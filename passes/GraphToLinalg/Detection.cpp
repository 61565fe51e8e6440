//===- Detection.cpp - selections: compact_indices, NonMaxSuppression ----===//
//
// compact_indices orders a mask's positions for a selection: two scf.for
// passes with a running count, the true positions, then the false ones.
//
// Greedy suppression is sequential: which box is picked next depends on
// the boxes picked before. It lowers to scf loops over scalars: per batch
// and class, a mask of live boxes (above the score threshold), then up to
// rows_per_class rounds that pick the live box of the highest score (the
// lower index on ties) and clear the live boxes it overlaps by more than
// the IoU threshold. Picking the best remaining box and suppressing from
// it selects the same boxes in the same order as ONNX Runtime's scan of a
// sorted queue against the boxes picked so far; the IoU is computed as
// there (corners of any diagonal pair ordered with compares, no overlap or
// an empty box never suppresses). Rounds after the last live box do
// nothing. Memory: the output and one mask of N flags.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace edgec::graph_to_linalg {
namespace {

/// Scalar arithmetic at one insertion point.
struct Scalars {
  OpBuilder &ob;
  Location loc;
  Value index(int64_t v) { return arith::ConstantIndexOp::create(ob, loc, v); }
  Value f32(float v) { return arith::ConstantOp::create(ob, loc, ob.getF32FloatAttr(v)); }
  Value flag(bool v) { return arith::ConstantOp::create(ob, loc, ob.getBoolAttr(v)); }
  Value cmp(arith::CmpFPredicate p, Value a, Value b) { return arith::CmpFOp::create(ob, loc, p, a, b); }
  Value select(Value c, Value a, Value b) { return arith::SelectOp::create(ob, loc, c, a, b); }
  Value add(Value a, Value b) { return arith::AddFOp::create(ob, loc, a, b); }
  Value sub(Value a, Value b) { return arith::SubFOp::create(ob, loc, a, b); }
  Value mul(Value a, Value b) { return arith::MulFOp::create(ob, loc, a, b); }
  Value both(Value a, Value b) { return arith::AndIOp::create(ob, loc, a, b); }
  Value either(Value a, Value b) { return arith::OrIOp::create(ob, loc, a, b); }
  Value negate(Value a) { return arith::XOrIOp::create(ob, loc, a, flag(true)); }
  // std::max / std::min: the first argument unless the second compares past it.
  Value max(Value a, Value b) { return select(cmp(arith::CmpFPredicate::OLT, a, b), b, a); }
  Value min(Value a, Value b) { return select(cmp(arith::CmpFPredicate::OLT, b, a), b, a); }
  Value extract(Value t, ValueRange at) { return tensor::ExtractOp::create(ob, loc, t, at); }
  Value insert(Value v, Value t, ValueRange at) { return tensor::InsertOp::create(ob, loc, v, t, at); }
};

/// A box's extent along one axis: [lo, hi].
struct Span {
  Value lo, hi;
};

/// Box `i` of batch `b` as x and y spans.
std::pair<Span, Span> boxSpans(Scalars &s, Value boxes, Value b, Value i, bool centerPointBox) {
  auto coord = [&](int64_t k) { return s.extract(boxes, {b, i, s.index(k)}); };
  if (centerPointBox) {
    // [x_center, y_center, width, height]
    Value half = s.f32(2.0f);
    auto span = [&](Value center, Value size) {
      Value h = arith::DivFOp::create(s.ob, s.loc, size, half);
      return Span{s.sub(center, h), s.add(center, h)};
    };
    return {span(coord(0), coord(2)), span(coord(1), coord(3))};
  }
  // [y1, x1, y2, x2], any diagonal pair: ordered as ONNX Runtime's MaxMin.
  auto ordered = [&](Value p, Value q) {
    Value pFirst = s.cmp(arith::CmpFPredicate::OGE, p, q);
    return Span{s.select(pFirst, q, p), s.select(pFirst, p, q)};
  };
  return {ordered(coord(1), coord(3)), ordered(coord(0), coord(2))};
}

/// Whether box `j` is suppressed by the picked box `i`: IoU > threshold,
/// false without overlap or for an empty box.
Value suppresses(Scalars &s, std::pair<Span, Span> a, std::pair<Span, Span> c, Value threshold) {
  using P = arith::CmpFPredicate;
  Value ixLo = s.max(a.first.lo, c.first.lo), ixHi = s.min(a.first.hi, c.first.hi);
  Value iyLo = s.max(a.second.lo, c.second.lo), iyHi = s.min(a.second.hi, c.second.hi);
  Value inter = s.mul(s.sub(ixHi, ixLo), s.sub(iyHi, iyLo));
  Value areaA = s.mul(s.sub(a.first.hi, a.first.lo), s.sub(a.second.hi, a.second.lo));
  Value areaC = s.mul(s.sub(c.first.hi, c.first.lo), s.sub(c.second.hi, c.second.lo));
  Value uni = s.sub(s.add(areaA, areaC), inter);
  Value zero = s.f32(0.0f);
  Value never = s.either(s.either(s.cmp(P::OLE, ixHi, ixLo), s.cmp(P::OLE, iyHi, iyLo)),
                         s.either(s.either(s.cmp(P::OLE, inter, zero), s.cmp(P::OLE, areaA, zero)),
                                  s.either(s.cmp(P::OLE, areaC, zero), s.cmp(P::OLE, uni, zero))));
  Value iou = arith::DivFOp::create(s.ob, s.loc, inter, uni);
  return s.both(s.negate(never), s.cmp(P::OGT, iou, threshold));
}

FailureOr<SmallVector<Value>> lowerCompactIndices(Lowering &l, CompactIndicesOp op) {
  Value mask = op.getMask();
  int64_t n = typeOf(mask).getDimSize(0);
  Scalars top{l.b, l.b.getLoc()};
  Value order = tensor::EmptyOp::create(l.b, ArrayRef<int64_t>{n}, l.b.getI64Type());
  // Pass `wanted` writes the positions whose flag is `wanted` from `start`.
  auto pass = [&](Value out, Value start, bool wanted) {
    Value one = top.index(1);
    auto loop = scf::ForOp::create(
        l.b, l.b.getLoc(), top.index(0), top.index(n), one, ValueRange{out, start},
        [&](OpBuilder &ob, Location loc, Value i, ValueRange a) {
          Scalars s{ob, loc};
          Value flag = s.extract(mask, {i});
          Value take = wanted ? flag : s.negate(flag);
          auto ifOp = scf::IfOp::create(
              ob, loc, take,
              [&](OpBuilder &tb, Location tl) {
                Scalars ts{tb, tl};
                Value written = ts.insert(arith::IndexCastOp::create(tb, tl, tb.getI64Type(), i), a[0], {a[1]});
                scf::YieldOp::create(tb, tl, ValueRange{written, arith::AddIOp::create(tb, tl, a[1], one)});
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, a); });
          scf::YieldOp::create(ob, loc, ifOp.getResults());
        });
    return std::make_pair(loop.getResult(0), loop.getResult(1));
  };
  auto [kept, count] = pass(order, top.index(0), true);
  Value all = pass(kept, count, false).first;
  Value count64 = arith::IndexCastOp::create(l.b, l.b.getI64Type(), count);
  return SmallVector<Value>{all, tensor::FromElementsOp::create(l.b, typeOf(op.getCount()), ValueRange{count64})};
}

FailureOr<SmallVector<Value>> lowerNonMaxSuppression(Lowering &l, NonMaxSuppressionOp op) {
  Value boxes = op.getBoxes(), scores = op.getScores();
  auto st = typeOf(scores);
  int64_t batches = st.getDimSize(0), classes = st.getDimSize(1), n = st.getDimSize(2);
  int64_t rounds = static_cast<int64_t>(op.getRowsPerClass());
  bool center = op.getCenterPointBox(), hasScoreThreshold = op.getHasScoreThreshold();
  auto outType = typeOf(op.getSelected());
  Scalars top{l.b, l.b.getLoc()};
  auto scalarAt = [&](Value t) {
    return top.extract(t, SmallVector<Value>(typeOf(t).getRank(), top.index(0)));
  };
  // max_output_boxes_per_class below 0 counts as 0; more than the rounds
  // cannot be picked. Clamped as i64: exporters pass 2^63 - 1 for "no
  // limit", which a 32-bit index would wrap.
  Value given = scalarAt(op.getMaxOutputBoxesPerClass());
  auto i64c = [&](int64_t v) { return arith::ConstantOp::create(l.b, l.b.getI64IntegerAttr(v)); };
  given = arith::MinSIOp::create(l.b, arith::MaxSIOp::create(l.b, given, i64c(0)), i64c(rounds));
  Value limit = arith::IndexCastOp::create(l.b, l.b.getIndexType(), given);
  Value iouThreshold = scalarAt(op.getIouThreshold()), scoreThreshold = scalarAt(op.getScoreThreshold());
  Value maskInit = tensor::EmptyOp::create(l.b, ArrayRef<int64_t>{n}, l.b.getI1Type());
  Value out = l.filled(outType, 0); // padding rows: box 0 of batch 0, class 0 (valid indices)

  auto forLoop = [](OpBuilder &ob, Location loc, Value lo, Value hi, ValueRange init,
                    function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)> body) {
    Value one = arith::ConstantIndexOp::create(ob, loc, 1);
    return scf::ForOp::create(ob, loc, lo, hi, one, init,
                              [&](OpBuilder &b, Location l2, Value iv, ValueRange args) {
                                scf::YieldOp::create(b, l2, body(b, l2, iv, args));
                              })
        .getResults();
  };
  Value zeroIdx = top.index(0);
  auto perClass = [&](OpBuilder &ob, Location loc, Value b, Value c, Value outIn, Value totalIn) {
    Scalars s{ob, loc};
    // The live mask: every box, or those scoring above the threshold.
    Value live = forLoop(ob, loc, s.index(0), s.index(n), {maskInit},
                         [&](OpBuilder &ib, Location il, Value i, ValueRange m) -> SmallVector<Value> {
                           Scalars is{ib, il};
                           Value keep = hasScoreThreshold
                                            ? is.cmp(arith::CmpFPredicate::OGT, is.extract(scores, {b, c, i}),
                                                     scoreThreshold)
                                            : is.flag(true);
                           return {is.insert(keep, m[0], {i})};
                         })[0];
    auto rounds_ = forLoop(
        ob, loc, s.index(0), s.index(rounds), {outIn, totalIn, live, s.flag(false)},
        [&](OpBuilder &rb, Location rl, Value k, ValueRange st) -> SmallVector<Value> {
          Scalars rs{rb, rl};
          Value active = rs.both(rs.negate(st[3]),
                                 arith::CmpIOp::create(rb, rl, arith::CmpIPredicate::slt, k, limit));
          auto ifOp = scf::IfOp::create(
              rb, rl, active,
              [&](OpBuilder &tb, Location tl) {
                Scalars ts{tb, tl};
                // The live box of the highest score, the first on ties.
                auto best = forLoop(tb, tl, ts.index(0), ts.index(n), {ts.index(0), ts.f32(0.0f), ts.flag(false)},
                                    [&](OpBuilder &bb, Location bl, Value i, ValueRange a) -> SmallVector<Value> {
                                      Scalars bs{bb, bl};
                                      Value score = bs.extract(scores, {b, c, i});
                                      Value better = bs.both(
                                          bs.extract(st[2], {i}),
                                          bs.either(bs.negate(a[2]), bs.cmp(arith::CmpFPredicate::OGT, score, a[1])));
                                      return {bs.select(better, i, a[0]), bs.select(better, score, a[1]),
                                              bs.either(better, a[2])};
                                    });
                auto pick = scf::IfOp::create(
                    tb, tl, best[2],
                    [&](OpBuilder &pb, Location pl) {
                      Scalars ps{pb, pl};
                      Value picked = best[0];
                      auto pickedBox = boxSpans(ps, boxes, b, picked, center);
                      Value mask = ps.insert(ps.flag(false), st[2], {picked});
                      mask = forLoop(pb, pl, ps.index(0), ps.index(n), {mask},
                                     [&](OpBuilder &sb, Location sl, Value j, ValueRange m) -> SmallVector<Value> {
                                       Scalars ss{sb, sl};
                                       Value gone = suppresses(ss, pickedBox, boxSpans(ss, boxes, b, j, center),
                                                               iouThreshold);
                                       Value keep = ss.both(ss.extract(m[0], {j}), ss.negate(gone));
                                       return {ss.insert(keep, m[0], {j})};
                                     })[0];
                      Value row = st[1];
                      Value o = st[0];
                      for (auto [col, v] : llvm::enumerate(std::array<Value, 3>{b, c, picked}))
                        o = ps.insert(arith::IndexCastOp::create(pb, pl, pb.getI64Type(), v), o,
                                      {row, ps.index(static_cast<int64_t>(col))});
                      Value next = arith::AddIOp::create(pb, pl, row, ps.index(1));
                      scf::YieldOp::create(pb, pl, ValueRange{o, next, mask, ps.flag(false)});
                    },
                    [&](OpBuilder &eb, Location el) {
                      Scalars es{eb, el};
                      scf::YieldOp::create(eb, el, ValueRange{st[0], st[1], st[2], es.flag(true)});
                    });
                scf::YieldOp::create(tb, tl, pick.getResults());
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, st); });
          return SmallVector<Value>(ifOp.getResults());
        });
    return std::make_pair(rounds_[0], rounds_[1]);
  };
  auto perBatch = forLoop(l.b, l.b.getLoc(), zeroIdx, top.index(batches), {out, zeroIdx},
                          [&](OpBuilder &ob, Location loc, Value b, ValueRange a) -> SmallVector<Value> {
                            Scalars s{ob, loc};
                            return SmallVector<Value>(forLoop(
                                ob, loc, s.index(0), s.index(classes), a,
                                [&](OpBuilder &cb, Location cl, Value c, ValueRange ca) -> SmallVector<Value> {
                                  auto [o, total] = perClass(cb, cl, b, c, ca[0], ca[1]);
                                  return {o, total};
                                }));
                          });
  Value count = arith::IndexCastOp::create(l.b, l.b.getI64Type(), perBatch[1]);
  Value countTensor = tensor::FromElementsOp::create(l.b, typeOf(op.getCount()), ValueRange{count});
  return SmallVector<Value>{perBatch[0], countTensor};
}

} // namespace

void populateDetectionLowerings(LoweringTable &table) {
  table.add<CompactIndicesOp>([](CompactIndicesOp op, LoweringInput &in) { return lowerCompactIndices(in.l, op); });
  table.add<NonMaxSuppressionOp>(
      [](NonMaxSuppressionOp op, LoweringInput &in) { return lowerNonMaxSuppression(in.l, op); });
}

} // namespace edgec::graph_to_linalg
