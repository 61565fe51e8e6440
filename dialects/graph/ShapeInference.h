//===- ShapeInference.h - result types of graph ops ------------*- C++ -*-===//
//
// One function per kind of op. The templates adapt an op's ODS adaptor to the
// plain functions in ShapeInference.cpp, so the importer, the verifier and the
// builders share one implementation. Each function reports what is wrong
// through `loc` (when given) and fails; it never asserts on bad input.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_DIALECTS_GRAPH_SHAPEINFERENCE_H
#define EDGEC_DIALECTS_GRAPH_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/TypeRange.h"
#include "mlir/IR/ValueRange.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace edgec::graph {

using Loc = std::optional<mlir::Location>;
using Types = llvm::SmallVectorImpl<mlir::Type>;

struct ConvGeometry {
  llvm::ArrayRef<int64_t> kernel; // spatial kernel dims
  llvm::ArrayRef<int64_t> strides, pads, dilations;
  bool ceilMode = false;
};

mlir::LogicalResult inferBroadcastShape(Loc loc, mlir::Type lhs, mlir::Type rhs,
                                        llvm::SmallVectorImpl<int64_t> &shape);
mlir::LogicalResult inferBroadcastImpl(Loc loc, mlir::Type lhs, mlir::Type rhs,
                                       bool compare, Types &types);
mlir::LogicalResult inferCastImpl(Loc loc, mlir::Type input, mlir::Type to, Types &types);
mlir::LogicalResult inferMatMulImpl(Loc loc, mlir::Type lhs, mlir::Type rhs, Types &types);
mlir::LogicalResult inferGemmImpl(Loc loc, mlir::Type a, mlir::Type b, mlir::Type c,
                                  bool transA, bool transB, Types &types);
mlir::LogicalResult inferConvImpl(Loc loc, mlir::Type input, mlir::Type weight,
                                  mlir::Type bias, const ConvGeometry &geom,
                                  int64_t group, Types &types);
mlir::LogicalResult inferBatchNormImpl(Loc loc, mlir::Type input,
                                       llvm::ArrayRef<mlir::Type> params, Types &types);
mlir::LogicalResult inferLSTMImpl(Loc loc, mlir::Type x, mlir::Type w, mlir::Type r,
                                  mlir::Type b, mlir::Type h0, mlir::Type c0,
                                  int64_t hidden, llvm::StringRef direction, Types &types);
mlir::LogicalResult inferPoolImpl(Loc loc, mlir::Type input, const ConvGeometry &geom,
                                  Types &types);
mlir::LogicalResult inferGlobalPoolImpl(Loc loc, mlir::Type input, Types &types);
mlir::LogicalResult inferReduceImpl(Loc loc, mlir::Type input, llvm::ArrayRef<int64_t> axes,
                                    bool keepdims, Types &types);
mlir::LogicalResult inferReshapeImpl(Loc loc, mlir::Type input,
                                     llvm::ArrayRef<int64_t> shape, Types &types);
mlir::LogicalResult inferFlattenImpl(Loc loc, mlir::Type input, int64_t axis, Types &types);
mlir::LogicalResult inferSqueezeImpl(Loc loc, mlir::Type input,
                                     llvm::ArrayRef<int64_t> axes, Types &types);
mlir::LogicalResult inferUnsqueezeImpl(Loc loc, mlir::Type input,
                                       llvm::ArrayRef<int64_t> axes, Types &types);
mlir::LogicalResult inferTransposeImpl(Loc loc, mlir::Type input,
                                       llvm::ArrayRef<int64_t> perm, Types &types);
mlir::LogicalResult inferConcatImpl(Loc loc, mlir::TypeRange inputs, int64_t axis,
                                    Types &types);
mlir::LogicalResult inferSliceImpl(Loc loc, mlir::Type input, llvm::ArrayRef<int64_t> starts,
                                   llvm::ArrayRef<int64_t> ends,
                                   llvm::ArrayRef<int64_t> steps, Types &types);
mlir::LogicalResult inferGatherImpl(Loc loc, mlir::Type input, mlir::Type indices,
                                    int64_t axis, Types &types);
mlir::LogicalResult inferGatherElementsImpl(Loc loc, mlir::Type input, mlir::Type indices,
                                            int64_t axis, Types &types);
mlir::LogicalResult inferGatherNDImpl(Loc loc, mlir::Type input, mlir::Type indices, int64_t batchDims,
                                      Types &types);
mlir::LogicalResult inferScatterElementsImpl(Loc loc, mlir::Type input, mlir::Type indices,
                                             mlir::Type updates, int64_t axis,
                                             llvm::StringRef reduction, Types &types);
mlir::LogicalResult inferScatterNDImpl(Loc loc, mlir::Type input, mlir::Type indices,
                                       mlir::Type updates, llvm::StringRef reduction, Types &types);
