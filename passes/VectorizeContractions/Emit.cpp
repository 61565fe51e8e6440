//===- Emit.cpp - the register-blocked loop nest of a contraction ---------===//
//
// The kernel of a matched contraction (Contraction.h): loops over the
// other parallel dims, the row dim in steps of `rows`, the vector dim in
// steps of `vectors * lanes` (then leftovers and one masked vector);
// `rows x vectors` accumulators in registers, started from the init and
// finished by the epilogue evaluated on them.
//
//===----------------------------------------------------------------------===//
#include "passes/VectorizeContractions/Contraction.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"

namespace edgec::vectorize {
using namespace mlir;

namespace {

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
    // A memref of i1 has a byte per element, a vector<N x i1> in memory a
    // bit: booleans are gathered lane by lane.
    bool bytesPerBool = elem.isInteger(1);
    if (stride == 1 && !bytesPerBool) {
      SmallVector<Value> idx = indices(b, map, at(b, r, colOffset));
      // The lanes past `valid` only feed results that are not stored.
      if (valid == lanes || inBounds(memref, map, lanes))
        return vector::LoadOp::create(b, loc, vectorType(), memref, idx);
      return vector::MaskedLoadOp::create(b, loc, vectorType(), memref, idx, mask(b, lanes, valid),
                                          zeros(b, lanes, elem));
    }
    if (stride > 1 && !bytesPerBool) {
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
    // Booleans lane by lane, as loadVector reads them.
    bool bytesPerBool = llvm::cast<MemRefType>(memref.getType()).getElementType().isInteger(1);
    if (lanes > 1 && contiguous && !bytesPerBool) {
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

} // namespace

void emitKernel(const Contraction &c, unsigned rows, unsigned vectors, OpBuilder &b) {
  Emitter(c, rows, vectors).emit(b);
}

} // namespace edgec::vectorize
