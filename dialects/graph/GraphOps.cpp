//===- GraphOps.cpp - graph dialect op verifiers --------------------------===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"

#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace edgec::graph;

#define GET_OP_CLASSES
#include "dialects/graph/GraphOps.cpp.inc"

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value of type ") << getValue().getType()
                                         << " does not match result type " << getType();
  return success();
}

LogicalResult IfOp::verify() {
  if (llvm::cast<RankedTensorType>(getCondition().getType()).getNumElements() != 1)
    return emitOpError("condition must be a single bool, not ") << getCondition().getType();
  for (Region *region : {&getThenBranch(), &getElseBranch()}) {
    auto yield = llvm::cast<YieldOp>(region->front().getTerminator());
    if (yield.getValues().getTypes() != getOutputs().getTypes())
      return emitOpError("branch yields ")
             << yield.getValues().getTypes() << " but the op returns "
             << getOutputs().getTypes();
  }
  return success();
}

LogicalResult edgec::graph::verifyAxis(Operation *op, int64_t axis) {
  int64_t rank = llvm::cast<RankedTensorType>(op->getOperand(0).getType()).getRank();
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ") << axis << " out of range for rank " << rank;
  return success();
}

LogicalResult QuantizeOp::verify() {
  auto in = getInput().getType();
  auto out = llvm::cast<RankedTensorType>(getOutput().getType());
  auto q = llvm::dyn_cast<quant::QuantizedType>(out.getElementType());
  if (!q)
    return emitOpError("result must hold !quant types, got ") << out;
  if (q.getExpressedType() != in.getElementType() || in.getShape() != out.getShape())
    return emitOpError("result ") << out << " does not quantise " << in;
  if (auto axis = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    int32_t dim = axis.getQuantizedDimension();
    if (dim >= in.getRank() ||
        in.getDimSize(dim) != static_cast<int64_t>(axis.getScales().size()))
      return emitOpError("per-axis scales (") << axis.getScales().size()
                                              << ") do not match dim " << dim << " of " << in;
  }
  return success();
}

