// Walks over TensorIR: every sub-expression of an expression, every statement of a body, in
// source order (pre-order). Small and explicit, so a reader sees exactly what is visited.
#pragma once

#include <functional>
#include <vector>

#include "compiler/ir/tir.h"

namespace relaxc::tir {

void visit_expr(const Expr& expr, const std::function<void(const ExprNode&)>& visit);
// Statements, pre-order; `visit_expr` (if given) also sees every expression they hold,
// including loop bounds, block bindings, regions and buffer indices.
void visit_stmt(const Stmt& stmt, const std::function<void(const StmtNode&)>& visit,
                const std::function<void(const ExprNode&)>& visit_expr_fn = nullptr);

// The variables `expr` refers to, each once, in order of first appearance.
std::vector<VarPtr> vars_in(const Expr& expr);
bool uses_var(const Expr& expr, const Var* var);
// Whether `stmt` loads, stores or names in a block's regions the buffer `buffer`.
bool refers_to_buffer(const Stmt& stmt, const Buffer* buffer);
// Whether the function calls into the runtime (T.call_packed): what such a call reads, writes
// or needs of the order of iterations is unknown, so schedules and fusion leave it alone.
bool calls_runtime(const PrimFunc& func);

}  // namespace relaxc::tir
