//===- NpuPasses.td - the NPU plug-in's passes ----------------*- tablegen -*-===//
//
// The NPU is a target plug-in (targets/npu): its dialect, these passes and
// its back end live there; TargetInfo's hooks put the passes in the
// pipeline of `--target npu` and register them with edgec-opt.
//
//===----------------------------------------------------------------------===//

#ifndef EDGEC_NPU_PASSES
#define EDGEC_NPU_PASSES

include "mlir/Pass/PassBase.td"

def NpuPartitionPass : Pass<"edgec-npu-partition", "::mlir::func::FuncOp"> {
  let summary = "Group the int8 ops the NPU supports into npu.subgraph ops";
  let description = [{
    Convs (dense and depthwise), matmuls with constant weights, max pools,
    residual adds (dequantize-add-quantize, a ReLU included) and average
    pools between int8 maps are NPU layers; runs of them with no CPU op in
    between become one `npu.subgraph`, whose results replace theirs. Runs
    of fewer than `min-macs` multiply-adds stay on the CPU: a submission
    costs a DMA round trip and the CPU's layout changes, more than the NPU
    saves on a small layer.
  }];
  let options = [
    Option<"minMacs", "min-macs", "int64_t", /*default=*/"16384",
           "Smallest subgraph (multiply-adds) worth running on the NPU">,
  ];
  let dependentDialects = ["::edgec::npu::NpuDialect", "::edgec::graph::GraphDialect"];
}

def NpuCompilePass : Pass<"edgec-npu-compile", "::mlir::func::FuncOp"> {
  let summary = "Compile each npu.subgraph to a command stream and submit it";
  let description = [{
    Each `npu.subgraph` becomes the NPU's command stream and constants
    (targets/npu/NpuCodegen: SRAM plan, weight streaming) and an
    `npu.submit` of them, with the CPU transposing its int8 maps between
    NCHW and the NPU's NHWC at the boundary. `config` is an NPU
    configuration file (docs/design/npu.md), empty for the defaults.
  }];
  let options = [
    Option<"config", "config", "std::string", /*default=*/"\"\"", "NPU configuration file">,
  ];
  let dependentDialects = ["::edgec::npu::NpuDialect", "::edgec::graph::GraphDialect",
                           "::mlir::tensor::TensorDialect", "::mlir::quant::QuantDialect"];
}

def LowerNpuSubmitPass : Pass<"edgec-lower-npu-submit", "::mlir::ModuleOp"> {
  let summary = "Turn npu.submit on buffers into a call of the NPU driver";
  let description = [{
    After edgec-export-entry: each `npu.submit` becomes a call of
    `int edgec_npu_submit(stream, words, bindings, binding_bytes, count)`
    (runtime-stub/npu/edgec_npu.h) with the buffers' addresses and sizes in
    arrays on the stack; the entry function returns the first non-zero
    status a submission gave.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // EDGEC_NPU_PASSES
