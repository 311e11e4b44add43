// Pooling: R.nn.max_pool1d/2d and R.nn.avg_pool1d/2d (pool_size, strides, padding, dilation,
// ceil_mode, count_include_pad) and R.nn.adaptive_avg_pool1d/2d (output_size), in any order of
// the layout letters (NCHW, NHWC, ...), as TVM and PyTorch define them.
//
// ceil_mode rounds the output extent up, but drops a last window that would start in the
// trailing padding; the extra elements such a window reaches beyond the padding are padding
// too. Average pooling divides by the taps inside the input (count_include_pad=False) or inside
// the input and its declared padding, never ceil mode's extra elements (True), and by at least
// 1, so a window of padding alone averages to 0 (TVM). Max pooling propagates NaN (T.max) and pads
// with -inf (the lowest integer for integers).
// Adaptive pooling's window o covers [floor(o * in / out), ceil((o + 1) * in / out)).
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/nn_util.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/reduce_kernel.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

struct PoolSetup {
  size_t dims = 2;
  bool max = false, adaptive = false;
  Layout data, out;
  std::vector<WindowAxis> w;
  std::vector<int64_t> size;  // pool_size, or output_size for adaptive pooling (empty: None)
};

PoolSetup pool_setup(const relax::Call& call, const Attrs& attrs) {
  PoolSetup s;
  s.dims = call.op.find("1d") != std::string::npos ? 1 : 2;
  s.max = call.op.find("max") != std::string::npos;
  s.adaptive = call.op.find("adaptive") != std::string::npos;
  std::string canonical = s.dims == 1 ? "NCW" : "NCHW";
  s.data = layout_attr(call, attrs, "layout", canonical, canonical);
  s.out = layout_attr(call, attrs, "out_layout", canonical, s.data.text);
  if (s.adaptive) {
    if (!attr_none(attrs, "output_size")) s.size = spatial_ints(call, attrs, "output_size", s.dims);
    for (int64_t v : s.size) {
      if (v <= 0) throw CompileError(attrs.loc("output_size"), "R." + call.op + ": output_size must be positive");
    }
    return s;
  }
  s.w = window_axes(call, attrs, s.dims);
  s.size = spatial_ints(call, attrs, "pool_size", s.dims);
  for (int64_t v : s.size) {
    if (v <= 0) throw CompileError(attrs.loc("pool_size"), "R." + call.op + ": pool_size must be positive");
  }
  return s;
}

std::vector<tir::Expr> canonical(const std::vector<tir::Expr>& shape, const Layout& layout) {
  std::vector<tir::Expr> out;
  for (size_t p : layout.axis) out.push_back(shape[p]);
  return out;
}

// The output extents in canonical order, or nullopt after an error.
std::optional<std::vector<tir::Expr>> pool_extents(const InferCall& c, const PoolSetup& s, const std::vector<tir::Expr>& d) {
  std::vector<tir::Expr> out = {d[0], d[1]};
  bool ceil_mode = !s.adaptive && c.attrs.get_bool("ceil_mode");
  for (size_t i = 0; i < s.dims; ++i) {
    if (s.adaptive) {
      out.push_back(s.size.empty() ? d[2 + i] : dim_const(s.size[i]));
      continue;
    }
    std::optional<tir::Expr> extent = window_extent(d[2 + i], s.size[i], s.w[i], ceil_mode);
    if (!extent) {
      if (ceil_mode && !const_dim(d[2 + i])) c.error_at("ceil_mode", "ceil_mode=True needs spatial extents known at compile time");
      else c.error("the window is larger than the padded input");
      return std::nullopt;
    }
    out.push_back(*extent);
  }
  return out;
}

