//===- GraphFile.h - models given as graph-dialect MLIR ---------*- C++ -*-===//
//
// The second way into edgec beside ONNX: a module of graph-dialect ops in
// MLIR text or bytecode, as the PyTorch importer (compiler/torch) writes it.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_GRAPHFILE_H
#define EDGEC_COMPILER_GRAPHFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

#include <string>

namespace edgec {

/// A `.mlir` or `.mlirbc` file name.
bool isGraphFile(const std::string &path);

/// Parses `path` and checks it is a model: a function @main of statically
/// shaped tensors whose body holds graph ops only (and quant.scast). Errors (with their file
/// and line) go to the context's diagnostic handler; null on failure.
mlir::OwningOpRef<mlir::ModuleOp> importGraphFile(const std::string &path, mlir::MLIRContext &context);
/// The same for text or bytecode in memory, named by the buffer's
/// identifier (the fuzzers call it as the file reader does).
mlir::OwningOpRef<mlir::ModuleOp> importGraphBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                                    mlir::MLIRContext &context);

} // namespace edgec

#endif // EDGEC_COMPILER_GRAPHFILE_H
