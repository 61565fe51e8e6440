//===- Driver.h - one model from file to compiled targets -------*- C++ -*-===//
//
// The compile driver every command shares (`edgec compile`, `run`,
// `inspect`, `quant-report`): import, graph optimisation, calibration and
// quantisation once, then a copy of the graph lowered for each target and
// checked against the part's flash and RAM. tools/edgec parses flags into a
// CompileRequest and prints; the steps and their rules live here.
// Diagnostics are printed to stderr as `edgec: error: ...` (the MLIR ones
// through the context's handler); functions return an ExitCode or false.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_DRIVER_H
#define EDGEC_COMPILER_DRIVER_H

#include "compiler/Artifact.h"
#include "compiler/Pipeline.h"
#include "compiler/onnx/OnnxImporter.h"
#include "targets/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

/// edgec's exit codes (`edgec run` adds 4: outputs differ).
enum ExitCode { kOk = 0, kModelError = 1, kUsageError = 2, kOutputError = 3 };

/// A model file and how its inputs are bound.
struct ModelSource {
  std::string model;
  std::vector<std::string> models; // `edgec compile` takes several
  std::vector<std::string> inputShapes, dims, inputValues; // NAME=AxB, SYMBOL=N, NAME=V,V
  int64_t stringBytes = 64; // bytes of each element of a string tensor at the C API
};

/// What a compile asks for, as the command line gives it.
struct CompileRequest : ModelSource {
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
  std::string quantize;        // "", "int8", "int8-per-tensor", "int8-weights", "int4-weights"
  std::string calibration;     // directory of samples
  std::string observer = "minmax";
  int64_t calibrationSamples = 0; // 0: all
  int64_t groupSize = 128;        // int4-weights: weights per scale
  std::string io = "float";       // "int8": quantised inputs and outputs at the C API
  std::string npuConfig;          // --target npu: the accelerator's parameters (docs/design/npu.md)
  std::vector<std::string> states; // --state INPUT=OUTPUT: an output updating an input in place
  std::string emitNinja;          // write a build.ninja for models x targets instead of compiling
  std::string emit;               // "": the artifact; mlir, llvm, asm or obj: that file only
  std::string passPipeline;       // replaces the lowering pipeline (researchers)
  bool printPipeline = false;     // print the lowering pipeline and stop
  bool needsCalibration() const { return quantize == "int8" || quantize == "int8-per-tensor"; }
};

/// --input-shape, --dim and --input-value as the importer's options; false
/// (printed) when one does not parse.
bool importOptionsFor(const ModelSource &source, onnx_import::ImportOptions &opts);
/// The model as graph ops: imported from ONNX, or read from a graph-dialect
/// file (the PyTorch importer's), which has static shapes already.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(const ModelSource &source, const onnx_import::ImportOptions &opts,
                                            mlir::MLIRContext &context);
/// Imports `source.model` and runs the graph optimisations; null after an
/// error (printed through the context's diagnostics or to stderr).
mlir::OwningOpRef<mlir::ModuleOp> importOptimized(const ModelSource &source, mlir::MLIRContext &context);

/// --quantize and --calibration go together; prints why not.
bool checkQuantizationOptions(const CompileRequest &req);
/// Calibration on `req.calibration`, annotating `module`'s tensors.
mlir::LogicalResult calibrateGraph(const CompileRequest &req, mlir::ModuleOp module);
/// The quantisation pipeline for `req.quantize` on a calibrated module.
mlir::LogicalResult quantizeGraph(const CompileRequest &req, mlir::ModuleOp module);
/// importOptimized, then calibrated when `req` quantises with calibration
/// data: the float graph a quantised build starts from. Null after an error.
mlir::OwningOpRef<mlir::ModuleOp> calibratedGraph(const CompileRequest &req, mlir::MLIRContext &context);
/// calibratedGraph, then quantised as `req.quantize` says: the graph every
/// target compiles (before --io). Null after an error.
mlir::OwningOpRef<mlir::ModuleOp> preparedGraph(const CompileRequest &req, mlir::MLIRContext &context);
/// --state INPUT=OUTPUT: marks the input as the output's state
/// (`graph.state_output`) after checking both exist with one type; false
/// (printed) otherwise.
bool markStates(const std::vector<std::string> &states, mlir::ModuleOp module);
/// --io int8: quantised inputs and outputs at the C API; false (printed)
/// when the model has none.
bool quantizedIO(mlir::ModuleOp module);

/// A C identifier from a model's file name: "hey_mycroft_v0.1.onnx" ->
/// "hey_mycroft_v0_1".
std::string defaultName(const std::string &model);
bool isIdentifier(const std::string &s);
/// --name, or the model file's; false (printed) when it is no C identifier.
bool nameArtifact(CompileRequest &req);
/// True when every name is a target; otherwise prints the known ones.
bool knownTargets(const std::vector<std::string> &targets);

/// "192K", "1M", "1048576" as bytes; false when it is none of these.
bool parseSize(const std::string &text, uint64_t &bytes);
/// `board` with the part's memories of --flash-size/--sram-size; false
/// (printed) when they do not parse.
bool partTarget(const CompileRequest &req, const TargetInfo &board, TargetInfo &part);

/// The fit rule: a need fits a memory the part has (0: not known, so
/// anything fits). `edgec compile` checks code + weights + data and arena +
/// data + bss + stack; `edgec inspect`, before code exists, weights and
/// arena.
struct MemoryFit {
  bool flash = true, ram = true;
};
MemoryFit fitsPart(const TargetInfo &part, uint64_t flashNeed, uint64_t ramNeed);
/// The compiled model against `board` (with --flash-size/--sram-size):
/// false after printing what does not fit.
bool fitsBoard(const CompileRequest &req, const TargetInfo &board, const CompiledModel &compiled);

/// How artifactFlags writes the flags.
enum class FlagStyle {
  Manifest, // the artifact's manifest.json "flags": as given, name and -O first
  Command,  // a command line that rebuilds it elsewhere (--emit-ninja): paths absolute
};
/// The flags of `req` that shape an artifact.
std::vector<std::string> artifactFlags(const CompileRequest &req, FlagStyle style);

/// One target's compiled model and artifact description.
struct TargetBuild {
  std::string target;
  ArtifactInfo info;
  CompiledModel compiled;
};

/// Imports, optimises, calibrates and quantises `req.model` once, then
/// compiles a copy of the graph for each of `targets` (each checked against
/// its board). Writes nothing. Returns an ExitCode.
int compileForTargets(CompileRequest &req, const std::vector<std::string> &targets,
                      std::vector<TargetBuild> &builds);

/// Writes one target's artifact into `dir` (replaced as a whole). Returns an
/// ExitCode.
int writeBuild(const CompileRequest &req, const std::string &dir, const TargetBuild &build);

/// compileForTargets for `req.target` alone, then writeBuild into `outDir`
/// (nothing is written when it is empty). Returns an ExitCode.
int compileArtifact(CompileRequest &req, const std::string &outDir, ArtifactInfo &info, CompiledModel &compiled);

} // namespace edgec

#endif // EDGEC_COMPILER_DRIVER_H
