//===- edgec.cpp - the edgec command line ---------------------------------===//
//
// edgec import model.onnx [-o model.mlir] [--optimize] [--summary]
//
// Exit codes: 0 success, 1 the model could not be imported or compiled
// (a diagnostic says why), 2 bad command line, 3 the output could not be
// written, 4 `edgec run` found outputs that differ from --expected. No output
// file is left behind on failure.
//
//===----------------------------------------------------------------------===//
#include "compiler/Artifact.h"
#include "compiler/GraphFile.h"
#include "compiler/Pipeline.h"
#include "compiler/Progress.h"
#include "compiler/quantize/Calibration.h"
#include "compiler/onnx/OnnxImporter.h"
#include "passes/Passes.h"
#include "tools/edgec/Commands.h"
#include "tools/edgec/Diagnostics.h"
#include "tools/edgec/Summary.h"
#include "targets/npu/NpuConfig.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace edgec::cli;

namespace {

/// Splits "name=value" at the last '='; false when there is none.
bool splitAssignment(const std::string &text, std::string &name, std::string &value) {
  auto eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return false;
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

bool parseImportOptions(const ModelOptions &cmd, edgec::onnx_import::ImportOptions &opts) {
  std::string name, value;
  for (const auto &s : cmd.inputShapes) {
    std::vector<int64_t> dims;
    if (!splitAssignment(s, name, value) || !edgec::onnx_import::parseShape(value, dims)) {
      fmt::print(stderr, "edgec: error: --input-shape '{}' is not NAME=DIMxDIM... "
                         "(positive dims, or 'scalar')\n", s);
      return false;
    }
    opts.inputShapes[name] = dims;
  }
  for (const auto &s : cmd.dims) {
    char *end = nullptr;
    if (!splitAssignment(s, name, value) || (std::strtoll(value.c_str(), &end, 10) <= 0) ||
        *end) {
      fmt::print(stderr, "edgec: error: --dim '{}' is not SYMBOL=N with N > 0\n", s);
      return false;
    }
    opts.dimValues[name] = std::strtoll(value.c_str(), nullptr, 10);
  }
  for (const auto &s : cmd.inputValues) {
    if (!splitAssignment(s, name, value)) {
      fmt::print(stderr, "edgec: error: --input-value '{}' is not NAME=V[,V...]\n", s);
      return false;
    }
    std::vector<double> values;
    for (llvm::StringRef rest = value; !rest.empty();) {
      auto [head, tail] = rest.split(',');
      double v;
      if (head.trim().getAsDouble(v)) {
        fmt::print(stderr, "edgec: error: --input-value '{}': '{}' is not a number\n", s,
                   head.str());
        return false;
      }
      values.push_back(v);
      rest = tail;
    }
    opts.inputValues[name] = values;
  }
  return true;
}

/// The model as graph ops: imported from ONNX, or read from a graph-dialect
/// file (the PyTorch importer's), which has static shapes already.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(const ModelOptions &cmd, const edgec::onnx_import::ImportOptions &opts,
                                            mlir::MLIRContext &context) {
  if (!edgec::isGraphFile(cmd.model))
    return edgec::onnx_import::importOnnxFile(cmd.model, opts, context);
  if (!cmd.inputShapes.empty() || !cmd.dims.empty() || !cmd.inputValues.empty()) {
    fmt::print(stderr, "edgec: error: {}: --input-shape, --dim and --input-value apply to ONNX models; a "
                       "graph-dialect model has static shapes (give the PyTorch importer other example inputs)\n",
               cmd.model);
    return nullptr;
  }
  return edgec::importGraphFile(cmd.model, context);
}

int runImport(const ImportCommand &cmd) {
  edgec::onnx_import::ImportOptions opts;
  if (!parseImportOptions(cmd, opts))
    return kUsageError;

  mlir::DialectRegistry registry;
  edgec::onnx_import::registerImportDialects(registry);
  mlir::MLIRContext context(registry);
  edgec::cli::CliDiagnosticHandler diagnostics(&context);

  auto module = loadModel(cmd, opts, context);
  if (!module)
    return kModelError;
  if (cmd.optimize) {
    mlir::PassManager pm(&context);
    edgec::buildGraphOptimizationPipeline(pm);
    if (mlir::failed(pm.run(*module)))
      return kModelError;
  }

  mlir::OpPrintingFlags flags;
  bool toTerminal = cmd.output == "-" && isatty(fileno(stdout));
  if (cmd.elideResourcesLargerThan >= 0)
    flags.elideLargeResourceString(cmd.elideResourcesLargerThan);
  else if (toTerminal) // megabytes of hex help nobody on a terminal
    flags.elideLargeResourceString(64);
  if (cmd.printLocations)
    flags.enableDebugInfo();

  auto summary = edgec::cli::summarize(*module);
  std::string title = fmt::format("{}{}", cmd.model, cmd.optimize ? " (optimised)" : "");
  auto write = [&](const std::string &path, auto &&body) -> bool {
    if (auto err = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
          body(os);
          return llvm::Error::success();
        })) {
      fmt::print(stderr, "edgec: error: cannot write '{}': {}\n", path,
                 llvm::toString(std::move(err)));
      return false;
    }
    return true;
  };
  if (!write(cmd.output, [&](llvm::raw_ostream &os) { module->print(os, flags); }))
    return kOutputError;
  if (cmd.summary)
    fmt::print("{}", edgec::cli::summaryText(summary, title));
  if (!cmd.summaryJsonPath.empty() &&
      !write(cmd.summaryJsonPath,
             [&](llvm::raw_ostream &os) { os << edgec::cli::summaryJson(summary); }))
    return kOutputError;
  return kOk;
}

} // namespace

