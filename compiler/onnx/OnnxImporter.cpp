//===- OnnxImporter.cpp - ONNX model -> graph dialect ---------------------===//
//
// The pipeline: parse the protobuf, check op types and attributes (edgec's
// own code), then in a child process (OnnxIsolation.h) run ONNX's checker,
// convert to kTargetOpset, bind symbolic input dims and run ONNX shape
// inference (strict); then walk the graph in order and build graph ops
// through the op table.
//
// Initializers become `graph.constant` at the top of the function on first
// use. Ops are folded as they are built, so shape arithmetic on static shapes
// (Shape -> Gather -> Concat -> Reshape) and `If` on a constant condition
// disappear during import. ONNX's own inferred shapes are kept as a cross
// check of edgec's shape inference.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/NodeContext.h"
#include "compiler/onnx/OnnxIsolation.h"
#include "compiler/onnx/TensorProto.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"

#include <functional>
#include <map>

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

using namespace mlir;

namespace edgec::onnx_import {

void registerImportDialects(DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, func::FuncDialect, quant::QuantDialect,
                  tensor::TensorDialect>();
}

bool parseShape(const std::string &text, std::vector<int64_t> &dims) {
  dims.clear();
  if (text.empty() || text == "scalar")
    return !text.empty();
  StringRef rest(text);
  while (!rest.empty()) {
    auto [head, tail] = rest.split('x');
    int64_t d;
    if (head.getAsInteger(10, d) || d <= 0)
      return false;
    dims.push_back(d);
    rest = tail;
  }
  return true;
}

/// Keeps resource keys printable and parseable as bare identifiers.
static std::string resourceKey(StringRef name) {
  std::string key;
  for (char c : name)
    key += (llvm::isAlnum(c) || c == '_' || c == '.') ? c : '_';
  if (key.empty() || llvm::isDigit(key[0]))
    key = "w_" + key;
  return key;
}

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

std::string shapeText(ArrayRef<int64_t> dims) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(dims))
    s += (i ? "x" : "") + (d < 0 ? std::string("?") : std::to_string(d));
  return s.empty() ? "scalar" : s;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, std::string file, const ImportOptions &options)
      : ctx(ctx), builder(&ctx), file(std::move(file)), options(options) {}

  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

  Value lookup(StringRef name);
  /// True when `name` is known but could not be made (an error was given).
  bool failedToDefine(StringRef name) const {
    for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope)
      if (auto it = scope->find(name); it != scope->end())
        return it->second.failed;
    return false;
  }
  void define(StringRef name, Value value) { scopes.back()[name].value = value; }
  Location fileLoc() { return FileLineColLoc::get(&ctx, file, 0, 0); }
  MLIRContext &context() { return ctx; }
  /// ONNX's inferred static shape of a value, if it has one.
  const onnx::TypeProto *onnxType(StringRef name) const {
    auto it = onnxTypes.find(name);
    return it == onnxTypes.end() ? nullptr : it->second;
  }

  LogicalResult importGraph(const onnx::GraphProto &graph);

  OpBuilder &opBuilder() { return builder; }

private:
  struct Entry {
    Value value;
    const onnx::TensorProto *initializer = nullptr;
    bool failed = false; // decoding the initializer failed (already reported)
  };

  LogicalResult prepare(onnx::ModelProto &model);
  LogicalResult checkOpTypes(const onnx::GraphProto &graph, int64_t opset, std::set<std::string> &reported);
  LogicalResult checkBeforeOnnx(const onnx::ModelProto &model, int64_t &opset);
  LogicalResult onnxStages(onnx::ModelProto &model, int64_t opset, OnnxStageLog &log);
  OpBuilder constantBuilder();
  LogicalResult bindInputShapes(onnx::GraphProto &graph);
  LogicalResult importNode(const onnx::NodeProto &node, size_t index);
  LogicalResult importIf(NodeContext &ctx);
  LogicalResult importBranch(NodeContext &ctx, const onnx::GraphProto &branch,
                             SmallVectorImpl<Value> &outputs);
  Location nodeLoc(const onnx::NodeProto &node, size_t index);
  void collectOnnxTypes(const onnx::GraphProto &graph);
  FailureOr<Type> inputType(const onnx::ValueInfoProto &input);

  MLIRContext &ctx;
  OpBuilder builder;
  Block *entryBlock = nullptr;
  std::string file;
  const ImportOptions &options;
  std::vector<llvm::StringMap<Entry>> scopes;
  llvm::StringMap<const onnx::TypeProto *> onnxTypes;
};

