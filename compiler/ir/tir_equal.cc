#include "compiler/ir/tir_equal.h"

namespace relaxc::tir {

bool same_indices(const std::vector<Expr>& a, const std::vector<Expr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_expr(a[i], b[i])) return false;
  }
  return true;
}

bool same_expr(const Expr& a, const Expr& b) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind || a->dtype != b->dtype) return false;
  switch (a->kind) {
    case ExprKind::IntImm: return a->as<IntImm>()->value == b->as<IntImm>()->value;
    case ExprKind::FloatImm: return a->as<FloatImm>()->value == b->as<FloatImm>()->value;
    case ExprKind::StringImm: return a->as<StringImm>()->value == b->as<StringImm>()->value;
    case ExprKind::VarRef: return a->as<VarRef>()->var == b->as<VarRef>()->var;
    case ExprKind::Load:
      return a->as<Load>()->buffer == b->as<Load>()->buffer && same_indices(a->as<Load>()->indices, b->as<Load>()->indices);
    case ExprKind::BufferRef: return a->as<BufferRef>()->buffer == b->as<BufferRef>()->buffer;
    case ExprKind::Binary: {
      auto *x = a->as<Binary>(), *y = b->as<Binary>();
      return x->op == y->op && same_expr(x->a, y->a) && same_expr(x->b, y->b);
    }
    case ExprKind::Not: return same_expr(a->as<Not>()->a, b->as<Not>()->a);
    case ExprKind::Cast: return same_expr(a->as<Cast>()->value, b->as<Cast>()->value);
    case ExprKind::Select: {
      auto *x = a->as<Select>(), *y = b->as<Select>();
      return same_expr(x->cond, y->cond) && same_expr(x->true_value, y->true_value) && same_expr(x->false_value, y->false_value);
    }
    case ExprKind::Call: {
      auto *x = a->as<Call>(), *y = b->as<Call>();
      return x->op == y->op && same_indices(x->args, y->args);
    }
  }
  return false;
}

}  // namespace relaxc::tir
