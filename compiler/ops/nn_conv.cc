// Convolutions: R.nn.conv1d, R.nn.conv2d (groups, depthwise included) and their transposes
// R.nn.conv1d_transpose and R.nn.conv2d_transpose, as TVM defines them: strides, padding in
// TVM's short forms, dilation, groups, output_padding (transposes), out_dtype, and any order of
// the layout letters (NCHW, NHWC, ...; kernels OIHW, HWIO, OHWI, ...; IOHW for the transposes).
//
// With out_dtype the products and the sum are computed in it, each operand cast before it is
// multiplied (TVM's topi): int8 with out_dtype="int32" sums in int32, float16 with
// out_dtype="float32" in float32, uint8 data with int8 weights in out_dtype. A float16 result is
// summed in float32 and rounded once.
#include <cctype>

#include "compiler/ir/tir_build.h"
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/nn_util.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

struct ConvSetup {
  size_t dims = 2;
  bool transpose = false;
  Layout data, kernel, out;
  std::vector<WindowAxis> w;
  std::vector<int64_t> output_padding;
  int64_t groups = 1;
};

ConvSetup conv_setup(const relax::Call& call, const Attrs& attrs) {
  ConvSetup s;
  s.dims = call.op.find("1d") != std::string::npos ? 1 : 2;
  s.transpose = call.op.find("transpose") != std::string::npos;
  std::string data = s.dims == 1 ? "NCW" : "NCHW";
  std::string kernel = std::string(s.transpose ? "IO" : "OI") + (s.dims == 1 ? "W" : "HW");
  s.data = layout_attr(call, attrs, "data_layout", data, data);
  s.kernel = layout_attr(call, attrs, "kernel_layout", kernel, kernel);
  s.out = layout_attr(call, attrs, "out_layout", data, s.data.text);
  s.w = window_axes(call, attrs, s.dims);
  s.groups = attrs.get_int("groups");
  if (s.groups <= 0) throw CompileError(attrs.loc("groups"), "R." + call.op + ": groups must be positive");
  if (s.transpose) {
    s.output_padding = spatial_ints(call, attrs, "output_padding", s.dims);
    for (size_t i = 0; i < s.dims; ++i) {
      if (s.output_padding[i] < 0 || s.output_padding[i] >= s.w[i].stride) {
        throw CompileError(attrs.loc("output_padding"), "R." + call.op + ": output_padding must be at least 0 and less than the stride");
      }
    }
  }
  return s;
}

// The extents of `shape` in the canonical order of `layout`.
std::vector<tir::Expr> canonical(const std::vector<tir::Expr>& shape, const Layout& layout) {
  std::vector<tir::Expr> out;
  for (size_t p : layout.axis) out.push_back(shape[p]);
  return out;
}

// Canonical extents placed in the order of `layout`.
std::vector<tir::Expr> arranged(const std::vector<tir::Expr>& canon, const Layout& layout) {
  std::vector<tir::Expr> out(canon.size());
  for (size_t k = 0; k < canon.size(); ++k) out[layout.axis[k]] = canon[k];
  return out;
}

// Checks the channels; the output channel count, or null after an error.
tir::Expr out_channels(const InferCall& c, const ConvSetup& s, const std::vector<tir::Expr>& data, const std::vector<tir::Expr>& weight) {
  std::optional<int64_t> ch = const_dim(data[1]), w0 = const_dim(weight[0]), w1 = const_dim(weight[1]);
  std::string g = std::to_string(s.groups);
  if (!s.transpose) {
    if (ch && w1 && *ch != *w1 * s.groups) {
      c.error("the input has " + std::to_string(*ch) + " channels but the weight expects " + std::to_string(*w1 * s.groups) +
              (s.groups == 1 ? "" : " (" + std::to_string(*w1) + " per group, groups=" + g + ")"));
      return nullptr;
    }
    if (w0 && *w0 % s.groups != 0) {
      c.error("the weight's " + std::to_string(*w0) + " output channels are not divisible by groups=" + g);
      return nullptr;
    }
    return weight[0];
  }
  if (ch && w0 && *ch != *w0) {
    c.error("the input has " + std::to_string(*ch) + " channels but the weight expects " + std::to_string(*w0));
    return nullptr;
  }
  if (w0 && *w0 % s.groups != 0) {
    c.error("the weight's " + std::to_string(*w0) + " input channels are not divisible by groups=" + g);
    return nullptr;
  }
  return tir::build::arith(tir::BinaryOp::Mul, weight[1], dim_const(s.groups));
}

