//===- Calibration.cpp - ranges of a float model's tensors ----------------===//
#include "compiler/quantize/Calibration.h"
#include "compiler/Progress.h"

#include "compiler/quantize/Probe.h"
#include "passes/PassResults.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

using namespace mlir;

namespace edgec {

bool parseObserver(const std::string &text, Observer &out) {
  if (text == "minmax")
    out = Observer::MinMax;
  else if (text == "percentile")
    out = Observer::Percentile;
  else if (text == "mse")
    out = Observer::Mse;
  else
    return false;
  return true;
}

namespace {

constexpr int kBins = 2048;

/// What one tensor's values looked like over every sample.
struct TensorStats {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::vector<double> histogram; // kBins over [min, max], second run only

  int binOf(float v) const {
    if (!(max > min))
      return 0;
    int b = static_cast<int>((v - min) / (max - min) * kBins);
    return std::clamp(b, 0, kBins - 1);
  }
  double binCentre(int b) const { return min + (b + 0.5) * (max - min) / kBins; }

  std::pair<double, double> percentileRange(double p) const {
    double total = 0;
    for (double c : histogram)
      total += c;
    auto quantile = [&](double q) {
      double seen = 0;
      for (int b = 0; b < kBins; ++b) {
        seen += histogram[b];
        if (seen >= q * total)
          return b;
      }
      return kBins - 1;
    };
    double width = (max - min) / kBins;
    double lo = min + quantile(1.0 - p / 100.0) * width, hi = min + (quantile(p / 100.0) + 1) * width;
    return {std::max(lo, min), std::min(hi, max)};
  }

  /// Squared error of int8 rounding and clipping over the histogram.
  double quantisationError(double lo, double hi) const {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    double scale = (hi - lo) / 255.0;
    if (!(scale > 0))
      return 0;
    double zero = std::round(-lo / scale), error = 0;
    for (int b = 0; b < kBins; ++b) {
      if (histogram[b] == 0)
        continue;
      double x = binCentre(b);
      double q = (std::clamp(std::round(x / scale) + zero, 0.0, 255.0) - zero) * scale;
      error += histogram[b] * (x - q) * (x - q);
    }
    return error;
  }

  std::pair<double, double> mseRange() const {
    std::pair<double, double> best{min, max};
    double bestError = quantisationError(min, max);
    for (int i = 0; i <= 35; ++i)
      for (int j = 0; j <= 35; ++j) {
        double lo = min * (1.0 - 0.02 * i), hi = max * (1.0 - 0.02 * j);
        double e = quantisationError(lo, hi);
        if (e < bestError) {
          bestError = e;
          best = {lo, hi};
        }
      }
    return best;
  }
};

/// The float tensors a quantised model may store in int8: the arguments and
/// every result of a graph op in @main's body (not constants).
SmallVector<Value> observedValues(func::FuncOp main) {
  auto isF32 = [](Value v) {
    auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
    return t && t.getElementType().isF32() && t.getNumElements() > 0;
  };
  SmallVector<Value> values;
  for (BlockArgument a : main.getArguments())
    if (isF32(a))
      values.push_back(a);
  for (Operation &op : main.getBody().front()) {
    if (isa<graph::ConstantOp>(op) || !isa<graph::GraphDialect>(op.getDialect()))
      continue;
    for (Value r : op.getResults())
      if (isF32(r))
        values.push_back(r);
  }
  return values;
}

} // namespace

LogicalResult calibrate(ModuleOp module, const CalibrationOptions &options, CalibrationReport &report) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("no @main function to calibrate");
  std::vector<InputSpec> inputs = inputSpecs(module);
  std::vector<Sample> samples;
  std::string error;
  if (!readSamples(options.dir, inputs, options.maxSamples, samples, error))
    return module.emitError("calibration: ") << error;

  SmallVector<Value> observed = observedValues(main);
  if (options.progress)
    fmt::print(stderr, "edgec: calibrating {} tensors on {} samples from {} ({} observer)\n", observed.size(),
               samples.size(), options.dir,
               options.observer == Observer::MinMax       ? "minmax"
               : options.observer == Observer::Percentile ? "percentile"
                                                          : "mse");
  auto probe = Probe::build(module, observed, "calibration: the float model");
  if (failed(probe))
    return failure();
  report.compileSeconds = (*probe)->compileSeconds;

  std::vector<TensorStats> stats(observed.size());
  auto runAll = [&](bool histogram) -> LogicalResult {
    Progress progress(histogram ? "calibrating, histograms" : "calibrating, ranges", samples.size());
    for (const Sample &s : samples) {
      progress.step(s.origin);
      if (failed((*probe)->run(s, module.getLoc())))
        return failure();
      for (size_t i = 0; i < observed.size(); ++i) {
        TensorStats &st = stats[i];
        for (float v : (*probe)->tensor(i)) {
          if (!histogram) {
            st.min = std::min<double>(st.min, v);
            st.max = std::max<double>(st.max, v);
          } else {
            st.histogram[st.binOf(v)] += 1;
          }
        }
      }
    }
    return success();
  };
  auto start = std::chrono::steady_clock::now();
  if (failed(runAll(false)))
    return failure();
  if (options.observer != Observer::MinMax) {
    for (TensorStats &st : stats)
      st.histogram.assign(kBins, 0.0);
    if (failed(runAll(true)))
      return failure();
  }
  report.runSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  OpBuilder b(module.getContext());
  for (size_t i = 0; i < observed.size(); ++i) {
    TensorStats &st = stats[i];
    if (!std::isfinite(st.min) || !std::isfinite(st.max))
      return (observed[i].getDefiningOp() ? observed[i].getDefiningOp()->emitError()
                                          : main.emitError())
             << "calibration: this tensor reached " << (std::isfinite(st.min) ? st.max : st.min)
             << " on the calibration data";
    std::pair<double, double> range{st.min, st.max};
    if (options.observer == Observer::Percentile)
      range = st.percentileRange(options.percentile);
    else if (options.observer == Observer::Mse)
      range = st.mseRange();
    auto attr = b.getDenseF32ArrayAttr({static_cast<float>(range.first), static_cast<float>(range.second)});
    if (auto arg = llvm::dyn_cast<BlockArgument>(observed[i]))
      main.setArgAttr(arg.getArgNumber(), kRangeAttr, attr);
    else if (observed[i].getDefiningOp()->getNumResults() == 1)
      observed[i].getDefiningOp()->setAttr(kRangeAttr, attr);
  }
  report.samples = static_cast<int64_t>(samples.size());
  report.tensors = static_cast<int64_t>(observed.size());
  if (options.progress)
    fmt::print(stderr, "edgec: calibration done: compiled in {:.1f} s, ran {} samples in {:.1f} s\n",
               report.compileSeconds, report.samples, report.runSeconds);
  return success();
}

} // namespace edgec
