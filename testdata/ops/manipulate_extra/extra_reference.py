"""numpy references for the operators of compiler/ops/manipulate_extra.cc, used by the EXPECT
lines of the tests in this folder (their RUN lines put this folder on PYTHONPATH)."""
import numpy as np


def scatter_nd(data, indices, updates, reduction="update"):
    """TVM's scatter_nd: index rows applied one after another in row-major order; a negative
    index counts from the end and a row still outside the data is skipped."""
    out = data.copy()
    m = indices.shape[-1]
    count = int(np.prod(indices.shape[:-1]))
    rows = indices.reshape(count, m)
    values = updates.reshape((count,) + data.shape[m:])
    for row, value in zip(rows, values):
        pos = tuple(int(i) + (data.shape[l] if i < 0 else 0) for l, i in enumerate(row))
        if not all(0 <= p < data.shape[l] for l, p in enumerate(pos)):
            continue
        old = out[pos]
        if reduction == "update":
            out[pos] = value
        elif reduction == "add":
            out[pos] = old + value
        elif reduction == "mul":
            out[pos] = old * value
        elif reduction == "min":
            out[pos] = np.minimum(old, value)
        elif reduction == "max":
            out[pos] = np.maximum(old, value)
    return out


def reverse_sequence(data, lengths, seq_axis=1, batch_axis=0):
    """Per batch b, the first min(max(lengths[b], 0), n) elements along seq_axis reversed."""
    out = data.copy()
    view = np.moveaxis(out, (batch_axis, seq_axis), (0, 1))
    src = np.moveaxis(data, (batch_axis, seq_axis), (0, 1))
    n = src.shape[1]
    for b, length in enumerate(lengths):
        length = min(max(int(length), 0), n)
        view[b, :length] = src[b, :length][::-1]
    return out


def slice_scatter(data, src, start, end, step, axis=0):
    out = data.copy()
    index = [slice(None)] * data.ndim
    index[axis] = slice(start, end, step)
    out[tuple(index)] = src
    return out
