//===- Lowering.h - what the graph-to-linalg op families share ---*- C++ -*-===//
//
// edgec-convert-graph-to-linalg lowers one graph op at a time. Its ops are
// split into families, a file each (Elementwise, Linear, Pooling,
// Reduction, DataMovement, Resize, Quantized, Recurrent, ControlFlow, Detection); each file has a
// populate...Lowerings hook that adds its ops to the LoweringTable. This
// header holds what more than one family uses: the builder helpers
// (Lowering), the table, and the few lowerings one family borrows from
// another (a quantised conv is a conv with another epilogue).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_PASSES_GRAPHTOLINALG_LOWERING_H
#define EDGEC_PASSES_GRAPHTOLINALG_LOWERING_H

#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace edgec::graph_to_linalg {
using namespace mlir;
using namespace edgec::graph;
using utils::IteratorType;

inline RankedTensorType typeOf(Value v) { return llvm::cast<RankedTensorType>(v.getType()); }

/// Builds linalg for one graph op at a time.
class Lowering {
public:
  Lowering(Operation *op) : b(op->getLoc(), op), ctx(op->getContext()) {}

  ImplicitLocOpBuilder b;
  MLIRContext *ctx;
  // Conv weight panels (the pass's panel-lanes / panel-width; 0: none).
  int64_t panelLanes = 0, panelWidth = 0;

  // --- Scalars ---------------------------------------------------------------
  Value scalar(Type t, double v) { return scalarIn(b, b.getLoc(), t, v); }
  static Value scalarIn(OpBuilder &ob, Location loc, Type t, double v) {
    if (llvm::isa<FloatType>(t))
      return arith::ConstantOp::create(ob, loc, ob.getFloatAttr(t, v));
    return arith::ConstantOp::create(ob, loc, ob.getIntegerAttr(t, toInt64(v)));
  }
  /// A double as int64, saturating (2^63 - 1 is not a double).
  static int64_t toInt64(double v) {
    if (v >= 9223372036854775807.0)
      return std::numeric_limits<int64_t>::max();
    if (v <= -9223372036854775808.0)
      return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(v);
  }

  // --- Tensors ---------------------------------------------------------------
  Value empty(RankedTensorType t) {
    return tensor::EmptyOp::create(b, t.getShape(), t.getElementType());
  }
  Value filled(RankedTensorType t, double v) {
    Value s = scalar(t.getElementType(), v);
    return linalg::FillOp::create(b, s, empty(t)).getResult(0);
  }

