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

bool depends_on(const Expr& e, const Strides& strides);
// The step of e, when it is a constant: sums, differences and products by constants of the
// variables; null for anything else that depends on them.
std::optional<int64_t> stride_of(const Expr& e, const Strides& strides);

}  // namespace relaxc::tir
