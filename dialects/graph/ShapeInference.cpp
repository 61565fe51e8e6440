//===- ShapeInference.cpp - result types of graph ops ---------------------===//
//
// Static shape rules of the ONNX operators, as written in the ONNX operator
// specification. Every check that can fail names the offending value, so the
// importer can report it against the ONNX node.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/ShapeInference.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/ADT/SmallSet.h"
#include <limits>

using namespace mlir;

namespace edgec::graph {
namespace {

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "x" : "") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

/// The ranked tensor type of an operand, or an error naming it.
FailureOr<RankedTensorType> ranked(Loc loc, Type t, StringRef what) {
  auto rt = llvm::dyn_cast_or_null<RankedTensorType>(t);
  if (!rt) {
    (void)emitOptionalError(loc, what, " must be a ranked tensor");
    return failure();
  }
  if (!rt.hasStaticShape()) {
    (void)emitOptionalError(loc, what, " must have a static shape, got ", t);
    return failure();
  }
  return rt;
}

LogicalResult push(Types &types, ArrayRef<int64_t> shape, Type element) {
  types.push_back(RankedTensorType::get(shape, element));
  return success();
}

/// Output length of one spatial dim of a conv or pooling window.
FailureOr<int64_t> windowOutput(Loc loc, int64_t in, int64_t k, int64_t stride,
                                int64_t padBegin, int64_t padEnd, int64_t dilation,
                                bool ceilMode, unsigned dim) {
  if (k <= 0 || stride <= 0 || dilation <= 0 || padBegin < 0 || padEnd < 0) {
    (void)emitOptionalError(loc, "spatial dim ", dim,
                            ": kernel, stride and dilation must be positive and pads "
                            "non-negative");
    return failure();
  }
  // Checked: the attributes come from the model (a fuzzer's stride of
  // 2^63-1 overflowed here).
  std::optional<int64_t> window = llvm::checkedMulAdd(dilation, k - 1, int64_t(1));
  std::optional<int64_t> padded = llvm::checkedAdd(in, padBegin);
  padded = padded ? llvm::checkedAdd(*padded, padEnd) : std::nullopt;
  if (!window || !padded) {
    (void)emitOptionalError(loc, "spatial dim ", dim, ": the window (dilation ", dilation, ", kernel ", k,
                            ") or the pads (", padBegin, "+", padEnd, ") are too large");
    return failure();
  }
  int64_t span = *padded - *window; // both non-negative: no overflow
  if (span < 0) {
    (void)emitOptionalError(loc, "spatial dim ", dim, ": window of ", *window,
                            " does not fit input of ", in, " plus pads ", padBegin, "+",
                            padEnd);
    return failure();
  }
  return span / stride + (ceilMode && span % stride != 0) + 1;
}

LogicalResult checkGeometry(Loc loc, size_t spatial, const ConvGeometry &g) {
  if (g.strides.size() != spatial || g.dilations.size() != spatial ||
      g.pads.size() != 2 * spatial)
    return emitOptionalError(loc, "expected ", spatial, " strides, ", spatial,
                             " dilations and ", 2 * spatial, " pads for ", spatial,
                             " spatial dims, got ", g.strides.size(), ", ",
                             g.dilations.size(), " and ", g.pads.size());
  return success();
}

} // namespace

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && n > std::numeric_limits<int64_t>::max() / d))
      return -1;
    n *= d;
  }
  return n;
}

LogicalResult inferBroadcastShape(Loc loc, Type lhs, Type rhs,
                                  SmallVectorImpl<int64_t> &shape) {
  auto l = ranked(loc, lhs, "lhs");
  auto r = ranked(loc, rhs, "rhs");
  if (failed(l) || failed(r))
    return failure();
  ArrayRef<int64_t> a = l->getShape(), b = r->getShape();
  size_t rank = std::max(a.size(), b.size());
  shape.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return emitOptionalError(loc, "shapes ", shapeStr(a), " and ", shapeStr(b),
                               " do not broadcast (dim ", i, ": ", da, " vs ", db, ")");
    shape[i] = da == 1 ? db : da;
  }
  return success();
}

LogicalResult inferBroadcastImpl(Loc loc, Type lhs, Type rhs, bool compare, Types &types) {
  SmallVector<int64_t> shape;
  if (failed(inferBroadcastShape(loc, lhs, rhs, shape)))
    return failure();
  Type le = llvm::cast<RankedTensorType>(lhs).getElementType();
  Type re = llvm::cast<RankedTensorType>(rhs).getElementType();
  if (le != re)
    return emitOptionalError(loc, "element types differ: ", le, " vs ", re);
  return push(types, shape, compare ? IntegerType::get(le.getContext(), 1) : le);
}

