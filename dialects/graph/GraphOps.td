//===- GraphOps.td - edgec graph dialect ----------------------*- tablegen -*-===//
//
// The graph dialect holds a model at the level of abstraction of ONNX: one op
// per ONNX operator, on statically shaped ranked tensors. The importer
// normalises every attribute (explicit pads, non-negative axes, constant shape
// operands turned into attributes), so passes never re-derive ONNX defaults.
//
// Result types are inferred (InferTypeOpAdaptor): the inference functions in
// ShapeInference.cpp are also the verifiers, because the InferTypeOpInterface
// verifier checks that the stated result types equal the inferred ones.
//
//===----------------------------------------------------------------------===//

#ifndef EDGEC_GRAPH_OPS
#define EDGEC_GRAPH_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "dialects/graph/GraphInterfaces.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::edgec::graph";
  let summary = "Model-level tensor operations at ONNX level of abstraction";
  let description = [{
    Ops of a trained model on static ranked tensors. Weights are
    `graph.constant` ops holding dense resource attributes.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 1;
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

// Every op whose result type follows from its operands and attributes. The
// C++ function `infer<Kind>` in ShapeInference.cpp does the work.
class Graph_InferredOp<string mnemonic, string kind, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor], traits)> {
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::edgec::graph::infer}] # kind # [{(context, location, adaptor, types);
    }
  }];
}

def Graph_Tensor : RankedTensorOf<[AnyType]>;
def Graph_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Graph_IndexTensor : RankedTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Constants and control flow
//===----------------------------------------------------------------------===//

def Graph_ConstantOp : Graph_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "output"]>, Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "A constant tensor (weights are dense resources)";
  let arguments = (ins TypedAttrInterface:$value);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasVerifier = 1;
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, ::llvm::cast<::mlir::TensorType>(value.getType()), value);
    }]>
  ];
}

def Graph_IfOp : Graph_Op<"if", [RecursiveMemoryEffects, NoRegionArguments,
    SingleBlockImplicitTerminator<"YieldOp">, Graph_PointwiseCost]> {
  let summary = "ONNX If whose condition is only known at run time";
  let arguments = (ins RankedTensorOf<[I1]>:$condition);
  let results = (outs Variadic<Graph_Tensor>:$outputs);
  let regions = (region SizedRegion<1>:$then_branch, SizedRegion<1>:$else_branch);
  let assemblyFormat = [{
    $condition `:` type($condition) (`->` type($outputs)^)?
      $then_branch `else` $else_branch attr-dict
  }];
  let hasVerifier = 1;
}

def Graph_YieldOp : Graph_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"IfOp">]> {
  let summary = "Ends a branch of graph.if";
  let arguments = (ins Variadic<Graph_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, ::mlir::ValueRange()); }]>];
}

def Graph_OnnxOp : Graph_Op<"onnx", [Graph_PointwiseCost]> {
  let summary = "An ONNX node, left to the ONNX importer's op table";
  let description = [{
    Another frontend (edgec-torch) writes a node the ONNX importer already
    decomposes (GRU, RNN, ConvTranspose, ...) as `graph.onnx "GRU"(...)`,
    with ONNX's inputs (optional ones only at the end) and attributes. It
    is expanded when the file is read (compiler/onnx/ExpandOnnxOps.cpp), by
    the same builder an ONNX model's node goes through, so each op is
    decomposed in one place; nothing after loading sees it.
  }];
  let arguments = (ins StrAttr:$op_type, DictionaryAttr:$onnx_attributes, Variadic<Graph_Tensor>:$inputs);
  let results = (outs Variadic<Graph_Tensor>:$outputs);
  let assemblyFormat = "$op_type `(` $inputs `)` $onnx_attributes attr-dict `:` functional-type($inputs, results)";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Graph_UnaryOp<string mnemonic, string summaryText, dag extraArgs = (ins)>
    : Graph_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface, Graph_PointwiseCost]> {
  let summary = summaryText;
  let arguments = !con((ins Graph_Tensor:$input), extraArgs);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Graph_ReluOp : Graph_UnaryOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}