  /// Indexing map reading `input` (numpy-broadcast, right aligned) inside a
  /// loop nest over `resultShape`.
  AffineMap broadcastMap(RankedTensorType input, ArrayRef<int64_t> resultShape) {
    int64_t rank = resultShape.size(), offset = rank - input.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < input.getRank(); ++i)
      exprs.push_back(input.getDimSize(i) == 1 && resultShape[i + offset] != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(i + offset, ctx));
    return AffineMap::get(rank, 0, exprs, ctx);
  }

  /// One linalg.generic over `resultType`, all loops parallel, inputs
  /// broadcast numpy style. `body` gets the input scalars and returns the
  /// result scalar.
  using Body = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;
  Value elementwise(RankedTensorType resultType, ValueRange inputs, Body body) {
    SmallVector<AffineMap> maps;
    for (Value in : inputs)
      maps.push_back(broadcastMap(typeOf(in), resultType.getShape()));
    maps.push_back(AffineMap::getMultiDimIdentityMap(resultType.getRank(), ctx));
    SmallVector<IteratorType> iters(resultType.getRank(), IteratorType::parallel);
    auto op = linalg::GenericOp::create(
        b, TypeRange{resultType}, inputs, ValueRange{empty(resultType)}, maps, iters,
        [&](OpBuilder &ob, Location loc, ValueRange args) {
          linalg::YieldOp::create(ob, loc, body(ob, loc, args.drop_back()));
        });
    return op.getResult(0);
  }

  /// Reshape through 1-D: collapse then expand (each skipped when trivial).
  Value reshape(Value input, RankedTensorType to) {
    auto from = typeOf(input);
    if (from == to)
      return input;
    Value flat = input;
    int64_t n = from.getNumElements();
    auto flatType = RankedTensorType::get({n}, from.getElementType());
    if (from.getRank() == 0) {
      flat = tensor::ExpandShapeOp::create(b, flatType, input, SmallVector<ReassociationIndices>{});
    } else if (from.getRank() != 1) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t i = 0; i < from.getRank(); ++i)
        all[0].push_back(i);
      flat = tensor::CollapseShapeOp::create(b, flatType, input, all);
    }
    if (to.getRank() == 1)
      return flat;
    SmallVector<ReassociationIndices> all(to.getRank() ? 1 : 0);
    for (int64_t i = 0; i < to.getRank(); ++i)
      all[0].push_back(i);
    if (to.getRank() == 0)
      return tensor::CollapseShapeOp::create(b, to, flat, all);
    return tensor::ExpandShapeOp::create(b, to, flat, all);
  }

  /// The loops of a generic reducing `axes` of a tensor of type `t`: one
  /// per dim, reduction for `axes`; the output map reads the other dims,
  /// which the output keeps (`keptShape`).
  struct ReductionLoops {
    SmallVector<int64_t> keptShape;
    AffineMap inputMap, outputMap;
    SmallVector<IteratorType> iterators;
  };
  ReductionLoops reductionLoops(RankedTensorType t, ArrayRef<int64_t> axes) {
    ReductionLoops r;
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < t.getRank(); ++i) {
      bool reduced = llvm::is_contained(axes, i);
      r.iterators.push_back(reduced ? IteratorType::reduction : IteratorType::parallel);
      if (!reduced) {
        outExprs.push_back(getAffineDimExpr(i, ctx));
        r.keptShape.push_back(t.getDimSize(i));
      }
    }
    r.inputMap = AffineMap::getMultiDimIdentityMap(t.getRank(), ctx);
    r.outputMap = AffineMap::get(t.getRank(), 0, outExprs, ctx);
    return r;
  }

  /// Reduces `axes` of `input` with `combine`, starting from `init`;
  /// the result keeps reduced dims as size 1.
  Value reduce(Value input, ArrayRef<int64_t> axes, double init,
               llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
    auto t = typeOf(input);
    ReductionLoops loops = reductionLoops(t, axes);
    auto outType = RankedTensorType::get(loops.keptShape, t.getElementType());
    SmallVector<AffineMap> maps{loops.inputMap, loops.outputMap};
    auto op = linalg::GenericOp::create(
        b, TypeRange{outType}, ValueRange{input}, ValueRange{filled(outType, init)}, maps, loops.iterators,
        [&](OpBuilder &ob, Location loc, ValueRange args) {
          linalg::YieldOp::create(ob, loc, combine(ob, loc, args[1], args[0]));
        });
    SmallVector<int64_t> keepShape(t.getShape());
    for (int64_t a : axes)
      keepShape[a] = 1;
    return reshape(op.getResult(0), RankedTensorType::get(keepShape, t.getElementType()));
  }

  Value reduceSum(Value input, ArrayRef<int64_t> axes) {
    return reduce(input, axes, 0.0, [](OpBuilder &ob, Location loc, Value acc, Value x) -> Value {
      if (llvm::isa<FloatType>(x.getType()))
        return arith::AddFOp::create(ob, loc, acc, x);
      return arith::AddIOp::create(ob, loc, acc, x);
    });
  }
  Value reduceMax(Value input, ArrayRef<int64_t> axes, bool isUnsigned = false) {
    auto e = typeOf(input).getElementType();
    // The identity of max: -inf, 0 (unsigned) or the type's smallest value.
    double lowest = llvm::isa<FloatType>(e) ? -std::numeric_limits<double>::infinity()
                    : isUnsigned            ? 0.0
                                            : -std::ldexp(1.0, static_cast<int>(e.getIntOrFloatBitWidth()) - 1);
    return reduce(input, axes, lowest, [isUnsigned](OpBuilder &ob, Location loc, Value acc, Value x) -> Value {
      if (llvm::isa<FloatType>(x.getType()))
        return arith::MaximumFOp::create(ob, loc, acc, x);
      if (isUnsigned)
        return arith::MaxUIOp::create(ob, loc, acc, x);
      return arith::MaxSIOp::create(ob, loc, acc, x);
    });
  }

  /// Zero-or-value padding of the spatial dims (from dim 2 on).
  Value padSpatial(Value input, ArrayRef<int64_t> begin, ArrayRef<int64_t> end, double value) {
    if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
        llvm::all_of(end, [](int64_t p) { return p == 0; }))
      return input;
    SmallVector<int64_t> lo(2, 0), hi(2, 0);
    for (size_t i = 0; i < begin.size(); ++i) {
      lo.push_back(begin[i]);
      hi.push_back(end[i]);
    }
    return padded(input, lo, hi, value);
  }

  Value padded(Value input, ArrayRef<int64_t> lo, ArrayRef<int64_t> hi, double value) {
    auto t = typeOf(input);
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < t.getRank(); ++i)
      shape.push_back(t.getDimSize(i) + lo[i] + hi[i]);
    auto type = RankedTensorType::get(shape, t.getElementType());
    SmallVector<OpFoldResult> low, high;
    for (size_t i = 0; i < lo.size(); ++i) {
      low.push_back(b.getIndexAttr(lo[i]));
      high.push_back(b.getIndexAttr(hi[i]));
    }
    Value pad = scalar(t.getElementType(), value);
    return tensor::PadOp::create(b, type, input, low, high, pad);
  }
};

