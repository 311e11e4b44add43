# Translates a torch.fx GraphModule to the Relax text TVM's PyTorch FX importer would produce
# (relax.frontend.torch.from_fx with keep_params_as_input=True), for the operators the models of
# testdata/models/ use; one function per torch module or operator. Each mirrors what the
# importer emits in apache/tvm v0.23.0, python/tvm/relax/frontend/torch/fx_translator.py and
# base_fx_graph_translator.py (the method named in each docstring), and the normalisation the
# Relax op's Python wrapper applies (python/tvm/relax/op/*.py). Shapes are computed here and
# checked against torch.fx's ShapeProp for every node, so a wrong rule cannot go unnoticed.
import operator

import numpy as np
import torch
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp

from relax_text import FunctionBuilder, Value, call, constant, shape_expr

TORCH_DTYPES = {torch.float32: "float32", torch.int64: "int64", torch.int32: "int32", torch.bool: "bool"}


def broadcast(*shapes):
    return tuple(np.broadcast_shapes(*shapes))


def matmul_shape(a, b):
    a1, b1 = len(a) == 1, len(b) == 1
    a, b = ((1,) + a if a1 else a), (b + (1,) if b1 else b)
    assert a[-1] == b[-2], "matmul: %s x %s" % (a, b)
    out = broadcast(a[:-2], b[:-2]) + (a[-2], b[-1])
    return out[:-2] + out[-2 + a1: len(out) - b1] if (a1 or b1) else out


def pool_extent(size, kernel, stride, pad, dilation):
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


class Importer:
    def __init__(self, gm: fx.GraphModule, input_shape, input_dtype):
        self.gm, self.b, self.env = gm, FunctionBuilder(), {}
        self.modules = dict(gm.named_modules())
        self.input = self.b.param("inp_0", input_shape, input_dtype)  # create_input_vars
        self.params = {}  # id(parameter) -> Value; from_fx: sorted by name, after the input
        for name, p in sorted(gm.named_parameters(), key=lambda kv: kv[0]):
            self.params[id(p)] = self.b.param(name, tuple(p.shape), TORCH_DTYPES[p.dtype])

    def translate(self, example):
        ShapeProp(self.gm).propagate(example)
        for node in self.gm.graph.nodes:
            if node.op == "output":
                return self.b.emit_output(self.arg(node.args[0]))
            self.env[node] = self.node(node)
            self.check(node)
        raise AssertionError("graph without output")

    def node(self, node):
        if node.op == "placeholder":
            return self.input
        if node.op == "get_attr":
            return self.fetch_attr(node.target)
        if node.op == "call_module":
            module = self.modules[node.target]
            return MODULES[type(module)](self, node, module)
        name = node.target if node.op == "call_method" else node.target.__name__
        if name not in FUNCTIONS:
            raise NotImplementedError("%s %s" % (node.op, name))
        return FUNCTIONS[name](self, node)

    def check(self, node):
        """The shape and dtype of every tensor result against what PyTorch computed."""
        value, meta = self.env[node], node.meta.get("tensor_meta")
        if isinstance(value, Value) and value.fields is None and hasattr(meta, "shape"):
            got, want = (value.shape, value.dtype), (tuple(meta.shape), TORCH_DTYPES[meta.dtype])
            assert got == want, "%s: %s, torch says %s" % (node, got, want)

    def arg(self, a):
        if isinstance(a, fx.Node):
            return self.env[a]
        if isinstance(a, (tuple, list)):
            return type(a)(self.arg(x) for x in a)
        return a

    def args(self, node):
        return [self.arg(a) for a in node.args]

    def fetch_attr(self, target):
        """_fetch_attr: a parameter is its function parameter, any other tensor a constant."""
        obj = self.gm
        for atom in target.split("."):
            obj = getattr(obj, atom)
        if id(obj) in self.params:
            return self.params[id(obj)]
        return constant(obj.detach().cpu().numpy())

    def emit(self, op, args, attrs, shape, dtype):
        return self.b.emit(call(op, [self.b.ref(a) for a in args], attrs), shape, dtype)


