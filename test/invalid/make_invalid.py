"""The malformed-model suite: `make_invalid.py OUT_DIR` writes every case's
model into OUT_DIR/<case>.onnx and prints the case names.

Each case is a hand-made model that is wrong in one way (the file, the graph,
a type, a shape, an attribute, the data). run_invalid.py compiles each and
checks edgec's exact diagnostic, its exit code and that nothing is written.
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def tensor(name, dtype, dims, values):
    return helper.make_tensor(name, dtype, dims, values)


def model(nodes, inputs=(X,), outputs=(Y,), inits=(), opset=17, ir=8):
    graph = helper.make_graph(list(nodes), "g", list(inputs), list(outputs), initializer=list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    return m.SerializeToString()


def node(op, inputs, outputs, name, **attrs):
    return helper.make_node(op, inputs, outputs, name=name, **attrs)


def relu(name="relu_0", x="x", y="y"):
    return node("Relu", [x], [y], name)


def conv_model(w_dims, x_dims=(1, 2, 5, 5), y_dims=(1, 2, 5, 5), **attrs):
    n = 1
    for d in w_dims:
        n *= max(d, 0)
    return model([node("Conv", ["x", "w"], ["y"], "conv_0", **attrs)], [f32("x", list(x_dims))],
                 [f32("y", list(y_dims))], [tensor("w", TensorProto.FLOAT, list(w_dims), [0.5] * n)])


def conv_stride_zero_opset6_gemm():
    """Stride 0 in an opset-6 model with a Gemm: the check before converting
    it runs ONNX's shape inference, which divides by the stride."""
    w = tensor("w", TensorProto.FLOAT, [1, 1, 2, 2], [1.0] * 4)
    b = tensor("b", TensorProto.FLOAT, [9, 2], [0.0] * 18)
    c = tensor("c", TensorProto.FLOAT, [2], [0.0] * 2)
    inputs = [f32("x", [1, 1, 4, 4]), f32("w", [1, 1, 2, 2]), f32("b", [9, 2]), f32("c", [2])]
    return model([node("Conv", ["x", "w"], ["h"], "conv_0", strides=[0, 0]), node("Flatten", ["h"], ["f"], "flatten_0"),
                  node("Gemm", ["f", "b", "c"], ["y"], "gemm_0")],
                 inputs, [f32("y", [1, 2])], [w, b, c], opset=6, ir=3)


def no_graph():
    m = onnx.ModelProto()
    m.ir_version = 8
    return m.SerializeToString()


def raw_data_short():
    t = tensor("w", TensorProto.FLOAT, [4], [1.0, 2.0, 3.0, 4.0])
    t.raw_data = b"\0" * 8  # 2 floats where 4 are declared
    del t.float_data[:]
    return model([node("Add", ["x", "w"], ["y"], "add_0")], inits=[t])


def external_data_missing():
    t = tensor("w", TensorProto.FLOAT, [4], [1.0, 2.0, 3.0, 4.0])
    del t.float_data[:]
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value="weights_that_are_not_there.bin")
    return model([node("Add", ["x", "w"], ["y"], "add_0")], inits=[t])


def cycle():
    return model([node("Relu", ["b"], ["a"], "relu_a"), node("Relu", ["a"], ["b"], "relu_b"),
                  node("Add", ["x", "a"], ["y"], "add_0")])


def two_default_opsets():
    graph = helper.make_graph([relu()], "g", [X], [Y])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9), helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m.SerializeToString()


def no_default_opset():
    graph = helper.make_graph([relu()], "g", [X], [Y])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("ai.onnx.ml", 3)])
    m.ir_version = 8
    return m.SerializeToString()