inline bool isFloat(Value v) { return llvm::isa<FloatType>(v.getType()); }

/// 1 / (1 + exp(-x)).
Value sigmoidOf(OpBuilder &ob, Location loc, Value x);
/// x clamped to [lo, hi] (an absent bound is no bound).
Value clampOf(OpBuilder &ob, Location loc, Value x, std::optional<double> lo, std::optional<double> hi);

/// Whether a graph op's integer operands / results were unsigned before the
/// pass made every integer tensor signless.
struct Signedness {
  bool in = false, out = false;
};

/// The quantised types an op's operands and results had before the pass
/// made every quantised tensor its stored integers (null where not
/// quantised).
struct QuantTypes {
  SmallVector<quant::QuantizedType> operands, results;
};

/// One row times weight-only int4 weights decoded in registers (a decode
/// step's matmuls); null when `w` is not such weights (Quantized.cpp).
Value lowerInt4MatVec(Lowering &l, Value a, Value w, RankedTensorType out);
/// x [1, .., 1, K] times the transpose of `w`, int8 weights [N, K] with
/// row scales decoded (edgec-quantize-weights-int8); null otherwise.
Value lowerInt8MatVec(Lowering &l, Value a, Value w, RankedTensorType out);
/// y[n] = (sum_k x[k] * rows[n, k]) * scales[n] for f32 x [K] and rows
/// [N, K] of f32 or int8, each row read once (scales may be null); null
/// when K is not a multiple of the target's lanes.
Value rowsTimesVector(Lowering &l, Value x, Value rows, Value scales);

/// What a lowering gets besides its op.
struct LoweringInput {
  Lowering &l;
  Signedness sign;
  const QuantTypes &quant;
};

/// An op's replacement values, or failure: the pass then reports the op
/// as one that cannot be compiled yet.
using LoweringResult = FailureOr<SmallVector<Value>>;
using LowerFn = std::function<LoweringResult(Operation *, LoweringInput &)>;

struct OpLowering {
  LowerFn lower;
};