StructInfoPtr infer_pool(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  PoolSetup s;
  try {
    s = pool_setup(c.call, c.attrs);
  } catch (const CompileError& e) {
    c.diags.error(e.loc(), e.message());
    return make_tensor_sinfo(std::nullopt, data.dtype, -1);
  }
  int rank = static_cast<int>(s.dims + 2);
  StructInfoPtr unknown = make_tensor_sinfo(std::nullopt, data.dtype, rank);
  if (data.dtype != DataType::Void && (data.dtype == DataType::Bool || (!s.max && !is_float(data.dtype)))) {
    dtype_error(c, data.dtype, std::string("cast to ") + (s.max ? "a numeric" : "a float") + " dtype first");
    return unknown;
  }
  if (data.rank() >= 0 && data.rank() != rank) {
    c.error("takes " + std::to_string(rank) + "-d data, not " + std::to_string(data.rank()) + "-d");
    return unknown;
  }
  if (!data.shape) return unknown;
  std::optional<std::vector<tir::Expr>> out = pool_extents(c, s, canonical(*data.shape, s.data));
  if (!out) return unknown;
  std::vector<tir::Expr> shape(out->size());
  for (size_t k = 0; k < out->size(); ++k) shape[s.out.axis[k]] = (*out)[k];
  return make_tensor_sinfo(shape, data.dtype);
}

// The loops and indices of a pooling over an output of `out_shape`: ax<j> per output axis (in the
// output's layout), rv<i> per window axis; `data_index` into the input with the spatial
// positions left for the caller.
struct PoolLoops {
  std::vector<std::string> loops, extents, out_index, data_index, spatial_iter;
};

PoolLoops pool_loops(const PoolSetup& s, const std::vector<tir::Expr>& out_shape) {
  PoolLoops l;
  size_t rank = out_shape.size();
  l.loops = loop_names("ax", rank);
  l.extents = dim_texts(out_shape);
  l.out_index = iter_names(l.loops);
  l.data_index.resize(rank);
  l.data_index[s.data.axis[0]] = l.out_index[s.out.axis[0]];
  l.data_index[s.data.axis[1]] = l.out_index[s.out.axis[1]];
  for (size_t i = 0; i < s.dims; ++i) {
    l.loops.push_back("rv" + std::to_string(i));
    l.spatial_iter.push_back(l.out_index[s.out.axis[2 + i]]);
  }
  return l;
}

// How far ceil mode's last window reaches past the padded input, per spatial axis.
std::vector<int64_t> ceil_extra(const PoolSetup& s, const std::vector<tir::Expr>& in, const std::vector<tir::Expr>& out) {
  std::vector<int64_t> extra(s.dims, 0);
  for (size_t i = 0; i < s.dims; ++i) {
    std::optional<int64_t> n = const_dim(in[2 + i]), o = const_dim(out[2 + i]);
    if (!n || !o) continue;
    int64_t last = (*o - 1) * s.w[i].stride + s.w[i].dilation * (s.size[i] - 1) + 1;
    extra[i] = std::max<int64_t>(0, last - (*n + s.w[i].pad_lo + s.w[i].pad_hi));
  }
  return extra;
}

// One pooling window's reduction: its loops and extents, the padded positions it reads along
// each spatial axis, the element it reads and the output element it writes ("[v_ax0, ...]").
struct PoolWindow {
  std::vector<std::string> loops, extents, positions;
  std::string tap, at, kinds;
};

