// matmul (numpy's: batch axes broadcast, 1-D operands promoted and their axis dropped) and
// nn.linear (x @ w.T + b, bias optional) as reduction blocks.
#include "compiler/ops/kernel_text.h"
#include "compiler/ir/printer/printer_internal.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

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

// out_dtype when given (the products and the sum are computed in it), else the operands'.
DataType result_dtype(const InferCall& c, DataType operands) {
  std::optional<DataType> out = c.attrs.get_dtype("out_dtype");
  return out ? *out : operands;
}

StructInfoPtr infer_matmul(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  const StructInfo& b = *c.operands[1];
  DataType dtype = result_dtype(c, common_dtype(c, a, b));
  if (a.rank() == 0 || b.rank() == 0) c.error("0-d operands are not defined (numpy rejects them too); use R.multiply");
  if (!a.shape || !b.shape || a.shape->empty() || b.shape->empty()) return make_tensor_sinfo(std::nullopt, dtype);
  std::vector<tir::Expr> x = *a.shape, y = *b.shape;
  const tir::Expr& k1 = x.back();
  const tir::Expr& k2 = y.size() == 1 ? y[0] : y[y.size() - 2];
  if (const_dim(k1) && const_dim(k2) && *const_dim(k1) != *const_dim(k2)) c.error("inner dimensions differ, " + shape_text(x) + " @ " + shape_text(y));
  // numpy's rule: the batch axes (all but the last two) broadcast; a 1-D operand's axis drops.
  std::vector<tir::Expr> xb(x.begin(), x.end() - std::min<size_t>(x.size(), 2));
  std::vector<tir::Expr> yb(y.begin(), y.end() - std::min<size_t>(y.size(), 2));
  std::optional<std::vector<tir::Expr>> batch = broadcast_shapes(xb, yb);
  if (!batch) {
    c.error("batch shapes " + shape_text(x) + " and " + shape_text(y) + " cannot be broadcast together");
    return make_tensor_sinfo(std::nullopt, dtype, static_cast<int>(std::max(xb.size(), yb.size()) + 2));
  }
  std::vector<tir::Expr> out = *batch;
  if (x.size() > 1) out.push_back(x[x.size() - 2]);
  if (y.size() > 1) out.push_back(y.back());
  return make_tensor_sinfo(out, dtype);
}

StructInfoPtr infer_linear(const InferCall& c) {
  const StructInfo& x = *c.operands[0];
  const StructInfo& w = *c.operands[1];
  DataType dtype = result_dtype(c, common_dtype(c, x, w));
  if (!x.shape || !w.shape || w.shape->size() != 2 || x.shape->empty()) return make_tensor_sinfo(std::nullopt, dtype);
  std::vector<tir::Expr> out(x.shape->begin(), x.shape->end() - 1);
  const tir::Expr& in1 = x.shape->back();
  const tir::Expr& in2 = (*w.shape)[1];
  if (const_dim(in1) && const_dim(in2) && *const_dim(in1) != *const_dim(in2)) {
    c.error("input has " + printing::print_dim(in1, false) + " features but the weight expects " + printing::print_dim(in2, false));
  }
  out.push_back((*w.shape)[0]);
  return make_tensor_sinfo(out, dtype);
}

std::string matmul_kernel(const std::string& name, const KernelRequest& request) {
  const relax::StructInfo& a = *request.operands[0].sinfo;
  const relax::StructInfo& b = *request.operands[1].sinfo;
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = request.result->dtype;
  size_t ra = shape_of(a).size(), rb = shape_of(b).size(), rank = out_shape.size();
  // numpy rejects 0-d operands; two vectors give a 0-d dot product.
  if (ra == 0 || rb == 0) throw CompileError(request.call.loc, "R.matmul of 0-d tensors is not defined (numpy rejects them too); use R.multiply");
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
  std::string out = indexed("matmul", out_index);
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

}  // namespace

void register_linalg(std::vector<OpDef>& ops) {
  ops.push_back(define_op("matmul", "matmul", {{"x1"}, {"x2"}}, {dtype_attr("out_dtype")}, infer_matmul, matmul_kernel));
  ops.push_back(define_op("nn.linear", "linear", {{"input"}, {"weight"}, {"bias", OperandKind::Tensor, true}}, {dtype_attr("out_dtype")}, infer_linear,
                          linear_kernel));
}

}  // namespace relaxc::ops
