//===- VectorizeContractions.cpp - register-blocked conv/matmul kernels ---===//
//
// A linalg.generic on buffers whose body is `out + a * b` (conv, matmul,
// gemm as GraphToLinalg builds them) becomes a loop nest whose innermost
// block keeps `rows x vectors` accumulators in registers:
//
//   parallel loops: the other parallel dims; the "row" dim in steps of
//   `rows` (then the leftover rows); the vector dim in steps of
//   `vectors * lanes` (then whole vectors, then one masked vector)
//     acc[r][u] = out[i0 + r, j0 + u*lanes .. +lanes]
//     for the reduction dims, in their order
//       acc[r][u] += a(...) * b(...)     // vector load or broadcast
//     out[...] = acc
//
// The vector dim is the one that fills the lanes without gathering an
// operand lane by lane; the row dim is chosen so that the operand loaded
// as a vector is reused across rows (the output channel of a conv, the row
// of a matmul); the parallel loops the largest input depends on go outside.
// Each output element is still summed in the reduction loops' order, so
// results differ from the plain loops only where LLVM fuses the
// multiply-add (contract), which it does only where the cpu has FMA. With
// `vector-bits=0` the same blocking is done on scalars, which still keeps
// the accumulators in registers on MCUs.
//
// The elementwise generic that fills the output before the contraction (the
// bias) and the one that reads it right after (activation; an int8 conv's
// requantisation) are evaluated inside the block, on the accumulators in
// registers: the accumulator buffer is then neither written nor read, and
// is dropped (an int8 conv's int32 buffer is 4x its int8 result). The pass
// runs before memory planning, so the arena does not hold it either.
// docs/design/kernels.md has the details.
//
//===----------------------------------------------------------------------===//
#include "passes/PassResults.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <map>

