//===- GraphOps.h - edgec graph dialect -------------------------*- C++ -*-===//
#ifndef EDGEC_DIALECTS_GRAPH_GRAPHOPS_H
#define EDGEC_DIALECTS_GRAPH_GRAPHOPS_H

// ODS output needs these before it is included.
#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/graph/GraphDialect.h.inc"

namespace edgec::graph {
/// Ops that compute nothing (GraphInterfaces.td's MovesData).
template <typename ConcreteType>
class MovesData : public mlir::OpTrait::TraitBase<ConcreteType, MovesData> {};

/// The default cost (CostOpInterface): one operation per result element
/// and per window tap; 0 for an op that MovesData.
int64_t pointwiseFlops(mlir::Operation *op);

/// `axis` is in [0, rank of op's first operand).
llvm::LogicalResult verifyAxis(mlir::Operation *op, int64_t axis);
} // namespace edgec::graph

#include "dialects/graph/GraphInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/graph/GraphOps.h.inc"

#include "dialects/graph/ShapeInference.h"

#endif // EDGEC_DIALECTS_GRAPH_GRAPHOPS_H
