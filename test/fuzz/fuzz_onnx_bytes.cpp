//===- fuzz_onnx_bytes.cpp - the importer on raw bytes --------------------===//
//
// libFuzzer's byte-level mutations of ONNX models: mostly not protobuf at
// all, or protobuf with broken fields; exercises the parse and the checks
// before the graph is built.
//
//===----------------------------------------------------------------------===//
#include "test/fuzz/FuzzModel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  edgec::fuzz::importAndLower(data, size);
  return 0;
}
