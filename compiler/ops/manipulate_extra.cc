// More manipulation operators: scatter_nd (ONNX ScatterND with TVM's reductions),
// reverse_sequence, slice_scatter, and dynamic_strided_slice, which is rejected at compile time
// because its output shape depends on tensor values.
//
// scatter_nd applies its updates by plain serial loops in row-major order of the index rows,
// outside any block, so repeated rows combine in that order, as in TVM's kernel. A negative
// index counts from the end; a row still outside the data (undefined in TVM) updates nothing
// rather than writing outside the buffer.
#include <array>

#include "compiler/ops/manipulate_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// f(old, new) for one of scatter_nd's reductions.
std::string combine(const std::string& reduction, const std::string& old, const std::string& update) {
  if (reduction == "add") return old + " + " + update;
  if (reduction == "mul") return old + " * " + update;
  if (reduction == "min") return "T.min(" + old + ", " + update + ")";
  if (reduction == "max") return "T.max(" + old + ", " + update + ")";
  return update;
}

// An extent as a message shows it: 6, n.
std::string extent_text(const tir::Expr& dim) {
  std::optional<int64_t> value = const_dim(dim);
  return value ? std::to_string(*value) : dim_text(dim);
}

// ---- scatter_nd ----

// The updates' shape must be indices.shape[:-1] + data.shape[M:] exactly (provably, as TVM
// asks), so that the kernel reads the updates only at positions it holds.
void check_scatter_nd_shapes(const InferCall& c, const StructInfo& data, const StructInfo& indices, const StructInfo& updates) {
  std::optional<int64_t> m = const_dim(indices.shape->back());
  if (!m) {
    c.error("the last axis of the indices (the index length) must have a constant extent, as in TVM");
    return;
  }
  if (*m > data.rank()) {
    c.error("index rows of length " + std::to_string(*m) + " are too long for data of rank " + std::to_string(data.rank()));
    return;
  }
  std::vector<tir::Expr> want(indices.shape->begin(), indices.shape->end() - 1);
  want.insert(want.end(), data.shape->begin() + static_cast<std::ptrdiff_t>(*m), data.shape->end());
  bool same = want.size() == updates.shape->size();
  for (size_t d = 0; same && d < want.size(); ++d) same = same_dim(want[d], (*updates.shape)[d]);
  if (!same) {
    c.error("the updates' shape must be indices.shape[:-1] + data.shape[" + std::to_string(*m) + ":] = " + shape_text(want) + ", not " +
            shape_text(*updates.shape));
  }
}

StructInfoPtr infer_scatter_nd(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& indices = *c.operands[1];
  const StructInfo& updates = *c.operands[2];
  check_scatter_operands(c, data, indices, updates);
  StructInfoPtr out = like(data, data.dtype);
  if (indices.rank() == 0) c.error("the indices must have at least one axis (the index rows' length)");
  if (!data.shape || !indices.shape || !updates.shape || indices.rank() == 0) return out;
  check_scatter_nd_shapes(c, data, indices, updates);
  return out;
}

std::string scatter_nd_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& data = *r.operands[0].sinfo;
  const StructInfo& indices = *r.operands[1].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(data);
  const std::vector<tir::Expr>& index_shape = shape_of(indices);
  size_t m = static_cast<size_t>(*const_dim(index_shape.back()));
  KernelText k(name);
  k.param("A", shape, data.dtype);
  k.param("B", index_shape, indices.dtype);
  k.param("C", shape_of(*r.operands[2].sinfo), data.dtype);
  k.param("T_scatter_nd", shape, data.dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), iters = iter_names(loops);
  k.open_block("T_scatter_nd_copy", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_scatter_nd", iters) + " = " + indexed("A", iters));
  k.close_block();
  std::vector<tir::Expr> rows(index_shape.begin(), index_shape.end() - 1), rest(shape.begin() + static_cast<std::ptrdiff_t>(m), shape.end());
  std::vector<std::string> p = loop_names("i", rows.size()), j = loop_names("j", rest.size());
  int depth = 0;
  auto open_loops = [&](const std::vector<std::string>& vars, const std::vector<tir::Expr>& extents) {
    if (vars.empty()) return;
    k.line("for " + join_text(vars) + " in T.grid(" + join_text(dim_texts(extents)) + "):");
    k.indent();
    ++depth;
  };
  open_loops(p, rows);
  std::vector<std::string> target, guards;
  for (size_t l = 0; l < m; ++l) {
    std::vector<std::string> at = p;
    at.push_back(int64_text(static_cast<int64_t>(l)));
    std::string idx = "idx" + std::to_string(l), pos = "pos" + std::to_string(l), extent = dim_text(shape[l]);
    k.line(idx + ": T.int64 = " + as_int64(indexed("B", at)));
    k.line(pos + ": T.int64 = T.if_then_else(" + idx + " < T.int64(0), " + idx + " + (" + extent + "), " + idx + ")");
    guards.push_back("T.int64(0) <= " + pos + " and " + pos + " < (" + extent + ")");
    target.push_back(pos);
  }
  if (!guards.empty()) {
    k.line("if " + join_text(guards, " and ") + ":");
    k.indent();
    ++depth;
  }
  open_loops(j, rest);
  target.insert(target.end(), j.begin(), j.end());
  std::vector<std::string> read = p;
  read.insert(read.end(), j.begin(), j.end());
  std::string at = indexed("T_scatter_nd", target);
  k.line(at + " = " + combine(r.attrs.get_string("reduction"), at, indexed("C", read)));
  for (; depth > 0; --depth) k.dedent();
  return k.str();
}