# ---- modules (convert_map, call_module) ----------------------------------------------------

def conv2d_module(im, node, m):
    """_conv2d_module -> _conv2d_impl: R.nn.conv2d with out_dtype="float32"; padding of 2
    completed to 4 (GetCompletePadding2D); a bias is reshaped to (1, -1, 1, 1) and added."""
    x = im.arg(node.args[0])
    n, _, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = m.kernel_size, m.stride, m.padding, m.dilation
    shape = (n, m.out_channels, pool_extent(h, kh, sh, ph, dh), pool_extent(w, kw, sw, pw, dw))
    out = im.emit("nn.conv2d", [x, im.params[id(m.weight)]],
                  [("strides", [sh, sw]), ("padding", [ph, pw, ph, pw]), ("dilation", [dh, dw]),
                   ("groups", m.groups), ("data_layout", "NCHW"), ("kernel_layout", "OIHW"),
                   ("out_layout", "NCHW"), ("out_dtype", "float32")], shape, "float32")
    if m.bias is None:
        return out
    bias = im.b.emit(call("reshape", [im.params[id(m.bias)].name, shape_expr((1, m.out_channels, 1, 1))]),
                     (1, m.out_channels, 1, 1), "float32")
    return im.emit("add", [out, bias], [], shape, "float32")


def batch_norm_module(im, node, m):
    """_batch_norm_2d_module: running statistics become constants; R.nn.batch_norm with the
    op's defaults (center, scale, momentum=0.1, training=True), then field 0 of the tuple."""
    x = im.arg(node.args[0])
    mean, var = constant(m.running_mean.numpy()), constant(m.running_var.numpy())
    operands = [x, im.params[id(m.weight)], im.params[id(m.bias)], mean, var]
    rhs = call("nn.batch_norm", [im.b.ref(v) for v in operands],
               [("axis", 1), ("epsilon", float(m.eps)), ("center", True), ("scale", True),
                ("momentum", 0.1), ("training", True)])
    channels = (x.shape[1],)
    res = im.b.emit_tuple(rhs, [(x.shape, x.dtype), (channels, x.dtype), (channels, x.dtype)])
    return im.b.emit("%s[0]" % res.name, x.shape, x.dtype)


def relu_module(im, node, m):
    """nn.ReLU -> R.nn.relu."""
    x = im.arg(node.args[0])
    return im.emit("nn.relu", [x], [], x.shape, x.dtype)


def relu6_module(im, node, m):
    """nn.ReLU6 -> relax.op.nn.relu6, which is clip(x, 0, 6): R.clip with two R.prim_value
    operands (args_converter turns the ints into PrimValue(int64))."""
    x = im.arg(node.args[0])
    return im.b.emit("R.clip(%s, R.prim_value(0), R.prim_value(6))" % im.b.ref(x), x.shape, x.dtype)


def max_pool2d_module(im, node, m):
    """_max_pool2d_module -> R.nn.max_pool2d; ints widened by the op wrapper; NCHW."""
    x = im.arg(node.args[0])
    (kh, kw), (sh, sw) = pair(m.kernel_size), pair(m.stride if m.stride is not None else m.kernel_size)
    (ph, pw), (dh, dw) = pair(m.padding), pair(m.dilation)
    assert not m.ceil_mode
    n, c, h, w = x.shape
    shape = (n, c, pool_extent(h, kh, sh, ph, dh), pool_extent(w, kw, sw, pw, dw))
    return im.emit("nn.max_pool2d", [x],
                   [("pool_size", [kh, kw]), ("strides", [sh, sw]), ("dilation", [dh, dw]),
                    ("padding", [ph, pw, ph, pw]), ("ceil_mode", False), ("count_include_pad", False),
                    ("layout", "NCHW"), ("out_layout", "NCHW")], shape, x.dtype)


def adaptive_avg_pool2d(im, x, output_size):
    size = list(pair(output_size))
    return im.emit("nn.adaptive_avg_pool2d", [x],
                   [("output_size", size), ("layout", "NCHW"), ("out_layout", "NCHW")],
                   x.shape[:2] + tuple(size), x.dtype)