LogicalResult inferCastImpl(Loc loc, Type input, Type to, Types &types) {
  auto in = ranked(loc, input, "input");
  if (failed(in))
    return failure();
  if (!to || !(llvm::isa<FloatType>(to) || llvm::isa<IntegerType>(to)))
    return emitOptionalError(loc, "cast target must be a float or integer type");
  return push(types, in->getShape(), to);
}

LogicalResult inferMatMulImpl(Loc loc, Type lhs, Type rhs, Types &types) {
  auto l = ranked(loc, lhs, "lhs");
  auto r = ranked(loc, rhs, "rhs");
  if (failed(l) || failed(r))
    return failure();
  if (l->getElementType() != r->getElementType())
    return emitOptionalError(loc, "element types differ: ", l->getElementType(), " vs ",
                             r->getElementType());
  SmallVector<int64_t> a(l->getShape()), b(r->getShape());
  if (a.empty() || b.empty())
    return emitOptionalError(loc, "matmul operands must have rank >= 1");
  bool vecA = a.size() == 1, vecB = b.size() == 1;
  if (vecA)
    a.insert(a.begin(), 1);
  if (vecB)
    b.push_back(1);
  int64_t m = a[a.size() - 2], k = a.back(), k2 = b[b.size() - 2], n = b.back();
  if (k != k2)
    return emitOptionalError(loc, "contraction dims differ: ", shapeStr(l->getShape()),
                             " x ", shapeStr(r->getShape()));
  SmallVector<int64_t> batch;
  auto batchType = [&](ArrayRef<int64_t> s) {
    return RankedTensorType::get(s.drop_back(2), l->getElementType());
  };
  if (failed(inferBroadcastShape(loc, batchType(a), batchType(b), batch)))
    return failure();
  if (!vecA)
    batch.push_back(m);
  if (!vecB)
    batch.push_back(n);
  return push(types, batch, l->getElementType());
}

LogicalResult inferGemmImpl(Loc loc, Type aT, Type bT, Type cT, bool transA, bool transB,
                            Types &types) {
  auto a = ranked(loc, aT, "A");
  auto b = ranked(loc, bT, "B");
  if (failed(a) || failed(b))
    return failure();
  if (a->getRank() != 2 || b->getRank() != 2)
    return emitOptionalError(loc, "gemm operands must be 2-d, got ", aT, " and ", bT);
  int64_t m = a->getDimSize(transA ? 1 : 0), k = a->getDimSize(transA ? 0 : 1);
  int64_t k2 = b->getDimSize(transB ? 1 : 0), n = b->getDimSize(transB ? 0 : 1);
  if (k != k2)
    return emitOptionalError(loc, "gemm contraction dims differ: ", k, " vs ", k2);
  if (cT) {
    SmallVector<int64_t> shape;
    auto out = RankedTensorType::get({m, n}, a->getElementType());
    if (failed(inferBroadcastShape(loc, out, cT, shape)) ||
        shape != ArrayRef<int64_t>{m, n})
      return emitOptionalError(loc, "gemm C of type ", cT,
                               " does not broadcast to ", m, "x", n);
  }
  return push(types, {m, n}, a->getElementType());
}

LogicalResult inferConvImpl(Loc loc, Type inputT, Type weightT, Type biasT,
                            const ConvGeometry &g, int64_t group, Types &types) {
  auto x = ranked(loc, inputT, "input");
  auto w = ranked(loc, weightT, "weight");
  if (failed(x) || failed(w))
    return failure();
  if (x->getRank() < 3 || w->getRank() != x->getRank())
    return emitOptionalError(loc, "conv needs input and weight of equal rank >= 3, got ",
                             inputT, " and ", weightT);
  size_t spatial = x->getRank() - 2;
  if (failed(checkGeometry(loc, spatial, g)))
    return failure();
  int64_t outC = w->getDimSize(0);
  std::optional<int64_t> inC = group > 0 ? llvm::checkedMul(w->getDimSize(1), group) : std::nullopt;
  if (!inC || outC % group != 0 || x->getDimSize(1) != *inC)
    return emitOptionalError(loc, "conv channels do not match: input has ",
                             x->getDimSize(1), ", weight expects ", w->getDimSize(1),
                             " x group ", group, " (", outC, " filters)");
  if (biasT) {
    auto b = ranked(loc, biasT, "bias");
    if (failed(b))
      return failure();
    if (b->getRank() != 1 || b->getDimSize(0) != outC)
      return emitOptionalError(loc, "conv bias must be 1-d of ", outC, ", got ", biasT);
  }
  SmallVector<int64_t> shape{x->getDimSize(0), outC};
  for (size_t i = 0; i < spatial; ++i) {
    auto o = windowOutput(loc, x->getDimSize(i + 2), w->getDimSize(i + 2), g.strides[i],
                          g.pads[i], g.pads[i + spatial], g.dilations[i], false, i);
    if (failed(o))
      return failure();
    shape.push_back(*o);
  }
  return push(types, shape, x->getElementType());
}

