//===- fuzz_tensor_files.cpp - the .npy and .pb tensor readers ------------===//
//
// `edgec run --input` and `--calibration` read tensors users make: every
// input goes to both parsers, which must give a tensor whose bytes fit its
// shape, or an error.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/TensorFile.h"

#include <cstdlib>

using edgec::onnx_import::TensorFile;

static void check(bool ok, const TensorFile &t, const std::string &error) {
  if (!ok) {
    if (error.empty())
      std::abort(); // a failure must say why
    return;
  }
  // What the readers promise: the bytes are exactly the shape's elements.
  uint64_t elements = 1;
  for (int64_t d : t.shape) {
    if (d < 0)
      std::abort();
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements))
      std::abort(); // accepted a shape whose size does not exist
  }
  unsigned width = t.dtype == "float64" || t.dtype == "int64" || t.dtype == "uint64" ? 8
                   : t.dtype == "float32" || t.dtype == "int32" || t.dtype == "uint32" ? 4
                   : t.dtype == "float16" || t.dtype == "int16" || t.dtype == "uint16" ? 2
                                                                                         : 1;
  if (t.bytes.size() != elements * width)
    std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  TensorFile t;
  std::string error;
  check(edgec::onnx_import::parseNpy(bytes, "fuzz.npy", t, error), t, error);
  TensorFile p;
  error.clear();
  check(edgec::onnx_import::parseTensorProto(bytes, "fuzz.pb", p, error), p, error);
  return 0;
}
