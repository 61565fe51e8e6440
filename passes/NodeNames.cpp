//===- NodeNames.cpp - the ONNX node an op came from ----------------------===//
#include "passes/Passes.h"

#include "mlir/IR/Location.h"

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

} // namespace edgec