// (in - 1) * stride - pad_lo - pad_hi + dilation * (k - 1) + output_padding + 1.
tir::Expr transpose_extent(const tir::Expr& in, int64_t k, const WindowAxis& w, int64_t output_padding) {
  tir::Expr scaled = tir::build::arith(tir::BinaryOp::Mul, dim_plus(in, -1), dim_const(w.stride));
  return dim_plus(scaled, w.dilation * (k - 1) + output_padding + 1 - w.pad_lo - w.pad_hi);
}

StructInfoPtr infer_conv(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& weight = *c.operands[1];
  // With out_dtype the operands may differ (uint8 data, int8 weights): each is cast to it.
  std::optional<DataType> out_dtype = c.attrs.get_dtype("out_dtype");
  DataType dtype = out_dtype ? *out_dtype : common_dtype(c, data, weight);
  ConvSetup s;
  try {
    s = conv_setup(c.call, c.attrs);
  } catch (const CompileError& e) {
    c.diags.error(e.loc(), e.message());
    return make_tensor_sinfo(std::nullopt, dtype, c.call.op.find("1d") != std::string::npos ? 3 : 4);
  }
  int rank = static_cast<int>(s.dims + 2);
  StructInfoPtr unknown = make_tensor_sinfo(std::nullopt, dtype, rank);
  for (const StructInfo* t : {&data, &weight}) {
    if (t->rank() >= 0 && t->rank() != rank) {
      c.error("takes " + std::to_string(rank) + "-d data and weight, not " + std::to_string(t->rank()) + "-d");
      return unknown;
    }
  }
  if (!data.shape || !weight.shape) return unknown;
  std::vector<tir::Expr> d = canonical(*data.shape, s.data), w = canonical(*weight.shape, s.kernel);
  tir::Expr channels = out_channels(c, s, d, w);
  if (!channels) return unknown;
  std::vector<tir::Expr> out = {d[0], channels};
  for (size_t i = 0; i < s.dims; ++i) {
    std::optional<int64_t> k = const_dim(w[2 + i]);
    if (!k) return unknown;
    std::optional<tir::Expr> extent = s.transpose ? transpose_extent(d[2 + i], *k, s.w[i], s.output_padding[i]) : window_extent(d[2 + i], *k, s.w[i], false);
    std::optional<int64_t> size = extent ? const_dim(*extent) : std::nullopt;
    if (!extent || (size && *size < 0)) {
      c.error(s.transpose ? "the padding is larger than the output" : "the window is larger than the padded input");
      return unknown;
    }
    out.push_back(*extent);
  }
  return make_tensor_sinfo(arranged(out, s.out), dtype);
}

// An extent as kernel text: a bare number when constant.
std::string int_text(const tir::Expr& dim) {
  std::optional<int64_t> v = const_dim(dim);
  return v ? std::to_string(*v) : "(" + dim_text(dim) + ")";
}

