// Convolution and pooling in NCHW (weights OIHW), with strides, padding (top, left, bottom,
// right), dilation; padding becomes an explicit padded copy. Layouts, groups and ceil_mode that
// are not implemented are compile errors naming the attribute.
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

struct Window {
  int64_t sh, sw, dh, dw, pt, pl, pb, pr;
};

// strides, dilation and padding (top, left, bottom, right) in TVM's short forms.
Window window_attrs(const relax::Call& call, const Attrs& attrs) {
  std::vector<int64_t> strides = attrs.get_ints("strides");
  std::vector<int64_t> dilation = attrs.get_ints("dilation");
  std::vector<int64_t> pad = attrs.get_ints("padding");
  if (strides.size() == 1) strides.push_back(strides[0]);
  if (dilation.size() == 1) dilation.push_back(dilation[0]);
  if (pad.size() == 1) pad = {pad[0], pad[0], pad[0], pad[0]};
  if (pad.size() == 2) pad = {pad[0], pad[1], pad[0], pad[1]};
  if (strides.size() != 2 || dilation.size() != 2 || pad.size() != 4) {
    throw CompileError(call.loc, "R." + call.op + ": strides and dilation take 1 or 2 values, padding 1, 2 or 4");
  }
  for (int64_t v : {strides[0], strides[1], dilation[0], dilation[1]}) {
    if (v <= 0) throw CompileError(call.loc, "R." + call.op + ": strides and dilation must be positive");
  }
  for (int64_t v : pad) {
    if (v < 0) throw CompileError(call.loc, "R." + call.op + ": padding must not be negative");
  }
  return {strides[0], strides[1], dilation[0], dilation[1], pad[0], pad[1], pad[2], pad[3]};
}

// Output size of a sliding window: (in + pad_lo + pad_hi - dilation * (k - 1) - 1) / stride + 1.
std::optional<int64_t> window_extent(const InferCall& c, std::optional<int64_t> in, std::optional<int64_t> k, int64_t pad, int64_t stride,
                                     int64_t dilation) {
  if (!in || !k) return std::nullopt;
  int64_t span = *in + pad - dilation * (*k - 1) - 1;
  if (span < 0) {
    c.error("the window is larger than the padded input");
    return std::nullopt;
  }
  return span / stride + 1;
}

StructInfoPtr spatial_out(const InferCall& c, const StructInfo& data, tir::Expr channels, std::optional<int64_t> kh, std::optional<int64_t> kw,
                          DataType dtype) {
  if (!data.shape || data.shape->size() != 4) return make_tensor_sinfo(std::nullopt, dtype, 4);
  Window w;
  try {
    w = window_attrs(c.call, c.attrs);
  } catch (const CompileError& e) {
    c.diags.error(e.loc(), e.message());
    return make_tensor_sinfo(std::nullopt, dtype, 4);
  }
  std::optional<int64_t> h = window_extent(c, const_dim((*data.shape)[2]), kh, w.pt + w.pb, w.sh, w.dh);
  std::optional<int64_t> wd = window_extent(c, const_dim((*data.shape)[3]), kw, w.pl + w.pr, w.sw, w.dw);
  if (!h || !wd) return make_tensor_sinfo(std::nullopt, dtype, 4);
  return make_tensor_sinfo(std::vector<tir::Expr>{(*data.shape)[0], channels, dim_const(*h), dim_const(*wd)}, dtype);
}

StructInfoPtr infer_conv2d(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& weight = *c.operands[1];
  DataType dtype = common_dtype(c, data, weight);
  if (std::optional<DataType> out = c.attrs.get_dtype("out_dtype")) dtype = *out;
  if (!weight.shape || weight.shape->size() != 4) return make_tensor_sinfo(std::nullopt, dtype, 4);
  const auto& w = *weight.shape;
  if (data.shape && data.shape->size() == 4) {
    std::optional<int64_t> ch = const_dim((*data.shape)[1]), ci = const_dim(w[1]);
    int64_t g = c.attrs.get_int("groups");
    if (ch && ci && *ch != *ci * g) {
      c.error("the input has " + std::to_string(*ch) + " channels but the weight expects " + std::to_string(*ci * g) +
              (g == 1 ? "" : " (" + std::to_string(*ci) + " per group, groups=" + std::to_string(g) + ")"));
    }
  }
  return spatial_out(c, data, w[0], const_dim(w[2]), const_dim(w[3]), dtype);
}

StructInfoPtr infer_pool2d(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  std::vector<int64_t> size = c.attrs.get_ints("pool_size");
  if (size.size() == 1) size.push_back(size[0]);
  if (!data.shape || data.shape->size() != 4 || size.size() != 2) return make_tensor_sinfo(std::nullopt, data.dtype, 4);
  return spatial_out(c, data, (*data.shape)[1], size[0], size[1], data.dtype);
}

