//===- VectorizeContractions.cpp - register-blocked conv/matmul kernels ---===//
//
// A linalg.generic on buffers whose body is `out + a * b` (conv, matmul,
// gemm as GraphToLinalg builds them) becomes a loop nest whose innermost
// block keeps `rows x vectors` accumulators in registers:
//
//   parallel loops: the other parallel dims; the "row" dim in steps of
//   `rows` (then the leftover rows); the vector dim in steps of
//   `vectors * lanes` (then whole vectors, then one masked vector)
//     acc[r][u] = out[i0 + r, j0 + u*lanes .. +lanes]
//     for the reduction dims, in their order
//       acc[r][u] += a(...) * b(...)     // vector load or broadcast
//     out[...] = acc
//
// The vector dim is the one that fills the lanes without gathering an
// operand lane by lane; the row dim is chosen so that the operand loaded
// as a vector is reused across rows (the output channel of a conv, the row
// of a matmul); the parallel loops the largest input depends on go outside.
// Each output element is still summed in the reduction loops' order, so
// results differ from the plain loops only where LLVM fuses the
// multiply-add (contract), which it does only where the cpu has FMA. With
// `vector-bits=0` the same blocking is done on scalars, which still keeps
// the accumulators in registers on MCUs.
//
// The elementwise generic that fills the output before the contraction (the
// bias) and the one that reads it right after (activation; an int8 conv's
// requantisation) are evaluated inside the block, on the accumulators in
// registers: the accumulator buffer is then neither written nor read, and
// is dropped (an int8 conv's int32 buffer is 4x its int8 result). The pass
// runs before memory planning, so the arena does not hold it either.
// docs/design/kernels.md has the details.
//
// This file is the pass; Match.cpp and Emit.cpp are its two halves
// (Contraction.h).
//
//===----------------------------------------------------------------------===//
#include "passes/PassResults.h"
#include "passes/Passes.h"
#include "passes/VectorizeContractions/Contraction.h"

#include <map>

namespace edgec {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONSPASS
#include "passes/Passes.h.inc"

using namespace mlir;
using namespace edgec::vectorize;

namespace {

/// For the artifact's report: "4x2 block, 8 lanes, sdot, +bias, +requant".
std::string describeKernel(const Contraction &c, unsigned rows, unsigned vectors) {
  std::string s = c.fold ? "pool" : c.row >= 0 ? std::to_string(rows) + "x" + std::to_string(vectors) + " block"
                                               : std::to_string(vectors) + "-vector block";
  s += c.lanes > 1 ? ", " + std::to_string(c.lanes) + " lanes" : ", scalar";
  if (!c.groupIntrinsic.empty())
    s += llvm::StringRef(c.groupIntrinsic).contains("sdot") ? ", sdot" : ", pmaddwd";
  // A pool's init is its identity, a bias-less contraction's a zero fill.
  if (c.init.op && !c.fold && !isa<linalg::FillOp>(c.init.op))
    s += ", +bias";
  if (c.epilogue.op)
    s += c.integer ? ", +requant" : ", +act";
  return s;
}

/// Erases `buffer` and its views once nothing reads or writes them.
void eraseUnused(Value buffer) {
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    for (Value r : user->getResults())
      eraseUnused(r);
  if (buffer.use_empty())
    if (Operation *def = buffer.getDefiningOp())
      if (def->use_empty())
        def->erase();
}

struct VectorizeContractionsPass
    : impl::VectorizeContractionsPassBase<VectorizeContractionsPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    llvm::DenseSet<Operation *> fusedAway; // erased with an earlier kernel
    // Per ONNX node, the kernels it became, for the artifact's report.
    std::map<std::string, std::string> kernels;
    for (linalg::GenericOp op : ops) {
      if (fusedAway.contains(op))
        continue;
      std::optional<Contraction> c = match(op, vectorBits);
      if (!c)
        continue;
      chooseGroup(*c, dotProduct);
      findInit(*c);
      findEpilogue(*c);
      // At the epilogue, whose result buffer is allocated after the
      // contraction; nothing in between touches memory.
      OpBuilder b(c->epilogue.op ? c->epilogue.op : op.getOperation());
      emitKernel(*c, std::max(1u, rows.getValue()), std::max(1u, vectors.getValue()), b);
      std::string node = onnxNodeName(op.getLoc());
      std::string &kernel = kernels[node];
      kernel += (kernel.empty() ? "" : "; ") + describeKernel(*c, std::max(1u, rows.getValue()),
                                                               std::max(1u, vectors.getValue()));
      // The bias and activation nodes it took in run inside its block.
      for (Operation *fused : {c->epilogue.op, c->init.op})
        if (fused)
          for (const std::string &other : onnxNodesIn(fused))
            if (other != node)
              kernels[other] = "in " + node + "'s kernel";
      Value acc = rootOf(op.getDpsInitOperand(0)->get());
      for (Operation *fused : {c->epilogue.op, c->init.op})
        if (fused) {
          fusedAway.insert(fused);
          fused->erase();
        }
      op.erase();
      if (c->epilogue.op)
        eraseUnused(acc);
    }
    setKernels(getOperation(), kernels);
  }
};

} // namespace
} // namespace edgec
