"""Writes small ONNX models for importer tests: `make_model.py KIND OUT.onnx`.

Each KIND is a tiny graph that is valid ONNX except where its name says
otherwise; the lit tests check edgec's diagnostic for it.
"""
import os
import sys

import onnx
from onnx import TensorProto, helper


def model(nodes, inputs, outputs, inits=(), opset=17, check=True):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    if check:
        onnx.checker.check_model(m)
    return m


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def short_tensor():
    """A [4] tensor holding 2 values."""
    t = helper.make_tensor("w", TensorProto.FLOAT, [2], [1.0, 2.0])
    t.dims[0] = 4
    return t


def kinds():
    x = f32("x", [1, 4])
    y = f32("y", [1, 4])
    return {
        # An op ONNX does not know: the checker rejects it and names the node.
        "unknown_op": lambda: model(
            [helper.make_node("Bogus", ["x"], ["y"], name="bogus_0")], [x], [y], check=False),
        # An op ONNX knows but edgec does not implement.
        "unsupported_op": lambda: model(
            [helper.make_node("Bernoulli", ["x"], ["y"], name="bernoulli_0")], [x], [y]),
        # Two op types edgec does not implement, one of them twice, between
        # ops it does (`edgec inspect` names both).
        "two_unsupported_ops": lambda: model(
            [helper.make_node("Bernoulli", ["x"], ["h1"], name="bernoulli_0"),
             helper.make_node("Relu", ["h1"], ["r"], name="relu_0"),
             helper.make_node("Bernoulli", ["r"], ["h2"], name="bernoulli_1"),
             helper.make_node("RandomNormalLike", ["h2sq"], ["d"], name="random_0"),
             helper.make_node("Reshape", ["h2", "shape"], ["h2sq"], name="reshape_0"),
             helper.make_node("Relu", ["h2"], ["y"], name="relu_1")],
            [x], [y, f32("d", [2, 2])],
            [helper.make_tensor("shape", TensorProto.INT64, [2], [2, 2])], check=False),
        # An attribute value edgec does not implement.
        "unsupported_attr": lambda: model(
            [helper.make_node("LSTM", ["x3", "W", "R"], ["", "y"], name="lstm_0",
                              hidden_size=2, activations=["Gelu", "Tanh", "Tanh"])],
            [f32("x3", [3, 1, 4])], [f32("y", [1, 1, 2])],
            [helper.make_tensor("W", TensorProto.FLOAT, [1, 8, 4], [0.0] * 32),
             helper.make_tensor("R", TensorProto.FLOAT, [1, 8, 2], [0.0] * 16)]),
        # Declared output shape disagrees with what the graph computes.
        "inconsistent_shapes": lambda: model(
            [helper.make_node("Relu", ["x"], ["y"], name="relu_0")], [x], [f32("y", [1, 5])],
            check=False),
        # Operand shapes that cannot go together (MatMul 1x4 by 3x2).
        "bad_matmul": lambda: model(
            [helper.make_node("MatMul", ["x", "w"], ["y"], name="matmul_0")], [x],
            [f32("y", [1, 2])],
            [helper.make_tensor("w", TensorProto.FLOAT, [3, 2], [0.0] * 6)], check=False),
        # A symbolic batch dim the user must bind.
        "symbolic": lambda: model(
            [helper.make_node("Relu", ["x"], ["y"], name="relu_0")],
            [f32("x", ["batch", 4])], [f32("y", ["batch", 4])]),
        # Reshape whose target shape is computed at run time from data.
        "dynamic_reshape": lambda: model(
            [helper.make_node("Cast", ["s"], ["si"], name="cast_0", to=TensorProto.INT64),
             helper.make_node("Reshape", ["x", "si"], ["y"], name="reshape_0")],
            [x, f32("s", [2])], [f32("y", [2, 2])]),
        # An If whose condition is a model input and whose branches differ.
        "dynamic_if": lambda: model(
            [helper.make_node(
                "If", ["c"], ["y"], name="if_0",
                then_branch=helper.make_graph(
                    [helper.make_node("Relu", ["x"], ["t"])], "then", [], [f32("t", [1, 4])]),
                else_branch=helper.make_graph(
                    [helper.make_node("Flatten", ["x"], ["e"], axis=0)], "else", [],
                    [f32("e", [1, 4])]))],
            [helper.make_tensor_value_info("c", TensorProto.BOOL, []), x], [f32("y", [1, 4])]),
        # The same, but the branches compute different shapes.
        "dynamic_if_mismatch": lambda: model(
            [helper.make_node(
                "If", ["c"], ["y"], name="if_0",
                then_branch=helper.make_graph(
                    [helper.make_node("Relu", ["x"], ["t"])], "then", [], [f32("t", [1, 4])]),
                else_branch=helper.make_graph(
                    [helper.make_node("Flatten", ["x"], ["e"], axis=2)], "else", [],
                    [f32("e", [4, 1])]))],
            [helper.make_tensor_value_info("c", TensorProto.BOOL, []), x],
            [f32("y", [None, None])]),
        # Opset 10 model (Clip bounds and Unsqueeze axes as attributes),
        # converted to opset 17 at import.
        "opset10": lambda: model(
            [helper.make_node("Unsqueeze", ["x"], ["u"], name="unsq_0", axes=[0]),
             helper.make_node("Clip", ["u"], ["y"], name="clip_0", min=0.0, max=6.0)],
            [x], [f32("y", [1, 1, 4])], opset=10),
        # One value as two graph outputs (through Identity).
        "duplicate_output": lambda: model(
            [helper.make_node("Relu", ["x"], ["r"], name="relu_0"),
             helper.make_node("Identity", ["r"], ["z"], name="id_0")],
            [x], [f32("r", [1, 4]), f32("z", [1, 4])]),
        # Regressions found in review.
        "conv_stride0": lambda: model(
            [helper.make_node("Conv", ["x4", "w"], ["y"], name="conv_0", auto_pad="SAME_UPPER",
                              strides=[0, 0])],
            [f32("x4", [1, 1, 5, 5])], [f32("y", [1, 1, 5, 5])],
            [helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 3, 3], [1.0] * 9)], check=False),
        "gather_oob": lambda: model(
            [helper.make_node("Gather", ["x", "i"], ["y"], name="gather_0", axis=1)],
            [x], [f32("y", [1, 1])], [helper.make_tensor("i", TensorProto.INT64, [1], [7])]),
        "short_initializer": lambda: model(
            [helper.make_node("Add", ["x", "w"], ["y"], name="add_0")], [x], [y],
            [short_tensor()], check=False),
        "slice_reverse": lambda: model(
            [helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"], name="slice_0")],
            [x], [y],
            [helper.make_tensor("s", TensorProto.INT64, [1], [-1]),
             helper.make_tensor("e", TensorProto.INT64, [1], [-(2 ** 63)]),
             helper.make_tensor("a", TensorProto.INT64, [1], [1]),
             helper.make_tensor("st", TensorProto.INT64, [1], [-1])]),
        "slice_negative_start": lambda: model(
            [helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"], name="slice_0")],
            [x], [f32("y", [1, 1])],
            [helper.make_tensor("s", TensorProto.INT64, [1], [-10]),
             helper.make_tensor("e", TensorProto.INT64, [1], [-100]),
             helper.make_tensor("a", TensorProto.INT64, [1], [1]),
             helper.make_tensor("st", TensorProto.INT64, [1], [-1])]),
        "dequantize_int8": lambda: model(
            [helper.make_node("DequantizeLinear", ["q", "s"], ["y"], name="dq_0")],
            [], [f32("y", [2])],
            [helper.make_tensor("q", TensorProto.INT8, [2], [-5, 3]),
             helper.make_tensor("s", TensorProto.FLOAT, [], [0.5])]),
        # A QLinearConv as ONNX Runtime's quantiser writes one: uint8
        # activations, int8 weights per output channel, int32 bias.
        "qlinearconv": lambda: model(
            [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                              name="qconv_0", pads=[1, 1, 1, 1])],
            [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 1, 4, 4])],
            [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, 2, 4, 4])],
            [helper.make_tensor("xs", TensorProto.FLOAT, [], [0.5]),
             helper.make_tensor("xz", TensorProto.UINT8, [], [10]),
             helper.make_tensor("w", TensorProto.INT8, [2, 1, 3, 3], list(range(-9, 9))),
             helper.make_tensor("ws", TensorProto.FLOAT, [2], [0.01, 0.02]),
             helper.make_tensor("wz", TensorProto.INT8, [2], [0, 0]),
             helper.make_tensor("ys", TensorProto.FLOAT, [], [0.25]),
             helper.make_tensor("yz", TensorProto.UINT8, [], [128]),
             helper.make_tensor("b", TensorProto.INT32, [2], [100, -40])]),
        # An opset-6 Gemm whose A comes from another node with no declared
        # shape: ONNX's converter reads only declared shapes (it crashed on
        # this), so edgec declares the one it infers.
        "gemm_chain_opset6": lambda: model(
            [helper.make_node("Gemm", ["a", "w1", "b1"], ["h"], name="gemm_0", transB=1, broadcast=1),
             helper.make_node("Relu", ["h"], ["r"], name="relu_0"),
             helper.make_node("Gemm", ["r", "w2", "b2"], ["z"], name="gemm_1", broadcast=1)],
            [f32("a", [2, 3])], [f32("z", [2, 5])],
            [helper.make_tensor("w1", TensorProto.FLOAT, [4, 3], [0.5] * 12),
             helper.make_tensor("b1", TensorProto.FLOAT, [4], [1.0] * 4),
             helper.make_tensor("w2", TensorProto.FLOAT, [4, 5], [0.25] * 20),
             helper.make_tensor("b2", TensorProto.FLOAT, [5], [0.0] * 5)], opset=6),
        # Opset-9 Upsample and opset-10 Resize sample at x / scale (and take
        # floor for nearest); ONNX's converter gives Resize-11's defaults.
        "upsample_opset9": lambda: model(
            [helper.make_node("Upsample", ["x4", "s"], ["y4"], name="up_0", mode="linear")],
            [f32("x4", [1, 1, 2, 2])], [f32("y4", [1, 1, 4, 6])],
            [helper.make_tensor("s", TensorProto.FLOAT, [4], [1.0, 1.0, 2.0, 3.0])], opset=9),
        "resize_opset10": lambda: model(
            [helper.make_node("Resize", ["x4", "s"], ["y4"], name="resize_0")],
            [f32("x4", [1, 1, 4, 4])], [f32("y4", [1, 1, 2, 2])],
            [helper.make_tensor("s", TensorProto.FLOAT, [4], [1.0, 1.0, 0.6, 0.6])], opset=10),
        "quantize_rescale": lambda: model(
            [helper.make_node("QuantizeLinear", ["x", "s1", "z"], ["q"], name="q_0"),
             helper.make_node("DequantizeLinear", ["q", "s2", "z"], ["y"], name="dq_0")],
            [x], [y],
            [helper.make_tensor("s1", TensorProto.FLOAT, [], [0.1]),
             helper.make_tensor("s2", TensorProto.FLOAT, [], [0.2]),
             helper.make_tensor("z", TensorProto.UINT8, [], [0])]),
        # Loop M=2 doubling x while its sum is below 10 (a condition from
        # data).
        "loop_data_cond": lambda: model(
            [helper.make_node("Loop", ["m", "c", "x"], ["y"], name="loop_0", body=helper.make_graph(
                [helper.make_node("Mul", ["v_in", "two"], ["v_out"]),
                 helper.make_node("ReduceSum", ["v_out"], ["s"], keepdims=0),
                 helper.make_node("Less", ["s", "ten"], ["c_out"])], "body",
                [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                 helper.make_tensor_value_info("c_in", TensorProto.BOOL, []), f32("v_in", [1, 4])],
                [helper.make_tensor_value_info("c_out", TensorProto.BOOL, []), f32("v_out", [1, 4])],
                [helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]),
                 helper.make_tensor("ten", TensorProto.FLOAT, [], [10.0])]))],
            [x], [y], [helper.make_tensor("m", TensorProto.INT64, [], [2]),
                       helper.make_tensor("c", TensorProto.BOOL, [], [True])]),
        # Scan summing the rows of x [3, 4], reversed, with the partial sums.
        "scan_reverse": lambda: model(
            [helper.make_node("Scan", ["init", "x3"], ["total", "partial"], name="scan_0", num_scan_inputs=1,
                              scan_input_directions=[1], body=helper.make_graph(
                [helper.make_node("Add", ["acc", "row"], ["acc_out"]),
                 helper.make_node("Identity", ["acc_out"], ["row_out"])], "body",
                [f32("acc", [4]), f32("row", [4])], [f32("acc_out", [4]), f32("row_out", [4])]))],
            [f32("x3", [3, 4])], [f32("total", [4]), f32("partial", [3, 4])],
            [helper.make_tensor("init", TensorProto.FLOAT, [4], [0.0] * 4)]),
        # Zero-sized tensors: e [0, 4] concatenated to x [1, 4] is x; relu(e)
        # is an empty output.
        "zero_sized": lambda: model(
            [helper.make_node("Concat", ["x", "e"], ["y"], name="concat_0", axis=0),
             helper.make_node("Relu", ["e"], ["z"], name="relu_0")],
            [x, f32("e", [0, 4])], [y, f32("z", [0, 4])]),
        # Gradient of z = (a * b - a) / b with a [2, 3], b [3] broadcast.
        "gradient_broadcast": lambda: gradient_model(),
        # x[x > 0] as exporters write it: NonZero, Squeeze, Gather; y has a
        # run-time size (at most 6).
        "mask_select": lambda: model(
            [helper.make_node("Greater", ["x6", "zero"], ["keep"], name="greater_0"),
             helper.make_node("NonZero", ["keep"], ["nz"], name="nonzero_0"),
             helper.make_node("Squeeze", ["nz", "axis0"], ["idx"], name="squeeze_0"),
             helper.make_node("Gather", ["x6", "idx"], ["y"], name="gather_0")],
            [f32("x6", [6])], [f32("y", [None])],
            [helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]),
             helper.make_tensor("axis0", TensorProto.INT64, [1], [0])]),
        # StringNormalizer of strings [4]: upper case, "monday" (any case)
        # removed; y has a run-time size (at most 4).
        "strnorm": lambda: model(
            [helper.make_node("StringNormalizer", ["s"], ["y"], name="normalize_0", case_change_action="UPPER",
                              stopwords=["monday"])],
            [helper.make_tensor_value_info("s", TensorProto.STRING, [4])],
            [helper.make_tensor_value_info("y", TensorProto.STRING, [None])]),
        # TfIdfVectorizer of token ids [3, 9]: 1- to 3-grams, skips up to 2,
        # mode and weights given on the command line (tfidf-modes.test).
        "tfidf": lambda: tfidf_model(),
    }


