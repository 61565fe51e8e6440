"""Independent reference for `edgec import --summary-json`: what the graph of
an ONNX model should hold once its static shape arithmetic is folded.

Reads the model with the onnx Python package, binds the same input shapes and
values edgec is given, evaluates with numpy every node that depends only on
constants (Shape, Gather, Concat, ... and If on a constant condition), and
counts what is left: ops per graph-dialect name, and the elements of the
constant tensors those ops read as data. Prints JSON; compare_counts.py
checks it against edgec's summary.

Usage: onnx_reference_counts.py MODEL [--input-shape N=AxB]... [--dim S=N]...
                                      [--input-value N=V[,V]]...
"""
import argparse
import json
import sys
from collections import Counter

import numpy as np
import onnx
import onnx.shape_inference
import onnx.version_converter
from onnx import numpy_helper

# ONNX op -> graph dialect op for ops that map one to one.
GRAPH_OP = {
    "Abs": "abs", "Add": "add", "AveragePool": "average_pool", "BatchNormalization": "batch_norm",
    "Cast": "cast", "Concat": "concat", "Conv": "conv", "Div": "div", "Equal": "equal",
    "Erf": "erf", "Exp": "exp", "Flatten": "flatten", "Gather": "gather", "Gemm": "gemm",
    "GlobalAveragePool": "global_average_pool", "HardSigmoid": "hard_sigmoid",
    "HardSwish": "hard_swish", "LeakyRelu": "leaky_relu", "Log": "log", "LSTM": "lstm",
    "MatMul": "matmul", "MaxPool": "max_pool", "Neg": "neg", "Pad": "pad", "Pow": "pow",
    "ReduceMax": "reduce_max", "ReduceMean": "reduce_mean", "ReduceSum": "reduce_sum",
    "Relu": "relu", "Reshape": "reshape", "Resize": "resize", "Sigmoid": "sigmoid",
    "Slice": "slice", "Softmax": "softmax", "Sqrt": "sqrt", "Squeeze": "squeeze", "Sub": "sub",
    "Tanh": "tanh", "Transpose": "transpose", "Unsqueeze": "unsqueeze", "Mul": "mul",
}
# Inputs that edgec takes as attributes (they must be constants), by op.
ATTRIBUTE_INPUTS = {
    "Reshape": {1}, "Unsqueeze": {1}, "Squeeze": {1}, "Slice": {1, 2, 3, 4}, "Pad": {1, 2},
    "ReduceSum": {1}, "Resize": {1, 2, 3}, "LSTM": {4},
}


def fold(op, attrs, ins):
    """numpy evaluation of the ops edgec folds when every input is constant."""
    a = ins
    if op in ("Add", "Sub", "Mul", "Div", "Pow", "Equal", "Max", "Min"):
        fn = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Pow": np.power,
              "Equal": np.equal, "Max": np.maximum, "Min": np.minimum}.get(op)
        if op == "Div":
            if np.issubdtype(a[0].dtype, np.integer):
                if np.any(a[1] == 0):
                    return None
                return np.trunc(a[0] / a[1]).astype(a[0].dtype)
            return a[0] / a[1]
        out = a[0]
        for x in a[1:]:
            out = fn(out, x)
        return out
    if op == "Cast":
        return a[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[attrs["to"]])
    if op == "Concat":
        return np.concatenate(a, axis=attrs.get("axis", 0))
    if op == "Gather":
        return np.take(a[0], a[1], axis=attrs.get("axis", 0))
    if op == "Unsqueeze":
        out = a[0]
        rank = out.ndim + len(a[1])
        for ax in sorted(int(x) % rank for x in a[1]):
            out = np.expand_dims(out, ax)
        return out
    if op == "Squeeze":
        axes = tuple(int(x) % a[0].ndim for x in a[1]) if len(a) > 1 else None
        return np.squeeze(a[0], axis=axes)
    if op == "Reshape":
        shape = [a[0].shape[i] if d == 0 else d for i, d in enumerate(a[1])]
        return a[0].reshape(shape)
    if op == "Flatten":
        ax = attrs.get("axis", 1) % (a[0].ndim + 1)
        return a[0].reshape(int(np.prod(a[0].shape[:ax])), -1)
    if op == "Transpose":
        return np.transpose(a[0], attrs.get("perm"))
    if op == "Slice":
        axes = a[3] if len(a) > 3 else range(len(a[1]))
        steps = a[4] if len(a) > 4 else [1] * len(a[1])
        index = [slice(None)] * a[0].ndim
        for s, e, ax, st in zip(a[1], a[2], axes, steps):
            index[int(ax)] = slice(int(s), int(e), int(st))
        return a[0][tuple(index)]
    if op == "ConstantOfShape":
        value = attrs.get("value")
        fill = numpy_helper.to_array(value) if value is not None else np.zeros(1, np.float32)
        return np.full([int(d) for d in a[0]], fill.reshape(-1)[0], dtype=fill.dtype)
    return None


