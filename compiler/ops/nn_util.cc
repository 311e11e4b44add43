// The pieces the neural-network families share (see nn_util.h).
#include "compiler/ops/nn_util.h"

#include <algorithm>

#include "compiler/ir/tir_build.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

std::optional<Layout> parse_layout(const std::string& text, const std::string& canonical) {
  if (text.size() != canonical.size()) return std::nullopt;
  Layout layout{text, {}};
  for (char letter : canonical) {
    size_t at = text.find(letter);
    if (at == std::string::npos || text.find(letter, at + 1) != std::string::npos) return std::nullopt;
    layout.axis.push_back(at);
  }
  return layout;
}

Layout layout_attr(const relax::Call& call, const Attrs& attrs, const std::string& name, const std::string& canonical,
                   const std::string& fallback) {
  std::string text = attr_none(attrs, name) ? fallback : attrs.get_string(name);
  std::optional<Layout> layout = parse_layout(text, canonical);
  if (!layout) {
    throw CompileError(attrs.loc(name), "R." + call.op + ": " + name + "=\"" + text + "\" is not supported; the layouts with a kernel are the orders of the letters of \"" +
                                            canonical + "\"");
  }
  return *layout;
}

std::vector<int64_t> spatial_ints(const relax::Call& call, const Attrs& attrs, const std::string& name, size_t dims) {
  std::vector<int64_t> values = attrs.get_ints(name);
  if (values.size() == 1) values.assign(dims, values[0]);
  if (values.size() != dims) {
    throw CompileError(attrs.loc(name), "R." + call.op + ": " + name + " takes 1 or " + std::to_string(dims) + " values, not " +
                                            std::to_string(values.size()));
  }
  return values;
}

std::vector<WindowAxis> window_axes(const relax::Call& call, const Attrs& attrs, size_t dims) {
  std::vector<int64_t> strides = spatial_ints(call, attrs, "strides", dims);
  std::vector<int64_t> dilation = spatial_ints(call, attrs, "dilation", dims);
  std::vector<int64_t> pad = attrs.get_ints("padding");
  if (pad.size() == 1) pad.assign(2 * dims, pad[0]);
  if (pad.size() == dims && dims == 2) pad = {pad[0], pad[1], pad[0], pad[1]};  // (top, left)
  if (pad.size() != 2 * dims) {
    std::string forms = dims == 1 ? "1 or 2" : "1, 2 or 4";
    throw CompileError(attrs.loc("padding"), "R." + call.op + ": padding takes " + forms + " values, not " + std::to_string(pad.size()));
  }
  std::vector<WindowAxis> axes(dims);
  for (size_t i = 0; i < dims; ++i) {
    if (strides[i] <= 0) throw CompileError(attrs.loc("strides"), "R." + call.op + ": strides must be positive");
    if (dilation[i] <= 0) throw CompileError(attrs.loc("dilation"), "R." + call.op + ": dilation must be positive");
    if (pad[i] < 0 || pad[i + dims] < 0) throw CompileError(attrs.loc("padding"), "R." + call.op + ": padding must not be negative");
    axes[i] = {strides[i], dilation[i], pad[i], pad[i + dims]};
  }
  return axes;
}

tir::Expr dim_plus(const tir::Expr& dim, int64_t c) {
  if (std::optional<int64_t> v = const_dim(dim)) return dim_const(*v + c);
  if (c == 0) return dim;
  if (c > 0) return tir::build::arith(tir::BinaryOp::Add, dim, dim_const(c));
  return tir::build::arith(tir::BinaryOp::Sub, dim, dim_const(-c));
}

