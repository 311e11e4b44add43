// Operators that move elements without changing them: permute_dims (TVM's "transpose"),
// reshape and flatten (the same elements in row-major order under a new shape).
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

StructInfoPtr infer_permute(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype, a.ndim);
  size_t rank = a.shape->size();
  std::optional<std::vector<int64_t>> given = c.attrs.get_axes("axes");
  std::vector<int64_t> axes;
  if (given) axes = *given;
  else
    for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(rank - 1 - i));
  if (axes.size() != rank) {
    c.error(std::to_string(axes.size()) + " axes for a tensor of rank " + std::to_string(rank));
    return make_tensor_sinfo(std::nullopt, a.dtype, static_cast<int>(rank));
  }
  std::vector<tir::Expr> out;
  for (int64_t axis : axes) {
    std::optional<size_t> k = normalize_axis(axis, rank);
    if (!k) {
      c.error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
      return make_tensor_sinfo(std::nullopt, a.dtype, static_cast<int>(rank));
    }
    out.push_back((*a.shape)[*k]);
  }
  return make_tensor_sinfo(out, a.dtype);
}

StructInfoPtr infer_reshape(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  std::vector<tir::Expr> out = *c.shapes[1];
  bool total_known = a.shape.has_value();
  int64_t total = 1;
  if (a.shape) {
    for (const tir::Expr& d : *a.shape) {
      std::optional<int64_t> v = const_dim(d);
      if (v) total *= *v;
      else total_known = false;
    }
  }
  int64_t known = 1;
  int infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    std::optional<int64_t> d = const_dim(out[i]);
    if (d == -1) infer_at = static_cast<int>(i);
    else if (d) known *= *d;
    else total_known = false;
  }
  if (infer_at >= 0 && total_known && known > 0) out[static_cast<size_t>(infer_at)] = dim_const(total / known);
  if (infer_at < 0 && total_known && known != total) {
    c.diags.error(c.call.loc, "R.reshape: cannot reshape " + shape_text(*a.shape) + " (" + std::to_string(total) + " elements) to " + shape_text(out));
  }
  return make_tensor_sinfo(out, a.dtype);
}

StructInfoPtr infer_flatten(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (!a.shape) return make_tensor_sinfo(std::nullopt, a.dtype, 1);
  // The product of the extents: folded where constant, `n * 12` where symbolic.
  int64_t constant = 1;
  tir::Expr symbolic;
  for (const tir::Expr& d : *a.shape) {
    if (std::optional<int64_t> v = const_dim(d)) {
      constant *= *v;
      continue;
    }
    symbolic = symbolic ? std::make_shared<tir::Binary>(tir::BinaryOp::Mul, symbolic, d, DataType::Int64, SourceLoc{}) : d;
  }
  tir::Expr total = dim_const(constant);
  if (symbolic) total = constant == 1 ? symbolic : std::make_shared<tir::Binary>(tir::BinaryOp::Mul, symbolic, total, DataType::Int64, SourceLoc{});
  return make_tensor_sinfo(std::vector<tir::Expr>{total}, a.dtype);
}

std::string permute_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  size_t rank = shape_of(a).size();
  std::vector<int64_t> fallback;
  for (size_t i = rank; i-- > 0;) fallback.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> axes = request.attrs.get_axes("axes").value_or(fallback);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  if (rank == 0) throw CompileError(request.call.loc, "R.permute_dims of a 0-d tensor is not supported");
  KernelText k(name);
  k.param("A", shape_of(a), a.dtype);
  k.param("T_transpose", out_shape, a.dtype);
  std::vector<std::string> loops = loop_names("ax", rank);
  std::vector<std::string> in_index(rank), out_index;
  for (size_t j = 0; j < rank; ++j) {
    int64_t axis = axes[j] < 0 ? axes[j] + static_cast<int64_t>(rank) : axes[j];
    in_index[static_cast<size_t>(axis)] = "v_" + loops[j];
    out_index.push_back("v_" + loops[j]);
  }
  k.open_block("T_transpose", loops, dim_texts(out_shape), std::string(rank, 'S'));
  k.line("T_transpose[" + join_text(out_index) + "] = A[" + join_text(in_index) + "]");
  k.close_block();
  return k.str();
}

std::string reshape_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& in_shape = shape_of(a);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  if (in_shape.empty() || out_shape.empty()) throw CompileError(request.call.loc, "R." + request.call.op + " of 0-d tensors is not supported");
  KernelText k(name);
  k.param("A", in_shape, a.dtype);
  k.param("T_reshape", out_shape, a.dtype);
  std::vector<std::string> loops = loop_names("ax", out_shape.size());
  // The row-major position of the output element, then the input index holding it.
  std::string flat = "v_" + loops[0];
  for (size_t j = 1; j < out_shape.size(); ++j) flat = "(" + flat + ") * (" + dim_text(out_shape[j]) + ") + v_" + loops[j];
  std::vector<std::string> in_index;
  for (size_t i = 0; i < in_shape.size(); ++i) {
    std::string stride;
    for (size_t t = i + 1; t < in_shape.size(); ++t) stride += (stride.empty() ? "" : " * ") + ("(" + dim_text(in_shape[t]) + ")");
    std::string index = stride.empty() ? "(" + flat + ")" : "T.floordiv(" + flat + ", " + stride + ")";
    if (i > 0) index = "T.floormod(" + index + ", " + dim_text(in_shape[i]) + ")";
    in_index.push_back(index);
  }
  std::vector<std::string> out_index;
  for (const std::string& loop : loops) out_index.push_back("v_" + loop);
  k.open_block("T_reshape", loops, dim_texts(out_shape), std::string(out_shape.size(), 'S'));
  k.line("T_reshape[" + join_text(out_index) + "] = A[" + join_text(in_index) + "]");
  k.close_block();
  return k.str();
}

}  // namespace

void register_manipulate(std::vector<OpDef>& ops) {
  OpDef permute;
  permute.name = "permute_dims";
  permute.kernel_name = "transpose";
  permute.operands = {{"x"}};
  permute.attrs = {axes_attr("axes")};
  permute.infer = infer_permute;
  permute.legalize = permute_kernel;
  ops.push_back(permute);

  OpDef reshape;
  reshape.name = "reshape";
  reshape.kernel_name = "reshape";
  reshape.operands = {{"x"}, {"shape", OperandKind::Shape}};
  reshape.infer = infer_reshape;
  reshape.legalize = reshape_kernel;
  reshape.row_major_view = true;
  ops.push_back(reshape);

  OpDef flatten;
  flatten.name = "flatten";
  flatten.kernel_name = "reshape";
  flatten.operands = {{"x"}};
  flatten.infer = infer_flatten;
  flatten.legalize = reshape_kernel;
  flatten.row_major_view = true;
  ops.push_back(flatten);
}

}  // namespace relaxc::ops
