"""An nn.Module to a graph-dialect module (MLIR text), as edgec reads it.

Each fx node of the trace (tracer.py) becomes graph ops; parameters become
`graph.constant`s whose bytes are `dense_resource` blobs at the end of the
file. Shapes come from the values the trace computed, so every op's result
type is known; edgec's parser checks them against its own shape inference.
"""

import math
import operator
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

from .tracer import trace


class UnsupportedError(Exception):
    """A call the importer cannot translate, named with its module path."""


_DTYPES = {torch.float32: "f32", torch.float16: "f16", torch.int64: "i64", torch.int32: "i32", torch.bool: "i1",
           torch.int8: "i8", torch.uint8: "ui8"}


_QUANT_STORAGE = {torch.quint8: "u8", torch.qint8: "i8"}


def quant_element(value):
    """The !quant.uniform element type of a per-tensor quantised value."""
    if value.dtype not in _QUANT_STORAGE or value.qscheme() not in (torch.per_tensor_affine,
                                                                    torch.per_tensor_symmetric):
        raise UnsupportedError(f"quantised tensors of {value.dtype}, {value.qscheme()} are not supported")
    return f"!quant.uniform<{_QUANT_STORAGE[value.dtype]}:f32, {value.q_scale():.17e}:{value.q_zero_point()}>"


def tensor_type(value):
    dims = "x".join(str(d) for d in value.shape)
    if value.is_quantized:
        element = quant_element(value)
    elif value.dtype in _DTYPES:
        element = _DTYPES[value.dtype]
    else:
        raise UnsupportedError(f"tensors of {value.dtype} are not supported")
    return f"tensor<{dims + 'x' if dims else ''}{element}>"


def f32(v):
    """An f32 attribute value MLIR parses back to the same float (infinities
    and NaN as their bits)."""
    v = struct.unpack("<f", struct.pack("<f", float(v)))[0]
    if not math.isfinite(v):
        return f"0x{struct.unpack('<I', struct.pack('<f', v))[0]:08X} : f32"
    return f"{v:.9e} : f32"


def i64_array(values):
    return "array<i64" + (": " + ", ".join(str(int(v)) for v in values) if len(values) else "") + ">"


# x @ w^T (+ b): nn.Linear as graph.gemm.
GEMM_ATTRS = f"alpha = {f32(1)}, beta = {f32(1)}, trans_a = false, trans_b = true"


def pair(v, n=2):
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


class Emitter:
    """Writes the body of @main, one SSA value per line."""

    def __init__(self):
        self.lines = []
        self.resources = []  # (name, bytes)
        self.next_id = 0
        self.resource_names = set()
        self.constants = {}  # (address, shape, strides, dtype, offset) -> (SSA name, tensor)

    def fresh(self):
        self.next_id += 1
        return f"%v{self.next_id}"

    def op(self, text):
        """Emits `%r = text`; returns %r."""
        name = self.fresh()
        self.lines.append(f"    {name} = {text}")
        return name

    def constant(self, tensor, hint="const"):
        """A graph.constant of `tensor`; the same tensor (a shared module's
        weight) is emitted once."""
        key = (tensor.data_ptr(), tuple(tensor.shape), tuple(tensor.stride()), tensor.dtype,
               tensor.storage_offset()) if tensor.numel() else None
        if key is not None and key in self.constants:
            return self.constants[key][0]
        name = self._constant(tensor, hint)
        if key is not None:
            self.constants[key] = (name, tensor)  # keeps the tensor alive: its address stays its own
        return name

    def _constant(self, tensor, hint):
        tensor = tensor.detach().contiguous().cpu()
        if tensor.dtype == torch.float64:
            tensor = tensor.float()
        if tensor.numel() <= 16 and tensor.dtype == torch.float32 and tensor.dim() <= 1:
            if bool(torch.isfinite(tensor).all()):
                values = ", ".join(f"{v:.9e}" for v in tensor.flatten().tolist())  # exact: f32 through double
            else:  # inf, nan: their bits (a masked_fill with -inf)
                values = ", ".join(f"0x{b & 0xFFFFFFFF:08X}" for b in tensor.flatten().view(torch.int32).tolist())
            body = f"dense<{values}>" if tensor.dim() == 0 else f"dense<[{values}]>"
        else:
            body = f"dense_resource<{self._resource(tensor, hint)}>"
        return self.op(f"graph.constant {body} : {tensor_type(tensor)}")

    def _resource(self, tensor, hint):
        # MLIR resource keys are identifiers: ASCII, not starting with a digit.
        base = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in hint)
        if not base or not (base[0].isalpha() or base[0] == "_"):
            base = "w_" + base
        name, k = base, 1
        while name in self.resource_names:
            k += 1
            name = f"{base}_{k}"
        self.resource_names.add(name)
        if tensor.dtype == torch.bool:
            data = tensor.to(torch.uint8).numpy().tobytes()
        else:
            data = tensor.numpy().tobytes()  # little-endian on every machine edgec runs on
        self.resources.append((name, data))
        return name


