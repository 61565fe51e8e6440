//===- Bounded.cpp - tensors whose size is known only at run time ---------===//
//
// NonZero, Compress, Unique and NonMaxSuppression return as many rows as
// the data selects. edgec sizes such a tensor for its bound (every row
// selected) and keeps beside it, at import, a count: how many rows along
// one dim hold data (GraphImporter::Bound). The rows past the count are
// padding that holds valid values (indices stay in range) but no data.
//
// An op that works row by row along that dim passes the count on: the
// elementwise ops, Cast, Gather, GatherElements and GatherND (reading with
// the rows as indices), Transpose, Unsqueeze, Squeeze and Concat along
// another dim. A graph output gets its count as one more output
// (graph.count_output names it, graph.bounded_dim the dim; the header and
// manifest say so). Anything else would read the padding as data (a
// Reshape, a reduction along the dim, Shape) and is refused, naming the op
// and where the size is decided.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/GraphImporter.h"

#include "dialects/graph/ConstantUtils.h"

#include "llvm/ADT/StringMap.h"

#include <optional>

using namespace mlir;

namespace edgec::onnx_import {
namespace {

/// How an op maps its inputs' rows to its outputs'.
enum class RowRule { Elementwise, Gather, GatherByIndices, Transpose, Unsqueeze, Squeeze, Concat };

std::optional<RowRule> rowRule(StringRef opType) {
  static const llvm::StringMap<RowRule> rules = [] {
    llvm::StringMap<RowRule> m;
    for (const char *op :
         {"Abs",        "Acos",     "Acosh",   "Add",         "And",       "Asin",      "Asinh",      "Atan",
          "Atanh",      "BitShift", "Cast",    "CastLike",    "Ceil",      "Celu",      "Clip",       "Cos",
          "Cosh",       "Div",      "Elu",     "Equal",       "Erf",       "Exp",       "Floor",      "Greater",
          "GreaterOrEqual",         "HardSigmoid",            "HardSwish", "Identity",  "IsInf",      "IsNaN",
          "LeakyRelu",  "Less",     "LessOrEqual",            "Log",       "Max",       "Mean",       "Min",
          "Mish",       "Mod",      "Mul",     "Neg",         "Not",       "Or",        "Pow",        "PRelu",
          "Reciprocal", "Relu",     "Round",   "Selu",        "Shrink",    "Sigmoid",   "Sign",       "Sin",
          "Sinh",       "Softplus", "Softsign", "Sqrt",       "Sub",       "Sum",       "Tan",        "Tanh",
          "ThresholdedRelu",        "Where",   "Xor"})
      m[op] = RowRule::Elementwise;
    m["Gather"] = RowRule::Gather;
    m["GatherND"] = RowRule::GatherByIndices;
    m["GatherElements"] = RowRule::GatherByIndices;
    m["Transpose"] = RowRule::Transpose;
    m["Unsqueeze"] = RowRule::Unsqueeze;
    m["Squeeze"] = RowRule::Squeeze;
    m["Concat"] = RowRule::Concat;
    return m;
  }();
  auto it = rules.find(opType);
  return it == rules.end() ? std::nullopt : std::optional<RowRule>(it->second);
}

int64_t rankOf(Value v) { return llvm::cast<RankedTensorType>(v.getType()).getRank(); }

/// `axes` (negative from the end) normalised against `rank` and sorted;
/// nullopt when one is out of range.
std::optional<SmallVector<int64_t>> normalisedAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return std::nullopt;
    out.push_back(a < 0 ? a + rank : a);
  }
  llvm::sort(out);
  return out;
}

} // namespace

int GraphImporter::boundedInput(const onnx::NodeProto &node) {
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty())
      if (Value v = lookup(node.input(i)); v && boundOf(v))
        return i;
  return -1;
}

