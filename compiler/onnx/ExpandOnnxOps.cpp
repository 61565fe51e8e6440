//===- ExpandOnnxOps.cpp - graph.onnx ops through the importer's op table ===//
//
// A frontend other than ONNX (edgec-torch) writes an op the ONNX importer
// already builds (GRU, RNN, ConvTranspose, ...) as `graph.onnx "GRU"(...)`
// rather than decomposing it again: each op is decomposed in one place.
// When a graph-dialect file is read, each such op becomes an ONNX NodeProto
// (inputs in0.., outputs out0.., the attributes converted) that the op
// table's builder imports at the op's place, with the op's operands as
// its inputs; the results must have the types the op declares.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/GraphImporter.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

namespace edgec::onnx_import {
namespace {

/// An MLIR attribute as an ONNX one: integers (and bools), floats,
/// strings, and arrays of each. False for anything else.
bool toOnnxAttribute(StringRef name, Attribute value, onnx::AttributeProto &out) {
  out.set_name(name.str());
  if (auto b = dyn_cast<BoolAttr>(value)) {
    out.set_type(onnx::AttributeProto::INT);
    out.set_i(b.getValue());
  } else if (auto i = dyn_cast<IntegerAttr>(value)) {
    if (i.getValue().getSignificantBits() > 64)
      return false;
    out.set_type(onnx::AttributeProto::INT);
    out.set_i(i.getValue().getSExtValue());
  } else if (auto f = dyn_cast<FloatAttr>(value)) {
    out.set_type(onnx::AttributeProto::FLOAT);
    out.set_f(static_cast<float>(f.getValueAsDouble()));
  } else if (auto s = dyn_cast<StringAttr>(value)) {
    out.set_type(onnx::AttributeProto::STRING);
    out.set_s(s.getValue().str());
  } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(value)) {
    out.set_type(onnx::AttributeProto::INTS);
    for (int64_t v : ints.asArrayRef())
      out.add_ints(v);
  } else if (auto floats = dyn_cast<DenseF32ArrayAttr>(value)) {
    out.set_type(onnx::AttributeProto::FLOATS);
    for (float v : floats.asArrayRef())
      out.add_floats(v);
  } else if (auto array = dyn_cast<ArrayAttr>(value)) {
    if (array.empty() || !llvm::all_of(array, [](Attribute a) { return isa<StringAttr>(a); }))
      return false;
    out.set_type(onnx::AttributeProto::STRINGS);
    for (Attribute a : array)
      out.add_strings(cast<StringAttr>(a).getValue().str());
  } else {
    return false;
  }
  return true;
}

} // namespace

LogicalResult GraphImporter::expandNode(Operation *op, const onnx::NodeProto &node, Block *entry) {
  entryBlock = entry;
  builder.setInsertionPoint(op);
  scopes.emplace_back();
  for (auto [i, operand] : llvm::enumerate(op->getOperands()))
    define("in" + std::to_string(i), operand);
  NodeContext ctx(*this, node, op->getLoc());
  const OpEntry *entryRow = findOp(node.op_type(), kTargetOpset);
  if (!entryRow || !entryRow->build)
    return ctx.fail("graph.onnx \"" + node.op_type() + "\": not an op of edgec's ONNX op table (edgec ops lists them)");
  if (failed(entryRow->build(ctx)))
    return failure();
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    Value v = lookup("out" + std::to_string(i));
    if (!v)
      return ctx.fail("graph.onnx \"" + node.op_type() + "\": output " + std::to_string(i) + " was not built");
    if (boundOf(v))
      return ctx.fail("graph.onnx \"" + node.op_type() + "\": output " + std::to_string(i) +
                      " has a size known only at run time, which a graph read from .mlir cannot carry (import "
                      "the model from ONNX)");
    if (v.getType() != result.getType()) {
      InFlightDiagnostic d = ctx.error();
      d << "graph.onnx \"" << node.op_type() << "\": output " << i << " is " << v.getType() << ", not the "
        << result.getType() << " the op declares";
      return failure();
    }
    result.replaceAllUsesWith(v);
  }
  scopes.pop_back();
  op->erase();
  return success();
}

LogicalResult expandOnnxOps(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return success();
  SmallVector<graph::OnnxOp> ops;
  main.walk([&](graph::OnnxOp op) { ops.push_back(op); });
  if (ops.empty())
    return success();
  static const ImportOptions options;
  GraphImporter importer(*module.getContext(), "", options);
  for (auto [index, op] : llvm::enumerate(ops)) {
    if (op->getParentOp() != main.getOperation())
      return op.emitError("graph.onnx must be at the top level of @main");
    onnx::NodeProto node;
    node.set_op_type(op.getOpType().str());
    if (auto name = dyn_cast<NameLoc>(op.getLoc()))
      node.set_name(name.getName().str());
    for (unsigned i = 0; i < op->getNumOperands(); ++i)
      node.add_input("in" + std::to_string(i));
    for (unsigned i = 0; i < op->getNumResults(); ++i)
      node.add_output("out" + std::to_string(i));
    for (NamedAttribute a : op.getOnnxAttributes())
      if (!toOnnxAttribute(a.getName(), a.getValue(), *node.add_attribute()))
        return op.emitError() << "graph.onnx \"" << op.getOpType() << "\": attribute '" << a.getName().getValue()
                              << "' is not an integer (of 64 bits at most), float, string or an array of them";
    if (failed(importer.expandNode(op, node, &main.getBody().front())))
      return failure();
  }
  return success();
}

} // namespace edgec::onnx_import
