//===- Passes.h - edgec passes ---------------------------------*- C++ -*-===//
#ifndef EDGEC_PASSES_PASSES_H
#define EDGEC_PASSES_PASSES_H

#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <set>
#include <string>
#include <vector>

namespace edgec {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The graph-level optimisation pipeline run by `edgec import --optimize`
/// and registered as `edgec-optimize-graph`.
void buildGraphOptimizationPipeline(mlir::OpPassManager &pm);

/// Calibrated float graph -> int8 kernels: edgec-insert-qdq,
/// edgec-propagate-quant, edgec-fuse-quantized-ops and clean-up.
void buildQuantizationPipeline(mlir::OpPassManager &pm, bool perChannel);

/// Weight-only int4 (edgec-quantize-weights-int4) and clean-up.
void buildInt4WeightPipeline(mlir::OpPassManager &pm, int64_t groupSize);
/// Weight-only int8 (edgec-quantize-weights-int8) and clean-up.
void buildInt8WeightPipeline(mlir::OpPassManager &pm);

/// The graph ops edgec-convert-graph-to-linalg has a lowering for (sorted
/// names), for the test that every op has one.
std::vector<std::string> graphOpsLoweredToLinalg();

/// Registers every edgec pass and pipeline with MLIR's global registry.
void registerAllPasses();

/// The ONNX node an op came from: the outermost name of its location (the
/// importer's NameLoc(node, NameLoc(op type, file)), possibly fused); ""
/// when there is none.
std::string onnxNodeName(mlir::Location loc);

/// Every ONNX node `op` carries work of: its own and, after fusion, those of
/// the ops in its body (elementwise fusion keeps their locations there).
std::set<std::string> onnxNodesIn(mlir::Operation *op);

} // namespace edgec

#endif