// Declares pad_temp (when there is padding) and fills it; returns the buffer to read windows from.
std::string padded_input(KernelText& k, const std::vector<tir::Expr>& shape, DataType dtype, const Window& w, const std::string& fill) {
  if (w.pt == 0 && w.pl == 0 && w.pb == 0 && w.pr == 0) return "A";
  std::string h = dim_text(shape[2]), wd = dim_text(shape[3]);
  std::vector<std::string> padded = {dim_text(shape[0]), dim_text(shape[1]), h + " + " + std::to_string(w.pt + w.pb),
                                     wd + " + " + std::to_string(w.pl + w.pr)};
  k.alloc("pad_temp", padded, dtype);
  std::vector<std::string> loops = loop_names("i", 4);
  k.open_block("pad_temp", loops, padded, "SSSS");
  std::string inside = std::to_string(w.pt) + " <= v_i2 and v_i2 < " + h + " + " + std::to_string(w.pt) + " and " + std::to_string(w.pl) +
                       " <= v_i3 and v_i3 < " + wd + " + " + std::to_string(w.pl);
  k.line("pad_temp[v_i0, v_i1, v_i2, v_i3] = T.if_then_else(" + inside + ", A[v_i0, v_i1, v_i2 - " + std::to_string(w.pt) + ", v_i3 - " +
         std::to_string(w.pl) + "], " + fill + ")");
  k.close_block();
  return "pad_temp";
}

std::string window_row(const std::string& out, const std::string& tap, int64_t stride, int64_t dilation) {
  return "v_" + out + " * " + std::to_string(stride) + " + v_" + tap + " * " + std::to_string(dilation);
}


std::string conv2d_kernel(const std::string& name, const KernelRequest& request) {
  const relax::Call& call = request.call;
  int64_t groups = request.attrs.get_int("groups");
  if (groups != 1) throw CompileError(request.attrs.loc("groups"), "R.nn.conv2d: groups=" + std::to_string(groups) + " is not supported; only groups=1 is");
  const relax::StructInfo& data = *request.operands[0].sinfo;
  const relax::StructInfo& weight = *request.operands[1].sinfo;
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = request.result->dtype;
  if (shape_of(data).size() != 4 || shape_of(weight).size() != 4) throw CompileError(call.loc, "R.nn.conv2d takes 4-d data and weight");
  Window w = window_attrs(call, request.attrs);
  KernelText k(name);
  k.param("A", shape_of(data), data.dtype);
  k.param("B", shape_of(weight), weight.dtype);
  k.param("conv2d_nchw", out_shape, dtype);
  std::string source = padded_input(k, shape_of(data), data.dtype, w, dtype_literal(data.dtype, 0));
  const std::vector<tir::Expr>& ws = shape_of(weight);
  std::vector<std::string> loops = {"nn", "ff", "yy", "xx", "rc", "ry", "rx"};
  std::vector<std::string> extents = dim_texts(out_shape);
  extents.push_back(dim_text(ws[1]));
  extents.push_back(dim_text(ws[2]));
  extents.push_back(dim_text(ws[3]));
  std::string out = "conv2d_nchw[v_nn, v_ff, v_yy, v_xx]";
  k.open_block("conv2d_nchw", loops, extents, "SSSSRRR");
  k.line("with T.init():");
  k.line("    " + out + " = " + dtype_literal(dtype, 0));
  // With out_dtype, the products and the sum are computed in the wider type (TVM's topi).
  auto widened = [&](const std::string& load, DataType from) { return from == dtype ? load : "T.Cast(\"" + std::string(dtype_name(dtype)) + "\", " + load + ")"; };
  std::string tap = source + "[v_nn, v_rc, " + window_row("yy", "ry", w.sh, w.dh) + ", " + window_row("xx", "rx", w.sw, w.dw) + "]";
  k.line(out + " = " + out + " + " + widened(tap, data.dtype) + " * " + widened("B[v_ff, v_rc, v_ry, v_rx]", weight.dtype));
  k.close_block();
  return k.str();
}

