"""Checks prim_operands.tvms's results (y = 1.5, i = 2) against numpy: check_prim_operands.py X.npy N.npy RESULT.npz."""
import sys

import numpy as np

x = np.load(sys.argv[1])
n = np.load(sys.argv[2])
result = np.load(sys.argv[3])
y = np.float32(1.5)
want = [x * y, y - x, x[:, 2], n // 2, x ** y]
for i, expected in enumerate(want):
    got = result["arr_%d" % i]
    if got.dtype != expected.dtype or got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-6, atol=0):
        sys.exit("result %d: relaxrun gave %r, numpy %r" % (i, got, expected))
