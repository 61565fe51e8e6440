//===- Text.cpp - text features of integer token ids ----------------------===//
//
// TfIdfVectorizer over integer token ids (pool_int64s): the n-gram pool is
// a constant, so each n-gram length and skip becomes a comparison of
// shifted windows of the input with the pool's grams, summed over the
// positions, and a matmul with a one-hot matrix puts each gram's count in
// its output column. String pools need string tensors (refused).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

namespace edgec::onnx_import {
namespace {

/// The counts [rows, grams] of the `grams` n-grams (`pool`, n ints each) in
/// the rows of x [rows, length] (i64), with every skip up to `maxSkip`
/// (unigrams: each position once); null when no window fits.
Value countGrams(NodeContext &ctx, Value x, ArrayRef<int64_t> pool, int64_t n, int64_t grams, int64_t maxSkip) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  int64_t rows = t.getDimSize(0), length = t.getDimSize(1);
  Type i64 = ctx.b.getI64Type(), f32 = ctx.b.getF32Type();
  Value total;
  for (int64_t skip = 0; skip <= (n == 1 ? 0 : maxSkip); ++skip) {
    int64_t stride = skip + 1, windows = length - (n - 1) * stride;
    if (windows <= 0)
      break;
    Value match;
    for (int64_t k = 0; k < n; ++k) {
      Value tokens = apply<g::SliceOp>(ctx, {x},
                                       {ctx.i64s("starts", {0, k * stride}), ctx.i64s("ends", {rows, k * stride + windows}),
                                        ctx.i64s("steps", {1, 1})});
      SmallVector<int64_t> column;
      for (int64_t g = 0; g < grams; ++g)
        column.push_back(pool[g * n + k]);
      Value gram = ctx.constant(g::makeInts(RankedTensorType::get({grams}, i64), column, "tfidf_pool"));
      Value equal = apply<g::EqualOp>(ctx, {apply<g::UnsqueezeOp>(ctx, {tokens}, {ctx.i64s("axes", {2})}), gram});
      match = match ? apply<g::AndOp>(ctx, {match, equal}) : equal; // [rows, windows, grams]
    }
    Value count = apply<g::ReduceSumOp>(ctx, {castTo(ctx, match, f32)},
                                        {ctx.i64s("axes", {1}), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
    total = total ? apply<g::AddOp>(ctx, {total, count}) : count;
  }
  return total;
}

LogicalResult tfIdfVectorizer(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (ctx.attr("pool_strings"))
    return ctx.fail("TfIdfVectorizer with pool_strings: string tensors are not supported (pool_int64s is)");
  if (!llvm::isa<IntegerType>(t.getElementType()) || (t.getRank() != 1 && t.getRank() != 2))
    return ctx.fail("TfIdfVectorizer needs integer token ids [length] or [batch, length]");
  std::string mode = ctx.getString("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.unsupported("mode", mode);
  int64_t minN = ctx.getInt("min_gram_length", 0), maxN = ctx.getInt("max_gram_length", 0);
  int64_t maxSkip = ctx.getInt("max_skip_count", 0);
  SmallVector<int64_t> starts = ctx.getInts("ngram_counts"), indexes = ctx.getInts("ngram_indexes"),
                       pool = ctx.getInts("pool_int64s");
  SmallVector<float> weights;
  if (const onnx::AttributeProto *w = ctx.attr("weights"))
    weights.assign(w->floats().begin(), w->floats().end());
  if (minN < 1 || maxN < minN || maxSkip < 0)
    return ctx.fail("TfIdfVectorizer needs 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
  // Grams of length n are pool[starts[n-1] .. starts[n]) (the last to the end).
  int64_t totalGrams = 0;
  SmallVector<std::pair<int64_t, int64_t>> groups; // (pool offset, gram count) per length
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t n = static_cast<int64_t>(i) + 1, begin = starts[i];
    int64_t end = i + 1 < starts.size() ? starts[i + 1] : static_cast<int64_t>(pool.size());
    if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()) || (end - begin) % n)
      return ctx.fail("TfIdfVectorizer ngram_counts do not split pool_int64s into whole n-grams");
    groups.push_back({begin, (end - begin) / n});
    totalGrams += (end - begin) / n;
  }
  if (static_cast<int64_t>(indexes.size()) != totalGrams ||
      (!weights.empty() && static_cast<int64_t>(weights.size()) != totalGrams))
    return ctx.fail("TfIdfVectorizer needs one ngram_indexes entry (and weight) per n-gram of the pool");
  int64_t columns = 0;
  for (int64_t c : indexes) {
    if (c < 0 || c >= (int64_t(1) << 20))
      return ctx.fail("TfIdfVectorizer ngram_indexes entry " + std::to_string(c) + " is out of range");
    columns = std::max(columns, c + 1);
  }
  Type i64 = ctx.b.getI64Type(), f32 = ctx.b.getF32Type();
  Value x = castTo(ctx, ctx.input(0), i64);
  if (t.getRank() == 1)
    x = apply<g::UnsqueezeOp>(ctx, {x}, {ctx.i64s("axes", {0})});
  if (!x)
    return failure();
  int64_t rows = llvm::cast<RankedTensorType>(x.getType()).getDimSize(0);
  Value counts;
  for (int64_t gram = 0, i = 0; i < static_cast<int64_t>(groups.size()); gram += groups[i].second, ++i) {
    int64_t n = i + 1, grams = groups[i].second;
    if (n < minN || n > maxN || !grams)
      continue;
    Value c = countGrams(ctx, x, ArrayRef<int64_t>(pool).slice(groups[i].first, grams * n), n, grams, maxSkip);
    if (!c)
      continue;
    // Each gram's count to its output column.
    SmallVector<float> oneHot(grams * columns, 0.0f);
    for (int64_t g = 0; g < grams; ++g)
      oneHot[g * columns + indexes[gram + g]] = 1.0f;
    Value place = ctx.constant(g::makeFloats(RankedTensorType::get({grams, columns}, f32), oneHot, "tfidf_columns"));
    c = apply<g::MatMulOp>(ctx, {c, place});
    counts = counts ? apply<g::AddOp>(ctx, {counts, c}) : c;
  }
  auto outType = RankedTensorType::get({rows, columns}, f32);
  if (!counts)
    counts = ctx.constant(g::makeFloats(outType, SmallVector<float>(rows * columns, 0.0f)));
  if (mode != "TF") {
    SmallVector<float> w(columns, 1.0f);
    for (size_t g = 0; g < weights.size(); ++g)
      w[indexes[g]] = weights[g];
    Value weight = ctx.constant(g::makeFloats(RankedTensorType::get({columns}, f32), w, "tfidf_weights"));
    if (mode == "TFIDF") {
      counts = apply<g::MulOp>(ctx, {counts, weight});
    } else {
      Value zero = floatScalar(ctx, f32, 0.0f, "zero");
      counts = apply<g::WhereOp>(ctx, {apply<g::GreaterOp>(ctx, {counts, zero}), weight, zero});
    }
  }
  if (counts && t.getRank() == 1)
    counts = apply<g::ReshapeOp>(ctx, {counts}, {ctx.i64s("shape", {columns})});
  return counts ? ctx.setOutput(0, counts) : failure();
}

} // namespace

llvm::ArrayRef<OpEntry> textOps() {
  static const OpEntry rows[] = {
      {"TfIdfVectorizer", 9, 17, tfIdfVectorizer, "integer token ids (pool_int64s); string pools are refused"},
  };
  return rows;
}

} // namespace edgec::onnx_import
