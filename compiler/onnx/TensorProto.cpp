//===- TensorProto.cpp - ONNX tensors as constant attributes --------------===//
#include "compiler/onnx/NodeContext.h"
#include "compiler/onnx/TensorProto.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/ShapeInference.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstring>

using namespace mlir;

namespace edgec::onnx_import {

Type elementTypeFor(MLIRContext *ctx, int32_t t) {
  using TP = onnx::TensorProto;
  Builder b(ctx);
  switch (t) {
  case TP::FLOAT:
    return b.getF32Type();
  case TP::DOUBLE:
    return b.getF64Type();
  case TP::FLOAT16:
    return b.getF16Type();
  case TP::INT8:
    return b.getIntegerType(8);
  case TP::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case TP::INT16:
    return b.getIntegerType(16);
  case TP::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case TP::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case TP::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  case TP::INT32:
    return b.getIntegerType(32);
  case TP::INT64:
    return b.getIntegerType(64);
  case TP::BOOL:
    return b.getIntegerType(1);
  default:
    return {};
  }
}

namespace {
/// Copies `count` values of a typed repeated field into `bytes`, narrowing
/// each to `width` bytes (ONNX stores int8/int16/bool/f16 in int32_data).
template <typename Field>
void appendNarrowed(const Field &field, unsigned width, std::vector<char> &bytes) {
  for (auto v : field) {
    char buf[8] = {};
    std::memcpy(buf, &v, sizeof(v)); // little endian host: low bytes first
    bytes.insert(bytes.end(), buf, buf + width);
  }
}
} // namespace

unsigned elementBytes(int32_t onnxType) {
  using TP = onnx::TensorProto;
  switch (onnxType) {
  case TP::BOOL:
  case TP::INT8:
  case TP::UINT8:
    return 1;
  case TP::INT16:
  case TP::UINT16:
  case TP::FLOAT16:
    return 2;
  case TP::FLOAT:
  case TP::INT32:
  case TP::UINT32:
    return 4;
  case TP::DOUBLE:
  case TP::INT64:
  case TP::UINT64:
    return 8;
  default:
    return 0;
  }
}

std::string dataTypeName(int32_t onnxType) {
  if (!onnx::TensorProto::DataType_IsValid(onnxType))
    return std::to_string(onnxType);
  return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(onnxType));
}

FailureOr<std::string> tensorBytes(const onnx::TensorProto &t, Location loc) {
  unsigned width = elementBytes(t.data_type());
  if (!width)
    return emitError(loc) << "tensor '" << t.name() << "' has unsupported data type "
                          << dataTypeName(t.data_type());
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return emitError(loc) << "tensor '" << t.name()
                          << "' uses external data, which edgec does not read yet";
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  int64_t n = graph::numElements(shape);
  // 2^31 elements is past any edge model; refuse before allocating.
  if (n < 0 || n > (int64_t(1) << 31))
    return emitError(loc) << "tensor '" << t.name() << "' has an invalid or absurd shape";
  std::vector<char> bytes;
  if (t.has_raw_data()) {
    bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    int64_t count = t.float_data_size() + t.double_data_size() + t.int64_data_size() +
                    t.int32_data_size() + t.uint64_data_size();
    if (count != n)
      return emitError(loc) << "tensor '" << t.name() << "' holds " << count
                            << " values but its shape needs " << n;
    bytes.reserve(n * width);
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      appendNarrowed(t.float_data(), 4, bytes);
      break;
    case onnx::TensorProto::DOUBLE:
      appendNarrowed(t.double_data(), 8, bytes);
      break;
    case onnx::TensorProto::INT64:
      appendNarrowed(t.int64_data(), 8, bytes);
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      appendNarrowed(t.uint64_data(), width, bytes);
      break;
    default: // int32, int16, uint16, int8, uint8, bool, float16
      appendNarrowed(t.int32_data(), width, bytes);
      break;
    }
  }
  if (static_cast<int64_t>(bytes.size()) != n * width)
    return emitError(loc) << "tensor '" << t.name() << "' holds " << bytes.size()
                          << " bytes of data but its shape needs " << n * width;
  return std::string(bytes.begin(), bytes.end());
}

FailureOr<ElementsAttr> tensorToAttr(const onnx::TensorProto &t, MLIRContext *ctx,
                                     Location loc, StringRef resourceName) {
  Type element = elementTypeFor(ctx, t.data_type());
  if (!element)
    return emitError(loc) << "tensor '" << t.name() << "' has unsupported data type "
                          << dataTypeName(t.data_type());
  auto bytes = tensorBytes(t, loc);
  if (failed(bytes))
    return failure();
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  return graph::makeFromBytes(RankedTensorType::get(shape, element),
                              ArrayRef<char>(bytes->data(), bytes->size()), resourceName);
}

const char *numpyDtype(int32_t t) {
  using TP = onnx::TensorProto;
  switch (t) {
  case TP::FLOAT:
    return "float32";
  case TP::DOUBLE:
    return "float64";
  case TP::FLOAT16:
    return "float16";
  case TP::BOOL:
    return "bool";
  case TP::INT8:
    return "int8";
  case TP::UINT8:
    return "uint8";
  case TP::INT16:
    return "int16";
  case TP::UINT16:
    return "uint16";
  case TP::INT32:
    return "int32";
  case TP::UINT32:
    return "uint32";
  case TP::INT64:
    return "int64";
  case TP::UINT64:
    return "uint64";
  default:
    return "?";
  }
}

} // namespace edgec::onnx_import
