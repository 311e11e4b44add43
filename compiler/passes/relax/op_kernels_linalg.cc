// matmul (numpy's: batch axes broadcast, 1-D operands promoted and their axis dropped) and
// nn.linear (x @ w.T + b, bias optional) as reduction blocks.
#include "compiler/passes/relax/kernel_text.h"
#include "compiler/passes/relax/op_kernels.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::legalize {

namespace {

// Indices for the leading (batch) axes of an operand, aligned right with the output's batch axes.
std::vector<std::string> batch_indices(const std::vector<tir::Expr>& shape, size_t batch_axes, const std::vector<tir::Expr>& out_shape,
                                       size_t out_batch) {
  std::vector<std::string> out;
  for (size_t t = 0; t < batch_axes; ++t) {
    size_t j = t + (out_batch - batch_axes);
    out.push_back(broadcast_index(shape[t], out_shape[j], "v_i" + std::to_string(j)));
  }
  return out;
}

std::string load(const std::string& buffer, const std::vector<std::string>& indices, DataType from, DataType to) {
  std::string text = buffer + "[" + join_text(indices) + "]";
  return from == to ? text : "T.Cast(\"" + std::string(dtype_name(to)) + "\", " + text + ")";
}

}  // namespace

std::string matmul_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  const relax::StructInfo& b = *request.operands[1].sinfo;
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = request.result->dtype;
  size_t ra = shape_of(a).size(), rb = shape_of(b).size(), rank = out_shape.size();
  if (ra == 0 || rb == 0 || rank == 0) throw CompileError(request.call.loc, "R.matmul of 0-d tensors is not supported");
  size_t out_batch = rank - (ra >= 2 ? 1 : 0) - (rb >= 2 ? 1 : 0);
  KernelText k(name);
  k.param("A", shape_of(a), a.dtype);
  k.param("B", shape_of(b), b.dtype);
  k.param("matmul", out_shape, dtype);
  std::vector<std::string> loops = loop_names("i", rank);
  loops.push_back("k");
  std::vector<std::string> extents = dim_texts(out_shape);
  extents.push_back(dim_text(shape_of(a).back()));
  std::vector<std::string> a_index = ra >= 2 ? batch_indices(shape_of(a), ra - 2, out_shape, out_batch) : std::vector<std::string>{};
  if (ra >= 2) a_index.push_back("v_i" + std::to_string(out_batch));
  a_index.push_back("v_k");
  std::vector<std::string> b_index = rb >= 2 ? batch_indices(shape_of(b), rb - 2, out_shape, out_batch) : std::vector<std::string>{};
  b_index.push_back("v_k");
  if (rb >= 2) b_index.push_back("v_i" + std::to_string(rank - 1));
  std::vector<std::string> out_index;
  for (size_t j = 0; j < rank; ++j) out_index.push_back("v_i" + std::to_string(j));
  std::string out = "matmul[" + join_text(out_index) + "]";
  k.open_block("matmul", loops, extents, std::string(rank, 'S') + "R");
  k.line("with T.init():");
  k.line("    " + out + " = " + dtype_literal(dtype, 0));
  k.line(out + " = " + out + " + " + load("A", a_index, a.dtype, dtype) + " * " + load("B", b_index, b.dtype, dtype));
  k.close_block();
  return k.str();
}

std::string linear_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& x = *request.operands[0].sinfo;
  const relax::StructInfo& w = *request.operands[1].sinfo;
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = request.result->dtype;
  size_t rank = out_shape.size();
  if (shape_of(w).size() != 2 || rank == 0) throw CompileError(request.call.loc, "R.nn.linear takes a weight of rank 2 and an input of rank 1 or more");
  bool bias = request.operands.size() > 2;
  KernelText k(name);
  k.param("x", shape_of(x), x.dtype);
  k.param("w", shape_of(w), w.dtype);
  if (bias) k.param("b", shape_of(*request.operands[2].sinfo), request.operands[2].sinfo->dtype);
  k.param("T_linear", out_shape, dtype);
  std::vector<std::string> loops = loop_names("i", rank);
  loops.push_back("k");
  std::vector<std::string> extents = dim_texts(out_shape);
  extents.push_back(dim_text(shape_of(x).back()));
  std::vector<std::string> out_index, x_index;
  for (size_t j = 0; j < rank; ++j) out_index.push_back("v_i" + std::to_string(j));
  x_index.assign(out_index.begin(), out_index.end() - 1);
  x_index.push_back("v_k");
  std::string last = out_index.back();
  std::string out = "T_linear[" + join_text(out_index) + "]";
  k.open_block("T_linear", loops, extents, std::string(rank, 'S') + "R");
  k.line("with T.init():");
  k.line("    " + out + " = " + (bias ? load("b", {last}, request.operands[2].sinfo->dtype, dtype) : dtype_literal(dtype, 0)));
  k.line(out + " = " + out + " + " + load("x", x_index, x.dtype, dtype) + " * " + load("w", {last, "v_k"}, w.dtype, dtype));
  k.close_block();
  return k.str();
}

}  // namespace relaxc::legalize
