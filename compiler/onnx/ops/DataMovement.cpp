//===- DataMovement.cpp - reshapes, slices, gathers, pads, Identity ---------===//
//
// Ops that move data. Shapes, axes, starts and pads must be compile-time
// constants: they become attributes of the graph op.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"
#include "llvm/Support/CheckedArithmetic.h"

namespace edgec::onnx_import {
namespace {

LogicalResult identity(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!x || failed(onlyFirstOutput(ctx)))
    return failure();
  return ctx.setOutput(0, x);
}

/// Dropout at inference (training_mode absent or false), or training with a
/// constant ratio of 0: the input unchanged, the mask all true.
LogicalResult dropout(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (ctx.hasInput(2)) {
    auto training = ctx.constantInts(2, "Dropout training_mode");
    if (failed(training))
      return failure();
    bool train = llvm::any_of(*training, [](int64_t v) { return v != 0; });
    if (train) {
      FailureOr<SmallVector<float>> ratio =
          ctx.hasInput(1) ? ctx.constantFloats(1, "Dropout ratio") : FailureOr<SmallVector<float>>(SmallVector<float>{0.5f});
      if (failed(ratio))
        return failure();
      if (llvm::any_of(*ratio, [](float r) { return r != 0.0f; }))
        return ctx.unsupported("training_mode", "true with a ratio other than 0 (random; edgec compiles inference)");
    }
  }
  if (failed(ctx.setOutput(0, ctx.input(0))))
    return failure();
  if (!ctx.outputUsed(1))
    return success();
  auto maskType = RankedTensorType::get(t.getShape(), ctx.b.getI1Type());
  return ctx.setOutput(1, ctx.constant(DenseElementsAttr::get(maskType, true)));
}

/// OneHot: output[..., k, ...] = values[1] where the index (from the end when
/// negative) is k along the new axis, else values[0]; depth a constant.
LogicalResult oneHot(NodeContext &ctx) {
  auto it = ctx.inputType(0);
  auto vt = it ? ctx.inputType(2) : RankedTensorType();
  if (!vt)
    return failure();
  if (vt.getRank() != 1 || vt.getDimSize(0) != 2)
    return ctx.fail("OneHot values must be a tensor of 2 elements [off, on]");
  // depth: any numeric type (float ones are truncated).
  Value depthInput = ctx.input(1);
  if (!depthInput)
    return failure();
  SmallVector<int64_t> depthInts;
  SmallVector<float> depthFloats;
  ElementsAttr depthConst = g::getConstant(depthInput);
  if (!depthConst)
    return ctx.failNotConstant(1, "OneHot depth", "scalar");
  if (!g::readInts(depthConst, depthInts) && g::readFloats(depthConst, depthFloats))
    for (float f : depthFloats)
      depthInts.push_back(f >= 1.0f && f <= float(kMaxBuiltElements) ? static_cast<int64_t>(f) : 0);
  if (depthInts.size() != 1 || depthInts[0] < 1 || depthInts[0] > kMaxBuiltElements)
    return ctx.fail("OneHot depth must be a scalar from 1 to 2^28");
  int64_t depth = depthInts[0];
  int64_t rank = it.getRank() + 1;
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  Type i64 = ctx.b.getI64Type();
  Value idx = ctx.input(0);
  if (it.getElementType() != i64)
    idx = castTo(ctx, idx, i64); // float indices are cast, as ONNX says
  Value depthScalar = ctx.constant(g::makeInts(RankedTensorType::get({}, i64), {depth}, "onehot_depth"));
  Value zero = ctx.constant(g::makeInts(RankedTensorType::get({}, i64), {0}, "onehot_zero"));
  Value negative = apply<g::LessOp>(ctx, {idx, zero});
  idx = apply<g::WhereOp>(ctx, {negative, apply<g::AddOp>(ctx, {idx, depthScalar}), idx});
  Value expanded = apply<g::UnsqueezeOp>(ctx, {idx}, {ctx.i64s("axes", {*axis})});
  Value mask = apply<g::EqualOp>(ctx, {expanded, iotaAlong(ctx, rank, *axis, depth, i64, "onehot_ids")});
  auto element = [&](int64_t k) {
    return apply<g::SliceOp>(ctx, {ctx.input(2)},
                             {ctx.i64s("starts", {k}), ctx.i64s("ends", {k + 1}), ctx.i64s("steps", {1})});
  };
  Value y = apply<g::WhereOp>(ctx, {mask, element(1), element(0)});
  return y ? ctx.setOutput(0, y) : failure();
}

LogicalResult reshape(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto shape = ctx.constantInts(1, "Reshape shape");
  if (failed(shape))
    return failure();
  bool allowZero = ctx.getInt("allowzero", 0);
  int64_t known = 1, inferred = -1;
  SmallVector<int64_t> dims(*shape);
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= t.getRank())
        return ctx.fail("Reshape copies dim " + std::to_string(i) + " from an input of rank " +
                        std::to_string(t.getRank()));
      d = t.getDimSize(i);
    }
    if (d == -1) {
      if (inferred >= 0)
        return ctx.fail("Reshape shape has more than one -1");
      inferred = i;
      continue;
    }
    if (d < 0)
      return ctx.fail("Reshape shape has negative dim " + std::to_string(d));
    known *= d;
  }
  if (inferred >= 0) {
    if (known == 0 || t.getNumElements() % known != 0)
      return ctx.fail("Reshape cannot infer the -1 dim of the new shape");
    dims[inferred] = t.getNumElements() / known;
  }
  return bind(ctx, ctx.create<g::ReshapeOp>({ctx.input(0)}, {ctx.i64s("shape", dims)}));
}

