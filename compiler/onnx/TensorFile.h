//===- TensorFile.h - tensors in .pb and .npy files ------------*- C++ -*-===//
//
// The two file formats users hand edgec tensors in (`run --input`,
// `--calibration`): ONNX TensorProto (.pb, as in the ONNX test data) and
// numpy's .npy. The parsers take bytes, so the fuzzers (test/fuzz) call
// them as the file readers do; every failure is an error string, never a
// crash, whatever the bytes.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ONNX_TENSORFILE_H
#define EDGEC_COMPILER_ONNX_TENSORFILE_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgec::onnx_import {

/// A tensor read from a file.
struct TensorFile {
  std::string dtype; // numpy's name: "float32", "int64", ...
  std::vector<int64_t> shape;
  std::string bytes; // little endian, C order
};

/// A serialised ONNX TensorProto. False with `error` ("NAME: why") when the
/// bytes are not a TensorProto or its data does not fit its type and shape.
bool parseTensorProto(llvm::StringRef data, const std::string &name, TensorFile &out, std::string &error);

/// numpy's .npy format, versions 1 to 3, C order, the dtypes edgec takes
/// (float32/64, int8/32/64, uint8, bool). False with `error` otherwise.
bool parseNpy(llvm::StringRef data, const std::string &name, TensorFile &out, std::string &error);

/// Reads `path`: .npy by its extension, a TensorProto otherwise.
bool readTensorFile(const std::string &path, TensorFile &out, std::string &error);

} // namespace edgec::onnx_import

#endif