mlir::LogicalResult inferPadImpl(Loc loc, mlir::Type input, llvm::ArrayRef<int64_t> pads,
                                 llvm::StringRef mode, Types &types);
mlir::LogicalResult inferGridSampleImpl(Loc loc, mlir::Type input, mlir::Type grid, llvm::StringRef mode,
                                        llvm::StringRef paddingMode, Types &types);
mlir::LogicalResult inferResizeImpl(Loc loc, mlir::Type input, llvm::ArrayRef<int64_t> sizes,
                                    llvm::ArrayRef<float> scales, llvm::StringRef mode,
                                    Types &types);
mlir::LogicalResult inferDequantizeImpl(Loc loc, mlir::Type input, Types &types);
mlir::LogicalResult inferWhereImpl(Loc loc, mlir::Type cond, mlir::Type lhs, mlir::Type rhs,
                                   Types &types);

/// Number of elements of a static shape, or -1 when it overflows int64.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

// --- Adaptor glue, instantiated by the ODS-generated inferReturnTypes. -----

inline mlir::Type typeOf(mlir::Value v) { return v ? v.getType() : mlir::Type(); }

template <typename A>
mlir::LogicalResult inferCast(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferCastImpl(loc, a.getInput().getType(), a.getTo(), types);
}
template <typename A>
mlir::LogicalResult inferBroadcast(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferBroadcastImpl(loc, a.getLhs().getType(), a.getRhs().getType(), false, types);
}
template <typename A>
mlir::LogicalResult inferCompare(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferBroadcastImpl(loc, a.getLhs().getType(), a.getRhs().getType(), true, types);
}
template <typename A>
mlir::LogicalResult inferMatMul(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferMatMulImpl(loc, a.getLhs().getType(), a.getRhs().getType(), types);
}
template <typename A>
mlir::LogicalResult inferGemm(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferGemmImpl(loc, a.getA().getType(), a.getB().getType(), typeOf(a.getC()),
                       a.getTransA(), a.getTransB(), types);
}
template <typename A>
mlir::LogicalResult inferConv(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  ConvGeometry g{{}, a.getStrides(), a.getPads(), a.getDilations(), false};
  return inferConvImpl(loc, a.getInput().getType(), a.getWeight().getType(),
                       typeOf(a.getBias()), g, static_cast<int64_t>(a.getGroup()), types);
}
template <typename A>
mlir::LogicalResult inferBatchNorm(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  mlir::Type params[] = {a.getScale().getType(), a.getBias().getType(),
                         a.getMean().getType(), a.getVariance().getType()};
  return inferBatchNormImpl(loc, a.getInput().getType(), params, types);
}
template <typename A>
mlir::LogicalResult inferLSTM(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferLSTMImpl(loc, a.getInput().getType(), a.getWeight().getType(),
                       a.getRecurrence().getType(), typeOf(a.getBias()),
                       typeOf(a.getInitialH()), typeOf(a.getInitialC()),
                       static_cast<int64_t>(a.getHiddenSize()), a.getDirection(), types);
}
template <typename A>
mlir::LogicalResult inferPool(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  ConvGeometry g{a.getKernelShape(), a.getStrides(), a.getPads(), a.getDilations(),
                 a.getCeilMode()};
  return inferPoolImpl(loc, a.getInput().getType(), g, types);
}
template <typename A>
mlir::LogicalResult inferGlobalPool(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferGlobalPoolImpl(loc, a.getInput().getType(), types);
}
template <typename A>
mlir::LogicalResult inferReduce(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferReduceImpl(loc, a.getInput().getType(), a.getAxes(), a.getKeepdims(), types);
}
/// ArgMax/ArgMin: the input's shape without `axis` (size 1 with keepdims),
/// int64 indices.
template <typename A>
mlir::LogicalResult inferArg(mlir::MLIRContext *ctx, Loc loc, A a, Types &types) {
  int64_t axis = static_cast<int64_t>(a.getAxis());
  if (mlir::failed(inferReduceImpl(loc, a.getInput().getType(), {axis}, a.getKeepdims(), types)))
    return mlir::failure();
  auto t = llvm::cast<mlir::RankedTensorType>(types.back());
  types.back() = mlir::RankedTensorType::get(t.getShape(), mlir::IntegerType::get(ctx, 64));
  return mlir::success();
}
mlir::LogicalResult inferTopKImpl(Loc loc, mlir::Type input, int64_t k, int64_t axis, Types &types);
template <typename A>
mlir::LogicalResult inferTopK(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferTopKImpl(loc, a.getInput().getType(), static_cast<int64_t>(a.getK()),
                       static_cast<int64_t>(a.getAxis()), types);
}
template <typename A>
mlir::LogicalResult inferReshape(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferReshapeImpl(loc, a.getInput().getType(), a.getShape(), types);
}
template <typename A>
mlir::LogicalResult inferFlatten(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferFlattenImpl(loc, a.getInput().getType(), static_cast<int64_t>(a.getAxis()),
                          types);
}
template <typename A>
mlir::LogicalResult inferSqueeze(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferSqueezeImpl(loc, a.getInput().getType(), a.getAxes(), types);
}
template <typename A>
mlir::LogicalResult inferUnsqueeze(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferUnsqueezeImpl(loc, a.getInput().getType(), a.getAxes(), types);
}
template <typename A>
mlir::LogicalResult inferTranspose(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferTransposeImpl(loc, a.getInput().getType(), a.getPerm(), types);
}
template <typename A>
mlir::LogicalResult inferConcat(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferConcatImpl(loc, mlir::ValueRange(a.getInputs()).getTypes(),
                         static_cast<int64_t>(a.getAxis()), types);
}
template <typename A>
mlir::LogicalResult inferSlice(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferSliceImpl(loc, a.getInput().getType(), a.getStarts(), a.getEnds(),
                        a.getSteps(), types);
}
mlir::LogicalResult inferUpdateSliceImpl(Loc loc, mlir::Type dest, mlir::Type source,
                                         llvm::ArrayRef<int64_t> offsets, Types &types);
