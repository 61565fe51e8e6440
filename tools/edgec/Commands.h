//===- Commands.h - the edgec subcommands ----------------------*- C++ -*-===//
#ifndef EDGEC_TOOLS_EDGEC_COMMANDS_H
#define EDGEC_TOOLS_EDGEC_COMMANDS_H

#include "compiler/Artifact.h"
#include "compiler/Driver.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace edgec::cli {

using edgec::kModelError;
using edgec::kOk;
using edgec::kOutputError;
using edgec::kUsageError;

/// --input-shape, --dim and --input-value (and the model: several for
/// `edgec compile`), shared by every subcommand that reads a model.
inline void addModelOptions(CLI::App *cmd, edgec::ModelSource &source, bool several = false) {
  if (several)
    cmd->add_option("model", source.models, "ONNX model files, or graph-dialect .mlir/.mlirbc (several: each into "
                                            "OUTPUT/<name>/)")
        ->required();
  else
    cmd->add_option("model", source.model, "ONNX model file, or graph-dialect .mlir/.mlirbc")->required();
  cmd->add_option("--input-shape", source.inputShapes, "Static shape of an input, NAME=DIMxDIM... (repeatable)");
  cmd->add_option("--dim", source.dims, "Value of a symbolic dim, SYMBOL=N (repeatable)");
  cmd->add_option("--input-value", source.inputValues, "Fix an input to constant values, NAME=V[,V...] (repeatable)");
  cmd->add_option("--string-bytes", source.stringBytes,
                  "Bytes of each string of a string tensor at the C API (UTF-8, NUL-padded)")
      ->check(CLI::Range(int64_t(1), int64_t(65536)));
}

struct ModelOptions : edgec::ModelSource {
  void addTo(CLI::App *cmd) { addModelOptions(cmd, *this); }
};

struct ImportCommand : ModelOptions {
  std::string output = "-";
  bool optimize = false;
  bool summary = false;
  std::string summaryJsonPath;
  bool printLocations = false;
  int64_t elideResourcesLargerThan = -1;
};

/// The flags of `edgec compile` (and of the commands that compile).
struct CompileCommand : edgec::CompileRequest {
  void addTo(CLI::App *cmd, bool several = false) { addModelOptions(cmd, *this, several); }
  /// --opt-level and -j, the same for compile and run.
  void addLlvmOptions(CLI::App *cmd) {
    cmd->add_option("--opt-level", optLevel, "LLVM optimisation level 0-3 (default 3)")
        ->check(CLI::Range(0, 3));
    cmd->add_option("-j,--jobs", jobs,
                    "Threads for LLVM's optimisation and code generation (default: one per "
                    "core; the artifact is the same for any number)");
    cmd->add_option("--state", states,
                    "INPUT=OUTPUT: the output is the input's next value (a KV cache); the caller may pass "
                    "one buffer as both, updated in place (repeatable)");
    cmd->add_option("--npu-config", npuConfig,
                    "--target npu: a file of the NPU's parameters, `key = value` per line (default: "
                    "`edgec npu-config` prints them)")
        ->check(CLI::ExistingFile);
  }
  void addQuantizationOptions(CLI::App *cmd) {
    cmd->add_option("--quantize", quantize,
                    "Quantise: int8 (weights per output channel), int8-per-tensor, or int8-weights / "
                    "int4-weights (weight-only, float activations)")
        ->check(CLI::IsMember({"int8", "int8-per-tensor", "int8-weights", "int4-weights"}));
    cmd->add_option("--group-size", groupSize, "int4-weights: weights per scale (default 128)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--io", io,
                    "Inputs and outputs of a quantised model: float (default) or int8 (the stored "
                    "integers; the header gives scale and zero point)")
        ->check(CLI::IsMember({"float", "int8"}));
    cmd->add_option("--calibration", calibration,
                    "Calibration data for --quantize: a directory of .npy/.pb samples");
    cmd->add_option("--observer", observer, "Activation range observer: minmax, percentile or mse")
        ->check(CLI::IsMember({"minmax", "percentile", "mse"}));
    cmd->add_option("--calibration-samples", calibrationSamples,
                    "Use at most this many calibration samples (default all)")
        ->check(CLI::NonNegativeNumber);
  }
};

struct RunCommand : CompileCommand {
  std::vector<std::string> inputs, expected; // .pb TensorProto files
  double atol = 1e-4, rtol = 1e-3;
  bool sanitize = false;
  std::string keep;        // keep the work directory here
  std::string saveOutputs; // copy the raw outputs (outK.bin) here
  unsigned timeout = 600;  // seconds the program may run
  std::vector<std::string> harnessDefines;   // extra -D for the harness (bench/)
  std::string program; // a C program to run instead of the test harness
  std::vector<std::string> emulatorOptions;  // extra emulator options (bench/)
};

/// Exit code when `edgec run` finds outputs that differ from --expected.
constexpr int kOutputsDiffer = 4;

/// `edgec run`: compile for the host, link the harness, run, compare.
int runModel(RunCommand cmd);

struct InspectCommand : CompileCommand { // the model and quantisation options
  std::string targets = "all"; // a,b,c or all
  bool json = false;
  bool perOp = false;
};
/// `edgec inspect`: ops, shapes, parameters, MACs/FLOPs, and what each
/// target makes of the model. Writes nothing.
int inspectModel(InspectCommand cmd);

struct QuantReportCommand : CompileCommand {
  std::string data; // samples to compare on (default: the calibration data)
};
/// `edgec quant-report`: per-layer error of the quantised model.
int quantReport(QuantReportCommand cmd);

/// `edgec ops`: the ONNX ops edgec imports (a table, or markdown).
int runOps(bool markdown);

} // namespace edgec::cli

#endif
