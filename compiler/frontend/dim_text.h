// A shape dimension written as a string, as TVM prints a compound one in a signature
// ("n * 12", "M * T.int64(2)", "(b - b % -3) // 3"): names, integers (also as T.int64(4)),
// unary minus, + - * // %, T.min/T.max and parentheses, nested at most kMaxBracketDepth deep.
#pragma once

#include <functional>
#include <string>

#include "compiler/ir/tir.h"
#include "compiler/support/diagnostics.h"

namespace relaxc::frontend {

// `name_ref` gives the variable a name stands for (or throws CompileError); errors are
// CompileErrors at `loc`, the string's position.
tir::Expr parse_dim_text(const std::string& text, SourceLoc loc, const std::function<tir::Expr(const std::string&)>& name_ref);

}  // namespace relaxc::frontend
