//===- NpuOps.td - edgec npu dialect -------------------------*- tablegen -*-===//
//
// The npu dialect marks what runs on edgec's NPU (docs/design/npu.md) and how the
// CPU code hands it over:
//
//   npu.subgraph  a connected group of graph ops the NPU supports, chosen by
//                 edgec-npu-partition; its body is still the graph ops.
//   npu.submit    the subgraph compiled (edgec-npu-compile): a command
//                 stream and the NPU's constants, the inputs it reads and the
//                 buffers it writes. The CPU code calls the driver with them.
//
//===----------------------------------------------------------------------===//

#ifndef EDGEC_NPU_OPS
#define EDGEC_NPU_OPS

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Npu_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::edgec::npu";
  let summary = "Work handed to edgec's NPU";
}

class Npu_Op<string mnemonic, list<Trait> traits = []> : Op<Npu_Dialect, mnemonic, traits>;

def Npu_SubgraphOp : Npu_Op<"subgraph", [IsolatedFromAbove, SingleBlock]> {
  let summary = "Graph ops the NPU will run, as one unit";
  let description = [{
    The body's arguments are the operands; `npu.yield` gives the results.
    The ops inside are graph-dialect int8 ops in their usual NCHW
    semantics; edgec-npu-compile chooses the NPU's layout.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body";
  let hasVerifier = 1;
}

def Npu_YieldOp : Npu_Op<"yield", [Pure, Terminator, HasParent<"SubgraphOp">]> {
  let summary = "The results of an npu.subgraph";
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

def Npu_SubmitOp : Npu_Op<"submit", [DestinationStyleOpInterface, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Run a command stream on the NPU";
  let description = [{
    `stream` holds the command stream's words (runtime-stub/npu/edgec_npu.h)
    and `constants` the NPU's weights and parameters (binding 0); `inputs`
    are bindings 1.. and `outputs` the bindings after them, in order: the
    stream's DMA commands name them by these numbers. Inputs and outputs
    are int8 maps in the NPU's layout (NHWC). On tensors it returns the
    outputs; on buffers it writes them.
  }];
  let arguments = (ins AnyShaped:$stream, AnyShaped:$constants, Variadic<AnyShaped>:$inputs,
                   Variadic<AnyShaped>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $stream `,` $constants (`ins` `(` $inputs^ `:` type($inputs) `)`)? `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict `:` type($stream) `,` type($constants) (`->` type($results)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getOutputsMutable(); }
  }];
  let hasVerifier = 1;
}

#endif // EDGEC_NPU_OPS
