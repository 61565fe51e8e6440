//===- GraphFile.cpp - models given as graph-dialect MLIR -----------------===//

#include "GraphFile.h"

#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Parser/Parser.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

namespace edgec {

using namespace mlir;

namespace {

/// Element types edgec compiles: floats of 16, 32 and 64 bits, integers of
/// 1 to 64 bits (signless or unsigned), and uniform quantised types of them.
bool supportedElement(Type t) {
  if (auto q = dyn_cast<quant::QuantizedType>(t))
    return isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(q) &&
           supportedElement(q.getStorageType());
  if (isa<Float16Type, Float32Type, Float64Type>(t))
    return true;
  auto i = dyn_cast<IntegerType>(t);
  return i && !i.isSigned() && llvm::is_contained({1u, 8u, 16u, 32u, 64u}, i.getWidth());
}

bool supportedType(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  return ranked && ranked.hasStaticShape() && supportedElement(ranked.getElementType());
}

/// A weight blob that is missing or of the wrong size fails here, with its
/// line, not in LLVM translation after every pass has run.
LogicalResult checkResource(Operation *op, Attribute value) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (!resource)
    return success();
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return op->emitError() << "weights '" << resource.getRawHandle().getKey() << "' are not in the file's resources";
  auto type = cast<ShapedType>(resource.getType());
  Type element = type.getElementType();
  uint64_t bits = element.isIntOrFloat() ? element.getIntOrFloatBitWidth() : 0;
  uint64_t want = uint64_t(type.getNumElements()) * (bits == 1 ? 1 : bits / 8);
  if (bits == 0 || blob->getData().size() != want)
    return op->emitError() << "weights '" << resource.getRawHandle().getKey() << "' hold "
                           << blob->getData().size() << " bytes, " << type << " needs " << want;
  return success();
}

} // namespace

bool isGraphFile(const std::string &path) {
  llvm::StringRef p(path);
  return p.ends_with(".mlir") || p.ends_with(".mlirbc");
}

OwningOpRef<ModuleOp> importGraphFile(const std::string &path, MLIRContext &context) {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    emitError(fileLoc) << (llvm::sys::fs::exists(path) ? "cannot open: " + buffer.getError().message()
                                                        : std::string("no such file"));
    return nullptr;
  }
  return importGraphBuffer(std::move(*buffer), context);
}

/// MLIR 22's parser allocates each hex resource blob at the alignment its
/// first four bytes give, without checking it is a power of two (an
/// alignment of 0 failed inside the allocator; found by fuzz_graph_mlir):
/// every blob's alignment is checked here first.
static LogicalResult checkBlobAlignments(llvm::StringRef text, Location fileLoc) {
  // The file's metadata section ({-# ... #-}) comes last.
  size_t metadata = text.rfind("{-#");
  size_t section = metadata == llvm::StringRef::npos ? metadata : text.find("dialect_resources", metadata);
  if (section == llvm::StringRef::npos)
    return success();
  for (size_t at = text.find("\"0x", section); at != llvm::StringRef::npos; at = text.find("\"0x", at + 3)) {
    llvm::StringRef hex = text.substr(at + 3, 8);
    uint32_t align = 0;
    for (size_t byte = 0; byte < 4 && hex.size() == 8; ++byte) {
      unsigned value = 0;
      if (hex.substr(2 * byte, 2).getAsInteger(16, value))
        break; // not hex: the parser reports it
      align |= value << (8 * byte);
    }
    if (hex.size() == 8 && !llvm::isPowerOf2_32(align))
      return emitError(fileLoc) << "a resource blob's alignment (its first four bytes) is " << align
                                << ", not a power of two";
  }
  return success();
}