CASES = {
    # The file.
    "empty_file": lambda: b"",
    "text_file": lambda: b"this is not a model\n",
    "random_bytes": lambda: bytes((i * 97 + 13) % 256 for i in range(4096)),
    "truncated": lambda: model([relu()])[:40],
    "no_graph": no_graph,
    "ir_version_zero": lambda: model([relu()], ir=0),
    "ir_version_too_new": lambda: model([relu()], opset=17, ir=10),
    "opset_too_new": lambda: model([relu()], opset=18),
    "no_default_opset": no_default_opset,
    "two_default_opsets": two_default_opsets,
    # The graph.
    "dangling_input": lambda: model([node("Add", ["x", "nowhere"], ["y"], "add_0")]),
    "cycle": cycle,
    "output_not_produced": lambda: model([relu(y="r")]),
    # The same below opset 17: ONNX's version converter crashed on it (fuzz_onnx_bytes).
    "output_not_produced_opset16": lambda: model([relu(y="r")], opset=16),
    "two_producers": lambda: model([relu("relu_0"), relu("relu_1")]),
    "unknown_op": lambda: model([node("Bogus", ["x"], ["y"], "bogus_0")]),
    "custom_domain_op": lambda: model([helper.make_node("Frob", ["x"], ["y"], name="frob_0", domain="com.example")]),
    "unsupported_op": lambda: model([node("Bernoulli", ["x"], ["y"], "bernoulli_0")]),
    "no_outputs": lambda: model([relu(y="r")], outputs=[]),
    "input_without_type": lambda: model([relu()], inputs=[onnx.ValueInfoProto(name="x")]),
    "empty_op_type": lambda: model([node("", ["x"], ["y"], "nothing_0")]),
    # Types.
    "string_input": lambda: model([node("Size", ["x"], ["y"], "size_0")],
                                  inputs=[helper.make_tensor_value_info("x", TensorProto.STRING, [1, 4])],
                                  outputs=[helper.make_tensor_value_info("y", TensorProto.INT64, [])]),
    "complex_input": lambda: model([node("Identity", ["x"], ["y"], "id_0")],
                                   inputs=[helper.make_tensor_value_info("x", TensorProto.COMPLEX64, [1, 4])],
                                   outputs=[helper.make_tensor_value_info("y", TensorProto.COMPLEX64, [1, 4])]),
    "mixed_dtypes_add": lambda: model([node("Add", ["x", "w"], ["y"], "add_0")],
                                      inits=[tensor("w", TensorProto.INT64, [4], [1, 2, 3, 4])]),
    "cast_to_string": lambda: model([node("Cast", ["x"], ["y"], "cast_0", to=TensorProto.STRING)],
                                    outputs=[helper.make_tensor_value_info("y", TensorProto.STRING, [1, 4])]),
    "relu_on_bool": lambda: model([node("Relu", ["x"], ["y"], "relu_0")],
                                  inputs=[helper.make_tensor_value_info("x", TensorProto.BOOL, [1, 4])],
                                  outputs=[helper.make_tensor_value_info("y", TensorProto.BOOL, [1, 4])]),
    "matmul_int8": lambda: model([node("MatMul", ["x", "w"], ["y"], "matmul_0")],
                                 inputs=[helper.make_tensor_value_info("x", TensorProto.INT8, [1, 4])],
                                 outputs=[helper.make_tensor_value_info("y", TensorProto.INT8, [1, 4])],
                                 inits=[tensor("w", TensorProto.INT8, [4, 4], [1] * 16)]),
    # Shapes.
    "symbolic_dim": lambda: model([relu()], inputs=[f32("x", ["batch", 4])], outputs=[f32("y", ["batch", 4])]),
    "unknown_dim": lambda: model([relu()], inputs=[f32("x", [None, 4])], outputs=[f32("y", [None, 4])]),
    "huge_tensor": lambda: model([relu()], inputs=[f32("x", [1 << 20, 1 << 20, 1 << 10])],
                                 outputs=[f32("y", [1 << 20, 1 << 20, 1 << 10])]),
    # 2 GiB + 4 bytes: more than a 32-bit target addresses (compiled for cortex-m4).
    "big_for_mcu": lambda: model([relu()], inputs=[f32("x", [1, (1 << 29) + 1])],
                                 outputs=[f32("y", [1, (1 << 29) + 1])]),
    "negative_dim": lambda: model([relu()], inputs=[f32("x", [-3, 4])], outputs=[f32("y", [-3, 4])]),
    "matmul_mismatch": lambda: model([node("MatMul", ["x", "w"], ["y"], "matmul_0")], outputs=[f32("y", [1, 2])],
                                     inits=[tensor("w", TensorProto.FLOAT, [3, 2], [0.0] * 6)]),
    "conv_channels": lambda: conv_model([2, 3, 3, 3], pads=[1, 1, 1, 1]),
    "reshape_count": lambda: model([node("Reshape", ["x", "s"], ["y"], "reshape_0")], outputs=[f32("y", [3, 2])],
                                   inits=[tensor("s", TensorProto.INT64, [2], [3, 2])]),
    "concat_mismatch": lambda: model([node("Concat", ["x", "w"], ["y"], "concat_0", axis=1)],
                                     outputs=[f32("y", [1, 7])],
                                     inits=[tensor("w", TensorProto.FLOAT, [2, 3], [0.0] * 6)]),
    "add_broadcast": lambda: model([node("Add", ["x", "w"], ["y"], "add_0")],
                                   inits=[tensor("w", TensorProto.FLOAT, [3], [0.0] * 3)]),
    "declared_output_shape": lambda: model([relu()], outputs=[f32("y", [1, 5])]),
    "gemm_trans": lambda: model([node("Gemm", ["x", "w"], ["y"], "gemm_0", transB=1)], outputs=[f32("y", [1, 3])],
                                inits=[tensor("w", TensorProto.FLOAT, [4, 3], [0.0] * 12)]),
    # Attributes.
    "conv_stride_zero": lambda: conv_model([2, 2, 3, 3], pads=[1, 1, 1, 1], strides=[0, 0]),
    "conv_stride_zero_opset6_gemm": conv_stride_zero_opset6_gemm,
    "conv_dilation_zero": lambda: conv_model([2, 2, 3, 3], pads=[1, 1, 1, 1], dilations=[0, 1]),
    "conv_negative_pad": lambda: conv_model([2, 2, 3, 3], pads=[-1, 1, 1, 1]),
    "conv_group": lambda: conv_model([2, 2, 3, 3], pads=[1, 1, 1, 1], group=3),
    "conv_kernel_shape": lambda: conv_model([2, 2, 3, 3], pads=[1, 1, 1, 1], kernel_shape=[5, 5]),
    "conv_auto_pad": lambda: conv_model([2, 2, 3, 3], auto_pad="SIDEWAYS"),
    "maxpool_kernel_negative": lambda: model([node("MaxPool", ["x"], ["y"], "pool_0", kernel_shape=[-2, 2])],
                                             inputs=[f32("x", [1, 1, 4, 4])], outputs=[f32("y", [1, 1, 2, 2])]),
    "transpose_perm": lambda: model([node("Transpose", ["x"], ["y"], "transpose_0", perm=[0, 0])]),
    "softmax_axis": lambda: model([node("Softmax", ["x"], ["y"], "softmax_0", axis=5)]),
    "gather_index": lambda: model([node("Gather", ["x", "i"], ["y"], "gather_0", axis=1)], outputs=[f32("y", [1, 1])],
                                  inits=[tensor("i", TensorProto.INT64, [1], [7])]),
    "slice_step_zero": lambda: model([node("Slice", ["x", "s", "e", "a", "st"], ["y"], "slice_0")],
                                     inits=[tensor("s", TensorProto.INT64, [1], [0]),
                                            tensor("e", TensorProto.INT64, [1], [4]),
                                            tensor("a", TensorProto.INT64, [1], [1]),
                                            tensor("st", TensorProto.INT64, [1], [0])]),
    "lstm_activation": lambda: model(
        [node("LSTM", ["x3", "W", "R"], ["", "y"], "lstm_0", hidden_size=2, activations=["Gelu", "Tanh", "Tanh"])],
        inputs=[f32("x3", [3, 1, 4])], outputs=[f32("y", [1, 1, 2])],
        inits=[tensor("W", TensorProto.FLOAT, [1, 8, 4], [0.0] * 32),
               tensor("R", TensorProto.FLOAT, [1, 8, 2], [0.0] * 16)]),
    "pad_mode": lambda: model([node("Pad", ["x", "p"], ["y"], "pad_0", mode="wrap")], outputs=[f32("y", [1, 6])],
                              inits=[tensor("p", TensorProto.INT64, [4], [0, 1, 0, 1])]),
    "resize_crop": lambda: model([node("Resize", ["x4", "", "sc"], ["y"], "resize_0",
                                       coordinate_transformation_mode="tf_crop_and_resize")],
                                 inputs=[f32("x4", [1, 1, 2, 2])], outputs=[f32("y", [1, 1, 4, 4])],
                                 inits=[tensor("sc", TensorProto.FLOAT, [4], [1, 1, 2, 2])]),
    # The data.
    "short_initializer": lambda: short_initializer(),
    "split_sizes": lambda: model([node("Split", ["x", "s"], ["a", "b"], "split_0", axis=1)],
                                 outputs=[f32("a", [1, 1]), f32("b", [1, 2])],
                                 inits=[tensor("s", TensorProto.INT64, [2], [1, 2])]),
    "raw_data_short": raw_data_short,
    "external_data_missing": external_data_missing,
    "sequence_output": lambda: sequence_model([node("SequenceConstruct", ["x", "x"], ["y"], "construct_0")],
                                              seq_output=True),
    "sequence_at_range": lambda: sequence_model(
        [node("SequenceConstruct", ["x", "x"], ["s"], "construct_0"), node("SequenceAt", ["s", "p"], ["y"], "at_0")],
        inits=[tensor("p", TensorProto.INT64, [], [2])]),
    "sequence_at_runtime": lambda: sequence_model(
        [node("SequenceConstruct", ["x", "x"], ["s"], "construct_0"), node("SequenceAt", ["s", "p"], ["y"], "at_0")],
        inputs=[X, helper.make_tensor_value_info("p", TensorProto.INT64, [])]),
    "loop_trip_count_input": lambda: loop_model(with_m=True,
                                                inputs=[X, helper.make_tensor_value_info("m", TensorProto.INT64, [])]),
    "loop_never_ends": lambda: loop_model(with_m=False),
    "nonzero_reshape": lambda: model([node("NonZero", ["x"], ["nz"], "nonzero_0"),
                                      node("Reshape", ["nz", "s"], ["y"], "reshape_0")],
                                     inits=[tensor("s", TensorProto.INT64, [1], [-1])],
                                     outputs=[helper.make_tensor_value_info("y", TensorProto.INT64, [None])]),
    "nonzero_concat": lambda: model([node("NonZero", ["x"], ["nz"], "nonzero_0"),
                                     node("Concat", ["nz", "nz"], ["y"], "concat_0", axis=1)],
                                    outputs=[helper.make_tensor_value_info("y", TensorProto.INT64, [2, None])]),
    "compress_gather_last": lambda: model(
        [node("Compress", ["x5", "m"], ["c"], "compress_0", axis=0), node("Gather", ["c", "last"], ["y"], "gather_0")],
        inputs=[f32("x5", [5]), helper.make_tensor_value_info("m", TensorProto.BOOL, [5])], outputs=[f32("y", [])],
        inits=[tensor("last", TensorProto.INT64, [], [-1])]),
    "nms_center_box": lambda: model([node("NonMaxSuppression", ["boxes", "scores", "k"], ["y"], "nms_0",
                                          center_point_box=2)],
                                    inputs=[f32("boxes", [1, 4, 4]), f32("scores", [1, 1, 4])],
                                    inits=[tensor("k", TensorProto.INT64, [1], [2])],
                                    outputs=[helper.make_tensor_value_info("y", TensorProto.INT64, [None, 3])]),
    "gradient_through_relu": lambda: gradient_through_relu(),
    "gradient_of_constant": lambda: gradient_of_constant(),
    "nested_loops_budget": lambda: nested_loops(),
    "dynamic_reshape": lambda: model([node("Cast", ["s"], ["si"], "cast_0", to=TensorProto.INT64),
                                      node("Reshape", ["x", "si"], ["y"], "reshape_0")],
                                     inputs=[X, f32("s", [2])], outputs=[f32("y", [2, 2])]),
}


