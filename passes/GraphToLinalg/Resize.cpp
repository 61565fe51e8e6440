//===- Resize.cpp - ONNX Resize and GridSample ------------------------------===//
//
// Nearest, (multi-)linear and cubic resampling as one generic over the
// output with computed source indices: at scaled positions (Resize) or at
// the positions a grid gives (GridSample).
//
//===----------------------------------------------------------------------===//
#include "passes/GraphToLinalg/Lowering.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <array>

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
                 // cubic: taps at floor - 1 .. floor + 2, indices clamped to
                 // the edge, or (exclude_outside) the taps outside weighed 0
                 // and the rest renormalised to sum 1.
                 double A = op.getCubicCoeffA().convertToDouble();
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
                 if (op.getExcludeOutside()) {
                   Value sum;
                   for (int k = 0; k < 4; ++k) {
                     Value at = arith::AddIOp::create(ob, loc, base, ci(k - 1));
                     Value inside = arith::AndIOp::create(
                         ob, loc, arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::sge, at, ci(0)),
                         arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt, at, ci(inLen)));
                     weights[k] = arith::SelectOp::create(ob, loc, inside, weights[k], f(0.0));
                     sum = sum ? add(sum, weights[k]) : weights[k];
                   }
                   for (Value &w : weights)
                     w = arith::DivFOp::create(ob, loc, w, sum);
                 }
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

