//===- PassResults.cpp - pass results as discardable attributes -----------===//
#include "passes/PassResults.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace edgec {
using namespace mlir;

namespace {
constexpr llvm::StringLiteral kArenaPlan = "edgec.arena_plan";
constexpr llvm::StringLiteral kArenaPlanNodes = "edgec.arena_plan_nodes";
constexpr llvm::StringLiteral kArenaBytes = "edgec.arena_bytes";
constexpr llvm::StringLiteral kArenaNaiveBytes = "edgec.arena_naive_bytes";
constexpr llvm::StringLiteral kArenaLowerBoundBytes = "edgec.arena_lower_bound_bytes";
constexpr llvm::StringLiteral kKernels = "edgec.kernels";
constexpr llvm::StringLiteral kNpuLayers = "npu.layers";
constexpr llvm::StringLiteral kNpuChained = "npu.chained";
constexpr llvm::StringLiteral kNpuScratchBytes = "npu.dram_scratch_bytes";
constexpr llvm::StringLiteral kNpuMacs = "npu.macs";
constexpr llvm::StringLiteral kNpuSramBytes = "npu.sram_bytes";
constexpr llvm::StringLiteral kNpuStreamWords = "npu.stream_words";
constexpr llvm::StringLiteral kNpuConstantBytes = "npu.constant_bytes";

int64_t intAttr(Operation *op, StringRef name) {
  auto a = op->getAttrOfType<IntegerAttr>(name);
  return a ? a.getInt() : int64_t(0);
}
} // namespace

void setArenaPlan(Operation *fn, const ArenaPlan &plan) {
  Builder b(fn->getContext());
  // offset, bytes, first and last op per buffer; the ONNX node beside.
  SmallVector<int64_t> flat;
  SmallVector<Attribute> nodes;
  for (const ArenaBuffer &buffer : plan.buffers) {
    flat.append({buffer.offset, buffer.bytes, buffer.first, buffer.last});
    nodes.push_back(b.getStringAttr(buffer.node));
  }
  fn->setAttr(kArenaPlan, b.getDenseI64ArrayAttr(flat));
  fn->setAttr(kArenaPlanNodes, b.getArrayAttr(nodes));
  fn->setAttr(kArenaBytes, b.getI64IntegerAttr(plan.bytes));
  fn->setAttr(kArenaNaiveBytes, b.getI64IntegerAttr(plan.naiveBytes));
  fn->setAttr(kArenaLowerBoundBytes, b.getI64IntegerAttr(plan.lowerBoundBytes));
}

ArenaPlan getArenaPlan(Operation *fn) {
  ArenaPlan plan;
  plan.bytes = intAttr(fn, kArenaBytes);
  plan.naiveBytes = intAttr(fn, kArenaNaiveBytes);
  plan.lowerBoundBytes = intAttr(fn, kArenaLowerBoundBytes);
  auto flat = fn->getAttrOfType<DenseI64ArrayAttr>(kArenaPlan);
  auto nodes = fn->getAttrOfType<ArrayAttr>(kArenaPlanNodes);
  if (flat && nodes && flat.size() == 4 * static_cast<int64_t>(nodes.size()))
    for (size_t i = 0; i < nodes.size(); ++i)
      plan.buffers.push_back({flat[4 * i], flat[4 * i + 1], flat[4 * i + 2], flat[4 * i + 3],
                              llvm::cast<StringAttr>(nodes[i]).str()});
  return plan;
}

void setKernels(Operation *fn, const std::map<std::string, std::string> &kernels) {
  MLIRContext *ctx = fn->getContext();
  SmallVector<NamedAttribute> entries;
  for (const auto &[node, kernel] : kernels)
    if (!node.empty())
      entries.push_back(NamedAttribute(StringAttr::get(ctx, node), StringAttr::get(ctx, kernel)));
  if (!entries.empty())
    fn->setAttr(kKernels, DictionaryAttr::get(ctx, entries));
}

std::map<std::string, std::string> getKernels(Operation *fn) {
  std::map<std::string, std::string> kernels;
  if (auto dict = fn->getAttrOfType<DictionaryAttr>(kKernels))
    for (NamedAttribute k : dict)
      if (auto text = llvm::dyn_cast<StringAttr>(k.getValue()))
        kernels[k.getName().str()] = text.str();
  return kernels;
}

void setNpuSubmission(Operation *submit, const NpuSubmission &s) {
  Builder b(submit->getContext());
  SmallVector<Attribute> layers;
  for (const std::string &layer : s.layers)
    layers.push_back(b.getStringAttr(layer));
  SmallVector<bool> chained(s.chained.begin(), s.chained.end());
  submit->setAttr(kNpuLayers, b.getArrayAttr(layers));
  submit->setAttr(kNpuChained, b.getDenseBoolArrayAttr(chained));
  submit->setAttr(kNpuScratchBytes, b.getI64IntegerAttr(s.scratchBytes));
  submit->setAttr(kNpuMacs, b.getI64IntegerAttr(s.macs));
  submit->setAttr(kNpuSramBytes, b.getI64IntegerAttr(s.sramBytes));
  submit->setAttr(kNpuStreamWords, b.getI64IntegerAttr(s.streamWords));
  submit->setAttr(kNpuConstantBytes, b.getI64IntegerAttr(s.constantBytes));
}

bool isNpuSubmission(Operation *op) { return op->hasAttr(kNpuLayers); }

NpuSubmission getNpuSubmission(Operation *submit) {
  NpuSubmission s;
  if (auto layers = submit->getAttrOfType<ArrayAttr>(kNpuLayers))
    for (Attribute a : layers)
      s.layers.push_back(llvm::cast<StringAttr>(a).str());
  s.macs = intAttr(submit, kNpuMacs);
  s.sramBytes = intAttr(submit, kNpuSramBytes);
  s.scratchBytes = intAttr(submit, kNpuScratchBytes);
  s.streamWords = intAttr(submit, kNpuStreamWords);
  s.constantBytes = intAttr(submit, kNpuConstantBytes);
  if (auto chained = submit->getAttrOfType<DenseBoolArrayAttr>(kNpuChained))
    s.chained.assign(chained.asArrayRef().begin(), chained.asArrayRef().end());
  s.chained.resize(s.layers.size(), false);
  return s;
}

} // namespace edgec
