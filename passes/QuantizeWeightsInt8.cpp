//===- QuantizeWeightsInt8.cpp - weight-only int8 quantisation ------------===//
//
// Every conv, gemm and matmul with a constant f32 weight gets it as
// symmetric int8 with one scale per output channel (max |w| / 127, as
// --quantize int8 stores weights), read through a graph.dequantize marked
// edgec.decode_weights: the lowering decodes the bytes inside the kernel
// that reads them instead of folding them back into floats. Activations
// stay float; no calibration data needed. A matmul's [K, N] weight is
// stored as [N, K] (transposed back in the graph): a decode step's
// matrix-vector product then streams each output's K weights
// contiguously, and the matmul reads the transpose in place.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/PassResults.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

namespace edgec {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSINT8PASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

struct QuantizeWeightsInt8Pass : impl::QuantizeWeightsInt8PassBase<QuantizeWeightsInt8Pass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    getOperation().walk([&](Operation *op) {
      auto axis = weightOutputAxis(op);
      SmallVector<float> w;
      if (!axis || !readFloats(getConstant(op->getOperand(1)), w))
        return;
      auto type = llvm::cast<RankedTensorType>(op->getOperand(1).getType());
      SmallVector<int64_t> shape(type.getShape());
      // Output channels along the last dim of a matrix: stored transposed.
      bool transposed = shape.size() == 2 && *axis == 1;
      if (transposed) {
        SmallVector<float> t(w.size());
        for (int64_t k = 0; k < shape[0]; ++k)
          for (int64_t n = 0; n < shape[1]; ++n)
            t[n * shape[0] + k] = w[k * shape[1] + n];
        w = std::move(t);
        std::swap(shape[0], shape[1]);
      }
      int64_t storedAxis = transposed ? 0 : *axis;
      QuantisedWeights q = quantiseWeights(w, shape, storedAxis);
      b.setInsertionPoint(op);
      Location loc = op->getOperand(1).getLoc();
      auto storage = RankedTensorType::get(shape, b.getIntegerType(8));
      Value ints = ConstantOp::create(b, loc, storage, makeInts(storage, q.values, "int8_weight"));
      auto quantised = RankedTensorType::get(shape, weightType(&getContext(), q.scales, storedAxis));
      Value view = quant::StorageCastOp::create(b, loc, quantised, ints);
      auto decoded = DequantizeOp::create(b, loc, RankedTensorType::get(shape, type.getElementType()), view);
      decoded->setAttr(kDecodeWeightsAttr, b.getUnitAttr());
      Value weight = decoded;
      if (transposed)
        weight = TransposeOp::create(b, loc, type, weight, ArrayRef<int64_t>{1, 0});
      op->setOperand(1, weight);
      ++numQuantised;
    });
  }
};
} // namespace
} // namespace edgec
