// Operators that fit no other family: collapse_sum_to / collapse_sum_like (sum a tensor down to
// a shape it broadcasts to, the adjoint of broadcast_to), meshgrid (coordinate grids from 1-d
// tensors, a tuple result, "ij" or "xy" indexing as numpy), median (TVM's: the lower middle
// element, with its index when one axis is given) and hamming_window (constant operands).
#include <algorithm>
#include <cmath>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/reduce_kernel.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// ---- collapse_sum_to, collapse_sum_like ----

// Which axes of `data` are summed to reach `target` (numpy broadcasting run backwards): the
// leading axes `target` lacks and those where it has extent 1. Empty when the target is not
// one `data` broadcasts to; `why` then says why.
std::optional<std::vector<bool>> collapsed_axes(const std::vector<tir::Expr>& data, const std::vector<tir::Expr>& target, std::string& why) {
  if (target.size() > data.size()) {
    why = "the target has rank " + std::to_string(target.size()) + ", more than the data's " + std::to_string(data.size());
    return std::nullopt;
  }
  size_t offset = data.size() - target.size();
  std::vector<bool> reduced(data.size(), true);
  for (size_t i = offset; i < data.size(); ++i) {
    const tir::Expr& d = data[i];
    const tir::Expr& t = target[i - offset];
    if (same_dim(d, t)) reduced[i] = false;  // kept (extent 1 to 1 too: summing one element is a copy)
    else if (const_dim(t) == 1) reduced[i] = true;
    else {
      why = "data of shape " + shape_text(data) + " does not broadcast to " + shape_text(target) + " (axis " + std::to_string(i) +
            (const_dim(d) && const_dim(t) ? ")" : ": the extents cannot be proven equal)");
      return std::nullopt;
    }
  }
  return reduced;
}

StructInfoPtr infer_collapse_sum(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  if (data.dtype == DataType::Bool) c.error("bool tensors are not supported; cast to a numeric dtype first");
  std::optional<std::vector<tir::Expr>> target;
  int target_rank = -1;
  if (c.call.op == "collapse_sum_to") {
    target = *c.shapes[1];
  } else {
    target = c.operands[1]->shape;
    target_rank = c.operands[1]->rank();
  }
  if (!target) return make_tensor_sinfo(std::nullopt, data.dtype, target_rank);
  if (data.shape) {
    std::string why;
    if (!collapsed_axes(*data.shape, *target, why)) c.error(why);
  } else if (data.rank() >= 0 && static_cast<size_t>(data.rank()) < target->size()) {
    c.error("the target has rank " + std::to_string(target->size()) + ", more than the data's " + std::to_string(data.rank()));
  }
  return make_tensor_sinfo(*target, data.dtype);
}

// One reduction: the reduced-with-keepdims nest, its index without the leading axes the target lacks.
std::string collapse_sum_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& a = *r.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  const std::vector<tir::Expr>& out_shape = shape_of(*r.result);
  std::string why;
  std::optional<std::vector<bool>> reduced = collapsed_axes(in_shape, out_shape, why);
  if (!reduced) throw CompileError(r.call.loc, "R." + r.call.op + ": " + why);
  ReduceNest nest = reduce_nest(in_shape, *reduced, true);
  size_t offset = in_shape.size() - out_shape.size();
  nest.out_index.erase(nest.out_index.begin(), nest.out_index.begin() + static_cast<std::ptrdiff_t>(offset));
  nest.out_dims.erase(nest.out_dims.begin(), nest.out_dims.begin() + static_cast<std::ptrdiff_t>(offset));
  KernelText k(name);
  k.param("A", in_shape, a.dtype);
  if (r.call.op == "collapse_sum_like") k.param("B", shape_of(*r.operands[1].sinfo), r.operands[1].sinfo->dtype);
  k.param("A_red", out_shape, a.dtype);
  Reduction sum{"A_red", "A_red", false, dtype_literal(a.dtype, 0), "{acc} + {x}", indexed("A", nest.in_index)};
  emit_reduction(k, nest, sum);
  return k.str();
}

// ---- meshgrid ----

// The output axis a field's elements run along: field i runs along axis i, except that "xy"
// indexing swaps the first two (numpy's Cartesian indexing).
size_t grid_axis(size_t field, size_t count, bool xy) {
  if (!xy || count < 2 || field > 1) return field;
  return 1 - field;
}

