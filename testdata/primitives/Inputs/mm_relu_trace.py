# mm_relu_decompose.py as sch.trace.show() prints it.
# from tvm import tir
def apply_trace(sch: tir.Schedule) -> None:
  b0 = sch.get_block(name="Y", func_name="mm_relu")
  b1 = sch.get_block(name="C", func_name="mm_relu")
  l2, l3, l4 = sch.get_loops(block=b0)
  v5, v6 = sch.sample_perfect_tile(loop=l3, n=2, max_innermost_factor=64, decision=[32, 4])
  l7, l8 = sch.split(loop=l3, factors=[v5, v6], preserve_unit_iters=True, disable_predication=False)
  sch.reorder(l7, l4, l8)
  sch.reverse_compute_at(block=b1, loop=l7, preserve_unit_loops=False, index=-1)
  b9 = sch.decompose_reduction(block=b0, loop=l4)
