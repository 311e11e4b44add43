// Index expressions as affine forms, sum of coef * var + constant, for the primitives that
// reason about which elements a loop touches (compute_at, reverse_compute_at).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "compiler/ir/tir.h"

namespace relaxc::schedule {

struct Affine {
  std::map<const tir::Var*, int64_t> terms;  // no zero coefficients
  int64_t constant = 0;
};

// nullopt when `e` is not affine with integer coefficients (floordiv, a load, a product of
// variables, ...).
std::optional<Affine> to_affine(const tir::Expr& e);

// The inclusive range of the form's values when each variable in `ranges` runs over its
// [min, max]; nullopt when some variable of the form has none.
struct Interval {
  int64_t min = 0, max = 0;
};
std::optional<Interval> bound(const Affine& form, const std::map<const tir::Var*, Interval>& ranges);

}  // namespace relaxc::schedule