StructInfoPtr infer_meshgrid(const InferCall& c) {
  const std::vector<StructInfoPtr>& fields = c.operands[0]->fields;
  bool xy = c.attrs.get_string("indexing") == "xy";
  if (fields.empty()) c.error("needs at least one tensor");
  std::vector<tir::Expr> shape(fields.size());
  bool known = true;
  for (size_t i = 0; i < fields.size(); ++i) {
    const StructInfo& f = *fields[i];
    if (f.rank() >= 0 && f.rank() != 1) c.error("tensor " + std::to_string(i) + " has rank " + std::to_string(f.rank()) + "; meshgrid takes 1-d tensors");
    if (f.dtype != fields[0]->dtype) {
      c.error("the tensors have different dtypes, " + std::string(dtype_name(fields[0]->dtype)) + " and " + dtype_name(f.dtype));
    }
    if (!f.shape || f.rank() != 1) known = false;
    else shape[grid_axis(i, fields.size(), xy)] = (*f.shape)[0];
  }
  std::vector<StructInfoPtr> out;
  for (const StructInfoPtr& f : fields) {
    out.push_back(known ? make_tensor_sinfo(shape, f->dtype) : make_tensor_sinfo(std::nullopt, f->dtype, static_cast<int>(fields.size())));
  }
  return make_tuple_sinfo(out);
}

// One block per field: out_i[v_ax0, ...] = A_i[the iteration variable of its axis].
std::string meshgrid_kernel(const std::string& name, const KernelRequest& r) {
  size_t count = r.operands.size();
  bool xy = r.attrs.get_string("indexing") == "xy";
  // One output buffer would make R.call_tir's result a tensor, not the 1-tuple the call has.
  if (count == 1) throw CompileError(r.call.loc, "R.meshgrid of a single tensor is not supported; its grid is the tensor itself, (x,)");
  const std::vector<tir::Expr>& shape = shape_of(*r.result->fields[0]);
  KernelText k(name);
  for (size_t i = 0; i < count; ++i) k.param("A" + std::to_string(i), shape_of(*r.operands[i].sinfo), r.operands[i].sinfo->dtype);
  for (size_t i = 0; i < count; ++i) k.param("T_meshgrid" + std::to_string(i), shape, r.operands[i].sinfo->dtype);
  std::vector<std::string> loops = loop_names("ax", count);
  std::vector<std::string> at = iter_names(loops);
  for (size_t i = 0; i < count; ++i) {
    std::string out = "T_meshgrid" + std::to_string(i);
    k.open_block(out, loops, dim_texts(shape), std::string(count, 'S'));
    k.line(indexed(out, at) + " = A" + std::to_string(i) + "[" + at[grid_axis(i, count, xy)] + "]");
    k.close_block();
  }
  return k.str();
}

// ---- median ----
//
// TVM legalizes median to a sort along the axis (or of the flattened tensor) and takes the
// element at position (n - 1) // 2: for an even count the LOWER middle element, not numpy's
// mean of the two middle ones, and in the input's dtype. The order is numpy's stable sort (NaN
// after every number), so a NaN is the median only when the middle position holds one. With a
// single axis TVM's result is a tuple (values, int64 indices along the axis, torch's form);
// with axis None the value alone. Several axes are refused (TVM's kernel would reduce only the
// first). An empty line gives NaN (numpy) and index -1; integers over a possibly empty axis are
// refused, having no NaN.

StructInfoPtr infer_median(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (a.dtype == DataType::Bool) c.error("bool tensors are not supported; cast to a numeric dtype first");
  StructInfoPtr values = infer_reduced(c, a.dtype, true);
  if (!c.attrs.get_axes("axis")) return values;
  return make_tuple_sinfo({values, like(*values, DataType::Int64)});
}

// The row-major position of an element among the reduced axes, over the iteration variables `at`.
std::string line_position(const std::vector<bool>& reduced, const std::vector<std::string>& at, const std::vector<std::string>& extents) {
  std::string flat;
  for (size_t i = 0; i < reduced.size(); ++i) {
    if (reduced[i]) flat = flat.empty() ? at[i] : "(" + flat + ") * " + extents[i] + " + " + at[i];
  }
  return flat;
}

