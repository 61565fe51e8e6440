//===- Linear.cpp - Conv, Gemm, MatMul, BatchNormalization ------------------===//
//
// The contractions and the batch norm that folds into them.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include <tuple>

#include "dialects/graph/ConstantUtils.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cctype>
#include <functional>
#include <map>

namespace edgec::onnx_import {
namespace {

LogicalResult gemm(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  if (!a || !b)
    return failure();
  SmallVector<Value> operands{a, b};
  if (ctx.hasInput(2)) {
    Value c = ctx.input(2);
    if (!c)
      return failure();
    operands.push_back(c);
  }
  return bind(ctx, ctx.create<g::GemmOp>(
                       operands,
                       {ctx.named("alpha", ctx.b.getF32FloatAttr(ctx.getFloat("alpha", 1.0f))),
                        ctx.named("beta", ctx.b.getF32FloatAttr(ctx.getFloat("beta", 1.0f))),
                        ctx.named("trans_a", ctx.b.getBoolAttr(ctx.getInt("transA", 0))),
                        ctx.named("trans_b", ctx.b.getBoolAttr(ctx.getInt("transB", 0)))}));
}

/// A Conv of x and w (and bias) with the node's window attributes.
LogicalResult convOf(NodeContext &ctx, Value x, Value wv, Value bias) {
  if (!x || !wv)
    return failure();
  auto xType = llvm::cast<RankedTensorType>(x.getType());
  auto wType = llvm::cast<RankedTensorType>(wv.getType());
  if (wType.getRank() < 3 || xType.getRank() != wType.getRank())
    return ctx.fail("Conv input and weight must have equal rank >= 3");
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  SmallVector<int64_t> given = ctx.getInts("kernel_shape");
  if (!given.empty() && ArrayRef<int64_t>(given) != kernel)
    return ctx.fail("kernel_shape does not match the weight's spatial dims");
  auto w = readWindow(ctx, xType, kernel);
  if (failed(w))
    return failure();
  SmallVector<Value> operands{x, wv};
  if (bias)
    operands.push_back(bias);
  return bind(ctx, ctx.create<g::ConvOp>(
                       operands, {ctx.i64s("strides", w->strides), ctx.i64s("pads", w->pads),
                                  ctx.i64s("dilations", w->dilations),
                                  ctx.named("group", ctx.b.getI64IntegerAttr(ctx.getInt("group", 1)))}));
}

/// ConvTranspose as a Conv: the input with stride - 1 zeros inserted after
/// each element (unsqueeze, pad, reshape), the weight's in/out channels
/// swapped per group and its window flipped, then a stride-1 Conv with
/// pads (k - 1) * dilation - pad (a crop where that is negative). A
/// constant weight folds. The Conv does stride^d times the MACs of a direct
/// transposed convolution, most of them on the inserted zeros.
LogicalResult convTranspose(NodeContext &ctx) {
  Value x = ctx.input(0), wv = ctx.input(1);
  if (!x || !wv)
    return failure();
  auto xType = llvm::cast<RankedTensorType>(x.getType());
  auto wType = llvm::cast<RankedTensorType>(wv.getType());
  int64_t rank = xType.getRank(), n = rank - 2;
  if (wType.getRank() < 3 || rank != wType.getRank())
    return ctx.fail("ConvTranspose input and weight must have equal rank >= 3");
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  SmallVector<int64_t> given = ctx.getInts("kernel_shape");
  if (!given.empty() && ArrayRef<int64_t>(given) != kernel)
    return ctx.fail("kernel_shape does not match the weight's spatial dims");
  int64_t group = ctx.getInt("group", 1), inChannels = xType.getDimSize(1);
  if (group < 1 || inChannels % group != 0 || wType.getDimSize(0) != inChannels)
    return ctx.fail("ConvTranspose weight must be [C, M / group, k...] with C (" + std::to_string(inChannels) +
                    ") a multiple of group (" + std::to_string(group) + ")");
  int64_t outPerGroup = wType.getDimSize(1), outChannels = outPerGroup * group;
  auto ints = [&](StringRef name, int64_t count, int64_t def) {
    SmallVector<int64_t> v = ctx.getInts(name);
    if (v.empty())
      v.assign(count, def);
    return v;
  };
  SmallVector<int64_t> strides = ints("strides", n, 1), dilations = ints("dilations", n, 1),
                       outputPadding = ints("output_padding", n, 0), pads = ints("pads", 2 * n, 0),
                       outputShape = ctx.getInts("output_shape");
  if (strides.size() != size_t(n) || dilations.size() != size_t(n) || outputPadding.size() != size_t(n) ||
      pads.size() != size_t(2 * n))
    return ctx.fail("strides, dilations, output_padding need " + std::to_string(n) + " values, pads " +
                    std::to_string(2 * n));
  if (outputShape.size() == size_t(rank))
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (!outputShape.empty() && outputShape.size() != size_t(n))
    return ctx.fail("output_shape needs " + std::to_string(n) + " spatial dims");
  if (llvm::any_of(outputShape, [](int64_t d) { return d < 1; }))
    return ctx.fail("ConvTranspose output_shape must be positive");
  constexpr int64_t kLimit = int64_t(1) << 24; // per dim: a network's sizes, not a crafted model's
  for (int64_t i = 0; i < n; ++i)
    if (strides[i] < 1 || dilations[i] < 1 || strides[i] > kLimit || dilations[i] > kLimit ||
        outputPadding[i] < 0 || outputPadding[i] >= std::max(strides[i], dilations[i]) || kernel[i] > kLimit ||
        xType.getDimSize(i + 2) > kLimit || pads[i] < -kLimit || pads[i] > kLimit || pads[i + n] < -kLimit ||
        pads[i + n] > kLimit)
      return ctx.fail("ConvTranspose strides and dilations must be positive, output_padding below the stride or "
                      "dilation, and every size below 2^24");
  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.unsupported("auto_pad", "'" + autoPad + "'");
  // The full output length per dim, then the pads that cut it to the output.
  SmallVector<int64_t> begin(n), end(n), out(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = xType.getDimSize(i + 2);
    int64_t full = strides[i] * (in - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
    int64_t target = -1;
    if (!outputShape.empty())
      target = outputShape[i];
    else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
      target = in * strides[i];
    if (target >= 0) {
      if (target > kLimit)
        return ctx.fail("ConvTranspose output_shape above 2^24");
      // Halved rounding down, as ONNX's reference does: a larger output
      // (negative total) grows at the end.
      int64_t total = full - target, half = total >= 0 ? total / 2 : -((1 - total) / 2);
      bool upper = autoPad == "SAME_UPPER";
      begin[i] = upper ? half : total - half;
      end[i] = upper ? total - half : half;
    } else if (autoPad == "NOTSET") {
      begin[i] = pads[i];
      end[i] = pads[i + n];
    }
    out[i] = full - begin[i] - end[i];
    if (out[i] < 1)
      return ctx.fail("ConvTranspose output dim " + std::to_string(i + 2) + " would be " + std::to_string(out[i]));
  }

  // Zeros inserted: [N, C, a, 1, b, 1] padded to [N, C, a, s, b, t], then
  // [N, C, a*s, b*t] (s - 1 zeros too many at each end, cut by the pads).
  bool strided = llvm::any_of(strides, [](int64_t s) { return s > 1; });
  if (strided) {
    SmallVector<int64_t> axes, padding(2 * (2 + 2 * n), 0), spread(xType.getShape().take_front(2));
    for (int64_t i = 0; i < n; ++i) {
      axes.push_back(3 + 2 * i);
      padding[2 + 2 * n + 3 + 2 * i] = strides[i] - 1;
      spread.push_back(xType.getDimSize(i + 2) * strides[i]);
    }
    std::optional<int64_t> inserted = xType.getNumElements();
    for (int64_t s : strides)
      inserted = inserted ? llvm::checkedMul(*inserted, s) : std::nullopt;
    if (!inserted || *inserted > kMaxBuiltElements)
      return ctx.fail("ConvTranspose's zero-inserted input would exceed 2^28 elements");
    Value u = apply<g::UnsqueezeOp>(ctx, {x}, {ctx.i64s("axes", axes)});
    Value p = apply<g::PadOp>(ctx, {u}, {ctx.i64s("pads", padding), ctx.named("mode", ctx.b.getStringAttr("constant")),
                                         ctx.named("value", ctx.b.getF32FloatAttr(0.0f))});
    x = apply<g::ReshapeOp>(ctx, {p}, {ctx.i64s("shape", spread)});
  }
  // Weight [C, M/g, k...] -> [g, C/g, M/g, k...] -> [g, M/g, C/g, k...] ->
  // [M, C/g, k...], the window reversed.
  SmallVector<int64_t> grouped{group, inChannels / group, outPerGroup}, perm{0, 2, 1}, swapped{outChannels, inChannels / group};
  for (int64_t i = 0; i < n; ++i) {
    grouped.push_back(kernel[i]);
    perm.push_back(3 + i);
    swapped.push_back(kernel[i]);
  }
  Value w = apply<g::ReshapeOp>(ctx, {wv}, {ctx.i64s("shape", grouped)});
  w = apply<g::TransposeOp>(ctx, {w}, {ctx.i64s("perm", perm)});
  w = apply<g::ReshapeOp>(ctx, {w}, {ctx.i64s("shape", swapped)});
  SmallVector<int64_t> starts(rank, 0), ends(swapped), steps(rank, 1);
  for (int64_t i = 0; i < n; ++i) {
    starts[2 + i] = kernel[i] - 1;
    ends[2 + i] = -1;
    steps[2 + i] = -1;
  }
  w = apply<g::SliceOp>(ctx, {w}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends), ctx.i64s("steps", steps)});

