// Helpers the operator families share: numpy broadcasting and axis normalization for
// inference, and the index texts their kernels are written with.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/struct_info.h"
#include "compiler/ops/registry.h"

namespace relaxc::ops {

// numpy's broadcasting of two shapes aligned at the last axis; nullopt when two constant
// extents differ and neither is 1. Symbolic extents that may differ are checked at run time.
std::optional<std::vector<tir::Expr>> broadcast_shapes(const std::vector<tir::Expr>& x, const std::vector<tir::Expr>& y);
// axis in [-rank, rank) as an index, or nullopt.
std::optional<size_t> normalize_axis(int64_t axis, size_t rank);
// The operands' common dtype (an error at the call when two known dtypes differ).
DataType common_dtype(const InferCall& c, const relax::StructInfo& a, const relax::StructInfo& b);
// A tensor like `a` (same shape or rank) with element type `dtype`.
relax::StructInfoPtr like(const relax::StructInfo& a, DataType dtype);

// ---- kernel text ----
const std::vector<tir::Expr>& shape_of(const relax::StructInfo& sinfo);
// The index into an operand's axis of extent `operand_dim` for the output axis of extent
// `out_dim` that `iter` walks: T.int64(0) where numpy broadcasting repeats an extent-1 axis.
std::string broadcast_index(const tir::Expr& operand_dim, const tir::Expr& out_dim, const std::string& iter);
std::vector<std::string> loop_names(const std::string& prefix, size_t count);
std::vector<std::string> iter_names(const std::vector<std::string>& loops);  // v_ax0, ...
std::vector<std::string> dim_texts(const std::vector<tir::Expr>& shape);
// `A[i, j]`, `A[()]` for a 0-d buffer.
std::string indexed(const std::string& buffer, const std::vector<std::string>& indices);

}  // namespace relaxc::ops
