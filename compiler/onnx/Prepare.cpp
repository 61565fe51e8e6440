//===- Prepare.cpp - an ONNX model checked and made ready to import -------===//
//
// Before any of ONNX's code sees a model, edgec's own checks (op types and
// domains, the default opset, attributes ONNX's inference would crash on,
// opset-6 Gemm shapes); then, in a child process (OnnxIsolation.h), ONNX's
// checker, the version converter to kTargetOpset, shape binding and ONNX
// shape inference.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/GraphImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <functional>
#include <map>
#include <set>

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

using namespace mlir;

namespace edgec::onnx_import {

/// ONNX's exception texts span several lines; diagnostics are one line.
static std::string oneLine(const char *what) {
  std::string out;
  for (StringRef line : llvm::split(StringRef(what), '\n')) {
    line = line.trim();
    if (line.consume_front("==> Context:"))
      line = line.trim();
    if (!line.empty())
      out += (out.empty() ? "" : "; ") + line.str();
  }
  return out;
}

/// The rank `graph` declares for value `name` (its inputs, outputs,
/// value_info and initializers), -1 when none does, or -2 when they
/// disagree (ONNX's inference may then read it at either rank).
static int declaredRank(const onnx::GraphProto &graph, const std::string &name) {
  int rank = -1;
  auto see = [&](int r) {
    if (r >= 0)
      rank = rank == -1 || rank == r ? r : -2;
  };
  auto rankOf = [](const onnx::ValueInfoProto &v) {
    return v.type().has_tensor_type() && v.type().tensor_type().has_shape()
               ? v.type().tensor_type().shape().dim_size()
               : -1;
  };
  for (const auto *list : {&graph.input(), &graph.output(), &graph.value_info()})
    for (const auto &v : *list)
      if (v.name() == name && rank != -2)
        see(rankOf(v));
  for (const auto &t : graph.initializer())
    if (t.name() == name && rank != -2)
      see(t.dims_size());
  return rank;
}

/// ONNX 1.12's shape inference divides by strides without checking them
/// (SIGFPE on a stride of 0), sizes a vector by Scan's num_scan_inputs (an
/// out-of-memory on a huge one) and reads some operands at the rank
/// another says (SEGV; each found by fuzz_onnx_structured): refuse such
/// models before calling it.
static LogicalResult checkAttributesForInference(const onnx::GraphProto &graph, Location file) {
  static const std::set<std::string> readsRanks = {"Conv", "ConvTranspose", "MaxUnpool", "LSTM", "GRU", "RNN"};
  for (const auto &node : graph.node()) {
    // The ops below read their operands at the ranks declared: a value
    // declared twice with two ranks (an input that is also an output) is
    // refused before it can reach them (found by the structured fuzzer).
    if (readsRanks.count(node.op_type()))
      for (const auto &input : node.input())
        if (!input.empty() && declaredRank(graph, input) == -2)
          return emitError(file) << "node '" << node.name() << "' (" << node.op_type() << "): value '" << input
                                 << "' is declared with two different ranks";
    // ONNX 1.12's MaxUnpool inference reads the indices and the window as
    // X's rank says without checking (SEGV; found by the structured fuzzer).
    if (node.op_type() == "MaxUnpool" && node.input_size() >= 2) {
      int x = declaredRank(graph, node.input(0)), i = declaredRank(graph, node.input(1));
      int kernel = 0;
      for (const auto &a : node.attribute())
        if (a.name() == "kernel_shape")
          kernel = a.ints_size();
      if ((x >= 0 && i >= 0 && x != i) || (x >= 0 && kernel != x - 2))
        return emitError(file) << "node '" << node.name()
                               << "' (MaxUnpool): X, the indices and kernel_shape disagree on the rank";
    }
    // ONNX 1.12's ConvTranspose inference reads W's dims at X's rank
    // unchecked (SEGV on a scalar W; found by the structured fuzzer).
    if ((node.op_type() == "ConvTranspose" || node.op_type() == "Conv") && node.input_size() >= 2) {
      int x = declaredRank(graph, node.input(0)), w = declaredRank(graph, node.input(1));
      if ((x >= 0 && x < 3) || (x >= 0 && w >= 0 && x != w))
        return emitError(file) << "node '" << node.name() << "' (" << node.op_type()
                               << "): X and W must have one rank of 3 or more ([N, C, ...]), not " << x << " and "
                               << w;
    }
    // ONNX 1.12's RNN/GRU/LSTM inference reads X as rank 3 unchecked (SEGV
    // on a scalar X; found by the structured fuzzer).
    if ((node.op_type() == "LSTM" || node.op_type() == "GRU" || node.op_type() == "RNN") && node.input_size() >= 1) {
      int x = declaredRank(graph, node.input(0));
      if (x >= 0 && x != 3)
        return emitError(file) << "node '" << node.name() << "' (" << node.op_type()
                               << "): X must have rank 3 ([seq, batch, input] or [batch, seq, input]), not " << x;
    }
    for (const auto &a : node.attribute()) {
      if (a.has_g() && failed(checkAttributesForInference(a.g(), file)))
        return failure();
      if (node.op_type() == "Scan" && a.name() == "num_scan_inputs" && (a.i() < 1 || a.i() > node.input_size()))
        return emitError(file) << "node '" << node.name() << "' (Scan): num_scan_inputs " << a.i()
                               << " is not between 1 and its " << node.input_size() << " inputs";
      // ONNX 1.12's DepthToSpace inference divides C by blocksize^2, which
      // wraps to 0 for a blocksize of 2^32 or more (SIGFPE; found by the
      // structured fuzzer with a blocksize of 2^62).
      bool block = node.op_type() == "DepthToSpace" || node.op_type() == "SpaceToDepth";
      if (block && a.name() == "blocksize" && (a.i() < 1 || a.i() > (int64_t{1} << 30)))
        return emitError(file) << "node '" << node.name() << "' (" << node.op_type() << "): blocksize " << a.i()
                               << " is not between 1 and 2^30";
      bool window = a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape";
      if (window && llvm::any_of(a.ints(), [](int64_t v) { return v <= 0; }))
        return emitError(file) << "node '" << node.name() << "' (" << node.op_type()
                               << "): attribute '" << a.name() << "' must be positive";
    }
  }
  return success();
}

/// ONNX 1.12's version converter follows every graph output to its producer
/// without checking there is one (a null dereference; found by
/// fuzz_onnx_bytes): refuse outputs nothing produces before calling it,
/// in subgraphs too, which see the values of the graphs around them.
void addDefinedNames(const onnx::GraphProto &graph, std::set<std::string> &names) {
  for (const auto &input : graph.input())
    names.insert(input.name());
  for (const auto &init : graph.initializer())
    names.insert(init.name());
  for (const auto &node : graph.node())
    names.insert(node.output().begin(), node.output().end());
}

static LogicalResult checkOutputsProduced(const onnx::GraphProto &graph, std::set<std::string> visible,
                                          const std::string &where, Location file) {
  addDefinedNames(graph, visible);
  for (const auto &node : graph.node())
    for (const auto &a : node.attribute()) {
      std::string sub = "subgraph '" + a.name() + "' of node '" + node.name() + "' (" + node.op_type() + ")";
      if (a.has_g() && failed(checkOutputsProduced(a.g(), visible, sub, file)))
        return failure();
      for (const auto &g : a.graphs())
        if (failed(checkOutputsProduced(g, visible, sub, file)))
          return failure();
    }
  for (const auto &output : graph.output())
    if (!visible.count(output.name()))
      return emitError(file) << (where.empty() ? "graph" : where + ":") << " output '" << output.name()
                             << "' is not produced by any node";
  return success();
}

/// Calls one of ONNX's functions, which report problems by throwing: the
/// exception's text becomes an error after `what`. A failed allocation
/// passes on: the isolation reports it, with its limit.
template <typename Call>
static LogicalResult callOnnx(Location file, const std::string &what, Call &&call) {
  try {
    call();
    return success();
  } catch (const std::bad_alloc &) {
    throw;
  } catch (const std::exception &e) {
    return emitError(file) << what << oneLine(e.what());
  }
}

/// Calls `fn` on each subgraph a node's attributes hold (If's branches, a
/// Loop's body), up to the first failure.
static LogicalResult forEachSubgraph(const onnx::NodeProto &node,
                                     llvm::function_ref<LogicalResult(const onnx::GraphProto &)> fn) {
  for (const auto &a : node.attribute()) {
    if (a.has_g() && failed(fn(a.g())))
      return failure();
    for (const auto &g : a.graphs())
      if (failed(fn(g)))
        return failure();
  }
  return success();
}

/// Declared shapes as ONNX's converter reads them (it infers none): graph
/// inputs, outputs and value_info, and initializers that are not inputs.
static void declaredShapes(const onnx::GraphProto &graph, std::map<std::string, onnx::TensorShapeProto> &shapes) {
  std::set<std::string> inputs;
  for (const auto *values : {&graph.input(), &graph.output(), &graph.value_info()})
    for (const onnx::ValueInfoProto &v : *values)
      if (v.type().tensor_type().has_shape())
        shapes[v.name()] = v.type().tensor_type().shape();
  for (const auto &v : graph.input())
    inputs.insert(v.name());
  for (const auto &init : graph.initializer())
    if (!inputs.count(init.name())) {
      onnx::TensorShapeProto shape;
      for (int64_t d : init.dims())
        shape.add_dim()->set_dim_value(d);
      shapes[init.name()] = shape;
    }
}

/// Gemm's result by ops whose opset-6 inference is sound: MatMul of A and
/// B, each transposed as the attributes say.
static void replaceGemmsForInference(onnx::GraphProto &graph) {
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (node.op_type() != "Gemm" || node.input_size() < 2 || node.output_size() < 1) {
      *nodes.Add() = node;
      continue;
    }
    std::string operands[2];
    for (int k = 0; k < 2; ++k) {
      operands[k] = node.input(k);
      bool transposed = false;
      for (const auto &a : node.attribute())
        transposed |= a.name() == (k ? "transB" : "transA") && a.i() != 0;
      if (!transposed)
        continue;
      onnx::NodeProto &t = *nodes.Add();
      t.set_op_type("Transpose");
      t.add_input(operands[k]);
      operands[k] = "edgec.gemm" + std::to_string(index) + (k ? ".b" : ".a");
      t.add_output(operands[k]);
    }
    onnx::NodeProto &m = *nodes.Add();
    m.set_op_type("MatMul");
    m.add_input(operands[0]);
    m.add_input(operands[1]);
    m.add_output(node.output(0));
  }
  graph.mutable_node()->Swap(&nodes);
}

