# The chapter's closing step: transform MyModuleMixture's TensorIR linear0 with the schedule
# operations of the TensorIR lesson. Used as: relaxc my_module_mixture.tvms --schedule THIS_FILE
sch = tvm.tir.Schedule(MyModuleMixture)
block_Y = sch.get_block("Y", func_name="linear0")
i, j, k = sch.get_loops(block_Y)
j0, j1 = sch.split(j, factors=[None, 4])
sch.reorder(j0, k, j1)
block_Z = sch.get_block("Z", func_name="linear0")
sch.reverse_compute_at(block_Z, j0)
sch.decompose_reduction(block_Y, k)
sch.vectorize(j1)
