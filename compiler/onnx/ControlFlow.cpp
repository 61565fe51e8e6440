//===- ControlFlow.cpp - ONNX If, Loop and Scan -----------------------------===//
//
// The importer builds these itself, as they carry graphs:
// - If: a constant condition inlines its branch; a run-time one keeps both
//   in a graph.if (lowered to scf.if).
// - Loop and Scan are unrolled: their body is imported once per iteration,
//   with the iteration's inputs bound (the iteration number, a slice of each
//   scan input, the loop-carried values), so everything after import sees
//   plain graph ops. The number of iterations must be bounded at compile
//   time: Scan's sequence is a static dim; Loop ends at its trip count M (a
//   constant) or where its condition folds to false (an exporter's
//   `for i in range(6): ... break` is a Loop with M = 2^63-1 and a counter
//   in the condition). A condition computed from data is honoured by
//   masking: iterations after it turns false leave the loop's results as
//   they were.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/GraphImporter.h"
#include "compiler/onnx/ops/Builders.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/GraphOps.h"

using namespace mlir;

namespace edgec::onnx_import {

namespace {
/// Unrolling limits: more is a crafted model (or a loop edgec should not
/// unroll), refused with a diagnostic rather than an enormous function.
constexpr int64_t kMaxIterations = 4096;
constexpr int64_t kMaxUnrolledNodes = int64_t(1) << 18;

LogicalResult checkUnrollSize(NodeContext &ctx, int64_t iterations, const onnx::GraphProto &body) {
  if (iterations > kMaxIterations)
    return ctx.fail(ctx.node.op_type() + " runs more than " + std::to_string(kMaxIterations) +
                    " iterations (its trip count, or its condition not known to turn false by then); edgec "
                    "unrolls at most " + std::to_string(kMaxIterations));
  if (iterations * std::max<int64_t>(body.node_size(), 1) > kMaxUnrolledNodes)
    return ctx.fail(ctx.node.op_type() + " unrolled would be " + std::to_string(iterations) + " x " +
                    std::to_string(body.node_size()) + " nodes; edgec unrolls at most " +
                    std::to_string(kMaxUnrolledNodes));
  return success();
}

/// `v` as a tensor<i1> scalar (a condition may come as a 1-element tensor).
Value boolScalar(NodeContext &ctx, Value v, StringRef what) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getNumElements() != 1 || !t.getElementType().isInteger(1))
    return (void)ctx.fail(what + " must be a single bool"), nullptr;
  if (t.getRank() == 0)
    return v;
  return apply<g::ReshapeOp>(ctx, {v}, {ctx.i64s("shape", {})});
}

/// Rows stacked along a new axis `axis` (ONNX's scan outputs); reversed
/// first when `reverse`.
Value stack(NodeContext &ctx, SmallVector<Value> rows, int64_t axis, bool reverse) {
  if (reverse)
    std::reverse(rows.begin(), rows.end());
  SmallVector<Value> parts;
  for (Value row : rows) {
    Value part = apply<g::UnsqueezeOp>(ctx, {row}, {ctx.i64s("axes", {axis})});
    if (!part)
      return nullptr;
    parts.push_back(part);
  }
  if (parts.size() == 1)
    return parts.front();
  return apply<g::ConcatOp>(ctx, parts, {ctx.named("axis", ctx.b.getI64IntegerAttr(axis))});
}
} // namespace

LogicalResult GraphImporter::importBody(NodeContext &ctx, const onnx::GraphProto &body, ArrayRef<Value> inputs,
                                        SmallVectorImpl<Value> &outputs) {
  if (body.input_size() != static_cast<int>(inputs.size()))
    return ctx.fail("the " + ctx.node.op_type() + "'s body takes " + std::to_string(body.input_size()) +
                    " inputs; it is given " + std::to_string(inputs.size()));
  // One budget for the whole model: Loops nested in Loops multiply.
  bodyNodesImported += body.node_size();
  if (bodyNodesImported > kMaxUnrolledNodes)
    return ctx.fail("the model's Loops and Scans unrolled would import more than " +
                    std::to_string(kMaxUnrolledNodes) + " nodes (nested loops multiply); edgec unrolls at most that");
  scopes.emplace_back();
  for (const auto &t : body.initializer())
    scopes.back()[t.name()].initializer = &t;
  for (auto [input, value] : llvm::zip(body.input(), inputs))
    define(input.name(), value);
  LogicalResult result = importGraph(body);
  for (const auto &o : body.output()) {
    if (failed(result))
      break;
    Value v = lookup(o.name());
    if (!v)
      result = ctx.fail("the body's output '" + o.name() +
                        (lookupSequence(o.name()) ? "' is a sequence; edgec's bodies yield tensors"
                                                  : "' is not produced by the body"));
    else if (const Bound *b = boundOf(v))
      result = ctx.fail("the body's output '" + o.name() + "' has a size known only at run time (" + b->origin +
                        "); edgec's bodies yield tensors of a fixed size");
    else if (isString(v))
      result = ctx.fail("the body's output '" + o.name() + "' is a string tensor; edgec's bodies yield numbers");
    outputs.push_back(v);
  }
  scopes.pop_back();
  return result;
}

