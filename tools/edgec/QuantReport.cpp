//===- QuantReport.cpp - edgec quant-report: per-layer quantisation error -===//
//
// edgec quant-report model.onnx --quantize int8 --calibration DIR [--data DIR]
//
// Calibrates and quantises the model as `edgec compile` would, then runs
// the float and the quantised model on the host, side by side, on the
// --data samples (default: the calibration samples) and prints, for every
// tensor the quantised model keeps in int8, its SQNR against the float
// model's tensor of the same ONNX node, and the same for the outputs (with
// how often their top-1 agrees). Nothing is written.
//
//===----------------------------------------------------------------------===//
#include "tools/edgec/Commands.h"
#include "compiler/Diagnostics.h"

#include "compiler/Pipeline.h"
#include "compiler/quantize/LayerError.h"
#include "compiler/quantize/Probe.h"

#include "mlir/IR/MLIRContext.h"

#include <fmt/format.h>

#include <cmath>

namespace edgec::cli {

int quantReport(QuantReportCommand cmd) {
  if (cmd.quantize.empty() || cmd.calibration.empty()) {
    fmt::print(stderr, "edgec: error: quant-report needs --quantize and --calibration DIR (for int8-weights and "
                       "int4-weights: the samples to compare on)\n");
    return kUsageError;
  }
  mlir::DialectRegistry registry;
  registerPipelineDialectsAndPasses(registry);
  mlir::MLIRContext context(registry);
  CliDiagnosticHandler diagnostics(&context);
  auto floatModule = calibratedGraph(cmd, context);
  if (!floatModule)
    return kModelError;
  mlir::OwningOpRef<mlir::ModuleOp> quantModule = floatModule->clone();
  if (mlir::failed(quantizeGraph(cmd, *quantModule)))
    return kModelError;

  std::string dataDir = cmd.data.empty() ? cmd.calibration : cmd.data;
  std::vector<Sample> samples;
  std::string error;
  if (!readSamples(dataDir, inputSpecs(*floatModule), cmd.calibrationSamples, samples, error)) {
    fmt::print(stderr, "edgec: error: {}\n", error);
    return kModelError;
  }
  auto report = compareLayers(*floatModule, *quantModule, samples);
  if (mlir::failed(report))
    return kModelError;

  fmt::print("edgec quant-report: {} as {}, {} samples from {}; error of the quantised model against the float "
             "one, accumulated up to each tensor (lower SQNR = more error)\n\n",
             cmd.model, cmd.quantize, report->samples, dataDir);
  fmt::print("{:>4}  {:<18} {:<40} {:<14} {:>9} {:>11}\n", "#", "op", "ONNX node", "shape", "SQNR dB",
             "max |err|");
  auto sqnr = [](const TensorError &e) {
    double db = e.sqnrDb();
    return std::isinf(db) ? std::string("exact") : fmt::format("{:.1f}", db);
  };
  // The tensor where SQNR falls most from the one before it.
  size_t worst = 0;
  double worstDrop = -1;
  for (size_t i = 0; i < report->layers.size(); ++i) {
    const TensorError &e = report->layers[i];
    fmt::print("{:>4}  {:<18} {:<40} {:<14} {:>9} {:>11.4g}\n", i, e.op, e.node.substr(0, 40), e.shape, sqnr(e),
               e.maxAbs);
    double drop = i ? report->layers[i - 1].sqnrDb() - e.sqnrDb() : 0;
    if (std::isfinite(drop) && drop > worstDrop) {
      worstDrop = drop;
      worst = i;
    }
  }
  for (const TensorError &e : report->outputs) {
    fmt::print("output '{}' [{}]: SQNR {} dB, max |err| {:.4g}", e.node, e.shape, sqnr(e), e.maxAbs);
    if (e.top1Total)
      fmt::print(", top-1 agrees on {}/{} ({:.2f}%)", e.top1Agree, e.top1Total, 100.0 * e.top1Agree / e.top1Total);
    fmt::print("\n");
  }
  if (worstDrop > 0)
    fmt::print("largest SQNR drop: {:.1f} dB at #{} ({} '{}')\n", worstDrop, worst, report->layers[worst].op,
               report->layers[worst].node);
  return kOk;
}

} // namespace edgec::cli