Value GraphImporter::lookup(StringRef name) {
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    auto it = scope->find(name);
    if (it == scope->end())
      continue;
    Entry &entry = it->second;
    if (!entry.value && entry.initializer) {
      if (entry.failed)
        return {};
      auto attr = tensorToAttr(*entry.initializer, &ctx, fileLoc(), resourceKey(name));
      if (failed(attr)) {
        entry.failed = true;
        return {};
      }
      OpBuilder b = constantBuilder();
      entry.value = graph::ConstantOp::create(b, fileLoc(), *attr);
    }
    return entry.value;
  }
  return {};
}

/// Weights are placed in the function's entry block just before their first
/// use, so they stay next to it in printed IR and dominate uses inside
/// graph.if regions.
OpBuilder GraphImporter::constantBuilder() {
  OpBuilder b(&ctx);
  Block *block = builder.getInsertionBlock();
  if (block == entryBlock) {
    b.setInsertionPoint(block, builder.getInsertionPoint());
    return b;
  }
  Operation *anchor = block->getParentOp();
  while (anchor->getBlock() != entryBlock)
    anchor = anchor->getParentOp();
  b.setInsertionPoint(anchor);
  return b;
}

Location onnxNodeLoc(Location file, const onnx::NodeProto &node, size_t index) {
  MLIRContext *ctx = file->getContext();
  std::string name = node.name().empty() ? "#" + std::to_string(index) : node.name();
  return NameLoc::get(StringAttr::get(ctx, name), NameLoc::get(StringAttr::get(ctx, node.op_type()), file));
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, size_t index) {
  return onnxNodeLoc(fileLoc(), node, index);
}

void GraphImporter::collectOnnxTypes(const onnx::GraphProto &graph) {
  for (const auto &vi : graph.value_info())
    onnxTypes[vi.name()] = &vi.type();
  for (const auto &vi : graph.output())
    onnxTypes[vi.name()] = &vi.type();
  for (const auto &node : graph.node())
    for (const auto &a : node.attribute())
      if (a.has_g())
        collectOnnxTypes(a.g());
}

