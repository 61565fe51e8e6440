//===- Samples.cpp - calibration data from .npy and .pb files -------------===//
#include "compiler/quantize/Samples.h"

#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/TensorFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgec {
namespace {

using onnx_import::shapeText;
using Tensor = onnx_import::TensorFile;

/// Splits `t` into samples of `input`: one, or a batch along dim 0.
bool splitSamples(Tensor &t, const InputSpec &input, const std::string &path, std::vector<std::string> &out,
                  std::string &error) {
  if (t.dtype == "float64" && input.dtype == "float32") { // numpy's default float
    std::string f32(t.bytes.size() / 2, '\0');
    for (size_t i = 0; i < t.bytes.size() / 8; ++i) {
      double d;
      std::memcpy(&d, t.bytes.data() + 8 * i, 8);
      float f = static_cast<float>(d);
      std::memcpy(f32.data() + 4 * i, &f, 4);
    }
    t.bytes = std::move(f32);
    t.dtype = "float32";
  }
  if (t.dtype != input.dtype)
    return error = fmt::format("{}: {} data for input '{}', which is {}", path, t.dtype, input.name, input.dtype),
           false;
  const std::vector<int64_t> &s = t.shape, &want = input.shape;
  int64_t count = -1;
  if (s == want)
    count = 1;
  else if (s.size() == want.size() + 1 && std::equal(want.begin(), want.end(), s.begin() + 1))
    count = s[0];
  else if (!want.empty() && want[0] == 1 && s.size() == want.size() &&
           std::equal(want.begin() + 1, want.end(), s.begin() + 1))
    count = s[0];
  if (count < 0)
    return error = fmt::format("{}: shape [{}] does not fit input '{}' [{}] (one sample, or a batch of them "
                               "along dim 0)",
                               path, shapeText(s), input.name, shapeText(want)),
           false;
  for (int64_t i = 0; i < count; ++i)
    out.push_back(t.bytes.substr(i * input.bytes, input.bytes));
  return true;
}

std::vector<std::string> sortedEntries(const std::string &dir, std::error_code &ec) {
  std::vector<std::string> entries;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    entries.push_back(it->path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

bool isTensorFile(llvm::StringRef path) { return path.ends_with(".npy") || path.ends_with(".pb"); }

/// NaN or infinity in a float32 sample is an error: min/max would be meaningless.
bool checkFinite(const Sample &s, const std::vector<InputSpec> &inputs, std::string &error) {
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k].dtype != "float32")
      continue;
    const std::string &bytes = s.inputs[k];
    for (size_t i = 0; i < bytes.size() / 4; ++i) {
      float f;
      std::memcpy(&f, bytes.data() + 4 * i, 4);
      if (!std::isfinite(f))
        return error = fmt::format("{}: input '{}' holds {} at element {}; calibration data must be finite",
                                   s.origin, inputs[k].name, f, i),
               false;
    }
  }
  return true;
}

} // namespace

bool readSamples(const std::string &dir, const std::vector<InputSpec> &inputs, int64_t limit,
                 std::vector<Sample> &samples, std::string &error) {
  if (!llvm::sys::fs::is_directory(dir))
    return error = dir + ": not a directory (--calibration wants a directory of .npy or .pb files)", false;
  std::error_code ec;
  std::vector<std::string> entries = sortedEntries(dir, ec);
  if (ec)
    return error = dir + ": " + ec.message(), false;
  auto full = [&] { return limit > 0 && static_cast<int64_t>(samples.size()) >= limit; };
  for (const std::string &entry : entries) {
    if (full())
      break;
    if (llvm::sys::fs::is_directory(entry)) {
      // One sample: input_0 ... input_{n-1}.
      Sample s;
      s.origin = entry;
      for (size_t k = 0; k < inputs.size(); ++k) {
        std::string base = entry + "/input_" + std::to_string(k), path = base + ".pb";
        if (!llvm::sys::fs::exists(path))
          path = base + ".npy";
        if (!llvm::sys::fs::exists(path))
          return error = fmt::format("{}: no input_{}.pb or .npy for input '{}'", entry, k, inputs[k].name), false;
        Tensor t;
        std::vector<std::string> parts;
        if (!onnx_import::readTensorFile(path, t, error) || !splitSamples(t, inputs[k], path, parts, error))
          return false;
        if (parts.size() != 1)
          return error = path + ": a sample directory holds one sample per input", false;
        s.inputs.push_back(std::move(parts[0]));
      }
      if (!checkFinite(s, inputs, error))
        return false;
      samples.push_back(std::move(s));
      continue;
    }
    if (!isTensorFile(entry))
      continue;
    if (inputs.size() != 1)
      return error = fmt::format("{}: the model has {} inputs; put each sample in a subdirectory holding "
                                 "input_0.pb, input_1.pb, ...",
                                 entry, inputs.size()),
             false;
    Tensor t;
    std::vector<std::string> parts;
    if (!onnx_import::readTensorFile(entry, t, error) || !splitSamples(t, inputs[0], entry, parts, error))
      return false;
    for (size_t i = 0; i < parts.size() && !full(); ++i) {
      Sample s;
      s.origin = parts.size() == 1 ? entry : fmt::format("{}[{}]", entry, i);
      s.inputs.push_back(std::move(parts[i]));
      if (!checkFinite(s, inputs, error))
        return false;
      samples.push_back(std::move(s));
    }
  }
  if (samples.empty())
    return error = dir + ": no calibration samples (.npy or .pb files, or sample subdirectories)", false;
  return true;
}

} // namespace edgec
