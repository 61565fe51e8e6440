//===- NodeContext.cpp - what an op builder sees of its node --------------===//
#include "compiler/onnx/GraphImporter.h"
#include "compiler/onnx/TensorProto.h"

#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace edgec::onnx_import {

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
  if (!v && importer.lookupSequence(node.input(i)))
    error() << "input '" << node.input(i) << "' is a sequence; " << node.op_type() << " takes a tensor there";
  else if (!v && !importer.failedToDefine(node.input(i)))
    error() << "input '" << node.input(i) << "' is not defined before this node";
  return v;
}

FailureOr<SmallVector<Value>> NodeContext::inputSequence(size_t i) {
  if (!hasInput(i))
    return error() << "missing required input " << i, failure();
  if (const SmallVector<Value> *elements = importer.lookupSequence(node.input(i)))
    return *elements;
  if (importer.lookup(node.input(i)))
    return error() << "input '" << node.input(i) << "' is a tensor; " << node.op_type()
                   << " takes a sequence there",
           failure();
  if (!importer.failedToDefine(node.input(i)))
    error() << "input '" << node.input(i) << "' is not defined before this node";
  return failure();
}

/// "NonZero 'nz'": the node that decides a run-time size, for diagnostics.
std::string NodeContext::sizeOrigin() const {
  return node.op_type() + " '" + (node.name().empty() ? node.output(0) : node.name()) + "'";
}

LogicalResult NodeContext::setBoundedOutput(size_t i, Value value, int64_t dim, Value count) {
  if (failed(defineOutput(i, value, dim)))
    return failure();
  importer.setBound(value, {dim, count, sizeOrigin()});
  return success();
}

bool NodeContext::inputIsString(size_t i) {
  Value v = hasInput(i) ? importer.lookup(node.input(i)) : Value();
  return v && importer.isString(v);
}

int64_t NodeContext::stringBytes() const { return importer.stringBytes(); }

LogicalResult NodeContext::setStringOutput(size_t i, Value bytes, int64_t dim, Value count) {
  importer.markString(bytes);
  if (failed(defineOutput(i, bytes, dim)))
    return failure();
  if (count)
    importer.setBound(bytes, {dim, count, sizeOrigin()});
  return success();
}

LogicalResult NodeContext::setOutputSequence(size_t i, ArrayRef<Value> elements) {
  if (outputUsed(i))
    importer.defineSequence(node.output(i), elements);
  return success();
}

RankedTensorType NodeContext::inputType(size_t i) {
  Value v = input(i);
  return v ? llvm::cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

/// The names of the graph inputs `v` is computed from (a bounded walk up its
/// operands), sorted.
static std::vector<std::string> graphInputsOf(Value v) {
  std::set<std::string> names;
  llvm::SmallPtrSet<Operation *, 32> seen;
  SmallVector<Value> work{v};
  while (!work.empty() && seen.size() < 10000) {
    Value x = work.pop_back_val();
    if (auto arg = llvm::dyn_cast<BlockArgument>(x)) {
      auto func = llvm::dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (auto name = func ? func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "graph.name") : StringAttr())
        names.insert(name.str());
      continue;
    }
    Operation *def = x.getDefiningOp();
    if (def && seen.insert(def).second)
      llvm::append_range(work, def->getOperands());
  }
  return {names.begin(), names.end()};
}

void NodeContext::noteGraphInputs(InFlightDiagnostic &d, size_t i) {
  std::vector<std::string> from = graphInputsOf(input(i));
  if (from.empty())
    return;
  d << "; it is computed from graph input" << (from.size() > 1 ? "s" : "");
  for (size_t k = 0; k < from.size(); ++k)
    d << (k ? ", '" : " '") << from[k] << "'";
  d << ": bind " << (from.size() > 1 ? "them" : "it") << " with --input-value NAME=VALUES";
}

LogicalResult NodeContext::failNotConstant(size_t i, StringRef what, StringRef kind) {
  InFlightDiagnostic d = error();
  d << what << " (input '" << node.input(i) << "') must be a compile-time " << kind << " constant";
  noteGraphInputs(d, i);
  return failure();
}

/// A tensor of no elements is a constant whatever computes it: it holds no
/// value (an empty axes list given as an input).
static bool isEmpty(Value v) { return llvm::cast<RankedTensorType>(v.getType()).getNumElements() == 0; }

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(size_t i, StringRef what) {
  Value v = input(i);
  if (!v)
    return failure();
  SmallVector<int64_t> values;
  if (isEmpty(v))
    return values;
  if (!graph::readInts(graph::getConstant(v), values))
    return failNotConstant(i, what, "integer");
  return values;
}

FailureOr<SmallVector<float>> NodeContext::constantFloats(size_t i, StringRef what) {
  Value v = input(i);
  if (!v)
    return failure();
  SmallVector<float> values;
  if (isEmpty(v))
    return values;
  if (!graph::readFloats(graph::getConstant(v), values))
    return failNotConstant(i, what, "f32");
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

LogicalResult NodeContext::setOutput(size_t i, Value value) { return defineOutput(i, value, -1); }

LogicalResult NodeContext::defineOutput(size_t i, Value value, int64_t runTimeDim) {
  if (!outputUsed(i))
    return success();
  const std::string &name = node.output(i);
  // Cross-check against ONNX's own shape inference where it found a static
  // shape: a disagreement is a bug in one of them, never silently accepted.
  if (const onnx::TypeProto *t = importer.onnxType(name)) {
    auto ours = llvm::cast<RankedTensorType>(value.getType());
    if (importer.isString(value)) // ONNX's shape has no dim of bytes
      ours = RankedTensorType::get(ours.getShape().drop_back(), ours.getElementType());
    if (t->has_tensor_type() && t->tensor_type().has_shape()) {
      const auto &dims = t->tensor_type().shape().dim();
      bool known = llvm::all_of(dims, [](const auto &d) { return d.has_dim_value(); });
      SmallVector<int64_t> theirs;
      for (const auto &d : dims)
        theirs.push_back(d.dim_value());
      // A dim of run-time size holds the bound here; ONNX (or the model's
      // declared output) may give one run's size.
      if (runTimeDim >= 0 && runTimeDim < static_cast<int64_t>(theirs.size()))
        theirs[runTimeDim] = ours.getDimSize(runTimeDim);
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

} // namespace edgec::onnx_import
