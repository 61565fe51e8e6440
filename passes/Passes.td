//===- Passes.td - edgec passes ----------------------------*- tablegen -*-===//
#ifndef EDGEC_PASSES
#define EDGEC_PASSES

include "mlir/Pass/PassBase.td"

def FoldConstantsPass : Pass<"edgec-fold-constants", "::mlir::func::FuncOp"> {
  let summary = "Evaluate graph ops whose operands are all constants";
  let description = [{
    Runs the graph dialect's folders to a fixed point: ops on constants become
    constants (shape arithmetic, transposed or reshaped weights), identity
    reshapes, transposes and casts disappear, and equal constants are merged.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def FoldBatchNormPass : Pass<"edgec-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batch normalisation into the preceding conv or gemm";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant W, b and BN parameters becomes
    `conv(x, W * s, (b - mean) * s + bias)` with `s = scale / sqrt(var + eps)`
    per output channel; the same for `gemm` whose output channels are dim 1.
    The conv or gemm must have no other user.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def FoldReshapesPass : Pass<"edgec-fold-reshapes", "::mlir::func::FuncOp"> {
  let summary = "Canonicalise and fold chains of reshapes and transposes";
  let description = [{
    flatten, squeeze and unsqueeze become `graph.reshape`; a reshape of a
    reshape becomes one reshape; a transpose of a transpose becomes one
    transpose (or nothing); a transpose that only moves size-1 dims becomes a
    reshape.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def EliminateDeadCodePass : Pass<"edgec-eliminate-dead-code", "::mlir::func::FuncOp"> {
  let summary = "Erase side-effect-free ops whose results are unused";
}

#endif // EDGEC_PASSES
