//===- ChainStateUpdates.cpp - a state output as its input updated --------===//
//
// A decode step returns its KV cache with this token's keys and values
// written at `pos`. Exported from PyTorch, each layer takes its slice of
// the stacked cache (a Gather of the layer index), updates it (ScatterND,
// ScatterElements) and the layers are stacked again (Unsqueeze, Concat).
// As values the Concat is a new tensor: bufferised, a copy of the whole
// cache per token, and the per-layer updates copies of their slices.
//
// For an input the driver marked as state (`graph.state_output` = the
// result it becomes, `--state IN=OUT`), this pass rewrites the stack into a
// chain of updates of the input itself:
//   X_0 = input; per layer k:  U_k = scatter(slice k of X_k, ...)
//                              X_k+1 = update_slice(X_k, U_k, at k)
// and returns the last X. Slice k of X_k equals slice k of the input (the
// earlier layers wrote other slices), so the graph computes the same
// values; with the input writable, bufferisation then updates the input's
// buffer in place and the chain writes nothing more (edgec-state-in-place
// hands that buffer to the caller's output). The old stack is left dead
// for edgec-eliminate-dead-code, which the pipeline runs next.
//
// Every other argument is marked read-only for bufferisation
// (`bufferization.writable = false`): the caller's inputs are const, and
// one-shot bufferisation takes function arguments as writable by default.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/IR/IRMapping.h"

namespace edgec {
#define GEN_PASS_DEF_CHAINSTATEUPDATESPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;
namespace g = edgec::graph;

bool isReshapeLike(Operation *op) {
  return isa_and_nonnull<g::ReshapeOp, g::UnsqueezeOp, g::SqueezeOp, g::FlattenOp>(op);
}

/// One stacked part of the state: the reshapes from the update to the
/// concat, the update (a scatter whose operand 0 is the slice), and the op
/// that took the slice from the input.
struct Part {
  SmallVector<Operation *> reshapes; // from the concat operand down to the update
  Operation *update = nullptr;
  SmallVector<Operation *> takeReshapes; // from the update's operand down to the take
  Operation *take = nullptr;
  int64_t offset = 0;
};

/// Whether `take` reads dims [offset, offset + size) of `state` along
/// `axis` and all of every other dim: a Gather of one constant index or a
/// unit-step Slice.
bool takesSlice(Operation *take, Value state, int64_t axis, int64_t offset, int64_t size) {
  if (!take || take->getNumOperands() == 0 || take->getOperand(0) != state)
    return false;
  auto type = llvm::cast<RankedTensorType>(state.getType());
  if (auto gather = dyn_cast<g::GatherOp>(take))
    return static_cast<int64_t>(gather.getAxis()) == axis && size == 1 &&
           g::oneConstantIndex(gather.getIndices(), type.getDimSize(axis)) == offset;
  if (auto slice = dyn_cast<g::SliceOp>(take)) {
    auto out = slice.getType();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      bool full = d == axis ? slice.getStarts()[d] == offset && out.getDimSize(d) == size
                            : slice.getStarts()[d] == 0 && out.getDimSize(d) == type.getDimSize(d);
      if (!full || slice.getSteps()[d] != 1)
        return false;
    }
    return true;
  }
  return false;
}

/// The parts of `concat` when it restacks updated slices of `state` in
/// order; empty otherwise.
SmallVector<Part> stackedUpdates(g::ConcatOp concat, Value state) {
  int64_t axis = static_cast<int64_t>(concat.getAxis()), offset = 0;
  SmallVector<Part> parts;
  for (Value v : concat.getInputs()) {
    Part part;
    part.offset = offset;
    int64_t size = llvm::cast<RankedTensorType>(v.getType()).getDimSize(axis);
    while (isReshapeLike(v.getDefiningOp())) {
      part.reshapes.push_back(v.getDefiningOp());
      v = v.getDefiningOp()->getOperand(0);
    }
    part.update = v.getDefiningOp();
    if (!isa_and_nonnull<g::ScatterElementsOp, g::ScatterNDOp>(part.update))
      return {};
    // x[k] in PyTorch: a slice, then a reshape dropping the unit dim.
    Value taken = part.update->getOperand(0);
    while (isReshapeLike(taken.getDefiningOp()) && taken.hasOneUse()) {
      part.takeReshapes.push_back(taken.getDefiningOp());
      taken = taken.getDefiningOp()->getOperand(0);
    }
    part.take = taken.getDefiningOp();
    if (!takesSlice(part.take, state, axis, offset, size))
      return {};
    // Each X_k is made after update k - 1 and read by update k.
    if (!parts.empty() && !parts.back().update->isBeforeInBlock(part.update))
      return {};
    parts.push_back(part);
    offset += size;
  }
  if (concat.getType() != state.getType())
    return {};
  return parts;
}

/// `reshapes` (outermost first, as collected walking up from a use)
/// applied again to `v`, innermost first, at `b`.
Value reapply(OpBuilder &b, ArrayRef<Operation *> reshapes, Value v) {
  for (Operation *reshape : llvm::reverse(reshapes)) {
    IRMapping m;
    m.map(reshape->getOperand(0), v);
    v = b.clone(*reshape, m)->getResult(0);
  }
  return v;
}

/// Rewrites result `r`, when it is the stack of `state`'s updated slices,
/// into the chain.
void chain(func::ReturnOp ret, unsigned r, Value state) {
  auto concat = ret.getOperand(r).getDefiningOp<g::ConcatOp>();
  if (!concat || concat->getBlock() != ret->getBlock())
    return;
  SmallVector<Part> parts = stackedUpdates(concat, state);
  if (parts.empty())
    return;
  auto type = llvm::cast<RankedTensorType>(state.getType());
  int64_t axis = static_cast<int64_t>(concat.getAxis());
  Value x = state;
  for (Part &part : parts) {
    OpBuilder b(part.update);
    IRMapping fromState;
    fromState.map(state, x);
    part.update->setOperand(0, reapply(b, part.takeReshapes, b.clone(*part.take, fromState)->getResult(0)));
    b.setInsertionPointAfter(part.update);
    Value p = reapply(b, part.reshapes, part.update->getResult(0));
    SmallVector<int64_t> offsets(type.getRank(), 0);
    offsets[axis] = part.offset;
    x = g::UpdateSliceOp::create(b, part.update->getLoc(), x, p, b.getDenseI64ArrayAttr(offsets));
  }
  ret->setOperand(r, x);
}

struct ChainStateUpdatesPass : impl::ChainStateUpdatesPassBase<ChainStateUpdatesPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal())
      return;
    auto ret = dyn_cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    if (!ret)
      return;
    // edgec-state-in-place finds the out-params after the inputs.
    fn->setAttr("graph.num_inputs", IntegerAttr::get(IntegerType::get(fn.getContext(), 64), fn.getNumArguments()));
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      auto r = fn.getArgAttrOfType<IntegerAttr>(i, "graph.state_output");
      bool state = r && r.getInt() >= 0 && r.getInt() < ret.getNumOperands();
      if (state)
        chain(ret, static_cast<unsigned>(r.getInt()), fn.getArgument(i));
      // The caller's inputs are const: bufferisation (which takes function
      // arguments as writable by default) must not update one in place.
      // A state input is updated in place, in the output's buffer.
      fn.setArgAttr(i, "bufferization.writable", BoolAttr::get(fn.getContext(), state));
    }
  }
};

} // namespace
} // namespace edgec
