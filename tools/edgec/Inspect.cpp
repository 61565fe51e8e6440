//===- Inspect.cpp - `edgec inspect`: what a model holds and where it runs ===//
//
// Reads a model without writing anything: its ONNX op types (every one edgec
// lacks, at once), inputs, outputs, parameters, MACs and FLOPs per op kind
// (or per op), and for each target whether the lowering takes it, the
// arena it plans, whether weights and arena fit the board, and which ops the
// NPU takes. The targets are lowered to the LLVM dialect only (no LLVM code
// generation), so it is quick; `edgec compile` gives the exact code size.
//
//===----------------------------------------------------------------------===//
#include "compiler/Artifact.h"
#include "compiler/GraphFile.h"
#include "compiler/Pipeline.h"
#include "compiler/Progress.h"
#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/OnnxInfo.h"
#include "tools/edgec/Commands.h"
#include "compiler/Diagnostics.h"
#include "tools/edgec/Summary.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"

#include <fmt/format.h>

#include <map>

using namespace mlir;

namespace edgec::cli {
namespace {

/// 1234567 -> "1,234,567".
std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

/// What one target makes of the model.
struct TargetResult {
  const TargetInfo *target = nullptr;
  bool lowers = false;
  std::string error; // the first diagnostic when it does not lower
  int64_t arenaBytes = 0;
  int64_t npuLayers = 0, npuSubmissions = 0, npuMacs = 0, cpuOps = 0;
  uint64_t flashBytes = 0, sramBytes = 0; // the board's, or --flash-size/--sram-size
  bool fitsFlash = true, fitsRam = true;
};

/// Lowers a copy of `module` for `target` to the LLVM dialect, keeping the
/// first error as text instead of printing it.
TargetResult tryTarget(ModuleOp module, const TargetInfo &target, const InspectCommand &cmd,
                       int64_t weightBytes) {
  TargetResult r;
  r.target = &target;
  OwningOpRef<ModuleOp> copy = module.clone();
  ScopedDiagnosticHandler capture(module.getContext(), [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error && r.error.empty()) {
      std::string where = describeLocation(d.getLocation());
      r.error = (where.empty() ? "" : where + ": ") + d.str();
    }
    return success();
  });
  CompileOptions options;
  options.name = defaultName(cmd.model);
  options.npuConfig = cmd.npuConfig;
  options.stopAfterMlir = true;
  FailureOr<CompiledModel> compiled = compileToObject(*copy, target, options);
  if (failed(compiled))
    return r;
  r.lowers = true;
  r.arenaBytes = compiled->arenaBytes;
  for (const NpuSubmission &s : compiled->npu) {
    ++r.npuSubmissions;
    r.npuLayers += static_cast<int64_t>(s.layers.size());
    r.npuMacs += s.macs;
  }
  for (const auto &[op, count] : compiled->cpuOps)
    r.cpuOps += count;
  TargetInfo part;
  partTarget(cmd, target, part); // checked in inspectModel
  r.flashBytes = part.flashBytes;
  r.sramBytes = part.sramBytes;
  // Before code exists: the weights against flash, the arena against RAM.
  MemoryFit fit = fitsPart(part, static_cast<uint64_t>(weightBytes), static_cast<uint64_t>(r.arenaBytes));
  r.fitsFlash = fit.flash;
  r.fitsRam = fit.ram;
  return r;
}

/// Per op kind: count and sums, in the order of first appearance.
struct KindTotals {
  std::string op;
  int64_t count = 0, macs = 0, flops = 0, weightBytes = 0;
};

std::vector<KindTotals> byKind(const ArtifactInfo &info) {
  std::vector<KindTotals> kinds;
  std::map<std::string, size_t> index;
  for (const OpReport &o : info.ops) {
    auto [it, added] = index.try_emplace(o.op, kinds.size());
    if (added)
      kinds.push_back({o.op});
    KindTotals &k = kinds[it->second];
    ++k.count;
    k.macs += o.macs;
    k.flops += o.flops;
    k.weightBytes += o.weightBytes;
  }
  return kinds;
}

std::string targetSummary(const TargetResult &r, int64_t graphOps) {
  if (!r.lowers)
    return "not supported: " + r.error;
  std::string where = r.target->npu
                          ? fmt::format("{} op(s) on the NPU in {} submission(s), {} on the CPU{}", r.npuLayers,
                                        r.npuSubmissions, r.cpuOps,
                                        r.npuLayers ? "" : " (the NPU runs int8 layers: --quantize int8)")
                          : fmt::format("all {} op(s) on the CPU", graphOps);
  std::string fit;
  if (!r.fitsFlash)
    fit += fmt::format("; weights exceed the {} KiB of flash", r.flashBytes >> 10);
  if (!r.fitsRam)
    fit += fmt::format("; arena exceeds the {} KiB of RAM", r.sramBytes >> 10);
  return where + fit;
}

/// The JSON form; `summary`/`info` are null when the model could not be
/// imported (then only the ONNX part is known).
std::string jsonText(const std::string &model, const onnx_import::OnnxModelInfo *onnx, const GraphSummary *summary,
                     const ArtifactInfo *graph, const std::vector<TargetResult> &targets, bool perOp) {
  std::string out = "{\n  \"model\": " + jsonQuote(model) + ",\n";
  if (onnx) {
    std::string ops;
    for (const auto &o : onnx->ops)
      ops += fmt::format("{}\n      {{\"op_type\": {}, \"domain\": {}, \"count\": {}, \"first_node\": {}, "
                         "\"supported\": {}}}",
                         ops.empty() ? "" : ",", jsonQuote(o.opType), jsonQuote(o.domain), o.count,
                         jsonQuote(o.firstNode), o.supported ? "true" : "false");
    out += fmt::format("  \"onnx\": {{\"ir_version\": {}, \"opset\": {}, \"producer\": {}, \"nodes\": {}, "
                       "\"ops\": [{}\n  ]}},\n",
                       onnx->irVersion, onnx->opset, jsonQuote(onnx->producer), onnx->nodes, ops);
  }
  out += fmt::format("  \"importable\": {}", graph ? "true" : "false");
  if (!graph)
    return out + "\n}\n";
  out += ",\n";
  const ArtifactInfo &info = *graph;
  auto tensors = [](const std::vector<TensorInfo> &list) {
    std::string s;
    for (const TensorInfo &t : list)
      s += fmt::format("{}{{\"name\": {}, \"dtype\": {}, \"shape\": [{}]}}", s.empty() ? "" : ", ",
                       jsonQuote(t.name), jsonQuote(t.dtype), fmt::join(t.shape, ", "));
    return "[" + s + "]";
  };
  int64_t macs = 0, flops = 0;
  for (const OpReport &o : info.ops) {
    macs += o.macs;
    flops += o.flops;
  }
  out += fmt::format("  \"inputs\": {},\n  \"outputs\": {},\n  \"parameters\": {}, \"parameter_bytes\": {},\n"
                     "  \"ops\": {}, \"macs\": {}, \"flops\": {},\n",
                     tensors(info.inputs), tensors(info.outputs), summary->parameters, summary->parameterBytes,
                     info.ops.size(), macs, flops);
  std::string kinds;
  for (const KindTotals &k : byKind(info))
    kinds += fmt::format("{}\n    {{\"op\": {}, \"count\": {}, \"macs\": {}, \"flops\": {}, \"weight_bytes\": {}}}",
                         kinds.empty() ? "" : ",", jsonQuote(k.op), k.count, k.macs, k.flops, k.weightBytes);
  out += "  \"op_kinds\": [" + kinds + "\n  ],\n";
  if (perOp) {
    std::string ops;
    for (const OpReport &o : info.ops)
      ops += fmt::format("{}\n    {{\"op\": {}, \"node\": {}, \"type\": {}, \"macs\": {}, \"flops\": {}, "
                         "\"weight_bytes\": {}, \"activation_bytes\": {}}}",
                         ops.empty() ? "" : ",", jsonQuote(o.op), jsonQuote(o.node), jsonQuote(o.type),
                         o.macs, o.flops, o.weightBytes, o.activationBytes);
    out += "  \"per_op\": [" + ops + "\n  ],\n";
  }
  std::string ts;
  for (const TargetResult &r : targets)
    ts += fmt::format("{}\n    {}: {{\"lowers\": {}, \"error\": {}, \"arena_bytes\": {}, \"fits_flash\": {}, "
                      "\"fits_ram\": {}, \"npu_layers\": {}, \"npu_submissions\": {}, \"cpu_ops\": {}}}",
                      ts.empty() ? "" : ",", jsonQuote(r.target->name), r.lowers ? "true" : "false",
                      jsonQuote(r.error), r.arenaBytes, r.fitsFlash ? "true" : "false",
                      r.fitsRam ? "true" : "false", r.npuLayers, r.npuSubmissions,
                      r.target->npu ? r.cpuOps : static_cast<int64_t>(info.ops.size()));
  out += "  \"targets\": {" + ts + "\n  }\n}\n";
  return out;
}

} // namespace

