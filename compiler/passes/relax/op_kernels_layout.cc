// Operators that move elements without changing them: permute_dims (TVM's "transpose"),
// reshape and flatten (the same elements in row-major order under a new shape).
#include "compiler/passes/relax/kernel_text.h"
#include "compiler/passes/relax/op_kernels.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::legalize {

std::string permute_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  size_t rank = shape_of(a).size();
  std::vector<int64_t> fallback;
  for (size_t i = rank; i-- > 0;) fallback.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> axes = int_list_attr(request.call, "axes", fallback);
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

}  // namespace relaxc::legalize
