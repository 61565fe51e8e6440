//===- NpuPartition.cpp - group the int8 ops the NPU runs into npu.subgraph ===//
//
// A "unit" is the ops one NPU layer replaces:
//   - graph.qconv (dense, or depthwise with one filter per channel),
//     graph.qmatmul with a constant right-hand side, graph.max_pool on int8;
//   - quantize(relu?(add(dequantize a, dequantize b))): the NPU's ADD;
//   - quantize(reshape?(global_average_pool|average_pool(dequantize a))):
//     the NPU's average pool;
//   - a reshape of an int8 map that moves no byte in NHWC ([1,C,1,1] <->
//     [1,C]).
// Every map must be signed int8 with one scale (the NPU's format). Units
// that follow one another in the function, with nothing but constants and
// dequantizes between them, form a subgraph; anything else the CPU runs
// ends it. A subgraph with few multiply-adds stays on the CPU (a lone pool
// or a small classifier is not worth a round trip; `min-macs`). The order of ops is the model's (ONNX
// is topologically sorted), so a run of units never depends on a CPU op
// in the middle of itself.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"
#include "targets/npu/dialect/NpuOps.h"
#include "targets/npu/passes/NpuPasses.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace edgec {
#define GEN_PASS_DEF_NPUPARTITIONPASS
#include "targets/npu/passes/NpuPasses.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

/// The NPU's map format: signed int8 over its whole range, per-tensor, a
/// float32 scale.
bool isNpuMap(Type t) {
  auto tensor = dyn_cast<RankedTensorType>(t);
  if (!tensor)
    return false;
  auto q = dyn_cast<quant::UniformQuantizedType>(tensor.getElementType());
  return q && q.isSigned() && q.getStorageTypeIntegralWidth() == 8 && q.getStorageTypeMin() == -128 &&
         q.getStorageTypeMax() == 127 && q.getExpressedType().isF32();
}

/// NCHW (rank 4, N = 1) or a row of vectors (rank 2).
bool isNpuShape(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  return (tensor.getRank() == 4 && tensor.getDimSize(0) == 1) || tensor.getRank() == 2;
}

/// A map the NPU can read: not a constant (the NPU reads maps from its
/// inputs or computes them; constants are weights).
bool isMap(Value v) { return isNpuMap(v.getType()) && isNpuShape(v.getType()) && !getStoredConstant(v); }

bool isF32Tensor(Value v) { return cast<RankedTensorType>(v.getType()).getElementType().isF32(); }

/// Symmetric int8 weights the requantisation accepts.
bool weightsOk(Value weight, Value input, Value output) {
  auto w = dyn_cast<quant::QuantizedType>(cast<RankedTensorType>(weight.getType()).getElementType());
  if (!w || !w.isSigned() || w.getStorageTypeIntegralWidth() != 8 || !getStoredConstant(weight))
    return false;
  for (int64_t zp : zeroPointsOf(w))
    if (zp != 0)
      return false;
  auto in = cast<quant::UniformQuantizedType>(cast<RankedTensorType>(input.getType()).getElementType());
  auto out = cast<quant::UniformQuantizedType>(cast<RankedTensorType>(output.getType()).getElementType());
  Requantisation rq;
  return requantisationOf(in.getScale(), scalesOf(w), out.getScale(), rq);
}

bool convOk(QConvOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType());
  if (!isMap(op.getInput()) || !isMap(op.getOutput()) || in.getRank() != 4 ||
      (op.getBias() && !getStoredConstant(op.getBias())))
    return false;
  int64_t group = op.getGroup(), cin = in.getDimSize(1);
  int64_t cout = cast<RankedTensorType>(op.getOutput().getType()).getDimSize(1);
  bool depthwise = group == cin && group == cout && group > 1;
  if (group != 1 && !depthwise)
    return false;
  return weightsOk(op.getWeight(), op.getInput(), op.getOutput());
}

bool matmulOk(QMatMulOp op) {
  return isMap(op.getLhs()) && isMap(op.getOutput()) &&
         cast<RankedTensorType>(op.getLhs().getType()).getRank() == 2 &&
         (!op.getBias() || getStoredConstant(op.getBias())) && weightsOk(op.getRhs(), op.getLhs(), op.getOutput());
}

bool maxPoolOk(MaxPoolOp op) {
  if (!isMap(op.getInput()) || op.getInput().getType() != RankedTensorType::get(
                                                              cast<RankedTensorType>(op.getInput().getType()).getShape(),
                                                              cast<RankedTensorType>(op.getOutput().getType()).getElementType()))
    return false; // in and out share scale and zero point
  // ceil_mode can make a last window all padding, which the NPU refuses.
  return cast<RankedTensorType>(op.getInput().getType()).getRank() == 4 && !op.getCeilMode() &&
         llvm::all_of(op.getDilations(), [](int64_t d) { return d == 1; });
}