template <typename A>
mlir::LogicalResult inferUpdateSlice(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferUpdateSliceImpl(loc, a.getDest().getType(), a.getSource().getType(), a.getOffsets(), types);
}
template <typename A>
mlir::LogicalResult inferGather(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferGatherImpl(loc, a.getInput().getType(), a.getIndices().getType(),
                         static_cast<int64_t>(a.getAxis()), types);
}
template <typename A>
mlir::LogicalResult inferGatherElements(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferGatherElementsImpl(loc, a.getInput().getType(), a.getIndices().getType(),
                                 static_cast<int64_t>(a.getAxis()), types);
}
template <typename A>
mlir::LogicalResult inferGatherND(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferGatherNDImpl(loc, a.getInput().getType(), a.getIndices().getType(),
                           static_cast<int64_t>(a.getBatchDims()), types);
}
template <typename A>
mlir::LogicalResult inferScatterElements(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferScatterElementsImpl(loc, a.getInput().getType(), a.getIndices().getType(),
                                  a.getUpdates().getType(), static_cast<int64_t>(a.getAxis()),
                                  a.getReduction(), types);
}
template <typename A>
mlir::LogicalResult inferScatterND(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferScatterNDImpl(loc, a.getInput().getType(), a.getIndices().getType(),
                            a.getUpdates().getType(), a.getReduction(), types);
}
template <typename A>
mlir::LogicalResult inferPad(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferPadImpl(loc, a.getInput().getType(), a.getPads(), a.getMode(), types);
}
template <typename A>
mlir::LogicalResult inferGridSample(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferGridSampleImpl(loc, a.getInput().getType(), a.getGrid().getType(), a.getMode(), a.getPaddingMode(),
                             types);
}
mlir::LogicalResult inferCompactIndicesImpl(Loc loc, mlir::Type mask, Types &types);
template <typename A>
mlir::LogicalResult inferCompactIndices(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferCompactIndicesImpl(loc, a.getMask().getType(), types);
}
mlir::LogicalResult inferNonMaxSuppressionImpl(Loc loc, mlir::Type boxes, mlir::Type scores, mlir::Type maxOut,
                                               mlir::Type iou, mlir::Type scoreThreshold, int64_t rowsPerClass,
                                               Types &types);
template <typename A>
mlir::LogicalResult inferNonMaxSuppression(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferNonMaxSuppressionImpl(loc, a.getBoxes().getType(), a.getScores().getType(),
                                    a.getMaxOutputBoxesPerClass().getType(), a.getIouThreshold().getType(),
                                    a.getScoreThreshold().getType(), static_cast<int64_t>(a.getRowsPerClass()),
                                    types);
}
template <typename A>
mlir::LogicalResult inferResize(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferResizeImpl(loc, a.getInput().getType(), a.getSizes(), a.getScales(),
                         a.getMode(), types);
}
template <typename A>
mlir::LogicalResult inferWhere(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferWhereImpl(loc, a.getCondition().getType(), a.getLhs().getType(),
                        a.getRhs().getType(), types);
}
template <typename A>
mlir::LogicalResult inferDequantize(mlir::MLIRContext *, Loc loc, A a, Types &types) {
  return inferDequantizeImpl(loc, a.getInput().getType(), types);
}

} // namespace edgec::graph

#endif // EDGEC_DIALECTS_GRAPH_SHAPEINFERENCE_H
