"""Checks constructs.tvms's results (RESULT.npz from relaxrun) against numpy, given its inputs:
check_constructs.py X.npy K.npy RESULT.npz. Exits 1 naming the first result that differs."""
import sys

import numpy as np

x = np.load(sys.argv[1])
k = int(np.load(sys.argv[2]))
result = np.load(sys.argv[3])
want = [x + np.float32(k), np.array(x.shape, np.int64), x + np.float32(3), np.maximum(x, 0)]
for i, expected in enumerate(want):
    got = result["arr_%d" % i]
    if got.dtype != expected.dtype or got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-6, atol=0):
        sys.exit("result %d: relaxrun gave %r, numpy %r" % (i, got, expected))
print("all 4 results equal numpy")
