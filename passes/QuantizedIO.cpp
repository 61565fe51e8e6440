//===- QuantizedIO.cpp - int8 inputs and outputs at the C API -------------===//
//
// A quantised model reads float inputs and quantises them first, and
// dequantises its outputs last. With int8 I/O (`edgec compile --io int8`)
// the caller passes and receives the stored integers instead: an argument
// used only by per-tensor `graph.quantize` ops of one type becomes that
// type, and a result made by a per-tensor `graph.dequantize` is returned
// before it. The header gives each such tensor's scale and zero point.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

namespace edgec {
#define GEN_PASS_DEF_QUANTIZEDIOPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

bool perTensor(Type t) {
  return llvm::isa<quant::UniformQuantizedType>(llvm::cast<RankedTensorType>(t).getElementType());
}

struct QuantizedIOPass : impl::QuantizedIOPassBase<QuantizedIOPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.getSymName() != "main" || fn.isExternal())
      return;
    Block &entry = fn.getBody().front();
    for (BlockArgument arg : entry.getArguments()) {
      if (arg.use_empty() || !llvm::all_of(arg.getUsers(), [](Operation *u) { return isa<QuantizeOp>(u); }))
        continue;
      Type to = (*arg.getUsers().begin())->getResult(0).getType();
      if (!perTensor(to) ||
          !llvm::all_of(arg.getUsers(), [&](Operation *u) { return u->getResult(0).getType() == to; }))
        continue;
      arg.setType(to);
      for (Operation *q : llvm::make_early_inc_range(arg.getUsers())) {
        q->getResult(0).replaceAllUsesWith(arg);
        q->erase();
      }
    }
    auto ret = llvm::cast<func::ReturnOp>(entry.getTerminator());
    for (OpOperand &operand : ret->getOpOperands())
      if (auto dq = operand.get().getDefiningOp<DequantizeOp>(); dq && perTensor(dq.getInput().getType())) {
        operand.set(dq.getInput());
        if (dq->use_empty())
          dq->erase();
      }
    fn.setType(FunctionType::get(&getContext(), entry.getArgumentTypes(), ret->getOperandTypes()));
  }
};
} // namespace
} // namespace edgec