LogicalResult flatten(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  int64_t axis = ctx.getInt("axis", 1);
  if (axis < -t.getRank() || axis > t.getRank())
    return ctx.fail("Flatten axis out of range");
  if (axis < 0)
    axis += t.getRank();
  return bind(ctx, ctx.create<g::FlattenOp>({ctx.input(0)},
                                            {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))}));
}

LogicalResult transpose(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<int64_t> perm = ctx.getInts("perm");
  if (!ctx.attr("perm"))
    for (int64_t i = t.getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  return bind(ctx, ctx.create<g::TransposeOp>({ctx.input(0)}, {ctx.i64s("perm", perm)}));
}

/// Axes of Squeeze/Unsqueeze: an input since opset 13.
FailureOr<SmallVector<int64_t>> sortedAxes(NodeContext &ctx, int64_t rank) {
  auto axes = ctx.constantInts(1, "axes");
  if (failed(axes))
    return failure();
  for (int64_t &a : *axes) {
    auto n = normaliseAxis(ctx, a, rank);
    if (failed(n))
      return failure();
    a = *n;
  }
  llvm::sort(*axes);
  return axes;
}

LogicalResult squeeze(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<int64_t> axes;
  if (ctx.hasInput(1)) {
    auto a = sortedAxes(ctx, t.getRank());
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (t.getDimSize(i) == 1)
        axes.push_back(i);
  }
  return bind(ctx, ctx.create<g::SqueezeOp>({ctx.input(0)}, {ctx.i64s("axes", axes)}));
}

LogicalResult unsqueeze(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t || !ctx.hasInput(1))
    return t ? ctx.fail("Unsqueeze needs axes") : failure();
  auto count = ctx.constantInts(1, "axes");
  if (failed(count))
    return failure();
  auto axes = sortedAxes(ctx, t.getRank() + static_cast<int64_t>(count->size()));
  if (failed(axes))
    return failure();
  return bind(ctx, ctx.create<g::UnsqueezeOp>({ctx.input(0)}, {ctx.i64s("axes", *axes)}));
}