namespace edgec::cli {

/// A C identifier from a file name: "hey_mycroft_v0.1.onnx" -> "hey_mycroft_v0_1".
std::string defaultName(const std::string &model) {
  std::string stem = llvm::sys::path::stem(model).str(), name;
  for (char c : stem)
    name += llvm::isAlnum(c) ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "model_" + name;
  return name;
}

bool isIdentifier(const std::string &s) {
  if (s.empty() || llvm::isDigit(s[0]))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// "192K", "1M", "1048576" as bytes; false when it is none of these.
bool parseSize(const std::string &text, uint64_t &bytes) {
  llvm::StringRef s(text);
  uint64_t scale = 1;
  if (s.consume_back("K") || s.consume_back("k"))
    scale = 1024;
  else if (s.consume_back("M") || s.consume_back("m"))
    scale = 1024 * 1024;
  return !s.getAsInteger(10, bytes) && bytes > 0 && (bytes *= scale, true);
}

/// Refuses a model whose flash (code + weights + data) or RAM (arena +
/// data + bss + the stack of a run) exceeds the board's.
bool partTarget(const CompileCommand &cmd, const edgec::TargetInfo &board, edgec::TargetInfo &part) {
  part = board;
  if ((!cmd.flashSize.empty() && !parseSize(cmd.flashSize, part.flashBytes)) ||
      (!cmd.sramSize.empty() && !parseSize(cmd.sramSize, part.sramBytes))) {
    fmt::print(stderr, "edgec: error: --flash-size/--sram-size take a byte count with an "
                       "optional K or M suffix, e.g. 1M or 192K\n");
    return false;
  }
  return true;
}

bool fitsBoard(const CompileCommand &cmd, const edgec::TargetInfo &board,
               const CompiledModel &compiled) {
  edgec::TargetInfo target;
  if (!partTarget(cmd, board, target))
    return false;
  uint64_t flash = target.flashBytes, sram = target.sramBytes;
  auto sizes = edgec::sectionSizes(compiled.objects);
  edgec::MemoryNeed need = edgec::memoryNeed(sizes, compiled);
  uint64_t needFlash = need.flash, needRam = need.ram;
  std::string where = target.board.empty() ? target.name : target.name + " (" + target.board + ")";
  bool fits = true;
  if (flash && needFlash > flash) {
    fmt::print(stderr, "edgec: error: {}: the model needs {} B of flash (code {} B, weights {} B), "
               "{} has {} B; give the part's size with --flash-size if it has more\n",
               cmd.model, needFlash, sizes.text, sizes.rodata + sizes.data, where, flash);
    fits = false;
  }
  if (sram && needRam > sram) {
    fmt::print(stderr, "edgec: error: {}: the model needs {} B of RAM (arena {} B, {}), "
               "{} has {} B; give the part's size with --sram-size if it has more\n",
               cmd.model, needRam, compiled.arenaBytes,
               compiled.stack.bounded ? fmt::format("stack {} B", compiled.stack.bytes)
                                      : "and a stack that is not bounded",
               where, sram);
    fits = false;
  }
  return fits;
}

mlir::OwningOpRef<mlir::ModuleOp> importOptimized(const ModelOptions &cmd, mlir::MLIRContext &context) {
  edgec::onnx_import::ImportOptions opts;
  if (!parseImportOptions(cmd, opts))
    return nullptr;
  auto module = loadModel(cmd, opts, context);
  if (!module)
    return nullptr;
  mlir::PassManager pm(&context);
  edgec::buildGraphOptimizationPipeline(pm);
  if (mlir::failed(pm.run(*module)))
    return nullptr;
  return module;
}

bool checkQuantizationOptions(const CompileCommand &cmd) {
  if (cmd.needsCalibration() == !cmd.calibration.empty())
    return true;
  fmt::print(stderr, "edgec: error: {}\n",
             cmd.needsCalibration() ? "--quantize " + cmd.quantize +
                                          " needs --calibration DIR (sample inputs: .npy or .pb files)"
             : cmd.quantize.empty() ? std::string("--calibration is only used with --quantize int8")
                                    : "--quantize " + cmd.quantize + " quantises weights only: it takes no --calibration");
  return false;
}

mlir::LogicalResult calibrateGraph(const CompileCommand &cmd, mlir::ModuleOp module) {
  edgec::CalibrationOptions calib;
  calib.dir = cmd.calibration;
  edgec::parseObserver(cmd.observer, calib.observer);
  calib.maxSamples = cmd.calibrationSamples;
  edgec::CalibrationReport report;
  return edgec::calibrate(module, calib, report);
}

mlir::LogicalResult quantizeGraph(const CompileCommand &cmd, mlir::ModuleOp module) {
  mlir::PassManager pm(module.getContext());
  if (cmd.quantize == "int4-weights")
    edgec::buildInt4WeightPipeline(pm, cmd.groupSize);
  else
    edgec::buildQuantizationPipeline(pm, cmd.quantize == "int8");
  return pm.run(module);
}

bool quantizedIO(mlir::ModuleOp module) {
  mlir::PassManager pm(module.getContext());
  pm.nest<mlir::func::FuncOp>().addPass(edgec::createQuantizedIOPass());
  if (mlir::failed(pm.run(module)))
    return false;
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  auto quantised = [](mlir::Type t) {
    return llvm::isa<mlir::quant::QuantizedType>(llvm::cast<mlir::RankedTensorType>(t).getElementType());
  };
  if (main && (llvm::any_of(main.getArgumentTypes(), quantised) || llvm::any_of(main.getResultTypes(), quantised)))
    return true;
  fmt::print(stderr, "edgec: error: --io int8: no input or output of the model is quantised (compile with "
                     "--quantize int8, or give a pre-quantised model)\n");
  return false;
}

/// --name, or the model file's; false (printed) when it is no C identifier.
bool nameArtifact(CompileCommand &cmd) {
  if (cmd.name.empty())
    cmd.name = defaultName(cmd.model);
  if (isIdentifier(cmd.name))
    return true;
  fmt::print(stderr, "edgec: error: --name '{}' is not a C identifier\n", cmd.name);
  return false;
}

bool knownTargets(const std::vector<std::string> &targets) {
  for (const std::string &name : targets)
    if (!edgec::lookupTarget(name)) {
      std::string known;
      for (const auto *t : edgec::allTargets())
        known += (known.empty() ? "" : ", ") + t->name;
      fmt::print(stderr, "edgec: error: unknown target '{}' (known: {})\n", name, known);
      return false;
    }
  return true;
}

int compileForTargets(CompileCommand &cmd, const std::vector<std::string> &targets,
                      std::vector<TargetBuild> &builds) {
  edgec::onnx_import::ImportOptions opts;
  if (!parseImportOptions(cmd, opts))
    return kUsageError;
  if (!knownTargets(targets))
    return kUsageError;
  if (!nameArtifact(cmd))
    return kUsageError;
  if (!checkQuantizationOptions(cmd))
    return kUsageError;
  for (const std::string &name : targets)
    if (cmd.addressSanitizer && !edgec::lookupTarget(name)->hostNative) {
      fmt::print(stderr, "edgec: error: --sanitize-address is for host targets, not {}\n", name);
      return kUsageError;
    }

  // Import, calibration and quantisation are the same for every target:
  // done once, each target compiling its own copy of the graph.
  mlir::DialectRegistry registry;
  edgec::registerPipelineDialectsAndPasses(registry);
  mlir::MLIRContext context(registry);
  edgec::cli::CliDiagnosticHandler diagnostics(&context);
  auto module = importOptimized(cmd, context);
  if (!module)
    return kModelError;
  if (cmd.needsCalibration() && mlir::failed(calibrateGraph(cmd, *module)))
    return kModelError;
  if (!cmd.quantize.empty() && mlir::failed(quantizeGraph(cmd, *module)))
    return kModelError;
  if (cmd.io == "int8" && !quantizedIO(*module))
    return kModelError;
  ArtifactInfo graphInfo = edgec::describeGraph(*module);
  graphInfo.name = cmd.name;
  graphInfo.modelPath = cmd.model;
  graphInfo.modelSha256 = edgec::sha256OfFile(cmd.model);
  std::string flags = fmt::format("--name {} -O{}", cmd.name, cmd.optLevel);
  if (cmd.addressSanitizer)
    flags += " --sanitize-address";
  for (const auto &s : cmd.inputShapes)
    flags += " --input-shape " + s;
  for (const auto &s : cmd.dims)
    flags += " --dim " + s;
  for (const auto &s : cmd.inputValues)
    flags += " --input-value " + s;
  if (cmd.needsCalibration())
    flags += fmt::format(" --quantize {} --observer {} --calibration-samples {}", cmd.quantize,
                         cmd.observer, cmd.calibrationSamples);
  else if (!cmd.quantize.empty())
    flags += fmt::format(" --quantize {} --group-size {}", cmd.quantize, cmd.groupSize);
  if (cmd.io != "float")
    flags += " --io " + cmd.io;
  if (!cmd.npuConfig.empty())
    flags += " --npu-config " + cmd.npuConfig;

  edgec::CompileOptions copts;
  copts.name = cmd.name;
  copts.optLevel = cmd.optLevel;
  copts.jobs = cmd.jobs;
  copts.printIRAfterAll = cmd.printIRAfterAll;
  copts.timing = cmd.timing;
  copts.addressSanitizer = cmd.addressSanitizer;
  copts.npuConfig = cmd.npuConfig;
  copts.passPipeline = cmd.passPipeline;
  copts.stopAfterMlir = cmd.emit == "mlir";
  copts.emit = cmd.emit == "asm"    ? edgec::EmitKind::Assembly
               : cmd.emit == "llvm" ? edgec::EmitKind::LLVMIR
                                    : edgec::EmitKind::Object;
  if (!cmd.passPipeline.empty())
    flags += " --pass-pipeline '" + cmd.passPipeline + "'";
  edgec::Progress progress("compiling " + cmd.name + " for", targets.size() > 1 ? targets.size() : 0);
  for (const std::string &name : targets) {
    if (targets.size() > 1)
      progress.step(name);
    const edgec::TargetInfo *target = edgec::lookupTarget(name);
    TargetBuild build{name, graphInfo, {}};
    build.info.flags = "--target " + name + " " + flags;
    mlir::OwningOpRef<mlir::ModuleOp> copy;
    if (targets.size() == 1)
      copy = std::move(module);
    else
      copy = module->clone();
    auto result = edgec::compileToObject(*copy, *target, copts);
    if (mlir::failed(result))
      return kModelError;
    build.compiled = std::move(*result);
    if (copts.stopAfterMlir) { // --emit=mlir: the lowered module is the output
      std::string text;
      llvm::raw_string_ostream os(text);
      mlir::OpPrintingFlags printing;
      if ((cmd.output.empty() || cmd.output == "-") && isatty(fileno(stdout)))
        printing.elideLargeResourceString(64); // megabytes of hex help nobody on a terminal
      copy->print(os, printing);
      build.compiled.objects = {std::move(text)};
    } else if (cmd.emit.empty() && !fitsBoard(cmd, *target, build.compiled)) {
      return kModelError;
    }
    builds.push_back(std::move(build));
  }
  return kOk;
}

int writeBuild(const CompileCommand &cmd, const std::string &dir, const TargetBuild &build) {
  mlir::MLIRContext context;
  CliDiagnosticHandler diagnostics(&context);
  // The report measures the model against the part's memories as given.
  edgec::TargetInfo target;
  if (!partTarget(cmd, *edgec::lookupTarget(build.target), target))
    return kUsageError;
  if (mlir::failed(edgec::writeArtifact(dir, build.info, target, build.compiled,
                                        mlir::FileLineColLoc::get(&context, cmd.model, 0, 0))))
    return kOutputError;
  return kOk;
}

int compileArtifact(CompileCommand &cmd, const std::string &outDir, ArtifactInfo &info,
                    CompiledModel &compiled) {
  std::vector<TargetBuild> builds;
  if (int rc = compileForTargets(cmd, {cmd.target}, builds))
    return rc;
  if (!outDir.empty())
    if (int rc = writeBuild(cmd, outDir, builds.front()))
      return rc;
  info = std::move(builds.front().info);
  compiled = std::move(builds.front().compiled);
  return kOk;
}

} // namespace edgec::cli

namespace {

/// `--target a,b,c` compiles for each into OUT/<target>/; every target is
/// compiled before anything is written, so a model that fails for one
/// leaves no artifact for the others either.
/// The flags of `cmd` that shape an artifact, as `edgec compile` takes them
/// (for --emit-ninja): paths absolute, so the build file runs anywhere.
std::vector<std::string> artifactFlags(const CompileCommand &cmd) {
  std::vector<std::string> flags;
  auto add = [&](const char *flag, const std::string &value) {
    if (!value.empty())
      flags.insert(flags.end(), {flag, value});
  };
  auto absolute = [](const std::string &path) {
    llvm::SmallString<256> p(path);
    llvm::sys::fs::make_absolute(p);
    return std::string(p);
  };
  for (const std::string &v : cmd.inputShapes)
    add("--input-shape", v);
  for (const std::string &v : cmd.dims)
    add("--dim", v);
  for (const std::string &v : cmd.inputValues)
    add("--input-value", v);
  add("--flash-size", cmd.flashSize);
  add("--sram-size", cmd.sramSize);
  add("--opt-level", std::to_string(cmd.optLevel));
  if (!cmd.npuConfig.empty())
    add("--npu-config", absolute(cmd.npuConfig));
  if (!cmd.quantize.empty()) {
    add("--quantize", cmd.quantize);
    add("--group-size", cmd.quantize == "int4-weights" ? std::to_string(cmd.groupSize) : "");
    add("--observer", cmd.needsCalibration() ? cmd.observer : "");
    add("--calibration-samples", cmd.calibrationSamples ? std::to_string(cmd.calibrationSamples) : "");
  }
  if (!cmd.calibration.empty())
    add("--calibration", absolute(cmd.calibration));
  add("--io", cmd.io == "float" ? "" : cmd.io);
  add("--pass-pipeline", cmd.passPipeline);
  return flags;
}

/// Ninja quoting of a path or argument: `$`, ` ` and `:` escaped.
std::string ninjaEscape(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (c == '$' || c == ' ' || c == ':' || c == '\n')
      out += '$';
    out += c;
  }
  return out;
}

/// Shell quoting for the command line a Ninja rule runs.
std::string shellQuote(const std::string &text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// --emit-ninja: a build file with one edge per model x target, so any
/// Ninja (or a farm that runs Ninja files) builds the matrix; artifacts are
/// deterministic, so they cache by content.
int emitNinja(const CompileCommand &cmd, const std::vector<std::string> &targets) {
  std::string self = llvm::sys::fs::getMainExecutable(nullptr, reinterpret_cast<void *>(&emitNinja));
  llvm::SmallString<256> out(cmd.output);
  llvm::sys::fs::make_absolute(out);
  std::string flags;
  for (const std::string &f : artifactFlags(cmd))
    flags += " " + shellQuote(f);
  std::string text = "# Generated by `edgec compile --emit-ninja`: every model for every target.\n"
                     "# Run with `ninja -f " + cmd.emitNinja + "`; each artifact is OUTPUT/<name>/<target>/.\n\n";
  text += "rule edgec\n  command = rm -rf $dir && " + shellQuote(self) +
          " compile $in --target $device --name $name -o $dir" + flags + "\n  description = edgec $name for $device\n\n";
  std::string all;
  for (const std::string &model : cmd.models) {
    llvm::SmallString<256> path(model);
    llvm::sys::fs::make_absolute(path);
    std::string name = defaultName(model);
    for (const std::string &t : targets) {
      std::string dir = (out + "/" + name + "/" + t).str();
      text += "build " + ninjaEscape(dir + "/manifest.json") + " " + ninjaEscape(dir + "/lib" + name + ".a") + " " +
              ninjaEscape(dir + "/" + name + ".h") + ": edgec " + ninjaEscape(std::string(path)) + " | " +
              ninjaEscape(self) + "\n  device = " + t + "\n  name = " + name + "\n  dir = " + shellQuote(dir) +
              "\n";
      all += " " + ninjaEscape(dir + "/manifest.json");
    }
  }
  text += "\nbuild all: phony" + all + "\ndefault all\n";
  if (auto err = llvm::writeToOutput(cmd.emitNinja, [&](llvm::raw_ostream &os) {
        os << text;
        return llvm::Error::success();
      })) {
    fmt::print(stderr, "edgec: error: cannot write {}: {}\n", cmd.emitNinja, llvm::toString(std::move(err)));
    return kOutputError;
  }
  fmt::print("edgec: wrote {}: {} model(s) x {} target(s) into {}/\n", cmd.emitNinja, cmd.models.size(),
             targets.size(), std::string(out));
  return kOk;
}

/// `--print-pipeline` and `--emit=mlir|llvm|asm|obj`: one model for one
/// target, into one file (or one per part of a large model's code).
int emitOne(CompileCommand &cmd, const std::vector<std::string> &targets) {
  if (cmd.models.size() != 1 || targets.size() != 1) {
    fmt::print(stderr, "edgec: error: --emit and --print-pipeline take one model and one --target\n");
    return kUsageError;
  }
  cmd.model = cmd.models.front();
  if (!nameArtifact(cmd))
    return kUsageError;
  if (cmd.printPipeline) {
    if (!knownTargets(targets))
      return kUsageError;
    edgec::CompileOptions copts;
    copts.name = cmd.name;
    copts.npuConfig = cmd.npuConfig;
    fmt::print("builtin.module({})\n", edgec::loweringPipeline(copts, *edgec::lookupTarget(targets.front())));
    return kOk;
  }
  std::vector<TargetBuild> built;
  if (int rc = compileForTargets(cmd, targets, built))
    return rc;
  const std::vector<std::string> &parts = built.front().compiled.objects;
  std::string extension = cmd.emit == "mlir" ? ".mlir" : cmd.emit == "llvm" ? ".ll" : cmd.emit == "asm" ? ".s" : ".o";
  std::string output = cmd.output;
  if (output.empty())
    output = cmd.emit == "obj" ? cmd.name + extension : "-";
  if (output == "-" && parts.size() > 1) {
    fmt::print(stderr, "edgec: error: {}: the code is compiled in {} parts, one file each: give -o FILE{}\n",
               cmd.model, parts.size(), extension);
    return kUsageError;
  }
  // A large model's code is compiled in parts (docs/design/host-codegen.md), each
  // its own file: OUTPUT, then OUTPUT with .1, .2, ... before the extension.
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string path = output;
    if (k > 0 && output != "-") {
      llvm::SmallString<256> p(output);
      std::string ext = llvm::sys::path::extension(p).str();
      llvm::sys::path::replace_extension(p, fmt::format("{}{}", k, ext));
      path = std::string(p);
    }
    if (auto err = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
          os << parts[k];
          return llvm::Error::success();
        })) {
      fmt::print(stderr, "edgec: error: cannot write '{}': {}\n", path, llvm::toString(std::move(err)));
      return kOutputError;
    }
    if (path != "-")
      fmt::print(stderr, "edgec: wrote {} ({} for {}{})\n", path, cmd.emit, targets.front(),
                 parts.size() > 1 ? fmt::format(", part {} of {}", k + 1, parts.size()) : "");
  }
  return kOk;
}