std::string lower(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

// The loops of a convolution: output axes nn, ff, (yy,) xx, then reductions rc, (ry,) rx, with
// their extents in canonical order.
struct ConvLoops {
  std::vector<std::string> names, extents, spatial, taps;
  std::vector<std::string> out_index;  // into the output, in its layout
};

ConvLoops conv_loops(const ConvSetup& s, const std::vector<tir::Expr>& out_shape, const std::vector<tir::Expr>& weight) {
  ConvLoops l;
  l.spatial = s.dims == 1 ? std::vector<std::string>{"xx"} : std::vector<std::string>{"yy", "xx"};
  l.taps = s.dims == 1 ? std::vector<std::string>{"rx"} : std::vector<std::string>{"ry", "rx"};
  l.names = {"nn", "ff"};
  l.names.insert(l.names.end(), l.spatial.begin(), l.spatial.end());
  l.names.push_back("rc");
  l.names.insert(l.names.end(), l.taps.begin(), l.taps.end());
  std::vector<tir::Expr> o = canonical(out_shape, s.out), w = canonical(weight, s.kernel);
  for (const tir::Expr& e : o) l.extents.push_back(dim_text(e));
  // The reduced channels: the weight's I (convolution) or the input channels per group (transpose).
  l.extents.push_back(s.transpose ? int_text(w[0]) + " // " + std::to_string(s.groups) : dim_text(w[1]));
  if (s.transpose && const_dim(w[0])) l.extents.back() = std::to_string(*const_dim(w[0]) / s.groups);
  for (size_t i = 0; i < s.dims; ++i) l.extents.push_back(dim_text(w[2 + i]));
  l.out_index.resize(s.dims + 2);
  for (size_t k = 0; k < s.dims + 2; ++k) l.out_index[s.out.axis[k]] = "v_" + l.names[k];
  return l;
}

// The input channel a reduction step reads: v_rc within output channel v_ff's group.
std::string group_channel(const ConvSetup& s, const tir::Expr& per_group_out, const std::string& per_group_in) {
  if (s.groups == 1) return "v_rc";
  std::string group = const_dim(per_group_out) == 1 ? "v_ff" : "v_ff // " + int_text(per_group_out);
  return (per_group_in == "1" ? group : group + " * " + per_group_in) + " + v_rc";
}

// The indices of one product: into the data (`a`, from `source`) and the weight (`b`), and the
// conditions under which a transposed convolution's tap lands on an input element.
struct ConvIndex {
  std::vector<std::string> a, b, guards;
};

ConvIndex conv_index(const ConvSetup& s, const ConvLoops& l, const std::vector<tir::Expr>& data, const std::vector<tir::Expr>& weight) {
  std::vector<tir::Expr> w = canonical(weight, s.kernel), d = canonical(data, s.data);
  ConvIndex x{std::vector<std::string>(s.dims + 2), std::vector<std::string>(s.dims + 2), {}};
  x.a[s.data.axis[0]] = "v_nn";
  if (!s.transpose) {
    x.a[s.data.axis[1]] = group_channel(s, tir::build::arith(tir::BinaryOp::FloorDiv, w[0], dim_const(s.groups)), int_text(w[1]));
    x.b[s.kernel.axis[0]] = "v_ff";
    x.b[s.kernel.axis[1]] = "v_rc";
  } else {
    std::string channel = group_channel(s, w[1], l.extents[s.dims + 2]);
    x.a[s.data.axis[1]] = channel;
    x.b[s.kernel.axis[0]] = channel;
    x.b[s.kernel.axis[1]] = s.groups == 1 ? "v_ff" : "v_ff % " + int_text(w[1]);
  }
  for (size_t i = 0; i < s.dims; ++i) {
    const WindowAxis& wa = s.w[i];
    std::string tap = "v_" + l.taps[i], at = "v_" + l.spatial[i], st = std::to_string(wa.stride);
    x.b[s.kernel.axis[2 + i]] = tap;
    std::string& a = x.a[s.data.axis[2 + i]];
    if (!s.transpose) {
      a = at + " * " + st + " + " + tap + " * " + std::to_string(wa.dilation);
      continue;
    }
    // Output position y takes input row iy where iy * stride = y + pad_lo - tap * dilation.
    std::string t = "(" + at + " + " + std::to_string(wa.pad_lo) + " - " + tap + " * " + std::to_string(wa.dilation) + ")";
    std::string in = dim_text(d[2 + i]);
    if (wa.stride == 1) x.guards.push_back("0 <= " + t + " and " + t + " < " + in);
    else x.guards.push_back(t + " % " + st + " == 0 and 0 <= " + t + " and " + t + " < " + in + " * " + st);
    a = wa.stride == 1 ? t : t + " // " + st;
  }
  return x;
}

std::string conv_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& data = *request.operands[0].sinfo;
  const StructInfo& weight = *request.operands[1].sinfo;
  ConvSetup s = conv_setup(request.call, request.attrs);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = request.result->dtype, acc = accumulate_dtype(dtype);
  std::string out = "conv" + std::to_string(s.dims) + "d" + (s.transpose ? "_transpose_" : "_") + lower(s.out.text);
  std::string target = acc == dtype ? out : out + "_acc";
  KernelText k(name);
  k.param("A", shape_of(data), data.dtype);
  k.param("B", shape_of(weight), weight.dtype);
  k.param(out, out_shape, dtype);
  if (acc != dtype) k.alloc(target, dim_texts(out_shape), acc);
  ConvLoops l = conv_loops(s, out_shape, shape_of(weight));
  ConvIndex x = conv_index(s, l, shape_of(data), shape_of(weight));
  std::string source = "A";
  if (!s.transpose) source = padded_input(k, shape_of(data), data.dtype, s.data, s.w, std::vector<int64_t>(s.dims, 0), dtype_literal(data.dtype, 0));
  std::string at = indexed(target, l.out_index), zero = dtype_literal(acc, 0);
  std::vector<tir::Expr> w = canonical(shape_of(weight), s.kernel);
  bool empty = maybe_zero(w[s.transpose ? 0 : 1]);
  for (size_t i = 0; i < s.dims; ++i) empty = empty || maybe_zero(w[2 + i]);
  if (empty) fill_block(k, target, dim_texts(out_shape), zero);
  k.open_block(target, l.names, l.extents, loop_kinds(s.dims + 2, s.dims + 1));
  k.line("with T.init():");
  k.line("    " + at + " = " + zero);
  std::string product = cast_text(data.dtype, acc, indexed(source, x.a)) + " * " + cast_text(weight.dtype, acc, indexed("B", x.b));
  if (!x.guards.empty()) product = "T.if_then_else(" + join_text(x.guards, " and ") + ", " + product + ", " + zero + ")";
  k.line(at + " = " + at + " + " + product);
  k.close_block();
  if (acc != dtype) {
    std::vector<std::string> loops = loop_names("ax", out_shape.size());
    k.open_block(out, loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
    k.line(indexed(out, iter_names(loops)) + " = " + cast_text(acc, dtype, indexed(target, iter_names(loops))));
    k.close_block();
  }
  return k.str();
}

AttrSpec none_string(std::string name) { return required_attr(std::move(name), AttrKind::String); }

}  // namespace

