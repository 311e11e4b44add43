// Neural-network operators that are neither convolutions (nn_conv.cc), pooling (nn_pool.cc),
// normalizations (nn_norm.cc) nor attention (nn_attention.cc): R.nn.log_softmax (the stable
// form x - max - log(sum(exp(x - max)))), R.nn.dropout (inference: the input and a mask of ones,
// TVM's tuple), R.nn.pad (constant, reflect, replicate and circular, numpy's constant, reflect,
// edge and wrap) and R.nn.prelu (a slope per channel along `axis`).
#include <algorithm>

#include "compiler/ops/kernel_text.h"
#include "compiler/ops/nn_util.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/reduce_kernel.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

StructInfoPtr infer_log_softmax(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (a.dtype != DataType::Void && !is_float(a.dtype)) dtype_error(c, a.dtype, "it needs float data");
  if (a.rank() == 0) c.error("needs a tensor of at least one axis");
  if (a.rank() > 0 && !normalize_axis(c.attrs.get_int("axis"), static_cast<size_t>(a.rank()))) {
    c.error_at("axis", "axis " + std::to_string(c.attrs.get_int("axis")) + " is out of range for rank " + std::to_string(a.rank()));
  }
  return like(a, a.dtype);
}

std::string log_softmax_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  DataType dtype = a.dtype, acc = accumulate_dtype(dtype);
  size_t rank = shape.size(), ax = *normalize_axis(request.attrs.get_int("axis"), rank);
  // The per-row intermediates keep the axis with extent 1, so no buffer is 0-d.
  std::vector<std::string> full = dim_texts(shape), kept = full;
  kept[ax] = "T.int64(1)";
  KernelText k(name);
  k.param("A", shape, dtype);
  k.param("T_log_softmax", shape, dtype);
  k.alloc("T_maxelem", kept, acc);
  k.alloc("T_expsum", kept, acc);
  std::vector<std::string> loops = loop_names("i", rank), index = iter_names(loops), row = index;
  row[ax] = "T.int64(0)";
  std::string reduce_kinds(rank, 'S');
  reduce_kinds[ax] = 'R';
  std::string x = cast_text(dtype, acc, indexed("A", index)), max = indexed("T_maxelem", row), sum = indexed("T_expsum", row);
  k.open_block("T_maxelem", loops, full, reduce_kinds);
  k.line("with T.init():");
  k.line("    " + max + " = " + extreme_text(acc, true));
  k.line(max + " = T.max(" + max + ", " + x + ")");
  k.close_block();
  k.open_block("T_expsum", loops, full, reduce_kinds);
  k.line("with T.init():");
  k.line("    " + sum + " = " + dtype_literal(acc, 0));
  k.line(sum + " = " + sum + " + T.exp(" + x + " - " + max + ")");
  k.close_block();
  k.open_block("T_log_softmax", loops, full, std::string(rank, 'S'));
  k.line(indexed("T_log_softmax", index) + " = " + cast_text(acc, dtype, x + " - " + max + " - T.log(" + sum + ")"));
  k.close_block();
  return k.str();
}

// ---- dropout ----

StructInfoPtr infer_dropout(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  double rate = c.attrs.get_float("rate");
  if (rate < 0 || rate > 1) c.error_at("rate", "rate must be in [0, 1]");
  return make_tuple_sinfo({like(a, a.dtype), like(a, a.dtype)});
}

// At inference dropout keeps every element: the input, and a mask of ones (TVM's legalization).
std::string dropout_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  KernelText k(name);
  k.param("A", shape, a.dtype);
  k.param("T_dropout", shape, a.dtype);
  k.param("T_dropout_mask", shape, a.dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), at = iter_names(loops);
  k.open_block("T_dropout", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_dropout", at) + " = " + indexed("A", at));
  k.line(indexed("T_dropout_mask", at) + " = " + dtype_literal(a.dtype, 1));
  k.close_block();
  return k.str();
}