def adaptive_avg_pool2d_module(im, node, m):
    """_adaptive_avg_pool2d_module."""
    return adaptive_avg_pool2d(im, im.arg(node.args[0]), m.output_size)


def linear(im, x, weight, bias):
    """relax.op.linear: matmul(x, permute_dims(w, axes=None), out_dtype) + bias, each nested
    call bound by BlockBuilder.emit in evaluation order."""
    wt = im.emit("permute_dims", [weight], [("axes", None)], weight.shape[::-1], weight.dtype)
    shape = matmul_shape(x.shape, wt.shape)
    out = im.emit("matmul", [x, wt], [("out_dtype", "float32")], shape, "float32")
    return out if bias is None else im.emit("add", [out, bias], [], broadcast(shape, bias.shape), "float32")


def linear_module(im, node, m):
    """_linear_module."""
    bias = None if m.bias is None else im.params[id(m.bias)]
    return linear(im, im.arg(node.args[0]), im.params[id(m.weight)], bias)


def identity(im, node, m=None):
    """nn.Dropout / nn.Identity modules, contiguous(): the operand itself."""
    return im.arg(node.args[0])


def embedding_module(im, node, m):
    """_embedding_module -> _embedding_impl: ids cast to int32; a 1-D id tensor is taken
    directly, others are flattened, taken and reshaped back."""
    x, weight = im.arg(node.args[0]), im.params[id(m.weight)]
    ids = im.emit("astype", [x], [("dtype", "int32")], x.shape, "int32")
    dim = weight.shape[-1]
    if len(x.shape) == 1:
        return im.emit("take", [weight, ids], [("axis", 0), ("mode", "fast")], x.shape + (dim,), weight.dtype)
    count = int(np.prod(x.shape))
    flat = im.b.emit(call("reshape", [ids.name, shape_expr([count])]), (count,), "int32")
    rows = im.emit("take", [weight, flat], [("axis", 0), ("mode", "fast")], (count, dim), weight.dtype)
    return im.b.emit(call("reshape", [rows.name, shape_expr(x.shape + (dim,))]), x.shape + (dim,), weight.dtype)


def layer_norm_module(im, node, m):
    """_layer_norm_module -> _layer_norm_impl: axes = the last len(normalized_shape) axes."""
    x = im.arg(node.args[0])
    axes = list(range(-len(m.normalized_shape), 0))
    return im.emit("nn.layer_norm", [x, im.params[id(m.weight)], im.params[id(m.bias)]],
                   [("axes", axes), ("epsilon", float(m.eps)), ("center", True), ("scale", True)],
                   x.shape, x.dtype)


def gelu_module(im, node, m):
    """nn.GELU -> _gelu, which reads `approximate` from the call's keywords: a module call has
    none, so the importer emits the erf GELU whatever the module says. Refuse the tanh module
    rather than write a test whose PyTorch reference disagrees with the import."""
    if m.approximate != "none":
        raise NotImplementedError("nn.GELU(approximate=%r) is imported as R.nn.gelu" % m.approximate)
    x = im.arg(node.args[0])
    return im.emit("nn.gelu", [x], [], x.shape, x.dtype)


MODULES = {
    nn.Conv2d: conv2d_module, nn.BatchNorm2d: batch_norm_module, nn.ReLU: relu_module,
    nn.ReLU6: relu6_module, nn.MaxPool2d: max_pool2d_module,
    nn.AdaptiveAvgPool2d: adaptive_avg_pool2d_module, nn.Linear: linear_module,
    nn.Dropout: identity, nn.Identity: identity, nn.Embedding: embedding_module,
    nn.LayerNorm: layer_norm_module, nn.GELU: gelu_module,
}


# ---- functions and methods (convert_map, call_function / call_method) ---------------------

