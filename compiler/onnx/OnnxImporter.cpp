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
//
// This file builds the graph; Prepare.cpp checks and prepares the model,
// NodeContext.cpp serves the op builders (GraphImporter.h).
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/GraphImporter.h"
#include "compiler/onnx/TensorProto.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"


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
    if (head.getAsInteger(10, d) || d < 0)
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

std::string shapeText(ArrayRef<int64_t> dims) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(dims))
    s += (i ? "x" : "") + (d < 0 ? std::string("?") : std::to_string(d));
  return s.empty() ? "scalar" : s;
}


Value GraphImporter::lookup(StringRef name) {
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    auto it = scope->find(name);
    if (it == scope->end())
      continue;
    Entry &entry = it->second;
    if (!entry.value && entry.initializer) {
      if (entry.failed)
        return {};
      // A Loop or Scan body's weights are decoded once, not per iteration.
      Value &made = initializerValues[entry.initializer];
      if (!made) {
        auto attr = tensorToAttr(*entry.initializer, &ctx, fileLoc(), resourceKey(name));
        if (failed(attr)) {
          entry.failed = true;
          return {};
        }
        OpBuilder b = constantBuilder();
        made = graph::ConstantOp::create(b, fileLoc(), *attr);
      }
      entry.value = made;
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
      return emitError(fileLoc()) << "input '" << input.name() << "' is "
                                  << (input.type().has_sequence_type()   ? "a sequence"
                                      : input.type().has_optional_type() ? "an optional"
                                                                         : "not a tensor")
                                  << "; a compiled model's inputs are tensors";
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
      if (failed(checkInputSize(input.name(), *shape)))
        return failure();
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
        continue; // zero-sized: an empty tensor (an empty axes list, a batch of none)
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
    if (failed(checkInputSize(input.name(), *shape)))
      return failure();
  }
  return success();
}

/// An input of more than 2^52 elements fits no target, and sizes computed
/// from it (bytes, pairs of elements) could overflow int64: refused by name
/// (a dim of 2^63 - 1 reached the importer's size arithmetic; found by the
/// structured fuzzer). Smaller ones too large for the target are refused
/// later, with the target's capacity.
LogicalResult GraphImporter::checkInputSize(const std::string &name, const onnx::TensorShapeProto &shape) {
  int64_t elements = 1;
  for (const auto &d : shape.dim()) {
    std::optional<int64_t> product = llvm::checkedMul(elements, std::max<int64_t>(d.dim_value(), 0));
    if (!product || *product > (int64_t(1) << 52)) {
      std::string dims;
      for (const auto &e : shape.dim())
        dims += (dims.empty() ? "" : "x") + std::to_string(e.dim_value());
      return emitError(fileLoc()) << "input '" << name << "' (" << dims
                                  << ") has more than 2^52 elements: too large for any target";
    }
    elements = *product;
  }
  return success();
}

FailureOr<Type> GraphImporter::inputType(const onnx::ValueInfoProto &input) {
  const auto &tensor = input.type().tensor_type();
  bool string = tensor.elem_type() == onnx::TensorProto::STRING;
  Type element = string ? builder.getI8Type() : elementTypeFor(&ctx, tensor.elem_type());
  if (!element)
    return emitError(fileLoc()) << "input '" << input.name() << "' has unsupported data type "
                                << dataTypeName(tensor.elem_type());
  SmallVector<int64_t> dims;
  for (const auto &d : tensor.shape().dim())
    dims.push_back(d.dim_value());
  if (string) // each string as its bytes (ImportOptions::stringBytes)
    dims.push_back(options.stringBytes);
  return Type(RankedTensorType::get(dims, element));
}

OwningOpRef<ModuleOp> GraphImporter::run(onnx::ModelProto &model) {
  if (failed(prepare(model)))
    return {};
  const onnx::GraphProto &graph = model.graph();
  collectOnnxTypes(graph);
  for (const std::string &name : valuesComputedFrom(graph, "STFT")) // ONNX 1.12 infers them wrong (Prepare.cpp)
    onnxTypes.erase(name);

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
  for (auto [i, input] : llvm::enumerate(args)) {
    define(input->name(), entry->getArgument(i));
    if (input->type().tensor_type().elem_type() == onnx::TensorProto::STRING) {
      strings.insert(entry->getArgument(i));
      fn.setArgAttr(i, "graph.string_bytes", builder.getI64IntegerAttr(options.stringBytes));
    }
  }
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
  std::vector<std::string> names;
  for (const auto &output : graph.output()) {
    Value v = lookup(output.name());
    if (!v && lookupSequence(output.name()))
      return emitError(fileLoc()) << "graph output '" << output.name()
                                  << "' is a sequence; a compiled model's outputs are tensors "
                                     "(ConcatFromSequence or SequenceAt make one)",
             nullptr;
    if (!v)
      return emitError(fileLoc()) << "graph output '" << output.name()
                                  << "' is not produced by any node",
             nullptr;
    results.push_back(v);
    names.push_back(output.name());
  }
  addCountOutputs(fn, results, names);
  func::ReturnOp::create(builder, fileLoc(), results);
  for (auto [i, name] : llvm::enumerate(names)) {
    fn.setResultAttr(i, "graph.name", builder.getStringAttr(name));
    if (strings.contains(results[i]))
      fn.setResultAttr(i, "graph.string_bytes", builder.getI64IntegerAttr(options.stringBytes));
  }

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
  bool standardDomain = node.domain().empty() || node.domain() == "ai.onnx";
  const OpEntry *entry = standardDomain ? findOp(node.op_type(), kTargetOpset) : nullptr;
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty() && node.op_type() != "StringNormalizer" && node.op_type() != "Identity")
      if (Value v = lookup(node.input(i)); v && isString(v))
        return ctx.fail("input '" + node.input(i) +
                        "' is a string tensor; edgec takes string tensors into StringNormalizer (and Identity) only");
  if (boundedInput(node) >= 0) // a tensor of run-time size (Bounded.cpp)
    return importBoundedNode(ctx, entry ? entry->build : nullptr);
  if (node.domain() == kTrainingDomain && node.op_type() == "Gradient")
    return importGradient(ctx);
  if (!standardDomain)
    return ctx.fail("unsupported op '" + node.op_type() + "' of domain '" + node.domain() +
                    "'");
  if (node.op_type() == "If")
    return importIf(ctx);
  if (node.op_type() == "Loop")
    return importLoop(ctx);
  if (node.op_type() == "Scan")
    return importScan(ctx);
  if (!entry)
    return ctx.fail("unsupported ONNX op '" + node.op_type() + "' (opset " +
                    std::to_string(kTargetOpset) + ")");
  return entry->build(ctx);
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
