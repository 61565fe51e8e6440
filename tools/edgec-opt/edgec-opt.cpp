//===- edgec-opt.cpp - MlirOptMain with edgec's dialects and passes -------===//
#include "dialects/graph/GraphOps.h"
#include "targets/TargetInfo.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  // Every upstream dialect and pass too: researchers compose edgec's passes
  // with MLIR's.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<edgec::graph::GraphDialect>();
  // Target plug-ins' dialects and passes (the NPU's).
  edgec::registerTargetExtensions(registry);
  mlir::registerAllPasses();
  edgec::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "edgec optimizer driver\n", registry));
}
