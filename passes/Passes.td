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

def ShareRepeatedHeadsPass : Pass<"edgec-share-repeated-heads", "::mlir::func::FuncOp"> {
  let summary = "Grouped-query attention without repeating K/V heads: the query heads of a group "
                "share one K/V head in a matmul";
  let description = [{
    A matmul whose right operand (or its transpose in the last two dims) is
    K/V heads repeated for groups of query heads -- reshape([.., kv, g, R, C]
    -> [.., kv * g, R, C]) of an expand of [.., kv, 1, R, C], as Hugging
    Face's repeat_kv exports it -- becomes a matmul of the left operand with
    each group's g heads stacked as rows ([.., kv, g * M, K]) by the K/V
    heads themselves, reshaped back. The same values, without the copy of
    the repeated heads.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def EliminateDeadCodePass : Pass<"edgec-eliminate-dead-code", "::mlir::func::FuncOp"> {
  let summary = "Erase side-effect-free ops whose results are unused";
}

def ChainStateUpdatesPass : Pass<"edgec-chain-state-updates", "::mlir::func::FuncOp"> {
  let summary = "Rewrite a state output that restacks updated slices of its input into a chain of "
                "update_slice ops on the input";
  let description = [{
    For each argument with `graph.state_output = r` (the driver's `--state
    IN=OUT`): when result r is a concat of reshaped scatters, each updating
    a slice of the argument (a Gather of one constant index, or a unit-step
    slice) in concat order, the scatters read their slices from the chain
    X_k+1 = update_slice(X_k, U_k) rooted at the argument instead, and
    result r is the last X. The values are the same; bufferised with the
    argument writable, the updates happen in its buffer.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def StateInPlacePass : Pass<"edgec-state-in-place", "::mlir::func::FuncOp"> {
  let summary = "Give a state output the buffer its input was updated in: copy the input into the "
                "output (unless the caller passed one buffer for both) and work in the output";
  let description = [{
    Runs after buffer-results-to-out-params. For each argument with
    `graph.state_output = r`, the function must end by copying that
    argument into out-param r (bufferisation updated the argument in
    place). The copy goes; instead the function starts by copying the
    argument into the out-param when the two pointers differ, and every use
    of the argument uses the out-param. So the caller may pass one buffer as
    both (updated in place, nothing copied), or two (the input is only
    read). Fails, naming the output, when the state was not updated in
    place.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def ConvertGraphToLinalgPass : Pass<"edgec-convert-graph-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower graph ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Elementwise ops become one linalg.generic each, with numpy broadcasting
    in the indexing maps; convolutions, pools, matmuls and reductions are
    generics over their windows; data movement uses tensor reshapes and
    slices; LSTMs are unrolled over their static sequence. An op without a
    lowering is an error at its location (the ONNX node).

    Constant conv weights are stored output channel last; with
    `panel-lanes`/`panel-width` set (the target's vector lanes and its
    kernels' block width in output channels), in panels of that many output
    channels, `[C_out/P, C_in, k.., P]`, so a kernel block's weights are
    one contiguous stream.
  }];
  let options = [
    Option<"panelLanes", "panel-lanes", "int64_t", /*default=*/"0",
           "Vector lanes of the target's kernels (0: no weight panels)">,
    Option<"panelWidth", "panel-width", "int64_t", /*default=*/"0",
           "Output channels per weight panel at most (a multiple of panel-lanes)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::quant::QuantDialect", "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def PlanMemoryPass : Pass<"edgec-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Place every intermediate buffer at a compile-time offset in one arena";
  let description = [{
    Replaces each `memref.alloc` of the (bufferised) function by a
    `memref.view` into a new last argument, the arena, `memref<Nxi8>`.
    Lifetimes come from the order of ops; placement is greedy by size (as
    TFLite Micro's planner) with in-place reuse for elementwise generics whose
    input dies there. Records `edgec.arena_bytes` (peak), the naive sum
    `edgec.arena_naive_bytes` and the lower bound (most bytes alive at once)
    `edgec.arena_lower_bound_bytes` on the function.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"16",
           "Byte alignment of every buffer in the arena">,
    Option<"reuse", "reuse", "bool", /*default=*/"true",
           "Share memory between buffers whose lifetimes do not overlap (off: every "
           "buffer gets its own bytes, for debugging)">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def ApproximateMathPass : Pass<"edgec-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Replace transcendental math ops by polynomial approximations";
  let description = [{
    exp, log, tanh, erf, ... become arithmetic (MLIR's polynomial
    approximations), and powf becomes exp(y * log(x)) after algebraic
    simplification (x^2 -> x * x), so generated code needs no libm. The
    fused multiply-adds of the approximations become contractable mulf/addf,
    which LLVM fuses only where the cpu has FMA (no fmaf calls).

    Targets whose FPU cannot round or take square roots (Cortex-M4's FPv4,
    Hexagon, soft-float RISC-V) would get calls to libm's floorf/sqrtf from
    LLVM; `expand-rounding` turns floor/ceil/trunc/round/roundeven into
    exact integer-conversion sequences and `expand-sqrt` turns f32 sqrt into
    a reciprocal square root refined by Newton steps (within 2 ulp);
    `expand-min-max` (f32) and `expand-wide-min-max` (f16, f64) turn the
    NaN-propagating maximumf/minimumf into compares and selects: LLVM would
    call libm's fmaximum for f16/f64 on 32-bit cpus (for f32 too without an
    FPU), or fail to select f64 ones on 32-bit Arm.
  }];
  let options = [
    Option<"expandRounding", "expand-rounding", "bool", /*default=*/"false",
           "Expand f32 floor/ceil/trunc/round/roundeven into arithmetic">,
    Option<"expandSqrt", "expand-sqrt", "bool", /*default=*/"false",
           "Expand f32 sqrt into arithmetic">,
    Option<"expandMinMax", "expand-min-max", "bool", /*default=*/"false",
           "Expand f32 maximumf/minimumf into compares and selects">,
    Option<"expandWideMinMax", "expand-wide-min-max", "bool", /*default=*/"false",
           "Expand f16 and f64 maximumf/minimumf into compares and selects">,
  ];
  let dependentDialects = ["::mlir::math::MathDialect", "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowerCopiesPass : Pass<"edgec-lower-copies", "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy, so copies become loops";
  let description = [{
    memref.copy between buffers with strided layouts lowers to a call of
    MLIR's runtime `memrefCopy`, which no edge device has. As linalg.copy it
    becomes plain loops with the other linalg ops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ExportEntryPass : Pass<"edgec-export-entry", "::mlir::ModuleOp"> {
  let summary = "Make the model function the artifact's C entry point";
  let description = [{
    Renames `@main` to `@<name>_run` and makes it return `i32` 0 (the C
    API's status), after bufferisation and memory planning have turned it
    into `(inputs..., outputs..., arena)`. Other functions become private.
  }];
  let options = [
    Option<"name", "name", "std::string", /*default=*/"\"model\"",
           "Prefix of the C symbols (--name)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def OutlineLayersPass : Pass<"edgec-outline-layers", "::mlir::ModuleOp"> {
  let summary = "Put each layer's loops into a function of its own; identical layers share one";
  let description = [{
    Each run of loop nests (ops with regions) in a public function that
    comes from one ONNX node (the location's name) becomes a private
    function `<entry>_<node>`, internal to the object and never inlined,
    called where the loops were. Its arguments are the contiguous buffers
    and non-constant values the loops read; constants and strided views of
    the buffers are recomputed inside. A layer whose function is identical
    to an earlier one (same shapes, other weights or buffers) calls that one
    instead.

    Why: LLVM's optimisation and code generation grow faster than linearly
    with function size and work on one function at a time; a profile then
    names the layer; repeated blocks are compiled (and stored) once.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect"];
}

def FuseElementwisePass : Pass<"edgec-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops, never recomputing a producer per reduction step";
  let description = [{
    `linalg-fuse-elementwise-ops` with one difference: a single-use
    elementwise producer is fused into a consumer that has reduction loops
    only if the consumer reads each of its elements once (a permutation
    indexing map). Otherwise an activation before a conv, pool or matmul
    would be recomputed for every multiply-accumulate that reads it.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect"];
}

def VectorizeContractionsPass : Pass<"edgec-vectorize-contractions", "::mlir::func::FuncOp"> {
  let summary = "Register-blocked, vectorised loops for conv, matmul and gemm";
  let description = [{
    A `linalg.generic` on buffers computing `out += a * b` (float) becomes
    loops whose innermost block keeps `rows` x `vectors` accumulators of
    `vector-bits` each in registers: along the output's contiguous dim in
    vectors (masked at the end), along a second parallel dim ("rows", chosen
    so that the vector operand is reused across rows, e.g. a conv's output
    channel) in broadcasts. Each output is summed in the original reduction
    order. `vector-bits=0` blocks scalars (MCUs without float SIMD).

    The elementwise generic that fills the output just before (a bias) and
    the one that reads it just after (an activation, int8 requantisation)
    are evaluated on the accumulators in registers; an intermediate
    accumulator buffer read by nothing else is then dropped.

    int8 x int8 -> int32 contractions with `dot-product=x86-pmaddwd` take
    a reduction dim two steps at a time: both steps' operands are
    interleaved as 16-bit lanes and one `pmaddwd` multiplies them and adds
    each pair into an int32 lane. With `dot-product=arm-sdot`, four steps
    at a time as int8 lanes, summed into each int32 lane by `sdot`.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Width of the float vector registers (0 = scalar)">,
    Option<"rows", "rows", "unsigned", /*default=*/"4",
           "Rows of accumulators in the register block">,
    Option<"vectors", "vectors", "unsigned", /*default=*/"2",
           "Vectors of accumulators per row">,
    Option<"dotProduct", "dot-product", "std::string", /*default=*/"\"\"",
           "The target's int8 dot-product instruction for int8 x int8 -> int32 "
           "kernels: x86-pmaddwd, arm-sdot, or empty (a multiply-add per element)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::LLVM::LLVMDialect"];
}

def ConvertVectorToLLVMPass : Pass<"edgec-convert-vector-to-llvm", "::mlir::ModuleOp"> {
  let summary = "Vector ops to the LLVM dialect with the target's index width";
  let description = [{
    MLIR's `convert-vector-to-llvm` computes addresses in 64-bit whatever the
    other conversions use; this one takes `index-bitwidth` like them, so
    32-bit targets get 32-bit address arithmetic for vector loads too.
  }];
  let options = [
    Option<"indexBitwidth", "index-bitwidth", "unsigned", /*default=*/"64",
           "Bit width of index values">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def InsertQDQPass : Pass<"edgec-insert-qdq", "::mlir::func::FuncOp"> {
  let summary = "Quantise convs, gemms and matmuls from calibrated ranges as Q/DQ pairs";
  let description = [{
    For each conv/gemm/matmul with constant f32 weights whose input and
    output carry a calibrated `edgec.range`: the input and the output (after
    a relu or clip the kernel absorbs) go through int8 quantize ->
    dequantize, the weight becomes a symmetric int8 constant (per output
    channel, or per tensor) -> dequantize. The graph still computes in
    float; edgec-fuse-quantized-ops makes integer kernels of it.
  }];
  let options = [
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "One weight scale per output channel (else one per tensor)">,
  ];
  let statistics = [
    Statistic<"numQuantised", "quantised", "Kernels quantised">,
    Statistic<"numLeftFloat", "left-float", "Kernels left in float (no range, or weights not constant)">,
  ];
  let dependentDialects = ["::edgec::graph::GraphDialect", "::mlir::quant::QuantDialect"];
}

def PropagateQuantPass : Pass<"edgec-propagate-quant", "::mlir::func::FuncOp"> {
  let summary = "Move dequantize past layout ops and cancel quantize(dequantize(x))";
  let description = [{
    `reshape / transpose / max_pool (dequantize(q))` becomes
    `dequantize(op(q))` for per-tensor q: these ops move or select values,
    so they run on the stored int8 directly. `quantize(dequantize(q))` to
    q's own type is q; to another type it stays, as a requantisation.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def FuseQuantizedOpsPass : Pass<"edgec-fuse-quantized-ops", "::mlir::func::FuncOp"> {
  let summary = "Turn dequantize -> conv/gemm/matmul (-> relu/clip) -> quantize into integer kernels";
  let description = [{
    `quantize(act(conv(dequantize(x), dequantize(w), b)))` with per-tensor x
    and result and symmetric w becomes `graph.qconv(x, w, int32 bias)`,
    the activation (relu or clip) becoming the kernel's clamp in stored
    integers; gemm and 2-d-weight matmul become `graph.qmatmul` (a
    transposed constant weight is stored transposed). Works alike for
    edgec's own quantisation and for imported QDQ models.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def QuantizeWeightsInt4Pass : Pass<"edgec-quantize-weights-int4", "::mlir::func::FuncOp"> {
  let summary = "Weight-only int4: conv/gemm/matmul weights as packed nibbles with group scales";
  let description = [{
    Constant f32 weights become two signed int4 per byte with one f16 scale
    per `group-size` consecutive weights of an output channel (symmetric,
    max |w| / 7), read through graph.dequantize_int4, which the kernel
    decodes as it reads. Activations stay float.
  }];
  let options = [
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Weights per scale, along each output channel's reduction">,
  ];
  let statistics = [
    Statistic<"numQuantised", "quantised", "Weights stored as int4">,
  ];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

def QuantizeWeightsInt8Pass : Pass<"edgec-quantize-weights-int8", "::mlir::func::FuncOp"> {
  let summary = "Weight-only int8: conv/gemm/matmul weights as int8 with one scale per output channel";
  let description = [{
    Constant f32 weights become symmetric int8 (max |w| / 127 per output
    channel) read through a graph.dequantize marked `edgec.decode_weights`,
    which the lowering decodes inside the kernel reading the weights. A
    matmul's [K, N] weight is stored as [N, K] and transposed back in the
    graph, so each output's weights are contiguous. Activations stay float.
  }];
  let statistics = [
    Statistic<"numQuantised", "quantised", "Weights stored as int8">,
  ];
  let dependentDialects = ["::edgec::graph::GraphDialect", "::mlir::quant::QuantDialect"];
}

def QuantizedIOPass : Pass<"edgec-quantized-io", "::mlir::func::FuncOp"> {
  let summary = "int8 inputs and outputs: drop @main's first quantize and last dequantize";
  let description = [{
    An argument used only by per-tensor `graph.quantize` ops of one type
    takes that type; a result made by a per-tensor `graph.dequantize` is
    returned before it. The C API then passes the stored integers, and the
    header carries their scale and zero point.
  }];
  let dependentDialects = ["::edgec::graph::GraphDialect"];
}

#endif // EDGEC_PASSES