LogicalResult inferBatchNormImpl(Loc loc, Type inputT, ArrayRef<Type> params, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  if (x->getRank() < 2)
    return emitOptionalError(loc, "batch_norm input must have rank >= 2");
  for (Type p : params) {
    auto pt = ranked(loc, p, "batch_norm parameter");
    if (failed(pt))
      return failure();
    if (pt->getRank() != 1 || pt->getDimSize(0) != x->getDimSize(1))
      return emitOptionalError(loc, "batch_norm parameters must be 1-d of ",
                               x->getDimSize(1), " channels, got ", p);
  }
  types.push_back(inputT);
  return success();
}

LogicalResult inferLSTMImpl(Loc loc, Type xT, Type wT, Type rT, Type bT, Type hT, Type cT,
                            int64_t hidden, StringRef direction, Types &types) {
  auto x = ranked(loc, xT, "X");
  auto w = ranked(loc, wT, "W");
  auto r = ranked(loc, rT, "R");
  if (failed(x) || failed(w) || failed(r))
    return failure();
  int64_t dirs;
  if (direction == "forward" || direction == "reverse")
    dirs = 1;
  else if (direction == "bidirectional")
    dirs = 2;
  else
    return emitOptionalError(loc, "unknown LSTM direction '", direction, "'");
  if (x->getRank() != 3)
    return emitOptionalError(loc, "LSTM X must be [seq, batch, input], got ", xT);
  // The weights' shapes below are 8 x hidden_size (fuzz_onnx_structured
  // found the overflow of an absurd one).
  constexpr int64_t kMaxHidden = std::numeric_limits<int64_t>::max() / 8;
  if (hidden <= 0 || hidden > kMaxHidden)
    return emitOptionalError(loc, "LSTM hidden_size must be between 1 and ", kMaxHidden, ", got ", hidden);
  int64_t seq = x->getDimSize(0), batch = x->getDimSize(1), in = x->getDimSize(2);
  auto expect = [&](Type t, StringRef what, ArrayRef<int64_t> shape) -> LogicalResult {
    if (!t)
      return success();
    auto rt = ranked(loc, t, what);
    if (failed(rt))
      return failure();
    if (rt->getShape() != shape)
      return emitOptionalError(loc, "LSTM ", what, " must be ", shapeStr(shape), ", got ",
                               shapeStr(rt->getShape()));
    return success();
  };
  if (failed(expect(wT, "W", {dirs, 4 * hidden, in})) ||
      failed(expect(rT, "R", {dirs, 4 * hidden, hidden})) ||
      failed(expect(bT, "B", {dirs, 8 * hidden})) ||
      failed(expect(hT, "initial_h", {dirs, batch, hidden})) ||
      failed(expect(cT, "initial_c", {dirs, batch, hidden})))
    return failure();
  Type e = x->getElementType();
  if (failed(push(types, {seq, dirs, batch, hidden}, e)) || failed(push(types, {dirs, batch, hidden}, e)))
    return failure();
  return push(types, {dirs, batch, hidden}, e);
}

LogicalResult inferPoolImpl(Loc loc, Type inputT, const ConvGeometry &g, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  if (x->getRank() < 3)
    return emitOptionalError(loc, "pooling input must have rank >= 3, got ", inputT);
  size_t spatial = x->getRank() - 2;
  if (g.kernel.size() != spatial)
    return emitOptionalError(loc, "expected ", spatial, " kernel dims, got ",
                             g.kernel.size());
  if (failed(checkGeometry(loc, spatial, g)))
    return failure();
  SmallVector<int64_t> shape(x->getShape().take_front(2));
  for (size_t i = 0; i < spatial; ++i) {
    auto o = windowOutput(loc, x->getDimSize(i + 2), g.kernel[i], g.strides[i], g.pads[i],
                          g.pads[i + spatial], g.dilations[i], g.ceilMode, i);
    if (failed(o))
      return failure();
    shape.push_back(*o);
  }
  return push(types, shape, x->getElementType());
}

