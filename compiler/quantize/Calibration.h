//===- Calibration.h - ranges of a float model's tensors -------*- C++ -*-===//
//
// Runs the float graph on calibration samples, on this machine, and records
// each tensor's range as an `edgec.range` = [min, max] attribute on the op
// that makes it (or on the function argument) for edgec-insert-qdq.
//
// The model is compiled for the host with every float tensor as an extra
// output (so none is fused away) and run in-process (HostJit). Observers:
//   minmax      the smallest and largest value seen;
//   percentile  the p-th and (100-p)-th percentiles (default p = 99.99):
//               rare outliers no longer stretch the int8 steps;
//   mse         the range whose int8 rounding and clipping error over the
//               seen values is smallest.
// percentile and mse use a 2048-bin histogram per tensor over its min/max,
// filled in a second run over the samples.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_CALIBRATION_H
#define EDGEC_COMPILER_QUANTIZE_CALIBRATION_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>

namespace edgec {

enum class Observer { MinMax, Percentile, Mse };

/// "minmax", "percentile" or "mse"; false for anything else.
bool parseObserver(const std::string &text, Observer &out);

struct CalibrationOptions {
  std::string dir;           // see Samples.h for its layout
  Observer observer = Observer::MinMax;
  double percentile = 99.99; // for Observer::Percentile
  int64_t maxSamples = 0;    // 0: every sample in the directory
  bool progress = true;      // print what it does to stderr
};

struct CalibrationReport {
  int64_t samples = 0, tensors = 0;
  double compileSeconds = 0, runSeconds = 0;
};

/// Annotates `module` (graph dialect, optimised, one @main). Errors (bad
/// samples, a failing run) are emitted on the module's context.
mlir::LogicalResult calibrate(mlir::ModuleOp module, const CalibrationOptions &options,
                              CalibrationReport &report);

} // namespace edgec

#endif