def Graph_SigmoidOp : Graph_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Graph_TanhOp : Graph_UnaryOp<"tanh", "hyperbolic tangent">;
def Graph_ExpOp : Graph_UnaryOp<"exp", "e^x">;
def Graph_LogOp : Graph_UnaryOp<"log", "natural logarithm">;
def Graph_SqrtOp : Graph_UnaryOp<"sqrt", "square root">;
def Graph_NegOp : Graph_UnaryOp<"neg", "-x"> {
  let hasFolder = 1;
}
def Graph_AbsOp : Graph_UnaryOp<"abs", "|x|"> {
  let hasFolder = 1;
}
def Graph_ErfOp : Graph_UnaryOp<"erf", "error function">;
def Graph_HardSwishOp : Graph_UnaryOp<"hard_swish", "x * max(0, min(1, x/6 + 1/2))">;
def Graph_LeakyReluOp : Graph_UnaryOp<"leaky_relu", "x < 0 ? alpha * x : x",
    (ins F32Attr:$alpha)>;
def Graph_HardSigmoidOp : Graph_UnaryOp<"hard_sigmoid",
    "max(0, min(1, alpha * x + beta))", (ins F32Attr:$alpha, F32Attr:$beta)>;
def Graph_ClipOp : Graph_UnaryOp<"clip", "min(max(x, min), max); absent bounds are unbounded",
    (ins OptionalAttr<F32Attr>:$min, OptionalAttr<F32Attr>:$max)>;

def Graph_FloorOp : Graph_UnaryOp<"floor", "round down"> {
  let hasFolder = 1;
}
def Graph_CeilOp : Graph_UnaryOp<"ceil", "round up"> {
  let hasFolder = 1;
}
def Graph_RoundOp : Graph_UnaryOp<"round", "round half to even">;
def Graph_ReciprocalOp : Graph_UnaryOp<"reciprocal", "1 / x">;
def Graph_SignOp : Graph_UnaryOp<"sign", "-1, 0 or 1">;
def Graph_SinOp : Graph_UnaryOp<"sin", "sine">;
def Graph_CosOp : Graph_UnaryOp<"cos", "cosine">;
def Graph_TanOp : Graph_UnaryOp<"tan", "tangent">;
def Graph_AsinOp : Graph_UnaryOp<"asin", "arcsine">;
def Graph_AcosOp : Graph_UnaryOp<"acos", "arccosine">;
def Graph_AtanOp : Graph_UnaryOp<"atan", "arctangent">;
def Graph_SinhOp : Graph_UnaryOp<"sinh", "hyperbolic sine">;
def Graph_CoshOp : Graph_UnaryOp<"cosh", "hyperbolic cosine">;
def Graph_AsinhOp : Graph_UnaryOp<"asinh", "inverse hyperbolic sine">;
def Graph_AcoshOp : Graph_UnaryOp<"acosh", "inverse hyperbolic cosine">;
def Graph_AtanhOp : Graph_UnaryOp<"atanh", "inverse hyperbolic tangent">;
def Graph_SoftplusOp : Graph_UnaryOp<"softplus", "log(1 + exp(x))">;
def Graph_SoftsignOp : Graph_UnaryOp<"softsign", "x / (1 + |x|)">;
def Graph_NotOp : Graph_UnaryOp<"not", "logical not of i1">;
def Graph_EluOp : Graph_UnaryOp<"elu", "x < 0 ? alpha * (exp(x) - 1) : x", (ins F32Attr:$alpha)>;
def Graph_CeluOp : Graph_UnaryOp<"celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
    (ins F32Attr:$alpha)>;
def Graph_SeluOp : Graph_UnaryOp<"selu", "gamma * (x <= 0 ? alpha * (exp(x) - 1) : x)",
    (ins F32Attr:$alpha, F32Attr:$gamma)>;
def Graph_ThresholdedReluOp : Graph_UnaryOp<"thresholded_relu", "x > alpha ? x : 0",
    (ins F32Attr:$alpha)>;

