//===- ConstantUtils.cpp - reading and making constant tensors -----------===//
#include "dialects/graph/ConstantUtils.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include <cstring>

using namespace mlir;

namespace edgec::graph {

ElementsAttr getConstant(Value v) {
  ElementsAttr attr;
  if (v && matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

ElementsAttr getStoredConstant(Value v) {
  if (auto view = v ? v.getDefiningOp<quant::StorageCastOp>() : nullptr)
    v = view.getInput();
  return getConstant(v);
}

/// Raw little-endian bytes of a resource constant, or empty when its blob is
/// not available (for example elided in printed IR).
static std::optional<ArrayRef<char>> resourceBytes(ElementsAttr attr) {
  auto res = llvm::dyn_cast<DenseResourceElementsAttr>(attr);
  if (!res)
    return std::nullopt;
  AsmResourceBlob *blob = res.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  return blob->getData();
}

static unsigned storageBytes(Type element) {
  if (element.isInteger(1))
    return 1;
  return (element.getIntOrFloatBitWidth() + 7) / 8;
}

bool readFloats(ElementsAttr attr, SmallVectorImpl<float> &out) {
  if (!attr || !attr.getElementType().isF32())
    return false;
  out.clear();
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    llvm::append_range(out, dense.getValues<float>());
    return true;
  }
  auto bytes = resourceBytes(attr);
  int64_t n = attr.getNumElements();
  if (!bytes || static_cast<int64_t>(bytes->size()) != n * 4)
    return false;
  out.resize(n);
  std::memcpy(out.data(), bytes->data(), n * 4);
  return true;
}

bool readInts(ElementsAttr attr, SmallVectorImpl<int64_t> &out) {
  if (!attr || !llvm::isa<IntegerType>(attr.getElementType()))
    return false;
  auto intType = llvm::cast<IntegerType>(attr.getElementType());
  bool zext = intType.isUnsigned() || intType.getWidth() == 1;
  out.clear();
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      out.push_back(zext ? static_cast<int64_t>(v.getZExtValue()) : v.getSExtValue());
    return true;
  }
  auto bytes = resourceBytes(attr);
  int64_t n = attr.getNumElements();
  unsigned width = storageBytes(intType);
  if (!bytes || static_cast<int64_t>(bytes->size()) != n * width)
    return false;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, bytes->data() + i * width, width); // little endian host
    unsigned bits = intType.getWidth() == 1 ? 8 : intType.getWidth();
    APInt v(bits, raw);
    out.push_back(zext ? static_cast<int64_t>(v.getZExtValue()) : v.getSExtValue());
  }
  return true;
}

ElementsAttr makeFromBytes(RankedTensorType type, ArrayRef<char> bytes, StringRef name) {
  Type element = type.getElementType();
  // i1 stays dense however large: MLIR's LLVM lowering has no conversion
  // for a resource blob of i1 (a Trilu mask of 16+ elements failed there).
  if (type.getNumElements() >= kResourceThreshold && !element.isInteger(1)) {
    unsigned align = std::max<unsigned>(storageBytes(element), 1);
    return DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, align));
  }
  if (element.isInteger(1)) {
    SmallVector<bool> bools;
    for (char c : bytes)
      bools.push_back(c != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(bools));
  }
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

ElementsAttr denseIfSmall(ElementsAttr attr) {
  auto type = llvm::dyn_cast<RankedTensorType>(attr.getType());
  std::optional<ArrayRef<char>> bytes = resourceBytes(attr);
  if (!type || !bytes || (type.getNumElements() >= kResourceThreshold && !type.getElementType().isInteger(1)))
    return attr;
  if (static_cast<int64_t>(bytes->size()) != type.getNumElements() * storageBytes(type.getElementType()))
    return attr; // malformed: left to the verifier and the lowering to report
  return makeFromBytes(type, *bytes, "small");
}

