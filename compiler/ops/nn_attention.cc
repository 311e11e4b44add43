// R.nn.attention and R.nn.attention_bias (TVM prints the first as the second when it has a bias):
// softmax(Q K^T * scale + bias) V over query (B, S, N, H), key (B, T, Nk, H) and value
// (B, T, Nk, Hv) in TVM's BSNH layout, giving (B, S, N, Hv). scale defaults to 1 / sqrt(H); the
// bias, 4-d and ending in T, broadcasts to (B, N, S, T). causal_mask keeps key j for query i
// when j <= i + offset: offset 0 for "TopLeft", |S - T| for "BottomRight" (TVM's definition).
// With fewer key heads than query heads (Nk divides N) query head h reads key head h / (N / Nk).
// The softmax subtracts the largest kept score (the stable form) and leaves masked keys out;
// float16 is computed in float32. window_size (sliding windows) has no kernel, as in TVM.
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/nn_util.h"
#include "compiler/ops/op_util.h"
#include "compiler/ops/reduce_kernel.h"

namespace relaxc::ops {

namespace {

using relax::StructInfo;
using relax::StructInfoPtr;

// Reports unequal constant extents; false after an error.
bool same_extent(const InferCall& c, const tir::Expr& a, const tir::Expr& b, const std::string& what) {
  std::optional<int64_t> x = const_dim(a), y = const_dim(b);
  if (x && y && *x != *y) {
    c.error(what + " differ: " + std::to_string(*x) + " and " + std::to_string(*y));
    return false;
  }
  return true;
}

bool check_bias(const InferCall& c, const std::vector<tir::Expr>& scores) {
  const StructInfo& bias = *c.operands[3];
  if (bias.rank() >= 0 && bias.rank() != 4) {
    c.error("its bias must be 4-d (broadcasting to batch, heads, queries, keys), not " + std::to_string(bias.rank()) + "-d");
    return false;
  }
  if (!bias.shape) return true;
  for (size_t i = 0; i < 4; ++i) {
    std::optional<int64_t> b = const_dim((*bias.shape)[i]), s = const_dim(scores[i]);
    if (b && s && *b != *s && (*b != 1 || i == 3)) {
      c.error("its bias of shape " + shape_text(*bias.shape) + " does not broadcast to the scores' " + shape_text(scores));
      return false;
    }
  }
  return true;
}

StructInfoPtr infer_attention(const InferCall& c) {
  const StructInfo &q = *c.operands[0], &key = *c.operands[1], &v = *c.operands[2];
  StructInfoPtr unknown = make_tensor_sinfo(std::nullopt, q.dtype, 4);
  if (q.dtype != DataType::Void && !is_float(q.dtype)) {
    dtype_error(c, q.dtype, "it needs float data");
    return unknown;
  }
  for (size_t i = 1; i < c.operands.size(); ++i) {
    if (c.operands[i]->dtype != DataType::Void && q.dtype != DataType::Void && c.operands[i]->dtype != q.dtype) {
      c.error("its " + c.op.operands[i].name + " is " + dtype_name(c.operands[i]->dtype) + " but its query is " + dtype_name(q.dtype));
      return unknown;
    }
  }
  for (const StructInfo* t : {&q, &key, &v}) {
    if (t->rank() >= 0 && t->rank() != 4) {
      c.error("takes 4-d query, key and value (batch, sequence, heads, head size), not " + std::to_string(t->rank()) + "-d");
      return unknown;
    }
  }
  if (!q.shape || !key.shape || !v.shape) return unknown;
  const auto &qs = *q.shape, &ks = *key.shape, &vs = *v.shape;
  if (!same_extent(c, qs[0], ks[0], "the batch sizes of query and key") || !same_extent(c, qs[0], vs[0], "the batch sizes of query and value") ||
      !same_extent(c, ks[1], vs[1], "the sequence lengths of key and value") || !same_extent(c, qs[3], ks[3], "the head sizes of query and key") ||
      !same_extent(c, ks[2], vs[2], "the head counts of key and value")) {
    return unknown;
  }
  std::optional<int64_t> n = const_dim(qs[2]), nk = const_dim(ks[2]);
  if (!same_dim(qs[2], ks[2]) && (!n || !nk || *nk == 0 || *n % *nk != 0)) {
    c.error("the query's head count must be a multiple of the key's (known at compile time when they differ)");
    return unknown;
  }
  if (c.operands.size() == 4 && !check_bias(c, {qs[0], qs[2], qs[1], ks[1]})) return unknown;
  if (!attr_none(c.attrs, "window_size")) c.error_at("window_size", "window_size (sliding-window attention) is not supported");
  return make_tensor_sinfo(std::vector<tir::Expr>{qs[0], qs[1], qs[2], vs[3]}, q.dtype);
}

// The text of the head of key and value that query head `h` reads.
std::string kv_head(const std::vector<tir::Expr>& q, const std::vector<tir::Expr>& key, const std::string& h) {
  if (same_dim(q[2], key[2])) return h;
  return h + " // " + std::to_string(*const_dim(q[2]) / *const_dim(key[2]));
}

// The mask condition for query i and key j, or "" without a mask.
std::string causal_condition(const KernelRequest& r, const tir::Expr& s, const tir::Expr& t) {
  if (attr_none(r.attrs, "causal_mask")) return "";
  if (r.attrs.get_string("causal_mask") == "TopLeft") return "v_j <= v_i";
  std::optional<int64_t> a = const_dim(s), b = const_dim(t);
  std::string offset = a && b ? std::to_string(*a > *b ? *a - *b : *b - *a) : "T.max(" + dim_text(s) + " - " + dim_text(t) + ", " + dim_text(t) + " - " + dim_text(s) + ")";
  return "v_j <= v_i + " + offset;
}

// The scaled (and biased) score of query i, key j: text over v_b, v_h, v_i, v_j.
std::string scaled_score(const KernelRequest& r, const std::vector<tir::Expr>& scores, DataType acc, const std::vector<tir::Expr>& q) {
  std::string score = "T_score[v_b, v_h, v_i, v_j]";
  if (attr_none(r.attrs, "scale")) score += " / T.sqrt(T.Cast(\"" + std::string(dtype_name(acc)) + "\", " + dim_text(q[3]) + "))";
  else score += " * " + dtype_literal(acc, r.attrs.get_float("scale"));
  if (r.operands.size() < 4) return score;
  const std::vector<tir::Expr>& bias = shape_of(*r.operands[3].sinfo);
  std::vector<std::string> iters = {"v_b", "v_h", "v_i", "v_j"}, index;
  for (size_t i = 0; i < 4; ++i) index.push_back(broadcast_index(bias[i], scores[i], iters[i]));
  return score + " + " + cast_text(r.operands[3].sinfo->dtype, acc, indexed("D", index));
}

std::string attention_kernel(const std::string& name, const KernelRequest& request) {
  const StructInfo& query = *request.operands[0].sinfo;
  const std::vector<tir::Expr> &q = shape_of(query), &key = shape_of(*request.operands[1].sinfo), &v = shape_of(*request.operands[2].sinfo);
  const std::vector<tir::Expr>& out_shape = shape_of(*request.result);
  DataType dtype = query.dtype, acc = accumulate_dtype(dtype);
  std::vector<tir::Expr> scores = {q[0], q[2], q[1], key[1]};
  std::vector<std::string> sd = dim_texts(scores), rows = sd;
  rows[3] = "T.int64(1)";
  KernelText k(name);
  k.param("A", q, dtype);
  k.param("B", key, dtype);
  k.param("C", v, dtype);
  if (request.operands.size() == 4) k.param("D", shape_of(*request.operands[3].sinfo), request.operands[3].sinfo->dtype);
  k.param("T_attention", out_shape, dtype);
  for (const char* buffer : {"T_score", "T_exp"}) k.alloc(buffer, sd, acc);
  for (const char* buffer : {"T_max", "T_sum"}) k.alloc(buffer, rows, acc);
  k.alloc("T_weighted", dim_texts(out_shape), acc);
  std::string kv = kv_head(q, key, "v_h"), mask = causal_condition(request, q[1], key[1]);
  std::string zero = dtype_literal(acc, 0), row = "[v_b, v_h, v_i, T.int64(0)]";
  bool no_head = maybe_zero(q[3]), no_key = maybe_zero(key[1]);
  if (no_head) fill_block(k, "T_score", sd, zero);
  k.open_block("T_score", {"b", "h", "i", "j", "d"}, {sd[0], sd[1], sd[2], sd[3], dim_text(q[3])}, "SSSSR");
  k.line("with T.init():");
  k.line("    T_score[v_b, v_h, v_i, v_j] = " + zero);
  k.line("T_score[v_b, v_h, v_i, v_j] = T_score[v_b, v_h, v_i, v_j] + " + cast_text(dtype, acc, "A[v_b, v_i, v_h, v_d]") + " * " +
         cast_text(dtype, acc, "B[v_b, v_j, " + kv + ", v_d]"));
  k.close_block();
  std::string p = scaled_score(request, scores, acc, q), lowest = extreme_text(acc, true);
  std::string kept = mask.empty() ? p : "T.if_then_else(" + mask + ", " + p + ", " + lowest + ")";
  if (no_key) fill_block(k, "T_max", rows, lowest);
  k.open_block("T_max", {"b", "h", "i", "j"}, sd, "SSSR");
  k.line("with T.init():");
  k.line("    T_max" + row + " = " + lowest);
  k.line("T_max" + row + " = T.max(T_max" + row + ", " + kept + ")");
  k.close_block();
  k.open_block("T_exp", {"b", "h", "i", "j"}, sd, "SSSS");
  std::string e = "T.exp(" + p + " - T_max" + row + ")";
  k.line("T_exp[v_b, v_h, v_i, v_j] = " + (mask.empty() ? e : "T.if_then_else(" + mask + ", " + e + ", " + zero + ")"));
  k.close_block();
  if (no_key) fill_block(k, "T_sum", rows, zero);
  k.open_block("T_sum", {"b", "h", "i", "j"}, sd, "SSSR");
  k.line("with T.init():");
  k.line("    T_sum" + row + " = " + zero);
  k.line("T_sum" + row + " = T_sum" + row + " + T_exp[v_b, v_h, v_i, v_j]");
  k.close_block();
  std::string at = "[v_b, v_i, v_h, v_c]";
  if (no_key) fill_block(k, "T_weighted", dim_texts(out_shape), zero);
  k.open_block("T_weighted", {"b", "i", "h", "c", "j"}, {sd[0], sd[2], sd[1], dim_text(v[3]), sd[3]}, "SSSSR");
  k.line("with T.init():");
  k.line("    T_weighted" + at + " = " + zero);
  k.line("T_weighted" + at + " = T_weighted" + at + " + T_exp[v_b, v_h, v_i, v_j] * " + cast_text(dtype, acc, "C[v_b, v_j, " + kv + ", v_c]"));
  k.close_block();
  k.open_block("T_attention", {"b", "i", "h", "c"}, dim_texts(out_shape), "SSSS");
  std::string value = "T_weighted" + at + " / T_sum" + row;
  // No keys at all: the weighted sum of nothing is 0 (numpy's empty product), not 0 / 0.
  if (no_key) value = "T.if_then_else(T_sum" + row + " == " + zero + ", " + zero + ", " + value + ")";
  k.line("T_attention" + at + " = " + cast_text(acc, dtype, value));
  k.close_block();
  return k.str();
}

}  // namespace

void register_nn_attention(std::vector<OpDef>& ops) {
  for (const char* name : {"nn.attention", "nn.attention_bias"}) {
    ops.push_back(define_op(name, std::string(name).substr(3), {{"query"}, {"key"}, {"value"}, {"bias", OperandKind::Tensor, true}},
                            {required_attr("scale", AttrKind::Float), AttrSpec{"causal_mask", AttrKind::String, nullptr, {"TopLeft", "BottomRight"}},
                             required_attr("window_size", AttrKind::Int)},
                            infer_attention, attention_kernel));
  }
}

}  // namespace relaxc::ops