// ---- reverse_sequence ----

StructInfoPtr infer_reverse_sequence(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& lengths = *c.operands[1];
  if (lengths.rank() >= 0 && lengths.rank() != 1) c.error("seq_lengths must be 1-d, not rank " + std::to_string(lengths.rank()));
  if (lengths.dtype != DataType::Void && lengths.dtype != DataType::Int32 && lengths.dtype != DataType::Int64)
    c.error(std::string("seq_lengths must be int32 or int64, not ") + dtype_name(lengths.dtype));
  StructInfoPtr out = like(data, data.dtype);
  if (data.rank() < 0) return out;
  size_t rank = static_cast<size_t>(data.rank());
  std::optional<size_t> seq = checked_axis(c, "seq_axis", c.attrs.get_int("seq_axis"), rank);
  std::optional<size_t> batch = checked_axis(c, "batch_axis", c.attrs.get_int("batch_axis"), rank);
  if (!seq || !batch) return out;
  if (*seq == *batch) {
    c.error_at("batch_axis", "seq_axis and batch_axis must be different axes, and both are axis " + std::to_string(*seq));
    return out;
  }
  // The kernel reads seq_lengths at each batch position: its extent must be the batch axis'.
  if (data.shape && lengths.shape && lengths.rank() == 1 && !same_dim((*lengths.shape)[0], (*data.shape)[*batch])) {
    c.error("seq_lengths has " + extent_text((*lengths.shape)[0]) + " elements, and the batch axis (" + std::to_string(*batch) + ") has extent " +
            extent_text((*data.shape)[*batch]));
  }
  return out;
}

// TVM's rule: within each batch, the first min(len, n) elements along the sequence axis are
// reversed and the rest kept; a length below 1 reverses nothing.
std::string reverse_sequence_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& data = *r.operands[0].sinfo;
  const StructInfo& lengths = *r.operands[1].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(data);
  size_t seq = *normalize_axis(r.attrs.get_int("seq_axis"), shape.size());
  size_t batch = *normalize_axis(r.attrs.get_int("batch_axis"), shape.size());
  KernelText k(name);
  k.param("A", shape, data.dtype);
  k.param("B", shape_of(lengths), lengths.dtype);
  k.param("T_reverse_sequence", shape, data.dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), iters = iter_names(loops), read = iters;
  std::string v = iters[seq];
  std::string len = "T.min(" + as_int64(indexed("B", {iters[batch]})) + ", " + dim_text(shape[seq]) + ")";
  read[seq] = "T.if_then_else(" + v + " < " + len + ", " + len + " - T.int64(1) - " + v + ", " + v + ")";
  k.open_block("T_reverse_sequence", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_reverse_sequence", iters) + " = " + indexed("A", read));
  k.close_block();
  return k.str();
}

// ---- slice_scatter ----

// The constant start, end and step (operands 2 to 4), or nullopt where one is symbolic.
std::optional<std::array<int64_t, 3>> slice_bounds(const relax::Call& call) {
  std::array<int64_t, 3> out{};
  for (size_t i = 0; i < 3; ++i) {
    const auto* prim = 2 + i < call.args.size() ? call.args[2 + i]->as<relax::PrimValue>() : nullptr;
    const auto* integer = prim ? prim->value->as<tir::IntImm>() : nullptr;
    if (!integer) return std::nullopt;
    out[i] = integer->value;
  }
  return out;
}

// The slice [start, end) by step must lie in the axis: TVM does not normalize negative or
// too-large bounds as PyTorch does, so such bounds are rejected rather than given a meaning.
bool check_slice_bounds(const InferCall& c, const std::array<int64_t, 3>& b, const tir::Expr& extent) {
  auto [start, end, step] = b;
  if (step < 1) c.error("the step (" + std::to_string(step) + ") must be at least 1");
  else if (start < 0) c.error("the start (" + std::to_string(start) + ") must not be negative");
  else if (end < start) c.error("the start (" + std::to_string(start) + ") must not exceed the end (" + std::to_string(end) + ")");
  else if (end > *const_dim(extent))
    c.error("the end (" + std::to_string(end) + ") exceeds the axis' extent (" + extent_text(extent) + ")");
  else return true;
  return false;
}

