// The headers of TensorIR loops (`for i, j in T.grid(...)`, range, T.serial, T.parallel,
// T.vectorized, T.unroll, T.thread_binding, with annotations=) and the hints TVM's printer
// wraps around statements (`with T.attr(...)`).
#pragma once

#include <string>
#include <vector>

#include "compiler/frontend/syntax.h"
#include "compiler/frontend/tir_expr_builder.h"
#include "compiler/ir/tir.h"

namespace relaxc::frontend {

// One loop of a loop header (T.grid gives several).
struct LoopLevel {
  tir::Expr min, extent;
  tir::ForKind kind;
  std::string thread;        // T.thread_binding's thread="..."
  AttrDict annotations;  // hints to TVM's lowering, kept and printed
};

// The loops `call` (the iterator of `loop`, binding `targets` loop variables) stands for;
// CompileError for an unknown iterator, a wrong count or a bad keyword.
std::vector<LoopLevel> loop_levels(const CallSyntax& call, P::ForStatementContext* loop, size_t targets, TirExprBuilder& exprs);

// `with T.attr(node, "key", value):` or `with T.attr({"key": value}):`: accepts the keys that are
// hints to TVM's lowering (pragmas, pipelining, alignment), which do not change what the body
// computes on the CPU; any other key would, and is an error naming it.
void check_attr_hints(const CallSyntax& call);

// hi - lo, folded when both are constants or lo is 0.
tir::Expr extent_between(const tir::Expr& lo, const tir::Expr& hi, SourceLoc loc);

}  // namespace relaxc::frontend