LogicalResult GraphImporter::importLoop(NodeContext &ctx) {
  const onnx::AttributeProto *bodyAttr = ctx.attr("body");
  if (!bodyAttr || !bodyAttr->has_g())
    return ctx.fail("Loop needs a body graph");
  const onnx::GraphProto &body = bodyAttr->g();
  if (ctx.numInputs() < 2)
    return ctx.fail("Loop needs inputs M and cond (either may be empty)");
  size_t carried = ctx.numInputs() - 2;
  if (body.input_size() != static_cast<int>(carried + 2) || body.output_size() < static_cast<int>(carried + 1))
    return ctx.fail("Loop's body must take the iteration number, the condition and the " + std::to_string(carried) +
                    " loop-carried values, and return the condition, those values and any scan outputs");
  size_t scans = body.output_size() - 1 - carried;
  if (!ctx.hasInput(0) && !ctx.hasInput(1))
    return ctx.fail("Loop without a trip count or a condition never ends");
  int64_t trips = std::numeric_limits<int64_t>::max();
  if (ctx.hasInput(0)) {
    auto m = constantScalarInt(ctx, 0, "Loop trip count M");
    if (failed(m))
      return failure();
    trips = *m;
  }

  // The condition: known at compile time, or a run-time flag from the
  // iteration where the body computes it from data.
  std::optional<bool> known = true;
  Value running;
  if (ctx.hasInput(1)) {
    Value cond = ctx.input(1);
    SmallVector<int64_t> value;
    if (!cond)
      return failure();
    if (graph::readInts(graph::getConstant(cond), value) && value.size() == 1)
      known = value[0] != 0;
    else if (!(running = boolScalar(ctx, cond, "Loop cond")))
      return failure();
    else
      known.reset();
  }
  // `condInput`: the run-time condition is the Loop's own input (which may
  // come from graph inputs a user can bind), not the body's.
  auto runTimeExit = [&](bool condInput) {
    InFlightDiagnostic d = ctx.error();
    d << "Loop's condition is computed at run time, so the number of rows of its scan outputs depends on the "
         "data; edgec needs them static";
    if (condInput)
      ctx.noteGraphInputs(d, 1);
    return failure();
  };
  if (!known && scans)
    return runTimeExit(true);
  // `chain` feeds the body. Once the loop has stopped (the flag never turns
  // true again) what the body computes is discarded, so it may go on with
  // the unmasked values: a counter stays a constant, and a condition such
  // as `counter < 6` folds to false and ends the unrolling. `result` is
  // what the loop returns: the chain's value at the last iteration that ran.
  SmallVector<Value> chain;
  for (size_t k = 0; k < carried; ++k) {
    Value v = ctx.input(2 + k);
    if (!v)
      return failure();
    chain.push_back(v);
  }
  SmallVector<Value> result(chain);
  MLIRContext *mctx = &context();
  auto i64 = RankedTensorType::get({}, IntegerType::get(mctx, 64));
  auto i1 = RankedTensorType::get({}, IntegerType::get(mctx, 1));
  SmallVector<SmallVector<Value>> rows(scans);
  for (int64_t i = 0; i < trips && (!known || *known); ++i) {
    if (failed(checkUnrollSize(ctx, i + 1, body)))
      return failure();
    SmallVector<Value> inputs{ctx.constant(graph::makeInts(i64, {i})),
                              known ? ctx.constant(graph::makeInts(i1, {1})) : running};
    inputs.append(chain);
    SmallVector<Value> outputs;
    if (failed(importBody(ctx, body, inputs, outputs)))
      return failure();
    Value condOut = boolScalar(ctx, outputs[0], "Loop's body condition");
    if (!condOut)
      return failure();
    chain.assign(outputs.begin() + 1, outputs.begin() + 1 + carried);
    SmallVector<int64_t> condValue;
    bool condKnown = graph::readInts(graph::getConstant(condOut), condValue);
    if (known) {
      result = chain;
      for (size_t k = 0; k < scans; ++k)
        rows[k].push_back(outputs[1 + carried + k]);
      if (condKnown)
        known = condValue[0] != 0;
      else if (scans)
        return runTimeExit(false);
      else
        known.reset(), running = condOut;
      continue;
    }
    // This iteration counted only where the loop was still running.
    for (size_t k = 0; k < carried; ++k) {
      if (chain[k].getType() != result[k].getType())
        return ctx.fail("Loop's loop-carried value " + std::to_string(k) +
                        " changes type while the condition is computed at run time");
      if (!(result[k] = apply<g::WhereOp>(ctx, {running, chain[k], result[k]})))
        return failure();
    }
    if (condKnown && condValue[0] == 0)
      known = false;
    else if (!condKnown && !(running = apply<g::AndOp>(ctx, {running, condOut})))
      return failure();
  }
  for (size_t k = 0; k < carried; ++k)
    if (failed(ctx.setOutput(k, result[k])))
      return failure();
  for (size_t k = 0; k < scans; ++k) {
    if (rows[k].empty())
      return ctx.fail("Loop runs no iteration, so its scan outputs are empty (zero-sized tensors cannot be "
                      "compiled yet)");
    Value stacked = stack(ctx, rows[k], 0, false);
    if (!stacked || failed(ctx.setOutput(carried + k, stacked)))
      return failure();
  }
  return success();
}