int runCompile(CompileCommand cmd) {
  llvm::SmallVector<llvm::StringRef> targets;
  llvm::StringRef(cmd.target).split(targets, ',', -1, /*KeepEmpty=*/false);
  if (targets.empty()) {
    fmt::print(stderr, "edgec: error: --target names no target\n");
    return kUsageError;
  }
  std::vector<std::string> names;
  for (llvm::StringRef t : targets)
    names.push_back(t.str());
  // Several models, or a build file for them: each goes to OUTPUT/<name>/,
  // named after its file, so the names must differ.
  if (cmd.models.size() > 1 || !cmd.emitNinja.empty()) {
    if (cmd.output.empty() || !cmd.name.empty()) {
      fmt::print(stderr, "edgec: error: several models{} need -o DIR (each goes to DIR/<name>/) and take no "
                         "--name\n", cmd.emitNinja.empty() ? "" : " and --emit-ninja");
      return kUsageError;
    }
    std::set<std::string> seen;
    for (const std::string &model : cmd.models)
      if (!seen.insert(defaultName(model)).second) {
        fmt::print(stderr, "edgec: error: two models are named '{}'; compile them separately with --name\n",
                   defaultName(model));
        return kUsageError;
      }
  }
  if (!cmd.emitNinja.empty() && (!cmd.emit.empty() || cmd.printPipeline)) {
    fmt::print(stderr, "edgec: error: --emit-ninja writes a build file of artifacts; it takes no --emit or "
                       "--print-pipeline\n");
    return kUsageError;
  }
  if (!cmd.passPipeline.empty() &&
      llvm::any_of(names, [](const std::string &t) { auto *i = edgec::lookupTarget(t); return i && i->npu; })) {
    fmt::print(stderr, "edgec: error: --pass-pipeline is for CPU targets: with npu the artifact's report could "
                       "not say what the NPU runs\n");
    return kUsageError;
  }
  if (!cmd.emitNinja.empty())
    return emitNinja(cmd, names);
  if (cmd.printPipeline || !cmd.emit.empty())
    return emitOne(cmd, names);
  if (cmd.models.size() > 1) {
    // A batch: each model in turn into OUTPUT/<name>/, as compiled alone.
    if (auto ec = llvm::sys::fs::create_directories(cmd.output)) {
      fmt::print(stderr, "edgec: error: cannot create {}: {}\n", cmd.output, ec.message());
      return kOutputError;
    }
    edgec::Progress progress("compiling", cmd.models.size());
    for (const std::string &model : cmd.models) {
      progress.step(model);
      CompileCommand one = cmd;
      one.models = {model};
      one.model = model;
      one.output = cmd.output + "/" + defaultName(model);
      if (int rc = runCompile(one))
        return rc;
    }
    return kOk;
  }
  if (cmd.model.empty() && !cmd.models.empty())
    cmd.model = cmd.models.front();
  std::string base = cmd.output;
  if (base.empty())
    base = (cmd.name.empty() ? defaultName(cmd.model) : cmd.name) +
           (targets.size() == 1 ? "-" + cmd.target : "");
  std::vector<edgec::cli::TargetBuild> built;
  if (int rc = edgec::cli::compileForTargets(cmd, names, built))
    return rc;
  for (const edgec::cli::TargetBuild &b : built) {
    std::string dir = targets.size() == 1 ? base : base + "/" + b.target;
    if (int rc = edgec::cli::writeBuild(cmd, dir, b))
      return rc;
    auto sizes = edgec::sectionSizes(b.compiled.objects);
    fmt::print("edgec: wrote {}/ ({}.h, lib{}.a) for {}: code {} B, weights {} B, arena {} B "
               "(naive {} B, lower bound {} B)\n",
               dir, cmd.name, cmd.name, b.target, sizes.text, sizes.rodata,
               b.compiled.arenaBytes, b.compiled.arenaNaiveBytes, b.compiled.arenaLowerBoundBytes);
  }
  return kOk;
}

