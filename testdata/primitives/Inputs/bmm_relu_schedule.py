# The exercise's steps, reaching its TargetModule (bmm_relu_target.tvms).
sch = tvm.tir.Schedule(MyBmmRelu)
# Step 1. Get blocks
Y = sch.get_block("Y", func_name="bmm_relu")
C = sch.get_block("C", func_name="bmm_relu")
# Step 2. Get loops
i0, i1, i2 = sch.get_loops(C)
# Step 3. Organize the loops
i2_0, i2_1 = sch.split(i2, factors=[None, 8])
sch.compute_at(Y, i2_0)
ax0, ax1 = sch.get_loops(Y)[3:]
ax1_0, ax1_1 = sch.split(ax1, factors=[None, 4])
sch.reorder(ax1_0, ax1_1, ax0)
# Step 4. decompose reduction
Y_init = sch.decompose_reduction(Y, ax1_0)
# Step 5. vectorize / parallel / unroll
sch.vectorize(sch.get_loops(Y_init)[-1])
sch.parallel(i0)
sch.unroll(ax1_1)
sch.vectorize(i2_1)
IPython.display.Code(sch.mod.script(), language="python")
