#include "compiler/ir/tir_stride.h"

#include "compiler/ir/tir_visitor.h"

namespace relaxc::tir {

bool depends_on(const Expr& e, const Strides& strides) {
  bool found = false;
  visit_expr(e, [&](const ExprNode& sub) {
    if (auto* ref = sub.as<VarRef>()) found = found || strides.count(ref->var.get()) > 0;
  });
  return found;
}

std::optional<int64_t> stride_of(const Expr& e, const Strides& strides) {
  if (!depends_on(e, strides)) return 0;
  if (auto* ref = e->as<VarRef>()) return strides.at(ref->var.get());
  if (auto* cast = e->as<Cast>()) {
    if (is_float(cast->dtype) || is_float(cast->value->dtype)) return std::nullopt;
    return stride_of(cast->value, strides);
  }
  auto* bin = e->as<Binary>();
  if (!bin) return std::nullopt;
  std::optional<int64_t> a = stride_of(bin->a, strides), b = stride_of(bin->b, strides);
  if (!a || !b) return std::nullopt;
  auto* ca = bin->a->as<IntImm>();
  auto* cb = bin->b->as<IntImm>();
  if (bin->op == BinaryOp::Add) return *a + *b;
  if (bin->op == BinaryOp::Sub) return *a - *b;
  if (bin->op == BinaryOp::Mul && *a == 0 && ca) return ca->value * *b;
  if (bin->op == BinaryOp::Mul && *b == 0 && cb) return *a * cb->value;
  return std::nullopt;
}

}  // namespace relaxc::tir
