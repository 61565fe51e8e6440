//===- Spectral.cpp - DFT, STFT, MelWeightMatrix --------------------------===//
//
// The transforms' sizes are static, so they are matmuls with constant
// cosine and sine matrices (computed in double, the angle reduced modulo
// the length first): X[k] = sum_j x[j] e^{-2 pi i jk/n}, as two real
// products per part. An STFT is a Gather of its frames, the window, then
// the same product. MelWeightMatrix is a constant, computed at import as
// the ONNX operator's definition computes it.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/ops/Builders.h"

#include "compiler/onnx/TensorProto.h"
#include "dialects/graph/ConstantUtils.h"

#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>

namespace edgec::onnx_import {
namespace {

constexpr int64_t kMaxTransform = 4096; // the matrices are n x bins
constexpr int64_t kMaxTable = int64_t(1) << 24; // elements of a constant built here

/// Real and imaginary parts (each [..., n]) and the transform of length n
/// to `bins` output bins along their last dim: forward, or inverse (scaled
/// by 1 / n). `imag` may be null (a real signal). Nulls after an error.
std::pair<Value, Value> transform(NodeContext &ctx, Value real, Value imag, int64_t n, int64_t bins, bool inverse) {
  if (n > kMaxTransform || bins > kMaxTransform) {
    (void)ctx.fail("a transform of length " + std::to_string(n) + " (at most " + std::to_string(kMaxTransform) +
                   ": it is a matmul with n x n constants)");
    return {};
  }
  Type e = llvm::cast<RankedTensorType>(real.getType()).getElementType();
  SmallVector<float> cosines(n * bins), sines(n * bins);
  double scale = inverse ? 1.0 / static_cast<double>(n) : 1.0;
  for (int64_t j = 0; j < n; ++j)
    for (int64_t k = 0; k < bins; ++k) {
      double angle = 2.0 * M_PI * static_cast<double>((j * k) % n) / static_cast<double>(n);
      cosines[j * bins + k] = static_cast<float>(std::cos(angle) * scale);
      sines[j * bins + k] = static_cast<float>(std::sin(angle) * scale);
    }
  auto matrix = [&](ArrayRef<float> v, StringRef name) {
    Value m = ctx.constant(g::makeFloats(RankedTensorType::get({n, bins}, ctx.b.getF32Type()), v, name));
    return e.isF32() ? m : castTo(ctx, m, e);
  };
  Value c = matrix(cosines, "dft_cos"), s = matrix(sines, "dft_sin");
  auto mm = [&](Value a, Value m) { return apply<g::MatMulOp>(ctx, {a, m}); };
  // forward: (xr + i xi)(cos - i sin); inverse: (xr + i xi)(cos + i sin)
  Value re = mm(real, c), im = apply<g::NegOp>(ctx, {mm(real, s)});
  if (inverse)
    im = mm(real, s);
  if (imag) {
    re = inverse ? apply<g::SubOp>(ctx, {re, mm(imag, s)}) : apply<g::AddOp>(ctx, {re, mm(imag, s)});
    im = apply<g::AddOp>(ctx, {im, mm(imag, c)});
  }
  if (!re || !im)
    return {};
  return {re, im};
}

/// Part `k` (0 real, 1 imaginary) of x [..., 1 or 2], without that dim.
Value part(NodeContext &ctx, Value x, int64_t k) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  int64_t r = t.getRank();
  SmallVector<int64_t> starts(r, 0), ends(t.getShape()), steps(r, 1), shape(t.getShape().drop_back());
  starts[r - 1] = k;
  ends[r - 1] = k + 1;
  Value p = apply<g::SliceOp>(ctx, {x}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends), ctx.i64s("steps", steps)});
  return apply<g::ReshapeOp>(ctx, {p}, {ctx.i64s("shape", shape)});
}

