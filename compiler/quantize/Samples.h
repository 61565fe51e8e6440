//===- Samples.h - calibration data from .npy and .pb files ----*- C++ -*-===//
//
// A calibration directory holds, for a model with one input, .npy or ONNX
// TensorProto .pb files, each one sample of the input's shape or a batch of
// samples along a leading dim (which may replace a leading batch dim of 1).
// For several inputs, one subdirectory per sample holds input_0.pb (or
// .npy), input_1.pb, ... as in the ONNX test data. Files are read in name
// order, so a directory always gives the same samples.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_SAMPLES_H
#define EDGEC_COMPILER_QUANTIZE_SAMPLES_H

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

/// A model input as the samples must match it.
struct InputSpec {
  std::string name;
  std::vector<int64_t> shape;
  std::string dtype; // numpy spelling: "float32", "int64", ...
  int64_t bytes = 0;
};

struct Sample {
  std::vector<std::string> inputs; // raw little-endian bytes per input
  std::string origin;              // file[index], for messages
};

/// Reads up to `limit` samples (all when 0) from `dir`. False with `error`
/// set when the directory is missing or empty, or a file is unreadable,
/// of another dtype or shape, or holds NaN or infinity.
bool readSamples(const std::string &dir, const std::vector<InputSpec> &inputs, int64_t limit,
                 std::vector<Sample> &samples, std::string &error);

} // namespace edgec

#endif
