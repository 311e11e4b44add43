#!/usr/bin/python3
"""Writes what bench/onednn_convnet runs: torchvision's ResNet-18 or MobileNetV2 (seeded as
testdata/models/generate.py builds them) as a list of oneDNN-sized ops, with every batch_norm
folded into the convolution before it.
  /usr/bin/python3 bench/convnet_graph.py MODEL BATCH OUTDIR     (MODEL: resnet18 | mobilenet_v2)
writes OUTDIR/MODEL_graph.json, OUTDIR/MODEL_folded.npz, OUTDIR/MODEL_bBATCH_input.npy and
OUTDIR/MODEL_bBATCH_expected.npy (PyTorch's eval-mode output on that input).

The graph is a JSON list of ops in execution order; tensors are named by the torch.fx node that
last wrote them. The one src that no earlier op writes is the network's input; the last op's dst
is its output.
  {"op": "conv", "src", "dst", "weight", "bias", "stride": [h, w], "padding": [h, w],
   "dilation": [h, w], "groups", "post_ops": [{"kind": "add", "src"} | {"kind": "relu"} |
   {"kind": "relu6"}, ...]}                              post-ops apply in order to the conv's sum
  {"op": "maxpool", "src", "dst", "kernel": [h, w], "stride": [h, w], "padding": [h, w]}
  {"op": "avgpool", "src", "dst"}                        global: (N, C, H, W) -> (N, C, 1, 1)
  {"op": "linear", "src", "dst", "weight", "bias"}       src flattened from dim 1 (NCHW order)
Anything the models hold beyond these raises an error naming the fx node: a graph that is
silently wrong would make a fast, meaningless baseline.
"""
import sys

sys.dont_write_bytecode = True  # generate.py and its imports are in the source tree

import json  # noqa: E402
import operator  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import fx, nn  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata", "models"))
from generate import build, full_models  # noqa: E402

MODELS = ("resnet18", "mobilenet_v2")


class Unsupported(Exception):
    pass


def pair(value):
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)] * 2


def is_global_mean(node):
    """torch.mean(x, [2, 3]) / x.mean((-2, -1)): the global average pool written as a mean."""
    if not ((node.op == "call_function" and node.target is torch.mean) or (node.op == "call_method" and node.target == "mean")):
        return False
    dims = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
    return isinstance(dims, (tuple, list)) and sorted(d % 4 for d in dims) == [2, 3]


