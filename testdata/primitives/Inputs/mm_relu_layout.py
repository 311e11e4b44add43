# transform_layout: the matmul's intermediate Y stored in 16x16 tiles, as the course's layout
# exercises write it, then in trace form the tiles' rows swapped with their columns.
sch = tvm.tir.Schedule(MyModule)
block_Y = sch.get_block("Y", func_name="mm_relu")
sch.transform_layout(block_Y, ("write", 0), lambda i, j: (i // 16, j // 16, i % 16, j % 16))
def apply_trace(sch):
    b0 = sch.get_block(name="C", func_name="mm_relu")
    sch.transform_layout(block=b0, buffer=("read", 0), index_map=lambda a, b, c, d: (a, b, d, c,), pad_value=None, assume_injective_transform=False)