def binary(op, result_dtype=None):
    """_binary_op: with a variable on either side the other side is made an operand (a Python
    scalar becomes R.const of the variable's dtype; two tensors of different dtypes are both
    cast to torch.promote_types); without one, the Python operator runs (sizes arithmetic)."""
    intrinsic = {"add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
                 "divide": operator.truediv, "not_equal": operator.ne}[op]

    def convert(im, node):
        lhs, rhs = im.args(node)[:2]
        if not any(isinstance(v, Value) and v.is_var for v in (lhs, rhs)):
            assert not isinstance(lhs, Value) and not isinstance(rhs, Value), "constant operands"
            return intrinsic(lhs, rhs)
        if not isinstance(lhs, Value):
            lhs = constant(np.array(lhs, dtype=rhs.dtype))
        if not isinstance(rhs, Value):
            rhs = constant(np.array(rhs, dtype=lhs.dtype))
        if lhs.dtype != rhs.dtype:
            common = {v: k for k, v in TORCH_DTYPES.items()}
            target = TORCH_DTYPES[torch.promote_types(common[lhs.dtype], common[rhs.dtype])]
            lhs, rhs = (v if v.dtype == target else im.emit("astype", [v], [("dtype", target)], v.shape, target)
                        for v in (lhs, rhs))
        return im.emit(op, [lhs, rhs], [], broadcast(lhs.shape, rhs.shape), result_dtype or lhs.dtype)
    return convert


def matmul(im, node):
    """"matmul": R.matmul with out_dtype="float32"."""
    a, b = im.args(node)[:2]
    return im.emit("matmul", [a, b], [("out_dtype", "float32")], matmul_shape(a.shape, b.shape), "float32")


def reshape(im, x, dims):
    """relax.op.reshape: one -1 is inferred from the input's size (ConvertNewShapeToExpr)."""
    dims = [int(d) for d in dims]
    if -1 in dims:
        known = int(np.prod([d for d in dims if d != -1]))
        dims[dims.index(-1)] = int(np.prod(x.shape)) // known
    return im.b.emit(call("reshape", [im.b.ref(x), shape_expr(dims)]), tuple(dims), x.dtype)


def flatten(im, node):
    """_flatten -> _flatten_impl: a reshape merging start_dim..end_dim."""
    args = im.args(node)
    x = args[0]
    start = args[1] if len(args) > 1 else node.kwargs.get("start_dim", 0)
    end = args[2] if len(args) > 2 else node.kwargs.get("end_dim", -1)
    start, end = start % len(x.shape), end % len(x.shape)
    merged = int(np.prod(x.shape[start:end + 1]))
    return reshape(im, x, x.shape[:start] + (merged,) + x.shape[end + 1:])


def view(im, node):
    """_reshape ("view", "reshape"): sizes as varargs or one sequence; a reshape to the same
    shape is skipped."""
    args = im.args(node)
    dims = args[1] if isinstance(args[1], (torch.Size, tuple, list)) else args[1:]
    if list(args[0].shape) == list(dims):
        return args[0]
    return reshape(im, args[0], dims)


def adaptive_avg_pool2d_function(im, node):
    """_adaptive_avg_pool2d: output_size is the second positional argument."""
    return adaptive_avg_pool2d(im, im.arg(node.args[0]), node.args[1])


def softmax(im, node):
    """_softmax: dim from the second argument or the `dim` keyword, -1 by default."""
    x = im.arg(node.args[0])
    dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", -1)
    return im.emit("nn.softmax", [x], [("axis", dim)], x.shape, x.dtype)


def gelu(im, node):
    """_gelu: approximate="tanh" in the keywords gives R.nn.gelu_tanh, else R.nn.gelu."""
    x = im.arg(node.args[0])
    op = {"none": "nn.gelu", "tanh": "nn.gelu_tanh"}[node.kwargs.get("approximate", "none")]
    return im.emit(op, [x], [], x.shape, x.dtype)


def where(im, node):
    """_where: R.where(condition, x1, x2)."""
    cond, x, y = im.args(node)[:3]
    return im.emit("where", [cond, x, y], [], broadcast(cond.shape, x.shape, y.shape), x.dtype)