namespace {
/// The same shape with f32 elements: what shape inference checks.
Type asFloat(Type t) {
  auto r = llvm::cast<RankedTensorType>(t);
  return RankedTensorType::get(r.getShape(), Float32Type::get(t.getContext()));
}

quant::UniformQuantizedType perTensor(Value v) {
  return llvm::dyn_cast<quant::UniformQuantizedType>(
      llvm::cast<RankedTensorType>(v.getType()).getElementType());
}

/// Checks the operand and result types every integer kernel shares: activations
/// per-tensor quantised, weights symmetric per-tensor or per-axis along
/// `weightAxis` with `channels` entries, bias int32 [channels], 8-bit storage,
/// and an activation clamp inside the result's storage range.
LogicalResult verifyQuantisedKernel(Operation *op, Value input, Value weight, Value bias, Value result,
                                    int64_t weightAxis, int64_t channels, int64_t actMin, int64_t actMax) {
  auto in = perTensor(input), out = perTensor(result);
  if (!in || !out)
    return op->emitOpError("input and result must be per-tensor !quant.uniform, got ")
           << input.getType() << " and " << result.getType();
  auto w = llvm::dyn_cast<quant::QuantizedType>(llvm::cast<RankedTensorType>(weight.getType()).getElementType());
  if (!w)
    return op->emitOpError("weight must be quantised, got ") << weight.getType();
  for (quant::QuantizedType q : {quant::QuantizedType(in), quant::QuantizedType(out), w})
    if (q.getStorageTypeIntegralWidth() != 8)
      return op->emitOpError("only 8-bit storage is supported, got ") << q;
  if (auto u = llvm::dyn_cast<quant::UniformQuantizedType>(w)) {
    if (u.getZeroPoint() != 0)
      return op->emitOpError("weights must be symmetric (zero point 0), got ") << w;
  } else if (auto a = llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(w)) {
    if (a.getQuantizedDimension() != weightAxis || static_cast<int64_t>(a.getScales().size()) != channels)
      return op->emitOpError("per-axis weight scales must run along dim ")
             << weightAxis << " with " << channels << " entries, got " << w;
    if (llvm::any_of(a.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return op->emitOpError("weights must be symmetric (zero point 0), got ") << w;
  } else {
    return op->emitOpError("unsupported weight quantisation ") << w;
  }
  if (bias) {
    auto b = llvm::cast<RankedTensorType>(bias.getType());
    if (!b.getElementType().isInteger(32) || b.getShape() != ArrayRef<int64_t>{channels})
      return op->emitOpError("bias must be int32 [") << channels << "], got " << b;
  }
  if (actMin > actMax || actMin < out.getStorageTypeMin() || actMax > out.getStorageTypeMax())
    return op->emitOpError("activation clamp [")
           << actMin << ", " << actMax << "] is outside the result's storage range";
  return success();
}
} // namespace

LogicalResult QConvOp::verify() {
  SmallVector<Type> inferred;
  ConvGeometry g{{}, getStrides(), getPads(), getDilations(), false};
  if (failed(inferConvImpl(getLoc(), asFloat(getInput().getType()), asFloat(getWeight().getType()), Type(), g,
                           static_cast<int64_t>(getGroup()), inferred)))
    return failure();
  auto out = llvm::cast<RankedTensorType>(getOutput().getType());
  if (llvm::cast<RankedTensorType>(inferred[0]).getShape() != out.getShape())
    return emitOpError("result shape ") << out << " does not match the convolution's " << inferred[0];
  int64_t channels = getWeight().getType().getDimSize(0);
  return verifyQuantisedKernel(*this, getInput(), getWeight(), getBias(), getOutput(), 0, channels,
                               getActMin(), getActMax());
}

LogicalResult QMatMulOp::verify() {
  auto rhs = getRhs().getType();
  if (rhs.getRank() != 2 || getLhs().getType().getRank() < 2)
    return emitOpError("lhs must be [..., M, K] and rhs [K, N], got ")
           << getLhs().getType() << " and " << rhs;
  SmallVector<Type> inferred;
  if (failed(inferMatMulImpl(getLoc(), asFloat(getLhs().getType()), asFloat(rhs), inferred)))
    return failure();
  auto out = llvm::cast<RankedTensorType>(getOutput().getType());
  if (llvm::cast<RankedTensorType>(inferred[0]).getShape() != out.getShape())
    return emitOpError("result shape ") << out << " does not match the matmul's " << inferred[0];
  return verifyQuantisedKernel(*this, getLhs(), getRhs(), getBias(), getOutput(), 1, rhs.getDimSize(1),
                               getActMin(), getActMax());
}

LogicalResult DequantizeInt4Op::verify() {
  auto out = getOutput().getType();
  int64_t axis = static_cast<int64_t>(getAxis()), group = static_cast<int64_t>(getGroupSize());
  if (axis < 0 || axis >= out.getRank())
    return emitOpError("axis ") << axis << " out of range for " << out;
  if (group <= 0)
    return emitOpError("group_size must be positive");
  int64_t rows = out.getDimSize(axis), reduction = out.getNumElements() / std::max<int64_t>(rows, 1);
  auto packed = getPacked().getType();
  if (!packed.getElementType().isInteger(8) || packed.getRank() != 1 ||
      packed.getDimSize(0) != (out.getNumElements() + 1) / 2)
    return emitOpError("packed must be i8 [") << (out.getNumElements() + 1) / 2 << "], got " << packed;
  auto scales = getScales().getType();
  int64_t groups = (reduction + group - 1) / group;
  if (scales.getShape() != ArrayRef<int64_t>{rows, groups})
    return emitOpError("scales must be [") << rows << ", " << groups << "], got " << scales;
  return success();
}
