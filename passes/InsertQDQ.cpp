//===- InsertQDQ.cpp - quantise convs and matmuls with Q/DQ pairs ---------===//
//
// Post-training quantisation, step one. Every conv, gemm and matmul with
// constant weights whose input and output ranges were calibrated (the
// `edgec.range` attribute, [min, max], on the value's defining op or
// function argument) gets:
//   - its float input through quantize -> dequantize (int8, per tensor);
//   - its weight as a constant int8 tensor viewed as quantised (symmetric,
//     per output channel or per tensor) -> dequantize;
//   - its output, after a following relu or clip (which the integer kernel
//     will absorb), through quantize -> dequantize.
// The result still computes in float, with every quantisation error in
// place: the "QDQ" form ONNX Runtime also uses. edgec-fuse-quantized-ops
// turns dequantize -> op -> quantize into integer kernels, the same way for
// these and for imported QDQ models.
//
// Values that only pass through layout ops (reshape, transpose, max pool)
// keep the quantisation of their source, so the pairs meet and cancel once
// edgec-propagate-quant moves the dequantize past those ops.
//
//===----------------------------------------------------------------------===//
#include "passes/PassResults.h"
#include "passes/Passes.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"

namespace edgec {
#define GEN_PASS_DEF_INSERTQDQPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;


/// Ops that move or select elements without changing their values.
bool isValuePreserving(Operation *op) { return isa<ReshapeOp, TransposeOp, MaxPoolOp>(op); }

struct InsertQDQPass : impl::InsertQDQPassBase<InsertQDQPass> {
  using InsertQDQPassBase::InsertQDQPassBase;

  llvm::DenseMap<Value, Value> dequantised; // float value -> its dequantize(quantize(.))

  /// The calibrated [min, max] of `v`, if any.
  std::optional<std::pair<double, double>> rangeOf(Value v) {
    DenseF32ArrayAttr attr;
    if (auto arg = llvm::dyn_cast<BlockArgument>(v)) {
      auto fn = llvm::dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (fn)
        attr = fn.getArgAttrOfType<DenseF32ArrayAttr>(arg.getArgNumber(), kRangeAttr);
    } else {
      attr = v.getDefiningOp()->getAttrOfType<DenseF32ArrayAttr>(kRangeAttr);
    }
    if (!attr || attr.size() != 2 || !(attr[0] <= attr[1]))
      return std::nullopt;
    return std::make_pair(double(attr[0]), double(attr[1]));
  }

  /// The type `v` is quantised to: that of the quantised value it was
  /// moved out of, or one from its calibrated range.
  Type quantTypeOf(Value v) {
    Value source = v;
    while (Operation *op = source.getDefiningOp()) {
      if (auto dq = dyn_cast<DequantizeOp>(op))
        return llvm::cast<RankedTensorType>(dq.getInput().getType()).getElementType();
      if (!isValuePreserving(op) || rangeOf(source))
        break;
      source = op->getOperand(0);
    }
    // Through layout ops the source's range holds the values too.
    for (Value r = v;;) {
      if (auto range = rangeOf(r))
        return activationType(&getContext(), range->first, range->second);
      Operation *op = r.getDefiningOp();
      if (!op || !isValuePreserving(op))
        return {};
      r = op->getOperand(0);
    }
  }

  static bool isF32Tensor(Value v) {
    auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
    return t && t.getElementType().isF32();
  }

  /// dequantize(quantize(v)), made once per value, right after it.
  Value fakeQuantised(OpBuilder &b, Value v, Type element) {
    if (v.getDefiningOp<DequantizeOp>())
      return v;
    if (Value done = dequantised.lookup(v))
      return done;
    OpBuilder::InsertionGuard guard(b);
    if (auto arg = llvm::dyn_cast<BlockArgument>(v))
      b.setInsertionPointToStart(arg.getOwner());
    else
      b.setInsertionPointAfter(v.getDefiningOp());
    auto t = llvm::cast<RankedTensorType>(v.getType());
    Value q = QuantizeOp::create(b, v.getLoc(), RankedTensorType::get(t.getShape(), element), v);
    Value dq = DequantizeOp::create(b, v.getLoc(), q);
    dequantised[v] = dq;
    return dq;
  }