/// ONNX 1.12's Gemm adapter from opset 6 to 7 reads two dims of A and B from
/// their declared shapes without checking there are any (a SEGV; found by
/// fuzz_onnx_structured). So before converting such a model: a Gemm's A and
/// B must be matrices, as declared or as inferred on a copy of the model
/// (where Gemms are MatMuls: ONNX's opset-6 Gemm inference indexes the same
/// dims, the second model); an inferred shape is then declared in
/// value_info for the converter. A Gemm in a subgraph must have them
/// declared.
static LogicalResult checkGemmsBeforeConversion(onnx::ModelProto &model, int64_t opset, Location file) {
  if (opset >= 7)
    return success();
  std::map<std::string, onnx::TensorShapeProto> declared;
  declaredShapes(model.graph(), declared);
  auto isMatrix = [](const onnx::TensorShapeProto *shape) { return shape && shape->dim_size() == 2; };
  auto refuse = [&](const onnx::NodeProto &node, size_t index, const std::string &input) {
    return emitError(onnxNodeLoc(file, node, index))
           << "input '" << input << "' is not known to be a matrix, which converting the model from opset "
           << opset << " needs";
  };
  // Subgraphs: declared shapes only, their own over the enclosing graph's.
  std::function<LogicalResult(const onnx::GraphProto &, std::map<std::string, onnx::TensorShapeProto>)> subgraphs =
      [&](const onnx::GraphProto &graph, std::map<std::string, onnx::TensorShapeProto> scope) -> LogicalResult {
    declaredShapes(graph, scope);
    for (auto [index, node] : llvm::enumerate(graph.node())) {
      for (int k = 0; node.op_type() == "Gemm" && k < 2; ++k)
        if (k >= node.input_size() || !isMatrix(scope.count(node.input(k)) ? &scope[node.input(k)] : nullptr))
          return refuse(node, index, k < node.input_size() ? node.input(k) : std::string());
      if (failed(forEachSubgraph(node, [&](const onnx::GraphProto &g) { return subgraphs(g, scope); })))
        return failure();
    }
    return success();
  };
  for (const auto &node : model.graph().node())
    if (failed(forEachSubgraph(node, [&](const onnx::GraphProto &g) { return subgraphs(g, declared); })))
      return failure();

  // Declared operands first (a Gemm's declared result may not fit a
  // declared operand that is no matrix, and inference would say only that).
  std::vector<std::pair<size_t, int>> undeclared; // (node, operand)
  for (auto [index, node] : llvm::enumerate(model.graph().node()))
    for (int k = 0; node.op_type() == "Gemm" && k < 2; ++k) {
      if (k >= node.input_size())
        return refuse(node, index, "");
      if (auto it = declared.find(node.input(k)); it == declared.end())
        undeclared.push_back({index, k});
      else if (!isMatrix(&it->second))
        return refuse(node, index, node.input(k));
    }
  if (undeclared.empty())
    return success();
  onnx::ModelProto probe = model;
  replaceGemmsForInference(*probe.mutable_graph());
  // Not strict: what cannot be inferred stays unknown (and is refused).
  onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*strict_mode=*/0, /*data_prop=*/false);
  if (failed(callOnnx(file, "ONNX shape inference failed: ", [&] {
        onnx::shape_inference::InferShapes(probe, onnx::OpSchemaRegistry::Instance(), opts);
      })))
    return failure();
  std::map<std::string, const onnx::ValueInfoProto *> inferred;
  for (const auto &v : probe.graph().value_info())
    inferred[v.name()] = &v;
  std::map<std::string, onnx::ValueInfoProto> toDeclare;
  for (auto [index, k] : undeclared) {
    const onnx::NodeProto &node = model.graph().node(index);
    auto it = inferred.find(node.input(k));
    if (it == inferred.end() || !it->second->type().tensor_type().has_shape() ||
        !isMatrix(&it->second->type().tensor_type().shape()))
      return refuse(node, index, node.input(k));
    toDeclare.emplace(node.input(k), *it->second);
  }
  for (auto &[name, v] : toDeclare)
    *model.mutable_graph()->add_value_info() = std::move(v);
  return success();
}