LogicalResult inferGlobalPoolImpl(Loc loc, Type inputT, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  if (x->getRank() < 3)
    return emitOptionalError(loc, "pooling input must have rank >= 3, got ", inputT);
  SmallVector<int64_t> shape(x->getShape().take_front(2));
  shape.resize(x->getRank(), 1);
  return push(types, shape, x->getElementType());
}

/// Axes must be sorted, unique and in [0, rank).
static LogicalResult checkAxes(Loc loc, ArrayRef<int64_t> axes, int64_t rank) {
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (a < 0 || a >= rank)
      return emitOptionalError(loc, "axis ", a, " is out of range for rank ", rank);
    if (i && axes[i - 1] >= a)
      return emitOptionalError(loc, "axes must be sorted and unique");
  }
  return success();
}

LogicalResult inferReduceImpl(Loc loc, Type inputT, ArrayRef<int64_t> axes, bool keepdims,
                              Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x) || failed(checkAxes(loc, axes, x->getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(x->getShape())) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(i));
    if (!reduced)
      shape.push_back(d);
    else if (keepdims)
      shape.push_back(1);
  }
  return push(types, shape, x->getElementType());
}

LogicalResult inferReshapeImpl(Loc loc, Type inputT, ArrayRef<int64_t> shape, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  int64_t n = numElements(shape);
  if (n < 0 || n != x->getNumElements())
    return emitOptionalError(loc, "cannot reshape ", shapeStr(x->getShape()), " (",
                             x->getNumElements(), " elements) to ", shapeStr(shape));
  return push(types, shape, x->getElementType());
}

LogicalResult inferFlattenImpl(Loc loc, Type inputT, int64_t axis, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  if (axis < 0 || axis > x->getRank())
    return emitOptionalError(loc, "flatten axis ", axis, " out of range for rank ",
                             x->getRank());
  ArrayRef<int64_t> s = x->getShape();
  return push(types, {numElements(s.take_front(axis)), numElements(s.drop_front(axis))},
              x->getElementType());
}

LogicalResult inferSqueezeImpl(Loc loc, Type inputT, ArrayRef<int64_t> axes, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x) || failed(checkAxes(loc, axes, x->getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(x->getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i))) {
      shape.push_back(d);
    } else if (d != 1) {
      return emitOptionalError(loc, "cannot squeeze dim ", i, " of size ", d);
    }
  }
  return push(types, shape, x->getElementType());
}

LogicalResult inferUnsqueezeImpl(Loc loc, Type inputT, ArrayRef<int64_t> axes,
                                 Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  int64_t rank = x->getRank() + static_cast<int64_t>(axes.size());
  if (failed(checkAxes(loc, axes, rank)))
    return failure();
  SmallVector<int64_t> shape;
  auto in = x->getShape().begin();
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(llvm::is_contained(axes, i) ? 1 : *in++);
  return push(types, shape, x->getElementType());
}

LogicalResult inferTransposeImpl(Loc loc, Type inputT, ArrayRef<int64_t> perm, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  bool isPerm = static_cast<int64_t>(perm.size()) == x->getRank();
  for (auto [i, p] : llvm::enumerate(sorted))
    isPerm &= p == static_cast<int64_t>(i);
  if (!isPerm)
    return emitOptionalError(loc, "perm is not a permutation of ", x->getRank(), " dims");
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(x->getDimSize(p));
  return push(types, shape, x->getElementType());
}

