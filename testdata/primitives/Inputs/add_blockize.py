# blockize: MyAdd's loops split by 4 and the inner 4x4 tile made a block of its own, as tensorize
# prepares it; then the trace form on mm_relu's update after decompose_reduction.
sch = tvm.tir.Schedule(MyAdd)
block_C = sch.get_block("C", func_name="add")
i, j = sch.get_loops(block_C)
i0, i1 = sch.split(i, factors=[None, 4])
j0, j1 = sch.split(j, factors=[None, 4])
sch.reorder(i0, j0, i1, j1)
tile = sch.blockize(i1)
