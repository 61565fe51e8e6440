//===- GraphToLinalg.cpp - graph dialect -> linalg/tensor/arith/math -----===//
//
// Every graph op becomes linalg on tensors: elementwise ops are one
// linalg.generic with numpy broadcasting in its indexing maps, convolutions
// and pools are generics over the window (input padded by tensor.pad first),
// data movement uses tensor.expand/collapse_shape, insert/extract_slice or a
// generic with computed indices. LSTMs are unrolled over their (static)
// sequence. The ops are replaced in program order; an op that has no
// lowering yet is reported at its ONNX node and the pass fails.
//
// This file is the pass and the table; the lowerings are in this
// directory, a file per op family (Lowering.h).
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"
#include "passes/Passes.h"

#include "mlir/IR/Iterators.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>

namespace edgec {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALGPASS
#include "passes/Passes.h.inc"

namespace graph_to_linalg {

void LoweringTable::insert(TypeID id, llvm::StringRef name, OpLowering lowering) {
  // Two families registering one op is a bug of edgec's, found at start-up.
  if (!lowerings.try_emplace(id, std::move(lowering)).second)
    llvm::report_fatal_error(llvm::Twine("edgec-convert-graph-to-linalg: two lowerings for ") + name);
  names.push_back(name.str());
}

const OpLowering *LoweringTable::lookup(Operation *op) const {
  auto it = lowerings.find(op->getName().getTypeID());
  return it == lowerings.end() ? nullptr : &it->second;
}

std::vector<std::string> LoweringTable::opNames() const {
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

const LoweringTable &graphToLinalgLowerings() {
  static const LoweringTable table = [] {
    LoweringTable t;
    populateElementwiseLowerings(t);
    populateLinearLowerings(t);
    populatePoolingLowerings(t);
    populateReductionLowerings(t);
    populateDataMovementLowerings(t);
    populateResizeLowerings(t);
    populateQuantizedLowerings(t);
    populateRecurrentLowerings(t);
    populateControlFlowLowerings(t);
    populateDetectionLowerings(t);
    return t;
  }();
  return table;
}

namespace {

/// Lowers one op; returns its replacement values, or failure after an error.
LoweringResult lowerOp(const LoweringTable &table, Operation *op, Signedness sign, const QuantTypes &quantTypes,
                       int64_t panelLanes, int64_t panelWidth) {
  Lowering l(op);
  l.panelLanes = panelLanes;
  l.panelWidth = panelWidth;
  const OpLowering *lowering = table.lookup(op);
  // A result with no elements needs no computation (and slices of it would
  // have out-of-range offsets).
  if (op->getNumResults() > 0 && llvm::all_of(op->getResultTypes(), [](Type t) {
        auto rt = llvm::dyn_cast<RankedTensorType>(t);
        return rt && rt.getNumElements() == 0;
      })) {
    SmallVector<Value> empties;
    for (Type t : op->getResultTypes())
      empties.push_back(l.empty(llvm::cast<RankedTensorType>(t)));
    return empties;
  }
  if (!lowering)
    return failure();
  LoweringInput in{l, sign, quantTypes};
  return lowering->lower(op, in);
}

struct ConvertGraphToLinalgPass
    : impl::ConvertGraphToLinalgPassBase<ConvertGraphToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      // graph.yield goes with its graph.if.
      if (isa<GraphDialect>(op->getDialect()) && !isa<YieldOp>(op))
        ops.push_back(op);
    });
    // arith works on signless integers, and linalg on plain ones: remember
    // which ops computed on unsigned or quantised tensors, then make every
    // such tensor its signless stored integers.
    auto quantOf = [](Type t) -> quant::QuantizedType {
      auto tensor = llvm::dyn_cast<RankedTensorType>(t);
      return tensor ? llvm::dyn_cast<quant::QuantizedType>(tensor.getElementType()) : nullptr;
    };
    auto isUnsigned = [&](Type t) {
      auto tensor = llvm::dyn_cast<RankedTensorType>(t);
      if (quant::QuantizedType q = quantOf(t))
        return !q.isSigned();
      return tensor && tensor.getElementType().isUnsignedInteger();
    };
    llvm::DenseMap<Operation *, Signedness> signs;
    llvm::DenseMap<Operation *, QuantTypes> quantTypes;
    for (Operation *op : ops) {
      signs[op] = {llvm::any_of(op->getOperandTypes(), isUnsigned),
                   llvm::any_of(op->getResultTypes(), isUnsigned)};
      QuantTypes &q = quantTypes[op];
      for (Type t : op->getOperandTypes())
        q.operands.push_back(quantOf(t));
      for (Type t : op->getResultTypes())
        q.results.push_back(quantOf(t));
    }
    auto makeSignless = [&](Value v) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!t)
        return;
      Type e = t.getElementType();
      if (quant::QuantizedType q = quantOf(t))
        e = IntegerType::get(t.getContext(), q.getStorageTypeIntegralWidth());
      else if (e.isUnsignedInteger())
        e = IntegerType::get(t.getContext(), e.getIntOrFloatBitWidth());
      if (e != t.getElementType())
        v.setType(RankedTensorType::get(t.getShape(), e));
    };
    getOperation().walk([&](Operation *op) {
      for (Value r : op->getResults())
        makeSignless(r);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument a : block.getArguments())
            makeSignless(a);
    });
    // Views of stored integers as quantised (quant.scast) and of uint8 as
    // int8 (tensor.bitcast) now cast a type to itself.
    getOperation().walk([&](Operation *op) {
      if (isa<quant::StorageCastOp, tensor::BitcastOp>(op) &&
          op->getOperand(0).getType() == op->getResult(0).getType()) {
        op->getResult(0).replaceAllUsesWith(op->getOperand(0));
        op->erase();
      }
    });
    const LoweringTable &lowerings = graphToLinalgLowerings();
    for (Operation *op : ops) {
      auto replacement = lowerOp(lowerings, op, signs[op], quantTypes[op], panelLanes, panelWidth);
      if (failed(replacement)) {
        op->emitError() << "'" << op->getName() << "' cannot be compiled yet"
                        << (isa<PadOp>(op) ? " (negative pads)" : "");
        return signalPassFailure();
      }
      op->replaceAllUsesWith(*replacement);
      op->erase();
    }
    // Producers a lowering read through (a matmul's transposed B) are dead.
    getOperation().walk<WalkOrder::PostOrder, mlir::ReverseIterator>([](Operation *op) {
      if (isOpTriviallyDead(op))
        op->erase();
    });
    storeQuantisedAtBoundary(getOperation());
  }

  /// Quantised and unsigned arguments and results are passed as their
  /// stored integers (the C API sees int8/uint8); each result needs a
  /// buffer of its own.
  static void storeQuantisedAtBoundary(func::FuncOp fn) {
    OpBuilder b(fn.getContext());
    SmallVector<Type> args(fn.getBody().front().getArgumentTypes()), results;
    fn.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      // A value returned twice (ONNX outputs joined by Identity) is copied
      // for the second.
      llvm::SmallPtrSet<Value, 4> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        if (seen.insert(operand.get()).second)
          continue;
        auto t = llvm::cast<RankedTensorType>(operand.get().getType());
        Value empty = tensor::EmptyOp::create(b, ret.getLoc(), t.getShape(), t.getElementType());
        operand.set(linalg::CopyOp::create(b, ret.getLoc(), operand.get(), empty).getResult(0));
      }
      results.assign(ret->getOperandTypes().begin(), ret->getOperandTypes().end());
    });
    fn.setType(FunctionType::get(fn.getContext(), args, results));
  }
};

} // namespace
} // namespace graph_to_linalg

std::vector<std::string> graphOpsLoweredToLinalg() { return graph_to_linalg::graphToLinalgLowerings().opNames(); }

} // namespace edgec
