// scatter_elements: a copy of the data with, for each position p of the indices,
// out[p with p[axis] = indices[p]] = f(that element, updates[p]) for TVM's reductions update,
// add, mul, mean (TVM's running (old + update) / 2), min and max.
//
// The updates are applied by plain serial loops in row-major order of p, outside any block, so
// no schedule runs them in parallel: repeated indices combine in that order, as in TVM's
// kernel. A negative index counts from the end; an index still outside the axis (undefined in
// TVM) updates nothing rather than writing outside the buffer.
#include "compiler/ops/manipulate_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// An error when two constant extents of the same axis show that `small` does not fit in
// `big` (or differs from it when `equal`).
void check_extents(const InferCall& c, const StructInfo& small, const StructInfo& big, bool equal, const std::string& what) {
  if (!small.shape || !big.shape) return;
  for (size_t d = 0; d < small.shape->size() && d < big.shape->size(); ++d) {
    std::optional<int64_t> s = const_dim((*small.shape)[d]), b = const_dim((*big.shape)[d]);
    if (s && b && (equal ? *s != *b : *s > *b)) {
      c.error(what + " on axis " + std::to_string(d) + " (" + std::to_string(*s) + " and " + std::to_string(*b) + ")");
      return;
    }
  }
}

StructInfoPtr infer_scatter_elements(const InferCall& c) {
  const StructInfo& data = *c.operands[0];
  const StructInfo& indices = *c.operands[1];
  const StructInfo& updates = *c.operands[2];
  check_scatter_operands(c, data, indices, updates);
  StructInfoPtr out = like(data, data.dtype);
  if (data.rank() < 0 || indices.rank() < 0 || updates.rank() < 0) return out;
  if (data.rank() != indices.rank() || indices.rank() != updates.rank()) {
    c.error("the data, indices and updates must have the same rank, not " + std::to_string(data.rank()) + ", " + std::to_string(indices.rank()) +
            " and " + std::to_string(updates.rank()));
    return out;
  }
  if (!checked_axis(c, "axis", c.attrs.get_int("axis"), static_cast<size_t>(data.rank()))) return out;
  check_extents(c, indices, updates, true, "the extents of the indices and the updates differ");
  std::optional<size_t> axis = normalize_axis(c.attrs.get_int("axis"), static_cast<size_t>(data.rank()));
  if (indices.shape && data.shape) {
    std::vector<tir::Expr> others = *indices.shape;  // the axis itself may be any length
    others[*axis] = dim_const(0);
    check_extents(c, *make_tensor_sinfo(others, indices.dtype), data, false, "the extent of the indices exceeds the data's");
  }
  return out;
}

// f(old, new) for the reduction, in the kernel's dtype.
std::string combine(const std::string& reduction, const std::string& old, const std::string& update, DataType dtype) {
  if (reduction == "add") return old + " + " + update;
  if (reduction == "mul") return old + " * " + update;
  if (reduction == "min") return "T.min(" + old + ", " + update + ")";
  if (reduction == "max") return "T.max(" + old + ", " + update + ")";
  if (reduction == "mean") {
    if (is_float(dtype)) return "(" + old + " + " + update + ") / " + dtype_literal(dtype, 2);
    return "T.truncdiv(" + old + " + " + update + ", " + dtype_literal(dtype, 2) + ")";
  }
  return update;
}

std::string scatter_elements_kernel(const std::string& name, const KernelRequest& r) {
  const StructInfo& data = *r.operands[0].sinfo;
  const StructInfo& indices = *r.operands[1].sinfo;
  const StructInfo& updates = *r.operands[2].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(data);
  const std::vector<tir::Expr>& index_shape = shape_of(indices);
  size_t axis = *normalize_axis(r.attrs.get_int("axis"), shape.size());
  KernelText k(name);
  k.param("A", shape, data.dtype);
  k.param("B", index_shape, indices.dtype);
  k.param("C", shape_of(updates), updates.dtype);
  k.param("T_scatter_elements", shape, data.dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), iters = iter_names(loops);
  k.open_block("T_scatter_elements_copy", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_scatter_elements", iters) + " = " + indexed("A", iters));
  k.close_block();
  // Guards for positions the shapes do not show to be in bounds: the index itself, and axes of
  // the indices that may be longer than the data's or the updates'.
  std::vector<std::string> p = loop_names("i", index_shape.size()), target = p;
  std::string extent = dim_text(shape[axis]);
  std::vector<std::string> guards = {"T.int64(0) <= pos", "pos < (" + extent + ")"};
  for (size_t d = 0; d < index_shape.size(); ++d) {
    if (d != axis && !same_dim(index_shape[d], shape[d])) guards.push_back(p[d] + " < " + dim_text(shape[d]));
    if (!same_dim(index_shape[d], shape_of(updates)[d])) guards.push_back(p[d] + " < " + dim_text(shape_of(updates)[d]));
  }
  target[axis] = "pos";
  k.line("for " + join_text(p) + " in T.grid(" + join_text(dim_texts(index_shape)) + "):");
  k.indent();
  k.line("idx: T.int64 = " + as_int64(indexed("B", p)));
  k.line("pos: T.int64 = T.if_then_else(idx < T.int64(0), idx + (" + extent + "), idx)");
  k.line("if " + join_text(guards, " and ") + ":");
  k.indent();
  std::string at = indexed("T_scatter_elements", target);
  k.line(at + " = " + combine(r.attrs.get_string("reduction"), at, indexed("C", p), data.dtype));
  k.dedent();
  k.dedent();
  return k.str();
}

}  // namespace

void register_manipulate_scatter(std::vector<OpDef>& ops) {
  ops.push_back(define_op("scatter_elements", "scatter_elements", {{"data"}, {"indices"}, {"updates"}},
                          {int_attr("axis", 0), string_attr("reduction", "update", {"update", "add", "mul", "mean", "min", "max"})},
                          infer_scatter_elements, scatter_elements_kernel));
}

}  // namespace relaxc::ops