/// onnx::version_conversion::ConvertVersion, with one converter for every
/// model: ConvertVersion builds its converter on each call, copying every op
/// schema ONNX has (most of what a fuzzer's input cost).
static const onnx::version_conversion::DefaultVersionConverter &versionConverter() {
  static const onnx::version_conversion::DefaultVersionConverter converter;
  return converter;
}

/// Resize before opset 11 (and the Upsample it replaced) sampled at
/// x_in = x_out / scale and took nearest pixels by floor (ceil when
/// shrinking), as ONNX Runtime still runs them; ONNX 1.12's converter
/// leaves the Resize-11 defaults (half_pixel, round_prefer_floor), which
/// move every linear sample. The outputs of those nodes, before conversion:
static std::set<std::string> preOpset11Resizes(const onnx::GraphProto &graph) {
  std::set<std::string> outputs;
  for (const auto &node : graph.node())
    if ((node.op_type() == "Resize" || node.op_type() == "Upsample") && node.output_size() > 0)
      outputs.insert(node.output(0));
  return outputs;
}

/// ... and their old sampling made explicit on the converted nodes.
static void keepPreOpset11Sampling(onnx::GraphProto &graph, const std::set<std::string> &outputs) {
  auto constantScales = [&](const std::string &name, std::vector<float> &scales) {
    for (const auto &init : graph.initializer())
      if (init.name() == name && init.data_type() == onnx::TensorProto::FLOAT) {
        scales = onnx::ParseData<float>(&init);
        return true;
      }
    for (const auto &node : graph.node())
      if (node.op_type() == "Constant" && node.output_size() == 1 && node.output(0) == name)
        for (const auto &a : node.attribute())
          if (a.name() == "value" && a.t().data_type() == onnx::TensorProto::FLOAT) {
            scales = onnx::ParseData<float>(&a.t());
            return true;
          }
    return false;
  };
  for (auto &node : *graph.mutable_node()) {
    if (node.op_type() != "Resize" || node.output_size() == 0 || !outputs.count(node.output(0)))
      continue;
    auto set = [&](const char *name, const std::string &value) {
      for (const auto &a : node.attribute())
        if (a.name() == name)
          return;
      auto *a = node.add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::STRING);
      a->set_s(value);
    };
    set("coordinate_transformation_mode", "asymmetric");
    // Nearest: floor on a growing axis, ceil on a shrinking one. They agree
    // where 1 / scale is an integer; one mode serves the node unless a
    // growing axis meets a shrinking one with a fractional step (then
    // floor).
    std::vector<float> scales;
    bool grows = false, shrinksFractionally = false;
    if (node.input_size() > 2 && constantScales(node.input(2), scales))
      for (float f : scales) {
        grows |= f > 1.0f;
        shrinksFractionally |= f > 0.0f && f < 1.0f && 1.0f / f != std::floor(1.0f / f);
      }
    set("nearest_mode", shrinksFractionally && !grows ? "ceil" : "floor");
  }
}

