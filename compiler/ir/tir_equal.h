// Structural equality of TensorIR expressions: the same operators over the same variables
// (by identity), buffers (by identity) and constants. `Y[vi, vj]` on both sides of an update is
// two nodes but one element.
#pragma once

#include "compiler/ir/tir.h"

namespace relaxc::tir {

bool same_expr(const Expr& a, const Expr& b);
bool same_indices(const std::vector<Expr>& a, const std::vector<Expr>& b);

}  // namespace relaxc::tir
