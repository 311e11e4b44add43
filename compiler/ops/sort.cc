// Sorting along one axis: sort, argsort and topk (values, indices or both, of the largest or
// smallest k).
//
// The order is numpy's stable sort (kind="stable"): equal elements keep their order, NaN sorts
// after every number (after +inf); descending is the reverse order of the values with equal
// elements still in their original order (TVM's stable descending sort), so NaN comes first.
// topk takes the first k of that order, descending for largest=True.
//
// TVM legalizes these to its own sort kernels; here each element's position is counted: its
// rank is the number of elements of its line that come before it (a reduction over the line),
// and it is then stored at that rank. That is O(n^2) comparisons per line of n elements, every
// element independent of the others; correct and stable by construction, not fast for long lines.
#include "compiler/ir/tir_build.h"
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/reduce_kernel.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

AttrSpec dtype_attr_with(std::string name, const std::string& fallback) {
  auto value = std::make_shared<AttrValue>();
  value->kind = AttrValue::Kind::String;
  value->string_value = fallback;
  return {std::move(name), AttrKind::DType, value, {}};
}

// The sort axis of operand 0 as an index, after reporting a bad dtype or axis; nullopt when
// the rank is unknown or the call is in error.
std::optional<size_t> sort_axis(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (a.dtype == DataType::Bool) c.error("bool tensors are not supported; cast to a numeric dtype first");
  if (c.op.find_attr("dtype") && c.attrs.get_dtype("dtype") == DataType::Bool) c.error_at("dtype", "bool indices are not supported; give an integer dtype");
  if (a.rank() < 0) return std::nullopt;
  int64_t axis = c.attrs.get_int("axis");
  std::optional<size_t> k = normalize_axis(axis, static_cast<size_t>(a.rank()));
  if (!k) c.error_at("axis", "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(a.rank()));
  return k;
}

StructInfoPtr infer_sort(const InferCall& c) {
  sort_axis(c);
  return like(*c.operands[0], c.operands[0]->dtype);
}

StructInfoPtr infer_argsort(const InferCall& c) {
  sort_axis(c);
  return like(*c.operands[0], c.attrs.get_dtype("dtype").value_or(DataType::Int32));
}

// The extent of topk's results along the axis: k, unless the axis is shorter (or k < 1: all of
// it). For a symbolic axis, min(k, n), so that the result never holds elements the input lacks.
tir::Expr topk_extent(const tir::Expr& dim, int64_t k) {
  std::optional<int64_t> size = const_dim(dim);
  if (k < 1 || (size && *size <= k)) return dim;
  if (size) return dim_const(k);
  return tir::build::arith(tir::BinaryOp::Min, dim, dim_const(k));
}

StructInfoPtr infer_topk(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  std::optional<size_t> axis = sort_axis(c);
  DataType index_dtype = c.attrs.get_dtype("dtype").value_or(DataType::Int32);
  StructInfoPtr values = like(a, a.dtype), indices = like(a, index_dtype);
  if (a.shape && axis) {
    std::vector<tir::Expr> shape = *a.shape;
    shape[*axis] = topk_extent(shape[*axis], c.attrs.get_int("k"));
    values = make_tensor_sinfo(shape, a.dtype);
    indices = make_tensor_sinfo(shape, index_dtype);
  }
  const std::string& ret = c.attrs.get_string("ret_type");
  if (ret == "values") return values;
  if (ret == "indices") return indices;
  return make_tuple_sinfo({values, indices});
}

// Whether the element `other` of the line comes before `self` (at positions `other_at` and
// `self_at` along the axis) in the stable order.
std::string comes_before(DataType dtype, bool descending, const std::string& other, const std::string& self, const std::string& other_at,
                         const std::string& self_at) {
  std::string ordered = other + (descending ? " > " : " < ") + self;
  std::string tie = other + " == " + self;
  if (is_float(dtype)) {
    // NaN is above every number: ascending, a number comes before a NaN; descending, after.
    const std::string& nan = descending ? other : self;
    const std::string& number = descending ? self : other;
    ordered += " or (" + isnan_text(nan) + " and not " + isnan_text(number) + ")";
    tie = "(" + tie + " or (" + isnan_text(other) + " and " + isnan_text(self) + "))";
  }
  return ordered + " or (" + tie + " and " + other_at + " < " + self_at + ")";
}

struct SortOutputs {
  std::string values, indices;  // buffer names, empty when not produced
  DataType index_dtype = DataType::Int32;
  std::vector<tir::Expr> out_shape;
};

std::string sort_kernel_text(const std::string& name, const KernelRequest& request, bool descending, const SortOutputs& outs) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  size_t rank = shape.size();
  std::optional<size_t> normalized = normalize_axis(request.attrs.get_int("axis"), rank);
  if (!normalized) throw CompileError(request.attrs.loc("axis"), "R." + request.call.op + ": axis is out of range for rank " + std::to_string(rank));
  size_t axis = *normalized;
  KernelText k(name);
  k.param("A", shape, a.dtype);
  if (!outs.values.empty()) k.param(outs.values, outs.out_shape, a.dtype);
  if (!outs.indices.empty()) k.param(outs.indices, outs.out_shape, outs.index_dtype);
  k.alloc("T_rank", dim_texts(shape), DataType::Int64);
  std::vector<std::string> loops = loop_names("ax", rank), extents = dim_texts(shape);
  std::vector<std::string> self = iter_names(loops), other = self;
  other[axis] = "v_k";
  std::vector<std::string> rank_loops = loops, rank_extents = extents;
  rank_loops.push_back("k");
  rank_extents.push_back(extents[axis]);
  std::string at = indexed("T_rank", self);
  k.open_block("T_rank", rank_loops, rank_extents, std::string(rank, 'S') + "R");
  k.line("with T.init():");
  k.line("    " + at + " = T.int64(0)");
  std::string before = comes_before(a.dtype, descending, indexed("A", other), indexed("A", self), other[axis], self[axis]);
  k.line(at + " = " + at + " + T.Cast(\"int64\", " + before + ")");
  k.close_block();
  k.open_block("T_sort", loops, extents, std::string(rank, 'S'));
  std::vector<std::string> dest = self;
  dest[axis] = at;
  // topk keeps the first k positions of the order.
  bool all = same_dim(outs.out_shape[axis], shape[axis]);
  if (!all) {
    k.line("if " + at + " < " + dim_text(outs.out_shape[axis]) + ":");
    k.indent();
  }
  if (!outs.values.empty()) k.line(indexed(outs.values, dest) + " = " + indexed("A", self));
  if (!outs.indices.empty()) k.line(indexed(outs.indices, dest) + " = T.Cast(\"" + std::string(dtype_name(outs.index_dtype)) + "\", " + self[axis] + ")");
  if (!all) k.dedent();
  k.close_block();
  return k.str();
}

