//===- Resize.cpp - Resize --------------------------------------------------===//
//
// Resize (and, through ONNX's converter, Upsample): scales or sizes as
// constants; the modes the lowering implements.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

namespace edgec::onnx_import {
namespace {

LogicalResult resize(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  SmallVector<float> scales;
  SmallVector<int64_t> sizes;
  if (ctx.hasInput(3)) {
    auto s = ctx.constantInts(3, "Resize sizes");
    if (failed(s))
      return failure();
    sizes = *s;
    if (static_cast<int64_t>(sizes.size()) != t.getRank())
      return ctx.fail("Resize sizes needs one value per dim");
    for (auto [i, d] : llvm::enumerate(sizes))
      scales.push_back(static_cast<float>(d) / static_cast<float>(t.getDimSize(i)));
  } else if (ctx.hasInput(2)) {
    auto s = ctx.constantFloats(2, "Resize scales");
    if (failed(s))
      return failure();
    scales = *s;
    if (static_cast<int64_t>(scales.size()) != t.getRank())
      return ctx.fail("Resize scales needs one value per dim");
    for (auto [i, sc] : llvm::enumerate(scales))
      sizes.push_back(static_cast<int64_t>(std::floor(t.getDimSize(i) * sc)));
  } else {
    return ctx.fail("Resize needs scales or sizes");
  }
  std::string ctm = ctx.getString("coordinate_transformation_mode", "half_pixel");
  if (ctm == "tf_crop_and_resize")
    return ctx.unsupported("coordinate_transformation_mode", "'tf_crop_and_resize'");
  return bind(ctx, ctx.create<g::ResizeOp>(
                       {ctx.input(0)},
                       {ctx.i64s("sizes", sizes), ctx.named("scales", ctx.b.getDenseF32ArrayAttr(scales)),
                        ctx.named("mode", ctx.b.getStringAttr(ctx.getString("mode", "nearest"))),
                        ctx.named("coordinate_transformation_mode", ctx.b.getStringAttr(ctm)),
                        ctx.named("nearest_mode",
                                  ctx.b.getStringAttr(ctx.getString("nearest_mode", "round_prefer_floor"))),
                        ctx.named("cubic_coeff_a", ctx.b.getF32FloatAttr(ctx.getFloat("cubic_coeff_a", -0.75f))),
                        ctx.named("exclude_outside", ctx.b.getBoolAttr(ctx.getInt("exclude_outside", 0) != 0))}));
}

/// GridSample: the attributes spelled out (ONNX's defaults: bilinear,
/// zeros, align_corners 0).
LogicalResult gridSample(NodeContext &ctx) {
  Value x = ctx.input(0), grid = ctx.input(1);
  if (!x || !grid)
    return failure();
  return bind(ctx, ctx.create<g::GridSampleOp>(
                       {x, grid}, {ctx.named("mode", ctx.b.getStringAttr(ctx.getString("mode", "bilinear"))),
                                   ctx.named("padding_mode", ctx.b.getStringAttr(ctx.getString("padding_mode", "zeros"))),
                                   ctx.named("align_corners", ctx.b.getBoolAttr(ctx.getInt("align_corners", 0) != 0))}));
}

} // namespace

llvm::ArrayRef<OpEntry> resizeOps() {
  static const OpEntry rows[] = {
      {"GridSample", 16, 17, gridSample, "4-D; float32 when compiled"},
      {"Resize", 13, 17, resize,
       "scales or sizes a compile-time constant; modes nearest, linear, cubic; coordinate_transformation_mode not tf_crop_and_resize"},
  };
  return rows;
}

} // namespace edgec::onnx_import
