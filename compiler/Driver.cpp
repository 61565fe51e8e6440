//===- Driver.cpp - one model from file to compiled targets ---------------===//
//
// See Driver.h. Every target is compiled before anything is written, so a
// model that fails for one target leaves no artifact for the others either.
//
//===----------------------------------------------------------------------===//
#include "compiler/Driver.h"

#include "compiler/Diagnostics.h"
#include "compiler/GraphFile.h"
#include "compiler/Progress.h"
#include "compiler/quantize/Calibration.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <unistd.h>

namespace edgec {

/// Splits "name=value" at the last '='; false when there is none.
static bool splitAssignment(const std::string &text, std::string &name, std::string &value) {
  auto eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return false;
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

bool importOptionsFor(const ModelSource &cmd, onnx_import::ImportOptions &opts) {
  std::string name, value;
  for (const auto &s : cmd.inputShapes) {
    std::vector<int64_t> dims;
    if (!splitAssignment(s, name, value) || !onnx_import::parseShape(value, dims)) {
      fmt::print(stderr, "edgec: error: --input-shape '{}' is not NAME=DIMxDIM... "
                         "(dims >= 0, or 'scalar')\n", s);
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
  opts.stringBytes = cmd.stringBytes;
  return true;
}

mlir::OwningOpRef<mlir::ModuleOp> loadModel(const ModelSource &cmd, const onnx_import::ImportOptions &opts,
                                            mlir::MLIRContext &context) {
  if (!isGraphFile(cmd.model))
    return onnx_import::importOnnxFile(cmd.model, opts, context);
  if (!cmd.inputShapes.empty() || !cmd.dims.empty() || !cmd.inputValues.empty()) {
    fmt::print(stderr, "edgec: error: {}: --input-shape, --dim and --input-value apply to ONNX models; a "
                       "graph-dialect model has static shapes (give the PyTorch importer other example inputs)\n",
               cmd.model);
    return nullptr;
  }
  mlir::OwningOpRef<mlir::ModuleOp> module = importGraphFile(cmd.model, context);
  // ONNX nodes the file leaves to the ONNX importer (edgec-torch's GRU, ...).
  if (module && failed(onnx_import::expandOnnxOps(*module)))
    return nullptr;
  return module;
}


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

bool parseSize(const std::string &text, uint64_t &bytes) {
  llvm::StringRef s(text);
  uint64_t scale = 1;
  if (s.consume_back("K") || s.consume_back("k"))
    scale = 1024;
  else if (s.consume_back("M") || s.consume_back("m"))
    scale = 1024 * 1024;
  return !s.getAsInteger(10, bytes) && bytes > 0 && (bytes *= scale, true);
}

bool partTarget(const CompileRequest &cmd, const TargetInfo &board, TargetInfo &part) {
  part = board;
  if ((!cmd.flashSize.empty() && !parseSize(cmd.flashSize, part.flashBytes)) ||
      (!cmd.sramSize.empty() && !parseSize(cmd.sramSize, part.sramBytes))) {
    fmt::print(stderr, "edgec: error: --flash-size/--sram-size take a byte count with an "
                       "optional K or M suffix, e.g. 1M or 192K\n");
    return false;
  }
  return true;
}

MemoryFit fitsPart(const TargetInfo &part, uint64_t flashNeed, uint64_t ramNeed) {
  return {!part.flashBytes || flashNeed <= part.flashBytes, !part.sramBytes || ramNeed <= part.sramBytes};
}

/// Refuses a model whose flash (code + weights + data) or RAM (arena +
/// data + bss + the stack of a run) exceeds the part's.
bool fitsBoard(const CompileRequest &cmd, const TargetInfo &board, const CompiledModel &compiled) {
  TargetInfo target;
  if (!partTarget(cmd, board, target))
    return false;
  uint64_t flash = target.flashBytes, sram = target.sramBytes;
  auto sizes = sectionSizes(compiled.objects);
  MemoryNeed need = memoryNeed(sizes, compiled);
  uint64_t needFlash = need.flash, needRam = need.ram;
  MemoryFit fit = fitsPart(target, needFlash, needRam);
  std::string where = target.board.empty() ? target.name : target.name + " (" + target.board + ")";
  if (!fit.flash) {
    fmt::print(stderr, "edgec: error: {}: the model needs {} B of flash (code {} B, weights {} B), "
               "{} has {} B; give the part's size with --flash-size if it has more\n",
               cmd.model, needFlash, sizes.text, sizes.rodata + sizes.data, where, flash);
  }
  if (!fit.ram) {
    fmt::print(stderr, "edgec: error: {}: the model needs {} B of RAM (arena {} B, {}), "
               "{} has {} B; give the part's size with --sram-size if it has more\n",
               cmd.model, needRam, compiled.arenaBytes,
               compiled.stack.bounded ? fmt::format("stack {} B", compiled.stack.bytes)
                                      : "and a stack that is not bounded",
               where, sram);
  }
  return fit.flash && fit.ram;
}

mlir::OwningOpRef<mlir::ModuleOp> importOptimized(const ModelSource &cmd, mlir::MLIRContext &context) {
  onnx_import::ImportOptions opts;
  if (!importOptionsFor(cmd, opts))
    return nullptr;
  auto module = loadModel(cmd, opts, context);
  if (!module)
    return nullptr;
  mlir::PassManager pm(&context);
  buildGraphOptimizationPipeline(pm);
  if (mlir::failed(pm.run(*module)))
    return nullptr;
  return module;
}

bool checkQuantizationOptions(const CompileRequest &cmd) {
  if (cmd.needsCalibration() == !cmd.calibration.empty())
    return true;
  fmt::print(stderr, "edgec: error: {}\n",
             cmd.needsCalibration() ? "--quantize " + cmd.quantize +
                                          " needs --calibration DIR (sample inputs: .npy or .pb files)"
             : cmd.quantize.empty() ? std::string("--calibration is only used with --quantize int8")
                                    : "--quantize " + cmd.quantize + " quantises weights only: it takes no --calibration");
  return false;
}

mlir::LogicalResult calibrateGraph(const CompileRequest &cmd, mlir::ModuleOp module) {
  CalibrationOptions calib;
  calib.dir = cmd.calibration;
  parseObserver(cmd.observer, calib.observer);
  calib.maxSamples = cmd.calibrationSamples;
  CalibrationReport report;
  return calibrate(module, calib, report);
}

mlir::LogicalResult quantizeGraph(const CompileRequest &cmd, mlir::ModuleOp module) {
  mlir::PassManager pm(module.getContext());
  if (cmd.quantize == "int4-weights")
    buildInt4WeightPipeline(pm, cmd.groupSize);
  else if (cmd.quantize == "int8-weights")
    buildInt8WeightPipeline(pm);
  else
    buildQuantizationPipeline(pm, cmd.quantize == "int8");
  return pm.run(module);
}

mlir::OwningOpRef<mlir::ModuleOp> calibratedGraph(const CompileRequest &req, mlir::MLIRContext &context) {
  auto module = importOptimized(req, context);
  if (!module || (req.needsCalibration() && mlir::failed(calibrateGraph(req, *module))))
    return nullptr;
  return module;
}

mlir::OwningOpRef<mlir::ModuleOp> preparedGraph(const CompileRequest &req, mlir::MLIRContext &context) {
  auto module = calibratedGraph(req, context);
  if (!module || (!req.quantize.empty() && mlir::failed(quantizeGraph(req, *module))))
    return nullptr;
  return module;
}

bool quantizedIO(mlir::ModuleOp module) {
  mlir::PassManager pm(module.getContext());
  pm.nest<mlir::func::FuncOp>().addPass(createQuantizedIOPass());
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

bool markStates(const std::vector<std::string> &states, mlir::ModuleOp module) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  auto names = [&](bool inputs) {
    std::vector<std::string> out;
    unsigned n = inputs ? main.getNumArguments() : main.getNumResults();
    for (unsigned i = 0; i < n; ++i) {
      auto a = inputs ? main.getArgAttrOfType<mlir::StringAttr>(i, "graph.name")
                      : main.getResultAttrOfType<mlir::StringAttr>(i, "graph.name");
      out.push_back(a ? a.str() : "");
    }
    return out;
  };
  auto fail = [](const std::string &why) {
    fmt::print(stderr, "edgec: error: --state {}\n", why);
    return false;
  };
  if (states.empty())
    return true;
  if (!main)
    return fail("needs a model with a main function");
  std::vector<std::string> ins = names(true), outs = names(false);
  auto join = [](const std::vector<std::string> &v) {
    std::string s;
    for (const std::string &n : v)
      s += (s.empty() ? "'" : ", '") + n + "'";
    return s;
  };
  std::set<size_t> usedIn, usedOut;
  for (const std::string &state : states) {
    size_t eq = state.find('=');
    if (eq == std::string::npos)
      return fail("'" + state + "' is not INPUT=OUTPUT");
    std::string in = state.substr(0, eq), out = state.substr(eq + 1);
    size_t i = std::find(ins.begin(), ins.end(), in) - ins.begin();
    size_t o = std::find(outs.begin(), outs.end(), out) - outs.begin();
    if (i == ins.size())
      return fail("'" + state + "': no input '" + in + "' (inputs: " + join(ins) + ")");
    if (o == outs.size())
      return fail("'" + state + "': no output '" + out + "' (outputs: " + join(outs) + ")");
    if (main.getArgument(i).getType() != main.getResultTypes()[o])
      return fail(fmt::format("'{}': the input and the output differ in shape or type", state));
    if (!usedIn.insert(i).second || !usedOut.insert(o).second)
      return fail("'" + state + "': an input or output is in two states");
    main.setArgAttr(i, "graph.state_output", mlir::IntegerAttr::get(mlir::IntegerType::get(module.getContext(), 64),
                                                                   static_cast<int64_t>(o)));
  }
  return true;
}

bool nameArtifact(CompileRequest &cmd) {
  if (cmd.name.empty())
    cmd.name = defaultName(cmd.model);
  if (isIdentifier(cmd.name))
    return true;
  fmt::print(stderr, "edgec: error: --name '{}' is not a C identifier\n", cmd.name);
  return false;
}

bool knownTargets(const std::vector<std::string> &targets) {
  for (const std::string &name : targets)
    if (!lookupTarget(name)) {
      std::string known;
      for (const auto *t : allTargets())
        known += (known.empty() ? "" : ", ") + t->name;
      fmt::print(stderr, "edgec: error: unknown target '{}' (known: {})\n", name, known);
      return false;
    }
  return true;
}

int compileForTargets(CompileRequest &cmd, const std::vector<std::string> &targets,
                      std::vector<TargetBuild> &builds) {
  onnx_import::ImportOptions opts;
  if (!importOptionsFor(cmd, opts))
    return kUsageError;
  if (!knownTargets(targets))
    return kUsageError;
  if (!nameArtifact(cmd))
    return kUsageError;
  if (!checkQuantizationOptions(cmd))
    return kUsageError;
  for (const std::string &name : targets)
    if (cmd.addressSanitizer && !lookupTarget(name)->hostNative) {
      fmt::print(stderr, "edgec: error: --sanitize-address is for host targets, not {}\n", name);
      return kUsageError;
    }

  // Import, calibration and quantisation are the same for every target:
  // done once, each target compiling its own copy of the graph.
  mlir::DialectRegistry registry;
  registerPipelineDialectsAndPasses(registry);
  mlir::MLIRContext context(registry);
  CliDiagnosticHandler diagnostics(&context);
  auto module = preparedGraph(cmd, context);
  if (!module)
    return kModelError;
  if (cmd.io == "int8" && !quantizedIO(*module))
    return kModelError;
  if (!markStates(cmd.states, *module))
    return kUsageError;
  ArtifactInfo graphInfo = describeGraph(*module);
  graphInfo.name = cmd.name;
  graphInfo.modelPath = cmd.model;
  graphInfo.modelSha256 = sha256OfFile(cmd.model);
  std::string flags;
  for (const std::string &f : artifactFlags(cmd, FlagStyle::Manifest))
    flags += (flags.empty() ? "" : " ") + f;

  CompileOptions copts;
  copts.name = cmd.name;
  copts.optLevel = cmd.optLevel;
  copts.jobs = cmd.jobs;
  copts.printIRAfterAll = cmd.printIRAfterAll;
  copts.timing = cmd.timing;
  copts.addressSanitizer = cmd.addressSanitizer;
  copts.npuConfig = cmd.npuConfig;
  copts.passPipeline = cmd.passPipeline;
  copts.stopAfterMlir = cmd.emit == "mlir";
  copts.emit = cmd.emit == "asm"    ? EmitKind::Assembly
               : cmd.emit == "llvm" ? EmitKind::LLVMIR
                                    : EmitKind::Object;
  Progress progress("compiling " + cmd.name + " for", targets.size() > 1 ? targets.size() : 0);
  for (const std::string &name : targets) {
    if (targets.size() > 1)
      progress.step(name);
    const TargetInfo *target = lookupTarget(name);
    TargetBuild build{name, graphInfo, {}};
    build.info.flags = "--target " + name + " " + flags;
    mlir::OwningOpRef<mlir::ModuleOp> copy;
    if (targets.size() == 1)
      copy = std::move(module);
    else
      copy = module->clone();
    auto result = compileToObject(*copy, *target, copts);
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

int writeBuild(const CompileRequest &cmd, const std::string &dir, const TargetBuild &build) {
  mlir::MLIRContext context;
  CliDiagnosticHandler diagnostics(&context);
  // The report measures the model against the part's memories as given.
  TargetInfo target;
  if (!partTarget(cmd, *lookupTarget(build.target), target))
    return kUsageError;
  if (mlir::failed(writeArtifact(dir, build.info, target, build.compiled,
                                        mlir::FileLineColLoc::get(&context, cmd.model, 0, 0))))
    return kOutputError;
  return kOk;
}

int compileArtifact(CompileRequest &cmd, const std::string &outDir, ArtifactInfo &info,
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


std::vector<std::string> artifactFlags(const CompileRequest &cmd, FlagStyle style) {
  bool manifest = style == FlagStyle::Manifest;
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
  // The manifest names the artifact and its -O; a command gets --name from
  // its caller, and the part's memories (which shape the fit check, not
  // the artifact's bytes).
  if (manifest) {
    add("--name", cmd.name);
    flags.push_back(fmt::format("-O{}", cmd.optLevel));
    if (cmd.addressSanitizer)
      flags.push_back("--sanitize-address");
  }
  for (const std::string &v : cmd.inputShapes)
    add("--input-shape", v);
  for (const std::string &v : cmd.dims)
    add("--dim", v);
  for (const std::string &v : cmd.inputValues)
    add("--input-value", v);
  if (cmd.stringBytes != ModelSource().stringBytes)
    add("--string-bytes", std::to_string(cmd.stringBytes));
  for (const std::string &v : cmd.states)
    add("--state", v);
  if (!manifest) {
    add("--flash-size", cmd.flashSize);
    add("--sram-size", cmd.sramSize);
    add("--opt-level", std::to_string(cmd.optLevel));
  }
  if (!cmd.quantize.empty()) {
    add("--quantize", cmd.quantize);
    add("--group-size", cmd.quantize == "int4-weights" ? std::to_string(cmd.groupSize) : "");
    add("--observer", cmd.needsCalibration() ? cmd.observer : "");
    // The manifest records the sample count even when it is all (0); the
    // calibration directory is a path of the build machine's, so only a
    // command has it.
    if (cmd.needsCalibration() && (manifest || cmd.calibrationSamples))
      add("--calibration-samples", std::to_string(cmd.calibrationSamples));
  }
  if (!manifest && !cmd.calibration.empty())
    add("--calibration", absolute(cmd.calibration));
  add("--io", cmd.io == "float" ? "" : cmd.io);
  if (!cmd.npuConfig.empty())
    add("--npu-config", manifest ? cmd.npuConfig : absolute(cmd.npuConfig));
  if (!cmd.passPipeline.empty())
    add("--pass-pipeline", manifest ? "'" + cmd.passPipeline + "'" : cmd.passPipeline);
  return flags;
}

} // namespace edgec