LogicalResult GraphImporter::importScan(NodeContext &ctx) {
  const onnx::AttributeProto *bodyAttr = ctx.attr("body");
  if (!bodyAttr || !bodyAttr->has_g())
    return ctx.fail("Scan needs a body graph");
  const onnx::GraphProto &body = bodyAttr->g();
  int64_t m = ctx.getInt("num_scan_inputs", 0);
  if (m < 1 || m > static_cast<int64_t>(ctx.numInputs()))
    return ctx.fail("Scan's num_scan_inputs must be in [1, " + std::to_string(ctx.numInputs()) + "]");
  size_t n = ctx.numInputs() - m;
  if (body.input_size() != static_cast<int>(ctx.numInputs()) || body.output_size() < static_cast<int>(n))
    return ctx.fail("Scan's body must take the " + std::to_string(n) + " states and " + std::to_string(m) +
                    " scan slices, and return the states and any scan outputs");
  size_t k = body.output_size() - n;
  auto orDefault = [&](StringRef name, size_t count) -> FailureOr<SmallVector<int64_t>> {
    SmallVector<int64_t> v = ctx.getInts(name);
    if (v.empty() && !ctx.attr(name))
      v.assign(count, 0);
    if (v.size() != count)
      return ctx.fail("Scan's " + name + " needs " + std::to_string(count) + " values"), failure();
    return v;
  };
  auto inAxes = orDefault("scan_input_axes", m), inDirs = orDefault("scan_input_directions", m);
  auto outAxes = orDefault("scan_output_axes", k), outDirs = orDefault("scan_output_directions", k);
  if (failed(inAxes) || failed(inDirs) || failed(outAxes) || failed(outDirs))
    return failure();

  SmallVector<Value> states, scanned;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    (i < n ? states : scanned).push_back(v);
  }
  int64_t length = -1;
  for (auto [j, v] : llvm::enumerate(scanned)) {
    auto t = llvm::cast<RankedTensorType>(v.getType());
    auto axis = normaliseAxis(ctx, (*inAxes)[j], t.getRank());
    if (failed(axis))
      return failure();
    (*inAxes)[j] = *axis;
    if (length >= 0 && t.getDimSize(*axis) != length)
      return ctx.fail("Scan's scan inputs have different lengths (" + std::to_string(length) + " and " +
                      std::to_string(t.getDimSize(*axis)) + ")");
    length = t.getDimSize(*axis);
  }
  if (length == 0)
    return ctx.fail("Scan over a sequence of length 0 (zero-sized tensors cannot be compiled yet)");
  if (failed(checkUnrollSize(ctx, length, body)))
    return failure();

  SmallVector<SmallVector<Value>> rows(k);
  for (int64_t step = 0; step < length; ++step) {
    SmallVector<Value> inputs(states);
    for (auto [j, v] : llvm::enumerate(scanned)) {
      auto t = llvm::cast<RankedTensorType>(v.getType());
      int64_t axis = (*inAxes)[j], at = (*inDirs)[j] ? length - 1 - step : step;
      SmallVector<int64_t> starts(t.getRank(), 0), ends(t.getShape()), steps(t.getRank(), 1);
      starts[axis] = at;
      ends[axis] = at + 1;
      Value slice = apply<g::SliceOp>(ctx, {v}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends),
                                                 ctx.i64s("steps", steps)});
      slice = slice ? apply<g::SqueezeOp>(ctx, {slice}, {ctx.i64s("axes", {axis})}) : nullptr;
      if (!slice)
        return failure();
      inputs.push_back(slice);
    }
    SmallVector<Value> outputs;
    if (failed(importBody(ctx, body, inputs, outputs)))
      return failure();
    states.assign(outputs.begin(), outputs.begin() + n);
    for (size_t i = 0; i < k; ++i)
      rows[i].push_back(outputs[n + i]);
  }
  for (size_t i = 0; i < n; ++i)
    if (failed(ctx.setOutput(i, states[i])))
      return failure();
  for (size_t i = 0; i < k; ++i) {
    auto rank = llvm::cast<RankedTensorType>(rows[i].front().getType()).getRank();
    auto axis = normaliseAxis(ctx, (*outAxes)[i], rank + 1);
    if (failed(axis))
      return failure();
    Value stacked = stack(ctx, rows[i], *axis, (*outDirs)[i] != 0);
    if (!stacked || failed(ctx.setOutput(n + i, stacked)))
      return failure();
  }
  return success();
}