namespace edgec {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONSPASS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// How an input operand is read inside the block.
struct Access {
  AffineMap map;
  bool usesRow = false; // depends on the row dim
  bool usesCol = false; // depends on the vectorised dim
  // Elements between lanes in the last dim: 1 contiguous, 2..kMaxStride
  // strided (one wider load, then every stride-th lane), 0 lane by lane.
  int64_t stride = 0;
};

/// How an integer input is widened to the accumulator's type.
enum class Widen { None, Signed, Unsigned };

/// An elementwise generic (or fill) evaluated inside the kernel, at the
/// accumulators' positions: its inputs as the contraction's loops read them.
struct Elementwise {
  Operation *op = nullptr; // linalg.generic or linalg.fill; null = none
  SmallVector<Access> inputs;
  Value out;               // the epilogue's result buffer
  bool outContiguous = false;
};

/// A contraction `out += in0 * in1` with static loop ranges: float, or
/// integers (int8) widened and summed in a wider integer (int32).
struct Contraction {
  linalg::GenericOp op;
  // `out += in0 * in1`, or any lane-wise fold of in0 into out (a max or
  // sum pool: in1 is then the window, which only gives the loop ranges).
  bool fold = false;
  bool integer = false;
  Widen widen[2] = {Widen::None, Widen::None};
  SmallVector<int64_t> ranges;
  SmallVector<unsigned> outer;      // parallel dims other than row/col
  SmallVector<unsigned> reductions; // in loop order
  int row = -1;                     // the register-blocked dim, -1 = none
  unsigned col = 0;                 // the vectorised dim
  Access in[2];
  AffineMap outMap;
  bool outContiguous = false;
  unsigned lanes = 1;               // of each vector; 1 = scalars
  // int8 dot products: the reduction dim taken `group` steps at a time, the
  // intrinsic that multiplies and sums each lane's group (x86 pmaddwd: 2,
  // widened to 16 bits, then added; Arm sdot: 4, int8, accumulating).
  int group = -1;                   // the grouped dim, -1 = none
  unsigned groupSize = 1;
  bool groupWidened = false;        // operands widened to 16 bits
  bool intrinsicAccumulates = false; // intrinsic(acc, a, b) rather than acc + intrinsic(a, b)
  std::string groupIntrinsic;
  Elementwise init;                 // fills `out` before (e.g. the bias)
  Elementwise epilogue;             // reads `out` after (e.g. requantisation)
};

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

bool lastStrideIsOne(Value memref) {
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
bool inPanels(AffineExpr e, unsigned d, AffineExprKind kind, unsigned lanes) {
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
int64_t laneStride(AffineMap map, unsigned col, Value memref, unsigned lanes) {
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
bool isMultiplyAccumulate(linalg::GenericOp op, Contraction &c) {
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
bool isLiftable(Operation &op) {
  return isa<arith::ConstantOp>(op) || (OpTrait::hasElementwiseMappableTraits(&op) && isPure(&op));
}

/// A reduction whose body combines the output with input 0 only, lane-wise
/// (max pooling: `yield(maxsi(out, in0))`).
bool isFold(linalg::GenericOp op) {
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
Operation *nearestAccess(Operation *op, bool after) {
  auto step = [&](Operation *o) { return after ? o->getNextNode() : o->getPrevNode(); };
  Operation *n = step(op);
  while (n && (isa<memref::AllocOp>(n) || isMemoryEffectFree(n)))
    n = step(n);
  return n;
}

/// True if every op of `g`'s body (but the yield) can be applied lane-wise
/// to vectors, and the body does not read the output's old value.
bool liftableBody(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  if (!body.getArguments().back().use_empty())
    return false;
  return llvm::all_of(body.without_terminator(), isLiftable);
}

/// `op`'s inputs as read at the contraction's loop positions: `op` runs
/// over the output's shape with an identity output map, so its loop
/// indices are the output map of the contraction's.
void describeInputs(Contraction &c, Elementwise &e) {
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
bool isElementwiseOver(linalg::GenericOp g, ArrayRef<int64_t> shape) {
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
bool onlyUsedBy(Value buffer, ArrayRef<Operation *> ops) {
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

/// Emits the blocked loop nest of one contraction.
class Emitter {
public:
  Emitter(Contraction contraction, unsigned rows, unsigned vectors)
      : c(std::move(contraction)), lanes(c.lanes), rows(rows), vectors(vectors), loc(c.op.getLoc()),
        elem(llvm::cast<MemRefType>(c.op.getDpsInitOperand(0)->get().getType()).getElementType()),
        dims(c.ranges.size()) {}

  void emit(OpBuilder &b) {
    SmallVector<int> order = loopOrder();
    level(b, order, 0, 1, vectors, lanes);
  }

private:
  Contraction c; // a copy: op accessors are not const
  unsigned lanes, rows, vectors;
  Location loc;
  Type elem;
  SmallVector<Value> dims; // current value of every loop dim

  Value index(OpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Type vectorType() { return lanes > 1 ? Type(VectorType::get({lanes}, elem)) : elem; }

  template <typename Body>
  void loop(OpBuilder &b, int64_t from, int64_t to, int64_t step, Body body) {
    if (to - from == step) { // one iteration: no loop
      body(b, index(b, from));
      return;
    }
    scf::ForOp::create(b, loc, index(b, from), index(b, to), index(b, step), ValueRange{},
                       [&](OpBuilder &nb, Location, Value iv, ValueRange) {
                         body(nb, iv);
                         scf::YieldOp::create(nb, loc);
                       });
  }

  /// The parallel loops, outermost first: each is an outer dim, or the
  /// row dim split into blocks, or the vector dim split into blocks. The
  /// dims the largest input depends on go outside, the others inside, so
  /// consecutive blocks reuse that operand from cache: a conv over a big
  /// image sweeps all output channels at one image position; one with big
  /// weights (a late layer) sweeps the whole image for one block of output
  /// channels.
  SmallVector<int> loopOrder() {
    constexpr int kRows = -1, kCols = -2;
    SmallVector<int> order;
    if (c.row >= 0)
      order.push_back(kRows);
    for (unsigned d : c.outer)
      order.push_back(static_cast<int>(d));
    order.push_back(kCols);
    int largest = 0;
    auto bytes = [&](int i) {
      return llvm::cast<MemRefType>(c.op.getDpsInputOperand(i)->get().getType()).getNumElements();
    };
    if (bytes(1) > bytes(0))
      largest = 1;
    AffineMap map = c.in[largest].map;
    auto usedByLargest = [&](int level) {
      unsigned d = level == kRows ? static_cast<unsigned>(c.row) : level == kCols ? c.col : level;
      return map.isFunctionOfDim(d);
    };
    std::stable_partition(order.begin(), order.end(), usedByLargest);
    return order;
  }

  /// Emits loop level `k` and what is inside it.
  void level(OpBuilder &b, ArrayRef<int> order, unsigned k, unsigned nrows, unsigned nvec,
             unsigned valid) {
    if (k == order.size())
      return block(b, nrows, nvec, valid);
    auto next = [&](OpBuilder &nb, unsigned r, unsigned v, unsigned l) {
      level(nb, order, k + 1, r, v, l);
    };
    if (order[k] == -1) { // rows: blocks of `rows`, then the leftover rows
      int64_t n = c.ranges[c.row], main = n - n % rows;
      if (main > 0)
        loop(b, 0, main, rows, [&](OpBuilder &nb, Value iv) {
          dims[c.row] = iv;
          next(nb, rows, nvec, valid);
        });
      if (n % rows) {
        dims[c.row] = index(b, main);
        next(b, static_cast<unsigned>(n % rows), nvec, valid);
      }
      return;
    }
    if (order[k] == -2) { // columns: blocks of `vectors`, whole vectors, a masked one
      int64_t n = c.ranges[c.col], wide = static_cast<int64_t>(vectors) * lanes;
      int64_t main = n - n % wide;
      if (main > 0)
        loop(b, 0, main, wide, [&](OpBuilder &nb, Value iv) {
          dims[c.col] = iv;
          next(nb, nrows, vectors, lanes);
        });
      int64_t whole = (n - main) / lanes;
      if (whole > 0) {
        dims[c.col] = index(b, main);
        next(b, nrows, static_cast<unsigned>(whole), lanes);
      }
      if (int64_t partial = (n - main) % lanes) {
        dims[c.col] = index(b, main + whole * lanes);
        next(b, nrows, 1, static_cast<unsigned>(partial));
      }
      return;
    }
    unsigned d = static_cast<unsigned>(order[k]);
    loop(b, 0, c.ranges[d], 1, [&](OpBuilder &nb, Value iv) {
      dims[d] = iv;
      next(nb, nrows, nvec, valid);
    });
  }

  /// The dims with the row and column moved to (row r, column u, lane l).
  SmallVector<Value> at(OpBuilder &b, unsigned r, int64_t colOffset) {
    SmallVector<Value> v(dims);
    // Dims the map does not read may be unset (the reductions, for the
    // output): any value does.
    for (Value &x : v)
      if (!x)
        x = index(b, 0);
    auto shift = [&](unsigned d, int64_t by) {
      if (by)
        v[d] = arith::AddIOp::create(b, loc, v[d], index(b, by));
    };
    if (c.row >= 0)
      shift(c.row, r);
    shift(c.col, colOffset);
    return v;
  }

  SmallVector<Value> indices(OpBuilder &b, AffineMap map, ArrayRef<Value> values) {
    SmallVector<Value> result;
    for (AffineExpr e : map.getResults()) {
      auto one = AffineMap::get(map.getNumDims(), 0, e);
      result.push_back(affine::AffineApplyOp::create(b, loc, one, values));
    }
    return result;
  }

  /// True if `width` consecutive elements from any position `map` reaches
  /// in the loop nest lie inside `memref` (identity layout; each index
  /// grows with the loop dims, so the largest is at the last iteration).
  bool inBounds(Value memref, AffineMap map, unsigned width) {
    auto t = llvm::cast<MemRefType>(memref.getType());
    if (!t.getLayout().isIdentity() || t.getRank() == 0)
      return false;
    SmallVector<AffineExpr> last;
    for (unsigned d = 0; d < map.getNumDims(); ++d)
      last.push_back(getAffineConstantExpr(c.ranges[d] - 1, map.getContext()));
    int64_t flat = 0;
    for (auto [k, e] : llvm::enumerate(map.getResults())) {
      for (unsigned d = 0; d < map.getNumDims(); ++d) {
        int64_t coefficient = 0;
        if (e.isFunctionOfDim(d) && (!linearIn(e, d, coefficient) || coefficient < 0))
          return false;
      }
      auto value = llvm::dyn_cast<AffineConstantExpr>(simplifyAffineExpr(e.replaceDims(last), 0, 0));
      if (!value)
        return false;
      flat = flat * t.getDimSize(k) + value.getValue();
    }
    return flat + static_cast<int64_t>(width) <= t.getNumElements();
  }

  Value mask(OpBuilder &b, unsigned width, unsigned valid) {
    SmallVector<bool> bits(width, false);
    std::fill_n(bits.begin(), valid, true);
    auto t = VectorType::get({width}, b.getI1Type());
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(t, ArrayRef<bool>(bits)));
  }

  Value zeros(OpBuilder &b, unsigned width, Type e) {
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(VectorType::get({width}, e)));
  }

  /// `valid` lanes of `memref` starting at (r, colOffset); the other lanes
  /// are zero or the elements that follow (in the buffer), never stored.
  /// Elements of the memref's own type (int8 inputs stay int8 here).
  Value loadVector(OpBuilder &b, Value memref, AffineMap map, int64_t stride, unsigned r,
                   int64_t colOffset, unsigned valid) {
    Type elem = llvm::cast<MemRefType>(memref.getType()).getElementType();
    auto vectorType = [&] { return VectorType::get({lanes}, elem); };
    if (lanes == 1)
      return memref::LoadOp::create(b, loc, memref, indices(b, map, at(b, r, colOffset)));
    if (stride == 1) {
      SmallVector<Value> idx = indices(b, map, at(b, r, colOffset));
      // The lanes past `valid` only feed results that are not stored.
      if (valid == lanes || inBounds(memref, map, lanes))
        return vector::LoadOp::create(b, loc, vectorType(), memref, idx);
      return vector::MaskedLoadOp::create(b, loc, vectorType(), memref, idx, mask(b, lanes, valid),
                                          zeros(b, lanes, elem));
    }
    if (stride > 1) {
      // A conv with stride s: the (valid - 1) * s + 1 elements that span the
      // lanes (no further: they may be the end of the buffer), then every
      // s-th of them.
      unsigned wide = lanes * static_cast<unsigned>(stride);
      unsigned needed = (valid - 1) * static_cast<unsigned>(stride) + 1;
      auto wideType = VectorType::get({wide}, elem);
      SmallVector<Value> idx = indices(b, map, at(b, r, colOffset));
      // A plain load when even the last position's wide load stays in the
      // buffer (the extra lanes are discarded): masked loads of 8- and
      // 16-bit lanes are element by element on x86.
      Value all = inBounds(memref, map, wide)
                      ? Value(vector::LoadOp::create(b, loc, wideType, memref, idx))
                      : Value(vector::MaskedLoadOp::create(b, loc, wideType, memref, idx,
                                                           mask(b, wide, needed), zeros(b, wide, elem)));
      SmallVector<int64_t> pick;
      for (unsigned l = 0; l < lanes; ++l)
        pick.push_back(l * stride);
      return vector::ShuffleOp::create(b, loc, all, all, pick);
    }
    // Gathered: lane by lane.
    SmallVector<Value> elems;
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
    for (unsigned l = 0; l < lanes; ++l)
      elems.push_back(l < valid ? memref::LoadOp::create(b, loc, memref,
                                                         indices(b, map, at(b, r, colOffset + l)))
                                      .getResult()
                                : zero);
    return vector::FromElementsOp::create(b, loc, vectorType(), elems);
  }

  void storeVector(OpBuilder &b, Value v, Value memref, bool contiguous, unsigned r, int64_t colOffset,
                   unsigned valid) {
    if (lanes > 1 && contiguous) {
      SmallVector<Value> idx = indices(b, c.outMap, at(b, r, colOffset));
      if (valid == lanes)
        vector::StoreOp::create(b, loc, v, memref, idx);
      else
        vector::MaskedStoreOp::create(b, loc, memref, idx, mask(b, lanes, valid), v);
      return;
    }
    for (unsigned l = 0; l < (lanes > 1 ? valid : 1); ++l) {
      Value x = lanes > 1 ? vector::ExtractOp::create(b, loc, v, l).getResult() : v;
      memref::StoreOp::create(b, loc, x, memref, indices(b, c.outMap, at(b, r, colOffset + l)));
    }
  }

  Value loadOutput(OpBuilder &b, Value memref, unsigned r, int64_t colOffset, unsigned valid) {
    return loadVector(b, memref, c.outMap, c.outContiguous ? 1 : 0, r, colOffset, valid);
  }

  /// rows x nvec accumulators of `valid` lanes each (valid < lanes only
  /// when nvec == 1).
  void block(OpBuilder &b, unsigned nrows, unsigned nvec, unsigned valid) {
    Value out = c.op.getDpsInitOperand(0)->get();
    // Reduction dims are loop variables only inside the reduction loops.
    auto leaveReductions = [&] {
      for (unsigned d : c.reductions)
        dims[d] = Value();
    };
    leaveReductions();
    SmallVector<Value> acc;
    for (unsigned r = 0; r < nrows; ++r)
      for (unsigned u = 0; u < nvec; ++u)
        acc.push_back(c.init.op ? evaluate(b, c.init, r, int64_t(u) * lanes, valid, Value())
                                : loadOutput(b, out, r, int64_t(u) * lanes, valid));
    acc = reduce(b, 0, acc, nrows, nvec, valid, true);
    leaveReductions();
    for (unsigned r = 0; r < nrows; ++r)
      for (unsigned u = 0; u < nvec; ++u) {
        int64_t col = int64_t(u) * lanes;
        if (c.epilogue.op)
          storeVector(b, evaluate(b, c.epilogue, r, col, valid, acc[r * nvec + u]), c.epilogue.out,
                      c.epilogue.outContiguous, r, col, valid);
        else
          storeVector(b, acc[r * nvec + u], out, c.outContiguous, r, col, valid);
      }
  }

  /// An operand at (row r, column colOffset): a vector along the column, or
  /// one element broadcast to every lane.
  Value operandAt(OpBuilder &b, Value memref, const Access &a, unsigned r, int64_t colOffset,
                  unsigned valid) {
    if (a.usesCol)
      return loadVector(b, memref, a.map, a.stride, r, colOffset, valid);
    Value s = memref::LoadOp::create(b, loc, memref, indices(b, a.map, at(b, r, 0)));
    return broadcast(b, s);
  }

  Value broadcast(OpBuilder &b, Value s) {
    if (lanes == 1 || llvm::isa<VectorType>(s.getType()))
      return s;
    return vector::BroadcastOp::create(b, loc, VectorType::get({lanes}, s.getType()), s);
  }

  /// `e`'s body at (row r, column colOffset), lane-wise on vectors; the
  /// epilogue reads `acc` where it read the contraction's output.
  Value evaluate(OpBuilder &b, const Elementwise &e, unsigned r, int64_t colOffset, unsigned valid,
                 Value acc) {
    if (auto fill = llvm::dyn_cast<linalg::FillOp>(e.op))
      return broadcast(b, fill.getInputs()[0]);
    auto g = llvm::cast<linalg::GenericOp>(e.op);
    Block &body = g.getRegion().front();
    Value out = c.op.getDpsInitOperand(0)->get();
    IRMapping values;
    for (auto [i, operand] : llvm::enumerate(g.getDpsInputOperands()))
      values.map(body.getArgument(i), operand->get() == out && acc
                                          ? acc
                                          : operandAt(b, operand->get(), e.inputs[i], r, colOffset, valid));
    return lift(b, body, values);
  }

  /// `body`'s ops on vectors (its arguments mapped in `values`): scalar
  /// operands (constants, values from outside the body) broadcast.
  Value lift(OpBuilder &b, Block &body, IRMapping &values) {
    for (Operation &op : body.without_terminator()) {
      if (lanes == 1 || isa<arith::ConstantOp>(op)) {
        b.clone(op, values);
        continue;
      }
      SmallVector<Value> operands;
      for (Value v : op.getOperands())
        operands.push_back(broadcast(b, values.lookupOrDefault(v)));
      Operation *lifted = b.clone(op, values);
      lifted->setOperands(operands);
      for (Value result : lifted->getResults())
        result.setType(VectorType::get({lanes}, result.getType()));
    }
    return broadcast(b, values.lookupOrDefault(body.getTerminator()->getOperand(0)));
  }

  /// The reduction loops from `pos` in; `grouped`: the grouped dim (if any,
  /// and not yet past its last whole group) goes `groupSize` steps at a time.
  SmallVector<Value> reduce(OpBuilder &b, unsigned pos, ValueRange acc, unsigned nrows,
                            unsigned nvec, unsigned valid, bool grouped) {
    if (pos == c.reductions.size())
      return grouped && c.group >= 0 ? multiplyAccumulateGroups(b, acc, nrows, nvec, valid)
                                     : multiplyAccumulate(b, acc, nrows, nvec, valid);
    unsigned d = c.reductions[pos];
    bool groups = grouped && static_cast<int>(d) == c.group;
    int64_t step = groups ? c.groupSize : 1, n = c.ranges[d] / step * step;
    SmallVector<Value> result;
    if (n == step) {
      dims[d] = index(b, 0);
      result = reduce(b, pos + 1, acc, nrows, nvec, valid, grouped);
    } else {
      auto forOp = scf::ForOp::create(
          b, loc, index(b, 0), index(b, n), index(b, step), acc,
          [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
            dims[d] = iv;
            scf::YieldOp::create(nb, loc, reduce(nb, pos + 1, args, nrows, nvec, valid, grouped));
          });
      result.assign(forOp.getResults().begin(), forOp.getResults().end());
    }
    for (int64_t t = n; t < c.ranges[d]; ++t) { // the steps past the last group, alone
      dims[d] = index(b, t);
      result = reduce(b, pos + 1, result, nrows, nvec, valid, false);
    }
    return result;
  }

  /// Input `i` (scalar or vector) in the accumulator's element type.
  Value widen(OpBuilder &b, Value v, int i) {
    Type to = elem;
    if (auto vt = llvm::dyn_cast<VectorType>(v.getType()))
      to = VectorType::get(vt.getShape(), elem);
    switch (c.widen[i]) {
    case Widen::Signed:
      return arith::ExtSIOp::create(b, loc, to, v);
    case Widen::Unsigned:
      return arith::ExtUIOp::create(b, loc, to, v);
    case Widen::None:
      return v;
    }
    return v;
  }

  /// Input `i` at steps p .. p + G - 1 of the grouped dim, interleaved lane
  /// by lane (lane l holds its G steps side by side), widened to 16 bits
  /// for pmaddwd: `lanes` groups.
  Value groupAt(OpBuilder &b, int i, unsigned r, int64_t colOffset, unsigned valid) {
    const Access &a = c.in[i];
    Value memref = c.op.getDpsInputOperand(i)->get();
    unsigned d = static_cast<unsigned>(c.group), g = c.groupSize;
    Value p = dims[d];
    Type i8 = b.getI8Type();
    auto widen = [&](Value v) -> Value {
      if (!c.groupWidened)
        return v;
      auto to = VectorType::get(llvm::cast<VectorType>(v.getType()).getShape(), b.getI16Type());
      return c.widen[i] == Widen::Signed ? Value(arith::ExtSIOp::create(b, loc, to, v))
                                         : Value(arith::ExtUIOp::create(b, loc, to, v));
    };
    // The same group for every lane: its G bytes as one word, broadcast.
    Type word = b.getIntegerType(8 * g);
    auto everyLane = [&](Value group) {
      Value w = vector::BitCastOp::create(b, loc, VectorType::get({1}, word), group);
      Value all = vector::BroadcastOp::create(b, loc, VectorType::get({lanes}, word), w);
      return widen(vector::BitCastOp::create(b, loc, VectorType::get({g * lanes}, i8), all));
    };
    if (!a.usesCol && adjacentSteps(c, a.map, d, memref))
      return everyLane(vector::LoadOp::create(b, loc, VectorType::get({g}, i8), memref,
                                              indices(b, a.map, at(b, r, 0))));
    SmallVector<Value> steps;
    for (unsigned s = 0; s < g; ++s) {
      dims[d] = s ? arith::AddIOp::create(b, loc, p, index(b, s)).getResult() : p;
      steps.push_back(a.usesCol ? loadVector(b, memref, a.map, a.stride, r, colOffset, valid)
                                : memref::LoadOp::create(b, loc, memref, indices(b, a.map, at(b, r, 0)))
                                      .getResult());
    }
    dims[d] = p;
    if (!a.usesCol)
      return everyLane(vector::FromElementsOp::create(b, loc, VectorType::get({g}, i8), steps));
    // Lane l's steps side by side, in step order (lane l of step s goes to
    // g * l + s, as the broadcast operand's bytes lie): interleave steps
    // 0 and 1 (2 and 3) element by element, then those two by pairs.
    SmallVector<Value> parts(steps);
    for (unsigned chunk = 1; parts.size() > 1; chunk *= 2) {
      unsigned width = static_cast<unsigned>(llvm::cast<VectorType>(parts[0].getType()).getNumElements());
      SmallVector<int64_t> interleave;
      for (unsigned k = 0; k < width; k += chunk)
        for (unsigned half : {0u, width})
          for (unsigned e = 0; e < chunk; ++e)
            interleave.push_back(half + k + e);
      SmallVector<Value> next;
      for (unsigned k = 0; k < parts.size(); k += 2)
        next.push_back(vector::ShuffleOp::create(b, loc, parts[k], parts[k + 1], interleave));
      parts = next;
    }
    return widen(parts[0]);
  }

  /// Input `i` loaded once per (row it depends on, column it depends on)
  /// by `load(r, colOffset)`, to be shared by the accumulators that need it.
  SmallVector<Value> loadShared(int i, unsigned nrows, unsigned nvec,
                                llvm::function_ref<Value(unsigned, int64_t)> load) {
    const Access &a = c.in[i];
    SmallVector<Value> loaded;
    for (unsigned r = 0; r < (a.usesRow ? nrows : 1); ++r)
      for (unsigned u = 0; u < (a.usesCol ? nvec : 1); ++u)
        loaded.push_back(load(r, int64_t(u) * lanes));
    return loaded;
  }

  /// The value of `loadShared(i, ...)` accumulator (r, u) uses.
  Value shared(ArrayRef<Value> loaded, int i, unsigned r, unsigned u, unsigned nvec) {
    const Access &a = c.in[i];
    return loaded[(a.usesRow ? r : 0) * (a.usesCol ? nvec : 1) + (a.usesCol ? u : 0)];
  }

  /// acc += the dot product of each lane's group of a and b: one
  /// instruction per accumulator.
  SmallVector<Value> multiplyAccumulateGroups(OpBuilder &b, ValueRange acc, unsigned nrows,
                                              unsigned nvec, unsigned valid) {
    SmallVector<Value> operand[2];
    for (int i = 0; i < 2; ++i)
      operand[i] = loadShared(i, nrows, nvec, [&](unsigned r, int64_t col) { return groupAt(b, i, r, col, valid); });
    auto name = b.getStringAttr(c.groupIntrinsic);
    SmallVector<Value> result;
    for (unsigned r = 0; r < nrows; ++r)
      for (unsigned u = 0; u < nvec; ++u) {
        auto pick = [&](int i) { return shared(operand[i], i, r, u, nvec); };
        Value sum = acc[r * nvec + u];
        if (c.intrinsicAccumulates) {
          result.push_back(LLVM::CallIntrinsicOp::create(b, loc, sum.getType(), name,
                                                         ValueRange{sum, pick(0), pick(1)})
                               ->getResult(0));
          continue;
        }
        Value dot = LLVM::CallIntrinsicOp::create(b, loc, sum.getType(), name, ValueRange{pick(0), pick(1)})
                        ->getResult(0);
        result.push_back(arith::AddIOp::create(b, loc, sum, dot));
      }
    return result;
  }

  /// A fold's body on (input 0, accumulator) for every accumulator.
  SmallVector<Value> foldStep(OpBuilder &b, ValueRange acc, unsigned nrows, unsigned nvec,
                              unsigned valid) {
    Block &body = c.op.getRegion().front();
    Value in = c.op.getDpsInputOperand(0)->get();
    SmallVector<Value> result;
    for (unsigned r = 0; r < nrows; ++r)
      for (unsigned u = 0; u < nvec; ++u) {
        IRMapping values;
        values.map(body.getArgument(0), operandAt(b, in, c.in[0], r, int64_t(u) * lanes, valid));
        values.map(body.getArguments().back(), acc[r * nvec + u]);
        result.push_back(lift(b, body, values));
      }
    return result;
  }

  SmallVector<Value> multiplyAccumulate(OpBuilder &b, ValueRange acc, unsigned nrows,
                                        unsigned nvec, unsigned valid) {
    if (c.fold)
      return foldStep(b, acc, nrows, nvec, valid);
    SmallVector<Value> operand[2];
    for (int i = 0; i < 2; ++i) {
      const Access &a = c.in[i];
      Value memref = c.op.getDpsInputOperand(i)->get();
      operand[i] = loadShared(i, nrows, nvec, [&](unsigned r, int64_t col) -> Value {
        if (a.usesCol)
          return widen(b, loadVector(b, memref, a.map, a.stride, r, col, valid), i);
        // Widened before the broadcast: one scalar extension.
        return broadcast(b, widen(b, memref::LoadOp::create(b, loc, memref, indices(b, a.map, at(b, r, 0))), i));
      });
    }
    auto contract = arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::contract);
    SmallVector<Value> result;
    for (unsigned r = 0; r < nrows; ++r)
      for (unsigned u = 0; u < nvec; ++u) {
        auto pick = [&](int i) { return shared(operand[i], i, r, u, nvec); };
        if (c.integer) {
          Value p = arith::MulIOp::create(b, loc, pick(0), pick(1));
          result.push_back(arith::AddIOp::create(b, loc, acc[r * nvec + u], p));
          continue;
        }
        Value p = arith::MulFOp::create(b, loc, pick(0), pick(1), contract);
        result.push_back(arith::AddFOp::create(b, loc, acc[r * nvec + u], p, contract));
      }
    return result;
  }
};

/// For the artifact's report: "4x2 block, 8 lanes, sdot, +bias, +requant".
std::string describeKernel(const Contraction &c, unsigned rows, unsigned vectors) {
  std::string s = c.fold ? "pool" : c.row >= 0 ? std::to_string(rows) + "x" + std::to_string(vectors) + " block"
                                               : std::to_string(vectors) + "-vector block";
  s += c.lanes > 1 ? ", " + std::to_string(c.lanes) + " lanes" : ", scalar";
  if (!c.groupIntrinsic.empty())
    s += llvm::StringRef(c.groupIntrinsic).contains("sdot") ? ", sdot" : ", pmaddwd";
  // A pool's init is its identity, a bias-less contraction's a zero fill.
  if (c.init.op && !c.fold && !isa<linalg::FillOp>(c.init.op))
    s += ", +bias";
  if (c.epilogue.op)
    s += c.integer ? ", +requant" : ", +act";
  return s;
}

/// Erases `buffer` and its views once nothing reads or writes them.
void eraseUnused(Value buffer) {
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    for (Value r : user->getResults())
      eraseUnused(r);
  if (buffer.use_empty())
    if (Operation *def = buffer.getDefiningOp())
      if (def->use_empty())
        def->erase();
}

struct VectorizeContractionsPass
    : impl::VectorizeContractionsPassBase<VectorizeContractionsPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    llvm::DenseSet<Operation *> fusedAway; // erased with an earlier kernel
    // Per ONNX node, the kernels it became, for the artifact's report.
    std::map<std::string, std::string> kernels;
    for (linalg::GenericOp op : ops) {
      if (fusedAway.contains(op))
        continue;
      std::optional<Contraction> c = match(op, vectorBits);
      if (!c)
        continue;
      chooseGroup(*c, dotProduct);
      findInit(*c);
      findEpilogue(*c);
      // At the epilogue, whose result buffer is allocated after the
      // contraction; nothing in between touches memory.
      OpBuilder b(c->epilogue.op ? c->epilogue.op : op.getOperation());
      Emitter(*c, std::max(1u, rows.getValue()), std::max(1u, vectors.getValue())).emit(b);
      std::string node = onnxNodeName(op.getLoc());
      std::string &kernel = kernels[node];
      kernel += (kernel.empty() ? "" : "; ") + describeKernel(*c, std::max(1u, rows.getValue()),
                                                               std::max(1u, vectors.getValue()));
      // The bias and activation nodes it took in run inside its block.
      for (Operation *fused : {c->epilogue.op, c->init.op})
        if (fused)
          for (const std::string &other : onnxNodesIn(fused))
            if (other != node)
              kernels[other] = "in " + node + "'s kernel";
      Value acc = rootOf(op.getDpsInitOperand(0)->get());
      for (Operation *fused : {c->epilogue.op, c->init.op})
        if (fused) {
          fusedAway.insert(fused);
          fused->erase();
        }
      op.erase();
      if (c->epilogue.op)
        eraseUnused(acc);
    }
    setKernels(getOperation(), kernels);
  }
};

} // namespace
} // namespace edgec
