//===- Contraction.h - a contraction the kernels can compute ----*- C++ -*-===//
//
// edgec-vectorize-contractions in two halves: Match.cpp finds a
// contraction (or pool) and what it can take into its kernel (the init
// before it, the epilogue after) and describes it here; Emit.cpp writes the
// register-blocked loop nest for it.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_PASSES_VECTORIZECONTRACTIONS_CONTRACTION_H
#define EDGEC_PASSES_VECTORIZECONTRACTIONS_CONTRACTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

#include <optional>
#include <string>

namespace edgec::vectorize {
using mlir::AffineExpr;
using mlir::AffineMap;
using mlir::Operation;
using mlir::SmallVector;
using mlir::Value;
namespace linalg = mlir::linalg;

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

// --- Matching (Match.cpp) -----------------------------------------------------

/// The contraction `op` computes, with `vectorBits`-wide vectors (0:
/// scalars); none when it is not one the kernels handle.
std::optional<Contraction> match(mlir::linalg::GenericOp op, unsigned vectorBits);
/// An int8 dot-product instruction (`dotProduct`: the target's) for the
/// reduction, when one applies.
void chooseGroup(Contraction &c, llvm::StringRef dotProduct);
/// The elementwise op that fills `out` before the contraction, if the
/// kernel can evaluate it.
void findInit(Contraction &c);
/// The elementwise op that reads `out` right after, if the kernel can
/// evaluate it on its accumulators.
void findEpilogue(Contraction &c);

/// True if `e`, as a function of dim `d`, is `c * d + (terms without d)`;
/// sets `c`.
bool linearIn(AffineExpr e, unsigned d, int64_t &c);
/// True if consecutive steps of dim `d` read consecutive elements of
/// `memref` through `map`.
bool adjacentSteps(const Contraction &c, AffineMap map, unsigned d, Value memref);
/// The buffer a view is of.
Value rootOf(Value v);

// --- Emitting (Emit.cpp) ------------------------------------------------------

/// The register-blocked loop nest for `c` at `b`'s insertion point: `rows` x
/// `vectors` accumulators.
void emitKernel(const Contraction &c, unsigned rows, unsigned vectors, mlir::OpBuilder &b);

} // namespace edgec::vectorize

#endif // EDGEC_PASSES_VECTORIZECONTRACTIONS_CONTRACTION_H
