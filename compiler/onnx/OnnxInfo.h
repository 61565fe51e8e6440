//===- OnnxInfo.h - what an ONNX file holds, without importing it -*- C++ -*-===//
//
// `edgec inspect` lists every op type a model uses and whether edgec imports
// it, all at once: an import stops at the first op it lacks.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ONNX_ONNXINFO_H
#define EDGEC_COMPILER_ONNX_ONNXINFO_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgec::onnx_import {

struct OnnxOpUse {
  std::string opType, domain; // domain "" is the default (ai.onnx)
  std::string firstNode;      // name of the first node of this type
  int64_t count = 0;          // nodes, subgraphs (If branches) included
  bool supported = false;     // the importer has a builder for it
};

struct OnnxModelInfo {
  int64_t irVersion = 0, opset = -1; // default-domain opset as in the file
  std::string producer, graphName;
  bool converted = false; // the import converts the model to kTargetOpset
  int64_t nodes = 0, initializers = 0;
  std::vector<OnnxOpUse> ops; // in order of first use
};

/// Reads `path`'s header and op types; errors (no file, not ONNX) go to the
/// context's diagnostics.
mlir::LogicalResult readOnnxInfo(const std::string &path, mlir::MLIRContext &context,
                                 OnnxModelInfo &info);

} // namespace edgec::onnx_import

#endif
