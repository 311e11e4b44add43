// Replaces TensorIR variables by expressions (typically symbolic sizes by their values) and
// folds the integer arithmetic that becomes constant, so shapes stay as TVM prints them:
// (1, n) with n = 128 is (1, 128).
#pragma once

#include <unordered_map>

#include "compiler/ir/relax.h"
#include "compiler/ir/tir.h"

namespace relaxc::tir {

using VarMap = std::unordered_map<const Var*, Expr>;

// Returns `expr` itself when nothing in it changes.
Expr substitute(const Expr& expr, const VarMap& map);
relax::StructInfoPtr substitute(const relax::StructInfoPtr& sinfo, const VarMap& map);

}  // namespace relaxc::tir