LogicalResult GraphImporter::importBoundedNode(NodeContext &ctx, LogicalResult (*build)(NodeContext &)) {
  const onnx::NodeProto &node = ctx.node;
  int first = boundedInput(node);
  Value firstValue = lookup(node.input(first));
  const Bound bound = *boundOf(firstValue);
  int64_t bufferRows = llvm::cast<RankedTensorType>(firstValue.getType()).getDimSize(bound.dim);
  auto refuse = [&](const Twine &why) {
    ctx.error() << "input '" << node.input(first) << "' has a size known only at run time (" << bound.origin
                << " selects at most " << bufferRows << " along dim " << bound.dim << "); " << why;
    return failure();
  };
  std::optional<RowRule> rule = rowRule(node.op_type());
  if (!rule || !build)
    return refuse("edgec passes such a tensor to a graph output (with its count) through elementwise ops, Cast, "
                  "Gather, GatherElements and GatherND (as indices), Transpose, Unsqueeze, Squeeze and Concat "
                  "along another dim, not through " +
                  node.op_type());
  // Inputs and their bounds (a node may read several bounded tensors: they
  // must share one count).
  // (Copies: setBound below may grow the map they live in.)
  SmallVector<Value> inputs;
  SmallVector<std::optional<Bound>> inBounds;
  for (int i = 0; i < node.input_size(); ++i) {
    Value v = node.input(i).empty() ? Value() : lookup(node.input(i));
    inputs.push_back(v);
    const Bound *b = v ? boundOf(v) : nullptr;
    inBounds.push_back(b ? std::optional<Bound>(*b) : std::nullopt);
    if (inBounds.back() && inBounds.back()->count != bound.count)
      return refuse("input '" + node.input(i) + "' has another run-time size (" + inBounds.back()->origin +
                    "); edgec cannot tell whether the two agree");
  }
  if (failed(build(ctx)))
    return failure();

  // The dim of output `out` that holds the rows, or -1 when the output has
  // a static size (a Gather along the bounded dim).
  auto fail = [&](const Twine &why) -> FailureOr<int64_t> {
    (void)refuse(why);
    return failure();
  };
  auto outputDim = [&](Value out) -> FailureOr<int64_t> {
    int64_t outRank = rankOf(out);
    switch (*rule) {
    case RowRule::Elementwise: {
      // Broadcasting aligns dims from the end; the other operands must be
      // bounded the same way or broadcast (size 1) along the dim. CastLike's
      // second input gives only a type.
      int64_t d = -1;
      size_t read = node.op_type() == "CastLike" ? 1 : inputs.size();
      if (!inBounds[0] && read == 1)
        return int64_t(-1);
      for (auto [i, v] : llvm::enumerate(ArrayRef<Value>(inputs).take_front(read)))
        if (inBounds[i]) {
          int64_t at = inBounds[i]->dim + outRank - rankOf(v);
          if (d >= 0 && at != d)
            return fail("its inputs' run-time sizes are along different dims");
          d = at;
        }
      for (auto [i, v] : llvm::enumerate(ArrayRef<Value>(inputs).take_front(read))) {
        if (!v || inBounds[i])
          continue;
        auto t = llvm::cast<RankedTensorType>(v.getType());
        int64_t at = d - (outRank - t.getRank());
        if (at >= 0 && t.getDimSize(at) != 1)
          return fail("it meets input '" + node.input(i) + "', of a fixed size " +
                        std::to_string(t.getDimSize(at)) + " along that dim");
      }
      return d;
    }
    case RowRule::Gather: {
      int64_t dataRank = rankOf(inputs[0]), axis = ctx.getInt("axis", 0);
      axis = axis < 0 ? axis + dataRank : axis;
      if (inBounds[1] && inBounds[0])
        return fail("Gather reads a run-time number of rows of a tensor of run-time size");
      if (inBounds[1])
        return axis + inBounds[1]->dim;
      int64_t d = inBounds[0]->dim;
      if (d == axis) {
        // Rows picked by index: a static size, if the indices count from
        // the start (a negative one counts from the count's end, which is
        // not the buffer's; one past the count reads padding, where ONNX
        // Runtime fails).
        SmallVector<int64_t> picked;
        if (!graph::readInts(graph::getConstant(inputs[1]), picked) ||
            llvm::any_of(picked, [](int64_t i) { return i < 0; }))
          return fail("Gather picks rows of it by computed or negative indices");
        return int64_t(-1);
      }
      return d < axis ? d : d + rankOf(inputs[1]) - 1;
    }
    case RowRule::GatherByIndices: {
      // GatherElements' output has the indices' shape; GatherND's starts
      // with the indices' dims but the last (the index tuple).
      bool nd = node.op_type() == "GatherND";
      if (inBounds[0])
        return fail(node.op_type() + " reads a tensor of run-time size");
      int64_t d = inBounds[1]->dim;
      if (nd && d == rankOf(inputs[1]) - 1)
        return fail("its index tuples would have a run-time length");
      return d;
    }
    case RowRule::Transpose: {
      SmallVector<int64_t> perm = ctx.getInts("perm");
      if (perm.empty())
        for (int64_t i = outRank - 1; i >= 0; --i)
          perm.push_back(i);
      auto it = llvm::find(perm, bound.dim);
      return it == perm.end() ? int64_t(bound.dim) : int64_t(it - perm.begin());
    }
    case RowRule::Unsqueeze: {
      auto axes = ctx.constantInts(1, "Unsqueeze axes");
      if (failed(axes))
        return failure();
      auto sorted = normalisedAxes(*axes, outRank);
      if (!sorted)
        return fail("its axes are out of range");
      int64_t d = bound.dim;
      for (int64_t a : *sorted)
        if (a <= d)
          ++d;
      return d;
    }
    case RowRule::Squeeze: {
      auto t = llvm::cast<RankedTensorType>(inputs[0].getType());
      SmallVector<int64_t> axes;
      if (ctx.hasInput(1)) {
        auto given = ctx.constantInts(1, "Squeeze axes");
        if (failed(given))
          return failure();
        auto sorted = normalisedAxes(*given, t.getRank());
        if (!sorted)
          return fail("its axes are out of range");
        axes = *sorted;
      } else {
        for (int64_t i = 0; i < t.getRank(); ++i)
          if (t.getDimSize(i) == 1)
            axes.push_back(i);
      }
      if (llvm::is_contained(axes, bound.dim))
        return fail("Squeeze would remove the dim whose size is known only at run time");
      return bound.dim - static_cast<int64_t>(llvm::count_if(axes, [&](int64_t a) { return a < bound.dim; }));
    }
    case RowRule::Concat: {
      int64_t axis = ctx.getInt("axis", 0);
      axis = axis < 0 ? axis + outRank : axis;
      if (axis == bound.dim)
        return fail("Concat along the dim whose size is known only at run time would leave padding between "
                      "the parts");
      for (auto [i, v] : llvm::enumerate(inputs)) {
        if (v && !inBounds[i])
          return fail("Concat joins it with input '" + node.input(i) + "', of a fixed size");
        if (v && inBounds[i]->dim != bound.dim)
          return fail("Concat joins tensors whose run-time sizes are along different dims");
      }
      return bound.dim;
    }
    }
    return failure();
  };
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty())
      continue;
    Value out = lookup(node.output(i));
    if (!out)
      continue;
    FailureOr<int64_t> d = outputDim(out);
    if (failed(d))
      return failure();
    if (*d < 0)
      continue;
    // The rows keep their buffer: anything else is a rule gone wrong.
    auto outType = llvm::cast<RankedTensorType>(out.getType());
    if (*d >= outType.getRank() || outType.getDimSize(*d) != bufferRows)
      return refuse("its output '" + node.output(i) + "' would not keep the rows along one dim");
    setBound(out, {*d, bound.count, bound.origin});
  }
  return success();
}