class Lowering:
    """Walks the traced model once, in its order, emitting ops and fusing into the last conv."""

    def __init__(self, gm):
        self.gm = gm
        self.ops = []
        self.arrays = {}
        self.tensor = {}  # fx node -> the name of the tensor holding its value
        self.made_by = {}  # tensor name -> index of the op writing it (-1: the network input)
        self.flat = set()  # fx nodes whose value PyTorch sees as (N, features)

    def fail(self, node, why):
        raise Unsupported("%s (%s %s): %s" % (node.name, node.op, node.target, why))

    def source(self, node, arg, flat=False):
        """The tensor `node` reads as `arg`; linear reads flattened values, the others 4-d ones."""
        if not isinstance(arg, fx.Node) or arg not in self.tensor:
            self.fail(node, "reads %r, which is not a tensor computed before it" % (arg,))
        if (arg in self.flat) != flat:
            self.fail(node, "reads %s, which is %s" % (arg.name, "not flattened" if flat else "flattened"))
        return self.tensor[arg]

    def emit(self, node, op):
        op["dst"] = node.name
        self.ops.append(op)
        self.tensor[node] = node.name
        self.made_by[node.name] = len(self.ops) - 1

    def fusable_conv(self, arg):
        """The conv op whose result `arg` is, when nothing but one node reads it; else None."""
        if not isinstance(arg, fx.Node) or self.tensor.get(arg) != arg.name or arg in self.flat or len(arg.users) != 1:
            return None
        op = self.ops[self.made_by[arg.name]] if self.made_by[arg.name] >= 0 else None
        return op if op is not None and op["op"] == "conv" else None

    def fuse(self, node, conv, post_op):
        if post_op is not None:
            conv["post_ops"].append(post_op)
        del self.made_by[conv["dst"]]
        conv["dst"] = node.name
        self.tensor[node] = node.name
        self.made_by[node.name] = self.ops.index(conv)

    def alias(self, node, arg, flat):
        self.tensor[node] = self.source(node, arg, flat=arg in self.flat)
        if flat:
            self.flat.add(node)

    def run(self):
        for node in self.gm.graph.nodes:
            if node.op == "placeholder":
                if self.made_by:
                    self.fail(node, "a second input")
                self.tensor[node] = node.name
                self.made_by[node.name] = -1
            elif node.op == "output":
                out = node.args[0]
                if not self.ops or not isinstance(out, fx.Node) or self.tensor.get(out) != self.ops[-1]["dst"]:
                    self.fail(node, "the output is not the last op's result")
            elif node.op == "call_module":
                self.module(node, self.gm.get_submodule(node.target))
            elif node.op in ("call_function", "call_method"):
                self.function(node)
            else:
                self.fail(node, "unsupported node kind")
        return self.ops, self.arrays

    def module(self, node, m):
        if node.kwargs or len(node.args) != 1:
            self.fail(node, "a module call with other than one argument")
        arg = node.args[0]
        if isinstance(m, nn.Conv2d):
            self.conv(node, m)
        elif isinstance(m, nn.BatchNorm2d):
            self.batch_norm(node, m)
        elif isinstance(m, nn.ReLU6):  # before Hardtanh, of which ReLU6 is a subclass
            self.activation(node, arg, "relu6")
        elif isinstance(m, nn.ReLU):
            self.activation(node, arg, "relu")
        elif isinstance(m, nn.MaxPool2d):
            self.maxpool(node, m)
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            if pair(m.output_size) != [1, 1]:
                self.fail(node, "only the global average pool (output size 1x1)")
            self.emit(node, {"op": "avgpool", "src": self.source(node, arg)})
        elif isinstance(m, nn.Linear):
            self.linear(node, m)
        elif isinstance(m, nn.Dropout):  # the identity in eval mode
            self.alias(node, arg, flat=arg in self.flat)
        else:
            self.fail(node, "unsupported module %s" % type(m).__name__)

    def function(self, node):
        target, args = node.target, node.args
        if target in (operator.add, operator.iadd, torch.add) and len(args) == 2 and not node.kwargs:
            self.add(node, *args)
        elif target in (F.relu, torch.relu, "relu") and len(args) == 1:
            self.activation(node, args[0], "relu")
        elif target is F.relu6 and len(args) == 1:
            self.activation(node, args[0], "relu6")
        elif target in (torch.flatten, "flatten") and self.flattens_from_1(node):
            self.alias(node, args[0], flat=True)
        elif target is F.adaptive_avg_pool2d and len(args) == 2 and pair(args[1]) == [1, 1]:
            self.emit(node, {"op": "avgpool", "src": self.source(node, args[0])})
        elif is_global_mean(node):
            keepdim = node.args[2] if len(node.args) > 2 else node.kwargs.get("keepdim", False)
            self.emit(node, {"op": "avgpool", "src": self.source(node, args[0])})
            if not keepdim:  # (N, C): only a linear may read it
                self.flat.add(node)
        else:
            self.fail(node, "unsupported function or arguments")

    def flattens_from_1(self, node):
        start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
        end = node.args[2] if len(node.args) > 2 else node.kwargs.get("end_dim", -1)
        if start != 1 or end != -1:
            self.fail(node, "only flatten(x, 1)")
        return True

    def conv(self, node, m):
        if m.padding_mode != "zeros" or isinstance(m.padding, str):
            self.fail(node, "only explicit zero padding")
        key = node.target
        self.arrays[key + ".weight"] = m.weight.detach().double().numpy()
        bias = m.bias.detach().double().numpy() if m.bias is not None else np.zeros(m.out_channels)
        self.arrays[key + ".bias"] = bias
        self.emit(node, {"op": "conv", "src": self.source(node, node.args[0]), "weight": key + ".weight", "bias": key + ".bias",
                         "stride": pair(m.stride), "padding": pair(m.padding), "dilation": pair(m.dilation),
                         "groups": int(m.groups), "post_ops": []})

    def batch_norm(self, node, m):
        conv = self.fusable_conv(node.args[0])
        if conv is None or conv["post_ops"]:
            self.fail(node, "a batch_norm not right after a conv that nothing else reads")
        if not m.track_running_stats or m.running_mean is None:
            self.fail(node, "a batch_norm without running statistics")
        scale = m.weight.detach().double().numpy() / np.sqrt(m.running_var.double().numpy() + m.eps)
        w, b = self.arrays[conv["weight"]], self.arrays[conv["bias"]]
        self.arrays[conv["weight"]] = w * scale[:, None, None, None]
        self.arrays[conv["bias"]] = m.bias.detach().double().numpy() + (b - m.running_mean.double().numpy()) * scale
        self.fuse(node, conv, None)

    def activation(self, node, arg, kind):
        conv = self.fusable_conv(arg)
        if conv is None:
            self.fail(node, "a %s that is not fused into the conv before it" % kind)
        self.fuse(node, conv, {"kind": kind})

    def add(self, node, a, b):
        """Fuses into the conv writing one operand if the other is ready before that conv runs."""
        best = None
        for mine, other in ((a, b), (b, a)):
            conv = self.fusable_conv(mine)
            if conv is None or not isinstance(other, fx.Node) or other is mine:
                continue
            residual = self.source(node, other)
            if self.made_by[residual] < self.ops.index(conv) and (best is None or self.ops.index(conv) > self.ops.index(best[0])):
                best = (conv, residual)
        if best is None:
            self.fail(node, "an add with no operand written by a conv that runs after the other operand")
        self.fuse(node, best[0], {"kind": "add", "src": best[1]})

    def maxpool(self, node, m):
        if pair(m.dilation) != [1, 1] or m.ceil_mode or m.return_indices:
            self.fail(node, "only max pooling without dilation, ceil_mode or indices")
        self.emit(node, {"op": "maxpool", "src": self.source(node, node.args[0]), "kernel": pair(m.kernel_size),
                         "stride": pair(m.stride if m.stride is not None else m.kernel_size), "padding": pair(m.padding)})

    def linear(self, node, m):
        key = node.target
        self.arrays[key + ".weight"] = m.weight.detach().double().numpy()
        bias = m.bias.detach().double().numpy() if m.bias is not None else np.zeros(m.out_features)
        self.arrays[key + ".bias"] = bias
        self.emit(node, {"op": "linear", "src": self.source(node, node.args[0], flat=True),
                         "weight": key + ".weight", "bias": key + ".bias"})