def tfidf_model():
    mode = os.environ.get("TFIDF_MODE", "TF")
    node = helper.make_node("TfIdfVectorizer", ["X"], ["Y"], name="tfidf_0", mode=mode, min_gram_length=1,
                            max_gram_length=3, max_skip_count=2, ngram_counts=[0, 3, 7],
                            ngram_indexes=[4, 0, 2, 1, 3, 6], pool_int64s=[1, 2, 3, 1, 2, 2, 3, 1, 2, 3],
                            weights=[0.5, 1.5, 2.0, 3.0, 0.25, 4.0])
    return model([node], [helper.make_tensor_value_info("X", TensorProto.INT64, [3, 9])], [f32("Y", [3, 7])])


def gradient_model():
    nodes = [helper.make_node("Mul", ["a", "b"], ["m"]), helper.make_node("Sub", ["m", "a"], ["s"]),
             helper.make_node("Div", ["s", "b"], ["z"]),
             helper.make_node("Gradient", ["a", "b"], ["dz_da", "dz_db"], name="grad_0",
                              domain="ai.onnx.preview.training", xs=["a", "b"], y="z")]
    graph = helper.make_graph(nodes, "g", [f32("a", [2, 3]), f32("b", [3])],
                              [f32("z", [2, 3]), f32("dz_da", [2, 3]), f32("dz_db", [3])])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                helper.make_opsetid("ai.onnx.preview.training", 1)])
    m.ir_version = 8
    return m


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    onnx.save(kinds()[kind](), out)