// The sum of the window and its divisor: the taps that count (inside the input, or inside the
// input and its declared padding) when padding or ceil mode make them differ between windows.
void avg_blocks(KernelText& k, const KernelRequest& request, const PoolSetup& s, const PoolWindow& pw, const std::vector<tir::Expr>& in,
                const std::vector<int64_t>& extra, const std::vector<tir::Expr>& out_shape) {
  DataType dtype = request.operands[0].sinfo->dtype, acc = accumulate_dtype(dtype);
  bool include_pad = request.attrs.get_bool("count_include_pad");
  bool counted = false, may_be_empty = false;
  std::vector<std::string> inside;
  for (size_t i = 0; i < s.dims; ++i) {
    const WindowAxis& w = s.w[i];
    std::string dim = dim_text(in[2 + i]), lo = std::to_string(w.pad_lo), p = pw.positions[i];
    counted = counted || extra[i] || (!include_pad && (w.pad_lo || w.pad_hi));
    may_be_empty = may_be_empty || w.dilation > 1 || std::max(w.pad_lo, w.pad_hi + extra[i]) >= s.size[i];
    if (include_pad) inside.push_back(p + " < " + dim + " + " + std::to_string(w.pad_lo + w.pad_hi));
    else inside.push_back(lo + " <= " + p + " and " + p + " < " + dim + " + " + lo);
  }
  const std::string& at = pw.at;
  k.alloc("pool_sum", dim_texts(out_shape), acc);
  if (counted) k.alloc("pool_count", dim_texts(out_shape), acc);
  k.open_block("pool_sum", pw.loops, pw.extents, pw.kinds);
  k.line("with T.init():");
  k.line("    pool_sum" + at + " = " + dtype_literal(acc, 0));
  if (counted) k.line("    pool_count" + at + " = " + dtype_literal(acc, 0));
  k.line("pool_sum" + at + " = pool_sum" + at + " + " + cast_text(dtype, acc, pw.tap));
  if (counted) {
    k.line("pool_count" + at + " = pool_count" + at + " + T.if_then_else(" + join_text(inside, " and ") + ", " + dtype_literal(acc, 1) + ", " +
           dtype_literal(acc, 0) + ")");
  }
  k.close_block();
  int64_t taps = 1;
  for (int64_t v : s.size) taps *= v;
  std::string count = counted ? "pool_count" + at : dtype_literal(acc, static_cast<double>(taps));
  if (counted && may_be_empty) count = "T.max(" + count + ", " + dtype_literal(acc, 1) + ")";
  k.open_block("pool_avg", loop_names("ax", out_shape.size()), dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  k.line("pool_avg" + at + " = " + cast_text(acc, dtype, "pool_sum" + at + " / " + count));
  k.close_block();
}

std::string pool_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& data = *request.operands[0].sinfo;
  PoolSetup s = pool_setup(request.call, request.attrs);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = data.dtype;
  std::vector<tir::Expr> in = canonical(shape_of(data), s.data), out = canonical(out_shape, s.out);
  std::vector<int64_t> extra = ceil_extra(s, in, out);
  // -inf for floats, not the lowest finite value (TVM's), so a window of -inf and padding is -inf.
  std::string lowest = extreme_text(dtype, true);
  KernelText k(name);
  k.param("A", shape_of(data), dtype);
  k.param(s.max ? "pool_max" : "pool_avg", out_shape, dtype);
  std::string source = padded_input(k, shape_of(data), dtype, s.data, s.w, extra, s.max ? lowest : dtype_literal(dtype, 0));
  PoolLoops l = pool_loops(s, out_shape);
  PoolWindow pw{l.loops, l.extents, {}, "", indexed("", l.out_index), loop_kinds(out_shape.size(), s.dims)};
  for (size_t i = 0; i < s.dims; ++i) {
    pw.positions.push_back(l.spatial_iter[i] + " * " + std::to_string(s.w[i].stride) + " + v_rv" + std::to_string(i) + " * " + std::to_string(s.w[i].dilation));
    l.data_index[s.data.axis[2 + i]] = pw.positions.back();
    pw.extents.push_back(std::to_string(s.size[i]));
  }
  pw.tap = indexed(source, l.data_index);
  if (!s.max) {
    avg_blocks(k, request, s, pw, in, extra, out_shape);
    return k.str();
  }
  k.open_block("pool_max", pw.loops, pw.extents, pw.kinds);
  k.line("with T.init():");
  k.line("    pool_max" + pw.at + " = " + lowest);
  k.line("pool_max" + pw.at + " = T.max(pool_max" + pw.at + ", " + pw.tap + ")");
  k.close_block();
  return k.str();
}

// The window of adaptive pooling along one axis: its first input index and its size, as text
// over the output index `o`, and the largest size (the reduction's extent).
struct AdaptiveAxis {
  std::string start, size, extent;
  bool uniform = false;  // every window has `extent` elements
};

AdaptiveAxis adaptive_axis(const tir::Expr& in_dim, const tir::Expr& out_dim, const std::string& o) {
  std::string in = dim_text(in_dim), out = dim_text(out_dim);
  if (same_dim(in_dim, out_dim)) return {o, "T.int64(1)", "1", true};
  AdaptiveAxis a;
  a.start = "(" + o + " * " + in + ") // " + out;
  std::string end = "((" + o + " + T.int64(1)) * " + in + " + " + out + " - T.int64(1)) // " + out;
  a.size = "(" + end + " - " + a.start + ")";
  std::optional<int64_t> n = const_dim(in_dim), m = const_dim(out_dim);
  if (n && m) {
    int64_t largest = 0;
    for (int64_t i = 0; i < *m; ++i) largest = std::max(largest, ((i + 1) * *n + *m - 1) / *m - i * *n / *m);
    // An empty input leaves every window empty: one guarded step keeps the sum's T.init.
    a.extent = std::to_string(std::max<int64_t>(largest, 1));
    a.uniform = *n % *m == 0 && largest > 0;
    if (a.uniform) a.size = "T.int64(" + a.extent + ")";
  } else {
    a.extent = "(" + in + " + " + out + " - T.int64(1)) // " + out + " + T.int64(1)";
  }
  return a;
}

