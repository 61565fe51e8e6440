//===- QuantUtils.h - int8 quantisation parameters --------------*- C++ -*-===//
//
// How edgec quantises: activations per-tensor asymmetric int8 over a range
// that always holds 0 exactly (so zero padding and ReLU are exact), weights
// symmetric int8 in [-127, 127] per output channel or per tensor, biases
// int32 at scale input_scale * weight_scale. Shared by the quantisation
// passes, the importer (QLinearConv) and the lowering.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_DIALECTS_GRAPH_QUANTUTILS_H
#define EDGEC_DIALECTS_GRAPH_QUANTUTILS_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>

namespace edgec::graph {

/// Per-tensor int8 type whose 256 steps cover [lo, hi] widened to hold 0.
mlir::quant::UniformQuantizedType activationType(mlir::MLIRContext *ctx, double lo, double hi);

/// Symmetric int8 weights: values in [-127, 127] and one scale per slice
/// along `axis`, or a single scale when axis < 0.
struct QuantisedWeights {
  llvm::SmallVector<int64_t> values;
  llvm::SmallVector<double> scales;
};
QuantisedWeights quantiseWeights(llvm::ArrayRef<float> weights, llvm::ArrayRef<int64_t> shape,
                                 int64_t axis);

/// The output-channel dim of a conv, gemm or matmul's constant weight
/// (operand 1), or nothing for other ops and batched matmul weights.
std::optional<int64_t> weightOutputAxis(mlir::Operation *op);

/// The storage type of symmetric weights with these scales (per-axis when
/// axis >= 0).
mlir::quant::QuantizedType weightType(mlir::MLIRContext *ctx, llvm::ArrayRef<double> scales,
                                      int64_t axis);

/// The scales of a uniform type: one per channel along its axis, or one.
llvm::SmallVector<double> scalesOf(mlir::quant::QuantizedType q);
/// The zero points, likewise.
llvm::SmallVector<int64_t> zeroPointsOf(mlir::quant::QuantizedType q);
/// The axis of a per-axis type; -1 when per-tensor.
int64_t axisOf(mlir::quant::QuantizedType q);
/// The same quantisation along another axis (per-axis types only change).
mlir::quant::QuantizedType withAxis(mlir::quant::QuantizedType q, int64_t axis);

/// A positive real multiplier as multiplier * 2^-shift with the multiplier
/// in [2^30, 2^31): the requantisation of an int32 accumulator,
/// (acc * multiplier + 2^(shift-1)) >> shift (see GraphToLinalg's
/// requantise for how the kernel computes it without 64-bit arithmetic). Fails
/// for multipliers of 2^30 and above (no such kernel makes sense).
struct FixedPointMultiplier {
  int64_t multiplier = 0;
  int64_t shift = 1;
};
bool toFixedPoint(double real, FixedPointMultiplier &out);

/// The requantisation of an int8 conv/matmul's accumulators, channel by
/// channel: multiplier and shift of in_scale * w_scale[c] / out_scale. Where
/// every multiplier keeps at least 16 significant bits at the smallest
/// shift, all channels share that shift (`oneShift`; their multipliers
/// rounded to it), so kernels shift by a constant. Every backend (the CPU
/// kernels, the NPU) applies exactly these values. Fails like toFixedPoint.
struct Requantisation {
  llvm::SmallVector<FixedPointMultiplier> channels; // one, or one per channel
  bool oneShift = false;
  int64_t commonShift = 62;
};
bool requantisationOf(double inScale, llvm::ArrayRef<double> weightScales, double outScale,
                      Requantisation &out);

} // namespace edgec::graph

#endif
