// How an integer TensorIR expression moves when some variables move: `strides` gives each
// variable's step (a loop variable 1, a block axis the step of its binding); other variables
// stay put. Used to tell whether an access is contiguous along a loop (vectorization, the
// default schedule's row vectors).
#pragma once

#include <optional>
#include <unordered_map>

#include "compiler/ir/tir.h"

namespace relaxc::tir {

using Strides = std::unordered_map<const Var*, int64_t>;

// What is known of an integer's value: it is `base` modulo `modulus`; modulus 0 means it is
// exactly `base`, modulus 1 that nothing is known.
struct Congruence {
  int64_t modulus = 1;
  int64_t base = 0;
};

// A vectorized run: at most `lanes` lanes, and what is known of each variable in its first lane
// (variables not listed: nothing). With it floordiv and floormod by a constant have a stride
// when no lane crosses a multiple of the divisor: `(f * 16 + lane) // 16` is the same in every
// lane, `% 16` steps by 1 -- the packed-weight index of a channel split by 16.
struct LaneSpan {
  int64_t lanes = 1;
  std::unordered_map<const Var*, Congruence> first_lane;
};

bool depends_on(const Expr& e, const Strides& strides);
// The step of e, when it is a constant: sums, differences and products by constants of the
// variables, and with a span floordiv and floormod as above; null for anything else that
// depends on them.
std::optional<int64_t> stride_of(const Expr& e, const Strides& strides, const LaneSpan* span = nullptr);
// What is known of e's value in the span's first lane.
Congruence congruence_of(const Expr& e, const LaneSpan& span);

}  // namespace relaxc::tir