/// A reshape that is the identity on NHWC bytes: [1,C,1,1] <-> [1,C].
bool isFreeReshape(Operation *op) {
  if (!isa<ReshapeOp>(op) || op->getNumOperands() < 1)
    return false;
  auto in = cast<RankedTensorType>(op->getOperand(0).getType());
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  auto vectorLike = [](RankedTensorType t) {
    return (t.getRank() == 4 && t.getDimSize(0) == 1 && t.getDimSize(2) == 1 && t.getDimSize(3) == 1) ||
           (t.getRank() == 2 && t.getDimSize(0) == 1);
  };
  return vectorLike(in) && vectorLike(out);
}

/// quantize(relu?(add(dequantize a, dequantize b))) ending at `q`.
SmallVector<Operation *> matchAdd(QuantizeOp q) {
  if (!isMap(q.getOutput()))
    return {};
  Operation *def = q.getInput().getDefiningOp();
  SmallVector<Operation *> unit{q.getOperation()};
  if (auto relu = dyn_cast_or_null<ReluOp>(def); relu && relu->hasOneUse()) {
    unit.push_back(relu);
    def = relu.getInput().getDefiningOp();
  }
  auto add = dyn_cast_or_null<AddOp>(def);
  if (!add || !add->hasOneUse() || add.getLhs().getType() != add.getRhs().getType() ||
      add.getLhs().getType() != add.getResult().getType() || !isF32Tensor(add.getResult()))
    return {};
  unit.push_back(add);
  for (Value operand : {add.getLhs(), add.getRhs()}) {
    auto dq = operand.getDefiningOp<DequantizeOp>();
    if (!dq || !isMap(dq.getInput()) || dq.getInput().getType().getShape() != q.getOutput().getType().getShape())
      return {};
    unit.push_back(dq);
  }
  return unit;
}

/// quantize(reshape?(global_average_pool|average_pool(dequantize a))).
SmallVector<Operation *> matchAveragePool(QuantizeOp q) {
  if (!isMap(q.getOutput()))
    return {};
  Operation *def = q.getInput().getDefiningOp();
  SmallVector<Operation *> unit{q.getOperation()};
  if (def && isFreeReshape(def) && def->hasOneUse()) {
    unit.push_back(def);
    def = def->getOperand(0).getDefiningOp();
  }
  if (!def || !def->hasOneUse())
    return {};
  if (!isF32Tensor(def->getResult(0)))
    return {};
  if (auto pool = dyn_cast<AveragePoolOp>(def)) {
    // A window of padding only would divide by zero without count_include_pad.
    auto pads = pool.getPads(), kernel = pool.getKernelShape();
    bool padOnly = !pool.getCountIncludePad() && (pads[0] >= kernel[0] || pads[1] >= kernel[1] ||
                                                  pads[2] >= kernel[0] || pads[3] >= kernel[1]);
    if (pool.getCeilMode() || padOnly || !llvm::all_of(pool.getDilations(), [](int64_t d) { return d == 1; }))
      return {};
  } else if (!isa<GlobalAveragePoolOp>(def)) {
    return {};
  }
  unit.push_back(def);
  auto dq = def->getOperand(0).getDefiningOp<DequantizeOp>();
  if (!dq || !isMap(dq.getInput()) || cast<RankedTensorType>(dq.getInput().getType()).getRank() != 4)
    return {};
  unit.push_back(dq);
  return unit;
}

/// Multiply-adds of the convs and matmuls among `ops`.
int64_t macsOf(ArrayRef<Operation *> ops) {
  int64_t macs = 0;
  for (Operation *op : ops)
    if (auto cost = dyn_cast<CostOpInterface>(op))
      macs += cost.getMacs();
  return macs;
}

struct NpuPartitionPass : impl::NpuPartitionPassBase<NpuPartitionPass> {
  using NpuPartitionPassBase::NpuPartitionPassBase;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    // Units, keyed by their last op (the one whose result leaves the unit).
    llvm::DenseMap<Operation *, SmallVector<Operation *>> units;
    fn.walk([&](Operation *op) {
      if (op->getParentOp() != fn.getOperation())
        return;
      SmallVector<Operation *> unit;
      if (auto c = dyn_cast<QConvOp>(op); c && convOk(c))
        unit = {op};
      else if (auto m = dyn_cast<QMatMulOp>(op); m && matmulOk(m))
        unit = {op};
      else if (auto p = dyn_cast<MaxPoolOp>(op); p && maxPoolOk(p))
        unit = {op};
      else if (isFreeReshape(op) && isMap(op->getOperand(0)) && isMap(op->getResult(0)))
        unit = {op};
      else if (auto q = dyn_cast<QuantizeOp>(op)) {
        unit = matchAdd(q);
        if (unit.empty())
          unit = matchAveragePool(q);
      }
      if (!unit.empty())
        units[op] = unit;
    });
    // Which unit each op belongs to (dequantizes may feed several).
    llvm::DenseSet<Operation *> member;
    for (auto &[last, ops] : units)
      member.insert(ops.begin(), ops.end());

