// Reductions: sum and mean over a set of axes (keepdims or not), and softmax along one axis
// (max, exp of the difference, sum, divide — the numerically stable form TVM uses).
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

StructInfoPtr infer_reduce(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  bool keepdims = c.attrs.get_bool("keepdims");
  if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype);
  size_t rank = a.shape->size();
  std::optional<std::vector<int64_t>> axes = c.attrs.get_axes("axis");
  std::vector<bool> reduced(rank, !axes);
  for (int64_t axis : axes.value_or(std::vector<int64_t>{})) {
    std::optional<size_t> k = normalize_axis(axis, rank);
    if (!k) {
      c.error_at("axis", "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
      return make_tensor_sinfo(std::nullopt, a.dtype);
    }
    reduced[*k] = true;
  }
  std::vector<tir::Expr> out;
  for (size_t i = 0; i < rank; ++i) {
    if (!reduced[i]) out.push_back((*a.shape)[i]);
    else if (keepdims) out.push_back(dim_const(1));
  }
  return make_tensor_sinfo(out, a.dtype);
}

StructInfoPtr infer_same(const InferCall& c) { return like(*c.operands[0], c.operands[0]->dtype); }

std::string reduce_kernel(const std::string& name, const KernelRequest& request) {
  const relax::Call& call = request.call;
  const relax::StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = request.result->dtype;
  size_t rank = in_shape.size();
  if (out_shape.empty()) throw CompileError(call.loc, "R." + call.op + " to a 0-d tensor is not supported yet; pass keepdims=True");
  std::vector<int64_t> all;
  for (size_t i = 0; i < rank; ++i) all.push_back(static_cast<int64_t>(i));
  std::vector<bool> reduced(rank, false);
  for (int64_t axis : request.attrs.get_axes("axis").value_or(all)) reduced[*normalize_axis(axis, rank)] = true;
  bool keep = request.attrs.get_bool("keepdims");
  bool mean = call.op == "mean";
  KernelText k(name);
  k.param("A", in_shape, a.dtype);
  std::string out = mean ? "T_divide" : "A_red";
  k.param(out, out_shape, dtype);
  std::string sum = "A_red";
  if (mean) k.alloc("A_red", dim_texts(out_shape), dtype);

  std::vector<std::string> loops, extents, in_index, out_index, counted;
  std::string kinds;
  for (size_t i = 0; i < rank; ++i) {
    std::string loop = (reduced[i] ? "k" : "ax") + std::to_string(i);
    loops.push_back(loop);
    extents.push_back(dim_text(in_shape[i]));
    kinds += reduced[i] ? 'R' : 'S';
    in_index.push_back("v_" + loop);
    if (!reduced[i]) out_index.push_back("v_" + loop);
    else if (keep) out_index.push_back("T.int64(0)");
    if (reduced[i]) counted.push_back("(" + dim_text(in_shape[i]) + ")");
  }
  std::string target = sum + "[" + join_text(out_index) + "]";
  k.open_block("A_red", loops, extents, kinds);
  k.line("with T.init():");
  k.line("    " + target + " = " + dtype_literal(dtype, 0));
  k.line(target + " = " + target + " + A[" + join_text(in_index) + "]");
  k.close_block();
  if (mean) {
    std::vector<std::string> mean_loops = loop_names("ax", out_shape.size()), mean_index;
    for (const std::string& loop : mean_loops) mean_index.push_back("v_" + loop);
    k.open_block("T_divide", mean_loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
    k.line("T_divide[" + join_text(mean_index) + "] = A_red[" + join_text(mean_index) + "] / T.Cast(\"" + dtype_name(dtype) + "\", " +
           join_text(counted, " * ") + ")");
    k.close_block();
  }
  return k.str();
}

std::string softmax_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  DataType dtype = a.dtype;
  size_t rank = shape.size();
  if (rank == 0) throw CompileError(request.call.loc, "R.nn.softmax of a 0-d tensor is not supported");
  if (!is_float(dtype)) throw CompileError(request.call.loc, "R.nn.softmax needs a float tensor");
  int64_t axis = request.attrs.get_int("axis");
  std::optional<size_t> normalized = normalize_axis(axis, rank);
  if (!normalized) throw CompileError(request.attrs.loc("axis"), "R.nn.softmax: axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  size_t ax = *normalized;
  // The per-row intermediates keep the softmax axis with extent 1, so no buffer is 0-d.
  std::vector<std::string> full = dim_texts(shape), kept = full;
  kept[ax] = "T.int64(1)";
  KernelText k(name);
  k.param("A", shape, dtype);
  k.param("T_softmax_norm", shape, dtype);
  k.alloc("T_softmax_maxelem", kept, dtype);
  k.alloc("T_softmax_exp", full, dtype);
  k.alloc("T_softmax_expsum", kept, dtype);
  std::vector<std::string> loops = loop_names("i", rank), index, row;
  for (size_t i = 0; i < rank; ++i) {
    index.push_back("v_" + loops[i]);
    row.push_back(i == ax ? "T.int64(0)" : "v_" + loops[i]);
  }
  std::string all_s(rank, 'S'), reduce_kinds = all_s;
  reduce_kinds[ax] = 'R';
  std::string at = "[" + join_text(index) + "]", at_row = "[" + join_text(row) + "]";
  k.open_block("T_softmax_maxelem", loops, full, reduce_kinds);
  k.line("with T.init():");
  k.line("    T_softmax_maxelem" + at_row + " = T.min_value(\"" + dtype_name(dtype) + "\")");
  k.line("T_softmax_maxelem" + at_row + " = T.max(T_softmax_maxelem" + at_row + ", A" + at + ")");
  k.close_block();
  k.open_block("T_softmax_exp", loops, full, all_s);
  k.line("T_softmax_exp" + at + " = T.exp(A" + at + " - T_softmax_maxelem" + at_row + ")");
  k.close_block();
  k.open_block("T_softmax_expsum", loops, full, reduce_kinds);
  k.line("with T.init():");
  k.line("    T_softmax_expsum" + at_row + " = " + dtype_literal(dtype, 0));
  k.line("T_softmax_expsum" + at_row + " = T_softmax_expsum" + at_row + " + T_softmax_exp" + at);
  k.close_block();
  k.open_block("T_softmax_norm", loops, full, all_s);
  k.line("T_softmax_norm" + at + " = T_softmax_exp" + at + " / T_softmax_expsum" + at_row);
  k.close_block();
  return k.str();
}

}  // namespace

void register_reduce(std::vector<OpDef>& ops) {
  for (const char* name : {"sum", "mean"}) {
    OpDef op;
    op.name = name;
    op.kernel_name = name;
    op.operands = {{"x"}};
    op.attrs = {axes_attr("axis"), bool_attr("keepdims", false)};
    op.infer = infer_reduce;
    op.legalize = reduce_kernel;
    ops.push_back(op);
  }
  OpDef softmax;
  softmax.name = "nn.softmax";
  softmax.kernel_name = "softmax";
  softmax.operands = {{"x"}};
  softmax.attrs = {int_attr("axis", -1)};
  softmax.infer = infer_same;
  softmax.legalize = softmax_kernel;
  ops.push_back(softmax);
}

}  // namespace relaxc::ops
