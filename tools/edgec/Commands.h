//===- Commands.h - the edgec subcommands ----------------------*- C++ -*-===//
#ifndef EDGEC_TOOLS_EDGEC_COMMANDS_H
#define EDGEC_TOOLS_EDGEC_COMMANDS_H

#include "compiler/Artifact.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace edgec::cli {

enum ExitCode { kOk = 0, kModelError = 1, kUsageError = 2, kOutputError = 3 };

/// How a model is read: shared by every subcommand that reads one.
struct ModelOptions {
  std::string model;
  std::vector<std::string> models; // `edgec compile` takes several
  std::vector<std::string> inputShapes, dims, inputValues;

  void addTo(CLI::App *cmd, bool several = false) {
    if (several)
      cmd->add_option("model", models, "ONNX model files, or graph-dialect .mlir/.mlirbc (several: each into "
                                       "OUTPUT/<name>/)")
          ->required();
    else
      cmd->add_option("model", model, "ONNX model file, or graph-dialect .mlir/.mlirbc")->required();
    cmd->add_option("--input-shape", inputShapes,
                    "Static shape of an input, NAME=DIMxDIM... (repeatable)");
    cmd->add_option("--dim", dims, "Value of a symbolic dim, SYMBOL=N (repeatable)");
    cmd->add_option("--input-value", inputValues,
                    "Fix an input to constant values, NAME=V[,V...] (repeatable)");
  }
};

struct ImportCommand : ModelOptions {
  std::string output = "-";
  bool optimize = false;
  bool summary = false;
  std::string summaryJsonPath;
  bool printLocations = false;
  int64_t elideResourcesLargerThan = -1;
};

struct CompileCommand : ModelOptions {
  std::string output;
  std::string target = "host"; // one name; `edgec compile` also takes a,b,c
  std::string flashSize, sramSize; // override the board's, e.g. "1M", "192K"
  std::string name;
  int optLevel = 3;
  unsigned jobs = 0; // threads for LLVM; 0: one per core
  bool printIRAfterAll = false;
  bool timing = false;
  bool addressSanitizer = false; // --sanitize-address (and `edgec run --sanitize` on the host)
  // Post-training quantisation (see docs/guides/quantization.md).
  std::string quantize;        // "", "int8", "int8-per-tensor", "int4-weights"
  std::string calibration;     // directory of samples
  std::string observer = "minmax";
  int64_t calibrationSamples = 0; // 0: all
  int64_t groupSize = 128;        // int4-weights: weights per scale
  std::string io = "float";       // "int8": quantised inputs and outputs at the C API
  std::string npuConfig;          // --target npu: the accelerator's parameters (docs/design/npu.md)
  std::string emitNinja;          // write a build.ninja for models x targets instead of compiling
  std::string emit;               // "": the artifact; mlir, llvm, asm or obj: that file only
  std::string passPipeline;       // replaces the lowering pipeline (researchers)
  bool printPipeline = false;     // print the lowering pipeline and stop
  bool needsCalibration() const { return quantize == "int8" || quantize == "int8-per-tensor"; }
  /// --opt-level and -j, the same for compile and run.
  void addLlvmOptions(CLI::App *cmd) {
    cmd->add_option("--opt-level", optLevel, "LLVM optimisation level 0-3 (default 3)")
        ->check(CLI::Range(0, 3));
    cmd->add_option("-j,--jobs", jobs,
                    "Threads for LLVM's optimisation and code generation (default: one per "
                    "core; the artifact is the same for any number)");
    cmd->add_option("--npu-config", npuConfig,
                    "--target npu: a file of the NPU's parameters, `key = value` per line (default: "
                    "`edgec npu-config` prints them)")
        ->check(CLI::ExistingFile);
  }
  void addQuantizationOptions(CLI::App *cmd) {
    cmd->add_option("--quantize", quantize,
                    "Quantise: int8 (weights per output channel), int8-per-tensor, or int4-weights "
                    "(weight-only, float activations)")
        ->check(CLI::IsMember({"int8", "int8-per-tensor", "int4-weights"}));
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
  std::vector<std::string> emulatorOptions;  // extra emulator options (bench/)
};

/// Exit code when `edgec run` finds outputs that differ from --expected.
constexpr int kOutputsDiffer = 4;

/// A C identifier from a model's file name.
std::string defaultName(const std::string &model);
bool isIdentifier(const std::string &s);

/// Imports, optimises and compiles `cmd.model` for `cmd.target`, checks it
/// fits the board's flash and RAM, and writes the artifact to `outDir`
/// (nothing is written when it is empty). Returns an ExitCode; diagnostics
/// are printed.
int compileArtifact(CompileCommand &cmd, const std::string &outDir, ArtifactInfo &info,
                    CompiledModel &compiled);

/// One target's compiled model and artifact description.
struct TargetBuild {
  std::string target;
  ArtifactInfo info;
  CompiledModel compiled;
};

/// "192K", "1M", "1048576" as bytes; false when it is none of these.
bool parseSize(const std::string &text, uint64_t &bytes);
/// `board` with the part's memories of --flash-size/--sram-size; false
/// (printed) when they do not parse.
bool partTarget(const CompileCommand &cmd, const TargetInfo &board, TargetInfo &part);

/// True when every name is a target; otherwise prints the known ones.
bool knownTargets(const std::vector<std::string> &targets);

/// Imports, optimises, calibrates and quantises `cmd.model` once, then
/// compiles a copy of the graph for each of `targets` (each checked against
/// its board). Writes nothing. Returns an ExitCode.
int compileForTargets(CompileCommand &cmd, const std::vector<std::string> &targets,
                      std::vector<TargetBuild> &builds);

/// Writes one target's artifact into `dir` (replaced as a whole). Returns an
/// ExitCode.
int writeBuild(const CompileCommand &cmd, const std::string &dir, const TargetBuild &build);

/// `edgec run`: compile for the host, link the harness, run, compare.
int runModel(RunCommand cmd);

/// Imports `cmd.model` and runs the graph optimisations; null after an
/// error (printed through the context's diagnostics or to stderr).
mlir::OwningOpRef<mlir::ModuleOp> importOptimized(const ModelOptions &cmd, mlir::MLIRContext &context);
/// --quantize and --calibration go together; prints why not.
bool checkQuantizationOptions(const CompileCommand &cmd);
/// Calibration on `cmd.calibration`, annotating `module`'s tensors.
mlir::LogicalResult calibrateGraph(const CompileCommand &cmd, mlir::ModuleOp module);
/// The quantisation pipeline for `cmd.quantize` on a calibrated module.
mlir::LogicalResult quantizeGraph(const CompileCommand &cmd, mlir::ModuleOp module);

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
