//===- Summary.cpp - op and parameter summary of a graph module -----------===//
#include "tools/edgec/Summary.h"

#include "compiler/Artifact.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <fmt/format.h>

using namespace mlir;

namespace edgec::cli {

static std::string typeText(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

GraphSummary summarize(ModuleOp module) {
  GraphSummary s;
  module.walk([&](Operation *op) {
    if (auto c = llvm::dyn_cast<graph::ConstantOp>(op)) {
      auto type = llvm::cast<RankedTensorType>(c.getType());
      ++s.constants;
      s.parameters += type.getNumElements();
      Type e = type.getElementType();
      s.parameterBytes += type.getNumElements() * (e.isInteger(1) ? 1 : (e.getIntOrFloatBitWidth() + 7) / 8);
      return;
    }
    if (llvm::isa<ModuleOp, func::FuncOp, func::ReturnOp, graph::YieldOp>(op))
      return;
    ++s.ops;
    ++s.opCounts[op->getName().getStringRef().str()];
  });
  module.walk([&](func::FuncOp fn) {
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      auto name = fn.getArgAttrOfType<StringAttr>(i, "graph.name");
      s.inputs.emplace_back(name ? name.str() : fmt::format("arg{}", i),
                            typeText(fn.getArgument(i).getType()));
    }
    for (unsigned i = 0; i < fn.getNumResults(); ++i) {
      auto name = fn.getResultAttrOfType<StringAttr>(i, "graph.name");
      s.outputs.emplace_back(name ? name.str() : fmt::format("result{}", i),
                             typeText(fn.getResultTypes()[i]));
    }
  });
  return s;
}

std::string summaryText(const GraphSummary &s, const std::string &title) {
  std::string out = fmt::format("== {}\n", title);
  for (const auto &[name, type] : s.inputs)
    out += fmt::format("  input   {:<24} {}\n", name, type);
  for (const auto &[name, type] : s.outputs)
    out += fmt::format("  output  {:<24} {}\n", name, type);
  out += fmt::format("  ops: {}\n", s.ops);
  for (const auto &[name, count] : s.opCounts)
    out += fmt::format("    {:<28} {:>6}\n", name, count);
  out += fmt::format("  parameters: {} ({} bytes) in {} constants\n", s.parameters,
                     s.parameterBytes, s.constants);
  return out;
}

std::string summaryJson(const GraphSummary &s) {
  std::string ops;
  for (const auto &[name, count] : s.opCounts)
    ops += fmt::format("{}{}: {}", ops.empty() ? "" : ", ", jsonQuote(name), count);
  auto values = [](const auto &list) {
    std::string out;
    for (const auto &[name, type] : list)
      out += fmt::format("{}{{\"name\": {}, \"type\": {}}}", out.empty() ? "" : ", ",
                         jsonQuote(name), jsonQuote(type));
    return out;
  };
  return fmt::format("{{\"ops\": {}, \"op_counts\": {{{}}}, \"constants\": {}, "
                     "\"parameters\": {}, \"parameter_bytes\": {}, \"inputs\": [{}], "
                     "\"outputs\": [{}]}}\n",
                     s.ops, ops, s.constants, s.parameters, s.parameterBytes,
                     values(s.inputs), values(s.outputs));
}

} // namespace edgec::cli
