//===- ShareRepeatedHeads.cpp - attention without copies of repeated K/V ---===//
//
// Grouped-query attention (Llama, Mistral, Qwen) has fewer K/V heads than
// query heads; the exported graph repeats each K/V head for its group of
// query heads (Hugging Face's repeat_kv: unsqueeze, expand, reshape), so a
// decode step copies the whole cache once per layer and token (at 256
// positions, a third of a 25M model's time). A matmul only needs each query
// head paired with its K/V head: with the query heads of a group stacked as
// rows, one K/V head serves them all, and nothing is repeated.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/graph/ConstantUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace edgec {
#define GEN_PASS_DEF_SHAREREPEATEDHEADSPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

/// `v` as repeated heads: reshape([.., kv, g, R, C] -> [.., kv * g, R, C])
/// of an expand (a Where with a splat-true condition and one value for both
/// branches) of x [.., kv, 1, R, C]. Returns x and g.
std::optional<std::pair<Value, int64_t>> repeatedHeads(Value v) {
  auto reshape = v.getDefiningOp<ReshapeOp>();
  auto expand = reshape ? reshape.getInput().getDefiningOp<WhereOp>() : WhereOp();
  if (!expand || expand.getLhs() != expand.getRhs())
    return std::nullopt;
  ElementsAttr cond = getConstant(expand.getCondition());
  auto splat = llvm::dyn_cast_or_null<SplatElementsAttr>(cond);
  if (!splat || !splat.getSplatValue<bool>())
    return std::nullopt;
  Value x = expand.getLhs();
  ArrayRef<int64_t> out = reshape.getType().getShape(), rep = expand.getType().getShape();
  ArrayRef<int64_t> in = llvm::cast<RankedTensorType>(x.getType()).getShape();
  int64_t r = static_cast<int64_t>(out.size());
  if (r < 3 || static_cast<int64_t>(rep.size()) != r + 1 || in.size() != rep.size())
    return std::nullopt;
  // rep = [b.., kv, g, R, C], out = [b.., kv * g, R, C], in = rep but g -> 1.
  for (int64_t i = 0; i < r - 3; ++i)
    if (rep[i] != out[i] || in[i] != rep[i])
      return std::nullopt;
  int64_t kv = rep[r - 3], g = rep[r - 2];
  if (kv * g != out[r - 3] || in[r - 3] != kv || in[r - 2] != 1 || rep[r - 1] != out[r - 2] ||
      rep[r] != out[r - 1] || in[r - 1] != rep[r - 1] || in[r] != rep[r])
    return std::nullopt;
  return std::make_pair(x, g);
}

/// matmul(a [.., kv * g, M, K], B) with B (or B's transpose of its last two
/// dims) repeated heads of x:
///   reshape(matmul(reshape(a, [.., kv, g * M, K]), x'), [.., kv * g, M, N])
/// where x' is x without its unit dim (transposed as B was).
struct ShareRepeatedHeads : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op, PatternRewriter &rewriter) const override {
    Value b = op.getRhs();
    auto transpose = b.getDefiningOp<TransposeOp>();
    int64_t r = op.getType().getRank();
    if (transpose) {
      if (!swapsLastTwoDims(transpose.getPerm()))
        return failure();
      b = transpose.getInput();
    }
    auto heads = repeatedHeads(b);
    auto at = op.getLhs().getType();
    if (!heads || at.getRank() != r || op.getRhs().getType().getRank() != r)
      return failure();
    // a's batch dims must be B's (no broadcasting of a over them).
    ArrayRef<int64_t> aShape = at.getShape(), outShape = op.getType().getShape();
    for (int64_t i = 0; i < r - 2; ++i)
      if (aShape[i] != outShape[i])
        return failure();
    auto [x, g] = *heads;
    Location loc = op.getLoc();
    auto xt = llvm::cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shared(xt.getShape());
    shared.erase(shared.begin() + (r - 2)); // the unit dim
    Value kvHeads = ReshapeOp::create(rewriter, loc, RankedTensorType::get(shared, xt.getElementType()), x, shared);
    if (transpose) {
      SmallVector<int64_t> perm(transpose.getPerm()), swapped(shared);
      std::swap(swapped[r - 2], swapped[r - 1]);
      kvHeads = TransposeOp::create(rewriter, loc, RankedTensorType::get(swapped, xt.getElementType()), kvHeads,
                                    perm);
    }
    SmallVector<int64_t> rows(aShape);
    rows[r - 3] /= g;
    rows[r - 2] *= g;
    Value grouped = ReshapeOp::create(rewriter, loc, RankedTensorType::get(rows, at.getElementType()),
                                      op.getLhs(), rows);
    SmallVector<int64_t> product(rows);
    product[r - 1] = outShape[r - 1];
    Value y = MatMulOp::create(rewriter, loc, RankedTensorType::get(product, op.getType().getElementType()),
                               grouped, kvHeads);
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), y, outShape);
    return success();
  }
};

struct ShareRepeatedHeadsPass : impl::ShareRepeatedHeadsPassBase<ShareRepeatedHeadsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ShareRepeatedHeads>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace edgec