std::string sort_kernel(const std::string& name, const KernelRequest& request) {
  const std::string& op = request.call.op;
  SortOutputs outs;
  bool descending;
  if (op == "topk") {
    const std::string& ret = request.attrs.get_string("ret_type");
    if (ret != "indices") outs.values = "T_topk_values";
    if (ret != "values") outs.indices = "T_topk_indices";
    descending = request.attrs.get_bool("largest");
  } else {
    (op == "sort" ? outs.values : outs.indices) = "T_" + op;
    descending = request.attrs.get_bool("descending");
  }
  if (!outs.indices.empty()) outs.index_dtype = request.attrs.get_dtype("dtype").value_or(DataType::Int32);
  const StructInfoPtr& first = request.result->kind == relax::StructInfoKind::Tuple ? request.result->fields[0] : request.result;
  outs.out_shape = shape_of(*first);
  return sort_kernel_text(name, request, descending, outs);
}

}  // namespace

void register_sort(std::vector<OpDef>& ops) {
  ops.push_back(define_op("sort", "sort", {{"x"}}, {int_attr("axis", -1), bool_attr("descending", false)}, infer_sort, sort_kernel));
  ops.push_back(define_op("argsort", "argsort", {{"data"}},
                          {int_attr("axis", -1), bool_attr("descending", false), dtype_attr_with("dtype", "int32")}, infer_argsort, sort_kernel));
  ops.push_back(define_op("topk", "topk", {{"data"}},
                          {int_attr("k", 1), int_attr("axis", -1), string_attr("ret_type", "both", {"both", "values", "indices"}),
                           bool_attr("largest", true), dtype_attr_with("dtype", "int32")},
                          infer_topk, sort_kernel));
}

}  // namespace relaxc::ops
