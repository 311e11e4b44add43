// A TensorIR statement mutator: each override handles the nodes it cares about, and every node
// whose children come back unchanged is returned as it was (the same pointer), so a pass that
// changes nothing returns its input and callers can test for change by identity.
// Expressions are not visited; rewrite_expr / rewrite_stmt (tir_rewrite.h) do that.
#pragma once

#include "compiler/ir/tir.h"

namespace relaxc::tir {

class StmtMutator {
 public:
  virtual ~StmtMutator() = default;

  // `s` (null stays null) with the overrides applied, bottom-up through the defaults.
  Stmt mutate(const Stmt& s);

 protected:
  // Each default rebuilds the node only when a child changed.
  virtual Stmt mutate_for(const For& node, const Stmt& self);
  virtual Stmt mutate_seq(const Seq& node, const Stmt& self);
  virtual Stmt mutate_block(const Block& node, const Stmt& self);
  virtual Stmt mutate_if(const If& node, const Stmt& self);
  virtual Stmt mutate_let(const Let& node, const Stmt& self);
  // Store and Evaluate, which hold no statements.
  virtual Stmt mutate_leaf(const Stmt& self) { return self; }
};

}  // namespace relaxc::tir
