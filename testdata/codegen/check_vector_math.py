"""The inputs of vector_math.tvms (check_vector_math.py inputs X.npy) and the check of its
results against numpy (check_vector_math.py check X.npy OUT.npz)."""
import sys

import numpy as np


def inputs():
    rng = np.random.default_rng(7)
    parts = [
        np.linspace(-110, 95, 40000, dtype=np.float32),          # exp's whole range and beyond
        rng.uniform(-8, 8, 30000).astype(np.float32),             # where erf and tanh are not ±1
        np.float32(10.0) ** rng.uniform(-45, -1, 20000).astype(np.float32) * rng.choice([-1, 1], 20000).astype(np.float32),
        np.array([0.5, np.nextafter(np.float32(0.5), 0), 0.625, np.nextafter(np.float32(0.625), 0), -0.5, -0.625,
                  0.0, -0.0, np.inf, -np.inf, np.nan, 88.72283, 88.7229, -87.33654, -103.9, -104.0, 1e-45, -1e-45],
                 dtype=np.float32),
    ]
    x = np.concatenate(parts)
    return np.concatenate([x, np.zeros(100000 - len(x), np.float32)]).astype(np.float32)


def reference(name, x):
    d = x.astype(np.float64)
    if name == "exp":
        return np.exp(d)
    if name == "erf":
        from math import erf
        return np.array([erf(v) if np.isfinite(v) else (np.sign(v) if not np.isnan(v) else np.nan) for v in d])
    if name == "tanh":
        return np.tanh(d)
    return 1 / (1 + np.exp(-d))


def check(x, got, name, bound, tiny_bound):
    want64 = reference(name, x)
    want = want64.astype(np.float32)
    same_special = np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(np.isinf(got), np.isinf(want))
    same_special = same_special and np.array_equal(got[np.isinf(want)], want[np.isinf(want)])
    finite = np.isfinite(want) & (np.abs(want) >= np.finfo(np.float32).tiny)
    rel = np.abs(got[finite].astype(np.float64) - want64[finite]) / np.abs(want64[finite])
    small = np.isfinite(want) & ~finite
    tiny_ok = bool(np.all(np.abs(got[small].astype(np.float64) - want64[small]) <= tiny_bound))
    zeros_ok = bool(np.all(np.signbit(got[want == 0]) == np.signbit(want[want == 0]))) if name in ("erf", "tanh") else True
    worst = float(rel.max()) if rel.size else 0.0
    ok = same_special and tiny_ok and zeros_ok and worst <= bound
    print(f"{name}: {len(x)} values, vectorized, worst {worst:.3g} relative: {'PASS' if ok else 'FAIL'}"
          + ("" if ok else f" (special values {same_special}, subnormal {tiny_ok}, signed zeros {zeros_ok})"))
    return ok


def main():
    if sys.argv[1] == "inputs":
        np.save(sys.argv[2], inputs())
        return
    np.seterr(all="ignore")
    x = np.load(sys.argv[2])
    out = np.load(sys.argv[3])
    # Relative bounds for normal results; absolute ones below float32's smallest normal number
    # (sigmoid is 1 / (1 + exp(-x)) in float32, as numpy computes it: 0 once exp(-x) overflows).
    bounds = {"exp": (3.6e-7, 1e-44), "erf": (6e-7, 1e-44), "tanh": (3.6e-7, 1e-44), "sigmoid": (5e-7, 1.2e-38)}
    results = [check(x, out[f"arr_{i}"], name, *bounds[name]) for i, name in enumerate(["exp", "erf", "tanh", "sigmoid"])]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