class StopGraph(Exception):
    pass


def inline_if(model, node_name, condition):
    """The model with If node `node_name` replaced by its chosen branch."""
    graph = model.graph
    nodes = list(graph.node)
    index = next(i for i, n in enumerate(nodes) if n.name == node_name)
    node = nodes[index]
    attrs = {a.name: a.g for a in node.attribute}
    branch = attrs["then_branch" if condition else "else_branch"]
    body = list(branch.node) + [
        onnx.helper.make_node("Identity", [o.name], [name])
        for o, name in zip(branch.output, node.output) if name]
    del graph.node[:]
    graph.node.extend(nodes[:index] + body + nodes[index + 1:])
    graph.initializer.extend(branch.initializer)
    del graph.value_info[:]
    return model


class Reference:
    constant_if = None

    def __init__(self, model, shapes, types):
        self.shapes = shapes  # value name -> static shape
        self.types = types  # value name -> ONNX element type
        self.entries = []  # one per run-time op, in graph order
        self.model = model

    def is_identity(self, op, attrs, node, ins):
        """Ops that return their input unchanged, which edgec folds away."""
        src, dst = self.shapes.get(node.input[0]), self.shapes.get(node.output[0])
        unit = {"Sub": 0, "Mul": 1, "Div": 1, "Pow": 1}.get(op)
        if unit is not None:
            rhs = ins[1]
            return (isinstance(rhs, np.ndarray) and src is not None and src == dst
                    and bool(np.all(rhs == unit)))
        if op == "Transpose":
            perm = attrs.get("perm")
            return perm is not None and list(perm) == sorted(perm)
        if op == "Cast":
            return self.types.get(node.input[0]) == attrs["to"]
        if op == "Concat":
            return len(node.input) == 1
        if op == "Slice" and len(ins) > 4 and isinstance(ins[4], np.ndarray) and np.any(ins[4] < 0):
            return False  # a reversal keeps the shape but is no identity
        if op in ("Slice", "Reshape", "Flatten", "Squeeze", "Unsqueeze"):
            return src is not None and src == dst
        return False

    def run_graph(self, graph, scope):
        scope = dict(scope)
        for t in graph.initializer:
            scope[t.name] = numpy_helper.to_array(t)
        try:
            for node in graph.node:
                self.run_node(node, scope)
        except StopGraph:
            pass
        return [scope.get(o.name) for o in graph.output], scope

    def run_node(self, node, scope):
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        ins = [scope.get(n) if n else None for n in node.input]
        present = [x for n, x in zip(node.input, ins) if n]
        op = node.op_type
        if op == "Constant":
            key, value = next(iter(attrs.items()))
            scope[node.output[0]] = (numpy_helper.to_array(value) if key == "value"
                                     else np.array(value, dtype=np.float32 if "float" in key else np.int64))
            return
        if op in ("Identity", "Dropout"):
            scope[node.output[0]] = ins[0] if ins[0] is not None else ("value", node.input[0])
            return
        if op == "Shape":
            shape = self.shapes[node.input[0]] if not isinstance(ins[0], np.ndarray) else ins[0].shape
            scope[node.output[0]] = np.array(shape[attrs.get("start", 0):attrs.get("end", len(shape))], np.int64)
            return
        if op == "If" and isinstance(ins[0], np.ndarray) and self.constant_if is None:
            self.constant_if = (node.name, bool(ins[0].reshape(-1)[0]))
        if op == "If":
            raise StopGraph()
        if all(isinstance(x, np.ndarray) for x in present):
            value = fold(op, attrs, present)
            if value is not None:
                scope[node.output[0]] = np.asarray(value)
                return
        if self.is_identity(op, attrs, node, ins):
            scope[node.output[0]] = ins[0]
            return
        # A run-time op: count it and the constants it reads as data (after
        # dead-code elimination, in counts()).
        entry = {"ops": Counter(), "consts": {}, "outputs": [o for o in node.output if o],
                 "inputs": [x[1] for x in ins if isinstance(x, tuple)]}
        for i, (name, x) in enumerate(zip(node.input, ins)):
            if not name or i in ATTRIBUTE_INPUTS.get(op, ()):
                continue
            if op == "Clip" and i > 0 and isinstance(x, np.ndarray):
                continue  # constant bounds become attributes
            if isinstance(x, np.ndarray):
                entry["consts"][name] = x.size
        if op in ("Max", "Min", "Sum"):
            entry["ops"][{"Sum": "add"}.get(op, op.lower())] += len(present) - 1
        elif op == "Clip":
            for i, x in enumerate(ins[1:3], start=1):
                if node.input[i] and not isinstance(x, np.ndarray):
                    entry["ops"]["max" if i == 1 else "min"] += 1
            if any(isinstance(x, np.ndarray) for x in ins[1:3]):
                entry["ops"]["clip"] += 1
        else:
            entry["ops"][GRAPH_OP[op]] += 1
        self.entries.append(entry)
        for o in node.output:
            if o:
                scope[o] = ("value", o)

    def counts(self, live_outputs):
        """Op counts and constant elements of the ops that reach an output."""
        live = set(live_outputs)
        ops, consts = Counter(), {}
        for entry in reversed(self.entries):
            if not live.intersection(entry["outputs"]):
                continue
            live.update(entry["inputs"])
            ops.update(entry["ops"])
            consts.update(entry["consts"])
        return ops, consts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--input-shape", action="append", default=[])
    p.add_argument("--dim", action="append", default=[])
    p.add_argument("--input-value", action="append", default=[])
    args = p.parse_args()
    model = onnx.load(args.model)
    model = onnx.version_converter.convert_version(model, 17)
    shapes = dict(s.split("=") for s in args.input_shape)
    dims = {k: int(v) for k, v in (s.split("=") for s in args.dim)}
    values = dict(s.split("=") for s in args.input_value)
    inits = {t.name for t in model.graph.initializer}
    scope = {}
    for inp in model.graph.input:
        if inp.name in inits:
            continue
        tdims = inp.type.tensor_type.shape.dim
        if inp.name in shapes:
            shape = [int(d) for d in shapes[inp.name].split("x")]
        else:
            shape = [d.dim_value if d.dim_value > 0 else dims[d.dim_param] for d in tdims]
        for d, v in zip(tdims, shape):
            d.ClearField("dim_param")
            d.dim_value = v
        if inp.name in values:
            dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[inp.type.tensor_type.elem_type]
            scope[inp.name] = np.array([float(v) for v in values[inp.name].split(",")]).astype(dtype).reshape(shape)
        else:
            scope[inp.name] = ("value", inp.name)
    # Inline every If whose condition folds to a constant, re-running ONNX
    # shape inference after each so Shape nodes in the branches see static
    # shapes; then count what is left.
    while True:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
        infos = (list(inferred.graph.value_info) + list(inferred.graph.input)
                 + list(inferred.graph.output))
        shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim] for vi in infos}
        types = {vi.name: vi.type.tensor_type.elem_type for vi in infos}
        probe = Reference(inferred, shapes, types)
        probe.stop_at_if = True
        probe.run_graph(inferred.graph, scope)
        if probe.constant_if is None:
            break
        model = inline_if(model, *probe.constant_if)
    ref = Reference(inferred, shapes, types)
    outs, final = ref.run_graph(inferred.graph, scope)
    live = [x[1] for x in outs if isinstance(x, tuple)]
    counted, constants = ref.counts(live)
    # Graph outputs that are constants are returned as constants.
    constants.update({o.name: x.size for o, x in zip(inferred.graph.output, outs)
                      if isinstance(x, np.ndarray)})
    ops = {f"graph.{k}": v for k, v in counted.items() if v}
    json.dump({"ops": sum(ops.values()), "op_counts": dict(sorted(ops.items())),
               "parameters": sum(constants.values())}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
