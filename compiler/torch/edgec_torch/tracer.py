"""torch.fx tracing with the example inputs' values alongside.

Plain `torch.fx.symbolic_trace` cannot follow code that reads a shape
(`b, c, h, w = x.size()` in ShuffleNet's channel shuffle) or unpacks a tuple of
tensors (`x1, x2 = x.chunk(2, dim=1)`): its proxies have no values. This
tracer runs every call on the example inputs as it records it, so each node
carries the tensor it computes (`node.meta["value"]`), and anything that is
not a tensor (a size, a dim count, a dtype) is the plain Python value: the
graph is specialised to the example inputs' shapes, which is what an
ahead-of-time compiler wants anyway. What would make the graph depend on the
example inputs' values (branching on data, `.item()`) is refused, and an
in-place op's result replaces the tensor it changed for later uses.
"""

import contextlib
import operator

import torch
import torch.fx
from torch.fx.node import map_aggregate


class TraceFailure(Exception):
    """A call that could not be run on the example inputs while tracing."""


def _is_tensor_tree(value):
    """True for a tensor, or a tuple/list holding at least one tensor."""
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (tuple, list)):
        return any(_is_tensor_tree(v) for v in value)
    return False


class ConcreteProxy(torch.fx.Proxy):
    """A proxy whose value the tracer knows: it iterates by that value, and
    its data attributes that are not tensors (`x.shape`, `x.dtype`) are
    the values themselves. (fx's own iteration reads the caller's bytecode,
    which fails on Python 3.11.)"""

    def __iter__(self):
        value = self.tracer.values[self.node]
        if isinstance(value, (tuple, list)):
            return iter([self[i] for i in range(len(value))])
        if isinstance(value, torch.Tensor):
            return iter([self[i] for i in range(value.shape[0])])
        return super().__iter__()

    def __getattr__(self, k):
        value = getattr(self.tracer.values[self.node], k, _MISSING)
        if value is not _MISSING and not callable(value) and not _is_tensor_tree(value):
            return value
        return super().__getattr__(k)

    def __len__(self):
        return len(self.tracer.values[self.node])

    @classmethod
    def __torch_function__(cls, orig_method, types, args=None, kwargs=None):
        # `buffer[pos]` with pos a proxy: PyTorch's indexing takes pos for a
        # sequence (it has __len__ and __getitem__) and passes (pos[0], pos[1],
        # ...) as one index per dim. Give it pos back.
        if orig_method is torch.Tensor.__getitem__ and args and len(args) == 2:
            args = (args[0], _whole_if_iterated(args[1]))
        return super().__torch_function__(orig_method, types, args, kwargs)

    # `y += 1` on a tensor changes it in place (other names for it see the
    # change); fx would record `y = y + 1`.
    def __iadd__(self, other):
        return self.tracer.create_proxy("call_function", operator.iadd, (self, other), {})

    def __isub__(self, other):
        return self.tracer.create_proxy("call_function", operator.isub, (self, other), {})

    def __imul__(self, other):
        return self.tracer.create_proxy("call_function", operator.imul, (self, other), {})

    def __itruediv__(self, other):
        return self.tracer.create_proxy("call_function", operator.itruediv, (self, other), {})


def _whole_if_iterated(index):
    """`p` when `index` is the tuple (p[0], p[1], ..., p[n-1]) of every
    element of one tensor proxy `p` in order; `index` otherwise."""
    if not isinstance(index, tuple) or not index or not all(isinstance(i, torch.fx.Proxy) for i in index):
        return index
    nodes = [i.node for i in index]
    parent = nodes[0].args[0] if nodes[0].args else None
    if not isinstance(parent, torch.fx.Node):
        return index
    for k, n in enumerate(nodes):
        if n.op != "call_function" or n.target is not operator.getitem or n.args != (parent, k):
            return index
    value = index[0].tracer.values.get(parent)
    if not isinstance(value, torch.Tensor) or value.dim() == 0 or value.shape[0] != len(index):
        return index
    return index[0].tracer.proxy(parent)


_MISSING = object()
# Calls whose result is a tensor's data as Python values: a graph cannot
# take it from the example inputs.
_READS_DATA = {"item", "tolist", "numpy", "__bool__", "__int__", "__float__"}


