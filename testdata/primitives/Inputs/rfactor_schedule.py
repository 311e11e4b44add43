# rfactor: a row sum split by 16 with the inner part factored out (and vectorized, as a CPU
# schedule would); a matmul's whole k factored at axis 1; a max reduction in trace form at -1.
sch = tvm.tir.Schedule(Module)
s = sch.get_block("S", func_name="row_sum")
i, k = sch.get_loops(s)
ko, ki = sch.split(k, factors=[None, 16])
rf = sch.rfactor(ki, 0)
sch.compute_at(rf, i)

d = sch.get_block("D", func_name="matmul")
i, j, k = sch.get_loops(d)
sch.rfactor(k, factor_axis=1)
def apply_trace(sch):
    b0 = sch.get_block(name="M", func_name="row_max")
    l1, l2 = sch.get_loops(block=b0)
    l3, l4 = sch.split(loop=l2, factors=[None, 8], preserve_unit_iters=True)
    b5 = sch.rfactor(loop=l3, factor_axis=-1)