// ---- pad ----

StructInfoPtr infer_pad(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  if (!require_attr(c, "pad_width") || a.rank() < 0) return like(a, a.dtype);
  const std::vector<int64_t>& width = c.attrs.get_ints("pad_width");
  if (width.size() != 2 * static_cast<size_t>(a.rank())) {
    c.error_at("pad_width", "pad_width takes 2 values (before, after) per axis: " + std::to_string(2 * a.rank()) + " for rank " +
                                std::to_string(a.rank()) + ", not " + std::to_string(width.size()));
    return like(a, a.dtype);
  }
  if (std::any_of(width.begin(), width.end(), [](int64_t w) { return w < 0; })) {
    c.error_at("pad_width", "pad_width must not be negative");
    return like(a, a.dtype);
  }
  if (!a.shape) return like(a, a.dtype);
  std::vector<tir::Expr> out;
  for (size_t i = 0; i < a.shape->size(); ++i) {
    int64_t added = width[2 * i] + width[2 * i + 1];
    std::optional<int64_t> n = const_dim((*a.shape)[i]);
    const std::string& mode = c.attrs.get_string("pad_mode");
    if (n == 0 && added > 0 && mode != "constant") {
      c.error("pad_mode=\"" + mode + "\" cannot pad axis " + std::to_string(i) + ", which is empty");
      return like(a, a.dtype);
    }
    // Wrapping around more than once is where numpy's wrap stops being periodic (PyTorch refuses).
    if (n && mode == "circular" && std::max(width[2 * i], width[2 * i + 1]) > *n) {
      c.error_at("pad_width", "pad_mode=\"circular\" pads axis " + std::to_string(i) + " of extent " + std::to_string(*n) + " by more than its extent");
      return like(a, a.dtype);
    }
    out.push_back(dim_plus((*a.shape)[i], added));
  }
  return make_tensor_sinfo(out, a.dtype);
}

// The source index along one axis of extent n for the output index v padded by `before`.
std::string pad_source(const std::string& mode, const std::string& v, int64_t before, const std::string& n) {
  std::string i = before ? "(" + v + " - " + std::to_string(before) + ")" : v;
  if (mode == "replicate") return "T.min(T.max(" + i + ", T.int64(0)), " + n + " - T.int64(1))";
  if (mode == "circular") return "T.floormod(" + i + ", " + n + ")";
  // reflect: mirrored about the edges without repeating them, with period 2 (n - 1); one element
  // reflects onto itself.
  std::string period = "(" + n + " - T.int64(1)) * T.int64(2)";
  std::string m = "T.floormod(" + i + ", " + period + ")";
  return "T.if_then_else(" + n + " == T.int64(1), T.int64(0), T.if_then_else(" + m + " < " + n + ", " + m + ", " + period + " - " + m + "))";
}

std::string pad_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  const std::vector<int64_t>& width = request.attrs.get_ints("pad_width");
  const std::string& mode = request.attrs.get_string("pad_mode");
  KernelText k(name);
  k.param("A", shape, a.dtype);
  k.param("T_pad", out_shape, a.dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), at = iter_names(loops), source, inside, nonempty;
  for (size_t i = 0; i < shape.size(); ++i) {
    std::string n = dim_text(shape[i]), before = std::to_string(width[2 * i]);
    if (mode == "constant") {
      source.push_back(width[2 * i] ? at[i] + " - " + before : at[i]);
      if (width[2 * i] || width[2 * i + 1]) inside.push_back(before + " <= " + at[i] + " and " + at[i] + " < " + n + " + " + before);
      continue;
    }
    source.push_back(pad_source(mode, at[i], width[2 * i], n));
    // An axis that is empty at run time has nothing to repeat: its padding reads as 0.
    if (!const_dim(shape[i])) nonempty.push_back(n + " > T.int64(0)");
  }
  std::string value = indexed("A", source);
  std::string fill = dtype_literal(a.dtype, mode == "constant" ? request.attrs.get_float("pad_value") : 0);
  if (!inside.empty()) value = "T.if_then_else(" + join_text(inside, " and ") + ", " + value + ", " + fill + ")";
  if (!nonempty.empty()) value = "T.if_then_else(" + join_text(nonempty, " and ") + ", " + value + ", " + fill + ")";
  k.open_block("T_pad", loops, dim_texts(out_shape), std::string(shape.size(), 'S'));
  k.line(indexed("T_pad", at) + " = " + value);
  k.close_block();
  return k.str();
}

