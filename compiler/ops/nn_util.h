// What the neural-network families (nn_conv.cc, nn_pool.cc, nn_norm.cc, nn.cc, nn_attention.cc)
// share: layouts read as permutations of TVM's canonical letters ("NHWC" against "NCHW"), the
// sliding-window attributes of 1-d and 2-d convolution and pooling in TVM's short forms, the
// output extent of a window (built symbolically when the input extent is symbolic), the padded
// copy of an input, and attributes whose TVM default is None.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/registry.h"

namespace relaxc::ops {

// A layout such as "NHWC" read against its canonical form "NCHW": axis[k] is the position in the
// tensor of the canonical letter k.
struct Layout {
  std::string text;
  std::vector<size_t> axis;
};
// nullopt when `text` is not a permutation of `canonical` (channel blocks such as "NCHW4c").
std::optional<Layout> parse_layout(const std::string& text, const std::string& canonical);
// The layout attribute `name`, or `fallback` when it is None (out_layout defaults to the data's).
// Throws CompileError at the attribute when it is not a permutation of `canonical`.
Layout layout_attr(const relax::Call& call, const Attrs& attrs, const std::string& name, const std::string& canonical,
                   const std::string& fallback);

// One spatial axis of a sliding window.
struct WindowAxis {
  int64_t stride = 1, dilation = 1, pad_lo = 0, pad_hi = 0;
};
// strides, dilation and padding for `dims` spatial axes in TVM's short forms: one value for all
// axes; padding also (lo, hi) for 1-d and (top, left) or (top, left, bottom, right) for 2-d.
// Throws CompileError at the attribute.
std::vector<WindowAxis> window_axes(const relax::Call& call, const Attrs& attrs, size_t dims);
// An integer list attribute with one value per spatial axis (a single value repeats).
std::vector<int64_t> spatial_ints(const relax::Call& call, const Attrs& attrs, const std::string& name, size_t dims);

// dim + c, folded when dim is constant.
tir::Expr dim_plus(const tir::Expr& dim, int64_t c);
// The extent of a window's output: (in + pad_lo + pad_hi - dilation * (k - 1) - 1) // stride + 1,
// with one more window in ceil mode when it starts inside the input or its leading padding (the
// rule of TVM and PyTorch). nullopt when the window is larger than the padded input (constant
// extents) or when ceil mode meets a symbolic extent.
std::optional<tir::Expr> window_extent(const tir::Expr& in, int64_t k, const WindowAxis& w, bool ceil_mode);

// Declares `pad_temp`, the input (of `shape`, laid out as `layout`, spatial axes after N and C)
// with `fill` around it, and fills it; `extra[i]` more elements of fill after spatial axis i (ceil
// mode's last windows). Returns the buffer the windows read: "A" when there is no padding.
std::string padded_input(KernelText& k, const std::vector<tir::Expr>& shape, DataType dtype, const Layout& layout,
                         const std::vector<WindowAxis>& w, const std::vector<int64_t>& extra, const std::string& fill);

// "R.nn.x of int32 tensors is not supported; <need>", at the call.
void dtype_error(const InferCall& c, DataType dtype, const std::string& need);

// Whether an attribute is None (not given, and None by default).
bool attr_none(const Attrs& attrs, const std::string& name);
// An attribute without a default (TVM's required keyword): None until the call gives it.
AttrSpec required_attr(std::string name, AttrKind kind);
// Reports a missing required attribute at the call; true when it is there.
bool require_attr(const InferCall& c, const std::string& name);

// The dtype intermediate values of a float kernel are computed in: float32 for float16 (as
// PyTorch does on the CPU), the dtype itself otherwise.
DataType accumulate_dtype(DataType dtype);
// `value` converted to `to` when its dtype `from` differs.
std::string cast_text(DataType from, DataType to, const std::string& value);

// Whether an extent may be 0 at run time (not a known positive constant): a reduction over it
// needs fill_block first, since its T.init runs only when its loops run at least once.
bool maybe_zero(const tir::Expr& dim);
// A spatial block that fills all of `buffer` (extents `dims`) with `value`.
void fill_block(KernelText& k, const std::string& buffer, const std::vector<std::string>& dims, const std::string& value);

// The "SS..R.." kinds string of `spatial` S loops followed by `reduce` R loops.
std::string loop_kinds(size_t spatial, size_t reduce);

}  // namespace relaxc::ops
