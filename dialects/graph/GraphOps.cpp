//===- GraphOps.cpp - graph dialect op verifiers --------------------------===//
#include "dialects/graph/GraphOps.h"

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
  for (Region *region : {&getThenBranch(), &getElseBranch()}) {
    auto yield = llvm::cast<YieldOp>(region->front().getTerminator());
    if (yield.getValues().getTypes() != getOutputs().getTypes())
      return emitOpError("branch yields ")
             << yield.getValues().getTypes() << " but the op returns "
             << getOutputs().getTypes();
  }
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
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
