#include "compiler/ir/relax_copy.h"

#include <unordered_map>

#include "compiler/ir/relax_mutator.h"

namespace relaxc::relax {

namespace {

class FreshVars : public ExprMutator {
 public:
  VarPtr define(const VarPtr& old) {
    auto fresh = std::make_shared<Var>(old->name, old->sinfo, old->loc);
    fresh->is_dataflow = old->is_dataflow;
    renamed_[old.get()] = fresh;
    return fresh;
  }

  VarPtr renamed(const VarPtr& old) const {
    auto it = renamed_.find(old.get());
    return it == renamed_.end() ? old : it->second;
  }

 protected:
  Expr var(const Expr& e) override {
    auto it = renamed_.find(static_cast<const Var*>(e.get()));
    return it == renamed_.end() ? e : it->second;
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
      b.value = fresh.mutate(b.value);  // before its own variable is defined
      b.var = fresh.define(b.var);
    }
    for (VarPtr& v : block.outputs) v = fresh.renamed(v);
  }
  out->body = fresh.mutate(out->body);
  return out;
}

}  // namespace relaxc::relax
