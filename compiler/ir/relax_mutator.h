// A Relax expression mutator: rewrites an expression bottom-up, rebuilding a tuple, tuple item
// or call only when something under it changed (the same node comes back otherwise). Passes
// override the variables (`var`) and, where they need to, the other kinds.
// Expressions are in A-normal form (calls of variables and constants), so the recursion goes no
// deeper than the tuples and calls the source nests.
#pragma once

#include "compiler/ir/relax.h"

namespace relaxc::relax {

class ExprMutator {
 public:
  virtual ~ExprMutator() = default;
  Expr mutate(const Expr& e);

 protected:
  // A variable's replacement (itself by default).
  virtual Expr var(const Expr& e) { return e; }
  // A call with its callee and arguments already mutated into `rebuilt`; `changed` says
  // whether any changed (`original` is returned by default then).
  virtual Expr call(const Expr& original, std::shared_ptr<Call> rebuilt, bool changed) { return changed ? Expr(std::move(rebuilt)) : original; }
  // Other leaves (shapes, constants, prim values, ...): themselves by default.
  virtual Expr leaf(const Expr& e) { return e; }
};

}  // namespace relaxc::relax