std::string jsonList(const std::vector<std::string> &items) {
  std::string out;
  for (const auto &i : items)
    out += (out.empty() ? "" : ", ") + edgec::jsonQuote(i);
  return "[" + out + "]";
}

/// `edgec targets`: what --target accepts; --json adds how each is built
/// and run (for scripts).
int listTargets(bool json) {
  if (json) {
    std::string out = "{\n";
    auto all = edgec::allTargets();
    for (size_t i = 0; i < all.size(); ++i) {
      const edgec::TargetInfo *t = all[i];
      out += fmt::format(
          "  {}: {{\"description\": {}, \"triple\": {}, \"cpu\": {}, \"features\": {}, "
          "\"flash_bytes\": {}, \"sram_bytes\": {}, \"board\": {}, \"host_native\": {}, "
          "\"cflags\": {}, \"stub_sources\": {}, \"linker_script\": {}, \"emulator\": {}, \"libgcc\": {}, "
          "\"helper_stack_bytes\": {}}}{}\n",
          edgec::jsonQuote(t->name), edgec::jsonQuote(t->description), edgec::jsonQuote(t->triple),
          edgec::jsonQuote(t->cpu), edgec::jsonQuote(t->features), t->flashBytes, t->sramBytes,
          edgec::jsonQuote(t->board), t->hostNative ? "true" : "false", jsonList(t->runner.cflags),
          jsonList(t->runner.stubSources), edgec::jsonQuote(t->runner.linkerScript),
          jsonList(t->runner.emulator), jsonList(t->runner.libgcc), t->helperStackBytes,
          i + 1 < all.size() ? "," : "");
    }
    fmt::print("{}}}\n", out);
    return kOk;
  }
  for (const edgec::TargetInfo *t : edgec::allTargets()) {
    fmt::print("{:<16} {}\n", t->name, t->description);
    std::string memory = t->flashBytes ? fmt::format(", flash {} KiB, RAM {} KiB ({})",
                                                     t->flashBytes >> 10, t->sramBytes >> 10,
                                                     t->board)
                                       : "";
    std::string runs = t->hostNative ? "natively" : "under " + t->runner.emulator[0];
    fmt::print("{:<16} {} cpu {}{}; runs {}\n", "", t->triple, t->cpu.empty() ? "generic" : t->cpu,
               memory, runs);
  }
  return kOk;
}

} // namespace

