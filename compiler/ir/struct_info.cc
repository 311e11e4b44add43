#include "compiler/ir/struct_info.h"

#include "compiler/ir/printer/printer_internal.h"

namespace relaxc {

using namespace relaxc::relax;

StructInfoPtr make_tensor_sinfo(std::optional<std::vector<tir::Expr>> shape, DataType dtype, int ndim) {
  auto sinfo = std::make_shared<StructInfo>();
  sinfo->kind = StructInfoKind::Tensor;
  sinfo->shape = std::move(shape);
  sinfo->dtype = dtype;
  sinfo->ndim = sinfo->shape ? static_cast<int>(sinfo->shape->size()) : ndim;
  return sinfo;
}

StructInfoPtr make_tuple_sinfo(std::vector<StructInfoPtr> fields) {
  auto sinfo = std::make_shared<StructInfo>();
  sinfo->kind = StructInfoKind::Tuple;
  sinfo->fields = std::move(fields);
  return sinfo;
}

StructInfoPtr make_shape_sinfo(std::optional<std::vector<tir::Expr>> dims, int ndim) {
  auto sinfo = std::make_shared<StructInfo>();
  sinfo->kind = StructInfoKind::Shape;
  sinfo->ndim = dims ? static_cast<int>(dims->size()) : ndim;
  sinfo->shape = std::move(dims);
  return sinfo;
}

StructInfoPtr shape_sinfo_of(const StructInfo& tensor) { return make_shape_sinfo(tensor.shape, tensor.rank()); }

StructInfoPtr object_sinfo() { return std::make_shared<StructInfo>(); }

bool same_dim(const tir::Expr& a, const tir::Expr& b) { return printing::print_dim(a, false) == printing::print_dim(b, false); }

std::optional<int64_t> const_dim(const tir::Expr& dim) {
  if (const auto* integer = dim->as<tir::IntImm>()) return integer->value;
  return std::nullopt;
}

tir::Expr dim_const(int64_t value) { return std::make_shared<tir::IntImm>(value, DataType::Int64, SourceLoc{}); }

std::string shape_text(const std::vector<tir::Expr>& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + printing::print_dim(shape[i], false);
  return out + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace relaxc
