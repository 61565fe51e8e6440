//===- Match.cpp - which generics are contractions the kernels compute ----===//
//
// A linalg.generic on buffers whose body is `out + a * b` (or a lane-wise
// fold: a pool), with static ranges: which dim fills the vector lanes,
// which is register-blocked, how each operand is read, whether an int8
// dot-product instruction applies, and the elementwise ops before and after
// it that the kernel can take in (Contraction.h).
//
//===----------------------------------------------------------------------===//
#include "passes/VectorizeContractions/Contraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace edgec::vectorize {
using namespace mlir;

/// True if `e`, as a function of dim `d`, is `c * d + (terms without d)`;
/// sets `c`.
bool linearIn(AffineExpr e, unsigned d, int64_t &c) {
  MLIRContext *ctx = e.getContext();
  AffineExpr dim = getAffineDimExpr(d, ctx);
  AffineExpr step = simplifyAffineExpr(e.replace(dim, dim + 1) - e, 64, 0);
  auto k = llvm::dyn_cast<AffineConstantExpr>(step);
  if (!k)
    return false;
  // The step alone could be constant by accident of simplification; what
  // is left after taking c * d away must not mention d at all.
  AffineExpr rest = simplifyAffineExpr(e - dim * k.getValue(), 64, 0);
  if (rest.isFunctionOfDim(d))
    return false;
  c = k.getValue();
  return true;
}

static bool lastStrideIsOne(Value memref) {
  auto t = llvm::cast<MemRefType>(memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(t.getStridesAndOffset(strides, offset)))
    return false;
  return strides.empty() || strides.back() == 1;
}

/// Strides up to this are loaded as one wider vector and shuffled.
constexpr int64_t kMaxStride = 4;

/// True if `e` is `d floordiv P` (`kind` FloorDiv) or `d mod P` (Mod) with
/// P a multiple of `lanes`: weights stored in panels of P output channels.
/// Vectors start at multiples of `lanes`, so within one vector the first is
/// constant and the second steps by one.
static bool inPanels(AffineExpr e, unsigned d, AffineExprKind kind, unsigned lanes) {
  auto bin = llvm::dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin || bin.getKind() != kind)
    return false;
  auto dim = llvm::dyn_cast<AffineDimExpr>(bin.getLHS());
  auto panel = llvm::dyn_cast<AffineConstantExpr>(bin.getRHS());
  return dim && dim.getPosition() == d && panel && panel.getValue() > 0 &&
         panel.getValue() % static_cast<int64_t>(lanes) == 0;
}

/// With `col` as the lane index of vectors of `lanes`: how many elements of
/// the operand's last dim lie between lanes (1 = contiguous), if no other
/// index moves within a vector; else 0.
static int64_t laneStride(AffineMap map, unsigned col, Value memref, unsigned lanes) {
  if (!lastStrideIsOne(memref) || map.getNumResults() == 0)
    return 0;
  for (unsigned k = 0; k + 1 < map.getNumResults(); ++k)
    if (map.getResult(k).isFunctionOfDim(col) &&
        !inPanels(map.getResult(k), col, AffineExprKind::FloorDiv, lanes))
      return 0;
  AffineExpr last = map.getResults().back();
  if (inPanels(last, col, AffineExprKind::Mod, lanes))
    return 1;
  int64_t c = 0;
  return linearIn(last, col, c) && c >= 1 && c <= kMaxStride ? c : 0;
}