void GraphImporter::addCountOutputs(func::FuncOp fn, SmallVectorImpl<Value> &results,
                                    std::vector<std::string> &names) {
  llvm::DenseMap<Value, unsigned> countOutput;
  std::set<std::string> taken(names.begin(), names.end());
  size_t dataOutputs = results.size();
  SmallVector<std::pair<size_t, const Bound *>> marks;
  for (size_t i = 0; i < dataOutputs; ++i) {
    const Bound *b = boundOf(results[i]);
    if (!b)
      continue;
    auto [it, fresh] = countOutput.try_emplace(b->count, results.size());
    if (fresh) {
      std::string name = names[i] + "_count";
      for (int k = 2; taken.count(name); ++k)
        name = names[i] + "_count" + std::to_string(k);
      taken.insert(name);
      results.push_back(b->count);
      names.push_back(name);
    }
    marks.push_back({i, b});
  }
  fn.setType(builder.getFunctionType(fn.getArgumentTypes(), ValueRange(results).getTypes()));
  for (auto [i, b] : marks) {
    fn.setResultAttr(i, "graph.bounded_dim", builder.getI64IntegerAttr(b->dim));
    fn.setResultAttr(i, "graph.count_output", builder.getI64IntegerAttr(countOutput[b->count]));
  }
}

} // namespace edgec::onnx_import