StructInfoPtr infer_slice_scatter(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& src = *c.operands[1];
  if (data.dtype != DataType::Void && src.dtype != DataType::Void && data.dtype != src.dtype)
    c.error(std::string("the input (") + dtype_name(data.dtype) + ") and src (" + dtype_name(src.dtype) + ") must have the same dtype");
  StructInfoPtr out = like(data, data.dtype);
  if (data.rank() < 0) return out;
  std::optional<size_t> axis = checked_axis(c, "axis", c.attrs.get_int("axis"), static_cast<size_t>(data.rank()));
  if (src.rank() >= 0 && src.rank() != data.rank()) {
    c.error("the input (rank " + std::to_string(data.rank()) + ") and src (rank " + std::to_string(src.rank()) + ") must have the same rank");
    return out;
  }
  std::optional<std::array<int64_t, 3>> bounds = slice_bounds(c.call);
  if (!bounds) {
    c.error("start, end and step must be integer constants; symbolic ones are not supported");
    return out;
  }
  if (!axis || !data.shape || !src.shape) return out;
  // On an axis of symbolic extent the slice could run past the end at run time.
  if (!const_dim((*data.shape)[*axis])) {
    c.error_at("axis", "slicing axis " + std::to_string(*axis) + " of symbolic extent " + extent_text((*data.shape)[*axis]) + " is not supported");
    return out;
  }
  if (!check_slice_bounds(c, *bounds, (*data.shape)[*axis])) return out;
  int64_t count = ((*bounds)[1] - (*bounds)[0] + (*bounds)[2] - 1) / (*bounds)[2];
  for (size_t d = 0; d < data.shape->size(); ++d) {
    tir::Expr want = d == *axis ? dim_const(count) : (*data.shape)[d];
    if (!same_dim(want, (*src.shape)[d])) {
      c.error("src's extent on axis " + std::to_string(d) + " must be " + extent_text(want) + ", not " + extent_text((*src.shape)[d]));
      break;
    }
  }
  return out;
}

// out = input, with out[.., start + k * step, ..] = src[.., k, ..] for k < src's extent.
std::string slice_scatter_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& data = *r.operands[0].sinfo;
  const StructInfo& src = *r.operands[1].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(data);
  size_t axis = *normalize_axis(r.attrs.get_int("axis"), shape.size());
  auto [start, end, step] = *slice_bounds(r.call);
  int64_t count = (end - start + step - 1) / step;
  KernelText k(name);
  k.param("A", shape, data.dtype);
  k.param("B", shape_of(src), src.dtype);
  k.param("T_slice_scatter", shape, data.dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), iters = iter_names(loops), read = iters;
  std::string v = iters[axis], value = indexed("A", iters);
  if (count > 0) {
    // The source index is clamped too: both branches of T.if_then_else may be evaluated.
    read[axis] = "T.min(T.max(T.floordiv(" + v + " - " + int64_text(start) + ", " + int64_text(step) + "), T.int64(0)), " + int64_text(count - 1) + ")";
    std::string in_slice = int64_text(start) + " <= " + v + " and " + v + " < " + int64_text(end) + " and T.floormod(" + v + " - " + int64_text(start) +
                           ", " + int64_text(step) + ") == T.int64(0)";
    value = "T.if_then_else(" + in_slice + ", " + indexed("B", read) + ", " + value + ")";
  }
  k.open_block("T_slice_scatter", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_slice_scatter", iters) + " = " + value);
  k.close_block();
  return k.str();
}

// ---- dynamic_strided_slice ----

// Its output extents are computed from the values of begin, end and strides, which exist only
// at run time; LegalizeOps gives every kernel an output buffer of a shape known before the
// kernel runs, so there is no kernel to emit. Rejected here, with the reason.
StructInfoPtr infer_dynamic_strided_slice(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  c.error("not supported: its output shape depends on the values of begin, end and strides, known only at run time, and a legalized "
          "kernel needs its output shape before it runs; use R.strided_slice with constant begin, end and strides");
  return make_tensor_sinfo(std::nullopt, x.dtype, x.rank());
}

std::string dynamic_strided_slice_kernel(const std::string&, const KernelRequest& r) {
  throw CompileError(r.call.loc, "R.dynamic_strided_slice: the output shape depends on tensor values known only at run time");
}

}  // namespace

void register_manipulate_extra(std::vector<OpDef>& ops) {
  ops.push_back(define_op("scatter_nd", "scatter_nd", {{"data"}, {"indices"}, {"updates"}},
                          {string_attr("reduction", "update", {"update", "add", "mul", "min", "max"})}, infer_scatter_nd, scatter_nd_kernel));
  ops.push_back(define_op("reverse_sequence", "reverse_sequence", {{"data"}, {"seq_lengths"}}, {int_attr("seq_axis", 1), int_attr("batch_axis", 0)},
                          infer_reverse_sequence, reverse_sequence_kernel));
  ops.push_back(define_op("slice_scatter", "slice_scatter",
                          {{"input"}, {"src"}, {"start", OperandKind::PrimValue}, {"end", OperandKind::PrimValue}, {"step", OperandKind::PrimValue}},
                          {int_attr("axis", 0)}, infer_slice_scatter, slice_scatter_kernel));
  OpDef dynamic = define_op("dynamic_strided_slice", "dynamic_strided_slice", {{"x"}, {"begin"}, {"end"}, {"strides"}}, {},
                            infer_dynamic_strided_slice, dynamic_strided_slice_kernel);
  dynamic.has_kernel = false;
  ops.push_back(dynamic);
}

}  // namespace relaxc::ops
