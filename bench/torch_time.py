"""Times one of testdata/models/generate.py's full models in PyTorch, in a process of its own so
that the thread count and OMP_WAIT_POLICY take effect before PyTorch starts its thread pool;
prints one JSON line: median and minimum microseconds per call and the model's multiply-add
FLOPs (2 per multiply-add of every convolution, linear layer and matmul, from the shapes a
traced run propagates).
    /usr/bin/python3 bench/torch_time.py MODEL INPUT.npy THREADS RUNS
MODEL is a name of full_models() (resnet18, resnet18_b8, mobilenet_v2, bert_base, gpt2_block)."""
import json
import operator
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata", "models"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import fx  # noqa: E402
from torch.fx.passes.shape_prop import ShapeProp  # noqa: E402

import generate  # noqa: E402


def model_named(name):
    batch = int(name.rsplit("_b", 1)[1]) if "_b" in name and name.rsplit("_b", 1)[1].isdigit() else 1
    for candidate, make_model, _ in generate.full_models(batch):
        if candidate == name:
            return generate.build(make_model)
    raise SystemExit("torch_time.py: no model named '%s' in generate.full_models()" % name)


def shape(node):
    return tuple(node.meta["tensor_meta"].shape)


def node_flops(gm, node):
    """2 x the multiply-adds of a convolution, linear layer or matmul node; 0 otherwise."""
    if node.op == "call_module":
        m = gm.get_submodule(node.target)
        out = shape(node)
        if isinstance(m, torch.nn.Conv2d):
            per_output = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
            return 2 * int(np.prod(out)) * per_output
        if isinstance(m, torch.nn.Linear):
            return 2 * int(np.prod(out)) * m.in_features
    if node.op == "call_function" and node.target in (torch.matmul, torch.bmm, operator.matmul):
        a = shape(node.args[0])
        return 2 * int(np.prod(shape(node))) * a[-1]
    return 0


def model_flops(model, example):
    gm = fx.symbolic_trace(model)
    ShapeProp(gm).propagate(example)
    return sum(node_flops(gm, n) for n in gm.graph.nodes)


def main():
    if len(sys.argv) != 5:
        raise SystemExit("usage: torch_time.py MODEL INPUT.npy THREADS RUNS")
    name, input_path, threads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    model = model_named(name)
    example = torch.from_numpy(np.load(input_path))
    times = []
    with torch.no_grad():
        flops = model_flops(model, example)
        for _ in range(3):
            model(example)
        for _ in range(runs):
            start = time.perf_counter()
            model(example)
            times.append((time.perf_counter() - start) * 1e6)
    print(json.dumps({"model": name, "threads": threads, "median_us": statistics.median(times), "min_us": min(times), "flops": flops}))


if __name__ == "__main__":
    main()
