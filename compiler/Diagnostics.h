//===- Diagnostics.h - how edgec prints diagnostics -----------*- C++ -*-===//
#ifndef EDGEC_COMPILER_DIAGNOSTICS_H
#define EDGEC_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include <string>

namespace edgec {

/// "model.onnx: node 'Conv_3' (Conv)" for importer locations, the plain
/// location otherwise.
std::string describeLocation(mlir::Location loc);

/// Prints every diagnostic as one line on stderr:
///   edgec: error: model.onnx: node 'Conv_3' (Conv): <message>
/// with colour only when stderr is a terminal (and NO_COLOR is unset).
class CliDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  explicit CliDiagnosticHandler(mlir::MLIRContext *ctx);
  unsigned errorCount() const { return errors; }

private:
  unsigned errors = 0;
  bool colour;
};

} // namespace edgec

#endif
