//===- ExportEntry.cpp - the model function as the C entry point ----------===//
#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace edgec {
#define GEN_PASS_DEF_EXPORTENTRYPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;

/// A tensor of no elements and rank > 1 (3x0x5) is taken as memref<0xT>
/// and expanded back inside: MLIR's bare-pointer convention refuses the
/// multi-dimensional empty memref (it cannot prove it contiguous), and the
/// caller passes no data for it anyway.
void passEmptyTensorsFlat(func::FuncOp fn) {
  Block &entry = fn.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() != 0 || type.getRank() < 2 ||
        !type.getLayout().isIdentity())
      continue;
    arg.setType(MemRefType::get({0}, type.getElementType()));
    SmallVector<ReassociationIndices> all(1);
    for (int64_t d = 0; d < type.getRank(); ++d)
      all[0].push_back(d);
    auto expanded = memref::ExpandShapeOp::create(b, fn.getLoc(), type, arg, all);
    arg.replaceAllUsesExcept(expanded.getResult(), expanded);
  }
}

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
    passEmptyTensorsFlat(main);
    main.setType(b.getFunctionType(main.getBody().front().getArgumentTypes(), {b.getI32Type()}));
    main.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      Value ok = arith::ConstantIntOp::create(b, ret.getLoc(), 0, 32);
      ret->setOperands(ok);
    });
  }
};
} // namespace
} // namespace edgec
