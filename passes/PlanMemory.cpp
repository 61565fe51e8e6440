//===- PlanMemory.cpp - place every intermediate buffer in one arena -----===//
//
// After bufferisation each intermediate tensor is a `memref.alloc`. This pass
// gives each a compile-time offset in one arena that the caller passes as the
// function's last argument, and replaces the alloc with a `memref.view` of
// the arena. No allocation is left for run time.
//
// Lifetimes come from the schedule (the order of ops in the function, an
// if's then and else branches one after the other): a buffer lives from its
// first to its last use, through any view of it and any if that yields it.
// Placement is greedy by size, as TFLite Micro's GreedyMemoryPlanner: largest
// first, each at the lowest offset that does not overlap a buffer alive at
// the same time. A buffer written by an elementwise generic may take the
// place of an input of the same size whose last use is that generic, since
// every element is read before it is written (in-place reuse).
//
//===----------------------------------------------------------------------===//
#include "passes/PassResults.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace edgec {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;

struct Buffer {
  memref::AllocOp alloc;
  Location location;    // the alloc's, kept for the plan's record after it is erased
  int64_t bytes = 0;    // size rounded up to the alignment
  int64_t first = 0;    // schedule index of the first op that uses it
  int64_t last = 0;     // schedule index of the last op that uses it
  int64_t offset = -1;  // assigned offset
  int64_t reuses = -1;  // buffer whose place this one may take in place
};

int64_t bytesOf(MemRefType t) {
  Type e = t.getElementType();
  int64_t width = e.isInteger(1) ? 1 : (e.getIntOrFloatBitWidth() + 7) / 8;
  return t.getNumElements() * width;
}

/// The schedule: the function's ops in program order, each scf.if followed
/// by the ops of its then and else blocks. Only one branch runs, so two
/// buffers used only in different branches may share memory; a buffer used
/// in both, or before and after the if, is live across both.
void schedule(Block &block, SmallVectorImpl<Operation *> &order, llvm::DenseMap<Operation *, int64_t> &index) {
  for (Operation &op : block) {
    index[&op] = static_cast<int64_t>(order.size());
    order.push_back(&op);
    if (auto branch = dyn_cast<scf::IfOp>(op))
      for (Region *region : {&branch.getThenRegion(), &branch.getElseRegion()})
        for (Block &inner : *region)
          schedule(inner, order, index);
  }
}

/// The scheduled op that is or contains `op`.
Operation *scheduledAncestor(Operation *op, const llvm::DenseMap<Operation *, int64_t> &index) {
  while (op && !index.count(op))
    op = op->getParentOp();
  return op;
}

/// True when `op` is an elementwise generic (all loops parallel, identity
/// maps) that reads `in` and writes `out`: each element of `out` is written
/// after the same element of `in` is read, so they may share memory.
/// The buffer a value views (through collapse/expand/subview/cast).
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// True when `op` is an elementwise generic (all loops parallel) that reads
/// `in` and writes `out`, both whole and through identity maps only: each
/// element of `out` is written after the same element of `in` is read, so
/// they may share memory.
bool isInPlaceCandidate(Operation *op, Value in, Value out) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumReductionLoops() != 0)
    return false;
  bool readsIn = false, writesOut = false;
  for (OpOperand &operand : generic->getOpOperands()) {
    Value v = operand.get(), root = rootOf(v);
    bool identity = generic.getMatchingIndexingMap(&operand).isIdentity();
    bool input = generic.isDpsInput(&operand);
    if (root == in) {
      if (v != in || !identity || !input)
        return false;
      readsIn = true;
    } else if (root == out) {
      if (v != out || !identity || input)
        return false;
      writesOut = true;
    }
  }
  // A body that reads the input elsewhere (gather, reversed slice, pad,
  // resize: tensor.extract became memref.load) would see overwritten data.
  bool readsInBody = false;
  generic.getRegion().walk([&](Operation *inner) {
    for (Value operand : inner->getOperands())
      if (operand.getParentRegion() != &generic.getRegion() &&
          !generic.getRegion().isAncestor(operand.getParentRegion()) &&
          (rootOf(operand) == in || rootOf(operand) == out))
        readsInBody = true;
  });
  return readsIn && writesOut && !readsInBody;
}

