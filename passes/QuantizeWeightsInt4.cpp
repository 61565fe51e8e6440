//===- QuantizeWeightsInt4.cpp - weight-only int4 quantisation ------------===//
//
// Every conv, gemm and matmul with a constant f32 weight gets it as packed
// signed int4 (two per byte, low nibble first) with one f16 scale per
// group of `group-size` consecutive weights of an output channel along its
// reduction (symmetric, q in [-7, 7], the scale of least squared error at
// or below max |w| / 7), read through
// graph.dequantize_int4. Activations stay float; the kernel decodes the
// weights as it reads them. No calibration data needed.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"

#include <algorithm>
#include <cmath>

namespace edgec {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSINT4PASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

struct QuantizeWeightsInt4Pass : impl::QuantizeWeightsInt4PassBase<QuantizeWeightsInt4Pass> {
  using QuantizeWeightsInt4PassBase::QuantizeWeightsInt4PassBase;

  void runOnOperation() override {
    OpBuilder b(&getContext());
    int64_t group = std::max<int64_t>(1, groupSize);
    getOperation().walk([&](Operation *op) {
      auto axis = weightOutputAxis(op);
      SmallVector<float> w;
      if (!axis || !readFloats(getConstant(op->getOperand(1)), w))
        return;
      auto type = llvm::cast<RankedTensorType>(op->getOperand(1).getType());
      ArrayRef<int64_t> shape = type.getShape();
      int64_t rows = shape[*axis], reduction = type.getNumElements() / rows;
      int64_t groups = (reduction + group - 1) / group;
      SmallVector<int64_t> strides = stridesOf(shape);
      // (row, r) of every element: r flattens the other dims in order.
      SmallVector<int64_t> rowOf(w.size()), rOf(w.size());
      for (size_t i = 0; i < w.size(); ++i) {
        int64_t rest = static_cast<int64_t>(i), r = 0;
        for (size_t d = 0; d < shape.size(); ++d) {
          int64_t index = rest / strides[d];
          rest %= strides[d];
          if (static_cast<int64_t>(d) == *axis)
            rowOf[i] = index;
          else
            r = r * shape[d] + index;
        }
        rOf[i] = r;
      }
      // Each group's scale: of max |w| / 7 shrunk by up to half, the one with
      // the least squared rounding-plus-clipping error (clipping a rare large
      // weight buys finer steps for all the others).
      SmallVector<SmallVector<float>> members(rows * groups);
      for (size_t i = 0; i < w.size(); ++i)
        members[rowOf[i] * groups + rOf[i] / group].push_back(w[i]);
      SmallVector<float> scales(rows * groups, 0.0f);
      for (size_t g = 0; g < members.size(); ++g) {
        float maxAbs = 0;
        for (float v : members[g])
          maxAbs = std::max(maxAbs, std::fabs(v));
        double bestError = -1;
        for (int step = 0; step <= 25; ++step) {
          float candidate = maxAbs * (1.0f - 0.02f * step);
          double error = 0;
          for (float v : members[g]) {
            float q = candidate > 0 ? std::clamp(std::nearbyint(v / (candidate / 7.0f)), -7.0f, 7.0f) : 0;
            error += double(v - q * candidate / 7.0f) * double(v - q * candidate / 7.0f);
          }
          if (bestError < 0 || error < bestError) {
            bestError = error;
            scales[g] = candidate;
          }
        }
      }
      // Scales are stored as f16 (a 4.5-bit weight at group size 32, 4.1 at
      // 128); the weights are rounded against the stored value.
      SmallVector<APFloat> halves;
      for (float &s : scales) {
        APFloat h(s > 0 ? s / 7.0f : 1.0f);
        bool lost;
        h.convert(APFloat::IEEEhalf(), APFloat::rmNearestTiesToEven, &lost);
        if (h.isZero() || h.isInfinity()) { // outside f16's range: the nearest usable scale
          h = APFloat::getSmallestNormalized(APFloat::IEEEhalf());
          if (s / 7.0f > 1.0f)
            h = APFloat::getLargest(APFloat::IEEEhalf());
        }
        halves.push_back(h);
        APFloat back = h;
        back.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
        s = back.convertToFloat();
      }
      SmallVector<int64_t> packed((w.size() + 1) / 2, 0);
      for (size_t i = 0; i < w.size(); ++i) {
        float s = scales[rowOf[i] * groups + rOf[i] / group];
        int64_t q = static_cast<int64_t>(std::clamp(std::nearbyint(w[i] / s), -7.0f, 7.0f));
        int64_t nibble = rowOf[i] * reduction + rOf[i];
        packed[nibble / 2] |= (q & 0xF) << (4 * (nibble % 2));
      }
      for (int64_t &byte : packed)
        byte = static_cast<int8_t>(static_cast<uint8_t>(byte)); // as signed storage
      b.setInsertionPoint(op);
      Location loc = op->getOperand(1).getLoc();
      auto packedType = RankedTensorType::get({static_cast<int64_t>(packed.size())}, b.getIntegerType(8));
      auto scaleType = RankedTensorType::get({rows, groups}, b.getF16Type());
      Value p = ConstantOp::create(b, loc, packedType, makeInts(packedType, packed, "int4_weight"));
      Value s = ConstantOp::create(b, loc, scaleType, DenseElementsAttr::get(scaleType, halves));
      Value decoded = DequantizeInt4Op::create(b, loc, type, p, s, *axis, group);
      op->setOperand(1, decoded);
      ++numQuantised;
    });
  }
};
} // namespace
} // namespace edgec
