//===- Text.cpp - text features of integer token ids ----------------------===//
//
// TfIdfVectorizer over integer token ids (pool_int64s): the n-gram pool is
// a constant, so each n-gram length and skip becomes a comparison of
// shifted windows of the input with the pool's grams, summed over the
// positions, and a matmul with a one-hot matrix puts each gram's count in
// its output column. String pools are refused.
//
// StringNormalizer on string tensors, which the importer holds as their
// bytes (a last dim of --string-bytes, i8; UTF-8, NUL-padded).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"

#include "llvm/Support/CheckedArithmetic.h"

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
  constexpr int64_t kMaxTable = int64_t(1) << 24; // elements of a constant built here
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
  auto fits = [&](int64_t a, int64_t b) {
    std::optional<int64_t> n = llvm::checkedMul(a, b);
    return n && *n <= kMaxTable;
  };
  if (!fits(rows, columns) || !fits(totalGrams, columns))
    return ctx.fail("TfIdfVectorizer with " + std::to_string(columns) + " output columns and " +
                    std::to_string(totalGrams) + " n-grams (at most 2^24 entries in its tables)");
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

/// ASCII letters of `bytes` (i8) to upper or lower case; other bytes (UTF-8
/// sequences among them) as they are.
Value asciiCase(NodeContext &ctx, Value bytes, bool upper) {
  auto byte = [&](int64_t v) { return intScalar(ctx, ctx.b.getI8Type(), v); };
  Value letter = apply<g::AndOp>(ctx, {apply<g::GreaterOrEqualOp>(ctx, {bytes, byte(upper ? 'a' : 'A')}),
                                       apply<g::LessOrEqualOp>(ctx, {bytes, byte(upper ? 'z' : 'Z')})});
  return apply<g::WhereOp>(ctx, {letter, apply<g::AddOp>(ctx, {bytes, byte(upper ? -32 : 32)}), bytes});
}

/// StringNormalizer: case mapped (ASCII: the locale is not read), then the
/// stopwords removed: every string compared with every stopword (folded to
/// lower case both unless is_case_sensitive), the rest compacted with a
/// run-time count; when every string is a stopword, one empty string (as
/// ONNX says).
LogicalResult stringNormalizer(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (!ctx.inputIsString(0))
    return ctx.fail("StringNormalizer takes a string tensor");
  int64_t rank = t.getRank() - 1, width = ctx.stringBytes();
  if ((rank != 1 && rank != 2) || (rank == 2 && t.getDimSize(0) != 1))
    return ctx.fail("StringNormalizer takes strings [C] or [1, C]");
  int64_t axis = rank - 1, n = t.getDimSize(axis);
  std::string action = ctx.getString("case_change_action", "NONE");
  if (action != "NONE" && action != "LOWER" && action != "UPPER")
    return ctx.unsupported("case_change_action", action);
  bool caseSensitive = ctx.getInt("is_case_sensitive", 0) != 0;
  Value x = ctx.input(0);
  Value out = action == "NONE" ? x : asciiCase(ctx, x, action == "UPPER");
  // The stopwords that fit in a string's bytes (a longer one matches none).
  SmallVector<int64_t> words;
  int64_t count = 0;
  for (const std::string &w : ctx.getStrings("stopwords")) {
    if (static_cast<int64_t>(w.size()) > width)
      continue;
    for (int64_t k = 0; k < width; ++k) {
      char c = k < static_cast<int64_t>(w.size()) ? w[k] : '\0';
      words.push_back(!caseSensitive && c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    ++count;
  }
  if (!out)
    return failure();
  if (!count || !n)
    return ctx.setStringOutput(0, out);
  Type i32 = ctx.b.getI32Type(), i64 = ctx.b.getI64Type();
  auto reduce = [&](auto op, Value v, int64_t a) {
    return apply<decltype(op)>(ctx, {v}, {ctx.i64s("axes", {a}), ctx.named("keepdims", ctx.b.getBoolAttr(false))});
  };
  Value folded = caseSensitive ? x : asciiCase(ctx, x, false);
  Value strings = apply<g::ReshapeOp>(ctx, {folded}, {ctx.i64s("shape", {n, 1, width})});
  Value stop = ctx.constant(g::makeInts(RankedTensorType::get({count, width}, ctx.b.getI8Type()), words, "stopwords"));
  Value same = reduce(g::ReduceMinOp(), castTo(ctx, apply<g::EqualOp>(ctx, {strings, stop}), i32), 2); // [n, count]
  Value keep = apply<g::NotOp>(ctx, {castTo(ctx, reduce(g::ReduceMaxOp(), same, 1), ctx.b.getI1Type())});
  auto [kept, size] = compactRows(ctx, apply<g::ReshapeOp>(ctx, {out}, {ctx.i64s("shape", {n, width})}), 0, keep);
  if (!kept)
    return failure();
  // Every string a stopword: one empty string.
  auto scalar = [&](int64_t v) { return intScalar(ctx, i64, v); };
  SmallVector<int64_t> firstRow(n, 0);
  firstRow[0] = 1;
  Value first = ctx.constant(g::makeInts(RankedTensorType::get({n, 1}, ctx.b.getI1Type()), firstRow));
  Value none = apply<g::EqualOp>(ctx, {size, scalar(0)});
  Value zero = intScalar(ctx, ctx.b.getI8Type(), 0);
  kept = apply<g::WhereOp>(ctx, {apply<g::AndOp>(ctx, {first, none}), zero, kept});
  size = apply<g::MaxOp>(ctx, {size, scalar(1)});
  if (rank == 2)
    kept = apply<g::ReshapeOp>(ctx, {kept}, {ctx.i64s("shape", {1, n, width})});
  if (!kept || !size)
    return failure();
  return ctx.setStringOutput(0, kept, axis, size);
}

} // namespace

llvm::ArrayRef<OpEntry> textOps() {
  static const OpEntry rows[] = {
      {"StringNormalizer", 10, 17, stringNormalizer,
       "ASCII case mapping (the locale is not read; other bytes unchanged); strings of --string-bytes bytes; "
       "with stopwords, sized for every string with a run-time count"},
      {"TfIdfVectorizer", 9, 17, tfIdfVectorizer, "integer token ids (pool_int64s); string pools are refused"},
  };
  return rows;
}

} // namespace edgec::onnx_import