LogicalResult concat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    inputs.push_back(v);
  }
  if (inputs.empty())
    return ctx.fail("Concat needs at least one input");
  int64_t rank = llvm::cast<RankedTensorType>(inputs[0].getType()).getRank();
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  return bind(ctx, ctx.create<g::ConcatOp>(inputs, {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis))}));
}

LogicalResult slice(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto starts = ctx.constantInts(1, "Slice starts");
  auto ends = ctx.constantInts(2, "Slice ends");
  if (failed(starts) || failed(ends))
    return failure();
  SmallVector<int64_t> axes, steps;
  if (ctx.hasInput(3)) {
    auto a = ctx.constantInts(3, "Slice axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (ctx.hasInput(4)) {
    auto s = ctx.constantInts(4, "Slice steps");
    if (failed(s))
      return failure();
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return ctx.fail("Slice starts, ends, axes and steps differ in length");
  int64_t rank = t.getRank();
  SmallVector<int64_t> s(rank, 0), e(t.getShape()), st(rank, 1);
  for (size_t k = 0; k < axes.size(); ++k) {
    auto axis = normaliseAxis(ctx, axes[k], rank);
    if (failed(axis))
      return failure();
    int64_t d = t.getDimSize(*axis), step = steps[k];
    if (step == 0)
      return ctx.fail("Slice step must not be 0");
    // ONNX: negative positions count from the end; then clamp to the range
    // [0, d] (step > 0) or [-1, d - 1] (step < 0).
    // [0, d] (step > 0); for negative steps starts to [0, d - 1] and ends to
    // [-1, d - 1].
    auto clampPos = [&](int64_t p, bool isStart) {
      if (p < 0)
        p = std::max<int64_t>(p, std::numeric_limits<int64_t>::min() + d) + d;
      if (step > 0)
        return std::clamp<int64_t>(p, 0, d);
      return std::clamp<int64_t>(p, isStart ? 0 : -1, d - 1);
    };
    s[*axis] = clampPos((*starts)[k], true);
    e[*axis] = clampPos((*ends)[k], false);
    st[*axis] = step;
  }
  return bind(ctx, ctx.create<g::SliceOp>({ctx.input(0)}, {ctx.i64s("starts", s), ctx.i64s("ends", e),
                                                           ctx.i64s("steps", st)}));
}

/// Constant indices must address a dim of `dim` (from the end when negative).
LogicalResult checkConstantIndices(NodeContext &ctx, Value idx, int64_t dim, StringRef op) {
  SmallVector<int64_t> constIdx;
  if (g::readInts(g::getConstant(idx), constIdx))
    for (int64_t i : constIdx)
      if (i < -dim || i >= dim)
        return ctx.fail(op + " index " + std::to_string(i) + " is out of range for a dim of " +
                        std::to_string(dim));
  return success();
}

/// Gather and GatherElements: the axis normalised, constant indices checked.
template <typename OpTy>
LogicalResult gather(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  Value idx = t ? ctx.input(1) : Value();
  if (!idx)
    return failure();
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", 0), t.getRank());
  if (failed(axis) ||
      failed(checkConstantIndices(ctx, idx, t.getDimSize(*axis),
                                  std::is_same_v<OpTy, g::GatherOp> ? "Gather" : "GatherElements")))
    return failure();
  return bind(ctx, ctx.create<OpTy>({ctx.input(0), idx}, {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis))}));
}

/// GatherND: batch_dims; constant index tuples checked against the dims.
LogicalResult gatherND(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  Value idx = t ? ctx.input(1) : Value();
  if (!idx)
    return failure();
  return bind(ctx, ctx.create<g::GatherNDOp>({ctx.input(0), idx},
                                             {ctx.named("batch_dims", ctx.b.getI64IntegerAttr(ctx.getInt("batch_dims", 0)))}));
}