LogicalResult inferConcatImpl(Loc loc, TypeRange inputs, int64_t axis, Types &types) {
  if (inputs.empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = ranked(loc, inputs.front(), "input 0");
  if (failed(first))
    return failure();
  if (axis < 0 || axis >= first->getRank())
    return emitOptionalError(loc, "concat axis ", axis, " out of range for rank ",
                             first->getRank());
  SmallVector<int64_t> shape(first->getShape());
  for (auto [i, t] : llvm::enumerate(inputs.drop_front())) {
    auto rt = ranked(loc, t, "concat input");
    if (failed(rt))
      return failure();
    bool same = rt->getRank() == first->getRank() &&
                rt->getElementType() == first->getElementType();
    for (int64_t d = 0; same && d < rt->getRank(); ++d)
      same = d == axis || rt->getDimSize(d) == shape[d];
    if (!same)
      return emitOptionalError(loc, "concat input ", i + 1, " of type ", t,
                               " does not match input 0 of type ", inputs.front(),
                               " outside axis ", axis);
    std::optional<int64_t> sum = llvm::checkedAdd(shape[axis], rt->getDimSize(axis));
    if (!sum)
      return emitOptionalError(loc, "concat along axis ", axis, " makes a dim larger than 2^63");
    shape[axis] = *sum;
  }
  return push(types, shape, first->getElementType());
}

LogicalResult inferUpdateSliceImpl(Loc loc, Type destT, Type sourceT, ArrayRef<int64_t> offsets,
                                   Types &types) {
  auto dest = ranked(loc, destT, "dest");
  auto source = ranked(loc, sourceT, "source");
  if (failed(dest) || failed(source))
    return failure();
  if (dest->getElementType() != source->getElementType() || dest->getRank() != source->getRank() ||
      static_cast<int64_t>(offsets.size()) != dest->getRank())
    return emitOptionalError(loc, "update_slice needs a source of the dest's rank and element type and an "
                                  "offset per dim");
  for (int64_t d = 0; d < dest->getRank(); ++d)
    if (offsets[d] < 0 || offsets[d] > dest->getDimSize(d) - source->getDimSize(d))
      return emitOptionalError(loc, "update_slice: the source does not fit in the dest at offset ", offsets[d],
                               " of dim ", d);
  return push(types, dest->getShape(), dest->getElementType());
}

LogicalResult inferSliceImpl(Loc loc, Type inputT, ArrayRef<int64_t> starts,
                             ArrayRef<int64_t> ends, ArrayRef<int64_t> steps, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  size_t rank = x->getRank();
  if (starts.size() != rank || ends.size() != rank || steps.size() != rank)
    return emitOptionalError(loc, "slice needs starts, ends and steps for all ", rank,
                             " dims");
  SmallVector<int64_t> shape;
  for (size_t i = 0; i < rank; ++i) {
    int64_t d = x->getDimSize(i), s = starts[i], e = ends[i], st = steps[i];
    bool ok = st > 0 ? (s >= 0 && s <= d && e >= 0 && e <= d)
                     : (st < 0 && s >= -1 && s < d && e >= -1 && e < d);
    if (!ok)
      return emitOptionalError(loc, "slice of dim ", i, " (size ", d, ") has start ", s,
                               ", end ", e, ", step ", st, " out of the clamped range");
    // Unsigned step magnitude, so that no step (even INT64_MIN) overflows.
    uint64_t mag = st > 0 ? static_cast<uint64_t>(st) : uint64_t(0) - static_cast<uint64_t>(st);
    int64_t span = st > 0 ? e - s : s - e;
    int64_t n = span > 0 ? static_cast<int64_t>(static_cast<uint64_t>(span - 1) / mag) + 1 : 0;
    shape.push_back(n);
  }
  return push(types, shape, x->getElementType());
}

/// An index into a dim of size 0 has nothing to read: refused unless the
/// result is empty too.
static LogicalResult checkIndexedDim(Loc loc, StringRef op, int64_t size, ArrayRef<int64_t> result) {
  if (size == 0 && llvm::none_of(result, [](int64_t d) { return d == 0; }))
    return emitOptionalError(loc, op, " indexes a dim of size 0");
  return success();
}

LogicalResult inferGatherImpl(Loc loc, Type inputT, Type indicesT, int64_t axis,
                              Types &types) {
  auto x = ranked(loc, inputT, "input");
  auto idx = ranked(loc, indicesT, "indices");
  if (failed(x) || failed(idx))
    return failure();
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "gather axis ", axis, " out of range for rank ",
                             x->getRank());
  SmallVector<int64_t> shape(x->getShape().take_front(axis));
  llvm::append_range(shape, idx->getShape());
  llvm::append_range(shape, x->getShape().drop_front(axis + 1));
  if (failed(checkIndexedDim(loc, "gather", x->getDimSize(axis), shape)))
    return failure();
  return push(types, shape, x->getElementType());
}

