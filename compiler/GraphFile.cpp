//===- GraphFile.cpp - models given as graph-dialect MLIR -----------------===//

#include "GraphFile.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"

namespace edgec {

using namespace mlir;

bool isGraphFile(const std::string &path) {
  llvm::StringRef p(path);
  return p.ends_with(".mlir") || p.ends_with(".mlirbc");
}

OwningOpRef<ModuleOp> importGraphFile(const std::string &path, MLIRContext &context) {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  if (!llvm::sys::fs::exists(path)) {
    emitError(fileLoc) << "no such file";
    return nullptr;
  }
  context.loadDialect<graph::GraphDialect, func::FuncDialect, quant::QuantDialect>();
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, &context);
  if (!module)
    return nullptr; // the parser said where
  auto main = module->lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal()) {
    emitError(fileLoc) << "no function @main: a graph-dialect model is a module with `func.func @main`";
    return nullptr;
  }
  auto staticTensor = [](Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return ranked && ranked.hasStaticShape();
  };
  for (Type t : main.getFunctionType().getInputs())
    if (!staticTensor(t)) {
      emitError(main.getLoc()) << "@main takes " << t << ": model inputs are tensors of static shape";
      return nullptr;
    }
  for (Type t : main.getFunctionType().getResults())
    if (!staticTensor(t)) {
      emitError(main.getLoc()) << "@main returns " << t << ": model outputs are tensors of static shape";
      return nullptr;
    }
  WalkResult walk = main.walk([&](Operation *op) {
    // quant.scast types a quantised constant, as the ONNX importer does.
    if (op == main.getOperation() || isa<graph::GraphDialect>(op->getDialect()) || isa<func::ReturnOp>(op) ||
        isa<quant::StorageCastOp>(op))
      return WalkResult::advance();
    op->emitError() << "'" << op->getName() << "' is not a graph-dialect op; edgec compiles models of graph ops";
    return WalkResult::interrupt();
  });
  if (walk.wasInterrupted())
    return nullptr;
  return module;
}

} // namespace edgec
