# Evaluates a module written by generate.py, line by line, with each Relax operator's meaning
# (apache/tvm's op definitions and legalizations) computed by numpy and torch.nn.functional, so
# that generate.py can check that the printed text — the wiring of names, parameters, metadata
# constants and attributes — reproduces PyTorch's output before it writes a test. It reads only
# the forms generate.py prints. R.nn.batch_norm uses the moving statistics (what TVM's
# DecomposeOpsForInference computes whatever `training` says; see README.md).
import ast
import base64
import math
import re
import types

import numpy as np
import torch
import torch.nn.functional as F


def _t(x):
    return torch.from_numpy(np.ascontiguousarray(x))


def _conv2d(x, w, strides, padding, dilation, groups, data_layout, kernel_layout, out_layout, out_dtype):
    assert (data_layout, kernel_layout, out_layout) == ("NCHW", "OIHW", "NCHW") and padding[:2] == padding[2:]
    return F.conv2d(_t(x), _t(w), None, strides, padding[:2], dilation, groups).numpy()


def _max_pool2d(x, pool_size, strides, dilation, padding, ceil_mode, count_include_pad, layout, out_layout):
    assert padding[:2] == padding[2:] and layout == out_layout == "NCHW"
    return F.max_pool2d(_t(x), pool_size, strides, padding[:2], dilation, ceil_mode).numpy()


def _batch_norm(x, gamma, beta, mean, var, axis, epsilon, center, scale, momentum, training):
    shape = [1] * x.ndim
    shape[axis] = -1
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + np.float32(epsilon))
    out = out * gamma.reshape(shape) if scale else out
    return (out + beta.reshape(shape) if center else out), mean, var


def _layer_norm(x, gamma, beta, axes, epsilon, center, scale):
    axes = tuple(axes)
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    out = (x - mean) / np.sqrt(var + np.float32(epsilon))
    out = out * gamma if scale else out
    return out + beta if center else out


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _gelu(x):
    return (0.5 * x * (1.0 + torch.erf(_t(x / np.float32(math.sqrt(2.0)))).numpy())).astype(x.dtype)


def _gelu_tanh(x):
    return (0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))).astype(x.dtype)


def _adaptive_avg_pool2d(x, output_size, layout, out_layout):
    assert layout == out_layout == "NCHW"
    return F.adaptive_avg_pool2d(_t(x), output_size).numpy()


def _split(x, indices_or_sections, axis):
    return tuple(np.split(x, indices_or_sections, axis=axis))


NN = types.SimpleNamespace(
    conv2d=_conv2d, max_pool2d=_max_pool2d, batch_norm=_batch_norm, layer_norm=_layer_norm,
    softmax=_softmax, gelu=_gelu, gelu_tanh=_gelu_tanh, adaptive_avg_pool2d=_adaptive_avg_pool2d,
    relu=lambda x: np.maximum(x, 0))

R = types.SimpleNamespace(
    nn=NN, const=lambda v, dtype: np.array(v, dtype=dtype), prim_value=lambda v: v,
    shape=tuple, add=np.add, subtract=np.subtract, multiply=np.multiply, divide=np.divide,
    not_equal=np.not_equal, where=np.where, clip=np.clip, split=_split,
    astype=lambda x, dtype: x.astype(dtype), reshape=np.reshape,
    permute_dims=lambda x, axes: np.transpose(x, axes),
    matmul=lambda a, b, out_dtype: np.matmul(a, b).astype(out_dtype),
    take=lambda x, indices, axis, mode: np.take(x, indices, axis=axis))


def read_metadata(text):
    if "\nmetadata = " not in text:
        return []
    entries = ast.literal_eval(text.split("\nmetadata = ", 1)[1])["relax.expr.Constant"]
    return [np.frombuffer(base64.b64decode(e["data"]), dtype=e["dtype"]).reshape(e["shape"])
            for e in entries]


def replay(text, example, params):
    """The value `main` of the printed module returns for input `example` and weights `params`."""
    header = re.search(r"def main\((.*)\) -> ", text).group(1)
    names = [p.split(":")[0] for p in re.split(r", (?=\w+: R\.)", header)]
    env = {names[0]: example}
    env.update({n: params[n] for n in names[1:]})
    env.update(R=R, metadata={"relax.expr.Constant": read_metadata(text)})
    for line in text.splitlines():
        binding = re.match(r" {12}(\w+): .*? = (.*)$", line)
        if binding:
            env[binding.group(1)] = eval(binding.group(2), {"__builtins__": {}}, env)  # noqa: S307
        elif line.strip().startswith("return "):
            return env[line.strip()[len("return "):]]
    raise AssertionError("no return")
