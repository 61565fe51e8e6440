//===- TensorProto.h - bytes of ONNX tensors ------------------*- C++ -*-===//
#ifndef EDGEC_COMPILER_ONNX_TENSORPROTO_H
#define EDGEC_COMPILER_ONNX_TENSORPROTO_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include <onnx/onnx_pb.h>
#include <string>
#include <vector>

namespace edgec::onnx_import {

/// The little-endian bytes of a TensorProto's data, as its element type
/// stores them (bool and int8 one byte each), checked against its shape.
/// Reports through `loc` and fails for external data, unsupported types and
/// data that do not match the shape.
mlir::FailureOr<std::string> tensorBytes(const onnx::TensorProto &tensor, mlir::Location loc);

/// Bytes per element of an ONNX data type edgec supports (0 otherwise).
unsigned elementBytes(int32_t onnxType);

/// "FLOAT", "COMPLEX64", ...; the number for a value ONNX does not define.
std::string dataTypeName(int32_t onnxType);

/// numpy's name of an ONNX data type ("float32", "int64", ...), "?" for
/// others.
const char *numpyDtype(int32_t onnxType);

} // namespace edgec::onnx_import

#endif
