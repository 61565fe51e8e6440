//===- LayerError.cpp - per-layer error of a quantised model --------------===//
#include "compiler/quantize/LayerError.h"

#include "compiler/Artifact.h"
#include "compiler/quantize/Probe.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

using namespace mlir;

namespace edgec {

double TensorError::sqnrDb() const {
  if (noise == 0)
    return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

namespace {

std::string shapeOf(Value v) {
  std::string s;
  for (int64_t d : llvm::cast<RankedTensorType>(v.getType()).getShape())
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

bool isQuantised(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  return t && llvm::isa<quant::QuantizedType>(t.getElementType());
}

bool isF32(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

void accumulate(TensorError &e, ArrayRef<float> f, ArrayRef<float> q) {
  for (size_t i = 0; i < f.size(); ++i) {
    double d = double(f[i]) - double(q[i]);
    e.signal += double(f[i]) * f[i];
    e.noise += d * d;
    e.maxAbs = std::max(e.maxAbs, std::fabs(d));
  }
  e.elements += static_cast<int64_t>(f.size());
}

} // namespace

FailureOr<LayerErrorReport> compareLayers(ModuleOp floatModule, ModuleOp quantModule,
                                          const std::vector<Sample> &samples) {
  auto floatMain = floatModule.lookupSymbol<func::FuncOp>("main");
  auto quantMain = quantModule.lookupSymbol<func::FuncOp>("main");
  if (!floatMain || !quantMain)
    return floatModule.emitError("no @main function"), failure();
  // The float tensor of each ONNX node: the last op made for it.
  llvm::DenseMap<Location, Value> floatOfNode;
  for (Operation &op : floatMain.getBody().front())
    if (op.getNumResults() == 1 && isF32(op.getResult(0)) && !isa<graph::ConstantOp>(op))
      floatOfNode[op.getLoc()] = op.getResult(0);

  // Each quantised tensor with a float twin, read through a dequantize.
  LayerErrorReport report;
  SmallVector<Value> floats, quants;
  OpBuilder b(quantModule.getContext());
  SmallVector<Operation *> ops;
  for (Operation &op : quantMain.getBody().front())
    ops.push_back(&op);
  for (Operation *op : ops) {
    if (op->getNumResults() != 1 || !isQuantised(op->getResult(0)) || isa<graph::ConstantOp>(op))
      continue;
    Value twin = floatOfNode.lookup(op->getLoc());
    if (!twin)
      continue;
    b.setInsertionPointAfter(op);
    Value dq = graph::DequantizeOp::create(b, op->getLoc(), op->getResult(0));
    if (llvm::cast<RankedTensorType>(dq.getType()).getShape() != llvm::cast<RankedTensorType>(twin.getType()).getShape())
      continue;
    floats.push_back(twin);
    quants.push_back(dq);
    TensorError e;
    e.op = op->getName().getStringRef().str();
    e.node = nodeOf(op->getLoc());
    e.shape = shapeOf(twin);
    report.layers.push_back(e);
  }
  // And the model's outputs, as the caller sees them.
  auto floatRet = llvm::cast<func::ReturnOp>(floatMain.getBody().front().getTerminator());
  auto quantRet = llvm::cast<func::ReturnOp>(quantMain.getBody().front().getTerminator());
  size_t firstOutput = floats.size();
  for (unsigned i = 0; i < floatRet.getNumOperands(); ++i) {
    Value f = floatRet.getOperand(i), q = quantRet.getOperand(i);
    if (!isF32(f) || !isF32(q))
      continue;
    floats.push_back(f);
    quants.push_back(q);
    TensorError e;
    auto name = floatMain.getResultAttrOfType<StringAttr>(i, "graph.name");
    e.node = name ? name.str() : fmt::format("output {}", i);
    e.shape = shapeOf(f);
    report.outputs.push_back(e);
  }
  auto floatProbe = Probe::build(floatModule, floats, "the float model");
  if (failed(floatProbe))
    return failure();
  auto quantProbe = Probe::build(quantModule, quants, "the quantised model");
  if (failed(quantProbe))
    return failure();
  for (const Sample &s : samples) {
    if (failed((*floatProbe)->run(s, floatModule.getLoc())) || failed((*quantProbe)->run(s, quantModule.getLoc())))
      return failure();
    for (size_t i = 0; i < floats.size(); ++i) {
      ArrayRef<float> f = (*floatProbe)->tensor(i), q = (*quantProbe)->tensor(i);
      TensorError &e = i < firstOutput ? report.layers[i] : report.outputs[i - firstOutput];
      accumulate(e, f, q);
      if (i >= firstOutput) {
        // Top-1 along the last dim, per row.
        auto t = llvm::cast<RankedTensorType>(floats[i].getType());
        int64_t n = t.getRank() ? t.getShape().back() : 1;
        for (size_t row = 0; n > 1 && row + n <= f.size(); row += n) {
          auto argmax = [&](ArrayRef<float> v) {
            return std::max_element(v.begin() + row, v.begin() + row + n) - v.begin();
          };
          e.top1Agree += argmax(f) == argmax(q);
          ++e.top1Total;
        }
      }
    }
  }
  report.samples = static_cast<int64_t>(samples.size());
  return report;
}

} // namespace edgec