/// ScatterElements (and opset < 11 Scatter, which the converter renames):
/// the axis normalised, the reduction (opset 16) named.
LogicalResult scatterElements(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  Value idx = t ? ctx.input(1) : Value(), updates = t ? ctx.input(2) : Value();
  if (!idx || !updates)
    return failure();
  auto axis = normaliseAxis(ctx, ctx.getInt("axis", 0), t.getRank());
  if (failed(axis) || failed(checkConstantIndices(ctx, idx, t.getDimSize(*axis), "ScatterElements")))
    return failure();
  return bind(ctx, ctx.create<g::ScatterElementsOp>(
                       {ctx.input(0), idx, updates},
                       {ctx.named("axis", ctx.b.getI64IntegerAttr(*axis)),
                        ctx.named("reduction", ctx.b.getStringAttr(ctx.getString("reduction", "none")))}));
}

LogicalResult scatterND(NodeContext &ctx) {
  Value x = ctx.input(0), idx = x ? ctx.input(1) : Value(), updates = x ? ctx.input(2) : Value();
  if (!idx || !updates)
    return failure();
  return bind(ctx, ctx.create<g::ScatterNDOp>(
                       {x, idx, updates}, {ctx.named("reduction", ctx.b.getStringAttr(ctx.getString("reduction", "none")))}));
}

/// ReverseSequence: [time, batch, rest] (transposed there and back), each
/// batch entry's first sequence_lens[b] steps reversed; lengths constant.
LogicalResult reverseSequence(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (t.getRank() < 2)
    return ctx.fail("ReverseSequence needs an input of rank >= 2");
  auto lens = ctx.constantInts(1, "ReverseSequence sequence_lens");
  if (failed(lens))
    return failure();
  int64_t timeAxis = ctx.getInt("time_axis", 0), batchAxis = ctx.getInt("batch_axis", 1);
  if (!((timeAxis == 0 && batchAxis == 1) || (timeAxis == 1 && batchAxis == 0)))
    return ctx.fail("ReverseSequence needs time_axis and batch_axis 0 and 1");
  int64_t seq = t.getDimSize(timeAxis), batch = t.getDimSize(batchAxis);
  if (int64_t(lens->size()) != batch)
    return ctx.fail("ReverseSequence needs one length per batch entry");
  for (int64_t l : *lens)
    if (l < 0 || l > seq)
      return ctx.fail("ReverseSequence length " + std::to_string(l) + " is outside [0, " + std::to_string(seq) + "]");
  SmallVector<int64_t> perm{1, 0};
  for (int64_t d = 2; d < t.getRank(); ++d)
    perm.push_back(d);
  Value x = ctx.input(0);
  if (timeAxis == 1)
    x = apply<g::TransposeOp>(ctx, {x}, {ctx.i64s("perm", perm)});
  int64_t rest = t.getNumElements() / std::max<int64_t>(1, seq * batch);
  SmallVector<int64_t> shape{seq, batch};
  for (int64_t d = 2; d < t.getRank(); ++d)
    shape.push_back(t.getDimSize(d));
  Value r = reverseWithinLengths(ctx, apply<g::ReshapeOp>(ctx, {x}, {ctx.i64s("shape", {seq, batch, rest})}), *lens);
  r = apply<g::ReshapeOp>(ctx, {r}, {ctx.i64s("shape", shape)});
  if (timeAxis == 1)
    r = apply<g::TransposeOp>(ctx, {r}, {ctx.i64s("perm", perm)});
  return r ? ctx.setOutput(0, r) : failure();
}

LogicalResult pad(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto pads = ctx.constantInts(1, "Pad pads");
  if (failed(pads))
    return failure();
  float value = 0.0f;
  if (ctx.hasInput(2)) {
    auto v = ctx.constantFloats(2, "Pad constant_value");
    if (failed(v))
      return failure();
    if (v->size() != 1)
      return ctx.fail("Pad constant_value must be a scalar");
    value = (*v)[0];
  }
  return bind(ctx, ctx.create<g::PadOp>({ctx.input(0)},
                                        {ctx.i64s("pads", *pads),
                                         ctx.named("mode", ctx.b.getStringAttr(ctx.getString("mode", "constant"))),
                                         ctx.named("value", ctx.b.getF32FloatAttr(value))}));
}