// The T_rank block: each element's rank in its line, the number of elements of the line that
// come before it in the stable ascending order (NaN after every number). Returns T_rank[self].
std::string emit_rank_block(KernelText& k, DataType dtype, const std::vector<bool>& reduced, const std::vector<std::string>& self,
                            const std::vector<std::string>& extents) {
  size_t rank = self.size();
  std::vector<std::string> loops = loop_names("ax", rank);
  std::string x = indexed("A", self);
  k.alloc("T_rank", extents, DataType::Int64);
  std::vector<std::string> rank_loops = loops, rank_extents = extents, other = self;
  for (size_t i = 0; i < rank; ++i) {
    if (!reduced[i]) continue;
    rank_loops.push_back("k" + std::to_string(i));
    rank_extents.push_back(extents[i]);
    other[i] = "v_k" + std::to_string(i);
  }
  std::string y = indexed("A", other), ranked = indexed("T_rank", self);
  std::string before = y + " < " + x, tie = y + " == " + x;
  if (is_float(dtype)) {
    before += " or (" + isnan_text(x) + " and not " + isnan_text(y) + ")";
    tie = "(" + tie + " or (" + isnan_text(x) + " and " + isnan_text(y) + "))";
  }
  before += " or (" + tie + " and " + line_position(reduced, other, extents) + " < " + line_position(reduced, self, extents) + ")";
  k.open_block("T_rank", rank_loops, rank_extents, std::string(rank, 'S') + std::string(rank_loops.size() - rank, 'R'));
  k.line("with T.init():");
  k.line("    " + ranked + " = T.int64(0)");
  k.line(ranked + " = " + ranked + " + T.Cast(\"int64\", " + before + ")");
  k.close_block();
  return ranked;
}

// Each element's rank in its line (how many come before it in the stable order), then the
// element whose rank is (n - 1) // 2 is stored: O(n^2) comparisons, as sort.cc counts them.
std::string median_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& a = *r.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  size_t rank = shape.size();
  std::vector<bool> reduced = reduced_axes(r.attrs, rank);
  ReduceNest nest = reduce_nest(shape, reduced, r.attrs.get_bool("keepdims"));
  bool with_index = r.result->kind == relax::StructInfoKind::Tuple;
  const StructInfo& out = with_index ? *r.result->fields[0] : *r.result;
  if (!is_float(a.dtype) && nest.maybe_empty) {
    throw CompileError(r.call.loc, "R.median of an integer tensor over an axis that may have size 0: the median of no elements is NaN, which " +
                                       std::string(dtype_name(a.dtype)) + " cannot hold");
  }
  KernelText k(name);
  k.param("A", shape, a.dtype);
  k.param("T_median", shape_of(out), a.dtype);
  if (with_index) k.param("T_median_index", shape_of(out), DataType::Int64);
  std::vector<std::string> loops = loop_names("ax", rank), self = iter_names(loops), extents = dim_texts(shape);
  std::vector<std::string> out_at;
  for (size_t i = 0; i < rank; ++i) {
    if (!reduced[i] || r.attrs.get_bool("keepdims")) out_at.push_back(reduced[i] ? "T.int64(0)" : self[i]);
  }
  if (nest.maybe_empty) {
    std::vector<std::string> at = open_spatial(k, "T_median_init", nest.out_dims);
    k.line(indexed("T_median", at) + " = " + dtype_literal(a.dtype, std::nan("")));
    if (with_index) k.line(indexed("T_median_index", at) + " = T.int64(-1)");
    k.close_block();
  }
  std::string x = indexed("A", self);
  if (nest.reduces) {
    std::string ranked = emit_rank_block(k, a.dtype, reduced, self, extents);
    // Over a reduced axis the block stores once, where the rank is the middle one.
    std::string kinds;
    for (bool axis_reduced : reduced) kinds += axis_reduced ? 'R' : 'S';
    k.open_block("T_median", loops, extents, kinds);
    k.line("if " + ranked + " == T.floordiv(" + nest.count() + " - T.int64(1), T.int64(2)):");
    k.indent();
  } else {
    k.open_block("T_median", loops, extents, std::string(rank, 'S'));  // one element per line: itself
  }
  k.line(indexed("T_median", out_at) + " = " + x);
  if (with_index) {
    size_t axis = static_cast<size_t>(std::find(reduced.begin(), reduced.end(), true) - reduced.begin());
    k.line(indexed("T_median_index", out_at) + " = " + (axis < rank ? self[axis] : "T.int64(0)"));
  }
  if (nest.reduces) k.dedent();
  k.close_block();
  return k.str();
}

