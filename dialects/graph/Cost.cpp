//===- Cost.cpp - what graph ops compute (CostOpInterface) ----------------===//
//
// Multiply-accumulates and operations per op from its static shapes, for
// the compile report and the NPU partitioner. A contraction counts one
// multiply-accumulate per (output element, reduction step); data movement
// counts nothing; the rest is pointwise (GraphInterfaces.td), a global
// pool one addition per input element.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphOps.h"

#include <algorithm>

namespace edgec::graph {
using namespace mlir;

#include "dialects/graph/GraphInterfaces.cpp.inc"

namespace {

/// Elements of `op`'s first result (0 if it is not a ranked tensor).
int64_t resultElements(Operation *op) {
  auto out = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return out ? out.getNumElements() : 0;
}

/// Output elements x reduction steps of a conv: [C_out, C_in/group, k..]
/// weights give C_in/group x k.. steps per output.
int64_t convMacs(Operation *op, RankedTensorType weight) {
  return resultElements(op) * weight.getNumElements() / weight.getDimSize(0);
}

} // namespace

int64_t pointwiseFlops(Operation *op) {
  if (op->getNumResults() == 0 || op->hasTrait<MovesData>())
    return 0;
  auto out = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!out || !out.hasStaticShape())
    return 0;
  int64_t window = 1;
  if (auto kernel = op->getAttrOfType<DenseI64ArrayAttr>("kernel_shape"))
    for (int64_t k : kernel.asArrayRef())
      window *= k;
  return out.getNumElements() * window;
}

int64_t ConvOp::getMacs() { return convMacs(*this, getWeight().getType()); }
int64_t ConvOp::getFlops() { return 2 * getMacs(); }

int64_t QConvOp::getMacs() { return convMacs(*this, getWeight().getType()); }
int64_t QConvOp::getFlops() { return 2 * getMacs(); }

int64_t GemmOp::getMacs() {
  auto a = getA().getType();
  return resultElements(*this) * a.getDimSize(getTransA() ? 0 : 1);
}
int64_t GemmOp::getFlops() { return 2 * getMacs(); }

int64_t MatMulOp::getMacs() { return resultElements(*this) * getLhs().getType().getShape().back(); }
int64_t MatMulOp::getFlops() { return 2 * getMacs(); }

int64_t QMatMulOp::getMacs() { return resultElements(*this) * getLhs().getType().getShape().back(); }
int64_t QMatMulOp::getFlops() { return 2 * getMacs(); }

/// Per step and sequence element, every input and recurrence weight once.
int64_t LSTMOp::getMacs() {
  auto w = getWeight().getType(), r = getRecurrence().getType();
  auto x = getInput().getType();
  return x.getDimSize(0) * x.getDimSize(1) * (w.getNumElements() + r.getNumElements());
}
int64_t LSTMOp::getFlops() { return 2 * getMacs(); }

/// A pass over the input per selected element: two compares per element.
int64_t TopKOp::getFlops() { return 2 * getInput().getType().getNumElements() * static_cast<int64_t>(getK()); }

/// One addition per input element.
int64_t GlobalAveragePoolOp::getFlops() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (!out.hasStaticShape())
    return 0;
  int64_t window = in.hasStaticShape() ? in.getNumElements() / std::max<int64_t>(1, out.getNumElements()) : 1;
  return out.getNumElements() * window;
}

} // namespace edgec::graph