def interpret(ops, arrays, x):
    """The graph evaluated op by op with torch.nn.functional on the folded weights."""
    produced = {op["dst"] for op in ops}
    env = {name: x for name in {op["src"] for op in ops} - produced}
    assert len(env) == 1, "the graph reads %d inputs" % len(env)
    p = {k: torch.from_numpy(v) for k, v in arrays.items()}
    for op in ops:
        src = env[op["src"]]
        if op["op"] == "conv":
            y = F.conv2d(src, p[op["weight"]], p[op["bias"]], op["stride"], op["padding"], op["dilation"], op["groups"])
            for post in op["post_ops"]:
                if post["kind"] == "add":
                    assert env[post["src"]].shape == y.shape, "%s: the residual's shape differs" % op["dst"]
                    y = y + env[post["src"]]
                else:
                    y = F.relu(y) if post["kind"] == "relu" else F.relu6(y)
        elif op["op"] == "maxpool":
            y = F.max_pool2d(src, op["kernel"], op["stride"], op["padding"])
        elif op["op"] == "avgpool":
            y = F.adaptive_avg_pool2d(src, 1)
        else:
            y = F.linear(torch.flatten(src, 1), p[op["weight"]], p[op["bias"]])
        env[op["dst"]] = y
    return env[ops[-1]["dst"]]


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in MODELS or not sys.argv[2].isdigit() or int(sys.argv[2]) < 1:
        sys.exit("usage: convnet_graph.py {%s} BATCH OUTDIR" % "|".join(MODELS))
    name, batch, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    torch.set_num_threads(1)  # the same sums as generate.py's expected outputs
    make_model = next(make for model, make, _ in full_models() if model == name)
    model = build(make_model)
    try:
        ops, arrays = Lowering(fx.symbolic_trace(model)).run()
    except Unsupported as e:
        sys.exit("convnet_graph.py: %s: %s" % (name, e))
    arrays = {k: v.astype(np.float32) for k, v in arrays.items()}
    x = np.random.default_rng(0).random((batch, 3, 224, 224), dtype=np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy().astype(np.float32)
        got = interpret(ops, arrays, torch.from_numpy(x)).numpy()
    error = float(np.abs(got - expected).max())
    scale = float(np.abs(expected).max())
    assert got.shape == expected.shape and error <= 1e-4 * scale, "%s: the graph differs from PyTorch by %g" % (name, error)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, name + "_graph.json"), "w") as f:
        json.dump(ops, f, indent=1)
    np.savez(os.path.join(out_dir, name + "_folded.npz"), **arrays)
    np.save(os.path.join(out_dir, "%s_b%d_input.npy" % (name, batch)), x)
    np.save(os.path.join(out_dir, "%s_b%d_expected.npy" % (name, batch)), expected)
    print("%s: %d ops, %d arrays; the graph matches PyTorch within %g (max |expected| %g)" % (name, len(ops), len(arrays), error, scale))


if __name__ == "__main__":
    main()
