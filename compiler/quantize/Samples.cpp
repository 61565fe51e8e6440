//===- Samples.cpp - calibration data from .npy and .pb files -------------===//
#include "compiler/quantize/Samples.h"

#include "compiler/onnx/TensorProto.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgec {
namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "scalar" : s;
}

/// A tensor as read from a file: its dtype, shape and bytes.
struct Tensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

const char *dtypeOfDescr(llvm::StringRef descr) {
  static const std::pair<const char *, const char *> table[] = {
      {"<f4", "float32"}, {"<f8", "float64"}, {"<i8", "int64"}, {"<i4", "int32"},
      {"|i1", "int8"},    {"|u1", "uint8"},   {"|b1", "bool"}};
  for (auto [d, name] : table)
    if (descr == d)
      return name;
  return nullptr;
}

/// numpy's .npy format, versions 1 to 3, C order.
bool parseNpy(llvm::StringRef data, const std::string &path, Tensor &t, std::string &error) {
  if (!data.starts_with("\x93NUMPY") || data.size() < 10)
    return error = path + ": not a .npy file", false;
  unsigned major = static_cast<unsigned char>(data[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(data[8]) | (static_cast<unsigned char>(data[9]) << 8);
    offset = 10;
  } else {
    if (data.size() < 12)
      return error = path + ": truncated .npy header", false;
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | static_cast<unsigned char>(data[8 + i]);
    offset = 12;
  }
  if (offset + headerLen > data.size())
    return error = path + ": truncated .npy header", false;
  llvm::StringRef header = data.substr(offset, headerLen);
  auto field = [&](llvm::StringRef key) {
    size_t at = header.find(("'" + key + "':").str());
    return at == llvm::StringRef::npos ? llvm::StringRef() : header.substr(at + key.size() + 3).ltrim();
  };
  llvm::StringRef descr = field("descr");
  if (descr.size() < 2 || descr[0] != '\'')
    return error = path + ": .npy header has no dtype", false;
  descr = descr.drop_front().take_until([](char c) { return c == '\''; });
  const char *dtype = dtypeOfDescr(descr);
  if (!dtype)
    return error = fmt::format("{}: dtype '{}' is not supported (float32/64, int8/32/64, uint8, bool)", path,
                               descr.str()),
           false;
  if (field("fortran_order").starts_with("True"))
    return error = path + ": Fortran-ordered arrays are not supported (save with C order)", false;
  llvm::StringRef shape = field("shape");
  if (!shape.consume_front("("))
    return error = path + ": .npy header has no shape", false;
  shape = shape.take_until([](char c) { return c == ')'; });
  t.shape.clear();
  for (llvm::StringRef rest = shape; !rest.trim().empty();) {
    auto [head, tail] = rest.split(',');
    int64_t dim;
    if (head.trim().getAsInteger(10, dim) || dim < 0)
      return error = path + ": bad .npy shape (" + shape.str() + ")", false;
    t.shape.push_back(dim);
    rest = tail;
  }
  t.dtype = dtype;
  t.bytes = data.drop_front(offset + headerLen).str();
  int64_t elements = 1;
  for (int64_t d : t.shape)
    elements *= d;
  unsigned width = t.dtype == "float64" || t.dtype == "int64" ? 8 : t.dtype == "float32" || t.dtype == "int32" ? 4 : 1;
  if (static_cast<int64_t>(t.bytes.size()) != elements * width)
    return error = fmt::format("{}: {} bytes of data for shape [{}]", path, t.bytes.size(), shapeText(t.shape)),
           false;
  return true;
}

bool readTensor(const std::string &path, Tensor &t, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return error = path + ": cannot open: " + buffer.getError().message(), false;
  if (llvm::StringRef(path).ends_with(".npy"))
    return parseNpy((*buffer)->getBuffer(), path, t, error);
  onnx_import::TensorFile file;
  if (!onnx_import::readTensorProtoFile(path, file, error))
    return false;
  t = {file.dtype, std::move(file.shape), std::move(file.bytes)};
  return true;
}

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
        if (!readTensor(path, t, error) || !splitSamples(t, inputs[k], path, parts, error))
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
    if (!readTensor(entry, t, error) || !splitSamples(t, inputs[0], entry, parts, error))
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
