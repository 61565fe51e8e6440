//===- DataMovement.cpp - constants, reshapes, slices, gathers, pads --------===//
//
// Data movement computes nothing: reshapes go through 1-d with
// tensor.collapse/expand_shape, concat and slices are insert/extract_slice,
// gather and negative-step slices a generic with computed indices.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::graph_to_linalg {
namespace {

FailureOr<Value> lowerConcat(Lowering &l, ConcatOp op) {
  auto out = typeOf(op.getOutput());
  int64_t axis = static_cast<int64_t>(op.getAxis());
  Value acc = l.empty(out);
  int64_t offset = 0;
  for (Value in : op.getInputs()) {
    auto t = typeOf(in);
    if (t.getNumElements() == 0) // adds nothing (and its offset may be the end)
      continue;
    SmallVector<OpFoldResult> offsets(out.getRank(), l.b.getIndexAttr(0)), sizes, strides(out.getRank(), l.b.getIndexAttr(1));
    offsets[axis] = l.b.getIndexAttr(offset);
    for (int64_t d : t.getShape())
      sizes.push_back(l.b.getIndexAttr(d));
    acc = tensor::InsertSliceOp::create(l.b, in, acc, offsets, sizes, strides);
    offset += t.getDimSize(axis);
  }
  return acc;
}

/// update_slice as an insert_slice. A source that is a reshape adding unit
/// dims (the unsqueeze of a layer's cache before a concat) is
/// inserted as it was before it, rank-reducing: bufferization then sees the
/// insert_slice matching the extract_slice the source was updated in, and
/// writes nothing (the update happened in place).
FailureOr<Value> lowerUpdateSlice(Lowering &l, UpdateSliceOp op) {
  Value source = op.getSource();
  auto st = typeOf(source);
  // Reshapes lower to a collapse and an expand: look through those that
  // only add or drop unit dims, back to the update itself.
  auto nonUnit = [](RankedTensorType t) {
    SmallVector<int64_t> kept;
    for (int64_t d : t.getShape())
      if (d != 1)
        kept.push_back(d);
    return kept;
  };
  for (Value v = source; isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(v.getDefiningOp());) {
    v = v.getDefiningOp()->getOperand(0);
    if (typeOf(v).getRank() <= st.getRank() && nonUnit(typeOf(v)) == nonUnit(st))
      source = v;
  }
  SmallVector<OpFoldResult> offsets, sizes, strides(st.getRank(), l.b.getIndexAttr(1));
  for (auto [o, d] : llvm::zip(op.getOffsets(), st.getShape())) {
    offsets.push_back(l.b.getIndexAttr(o));
    sizes.push_back(l.b.getIndexAttr(d));
  }
  return Value(tensor::InsertSliceOp::create(l.b, source, op.getDest(), offsets, sizes, strides));
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

/// An index read from the model, as an in-range index into a dim of `size`:
/// negative ones count from the end, out-of-range ones are clamped (never a
/// read outside the data).
Value inRangeIndex(OpBuilder &ob, Location loc, Value raw, int64_t size) {
  Value idx = arith::IndexCastOp::create(ob, loc, ob.getIndexType(), raw);
  Value dim = arith::ConstantIndexOp::create(ob, loc, size);
  Value zero = arith::ConstantIndexOp::create(ob, loc, 0);
  Value neg = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, idx, zero);
  idx = arith::SelectOp::create(ob, loc, neg, arith::AddIOp::create(ob, loc, idx, dim), idx);
  idx = arith::MaxSIOp::create(ob, loc, idx, zero);
  return arith::MinSIOp::create(ob, loc, idx, arith::ConstantIndexOp::create(ob, loc, size - 1));
}

/// Gather of one constant index (a layer's slice of a stacked KV cache,
/// x[k] in PyTorch) as a view: an extract_slice, rank-reducing for a scalar
/// index. Null for other gathers.
Value gatherOneRow(Lowering &l, GatherOp op) {
  auto out = typeOf(op.getOutput());
  auto dt = typeOf(op.getInput());
  int64_t axis = static_cast<int64_t>(op.getAxis());
  std::optional<int64_t> at = graph::oneConstantIndex(op.getIndices(), dt.getDimSize(axis));
  if (!at)
    return {}; // out of range: clamped at run time like any other index
  SmallVector<OpFoldResult> offsets(dt.getRank(), l.b.getIndexAttr(0)), sizes, strides(dt.getRank(), l.b.getIndexAttr(1));
  offsets[axis] = l.b.getIndexAttr(*at);
  for (int64_t d = 0; d < dt.getRank(); ++d)
    sizes.push_back(l.b.getIndexAttr(d == axis ? 1 : dt.getDimSize(d)));
  return tensor::ExtractSliceOp::create(l.b, out, op.getInput(), offsets, sizes, strides);
}

FailureOr<Value> lowerGather(Lowering &l, GatherOp op) {
  if (Value row = gatherOneRow(l, op))
    return row;
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
               Value idx = inRangeIndex(ob, loc, a[0], dt.getDimSize(axis));
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

/// One generic over the output (the indices' shape): each element reads the
/// input at its own position with the axis coordinate from the indices.
FailureOr<Value> lowerGatherElements(Lowering &l, GatherElementsOp op) {
  auto out = typeOf(op.getOutput());
  auto dt = typeOf(op.getInput());
  int64_t axis = static_cast<int64_t>(op.getAxis());
  Value data = op.getInput();
  SmallVector<AffineMap> maps(2, AffineMap::getMultiDimIdentityMap(out.getRank(), l.ctx));
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{op.getIndices()}, ValueRange{l.empty(out)}, maps,
             SmallVector<IteratorType>(out.getRank(), IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange a) {
               SmallVector<Value> coords;
               for (int64_t i = 0; i < out.getRank(); ++i)
                 coords.push_back(i == axis ? inRangeIndex(ob, loc, a[0], dt.getDimSize(axis))
                                            : Value(linalg::IndexOp::create(ob, loc, i)));
               linalg::YieldOp::create(ob, loc, Value(tensor::ExtractOp::create(ob, loc, data, coords)));
             })
      .getResult(0);
}

/// One generic over the output: the batch coordinates, then the index
/// tuple read from the indices at the output's leading coordinates, then
/// the output's trailing ones.
FailureOr<Value> lowerGatherND(Lowering &l, GatherNDOp op) {
  auto out = typeOf(op.getOutput());
  auto dt = typeOf(op.getInput()), it = typeOf(op.getIndices());
  int64_t b = static_cast<int64_t>(op.getBatchDims()), q = it.getRank(), k = it.getDimSize(q - 1);
  Value data = op.getInput(), indices = op.getIndices();
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(out.getRank(), l.ctx)};
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{}, ValueRange{l.empty(out)}, maps,
             SmallVector<IteratorType>(out.getRank(), IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange) {
               SmallVector<Value> prefix, coords;
               for (int64_t i = 0; i < q - 1; ++i)
                 prefix.push_back(linalg::IndexOp::create(ob, loc, i));
               coords.assign(prefix.begin(), prefix.begin() + b);
               for (int64_t j = 0; j < k; ++j) {
                 SmallVector<Value> at(prefix);
                 at.push_back(arith::ConstantIndexOp::create(ob, loc, j));
                 Value raw = tensor::ExtractOp::create(ob, loc, indices, at);
                 coords.push_back(inRangeIndex(ob, loc, raw, dt.getDimSize(b + j)));
               }
               for (int64_t i = q - 1; i < out.getRank(); ++i)
                 coords.push_back(linalg::IndexOp::create(ob, loc, i));
               linalg::YieldOp::create(ob, loc, Value(tensor::ExtractOp::create(ob, loc, data, coords)));
             })
      .getResult(0);
}