  /// The weight as dequantize(int8 constant), or null if it is not an f32
  /// constant.
  Value quantisedWeight(OpBuilder &b, Operation *user, Value w, int64_t channelAxis) {
    SmallVector<float> values;
    if (!readFloats(getConstant(w), values))
      return {};
    auto t = llvm::cast<RankedTensorType>(w.getType());
    int64_t axis = perChannel ? channelAxis : -1;
    QuantisedWeights q = quantiseWeights(values, t.getShape(), axis);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(user);
    auto storage = RankedTensorType::get(t.getShape(), b.getIntegerType(8));
    Value ints = ConstantOp::create(b, w.getLoc(), storage, makeInts(storage, q.values, "quantised_weight"));
    auto quantised = RankedTensorType::get(t.getShape(), weightType(&getContext(), q.scales, axis));
    Value view = quant::StorageCastOp::create(b, w.getLoc(), quantised, ints);
    return DequantizeOp::create(b, w.getLoc(), view);
  }

  /// The value a fused kernel would produce: the op's result, or that of
  /// a single relu/clip after it.
  static Value kernelOutput(Operation *op) {
    Value out = op->getResult(0);
    if (out.hasOneUse() && isa<ReluOp, ClipOp>(*out.getUsers().begin()))
      return out.getUsers().begin()->getResult(0);
    return out;
  }

  /// The operand that holds the weight and its output-channel axis, or
  /// nothing when `op` is not a kernel this pass quantises.
  static std::optional<std::pair<unsigned, int64_t>> weightOperand(Operation *op) {
    if (auto conv = dyn_cast<ConvOp>(op))
      return std::make_pair(1u, int64_t(0));
    if (auto gemm = dyn_cast<GemmOp>(op)) {
      // Integer gemm kernels take A x B (+ a per-column bias); other forms stay float.
      if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
          (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f))
        return std::nullopt;
      if (gemm.getC()) {
        auto c = llvm::cast<RankedTensorType>(gemm.getC().getType());
        int64_t n = llvm::cast<RankedTensorType>(gemm.getType()).getDimSize(1);
        if (!getConstant(gemm.getC()) || c.getNumElements() != n || (c.getRank() == 2 && c.getDimSize(1) != n))
          return std::nullopt;
      }
      return std::make_pair(1u, int64_t(gemm.getTransB() ? 0 : 1));
    }
    if (auto mm = dyn_cast<MatMulOp>(op)) {
      if (mm.getLhs().getType().getRank() < 2 || mm.getRhs().getType().getRank() != 2)
        return std::nullopt;
      return std::make_pair(1u, int64_t(1));
    }
    return std::nullopt;
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    OpBuilder b(&getContext());
    SmallVector<Operation *> kernels;
    fn.walk([&](Operation *op) {
      if (weightOperand(op) && llvm::all_of(op->getOperands(), isF32Tensor) && isF32Tensor(op->getResult(0)))
        kernels.push_back(op);
    });
    int64_t quantised = 0, skipped = 0;
    for (Operation *op : kernels) {
      auto [weightIndex, axis] = *weightOperand(op);
      Value input = op->getOperand(0), output = kernelOutput(op);
      Type inType = quantTypeOf(input), outType = quantTypeOf(output);
      if (!inType || !outType) {
        ++skipped; // not calibrated: stays float
        continue;
      }
      Value w = quantisedWeight(b, op, op->getOperand(weightIndex), axis);
      if (!w) {
        ++skipped; // weights computed at run time: stays float
        continue;
      }
      op->setOperand(weightIndex, w);
      op->setOperand(0, fakeQuantised(b, input, inType));
      Value dq = fakeQuantised(b, output, outType);
      Operation *q = dq.getDefiningOp()->getOperand(0).getDefiningOp();
      output.replaceAllUsesExcept(dq, q);
      ++quantised;
    }
    numQuantised = quantised;
    numLeftFloat = skipped;
  }
};
} // namespace
} // namespace edgec
