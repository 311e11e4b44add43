"""Writes one-mistake schedule files for errors.test into OUT_DIR: schedule_errors.py OUT_DIR.
Each applies to Inputs/mm_relu.tvms (MM) or Inputs/chain.tvms (CHAIN)."""
import os
import sys

MM = '''sch = tvm.tir.Schedule(MyModule)
block_Y = sch.get_block("Y", func_name="mm_relu")
block_C = sch.get_block("C", func_name="mm_relu")
i, j, k = sch.get_loops(block_Y)
ci, cj = sch.get_loops(block_C)
'''
CHAIN = '''sch = tvm.tir.Schedule(Module)
sch.work_on("chain")
b = sch.get_block("B")
s = sch.get_block("S")
si, sk = sch.get_loops(s)
'''
CASES = {
    # the file itself
    "syntax": (MM, "j0, j1 = sch.split(j, factors=[None, 4]\n"),
    "not_a_primitive": (MM, "sch.tile(j, 4)\n"),
    "unknown_keyword": (MM, "sch.split(j, factors=[None, 4], inner=True)\n"),
    "unpack": (MM, "a, b, c = sch.split(j, factors=[None, 4])\n"),
    "undefined": (MM, "sch.parallel(q)\n"),
    "wrong_kind": (MM, "sch.parallel(block_Y)\n"),
    "no_decision": (MM, "v = sch.sample_perfect_tile(j, n=2)\n"),
    "index_range": (MM, "x = sch.get_loops(block_Y)[3]\n"),
    # lookup
    "no_block": (MM, 'sch.get_block("Z", func_name="mm_relu")\n'),
    "no_function": (MM, 'sch.get_block("Y", func_name="mm")\n'),
    "work_on_missing": (MM, 'sch.work_on("linear0")\n'),
    "stale_loop": (MM, "j0, j1 = sch.split(j, factors=[None, 4])\nsch.parallel(j)\n"),
    # split, fuse, reorder
    "two_none": (MM, "sch.split(j, factors=[None, None])\n"),
    "factor_zero": (MM, "sch.split(j, factors=[0, 4])\n"),
    "product_small": (MM, "sch.split(j, factors=[4, 4])\n"),
    "fuse_not_nested": (MM, "sch.fuse(i, k)\n"),
    "reorder_other_nest": (MM, "sch.reorder(i, cj)\n"),
    "reorder_twice": (MM, "sch.reorder(j, j)\n"),
    # loop kinds
    "parallel_reduction": (MM, "sch.parallel(k)\n"),
    "bad_thread": (MM, 'sch.bind(i, "threadIdx.w")\n'),
    # compute location
    "compute_at_unrelated": (MM, "sch.compute_at(block_C, j)\n"),
    "reverse_reduction": (CHAIN, "e = sch.get_block(\"E\")\nei, ej = sch.get_loops(e)\nsch.reverse_compute_at(s, ej)\n"),
    "compute_at_own_loop": (MM, "sch.compute_at(block_Y, k)\n"),
    "compute_at_reader_between": (CHAIN, "d = sch.get_block(\"D\")\ndi, dj = sch.get_loops(d)\nsch.compute_at(b, di)\n"),
    # inlining
    "inline_output": (MM, "sch.compute_inline(block_C)\n"),
    "inline_reduction": (MM, "sch.compute_inline(block_Y)\n"),
    "reverse_inline_reduction_producer": (MM, "sch.reverse_compute_inline(block_C)\n"),
    # buffers
    "cache_read_index": (MM, 'sch.cache_read(block_C, 3, "shared")\n'),
    "cache_read_scope": (MM, 'sch.cache_read(block_C, 0, "shared memory")\n'),
    "cache_write_consumers": (MM, 'sch.cache_write(block_Y, 0, "local", consumer_blocks=[block_C])\n'),
    "set_scope_parameter": (MM, 'sch.set_scope(block_C, 0, "shared")\n'),
    "align_factor": (MM, "sch.storage_align(block_Y, 0, 0, 0, 1)\n"),
    "align_axis": (MM, "sch.storage_align(block_Y, 0, 2, 8, 1)\n"),
    # rfactor
    "rfactor_spatial": (MM, "sch.rfactor(j, 0)\n"),
    "rfactor_two_blocks": (MM, "sch.reverse_compute_at(block_C, j)\nsch.rfactor(i, 0)\n"),
    "rfactor_axis": (MM, "sch.rfactor(k, 3)\n"),
    "rfactor_no_init": (MM, "sch.rfactor(ci, 0)\n"),
    "rfactor_unrolled": (MM, "sch.unroll(k)\nsch.rfactor(k, 0)\n"),
    "rfactor_not_perfect": (MM, "sch.reverse_compute_at(block_C, j)\nsch.rfactor(k, 0)\n"),
    # transform_layout
    "layout_parameter": (MM, 'sch.transform_layout(block_C, ("write", 0), lambda i, j: (j, i))\n'),
    "layout_pads": (MM, 'sch.transform_layout(block_Y, ("write", 0), lambda i, j: (i // 3, j, i % 3))\n'),
    "layout_collides": (MM, 'sch.transform_layout(block_Y, ("write", 0), lambda i, j: (i, i))\n'),
    "layout_arity": (MM, 'sch.transform_layout(block_Y, ("write", 0), lambda i: (i,))\n'),
    "layout_syntax": (MM, 'sch.transform_layout(block_Y, ("write", 0), lambda i, j: (i ** 2, j))\n'),
    "layout_unknown_name": (MM, 'sch.transform_layout(block_Y, ("write", 0), lambda i, j: (i, k))\n'),
    "layout_pad_value": (MM, 'sch.transform_layout(block_Y, ("write", 0), lambda i, j: (i, j), pad_value=0)\n'),
    "layout_buffer_form": (MM, 'sch.transform_layout(block_Y, "Y", lambda i, j: (i, j))\n'),
    # blockize
    "blockize_init": (MM, "sch.blockize(k)\n"),
    "blockize_two_blocks": (MM, "sch.reverse_compute_at(block_C, j)\nsch.decompose_reduction(block_Y, k)\nsch.blockize(j)\n"),
    "blockize_not_affine": (MM, "f = sch.fuse(ci, cj)\nf0, f1 = sch.split(f, factors=[None, 64])\nsch.blockize(f1)\n"),
    # decompose_reduction
    "decompose_spatial": (MM, "sch.decompose_reduction(block_C, ci)\n"),
    "decompose_not_around": (MM, "sch.decompose_reduction(block_Y, ci)\n"),
    "decompose_inside": (MM, "sch.reorder(k, i, j)\nsch.decompose_reduction(block_Y, i)\n"),
}
for name, (base, tail) in CASES.items():
    with open(os.path.join(sys.argv[1], name + ".py"), "w") as f:
        f.write(base + tail)
