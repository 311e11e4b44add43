#include "compiler/ir/relax_copy.h"

#include <unordered_map>

namespace relaxc::relax {

namespace {

class FreshVars {
 public:
  VarPtr define(const VarPtr& old) {
    auto fresh = std::make_shared<Var>(old->name, old->sinfo, old->loc);
    fresh->is_dataflow = old->is_dataflow;
    renamed_[old.get()] = fresh;
    return fresh;
  }

  // Expressions are in A-normal form (calls of variables and constants), so the recursion
  // goes no deeper than a tuple of tuples written in the source.
  Expr rewrite(const Expr& e) const {
    if (!e) return e;
    switch (e->kind) {
      case ExprKind::Var: {
        auto it = renamed_.find(static_cast<const Var*>(e.get()));
        return it == renamed_.end() ? e : it->second;
      }
      case ExprKind::Tuple: {
        std::vector<Expr> fields;
        for (const Expr& field : e->as<Tuple>()->fields) fields.push_back(rewrite(field));
        return std::make_shared<Tuple>(std::move(fields), e->loc);
      }
      case ExprKind::TupleGetItem: {
        const auto* item = e->as<TupleGetItem>();
        return std::make_shared<TupleGetItem>(rewrite(item->tuple), item->index, e->loc);
      }
      case ExprKind::Call: {
        auto call = std::make_shared<Call>(*e->as<Call>());
        call->callee = rewrite(call->callee);
        for (Expr& arg : call->args) arg = rewrite(arg);
        return call;
      }
      default: return e;
    }
  }

  VarPtr var(const VarPtr& old) const {
    auto it = renamed_.find(old.get());
    return it == renamed_.end() ? old : it->second;
  }

 private:
  std::unordered_map<const Var*, VarPtr> renamed_;
};

}  // namespace

std::shared_ptr<Function> copy_with_fresh_vars(const Function& f, const std::string& name) {
  auto out = std::make_shared<Function>(f);
  out->name = name;
  FreshVars fresh;
  for (VarPtr& p : out->params) p = fresh.define(p);
  for (BindingBlock& block : out->blocks) {
    for (Binding& b : block.bindings) {
      b.value = fresh.rewrite(b.value);  // before its own variable is defined
      b.var = fresh.define(b.var);
    }
    for (VarPtr& v : block.outputs) v = fresh.var(v);
  }
  out->body = fresh.rewrite(out->body);
  return out;
}

}  // namespace relaxc::relax
