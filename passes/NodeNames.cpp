//===- NodeNames.cpp - the ONNX node an op came from ----------------------===//
#include "passes/Passes.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

namespace edgec {

std::string onnxNodeName(mlir::Location loc) {
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(loc))
    for (mlir::Location inner : fused.getLocations())
      if (std::string n = onnxNodeName(inner); !n.empty())
        return n;
  return "";
}

static void addNames(mlir::Location loc, std::set<std::string> &names) {
  if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(loc)) {
    for (mlir::Location inner : fused.getLocations())
      addNames(inner, names);
    return;
  }
  if (std::string n = onnxNodeName(loc); !n.empty())
    names.insert(n);
}

std::set<std::string> onnxNodesIn(mlir::Operation *op) {
  std::set<std::string> names;
  op->walk([&](mlir::Operation *inner) { addNames(inner->getLoc(), names); });
  return names;
}

} // namespace edgec