LogicalResult inferGatherElementsImpl(Loc loc, Type inputT, Type indicesT, int64_t axis,
                                      Types &types) {
  auto x = ranked(loc, inputT, "input");
  auto idx = ranked(loc, indicesT, "indices");
  if (failed(x) || failed(idx))
    return failure();
  if (x->getRank() != idx->getRank())
    return emitOptionalError(loc, "gather_elements indices have rank ", idx->getRank(),
                             ", the input ", x->getRank(), " (they must be equal)");
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "gather_elements axis ", axis, " out of range for rank ",
                             x->getRank());
  // Off the axis an output element reads the input at its own position.
  for (int64_t d = 0; d < x->getRank(); ++d)
    if (d != axis && idx->getDimSize(d) > x->getDimSize(d))
      return emitOptionalError(loc, "gather_elements indices dim ", d, " (", idx->getDimSize(d),
                               ") exceeds the input's (", x->getDimSize(d), ")");
  if (failed(checkIndexedDim(loc, "gather_elements", x->getDimSize(axis), idx->getShape())))
    return failure();
  return push(types, idx->getShape(), x->getElementType());
}

LogicalResult inferGridSampleImpl(Loc loc, Type inputT, Type gridT, StringRef mode, StringRef paddingMode,
                                  Types &types) {
  auto x = ranked(loc, inputT, "input");
  auto grid = ranked(loc, gridT, "grid");
  if (failed(x) || failed(grid))
    return failure();
  if (x->getRank() != 4 || grid->getRank() != 4 || grid->getDimSize(3) != 2 ||
      grid->getDimSize(0) != x->getDimSize(0))
    return emitOptionalError(loc, "grid_sample needs input [N, C, H, W] and grid [N, Ho, Wo, 2]");
  if (!llvm::isa<FloatType>(x->getElementType()) || grid->getElementType() != x->getElementType())
    return emitOptionalError(loc, "grid_sample needs a float input and a grid of its type");
  if (x->getNumElements() == 0 && grid->getDimSize(1) * grid->getDimSize(2) * x->getDimSize(1) != 0)
    return emitOptionalError(loc, "grid_sample of an empty input: there is nothing to sample");
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return emitOptionalError(loc, "grid_sample mode '", mode, "' is not bilinear, nearest or bicubic");
  if (paddingMode != "zeros" && paddingMode != "border" && paddingMode != "reflection")
    return emitOptionalError(loc, "grid_sample padding_mode '", paddingMode, "' is not zeros, border or reflection");
  return push(types, {x->getDimSize(0), x->getDimSize(1), grid->getDimSize(1), grid->getDimSize(2)},
              x->getElementType());
}

LogicalResult inferCompactIndicesImpl(Loc loc, Type maskT, Types &types) {
  auto mask = ranked(loc, maskT, "mask");
  if (failed(mask))
    return failure();
  if (mask->getRank() != 1)
    return emitOptionalError(loc, "compact_indices takes a 1-D mask");
  Type i64 = IntegerType::get(mask->getContext(), 64);
  if (failed(push(types, {mask->getDimSize(0)}, i64)))
    return failure();
  return push(types, {}, i64);
}

LogicalResult inferNonMaxSuppressionImpl(Loc loc, Type boxesT, Type scoresT, Type maxOutT, Type iouT,
                                         Type scoreThresholdT, int64_t rowsPerClass, Types &types) {
  auto boxes = ranked(loc, boxesT, "boxes");
  auto scores = ranked(loc, scoresT, "scores");
  if (failed(boxes) || failed(scores))
    return failure();
  if (boxes->getRank() != 3 || boxes->getDimSize(2) != 4 || scores->getRank() != 3 ||
      scores->getDimSize(0) != boxes->getDimSize(0) || scores->getDimSize(2) != boxes->getDimSize(1))
    return emitOptionalError(loc, "non_max_suppression needs boxes [B, N, 4] and scores [B, C, N]");
  if (!boxes->getElementType().isF32() || !scores->getElementType().isF32())
    return emitOptionalError(loc, "non_max_suppression needs f32 boxes and scores");
  for (Type t : {maxOutT, iouT, scoreThresholdT}) {
    auto s = llvm::dyn_cast<RankedTensorType>(t);
    if (!s || s.getNumElements() != 1)
      return emitOptionalError(loc, "non_max_suppression's limit and thresholds are scalars");
  }
  if (!llvm::cast<RankedTensorType>(iouT).getElementType().isF32() ||
      !llvm::cast<RankedTensorType>(scoreThresholdT).getElementType().isF32())
    return emitOptionalError(loc, "non_max_suppression's thresholds are f32");
  if (rowsPerClass < 0 || rowsPerClass > boxes->getDimSize(1))
    return emitOptionalError(loc, "non_max_suppression rows_per_class ", rowsPerClass, " is not in 0..",
                             boxes->getDimSize(1));
  std::optional<int64_t> rows = llvm::checkedMul(boxes->getDimSize(0), scores->getDimSize(1));
  if (rows)
    rows = llvm::checkedMul(*rows, rowsPerClass);
  if (!rows)
    return emitOptionalError(loc, "non_max_suppression's output size overflows");
  Type i64 = IntegerType::get(boxes->getContext(), 64);
  if (failed(push(types, {*rows, 3}, i64)))
    return failure();
  return push(types, {}, i64);
}

