//===- NodeContext.h - what an op builder sees of one ONNX node -*- C++ -*-===//
//
// The importer walks the ONNX graph and, for each node, calls the builder
// that the op table (OpTable.cpp) names for its op type. A builder reads
// inputs and attributes through NodeContext, creates graph ops with
// `create<Op>` (types inferred, constants folded on the spot) and binds the
// node's outputs with `setOutput`.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ONNX_NODECONTEXT_H
#define EDGEC_COMPILER_ONNX_NODECONTEXT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <onnx/onnx_pb.h>

#include <set>
#include <string>

namespace edgec::onnx_import {

class GraphImporter;

class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node, mlir::Location loc);

  const onnx::NodeProto &node;
  mlir::Location loc;
  mlir::OpBuilder &b;

  // --- Inputs -------------------------------------------------------------
  size_t numInputs() const { return node.input_size(); }
  /// True when input `i` exists and is not the empty name (ONNX "absent").
  bool hasInput(size_t i) const;
  /// The value of input `i`; emits an error and returns null when absent.
  mlir::Value input(size_t i);
  mlir::RankedTensorType inputType(size_t i);
  /// Input `i` as integers; fails with an error naming `what` when it is not
  /// a constant (edgec compiles static graphs only).
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(size_t i, llvm::StringRef what);
  mlir::FailureOr<llvm::SmallVector<float>> constantFloats(size_t i, llvm::StringRef what);
  /// Reports that input i (`what`) must be a compile-time constant `kind`,
  /// naming the graph inputs it is computed from (bind them with
  /// --input-value); fails.
  mlir::LogicalResult failNotConstant(size_t i, llvm::StringRef what, llvm::StringRef kind);
  /// Appends to `d` which graph inputs input i is computed from and that
  /// --input-value binds them (nothing for a value computed from none).
  void noteGraphInputs(mlir::InFlightDiagnostic &d, size_t i);

  // --- Attributes -----------------------------------------------------------
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t def) const;
  float getFloat(llvm::StringRef name, float def) const;
  std::string getString(llvm::StringRef name, llvm::StringRef def) const;
  llvm::SmallVector<int64_t> getInts(llvm::StringRef name) const;
  llvm::SmallVector<std::string> getStrings(llvm::StringRef name) const;

  // --- Outputs --------------------------------------------------------------
  size_t numOutputs() const { return node.output_size(); }
  /// True when output `i` exists and has a name (is consumed by someone).
  bool outputUsed(size_t i) const;
  mlir::LogicalResult setOutput(size_t i, mlir::Value value);
  /// Output `i` has a run-time extent along `dim`: `value` is sized for the
  /// bound and `count` (i64 scalar) holds the extent (Bounded.cpp).
  mlir::LogicalResult setBoundedOutput(size_t i, mlir::Value value, int64_t dim, mlir::Value count);

  // --- String tensors (their bytes, a last dim of stringBytes() i8) ---------
  bool inputIsString(size_t i);
  int64_t stringBytes() const;
  /// Output `i` is a string tensor held as its bytes; with `count`, its
  /// extent along `dim` is known only at run time (as setBoundedOutput).
  mlir::LogicalResult setStringOutput(size_t i, mlir::Value bytes, int64_t dim = -1, mlir::Value count = {});

  // --- Sequences (import-time lists of tensors) -------------------------------
  /// The elements of sequence input `i`; fails with an error when it is not
  /// a sequence.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> inputSequence(size_t i);
  mlir::LogicalResult setOutputSequence(size_t i, llvm::ArrayRef<mlir::Value> elements);

  // --- Building -------------------------------------------------------------
  /// Creates op `name` with inferred result types, then folds it. Fails (the
  /// inference has reported why) when the operands do not fit.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  createInferred(llvm::StringRef name, mlir::ValueRange operands,
                 llvm::ArrayRef<mlir::NamedAttribute> attrs, unsigned numResults);

  template <typename OpTy>
  mlir::FailureOr<mlir::Value> create(mlir::ValueRange operands,
                                      llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    auto results = createInferred(OpTy::getOperationName(), operands, attrs, 1);
    if (mlir::failed(results))
      return mlir::failure();
    return results->front();
  }

  /// Builds `graph.constant` for `value`.
  mlir::Value constant(mlir::ElementsAttr value);

  mlir::NamedAttribute named(llvm::StringRef name, mlir::Attribute value) {
    return b.getNamedAttr(name, value);
  }
  mlir::NamedAttribute i64s(llvm::StringRef name, llvm::ArrayRef<int64_t> values) {
    return named(name, b.getDenseI64ArrayAttr(values));
  }

  // --- Diagnostics ----------------------------------------------------------
  mlir::InFlightDiagnostic error() { return mlir::emitError(loc); }
  mlir::LogicalResult fail(const llvm::Twine &message) {
    error() << message;
    return mlir::failure();
  }
  /// For attribute values edgec does not implement.
  mlir::LogicalResult unsupported(llvm::StringRef attrName, const llvm::Twine &value);