/// Graph op -> its lowering, filled by the families' populate hooks.
class LoweringTable {
public:
  /// Registers `fn(OpTy op, LoweringInput &in)` for each of OpTys; it
  /// returns a Value, a FailureOr<Value> or a LoweringResult.
  template <typename... OpTys, typename Fn>
  void add(Fn fn) {
    (insert(TypeID::get<OpTys>(), OpTys::getOperationName(),
            OpLowering{[fn](Operation *op, LoweringInput &in) -> LoweringResult {
              return results(fn(llvm::cast<OpTys>(op), in));
            }}),
     ...);
  }

  const OpLowering *lookup(Operation *op) const;
  /// The names of the ops with a lowering, sorted.
  std::vector<std::string> opNames() const;

private:
  void insert(TypeID id, llvm::StringRef name, OpLowering lowering);
  static LoweringResult results(Value v) { return SmallVector<Value>{v}; }
  static LoweringResult results(FailureOr<Value> v) {
    if (failed(v))
      return failure();
    return SmallVector<Value>{*v};
  }
  static LoweringResult results(LoweringResult v) { return v; }

  llvm::DenseMap<TypeID, OpLowering> lowerings;
  std::vector<std::string> names;
};

// The families.
void populateElementwiseLowerings(LoweringTable &table);
void populateLinearLowerings(LoweringTable &table);
void populatePoolingLowerings(LoweringTable &table);
void populateReductionLowerings(LoweringTable &table);
void populateDataMovementLowerings(LoweringTable &table);
void populateResizeLowerings(LoweringTable &table);
void populateQuantizedLowerings(LoweringTable &table);
void populateRecurrentLowerings(LoweringTable &table);
void populateControlFlowLowerings(LoweringTable &table);
void populateDetectionLowerings(LoweringTable &table);

/// Every family's lowerings (built once).
const LoweringTable &graphToLinalgLowerings();

// --- Shared between families -------------------------------------------------

/// numpy matmul via a generic: loops (batch..., m, n, k) (Linear.cpp).
Value matmul(Lowering &l, Value a, Value bv, RankedTensorType out, bool transA = false,
             bool transB = false, Value init = {}, bool unsignedA = false);

/// The convolution geometry of graph.conv and graph.qconv.
struct ConvSpec {
  ArrayRef<int64_t> strides, pads, dilations;
  int64_t group;
  double padValue = 0.0; // the input's zero (its zero point when quantised)
  bool unsignedInput = false;
};

template <typename ConvLike>
ConvSpec convSpecOf(ConvLike op) {
  return {op.getStrides(), op.getPads(), op.getDilations(), static_cast<int64_t>(op.getGroup())};
}

/// Applied to a conv's accumulator before it is reshaped back from a
/// pointwise conv's flattened image (an int8 conv's requantisation): it
/// reads the very tensor the conv wrote, which edgec-vectorize-contractions
/// needs to evaluate it in the kernel.
using ConvEpilogue = llvm::function_ref<FailureOr<Value>(Value)>;

/// out[n, oc, o..] = bias[oc] + sum x[n, ic, o * s + k * d] * w[oc, ic, k..]
/// as one generic; `out`'s element type is the accumulator's (f32, or i32
/// for int8 operands), then `epilogue`'s if there is one (Linear.cpp).
FailureOr<Value> convGeneric(Lowering &l, Value x, Value w, Value bias, RankedTensorType out,
                             const ConvSpec &spec, ConvEpilogue epilogue = {});

enum class ReduceKind { Sum, Mean, Max };

/// A sum, mean or max over `axes`, reshaped to `out` (Reduction.cpp).
Value lowerReduce(Lowering &l, ReduceKind kind, Value input, ArrayRef<int64_t> axes,
                  RankedTensorType out, bool isUnsigned = false);

} // namespace edgec::graph_to_linalg

#endif // EDGEC_PASSES_GRAPHTOLINALG_LOWERING_H