OwningOpRef<ModuleOp> importGraphBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer, MLIRContext &context) {
  Location fileLoc = FileLineColLoc::get(&context, buffer->getBufferIdentifier(), 0, 0);
  if (failed(checkBlobAlignments(buffer->getBuffer(), fileLoc)))
    return nullptr;
  context.loadDialect<graph::GraphDialect, func::FuncDialect, quant::QuantDialect>();
  llvm::SourceMgr sources;
  sources.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sources, &context);
  if (!module)
    return nullptr; // the parser said where
  auto main = module->lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal()) {
    emitError(fileLoc) << "no function @main: a graph-dialect model is a module with `func.func @main`";
    return nullptr;
  }
  for (Operation &op : module->getBody()->getOperations())
    if (&op != main.getOperation()) {
      op.emitError() << "a graph-dialect model holds @main only";
      return nullptr;
    }
  for (Type t : main.getFunctionType().getInputs())
    if (!supportedType(t)) {
      emitError(main.getLoc()) << "@main takes " << t
                               << ": model inputs are tensors of static shape (of floats, integers or quantised)";
      return nullptr;
    }
  for (Type t : main.getFunctionType().getResults())
    if (!supportedType(t)) {
      emitError(main.getLoc()) << "@main returns " << t
                               << ": model outputs are tensors of static shape (of floats, integers or quantised)";
      return nullptr;
    }
  // The header names inputs and outputs by graph.name: distinct strings.
  llvm::StringSet<> names;
  auto checkName = [&](DictionaryAttr attrs, StringRef what, unsigned i) {
    Attribute name = attrs ? attrs.get("graph.name") : Attribute();
    if (!name)
      return true;
    auto text = dyn_cast<StringAttr>(name);
    if (!text || text.getValue().empty() || !names.insert(text.getValue()).second) {
      emitError(main.getLoc()) << what << " " << i << ": graph.name must be a string no other input or output has";
      return false;
    }
    return true;
  };
  for (unsigned i = 0; i < main.getNumArguments(); ++i)
    if (!checkName(main.getArgAttrDict(i), "input", i))
      return nullptr;
  for (unsigned i = 0; i < main.getNumResults(); ++i)
    if (!checkName(main.getResultAttrDict(i), "output", i))
      return nullptr;
  // What the header says of a tensor must hold of its type: a string
  // tensor's last dim is its bytes (i8); a run-time size is counted by an
  // int64 scalar output along a dim of the tensor.
  auto checkLayout = [&](DictionaryAttr attrs, Type type, StringRef what, unsigned i) {
    if (!attrs)
      return true;
    auto t = llvm::cast<RankedTensorType>(type);
    auto intAttr = [&](StringRef name) { return dyn_cast_or_null<IntegerAttr>(attrs.get(name)); };
    if (Attribute a = attrs.get("graph.string_bytes")) {
      auto bytes = intAttr("graph.string_bytes");
      if (!bytes || t.getRank() < 1 || !t.getElementType().isInteger(8) ||
          t.getShape().back() != bytes.getInt() || bytes.getInt() < 1) {
        emitError(main.getLoc()) << what << " " << i
                                 << ": graph.string_bytes must be the last dim of an i8 tensor (its bytes)";
        return false;
      }
    }
    auto dim = intAttr("graph.bounded_dim"), count = intAttr("graph.count_output");
    if (!attrs.get("graph.bounded_dim") && !attrs.get("graph.count_output"))
      return true;
    auto results = main.getFunctionType().getResults();
    auto countType = count && count.getInt() >= 0 && count.getInt() < static_cast<int64_t>(results.size())
                         ? llvm::dyn_cast<RankedTensorType>(results[count.getInt()])
                         : RankedTensorType();
    if (!dim || dim.getInt() < 0 || dim.getInt() >= t.getRank() || !countType || countType.getRank() != 0 ||
        !countType.getElementType().isInteger(64)) {
      emitError(main.getLoc()) << what << " " << i
                               << ": graph.bounded_dim must be a dim of the output and graph.count_output an "
                                  "int64 scalar output";
      return false;
    }
    return true;
  };
  for (unsigned i = 0; i < main.getNumArguments(); ++i)
    if (DictionaryAttr attrs = main.getArgAttrDict(i);
        !checkLayout(attrs, main.getArgument(i).getType(), "input", i) ||
        (attrs && (attrs.get("graph.bounded_dim") || attrs.get("graph.count_output")) &&
         (emitError(main.getLoc()) << "input " << i << ": only outputs have a run-time size", true)))
      return nullptr;
  for (unsigned i = 0; i < main.getNumResults(); ++i)
    if (!checkLayout(main.getResultAttrDict(i), main.getResultTypes()[i], "output", i))
      return nullptr;
  WalkResult walk = main.walk([&](Operation *op) {
    // quant.scast types a quantised constant, as the ONNX importer does.
    if (op != main.getOperation() && !isa<graph::GraphDialect>(op->getDialect()) && !isa<func::ReturnOp>(op) &&
        !isa<quant::StorageCastOp>(op)) {
      op->emitError() << "'" << op->getName() << "' is not a graph-dialect op; edgec compiles models of graph ops";
      return WalkResult::interrupt();
    }
    for (Type t : op->getResultTypes())
      if (!supportedType(t)) {
        op->emitError() << "results of type " << t << " are not supported (static tensors of floats, integers "
                        << "or quantised integers)";
        return WalkResult::interrupt();
      }
    if (auto constant = dyn_cast<graph::ConstantOp>(op))
      if (failed(checkResource(op, constant.getValue())))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return nullptr;
  return module;
}

} // namespace edgec
