#include "compiler/ir/tir_mutator.h"

namespace relaxc::tir {

Stmt StmtMutator::mutate(const Stmt& s) {
  if (!s) return s;
  switch (s->kind) {
    case StmtKind::For: return mutate_for(*s->as<For>(), s);
    case StmtKind::Seq: return mutate_seq(*s->as<Seq>(), s);
    case StmtKind::Block: return mutate_block(*s->as<Block>(), s);
    case StmtKind::If: return mutate_if(*s->as<If>(), s);
    case StmtKind::Let: return mutate_let(*s->as<Let>(), s);
    case StmtKind::Store:
    case StmtKind::Evaluate: return mutate_leaf(s);
  }
  return s;
}

Stmt StmtMutator::mutate_for(const For& node, const Stmt& self) {
  Stmt body = mutate(node.body);
  if (body == node.body) return self;
  auto copy = std::make_shared<For>(node);
  copy->body = body;
  return copy;
}

Stmt StmtMutator::mutate_seq(const Seq& node, const Stmt& self) {
  std::vector<Stmt> parts;
  bool changed = false;
  for (const Stmt& part : node.stmts) {
    parts.push_back(mutate(part));
    changed = changed || parts.back() != part;
  }
  return changed ? std::make_shared<Seq>(std::move(parts), node.loc) : self;
}

Stmt StmtMutator::mutate_block(const Block& node, const Stmt& self) {
  Stmt init = mutate(node.init), body = mutate(node.body);
  if (init == node.init && body == node.body) return self;
  auto copy = std::make_shared<Block>(node);
  copy->init = init;
  copy->body = body;
  return copy;
}

Stmt StmtMutator::mutate_if(const If& node, const Stmt& self) {
  Stmt then_case = mutate(node.then_case), else_case = mutate(node.else_case);
  if (then_case == node.then_case && else_case == node.else_case) return self;
  return std::make_shared<If>(node.cond, then_case, else_case, node.loc);
}

Stmt StmtMutator::mutate_let(const Let& node, const Stmt& self) {
  Stmt body = mutate(node.body);
  if (body == node.body) return self;
  auto copy = std::make_shared<Let>(node);
  copy->body = body;
  return copy;
}

}  // namespace relaxc::tir
