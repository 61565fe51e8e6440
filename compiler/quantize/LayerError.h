//===- LayerError.h - per-layer error of a quantised model -----*- C++ -*-===//
//
// Runs the float model and its quantised version side by side on samples
// and measures, for every tensor the quantised model stores as integers,
// how far it is from the float model's tensor of the same ONNX node: the
// signal-to-quantisation-noise ratio (SQNR, dB: 10 log10 of sum f^2 over
// sum (f - q)^2) and the largest absolute difference. The error is what the
// quantised model has accumulated up to that tensor, so the layer where
// SQNR falls most is the one that hurts.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_LAYERERROR_H
#define EDGEC_COMPILER_QUANTIZE_LAYERERROR_H

#include "compiler/quantize/Samples.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace edgec {

struct TensorError {
  std::string op, node, shape; // the quantised model's op, its ONNX node
  double signal = 0, noise = 0, maxAbs = 0;
  int64_t elements = 0;
  int64_t top1Agree = 0, top1Total = 0; // outputs only: argmax of the last dim
  double sqnrDb() const;
};

struct LayerErrorReport {
  std::vector<TensorError> layers, outputs;
  int64_t samples = 0;
};

/// `floatModule`: the optimised float graph; `quantModule`: a copy of it
/// after quantisation (same context, so ONNX node locations match).
mlir::FailureOr<LayerErrorReport> compareLayers(mlir::ModuleOp floatModule, mlir::ModuleOp quantModule,
                                                const std::vector<Sample> &samples);

} // namespace edgec

#endif