  SmallVector<int64_t> convPads(2 * n), crop(n, 0);
  bool cropped = false;
  for (int64_t i = 0; i < n; ++i) {
    int64_t reach = (kernel[i] - 1) * dilations[i];
    int64_t lo = reach - begin[i], hi = reach - end[i] + outputPadding[i] - (strides[i] - 1);
    convPads[i] = std::max<int64_t>(lo, 0);
    convPads[i + n] = std::max<int64_t>(hi, 0);
    crop[i] = std::max<int64_t>(-lo, 0);
    cropped |= lo < 0 || hi < 0;
  }
  SmallVector<Value> operands{x, w};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  Value y = apply<g::ConvOp>(ctx, operands,
                             {ctx.i64s("strides", SmallVector<int64_t>(n, 1)), ctx.i64s("pads", convPads),
                              ctx.i64s("dilations", dilations), ctx.named("group", ctx.b.getI64IntegerAttr(group))});
  if (y && cropped) {
    SmallVector<int64_t> cs(rank, 0), ce(llvm::cast<RankedTensorType>(y.getType()).getShape()), st(rank, 1);
    for (int64_t i = 0; i < n; ++i) {
      cs[2 + i] = crop[i];
      ce[2 + i] = crop[i] + out[i];
    }
    y = apply<g::SliceOp>(ctx, {y}, {ctx.i64s("starts", cs), ctx.i64s("ends", ce), ctx.i64s("steps", st)});
  }
  return y ? ctx.setOutput(0, y) : failure();
}

/// An Einsum operand: its value and one label per dim.
struct Labelled {
  Value v;
  std::string labels;
};

/// Einsum decomposed: per operand, repeated labels become a diagonal (a
/// Gather of the flattened pair) and labels no one else needs are summed;
/// operands are contracted pairwise as one batched MatMul (batch, kept-left,
/// kept-right and contracted labels grouped by transposes and reshapes);
/// the result is transposed to the output's order.
LogicalResult einsum(NodeContext &ctx) {
  std::string eq;
  for (char c : ctx.getString("equation", ""))
    if (c != ' ')
      eq += c;
  for (char c : eq)
    if (std::isupper(static_cast<unsigned char>(c)))
      return ctx.fail("Einsum equation '" + eq + "' has the character '" + std::string(1, c) +
                      "' (labels are lower-case letters)");
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow), out = arrow == std::string::npos ? "" : eq.substr(arrow + 2);
  SmallVector<std::string> terms;
  for (StringRef t : llvm::split(StringRef(lhs), ','))
    terms.push_back(t.str());
  if (terms.size() != ctx.numInputs())
    return ctx.fail("Einsum equation '" + eq + "' has " + std::to_string(terms.size()) + " operands, the node " +
                    std::to_string(ctx.numInputs()));
  // "..." becomes upper-case labels (the equation's own are lower-case
  // letters), as many as the operand's extra dims.
  int64_t ellipsisDims = 0;
  SmallVector<Labelled> ops;
  for (auto [i, term] : llvm::enumerate(terms)) {
    auto t = ctx.inputType(i);
    if (!t)
      return failure();
    size_t dots = term.find("...");
    int64_t named = static_cast<int64_t>(term.size()) - (dots == std::string::npos ? 0 : 3);
    int64_t extra = t.getRank() - named;
    if (extra < 0 || (extra > 0 && dots == std::string::npos) || extra > 26)
      return ctx.fail("Einsum term '" + term + "' does not match operand " + std::to_string(i) + "'s rank " +
                      std::to_string(t.getRank()));
    if (dots != std::string::npos) {
      std::string fill;
      for (int64_t d = 26 - extra; d < 26; ++d) // right-aligned, as numpy broadcasts
        fill += char('A' + d);
      term = term.substr(0, dots) + fill + term.substr(dots + 3);
      ellipsisDims = std::max(ellipsisDims, extra);
    }
    for (char c : term) // lower-case labels, upper case for "..."
      if (!std::isalpha(static_cast<unsigned char>(c)))
        return ctx.fail("Einsum equation '" + eq + "' has the character '" + std::string(1, c) + "'");
    ops.push_back({ctx.input(i), term});
  }
  if (arrow == std::string::npos) {
    // Implicit output: "..." first, then the labels used once, sorted.
    std::map<char, int> count;
    for (auto &o : ops)
      for (char c : o.labels)
        ++count[c];
    for (auto [c, n] : count)
      if (std::isupper(static_cast<unsigned char>(c)) || n == 1)
        out += c;
  } else {
    size_t dots = out.find("...");
    if (dots != std::string::npos) {
      std::string fill;
      for (int64_t d = 26 - ellipsisDims; d < 26; ++d)
        fill += char('A' + d);
      out = out.substr(0, dots) + fill + out.substr(dots + 3);
    }
  }
  auto dimOf = [&](const Labelled &o, char c) {
    return llvm::cast<RankedTensorType>(o.v.getType()).getDimSize(o.labels.find(c));
  };
  auto transposeTo = [&](Labelled &o, const std::string &order) {
    if (o.labels == order || !o.v)
      return;
    SmallVector<int64_t> perm;
    for (char c : order)
      perm.push_back(static_cast<int64_t>(o.labels.find(c)));
    o.v = apply<g::TransposeOp>(ctx, {o.v}, {ctx.i64s("perm", perm)});
    o.labels = order;
  };
  auto reshapeTo = [&](Value v, ArrayRef<int64_t> shape) {
    return apply<g::ReshapeOp>(ctx, {v}, {ctx.i64s("shape", shape)});
  };
  // Labels still needed besides operand `self`: the output's and the other
  // remaining operands'.
  auto neededElsewhere = [&](size_t self, char c) {
    if (out.find(c) != std::string::npos)
      return true;
    for (size_t j = 0; j < ops.size(); ++j)
      if (j != self && ops[j].labels.find(c) != std::string::npos)
        return true;
    return false;
  };
  // Diagonals and private sums per operand.
  for (size_t i = 0; i < ops.size(); ++i) {
    Labelled &o = ops[i];
    for (size_t p = 0; p < o.labels.size() && o.v; ++p) {
      size_t q = o.labels.find(o.labels[p], p + 1);
      if (q == std::string::npos)
        continue;
      // Move the pair last, flatten it, gather the diagonal.
      std::string order;
      for (size_t d = 0; d < o.labels.size(); ++d)
        if (d != p && d != q)
          order += o.labels[d];
      char c = o.labels[p];
      int64_t n = dimOf(o, c);
      if (dimOf(o, o.labels[q]) != n)
        return ctx.fail("Einsum label '" + std::string(1, c) + "' has two sizes");
      SmallVector<int64_t> perm, shape;
      for (char d : order)
        shape.push_back(dimOf(o, d));
      for (size_t d = 0; d < o.labels.size(); ++d)
        if (d != p && d != q)
          perm.push_back(static_cast<int64_t>(d));
      perm.push_back(static_cast<int64_t>(p));
      perm.push_back(static_cast<int64_t>(q));
      Value v = apply<g::TransposeOp>(ctx, {o.v}, {ctx.i64s("perm", perm)});
      shape.push_back(n * n);
      v = reshapeTo(v, shape);
      SmallVector<int64_t> diag;
      for (int64_t k = 0; k < n; ++k)
        diag.push_back(k * (n + 1));
      Value idx = ctx.constant(g::makeInts(RankedTensorType::get({n}, ctx.b.getI64Type()), diag, "einsum_diagonal"));
      o.v = apply<g::GatherOp>(ctx, {v, idx}, {ctx.named("axis", ctx.b.getI64IntegerAttr(int64_t(shape.size()) - 1))});
      o.labels = order + c;
      p = static_cast<size_t>(-1); // the labels moved: look again
    }
    SmallVector<int64_t> sumAxes;
    std::string kept;
    for (auto [d, c] : llvm::enumerate(o.labels))
      if (neededElsewhere(i, c))
        kept += c;
      else
        sumAxes.push_back(static_cast<int64_t>(d));
    if (!sumAxes.empty() && o.v) {
      o.v = apply<g::ReduceSumOp>(ctx, {o.v}, {ctx.i64s("axes", sumAxes), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
      o.labels = kept;
    }
  }
  // Pairwise contraction, left to right.
  while (ops.size() > 1) {
    Labelled a = ops[0], b = ops[1];
    if (!a.v || !b.v)
      return failure();
    ops.erase(ops.begin(), ops.begin() + 2);
    ops.insert(ops.begin(), Labelled{});
    auto keptAfter = [&](char c) {
      if (out.find(c) != std::string::npos)
        return true;
      for (size_t j = 1; j < ops.size(); ++j)
        if (ops[j].labels.find(c) != std::string::npos)
          return true;
      return false;
    };
    std::string batch, left, right, contracted;
    for (char c : a.labels) {
      bool inB = b.labels.find(c) != std::string::npos;
      (inB ? (keptAfter(c) ? batch : contracted) : left) += c;
    }
    for (char c : b.labels)
      if (a.labels.find(c) == std::string::npos)
        right += c;
    auto product = [&](const Labelled &o, const std::string &ls) {
      int64_t p = 1;
      for (char c : ls)
        p *= dimOf(o, c);
      return p;
    };
    for (char c : batch + contracted)
      if (dimOf(a, c) != dimOf(b, c))
        return ctx.fail("Einsum label '" + std::string(1, c) + "' has two sizes (broadcasting is not supported)");
    SmallVector<int64_t> resultShape;
    for (char c : batch + left)
      resultShape.push_back(dimOf(a, c));
    for (char c : right)
      resultShape.push_back(dimOf(b, c));
    int64_t nb = product(a, batch), nl = product(a, left), nk = product(a, contracted), nr = product(b, right);
    transposeTo(a, batch + left + contracted);
    transposeTo(b, batch + contracted + right);
    Value m = apply<g::MatMulOp>(ctx, {reshapeTo(a.v, {nb, nl, nk}), reshapeTo(b.v, {nb, nk, nr})});
    ops[0] = {reshapeTo(m, resultShape), batch + left + right};
  }
  Labelled &r = ops[0];
  // Labels the output does not have are summed (a lone operand's own).
  SmallVector<int64_t> sumAxes;
  std::string kept;
  for (auto [d, c] : llvm::enumerate(r.labels)) {
    if (out.find(c) == std::string::npos)
      sumAxes.push_back(static_cast<int64_t>(d));
    else
      kept += c;
  }
  if (!sumAxes.empty() && r.v) {
    r.v = apply<g::ReduceSumOp>(ctx, {r.v}, {ctx.i64s("axes", sumAxes), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
    r.labels = kept;
  }
  if (r.labels.size() != out.size())
    return ctx.fail("Einsum output '" + out + "' names a label no operand has");
  transposeTo(r, out);
  return r.v ? ctx.setOutput(0, r.v) : failure();
}

/// Det of [..., n, n] for n <= 4: the Laplace expansion along the first
/// row over the elements (each a slice [..., 1, 1]), then [...].
LogicalResult det(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  int64_t rank = t.getRank();
  if (rank < 2 || t.getDimSize(rank - 1) != t.getDimSize(rank - 2) || !llvm::isa<FloatType>(t.getElementType()))
    return ctx.fail("Det needs a float input [..., n, n]");
  int64_t n = t.getDimSize(rank - 1);
  if (n < 1)
    return ctx.fail("Det of an empty matrix");
  if (n > 4)
    return ctx.fail("Det of " + std::to_string(n) + "x" + std::to_string(n) +
                    " matrices (at most 4x4: edgec expands the determinant)");
  Value x = ctx.input(0);
  auto element = [&](int64_t i, int64_t j) {
    SmallVector<int64_t> starts(rank, 0), ends(t.getShape()), steps(rank, 1);
    starts[rank - 2] = i;
    ends[rank - 2] = i + 1;
    starts[rank - 1] = j;
    ends[rank - 1] = j + 1;
    return apply<g::SliceOp>(ctx, {x}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends), ctx.i64s("steps", steps)});
  };
  std::function<Value(int64_t, SmallVector<int64_t>)> minor = [&](int64_t row, SmallVector<int64_t> cols) -> Value {
    if (cols.size() == 1)
      return element(row, cols[0]);
    Value sum;
    for (size_t k = 0; k < cols.size(); ++k) {
      SmallVector<int64_t> rest(cols);
      rest.erase(rest.begin() + k);
      Value term = apply<g::MulOp>(ctx, {element(row, cols[k]), minor(row + 1, rest)});
      sum = !sum ? term : k % 2 ? apply<g::SubOp>(ctx, {sum, term}) : apply<g::AddOp>(ctx, {sum, term});
    }
    return sum;
  };
  SmallVector<int64_t> all;
  for (int64_t j = 0; j < n; ++j)
    all.push_back(j);
  Value d = minor(0, all);
  Value y = apply<g::ReshapeOp>(ctx, {d}, {ctx.i64s("shape", t.getShape().drop_back(2))});
  return y ? ctx.setOutput(0, y) : failure();
}

/// MatMulInteger: int32 MatMul of the operands minus their zero points (a
/// per-row zero point of A as a column).
LogicalResult matMulInteger(NodeContext &ctx) {
  Type i32 = ctx.b.getI32Type();
  auto shifted = [&](size_t input, size_t zpInput, bool perRow) -> Value {
    Value v = castTo(ctx, ctx.input(input), i32);
    if (!ctx.hasInput(zpInput) || !v)
      return v;
    Value zp = castTo(ctx, ctx.input(zpInput), i32);
    auto zt = zp ? llvm::cast<RankedTensorType>(zp.getType()) : RankedTensorType();
    if (zt && perRow && zt.getRank() == 1 && zt.getDimSize(0) > 1)
      zp = apply<g::ReshapeOp>(ctx, {zp}, {ctx.i64s("shape", {zt.getDimSize(0), 1})});
    return apply<g::SubOp>(ctx, {v, zp});
  };
  Value y = apply<g::MatMulOp>(ctx, {shifted(0, 2, true), shifted(1, 3, false)});
  return y ? ctx.setOutput(0, y) : failure();
}

LogicalResult conv(NodeContext &ctx) {
  Value bias = ctx.hasInput(2) ? ctx.input(2) : Value();
  if (ctx.hasInput(2) && !bias)
    return failure();
  return convOf(ctx, ctx.input(0), ctx.input(1), bias);
}

/// ConvInteger: an int32 Conv of the operands minus their zero points (a
/// per-channel zero point of W as [M, 1, ...]).
LogicalResult convInteger(NodeContext &ctx) {
  Type i32 = ctx.b.getI32Type();
  Value x = castTo(ctx, ctx.input(0), i32), w = castTo(ctx, ctx.input(1), i32);
  if (!x || !w)
    return failure();
  if (ctx.hasInput(2))
    x = apply<g::SubOp>(ctx, {x, castTo(ctx, ctx.input(2), i32)});
  if (ctx.hasInput(3)) {
    Value zp = castTo(ctx, ctx.input(3), i32);
    auto wt = llvm::cast<RankedTensorType>(w.getType());
    auto zt = zp ? llvm::cast<RankedTensorType>(zp.getType()) : RankedTensorType();
    if (zt && zt.getRank() == 1 && zt.getDimSize(0) > 1) {
      SmallVector<int64_t> shape(wt.getRank(), 1);
      shape[0] = zt.getDimSize(0);
      zp = apply<g::ReshapeOp>(ctx, {zp}, {ctx.i64s("shape", shape)});
    }
    w = apply<g::SubOp>(ctx, {w, zp});
  }
  return convOf(ctx, x, w, Value());
}

/// BatchNormalization with training_mode: normalised by the batch's own
/// mean and (biased) variance over every dim but the channels; the running
/// mean and variance outputs move toward them by 1 - momentum.
LogicalResult batchNormTraining(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  int64_t rank = t.getRank();
  if (rank < 2 || !llvm::isa<FloatType>(t.getElementType()))
    return ctx.fail("BatchNormalization needs a float input [N, C, ...]");
  int64_t channels = t.getDimSize(1);
  Type e = t.getElementType();
  SmallVector<int64_t> axes, perChannel(rank, 1);
  for (int64_t d = 0; d < rank; ++d)
    if (d != 1)
      axes.push_back(d);
  perChannel[1] = channels;
  auto mean = [&](Value v) {
    return apply<g::ReduceMeanOp>(ctx, {v}, {ctx.i64s("axes", axes), ctx.named("keepdims", ctx.b.getBoolAttr(true))});
  };
  auto broadcastable = [&](Value v) { return apply<g::ReshapeOp>(ctx, {v}, {ctx.i64s("shape", perChannel)}); };
  Value x = ctx.input(0);
  Value batchMean = mean(x);
  Value diff = apply<g::SubOp>(ctx, {x, batchMean});
  Value batchVar = mean(apply<g::MulOp>(ctx, {diff, diff}));
  Value eps = floatScalar(ctx, e, ctx.getFloat("epsilon", 1e-5f), "epsilon");
  Value y = apply<g::DivOp>(ctx, {diff, apply<g::SqrtOp>(ctx, {apply<g::AddOp>(ctx, {batchVar, eps})})});
  y = apply<g::AddOp>(ctx, {apply<g::MulOp>(ctx, {y, broadcastable(ctx.input(1))}), broadcastable(ctx.input(2))});
  if (!y || failed(ctx.setOutput(0, y)))
    return failure();
  float momentum = ctx.getFloat("momentum", 0.9f);
  Value keep = floatScalar(ctx, e, momentum, "momentum"), move = floatScalar(ctx, e, 1.0f - momentum, "momentum");
  auto running = [&](size_t input, Value batch) {
    Value b = apply<g::ReshapeOp>(ctx, {batch}, {ctx.i64s("shape", {channels})});
    return apply<g::AddOp>(ctx, {apply<g::MulOp>(ctx, {ctx.input(input), keep}), apply<g::MulOp>(ctx, {b, move})});
  };
  for (auto [output, input, batch] : {std::tuple<size_t, size_t, Value>{1, 3, batchMean}, {2, 4, batchVar}})
    if (ctx.outputUsed(output)) {
      Value r = running(input, batch);
      if (!r || failed(ctx.setOutput(output, r)))
        return failure();
    }
  return success();
}

LogicalResult batchNorm(NodeContext &ctx) {
  if (ctx.getInt("training_mode", 0) != 0)
    return batchNormTraining(ctx);
  if (failed(onlyFirstOutput(ctx)))
    return failure();
  SmallVector<Value> operands;
  for (size_t i = 0; i < 5; ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    operands.push_back(v);
  }
  return bind(ctx, ctx.create<g::BatchNormOp>(
                       operands, {ctx.named("epsilon", ctx.b.getF32FloatAttr(ctx.getFloat("epsilon", 1e-5f)))}));
}

} // namespace

llvm::ArrayRef<OpEntry> linearOps() {
  static const OpEntry rows[] = {
      {"BatchNormalization", 15, 17, batchNorm,
       "training_mode 1 normalises by the batch's statistics (reductions and elementwise ops)"},
      {"Einsum", 12, 17, einsum,
       "one or more operands; diagonals, sums, transposes and contractions (as batched MatMuls); "
       "no broadcasting of size-1 dims between operands"},
      {"ConvInteger", 10, 17, convInteger, "computed in int32 after subtracting the zero points"},
      {"Det", 11, 17, det, "matrices up to 4x4 (a Laplace expansion)"},
      {"MatMulInteger", 10, 17, matMulInteger, "computed in int32 after subtracting the zero points"},
      {"ConvTranspose", 11, 17, convTranspose,
       "computed as a Conv over the zero-inserted input (stride^d times the MACs)"},
      {"Conv", 11, 17, conv,
       "weight rank >= 3; auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID"},
      {"Gemm", 13, 17, gemm},
      {"MatMul", 13, 17, binary<g::MatMulOp>},
  };
  return rows;
}

} // namespace edgec::onnx_import
