"""Compares what relaxrun computed for a deep_inputs.py module with numpy's value:
deep_inputs_check.py KIND N IN.npy GOT.npy. Sums fold left to right in float32, as the kernel
does, so the two must be equal bit for bit."""
import sys

import numpy as np

kind, n, src, got_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
a = np.load(src)
b = a.copy()
if kind == "loops":
    b = a + np.float32(1)
elif kind == "indent":
    b = a * np.float32(2)
elif kind in ("sum", "lets"):
    total = a[0]
    for t in range(1, n):
        total = np.float32(total + a[t % 4])
    b[0] = total
elif kind == "negations":
    b[0] = -a[0] if n % 2 else a[0]
got = np.load(got_path)
if got.shape != b.shape or got.dtype != b.dtype or not np.array_equal(got, b):
    sys.exit(f"{kind} {n}: relaxrun gave {got!r}, numpy {b!r}")
