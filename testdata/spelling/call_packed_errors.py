"""Writes one-mistake T.call_packed modules for call_packed.test into OUT_DIR:
call_packed_errors.py OUT_DIR."""
import os
import sys

BASE = '''from tvm.script import ir as I
from tvm.script import tir as T
from tvm.script import relax as R

@I.ir_module
class Module:
    @T.prim_func
    def f(A: T.Buffer((4,), "float32"), B: T.Buffer((4,), "float32")):
        half = T.alloc_buffer((2,))
        T.call_packed("env.relu", A, B)

    @R.function
    def main(x: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):
        y = R.call_tir(Module.f, (x,), out_sinfo=R.Tensor((4,), "float32"))
        return y
'''
CALL = 'T.call_packed("env.relu", A, B)'
ARRAY = 'T.tvm_stack_make_array(A.data, T.tvm_stack_make_shape(4), 0, 1, T.float32(0), 0)'
VARIANTS = {
    # compile-time mistakes
    "as_value": (CALL, 'B[0] = T.call_packed("env.relu", A, B)'),
    "name_not_string": (CALL, "T.call_packed(A, B)"),
    "string_argument": (CALL, 'T.call_packed("env.relu", "A", B)'),
    "raw_pointer": (CALL, 'T.call_packed("env.relu", A.data, B)'),
    "array_dims": (CALL, 'T.call_packed("env.relu", T.tvm_stack_make_array(A.data, T.tvm_stack_make_shape(5), 0, 1, T.float32(0), 0), B)'),
    "array_rank": (CALL, 'T.call_packed("env.relu", T.tvm_stack_make_array(A.data, T.tvm_stack_make_shape(4, 1), 0, 2, T.float32(0), 0), B)'),
    "array_ndim": (CALL, 'T.call_packed("env.relu", ' + ARRAY.replace("0, 1, T.float32", "0, 2, T.float32") + ', B)'),
    "array_dtype": (CALL, 'T.call_packed("env.relu", ' + ARRAY.replace("T.float32(0)", "T.int32(0)") + ', B)'),
    "array_strides": (CALL, 'T.call_packed("env.relu", ' + ARRAY.replace("(4), 0, 1", "(4), 2, 1") + ', B)'),
    "array_offset": (CALL, 'T.call_packed("env.relu", ' + ARRAY.replace("T.float32(0), 0)", "T.float32(0), 1)") + ', B)'),
    "array_not_buffer": (CALL, 'T.call_packed("env.relu", ' + ARRAY.replace("A.data", "q.data") + ', B)'),
    "call_extern": (CALL, 'T.evaluate(T.call_extern("float32", "expf", A[0]))'),
    # run-time mistakes
    "missing_function": (CALL, 'T.call_packed("my.missing", A, B)'),
    "function_fails": (CALL, 'T.call_packed("env.relu", A, half)'),
}
for name, (old, new) in VARIANTS.items():
    assert old in BASE, name
    with open(os.path.join(sys.argv[1], name + ".tvms"), "w") as f:
        f.write(BASE.replace(old, new, 1))
