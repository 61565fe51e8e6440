//===- ControlFlow.cpp - graph.if -> scf.if --------------------------------===//
//
// An If whose condition is only known at run time keeps both branches: the
// branch ops are lowered in place first (the pass visits nested ops before
// their parent), then graph.if becomes scf.if on the condition's one
// element and graph.yield becomes scf.yield. Bufferisation gives each
// branch's buffers; edgec-plan-memory places them in the one arena.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace edgec::graph_to_linalg {
namespace {

LoweringResult lowerIf(Lowering &l, IfOp op) {
  // The condition's one element (of any rank: [1] from a graph file).
  int64_t rank = typeOf(op.getCondition()).getRank();
  SmallVector<Value> origin(rank, arith::ConstantIndexOp::create(l.b, 0));
  Value cond = tensor::ExtractOp::create(l.b, op.getCondition(), origin);
  auto lowered = scf::IfOp::create(l.b, op.getResultTypes(), cond, /*withElseRegion=*/true);
  for (auto [from, to] : {std::pair{&op.getThenBranch(), &lowered.getThenRegion()},
                          std::pair{&op.getElseBranch(), &lowered.getElseRegion()}}) {
    to->takeBody(*from);
    auto yield = llvm::cast<YieldOp>(to->front().getTerminator());
    OpBuilder ob(yield);
    scf::YieldOp::create(ob, yield.getLoc(), yield.getValues());
    yield.erase();
  }
  return SmallVector<Value>(lowered.getResults());
}

} // namespace

void populateControlFlowLowerings(LoweringTable &table) {
  table.add<IfOp>([](IfOp op, LoweringInput &in) { return lowerIf(in.l, op); });
}

} // namespace edgec::graph_to_linalg