/// The value a scatter writes: the update, or the update combined with
/// what is there.
Value combined(OpBuilder &ob, Location loc, StringRef reduction, Value old, Value update, bool isUnsigned) {
  bool fp = llvm::isa<FloatType>(update.getType());
  if (reduction == "add")
    return fp ? Value(arith::AddFOp::create(ob, loc, old, update)) : arith::AddIOp::create(ob, loc, old, update);
  if (reduction == "mul")
    return fp ? Value(arith::MulFOp::create(ob, loc, old, update)) : arith::MulIOp::create(ob, loc, old, update);
  if (reduction == "max")
    return fp ? Value(arith::MaximumFOp::create(ob, loc, old, update))
           : isUnsigned ? Value(arith::MaxUIOp::create(ob, loc, old, update))
                        : arith::MaxSIOp::create(ob, loc, old, update);
  if (reduction == "min")
    return fp ? Value(arith::MinimumFOp::create(ob, loc, old, update))
           : isUnsigned ? Value(arith::MinUIOp::create(ob, loc, old, update))
                        : arith::MinSIOp::create(ob, loc, old, update);
  return update;
}

/// `input` with one element written per point of `shape`, in order: an
/// scf.for nest carrying the tensor (bufferized in place; a later write to
/// one position wins, as in ONNX's reference). `target(ivs)` gives the
/// position and the update.
using ScatterTarget = llvm::function_ref<std::pair<SmallVector<Value>, Value>(OpBuilder &, Location, ValueRange)>;
Value scatterLoops(Lowering &l, Value input, ArrayRef<int64_t> shape, StringRef reduction, bool isUnsigned,
                   ScatterTarget target) {
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d : shape) {
    lbs.push_back(arith::ConstantIndexOp::create(l.b, 0));
    ubs.push_back(arith::ConstantIndexOp::create(l.b, d));
    steps.push_back(arith::ConstantIndexOp::create(l.b, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      l.b, l.b.getLoc(), lbs, ubs, steps, ValueRange{input},
      [&](OpBuilder &ob, Location loc, ValueRange ivs, ValueRange acc) -> scf::ValueVector {
        auto [coords, update] = target(ob, loc, ivs);
        Value old = reduction == "none" ? Value() : Value(tensor::ExtractOp::create(ob, loc, acc[0], coords));
        Value v = combined(ob, loc, reduction, old, update, isUnsigned);
        return {tensor::InsertOp::create(ob, loc, v, acc[0], coords).getResult()};
      });
  return nest.results[0];
}

FailureOr<Value> lowerScatterElements(Lowering &l, ScatterElementsOp op, bool isUnsigned) {
  auto dt = typeOf(op.getInput());
  int64_t axis = static_cast<int64_t>(op.getAxis());
  Value indices = op.getIndices(), updates = op.getUpdates();
  return scatterLoops(l, op.getInput(), typeOf(updates).getShape(), op.getReduction(), isUnsigned,
                      [&](OpBuilder &ob, Location loc, ValueRange ivs) {
                        SmallVector<Value> coords(ivs);
                        Value raw = tensor::ExtractOp::create(ob, loc, indices, ivs);
                        coords[axis] = inRangeIndex(ob, loc, raw, dt.getDimSize(axis));
                        return std::make_pair(coords, Value(tensor::ExtractOp::create(ob, loc, updates, ivs)));
                      });
}

FailureOr<Value> lowerScatterND(Lowering &l, ScatterNDOp op, bool isUnsigned) {
  auto dt = typeOf(op.getInput()), it = typeOf(op.getIndices());
  int64_t q = it.getRank(), k = it.getDimSize(q - 1);
  Value indices = op.getIndices(), updates = op.getUpdates();
  return scatterLoops(l, op.getInput(), typeOf(updates).getShape(), op.getReduction(), isUnsigned,
                      [&](OpBuilder &ob, Location loc, ValueRange ivs) {
                        SmallVector<Value> coords;
                        for (int64_t j = 0; j < k; ++j) {
                          SmallVector<Value> at(ivs.take_front(q - 1));
                          at.push_back(arith::ConstantIndexOp::create(ob, loc, j));
                          Value raw = tensor::ExtractOp::create(ob, loc, indices, at);
                          coords.push_back(inRangeIndex(ob, loc, raw, dt.getDimSize(j)));
                        }
                        llvm::append_range(coords, ivs.drop_front(q - 1));
                        return std::make_pair(coords, Value(tensor::ExtractOp::create(ob, loc, updates, ivs)));
                      });
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

} // namespace

void populateDataMovementLowerings(LoweringTable &table) {
  table.add<ConstantOp>([](ConstantOp c, LoweringInput &in) -> FailureOr<Value> {
    auto value = denseIfSmall(llvm::cast<ElementsAttr>(c.getValue()));
    auto type = typeOf(c.getOutput()); // signless already
    if (value.getType() != type)
      value = reshapeConstant(value, type); // same bytes, signless type
    if (!value)
      return failure();
    return Value(arith::ConstantOp::create(in.l.b, value));
  });
  table.add<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(
      [](auto r, LoweringInput &in) { return in.l.reshape(r.getInput(), typeOf(r.getOutput())); });
  table.add<TransposeOp>([](TransposeOp t, LoweringInput &in) { return lowerTranspose(in.l, t); });
  table.add<ConcatOp>([](ConcatOp c, LoweringInput &in) { return lowerConcat(in.l, c); });
  table.add<SliceOp>([](SliceOp s, LoweringInput &in) { return lowerSlice(in.l, s); });
  table.add<UpdateSliceOp>([](UpdateSliceOp u, LoweringInput &in) { return lowerUpdateSlice(in.l, u); });
  table.add<GatherOp>([](GatherOp g, LoweringInput &in) { return lowerGather(in.l, g); });
  table.add<GatherElementsOp>([](GatherElementsOp g, LoweringInput &in) { return lowerGatherElements(in.l, g); });
  table.add<GatherNDOp>([](GatherNDOp g, LoweringInput &in) { return lowerGatherND(in.l, g); });
  table.add<ScatterElementsOp>([](ScatterElementsOp sc, LoweringInput &in) {
    return lowerScatterElements(in.l, sc, in.sign.in);
  });
  table.add<ScatterNDOp>([](ScatterNDOp sc, LoweringInput &in) { return lowerScatterND(in.l, sc, in.sign.in); });
  table.add<PadOp>([](PadOp p, LoweringInput &in) { return lowerPad(in.l, p); });
}

} // namespace edgec::graph_to_linalg
