// The kernel side of pack_weights: which kernels read a weight in a layout worth changing, and
// the kernel variants that read it in the packed layout instead. Each variant computes what the
// kernel computes, given the weight rearranged as its comment says.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/relax.h"
#include "compiler/ir/tir.h"

namespace relaxc {

// Whether `kernel` reads `weight` (one of its parameters) only as W[j, k] in a dot-product
// reduction: k summed and contiguous, j the output's last axis (nn.linear, PyTorch's Linear).
bool reads_as_dot_weight(const tir::PrimFunc& kernel, const tir::Buffer* weight);

// `kernel` reading parameter `index` (a weight W) as W_t[k, j].
tir::PrimFuncPtr kmajor_variant(const tir::PrimFunc& kernel, size_t index, const std::string& name);

// Whether `kernel` reads `weight` (4-d, OIHW) only as W[f, c, y, x] in a convolution's block:
// f a spatial axis that is the output's channel (its second index), c, y and x reduction axes,
// and no other load of the block moving with f (groups=1, so one input value feeds every
// output channel). Blocked by `lanes` output channels, one load of W gives a vector of them.
bool reads_as_conv_weight(const tir::PrimFunc& kernel, const tir::Buffer* weight);

// `kernel` reading parameter `index` (a weight W of shape (O, I, KH, KW)) as W_b[o // lanes,
// i, kh, kw, o % lanes] (TVM's kernel layout OIHW16o for 16 lanes); O a multiple of lanes.
tir::PrimFuncPtr channel_blocked_variant(const tir::PrimFunc& kernel, size_t index, int64_t lanes, const std::string& name);

// `kernel` with the sizes its weight parameters fix (a (10, 128) weight binds n = 10 and
// m = 128) made constants: shapes, loop extents and strides the tiles can plan around.
tir::PrimFuncPtr specialize(const tir::PrimFunc& kernel, const std::vector<std::pair<size_t, relax::StructInfoPtr>>& weights);

}  // namespace relaxc