/// Matches `yield(addf(out, mulf(in0, in1)))`, or the integer
/// `yield(addi(out, muli(ext(in0), ext(in1))))` where each ext is extsi,
/// extui or nothing (operands in either order); sets `c.widen`.
static bool isMultiplyAccumulate(linalg::GenericOp op, Contraction &c) {
  Block &body = op.getRegion().front();
  auto yield = llvm::cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return false;
  Operation *add = yield.getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add))
    return false;
  c.integer = isa<arith::AddIOp>(add);
  Value acc = body.getArgument(2);
  Value product = add->getOperand(0) == acc ? add->getOperand(1)
                  : add->getOperand(1) == acc ? add->getOperand(0)
                                              : Value();
  Operation *mul = product ? product.getDefiningOp() : nullptr;
  if (!mul || !(c.integer ? isa<arith::MulIOp>(mul) : isa<arith::MulFOp>(mul)))
    return false;
  // Each factor: a block argument, widened or not; which one says whether
  // the operands are swapped.
  auto source = [&](Value v, Widen &w) -> int {
    w = Widen::None;
    if (c.integer) {
      if (auto e = v.getDefiningOp<arith::ExtSIOp>()) {
        w = Widen::Signed;
        v = e.getIn();
      } else if (auto e = v.getDefiningOp<arith::ExtUIOp>()) {
        w = Widen::Unsigned;
        v = e.getIn();
      }
    }
    auto arg = llvm::dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == &body && arg.getArgNumber() < 2 ? int(arg.getArgNumber()) : -1;
  };
  Widen w0, w1;
  int s0 = source(mul->getOperand(0), w0), s1 = source(mul->getOperand(1), w1);
  if (s0 < 0 || s1 < 0 || s0 == s1)
    return false;
  c.widen[s0] = w0;
  c.widen[s1] = w1;
  size_t expected = 3 + (w0 != Widen::None) + (w1 != Widen::None);
  return body.getOperations().size() == expected;
}

/// An op a body may contain to be evaluated lane-wise on vectors. It must
/// be pure: lanes past the valid ones hold zeros or whatever follows in
/// memory, and a division there could trap.
static bool isLiftable(Operation &op) {
  return isa<arith::ConstantOp>(op) || (OpTrait::hasElementwiseMappableTraits(&op) && isPure(&op));
}

/// A reduction whose body combines the output with input 0 only, lane-wise
/// (max pooling: `yield(maxsi(out, in0))`).
static bool isFold(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (op.getNumReductionLoops() == 0 || body.getArgument(0).use_empty() ||
      body.getArguments().back().use_empty())
    return false;
  for (unsigned i = 1; i < op.getNumDpsInputs(); ++i)
    if (!body.getArgument(i).use_empty())
      return false;
  return llvm::all_of(body.without_terminator(), isLiftable);
}

