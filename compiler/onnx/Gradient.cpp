//===- Gradient.cpp - ONNX Gradient (ai.onnx.preview.training) ------------===//
//
// Gradient(xs, y) returns dy/dx for each x of xs (of the sum of y's
// elements, for a y that is not a scalar). edgec differentiates the graph
// ops it has already built between xs and y in reverse mode, at import:
// each op's adjoint rule adds to its operands' adjoints, reduced over the
// dims an operand was broadcast along. Elementwise add, sub, mul, div and
// neg are differentiated; any other op on the way is refused by name.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/GraphImporter.h"
#include "compiler/onnx/ops/Builders.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace edgec::onnx_import {
namespace {

/// `g` summed over the dims `operand` was broadcast along, then shaped as
/// it (numpy broadcasting, right-aligned).
Value unbroadcast(NodeContext &ctx, Value g, Value operand) {
  if (!g)
    return g;
  auto gt = llvm::cast<RankedTensorType>(g.getType());
  auto ot = llvm::cast<RankedTensorType>(operand.getType());
  if (gt == ot)
    return g;
  SmallVector<int64_t> axes;
  int64_t offset = gt.getRank() - ot.getRank();
  for (int64_t d = 0; d < gt.getRank(); ++d)
    if (d < offset || (ot.getDimSize(d - offset) == 1 && gt.getDimSize(d) != 1))
      axes.push_back(d);
  Value summed = axes.empty() ? g
                              : apply<g::ReduceSumOp>(ctx, {g}, {ctx.i64s("axes", axes),
                                                                  ctx.named("keepdims", ctx.b.getBoolAttr(false))});
  return summed ? apply<g::ReshapeOp>(ctx, {summed}, {ctx.i64s("shape", ot.getShape())}) : nullptr;
}

} // namespace

LogicalResult GraphImporter::importGradient(NodeContext &ctx) {
  SmallVector<std::string> xs = ctx.getStrings("xs");
  std::string yName = ctx.getString("y", "");
  if (xs.empty() || yName.empty())
    return ctx.fail("Gradient needs attributes xs and y");
  if (static_cast<size_t>(ctx.numOutputs()) != xs.size())
    return ctx.fail("Gradient has " + std::to_string(ctx.numOutputs()) + " outputs for " +
                    std::to_string(xs.size()) + " xs");
  Value y = lookup(yName);
  if (!y)
    return ctx.fail("Gradient's y '" + yName + "' is not defined before it");
  auto yType = llvm::cast<RankedTensorType>(y.getType());
  if (!yType.getElementType().isF32())
    return ctx.fail("Gradient of a non-float32 y is not supported");
  SmallVector<Value> xValues;
  for (const std::string &x : xs) {
    Value v = lookup(x);
    if (!v)
      return ctx.fail("Gradient's x '" + x + "' is not defined before it");
    // What depends only on constants is folded as it is imported, so a
    // constant x (an initializer, a bound input) has lost its uses.
    if (v.getDefiningOp<g::ConstantOp>())
      return ctx.fail("Gradient with respect to '" + x + "', a constant (an initializer or an input bound with "
                      "--input-value): edgec folds constants at import, so its gradient cannot be taken");
    xValues.push_back(v);
  }

  // The ops before this node, newest first; each adds its results'
  // adjoints to its operands'.
  llvm::DenseMap<Value, Value> adjoint;
  adjoint[y] = ctx.constant(DenseElementsAttr::get(yType, 1.0f));
  SmallVector<Operation *> ops;
  for (Operation &op : *ctx.b.getInsertionBlock())
    ops.push_back(&op);
  auto add = [&](Value operand, Value g) -> LogicalResult {
    g = unbroadcast(ctx, g, operand);
    if (!g)
      return failure();
    Value &slot = adjoint[operand];
    slot = slot ? apply<g::AddOp>(ctx, {slot, g}) : g;
    return success(slot != nullptr);
  };
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(), [&](Value r) { return adjoint.count(r); }))
      continue;
    if (op->getNumResults() != 1)
      return ctx.fail("Gradient through '" + op->getName().getStringRef().str() +
                      "' is not supported (edgec differentiates add, sub, mul, div and neg)");
    Value g = adjoint[op->getResult(0)];
    LogicalResult ok = success();
    if (auto a = dyn_cast<g::AddOp>(op)) {
      ok = success(succeeded(add(a.getLhs(), g)) && succeeded(add(a.getRhs(), g)));
    } else if (auto s = dyn_cast<g::SubOp>(op)) {
      ok = success(succeeded(add(s.getLhs(), g)) && succeeded(add(s.getRhs(), apply<g::NegOp>(ctx, {g}))));
    } else if (auto m = dyn_cast<g::MulOp>(op)) {
      ok = success(succeeded(add(m.getLhs(), apply<g::MulOp>(ctx, {g, m.getRhs()}))) &&
                   succeeded(add(m.getRhs(), apply<g::MulOp>(ctx, {g, m.getLhs()}))));
    } else if (auto d = dyn_cast<g::DivOp>(op)) {
      // d(a / b) = g / b, -g * a / b^2
      Value q = op->getResult(0);
      ok = success(succeeded(add(d.getLhs(), apply<g::DivOp>(ctx, {g, d.getRhs()}))) &&
                   succeeded(add(d.getRhs(), apply<g::NegOp>(ctx, {apply<g::DivOp>(
                                                                   ctx, {apply<g::MulOp>(ctx, {g, q}), d.getRhs()})}))));
    } else if (auto n = dyn_cast<g::NegOp>(op)) {
      ok = add(n.getInput(), apply<g::NegOp>(ctx, {g}));
    } else if (!isa<g::ConstantOp>(op)) {
      return ctx.fail("Gradient through '" + op->getName().getStringRef().str() +
                      "' is not supported (edgec differentiates add, sub, mul, div and neg)");
    }
    if (failed(ok))
      return failure();
  }
  for (auto [i, x] : llvm::enumerate(xValues)) {
    Value g = adjoint.lookup(x);
    auto xType = llvm::cast<RankedTensorType>(x.getType());
    if (!g) // y does not depend on x
      g = ctx.constant(DenseElementsAttr::get(xType, 0.0f));
    if (failed(ctx.setOutput(i, g)))
      return failure();
  }
  return success();
}

} // namespace edgec::onnx_import
