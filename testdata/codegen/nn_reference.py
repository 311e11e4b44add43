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


# ---- neural-network operators (compiler/ops/nn_*.cc): convolutions with groups, layouts and
# out_dtype, transposed convolutions, pooling with ceil_mode, adaptive pooling, normalizations,
# log_softmax, pad, prelu, attention. Sums in float64 (int64 for integers), then cast.

def _to_canonical(a, layout, canonical):
    return np.transpose(a, [layout.index(c) for c in canonical])


def _from_canonical(a, layout, canonical):
    return np.transpose(a, [canonical.index(c) for c in layout])


def _wide(a):
    return a.astype(np.int64 if np.issubdtype(a.dtype, np.integer) else np.float64)


def _pairs(padding, dims):
    padding = list(padding)
    if len(padding) == 1:
        padding = padding * (2 * dims)
    if dims == 2 and len(padding) == 2:
        padding = padding * 2
    return [(padding[i], padding[i + dims]) for i in range(dims)]


def conv_nd(x, w, strides=1, padding=0, dilation=1, groups=1, data_layout=None, kernel_layout=None, out_dtype=None):
    """conv1d/conv2d as TVM defines them: x in data_layout, w in kernel_layout (OIW/OIHW order
    of letters), padding in TVM's short forms; the result in data_layout."""
    dims = x.ndim - 2
    canon, kcanon = "NCHW"[:2] + "HW"[2 - dims:], "OIHW"[:2] + "HW"[2 - dims:]
    xc = _wide(_to_canonical(x, data_layout or canon, canon))
    wc = _wide(_to_canonical(w, kernel_layout or kcanon, kcanon))
    strides = [strides] * dims if np.isscalar(strides) else list(strides) * (dims if len(strides) == 1 else 1)
    dilation = [dilation] * dims if np.isscalar(dilation) else list(dilation) * (dims if len(dilation) == 1 else 1)
    pads = _pairs([padding] if np.isscalar(padding) else padding, dims)
    xp = np.pad(xc, [(0, 0), (0, 0)] + pads)
    o, ipg = wc.shape[0], wc.shape[1]
    opg = o // groups
    out_sizes = [(xp.shape[2 + i] - dilation[i] * (wc.shape[2 + i] - 1) - 1) // strides[i] + 1 for i in range(dims)]
    out = np.zeros((xc.shape[0], o) + tuple(out_sizes), dtype=xc.dtype)
    for g in range(groups):
        xg = xp[:, g * ipg:(g + 1) * ipg]
        wg = wc[g * opg:(g + 1) * opg]
        for taps in np.ndindex(*wc.shape[2:]):
            window = tuple(slice(t * d, t * d + s * (n - 1) + 1, s) for t, d, s, n in zip(taps, dilation, strides, out_sizes))
            rows = xg[(slice(None), slice(None)) + window]
            out[:, g * opg:(g + 1) * opg] += np.einsum("nc...,oc->no...", rows, wg[(slice(None), slice(None)) + taps])
    dtype = np.dtype(out_dtype) if out_dtype else np.result_type(x.dtype, w.dtype)
    return _from_canonical(out, data_layout or canon, canon).astype(dtype)


def conv_transpose_nd(x, w, strides=1, padding=0, output_padding=0, dilation=1, groups=1, out_dtype=None):
    """conv1d_transpose/conv2d_transpose (NCW/NCHW data, IOW/IOHW weight) by scattering each
    input element's products, then cropping the padding."""
    dims = x.ndim - 2
    rep = lambda v: [v] * dims if np.isscalar(v) else list(v) * (dims if len(v) == 1 else 1)
    strides, dilation, output_padding = rep(strides), rep(dilation), rep(output_padding)
    pads = _pairs([padding] if np.isscalar(padding) else padding, dims)
    xc, wc = _wide(x), _wide(w)
    cin, opg = wc.shape[0], wc.shape[1]
    ipg = cin // groups
    full = [(x.shape[2 + i] - 1) * strides[i] + dilation[i] * (w.shape[2 + i] - 1) + 1 + output_padding[i] for i in range(dims)]
    out = np.zeros((x.shape[0], opg * groups) + tuple(full), dtype=xc.dtype)
    for g in range(groups):
        xg, wg = xc[:, g * ipg:(g + 1) * ipg], wc[g * ipg:(g + 1) * ipg]
        for taps in np.ndindex(*w.shape[2:]):
            window = tuple(slice(t * d, t * d + s * (n - 1) + 1, s) for t, d, s, n in zip(taps, dilation, strides, x.shape[2:]))
            out[(slice(None), slice(g * opg, (g + 1) * opg)) + window] += np.einsum("nc...,co->no...", xg, wg[(slice(None), slice(None)) + taps])
    crop = tuple(slice(lo, full[i] - hi) for i, (lo, hi) in enumerate(pads))
    dtype = np.dtype(out_dtype) if out_dtype else np.result_type(x.dtype, w.dtype)
    return out[(slice(None), slice(None)) + crop].astype(dtype)


def pool_nd(x, kind, pool, strides=None, padding=0, dilation=1, ceil_mode=False, count_include_pad=False, layout=None):
    """max/avg pooling over the trailing 1 or 2 spatial axes of a canonical layout, written as a
    loop over output positions: PyTorch's output size (ceil_mode drops a window that would start
    in the trailing padding) and divisor (count_include_pad counts the declared padding only)."""
    dims = x.ndim - 2
    canon = "NC" + "HW"[2 - dims:]
    xc = _to_canonical(x, layout or canon, canon).astype(np.float64)
    rep = lambda v: [v] * dims if np.isscalar(v) else list(v) * (dims if len(v) == 1 else 1)
    pool, dilation = rep(pool), rep(dilation)
    strides = rep(strides) if strides is not None else pool
    pads = _pairs([padding] if np.isscalar(padding) else padding, dims)
    sizes = []
    for i in range(dims):
        span = xc.shape[2 + i] + pads[i][0] + pads[i][1] - dilation[i] * (pool[i] - 1) - 1
        n = (span + (strides[i] - 1 if ceil_mode else 0)) // strides[i] + 1
        if ceil_mode and (n - 1) * strides[i] >= xc.shape[2 + i] + pads[i][0]:
            n -= 1
        sizes.append(n)
    out = np.zeros(xc.shape[:2] + tuple(sizes))
    for o in np.ndindex(*sizes):
        values, counted = [], 0
        for t in np.ndindex(*pool):
            pos = [o[i] * strides[i] - pads[i][0] + t[i] * dilation[i] for i in range(dims)]
            inside = all(0 <= p < xc.shape[2 + i] for i, p in enumerate(pos))
            declared = all(-pads[i][0] <= p < xc.shape[2 + i] + pads[i][1] for i, p in enumerate(pos))
            if inside:
                values.append(xc[(slice(None), slice(None)) + tuple(pos)])
            counted += inside or (count_include_pad and declared)
        if kind == "max":
            out[(slice(None), slice(None)) + o] = np.max(values, axis=0) if values else -np.inf
        else:
            out[(slice(None), slice(None)) + o] = (np.sum(values, axis=0) if values else 0) / max(counted, 1)
    return _from_canonical(out, layout or canon, canon).astype(x.dtype)


def adaptive_avg_pool_nd(x, output_size=None, layout=None):
    """Adaptive average pooling: output o averages [floor(o * n / m), ceil((o + 1) * n / m))."""
    dims = x.ndim - 2
    canon = "NC" + "HW"[2 - dims:]
    xc = _to_canonical(x, layout or canon, canon).astype(np.float64)
    sizes = list(xc.shape[2:]) if output_size is None else ([output_size] * dims if np.isscalar(output_size) else list(output_size) * (dims if len(output_size) == 1 else 1))
    out = np.zeros(xc.shape[:2] + tuple(sizes))
    for o in np.ndindex(*sizes):
        window = tuple(slice(o[i] * xc.shape[2 + i] // sizes[i], -(-(o[i] + 1) * xc.shape[2 + i] // sizes[i])) for i in range(dims))
        out[(slice(None), slice(None)) + o] = xc[(slice(None), slice(None)) + window].mean(axis=tuple(range(2, 2 + dims)))
    return _from_canonical(out, layout or canon, canon).astype(x.dtype)


def batch_norm_eval(x, gamma, beta, mean, var, axis=1, epsilon=1e-5, center=True, scale=True):
    """Inference-mode batch norm with the moving statistics, and those statistics unchanged."""
    shape = [1] * x.ndim
    shape[axis] = -1
    r = lambda a: a.astype(np.float64).reshape(shape)
    out = (x.astype(np.float64) - r(mean)) / np.sqrt(r(var) + epsilon)
    if scale:
        out = out * r(gamma)
    if center:
        out = out + r(beta)
    return out.astype(x.dtype), mean, var


def _normalized(x, axes, epsilon):
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    return (x64 - mean) / np.sqrt(((x64 - mean) ** 2).mean(axis=axes, keepdims=True) + epsilon)


def _span(param, x, axes):
    """param (extents of `axes`, in that order) shaped to broadcast against x."""
    axes = [a % x.ndim for a in axes]
    order = sorted(range(len(axes)), key=lambda i: axes[i])
    shape = [1] * x.ndim
    for a in axes:
        shape[a] = x.shape[a]
    return np.transpose(param.astype(np.float64), order).reshape(shape)


def layer_norm(x, gamma, beta, axes, epsilon=1e-5, center=True, scale=True):
    out = _normalized(x, tuple(axes), epsilon)
    if scale:
        out = out * _span(gamma, x, axes)
    if center:
        out = out + _span(beta, x, axes)
    return out.astype(x.dtype)


def rms_norm(x, weight, axes=(-1,), epsilon=1e-5):
    x64 = x.astype(np.float64)
    out = x64 / np.sqrt((x64 * x64).mean(axis=tuple(axes), keepdims=True) + epsilon) * _span(weight, x, axes)
    return out.astype(x.dtype)


def instance_norm(x, gamma, beta, channel_axis, axes, epsilon=1e-5, center=True, scale=True):
    out = _normalized(x, tuple(axes), epsilon)
    shape = [1] * x.ndim
    shape[channel_axis] = -1
    if scale:
        out = out * gamma.astype(np.float64).reshape(shape)
    if center:
        out = out + beta.astype(np.float64).reshape(shape)
    return out.astype(x.dtype)


def group_norm(x, gamma, beta, num_groups, channel_axis, axes, epsilon=1e-5, center=True, scale=True):
    c = channel_axis % x.ndim
    split = x.shape[:c] + (num_groups, x.shape[c] // num_groups) + x.shape[c + 1:]
    moved = [a % x.ndim for a in axes]
    reduce = tuple([c + 1] + [a if a < c else a + 1 for a in moved])
    out = _normalized(x.reshape(split), reduce, epsilon).reshape(x.shape)
    shape = [1] * x.ndim
    shape[c] = -1
    if scale:
        out = out * gamma.astype(np.float64).reshape(shape)
    if center:
        out = out + beta.astype(np.float64).reshape(shape)
    return out.astype(x.dtype)


def log_softmax(x, axis=-1):
    x64 = x.astype(np.float64)
    m = x64.max(axis=axis, keepdims=True, initial=-np.inf)
    return (x64 - m - np.log(np.exp(x64 - m).sum(axis=axis, keepdims=True))).astype(x.dtype)


def nn_pad(x, pad_width, pad_mode="constant", pad_value=0.0):
    pairs = [(pad_width[2 * i], pad_width[2 * i + 1]) for i in range(x.ndim)]
    mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[pad_mode]
    if mode == "constant":
        return np.pad(x, pairs, mode="constant", constant_values=np.array(pad_value).astype(x.dtype))
    return np.pad(x, pairs, mode=mode)


def prelu(x, alpha, axis=1):
    shape = [1] * x.ndim
    shape[axis] = -1
    return np.where(x > 0, x, x * alpha.reshape(shape)).astype(x.dtype)


def attention(q, k, v, bias=None, scale=None, causal_mask=None):
    """R.nn.attention in BSNH: softmax(q k^T * scale + bias) v per head; TVM's causal masks keep
    key j for query i when j <= i (TopLeft) or j <= i + |S - T| (BottomRight)."""
    q64, k64, v64 = (np.transpose(a.astype(np.float64), (0, 2, 1, 3)) for a in (q, k, v))
    repeat = q64.shape[1] // k64.shape[1]
    k64, v64 = np.repeat(k64, repeat, axis=1), np.repeat(v64, repeat, axis=1)
    s = q64 @ np.swapaxes(k64, -1, -2)
    s = s * scale if scale is not None else s / np.sqrt(q.shape[-1])
    if bias is not None:
        s = s + bias.astype(np.float64)
    n, t = s.shape[-2], s.shape[-1]
    if causal_mask is not None:
        offset = 0 if causal_mask == "TopLeft" else abs(n - t)
        keep = np.arange(t)[None, :] <= np.arange(n)[:, None] + offset
        s = np.where(keep, s, -np.inf)
    if t:
        s = np.exp(s - s.max(axis=-1, keepdims=True))
        s = s / s.sum(axis=-1, keepdims=True)
    return np.transpose(s @ v64, (0, 2, 1, 3)).astype(q.dtype)


# bfloat16 without ml_dtypes: an array of 'V2' elements holding the 16 bits (little-endian),
# which is what np.save of an ml_dtypes bfloat16 array writes and what relaxrun reads and writes.
def to_bfloat16(x):
    """The bfloat16 nearest to each element, ties to even, rounded once from its float64 value
    (not by bit tricks: the spacing of bfloat16 values near |x| is 2^(e-8) for |x| in
    [2^(e-1), 2^e), and no finer than the subnormals' 2^-133, so |x| / spacing is exact and
    np.rint does the one rounding). A NaN becomes the quiet NaN of its sign; past the largest
    finite value (3.3895e38) is infinity."""
    x = np.asarray(x, dtype=np.float64)
    magnitude = np.abs(x)
    _, e = np.frexp(magnitude)
    spacing = np.maximum(e - 8, -133)
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.ldexp(np.rint(np.ldexp(magnitude, -spacing)), spacing)
        as_float32 = np.copysign(rounded, x).astype(np.float32)  # exact, or inf beyond the range
    bits = (as_float32.view(np.uint32) >> 16).astype(np.uint16)
    quiet_nan = np.where(np.signbit(x), 0xFFC0, 0x7FC0).astype(np.uint16)
    return np.where(np.isnan(x), quiet_nan, bits).astype("<u2").view("V2")


def from_bfloat16(v):
    """The float32 values of bfloat16 bits ('V2' or uint16 elements): they are its upper half."""
    bits = np.asarray(np.asarray(v).view("<u2").astype(np.uint32) << 16, dtype=np.uint32)
    return bits.view(np.float32)


def bfloat16_rounding_cases(rng, shape):
    """float32 values at bfloat16's rounding edges: upper halves (sign, exponent, the 7 kept
    fraction bits) over zero/subnormal, ordinary, largest-finite and inf/NaN exponents, the
    fraction half the time an extreme (0, 1, 64, 126, 127), each with a lower half that is a tie
    (0x8000), just off one (0x7FFF, 0x8001), exact (0) or an extreme (0x0001, 0xFFFF). With
    exponent 255 and fraction 0 or 127 these are the NaNs that rounding's add would turn into
    inf or, by a carry, -0."""
    n = int(np.prod(shape))
    exponent = rng.choice([0, 1, 100, 126, 127, 128, 200, 254, 255], size=n).astype(np.uint32)
    fraction = np.where(rng.random(n) < 0.5, rng.choice([0, 1, 64, 126, 127], size=n), rng.integers(0, 128, n)).astype(np.uint32)
    upper = (rng.integers(0, 2, n).astype(np.uint32) << 15) | (exponent << 7) | fraction
    lower = rng.choice([0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF], size=n).astype(np.uint32)
    return ((upper << 16) | lower).view(np.float32).reshape(shape)