/// [..., 2] from the real and imaginary parts [...]; null after an error.
Value complexOf(NodeContext &ctx, Value re, Value im) {
  if (!re || !im)
    return nullptr;
  int64_t r = llvm::cast<RankedTensorType>(re.getType()).getRank();
  auto last = [&](Value v) { return apply<g::UnsqueezeOp>(ctx, {v}, {ctx.i64s("axes", {r})}); };
  return apply<g::ConcatOp>(ctx, {last(re), last(im)}, {ctx.named("axis", ctx.b.getI64IntegerAttr(r))});
}

/// `x` with its dim `axis` cut or zero-padded to `length`.
Value resized(NodeContext &ctx, Value x, int64_t axis, int64_t length) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  int64_t n = t.getDimSize(axis), r = t.getRank();
  if (n == length)
    return x;
  if (n > length) {
    SmallVector<int64_t> starts(r, 0), ends(t.getShape()), steps(r, 1);
    ends[axis] = length;
    return apply<g::SliceOp>(ctx, {x}, {ctx.i64s("starts", starts), ctx.i64s("ends", ends), ctx.i64s("steps", steps)});
  }
  SmallVector<int64_t> pads(2 * r, 0);
  pads[r + axis] = length - n;
  return apply<g::PadOp>(ctx, {x}, {ctx.i64s("pads", pads), ctx.named("mode", ctx.b.getStringAttr("constant")),
                                    ctx.named("value", ctx.b.getF32FloatAttr(0.0f))});
}

