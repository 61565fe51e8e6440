//===- ExportEntry.cpp - the model function as the C entry point ----------===//
#include "passes/Passes.h"

namespace edgec {
#define GEN_PASS_DEF_EXPORTENTRYPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;

struct ExportEntryPass : impl::ExportEntryPassBase<ExportEntryPass> {
  using ExportEntryPassBase::ExportEntryPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main) {
      module.emitError("edgec-export-entry: no @main function");
      return signalPassFailure();
    }
    if (main.getNumResults() != 0) {
      main.emitError("edgec-export-entry: @main must write its results to out-params "
                     "(run buffer-results-to-out-params first)");
      return signalPassFailure();
    }
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn != main)
        fn.setPrivate();
    OpBuilder b(main.getContext());
    // The ONNX names were read into the C header; LLVM has no use for them.
    main.removeArgAttrsAttr();
    main.removeResAttrsAttr();
    main.setSymName(name + "_run");
    main.setType(b.getFunctionType(main.getArgumentTypes(), {b.getI32Type()}));
    main.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      Value ok = arith::ConstantIntOp::create(b, ret.getLoc(), 0, 32);
      ret->setOperands(ok);
    });
  }
};
} // namespace
} // namespace edgec