// ---- hamming_window ----
//
// TVM's (torch's) window: w[i] = alpha - beta * cos(2 pi i / (M - 1)) for i < window_size, with
// M = window_size + 1 when periodic, else window_size; a window of size 1 is [1]. Computed in
// float64 and converted to the float dtype. The operands must be constants here.

struct Window {
  int64_t size;
  bool periodic;
  double alpha, beta;
};

std::optional<double> prim_constant(const relax::Call& call, size_t i) {
  const auto* prim = i < call.args.size() ? call.args[i]->as<relax::PrimValue>() : nullptr;
  if (!prim) return std::nullopt;
  if (const auto* integer = prim->value->as<tir::IntImm>()) return static_cast<double>(integer->value);
  if (const auto* number = prim->value->as<tir::FloatImm>()) return number->value;
  return std::nullopt;
}

std::optional<Window> window_of(const relax::Call& call) {
  std::optional<double> size = prim_constant(call, 0), periodic = prim_constant(call, 1), alpha = prim_constant(call, 2), beta = prim_constant(call, 3);
  if (!size || !periodic || !alpha || !beta) return std::nullopt;
  return Window{static_cast<int64_t>(*size), *periodic != 0, *alpha, *beta};
}

StructInfoPtr infer_hamming_window(const InferCall& c) {
  std::optional<DataType> dtype = c.attrs.get_dtype("dtype");
  if (!dtype) c.error("needs dtype=");
  else if (!is_float(*dtype)) c.error_at("dtype", std::string("the window's dtype must be a float dtype, not ") + dtype_name(*dtype));
  DataType out = dtype.value_or(DataType::Float32);
  std::optional<Window> w = window_of(c.call);
  if (!w) {
    c.error("window_size, periodic, alpha and beta must be constants (a symbolic operand is not supported)");
    return make_tensor_sinfo(std::nullopt, out, 1);
  }
  if (w->size < 1) c.error("window_size must be at least 1, not " + std::to_string(w->size));
  return make_tensor_sinfo(std::vector<tir::Expr>{dim_const(std::max<int64_t>(w->size, 1))}, out);
}

std::string hamming_window_kernel(const std::string& name, const KernelRequest& r) {
  DataType dtype = r.result->dtype;
  Window w = *window_of(r.call);
  int64_t span = (w.periodic ? w.size + 1 : w.size) - 1;
  KernelText k(name);
  k.param("T_hamming_window", shape_of(*r.result), dtype);
  k.open_block("T_hamming_window", {"ax0"}, dim_texts(shape_of(*r.result)), "S");
  std::string value = dtype_literal(DataType::Float64, 1);
  if (w.size > 1) {
    value = dtype_literal(DataType::Float64, w.alpha) + " - " + dtype_literal(DataType::Float64, w.beta) + " * T.cos(" +
            dtype_literal(DataType::Float64, 2 * M_PI) + " * T.Cast(\"float64\", v_ax0) / " + dtype_literal(DataType::Float64, static_cast<double>(span)) + ")";
  }
  k.line("T_hamming_window[v_ax0] = T.Cast(\"" + std::string(dtype_name(dtype)) + "\", " + value + ")");
  k.close_block();
  return k.str();
}

}  // namespace

void register_misc(std::vector<OpDef>& ops) {
  ops.push_back(define_op("collapse_sum_to", "collapse_sum", {{"data"}, {"shape", OperandKind::Shape}}, {}, infer_collapse_sum, collapse_sum_kernel));
  ops.push_back(define_op("collapse_sum_like", "collapse_sum", {{"data"}, {"collapse_target"}}, {}, infer_collapse_sum, collapse_sum_kernel));
  ops.push_back(define_op("meshgrid", "meshgrid", {{"tensors", OperandKind::TensorTuple}}, {string_attr("indexing", "ij", {"ij", "xy"})}, infer_meshgrid,
                          meshgrid_kernel));
  ops.push_back(define_op("median", "median", {{"x"}}, {axes_attr("axis"), bool_attr("keepdims", false)}, infer_median, median_kernel));
  std::vector<OperandSpec> window{{"window_size", OperandKind::PrimValue}, {"periodic", OperandKind::PrimValue}, {"alpha", OperandKind::PrimValue},
                                  {"beta", OperandKind::PrimValue}};
  ops.push_back(define_op("hamming_window", "hamming_window", window, {dtype_attr("dtype")}, infer_hamming_window, hamming_window_kernel));
}

}  // namespace relaxc::ops
