# blockize: mm_relu tiled 16x16x16, the init split off, and each tile's update made a block
# (the form tensorize starts from), in trace form.
sch = tvm.tir.Schedule(MyModule)
block_Y = sch.get_block("Y", func_name="mm_relu")
i, j, k = sch.get_loops(block_Y)
i0, i1 = sch.split(i, factors=[None, 16])
j0, j1 = sch.split(j, factors=[None, 16])
k0, k1 = sch.split(k, factors=[None, 16])
sch.reorder(i0, j0, k0, i1, j1, k1)
sch.decompose_reduction(block_Y, k0)
def apply_trace(sch):
    b0 = sch.get_block(name="Y_update", func_name="mm_relu")
    l1, l2, l3, l4, l5, l6 = sch.get_loops(block=b0)
    b7 = sch.blockize(target=l4, preserve_unit_iters=True)