LogicalResult inferGatherNDImpl(Loc loc, Type inputT, Type indicesT, int64_t batchDims, Types &types) {
  auto x = ranked(loc, inputT, "input");
  auto idx = ranked(loc, indicesT, "indices");
  if (failed(x) || failed(idx))
    return failure();
  int64_t r = x->getRank(), q = idx->getRank();
  if (q < 1)
    return emitOptionalError(loc, "gather_nd indices need rank >= 1");
  int64_t k = idx->getDimSize(q - 1);
  if (batchDims < 0 || batchDims >= std::min(r, q) || k < 1 || batchDims + k > r)
    return emitOptionalError(loc, "gather_nd with batch_dims ", batchDims, " and index tuples of ", k,
                             " does not fit an input of rank ", r, " and indices of rank ", q);
  for (int64_t d = 0; d < batchDims; ++d)
    if (x->getDimSize(d) != idx->getDimSize(d))
      return emitOptionalError(loc, "gather_nd batch dim ", d, " differs: ", x->getDimSize(d), " vs ",
                               idx->getDimSize(d));
  SmallVector<int64_t> shape(idx->getShape().drop_back());
  llvm::append_range(shape, x->getShape().drop_front(batchDims + k));
  for (int64_t j = 0; j < k; ++j)
    if (failed(checkIndexedDim(loc, "gather_nd", x->getDimSize(batchDims + j), shape)))
      return failure();
  return push(types, shape, x->getElementType());
}

static LogicalResult checkReduction(Loc loc, StringRef reduction) {
  if (reduction != "none" && reduction != "add" && reduction != "mul" && reduction != "max" &&
      reduction != "min")
    return emitOptionalError(loc, "unknown scatter reduction '", reduction, "'");
  return success();
}

LogicalResult inferScatterElementsImpl(Loc loc, Type inputT, Type indicesT, Type updatesT, int64_t axis,
                                       StringRef reduction, Types &types) {
  auto x = ranked(loc, inputT, "input");
  auto idx = ranked(loc, indicesT, "indices");
  auto u = ranked(loc, updatesT, "updates");
  if (failed(x) || failed(idx) || failed(u) || failed(checkReduction(loc, reduction)))
    return failure();
  if (idx->getShape() != u->getShape() || idx->getRank() != x->getRank())
    return emitOptionalError(loc, "scatter_elements indices and updates must have one shape of the input's rank");
  if (u->getElementType() != x->getElementType())
    return emitOptionalError(loc, "scatter_elements updates must have the input's element type");
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "scatter_elements axis ", axis, " out of range for rank ", x->getRank());
  for (int64_t d = 0; d < x->getRank(); ++d)
    if (d != axis && idx->getDimSize(d) > x->getDimSize(d))
      return emitOptionalError(loc, "scatter_elements indices dim ", d, " (", idx->getDimSize(d),
                               ") exceeds the input's (", x->getDimSize(d), ")");
  types.push_back(*x);
  return success();
}