std::optional<tir::Expr> window_extent(const tir::Expr& in, int64_t k, const WindowAxis& w, bool ceil_mode) {
  int64_t reach = w.pad_lo + w.pad_hi - w.dilation * (k - 1) - 1;  // span = in + reach
  if (std::optional<int64_t> size = const_dim(in)) {
    int64_t span = *size + reach;
    if (span < 0) return std::nullopt;
    int64_t out = (span + (ceil_mode ? w.stride - 1 : 0)) / w.stride + 1;
    // The last window must start inside the input or its leading padding.
    if (ceil_mode && (out - 1) * w.stride >= *size + w.pad_lo) --out;
    return dim_const(out);
  }
  if (ceil_mode) return std::nullopt;
  if (w.stride == 1) return dim_plus(in, reach + 1);
  tir::Expr q = tir::build::arith(tir::BinaryOp::FloorDiv, dim_plus(in, reach), dim_const(w.stride));
  return dim_plus(q, 1);
}

std::string padded_input(KernelText& k, const std::vector<tir::Expr>& shape, DataType dtype, const Layout& layout,
                         const std::vector<WindowAxis>& w, const std::vector<int64_t>& extra, const std::string& fill) {
  bool any = false;
  for (size_t i = 0; i < w.size(); ++i) any = any || w[i].pad_lo || w[i].pad_hi || extra[i];
  if (!any) return "A";
  size_t rank = shape.size();
  std::vector<std::string> padded = dim_texts(shape), loops = loop_names("i", rank);
  std::vector<std::string> index = iter_names(loops), inside;
  for (size_t i = 0; i < w.size(); ++i) {
    size_t p = layout.axis[2 + i];
    std::string lo = std::to_string(w[i].pad_lo), v = "v_" + loops[p];
    // Folded where the size is known (30, not 28 + 2): a loop of constant extent can be vectorized.
    padded[p] = dim_text(dim_plus(shape[p], w[i].pad_lo + w[i].pad_hi + extra[i]));
    inside.push_back(lo + " <= " + v + " and " + v + " < " + dim_text(dim_plus(shape[p], w[i].pad_lo)));
    index[p] = v + " - " + lo;
  }
  k.alloc("pad_temp", padded, dtype);
  k.open_block("pad_temp", loops, padded, std::string(rank, 'S'));
  k.line(indexed("pad_temp", iter_names(loops)) + " = T.if_then_else(" + join_text(inside, " and ") + ", " + indexed("A", index) + ", " + fill + ")");
  k.close_block();
  return "pad_temp";
}

void dtype_error(const InferCall& c, DataType dtype, const std::string& need) {
  c.diags.error(c.call.loc, c.op_name() + " of " + dtype_name(dtype) + " tensors is not supported; " + need);
}

bool attr_none(const Attrs& attrs, const std::string& name) {
  for (const Attrs::Value& v : attrs.values) {
    if (v.name == name) return v.none;
  }
  return true;
}

AttrSpec required_attr(std::string name, AttrKind kind) { return {std::move(name), kind, nullptr, {}}; }

bool require_attr(const InferCall& c, const std::string& name) {
  if (!attr_none(c.attrs, name)) return true;
  c.error("the attribute " + name + " is required");
  return false;
}

// float16 and bfloat16 sums are kept in float32 and rounded once (PyTorch's CPU kernels do the same).
DataType accumulate_dtype(DataType dtype) { return dtype == DataType::Float16 || dtype == DataType::BFloat16 ? DataType::Float32 : dtype; }

std::string cast_text(DataType from, DataType to, const std::string& value) {
  if (from == to) return value;
  return "T.Cast(\"" + std::string(dtype_name(to)) + "\", " + value + ")";
}

bool maybe_zero(const tir::Expr& dim) {
  std::optional<int64_t> v = const_dim(dim);
  return !v || *v <= 0;
}

void fill_block(KernelText& k, const std::string& buffer, const std::vector<std::string>& dims, const std::string& value) {
  std::vector<std::string> loops = loop_names("ax", dims.size());
  k.open_block(buffer + "_fill", loops, dims, std::string(dims.size(), 'S'));
  k.line(indexed(buffer, iter_names(loops)) + " = " + value);
  k.close_block();
}

std::string loop_kinds(size_t spatial, size_t reduce) { return std::string(spatial, 'S') + std::string(reduce, 'R'); }

}  // namespace relaxc::ops