LogicalResult GraphImporter::bindInputShapes(onnx::GraphProto &graph) {
  std::set<std::string> inits;
  for (const auto &t : graph.initializer())
    inits.insert(t.name());
  std::set<std::string> known;
  for (const auto &input : graph.input())
    if (!inits.count(input.name()))
      known.insert(input.name());
  // Bindings must name real inputs (a typo would otherwise be ignored).
  auto checkNames = [&](const auto &map, StringRef flag) -> LogicalResult {
    for (const auto &kv : map) {
      if (known.count(kv.first))
        continue;
      std::string list;
      for (const auto &k : known)
        list += (list.empty() ? "" : ", ") + k;
      return emitError(fileLoc()) << flag << " names '" << kv.first
                                  << "', which is not a model input (inputs: " << list << ")";
    }
    return success();
  };
  if (failed(checkNames(options.inputShapes, "--input-shape")) ||
      failed(checkNames(options.inputValues, "--input-value")))
    return failure();
  for (auto &input : *graph.mutable_input()) {
    if (inits.count(input.name()))
      continue;
    if (!input.type().has_tensor_type())
      return emitError(fileLoc()) << "input '" << input.name() << "' is not a tensor";
    auto *tensor = input.mutable_type()->mutable_tensor_type();
    auto given = options.inputShapes.find(input.name());
    if (!tensor->has_shape() && given == options.inputShapes.end())
      return emitError(fileLoc()) << "input '" << input.name()
                                  << "' has unknown rank; give --input-shape "
                                  << input.name() << "=AxBx...";
    auto *shape = tensor->mutable_shape();
    if (given != options.inputShapes.end()) {
      const auto &dims = given->second;
      if (tensor->has_shape() && shape->dim_size() != static_cast<int>(dims.size()))
        return emitError(fileLoc())
               << "--input-shape " << input.name() << "=" << shapeText(dims) << " has rank "
               << dims.size() << " but the model's input has rank " << shape->dim_size();
      for (int i = 0; i < shape->dim_size(); ++i) {
        const auto &d = shape->dim(i);
        if (d.has_dim_value() && d.dim_value() > 0 && d.dim_value() != dims[i])
          return emitError(fileLoc())
                 << "--input-shape " << input.name() << "=" << shapeText(dims)
                 << " conflicts with the model's static dim " << i << " = " << d.dim_value();
      }
      shape->clear_dim();
      for (int64_t d : dims)
        shape->add_dim()->set_dim_value(d);
      continue;
    }
    for (int i = 0; i < shape->dim_size(); ++i) {
      auto *d = shape->mutable_dim(i);
      if (d->has_dim_value() && d->dim_value() > 0)
        continue;
      // A static dim of 0 or less is the model's own mistake, not a
      // symbol to bind.
      if (d->has_dim_value() && d->dim_value() < 0)
        return emitError(fileLoc()) << "input '" << input.name() << "' has dim " << d->dim_value()
                                    << " at position " << i << "; dims must be positive";
      if (d->has_dim_value() && d->dim_value() == 0)
        return emitError(fileLoc()) << "input '" << input.name() << "' has a dim of 0 at position " << i
                                    << ": zero-sized inputs cannot be compiled";
      auto bound = options.dimValues.find(d->dim_param());
      if (d->has_dim_param() && bound != options.dimValues.end()) {
        d->set_dim_value(bound->second);
        continue;
      }
      std::string sym = d->has_dim_param() ? "'" + d->dim_param() + "'" : "(unnamed)";
      return emitError(fileLoc())
             << "input '" << input.name() << "' has symbolic dim " << sym << " at position "
             << i << "; bind it with --input-shape " << input.name() << "=AxBx..."
             << (d->has_dim_param() ? " or --dim " + d->dim_param() + "=N" : std::string());
    }
  }
  return success();
}