private:
  /// setOutput, with dim `runTimeDim` (if >= 0) left out of the check
  /// against ONNX's shapes.
  mlir::LogicalResult defineOutput(size_t i, mlir::Value value, int64_t runTimeDim);
  std::string sizeOrigin() const;
  GraphImporter &importer;
};

/// Normalises an ONNX axis in [-rank, rank) to [0, rank); fails when out of
/// range.
mlir::FailureOr<int64_t> normaliseAxis(NodeContext &ctx, int64_t axis, int64_t rank);

/// One row of the op table: ONNX op type, the opset range the builder
/// implements, the builder, and what of the op it does not take (for
/// `edgec ops` and docs/results/onnx-ops.md; "" when it takes all).
struct OpEntry {
  const char *opType;
  int64_t sinceOpset;
  int64_t untilOpset;
  mlir::LogicalResult (*build)(NodeContext &ctx);
  const char *limits = "";
};

/// ONNX's training domain: of it, edgec imports Gradient (Gradient.cpp).
inline constexpr const char *kTrainingDomain = "ai.onnx.preview.training";

/// The table of every ONNX op the importer supports (OpTable.cpp).
llvm::ArrayRef<OpEntry> opTable();
const OpEntry *findOp(llvm::StringRef opType, int64_t opset);
/// Why edgec does not take ONNX op `opType` by design ("" when it just
/// has not been implemented): said where a model uses it.
llvm::StringRef refusalReason(llvm::StringRef opType);
/// If, Loop and Scan: built by the importer itself (ControlFlow.cpp), rows
/// without a builder for `edgec ops` and importsNode.
llvm::ArrayRef<OpEntry> controlFlowOps();
/// Whether the importer takes `node` of a model of default-domain opset
/// `opset`, before ONNX's converter has made it opset kTargetOpset (which
/// renames Upsample and Scatter): nothing of ONNX runs on an op edgec lacks.
bool importsNode(const onnx::NodeProto &node, int64_t opset);

/// Adds the names `graph` defines (its inputs, initializers and node
/// outputs) to `names`.
void addDefinedNames(const onnx::GraphProto &graph, std::set<std::string> &names);

/// The location of a node's diagnostics: its name ("#index" when it has
/// none) and op type, in `file`.
mlir::Location onnxNodeLoc(mlir::Location file, const onnx::NodeProto &node, size_t index);

/// ONNX data type -> MLIR element type (null when unsupported).
mlir::Type elementTypeFor(mlir::MLIRContext *ctx, int32_t onnxType);
/// A TensorProto (initializer or attribute) as a constant attribute.
mlir::FailureOr<mlir::ElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                                 mlir::MLIRContext *ctx, mlir::Location loc,
                                                 llvm::StringRef resourceName);

} // namespace edgec::onnx_import

#endif