ElementsAttr makeFloats(RankedTensorType type, ArrayRef<float> values, StringRef name) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()), values.size() * 4);
  return makeFromBytes(type, bytes, name);
}

ElementsAttr makeInts(RankedTensorType type, ArrayRef<int64_t> values, StringRef name) {
  unsigned width = storageBytes(type.getElementType());
  std::vector<char> bytes(values.size() * width);
  for (size_t i = 0; i < values.size(); ++i)
    std::memcpy(bytes.data() + i * width, &values[i], width); // little endian host
  return makeFromBytes(type, bytes, name);
}

ElementsAttr reshapeConstant(ElementsAttr attr, RankedTensorType type) {
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.getElementType() != type.getElementType()) {
      if (!dense.getElementType().isIntOrFloat() ||
          dense.getElementType().getIntOrFloatBitWidth() != type.getElementType().getIntOrFloatBitWidth())
        return {};
      dense = dense.bitcast(type.getElementType());
    }
    return dense.reshape(type);
  }
  if (auto res = llvm::dyn_cast<DenseResourceElementsAttr>(attr))
    return DenseResourceElementsAttr::get(type, res.getRawHandle());
  return {};
}

std::optional<int64_t> normaliseIndex(int64_t i, int64_t dim) {
  if (i < -dim || i >= dim)
    return std::nullopt;
  return i < 0 ? i + dim : i;
}

std::optional<int64_t> oneConstantIndex(Value indices, int64_t dim) {
  SmallVector<int64_t> index;
  if (llvm::cast<RankedTensorType>(indices.getType()).getRank() > 1 || !readInts(getConstant(indices), index) ||
      index.size() != 1)
    return std::nullopt;
  return normaliseIndex(index[0], dim);
}

bool swapsLastTwoDims(ArrayRef<int64_t> perm) {
  int64_t r = static_cast<int64_t>(perm.size());
  if (r < 2 || perm[r - 2] != r - 1 || perm[r - 1] != r - 2)
    return false;
  for (int64_t i = 0; i < r - 2; ++i)
    if (perm[i] != i)
      return false;
  return true;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Builds a constant of `type` whose element i is element `index[i]` of `src`.
ElementsAttr gatherElements(ElementsAttr src, ArrayRef<int64_t> index, RankedTensorType type) {
  SmallVector<float> f;
  SmallVector<int64_t> i;
  if (readFloats(src, f)) {
    SmallVector<float> out;
    for (int64_t k : index)
      out.push_back(f[k]);
    return makeFloats(type, out);
  }
  if (readInts(src, i)) {
    SmallVector<int64_t> out;
    for (int64_t k : index)
      out.push_back(i[k]);
    return makeInts(type, out);
  }
  return {};
}

ElementsAttr transposeConstant(ElementsAttr src, ArrayRef<int64_t> perm) {
  auto inType = llvm::cast<RankedTensorType>(src.getType());
  SmallVector<int64_t> outShape;
  for (int64_t p : perm)
    outShape.push_back(inType.getDimSize(p));
  auto outType = RankedTensorType::get(outShape, inType.getElementType());
  SmallVector<int64_t> inStrides = stridesOf(inType.getShape());
  // Output element at position pos reads input position pos[perm^-1].
  SmallVector<int64_t> srcStrides;
  for (int64_t p : perm)
    srcStrides.push_back(inStrides[p]);
  SmallVector<int64_t> index;
  SmallVector<int64_t> pos(perm.size(), 0);
  for (int64_t k = 0, n = outType.getNumElements(); k < n; ++k) {
    int64_t at = 0;
    for (size_t d = 0; d < pos.size(); ++d)
      at += pos[d] * srcStrides[d];
    index.push_back(at);
    for (int64_t d = static_cast<int64_t>(pos.size()) - 1; d >= 0; --d) {
      if (++pos[d] < outShape[d])
        break;
      pos[d] = 0;
    }
  }
  return gatherElements(src, index, outType);
}

} // namespace edgec::graph