LogicalResult GraphImporter::importIf(NodeContext &ctx) {
  const onnx::AttributeProto *thenAttr = ctx.attr("then_branch");
  const onnx::AttributeProto *elseAttr = ctx.attr("else_branch");
  if (!thenAttr || !elseAttr || !thenAttr->has_g() || !elseAttr->has_g())
    return ctx.fail("If needs then_branch and else_branch graphs");
  Value cond = ctx.input(0);
  if (!cond)
    return failure();
  SmallVector<int64_t> condValue;
  if (graph::readInts(graph::getConstant(cond), condValue)) {
    // Constant condition: inline the chosen branch.
    if (condValue.size() != 1)
      return ctx.fail("If condition must have exactly one element");
    SmallVector<Value> outputs;
    if (failed(importBody(ctx, condValue[0] ? thenAttr->g() : elseAttr->g(), {}, outputs)))
      return failure();
    for (auto [i, v] : llvm::enumerate(outputs))
      if (failed(ctx.setOutput(i, v)))
        return failure();
    return success();
  }
  // Run-time condition: keep both branches in a graph.if.
  auto type = llvm::cast<RankedTensorType>(cond.getType());
  if (type.getNumElements() != 1 || !type.getElementType().isInteger(1))
    return ctx.fail("If condition must be a single bool");
  if (type.getRank() != 0)
    cond = graph::ReshapeOp::create(builder, ctx.loc,
                                    RankedTensorType::get({}, type.getElementType()), cond,
                                    ArrayRef<int64_t>{});
  auto ifOp = graph::IfOp::create(builder, ctx.loc, TypeRange(), cond);
  SmallVector<Type> resultTypes;
  for (auto [k, region, g] : {std::tuple<int, Region *, const onnx::GraphProto *>{
                                  0, &ifOp.getThenBranch(), &thenAttr->g()},
                              {1, &ifOp.getElseBranch(), &elseAttr->g()}}) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&region->emplaceBlock());
    SmallVector<Value> outputs;
    if (failed(importBody(ctx, *g, {}, outputs)))
      return failure();
    graph::YieldOp::create(builder, ctx.loc, outputs);
    SmallVector<Type> types(ValueRange(outputs).getTypes());
    if (k == 0) {
      resultTypes = types;
    } else if (types != resultTypes) {
      return ctx.fail("If with a run-time condition needs branches of identical static "
                      "types; bind the condition's inputs with --input-value to resolve it");
    }
  }
  // Rebuild with the result types now known, moving the branch regions over.
  auto typed = graph::IfOp::create(builder, ctx.loc, resultTypes, cond);
  typed.getThenBranch().takeBody(ifOp.getThenBranch());
  typed.getElseBranch().takeBody(ifOp.getElseBranch());
  ifOp.erase();
  for (auto [i, v] : llvm::enumerate(typed.getResults()))
    if (failed(ctx.setOutput(i, v)))
      return failure();
  return success();
}

llvm::ArrayRef<OpEntry> controlFlowOps() {
  // Built by GraphImporter itself (no builder here): they carry graphs.
  static const OpEntry rows[] = {
      {"If", 16, kTargetOpset, nullptr,
       "a constant condition takes its branch at import; a run-time one keeps both branches (of identical "
       "static types) and branches at run time"},
      {"Loop", 16, kTargetOpset, nullptr,
       "unrolled to its trip count M (a compile-time constant) or until its condition folds to false, at most "
       "4096 iterations; a condition computed from data is masked (then no scan outputs); no sequence or "
       "optional values"},
      {"Scan", 16, kTargetOpset, nullptr,
       "unrolled over its (static) sequence, at most 4096 steps; no sequence or optional values"},
  };
  return rows;
}

} // namespace edgec::onnx_import