class ConcreteTracer(torch.fx.Tracer):
    """Records `root`'s forward on `example_inputs`; every node keeps its value."""

    def __init__(self, example_inputs):
        super().__init__()
        self.example_inputs = list(example_inputs)
        self.next_input = 0
        self.values = {}  # fx.Node -> what it computes on the example inputs
        self.versions = {}  # fx.Node -> its tensor value's version counter when recorded
        self.latest = {}  # fx.Node -> the proxy of the in-place op that last changed its value
        self.running = False  # running a call for its value (not recording it)
        self.module_stack = []  # paths of the modules whose forward is being traced

    def _current(self, a):
        """The proxy that holds a tensor's value now: after an in-place op on
        it, the op's result (later uses of the tensor read that)."""
        while isinstance(a, torch.fx.Proxy) and a.node in self.latest:
            a = self.latest[a.node]
        return a

    def _value_of(self, a):
        if isinstance(a, torch.fx.proxy.Attribute):
            return getattr(self._value_of(a.root), a.attr)
        if isinstance(a, torch.fx.Proxy):
            return self.values[a.node]
        return a

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, proxy_factory_fn=None):
        args = map_aggregate(args, self._current)
        kwargs = map_aggregate(kwargs, self._current)
        if kind == "call_method" and target in _READS_DATA:
            raise TraceFailure(f"{self._where()}: Tensor.{target} reads tensor data into Python; a compiled "
                               "graph cannot depend on the example inputs' values")
        concrete_args = map_aggregate(args, self._value_of)
        concrete_kwargs = map_aggregate(kwargs, self._value_of)
        if kind == "placeholder":
            if self.next_input >= len(self.example_inputs):
                raise TraceFailure(f"forward takes more inputs than the {len(self.example_inputs)} example(s) given "
                                   "(give one for every parameter of forward, those with defaults too)")
            value = self.example_inputs[self.next_input]
            self.next_input += 1
        elif kind == "get_attr":
            with self._running():
                value = self.root
                for part in target.split("."):
                    value = getattr(value, part)
        elif kind == "output":
            value = concrete_args[0]
        else:
            try:
                with torch.no_grad(), self._running():
                    if kind == "call_function":
                        value = target(*concrete_args, **concrete_kwargs)
                    elif kind == "call_method":
                        value = getattr(concrete_args[0], target)(*concrete_args[1:], **concrete_kwargs)
                    else:  # call_module
                        value = self.root.get_submodule(target)(*concrete_args, **concrete_kwargs)
            except Exception as e:  # the user's model raised: say where
                raise TraceFailure(f"{self._where()}: {_describe(kind, target)} failed on the example inputs: {e}")
            # Sizes, dims and other non-tensor results are constants of this
            # trace, not graph nodes.
            if not _is_tensor_tree(value):
                self._check_unchanged(kind, target, ())
                return value
        proxy = super().create_proxy(kind, target, args, kwargs, name, type_expr, proxy_factory_fn)
        self.values[proxy.node] = value
        if isinstance(value, torch.Tensor):
            self.versions[proxy.node] = value._version
        proxy.node.meta["value"] = value
        proxy.node.meta["module_path"] = self._where()
        # An in-place op (relu_(), +=, ReLU(inplace=True)) changed the tensor
        # it returns: later uses of that tensor read this node.
        changed = self._check_unchanged(kind, target, [value] if isinstance(value, torch.Tensor) else [])
        for node in changed:
            self.latest[node] = proxy
        return proxy

    def _check_unchanged(self, kind, target, results):
        """The recorded tensors the last call changed in place; each must be
        what the call returned (else the change is not in the graph)."""
        changed = []
        for node, version in list(self.versions.items()):
            value = self.values[node]
            if value._version == version:
                continue
            if not any(value is r for r in results):
                raise TraceFailure(f"{self._where()}: {_describe(kind, target)} changed a tensor in place that it "
                                   "does not return (a view or an argument); use the out-of-place form")
            changed.append(node)
            self.versions[node] = value._version
        return changed

    @contextlib.contextmanager
    def _running(self):
        """While running a call for its value: fx's patched Module.__call__
        and __getattr__ behave as unpatched."""
        before, self.running = self.running, True
        try:
            yield
        finally:
            self.running = before

    def getattr(self, attr, attr_val, parameter_proxy_cache):
        if self.running:
            return attr_val
        return super().getattr(attr, attr_val, parameter_proxy_cache)

    def _where(self):
        return self.module_stack[-1] if self.module_stack else "<root>"

    # Containers whose forward is plain code over modules the importer maps
    # (MultiheadAttention, Linear, LayerNorm, Dropout): traced through, not
    # kept as leaves as fx keeps every torch.nn module.
    _TRACED_THROUGH = (torch.nn.TransformerEncoder, torch.nn.TransformerEncoderLayer,
                       torch.nn.TransformerDecoder, torch.nn.TransformerDecoderLayer, torch.nn.Transformer)

    def is_leaf_module(self, m, module_qualified_name):
        if isinstance(m, self._TRACED_THROUGH):
            return False
        return super().is_leaf_module(m, module_qualified_name)

    def call_module(self, m, forward, args, kwargs):
        if self.running:
            return forward(*args, **kwargs)
        self.module_stack.append(self.path_of_module(m) or "<root>")
        try:
            return super().call_module(m, forward, args, kwargs)
        finally:
            self.module_stack.pop()

    def proxy(self, node):
        return ConcreteProxy(node, self)

    def to_bool(self, obj):
        raise TraceFailure(f"{self._where()}: control flow on a tensor's values; a compiled graph cannot "
                           "branch on data (branching on shapes is fine)")


def _newest(tracer, node):
    while node in tracer.latest:
        node = tracer.latest[node].node
    return node


def _describe(kind, target):
    if kind == "call_module":
        return "module call"
    if kind == "call_method":
        return f"Tensor.{target}"
    return getattr(target, "__qualname__", None) or getattr(target, "__name__", None) or str(target)


def trace(module, example_inputs):
    """A GraphModule of `module` on `example_inputs`, nodes with their values.
    The inputs are copied: in-place ops in the model do not change them."""
    example_inputs = [t.clone() if isinstance(t, torch.Tensor) else t for t in example_inputs]
    tracer = ConcreteTracer(example_inputs)
    try:
        graph = tracer.trace(module)
    except TraceFailure:
        raise
    except Exception as e:  # fx's own limits (a module made inside forward, keyword-only inputs, ...)
        raise TraceFailure(f"torch.fx cannot trace {type(module).__name__}: {type(e).__name__}: {e}") from e
    # fx makes the output node itself: a returned tensor changed in place
    # is the in-place op's result.
    for node in graph.nodes:
        if node.op == "output":
            node.args = torch.fx.node.map_arg(node.args, lambda n: _newest(tracer, n))
    if tracer.next_input != len(tracer.example_inputs):
        raise TraceFailure(f"forward takes {tracer.next_input} input(s), {len(tracer.example_inputs)} example(s) given")
    gm = torch.fx.GraphModule(tracer.root, graph)
    gm.graph.eliminate_dead_code()  # what only fed a shape or a replaced value
    return gm