std::string pool2d_kernel(const std::string& name, const KernelRequest& request) {
  const relax::Call& call = request.call;
  bool max = call.op == "nn.max_pool2d";
  if (request.attrs.get_bool("ceil_mode")) throw CompileError(request.attrs.loc("ceil_mode"), "R." + call.op + ": ceil_mode=True is not supported");
  std::vector<int64_t> size = request.attrs.get_ints("pool_size");
  if (size.size() == 1) size.push_back(size[0]);
  const relax::StructInfo& data = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = data.dtype;
  if (shape_of(data).size() != 4) throw CompileError(call.loc, "R." + call.op + " takes 4-d data");
  Window w = window_attrs(call, request.attrs);
  std::string lowest = "T.min_value(\"" + std::string(dtype_name(dtype)) + "\")";
  KernelText k(name);
  k.param("A", shape_of(data), dtype);
  std::string out = max ? "pool_max" : "pool_avg";
  k.param(out, out_shape, dtype);
  std::string source = padded_input(k, shape_of(data), dtype, w, max ? lowest : dtype_literal(dtype, 0));
  std::vector<std::string> loops = {"ax0", "ax1", "ax2", "ax3", "rv0", "rv1"};
  std::vector<std::string> extents = dim_texts(out_shape);
  extents.push_back(std::to_string(size[0]));
  extents.push_back(std::to_string(size[1]));
  std::string tap = source + "[v_ax0, v_ax1, " + window_row("ax2", "rv0", w.sh, w.dh) + ", " + window_row("ax3", "rv1", w.sw, w.dw) + "]";
  std::string at = "[v_ax0, v_ax1, v_ax2, v_ax3]";
  if (max) {
    k.open_block("pool_max", loops, extents, "SSSSRR");
    k.line("with T.init():");
    k.line("    pool_max" + at + " = " + lowest);
    k.line("pool_max" + at + " = T.max(pool_max" + at + ", " + tap + ")");
    k.close_block();
    return k.str();
  }
  bool padded = w.pt || w.pl || w.pb || w.pr;
  bool include_pad = request.attrs.get_bool("count_include_pad");
  k.alloc("pool_sum", dim_texts(out_shape), dtype);
  if (padded && !include_pad) k.alloc("pool_count", dim_texts(out_shape), dtype);
  k.open_block("pool_sum", loops, extents, "SSSSRR");
  k.line("with T.init():");
  k.line("    pool_sum" + at + " = " + dtype_literal(dtype, 0));
  if (padded && !include_pad) k.line("    pool_count" + at + " = " + dtype_literal(dtype, 0));
  k.line("pool_sum" + at + " = pool_sum" + at + " + " + tap);
  if (padded && !include_pad) {
    // Only taps that fall inside the unpadded input count (count_include_pad=False).
    std::string row = window_row("ax2", "rv0", w.sh, w.dh), col = window_row("ax3", "rv1", w.sw, w.dw);
    std::string h = dim_text(shape_of(data)[2]), wd = dim_text(shape_of(data)[3]);
    std::string inside = std::to_string(w.pt) + " <= " + row + " and " + row + " < " + h + " + " + std::to_string(w.pt) + " and " +
                         std::to_string(w.pl) + " <= " + col + " and " + col + " < " + wd + " + " + std::to_string(w.pl);
    k.line("pool_count" + at + " = pool_count" + at + " + T.if_then_else(" + inside + ", " + dtype_literal(dtype, 1) + ", " +
           dtype_literal(dtype, 0) + ")");
  }
  k.close_block();
  k.open_block("pool_avg", {"ax0", "ax1", "ax2", "ax3"}, dim_texts(out_shape), "SSSS");
  std::string count = padded && !include_pad ? "pool_count" + at : dtype_literal(dtype, static_cast<double>(size[0] * size[1]));
  k.line("pool_avg" + at + " = pool_sum" + at + " / " + count);
  k.close_block();
  return k.str();
}

}  // namespace

void register_nn(std::vector<OpDef>& ops) {
  OpDef conv;
  conv.name = "nn.conv2d";
  conv.kernel_name = "conv2d";
  conv.operands = {{"data"}, {"weight"}};
  conv.attrs = {ints_attr("strides", {1, 1}),
                ints_attr("padding", {0, 0, 0, 0}),
                ints_attr("dilation", {1, 1}),
                int_attr("groups", 1),
                string_attr("data_layout", "NCHW", {"NCHW"}),
                string_attr("kernel_layout", "OIHW", {"OIHW"}),
                string_attr("out_layout", "NCHW", {"NCHW"}),
                dtype_attr("out_dtype")};
  conv.infer = infer_conv2d;
  conv.legalize = conv2d_kernel;
  ops.push_back(conv);

  for (const char* name : {"nn.max_pool2d", "nn.avg_pool2d"}) {
    OpDef pool;
    pool.name = name;
    pool.kernel_name = std::string(name).substr(3);
    pool.operands = {{"data"}};
    pool.attrs = {ints_attr("pool_size", {1, 1}),
                  ints_attr("strides", {1, 1}),
                  ints_attr("padding", {0, 0, 0, 0}),
                  ints_attr("dilation", {1, 1}),
                  bool_attr("ceil_mode", false),
                  bool_attr("count_include_pad", false),
                  string_attr("layout", "NCHW", {"NCHW"}),
                  string_attr("out_layout", "NCHW", {"NCHW"})};
    pool.infer = infer_pool2d;
    pool.legalize = pool2d_kernel;
    ops.push_back(pool);
  }
}

}  // namespace relaxc::ops
