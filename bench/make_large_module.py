"""Writes a valid TVMScript module of about SIZE bytes for relaxc's scale benchmarks (issue 19):
prim_funcs of a few seeded kinds (elementwise chains, a small matmul, a row reduction), each
called once by @main in one chain, so that nothing is dead and every kernel is compiled.

usage: make_large_module.py MEGABYTES OUT.tvms [--seed S]
(5 MB is about 10,600 prim_funcs, 50 MB about 105,000; bench/scale.py times relaxc on multiples of a base module.)"""
import argparse
import random

ELEMENTWISE = [
    "T.max(A[vi, vj], T.float32(0))",
    "A[vi, vj] * T.float32({c}) + T.float32({d})",
    "T.exp(A[vi, vj] * T.float32(-0.{k}))",
    "T.if_then_else(A[vi, vj] > T.float32({c}), A[vi, vj], T.float32({d}))",
]


def elementwise(name, rng):
    body = rng.choice(ELEMENTWISE).format(c=rng.randint(1, 9), d=rng.randint(0, 9), k=rng.randint(1, 9))
    return f'''    @T.prim_func
    def {name}(A: T.Buffer((8, 16), "float32"), B: T.Buffer((8, 16), "float32")):
        T.func_attr({{"tir.noalias": True}})
        for i, j in T.grid(8, 16):
            with T.block("B"):
                vi, vj = T.axis.remap("SS", [i, j])
                B[vi, vj] = {body}
'''


def matmul(name, rng):
    return f'''    @T.prim_func
    def {name}(A: T.Buffer((8, 16), "float32"), B: T.Buffer((8, 16), "float32")):
        T.func_attr({{"tir.noalias": True}})
        for i, j, k in T.grid(8, 16, 16):
            with T.block("B"):
                vi, vj, vk = T.axis.remap("SSR", [i, j, k])
                with T.init():
                    B[vi, vj] = T.float32(0)
                B[vi, vj] = B[vi, vj] + A[vi, vk] * T.float32({rng.randint(1, 9)}) * T.Cast("float32", vk - vj) * T.float32(0.01)
'''


def row_sum(name, rng):
    return f'''    @T.prim_func
    def {name}(A: T.Buffer((8, 16), "float32"), B: T.Buffer((8, 16), "float32")):
        T.func_attr({{"tir.noalias": True}})
        S = T.alloc_buffer((8,), "float32")
        for i, k in T.grid(8, 16):
            with T.block("S"):
                vi, vk = T.axis.remap("SR", [i, k])
                with T.init():
                    S[vi] = T.float32(0)
                S[vi] = S[vi] + A[vi, vk]
        for i, j in T.grid(8, 16):
            with T.block("B"):
                vi, vj = T.axis.remap("SS", [i, j])
                B[vi, vj] = A[vi, vj] - S[vi] * T.float32(0.0625)
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("megabytes", type=float)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    target = int(args.megabytes * 1e6)
    parts, calls, size, i = ["@tvm.script.ir_module\nclass Large:\n"], [], 0, 0
    while size < target:
        kind = rng.choices([elementwise, matmul, row_sum], weights=[6, 1, 1])[0]
        text = kind(f"k{i}", rng)
        parts.append(text)
        prev = "x" if i == 0 else f"v{i - 1}"
        calls.append(f'            v{i} = R.call_tir(cls.k{i}, ({prev},), out_sinfo=R.Tensor((8, 16), "float32"))\n')
        size += len(text) + len(calls[-1])
        i += 1
    parts.append('''    @R.function
    def main(x: R.Tensor((8, 16), "float32")) -> R.Tensor((8, 16), "float32"):
        cls = Large
        with R.dataflow():
''')
    parts.extend(calls)
    parts.append(f"            R.output(v{i - 1})\n        return v{i - 1}\n")
    with open(args.out, "w") as f:
        f.write("".join(parts))
    print(f"{args.out}: {i} prim_funcs, {sum(len(p) for p in parts) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