/// The contraction `op` computes, with vectors of up to `vectorBits`.
std::optional<Contraction> match(linalg::GenericOp op, unsigned vectorBits) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return std::nullopt;
  Contraction c;
  c.op = op;
  if (!isMultiplyAccumulate(op, c)) {
    if (!isFold(op))
      return std::nullopt;
    c.fold = true;
  }
  // Float: one element type throughout. Integer: inputs no wider than the
  // accumulator, widened in the body when narrower. A fold's body converts
  // what it needs.
  Type elem = llvm::cast<ShapedType>(op.getDpsInitOperand(0)->get().getType()).getElementType();
  if (!elem.isIntOrFloat())
    return std::nullopt;
  for (OpOperand &o : op->getOpOperands()) {
    auto t = llvm::dyn_cast<MemRefType>(o.get().getType());
    if (!t || !t.hasStaticShape())
      return std::nullopt;
    Type e = t.getElementType();
    if (c.fold)
      continue;
    if (c.integer ? !e.isSignlessInteger() || e.getIntOrFloatBitWidth() > elem.getIntOrFloatBitWidth()
                  : !llvm::isa<FloatType>(e) || e != elem)
      return std::nullopt;
  }
  // Vectors of fewer than two lanes are scalars.
  unsigned bits = elem.getIntOrFloatBitWidth();
  unsigned lanes = vectorBits >= 2 * bits ? vectorBits / bits : 1;
  c.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(c.ranges, ShapedType::isDynamic))
    return std::nullopt;
  c.outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!c.outMap.isProjectedPermutation() || c.outMap.getNumResults() == 0)
    return std::nullopt;
  Value out = op.getDpsInitOperand(0)->get();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  // The vectorised dim. Scalars: the output's last dim. Vectors: the
  // parallel dim that fills the lanes best without gathering an operand
  // lane by lane in the inner loop; the output's last dim on a tie (its
  // elements are consecutive). A conv with a wide image vectorises along
  // the image row; one with a narrow image or a stride along its output
  // channels (whose weights are packed channel-last).
  unsigned last = llvm::cast<AffineDimExpr>(c.outMap.getResults().back()).getPosition();
  int64_t reductionSteps = 1;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] != utils::IteratorType::parallel)
      reductionSteps *= c.ranges[d];
  auto fill = [&](unsigned d) {
    int64_t n = c.ranges[d];
    return double(n) / double((n + lanes - 1) / lanes * lanes);
  };
  auto colScore = [&](unsigned d) {
    double score = fill(d);
    for (int i = 0; i < 2; ++i) {
      OpOperand *operand = op.getDpsInputOperand(i);
      AffineMap map = op.getMatchingIndexingMap(operand);
      if (!map.isFunctionOfDim(d))
        continue;
      int64_t stride = laneStride(map, d, operand->get(), lanes);
      score *= stride == 1 ? 1.0 : stride > 1 ? 0.6 : 0.25;
    }
    // Results stored lane by lane: once per block, after all reduction
    // steps; it costs more the fewer steps there are to share it (a 3x3
    // conv over one input channel has 9).
    if (laneStride(c.outMap, d, out, lanes) != 1)
      score *= 1.0 - std::min(0.5, double(lanes) / (2.0 * double(reductionSteps)));
    return score;
  };
  c.col = last;
  if (lanes > 1)
    for (unsigned d = 0; d < iters.size(); ++d)
      if (iters[d] == utils::IteratorType::parallel && colScore(d) > colScore(c.col))
        c.col = d;
  c.outContiguous = laneStride(c.outMap, c.col, out, lanes) == 1;
  for (int i = 0; i < 2; ++i) {
    OpOperand *operand = op.getDpsInputOperand(i);
    Access &a = c.in[i];
    a.map = op.getMatchingIndexingMap(operand);
    a.usesCol = a.map.isFunctionOfDim(c.col);
    a.stride = a.usesCol ? laneStride(a.map, c.col, operand->get(), lanes) : 0;
  }
  // The row dim: a parallel dim with more than one iteration, preferring
  // one the vector operand does not depend on (that vector is then loaded
  // once for all rows), then one some operand does not depend on, then the
  // longest.
  auto score = [&](unsigned d) {
    int reuseVector = 0, reuseAny = 0;
    for (const Access &a : c.in) {
      bool uses = a.map.isFunctionOfDim(d);
      reuseVector += a.usesCol && !uses;
      reuseAny += !uses;
    }
    return std::make_tuple(reuseVector, reuseAny, c.ranges[d]);
  };
  for (unsigned d = 0; d < iters.size(); ++d) {
    if (iters[d] != utils::IteratorType::parallel)
      c.reductions.push_back(d);
    else if (d != c.col && c.ranges[d] > 1 && (c.row < 0 || score(d) > score(c.row)))
      c.row = static_cast<int>(d);
  }
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::parallel && d != c.col && static_cast<int>(d) != c.row)
      c.outer.push_back(d);
  for (Access &a : c.in)
    a.usesRow = c.row >= 0 && a.map.isFunctionOfDim(c.row);
  // Narrower vectors when the vectorised dim is short.
  while (lanes > 2 && c.ranges[c.col] * 2 <= static_cast<int64_t>(lanes))
    lanes /= 2;
  c.lanes = lanes;
  return c;
}

/// True if the steps of one group along dim d read adjacent elements of
/// `memref`: groups start at multiples of the group size as vectors start
/// at multiples of the lanes, so this is a lane stride of one.
bool adjacentSteps(const Contraction &c, AffineMap map, unsigned d, Value memref) {
  return laneStride(map, d, memref, c.groupSize) == 1;
}