def Graph_CastOp : Graph_InferredOp<"cast", "Cast", [Graph_PointwiseCost]> {
  let summary = "Element type conversion (ONNX Cast)";
  let arguments = (ins Graph_Tensor:$input, TypeAttr:$to);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

class Graph_BinaryOp<string mnemonic, string summaryText, string kind = "Broadcast">
    : Graph_InferredOp<mnemonic, kind, [Graph_PointwiseCost]> {
  let summary = summaryText # " with numpy broadcasting";
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_AddOp : Graph_BinaryOp<"add", "lhs + rhs">;
def Graph_SubOp : Graph_BinaryOp<"sub", "lhs - rhs">;
def Graph_MulOp : Graph_BinaryOp<"mul", "lhs * rhs">;
def Graph_DivOp : Graph_BinaryOp<"div", "lhs / rhs">;
def Graph_PowOp : Graph_BinaryOp<"pow", "lhs ^ rhs">;
def Graph_MaxOp : Graph_BinaryOp<"max", "max(lhs, rhs)">;
def Graph_MinOp : Graph_BinaryOp<"min", "min(lhs, rhs)">;
def Graph_ModOp : Graph_BinaryOp<"mod", "lhs mod rhs with the sign of rhs (integers; Python's %)">;
def Graph_FmodOp : Graph_BinaryOp<"fmod", "lhs mod rhs with the sign of lhs (C's fmod)">;
def Graph_ShiftLeftOp : Graph_BinaryOp<"shift_left", "lhs << rhs (unsigned integers)">;
def Graph_ShiftRightOp : Graph_BinaryOp<"shift_right", "lhs >> rhs (unsigned integers)">;
def Graph_EqualOp : Graph_BinaryOp<"equal", "lhs == rhs (i1 result)", "Compare">;
def Graph_LessOp : Graph_BinaryOp<"less", "lhs < rhs (i1 result)", "Compare">;
def Graph_LessOrEqualOp : Graph_BinaryOp<"less_or_equal", "lhs <= rhs (i1 result)", "Compare">;
def Graph_GreaterOp : Graph_BinaryOp<"greater", "lhs > rhs (i1 result)", "Compare">;
def Graph_GreaterOrEqualOp : Graph_BinaryOp<"greater_or_equal", "lhs >= rhs (i1 result)", "Compare">;
def Graph_AndOp : Graph_BinaryOp<"and", "logical and of i1">;
def Graph_OrOp : Graph_BinaryOp<"or", "logical or of i1">;
def Graph_XorOp : Graph_BinaryOp<"xor", "logical xor of i1">;
def Graph_PReluOp : Graph_BinaryOp<"prelu", "lhs < 0 ? rhs * lhs : lhs (rhs: slope)">;

def Graph_WhereOp : Graph_InferredOp<"where", "Where", [Graph_PointwiseCost]> {
  let summary = "condition ? lhs : rhs, with numpy broadcasting of all three";
  let arguments = (ins RankedTensorOf<[I1]>:$condition, Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def Graph_MatMulOp : Graph_InferredOp<"matmul", "MatMul", [Graph_OwnCost]> {
  let summary = "numpy.matmul (batched, broadcasting batch dims)";
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Graph_GemmOp : Graph_InferredOp<"gemm", "Gemm", [Graph_OwnCost]> {
  let summary = "alpha * op(A) * op(B) + beta * C (ONNX Gemm)";
  let arguments = (ins Graph_Tensor:$a, Graph_Tensor:$b, Optional<Graph_Tensor>:$c,
                   F32Attr:$alpha, F32Attr:$beta, BoolAttr:$trans_a, BoolAttr:$trans_b);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)";
}

def Graph_ConvOp : Graph_InferredOp<"conv", "Conv", [Graph_OwnCost]> {
  let summary = "N-d convolution, NC[spatial] layout (ONNX Conv)";
  let description = [{
    `pads` holds the begin pads of every spatial dim, then the end pads
    (ONNX order). `auto_pad` is resolved into explicit pads at import.
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$weight,
                   Optional<Graph_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def Graph_BatchNormOp : Graph_InferredOp<"batch_norm", "BatchNorm", [Graph_PointwiseCost]> {
  let summary = "Inference-mode batch normalisation over dim 1";
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$scale, Graph_Tensor:$bias,
                   Graph_Tensor:$mean, Graph_Tensor:$variance, F32Attr:$epsilon);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)";
}

def Graph_LSTMOp : Graph_InferredOp<"lstm", "LSTM", [AttrSizedOperandSegments, Graph_OwnCost]> {
  let summary = "ONNX LSTM (layout 0, gates iofc, default activations)";
  let description = [{
    X is [seq, batch, input]; W [dirs, 4*hidden, input]; R [dirs, 4*hidden,
    hidden]; B [dirs, 8*hidden]. Results Y [seq, dirs, batch, hidden] and the
    final hidden/cell states [dirs, batch, hidden].
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$weight, Graph_Tensor:$recurrence,
                   Optional<Graph_Tensor>:$bias, Optional<Graph_Tensor>:$initial_h,
                   Optional<Graph_Tensor>:$initial_c,
                   I64Attr:$hidden_size, StrAttr:$direction);
  let results = (outs Graph_Tensor:$y, Graph_Tensor:$y_h, Graph_Tensor:$y_c);
  let assemblyFormat = [{
    $input `,` $weight `,` $recurrence (`bias` $bias^)? (`initial_h` $initial_h^)?
      (`initial_c` $initial_c^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling, reductions, normalisation
//===----------------------------------------------------------------------===//

class Graph_PoolOp<string mnemonic, string summaryText, dag extraArgs>
    : Graph_InferredOp<mnemonic, "Pool", [Graph_PointwiseCost]> {
  let summary = summaryText;
  let arguments = !con((ins Graph_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode), extraArgs);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_MaxPoolOp : Graph_PoolOp<"max_pool", "Max pooling over spatial dims", (ins)>;
def Graph_AveragePoolOp : Graph_PoolOp<"average_pool", "Average pooling over spatial dims",
    (ins BoolAttr:$count_include_pad)>;

def Graph_GlobalAveragePoolOp : Graph_InferredOp<"global_average_pool", "GlobalPool", [Graph_OwnFlops]> {
  let summary = "Mean over all spatial dims, kept as size 1";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

class Graph_ReduceOp<string mnemonic, string summaryText>
    : Graph_InferredOp<mnemonic, "Reduce", [Graph_PointwiseCost]> {
  let summary = summaryText # " over `axes` (sorted, non-negative)";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ReduceMeanOp : Graph_ReduceOp<"reduce_mean", "Mean">;

// The index of the extreme element along one axis: the first, or with
// select_last_index the last, of equal ones.
class Graph_ArgOp<string mnemonic, string summaryText>
    : Graph_InferredOp<mnemonic, "Arg", [Graph_PointwiseCost]> {
  let summary = summaryText # " along `axis` (non-negative), as int64";
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis, BoolAttr:$keepdims, BoolAttr:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ArgMaxOp : Graph_ArgOp<"arg_max", "Index of the largest element">;
def Graph_ArgMinOp : Graph_ArgOp<"arg_min", "Index of the smallest element">;
def Graph_TopKOp : Graph_InferredOp<"top_k", "TopK", [Graph_OwnFlops]> {
  let summary = "The k largest (or smallest) elements along `axis` and their int64 indices, "
                "best first, equal values by index";
  let arguments = (ins Graph_Tensor:$input, I64Attr:$k, I64Attr:$axis, BoolAttr:$largest);
  let results = (outs Graph_Tensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_CumSumOp : Graph_Op<"cumsum", [Pure, SameOperandsAndResultType, InferTypeOpInterface,
                                         Graph_PointwiseCost]> {
  let summary = "Running sum along `axis`, in order (from the end when `reverse`); `exclusive` "
                "leaves out each element itself";
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis, BoolAttr:$exclusive, BoolAttr:$reverse);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::edgec::graph::verifyAxis(*this, static_cast<int64_t>(getAxis()));
    }
  }];
}

def Graph_ReduceMaxOp : Graph_ReduceOp<"reduce_max", "Maximum">;
def Graph_ReduceSumOp : Graph_ReduceOp<"reduce_sum", "Sum">;
def Graph_ReduceMinOp : Graph_ReduceOp<"reduce_min", "Minimum">;
def Graph_ReduceProdOp : Graph_ReduceOp<"reduce_prod", "Product">;
def Graph_ReduceSumSquareOp : Graph_ReduceOp<"reduce_sum_square", "Sum of squares">;
def Graph_ReduceL1Op : Graph_ReduceOp<"reduce_l1", "Sum of absolute values">;
def Graph_ReduceL2Op : Graph_ReduceOp<"reduce_l2", "Square root of the sum of squares">;
def Graph_ReduceLogSumOp : Graph_ReduceOp<"reduce_log_sum", "Log of the sum">;
def Graph_ReduceLogSumExpOp : Graph_ReduceOp<"reduce_log_sum_exp", "Log of the sum of exponentials">;

// Normalised along one axis (opset 13 semantics), the axis in [0, rank).
class Graph_SoftmaxLikeOp<string mnemonic, string summaryText>
    : Graph_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface, Graph_PointwiseCost]> {
  let summary = summaryText;
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::edgec::graph::verifyAxis(*this, static_cast<int64_t>(getAxis()));
    }
  }];
}

def Graph_SoftmaxOp : Graph_SoftmaxLikeOp<"softmax", "exp(x - max) / sum(exp(x - max)) along one axis">;
def Graph_LogSoftmaxOp : Graph_SoftmaxLikeOp<"log_softmax", "x - max - log(sum(exp(x - max))) along one axis">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_InferredOp<"reshape", "Reshape", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Reshape to a fully static shape";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_FlattenOp : Graph_InferredOp<"flatten", "Flatten", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Collapse dims [0, axis) and [axis, rank) into a 2-d tensor";
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_SqueezeOp : Graph_InferredOp<"squeeze", "Squeeze", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Remove the size-1 dims listed in `axes` (sorted, non-negative)";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_UnsqueezeOp : Graph_InferredOp<"unsqueeze", "Unsqueeze", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Insert size-1 dims at `axes` (positions in the result)";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_TransposeOp : Graph_InferredOp<"transpose", "Transpose", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Permute dims: output dim i is input dim perm[i]";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_ConcatOp : Graph_InferredOp<"concat", "Concat", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Concatenate along a non-negative axis";
  let arguments = (ins Variadic<Graph_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_SliceOp : Graph_InferredOp<"slice", "Slice", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Strided slice; starts/ends/steps given for every dim, clamped";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_UpdateSliceOp : Graph_InferredOp<"update_slice", "UpdateSlice",
    [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "dest with source written over the slice of source's shape at offsets (the inverse "
                "of a unit-step slice; a state updated in place, edgec-chain-state-updates)";
  let arguments = (ins Graph_Tensor:$dest, Graph_Tensor:$source, DenseI64ArrayAttr:$offsets);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$dest `,` $source attr-dict `:` functional-type(operands, results)";
}

def Graph_GatherOp : Graph_InferredOp<"gather", "Gather", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "ONNX Gather along a non-negative axis";
  let arguments = (ins Graph_Tensor:$input, Graph_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_GatherElementsOp : Graph_InferredOp<"gather_elements", "GatherElements",
    [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "ONNX GatherElements: output[i] = input[i with i[axis] = indices[i]]";
  let arguments = (ins Graph_Tensor:$input, Graph_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Graph_GatherNDOp : Graph_InferredOp<"gather_nd", "GatherND", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "ONNX GatherND: slices of the input at the index tuples in the last dim of indices";
  let arguments = (ins Graph_Tensor:$input, Graph_IndexTensor:$indices, I64Attr:$batch_dims);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Graph_ScatterElementsOp : Graph_InferredOp<"scatter_elements", "ScatterElements",
    [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "ONNX ScatterElements: the input with updates written (or combined by `reduction`: "
                "none, add, mul, max, min) at the indices along a non-negative axis";
  let arguments = (ins Graph_Tensor:$input, Graph_IndexTensor:$indices, Graph_Tensor:$updates,
                   I64Attr:$axis, StrAttr:$reduction);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_ScatterNDOp : Graph_InferredOp<"scatter_nd", "ScatterND", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "ONNX ScatterND: the input with update slices written (or combined by `reduction`) at "
                "the index tuples in the last dim of indices";
  let arguments = (ins Graph_Tensor:$input, Graph_IndexTensor:$indices, Graph_Tensor:$updates,
                   StrAttr:$reduction);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Graph_PadOp : Graph_InferredOp<"pad", "Pad", [Graph_PointwiseCost, Graph_MovesData]> {
  let summary = "Pad with begin pads of every dim, then end pads";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$pads, StrAttr:$mode,
                   F32Attr:$value);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ResizeOp : Graph_InferredOp<"resize", "Resize", [Graph_PointwiseCost]> {
  let summary = "ONNX Resize to a static output shape (cubic: Keys' kernel with cubic_coeff_a; "
                "exclude_outside renormalises the taps inside the input)";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$sizes,
                   DenseF32ArrayAttr:$scales, StrAttr:$mode,
                   StrAttr:$coordinate_transformation_mode, StrAttr:$nearest_mode,
                   DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
                   DefaultValuedAttr<BoolAttr, "false">:$exclude_outside);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_GridSampleOp : Graph_InferredOp<"grid_sample", "GridSample", [Graph_PointwiseCost]> {
  let summary = "ONNX GridSample (4-D): input [N, C, H, W] sampled at grid [N, Ho, Wo, 2] (x, y in [-1, 1])";
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$grid, StrAttr:$mode, StrAttr:$padding_mode,
                   BoolAttr:$align_corners);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $grid attr-dict `:` functional-type(operands, results)";
}

def Graph_CompactIndicesOp : Graph_InferredOp<"compact_indices", "CompactIndices", [Graph_PointwiseCost]> {
  let summary = "The positions of a 1-D i1 mask's true elements in order, then those of its false "
                "elements (a permutation, int64), and how many were true: the order in which a selection "
                "reads its rows, sized for all of them";
  let arguments = (ins RankedTensorOf<[I1]>:$mask);
  let results = (outs RankedTensorOf<[I64]>:$order, RankedTensorOf<[I64]>:$count);
  let assemblyFormat = "$mask attr-dict `:` functional-type(operands, results)";
}

def Graph_NonMaxSuppressionOp : Graph_InferredOp<"non_max_suppression", "NonMaxSuppression",
    [Graph_PointwiseCost]> {
  let summary = "ONNX NonMaxSuppression: per batch and class, the boxes picked greedily by score (ties: the "
                "lower index; only scores above score_threshold when has_score_threshold), each dropping the "
                "boxes it overlaps by IoU > iou_threshold, at most max_output_boxes_per_class (and "
                "rows_per_class); `selected` holds [batch, class, box] of the picks in order in its first "
                "`count` rows";
  let arguments = (ins Graph_FloatTensor:$boxes, Graph_FloatTensor:$scores,
                   RankedTensorOf<[I64]>:$max_output_boxes_per_class, Graph_FloatTensor:$iou_threshold,
                   Graph_FloatTensor:$score_threshold, BoolAttr:$center_point_box, BoolAttr:$has_score_threshold,
                   I64Attr:$rows_per_class);
  let results = (outs RankedTensorOf<[I64]>:$selected, RankedTensorOf<[I64]>:$count);
  let assemblyFormat = "$boxes `,` $scores `,` $max_output_boxes_per_class `,` $iou_threshold `,` "
                       "$score_threshold attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Quantisation
//===----------------------------------------------------------------------===//

def Graph_QuantizeOp : Graph_Op<"quantize", [Pure, Graph_PointwiseCost]> {
  let summary = "float -> quantised tensor (ONNX QuantizeLinear)";
  let description = [{
    Scale and zero point live in the result's `!quant.uniform` type,
    per-tensor or per-axis.
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_QConvOp : Graph_Op<"qconv", [Pure, Graph_OwnCost]> {
  let summary = "Integer convolution of quantised tensors (ONNX QLinearConv)";
  let description = [{
    The input and result are per-tensor `!quant.uniform`; the weight is
    symmetric (zero point 0), per-tensor or per output channel (axis 0).
    The optional bias is int32 with scale input_scale * weight_scale[c] and
    zero point 0. The result is requantised from the int32 accumulator and
    clamped to [act_min, act_max] in stored integers, which is how a fused
    ReLU or clip is kept. Geometry attributes as `graph.conv`.
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$weight, Optional<Graph_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group,
                   I64Attr:$act_min, I64Attr:$act_max);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_QMatMulOp : Graph_Op<"qmatmul", [Pure, Graph_OwnCost]> {
  let summary = "Integer matmul of quantised tensors (ONNX QLinearMatMul, quantised Gemm)";
  let description = [{
    lhs [..., M, K] per-tensor `!quant.uniform`; rhs [K, N] symmetric,
    per-tensor or per column (axis 1); optional int32 bias [N] with scale
    lhs_scale * rhs_scale[n]; result [..., M, N] per-tensor, requantised and
    clamped to [act_min, act_max] in stored integers.
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs, Optional<Graph_Tensor>:$bias,
                   I64Attr:$act_min, I64Attr:$act_max);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_DequantizeInt4Op : Graph_Op<"dequantize_int4", [Pure, Graph_PointwiseCost]> {
  let summary = "Weight-only int4: packed signed nibbles and group scales -> float weight";
  let description = [{
    The result's dim `axis` is the output channel ("row"); the other dims,
    in order, flatten to the reduction index r of length R. Nibble number
    row * R + r of `packed` (low nibble of each byte first) is a signed int4
    q, and the element is q * scales[row, r / group_size] (scales may be
    narrower floats than the result, f16 in practice). Lowered to an
    elementwise generic that edgec-fuse-elementwise fuses into the conv or
    matmul reading it: the weights stay packed in flash and are decoded in
    the kernel.
  }];
  let arguments = (ins Graph_Tensor:$packed, Graph_FloatTensor:$scales, I64Attr:$axis, I64Attr:$group_size);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$packed `,` $scales attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_DequantizeOp : Graph_InferredOp<"dequantize", "Dequantize", [Graph_PointwiseCost]> {
  let summary = "quantised -> float tensor (ONNX DequantizeLinear)";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // EDGEC_GRAPH_OPS
