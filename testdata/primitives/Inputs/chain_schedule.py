sch = tvm.tir.Schedule(Module)
sch.work_on("chain")
b = sch.get_block("B")
c = sch.get_consumers(b)[0]
sch.compute_inline(b)
d = sch.get_consumers(c)[0]
sch.reverse_compute_inline(d)
ci, cj = sch.get_loops(c)
fused = sch.fuse(ci, cj)
f0, f1 = sch.split(fused, factors=[None, 32])
sch.bind(f0, "blockIdx.x")
sch.bind(f1, "threadIdx.x")
s = sch.get_block("S")
e = sch.get_producers(s)[0]
i, k = sch.get_loops(s)
sch.compute_at(e, i)
e_again = sch.get_child_blocks(i)[0]
sch.vectorize(sch.get_loops(e_again)[-1])
i0, i1 = sch.split(i, factors=[None, 4])
sch.annotate(i0, "pragma_auto_unroll_max_step", 16)
sch.annotate(s, "schedule_note", "row sums")
sch.set_scope(e_again, 0, "local")
sch.storage_align(e_again, 0, 0, 8, 1)
sch.mod.show()
