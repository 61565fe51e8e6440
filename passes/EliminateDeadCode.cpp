//===- EliminateDeadCode.cpp - erase unused side-effect-free ops ----------===//
#include "passes/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace edgec {
#define GEN_PASS_DEF_ELIMINATEDEADCODEPASS
#include "passes/Passes.h.inc"

namespace {
struct EliminateDeadCodePass : impl::EliminateDeadCodePassBase<EliminateDeadCodePass> {
  void runOnOperation() override { sweep(getOperation().getBody()); }

  // Users come after producers in a block, so one backward sweep erases
  // whole dead chains.
  void sweep(mlir::Region &region) {
    for (mlir::Block &block : region) {
      for (mlir::Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
        if (mlir::isOpTriviallyDead(&op)) {
          op.erase();
          continue;
        }
        for (mlir::Region &nested : op.getRegions())
          sweep(nested);
      }
    }
  }
};
} // namespace
} // namespace edgec
