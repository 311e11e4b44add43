"""Checks legalized_forms.tvms's results against numpy: check_legalized_forms.py X.npy N.npy RESULT.npz.
T.Div of integers truncates toward zero (C's division), T.FloorMod rounds toward -inf."""
import sys

import numpy as np

x = np.load(sys.argv[1])
n = np.load(sys.argv[2]).astype(np.int64)
result = np.load(sys.argv[3])
truncated = np.sign(n) * (np.abs(n) // 2)
want = [np.array(x.sum(dtype=np.float32), np.float32),
        np.where(n < 0, truncated, np.mod(n, 3) + n * 10).astype(np.int32),
        np.array(True),
        np.where(x - np.float32(1.5) >= 0, x - np.float32(1.5), (x - np.float32(1.5)) * np.float32(0.25))]
for i, expected in enumerate(want):
    got = result["arr_%d" % i]
    if got.dtype != expected.dtype or got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-6, atol=0):
        sys.exit("result %d: relaxrun gave %r, numpy %r" % (i, got, expected))
