//===- Artifact.h - the files a user links ---------------------*- C++ -*-===//
//
// out/
//   <name>.h          C API: <name>_run, arena size, shapes and dtypes
//   lib<name>.a       the object (kernels + weights in .rodata)
//   edgec_runtime.h   the versioned ABI header shared with runtime-stub/
//   manifest.json     target, triple, cpu, flags, model hash, sizes, ops
//   report.txt        per-op table and memory plan, for people
//
// Everything is written into a temporary directory next to `out` and
// renamed at the end, so a failure never leaves a half-written artifact.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ARTIFACT_H
#define EDGEC_COMPILER_ARTIFACT_H

#include "compiler/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>
#include <vector>

namespace edgec {

struct TensorInfo {
  std::string name;           // ONNX name
  std::vector<int64_t> shape;
  std::string dtype;          // "float32", "int64", ...
  std::string ctype;          // "float", "int64_t", ...
  int64_t bytes = 0;
  int64_t elements() const { // the product of the shape's dims
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  // An output of run-time size (NonZero, Compress, ...): sized for its
  // bound, with output `countOutput` (an int64 scalar) holding how many
  // rows along dim `boundedDim` hold data; -1 for other tensors.
  int64_t boundedDim = -1;
  int64_t countOutput = -1;
  // A state output (--state IN=OUT): the next value of input
  // `updatesInput`, which the caller may pass as the same buffer (updated
  // in place); -1 for other tensors.
  int64_t updatesInput = -1;
  // A string tensor (dtype "string", ctype char): each element is
  // stringBytes bytes, UTF-8 and NUL-padded; 0 for other tensors.
  int64_t stringBytes = 0;
  // Quantised per tensor (int8 I/O): real = scale * (stored - zeroPoint).
  bool quantised = false;
  double scale = 0;
  int64_t zeroPoint = 0;
};

struct OpReport {
  std::string op, node, type; // graph op, ONNX node, result type
  int64_t macs = 0;  // multiply-accumulates of conv/gemm/matmul/LSTM; 0 for other ops
  int64_t flops = 0; // arithmetic operations (flopsOf)
  int64_t weightBytes = 0, activationBytes = 0; // constants read; other operands read + results written
};

/// Arithmetic operations of a graph op from its static shapes: 2 per
/// multiply-accumulate of a conv, gemm, matmul or LSTM (integer ones too);
/// a pool's window per output element; none for ops that only move data
/// (reshape, transpose, concat, slice, gather, pad); one per output element
/// for every other op. A count for comparing models, not a cycle count.
int64_t flopsOf(mlir::Operation *op);

struct ArtifactInfo {
  std::string name, modelPath, modelSha256, flags;
  std::vector<TensorInfo> inputs, outputs;
  std::vector<OpReport> ops;
  std::map<std::string, int64_t> opCounts;
  int64_t weightBytes = 0;
};

/// The ONNX node an op was imported from (its name location), or "".
std::string nodeOf(mlir::Location loc);

/// Reads the signature, ops and weights of a graph module (before lowering).
ArtifactInfo describeGraph(mlir::ModuleOp graphModule);

/// A JSON string literal for `v`.
std::string jsonQuote(const std::string &v);

/// Hex SHA-256 of a file's bytes ("" if it cannot be read).
std::string sha256OfFile(const std::string &path);

/// Section sizes of an object file.
struct SectionSizes {
  int64_t text = 0, rodata = 0, data = 0, bss = 0;
};
SectionSizes sectionSizes(const std::vector<std::string> &objects); // summed

/// What a model takes of a board: flash for code, weights and initialised
/// data; RAM for the arena, data, bss and the stack of a run (0 when it is
/// not bounded; the caller's own stack comes on top).
struct MemoryNeed {
  uint64_t flash = 0, ram = 0;
};
MemoryNeed memoryNeed(const SectionSizes &sizes, const CompiledModel &compiled);

/// Writes the artifact directory; on failure prints why and leaves nothing.
mlir::LogicalResult writeArtifact(const std::string &outDir, const ArtifactInfo &info,
                                  const TargetInfo &target, const CompiledModel &compiled,
                                  mlir::Location loc);

} // namespace edgec

#endif