# Elementwise functions and tensor methods of the same name that are one
# graph op each (float tensors; abs, neg and sign integers too).
UNARY = {"exp", "log", "sqrt", "abs", "erf", "floor", "ceil", "round", "reciprocal", "sign", "sin", "cos", "tan",
         "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "neg"}


class Importer:
    def __init__(self, gm, input_names, output_names):
        self.gm = gm
        self.e = Emitter()
        self.names = {}  # fx.Node -> SSA name (or a tuple of them)
        self.constant_nodes = {}  # fx.Node -> whether it computes a constant (is_constant)
        self.input_names = input_names
        self.output_names = output_names

    # ---- helpers ----------------------------------------------------------

    def where(self, node):
        return node.meta.get("module_path", "<root>")

    def fail(self, node, what):
        raise UnsupportedError(f"{self.where(node)}: {what} (fx node `{node.name}`)")

    def v(self, a):
        """The SSA value of an fx argument (a node), or None."""
        if isinstance(a, torch.fx.Node):
            return self.names[a]
        return None

    def operand(self, node, a, like):
        """An fx argument as an SSA value; a Python number becomes a constant of `like`'s dtype."""
        if isinstance(a, torch.fx.Node):
            return self.names[a], a.meta["value"]
        if isinstance(a, (int, float, bool)):
            t = torch.tensor(a, dtype=like.dtype)
            return self.e.constant(t, "scalar"), t
        self.fail(node, f"operand {a!r} is not a tensor or a number")

    def unary_typed(self, name, x, out, attrs=""):
        attr_text = f" {{{attrs}}}" if attrs else ""
        return self.e.op(f"graph.{name} {x}{attr_text} : {tensor_type(out)}")

    def binary(self, name, a, ta, b, tb, out):
        return self.e.op(f"graph.{name} {a}, {b} : ({tensor_type(ta)}, {tensor_type(tb)}) -> {tensor_type(out)}")

    def functional(self, name, operands, types, out, attrs=""):
        attr_text = f" {{{attrs}}}" if attrs else ""
        ins = ", ".join(tensor_type(t) for t in types)
        return self.e.op(f"graph.{name} {', '.join(operands)}{attr_text} : ({ins}) -> {tensor_type(out)}")

    def reshape(self, x, tx, shape):
        out = torch.empty(shape, dtype=tx.dtype)
        return self.functional("reshape", [x], [tx], out, f"shape = {i64_array(shape)}"), out

    # ---- layers -----------------------------------------------------------

    def with_bias(self, node, x, tx, w, tw, bias):
        """The operands (and their values) of a conv or gemm: input, weight
        and, when there is one, the bias as a constant."""
        operands, types = [x, w], [tx, tw]
        if bias is not None:
            operands.append(self.e.constant(bias, self.where(node) + "_bias"))
            types.append(bias)
        return operands, types

    def conv_op(self, node, operands, types, out, stride, padding, dilation, groups):
        """graph.conv of prepared operands (float weights, or int8 ones
        dequantized)."""
        spatial = types[1].dim() - 2
        if isinstance(padding, str):
            if padding == "valid":
                padding = [0] * spatial
            else:
                self.fail(node, f"conv padding '{padding}' is not supported; give the pads as numbers")
        pads = pair(padding, spatial)
        attrs = (f"dilations = {i64_array(pair(dilation, spatial))}, group = {int(groups)} : i64, "
                 f"pads = {i64_array(pads + pads)}, strides = {i64_array(pair(stride, spatial))}")
        return self.functional("conv", operands, types, out, attrs)

    def conv(self, node, x, tx, weight, bias, stride, padding, dilation, groups):
        w = self.e.constant(weight, self.where(node) + "_weight")
        operands, types = self.with_bias(node, x, tx, w, weight, bias)
        return self.conv_op(node, operands, types, node.meta["value"], stride, padding, dilation, groups)

    def linear(self, node, x, tx, weight, bias):
        out = node.meta["value"]
        w = self.e.constant(weight, self.where(node) + "_weight")
        if tx.dim() == 2:
            operands, types = self.with_bias(node, x, tx, w, weight, bias)
            return self.functional("gemm", operands, types, out, GEMM_ATTRS)
        wt = self.e.constant(weight.t(), self.where(node) + "_weight_t")
        mm = torch.empty(out.shape, dtype=out.dtype)
        y = self.functional("matmul", [x, wt], [tx, weight.t()], mm)
        if bias is None:
            return y
        b = self.e.constant(bias, self.where(node) + "_bias")
        return self.binary("add", y, mm, b, bias, out)

    def batch_norm(self, node, x, tx, mean, var, weight, bias, eps):
        out = node.meta["value"]
        c = mean.shape[0]
        weight = weight if weight is not None else torch.ones(c)
        bias = bias if bias is not None else torch.zeros(c)
        hint = self.where(node)
        ops = [x] + [self.e.constant(t, f"{hint}_{n}") for t, n in
                     ((weight, "weight"), (bias, "bias"), (mean, "mean"), (var, "var"))]
        return self.functional("batch_norm", ops, [tx, weight, bias, mean, var], out, f"epsilon = {f32(eps)}")

    def pool(self, node, kind, x, tx, kernel, stride, padding, dilation=1, ceil_mode=False, count_include_pad=True):
        out = node.meta["value"]
        n = tx.dim() - 2
        kernel = pair(kernel, n)
        stride = pair(stride if stride not in (None, []) else kernel, n)
        dilation = pair(dilation, n)
        pads = pair(padding, n)
        end_pads = list(pads)
        if ceil_mode:
            # PyTorch drops a last window that would start in the end
            # padding; ONNX (and edgec) keep it. Max pooling: no ceil mode,
            # end pads that give PyTorch's size (pads hold no values).
            # Average pooling: only when both agree on the size.
            for i in range(n):
                span = tx.shape[2 + i] + 2 * pads[i] - dilation[i] * (kernel[i] - 1) - 1
                onnx_size = -(-span // stride[i]) + 1
                want = out.shape[2 + i]
                if kind == "max_pool":
                    end_pads[i] = max(0, (want - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - tx.shape[2 + i]
                                      - pads[i])
                elif onnx_size != want:
                    self.fail(node, "average pooling with ceil_mode whose last window starts in the padding is "
                                    "not supported")
            if kind == "max_pool":
                ceil_mode = False
        attrs = (f"ceil_mode = {'true' if ceil_mode else 'false'}, dilations = {i64_array(dilation)}, "
                 f"kernel_shape = {i64_array(kernel)}, pads = {i64_array(pads + end_pads)}, "
                 f"strides = {i64_array(stride)}")
        if kind == "average_pool":
            attrs = f"ceil_mode = {'true' if ceil_mode else 'false'}, count_include_pad = " \
                    f"{'true' if count_include_pad else 'false'}, " + attrs.split(", ", 1)[1]
        return self.functional(kind, [x], [tx], out, attrs)

    def adaptive_avg_pool(self, node, x, tx, size):
        out = node.meta["value"]
        n = tx.dim() - 2
        size = [s if s is not None else tx.shape[2 + i] for i, s in enumerate(pair(size, n))]
        if all(s == 1 for s in size):
            return self.functional("global_average_pool", [x], [tx], out)
        ins = list(tx.shape[2:])
        if any(i % s for i, s in zip(ins, size)):
            self.fail(node, f"adaptive average pooling from {ins} to {size}: only whole multiples are supported")
        k = [i // s for i, s in zip(ins, size)]
        return self.pool(node, "average_pool", x, tx, k, k, 0)

    def flatten(self, node, x, tx, start=0, end=-1):
        out = node.meta["value"]
        return self.reshape(x, tx, list(out.shape))[0]

    def activation(self, node, kind, x, tx, **kw):
        out = node.meta["value"]
        if kind in ("relu", "sigmoid", "tanh"):
            return self.unary_typed(kind, x, out)
        if kind == "relu6":
            return self.unary_typed("clip", x, out, f"max = {f32(6)}, min = {f32(0)}")
        if kind == "hardtanh":
            return self.unary_typed("clip", x, out, f"max = {f32(kw['max_val'])}, min = {f32(kw['min_val'])}")
        if kind == "hardswish":
            return self.unary_typed("hard_swish", x, out)
        if kind == "hardsigmoid":
            return self.unary_typed("hard_sigmoid", x, out, f"alpha = {f32(1 / 6)}, beta = {f32(0.5)}")
        if kind == "leaky_relu":
            return self.unary_typed("leaky_relu", x, out, f"alpha = {f32(kw['negative_slope'])}")
        if kind == "elu":
            return self.unary_typed("elu", x, out, f"alpha = {f32(kw['alpha'])}")
        if kind == "silu":
            s = self.unary_typed("sigmoid", x, out)
            return self.binary("mul", x, tx, s, out, out)
        if kind == "gelu":
            if kw.get("approximate", "none") != "none":
                self.fail(node, "GELU with the tanh approximation is not supported")
            # 0.5 * x * (1 + erf(x / sqrt(2)))
            c = self.e.constant(torch.tensor(1 / math.sqrt(2)), "gelu_c")
            scalar = torch.tensor(0.0)
            xs = self.binary("mul", x, tx, c, scalar, out)
            er = self.unary_typed("erf", xs, out)
            one = self.e.constant(torch.tensor(1.0), "one")
            p1 = self.binary("add", er, out, one, scalar, out)
            half = self.e.constant(torch.tensor(0.5), "half")
            hx = self.binary("mul", x, tx, half, scalar, out)
            return self.binary("mul", hx, out, p1, out, out)
        self.fail(node, f"activation {kind} is not supported")

    def layer_norm(self, node, x, tx, shape, weight, bias, eps):
        """(x - mean) / sqrt(var + eps) * weight + bias over the last dims."""
        out = node.meta["value"]
        rank, d = tx.dim(), len(shape)
        axes = i64_array(range(rank - d, rank))
        kept = torch.empty(list(tx.shape[:rank - d]) + [1] * d, dtype=tx.dtype)
        scalar = torch.empty((), dtype=tx.dtype)
        mean = self.functional("reduce_mean", [x], [tx], kept, f"axes = {axes}, keepdims = true")
        centred = self.binary("sub", x, tx, mean, kept, tx)
        square = self.binary("mul", centred, tx, centred, tx, tx)
        var = self.functional("reduce_mean", [square], [tx], kept, f"axes = {axes}, keepdims = true")
        eps_c = self.e.constant(torch.tensor(float(eps)), "eps")
        std = self.unary_typed("sqrt", self.binary("add", var, kept, eps_c, scalar, kept), kept)
        y = self.binary("div", centred, tx, std, kept, out)
        if weight is not None:
            y = self.binary("mul", y, out, self.e.constant(weight, self.where(node) + "_weight"), weight, out)
        if bias is not None:
            y = self.binary("add", y, out, self.e.constant(bias, self.where(node) + "_bias"), bias, out)
        return y

    def embedding(self, node, indices, t_indices, weight):
        out = node.meta["value"]
        w = self.e.constant(weight, self.where(node) + "_weight")
        return self.functional("gather", [w, indices], [weight, t_indices], out, "axis = 0 : i64")

    def recurrent_weights(self, node, m, layer, dirs, reorder, seq_x, t_seq):
        """The operands of an ONNX-style recurrent node for one layer of
        nn.LSTM/GRU/RNN: X, then W, R and (with a bias) B stacked over the
        directions, each gate block `reorder`ed to ONNX's order."""
        suffixes = [f"_l{layer}"] + ([f"_l{layer}_reverse"] if dirs == 2 else [])
        W = torch.stack([reorder(getattr(m, "weight_ih" + s)) for s in suffixes])
        R = torch.stack([reorder(getattr(m, "weight_hh" + s)) for s in suffixes])
        hint = f"{self.where(node)}_l{layer}"
        operands, types = [seq_x, self.e.constant(W, hint + "_W"), self.e.constant(R, hint + "_R")], [t_seq, W, R]
        if m.bias:
            B = torch.stack([torch.cat([reorder(getattr(m, "bias_ih" + s)), reorder(getattr(m, "bias_hh" + s))])
                             for s in suffixes])
            operands.append(self.e.constant(B, hint + "_B"))
            types.append(B)
        return operands, types

    def lstm(self, node, m, x, tx):
        """nn.LSTM as one graph.lstm per layer (ONNX semantics: gates
        i, o, f, c where PyTorch has i, f, g, o)."""
        if m.proj_size:
            self.fail(node, "LSTM with proj_size is not supported")
        if self.arg(node, 1, "hx") is not None:
            self.fail(node, "LSTM with initial states is not supported (they start at zero)")
        value = node.meta["value"]
        if tx.dim() != 3:
            self.fail(node, "LSTM on an unbatched input is not supported (give [batch, time, features])")
        dirs = 2 if m.bidirectional else 1
        h = m.hidden_size
        seq_x, t_seq = x, tx
        if m.batch_first:
            perm = [1, 0, 2]
            t_seq = tx.permute(perm)
            seq_x = self.functional("transpose", [x], [tx], t_seq, f"perm = {i64_array(perm)}")
        seq, batch = t_seq.shape[0], t_seq.shape[1]

        def reorder(w):  # PyTorch i, f, g, o -> ONNX i, o, f, c
            i, f, g, o = w.detach().chunk(4, 0)
            return torch.cat([i, o, f, g], 0)

        finals_h, finals_c = [], []
        for layer in range(m.num_layers):
            operands, types = self.recurrent_weights(node, m, layer, dirs, reorder, seq_x, t_seq)
            text_bias = f" bias {operands[-1]}" if m.bias else ""
            y_t = torch.empty(seq, dirs, batch, h)
            state_t = torch.empty(dirs, batch, h)
            direction = "bidirectional" if dirs == 2 else "forward"
            name = self.e.fresh()
            ins = ", ".join(tensor_type(t) for t in types)
            self.e.lines.append(
                f"    {name}:3 = graph.lstm {operands[0]}, {operands[1]}, {operands[2]}{text_bias} "
                f"{{direction = \"{direction}\", hidden_size = {h} : i64}} : ({ins}) -> "
                f"({tensor_type(y_t)}, {tensor_type(state_t)}, {tensor_type(state_t)})")
            y, yh, yc = f"{name}#0", f"{name}#1", f"{name}#2"
            finals_h.append((yh, state_t))
            finals_c.append((yc, state_t))
            # [seq, dirs, batch, h] -> [seq, batch, dirs * h], the next layer's input
            t_perm = y_t.permute(0, 2, 1, 3)
            yp = self.functional("transpose", [y], [y_t], t_perm, f"perm = {i64_array([0, 2, 1, 3])}")
            seq_x, t_seq = self.reshape(yp, t_perm, [seq, batch, dirs * h])
        output = seq_x
        if m.batch_first:
            t_out = t_seq.permute(1, 0, 2)
            output = self.functional("transpose", [seq_x], [t_seq], t_out, f"perm = {i64_array([1, 0, 2])}")

        def stacked(parts, like):
            if len(parts) == 1:
                return parts[0][0]
            return self.functional("concat", [n for n, _ in parts], [t for _, t in parts], like, "axis = 0 : i64")

        return (output, (stacked(finals_h, value[1][0]), stacked(finals_c, value[1][1])))

    def softmax(self, node, x, tx, dim, op="softmax"):
        """softmax or log_softmax (op) along dim."""
        out = node.meta["value"]
        if dim is None:  # PyTorch's implicit choice (F._get_softmax_dim)
            dim = 0 if tx.dim() in (0, 1, 3) else 1
        dim = dim % max(tx.dim(), 1)
        return self.e.op(f"graph.{op} {x} {{axis = {dim} : i64}} : {tensor_type(out)}")

    def mean(self, node, x, tx, dims, keepdim, op="reduce_mean"):
        """mean (or sum: op) over dims."""
        out = node.meta["value"]
        dims = sorted(d % tx.dim() for d in (dims if isinstance(dims, (list, tuple)) else [dims]))
        return self.functional(op, [x], [tx], out,
                               f"axes = {i64_array(dims)}, keepdims = {'true' if keepdim else 'false'}")

    def concat(self, node, tensors, dim):
        out = node.meta["value"]
        names = [self.names[t] for t in tensors]
        types = [t.meta["value"] for t in tensors]
        return self.functional("concat", names, types, out, f"axis = {dim % out.dim()} : i64")

    def slice_along(self, x, tx, dim, start, end, out):
        starts = [0] * tx.dim()
        ends = list(tx.shape)
        starts[dim], ends[dim] = start, end
        return self.functional("slice", [x], [tx], out,
                               f"ends = {i64_array(ends)}, starts = {i64_array(starts)}, "
                               f"steps = {i64_array([1] * tx.dim())}")

    def split(self, node, x, tx, parts, dim):
        """chunk/split: a tuple of slices."""
        dim = dim % tx.dim()
        outs, start = [], 0
        for part in parts:
            length = part.shape[dim]
            outs.append(self.slice_along(x, tx, dim, start, start + length, part))
            start += length
        return tuple(outs)

    def getitem_tensor(self, node, x, tx, index):
        """x[index]: ints, slices (positive steps), ..., None (a new axis)
        and at most one int64 tensor (a Gather along its dim, as ONNX's
        exporter writes `self.cos[pos]`)."""
        out = node.meta["value"]
        index = list(index) if isinstance(index, tuple) else [index]
        if index.count(Ellipsis) > 1:
            self.fail(node, "indexing with two ellipses")
        if Ellipsis in index:
            consumed = sum(1 for item in index if item is not None and item is not Ellipsis)
            at = index.index(Ellipsis)
            index[at:at + 1] = [slice(None)] * (tx.dim() - consumed)
        starts, ends, steps = [0] * tx.dim(), list(tx.shape), [1] * tx.dim()
        out_dims, gather, d = [], None, 0
        for item in index:
            if item is None:
                out_dims.append(1)
                continue
            if d >= tx.dim():
                self.fail(node, "too many indices")
            if isinstance(item, slice):
                s, e, st = item.indices(tx.shape[d])
                if st <= 0:
                    self.fail(node, "negative slice steps are not supported")
                starts[d], ends[d], steps[d] = s, e, st
                out_dims.append(len(range(s, e, st)))
            elif isinstance(item, bool):
                self.fail(node, f"indexing with {item!r} is not supported")
            elif isinstance(item, int):
                i = item % tx.shape[d]
                starts[d], ends[d] = i, i + 1
            elif isinstance(item, torch.fx.Node) and item.meta["value"].dtype in (torch.int64, torch.int32):
                if gather is not None:
                    self.fail(node, "indexing with more than one tensor is not supported")
                gather = (d, item)
                out_dims.extend(item.meta["value"].shape)
            else:
                self.fail(node, f"indexing with {type(item).__name__} is not supported")
            d += 1
        out_dims += list(tx.shape[d:])
        if out_dims != list(out.shape):  # PyTorch placed the dims otherwise: do not guess
            self.fail(node, f"indexing {list(tx.shape)} with {node.args[1]} is not supported")
        sliced = torch.empty([len(range(s, e, st)) for s, e, st in zip(starts, ends, steps)], dtype=tx.dtype)
        y = x
        if list(sliced.shape) != list(tx.shape):
            y = self.functional("slice", [x], [tx], sliced, f"ends = {i64_array(ends)}, starts = {i64_array(starts)}, "
                                                            f"steps = {i64_array(steps)}")
        if gather is not None:
            g, idx = gather
            ti = idx.meta["value"]
            gathered = torch.empty(list(sliced.shape[:g]) + list(ti.shape) + list(sliced.shape[g + 1:]),
                                   dtype=tx.dtype)
            y = self.onnx_node("Gather", [y, self.names[idx]], [sliced, ti], [gathered], {"axis": f"{g} : i64"})[0]
            sliced = gathered
        if list(sliced.shape) != list(out.shape):
            y = self.reshape(y, sliced, list(out.shape))[0]
        return y

    def unary(self, node, name, x, tx):
        """One of UNARY; `round` only to integers (no decimals)."""
        if not tx.is_floating_point() and name not in ("abs", "neg", "sign"):
            self.fail(node, f"{name} of {tx.dtype} is not supported")
        if name == "round" and self.arg(node, 1, "decimals", 0):
            self.fail(node, "round with decimals is not supported")
        return self.unary_typed(name, x, node.meta["value"])

    def stack(self, node, tensors, dim):
        """torch.stack: each tensor with a new axis, concatenated along it."""
        out = node.meta["value"]
        dim = dim % out.dim()
        parts, types = [], []
        for t in tensors:
            nt, tt = self.operand(node, t, out)
            shape = list(tt.shape)
            shape.insert(dim, 1)
            part, tp = self.reshape(nt, tt, shape)
            parts.append(part)
            types.append(tp)
        return self.functional("concat", parts, types, out, f"axis = {dim} : i64")

    def index_copy(self, node, x, tx, dim, index, source):
        """x.index_copy(dim, index, source): source's slices written at the
        index's positions along dim (a static KV cache written at `pos`):
        ONNX ScatterElements with the index broadcast to source's shape, as
        PyTorch's exporter writes it."""
        out = node.meta["value"]
        dim = dim % tx.dim()
        ni, ti = self.operand(node, index, out)
        ns, ts = self.operand(node, source, out)
        shape = [1] * ts.dim()
        shape[dim] = ti.numel()
        ni, ti = self.reshape(ni, ti, shape)
        expanded = torch.empty(ts.shape, dtype=ti.dtype)
        ni = self.expand(ni, ti, expanded)
        return self.onnx_node("ScatterElements", [x, ni, ns], [tx, expanded, ts], [out],
                              {"axis": f"{dim} : i64"})[0]

    # ---- dispatch ---------------------------------------------------------

    def run(self):
        gm = self.gm
        args, results = [], []
        for node in gm.graph.nodes:
            if node.op == "placeholder":
                value = node.meta["value"]
                if not isinstance(value, torch.Tensor):
                    self.fail(node, "inputs must be tensors")
                name = f"%arg{len(args)}"
                label = self.input_names[len(args)] if len(args) < len(self.input_names) else node.name
                args.append(f"{name}: {tensor_type(value)} {{graph.name = \"{label}\"}}")
                self.names[node] = name
            elif node.op == "output":
                flat = node.args[0]
                # A dict (torchvision's segmentation models): its tensors in
                # order, named by their keys.
                keys = [str(k) for k in flat] if isinstance(flat, dict) else []
                flat = list(flat.values()) if isinstance(flat, dict) else \
                    list(flat) if isinstance(flat, (tuple, list)) else [flat]
                for i, r in enumerate(flat):
                    if not isinstance(r, torch.fx.Node) or not isinstance(r.meta["value"], torch.Tensor):
                        self.fail(node, "outputs must be tensors (or a tuple, list or dict of them)")
                    label = self.output_names[i] if i < len(self.output_names) else keys[i] if keys else f"output{i}"
                    results.append((self.names[r], r.meta["value"], label))
            else:
                if node.op == "get_attr" and "value" not in node.meta:
                    # A tensor attribute fx made a node of by itself (a
                    # buffer passed as an argument): its value is the attribute.
                    value = gm
                    for part in node.target.split("."):
                        value = getattr(value, part)
                    node.meta["value"] = value
                self.names[node] = self.translate(node)
        body = "\n".join(self.e.lines)
        ret_values = ", ".join(r[0] for r in results)
        ret_types = ", ".join(tensor_type(r[1]) for r in results)
        result_sig = ", ".join(f"{tensor_type(r[1])} {{graph.name = \"{r[2]}\"}}" for r in results)
        text = (f"module {{\n  func.func @main({', '.join(args)}) -> ({result_sig}) {{\n{body}\n"
                f"    return {ret_values} : {ret_types}\n  }}\n}}\n")
        if self.e.resources:
            blobs = ",\n".join(f"      {name}: \"0x04000000{data.hex().upper()}\"" for name, data in self.e.resources)
            text += f"\n{{-#\n  dialect_resources: {{\n    builtin: {{\n{blobs}\n    }}\n  }}\n#-}}\n"
        return text

    # ---- PyTorch's quantised modules --------------------------------------
    #
    # Imported as QDQ, the form ONNX Runtime's quantiser writes: every
    # quantised tensor is a value of a !quant.uniform type; an op runs in
    # float between graph.dequantize and graph.quantize, and its weights are
    # int8 constants dequantized. edgec's passes turn the pattern into int8
    # kernels where it can (docs/guides/quantization.md).

    def dequantized(self, name, value):
        fl = value.dequantize()
        return self.functional("dequantize", [name], [value], fl), fl

    def quantized_to(self, name, value, out):
        return self.functional("quantize", [name], [value], out)

    def quantized_weight(self, node, w):
        """A quantised weight as an int8 constant, cast to its quant type and dequantized."""
        if w.dtype != torch.qint8:
            self.fail(node, f"weights of {w.dtype} are not supported (int8 only)")
        ints = w.int_repr()
        if w.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
            if any(int(z) != 0 for z in w.q_per_channel_zero_points()):
                self.fail(node, "per-channel weights with non-zero zero points are not supported")
            scales = ",".join(f"{float(v):.17e}" for v in w.q_per_channel_scales())
            qtype = f"!quant.uniform<i8:f32:{w.q_per_channel_axis()}, {{{scales}}}>"
        else:
            qtype = quant_element(w)
        raw = self.e.constant(ints, self.where(node) + "_weight_q")
        dims = "x".join(str(d) for d in w.shape)
        cast = self.e.op(f"quant.scast {raw} : {tensor_type(ints)} to tensor<{dims}x{qtype}>")
        fl = w.dequantize()
        return self.e.op(f"graph.dequantize {cast} : (tensor<{dims}x{qtype}>) -> {tensor_type(fl)}"), fl

    def translate_quantized(self, node, m):
        """Quantised modules and ops; None when `node` is not one."""
        kind = type(m).__module__ if m is not None else ""
        name = type(m).__name__ if m is not None else ""
        out = node.meta["value"]
        if m is not None and kind.startswith("torch.ao.nn.quantized.modules") and name == "Quantize":
            x, tx = self.x_of(node)
            return self.quantized_to(x, tx, out)
        if m is not None and kind.startswith("torch.ao.nn.quantized.modules") and name == "DeQuantize":
            x, tx = self.x_of(node)
            return self.functional("dequantize", [x], [tx], out)
        quantized_module = kind.startswith(("torch.ao.nn.quantized.modules", "torch.nn.intrinsic.quantized",
                                            "torch.ao.nn.intrinsic.quantized"))
        if quantized_module and name in ("Conv1d", "Conv2d", "ConvReLU1d", "ConvReLU2d", "Linear", "LinearReLU"):
            x, tx = self.x_of(node)
            xf, txf = self.dequantized(x, tx)
            w, wf = self.quantized_weight(node, m.weight())
            fl = out.dequantize()
            operands, types = self.with_bias(node, xf, txf, w, wf, m.bias())
            if name.startswith("Conv"):
                if getattr(m, "padding_mode", "zeros") != "zeros":
                    self.fail(node, f"padding_mode {m.padding_mode} is not supported")
                y = self.conv_op(node, operands, types, fl, m.stride, m.padding, m.dilation, m.groups)
            else:
                if txf.dim() != 2:
                    self.fail(node, "quantised Linear on inputs of rank other than 2 is not supported")
                y = self.functional("gemm", operands, types, fl, GEMM_ATTRS)
            if "ReLU" in name:
                y = self.unary_typed("relu", y, fl)
            return self.quantized_to(y, fl, out)
        target = node.target if node.op == "call_function" else None
        if target is torch.quantize_per_tensor:  # FX-mode convert output
            x, tx = self.x_of(node)
            return self.quantized_to(x, tx, out)
        if node.op == "call_method" and node.target == "dequantize":
            x, tx = self.x_of(node)
            if not tx.is_quantized:
                return x
            return self.functional("dequantize", [x], [tx], out)
        ops = {torch.ops.quantized.add: "add", torch.ops.quantized.add_relu: "add",
               torch.ops.quantized.mul: "mul", torch.ops.quantized.mul_relu: "mul"}
        if target in ops:
            a, b = node.args[0], node.args[1]
            fa, ta = self.dequantized(self.names[a], a.meta["value"])
            fb, tb = self.dequantized(self.names[b], b.meta["value"])
            fl = out.dequantize()
            y = self.binary(ops[target], fa, ta, fb, tb, fl)
            if target in (torch.ops.quantized.add_relu, torch.ops.quantized.mul_relu):
                y = self.unary_typed("relu", y, fl)
            return self.quantized_to(y, fl, out)
        if target is torch.ops.quantized.cat:
            parts = [self.dequantized(self.names[t], t.meta["value"]) for t in node.args[0]]
            fl = out.dequantize()
            dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
            y = self.functional("concat", [n for n, _ in parts], [t for _, t in parts], fl,
                                f"axis = {dim % fl.dim()} : i64")
            return self.quantized_to(y, fl, out)
        return None

    def translate_through_float(self, node):
        """Any other op on quantised tensors: in float, between the inputs'
        dequantize and the output's quantize (exact to QDQ's definition)."""
        saved = {}
        for a in node.all_input_nodes:
            value = a.meta.get("value")
            if isinstance(value, torch.Tensor) and value.is_quantized:
                saved[a] = (self.names[a], value)
                self.names[a], a.meta["value"] = self.dequantized(self.names[a], value)
        out = node.meta["value"]
        parts = out if isinstance(out, (tuple, list)) else (out,)  # chunk/split give several
        node.meta["value"] = type(parts)(p.dequantize() if isinstance(p, torch.Tensor) and p.is_quantized else p
                                         for p in parts) if isinstance(out, (tuple, list)) else \
            (out.dequantize() if isinstance(out, torch.Tensor) and out.is_quantized else out)
        try:
            y = self.translate_float(node)
        finally:
            for a, (n, v) in saved.items():
                self.names[a], a.meta["value"] = n, v
            node.meta["value"] = out
        names = y if isinstance(out, (tuple, list)) else (y,)
        names = tuple(self.quantized_to(n, p.dequantize(), p) if isinstance(p, torch.Tensor) and p.is_quantized
                      else n for n, p in zip(names, parts))
        return names if isinstance(out, (tuple, list)) else names[0]

    def translate(self, node):
        try:
            return self.translate_node(node)
        except UnsupportedError:
            raise
        except Exception as e:  # a call this importer reads wrongly: name it, do not crash
            target = getattr(node.target, "__name__", node.target)
            raise UnsupportedError(f"{self.where(node)}: {node.op} {target} could not be imported "
                                   f"({type(e).__name__}: {e}) (fx node `{node.name}`)")

    RANDOM = ("rand", "normal", "bernoulli", "multinomial", "dropout")

    def is_constant(self, node):
        """True when `node` computes the same tensor whatever the inputs:
        it reads only parameters, buffers and other such nodes (torch.arange
        of a size, torch.zeros, a table computed from buffers), and draws no
        random numbers."""
        if node not in self.constant_nodes:
            name = str(getattr(node.target, "__name__", node.target))
            self.constant_nodes[node] = (
                node.op == "get_attr" or
                (node.op in ("call_function", "call_method") and
                 not any(k in name for k in self.RANDOM) and
                 all(self.is_constant(a) for a in node.all_input_nodes)))
        return self.constant_nodes[node]

    def translate_node(self, node):
        value = node.meta.get("value")
        if node.op != "get_attr" and isinstance(value, torch.Tensor) and not value.is_quantized and \
                self.is_constant(node):
            return self.e.constant(value, f"{self.where(node)}_{node.name}")
        m = self.gm.get_submodule(node.target) if node.op == "call_module" else None
        q = self.translate_quantized(node, m) if node.op.startswith("call_") else None
        if q is not None:
            return q
        if any(isinstance(a.meta.get("value"), torch.Tensor) and a.meta["value"].is_quantized
               for a in node.all_input_nodes):
            return self.translate_through_float(node)
        return self.translate_float(node)

    def translate_float(self, node):
        if node.op == "get_attr":
            value = node.meta["value"]
            if not isinstance(value, torch.Tensor):
                self.fail(node, "attribute is not a tensor")
            return self.e.constant(value, node.target)
        if node.op == "call_module":
            return self.translate_module(node, self.gm.get_submodule(node.target))
        if node.op == "call_function":
            return self.translate_function(node)
        if node.op == "call_method":
            return self.translate_method(node)
        self.fail(node, f"fx op {node.op}")

    def x_of(self, node):
        a = node.args[0] if node.args else node.kwargs.get("input", node.kwargs.get("self"))
        if not isinstance(a, torch.fx.Node):
            self.fail(node, "the first operand is not a tensor")
        return self.names[a], a.meta["value"]

    def translate_module(self, node, m):
        x, tx = self.x_of(node)
        if isinstance(m, (nn.Conv1d, nn.Conv2d)):
            if m.padding_mode != "zeros":
                self.fail(node, f"Conv padding_mode '{m.padding_mode}' is not supported")
            return self.conv(node, x, tx, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)
        if isinstance(m, nn.Linear):
            return self.linear(node, x, tx, m.weight, m.bias)
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if m.training or not m.track_running_stats:
                self.fail(node, "BatchNorm in training mode: call model.eval() before importing")
            return self.batch_norm(node, x, tx, m.running_mean, m.running_var, m.weight, m.bias, m.eps)
        simple = {nn.ReLU: "relu", nn.ReLU6: "relu6", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh",
                  nn.Hardswish: "hardswish", nn.Hardsigmoid: "hardsigmoid", nn.SiLU: "silu"}
        for cls, kind in simple.items():
            if type(m) is cls:
                return self.activation(node, kind, x, tx)
        if isinstance(m, nn.GELU):
            return self.activation(node, "gelu", x, tx, approximate=getattr(m, "approximate", "none"))
        if isinstance(m, nn.LeakyReLU):
            return self.activation(node, "leaky_relu", x, tx, negative_slope=m.negative_slope)
        if isinstance(m, nn.Hardtanh):
            return self.activation(node, "hardtanh", x, tx, min_val=m.min_val, max_val=m.max_val)
        if isinstance(m, nn.ELU):
            return self.activation(node, "elu", x, tx, alpha=m.alpha)
        if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d)):
            if m.return_indices:
                self.fail(node, "max pooling with indices is not supported")
            return self.pool(node, "max_pool", x, tx, m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode)
        if isinstance(m, (nn.AvgPool1d, nn.AvgPool2d)):
            if getattr(m, "divisor_override", None):
                self.fail(node, "average pooling with divisor_override is not supported")
            return self.pool(node, "average_pool", x, tx, m.kernel_size, m.stride, m.padding, 1, m.ceil_mode,
                             m.count_include_pad)
        if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)):
            return self.adaptive_avg_pool(node, x, tx, m.output_size)
        if isinstance(m, (nn.Dropout, nn.Identity)):
            return x
        if isinstance(m, nn.Upsample):
            return self.interpolate(node, x, tx, m.size, m.scale_factor, m.mode, m.align_corners, False)
        if isinstance(m, nn.Flatten):
            return self.flatten(node, x, tx)
        if isinstance(m, nn.Softmax):
            return self.softmax(node, x, tx, m.dim)
        if isinstance(m, nn.LogSoftmax):
            return self.softmax(node, x, tx, m.dim, "log_softmax")
        if isinstance(m, nn.LayerNorm):
            return self.layer_norm(node, x, tx, m.normalized_shape, m.weight, m.bias, m.eps)
        if isinstance(m, nn.Embedding):
            return self.embedding(node, x, tx, m.weight)
        if isinstance(m, nn.LSTM):
            return self.lstm(node, m, x, tx)
        if isinstance(m, nn.MultiheadAttention):
            return self.multihead_attention(node, m)
        if isinstance(m, (nn.GRU, nn.RNN)):
            return self.recurrent_onnx(node, m, x, tx, "GRU" if isinstance(m, nn.GRU) else "RNN")
        if isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            return self.conv_transpose(node, m, x, tx)
        if isinstance(m, nn.PixelShuffle):  # ONNX DepthToSpace, CRD order
            return self.onnx_node("DepthToSpace", [x], [tx], [node.meta["value"]],
                                  {"blocksize": f"{m.upscale_factor} : i64", "mode": '"CRD"'})[0]
        self.fail(node, f"module {type(m).__name__} is not supported")

    def onnx_node(self, op_type, operands, types, outs, attrs):
        """graph.onnx: a node edgec's ONNX importer builds (GRU, RNN,
        ConvTranspose), expanded by it when edgec reads the file, so each op
        is decomposed in one place. Returns the result names."""
        text = ", ".join(f"{k} = {v}" for k, v in attrs.items())
        ins = ", ".join(tensor_type(t) for t in types)
        res = ", ".join(tensor_type(t) for t in outs)
        name = self.e.fresh()
        lhs = f"{name}:{len(outs)}" if len(outs) > 1 else name
        self.e.lines.append(f'    {lhs} = graph.onnx "{op_type}"({", ".join(operands)}) {{{text}}} : ({ins}) -> ({res})')
        return [f"{name}#{i}" for i in range(len(outs))] if len(outs) > 1 else [name]

    def conv_transpose(self, node, m, x, tx):
        """nn.ConvTranspose{1,2,3}d as ONNX ConvTranspose (same weight layout)."""
        if m.padding_mode != "zeros":
            self.fail(node, f"ConvTranspose padding_mode '{m.padding_mode}' is not supported")
        if self.arg(node, 1, "output_size") is not None:
            self.fail(node, "ConvTranspose with output_size is not supported (give output_padding)")
        n = tx.dim() - 2
        hint = self.where(node)
        operands, types = [x, self.e.constant(m.weight, hint + "_weight")], [tx, m.weight]
        if m.bias is not None:
            operands.append(self.e.constant(m.bias, hint + "_bias"))
            types.append(m.bias)
        pads = pair(m.padding, n)
        attrs = {"strides": i64_array(pair(m.stride, n)), "pads": i64_array(pads + pads),
                 "dilations": i64_array(pair(m.dilation, n)), "group": f"{m.groups} : i64",
                 "output_padding": i64_array(pair(m.output_padding, n))}
        return self.onnx_node("ConvTranspose", operands, types, [node.meta["value"]], attrs)[0]

    def recurrent_onnx(self, node, m, x, tx, kind):
        """nn.GRU / nn.RNN as an ONNX GRU / RNN node per layer (the ONNX
        importer unrolls them): PyTorch's GRU gates r, z, n are ONNX's z, r,
        h with linear_before_reset; the layers chained as nn.LSTM's are."""
        if self.arg(node, 1, "hx") is not None:
            self.fail(node, f"{kind} with an initial state is not supported (it starts at zero)")
        if tx.dim() != 3:
            self.fail(node, f"{kind} on an unbatched input is not supported (give [batch, time, features])")
        value = node.meta["value"]
        dirs = 2 if m.bidirectional else 1
        h = m.hidden_size
        seq_x, t_seq = x, tx
        if m.batch_first:
            seq_x, t_seq = self.permuted(x, tx, [1, 0, 2])
        seq, batch = t_seq.shape[0], t_seq.shape[1]

        def reorder(w):
            if kind == "RNN":
                return w.detach()
            r, z, n = w.detach().chunk(3, 0)
            return torch.cat([z, r, n], 0)

        finals = []
        for layer in range(m.num_layers):
            operands, types = self.recurrent_weights(node, m, layer, dirs, reorder, seq_x, t_seq)
            attrs = {"hidden_size": f"{h} : i64", "direction": '"bidirectional"' if dirs == 2 else '"forward"'}
            if kind == "GRU":
                attrs["linear_before_reset"] = "1 : i64"
            else:
                act = '"Tanh"' if m.nonlinearity == "tanh" else '"Relu"'
                attrs["activations"] = "[" + ", ".join([act] * dirs) + "]"
            y_t, state_t = torch.empty(seq, dirs, batch, h), torch.empty(dirs, batch, h)
            y, yh = self.onnx_node(kind, operands, types, [y_t, state_t], attrs)
            finals.append((yh, state_t))
            # [seq, dirs, batch, h] -> [seq, batch, dirs * h], the next layer's input
            yp, t_perm = self.permuted(y, y_t, [0, 2, 1, 3])
            seq_x, t_seq = self.reshape(yp, t_perm, [seq, batch, dirs * h])
        output = seq_x
        if m.batch_first:
            output, _ = self.permuted(seq_x, t_seq, [1, 0, 2])
        if len(finals) == 1:
            return (output, finals[0][0])
        h_n = self.functional("concat", [n for n, _ in finals], [t for _, t in finals], value[1], "axis = 0 : i64")
        return (output, h_n)

    def project(self, x, tx, weight, bias, hint):
        """x @ weight^T (+ bias) over the last dim; (SSA name, value)."""
        out = torch.empty(list(tx.shape[:-1]) + [weight.shape[0]], dtype=tx.dtype)
        wt = weight.detach().t().contiguous()
        y = self.functional("matmul", [x, self.e.constant(wt, hint + "_weight_t")], [tx, wt], out)
        if bias is not None:
            y = self.binary("add", y, out, self.e.constant(bias.detach(), hint + "_bias"), bias, out)
        return y, out

    def permuted(self, x, tx, perm):
        out = tx.permute(perm)
        return self.functional("transpose", [x], [tx], out, f"perm = {i64_array(perm)}"), out

    def multihead_attention(self, node, m):
        """nn.MultiheadAttention as PyTorch computes it: the in-projections,
        heads split off, softmax(q k^T / sqrt(d) + mask) v per head, heads
        joined, the out-projection; the head-averaged weights when asked."""
        arg = lambda i, name, default=None: self.arg(node, i, name, default)  # noqa: E731
        if not m._qkv_same_embed_dim or m.bias_k is not None or m.add_zero_attn:
            self.fail(node, "MultiheadAttention with kdim/vdim, bias_k/bias_v or add_zero_attn is not supported")
        # forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights)
        if arg(3, "key_padding_mask") is not None:
            self.fail(node, "MultiheadAttention with a key_padding_mask is not supported")
        query, key, value = arg(0, "query"), arg(1, "key"), arg(2, "value")
        if not all(isinstance(a, torch.fx.Node) for a in (query, key, value)) or query.meta["value"].dim() != 3:
            self.fail(node, "MultiheadAttention needs batched query, key and value tensors")
        E, H = m.embed_dim, m.num_heads
        D = E // H
        hint = self.where(node)
        w_q, w_k, w_v = m.in_proj_weight.detach().chunk(3)
        b_q, b_k, b_v = m.in_proj_bias.detach().chunk(3) if m.in_proj_bias is not None else (None,) * 3
        heads = []
        for a, w, b, tag in ((query, w_q, b_q, "q"), (key, w_k, b_k, "k"), (value, w_v, b_v, "v")):
            x, tx = self.names[a], a.meta["value"]
            if not m.batch_first:  # [L, B, E] -> [B, L, E]
                x, tx = self.permuted(x, tx, [1, 0, 2])
            y, ty = self.project(x, tx, w, b, f"{hint}_{tag}")
            y, ty = self.reshape(y, ty, [ty.shape[0], ty.shape[1], H, D])
            heads.append(self.permuted(y, ty, [0, 2, 1, 3]))  # [B, H, len, D]
        (q, tq), (k, tk), (v, tv) = heads
        scale = torch.tensor(1.0 / math.sqrt(D))
        q = self.binary("mul", q, tq, self.e.constant(scale, "attention_scale"), scale, tq)
        k, tk = self.permuted(k, tk, [0, 1, 3, 2])  # [B, H, D, S]
        scores_t = torch.empty(tq.shape[0], H, tq.shape[2], tk.shape[3])
        scores = self.functional("matmul", [q, k], [tq, tk], scores_t)
        mask = arg(5, "attn_mask")
        if mask is not None:
            if not isinstance(mask, torch.fx.Node):
                self.fail(node, "MultiheadAttention's attn_mask must be a tensor")
            nm, tm = self.names[mask], mask.meta["value"]
            if tm.dim() == 3:  # [B * H, L, S]
                nm, tm = self.reshape(nm, tm, list(scores_t.shape))
            if tm.dtype == torch.bool:  # True: not attended
                inf = torch.tensor(float("-inf"))
                scores = self.e.op(f"graph.where {nm}, {self.e.constant(inf, 'minus_inf')}, {scores} : "
                                   f"({tensor_type(tm)}, {tensor_type(inf)}, {tensor_type(scores_t)}) -> "
                                   f"{tensor_type(scores_t)}")
            else:
                scores = self.binary("add", scores, scores_t, nm, tm, scores_t)
        attn = self.e.op(f"graph.softmax {scores} {{axis = 3 : i64}} : {tensor_type(scores_t)}")
        o_t = torch.empty(tq.shape)
        o = self.functional("matmul", [attn, v], [scores_t, tv], o_t)
        o, o_t = self.permuted(o, o_t, [0, 2, 1, 3])
        o, o_t = self.reshape(o, o_t, [o_t.shape[0], o_t.shape[1], E])
        out, out_t = self.project(o, o_t, m.out_proj.weight, m.out_proj.bias, f"{hint}_out_proj")
        if not m.batch_first:
            out, out_t = self.permuted(out, out_t, [1, 0, 2])
        weights = None
        if arg(4, "need_weights", True):
            weights = attn
            if arg(6, "average_attn_weights", True):
                mean_t = torch.empty(scores_t.shape[0], scores_t.shape[2], scores_t.shape[3])
                weights = self.functional("reduce_mean", [attn], [scores_t], mean_t, "axes = array<i64: 1>, keepdims = false")
        return (out, weights)

    def arg(self, node, i, name, default=None):
        """Argument `i` (positional) or `name` (keyword) of a call."""
        if len(node.args) > i:
            return node.args[i]
        return node.kwargs.get(name, default)

    def translate_function(self, node):
        t = node.target
        out = node.meta["value"]
        arg = lambda i, name, default=None: self.arg(node, i, name, default)  # noqa: E731
        if t is operator.getitem:
            base = node.args[0]
            if isinstance(self.names.get(base), tuple):
                return self.names[base][node.args[1]]
            x, tx = self.x_of(node)
            return self.getitem_tensor(node, x, tx, node.args[1])
        binary = {operator.add: "add", torch.add: "add", operator.iadd: "add", operator.mul: "mul",
                  torch.mul: "mul", operator.imul: "mul", operator.sub: "sub", torch.sub: "sub",
                  operator.isub: "sub", operator.truediv: "div", torch.div: "div", operator.itruediv: "div"}
        if t in binary:
            return self.binary_call(node, binary[t], arg(0, "input"), arg(1, "other"))
        compares = {operator.gt: "greater", torch.gt: "greater", operator.lt: "less", torch.lt: "less",
                    operator.ge: "greater_or_equal", torch.ge: "greater_or_equal", operator.le: "less_or_equal",
                    torch.le: "less_or_equal", operator.eq: "equal", torch.eq: "equal", operator.ne: "not_equal",
                    torch.ne: "not_equal"}
        if t in compares:
            return self.compare(node, compares[t], arg(0, "input"), arg(1, "other"))
        logic = {operator.or_: "or", torch.logical_or: "or", operator.and_: "and", torch.logical_and: "and",
                 operator.xor: "xor", torch.logical_xor: "xor"}
        if t in logic:
            a, b = arg(0, "input"), arg(1, "other")
            if any(isinstance(v, torch.fx.Node) and v.meta["value"].dtype != torch.bool for v in (a, b)):
                self.fail(node, "bitwise operators on integers are not supported (only on bool tensors)")
            return self.binary_call(node, logic[t], a, b)
        if t in (operator.neg, torch.neg):
            x, tx = self.x_of(node)
            return self.unary_typed("neg", x, out)
        if t in (operator.invert, torch.logical_not) and node.args[0].meta["value"].dtype == torch.bool:
            x, tx = self.x_of(node)
            return self.unary_typed("not", x, out)
        if t is torch.where and len(node.args) + len(node.kwargs) == 3:
            nc, tc = self.operand(node, arg(0, "condition"), out)
            na, ta = self.operand(node, arg(1, "input"), out)
            nb, tb = self.operand(node, arg(2, "other"), out)
            return self.e.op(f"graph.where {nc}, {na}, {nb} : ({tensor_type(tc)}, {tensor_type(ta)}, "
                             f"{tensor_type(tb)}) -> {tensor_type(out)}")
        if t in (operator.matmul, torch.matmul, torch.bmm):
            return self.matmul(node, arg(0, "input"), arg(1, "other"))
        if t in (torch.cat, torch.concat):
            return self.concat(node, arg(0, "tensors"), arg(1, "dim", 0))
        if t is torch.stack:
            return self.stack(node, arg(0, "tensors"), arg(1, "dim", 0))
        if t in (torch.pow, operator.pow):
            return self.binary_call(node, "pow", arg(0, "input"), arg(1, "exponent"))
        if getattr(torch, getattr(t, "__name__", ""), None) is t and t.__name__ in UNARY:
            x, tx = self.x_of(node)
            return self.unary(node, t.__name__, x, tx)
        if t is torch.rsqrt:
            x, tx = self.x_of(node)
            return self.unary_typed("reciprocal", self.unary_typed("sqrt", x, out), out)
        if t is torch.index_copy:
            x, tx = self.x_of(node)
            return self.index_copy(node, x, tx, arg(1, "dim"), arg(2, "index"), arg(3, "source"))
        if t is torch.flatten or t is torch.reshape:
            x, tx = self.x_of(node)
            return self.reshape(x, tx, list(out.shape))[0]
        if t in (torch.chunk, torch.split):
            x, tx = self.x_of(node)
            return self.split(node, x, tx, out, arg(2, "dim", 0))
        if t is torch.transpose:
            return self.transpose(node, arg(1, "dim0"), arg(2, "dim1"))
        if t is torch.permute:
            return self.permute(node, arg(1, "dims"))
        if t in (torch.mean, torch.sum):
            x, tx = self.x_of(node)
            if arg(3, "dtype") is not None:
                self.fail(node, f"{t.__name__} with a dtype is not supported")
            return self.mean(node, x, tx, arg(1, "dim", list(range(tx.dim()))), arg(2, "keepdim", False),
                             "reduce_" + t.__name__)
        if t in (torch.rand, torch.randn, torch.randint, torch.rand_like, torch.randn_like, torch.normal):
            self.fail(node, f"torch.{t.__name__} draws random numbers at run time, which is not supported")
        x, tx = self.x_of(node)
        acts = {torch.relu: "relu", F.relu: "relu", torch.relu_: "relu", F.relu6: "relu6", torch.sigmoid: "sigmoid",
                F.sigmoid: "sigmoid", torch.tanh: "tanh", F.tanh: "tanh", F.hardswish: "hardswish",
                F.hardsigmoid: "hardsigmoid", F.silu: "silu"}
        if t in acts:
            return self.activation(node, acts[t], x, tx)
        if t is F.gelu:
            return self.activation(node, "gelu", x, tx, approximate=arg(1, "approximate", "none"))
        if t is F.leaky_relu:
            return self.activation(node, "leaky_relu", x, tx, negative_slope=arg(1, "negative_slope", 0.01))
        if t is F.hardtanh:
            return self.activation(node, "hardtanh", x, tx, min_val=arg(1, "min_val", -1.0),
                                   max_val=arg(2, "max_val", 1.0))
        if t is F.dropout:
            if arg(2, "training", True) and arg(1, "p", 0.5) > 0:
                self.fail(node, "F.dropout in training mode drops at random (pass training=self.training)")
            return x
        if t is F.layer_norm:
            consts = []
            for a in (arg(2, "weight"), arg(3, "bias")):
                if isinstance(a, torch.fx.Node) and a.op != "get_attr":
                    self.fail(node, "layer_norm with a computed weight or bias is not supported")
                consts.append(a.meta["value"] if isinstance(a, torch.fx.Node) else a)
            return self.layer_norm(node, x, tx, arg(1, "normalized_shape"), consts[0], consts[1], arg(4, "eps", 1e-5))
        if t in (F.pixel_shuffle, torch.pixel_shuffle) and tx.dim() == 4:
            return self.onnx_node("DepthToSpace", [x], [tx], [out],
                                  {"blocksize": f"{arg(1, 'upscale_factor')} : i64", "mode": '"CRD"'})[0]
        if t is F.grid_sample and tx.dim() == 4:
            grid, tg = self.operand(node, arg(1, "grid"), out)
            return self.onnx_node("GridSample", [x, grid], [tx, tg], [out],
                                  {"mode": f'"{arg(2, "mode", "bilinear")}"',
                                   "padding_mode": f'"{arg(3, "padding_mode", "zeros")}"',
                                   "align_corners": f'{int(bool(arg(4, "align_corners", False)))} : i64'})[0]
        if t is F.interpolate:
            return self.interpolate(node, x, tx, arg(1, "size"), arg(2, "scale_factor"), arg(3, "mode", "nearest"),
                                    arg(4, "align_corners"), arg(6, "antialias", False))
        if t is F.adaptive_avg_pool2d or t is F.adaptive_avg_pool1d:
            return self.adaptive_avg_pool(node, x, tx, arg(1, "output_size"))
        if t is F.softmax or t is torch.softmax:
            return self.softmax(node, x, tx, arg(1, "dim"))
        if t is F.log_softmax or t is torch.log_softmax:
            return self.softmax(node, x, tx, arg(1, "dim"), "log_softmax")
        if t in (F.max_pool1d, F.max_pool2d):
            if arg(6, "return_indices", False):
                self.fail(node, "max pooling with indices is not supported")
            return self.pool(node, "max_pool", x, tx, arg(1, "kernel_size"), arg(2, "stride"), arg(3, "padding", 0),
                             arg(4, "dilation", 1), arg(5, "ceil_mode", False))
        if t in (F.avg_pool1d, F.avg_pool2d):
            if arg(6, "divisor_override") is not None:
                self.fail(node, "average pooling with divisor_override is not supported")
            return self.pool(node, "average_pool", x, tx, arg(1, "kernel_size"), arg(2, "stride"),
                             arg(3, "padding", 0), 1, arg(4, "ceil_mode", False), arg(5, "count_include_pad", True))
        name = f"{getattr(t, '__module__', '')}.{getattr(t, '__name__', t)}"
        if name.rsplit(".", 1)[-1] in ("nms", "batched_nms", "nonzero", "unique", "masked_select"):
            # A result whose size the data decides: the ONNX route sizes it for its bound with a count
            # output (the importer tracks the count); a .mlir graph has no way to carry it.
            self.fail(node, f"{name}: its output size is known only at run time, which this route cannot carry; "
                            "export the model to ONNX (edgec compiles it with a count output)")
        self.fail(node, f"{name} is not supported")

    def binary_call(self, node, kind, a, b):
        """+ - * / of tensors or numbers (no alpha, no rounding mode)."""
        if node.kwargs.get("alpha", 1) != 1:
            self.fail(node, "add/sub with alpha is not supported")
        if node.kwargs.get("rounding_mode") is not None:
            self.fail(node, "division with a rounding_mode is not supported")
        out = node.meta["value"]
        na, ta = self.operand(node, a, out)
        nb, tb = self.operand(node, b, out)
        return self.binary(kind, na, ta, nb, tb, out)

    def transpose(self, node, d0, d1):
        x, tx = self.x_of(node)
        perm = list(range(tx.dim()))
        d0, d1 = d0 % tx.dim(), d1 % tx.dim()
        perm[d0], perm[d1] = perm[d1], perm[d0]
        return self.functional("transpose", [x], [tx], node.meta["value"], f"perm = {i64_array(perm)}")

    def permute(self, node, dims):
        x, tx = self.x_of(node)
        return self.functional("transpose", [x], [tx], node.meta["value"],
                               f"perm = {i64_array([d % tx.dim() for d in dims])}")

    def translate_method(self, node):
        m = node.target.rstrip("_") if node.target.endswith("_") and not node.target.startswith("_") else node.target
        out = node.meta["value"]
        arg = lambda i, name, default=None: self.arg(node, i, name, default)  # noqa: E731
        x, tx = self.x_of(node)
        if m in ("contiguous", "clone", "detach"):
            return x
        if m == "__getitem__":  # a buffer indexed by a tensor (self.cos[pos])
            return self.getitem_tensor(node, x, tx, node.args[1])
        if m in ("view", "reshape", "flatten", "squeeze", "unsqueeze", "view_as", "reshape_as"):
            return self.reshape(x, tx, list(out.shape))[0]
        if m == "transpose":
            return self.transpose(node, arg(1, "dim0"), arg(2, "dim1"))
        if m == "t":  # 2-D: the two dims swapped; 0-D and 1-D as they are
            return self.transpose(node, 0, 1) if tx.dim() == 2 else x
        if m == "permute":
            dims = node.kwargs.get("dims")
            if dims is None:
                dims = node.args[1] if len(node.args) == 2 and isinstance(node.args[1], (tuple, list)) \
                    else node.args[1:]
            return self.permute(node, dims)
        if m in ("chunk", "split"):
            return self.split(node, x, tx, out, arg(2, "dim", 0))
        if m in ("mean", "sum"):
            return self.mean(node, x, tx, arg(1, "dim", list(range(tx.dim()))), arg(2, "keepdim", False),
                             "reduce_" + m)
        if m in ("relu", "sigmoid", "tanh"):
            return self.activation(node, m, x, tx)
        if m in ("add", "mul", "sub", "div"):
            return self.binary_call(node, m, node.args[0], arg(1, "other"))
        if m in ("softmax", "log_softmax"):
            return self.softmax(node, x, tx, arg(1, "dim"), m)
        method_compares = {"gt": "greater", "lt": "less", "ge": "greater_or_equal", "le": "less_or_equal",
                           "eq": "equal", "ne": "not_equal"}
        if m in method_compares:
            return self.compare(node, method_compares[m], node.args[0], arg(1, "other"))
        if m in ("matmul", "bmm"):
            return self.matmul(node, node.args[0], arg(1, "other"))
        if m in ("expand", "expand_as"):
            return self.expand(x, tx, out)
        if m == "masked_fill":
            return self.masked_fill(node, x, tx, arg(1, "mask"), arg(2, "value"))
        if m in ("long", "int", "float", "bool", "to", "type_as") and out.dtype != tx.dtype:
            if m in ("to", "type_as") and any(isinstance(a, torch.device) or isinstance(a, str) for a in node.args[1:]):
                self.fail(node, f"Tensor.{m} to a device is not supported")
            element = tensor_type(out)[len("tensor<"):-1].split("x")[-1]
            return self.e.op(f"graph.cast {x} {{to = {element}}} : {tensor_type(tx)} -> {tensor_type(out)}")
        if m in ("long", "int", "float", "bool", "to", "type_as"):
            return x
        if m in UNARY:
            return self.unary(node, m, x, tx)
        if m == "pow":
            return self.binary_call(node, "pow", node.args[0], arg(1, "exponent"))
        if m == "rsqrt":
            return self.unary_typed("reciprocal", self.unary_typed("sqrt", x, out), out)
        if m == "index_copy":
            return self.index_copy(node, x, tx, arg(1, "dim"), arg(2, "index"), arg(3, "source"))
        self.fail(node, f"Tensor.{node.target} is not supported")

    def interpolate(self, node, x, tx, size, scale_factor, mode, align_corners, antialias):
        """F.interpolate / nn.Upsample as graph.resize, with ONNX's names for
        PyTorch's sampling: nearest is asymmetric with floor, nearest-exact
        half-pixel rounding halves up, (bi)linear and bicubic half-pixel, or
        align_corners. The scale is the one PyTorch samples with: the given
        scale_factor, else output / input."""
        out = node.meta["value"]
        if antialias:
            self.fail(node, "interpolate with antialias is not supported")
        n = tx.dim() - 2
        if scale_factor is not None and not node.kwargs.get("recompute_scale_factor"):
            spatial = [float(v) for v in pair(scale_factor, n)]
        else:
            spatial = [o / i for o, i in zip(out.shape[2:], tx.shape[2:])]
        modes = {"nearest": ("nearest", "asymmetric", "floor"),
                 "nearest-exact": ("nearest", "half_pixel", "round_prefer_ceil"),
                 "linear": ("linear", None, "floor"), "bilinear": ("linear", None, "floor"),
                 "trilinear": ("linear", None, "floor"), "bicubic": ("cubic", None, "floor")}
        if mode not in modes:
            self.fail(node, f"interpolate mode '{mode}' is not supported")
        kind, ctm, nearest = modes[mode]
        ctm = ctm or ("align_corners" if align_corners else "half_pixel")
        scales = "array<f32: " + ", ".join(f32(v).split(" : ")[0] for v in [1.0, 1.0] + spatial) + ">"
        return self.functional("resize", [x], [tx], out,
                               f'coordinate_transformation_mode = "{ctm}", mode = "{kind}", '
                               f'nearest_mode = "{nearest}", scales = {scales}, sizes = {i64_array(out.shape)}')

    def compare(self, node, kind, a, b):
        """a > b etc. (i1 result); a number takes the tensor operand's dtype.
        != is not(==)."""
        out = node.meta["value"]
        like = (a if isinstance(a, torch.fx.Node) else b).meta["value"]
        na, ta = self.operand(node, a, like)
        nb, tb = self.operand(node, b, like)
        if kind != "not_equal":
            return self.binary(kind, na, ta, nb, tb, out)
        return self.unary_typed("not", self.binary("equal", na, ta, nb, tb, out), out)

    def matmul(self, node, a, b):
        """a @ b (numpy semantics: batched, broadcasting batch dims)."""
        out = node.meta["value"]
        na, ta = self.operand(node, a, out)
        nb, tb = self.operand(node, b, out)
        return self.functional("matmul", [na, nb], [ta, tb], out)

    def expand(self, x, tx, out):
        """x broadcast to `out`'s shape: where(true, x, x), as the ONNX
        importer's Expand."""
        mask = torch.empty(out.shape, dtype=torch.bool)
        cond = self.e.op(f"graph.constant dense<true> : {tensor_type(mask)}")
        return self.e.op(f"graph.where {cond}, {x}, {x} : ({tensor_type(mask)}, {tensor_type(tx)}, "
                         f"{tensor_type(tx)}) -> {tensor_type(out)}")

    def masked_fill(self, node, x, tx, mask, value):
        """where(mask, value, x)."""
        out = node.meta["value"]
        nm, tm = self.operand(node, mask, out)
        nv, tv = self.operand(node, value, out)
        return self.e.op(f"graph.where {nm}, {nv}, {x} : ({tensor_type(tm)}, {tensor_type(tv)}, "
                         f"{tensor_type(tx)}) -> {tensor_type(out)}")


def import_module(module, example_inputs, input_names=(), output_names=()):
    """MLIR text of the graph dialect for `module` called on `example_inputs`."""
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    module = module.eval()
    gm = trace(module, example_inputs)
    return Importer(gm, list(input_names), list(output_names)).run()
