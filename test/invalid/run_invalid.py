"""ctest invalid-models: the malformed-model suite (make_invalid.py).

Compiles each bad model with `edgec compile MODEL.onnx -o OUT` and checks
  - the exit code (1: the model is at fault),
  - stderr: exactly the one diagnostic line below (MODEL stands for the
    file's path), which names the node and op where there is one,
  - that nothing is left at OUT.
Prints one line per case and the counts; exits 1 on any difference.

    run_invalid.py EDGEC WORK_DIR
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_invalid import CASES  # noqa: E402

# Cases compiled with more than `-o OUT`.
FLAGS = {"big_for_mcu": ["--target", "cortex-m4"]}

# case: (exit code, the diagnostic)
EXPECTED = {
    "big_for_mcu": (1, "edgec: error: MODEL: a tensor of 2147483652 bytes ('tensor<1x536870913xf32>') is more than "
                       "cortex-m4 can hold (2147483648 bytes at most)"),
    "add_broadcast": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:Add, node name: add_0): [ShapeInferenceError] Incompatible dimensions"),
    "cast_to_string": (1, "edgec: error: MODEL: node 'cast_0' (Cast): unsupported value STRING of attribute 'to'"),
    "complex_input": (1, "edgec: error: MODEL: input 'x' has unsupported data type COMPLEX64"),
    "concat_mismatch": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:Concat, node name: concat_0): [ShapeInferenceError] Can't merge shape info. Both source and target dimension have values but they differ. Source=2 Target=1 Dimension=0"),
    "conv_auto_pad": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:Conv, node name: conv_0): [ShapeInferenceError] Inferred shape and existing shape differ in dimension 2: (3) vs (5)"),
    "conv_channels": (1, "edgec: error: MODEL: node 'conv_0' (Conv): conv channels do not match: input has 2, weight expects 3 x group 1 (2 filters)"),
    "conv_dilation_zero": (1, "edgec: error: MODEL: node 'conv_0' (Conv): attribute 'dilations' must be positive"),
    "conv_group": (1, "edgec: error: MODEL: node 'conv_0' (Conv): conv channels do not match: input has 2, weight expects 2 x group 3 (2 filters)"),
    "conv_kernel_shape": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:Conv, node name: conv_0): [ShapeInferenceError] Inferred shape and existing shape differ in dimension 2: (3) vs (5)"),
    "conv_negative_pad": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:Conv, node name: conv_0): [ShapeInferenceError] Inferred shape and existing shape differ in dimension 2: (3) vs (5)"),
    "conv_stride_zero": (1, "edgec: error: MODEL: node 'conv_0' (Conv): attribute 'strides' must be positive"),
    "conv_stride_zero_opset6_gemm": (1, "edgec: error: MODEL: node 'conv_0' (Conv): attribute 'strides' must be positive"),
    "custom_domain_op": (1, "edgec: error: MODEL: node 'frob_0' (Frob): unsupported op 'Frob' of domain 'com.example'"),
    "cycle": (1, "edgec: error: MODEL: ONNX checker rejected the model: Nodes in a graph must be topologically sorted, however input 'b' of node:; name: relu_a OpType: Relu; is not output of any previous nodes."),
    "dangling_input": (1, "edgec: error: MODEL: ONNX checker rejected the model: Nodes in a graph must be topologically sorted, however input 'nowhere' of node:; name: add_0 OpType: Add; is not output of any previous nodes."),
    "declared_output_shape": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:Relu, node name: relu_0): [ShapeInferenceError] Inferred shape and existing shape differ in dimension 1: (4) vs (5)"),
    "dynamic_reshape": (1, "edgec: error: MODEL: node 'reshape_0' (Reshape): Reshape shape (input 'si') must be a compile-time integer constant; it is computed from graph input 's': bind it with --input-value NAME=VALUES"),
    "empty_file": (1, "edgec: error: MODEL: file is empty, not an ONNX model"),
    "empty_op_type": (1, "edgec: error: MODEL: node 'nothing_0' (): the node has no op type"),
    "external_data_missing": (1, "edgec: error: MODEL: ONNX checker rejected the model: Data of TensorProto ( tensor name: w) should be stored in weights_that_are_not_there.bin, but it doesn't exist or is not accessible."),
    "gather_index": (1, "edgec: error: MODEL: node 'gather_0' (Gather): Gather index 7 is out of range for a dim of 4"),
    "gemm_trans": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:Gemm, node name: gemm_0): [ShapeInferenceError] Inferred shape and existing shape differ in dimension 1: (4) vs (3)"),
    "gradient_of_constant": (1, "edgec: error: MODEL: node 'grad_0' (Gradient): Gradient with respect to 'w', a constant (an initializer or an input bound with --input-value): edgec folds constants at import, so its gradient cannot be taken"),
    "gradient_through_relu": (1, "edgec: error: MODEL: node 'grad_0' (Gradient): Gradient through 'graph.relu' is not supported (edgec differentiates add, sub, mul, div and neg)"),
    "huge_tensor": (1, "edgec: error: MODEL: a tensor of 4503599627370496 bytes ('tensor<1048576x1048576x1024xf32>') is more than host can hold (1099511627776 bytes at most)"),
    "input_without_type": (1, "edgec: error: MODEL: ONNX checker rejected the model: Field 'type' of 'value_info' is required but missing."),
    "ir_version_too_new": (1, "edgec: error: MODEL: ONNX checker rejected the model: Your model ir_version is higher than the checker's."),
    "ir_version_zero": (1, "edgec: error: MODEL: not an ONNX model: no graph or IR version"),
    "lstm_activation": (1, "edgec: error: MODEL: node 'lstm_0' (LSTM): unsupported value 'Gelu' of attribute 'activations'"),
    "loop_never_ends": (1, "edgec: error: MODEL: node 'loop_0' (Loop): Loop runs more than 4096 iterations (its trip count, or its condition not known to turn false by then); edgec unrolls at most 4096"),
    "loop_trip_count_input": (1, "edgec: error: MODEL: node 'loop_0' (Loop): Loop trip count M (input 'm') must be a compile-time integer constant; it is computed from graph input 'm': bind it with --input-value NAME=VALUES"),
    "matmul_int8": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:MatMul, node name: matmul_0): A typestr: T, has unsupported type: tensor(int8)"),
    "matmul_mismatch": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:MatMul, node name: matmul_0): [ShapeInferenceError] Incompatible dimensions for matrix multiplication"),
    "maxpool_kernel_negative": (1, "edgec: error: MODEL: node 'pool_0' (MaxPool): attribute 'kernel_shape' must be positive"),
    "mixed_dtypes_add": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:Add, node name: add_0): B has inconsistent type tensor(int64)"),
    "nested_loops_budget": (1, "edgec: error: MODEL: node 'loop_in' (Loop): the model's Loops and Scans unrolled would import more than 262144 nodes (nested loops multiply); edgec unrolls at most that"),
    "negative_dim": (1, "edgec: error: MODEL: input 'x' has dim -3 at position 0; dims must be positive"),
    "compress_gather_last": (1, "edgec: error: MODEL: node 'gather_0' (Gather): input 'c' has a size known only at run time (Compress 'compress_0' selects at most 5 along dim 0); Gather picks rows of it by computed or negative indices"),
    "nms_center_box": (1, "edgec: error: MODEL: node 'nms_0' (NonMaxSuppression): unsupported value 2 of attribute 'center_point_box'"),
    "nonzero_concat": (1, "edgec: error: MODEL: node 'concat_0' (Concat): input 'nz' has a size known only at run time (NonZero 'nonzero_0' selects at most 4 along dim 1); Concat along the dim whose size is known only at run time would leave padding between the parts"),
    "nonzero_reshape": (1, "edgec: error: MODEL: node 'reshape_0' (Reshape): input 'nz' has a size known only at run time (NonZero 'nonzero_0' selects at most 4 along dim 1); edgec passes such a tensor to a graph output (with its count) through elementwise ops, Cast, Gather, GatherElements and GatherND (as indices), Transpose, Unsqueeze, Squeeze and Concat along another dim, not through Reshape"),
    "no_default_opset": (1, "edgec: error: MODEL: model imports no default-domain opset"),
    "two_default_opsets": (1, "edgec: error: MODEL: model imports the default-domain opset twice (9 and 17)"),
    "no_graph": (1, "edgec: error: MODEL: not an ONNX model: no graph or IR version"),
    "no_outputs": (1, "edgec: error: MODEL: the graph has no outputs: there is nothing to compute"),
    "opset_too_new": (1, "edgec: error: MODEL: model uses opset 18; edgec supports opsets up to 17"),
    "output_not_produced": (1, "edgec: error: MODEL: graph output 'y' is not produced by any node"),
    "output_not_produced_opset16": (1, "edgec: error: MODEL: graph output 'y' is not produced by any node"),
    "pad_mode": (1, "edgec: error: MODEL: node 'pad_0' (Pad): unknown pad mode 'wrap'"),
    "random_bytes": (1, "edgec: error: MODEL: not an ONNX model: the protobuf is truncated or corrupt"),
    "raw_data_short": (1, "edgec: error: MODEL: tensor 'w' holds 8 bytes of data but its shape needs 16"),
    "relu_on_bool": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] (op_type:Relu, node name: relu_0): X typestr: T, has unsupported type: tensor(bool)"),
    "reshape_count": (1, "edgec: error: MODEL: node 'reshape_0' (Reshape): cannot reshape 1x4 (4 elements) to 3x2"),
    "resize_crop": (1, "edgec: error: MODEL: node 'resize_0' (Resize): unsupported value 'tf_crop_and_resize' of attribute 'coordinate_transformation_mode'"),
    "sequence_at_range": (1, "edgec: error: MODEL: node 'at_0' (SequenceAt): SequenceAt position 2 is outside [-2, 1] for a sequence of 2"),
    "sequence_at_runtime": (1, "edgec: error: MODEL: node 'at_0' (SequenceAt): SequenceAt position (input 'p') must be a compile-time integer constant; it is computed from graph input 'p': bind it with --input-value NAME=VALUES"),
    "sequence_output": (1, "edgec: error: MODEL: graph output 'y' is a sequence; a compiled model's outputs are tensors (ConcatFromSequence or SequenceAt make one)"),
    "short_initializer": (1, "edgec: error: MODEL: tensor 'w' holds 2 values but its shape needs 4"),
    "slice_step_zero": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:Slice, node name: slice_0): [ShapeInferenceError] 'step' cannot be 0 for Slice"),
    "softmax_axis": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:Softmax, node name: softmax_0): [ShapeInferenceError] 'axis' must be in [-2 , 1]. Its actual value is: 5"),
    "split_sizes": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:Split, node name: split_0): [ShapeInferenceError] Mismatch between the sum of 'split' (3) and the split dimension of the input (4)"),
    "string_input": (1, "edgec: error: MODEL: node 'size_0' (Size): input 'x' is a string tensor; edgec takes string tensors into StringNormalizer (and Identity) only"),
    "symbolic_dim": (1, "edgec: error: MODEL: input 'x' has symbolic dim 'batch' at position 0; bind it with --input-shape x=AxBx... or --dim batch=N"),
    "text_file": (1, "edgec: error: MODEL: not an ONNX model: the protobuf is truncated or corrupt"),
    "transpose_perm": (1, "edgec: error: MODEL: ONNX shape inference failed: [ShapeInferenceError] Shape inference error(s): (op_type:Transpose, node name: transpose_0): [TypeInferenceError] Attribute perm for Transpose has repeated value: 0"),
    "truncated": (1, "edgec: error: MODEL: not an ONNX model: the protobuf is truncated or corrupt"),
    "two_producers": (1, "edgec: error: MODEL: ONNX checker rejected the model: Graph must be in single static assignment (SSA) form, however 'y' has been used as output names multiple times."),
    "unknown_dim": (1, "edgec: error: MODEL: input 'x' has symbolic dim (unnamed) at position 0; bind it with --input-shape x=AxBx..."),
    "unknown_op": (1, "edgec: error: MODEL: node 'bogus_0' (Bogus): unsupported ONNX op 'Bogus' (opset 17)"),
    "unsupported_op": (1, "edgec: error: MODEL: node 'bernoulli_0' (Bernoulli): unsupported ONNX op 'Bernoulli': random values: edgec compiles deterministic inference"),
}


def main():
    if len(sys.argv) != 3 or sys.argv[1].startswith("-") or sys.argv[2].startswith("-"):
        print(__doc__)
        return 2
    edgec, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    if set(CASES) != set(EXPECTED):
        print(f"FAIL: cases without an expectation: {sorted(set(CASES) - set(EXPECTED))}; "
              f"expectations without a case: {sorted(set(EXPECTED) - set(CASES))}")
        return 1
    failed = 0
    for name, make in CASES.items():
        model = os.path.join(work, name + ".onnx")
        with open(model, "wb") as f:
            f.write(make())
        out = os.path.join(work, name + ".out")
        r = subprocess.run([edgec, "compile", model, "-o", out] + FLAGS.get(name, []), capture_output=True, text=True,
                           timeout=120)
        code, diagnostic = EXPECTED[name]
        got = r.stderr.rstrip("\n").replace(model, "MODEL")
        problems = []
        if r.returncode != code:
            problems.append(f"exit {r.returncode}, expected {code}")
        if got != diagnostic:
            problems.append(f"stderr\n    {got!r}\n  expected\n    {diagnostic!r}")
        if os.path.exists(out):
            problems.append(f"{out} was written")
        print(f"{'ok  ' if not problems else 'FAIL'} {name}" + "".join("\n  " + p for p in problems))
        failed += bool(problems)
    print(f"invalid models: {len(CASES) - failed} of {len(CASES)} refused as expected, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
