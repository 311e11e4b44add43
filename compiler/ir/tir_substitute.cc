#include "compiler/ir/tir_substitute.h"

#include "runtime/int_math.h"

namespace relaxc::tir {

namespace {

// Folds `a op b` when both are integer constants and the result is exact.
Expr fold(BinaryOp op, const Expr& a, const Expr& b, DataType dtype, SourceLoc loc) {
  const auto* x = a->as<IntImm>();
  const auto* y = b->as<IntImm>();
  if (!x || !y || !is_int(dtype)) return nullptr;
  int64_t p = x->value, q = y->value, r = 0;
  switch (op) {
    case BinaryOp::Add: if (__builtin_add_overflow(p, q, &r)) return nullptr; break;
    case BinaryOp::Sub: if (__builtin_sub_overflow(p, q, &r)) return nullptr; break;
    case BinaryOp::Mul: if (__builtin_mul_overflow(p, q, &r)) return nullptr; break;
    case BinaryOp::FloorDiv:
    case BinaryOp::FloorMod: {
      int64_t quotient = 0, remainder = 0;
      if (!relaxrt::floor_div_mod(p, q, &quotient, &remainder)) return nullptr;
      r = op == BinaryOp::FloorDiv ? quotient : remainder;
      break;
    }
    case BinaryOp::Min: r = std::min(p, q); break;
    case BinaryOp::Max: r = std::max(p, q); break;
    default: return nullptr;
  }
  return std::make_shared<IntImm>(r, dtype, loc);
}

}  // namespace

Expr substitute(const Expr& expr, const VarMap& map) {
  if (!expr || map.empty()) return expr;
  switch (expr->kind) {
    case ExprKind::VarRef: {
      auto it = map.find(expr->as<VarRef>()->var.get());
      return it == map.end() ? expr : it->second;
    }
    case ExprKind::Binary: {
      const auto* bin = expr->as<Binary>();
      Expr a = substitute(bin->a, map), b = substitute(bin->b, map);
      if (a == bin->a && b == bin->b) return expr;
      if (Expr folded = fold(bin->op, a, b, bin->dtype, bin->loc)) return folded;
      return std::make_shared<Binary>(bin->op, a, b, bin->dtype, bin->loc);
    }
    case ExprKind::Cast: {
      const auto* cast = expr->as<Cast>();
      Expr value = substitute(cast->value, map);
      if (value == cast->value) return expr;
      if (const auto* imm = value->as<IntImm>(); imm && is_int(cast->dtype)) return std::make_shared<IntImm>(imm->value, cast->dtype, cast->loc);
      return std::make_shared<Cast>(cast->dtype, value, cast->loc);
    }
    case ExprKind::Not: {
      Expr a = substitute(expr->as<Not>()->a, map);
      return a == expr->as<Not>()->a ? expr : std::make_shared<Not>(a, expr->loc);
    }
    case ExprKind::Select: {
      const auto* sel = expr->as<Select>();
      Expr c = substitute(sel->cond, map), t = substitute(sel->true_value, map), f = substitute(sel->false_value, map);
      if (c == sel->cond && t == sel->true_value && f == sel->false_value) return expr;
      return std::make_shared<Select>(c, t, f, sel->loc);
    }
    case ExprKind::Call: {
      const auto* call = expr->as<Call>();
      std::vector<Expr> args;
      bool changed = false;
      for (const Expr& arg : call->args) {
        args.push_back(substitute(arg, map));
        changed = changed || args.back() != arg;
      }
      return changed ? std::make_shared<Call>(call->op, std::move(args), call->dtype, call->loc) : expr;
    }
    case ExprKind::Load: {
      const auto* load = expr->as<Load>();
      std::vector<Expr> indices;
      bool changed = false;
      for (const Expr& index : load->indices) {
        indices.push_back(substitute(index, map));
        changed = changed || indices.back() != index;
      }
      return changed ? std::make_shared<Load>(load->buffer, std::move(indices), load->loc) : expr;
    }
    default: return expr;
  }
}

relax::StructInfoPtr substitute(const relax::StructInfoPtr& sinfo, const VarMap& map) {
  if (!sinfo || map.empty()) return sinfo;
  auto copy = std::make_shared<relax::StructInfo>(*sinfo);
  bool changed = false;
  if (copy->shape) {
    for (Expr& dim : *copy->shape) {
      Expr replaced = substitute(dim, map);
      changed = changed || replaced != dim;
      dim = replaced;
    }
  }
  for (relax::StructInfoPtr& field : copy->fields) {
    relax::StructInfoPtr replaced = substitute(field, map);
    changed = changed || replaced != field;
    field = replaced;
  }
  return changed ? copy : sinfo;
}

}  // namespace relaxc::tir
