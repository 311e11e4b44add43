"""Writes one-mistake variants of a small prim_func into OUT_DIR for hints.test: hint_errors.py OUT_DIR."""
import os
import sys

BASE = '''from tvm.script import tir as T

@T.prim_func
def f(var_a: T.handle, var_b: T.handle):
    n = T.int64()
    A = T.match_buffer(var_a, (n, 4))
    B = T.match_buffer(var_b, (n, 4))
    for i in range(n):
        with T.attr(0, "pragma_unroll_explicit", 1):
            for j in range(4):
                with T.block("B"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    B[vi, vj] = A[vi, vj]
'''
VARIANTS = {
    "attr_key": ('with T.attr(0, "pragma_unroll_explicit", 1):', 'with T.attr(0, "thread_extent", 1):'),
    "strides": ("A = T.match_buffer(var_a, (n, 4))", "A = T.match_buffer(var_a, (n, 4), strides=(8, 1))"),
    "elem_offset": ("A = T.match_buffer(var_a, (n, 4))", "A = T.match_buffer(var_a, (n, 4), elem_offset=4)"),
    "star": ("for j in range(4):", "for j in T.grid(*n):"),
    "let_type": ("B[vi, vj] = A[vi, vj]", "v: T.let[T.float32, T.int32] = A[vi, vj]"),
}
for name, (old, new) in VARIANTS.items():
    assert old in BASE, name
    text = BASE.replace(old, new)
    with open(os.path.join(sys.argv[1], name + ".tvms"), "w") as f:
        f.write(text)
