//===- OnnxIsolationTest.cpp - ONNX's stages in a child process -----------===//
//
// runOnnxStages with stages that really die: a null store, an abort, an
// allocation past the limit, a loop past the time limit. Each must come back
// as one error naming the stage (and the node whose addition kills it), with
// the model untouched and this process alive. Stages that succeed must give
// the same model as in-process, weights taken back from the parent.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/NodeContext.h"
#include "compiler/onnx/OnnxIsolation.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

using namespace edgec::onnx_import;

namespace {

/// A model of `n` Relu nodes named n0, n1, ... and one 4 KiB initializer.
onnx::ModelProto chain(int n) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto &g = *model.mutable_graph();
  g.add_input()->set_name("v0");
  for (int i = 0; i < n; ++i) {
    onnx::NodeProto &node = *g.add_node();
    node.set_name("n" + std::to_string(i));
    node.set_op_type("Relu");
    node.add_input("v" + std::to_string(i));
    node.add_output("v" + std::to_string(i + 1));
  }
  g.add_output()->set_name("v" + std::to_string(n));
  onnx::TensorProto &w = *g.add_initializer();
  w.set_name("w");
  w.set_data_type(onnx::TensorProto::FLOAT);
  w.add_dims(1024);
  w.set_raw_data(std::string(4096, '\x42'));
  return model;
}

bool hasNode(const onnx::ModelProto &m, const std::string &name) {
  for (const auto &n : m.graph().node())
    if (n.name() == name)
      return true;
  return false;
}

struct Run {
  mlir::MLIRContext context;
  /// Each diagnostic as text, "node NAME: " before it when it is at a node.
  std::vector<std::string> errors;
  mlir::ScopedDiagnosticHandler handler{&context, [this](mlir::Diagnostic &d) {
                                          std::string at;
                                          if (auto node = llvm::dyn_cast<mlir::NameLoc>(d.getLocation()))
                                            at = "node " + node.getName().str() + ": ";
                                          errors.push_back(at + d.str());
                                          return mlir::success();
                                        }};
  mlir::Location file() { return mlir::FileLineColLoc::get(&context, "m.onnx", 0, 0); }
};

} // namespace

TEST_CASE("stages that succeed give the in-process result; weights come back from the parent", "[isolation]") {
  auto stages = [](onnx::ModelProto &m, OnnxStageLog &log) {
    log.enter("ONNX's shape inference");
    auto *vi = m.mutable_graph()->add_value_info();
    vi->set_name("v1");
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    // One new initializer, one changed, one left alone (w), one whose
    // typed data loses its doc string (ONNX's converter drops them).
    auto *t = m.mutable_graph()->add_initializer();
    t->set_name("added");
    t->set_raw_data("abcd");
    m.mutable_graph()->mutable_initializer(1)->mutable_raw_data()->back() = '\x07';
    m.mutable_graph()->mutable_initializer(2)->clear_doc_string();
    return mlir::success();
  };
  auto model = [] {
    onnx::ModelProto m = chain(3);
    onnx::TensorProto &changed = *m.mutable_graph()->add_initializer();
    changed.set_name("changed");
    changed.set_raw_data("wxyz");
    onnx::TensorProto &typed = *m.mutable_graph()->add_initializer();
    typed.set_name("typed");
    typed.set_data_type(onnx::TensorProto::FLOAT);
    typed.add_float_data(1.5f);
    typed.add_float_data(-2.0f);
    typed.set_doc_string("dropped");
    return m;
  };
  Run inProcess, isolated;
  onnx::ModelProto a = model(), b = model();
  REQUIRE(mlir::succeeded(runOnnxStages(a, inProcess.file(), /*isolate=*/false, stages)));
  REQUIRE(mlir::succeeded(runOnnxStages(b, isolated.file(), /*isolate=*/true, stages)));
  CHECK(a.SerializeAsString() == b.SerializeAsString());
  CHECK(b.graph().initializer(0).raw_data() == std::string(4096, '\x42'));
  CHECK(b.graph().initializer(1).raw_data() == "wxy\x07");
  CHECK(b.graph().initializer(2).float_data_size() == 2);
  CHECK(!b.graph().initializer(2).has_raw_data());
  CHECK(isolated.errors.empty());
}

