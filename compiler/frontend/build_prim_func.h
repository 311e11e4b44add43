// Parse tree of one `@T.prim_func` → tir::PrimFunc. Names resolve here (an undefined name is
// reported at its use); types and shapes are checked later, by compiler/check/.
#pragma once

#include "compiler/frontend/syntax.h"
#include "compiler/ir/tir.h"

namespace relaxc::frontend {

tir::PrimFuncPtr build_prim_func(P::FunctionDefContext* def, bool is_private, bool s_tir, Diagnostics& diags);

// The statements of an indented block (or of a one-line `: stmt`), flattened: each element is a
// SimpleStatementContext or a CompoundStatementContext.
std::vector<antlr4::ParserRuleContext*> statements_of(P::BlockContext* block);

}  // namespace relaxc::frontend