std::string adaptive_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& data = *request.operands[0].sinfo;
  PoolSetup s = pool_setup(request.call, request.attrs);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = data.dtype, acc = accumulate_dtype(dtype);
  std::vector<tir::Expr> in = canonical(shape_of(data), s.data), out = canonical(out_shape, s.out);
  KernelText k(name);
  k.param("A", shape_of(data), dtype);
  k.param("adaptive_pool_avg", out_shape, dtype);
  k.alloc("adaptive_pool_sum", dim_texts(out_shape), acc);
  PoolLoops l = pool_loops(s, out_shape);
  std::vector<std::string> extents = l.extents, guards, sizes;
  for (size_t i = 0; i < s.dims; ++i) {
    AdaptiveAxis a = adaptive_axis(in[2 + i], out[2 + i], l.spatial_iter[i]);
    std::string rv = "v_rv" + std::to_string(i);
    l.data_index[s.data.axis[2 + i]] = a.start + " + " + rv;
    extents.push_back(a.extent);
    if (!a.uniform) guards.push_back(rv + " < " + a.size);
    sizes.push_back(a.size);
  }
  std::string at = indexed("", l.out_index), tap = cast_text(dtype, acc, indexed("A", l.data_index));
  if (!guards.empty()) tap = "T.if_then_else(" + join_text(guards, " and ") + ", " + tap + ", " + dtype_literal(acc, 0) + ")";
  k.open_block("adaptive_pool_sum", l.loops, extents, loop_kinds(out_shape.size(), s.dims));
  k.line("with T.init():");
  k.line("    adaptive_pool_sum" + at + " = " + dtype_literal(acc, 0));
  k.line("adaptive_pool_sum" + at + " = adaptive_pool_sum" + at + " + " + tap);
  k.close_block();
  k.open_block("adaptive_pool_avg", loop_names("ax", out_shape.size()), dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  std::string count = "T.Cast(\"" + std::string(dtype_name(acc)) + "\", " + join_text(sizes, " * ") + ")";
  k.line("adaptive_pool_avg" + at + " = " + cast_text(acc, dtype, "adaptive_pool_sum" + at + " / " + count));
  k.close_block();
  return k.str();
}

}  // namespace

void register_nn_pool(std::vector<OpDef>& ops) {
  for (const char* name : {"nn.max_pool1d", "nn.max_pool2d", "nn.avg_pool1d", "nn.avg_pool2d"}) {
    std::string op_name = name;
    bool one = op_name.find("1d") != std::string::npos;
    std::vector<int64_t> ones(one ? 1 : 2, 1);
    OpDef pool;
    pool.name = op_name;
    pool.kernel_name = op_name.substr(3);
    pool.operands = {{"data"}};
    // TVM's avg_pool1d alone counts the padding by default.
    pool.attrs = {ints_attr("pool_size", ones),
                  ints_attr("strides", ones),
                  ints_attr("padding", std::vector<int64_t>(one ? 2 : 4, 0)),
                  ints_attr("dilation", ones),
                  bool_attr("ceil_mode", false),
                  bool_attr("count_include_pad", op_name == "nn.avg_pool1d"),
                  string_attr("layout", one ? "NCW" : "NCHW"),
                  required_attr("out_layout", AttrKind::String)};
    pool.infer = infer_pool;
    pool.legalize = pool_kernel;
    ops.push_back(pool);
  }
  for (const char* name : {"nn.adaptive_avg_pool1d", "nn.adaptive_avg_pool2d"}) {
    std::string op_name = name;
    bool one = op_name.find("1d") != std::string::npos;
    ops.push_back(define_op(
        op_name, op_name.substr(3), {{"data"}},
        {required_attr("output_size", AttrKind::IntList), string_attr("layout", one ? "NCW" : "NCHW"), required_attr("out_layout", AttrKind::String)},
        infer_pool, adaptive_kernel));
  }
}

}  // namespace relaxc::ops