void register_nn_conv(std::vector<OpDef>& ops) {
  for (const char* name : {"nn.conv1d", "nn.conv2d", "nn.conv1d_transpose", "nn.conv2d_transpose"}) {
    std::string op_name = name;
    bool one = op_name.find("1d") != std::string::npos, transpose = op_name.find("transpose") != std::string::npos;
    std::vector<int64_t> ones(one ? 1 : 2, 1), zeros(one ? 1 : 2, 0);
    std::string data = one ? "NCW" : "NCHW";
    std::string kernel = std::string(transpose ? "IO" : "OI") + (one ? "W" : "HW");
    OpDef conv;
    conv.name = op_name;
    conv.kernel_name = op_name.substr(3);
    conv.operands = {{"data"}, {"weight"}};
    conv.attrs = {ints_attr("strides", ones), ints_attr("padding", std::vector<int64_t>(one ? 2 : 4, 0))};
    if (transpose) conv.attrs.push_back(ints_attr("output_padding", zeros));
    for (AttrSpec spec : {ints_attr("dilation", ones), int_attr("groups", 1), string_attr("data_layout", data), string_attr("kernel_layout", kernel),
                          none_string("out_layout"), dtype_attr("out_dtype")}) {
      conv.attrs.push_back(spec);
    }
    conv.infer = infer_conv;
    conv.legalize = conv_kernel;
    ops.push_back(conv);
  }
}

}  // namespace relaxc::ops