static onnx::ModelProto convertToTargetOpset(const onnx::ModelProto &model) {
  const auto &converter = versionConverter();
  onnx::OpSetID initial(0);
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      initial.setVersion(o.version());
      break; // as ConvertVersion reads it
    }
  return converter.convert_version(model, initial, onnx::OpSetID(kTargetOpset));
}

bool importsNode(const onnx::NodeProto &node, int64_t opset) {
  if (node.domain() == kTrainingDomain)
    return node.op_type() == "Gradient";
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return false;
  // If, Loop and Scan are built by the importer itself, with their graphs.
  for (const OpEntry &e : controlFlowOps())
    if (node.op_type() == e.opType)
      return true;
  // ONNX's converter replaces these when it lifts a model past their opset.
  llvm::StringRef type = node.op_type();
  if (type == "Upsample" && opset < 10)
    type = "Resize";
  else if (type == "Scatter" && opset < 11)
    type = "ScatterElements";
  return findOp(type, kTargetOpset) != nullptr;
}

/// Every op type edgec lacks, one error each at its first node (subgraphs
/// included), before any of ONNX's code sees the model: ONNX's inference
/// and conversion run only on ops the importer and its fuzzers cover.
LogicalResult GraphImporter::checkOpTypes(const onnx::GraphProto &graph, int64_t opset,
                                          std::set<std::string> &reported) {
  bool ok = true;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    (void)forEachSubgraph(node, [&](const onnx::GraphProto &g) { // every subgraph, reporting all
      ok &= succeeded(checkOpTypes(g, opset, reported));
      return success();
    });
    if (importsNode(node, opset) || !reported.insert(node.domain() + "::" + node.op_type()).second)
      continue;
    ok = false;
    InFlightDiagnostic error = emitError(nodeLoc(node, index));
    if (node.op_type().empty())
      error << "the node has no op type";
    else if (!node.domain().empty() && node.domain() != "ai.onnx")
      error << "unsupported op '" << node.op_type() << "' of domain '" << node.domain() << "'";
    else if (StringRef why = refusalReason(node.op_type()); !why.empty())
      error << "unsupported ONNX op '" << node.op_type() << "': " << why;
    else
      error << "unsupported ONNX op '" << node.op_type() << "' (opset " << kTargetOpset << ")";
  }
  return success(ok);
}

