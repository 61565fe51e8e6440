//===- Resize.cpp - ONNX Resize ---------------------------------------------===//
//
// Nearest, (multi-)linear and cubic resampling as one generic over the
// output with computed source indices.
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace edgec::graph_to_linalg {
namespace {

/// ONNX Resize, nearest, (multi-)linear or cubic: every output element
/// computes its source coordinate per dim (coordinate_transformation_mode)
/// and combines the input at one, two or four taps per dim.
FailureOr<Value> lowerResize(Lowering &l, ResizeOp op) {
  StringRef mode = op.getMode(), ctm = op.getCoordinateTransformationMode(),
            nearest = op.getNearestMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return failure();
  static const char *modes[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                "asymmetric", "tf_half_pixel_for_nn"};
  if (!llvm::is_contained(modes, ctm))
    return failure();
  auto in = typeOf(op.getInput()), out = typeOf(op.getOutput());
  if (!in.getElementType().isF32())
    return failure();
  int64_t r = in.getRank();
  ArrayRef<float> scales = op.getScales();
  Value input = op.getInput();
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{}, ValueRange{l.empty(out)},
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(r, l.ctx)},
             SmallVector<IteratorType>(r, IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange) {
               Type f32 = ob.getF32Type();
               auto f = [&](double v) { return Lowering::scalarIn(ob, loc, f32, v); };
               auto ci = [&](int64_t v) { return arith::ConstantIndexOp::create(ob, loc, v); };
               auto toIndex = [&](Value x) -> Value {
                 Value i = arith::FPToSIOp::create(ob, loc, ob.getI64Type(), x);
                 return arith::IndexCastOp::create(ob, loc, ob.getIndexType(), i);
               };
               // Per dim: the taps (source index, weight) to combine.
               SmallVector<SmallVector<std::pair<Value, Value>>> taps(r);
               for (int64_t i = 0; i < r; ++i) {
                 int64_t inLen = in.getDimSize(i), outLen = out.getDimSize(i);
                 Value idx = linalg::IndexOp::create(ob, loc, i);
                 if (inLen == outLen && scales[i] == 1.0f) {
                   taps[i].push_back({idx, Value()});
                   continue;
                 }
                 Value x = arith::UIToFPOp::create(ob, loc, f32,
                                                   arith::IndexCastOp::create(ob, loc, ob.getI64Type(), idx));
                 Value s = f(scales[i]);
                 Value src;
                 if (ctm == "asymmetric") {
                   src = arith::DivFOp::create(ob, loc, x, s);
                 } else if (ctm == "align_corners") {
                   // The resized length is in * scale, unrounded, as in the
                   // ONNX reference.
                   double resized = double(inLen) * scales[i];
                   src = resized <= 1.0 ? f(0)
                                        : Value(arith::MulFOp::create(
                                              ob, loc, x, f(double(inLen - 1) / (resized - 1.0))));
                 } else if (ctm == "tf_half_pixel_for_nn") {
                   src = arith::DivFOp::create(ob, loc, arith::AddFOp::create(ob, loc, x, f(0.5)), s);
                 } else { // half_pixel, pytorch_half_pixel
                   src = arith::SubFOp::create(
                       ob, loc, arith::DivFOp::create(ob, loc, arith::AddFOp::create(ob, loc, x, f(0.5)), s),
                       f(0.5));
                   if (ctm == "pytorch_half_pixel" && outLen == 1)
                     src = f(0);
                 }
                 auto clampIndex = [&](Value v) -> Value {
                   return arith::MinSIOp::create(ob, loc, arith::MaxSIOp::create(ob, loc, v, ci(0)),
                                                 ci(inLen - 1));
                 };
                 if (mode == "nearest") {
                   Value n;
                   if (nearest == "floor")
                     n = math::FloorOp::create(ob, loc, src);
                   else if (nearest == "ceil")
                     n = math::CeilOp::create(ob, loc, src);
                   else if (nearest == "round_prefer_ceil")
                     n = math::FloorOp::create(ob, loc, arith::AddFOp::create(ob, loc, src, f(0.5)));
                   else // round_prefer_floor: halves go down
                     n = math::CeilOp::create(ob, loc, arith::SubFOp::create(ob, loc, src, f(0.5)));
                   n = clampOf(ob, loc, n, 0.0, double(inLen - 1));
                   taps[i].push_back({toIndex(n), Value()});
                   continue;
                 }
                 if (mode == "linear") {
                   src = clampOf(ob, loc, src, 0.0, double(inLen - 1));
                   Value floor = math::FloorOp::create(ob, loc, src);
                   Value t = arith::SubFOp::create(ob, loc, src, floor);
                   Value lo = toIndex(floor);
                   taps[i].push_back({lo, arith::SubFOp::create(ob, loc, f(1.0), t)});
                   taps[i].push_back({clampIndex(arith::AddIOp::create(ob, loc, lo, ci(1))), t});
                   continue;
                 }
                 // cubic (a = -0.75): taps at floor - 1 .. floor + 2, indices
                 // clamped to the edge.
                 double A = -0.75;
                 Value floor = math::FloorOp::create(ob, loc, src);
                 Value t = arith::SubFOp::create(ob, loc, src, floor);
                 Value base = toIndex(floor);
                 auto mul = [&](Value p, Value q) { return Value(arith::MulFOp::create(ob, loc, p, q)); };
                 auto add = [&](Value p, Value q) { return Value(arith::AddFOp::create(ob, loc, p, q)); };
                 // Keys' kernel for |d| in [1, 2): ((A d - 5A) d + 8A) d - 4A;
                 // for |d| < 1: ((A + 2) d - (A + 3)) d d + 1.
                 auto outer = [&](Value d) { return add(mul(add(mul(add(mul(f(A), d), f(-5 * A)), d), f(8 * A)), d), f(-4 * A)); };
                 auto inner = [&](Value d) { return add(mul(mul(add(mul(f(A + 2), d), f(-(A + 3))), d), d), f(1.0)); };
                 Value oneMinusT = arith::SubFOp::create(ob, loc, f(1.0), t);
                 Value weights[4] = {outer(add(t, f(1.0))), inner(t), inner(oneMinusT),
                                     outer(arith::SubFOp::create(ob, loc, f(2.0), t))};
                 for (int k = 0; k < 4; ++k)
                   taps[i].push_back({clampIndex(arith::AddIOp::create(ob, loc, base, ci(k - 1))), weights[k]});
               }
               // Sum over every combination of taps.
               Value acc;
               SmallVector<size_t> pick(r, 0);
               while (true) {
                 SmallVector<Value> coords;
                 Value w;
                 for (int64_t i = 0; i < r; ++i) {
                   auto [index, weight] = taps[i][pick[i]];
                   coords.push_back(index);
                   if (weight)
                     w = w ? Value(arith::MulFOp::create(ob, loc, w, weight)) : weight;
                 }
                 Value v = tensor::ExtractOp::create(ob, loc, input, coords);
                 Value term = w ? Value(arith::MulFOp::create(ob, loc, v, w)) : v;
                 acc = acc ? Value(arith::AddFOp::create(ob, loc, acc, term)) : term;
                 int64_t d = r - 1;
                 while (d >= 0 && ++pick[d] == taps[d].size())
                   pick[d--] = 0;
                 if (d < 0)
                   break;
               }
               linalg::YieldOp::create(ob, loc, acc);
             })
      .getResult(0);
}

} // namespace

void populateResizeLowerings(LoweringTable &table) {
  table.add<ResizeOp>([](ResizeOp r, LoweringInput &in) { return lowerResize(in.l, r); });
}

} // namespace edgec::graph_to_linalg