def sequence_model(nodes, inputs=(X,), inits=(), seq_output=False):
    y = helper.make_tensor_sequence_value_info("y", TensorProto.FLOAT, [1, 4]) if seq_output else Y
    return model(nodes, inputs=inputs, outputs=[y], inits=inits)


def loop_model(with_m, inputs=(X,)):
    """y = x + 1 per iteration; M from graph input 'm', or no M and a
    condition that stays true."""
    body = helper.make_graph(
        [node("Identity", ["c_in"], ["c_out"], "keep_0"), node("Add", ["v_in", "one"], ["v_out"], "add_0")], "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("c_in", TensorProto.BOOL, []), f32("v_in", [1, 4])],
        [helper.make_tensor_value_info("c_out", TensorProto.BOOL, []), f32("v_out", [1, 4])],
        initializer=[tensor("one", TensorProto.FLOAT, [], [1.0])])
    loop = node("Loop", ["m" if with_m else "", "c", "x"], ["y"], "loop_0", body=body)
    return model([loop], inputs=inputs, inits=[tensor("c", TensorProto.BOOL, [], [True])])


def gradient_through_relu():
    """Gradient of relu(x): edgec differentiates add, sub, mul, div, neg only."""
    graph = helper.make_graph([relu(), node("Gradient", ["x"], ["dx"], "grad_0", domain="ai.onnx.preview.training",
                                            xs=["x"], y="y")], "g", [X], [Y, f32("dx", [1, 4])])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                helper.make_opsetid("ai.onnx.preview.training", 1)])
    m.ir_version = 8
    return m.SerializeToString()