struct PlanMemoryPass : impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    Block &body = fn.getBody().front();
    llvm::DenseMap<Operation *, int64_t> index;
    SmallVector<Operation *> order;
    schedule(body, order, index);

    SmallVector<Buffer> buffers;
    WalkResult walk = fn.walk([&](memref::AllocOp alloc) {
      if (!index.count(alloc) || !alloc.getType().hasStaticShape() ||
          !alloc.getType().getLayout().isIdentity()) {
        alloc.emitError("edgec-plan-memory: only static, identity-layout allocations at the "
                        "top level of the function or of an if's branch can be planned");
        return WalkResult::interrupt();
      }
      Buffer b{alloc, alloc.getLoc()};
      b.bytes = llvm::alignTo(bytesOf(alloc.getType()), alignment);
      b.first = b.last = index[alloc];
      bool first = true;
      // Follow views (collapse/expand/subview/cast) to every real use.
      SmallVector<Value> worklist{alloc.getResult()};
      while (!worklist.empty()) {
        Value v = worklist.pop_back_val();
        for (Operation *user : v.getUsers()) {
          if (auto view = dyn_cast<ViewLikeOpInterface>(user);
              view && view.getViewSource() == v) {
            worklist.push_back(user->getResult(0));
            continue;
          }
          // A buffer an scf.if yields lives on as the if's result.
          if (auto yield = dyn_cast<scf::YieldOp>(user); yield && isa<scf::IfOp>(yield->getParentOp()))
            for (OpOperand &operand : yield->getOpOperands())
              if (operand.get() == v)
                worklist.push_back(yield->getParentOp()->getResult(operand.getOperandNumber()));
          int64_t at = index[scheduledAncestor(user, index)];
          b.first = first ? at : std::min(b.first, at);
          b.last = std::max(b.last, at);
          first = false;
        }
      }
      buffers.push_back(b);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    findInPlacePairs(buffers, order);
    int64_t peak = place(buffers);

    int64_t naive = 0, lowerBound = 0;
    for (const Buffer &b : buffers)
      naive += b.bytes;
    // Lower bound: the most bytes alive at once. A buffer handed over in
    // place is dead at the op that takes it over.
    SmallVector<int64_t> delta(index.size() + 1, 0);
    SmallVector<bool> handedOver(buffers.size(), false);
    for (const Buffer &b : buffers)
      if (b.reuses >= 0)
        handedOver[b.reuses] = true;
    for (auto [i, b] : llvm::enumerate(buffers)) {
      int64_t end = handedOver[i] ? b.last : b.last + 1;
      if (end <= b.first)
        continue;
      delta[b.first] += b.bytes;
      delta[end] -= b.bytes;
    }
    for (int64_t t = 0, live = 0; t < static_cast<int64_t>(delta.size()); ++t) {
      live += delta[t];
      lowerBound = std::max(lowerBound, live);
    }

    // The arena is the last argument; views replace the allocations.
    OpBuilder builder(fn.getContext());
    auto arenaType = MemRefType::get({peak}, builder.getI8Type());
    unsigned arg = fn.getNumArguments();
    if (failed(fn.insertArgument(arg, arenaType,
                                 builder.getDictionaryAttr(builder.getNamedAttr(
                                     "graph.name", builder.getStringAttr("arena"))),
                                 fn.getLoc())))
      return signalPassFailure();
    Value arena = fn.getArgument(arg);
    for (Buffer &b : buffers) {
      builder.setInsertionPoint(b.alloc);
      Value offset = arith::ConstantIndexOp::create(builder, b.alloc.getLoc(), b.offset);
      Value view = memref::ViewOp::create(builder, b.alloc.getLoc(), b.alloc.getType(), arena,
                                          offset, ValueRange{});
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    // The plan itself, for the artifact's picture of it (memory-plan.svg):
    // offset, bytes, first and last op per buffer, and the ONNX node that
    // made it.
    ArenaPlan plan{peak, naive, lowerBound, {}};
    for (const Buffer &b : buffers)
      plan.buffers.push_back({b.offset, b.bytes, b.first, b.last, onnxNodeName(b.location)});
    setArenaPlan(fn, plan);
  }

  /// Marks buffer `out` as able to take `in`'s place when `in` dies in the
  /// elementwise op that first writes `out`.
  void findInPlacePairs(SmallVectorImpl<Buffer> &buffers, ArrayRef<Operation *> ops) {
    SmallVector<bool> taken(buffers.size(), false);
    for (auto [o, out] : llvm::enumerate(buffers)) {
      for (auto [i, in] : llvm::enumerate(buffers)) {
        // Same type (not just the same rounded size): element k of the
        // output must sit exactly where element k of the input was.
        if (i == o || taken[i] || in.last != out.first ||
            in.alloc.getType() != out.alloc.getType())
          continue;
        if (!isInPlaceCandidate(ops[out.first], in.alloc, out.alloc))
          continue;
        out.reuses = static_cast<int64_t>(i);
        taken[i] = true;
        break;
      }
    }
  }

  /// Greedy by size; returns the arena size.
  int64_t place(SmallVectorImpl<Buffer> &buffers) {
    SmallVector<size_t> order(buffers.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    llvm::stable_sort(order, [&](size_t a, size_t b) {
      if (buffers[a].bytes != buffers[b].bytes)
        return buffers[a].bytes > buffers[b].bytes;
      return buffers[a].first < buffers[b].first;
    });
    auto isPartner = [&](size_t a, size_t b) {
      return buffers[a].reuses == static_cast<int64_t>(b) ||
             buffers[b].reuses == static_cast<int64_t>(a);
    };
    // Partners are handled apart (same offset or no overlap at all).
    auto conflict = [&](size_t a, size_t b) {
      if (!reuse)
        return true;
      const Buffer &x = buffers[a], &y = buffers[b];
      if (x.last < y.first || y.last < x.first)
        return false;
      return !isPartner(a, b);
    };
    int64_t peak = 0;
    SmallVector<size_t> placed;
    for (size_t i : order) {
      // Intervals [offset, offset + bytes) of conflicting buffers, by offset.
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (size_t p : placed)
        if (conflict(i, p))
          busy.push_back({buffers[p].offset, buffers[p].offset + buffers[p].bytes});
      llvm::sort(busy);
      // An in-place pair may share memory only at exactly the same offset:
      // try a placed partner's offset first; otherwise the partner is busy
      // like any other live buffer.
      int64_t candidate = -1;
      for (size_t p : placed) {
        if (!isPartner(i, p))
          continue;
        int64_t at = buffers[p].offset;
        bool fits = llvm::none_of(busy, [&](auto r) {
          return at < r.second && r.first < at + buffers[i].bytes;
        });
        if (fits) {
          candidate = at;
          break;
        }
      }
      if (candidate < 0) {
        for (size_t p : placed)
          if (isPartner(i, p))
            busy.push_back({buffers[p].offset, buffers[p].offset + buffers[p].bytes});
        llvm::sort(busy);
        candidate = firstFit(busy, buffers[i].bytes);
      }
      buffers[i].offset = candidate;
      peak = std::max(peak, candidate + buffers[i].bytes);
      placed.push_back(i);
    }
    return peak;
  }

  static int64_t firstFit(ArrayRef<std::pair<int64_t, int64_t>> busy, int64_t bytes) {
    int64_t candidate = 0;
    for (auto [begin, end] : busy) {
      if (candidate + bytes <= begin)
        break;
      candidate = std::max(candidate, end);
    }
    return candidate;
  }
};
} // namespace
} // namespace edgec
