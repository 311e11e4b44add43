"""Writes the deeply nested inputs of deep_inputs.test: deep_inputs.py KIND N OUT.tvms

Each module's main calls one prim_func `f` on a (4,) float32 tensor and returns its (4,) result.
KIND: loops (N nested loops of extent 1, as T.grid lines of at most 50 loops), indent (N nested
`for` statements), sum (b[0] = a[0] + a[1] + ... with N terms), lets (N local bindings one after
another), negations (N unary minus signs before a[0]).
"""
import sys

HEAD = '''from tvm.script import ir as I
from tvm.script import tir as T
from tvm.script import relax as R

@I.ir_module
class Module:
    @T.prim_func
    def f(a: T.Buffer((4,), "float32"), b: T.Buffer((4,), "float32")):
'''
MAIN = '''
    @R.function
    def main(x: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):
        cls = Module
        y = R.call_tir(cls.f, (x,), out_sinfo=R.Tensor((4,), "float32"))
        return y
'''


def body(kind, n):
    ind = " " * 8
    if kind == "loops":
        lines, made, depth = [], 0, 0
        while made < n:
            count = min(50, n - made)
            names = ", ".join(f"i{made + j}" for j in range(count))
            lines.append(ind + "    " * depth + f"for {names} in T.grid({', '.join(['1'] * count)}):")
            made += count
            depth += 1
        store = ind + "    " * depth + "for k in range(4):\n" + ind + "    " * (depth + 1) + f"b[k] = a[k] + T.float32(i{n - 1} + 1)"
        return "\n".join(lines) + "\n" + store + "\n"
    if kind == "indent":
        lines = [ind + "    " * d + f"for i{d} in range(1):" for d in range(n)]
        return "\n".join(lines) + "\n" + ind + "    " * n + "for k in range(4):\n" + ind + "    " * (n + 1) + "b[k] = a[k] * T.float32(2)\n"
    if kind == "sum":
        terms = " + ".join(f"a[{t % 4}]" for t in range(n))
        return ind + f"b[0] = {terms}\n" + ind + "for k in range(1, 4):\n" + ind + "    b[k] = a[k]\n"
    if kind == "lets":
        lines = [ind + "v0 = a[0]"] + [ind + f"v{i} = v{i - 1} + a[{i % 4}]" for i in range(1, n)]
        return "\n".join(lines) + "\n" + ind + f"b[0] = v{n - 1}\n" + ind + "for k in range(1, 4):\n" + ind + "    b[k] = a[k]\n"
    if kind == "negations":
        return ind + "b[0] = " + "-" * n + "a[0]\n" + ind + "for k in range(1, 4):\n" + ind + "    b[k] = a[k]\n"
    raise SystemExit("unknown kind " + kind)


kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(out, "w") as f:
    f.write(HEAD + body(kind, n) + MAIN)
