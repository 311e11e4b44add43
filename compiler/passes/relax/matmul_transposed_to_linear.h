// Takes a checked module and rewrites `t = R.permute_dims(w)` (a 2-D transpose) used only by
// `y = R.matmul(x, t)` into `y = R.nn.linear(x, w)` — what PyTorch's importer writes for a
// Linear layer. The kernel then reads w as it is stored, with the reduction axis contiguous in
// both operands (which the default schedule tiles), and no transposed copy of the weight is made
// on every call. Results are unchanged.
#pragma once

#include "compiler/ir/module.h"

namespace relaxc {

Module matmul_transposed_to_linear(const Module& module);

}  // namespace relaxc
