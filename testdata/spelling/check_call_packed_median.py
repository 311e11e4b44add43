"""Checks call_packed_median.tvms's result against numpy: check_call_packed_median.py X.npy OUT.npz.
The median is the lower one (the third of six), with its index, in numpy's stable order
(NaN after every number)."""
import sys

import numpy as np

x = np.load(sys.argv[1])
out = np.load(sys.argv[2])
index = np.argsort(x, axis=1, kind="stable")[:, 2]
assert np.array_equal(out["arr_1"], index), (out["arr_1"], index)
assert np.array_equal(out["arr_0"], x[np.arange(x.shape[0]), index], equal_nan=True), (out["arr_0"], x)
print("median matches numpy")
