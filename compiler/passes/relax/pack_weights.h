// pack_weights: takes a legalized module and packs weights into the layout the kernels that
// read them want. A weight is a metadata constant (BindParams) or a parameter of a function at
// or after its "num_input" attribute (TVM's convention for where the weights start). Where a
// kernel reads a 2-d weight W only as W[j, k] in a dot-product reduction (k summed and
// contiguous, j the output's last axis: nn.linear, PyTorch's Linear), the call passes W
// transposed instead and calls a variant of the kernel, `<kernel>_kmajor`, that reads
// W_t[k, j] — the outer-product tiles of outer_product_tiles.h then read whole vectors of
// columns and never sum a vector across its lanes (done only where the columns fill the
// target's vectors). The transpose is a Relax function
// `<weight>_kmajor`, attribute relaxc.weight_transform, called once at the start of the
// function; the VM keeps its result for frozen weights (constants of the .rx, arrays relaxrun
// maps from --params), so it runs once per weight: at load, not per call.
// A public function without "num_input" may be given its weights in any parameter, and those
// may change from call to call: it stays as written, and gets a private variant
// `<function>_frozen` that packs every parameter it can, named by its attribute
// relaxc.frozen_variant = {"function": ..., "frozen_params": [positions], "packed_from_rows":
// [0, 32] for a first parameter with a symbolic number of rows}; the VM calls the variant when
// every one of those arguments is frozen or the first has at least 32 rows (a run-time guard:
// a tensor that may change is read by the unpacked kernels at few rows, and packed on the call
// at many; codegen/frozen_variant.h).
// Guarantees: results are unchanged; weights of other shapes and uses are left as they are.
#pragma once

#include "compiler/ir/module.h"
#include "compiler/schedule/target.h"

namespace relaxc {

Module pack_weights(const Module& module, const schedule::Target& target);

}  // namespace relaxc