/// DFT (opset 17): along `axis` of [batch, ..., 1 or 2], dft_length a
/// constant (cut or zero-padded), onesided keeps bins 0 .. n/2.
LogicalResult dft(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  int64_t r = t.getRank();
  if (r < 3 || (t.getDimSize(r - 1) != 1 && t.getDimSize(r - 1) != 2) || !llvm::isa<FloatType>(t.getElementType()))
    return ctx.fail("DFT needs a float input [batch, ..., 1 or 2] (real or complex)");
  int64_t axis = ctx.getInt("axis", 1);
  axis = axis < 0 ? axis + r : axis;
  if (axis < 1 || axis >= r - 1)
    return ctx.fail("DFT axis " + std::to_string(ctx.getInt("axis", 1)) + " is not a signal dim");
  int64_t length = t.getDimSize(axis);
  if (ctx.hasInput(1)) {
    auto given = constantScalarInt(ctx, 1, "DFT dft_length");
    if (failed(given))
      return failure();
    if (*given < 1)
      return ctx.fail("DFT dft_length " + std::to_string(*given) + " is not positive");
    length = *given;
  }
  bool inverse = ctx.getInt("inverse", 0) != 0, onesided = ctx.getInt("onesided", 0) != 0;
  bool complex = t.getDimSize(r - 1) == 2;
  if (onesided && (complex || inverse))
    return ctx.fail("DFT onesided takes a real signal, forward");
  int64_t bins = onesided ? length / 2 + 1 : length;
  // The signal axis last, cut or padded to the length.
  SmallVector<int64_t> perm, inversePerm(r - 1);
  for (int64_t d = 0; d < r - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  for (auto [k, d] : llvm::enumerate(perm))
    inversePerm[d] = static_cast<int64_t>(k);
  auto prepared = [&](int64_t k) {
    Value p = apply<g::TransposeOp>(ctx, {part(ctx, ctx.input(0), k)}, {ctx.i64s("perm", perm)});
    return p ? resized(ctx, p, r - 2, length) : Value();
  };
  Value re = prepared(0), im = complex ? prepared(1) : Value();
  if (!re || (complex && !im))
    return failure();
  auto [yr, yi] = transform(ctx, re, im, length, bins, inverse);
  if (!yr)
    return failure();
  auto back = [&](Value v) { return apply<g::TransposeOp>(ctx, {v}, {ctx.i64s("perm", inversePerm)}); };
  Value y = yi ? complexOf(ctx, back(yr), back(yi)) : Value();
  return y ? ctx.setOutput(0, y) : failure();
}

/// STFT (opset 17): frames of the signal [batch, length, 1 or 2] every
/// frame_step samples, times the window, each transformed (onesided by
/// default): [batch, frames, bins, 2].
LogicalResult stft(NodeContext &ctx) {
  auto t = ctx.inputType(0);
  if (!t)
    return failure();
  if (t.getRank() != 3 || (t.getDimSize(2) != 1 && t.getDimSize(2) != 2) || !llvm::isa<FloatType>(t.getElementType()))
    return ctx.fail("STFT needs a float signal [batch, length, 1 or 2]");
  auto step = constantScalarInt(ctx, 1, "STFT frame_step");
  if (failed(step))
    return failure();
  Value window;
  int64_t frameLength = -1;
  if (ctx.hasInput(2)) {
    window = ctx.input(2);
    auto wt = window ? llvm::cast<RankedTensorType>(window.getType()) : RankedTensorType();
    if (!wt || wt.getRank() != 1)
      return ctx.fail("STFT window must be 1-D");
    frameLength = wt.getDimSize(0);
  }
  if (ctx.hasInput(3)) {
    auto given = constantScalarInt(ctx, 3, "STFT frame_length");
    if (failed(given))
      return failure();
    if (frameLength >= 0 && *given != frameLength)
      return ctx.fail("STFT frame_length " + std::to_string(*given) + " differs from the window's " +
                      std::to_string(frameLength));
    frameLength = *given;
  }
  int64_t length = t.getDimSize(1);
  if (frameLength < 1 || frameLength > length || *step < 1)
    return ctx.fail("STFT needs 1 <= frame_length <= the signal's length and frame_step >= 1");
  std::optional<int64_t> samples = llvm::checkedMul((length - frameLength) / *step + 1, frameLength);
  if (frameLength > kMaxTransform || !samples || *samples > kMaxTable)
    return ctx.fail("STFT of " + std::to_string(length) + " samples in frames of " + std::to_string(frameLength) +
                    " (at most " + std::to_string(kMaxTransform) + " a frame and 2^24 samples framed)");
  bool onesided = ctx.getInt("onesided", 1) != 0, complex = t.getDimSize(2) == 2;
  if (onesided && complex)
    return ctx.fail("STFT onesided takes a real signal");
  int64_t frames = (length - frameLength) / *step + 1, bins = onesided ? frameLength / 2 + 1 : frameLength;
  SmallVector<int64_t> rows;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t s = 0; s < frameLength; ++s)
      rows.push_back(f * *step + s);
  Value index = ctx.constant(g::makeInts(RankedTensorType::get({frames, frameLength}, ctx.b.getI64Type()), rows,
                                         "stft_frames"));
  auto framed = [&](int64_t k) {
    Value f = apply<g::GatherOp>(ctx, {part(ctx, ctx.input(0), k), index},
                                 {ctx.named("axis", ctx.b.getI64IntegerAttr(1))}); // [batch, frames, frameLength]
    return window ? apply<g::MulOp>(ctx, {f, window}) : f;
  };
  Value re = framed(0), im = complex ? framed(1) : Value();
  if (!re || (complex && !im))
    return failure();
  auto [yr, yi] = transform(ctx, re, im, frameLength, bins, false);
  Value y = yr ? complexOf(ctx, yr, yi) : Value();
  // (ONNX 1.12's inference of STFT is not checked against: Prepare.cpp.)
  return y ? ctx.setOutput(0, y) : failure();
}