/// ONNX GridSample (4-D, f32) as PyTorch's grid_sample computes it (the
/// test data's reference): each output element reads its (x, y) from the
/// grid, unnormalises it to the input's pixels (align_corners: -1 and 1
/// are the corner pixels' centres, else their outer edges), applies the
/// padding mode to the coordinate (border clamps, reflection reflects off
/// the edges, then clamps) and samples 1 (nearest, ties to even), 4
/// (bilinear) or 16 (bicubic, a = -0.75, padding applied per tap) pixels;
/// a tap outside the input reads 0.
FailureOr<Value> lowerGridSample(Lowering &l, GridSampleOp op) {
  auto in = typeOf(op.getInput()), out = typeOf(op.getOutput());
  if (!in.getElementType().isF32())
    return failure();
  StringRef mode = op.getMode(), padding = op.getPaddingMode();
  bool alignCorners = op.getAlignCorners();
  int64_t H = in.getDimSize(2), W = in.getDimSize(3);
  Value input = op.getInput(), grid = op.getGrid();
  return linalg::GenericOp::create(
             l.b, TypeRange{out}, ValueRange{}, ValueRange{l.empty(out)},
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(4, l.ctx)},
             SmallVector<IteratorType>(4, IteratorType::parallel),
             [&](OpBuilder &ob, Location loc, ValueRange) {
               auto f = [&](double v) { return Lowering::scalarIn(ob, loc, ob.getF32Type(), v); };
               auto ci = [&](int64_t v) { return Value(arith::ConstantIndexOp::create(ob, loc, v)); };
               auto add = [&](Value a, Value b) { return Value(arith::AddFOp::create(ob, loc, a, b)); };
               auto sub = [&](Value a, Value b) { return Value(arith::SubFOp::create(ob, loc, a, b)); };
               auto mul = [&](Value a, Value b) { return Value(arith::MulFOp::create(ob, loc, a, b)); };
               auto floorOf = [&](Value a) { return Value(math::FloorOp::create(ob, loc, a)); };
               Value n = linalg::IndexOp::create(ob, loc, 0), c = linalg::IndexOp::create(ob, loc, 1);
               Value ho = linalg::IndexOp::create(ob, loc, 2), wo = linalg::IndexOp::create(ob, loc, 3);
               Value gx = tensor::ExtractOp::create(ob, loc, grid, ValueRange{n, ho, wo, ci(0)});
               Value gy = tensor::ExtractOp::create(ob, loc, grid, ValueRange{n, ho, wo, ci(1)});
               auto unnormalise = [&](Value g, int64_t size) {
                 return alignCorners ? mul(add(g, f(1.0)), f((size - 1) / 2.0))
                                     : mul(sub(mul(add(g, f(1.0)), f(double(size))), f(1.0)), f(0.5));
               };
               // PyTorch's reflect_coordinates over [low, high] (twice as
               // given there), then the clamp to the pixels.
               auto reflect = [&](Value x, int64_t size) -> Value {
                 double low = alignCorners ? 0.0 : -0.5, high = alignCorners ? size - 1.0 : size - 0.5;
                 if (high <= low)
                   return f(0.0);
                 double span = high - low;
                 Value d = math::AbsFOp::create(ob, loc, sub(x, f(low)));
                 Value flips = floorOf(mul(d, f(1.0 / span)));
                 Value extra = sub(d, mul(flips, f(span)));
                 Value odd = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::ONE,
                                                   sub(flips, mul(floorOf(mul(flips, f(0.5))), f(2.0))), f(0.0));
                 return arith::SelectOp::create(ob, loc, odd, add(sub(f(span), extra), f(low)), add(extra, f(low)));
               };
               auto padCoordinate = [&](Value x, int64_t size) -> Value {
                 if (padding == "border")
                   return clampOf(ob, loc, x, 0.0, double(size - 1));
                 if (padding == "reflection")
                   return clampOf(ob, loc, reflect(x, size), 0.0, double(size - 1));
                 return x;
               };
               // The pixel at integral float coordinates (xi, yi), 0 outside.
               auto pixel = [&](Value xi, Value yi) -> Value {
                 auto inside = [&](Value v, int64_t size) {
                   Value ge = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OGE, v, f(0.0));
                   Value le = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::OLE, v, f(double(size - 1)));
                   return Value(arith::AndIOp::create(ob, loc, ge, le));
                 };
                 auto index = [&](Value v, int64_t size) {
                   // A NaN coordinate (a NaN or infinite grid value) reads
                   // pixel 0, and the select below makes it 0. (A select,
                   // not maxnumf: that is a libm call on MCUs.)
                   Value nan = arith::CmpFOp::create(ob, loc, arith::CmpFPredicate::UNO, v, v);
                   Value clamped = clampOf(ob, loc, arith::SelectOp::create(ob, loc, nan, f(0.0), v), 0.0,
                                           double(size - 1));
                   Value i = arith::FPToSIOp::create(ob, loc, ob.getI64Type(), clamped);
                   return Value(arith::IndexCastOp::create(ob, loc, ob.getIndexType(), i));
                 };
                 Value v = tensor::ExtractOp::create(ob, loc, input, ValueRange{n, c, index(yi, H), index(xi, W)});
                 Value ok = arith::AndIOp::create(ob, loc, inside(xi, W), inside(yi, H));
                 return arith::SelectOp::create(ob, loc, ok, v, f(0.0));
               };
               Value ix = unnormalise(gx, W), iy = unnormalise(gy, H);
               Value result;
               if (mode == "nearest") {
                 ix = padCoordinate(ix, W);
                 iy = padCoordinate(iy, H);
                 result = pixel(math::RoundEvenOp::create(ob, loc, ix), math::RoundEvenOp::create(ob, loc, iy));
               } else if (mode == "bilinear") {
                 ix = padCoordinate(ix, W);
                 iy = padCoordinate(iy, H);
                 Value x0 = floorOf(ix), y0 = floorOf(iy), x1 = add(x0, f(1.0)), y1 = add(y0, f(1.0));
                 Value tx = sub(ix, x0), ty = sub(iy, y0), sx = sub(f(1.0), tx), sy = sub(f(1.0), ty);
                 result = add(add(mul(pixel(x0, y0), mul(sx, sy)), mul(pixel(x1, y0), mul(tx, sy))),
                              add(mul(pixel(x0, y1), mul(sx, ty)), mul(pixel(x1, y1), mul(tx, ty))));
               } else { // bicubic: 4 x 4 taps, each tap's coordinate padded
                 double A = -0.75;
                 Value x0 = floorOf(ix), y0 = floorOf(iy), tx = sub(ix, x0), ty = sub(iy, y0);
                 auto outerW = [&](Value d) { return add(mul(add(mul(add(mul(f(A), d), f(-5 * A)), d), f(8 * A)), d), f(-4 * A)); };
                 auto innerW = [&](Value d) { return add(mul(mul(add(mul(f(A + 2), d), f(-(A + 3))), d), d), f(1.0)); };
                 auto weights = [&](Value t) {
                   return std::array<Value, 4>{outerW(add(t, f(1.0))), innerW(t), innerW(sub(f(1.0), t)),
                                               outerW(sub(f(2.0), t))};
                 };
                 std::array<Value, 4> wx = weights(tx), wy = weights(ty);
                 for (int j = 0; j < 4; ++j) {
                   Value row;
                   Value yj = padCoordinate(add(y0, f(j - 1)), H);
                   for (int i = 0; i < 4; ++i) {
                     Value term = mul(pixel(padCoordinate(add(x0, f(i - 1)), W), yj), wx[i]);
                     row = row ? add(row, term) : term;
                   }
                   Value term = mul(row, wy[j]);
                   result = result ? add(result, term) : term;
                 }
               }
               linalg::YieldOp::create(ob, loc, result);
             })
      .getResult(0);
}

} // namespace

void populateResizeLowerings(LoweringTable &table) {
  table.add<ResizeOp>([](ResizeOp r, LoweringInput &in) { return lowerResize(in.l, r); });
  table.add<GridSampleOp>([](GridSampleOp g, LoweringInput &in) { return lowerGridSample(in.l, g); });
}

} // namespace edgec::graph_to_linalg
