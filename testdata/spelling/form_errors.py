"""Writes one-mistake modules for form_errors.test into OUT_DIR: form_errors.py OUT_DIR."""
import os
import sys

BASE = '''from tvm.script import ir as I
from tvm.script import tir as T
from tvm.script import relax as R

@I.ir_module
class Module:
    @T.prim_func
    def f(A: T.Buffer((4,), "float32"), B: T.Buffer((4,), "float32")):
        for i in range(4):
            with T.block("B"):
                vi = T.axis.spatial(4, i)
                B[vi] = A[vi]

    @R.function
    def main(x: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):
        y = R.call_tir(Module.f, (x,), out_sinfo=R.Tensor((4,), "float32"))
        return y
'''
VARIANTS = {
    "buffer_slice": ('A: T.Buffer((4,), "float32")', 'A: T.Buffer[0:4, "float32"]'),
    "scope": ('B: T.Buffer((4,), "float32")', 'B: T.Buffer((4,), "float32", scope="shared memory")'),
    "offset_factor": ('B: T.Buffer((4,), "float32")', 'B: T.Buffer((4,), "float32", offset_factor=-1)'),
    "buffer_type": ('B: T.Buffer((4,), "float32")', 'B: T.Buffer((4,), "float32", buffer_type="auto_broadcast")'),
    "tvm_const": ("B[vi] = A[vi]", 'B[vi] = A[vi] + tvm.tirx.const("x")'),
    "placeholders": ("vi = T.axis.spatial(4, i)", 'vi = T.axis.spatial(4, i)\n                T.block_attr({"layout_free_placeholders": [i]})'),
    "meta_cycle": ("y = R.call_tir(", "k = I.meta_var(k)\n        z = R.add(x, k)\n        y = R.call_tir("),
    "shape_of": ("y = R.call_tir(", "s = R.shape_of(R.shape([4]))\n        y = R.call_tir("),
    "tensor_to_shape": ("y = R.call_tir(", "s = R.tensor_to_shape(x)\n        y = R.call_tir("),
    "ty_args": ("y = R.call_tir(", 'z = R.call_pure_packed("env.relu", x, ty_args=(R.Tensor((4,), "float32"), R.Tensor((4,), "float32")))\n        y = R.call_tir('),
}
for name, (old, new) in VARIANTS.items():
    assert old in BASE, name
    with open(os.path.join(sys.argv[1], name + ".tvms"), "w") as f:
        f.write(BASE.replace(old, new, 1))
