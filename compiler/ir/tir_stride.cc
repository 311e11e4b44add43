#include "compiler/ir/tir_stride.h"

#include <numeric>

#include "compiler/ir/tir_visitor.h"

namespace relaxc::tir {

namespace {

int64_t floor_mod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}
int64_t floor_div(int64_t a, int64_t b) { return (a - floor_mod(a, b)) / b; }

Congruence normalized(int64_t modulus, int64_t base) {
  if (modulus < 0) modulus = -modulus;
  return modulus == 0 ? Congruence{0, base} : Congruence{modulus, floor_mod(base, modulus)};
}

constexpr Congruence kUnknown{1, 0};

// Products of congruences: (m1 k1 + b1)(m2 k2 + b2) is b1 b2 modulo gcd(m1 m2, m1 b2, m2 b1).
Congruence product(Congruence a, Congruence b) {
  int64_t mm = 0, mb = 0, bm = 0, bb = 0;
  if (__builtin_mul_overflow(a.modulus, b.modulus, &mm) || __builtin_mul_overflow(a.modulus, b.base, &mb) ||
      __builtin_mul_overflow(b.modulus, a.base, &bm) || __builtin_mul_overflow(a.base, b.base, &bb)) {
    return kUnknown;
  }
  return normalized(std::gcd(std::gcd(mm, mb), bm), bb);
}

Congruence sum(Congruence a, Congruence b, bool subtract) {
  int64_t base = 0;
  if (subtract ? __builtin_sub_overflow(a.base, b.base, &base) : __builtin_add_overflow(a.base, b.base, &base)) return kUnknown;
  return normalized(std::gcd(a.modulus, b.modulus), base);
}

Congruence divided(Congruence a, int64_t divisor, bool remainder) {
  if (a.modulus == 0) return {0, remainder ? floor_mod(a.base, divisor) : floor_div(a.base, divisor)};
  if (a.modulus % divisor == 0) {
    return remainder ? Congruence{0, floor_mod(a.base, divisor)} : normalized(a.modulus / divisor, floor_div(a.base, divisor));
  }
  return remainder ? normalized(std::gcd(a.modulus, divisor), a.base) : kUnknown;
}

// floordiv/floormod of an operand of stride `step` by a positive constant over the span.
std::optional<int64_t> divided_stride(const Binary& bin, int64_t step, const LaneSpan& span) {
  auto* divisor = bin.b->as<IntImm>();
  if (!divisor || divisor->value <= 0 || step < 0) return std::nullopt;
  const int64_t c = divisor->value;
  bool remainder = bin.op == BinaryOp::FloorMod;
  // Every lane moves by whole multiples of c: the remainder stays, the quotient steps.
  if (step % c == 0) return remainder ? 0 : step / c;
  Congruence first = congruence_of(bin.a, span);
  if (first.modulus != 0 && first.modulus % c != 0) return std::nullopt;
  int64_t last = 0;
  if (__builtin_mul_overflow(span.lanes - 1, step, &last) || __builtin_add_overflow(last, floor_mod(first.base, c), &last)) return std::nullopt;
  if (last >= c) return std::nullopt;  // some lane crosses into the next multiple of c
  return remainder ? step : 0;
}

}  // namespace

bool depends_on(const Expr& e, const Strides& strides) {
  bool found = false;
  visit_expr(e, [&](const ExprNode& sub) {
    if (auto* ref = sub.as<VarRef>()) found = found || strides.count(ref->var.get()) > 0;
  });
  return found;
}

Congruence congruence_of(const Expr& e, const LaneSpan& span) {
  if (auto* imm = e->as<IntImm>()) return {0, imm->value};
  if (auto* ref = e->as<VarRef>()) {
    auto it = span.first_lane.find(ref->var.get());
    return it == span.first_lane.end() ? kUnknown : it->second;
  }
  if (auto* cast = e->as<Cast>()) return is_float(cast->dtype) || is_float(cast->value->dtype) ? kUnknown : congruence_of(cast->value, span);
  auto* bin = e->as<Binary>();
  if (!bin || is_float(bin->dtype)) return kUnknown;
  switch (bin->op) {
    case BinaryOp::Add: return sum(congruence_of(bin->a, span), congruence_of(bin->b, span), false);
    case BinaryOp::Sub: return sum(congruence_of(bin->a, span), congruence_of(bin->b, span), true);
    case BinaryOp::Mul: return product(congruence_of(bin->a, span), congruence_of(bin->b, span));
    case BinaryOp::FloorDiv:
    case BinaryOp::FloorMod: {
      auto* divisor = bin->b->as<IntImm>();
      if (!divisor || divisor->value <= 0) return kUnknown;
      return divided(congruence_of(bin->a, span), divisor->value, bin->op == BinaryOp::FloorMod);
    }
    default: return kUnknown;
  }
}

std::optional<int64_t> stride_of(const Expr& e, const Strides& strides, const LaneSpan* span) {
  if (!depends_on(e, strides)) return 0;
  if (auto* ref = e->as<VarRef>()) return strides.at(ref->var.get());
  if (auto* cast = e->as<Cast>()) {
    if (is_float(cast->dtype) || is_float(cast->value->dtype)) return std::nullopt;
    return stride_of(cast->value, strides, span);
  }
  auto* bin = e->as<Binary>();
  if (!bin) return std::nullopt;
  std::optional<int64_t> a = stride_of(bin->a, strides, span), b = stride_of(bin->b, strides, span);
  if (!a || !b) return std::nullopt;
  auto* ca = bin->a->as<IntImm>();
  auto* cb = bin->b->as<IntImm>();
  if (bin->op == BinaryOp::Add) return *a + *b;
  if (bin->op == BinaryOp::Sub) return *a - *b;
  if (bin->op == BinaryOp::Mul && *a == 0 && ca) return ca->value * *b;
  if (bin->op == BinaryOp::Mul && *b == 0 && cb) return *a * cb->value;
  if (span && *b == 0 && (bin->op == BinaryOp::FloorDiv || bin->op == BinaryOp::FloorMod) && !is_float(bin->dtype)) return divided_stride(*bin, *a, *span);
  return std::nullopt;
}

}  // namespace relaxc::tir
