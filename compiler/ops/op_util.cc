#include "compiler/ops/op_util.h"

#include <algorithm>

#include "compiler/ops/kernel_text.h"

namespace relaxc::ops {

using relax::StructInfo;

std::optional<std::vector<tir::Expr>> broadcast_shapes(const std::vector<tir::Expr>& x, const std::vector<tir::Expr>& y) {
  size_t rank = std::max(x.size(), y.size());
  std::vector<tir::Expr> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const tir::Expr* dx = i < rank - x.size() ? nullptr : &x[i - (rank - x.size())];
    const tir::Expr* dy = i < rank - y.size() ? nullptr : &y[i - (rank - y.size())];
    if (!dx || (const_dim(*dx) == 1 && dy)) out[i] = *dy;
    else if (!dy || const_dim(*dy) == 1 || same_dim(*dx, *dy)) out[i] = *dx;
    else if (const_dim(*dx) && const_dim(*dy)) return std::nullopt;
    else out[i] = *dx;
  }
  return out;
}

std::optional<size_t> normalize_axis(int64_t axis, size_t rank) {
  int64_t k = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  if (k < 0 || k >= static_cast<int64_t>(rank)) return std::nullopt;
  return static_cast<size_t>(k);
}

DataType common_dtype(const InferCall& c, const StructInfo& a, const StructInfo& b) {
  if (a.dtype != DataType::Void && b.dtype != DataType::Void && a.dtype != b.dtype) {
    c.diags.error(c.call.loc, c.op_name() + " operands have different dtypes, " + dtype_name(a.dtype) + " and " + dtype_name(b.dtype));
  }
  return a.dtype != DataType::Void ? a.dtype : b.dtype;
}

relax::StructInfoPtr like(const StructInfo& a, DataType dtype) { return make_tensor_sinfo(a.shape, dtype, a.ndim); }

const std::vector<tir::Expr>& shape_of(const StructInfo& sinfo) { return *sinfo.shape; }

std::string broadcast_index(const tir::Expr& operand_dim, const tir::Expr& out_dim, const std::string& iter) {
  auto is_one = [](const tir::Expr& dim) { return const_dim(dim) == 1; };
  return is_one(operand_dim) && !is_one(out_dim) ? "T.int64(0)" : iter;
}

std::vector<std::string> loop_names(const std::string& prefix, size_t count) {
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

std::vector<std::string> iter_names(const std::vector<std::string>& loops) {
  std::vector<std::string> out;
  for (const std::string& loop : loops) out.push_back("v_" + loop);
  return out;
}

std::vector<std::string> dim_texts(const std::vector<tir::Expr>& shape) {
  std::vector<std::string> out;
  for (const tir::Expr& d : shape) out.push_back(dim_text(d));
  return out;
}

std::string indexed(const std::string& buffer, const std::vector<std::string>& indices) {
  return buffer + "[" + (indices.empty() ? std::string("()") : join_text(indices)) + "]";
}

}  // namespace relaxc::ops