/// MelWeightMatrix: a constant [dft_length / 2 + 1, num_mel_bins] of
/// triangular filters between mel-spaced bin edges, as the operator
/// defines it (edges truncated to spectrogram bins).
LogicalResult melWeightMatrix(NodeContext &ctx) {
  auto bins = constantScalarInt(ctx, 0, "MelWeightMatrix num_mel_bins");
  auto dftLength = succeeded(bins) ? constantScalarInt(ctx, 1, "MelWeightMatrix dft_length") : FailureOr<int64_t>();
  auto rate = succeeded(dftLength) ? constantScalarInt(ctx, 2, "MelWeightMatrix sample_rate") : FailureOr<int64_t>();
  if (failed(rate))
    return failure();
  auto lower = ctx.constantFloats(3, "MelWeightMatrix lower_edge_hertz");
  auto upper = succeeded(lower) ? ctx.constantFloats(4, "MelWeightMatrix upper_edge_hertz")
                                : FailureOr<SmallVector<float>>();
  if (failed(upper))
    return failure();
  if (lower->size() != 1 || upper->size() != 1 || *bins < 1 || *dftLength < 1 || *rate < 1 || *bins > 4096 ||
      *dftLength > (int64_t(1) << 20) || (*dftLength / 2 + 1) * *bins > kMaxTable)
    return ctx.fail("MelWeightMatrix needs positive num_mel_bins (at most 4096), dft_length and sample_rate, "
                    "scalar edges and at most 2^24 weights");
  int64_t spectrum = *dftLength / 2 + 1, edges = *bins + 2;
  auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  double low = mel((*lower)[0]), high = mel((*upper)[0]), step = (high - low) / static_cast<double>(edges);
  SmallVector<int64_t> edge;
  for (int64_t i = 0; i < edges; ++i) {
    double hz = 700.0 * (std::pow(10.0, (static_cast<double>(i) * step + low) / 2595.0) - 1.0);
    double b = std::floor(static_cast<double>(*dftLength + 1) * hz / static_cast<double>(*rate));
    // An edge indexes the spectrum, the last (a right edge) one past it.
    if (!(b >= 0 && b <= static_cast<double>(i + 1 == edges ? spectrum : spectrum - 1)))
      return ctx.fail("MelWeightMatrix: the edges fall outside the spectrum's " + std::to_string(spectrum) +
                      " bins (upper_edge_hertz above sample_rate / 2?)");
    edge.push_back(static_cast<int64_t>(b));
  }
  SmallVector<float> w(spectrum * *bins, 0.0f);
  for (int64_t i = 0; i < *bins; ++i) {
    int64_t left = edge[i], centre = edge[i + 1], right = edge[i + 2];
    if (centre == left)
      w[centre * *bins + i] = 1.0f;
    for (int64_t j = left; centre > left && j <= centre; ++j)
      w[j * *bins + i] = static_cast<float>(static_cast<double>(j - left) / static_cast<double>(centre - left));
    for (int64_t j = centre; j < right; ++j)
      w[j * *bins + i] = static_cast<float>(static_cast<double>(right - j) / static_cast<double>(right - centre));
  }
  auto type = RankedTensorType::get({spectrum, *bins}, ctx.b.getF32Type());
  Value m = ctx.constant(g::makeFloats(type, w, "mel_weights"));
  int64_t to = ctx.getInt("output_datatype", onnx::TensorProto::FLOAT);
  if (to != onnx::TensorProto::FLOAT) {
    Type e = elementTypeFor(ctx.b.getContext(), static_cast<int32_t>(to));
    if (!e)
      return ctx.unsupported("output_datatype", std::to_string(to));
    m = castTo(ctx, m, e);
  }
  return m ? ctx.setOutput(0, m) : failure();
}

} // namespace

llvm::ArrayRef<OpEntry> spectralOps() {
  static const OpEntry rows[] = {
      {"DFT", 17, 17, dft, "dft_length a compile-time constant; at most 4096 (a matmul with constant cosines and sines)"},
      {"STFT", 17, 17, stft,
       "frame_step and frame_length compile-time constants; frames of at most 4096 (matmuls with constant cosines and "
       "sines)"},
      {"MelWeightMatrix", 17, 17, melWeightMatrix, "every input a compile-time constant (the matrix is a constant)"},
  };
  return rows;
}

} // namespace edgec::onnx_import