/// Takes a reduction dim several steps at a time when the target has an
/// int8 dot-product instruction and both operands are int8 summed in int32:
///   x86-pmaddwd  pairs as 16-bit lanes, `pmaddwd` multiplies and adds each
///                pair into a 32-bit lane (products of int8 pairs cannot
///                overflow);
///   arm-sdot     groups of 4 int8 (both signed), `sdot` adds each group's
///                dot product into a 32-bit lane.
void chooseGroup(Contraction &c, StringRef dotProduct) {
  if (!c.integer || c.widen[0] == Widen::None || c.widen[1] == Widen::None)
    return;
  Type acc = llvm::cast<MemRefType>(c.op.getDpsInitOperand(0)->get().getType()).getElementType();
  for (int i = 0; i < 2; ++i)
    if (!llvm::cast<MemRefType>(c.op.getDpsInputOperand(i)->get().getType()).getElementType().isInteger(8))
      return;
  if (!acc.isInteger(32))
    return;
  if (dotProduct == "x86-pmaddwd") {
    c.groupSize = 2;
    c.groupWidened = true;
    switch (c.lanes) {
    case 4: c.groupIntrinsic = "llvm.x86.sse2.pmadd.wd"; break;
    case 8: c.groupIntrinsic = "llvm.x86.avx2.pmadd.wd"; break;
    case 16: c.groupIntrinsic = "llvm.x86.avx512.pmaddw.d.512"; break;
    default: return;
    }
  } else if (dotProduct == "arm-sdot") {
    if (c.widen[0] != Widen::Signed || c.widen[1] != Widen::Signed)
      return;
    c.groupSize = 4;
    c.intrinsicAccumulates = true;
    switch (c.lanes) {
    case 2: c.groupIntrinsic = "llvm.aarch64.neon.sdot.v2i32.v8i8"; break;
    case 4: c.groupIntrinsic = "llvm.aarch64.neon.sdot.v4i32.v16i8"; break;
    default: return;
    }
  } else {
    return;
  }
  // Preferably a dim along which each broadcast operand's group is adjacent
  // bytes (one load: a conv's kernel column, a matmul's K); then one whose
  // range the group divides (no steps left alone); then the innermost. The
  // steps past the last whole group are done one at a time.
  int64_t g = c.groupSize;
  auto score = [&](unsigned d) {
    bool adjacent = llvm::all_of(llvm::seq(0, 2), [&](int i) {
      return c.in[i].usesCol || adjacentSteps(c, c.in[i].map, d, c.op.getDpsInputOperand(i)->get());
    });
    return std::make_tuple(adjacent, c.ranges[d] % g == 0);
  };
  for (unsigned d : llvm::reverse(c.reductions))
    if (c.ranges[d] >= g && (c.group < 0 || score(d) > score(static_cast<unsigned>(c.group))))
      c.group = static_cast<int>(d);
  if (c.group < 0)
    c.groupIntrinsic.clear();
}

/// The nearest op before (or after) `op` that reads or writes memory: a
/// fused init or epilogue may be moved across what lies between (constants,
/// views, allocations).
static Operation *nearestAccess(Operation *op, bool after) {
  auto step = [&](Operation *o) { return after ? o->getNextNode() : o->getPrevNode(); };
  Operation *n = step(op);
  while (n && (isa<memref::AllocOp>(n) || isMemoryEffectFree(n)))
    n = step(n);
  return n;
}

/// True if every op of `g`'s body (but the yield) can be applied lane-wise
/// to vectors, and the body does not read the output's old value.
static bool liftableBody(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  if (!body.getArguments().back().use_empty())
    return false;
  return llvm::all_of(body.without_terminator(), isLiftable);
}

/// `op`'s inputs as read at the contraction's loop positions: `op` runs
/// over the output's shape with an identity output map, so its loop
/// indices are the output map of the contraction's.
static void describeInputs(Contraction &c, Elementwise &e) {
  auto g = llvm::dyn_cast<linalg::GenericOp>(e.op);
  if (!g)
    return; // a fill: one scalar
  for (OpOperand *operand : g.getDpsInputOperands()) {
    Access a;
    a.map = g.getMatchingIndexingMap(operand).compose(c.outMap);
    a.usesCol = a.map.isFunctionOfDim(c.col);
    a.stride = a.usesCol ? laneStride(a.map, c.col, operand->get(), c.lanes) : 0;
    a.usesRow = c.row >= 0 && a.map.isFunctionOfDim(c.row);
    e.inputs.push_back(a);
  }
}