TEST_CASE("the stages' own errors are given again in the parent", "[isolation]") {
  Run run;
  onnx::ModelProto m = chain(2);
  std::string before = m.SerializeAsString();
  auto stages = [&](onnx::ModelProto &model, OnnxStageLog &log) {
    log.enter("ONNX's checker");
    mlir::emitWarning(run.file()) << "a warning";
    mlir::emitError(onnxNodeLoc(run.file(), model.graph().node(1), 1)) << "at the second node";
    model.mutable_graph()->clear_node(); // not seen by the parent
    return mlir::LogicalResult(mlir::emitError(run.file()) << "ONNX checker rejected the model: bad");
  };
  CHECK(mlir::failed(runOnnxStages(m, run.file(), true, stages)));
  REQUIRE(run.errors.size() == 3);
  CHECK(run.errors[0] == "a warning");
  CHECK(run.errors[1] == "node n1: at the second node");
  CHECK(run.errors[2] == "ONNX checker rejected the model: bad");
  CHECK(m.SerializeAsString() == before);
}

TEST_CASE("a crash names the stage and the node whose addition causes it", "[isolation]") {
  Run run;
  onnx::ModelProto m = chain(40);
  std::string before = m.SerializeAsString();
  auto stages = [](onnx::ModelProto &model, OnnxStageLog &log) {
    log.enter("ONNX's checker");
    log.enter("ONNX's shape inference");
    if (hasNode(model, "n27"))
      *static_cast<volatile int *>(nullptr) = 1;
    return mlir::success();
  };
  CHECK(mlir::failed(runOnnxStages(m, run.file(), true, stages)));
  REQUIRE(run.errors.size() == 1);
  CHECK(run.errors[0] == "node n27: ONNX's shape inference crashed (SIGSEGV) on this node; edgec cannot read the model");
  CHECK(m.SerializeAsString() == before);
}

TEST_CASE("a crash no node causes names the stage only", "[isolation]") {
  Run run;
  onnx::ModelProto m = chain(5);
  auto stages = [](onnx::ModelProto &, OnnxStageLog &log) -> mlir::LogicalResult {
    log.enter("ONNX's version converter");
    std::abort();
  };
  CHECK(mlir::failed(runOnnxStages(m, run.file(), true, stages)));
  REQUIRE(run.errors.size() == 1);
  CHECK(run.errors[0] == "ONNX's version converter crashed (SIGABRT); edgec cannot read the model");
}

// Under ASan the child has no address-space limit (ASan's shadow memory).
#if !defined(__SANITIZE_ADDRESS__) && !(defined(__has_feature) && __has_feature(address_sanitizer))
TEST_CASE("an allocation past the memory limit is reported as such", "[isolation]") {
  Run run;
  onnx::ModelProto m = chain(3);
  auto stages = [](onnx::ModelProto &model, OnnxStageLog &log) {
    log.enter("ONNX's shape inference");
    if (hasNode(model, "n1")) {
      std::vector<char> huge(size_t(8) << 30); // past the 256 MiB below
      huge[12345] = 1;
      return mlir::LogicalResult::success(huge[12345] == 1);
    }
    return mlir::success();
  };
  OnnxIsolationLimits limits;
  limits.memoryBytes = 256ull << 20;
  CHECK(mlir::failed(runOnnxStages(m, run.file(), true, stages, limits)));
  REQUIRE(run.errors.size() == 1);
  CHECK(run.errors[0] == "node n1: ONNX's shape inference ran out of memory (more than 256 MiB; "
                         "EDGEC_ONNX_MEMORY_LIMIT sets the limit) on this node; edgec cannot read the model");
}
#endif

TEST_CASE("stages past the time limit are stopped", "[isolation]") {
  Run run;
  onnx::ModelProto m = chain(3);
  auto stages = [](onnx::ModelProto &, OnnxStageLog &log) {
    log.enter("ONNX's shape inference");
    std::this_thread::sleep_for(std::chrono::seconds(60));
    return mlir::success();
  };
  OnnxIsolationLimits limits;
  limits.seconds = 0.5;
  auto start = std::chrono::steady_clock::now();
  CHECK(mlir::failed(runOnnxStages(m, run.file(), true, stages, limits)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  REQUIRE(run.errors.size() == 1);
  CHECK(run.errors[0] == "ONNX's shape inference did not finish in 0.5 s (EDGEC_ONNX_TIME_LIMIT sets the limit)");
}
