//===- LowerCopies.cpp - memref.copy as linalg.copy -----------------------===//
#include "passes/Passes.h"

namespace edgec {
#define GEN_PASS_DEF_LOWERCOPIESPASS
#include "passes/Passes.h.inc"

namespace {
struct LowerCopiesPass : impl::LowerCopiesPassBase<LowerCopiesPass> {
  void runOnOperation() override {
    getOperation().walk([](mlir::memref::CopyOp copy) {
      mlir::OpBuilder b(copy);
      mlir::linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace
} // namespace edgec
