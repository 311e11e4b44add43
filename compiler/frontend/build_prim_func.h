// Parse tree of one `@T.prim_func` → tir::PrimFunc. Names resolve here (an undefined name is
// reported at its use); types and shapes are checked later, by compiler/check/.
#pragma once

#include <set>
#include <string>

#include "compiler/frontend/syntax.h"
#include "compiler/ir/tir.h"

namespace relaxc::frontend {

struct PrimFuncOptions {
  bool is_private = false;
  bool s_tir = false;  // @T.prim_func(s_tir=True)
  // Symbolic sizes declared as TVM's current printer does, by `n = TypeVar("n")` before the
  // module or as type parameters `def f[n](...)`: each is an int64 variable where first used.
  std::set<std::string> type_vars;
};

tir::PrimFuncPtr build_prim_func(P::FunctionDefContext* def, const PrimFuncOptions& options, Diagnostics& diags);
// The type parameters of `def f[a, b](...)`, with `extra` (the module's TypeVars) added.
std::set<std::string> type_variables(P::FunctionDefContext* def, const std::set<std::string>& extra);

// The statements of an indented block (or of a one-line `: stmt`), flattened: each element is a
// SimpleStatementContext or a CompoundStatementContext.
std::vector<antlr4::ParserRuleContext*> statements_of(P::BlockContext* block);

}  // namespace relaxc::frontend
