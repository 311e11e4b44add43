// The reduction pieces shared by reduce.cc and statistics.cc (see reduce_kernel.h).
#include "compiler/ops/reduce_kernel.h"

#include <algorithm>

#include "compiler/ops/op_util.h"

namespace relaxc::ops {

using relax::StructInfo;
using relax::StructInfoPtr;

StructInfoPtr infer_reduced(const InferCall& c, DataType dtype, bool one_axis) {
  const StructInfo& a = *c.operands[0];
  bool keep = c.attrs.get_bool("keepdims");
  std::optional<std::vector<int64_t>> axes = c.attrs.get_axes("axis");
  if (one_axis && axes && axes->size() != 1) {
    c.error_at("axis", "axis takes one axis or None, not " + std::to_string(axes->size()) + " axes");
    return make_tensor_sinfo(std::nullopt, dtype);
  }
  int rank = a.rank();
  if (rank < 0) {
    if (!axes && !keep) return make_tensor_sinfo(std::vector<tir::Expr>{}, dtype);
    return make_tensor_sinfo(std::nullopt, dtype);
  }
  std::vector<bool> reduced(static_cast<size_t>(rank), !axes);
  for (int64_t axis : axes.value_or(std::vector<int64_t>{})) {
    std::optional<size_t> k = normalize_axis(axis, static_cast<size_t>(rank));
    if (!k) {
      c.error_at("axis", "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
      return make_tensor_sinfo(std::nullopt, dtype, keep ? rank : -1);
    }
    if (reduced[*k]) {
      c.error_at("axis", "axis " + std::to_string(*k) + " is given more than once");
      return make_tensor_sinfo(std::nullopt, dtype, keep ? rank : -1);
    }
    reduced[*k] = true;
  }
  std::vector<tir::Expr> out;
  for (size_t i = 0; i < reduced.size(); ++i) {
    if (!reduced[i]) out.push_back(a.shape ? (*a.shape)[i] : dim_const(1));
    else if (keep) out.push_back(dim_const(1));
  }
  // Without a known input shape only the reduced extents (1 under keepdims) are known.
  bool known = a.shape || std::all_of(reduced.begin(), reduced.end(), [](bool r) { return r; });
  if (!known) return make_tensor_sinfo(std::nullopt, dtype, static_cast<int>(out.size()));
  return make_tensor_sinfo(out, dtype);
}

std::vector<bool> reduced_axes(const Attrs& attrs, size_t rank) {
  std::optional<std::vector<int64_t>> axes = attrs.get_axes("axis");
  std::vector<bool> reduced(rank, !axes);
  for (int64_t axis : axes.value_or(std::vector<int64_t>{})) reduced[*normalize_axis(axis, rank)] = true;
  return reduced;
}

std::string ReduceNest::count() const {
  if (reduced_extents.empty()) return "T.int64(1)";
  if (reduced_extents.size() == 1) return reduced_extents[0];
  std::vector<std::string> factors;
  for (const std::string& e : reduced_extents) factors.push_back("(" + e + ")");
  return join_text(factors, " * ");
}

ReduceNest reduce_nest(const std::vector<tir::Expr>& shape, const std::vector<bool>& reduced, bool keepdims) {
  ReduceNest nest;
  for (size_t i = 0; i < shape.size(); ++i) {
    std::string loop = (reduced[i] ? "k" : "ax") + std::to_string(i);
    std::string extent = dim_text(shape[i]);
    nest.loops.push_back(loop);
    nest.extents.push_back(extent);
    nest.kinds += reduced[i] ? 'R' : 'S';
    nest.in_index.push_back("v_" + loop);
    nest.kept_index.push_back(reduced[i] ? "T.int64(0)" : "v_" + loop);
    nest.kept_dims.push_back(reduced[i] ? "T.int64(1)" : extent);
    if (!reduced[i] || keepdims) {
      nest.out_index.push_back(nest.kept_index.back());
      nest.out_dims.push_back(nest.kept_dims.back());
    }
    if (!reduced[i]) continue;
    nest.reduces = true;
    nest.reduced_extents.push_back(extent);
    std::optional<int64_t> size = const_dim(shape[i]);
    if (!size || *size <= 0) nest.maybe_empty = true;
    if (size == 0 && !nest.empty_axis) nest.empty_axis = i;
  }
  return nest;
}

std::vector<std::string> open_spatial(KernelText& k, const std::string& block, const std::vector<std::string>& dims) {
  std::vector<std::string> loops = loop_names("ax", dims.size());
  k.open_block(block, loops, dims, std::string(dims.size(), 'S'));
  return iter_names(loops);
}

std::string combine_text(const std::string& pattern, const std::string& acc, const std::string& x) {
  std::string out = pattern;
  for (const auto& [key, text] : {std::pair<std::string, std::string>{"{acc}", acc}, {"{x}", x}}) {
    for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + text.size())) out.replace(at, key.size(), text);
  }
  return out;
}

void emit_reduction(KernelText& k, const ReduceNest& nest, const Reduction& r) {
  const std::vector<std::string>& index = r.kept ? nest.kept_index : nest.out_index;
  std::string target = indexed(r.target, index);
  if (!nest.reduces) {
    k.open_block(r.block, nest.loops, nest.extents, nest.kinds);
    k.line(target + " = " + combine_text(r.combine, r.identity, r.term));
    k.close_block();
    return;
  }
  if (nest.maybe_empty) {
    std::vector<std::string> at = open_spatial(k, r.block + "_init", r.kept ? nest.kept_dims : nest.out_dims);
    k.line(indexed(r.target, at) + " = " + r.identity);
    k.close_block();
  }
  k.open_block(r.block, nest.loops, nest.extents, nest.kinds);
  k.line("with T.init():");
  k.line("    " + target + " = " + r.identity);
  k.line(target + " = " + combine_text(r.combine, target, r.term));
  k.close_block();
}

std::string infinity_text(DataType dtype, bool negative) {
  std::string f32 = negative ? "T.float32(-1e39)" : "T.float32(1e39)";
  if (dtype == DataType::Float32) return f32;
  return "T.Cast(\"" + std::string(dtype_name(dtype)) + "\", " + f32 + ")";
}

std::string extreme_text(DataType dtype, bool lowest) {
  if (is_float(dtype)) return infinity_text(dtype, lowest);
  return std::string(lowest ? "T.min_value(\"" : "T.max_value(\"") + dtype_name(dtype) + "\")";
}

std::string isnan_text(const std::string& x) { return "T.isnan(" + x + ")"; }

}  // namespace relaxc::ops