int inspectModel(InspectCommand cmd) {
  std::vector<std::string> names;
  if (cmd.targets == "all") {
    for (const TargetInfo *t : allTargets())
      names.push_back(t->name);
  } else {
    llvm::SmallVector<llvm::StringRef> list;
    llvm::StringRef(cmd.targets).split(list, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef t : list)
      if (!llvm::is_contained(names, t.str())) // each once, in the order given
        names.push_back(t.str());
    if (!knownTargets(names))
      return kUsageError;
  }
  // Every usage error before any output.
  if (names.empty()) {
    fmt::print(stderr, "edgec: error: --target names no target\n");
    return kUsageError;
  }
  TargetInfo part;
  if (!partTarget(cmd, *lookupTarget(names.front()), part) || !checkQuantizationOptions(cmd))
    return kUsageError;

  DialectRegistry registry;
  registerPipelineDialectsAndPasses(registry);
  MLIRContext context(registry);
  CliDiagnosticHandler diagnostics(&context);

  // ONNX level: every op type, and which edgec lacks.
  onnx_import::OnnxModelInfo onnx;
  bool isOnnx = !isGraphFile(cmd.model);
  if (isOnnx && failed(onnx_import::readOnnxInfo(cmd.model, context, onnx)))
    return kModelError;
  std::vector<const onnx_import::OnnxOpUse *> missing;
  for (const auto &o : onnx.ops)
    if (!o.supported)
      missing.push_back(&o);
  if (isOnnx && !cmd.json) {
    fmt::print("model       {} (ONNX IR {}, opset {}{}{})\n", cmd.model, onnx.irVersion, onnx.opset,
               onnx.converted ? fmt::format(", read as opset {}", onnx_import::kTargetOpset) : "",
               onnx.producer.empty() ? "" : ", from " + onnx.producer);
    fmt::print("ONNX nodes  {} of {} op type(s){}\n", grouped(onnx.nodes), onnx.ops.size(),
               missing.empty() ? ", all imported by edgec" : fmt::format(", {} not imported by edgec", missing.size()));
    for (const auto &o : onnx.ops)
      fmt::print("  {:<24} {:>6}{}\n", (o.domain.empty() ? "" : o.domain + ".") + o.opType, o.count,
                 o.supported ? "" : fmt::format("   not supported (first: node '{}')", o.firstNode));
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto *o : missing)
      list += fmt::format("{}{}{}", list.empty() ? "" : ", ", o->domain.empty() ? "" : o->domain + ".", o->opType);
    if (cmd.json)
      fmt::print("{}", jsonText(cmd.model, &onnx, nullptr, nullptr, {}, false));
    fmt::print(stderr, "edgec: error: {}: edgec does not import {} op type(s) of this model: {} "
                       "(docs/guides/onnx-import.md lists the ops it does)\n", cmd.model, missing.size(), list);
    return kModelError;
  }

  // Graph level, after the optimisations every compile runs.
  OwningOpRef<ModuleOp> module = preparedGraph(cmd, context);
  if (!module)
    return kModelError;
  ArtifactInfo info = describeGraph(*module);
  GraphSummary summary = summarize(*module);
  int64_t macs = 0, flops = 0;
  for (const OpReport &o : info.ops) {
    macs += o.macs;
    flops += o.flops;
  }

  std::vector<TargetResult> results;
  {
    Progress progress("lowering for", names.size()); // gone before the results print
    for (const std::string &name : names) {
      progress.step(name);
      results.push_back(tryTarget(*module, *lookupTarget(name), cmd, info.weightBytes));
    }
  }

  if (cmd.json) {
    fmt::print("{}", jsonText(cmd.model, isOnnx ? &onnx : nullptr, &summary, &info, results, cmd.perOp));
    return kOk;
  }
  if (!isOnnx)
    fmt::print("model       {} (graph dialect)\n", cmd.model);
  for (const TensorInfo &t : info.inputs)
    fmt::print("input       {:<20} {:<8} {}\n", t.name, t.dtype, onnx_import::shapeText(t.shape));
  for (const TensorInfo &t : info.outputs)
    fmt::print("output      {:<20} {:<8} {}\n", t.name, t.dtype, onnx_import::shapeText(t.shape));
  fmt::print("parameters  {} ({} bytes) in {} constants\n", grouped(summary.parameters),
             grouped(summary.parameterBytes), summary.constants);
  fmt::print("compute     {} graph ops after optimisation: {} MACs, {} FLOPs\n\n", info.ops.size(),
             grouped(macs), grouped(flops));
  if (cmd.perOp) {
    fmt::print("{:>4}  {:<22} {:<28} {:>13} {:>13} {:>11}  {}\n", "#", "op", "ONNX node", "MACs", "FLOPs",
               "weights B", "result");
    for (size_t i = 0; i < info.ops.size(); ++i) {
      const OpReport &o = info.ops[i];
      fmt::print("{:>4}  {:<22} {:<28} {:>13} {:>13} {:>11}  {}\n", i, o.op, o.node.substr(0, 28),
                 grouped(o.macs), grouped(o.flops), grouped(o.weightBytes), o.type);
    }
  } else {
    fmt::print("{:<24} {:>6} {:>15} {:>15} {:>13}\n", "op", "count", "MACs", "FLOPs", "weights B");
    for (const KindTotals &k : byKind(info))
      fmt::print("{:<24} {:>6} {:>15} {:>15} {:>13}\n", k.op, k.count, grouped(k.macs), grouped(k.flops),
                 grouped(k.weightBytes));
  }
  fmt::print("\n{:<16} {:>12}  {}\n", "target", "arena B", "lowering to the LLVM dialect");
  for (const TargetResult &r : results)
    fmt::print("{:<16} {:>12}  {}\n", r.target->name, r.lowers ? grouped(r.arenaBytes) : "-",
               targetSummary(r, static_cast<int64_t>(info.ops.size())));
  return kOk;
}

} // namespace edgec::cli
