"""numpy references for the neural-network operators, written plainly (a loop over window
taps), independent of how relaxc lowers them. Imported by differential.py for EXPECT lines."""
import numpy as np


def _pad(x, padding, value):
    top, left, bottom, right = padding
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def _out_size(size, k, stride, dilation):
    return (size - dilation * (k - 1) - 1) // stride + 1


def conv2d(x, w, strides=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1)):
    xp = _pad(x.astype(np.float64), padding, 0.0)
    n, c, h, wd = xp.shape
    o, _, kh, kw = w.shape
    oh, ow = _out_size(h, kh, strides[0], dilation[0]), _out_size(wd, kw, strides[1], dilation[1])
    out = np.zeros((n, o, oh, ow))
    for r in range(kh):
        for s in range(kw):
            rows = xp[:, :, r * dilation[0]: r * dilation[0] + strides[0] * (oh - 1) + 1: strides[0],
                      s * dilation[1]: s * dilation[1] + strides[1] * (ow - 1) + 1: strides[1]]
            out += np.einsum("nchw,oc->nohw", rows, w[:, :, r, s].astype(np.float64))
    return out.astype(x.dtype)


def _windows(x, pool, strides, padding, dilation, value):
    xp = _pad(x, padding, value)
    n, c, h, wd = xp.shape
    oh, ow = _out_size(h, pool[0], strides[0], dilation[0]), _out_size(wd, pool[1], strides[1], dilation[1])
    taps = []
    for r in range(pool[0]):
        for s in range(pool[1]):
            taps.append(xp[:, :, r * dilation[0]: r * dilation[0] + strides[0] * (oh - 1) + 1: strides[0],
                           s * dilation[1]: s * dilation[1] + strides[1] * (ow - 1) + 1: strides[1]])
    return np.stack(taps)


def max_pool2d(x, pool, strides=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1)):
    return _windows(x, pool, strides, padding, dilation, -np.inf).max(axis=0).astype(x.dtype)


def avg_pool2d(x, pool, strides=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), count_include_pad=False):
    total = _windows(x.astype(np.float64), pool, strides, padding, dilation, 0.0).sum(axis=0)
    if count_include_pad:
        return (total / (pool[0] * pool[1])).astype(x.dtype)
    count = _windows(np.ones_like(x, dtype=np.float64), pool, strides, padding, dilation, 0.0).sum(axis=0)
    return (total / count).astype(x.dtype)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)


def erf(x):
    """The error function, elementwise (numpy has none), in x's dtype."""
    import math
    x = np.asarray(x)
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)


def gelu(x):
    return (x * (0.5 + erf(x * np.float32(0.7071067811865476)) * 0.5)).astype(x.dtype)


def gelu_tanh(x):
    x64 = x.astype(np.float64)
    return (0.5 * x64 * (1 + np.tanh(np.sqrt(2 / np.pi) * (x64 + 0.044715 * x64 ** 3)))).astype(x.dtype)


def sigmoid(x):
    return (1 / (1 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


def softplus(x, beta=1.0, threshold=20.0):
    x64 = x.astype(np.float64)
    return np.where(x64 * beta > threshold, x64, np.log1p(np.exp(x64 * beta)) / beta).astype(x.dtype)


def resize2d(x, size, method="linear", mode="half_pixel", rounding="round"):
    """NCHW resize, one output pixel at a time, in float64 (TOPI's formulas, PyTorch's for
    nearest with asymmetric/floor and bilinear with half_pixel/align_corners)."""
    n, c, h, w = x.shape
    oh, ow = size

    def coord(v, size_in, size_out):
        scale = size_in / size_out
        if mode == "align_corners":
            return v * (size_in - 1) / (size_out - 1) if size_out > 1 else 0.0
        if mode == "asymmetric":
            return v * scale
        if mode == "tf_half_pixel_for_nn":
            return (v + 0.5) * scale
        if mode == "pytorch_half_pixel":
            return (v + 0.5) * scale - 0.5 if size_out > 1 else 0.0
        return (v + 0.5) * scale - 0.5

    def near(v):
        r = rounding or ("round" if mode == "align_corners" else "floor")
        return int({"floor": np.floor, "ceil": np.ceil, "round": np.round}[r](v))

    out = np.zeros((n, c, oh, ow))
    xf = x.astype(np.float64)
    for i in range(oh):
        for j in range(ow):
            yc, xc = coord(i, h, oh), coord(j, w, ow)
            if method == "nearest_neighbor":
                yi, xi = min(max(near(yc), 0), h - 1), min(max(near(xc), 0), w - 1)
                out[:, :, i, j] = xf[:, :, yi, xi]
                continue
            y0, x0 = int(np.floor(yc)), int(np.floor(xc))
            dy, dx = yc - y0, xc - x0
            ya, yb = min(max(y0, 0), h - 1), min(max(y0 + 1, 0), h - 1)
            xa, xb = min(max(x0, 0), w - 1), min(max(x0 + 1, 0), w - 1)
            top = xf[:, :, ya, xa] * (1 - dx) + xf[:, :, ya, xb] * dx
            bottom = xf[:, :, yb, xa] * (1 - dx) + xf[:, :, yb, xb] * dx
            out[:, :, i, j] = top * (1 - dy) + bottom * dy
    return out.astype(x.dtype)