/// edgec's own checks of the model as parsed: they read the protobuf only.
LogicalResult GraphImporter::checkBeforeOnnx(const onnx::ModelProto &model, int64_t &opset) {
  opset = -1;
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      // ONNX's converter and inference would each take one of them.
      if (opset >= 0)
        return emitError(fileLoc()) << "model imports the default-domain opset twice (" << opset << " and "
                                    << o.version() << ")";
      opset = o.version();
    }
  if (opset < 0)
    return emitError(fileLoc()) << "model imports no default-domain opset";
  if (model.graph().output_size() == 0)
    return emitError(fileLoc()) << "the graph has no outputs: there is nothing to compute";
  if (opset > kTargetOpset)
    return emitError(fileLoc()) << "model uses opset " << opset
                                << "; edgec supports opsets up to " << kTargetOpset;
  std::set<std::string> reported;
  if (failed(checkOpTypes(model.graph(), opset, reported)))
    return failure();
  if (opset != kTargetOpset && failed(checkOutputsProduced(model.graph(), {}, "", fileLoc())))
    return failure();
  return checkAttributesForInference(model.graph(), fileLoc());
}

/// ONNX's checker, the input shapes bound, a best-effort shape inference
/// and the version converter (other opsets), then ONNX's shape inference.
/// The importer runs them in a child process (OnnxIsolation.h).
LogicalResult GraphImporter::onnxStages(onnx::ModelProto &model, int64_t opset, OnnxStageLog &log) {
  // ONNX reports problems by throwing; edgec turns them into diagnostics.
  log.enter("ONNX's checker");
  if (failed(callOnnx(fileLoc(), "ONNX checker rejected the model: ", [&] { onnx::checker::check_model(model); })))
    return failure();
  // The given shapes first: the converter needs some shapes (Softmax
  // 12->13 reads its input's rank), which inference then finds from them.
  if (failed(bindInputShapes(*model.mutable_graph())))
    return failure();
  if (opset != kTargetOpset) {
    log.enter("ONNX's shape inference (the opset-6 Gemm check)");
    if (failed(checkGemmsBeforeConversion(model, opset, fileLoc())))
      return failure();
    log.enter("ONNX's shape inference before the version converter");
    // Best effort: what it cannot infer, the converter may not need; the
    // strict inference after conversion reports what is wrong.
    try {
      onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*strict_mode=*/0, /*data_prop=*/false);
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
    } catch (const std::bad_alloc &) {
      throw; // reported as running out of memory
    } catch (...) {
    }
    log.enter("ONNX's version converter");
    std::string what = "cannot convert the model from opset " + std::to_string(opset) + " to " +
                       std::to_string(kTargetOpset) + ": ";
    std::set<std::string> oldResizes = opset < 11 ? preOpset11Resizes(model.graph()) : std::set<std::string>();
    if (failed(callOnnx(fileLoc(), what, [&] {
          model = convertToTargetOpset(model);
          keepPreOpset11Sampling(*model.mutable_graph(), oldResizes); // ParseData may throw too
        })))
      return failure();
  }
  if (failed(checkAttributesForInference(model.graph(), fileLoc())))
    return failure();
  // ONNX 1.12 infers STFT's frames and bins wrong (onesided read as 0 when
  // absent, one frame too many when given), and the wrong shape would
  // clash downstream. Its STFT nodes are moved to a domain of no schema
  // while inference runs, which leaves their outputs as declared (or
  // unknown); the importer does not check against ONNX's shapes from there
  // on (OnnxImporter.cpp).
  std::vector<onnx::NodeProto *> stfts;
  for (auto &node : *model.mutable_graph()->mutable_node())
    if (node.op_type() == "STFT" && (node.domain().empty() || node.domain() == "ai.onnx"))
      stfts.push_back(&node);
  constexpr const char *kNoInference = "edgec.no_inference";
  if (!stfts.empty()) {
    for (onnx::NodeProto *node : stfts)
      node->set_domain(kNoInference);
    auto *opset = model.add_opset_import();
    opset->set_domain(kNoInference);
    opset->set_version(1);
  }
  auto restoreStfts = [&] {
    if (stfts.empty())
      return;
    for (onnx::NodeProto *node : stfts)
      node->clear_domain();
    model.mutable_opset_import()->RemoveLast();
  };
  log.enter("ONNX's shape inference");
  // Twice: ONNX 1.12's data propagation dereferences the type of a Shape
  // node's input without checking there is one, and there is none after
  // an earlier node's inference failed (found by fuzz_onnx_structured).
  // The first pass, without it, fails cleanly or writes every value's
  // type into the graph's value_info, where the second one starts from.
  LogicalResult inferred = callOnnx(fileLoc(), "ONNX shape inference failed: ", [&] {
    for (bool dataPropagation : {false, true}) {
      onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*strict_mode=*/1, dataPropagation);
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
    }
  });
  restoreStfts();
  return inferred;
}

std::set<std::string> valuesComputedFrom(const onnx::GraphProto &graph, StringRef opType) {
  std::set<std::string> names;
  for (const auto &node : graph.node()) { // nodes are in topological order
    bool from = node.op_type() == opType;
    for (const auto &input : node.input())
      from |= names.count(input) != 0;
    if (from)
      names.insert(node.output().begin(), node.output().end());
  }
  return names;
}

LogicalResult GraphImporter::prepare(onnx::ModelProto &model) {
  int64_t opset;
  if (failed(checkBeforeOnnx(model, opset)))
    return failure();
  // Built here, before the child starts, they serve each child (the search
  // for a dying node runs several) instead of being built in each.
  (void)onnx::OpSchemaRegistry::Instance();
  if (opset != kTargetOpset)
    (void)versionConverter();
  return runOnnxStages(model, fileLoc(), options.isolateOnnx,
                       [&](onnx::ModelProto &m, OnnxStageLog &log) { return onnxStages(m, opset, log); });
}

} // namespace edgec::onnx_import