def getitem(im, node):
    """_getitem: a field of a Python sequence (sizes) or of a tuple-valued variable
    (TupleGetItem); an index of a constant is applied to its data."""
    x, index = im.arg(node.args[0]), node.args[1]
    if isinstance(x, (tuple, list)):
        return x[index]
    if x.fields is not None:
        shape, dtype = x.fields[index]
        return im.b.emit("%s[%d]" % (x.name, index), shape, dtype)
    if not x.is_var:
        return constant(x.data[index])
    raise NotImplementedError("indexing a tensor variable (strided_slice) is not needed here")


def size(im, node):
    """_size: x.size() is the shape, x.size(i) one size, both Python values."""
    x = im.arg(node.args[0])
    return tuple(x.shape) if len(node.args) == 1 else x.shape[node.args[1]]


def permute(im, node):
    """_permute: R.permute_dims with the axes as given."""
    args = im.args(node)
    x = args[0]
    dims = list(args[1] if isinstance(args[1], (torch.Size, tuple, list)) else args[1:])
    shape = tuple(x.shape[d] for d in dims)
    return im.emit("permute_dims", [x], [("axes", dims)], shape, x.dtype)


def transpose(im, node):
    """_transpose: R.permute_dims with the two axes swapped in the identity permutation."""
    x, a, b = im.args(node)[:3]
    axes = list(range(len(x.shape)))
    axes[a], axes[b] = axes[b], axes[a]
    return im.emit("permute_dims", [x], [("axes", axes)], tuple(x.shape[d] for d in axes), x.dtype)


def split(im, node):
    """_split: an int split size becomes a number of sections, ceil(size / split_size); a list
    of sizes becomes the running split indices."""
    x, split_size = im.arg(node.args[0]), node.args[1]
    dim = node.args[2] if len(node.args) > 2 else node.kwargs.get("dim", 0)
    axis = dim % len(x.shape)
    if isinstance(split_size, (list, tuple)):
        sections = list(np.cumsum(split_size[:-1]).tolist())
        sizes = list(split_size)
    else:
        sections = (x.shape[axis] + split_size - 1) // split_size
        assert x.shape[axis] % sections == 0, "R.split needs equal sections"
        sizes = [x.shape[axis] // sections] * sections
    fields = [(x.shape[:axis] + (s,) + x.shape[axis + 1:], x.dtype) for s in sizes]
    rhs = call("split", [im.b.ref(x)], [("indices_or_sections", sections), ("axis", dim)])
    return im.b.emit_tuple(rhs, fields)


def to(im, node):
    """_to: a dtype as the only argument or the `dtype` keyword casts with R.astype; else no-op."""
    x = im.arg(node.args[0])
    dtype = node.args[1] if len(node.args) == 2 else node.kwargs.get("dtype")
    if not isinstance(dtype, torch.dtype):
        return x
    return im.emit("astype", [x], [("dtype", TORCH_DTYPES[dtype])], x.shape, TORCH_DTYPES[dtype])


def to_float(im, node):
    """_float: R.astype(x, dtype="float32")."""
    x = im.arg(node.args[0])
    return im.emit("astype", [x], [("dtype", "float32")], x.shape, "float32")


FUNCTIONS = {
    "add": binary("add"), "iadd": binary("add"), "sub": binary("subtract"),
    "mul": binary("multiply"), "truediv": binary("divide"), "ne": binary("not_equal", "bool"),
    "matmul": matmul, "flatten": flatten, "view": view, "reshape": view,
    "adaptive_avg_pool2d": adaptive_avg_pool2d_function, "softmax": softmax, "gelu": gelu,
    "where": where, "getitem": getitem, "size": size, "permute": permute,
    "transpose": transpose, "contiguous": identity, "split": split, "to": to, "float": to_float,
}


def import_model(gm, example):
    """The printed module, the parameters by printed name (in the function's order), and the
    output's shape."""
    dtype = TORCH_DTYPES[example.dtype]
    im = Importer(gm, tuple(example.shape), dtype)
    output = im.translate(example)
    params = {}
    for name, p in sorted(gm.named_parameters(), key=lambda kv: kv[0]):
        params[im.params[id(p)].name] = p.detach().cpu().numpy().astype(np.float32)
    return im.b.script(output), params, output.shape
