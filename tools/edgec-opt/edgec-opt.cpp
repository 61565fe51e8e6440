//===- edgec-opt.cpp - MlirOptMain with edgec's dialects and passes -------===//
#include "dialects/graph/GraphOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<edgec::graph::GraphDialect, mlir::func::FuncDialect,
                  mlir::quant::QuantDialect>();
  edgec::registerAllPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "edgec optimizer driver\n", registry));
}
