//===- OutlineLayers.cpp - one function per layer, shared when identical --===//
//
// After lowering, the model is one function of loop nests, one or a few per
// layer. LLVM's optimiser and code generator cost more than linearly in the
// size of a function (a 60 KB MobileNet spent 2 s there), cannot split one
// function between cores, and a profile of one function says nothing about
// which layer is slow. So each layer's loops go into a function of their own
// (named after the ONNX node), called from the entry in the same order.
//
// The arguments are the buffers the loops touch, each as a contiguous
// memref (an arena view, a weight, an input or output), and any other
// non-constant value; strided views of them and constants are recomputed
// inside. Two layers whose functions come out identical (same shapes,
// different weights or arena offsets) then share one: repeated blocks of a
// network are compiled once, which saves compile time and flash.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace edgec {
#define GEN_PASS_DEF_OUTLINELAYERSPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;

/// A C-identifier-safe rendering of an ONNX node name ("/features/3/Conv"
/// -> "features_3_Conv").
std::string symbolSafe(llvm::StringRef name) {
  std::string out;
  for (char c : name) {
    bool ok = llvm::isAlnum(c) || c == '_';
    if (ok)
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  return out;
}

/// A value the outlined function receives rather than recomputes: buffers
/// in their contiguous form (the bare-pointer calling convention passes
/// those as one pointer) and anything computed by an op that is not pure.
bool passedAsArgument(Value v) {
  if (auto type = dyn_cast<MemRefType>(v.getType()))
    return type.getLayout().isIdentity() || !v.getDefiningOp() ||
           !isMemoryEffectFree(v.getDefiningOp());
  if (matchPattern(v, m_Constant()))
    return false;
  return !v.getDefiningOp() || !isMemoryEffectFree(v.getDefiningOp());
}

/// The op of `body` that is or contains `v`'s definition; null for the
/// entry's own arguments.
Operation *topLevelDefinition(Value v, Block &body) {
  Operation *def = v.getDefiningOp();
  if (!def)
    def = v.getParentBlock()->getParentOp();
  return body.findAncestorOpInBlock(*def);
}

/// Moves `group` (consecutive ops of `entry`'s body) into `callee`, an
/// empty function, and puts a call to it where the last of them was.
func::CallOp outline(ArrayRef<Operation *> group, func::FuncOp entry, func::FuncOp callee) {
  // The values the group reads from outside, in first-use order, and the
  // pure ops to recompute inside (constants, strided views) in def order.
  llvm::SetVector<Operation *> recomputed;
  llvm::SetVector<Value> arguments;
  llvm::DenseSet<Operation *> inGroup(group.begin(), group.end());
  std::function<void(Value)> capture = [&](Value v) {
    if (passedAsArgument(v)) {
      arguments.insert(v);
      return;
    }
    Operation *def = v.getDefiningOp();
    if (recomputed.contains(def))
      return;
    for (Value operand : def->getOperands())
      capture(operand);
    recomputed.insert(def);
  };
  Block &entryBody = entry.getBody().front();
  for (Operation *op : group)
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (!inGroup.contains(topLevelDefinition(operand, entryBody)))
          capture(operand);
    });

  OpBuilder b(entry.getContext());
  SmallVector<Type> argTypes;
  for (Value v : arguments)
    argTypes.push_back(v.getType());
  Location loc = group.front()->getLoc();
  // Only the last op's results may be read outside (see the grouping).
  ValueRange results = group.back()->getResults();
  callee.setType(b.getFunctionType(argTypes, TypeRange(results)));
  Block *body = callee.addEntryBlock();
  IRMapping map;
  for (auto [outer, inner] : llvm::zip(arguments, body->getArguments()))
    map.map(outer, inner);
  b.setInsertionPointToStart(body);
  for (Operation *op : recomputed)
    b.clone(*op, map);
  for (Operation *op : group)
    b.clone(*op, map);
  func::ReturnOp::create(b, loc, llvm::map_to_vector(results, [&](Value v) { return map.lookup(v); }));

  b.setInsertionPoint(group.back());
  auto call = func::CallOp::create(b, loc, callee, arguments.getArrayRef());
  group.back()->replaceAllUsesWith(call.getResults());
  for (Operation *op : llvm::reverse(group))
    op->erase();
  return call;
}

struct OutlineLayersPass : impl::OutlineLayersPassBase<OutlineLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        entries.push_back(fn);
    for (func::FuncOp entry : entries)
      outlineLayers(module, entry);
  }

  void outlineLayers(ModuleOp module, func::FuncOp entry) {
    // Groups: runs of ops with regions (the loop nests) from one node,
    // bridged only by pure ops (views, constants), which stay where they are.
    SmallVector<SmallVector<Operation *>> groups;
    std::string groupNode;
    Location groupLoc = entry.getLoc();
    bool open = false;
    for (Operation &op : entry.getBody().front()) {
      // An scf.if yielding buffers (an ONNX If on data) stays in the entry:
      // a memref result of a bare-pointer call would come back as the
      // buffer's base pointer, not the view's (MLIR returns the allocated
      // pointer), and its branches are small next to the layers.
      bool yieldsBuffers = llvm::any_of(op.getResultTypes(), llvm::IsaPred<MemRefType>);
      if (op.getNumRegions() == 0 || yieldsBuffers) {
        if (!isMemoryEffectFree(&op))
          open = false;
        continue;
      }
      // One node: the same name, or (IR without node names) the same place.
      std::string node = onnxNodeName(op.getLoc());
      if (!open || node != groupNode || (node.empty() && op.getLoc() != groupLoc))
        groups.emplace_back();
      groups.back().push_back(&op);
      groupNode = node;
      groupLoc = op.getLoc();
      // Results read outside (a loop's reduction) come back from the call,
      // which goes where the group's last op was: so this op ends it.
      open = op.use_empty();
    }

    SymbolTable symbols(module);
    MLIRContext *ctx = module.getContext();
    SmallVector<func::FuncOp> kept; // the distinct layer functions so far
    unsigned index = 0;
    for (ArrayRef<Operation *> group : groups) {
      std::string node = symbolSafe(onnxNodeName(group.front()->getLoc()));
      std::string name = (entry.getSymName() + "_" +
                          (node.empty() ? "layer" + std::to_string(index) : node))
                             .str();
      ++index;
      auto callee = func::FuncOp::create(group.front()->getLoc(), name,
                                         FunctionType::get(ctx, {}, {}));
      callee.setPrivate();
      // Internal: two models in one firmware each have their own. Never
      // inlined back into the entry: that would undo the point.
      callee->setAttr("llvm.linkage", LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
      // (func-to-llvm carries `passthrough` over; it drops `no_inline`.)
      callee->setAttr("passthrough", ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
      symbols.insert(callee, Block::iterator(entry)); // renamed on a clash
      func::CallOp call = outline(group, entry, callee);
      func::FuncOp same;
      for (func::FuncOp other : kept)
        if (other.getFunctionType() == callee.getFunctionType() &&
            OperationEquivalence::isRegionEquivalentTo(&other.getBody(), &callee.getBody(),
                                                       OperationEquivalence::IgnoreLocations)) {
          same = other;
          break;
        }
      if (!same) {
        kept.push_back(callee);
        continue;
      }
      call.setCallee(same.getSymName());
      symbols.erase(callee);
    }
    // Views and constants only the loops read are now recomputed inside.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(entry.getBody().front())))
      if (op.use_empty() && isMemoryEffectFree(&op) && op.getNumRegions() == 0 &&
          !op.hasTrait<OpTrait::IsTerminator>())
        op.erase();
  }
};
} // namespace
} // namespace edgec