/// Split: a graph.slice per output along `axis`, sized by the `split` input
/// or in equal parts.
LogicalResult split(NodeContext &ctx) {
  auto in = inputAndAxis(ctx, 0);
  if (failed(in))
    return failure();
  RankedTensorType t = in->type;
  int64_t axis = in->axis;
  int64_t dim = t.getDimSize(axis), n = static_cast<int64_t>(ctx.numOutputs());
  SmallVector<int64_t> sizes;
  if (ctx.hasInput(1) && dim == 0) {
    sizes.assign(n, 0); // an empty dim splits into empty parts, whatever split says
  } else if (ctx.hasInput(1)) {
    auto given = ctx.constantInts(1, "Split split");
    if (failed(given))
      return failure();
    sizes.assign(given->begin(), given->end());
    int64_t sum = 0;
    bool bad = false;
    for (int64_t s : sizes) {
      bad |= s < 0 || s > dim - sum;
      if (!bad)
        sum += s;
    }
    if (static_cast<int64_t>(sizes.size()) != n || bad || sum != dim)
      return ctx.fail("Split sizes must be " + std::to_string(n) + " non-negative values that add up to dim " +
                      std::to_string(axis) + " (" + std::to_string(dim) + ")");
  } else {
    if (n == 0 || dim % n)
      return ctx.fail("Split cannot cut dim " + std::to_string(axis) + " (" + std::to_string(dim) + ") into " +
                      std::to_string(n) + " equal parts");
    sizes.assign(n, dim / n);
  }
  SmallVector<int64_t> starts(t.getRank(), 0), ends(t.getShape()), steps(t.getRank(), 1);
  ends[axis] = 0;
  for (int64_t i = 0; i < n; ++i) {
    starts[axis] = ends[axis];
    ends[axis] += sizes[i];
    if (failed(bind(ctx, ctx.create<g::SliceOp>({ctx.input(0)}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends),
                                                                 ctx.i64s("steps", steps)}),
                    static_cast<size_t>(i))))
      return failure();
  }
  return success();
}

/// DepthToSpace and SpaceToDepth: a reshape to 6-d, a transpose, a reshape
/// back (ONNX's own definition).
LogicalResult depthSpace(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  bool toSpace = ctx.node.op_type() == "DepthToSpace";
  int64_t b = ctx.getInt("blocksize", 0);
  if (t.getRank() != 4 || b <= 0)
    return ctx.fail(ctx.node.op_type() + " needs an NCHW input and a positive blocksize");
  int64_t n = t.getDimSize(0), c = t.getDimSize(1), h = t.getDimSize(2), w = t.getDimSize(3);
  // The block must fit the dims it splits: b * b cannot overflow then.
  if (b > (toSpace ? c : std::min(h, w)))
    return ctx.fail(ctx.node.op_type() + " blocksize " + std::to_string(b) + " is larger than the dims it splits");
  SmallVector<int64_t> split, perm, out;
  if (toSpace) {
    if (c % (b * b))
      return ctx.fail("DepthToSpace: channels (" + std::to_string(c) + ") not a multiple of blocksize^2");
    bool crd = ctx.getString("mode", "DCR") == "CRD";
    if (!crd && ctx.getString("mode", "DCR") != "DCR")
      return ctx.unsupported("mode", "'" + ctx.getString("mode", "") + "'");
    split = crd ? SmallVector<int64_t>{n, c / (b * b), b, b, h, w} : SmallVector<int64_t>{n, b, b, c / (b * b), h, w};
    perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3} : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    out = {n, c / (b * b), h * b, w * b};
  } else {
    if (h % b || w % b)
      return ctx.fail("SpaceToDepth: height and width must be multiples of blocksize");
    split = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, c * b * b, h / b, w / b};
  }
  Value y = apply<g::ReshapeOp>(ctx, {ctx.input(0)}, {ctx.i64s("shape", split)});
  y = apply<g::TransposeOp>(ctx, {y}, {ctx.i64s("perm", perm)});
  y = apply<g::ReshapeOp>(ctx, {y}, {ctx.i64s("shape", out)});
  return y ? ctx.setOutput(0, y) : failure();
}

