// What the manipulation families (manipulate_join.cc, manipulate_index.cc,
// manipulate_shape.cc) share: dimension arithmetic folded on constants, axis checks that report
// at the attribute, the form an attribute was written in, and the index texts of their kernels.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/struct_info.h"
#include "compiler/ir/tir_build.h"
#include "compiler/ops/kernel_text.h"
#include "compiler/ops/op_util.h"

namespace relaxc::ops {

// ---- dimensions ----
inline tir::Expr dim_add(const tir::Expr& a, const tir::Expr& b) { return tir::build::arith(tir::BinaryOp::Add, a, b); }
inline tir::Expr dim_sub(const tir::Expr& a, const tir::Expr& b) { return tir::build::arith(tir::BinaryOp::Sub, a, b); }
inline tir::Expr dim_mul(const tir::Expr& a, const tir::Expr& b) {
  if (const_dim(a) == 1) return b;
  return tir::build::arith(tir::BinaryOp::Mul, a, b);
}
// a op b for Min, Max and FloorDiv (floor, not C++'s truncation, for constants) too.
inline tir::Expr dim_binary(tir::BinaryOp op, const tir::Expr& a, const tir::Expr& b) {
  std::optional<int64_t> x = const_dim(a), y = const_dim(b);
  if (x && y && op == tir::BinaryOp::Min) return dim_const(std::min(*x, *y));
  if (x && y && op == tir::BinaryOp::Max) return dim_const(std::max(*x, *y));
  if (x && y && op == tir::BinaryOp::FloorDiv) return dim_const(*x / *y - ((*x % *y != 0) && ((*x < 0) != (*y < 0)) ? 1 : 0));
  return tir::build::arith(op, a, b);
}
// The number of elements of a shape: constants folded, `n * 12` where symbolic.
tir::Expr element_count(const std::vector<tir::Expr>& shape);
// A shape's element count as a product: its constant factors multiplied, and its other
// factors (n, n + 1; products are taken apart).
struct Factors {
  int64_t constant = 1;
  std::vector<tir::Expr> symbolic;
};
Factors factors_of(const std::vector<tir::Expr>& shape);
// total / part when that is exact by the factors (part's symbolic factors all among total's,
// its constant dividing total's), else nullopt.
std::optional<tir::Expr> exact_quotient(const Factors& total, const Factors& part);
// Whether two shapes provably hold the same number of elements.
bool same_element_count(const std::vector<tir::Expr>& a, const std::vector<tir::Expr>& b);

// ---- attributes ----
// Whether the call wrote attribute `name` as a list (`[2]`) rather than a single value (`2`).
bool written_as_list(const relax::Call& call, const std::string& name);
// Whether the call wrote attribute `name` as None: R.concat(..., axis=None), whose default is 0.
bool written_as_none(const relax::Call& call, const std::string& name);
// `axis` normalized for `rank`, or an error at the attribute and nullopt.
std::optional<size_t> checked_axis(const InferCall& c, const std::string& attr, int64_t axis, size_t rank);

// ---- kernel text ----
// A CompileError at the call unless every size `value` uses is a dimension of one of the
// kernel's buffers, so that the kernel declares and learns it.
void require_sizes_of(const KernelRequest& r, const tir::Expr& value);
// `T.int64(v)`.
std::string int64_text(int64_t value);
// The text of an index operand element converted to int64, so that index arithmetic and
// comparisons are all int64 whatever the indices' dtype.
std::string as_int64(const std::string& load);
// A numpy-style index into an axis of `extent`: negative values count from the end. The
// result is clamped into [0, extent) so that an out-of-range index (undefined in TVM) never
// reads or writes outside the buffer.
std::string wrapped_index(const std::string& index, const std::string& extent);
// `value`, read at indices clamped into axes of these extents, where every one is non-empty;
// otherwise NaN (0 for integers). numpy raises there; a kernel cannot, and must not read outside
// its buffer or divide by the extent. Axes of a positive constant extent need no guard.
// The dtype rules the scatter operators share: integer indices, updates of the data's dtype,
// bool data only with reduction="update".
void check_scatter_operands(const InferCall& c, const relax::StructInfo& data, const relax::StructInfo& indices, const relax::StructInfo& updates);
std::string guard_empty_axes(const std::string& value, const std::vector<tir::Expr>& extents, DataType dtype);

}  // namespace relaxc::ops