/// ONNX 1.12's shape inference divides by strides without checking them
/// (SIGFPE on a stride of 0), and sizes a vector by Scan's num_scan_inputs
/// (an out-of-memory on a huge one; found by fuzz_onnx_structured): refuse
/// such attributes before calling it.
static LogicalResult checkAttributesForInference(const onnx::GraphProto &graph, Location file) {
  for (const auto &node : graph.node()) {
    for (const auto &a : node.attribute()) {
      if (a.has_g() && failed(checkAttributesForInference(a.g(), file)))
        return failure();
      if (node.op_type() == "Scan" && a.name() == "num_scan_inputs" && (a.i() < 1 || a.i() > node.input_size()))
        return emitError(file) << "node '" << node.name() << "' (Scan): num_scan_inputs " << a.i()
                               << " is not between 1 and its " << node.input_size() << " inputs";
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
/// dims, the issue's second model); an inferred shape is then declared in
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
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return false;
  // If is built by the importer itself, with its branches.
  if (node.op_type() == "If")
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

/// ONNX's checker, version converter and shape inference, and the input
/// shapes bound between the last two. The importer runs them in a child
/// process (OnnxIsolation.h).
LogicalResult GraphImporter::onnxStages(onnx::ModelProto &model, int64_t opset, OnnxStageLog &log) {
  // ONNX reports problems by throwing; edgec turns them into diagnostics.
  log.enter("ONNX's checker");
  if (failed(callOnnx(fileLoc(), "ONNX checker rejected the model: ", [&] { onnx::checker::check_model(model); })))
    return failure();
  if (opset != kTargetOpset) {
    log.enter("ONNX's shape inference (the opset-6 Gemm check)");
    if (failed(checkGemmsBeforeConversion(model, opset, fileLoc())))
      return failure();
    log.enter("ONNX's version converter");
    std::string what = "cannot convert the model from opset " + std::to_string(opset) + " to " +
                       std::to_string(kTargetOpset) + ": ";
    if (failed(callOnnx(fileLoc(), what, [&] { model = convertToTargetOpset(model); })))
      return failure();
  }
  if (failed(bindInputShapes(*model.mutable_graph())) ||
      failed(checkAttributesForInference(model.graph(), fileLoc())))
    return failure();
  log.enter("ONNX's shape inference");
  // Twice: ONNX 1.12's data propagation dereferences the type of a Shape
  // node's input without checking there is one, and there is none after
  // an earlier node's inference failed (found by fuzz_onnx_structured).
  // The first pass, without it, fails cleanly or writes every value's
  // type into the graph's value_info, where the second one starts from.
  return callOnnx(fileLoc(), "ONNX shape inference failed: ", [&] {
    for (bool dataPropagation : {false, true}) {
      onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*strict_mode=*/1, dataPropagation);
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
    }
  });
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

FailureOr<Type> GraphImporter::inputType(const onnx::ValueInfoProto &input) {
  const auto &tensor = input.type().tensor_type();
  Type element = elementTypeFor(&ctx, tensor.elem_type());
  if (!element)
    return emitError(fileLoc()) << "input '" << input.name() << "' has unsupported data type "
                                << dataTypeName(tensor.elem_type());
  SmallVector<int64_t> dims;
  for (const auto &d : tensor.shape().dim())
    dims.push_back(d.dim_value());
  return Type(RankedTensorType::get(dims, element));
}

OwningOpRef<ModuleOp> GraphImporter::run(onnx::ModelProto &model) {
  if (failed(prepare(model)))
    return {};
  const onnx::GraphProto &graph = model.graph();
  collectOnnxTypes(graph);

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  std::set<std::string> inits;
  for (const auto &t : graph.initializer())
    inits.insert(t.name());

  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args, fixed;
  for (const auto &input : graph.input()) {
    if (inits.count(input.name()))
      continue;
    (options.inputValues.count(input.name()) ? fixed : args).push_back(&input);
  }
  for (const auto *input : args) {
    auto type = inputType(*input);
    if (failed(type))
      return {};
    argTypes.push_back(*type);
  }
  builder.setInsertionPointToEnd(module->getBody());
  auto fn = func::FuncOp::create(builder, fileLoc(), "main",
                                 builder.getFunctionType(argTypes, {}));
  Block *entry = fn.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  entryBlock = entry;
  for (auto [i, input] : llvm::enumerate(args))
    fn.setArgAttr(i, "graph.name", builder.getStringAttr(input->name()));

  scopes.emplace_back();
  for (const auto &t : graph.initializer())
    scopes.back()[t.name()].initializer = &t;
  for (auto [i, input] : llvm::enumerate(args))
    define(input->name(), entry->getArgument(i));
  for (const auto *input : fixed) {
    auto inType = inputType(*input);
    if (failed(inType))
      return {};
    auto type = llvm::cast<RankedTensorType>(*inType);
    const auto &values = options.inputValues.at(input->name());
    if (static_cast<int64_t>(values.size()) != type.getNumElements())
      return emitError(fileLoc()) << "--input-value " << input->name() << " gives "
                                  << values.size() << " values but the input has shape "
                                  << shapeText(type.getShape()),
             nullptr;
    ElementsAttr attr;
    if (type.getElementType().isF32()) {
      SmallVector<float> f(values.begin(), values.end());
      attr = graph::makeFloats(type, f, resourceKey(input->name()));
    } else if (llvm::isa<IntegerType>(type.getElementType())) {
      SmallVector<int64_t> v(values.begin(), values.end());
      attr = graph::makeInts(type, v, resourceKey(input->name()));
    } else {
      return emitError(fileLoc()) << "--input-value " << input->name()
                                  << ": only f32 and integer inputs can be fixed",
             nullptr;
    }
    define(input->name(), graph::ConstantOp::create(builder, fileLoc(), attr));
  }

  if (failed(importGraph(graph)))
    return {};

  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value v = lookup(output.name());
    if (!v)
      return emitError(fileLoc()) << "graph output '" << output.name()
                                  << "' is not produced by any node",
             nullptr;
    results.push_back(v);
  }
  func::ReturnOp::create(builder, fileLoc(), results);
  fn.setType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    fn.setResultAttr(i, "graph.name", builder.getStringAttr(output.name()));

  // Ops whose results nobody uses (for example shape arithmetic that was
  // folded) are dropped, users before producers.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op))
      op.erase();
  if (failed(verify(*module)))
    return {};
  return module;
}

LogicalResult GraphImporter::importGraph(const onnx::GraphProto &graph) {
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, index)))
      return failure();
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, size_t index) {
  NodeContext ctx(*this, node, nodeLoc(node, index));
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return ctx.fail("unsupported op '" + node.op_type() + "' of domain '" + node.domain() +
                    "'");
  if (node.op_type() == "If")
    return importIf(ctx);
  const OpEntry *entry = findOp(node.op_type(), kTargetOpset);
  if (!entry)
    return ctx.fail("unsupported ONNX op '" + node.op_type() + "' (opset " +
                    std::to_string(kTargetOpset) + ")");
  return entry->build(ctx);
}

