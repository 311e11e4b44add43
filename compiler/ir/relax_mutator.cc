#include "compiler/ir/relax_mutator.h"

namespace relaxc::relax {

Expr ExprMutator::mutate(const Expr& e) {
  if (!e) return e;
  switch (e->kind) {
    case ExprKind::Var:
      return var(e);
    case ExprKind::Tuple: {
      std::vector<Expr> fields;
      bool changed = false;
      for (const Expr& field : e->as<Tuple>()->fields) {
        fields.push_back(mutate(field));
        changed = changed || fields.back() != field;
      }
      return changed ? std::make_shared<Tuple>(std::move(fields), e->loc) : e;
    }
    case ExprKind::TupleGetItem: {
      const auto* item = e->as<TupleGetItem>();
      Expr tuple = mutate(item->tuple);
      return tuple != item->tuple ? std::make_shared<TupleGetItem>(tuple, item->index, e->loc) : e;
    }
    case ExprKind::Call: {
      auto rebuilt = std::make_shared<Call>(*e->as<Call>());
      bool changed = false;
      rebuilt->callee = mutate(rebuilt->callee);
      changed = rebuilt->callee != e->as<Call>()->callee;
      for (Expr& arg : rebuilt->args) {
        Expr mutated = mutate(arg);
        changed = changed || mutated != arg;
        arg = mutated;
      }
      return call(e, std::move(rebuilt), changed);
    }
    default:
      return leaf(e);
  }
}

}  // namespace relaxc::relax
