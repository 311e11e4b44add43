// Building and comparing struct info: the small vocabulary that the checker, the operator
// registry and the passes share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/relax.h"

namespace relaxc {

relax::StructInfoPtr make_tensor_sinfo(std::optional<std::vector<tir::Expr>> shape, DataType dtype, int ndim = -1);
relax::StructInfoPtr make_tuple_sinfo(std::vector<relax::StructInfoPtr> fields);
relax::StructInfoPtr make_shape_sinfo(std::optional<std::vector<tir::Expr>> dims, int ndim = -1);
// The shape of a tensor of struct info `tensor`: its dimensions when known, else its rank.
relax::StructInfoPtr shape_sinfo_of(const relax::StructInfo& tensor);
relax::StructInfoPtr object_sinfo();
bool same_dim(const tir::Expr& a, const tir::Expr& b);
// The value of a constant dimension.
std::optional<int64_t> const_dim(const tir::Expr& dim);
tir::Expr dim_const(int64_t value);
// "(1, n, 3)", as TVM prints a shape.
std::string shape_text(const std::vector<tir::Expr>& shape);

}  // namespace relaxc