LogicalResult GraphImporter::importBranch(NodeContext &ctx, const onnx::GraphProto &branch,
                                          SmallVectorImpl<Value> &outputs) {
  scopes.emplace_back();
  for (const auto &t : branch.initializer())
    scopes.back()[t.name()].initializer = &t;
  LogicalResult result = importGraph(branch);
  for (const auto &o : branch.output()) {
    if (failed(result))
      break;
    Value v = lookup(o.name());
    if (!v)
      result = ctx.fail("branch output '" + o.name() + "' is not produced by the branch");
    outputs.push_back(v);
  }
  scopes.pop_back();
  return result;
}

LogicalResult GraphImporter::importIf(NodeContext &ctx) {
  const onnx::AttributeProto *thenAttr = ctx.attr("then_branch");
  const onnx::AttributeProto *elseAttr = ctx.attr("else_branch");
  if (!thenAttr || !elseAttr || !thenAttr->has_g() || !elseAttr->has_g())
    return ctx.fail("If needs then_branch and else_branch graphs");
  Value cond = ctx.input(0);
  if (!cond)
    return failure();
  SmallVector<int64_t> condValue;
  if (graph::readInts(graph::getConstant(cond), condValue)) {
    // Constant condition: inline the chosen branch.
    if (condValue.size() != 1)
      return ctx.fail("If condition must have exactly one element");
    SmallVector<Value> outputs;
    if (failed(importBranch(ctx, condValue[0] ? thenAttr->g() : elseAttr->g(), outputs)))
      return failure();
    for (auto [i, v] : llvm::enumerate(outputs))
      if (failed(ctx.setOutput(i, v)))
        return failure();
    return success();
  }
  // Run-time condition: keep both branches in a graph.if.
  auto type = llvm::cast<RankedTensorType>(cond.getType());
  if (type.getNumElements() != 1 || !type.getElementType().isInteger(1))
    return ctx.fail("If condition must be a single bool");
  if (type.getRank() != 0)
    cond = graph::ReshapeOp::create(builder, ctx.loc,
                                    RankedTensorType::get({}, type.getElementType()), cond,
                                    ArrayRef<int64_t>{});
  auto ifOp = graph::IfOp::create(builder, ctx.loc, TypeRange(), cond);
  SmallVector<Type> resultTypes;
  for (auto [k, region, g] : {std::tuple<int, Region *, const onnx::GraphProto *>{
                                  0, &ifOp.getThenBranch(), &thenAttr->g()},
                              {1, &ifOp.getElseBranch(), &elseAttr->g()}}) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&region->emplaceBlock());
    SmallVector<Value> outputs;
    if (failed(importBranch(ctx, *g, outputs)))
      return failure();
    graph::YieldOp::create(builder, ctx.loc, outputs);
    SmallVector<Type> types(ValueRange(outputs).getTypes());
    if (k == 0) {
      resultTypes = types;
    } else if (types != resultTypes) {
      return ctx.fail("If with a run-time condition needs branches of identical static "
                      "types; bind the condition's inputs with --input-value to resolve it");
    }
  }
  // Rebuild with the result types now known, moving the branch regions over.
  auto typed = graph::IfOp::create(builder, ctx.loc, resultTypes, cond);
  typed.getThenBranch().takeBody(ifOp.getThenBranch());
  typed.getElseBranch().takeBody(ifOp.getElseBranch());
  ifOp.erase();
  for (auto [i, v] : llvm::enumerate(typed.getResults()))
    if (failed(ctx.setOutput(i, v)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &importer, const onnx::NodeProto &node, Location loc)
    : node(node), loc(loc), b(importer.opBuilder()), importer(importer) {}

bool NodeContext::hasInput(size_t i) const {
  return i < numInputs() && !node.input(i).empty();
}

Value NodeContext::input(size_t i) {
  if (!hasInput(i)) {
    error() << "missing required input " << i;
    return {};
  }
  Value v = importer.lookup(node.input(i));
  if (!v && !importer.failedToDefine(node.input(i)))
    error() << "input '" << node.input(i) << "' is not defined before this node";
  return v;
}

RankedTensorType NodeContext::inputType(size_t i) {
  Value v = input(i);
  return v ? llvm::cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(size_t i, StringRef what) {
  Value v = input(i);
  if (!v)
    return failure();
  SmallVector<int64_t> values;
  if (!graph::readInts(graph::getConstant(v), values))
    return error() << what << " (input '" << node.input(i)
                   << "') must be a compile-time integer constant",
           failure();
  return values;
}

FailureOr<SmallVector<float>> NodeContext::constantFloats(size_t i, StringRef what) {
  Value v = input(i);
  if (!v)
    return failure();
  SmallVector<float> values;
  if (!graph::readFloats(graph::getConstant(v), values))
    return error() << what << " (input '" << node.input(i)
                   << "') must be a compile-time f32 constant",
           failure();
  return values;
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::getInt(StringRef name, int64_t def) const {
  const auto *a = attr(name);
  return a ? a->i() : def;
}

float NodeContext::getFloat(StringRef name, float def) const {
  const auto *a = attr(name);
  return a ? a->f() : def;
}

std::string NodeContext::getString(StringRef name, StringRef def) const {
  const auto *a = attr(name);
  return a ? a->s() : def.str();
}

SmallVector<int64_t> NodeContext::getInts(StringRef name) const {
  const auto *a = attr(name);
  return a ? SmallVector<int64_t>(a->ints().begin(), a->ints().end()) : SmallVector<int64_t>();
}

SmallVector<std::string> NodeContext::getStrings(StringRef name) const {
  const auto *a = attr(name);
  return a ? SmallVector<std::string>(a->strings().begin(), a->strings().end())
           : SmallVector<std::string>();
}

bool NodeContext::outputUsed(size_t i) const {
  return i < numOutputs() && !node.output(i).empty();
}

LogicalResult NodeContext::setOutput(size_t i, Value value) {
  if (!outputUsed(i))
    return success();
  const std::string &name = node.output(i);
  // Cross-check against ONNX's own shape inference where it found a static
  // shape: a disagreement is a bug in one of them, never silently accepted.
  if (const onnx::TypeProto *t = importer.onnxType(name)) {
    auto ours = llvm::cast<RankedTensorType>(value.getType());
    if (t->has_tensor_type() && t->tensor_type().has_shape()) {
      const auto &dims = t->tensor_type().shape().dim();
      bool known = llvm::all_of(dims, [](const auto &d) { return d.has_dim_value(); });
      SmallVector<int64_t> theirs;
      for (const auto &d : dims)
        theirs.push_back(d.dim_value());
      if (known && ArrayRef<int64_t>(theirs) != ours.getShape())
        return error() << "inconsistent shapes: output '" << name << "' is "
                       << shapeText(ours.getShape()) << " by edgec's inference but "
                       << shapeText(theirs) << " by ONNX's",
               failure();
    }
  }
  importer.define(name, value);
  return success();
}

FailureOr<SmallVector<Value>> NodeContext::createInferred(StringRef name, ValueRange operands,
                                                          ArrayRef<NamedAttribute> attrs,
                                                          unsigned numResults) {
  MLIRContext *ctx = b.getContext();
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(SmallVector<Type>(numResults, NoneType::get(ctx)));
  Operation *op = b.create(state);
  SmallVector<Type> types;
  auto infer = llvm::cast<InferTypeOpInterface>(op);
  if (failed(infer.inferReturnTypes(ctx, loc, op->getOperands(), op->getRawDictionaryAttrs(),
                                    op->getPropertiesStorage(), op->getRegions(), types))) {
    op->erase();
    return failure();
  }
  for (auto [r, t] : llvm::zip(op->getResults(), types))
    r.setType(t);
  if (failed(mlir::verify(op)))
    return op->erase(), failure();
  // Fold on the spot: constants in, constants out.
  SmallVector<OpFoldResult> folded;
  SmallVector<Value> results(op->getResults());
  if (succeeded(op->fold(folded)) && folded.size() == op->getNumResults()) {
    for (auto [k, f] : llvm::enumerate(folded)) {
      if (auto v = llvm::dyn_cast<Value>(f))
        results[k] = v;
      else if (auto a = llvm::dyn_cast_or_null<ElementsAttr>(llvm::dyn_cast<Attribute>(f)))
        results[k] = constant(a);
      else
        return results; // cannot materialise: keep the op
    }
    op->erase();
  }
  return results;
}

Value NodeContext::constant(ElementsAttr value) {
  return graph::ConstantOp::create(b, loc, value);
}

LogicalResult NodeContext::unsupported(StringRef attrName, const Twine &value) {
  return fail("unsupported value " + value + " of attribute '" + attrName + "'");
}

FailureOr<int64_t> normaliseAxis(NodeContext &ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return ctx.error() << "axis " << axis << " is out of range for rank " << rank, failure();
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> importOnnxBytes(const std::string &bytes, const std::string &name,
                                      const ImportOptions &options, MLIRContext &context) {
  context.loadDialect<graph::GraphDialect, func::FuncDialect, quant::QuantDialect,
                      tensor::TensorDialect>();
  Location loc = FileLineColLoc::get(&context, name, 0, 0);
  onnx::ModelProto model;
  if (bytes.empty())
    return emitError(loc) << "file is empty, not an ONNX model", nullptr;
  if (!model.ParseFromString(bytes))
    return emitError(loc) << "not an ONNX model: the protobuf is truncated or corrupt",
           nullptr;
  if (!model.has_graph() || model.ir_version() <= 0)
    return emitError(loc) << "not an ONNX model: no graph or IR version", nullptr;
  GraphImporter importer(context, name, options);
  return importer.run(model);
}

OwningOpRef<ModuleOp> importOnnxFile(const std::string &path, const ImportOptions &options,
                                     MLIRContext &context) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    Location loc = FileLineColLoc::get(&context, path, 0, 0);
    return emitError(loc) << "cannot open: " << buffer.getError().message(), nullptr;
  }
  return importOnnxBytes((*buffer)->getBuffer().str(), path, options, context);
}

} // namespace edgec::onnx_import
