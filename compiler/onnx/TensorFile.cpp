//===- TensorFile.cpp - tensors in .pb and .npy files ---------------------===//
#include "compiler/onnx/TensorFile.h"

#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/TensorProto.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fmt/format.h>

using namespace mlir;

namespace edgec::onnx_import {

namespace {
const char *dtypeOfDescr(llvm::StringRef descr) {
  static const std::pair<const char *, const char *> table[] = {
      {"<f4", "float32"}, {"<f8", "float64"}, {"<i8", "int64"}, {"<i4", "int32"},
      {"|i1", "int8"},    {"|u1", "uint8"},   {"|b1", "bool"}};
  for (auto [d, name] : table)
    if (descr == d)
      return name;
  return nullptr;
}
} // namespace

bool parseTensorProto(llvm::StringRef data, const std::string &name, TensorFile &out, std::string &error) {
  onnx::TensorProto tensor;
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !tensor.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return error = name + ": not an ONNX TensorProto", false;
  MLIRContext ctx;
  std::string diagnostic;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diagnostic = d.str();
    return success();
  });
  auto bytes = tensorBytes(tensor, FileLineColLoc::get(&ctx, name, 0, 0));
  if (failed(bytes))
    return error = name + ": " + diagnostic, false;
  out.dtype = numpyDtype(tensor.data_type());
  out.shape.assign(tensor.dims().begin(), tensor.dims().end());
  out.bytes = std::move(*bytes);
  return true;
}

bool parseNpy(llvm::StringRef data, const std::string &name, TensorFile &t, std::string &error) {
  if (!data.starts_with("\x93NUMPY") || data.size() < 10)
    return error = name + ": not a .npy file", false;
  unsigned major = static_cast<unsigned char>(data[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(data[8]) | (static_cast<unsigned char>(data[9]) << 8);
    offset = 10;
  } else {
    if (data.size() < 12)
      return error = name + ": truncated .npy header", false;
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | static_cast<unsigned char>(data[8 + i]);
    offset = 12;
  }
  if (offset + headerLen > data.size())
    return error = name + ": truncated .npy header", false;
  llvm::StringRef header = data.substr(offset, headerLen);
  auto field = [&](llvm::StringRef key) {
    size_t at = header.find(("'" + key + "':").str());
    return at == llvm::StringRef::npos ? llvm::StringRef() : header.substr(at + key.size() + 3).ltrim();
  };
  llvm::StringRef descr = field("descr");
  if (descr.size() < 2 || descr[0] != '\'')
    return error = name + ": .npy header has no dtype", false;
  descr = descr.drop_front().take_until([](char c) { return c == '\''; });
  const char *dtype = dtypeOfDescr(descr);
  if (!dtype)
    return error = fmt::format("{}: dtype '{}' is not supported (float32/64, int8/32/64, uint8, bool)", name,
                               descr.str()),
           false;
  if (field("fortran_order").starts_with("True"))
    return error = name + ": Fortran-ordered arrays are not supported (save with C order)", false;
  llvm::StringRef shape = field("shape");
  if (!shape.consume_front("("))
    return error = name + ": .npy header has no shape", false;
  shape = shape.take_until([](char c) { return c == ')'; });
  t.shape.clear();
  for (llvm::StringRef rest = shape; !rest.trim().empty();) {
    auto [head, tail] = rest.split(',');
    int64_t dim;
    if (head.trim().getAsInteger(10, dim) || dim < 0)
      return error = name + ": bad .npy shape (" + shape.str() + ")", false;
    t.shape.push_back(dim);
    rest = tail;
  }
  t.dtype = dtype;
  t.bytes = data.drop_front(offset + headerLen).str();
  // The size in checked arithmetic: a header's dims can be anything
  // (found by fuzz_tensor_files).
  int64_t size = t.dtype == "float64" || t.dtype == "int64" ? 8 : t.dtype == "float32" || t.dtype == "int32" ? 4 : 1;
  for (int64_t d : t.shape)
    if (llvm::MulOverflow(size, d, size))
      return error = name + ": .npy shape (" + shape.str() + ") is too large", false;
  if (static_cast<int64_t>(t.bytes.size()) != size)
    return error = fmt::format("{}: {} bytes of data for shape [{}]", name, t.bytes.size(), shapeText(t.shape)),
           false;
  return true;
}

bool readTensorFile(const std::string &path, TensorFile &out, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return error = path + ": cannot open: " + buffer.getError().message(), false;
  return llvm::StringRef(path).ends_with(".npy") ? parseNpy((*buffer)->getBuffer(), path, out, error)
                                                 : parseTensorProto((*buffer)->getBuffer(), path, out, error);
}

} // namespace edgec::onnx_import