def gradient_of_constant():
    """Gradient with respect to an initializer: folded away at import."""
    graph = helper.make_graph([node("Add", ["x", "w"], ["y"], "add_0"),
                               node("Gradient", ["w"], ["dw"], "grad_0", domain="ai.onnx.preview.training",
                                    xs=["w"], y="y")], "g", [X], [Y, f32("dw", [1, 4])],
                              initializer=[tensor("w", TensorProto.FLOAT, [1, 4], [1.0] * 4)])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                helper.make_opsetid("ai.onnx.preview.training", 1)])
    m.ir_version = 8
    return m.SerializeToString()


def nested_loops():
    """A Loop of 600 iterations around one of 600: 360,000 body nodes to
    unroll, more than edgec's budget for the whole model."""
    def loop(name, body_nodes, v_in, v_out):
        body = helper.make_graph(body_nodes, name + "_body",
                                 [helper.make_tensor_value_info(name + "_i", TensorProto.INT64, []),
                                  helper.make_tensor_value_info(name + "_c", TensorProto.BOOL, []), f32(v_in, [1, 4])],
                                 [helper.make_tensor_value_info(name + "_c", TensorProto.BOOL, []), f32(v_out, [1, 4])])
        return body
    inner = loop("inner", [node("Relu", ["iv"], ["iw"], "relu_in")], "iv", "iw")
    outer = loop("outer", [node("Loop", ["m", "", "ov"], ["ow"], "loop_in", body=inner)], "ov", "ow")
    return model([node("Loop", ["m", "", "x"], ["y"], "loop_out", body=outer)],
                 inits=[tensor("m", TensorProto.INT64, [], [600])])


def short_initializer():
    t = tensor("w", TensorProto.FLOAT, [2], [1.0, 2.0])
    t.dims[0] = 4  # declares 4 values, holds 2
    return model([node("Add", ["x", "w"], ["y"], "add_0")], inits=[t])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, make in CASES.items():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(make())
        print(name)


if __name__ == "__main__":
    main()