/// An all-parallel generic over `shape` whose output map is the identity.
static bool isElementwiseOver(linalg::GenericOp g, ArrayRef<int64_t> shape) {
  if (g.getNumDpsInits() != 1 || g.getNumReductionLoops() != 0 || !liftableBody(g))
    return false;
  OpOperand *out = g.getDpsInitOperand(0);
  auto t = llvm::dyn_cast<MemRefType>(out->get().getType());
  return t && t.getShape() == shape && g.getMatchingIndexingMap(out).isIdentity();
}

/// The buffer `v` is or views.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// The op that fills the contraction's output just before it: a fill or an
/// elementwise generic writing exactly that buffer.
void findInit(Contraction &c) {
  Value out = c.op.getDpsInitOperand(0)->get();
  auto shape = llvm::cast<MemRefType>(out.getType()).getShape();
  Operation *p = nearestAccess(c.op, /*after=*/false);
  if (!p)
    return;
  if (auto fill = llvm::dyn_cast<linalg::FillOp>(p)) {
    if (fill.getOutputs()[0] == out && fill.hasPureBufferSemantics())
      c.init.op = fill;
  } else if (auto g = llvm::dyn_cast<linalg::GenericOp>(p)) {
    if (g.hasPureBufferSemantics() && isElementwiseOver(g, shape) && g.getDpsInitOperand(0)->get() == out &&
        llvm::none_of(g.getDpsInputs(), [&](Value v) { return rootOf(v) == rootOf(out); }))
      c.init.op = g;
  }
  if (c.init.op)
    describeInputs(c, c.init);
}

/// True if every use of `buffer` (through views) is by one of `ops`.
static bool onlyUsedBy(Value buffer, ArrayRef<Operation *> ops) {
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = use.getOwner();
    if (llvm::is_contained(ops, user))
      continue;
    auto view = llvm::dyn_cast<ViewLikeOpInterface>(user);
    if (!view || view.getViewSource() != buffer)
      return false;
    for (Value r : user->getResults())
      if (!onlyUsedBy(r, ops))
        return false;
  }
  return true;
}

/// The elementwise generic that reads the contraction's output right after
/// it, as the only reader of an intermediate buffer: evaluated in the
/// kernel, the buffer is no longer needed.
void findEpilogue(Contraction &c) {
  Value out = c.op.getDpsInitOperand(0)->get();
  auto shape = llvm::cast<MemRefType>(out.getType()).getShape();
  auto g = llvm::dyn_cast_or_null<linalg::GenericOp>(nearestAccess(c.op, /*after=*/true));
  if (!g || !g.hasPureBufferSemantics() || !isElementwiseOver(g, shape))
    return;
  // The accumulator itself, read once and directly (not through a view:
  // that would read a buffer the kernel no longer writes).
  Value root = rootOf(out);
  int reads = 0;
  for (OpOperand &operand : g->getOpOperands()) {
    if (rootOf(operand.get()) != root)
      continue;
    if (operand.get() != out || !g.isDpsInput(&operand) || !g.getMatchingIndexingMap(&operand).isIdentity())
      return;
    ++reads;
  }
  // The kernel writes the epilogue's results while it still reads its own
  // inputs (and the init's): they must not share memory. (Caller buffers
  // never do: the header requires inputs, outputs and arena not to overlap.)
  Value result = rootOf(g.getDpsInitOperand(0)->get());
  SmallVector<Value> read(c.op.getDpsInputs());
  if (auto init = llvm::dyn_cast_or_null<linalg::GenericOp>(c.init.op))
    llvm::append_range(read, init.getDpsInputs());
  if (llvm::any_of(read, [&](Value v) { return rootOf(v) == result; }))
    return;
  SmallVector<Operation *> users{c.op, g};
  if (c.init.op)
    users.push_back(c.init.op);
  if (reads != 1 || !root.getDefiningOp<memref::AllocOp>() || !onlyUsedBy(root, users))
    return;
  c.epilogue.op = g;
  c.epilogue.out = g.getDpsInitOperand(0)->get();
  c.epilogue.outContiguous = laneStride(c.outMap, c.col, c.epilogue.out, c.lanes) == 1;
  describeInputs(c, c.epilogue);
}

} // namespace edgec::vectorize
