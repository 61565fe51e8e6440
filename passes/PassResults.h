//===- PassResults.h - what passes leave for the compiler -------*- C++ -*-===//
//
// Passes report results (the arena plan, the kernels chosen, what went to
// the NPU) as discardable attributes on the ops they worked on; the
// compiler reads them back for the artifact's report after lowering (they
// survive the conversion to the LLVM dialect). Their names and types are
// here, once, with a setter for the pass and a getter for the reader.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_PASSES_PASSRESULTS_H
#define EDGEC_PASSES_PASSRESULTS_H

#include "mlir/IR/Operation.h"

#include <map>
#include <string>
#include <vector>

namespace edgec {

/// One buffer of the arena plan (edgec-plan-memory): where it lies and from
/// which op to which it lives (positions in the lowered function's body).
struct ArenaBuffer {
  int64_t offset = 0, bytes = 0, first = 0, last = 0;
  std::string node; // the ONNX node that made it, "" when unknown
};

/// edgec-plan-memory's result, on the function it planned.
struct ArenaPlan {
  int64_t bytes = 0;           // the arena
  int64_t naiveBytes = 0;      // every buffer in a place of its own
  int64_t lowerBoundBytes = 0; // the most bytes live at one op
  std::vector<ArenaBuffer> buffers;
};
void setArenaPlan(mlir::Operation *fn, const ArenaPlan &plan);
/// Zeros and no buffers when `fn` has none.
ArenaPlan getArenaPlan(mlir::Operation *fn);

/// edgec-vectorize-contractions' result, on the function: ONNX node -> the
/// register-blocked kernel(s) it became. Nodes without a name are left out.
void setKernels(mlir::Operation *fn, const std::map<std::string, std::string> &kernels);
std::map<std::string, std::string> getKernels(mlir::Operation *fn);

/// What edgec-npu-compile put in one npu.submit, on that op.
struct NpuSubmission {
  std::vector<std::string> layers; // ONNX nodes, in execution order
  std::vector<bool> chained;       // per layer: run band by band with its neighbours (docs/design/npu.md)
  int64_t macs = 0, sramBytes = 0, streamWords = 0, constantBytes = 0;
  int64_t scratchBytes = 0; // DRAM for maps that did not fit SRAM
};
void setNpuSubmission(mlir::Operation *submit, const NpuSubmission &s);
NpuSubmission getNpuSubmission(mlir::Operation *submit);
/// Whether `op` carries an NPU submission's summary.
bool isNpuSubmission(mlir::Operation *op);

/// Calibration's observed [min, max] of a value, on its defining op or as
/// an argument attribute (DenseF32ArrayAttr), for edgec-insert-qdq.
inline constexpr llvm::StringLiteral kRangeAttr = "edgec.range";

/// On a linalg.generic that decodes int4 or int8 weights (GraphToLinalg),
/// which edgec-fuse-elementwise must not fold back into float constants;
/// and on the graph.dequantize of int8 weights edgec-quantize-weights-int8
/// made, which lowers to such a generic.
inline constexpr llvm::StringLiteral kDecodeWeightsAttr = "edgec.decode_weights";

} // namespace edgec

#endif // EDGEC_PASSES_PASSRESULTS_H
