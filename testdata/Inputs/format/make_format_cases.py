"""Writes arrays and numpy's print() of each (the golden output of relaxrun's array printer).
Run with the numpy of python3-numpy (1.24): python3 make_format_cases.py"""
import numpy as np

rng = np.random.default_rng(7)
cases = {
    "logits": np.load("../fashion_mnist/logits_img2437.npy"),
    "scientific": np.array([1e-5, 3.0, -2.5e3], dtype=np.float32),
    "nonfinite": np.array([np.nan, 1.5, -np.inf], dtype=np.float32),
    "ints": np.arange(-5, 7, dtype=np.int64).reshape(3, 4) * 37,
    "bools": np.array([True, False, True]),
    "float64": rng.normal(size=(3, 3)),
    "zeros": np.zeros((2, 3), np.float32),
    "scalar": np.array(2.5, np.float32),
    "empty": np.zeros((0,), np.float32),
    "wrapped": rng.normal(size=30).astype(np.float32),
    "cube": rng.uniform(-3, 3, size=(2, 2, 3)).astype(np.float32),
    "summarised": rng.normal(size=(2000, 3)).astype(np.float32) * 100,
    "integral_floats": np.array([1.0, 20.0, -3.0], np.float32),
    "uint8": rng.integers(0, 255, size=(2, 5)).astype(np.uint8),
}
for name, array in cases.items():
    np.save(f"{name}.npy", array)
    with open(f"{name}.txt", "w") as f:
        f.write(str(array) + "\n")
