//===- OnnxImporter.h - ONNX model -> graph dialect -------------*- C++ -*-===//
//
// Reads an .onnx file with libonnx, refuses op types it lacks, runs ONNX's
// checker, version converter (to kTargetOpset) and shape inference in a
// child process, binds symbolic dims to the shapes the user gives, and
// emits one `func.func @main` of graph dialect ops.
//
// Errors are reported through the MLIRContext's diagnostic engine, located
// at the ONNX node (NameLoc "node" wrapping NameLoc "OpType") or the file,
// and the functions return null. They never throw or assert on bad input.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ONNX_ONNXIMPORTER_H
#define EDGEC_COMPILER_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
}

namespace edgec::onnx_import {

/// The opset every model is converted to before import.
constexpr int64_t kTargetOpset = 17;

struct ImportOptions {
  /// Full static shapes for graph inputs: name -> dims.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Values for symbolic dim names (e.g. batch=1), applied to every input.
  std::map<std::string, int64_t> dimValues;
  /// Graph inputs fixed to constant values (e.g. sr=16000); they leave the
  /// function signature and let `If` on them be resolved at import.
  std::map<std::string, std::vector<double>> inputValues;
  /// A string tensor [d0, ...] is bytes [d0, ..., stringBytes] (i8): each
  /// string UTF-8, NUL-padded (GraphImporter::isString).
  int64_t stringBytes = 64;
  /// Runs ONNX's checker, converter and shape inference in a child process,
  /// so that their crashes become diagnostics (OnnxIsolation.h). The
  /// fuzzers turn it off: they are there to find those crashes.
  bool isolateOnnx = true;
};

/// Dialects the importer's output uses.
void registerImportDialects(mlir::DialectRegistry &registry);

/// Imports the model at `path`.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(const std::string &path,
                                                 const ImportOptions &options,
                                                 mlir::MLIRContext &context);

/// Imports a serialised ModelProto; `name` is used in diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxBytes(const std::string &bytes,
                                                  const std::string &name,
                                                  const ImportOptions &options,
                                                  mlir::MLIRContext &context);

/// Expands every graph.onnx op of `module`'s @main (an ONNX node another
/// frontend wrote into a graph-dialect file) through the importer's op
/// table, as an ONNX model's node would be; fails with an error at the op
/// when one cannot be expanded or computes other types than it declares.
mlir::LogicalResult expandOnnxOps(mlir::ModuleOp module);

/// Parses "1x16x96" into dims; false on bad syntax.
bool parseShape(const std::string &text, std::vector<int64_t> &dims);
/// The other way: "1x16x96", "scalar" for rank 0, "?" for a dynamic dim.
std::string shapeText(llvm::ArrayRef<int64_t> dims);

} // namespace edgec::onnx_import

#endif