LogicalResult inferScatterNDImpl(Loc loc, Type inputT, Type indicesT, Type updatesT, StringRef reduction,
                                 Types &types) {
  auto x = ranked(loc, inputT, "input");
  auto idx = ranked(loc, indicesT, "indices");
  auto u = ranked(loc, updatesT, "updates");
  if (failed(x) || failed(idx) || failed(u) || failed(checkReduction(loc, reduction)))
    return failure();
  int64_t q = idx->getRank(), k = q ? idx->getDimSize(q - 1) : 0;
  if (q < 1 || k < 1 || k > x->getRank())
    return emitOptionalError(loc, "scatter_nd index tuples of ", k, " do not fit an input of rank ", x->getRank());
  SmallVector<int64_t> expected(idx->getShape().drop_back());
  llvm::append_range(expected, x->getShape().drop_front(k));
  if (u->getShape() != ArrayRef<int64_t>(expected) || u->getElementType() != x->getElementType())
    return emitOptionalError(loc, "scatter_nd updates must be indices.shape[:-1] + input.shape[k:] of the input's type");
  types.push_back(*x);
  return success();
}

LogicalResult inferTopKImpl(Loc loc, Type inputT, int64_t k, int64_t axis, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "top_k axis ", axis, " out of range for rank ", x->getRank());
  if (k < 1 || k > x->getDimSize(axis))
    return emitOptionalError(loc, "top_k k = ", k, " outside [1, ", x->getDimSize(axis), "]");
  SmallVector<int64_t> shape(x->getShape());
  shape[axis] = k;
  if (failed(push(types, shape, x->getElementType())))
    return failure();
  return push(types, shape, IntegerType::get(x->getContext(), 64));
}

LogicalResult inferPadImpl(Loc loc, Type inputT, ArrayRef<int64_t> pads, StringRef mode,
                           Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  int64_t rank = x->getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOptionalError(loc, "pad needs ", 2 * rank, " pads, got ", pads.size());
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOptionalError(loc, "unknown pad mode '", mode, "'");
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    // Checked: pads come from the model (a fuzzer's 2^63-1 overflowed).
    std::optional<int64_t> d = llvm::checkedAdd(x->getDimSize(i), pads[i]);
    d = d ? llvm::checkedAdd(*d, pads[i + rank]) : std::nullopt;
    if (!d)
      return emitOptionalError(loc, "pads of dim ", i, " (", pads[i], "+", pads[i + rank], ") are too large");
    if (*d < 0)
      return emitOptionalError(loc, "pads make dim ", i, " negative");
    if (mode == "reflect" && (pads[i] >= x->getDimSize(i) || pads[i + rank] >= x->getDimSize(i)))
      return emitOptionalError(loc, "reflect pad of dim ", i, " must be smaller than ",
                               x->getDimSize(i));
    shape.push_back(*d);
  }
  return push(types, shape, x->getElementType());
}

LogicalResult inferResizeImpl(Loc loc, Type inputT, ArrayRef<int64_t> sizes,
                              ArrayRef<float> scales, StringRef mode, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  if (static_cast<int64_t>(sizes.size()) != x->getRank() || scales.size() != sizes.size())
    return emitOptionalError(loc, "resize needs sizes and scales for all dims");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOptionalError(loc, "unknown resize mode '", mode, "'");
  if (llvm::any_of(sizes, [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(scales, [](float s) { return !(s > 0); }))
    return emitOptionalError(loc, "resize sizes and scales must be positive");
  if (x->getNumElements() == 0)
    return emitOptionalError(loc, "resize of an empty input to a non-empty output: there is nothing to sample");
  return push(types, sizes, x->getElementType());
}

LogicalResult inferWhereImpl(Loc loc, Type condT, Type lhsT, Type rhsT, Types &types) {
  SmallVector<int64_t> values, shape;
  if (failed(inferBroadcastShape(loc, lhsT, rhsT, values)))
    return failure();
  auto cond = ranked(loc, condT, "condition");
  if (failed(cond))
    return failure();
  auto valuesType = RankedTensorType::get(values, cond->getElementType());
  if (failed(inferBroadcastShape(loc, condT, valuesType, shape)))
    return failure();
  Type le = llvm::cast<RankedTensorType>(lhsT).getElementType();
  if (le != llvm::cast<RankedTensorType>(rhsT).getElementType())
    return emitOptionalError(loc, "where: element types differ: ", lhsT, " vs ", rhsT);
  return push(types, shape, le);
}

LogicalResult inferDequantizeImpl(Loc loc, Type inputT, Types &types) {
  auto x = ranked(loc, inputT, "input");
  if (failed(x))
    return failure();
  auto q = llvm::dyn_cast<quant::QuantizedType>(x->getElementType());
  if (!q)
    return emitOptionalError(loc, "dequantize input must hold !quant types, got ", inputT);
  return push(types, x->getShape(), q.getExpressedType());
}

} // namespace edgec::graph
