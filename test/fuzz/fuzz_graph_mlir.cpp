//===- fuzz_graph_mlir.cpp - graph-dialect models read by compile and run --===//
//
// libFuzzer's byte-level mutations of graph-dialect modules (the .mlir the
// PyTorch importer writes and `edgec import` prints), with a dictionary of
// the op and attribute names: most inputs fail to parse, the rest reach the
// ops' verifiers and shape checks, the model checks of GraphFile.cpp and the
// lowering to the LLVM dialect.
//
//===----------------------------------------------------------------------===//
#include "test/fuzz/FuzzModel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  edgec::fuzz::importGraphAndLower(data, size);
  return 0;
}
