//===- GraphOpRegistryTest.cpp - every graph op is complete -------------------===//
//
// Adding a graph op means: ODS (with shape inference and a cost), a
// lowering, a round-trip line (docs/guides/adding-an-op.md). This test
// walks every op the graph dialect registers and fails, naming the op, for
// one without a lowering in edgec-convert-graph-to-linalg, without a line
// in test/lit/dialect/ops.mlir or without a CostOpInterface.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphOps.h"
#include "passes/Passes.h"

#include "mlir/IR/MLIRContext.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

/// The graph dialect's ops, by full name ("graph.add").
std::vector<mlir::RegisteredOperationName> graphOps(mlir::MLIRContext &ctx) {
  ctx.getOrLoadDialect<edgec::graph::GraphDialect>();
  std::vector<mlir::RegisteredOperationName> ops;
  for (mlir::RegisteredOperationName name : ctx.getRegisteredOperations())
    if (name.getDialectNamespace() == "graph")
      ops.push_back(name);
  return ops;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("every graph op has a lowering to linalg", "[registry]") {
  mlir::MLIRContext ctx;
  std::vector<std::string> lowered = edgec::graphOpsLoweredToLinalg();
  std::set<std::string> have(lowered.begin(), lowered.end());
  // graph.yield is lowered by its graph.if; graph.onnx is expanded when a
  // file is read (compiler/onnx/ExpandOnnxOps.cpp).
  const std::set<std::string> notYet{"graph.yield", "graph.onnx"};
  auto ops = graphOps(ctx);
  REQUIRE(ops.size() > 50);
  for (auto name : ops) {
    std::string op = name.getStringRef().str();
    INFO(op);
    CHECK((have.count(op) == 1) != (notYet.count(op) == 1));
  }
}

TEST_CASE("every graph op has a round-trip line in ops.mlir", "[registry]") {
  mlir::MLIRContext ctx;
  std::string text = readFile(EDGEC_SOURCE_DIR "/test/lit/dialect/ops.mlir");
  REQUIRE(!text.empty());
  for (auto name : graphOps(ctx)) {
    std::string op = name.getStringRef().str();
    INFO(op);
    // An op line, "%r = graph.add %a, ...", not a CHECK comment; the
    // trailing space keeps graph.reduce_max from matching
    // graph.reduce_max_x.
    bool found = text.find("= " + op + " ") != std::string::npos;
    // graph.yield is printed implicitly inside graph.if.
    CHECK((found || op == "graph.yield"));
  }
}

TEST_CASE("every graph op states its cost", "[registry]") {
  mlir::MLIRContext ctx;
  for (auto name : graphOps(ctx)) {
    std::string op = name.getStringRef().str();
    INFO(op);
    CHECK((name.hasInterface<edgec::graph::CostOpInterface>() || op == "graph.yield"));
  }
}