/// Tile: per dim repeated r times, r copies concatenated along it.
LogicalResult tile(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  auto repeats = ctx.constantInts(1, "Tile repeats");
  if (failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != t.getRank())
    return ctx.fail("Tile repeats needs one value per dim");
  // The result's size first: a tiny tiled constant is folded at import.
  int64_t elements = t.getNumElements();
  for (auto [axis, r] : llvm::enumerate(*repeats)) {
    if (r == 0)
      return ctx.fail("Tile repeat 0 of dim " + std::to_string(axis) + " makes a zero-sized tensor, which edgec "
                      "cannot compile yet");
    std::optional<int64_t> grown = r > 0 ? llvm::checkedMul(elements, r) : std::nullopt;
    if (!grown || *grown > kMaxBuiltElements)
      return ctx.fail("Tile repeats make more than 2^28 elements (or a repeat is negative)");
    elements = *grown;
  }
  Value y = ctx.input(0);
  for (auto [axis, r] : llvm::enumerate(*repeats)) {
    if (r == 1)
      continue;
    SmallVector<Value> copies(r, y);
    y = apply<g::ConcatOp>(ctx, copies, {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))});
    if (!y)
      return failure();
  }
  return ctx.setOutput(0, y);
}

} // namespace

llvm::ArrayRef<OpEntry> dataMovementOps() {
  static const OpEntry rows[] = {
      {"Concat", 13, 17, concat},
      {"DepthToSpace", 13, 17, depthSpace, "modes DCR and CRD"},
      {"Dropout", 13, 17, dropout,
       "inference (training_mode absent or false) or a ratio of 0; the mask output all true"},
      {"Flatten", 13, 17, flatten},
      {"Gather", 13, 17, gather<g::GatherOp>},
      {"GatherElements", 13, 17, gather<g::GatherElementsOp>},
      {"GatherND", 12, 17, gatherND, "an index outside its dim is clamped"},
      {"Identity", 16, 17, identity},
      {"ReverseSequence", 10, 17, reverseSequence, "sequence_lens a compile-time constant"},
      {"ScatterElements", 16, 17, scatterElements,
       "reductions none, add, mul; updates applied in order (the last of duplicates wins); an index outside its dim is clamped"},
      {"ScatterND", 16, 17, scatterND,
       "reductions none, add, mul; updates applied in order (the last of duplicates wins); an index outside its dim is clamped"},
      {"OneHot", 11, 17, oneHot, "depth a compile-time constant"},
      {"Pad", 13, 17, pad,
       "pads and constant_value compile-time constants; modes constant, reflect, edge; no negative pads"},
      {"Reshape", 14, 17, reshape,
       "shape a compile-time constant"},
      {"Split", 13, 17, split, "split a compile-time constant"},
      {"SpaceToDepth", 13, 17, depthSpace},
      {"Tile", 13, 17, tile, "repeats a compile-time constant, positive; at most 2^28 result elements"},
      {"Slice", 13, 17, slice,
       "starts, ends, axes and steps compile-time constants"},
      {"Squeeze", 13, 17, squeeze,
       "axes a compile-time constant"},
      {"Transpose", 13, 17, transpose},
      {"Unsqueeze", 13, 17, unsqueeze,
       "axes a compile-time constant"},
  };
  return rows;
}

} // namespace edgec::onnx_import
