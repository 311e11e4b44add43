#include "compiler/schedule/affine.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

Affine scaled(Affine a, int64_t k) {
  for (auto it = a.terms.begin(); it != a.terms.end();) {
    it->second *= k;
    it = it->second == 0 ? a.terms.erase(it) : std::next(it);
  }
  a.constant *= k;
  return a;
}

Affine sum(Affine a, const Affine& b, int64_t sign) {
  for (const auto& [var, coef] : b.terms) {
    a.terms[var] += sign * coef;
    if (a.terms[var] == 0) a.terms.erase(var);
  }
  a.constant += sign * b.constant;
  return a;
}

}  // namespace

std::optional<Affine> to_affine(const Expr& e) {
  if (const auto* imm = e->as<IntImm>()) return Affine{{}, imm->value};
  if (const auto* ref = e->as<VarRef>()) return Affine{{{ref->var.get(), 1}}, 0};
  if (const auto* cast = e->as<Cast>()) {
    if (is_int(cast->dtype) && is_int(cast->value->dtype)) return to_affine(cast->value);
    return std::nullopt;
  }
  const auto* bin = e->as<Binary>();
  if (!bin) return std::nullopt;
  std::optional<Affine> a = to_affine(bin->a), b = to_affine(bin->b);
  if (!a || !b) return std::nullopt;
  switch (bin->op) {
    case BinaryOp::Add: return sum(*a, *b, 1);
    case BinaryOp::Sub: return sum(*a, *b, -1);
    case BinaryOp::Mul:
      if (a->terms.empty()) return scaled(*b, a->constant);
      if (b->terms.empty()) return scaled(*a, b->constant);
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<Interval> bound(const Affine& form, const std::map<const Var*, Interval>& ranges) {
  Interval out{form.constant, form.constant};
  for (const auto& [var, coef] : form.terms) {
    auto it = ranges.find(var);
    if (it == ranges.end()) return std::nullopt;
    int64_t lo = coef * it->second.min, hi = coef * it->second.max;
    out.min += std::min(lo, hi);
    out.max += std::max(lo, hi);
  }
  return out;
}

}  // namespace relaxc::schedule
