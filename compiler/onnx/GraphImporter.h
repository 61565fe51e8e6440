//===- GraphImporter.h - one ONNX model into the graph dialect --*- C++ -*-===//
//
// The importer's state: scopes of named values, the builder, ONNX's
// inferred types. OnnxImporter.cpp builds the graph; Prepare.cpp checks and
// prepares the model (edgec's checks, then ONNX's code in a child process);
// NodeContext.cpp is what op builders see.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ONNX_GRAPHIMPORTER_H
#define EDGEC_COMPILER_ONNX_GRAPHIMPORTER_H

#include "compiler/onnx/NodeContext.h"
#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/OnnxIsolation.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace edgec::onnx_import {
using mlir::Block;
using mlir::FailureOr;
using mlir::FileLineColLoc;
using mlir::Location;
using mlir::LogicalResult;
using mlir::MLIRContext;
using mlir::Operation;
using mlir::ModuleOp;
using mlir::OpBuilder;
using mlir::OwningOpRef;
using mlir::SmallVectorImpl;
using mlir::Type;
using mlir::Value;
using llvm::StringRef;

/// The names of the values of `graph` (not its subgraphs) that nodes of
/// type `opType` compute, or that are computed from them.
std::set<std::string> valuesComputedFrom(const onnx::GraphProto &graph, llvm::StringRef opType);

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
  /// ONNX sequences exist only at import time: a list of tensors whose
  /// length and element positions are compile-time constants, resolved by
  /// the Sequence* ops (compiler/onnx/ops/Sequence.cpp) into plain values.
  void defineSequence(StringRef name, llvm::ArrayRef<Value> elements) {
    Entry &entry = scopes.back()[name];
    entry.sequence.emplace(elements.begin(), elements.end());
  }
  /// The elements of sequence `name`, or null when it is not a sequence.
  const llvm::SmallVector<Value> *lookupSequence(StringRef name) const {
    for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope)
      if (auto it = scope->find(name); it != scope->end())
        return it->second.sequence ? &*it->second.sequence : nullptr;
    return nullptr;
  }
  /// A tensor whose extent along `dim` is known only at run time (what
  /// NonZero, Compress, Unique, NonMaxSuppression select): the value is
  /// sized for the bound and `count` (an i64 scalar) says how many of its
  /// rows along `dim` hold data. Bounded.cpp.
  struct Bound {
    int64_t dim;
    Value count;
    std::string origin; // "NonZero 'nz'": where the size is decided
  };
  const Bound *boundOf(Value v) const {
    auto it = bounds.find(v);
    return it == bounds.end() ? nullptr : &it->second;
  }
  void setBound(Value v, Bound bound) { bounds[v] = std::move(bound); }
  /// A string tensor [d0, ...] is held as its bytes [d0, ..., stringBytes]
  /// (i8; UTF-8, NUL-padded); these are the values that are.
  bool isString(Value v) const { return strings.contains(v); }
  void markString(Value v) { strings.insert(v); }
  int64_t stringBytes() const { return options.stringBytes; }
  Location fileLoc() { return FileLineColLoc::get(&ctx, file, 0, 0); }
  MLIRContext &context() { return ctx; }
  /// ONNX's inferred static shape of a value, if it has one.
  const onnx::TypeProto *onnxType(StringRef name) const {
    auto it = onnxTypes.find(name);
    return it == onnxTypes.end() ? nullptr : it->second;
  }

  LogicalResult importGraph(const onnx::GraphProto &graph);

  OpBuilder &opBuilder() { return builder; }

  /// Builds `node` (inputs named in0.., outputs out0..) in place of `op`, a
  /// graph.onnx op of `entry`'s function, through the op table
  /// (ExpandOnnxOps.cpp).
  LogicalResult expandNode(Operation *op, const onnx::NodeProto &node, Block *entry);

private:
  struct Entry {
    Value value;
    const onnx::TensorProto *initializer = nullptr;
    bool failed = false; // decoding the initializer failed (already reported)
    std::optional<llvm::SmallVector<Value>> sequence;
  };

  LogicalResult prepare(onnx::ModelProto &model);
  LogicalResult checkOpTypes(const onnx::GraphProto &graph, int64_t opset, std::set<std::string> &reported);
  LogicalResult checkBeforeOnnx(const onnx::ModelProto &model, int64_t &opset);
  LogicalResult onnxStages(onnx::ModelProto &model, int64_t opset, OnnxStageLog &log);
  OpBuilder constantBuilder();
  LogicalResult bindInputShapes(onnx::GraphProto &graph);
  LogicalResult importNode(const onnx::NodeProto &node, size_t index);
  // Bounded.cpp
  /// The first input of `node` that has a run-time size, or -1.
  int boundedInput(const onnx::NodeProto &node);
  /// Builds a node that reads a tensor of run-time size: through `build`
  /// when the op works row by row along that dim (the count passes to its
  /// outputs), refused otherwise.
  LogicalResult importBoundedNode(NodeContext &ctx, LogicalResult (*build)(NodeContext &));
  /// Appends each bounded result's count to `results` (one per count) and
  /// marks the function's results (graph.bounded_dim, graph.count_output).
  void addCountOutputs(mlir::func::FuncOp fn, SmallVectorImpl<Value> &results, std::vector<std::string> &names);
  // ControlFlow.cpp
  LogicalResult importIf(NodeContext &ctx);
  LogicalResult importLoop(NodeContext &ctx);
  LogicalResult importScan(NodeContext &ctx);
  // Gradient.cpp
  LogicalResult importGradient(NodeContext &ctx);
  /// Imports `body` into the current block, its inputs bound to `inputs`.
  LogicalResult importBody(NodeContext &ctx, const onnx::GraphProto &body, llvm::ArrayRef<Value> inputs,
                           SmallVectorImpl<Value> &outputs);
  Location nodeLoc(const onnx::NodeProto &node, size_t index);
  void collectOnnxTypes(const onnx::GraphProto &graph);
  mlir::LogicalResult checkInputSize(const std::string &name, const onnx::TensorShapeProto &shape);
  FailureOr<Type> inputType(const onnx::ValueInfoProto &input);

  MLIRContext &ctx;
  OpBuilder builder;
  Block *entryBlock = nullptr;
  std::string file;
  const ImportOptions &options;
  std::vector<llvm::StringMap<Entry>> scopes;
  /// Nodes imported from Loop and Scan bodies so far (ControlFlow.cpp's
  /// budget).
  int64_t bodyNodesImported = 0;
  /// Each initializer's graph.constant (in the entry block), made once.
  llvm::DenseMap<const onnx::TensorProto *, Value> initializerValues;
  llvm::StringMap<const onnx::TypeProto *> onnxTypes;
  llvm::DenseMap<Value, Bound> bounds;
  llvm::DenseSet<Value> strings;
};

} // namespace edgec::onnx_import

#endif // EDGEC_COMPILER_ONNX_GRAPHIMPORTER_H
