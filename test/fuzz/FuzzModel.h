//===- FuzzModel.h - what the model fuzzers run on each input --*- C++ -*-===//
//
// The compile command's front half on bytes: import them as an ONNX model
// (or read them as a graph-dialect .mlir) and, when that succeeds, lower the graph for a target to the LLVM dialect
// (what `edgec inspect` does; LLVM's own code generation is not ours to
// fuzz). Diagnostics are expected and dropped: only a crash, a sanitizer
// report, a leak, a timeout or running out of memory is a finding.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TEST_FUZZ_FUZZMODEL_H
#define EDGEC_TEST_FUZZ_FUZZMODEL_H

#include <cstddef>
#include <cstdint>

namespace edgec::fuzz {

/// Imports the model in `data` and lowers it for the target named by the
/// EDGEC_FUZZ_TARGET environment variable (host by default), or for none
/// when EDGEC_FUZZ_TARGET=none.
void importAndLower(const uint8_t *data, size_t size);

/// The same for a graph-dialect module (MLIR text or bytecode), as compile
/// and run read a .mlir model.
void importGraphAndLower(const uint8_t *data, size_t size);

} // namespace edgec::fuzz

#endif