    // Runs of units in block order.
    SmallVector<SmallVector<Operation *>> runs(1);
    for (Operation &op : fn.getBody().front()) {
      // A reshape only joins a run that computes its input: on its own it
      // would make a subgraph output that is one of its inputs.
      bool joins = units.count(&op) &&
                   (!isa<ReshapeOp>(op) || llvm::is_contained(runs.back(), op.getOperand(0).getDefiningOp()));
      if (joins) {
        runs.back().push_back(&op);
        continue;
      }
      bool neutral = (member.count(&op) && !units.count(&op)) || op.hasTrait<OpTrait::ConstantLike>() ||
                     isa<quant::StorageCastOp>(op) || isa<DequantizeOp>(op);
      if (!neutral && !runs.back().empty())
        runs.emplace_back();
    }
    unsigned index = 0;
    for (ArrayRef<Operation *> run : runs) {
      if (run.empty() || macsOf(run) < minMacs)
        continue;
      if (failed(outline(fn, run, units, index++)))
        return signalPassFailure();
    }
  }

  /// Moves the units ending at `lasts` into one npu.subgraph.
  LogicalResult outline(func::FuncOp fn, ArrayRef<Operation *> lasts,
                        llvm::DenseMap<Operation *, SmallVector<Operation *>> &units, unsigned index) {
    llvm::SetVector<Operation *> ops;
    for (Operation *last : lasts)
      ops.insert(units[last].begin(), units[last].end());
    // Keep block order.
    SmallVector<Operation *> ordered(ops.begin(), ops.end());
    llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    // A dequantize that also feeds the CPU is copied into the subgraph and
    // stays where it is, reading the subgraph's result.
    llvm::DenseSet<Operation *> staying;
    for (Operation *op : ordered)
      if (isa<DequantizeOp>(op) && llvm::any_of(op->getUsers(), [&](Operation *u) { return !ops.count(u); }))
        staying.insert(op);
    auto inside = [&](Operation *user) { return ops.count(user) && !staying.count(user); };
    // Operands from outside (constants are cloned in), results used outside.
    llvm::SetVector<Value> inputs, outputs;
    for (Operation *op : ordered) {
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def && ops.count(def))
          continue;
        if (def && getStoredConstant(v))
          continue;
        inputs.insert(v);
      }
      if (staying.count(op))
        continue;
      for (Value r : op->getResults())
        for (Operation *user : r.getUsers())
          if (!inside(user))
            outputs.insert(r);
    }
    for (Value v : inputs)
      if (!isMap(v))
        return ordered.front()->emitError("edgec-npu-partition: an NPU subgraph input is not an int8 map"), failure();
    Operation *last = ordered.back();
    OpBuilder b(last->getContext());
    b.setInsertionPointAfter(last);
    SmallVector<Value> inputList(inputs.begin(), inputs.end());
    SmallVector<Type> resultTypes;
    for (Value v : outputs)
      resultTypes.push_back(v.getType());
    auto subgraph = npu::SubgraphOp::create(b, NameLoc::get(b.getStringAttr("npu" + std::to_string(index)), last->getLoc()),
                                            resultTypes, inputList);
    Block *body = b.createBlock(&subgraph.getBody());
    IRMapping map;
    for (Value v : inputList)
      map.map(v, body->addArgument(v.getType(), v.getLoc()));
    b.setInsertionPointToStart(body);
    for (Operation *op : ordered) {
      for (Value v : op->getOperands())
        if (!map.contains(v)) { // a constant (or a view of one): cloned in
          Operation *def = v.getDefiningOp();
          if (auto cast = dyn_cast<quant::StorageCastOp>(def))
            if (!map.contains(cast->getOperand(0)))
              b.clone(*cast->getOperand(0).getDefiningOp(), map);
          b.clone(*def, map);
        }
      b.clone(*op, map);
    }
    SmallVector<Value> yielded;
    for (Value v : outputs)
      yielded.push_back(map.lookup(v));
    npu::YieldOp::create(b, last->getLoc(), yielded);
    // Ops placed between the units that read a result (dequantizes for the
    // CPU), and whatever reads those there, move after, in their order.
    llvm::SetVector<Operation *> later;
    SmallVector<Value> frontier(outputs.begin(), outputs.end());
    while (!frontier.empty()) {
      Value v = frontier.pop_back_val();
      for (Operation *user : v.getUsers())
        if (!inside(user) && user->getBlock() == subgraph->getBlock() && user->isBeforeInBlock(subgraph) &&
            later.insert(user))
          frontier.append(user->result_begin(), user->result_end());
    }
    SmallVector<Operation *> moving(later.begin(), later.end());
    llvm::sort(moving, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    Operation *after = subgraph;
    for (Operation *op : moving) {
      op->moveAfter(after);
      after = op;
    }
    for (auto [i, replacement] : llvm::enumerate(subgraph.getResults())) {
      Value old = outputs[i];
      old.replaceUsesWithIf(replacement, [&](OpOperand &use) { return !inside(use.getOwner()); });
    }
    // The originals, last first; the dequantizes the CPU still reads stay.
    for (Operation *op : llvm::reverse(ordered))
      if (op->use_empty())
        op->erase();
    return success();
  }
};

} // namespace
} // namespace edgec
