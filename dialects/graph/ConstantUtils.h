//===- ConstantUtils.h - reading and making constant tensors ---*- C++ -*-===//
//
// Weights are dense resource attributes; small constants (shape arithmetic,
// scalars) are plain dense attributes so printed IR stays readable. These
// helpers hide the difference from folders, passes and the importer.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_DIALECTS_GRAPH_CONSTANTUTILS_H
#define EDGEC_DIALECTS_GRAPH_CONSTANTUTILS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace edgec::graph {

/// Constants with at least this many elements are stored as dense resources.
constexpr int64_t kResourceThreshold = 16;

/// The constant value of `v` if it is produced by a constant-like op.
mlir::ElementsAttr getConstant(mlir::Value v);
/// The same, seen through a view of stored integers as quantised
/// (quant.scast of a constant).
mlir::ElementsAttr getStoredConstant(mlir::Value v);

/// Reads f32 elements (dense or resource). False for other element types.
bool readFloats(mlir::ElementsAttr attr, llvm::SmallVectorImpl<float> &out);
/// Reads integer or i1 elements as int64 (unsigned types zero-extended).
bool readInts(mlir::ElementsAttr attr, llvm::SmallVectorImpl<int64_t> &out);

/// Makes an f32 constant: dense resource when large, dense otherwise.
/// `name` is the resource key hint (made unique by the context).
mlir::ElementsAttr makeFloats(mlir::RankedTensorType type, llvm::ArrayRef<float> values,
                              llvm::StringRef name = "folded");
/// Makes an integer (or i1) constant from int64 values, truncating to the
/// element width.
mlir::ElementsAttr makeInts(mlir::RankedTensorType type, llvm::ArrayRef<int64_t> values,
                            llvm::StringRef name = "folded");
/// Makes a constant from raw little-endian bytes of `type`'s element type.
mlir::ElementsAttr makeFromBytes(mlir::RankedTensorType type, llvm::ArrayRef<char> bytes,
                                 llvm::StringRef name);
/// A resource constant MLIR's LLVM lowering cannot take as one (a scalar
/// or small one, whose global's initial value it reads as a splat, or an
/// i1 one) made dense; any other constant as it is. (A graph-dialect file
/// written by another tool may hold them: edgec-torch's -inf scalar.)
mlir::ElementsAttr denseIfSmall(mlir::ElementsAttr attr);
/// The same data viewed with another shape of equal element count, or with
/// another element type of the same width (e.g. ui8 as i8).
mlir::ElementsAttr reshapeConstant(mlir::ElementsAttr attr, mlir::RankedTensorType type);

/// A constant of `type` whose element i is element `index[i]` of `src`
/// (f32 or integer elements; null otherwise).
mlir::ElementsAttr gatherElements(mlir::ElementsAttr src, llvm::ArrayRef<int64_t> index,
                                  mlir::RankedTensorType type);
/// `src` with its dims permuted: result dim i is `src` dim `perm[i]`.
mlir::ElementsAttr transposeConstant(mlir::ElementsAttr src, llvm::ArrayRef<int64_t> perm);

/// Index `i` into a dim of `dim` elements, negative counting from the end
/// (numpy's, ONNX's Gather and Scatter): its position, or nothing when out
/// of range.
std::optional<int64_t> normaliseIndex(int64_t i, int64_t dim);
/// The position a constant single index (a scalar or one element: x[k] as
/// PyTorch exports it, a layer of a stacked KV cache) selects along a dim of
/// `dim` elements; nothing when `indices` is not such a constant or is out
/// of range.
std::optional<int64_t> oneConstantIndex(mlir::Value indices, int64_t dim);

/// Whether `perm` swaps the last two dims and keeps the others (a batched
/// matrix transpose: attention's K^T).
bool swapsLastTwoDims(llvm::ArrayRef<int64_t> perm);

/// Row-major strides of a static shape.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

} // namespace edgec::graph

#endif
