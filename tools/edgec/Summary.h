//===- Summary.h - op and parameter summary of a graph module --*- C++ -*-===//
#ifndef EDGEC_TOOLS_EDGEC_SUMMARY_H
#define EDGEC_TOOLS_EDGEC_SUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include <map>
#include <string>

namespace edgec::cli {

struct GraphSummary {
  std::map<std::string, int64_t> opCounts; // op name -> count, constants excluded
  int64_t ops = 0;                         // compute ops
  int64_t constants = 0;                   // graph.constant ops
  int64_t parameters = 0;                  // elements held by constants
  int64_t parameterBytes = 0;
  std::vector<std::pair<std::string, std::string>> inputs, outputs; // name, type
};

GraphSummary summarize(mlir::ModuleOp module);
std::string summaryText(const GraphSummary &s, const std::string &title);
std::string summaryJson(const GraphSummary &s);

} // namespace edgec::cli

#endif