// ---- prelu ----

StructInfoPtr infer_prelu(const InferCall& c) {
  const StructInfo& a = *c.operands[0];
  const StructInfo& alpha = *c.operands[1];
  if (a.dtype != DataType::Void && !is_float(a.dtype)) dtype_error(c, a.dtype, "it needs float data");
  common_dtype(c, a, alpha);
  if (alpha.rank() >= 0 && alpha.rank() != 1) c.error("its alpha must have one axis, not " + std::to_string(alpha.rank()));
  if (a.rank() < 0) return like(a, a.dtype);
  std::optional<size_t> axis = normalize_axis(c.attrs.get_int("axis"), static_cast<size_t>(a.rank()));
  if (!axis) {
    c.error_at("axis", "axis " + std::to_string(c.attrs.get_int("axis")) + " is out of range for rank " + std::to_string(a.rank()));
  } else if (a.shape && alpha.shape && alpha.shape->size() == 1) {
    std::optional<int64_t> n = const_dim((*a.shape)[*axis]), m = const_dim((*alpha.shape)[0]);
    if (n && m && *m != 1 && *m != *n) c.error("its alpha has " + std::to_string(*m) + " slopes but axis " + std::to_string(*axis) + " has " + std::to_string(*n) + " channels");
  }
  return like(a, a.dtype);
}

std::string prelu_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& a = *request.operands[0].sinfo;
  const StructInfo& alpha = *request.operands[1].sinfo;
  const std::vector<tir::Expr>& shape = shape_of(a);
  size_t axis = *normalize_axis(request.attrs.get_int("axis"), shape.size());
  KernelText k(name);
  k.param("A", shape, a.dtype);
  k.param("B", shape_of(alpha), a.dtype);
  k.param("compute", shape, a.dtype);
  std::vector<std::string> loops = loop_names("ax", shape.size()), at = iter_names(loops);
  std::string x = indexed("A", at), slope = "B[" + broadcast_index(shape_of(alpha)[0], shape[axis], at[axis]) + "]";
  k.open_block("compute", loops, dim_texts(shape), std::string(shape.size(), 'S'));
  k.line(indexed("compute", at) + " = T.if_then_else(" + x + " > " + dtype_literal(a.dtype, 0) + ", " + x + ", " + x + " * " + slope + ")");
  k.close_block();
  return k.str();
}

}  // namespace

void register_nn(std::vector<OpDef>& ops) {
  ops.push_back(define_op("nn.log_softmax", "log_softmax", {{"data"}}, {int_attr("axis", -1)}, infer_log_softmax, log_softmax_kernel));

  ops.push_back(define_op("nn.dropout", "dropout", {{"data"}}, {float_attr("rate", 0.5)}, infer_dropout, dropout_kernel));

  ops.push_back(define_op("nn.pad", "pad", {{"data"}},
                          {required_attr("pad_width", AttrKind::IntList),
                           string_attr("pad_mode", "constant", {"constant", "reflect", "replicate", "circular"}), float_attr("pad_value", 0.0)},
                          infer_pad, pad_kernel));

  ops.push_back(define_op("nn.prelu", "prelu", {{"data"}, {"alpha"}}, {int_attr("axis", 1)}, infer_prelu, prelu_kernel));
}

}  // namespace relaxc::ops