int main(int argc, char **argv) {
  // LLVM reports a code generator bug by exiting; say so in edgec's words
  // (nothing has been written yet when the backend runs).
  llvm::install_fatal_error_handler([](void *, const char *reason, bool) {
    fmt::print(stderr, "edgec: error: internal error in LLVM's code generator: {}\n", reason);
    std::fflush(stderr);
    std::_Exit(1);
  });
  CLI::App app{"edgec: ahead-of-time compiler from trained neural networks to native code "
               "for edge chips"};
  app.set_version_flag("--version", std::string("edgec ") + EDGEC_VERSION);
  app.require_subcommand(1);

  ImportCommand imp;
  CLI::App *import = app.add_subcommand("import", "Import an ONNX model (or read a graph-dialect .mlir) into the graph dialect");
  imp.addTo(import);
  import->add_option("-o,--output", imp.output, "Output .mlir file ('-' for stdout)");
  import->add_flag("-O,--optimize", imp.optimize, "Run the graph optimisation pipeline");
  import->add_flag("--summary", imp.summary,
                   "Print op and parameter counts after the IR");
  import->add_option("--summary-json", imp.summaryJsonPath, "Write the summary as JSON");
  import->add_flag("--print-locations", imp.printLocations,
                   "Print locations (ONNX node names and ops) in the IR");
  import->add_option("--mlir-elide-resource-strings-if-larger", imp.elideResourcesLargerThan,
                     "Elide weight blobs larger than this many bytes in the printed IR");

  CompileCommand comp;
  CLI::App *compile = app.add_subcommand("compile", "Compile an ONNX model (or a graph-dialect .mlir, e.g. from edgec-torch) to a native artifact");
  comp.addTo(compile, /*several=*/true);
  compile->add_option("-o,--output", comp.output,
                      "Artifact directory (default NAME-TARGET); replaced as a whole. With several models, "
                      "each goes to OUTPUT/<name>/");
  compile->add_option("--emit-ninja", comp.emitNinja,
                      "Write a Ninja build file that compiles every model for every --target into "
                      "OUTPUT/<name>/<target>/ (with these flags), instead of compiling");
  compile->add_option("--target", comp.target,
                      "Target device, or several as a,b,c (each into OUTPUT/<target>/); "
                      "`edgec targets` lists them (default host)");
  compile->add_option("--flash-size", comp.flashSize,
                      "Flash of the part, e.g. 1M (default: the target board's)");
  compile->add_option("--sram-size", comp.sramSize,
                      "RAM of the part, e.g. 192K (default: the target board's)");
  compile->add_option("--name", comp.name,
                      "C symbol prefix (default: the model's file name)");
  comp.addLlvmOptions(compile);
  compile->add_flag("--mlir-print-ir-after-all", comp.printIRAfterAll,
                    "Print the IR after every pass (to stderr)");
  compile->add_flag("--mlir-timing", comp.timing, "Print the time each pass and each LLVM phase takes");
  compile->add_flag("--sanitize-address", comp.addressSanitizer,
                    "Host targets, for tests: check every memory access of the generated code with "
                    "AddressSanitizer (link the program with -fsanitize=address)");
  compile->add_option("--emit", comp.emit,
                      "Write only this, to -o FILE (default stdout; obj: NAME.o): mlir (the LLVM dialect after "
                      "edgec's passes), llvm (optimised LLVM IR), asm or obj. A large model's code comes in "
                      "parts: FILE, FILE.1, ...")
      ->check(CLI::IsMember({"mlir", "llvm", "asm", "obj"}));
  compile->add_option("--pass-pipeline", comp.passPipeline,
                      "Lower with this pass pipeline instead of edgec's (start from --print-pipeline's); "
                      "recorded in the manifest");
  compile->add_flag("--print-pipeline", comp.printPipeline,
                    "Print the pass pipeline edgec lowers with for --target, and stop");
  comp.addQuantizationOptions(compile);

  RunCommand runCmd;
  CLI::App *runApp = app.add_subcommand(
      "run", "Compile, run on the host or under the target's emulator, print or compare the outputs");
  runCmd.addTo(runApp);
  runApp->add_option("--target", runCmd.target,
                     "Target; other than host ones run under their emulator (default host)");
  runApp->add_option("--name", runCmd.name, "C symbol prefix (default: the model's file name)");
  runApp->add_option("--flash-size", runCmd.flashSize, "Flash of the part (default: the board's)");
  runApp->add_option("--sram-size", runCmd.sramSize, "RAM of the part (default: the board's)");
  runCmd.addQuantizationOptions(runApp);
  runCmd.addLlvmOptions(runApp);
  runApp->add_option("--input", runCmd.inputs,
                     "Input as an ONNX TensorProto .pb file, a numpy .npy file (or raw bytes in "
                     "a .bin file), one per model input, in order");
  runApp->add_option("--expected", runCmd.expected,
                     "Expected output (.pb or .npy), one per model output, in order");
  runApp->add_option("--atol", runCmd.atol, "Absolute tolerance for float outputs (1e-4)");
  runApp->add_option("--rtol", runCmd.rtol, "Relative tolerance for float outputs (1e-3)");
  runApp->add_flag("--sanitize", runCmd.sanitize,
                   "Host targets: instrument the generated code with ASan and build the harness "
                   "with ASan and UBSan");
  runApp->add_option("--keep", runCmd.keep, "Keep the work directory (artifact, harness, data) here");
  runApp->add_option("--save-outputs", runCmd.saveOutputs,
                     "Write each output's raw bytes to DIR/outK.bin");
  runApp->add_option("--timeout", runCmd.timeout,
                     "Seconds the program may run before it is stopped (default 600)");
  runApp->add_option("--harness-define", runCmd.harnessDefines,
                     "NAME=VALUE for the test harness, e.g. REPEAT=2 or MEASURE_STACK=65536");
  runApp->add_option("--emulator-option", runCmd.emulatorOptions,
                     "An option for the emulator, before the program (e.g. -plugin)");

  InspectCommand inspectCmd;
  CLI::App *inspectApp = app.add_subcommand(
      "inspect", "Show a model's ops, shapes, parameters, MACs and FLOPs, and what each target makes of it "
                 "(writes nothing)");
  inspectCmd.addTo(inspectApp);
  inspectApp->add_option("--target", inspectCmd.targets,
                         "Targets to try, as a,b,c (default all): each is lowered to the LLVM dialect, "
                         "giving its arena and, for npu, the ops the NPU takes");
  inspectApp->add_option("--npu-config", inspectCmd.npuConfig, "--target npu: the NPU's parameters file")
      ->check(CLI::ExistingFile);
  inspectApp->add_option("--flash-size", inspectCmd.flashSize, "Flash of the part, e.g. 1M (default: the board's)");
  inspectApp->add_option("--sram-size", inspectCmd.sramSize, "RAM of the part, e.g. 192K (default: the board's)");
  inspectCmd.addQuantizationOptions(inspectApp);
  inspectApp->add_flag("--per-op", inspectCmd.perOp, "One line per op (ONNX node, MACs, FLOPs, weights, result type) "
                                                     "instead of per op kind");
  inspectApp->add_flag("--json", inspectCmd.json, "As JSON (for scripts)");

  QuantReportCommand reportCmd;
  CLI::App *reportApp = app.add_subcommand(
      "quant-report", "Per-layer error (SQNR) of the quantised model against the float one, on the host");
  reportCmd.addTo(reportApp);
  reportCmd.addQuantizationOptions(reportApp);
  reportApp->add_option("--data", reportCmd.data,
                        "Samples to compare on, laid out as --calibration (default: the calibration data)");

  CLI::App *npuConfigApp = app.add_subcommand(
      "npu-config", "Print the NPU's parameters: the defaults, or FILE's over them (checked)");
  std::string npuConfigFile;
  npuConfigApp->add_option("file", npuConfigFile, "An NPU configuration file")->check(CLI::ExistingFile);

  CLI::App *targetsApp = app.add_subcommand("targets", "List the targets --target accepts");
  bool targetsJson = false;
  targetsApp->add_flag("--json", targetsJson, "As JSON, with how each target is built and run");
  CLI::App *opsApp = app.add_subcommand("ops", "List the ONNX ops edgec imports, with their opsets and limits");
  bool opsMarkdown = false;
  opsApp->add_flag("--markdown", opsMarkdown, "As the markdown table of docs/results/onnx-ops.md");

  // Examples and the rest a user looks for in --help (README.md and docs/
  // say more).
  import->footer("Examples:\n  edgec import model.onnx -o model.mlir\n  edgec import model.onnx -O --summary\n"
                 "  edgec import embedding_model.onnx --dim unk__314=1 --summary-json summary.json");
  compile->footer("Examples:\n  edgec compile model.onnx --target cortex-m4 -o out/\n"
                  "  edgec compile model.onnx --target cortex-m4,rv32imac,host -o out/     (out/<target>/ each)\n"
                  "  edgec compile models/*.onnx --target host -o out/                    (out/<name>/ each)\n"
                  "  edgec compile models/*.onnx --target cortex-m4,host -o out/ --emit-ninja build.ninja\n"
                  "  edgec compile model.onnx --quantize int8 --calibration samples/ --target npu -o out/\n"
                  "  edgec compile model.onnx --target cortex-m4 --emit=asm -o model.s\n"
                  "The artifact: NAME.h, libNAME.a, edgec_runtime.h, manifest.json, report.txt, memory-plan.svg\n"
                  "(docs/design/host-codegen.md); exit codes as `edgec --help` lists them.");
  runApp->footer("Examples:\n  edgec run model.onnx --input in0.pb --expected out0.pb\n"
                 "  edgec run model.onnx --target cortex-m4 --input in0.pb --expected out0.pb   (under qemu)\n"
                 "Exit code 4: the outputs differ from --expected (the largest errors are printed).");
  inspectApp->footer("Examples:\n  edgec inspect model.onnx\n  edgec inspect model.onnx --target cortex-m4,npu --per-op\n"
                     "  edgec inspect model.onnx --target npu --quantize int8 --calibration samples/\n"
                     "  edgec inspect model.onnx --json > model.json\n"
                     "Exit code 1 when edgec cannot import the model (every op type it lacks is listed).");
  reportApp->footer("Example:\n  edgec quant-report model.onnx --quantize int8 --calibration samples/");
  npuConfigApp->footer("Example:\n  edgec npu-config > npu.cfg; edit; edgec compile m.onnx --target npu --npu-config npu.cfg ...");
  targetsApp->footer("Example:\n  edgec targets --json");
  app.footer("Exit codes: 0 success, 1 the model could not be imported or compiled (the diagnostic names\n"
             "the file, and the ONNX node and op), 2 bad command line, 3 the output could not be written,\n"
             "4 `edgec run` found outputs that differ from --expected.\n"
             "Examples:\n  edgec inspect model.onnx\n  edgec compile model.onnx --target cortex-m4 -o out/\n"
             "  edgec run model.onnx --target cortex-m4 --input in0.pb --expected out0.pb\n"
             "Run 'edgec COMMAND --help' for a command's options; README.md and docs/ for the rest.");

  // A mistyped command is named, with the ones there are (CLI11 would say
  // only that a subcommand is required).
  std::string known;
  bool isCommand = false;
  for (const CLI::App *sub : app.get_subcommands({})) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
    isCommand = isCommand || (argc > 1 && sub->get_name() == argv[1]);
  }
  if (argc > 1 && argv[1][0] != '-' && !isCommand) {
    fmt::print(stderr, "edgec: error: unknown command '{}' (commands: {})\n", argv[1], known);
    return kUsageError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) // --help, --version
      return app.exit(e) == 0 ? kOk : kUsageError;
    std::string command;
    for (const CLI::App *sub : app.get_subcommands())
      command = " " + sub->get_name();
    fmt::print(stderr, "edgec: error: {}\nRun 'edgec{} --help' for the options.\n", e.what(), command);
    return kUsageError;
  }
  if (import->parsed())
    return runImport(imp);
  if (compile->parsed())
    return runCompile(comp);
  if (runApp->parsed())
    return runModel(runCmd);
  if (inspectApp->parsed())
    return inspectModel(inspectCmd);
  if (reportApp->parsed())
    return quantReport(reportCmd);
  if (opsApp->parsed())
    return edgec::cli::runOps(opsMarkdown);
  if (targetsApp->parsed())
    return listTargets(targetsJson);
  if (npuConfigApp->parsed()) {
    edgec::npu::NpuConfig config;
    std::string error;
    if (!npuConfigFile.empty() && !edgec::npu::loadNpuConfig(npuConfigFile, config, error)) {
      fmt::print(stderr, "edgec: error: {}\n", error);
      return kUsageError;
    }
    fmt::print("{}", edgec::npu::printNpuConfig(config));
    return kOk;
  }
  return kUsageError;
}
