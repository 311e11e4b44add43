"""numpy references for the index-driven manipulation operators, written as plain loops over
index positions (independent of how relaxc lowers them). EXPECT lines use them as
__import__("manipulate_reference").scatter_elements(...); differential.py puts this folder on
sys.path."""
import itertools

import numpy as np


def gather_elements(data, indices, axis=0):
    """out[p] = data[p with p[axis] replaced by indices[p]] (torch.gather; negative indices
    count from the end)."""
    axis %= data.ndim
    out = np.empty(indices.shape, data.dtype)
    for p in itertools.product(*(range(e) for e in indices.shape)):
        q = list(p)
        q[axis] = int(indices[p])
        out[p] = data[tuple(q)]
    return out


def gather_nd(data, indices, batch_dims=0):
    """ONNX GatherND: indices[..., :] is a tuple indexing data after its batch_dims leading
    axes, which indices shares."""
    l = indices.shape[-1]
    out_shape = indices.shape[:-1] + data.shape[batch_dims + l:]
    out = np.empty(out_shape, data.dtype)
    for p in itertools.product(*(range(e) for e in indices.shape[:-1])):
        at = tuple(p[:batch_dims]) + tuple(int(i) for i in indices[p])
        out[p] = data[at]
    return out


def scatter_elements(data, indices, updates, axis=0, reduction="update"):
    """TVM's scatter_elements: a copy of data, then for each index position p in row-major
    order, out[p with p[axis] = indices[p]] = f(that element, updates[p]); "mean" is TVM's
    running (old + update) / 2, truncating for integers."""
    axis %= data.ndim
    out = data.copy()
    integer = np.issubdtype(data.dtype, np.integer)
    for p in itertools.product(*(range(e) for e in indices.shape)):
        q = list(p)
        q[axis] = int(indices[p])
        q = tuple(q)
        old, new = out[q], updates[p]
        if reduction == "update":
            value = new
        elif reduction == "add":
            value = old + new
        elif reduction == "mul":
            value = old * new
        elif reduction == "mean":
            value = int((int(old) + int(new)) / 2) if integer else (old + new) / 2
        elif reduction == "min":
            value = np.minimum(old, new)
        elif reduction == "max":
            value = np.maximum(old, new)
        else:
            raise ValueError(reduction)
        out[q] = value
    return out
