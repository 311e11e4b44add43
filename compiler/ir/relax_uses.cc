#include "compiler/ir/relax_uses.h"

#include <functional>

#include "compiler/ir/module.h"

namespace relaxc::relax {

int uses_in(const Var* v, const Expr& e) {
  if (!e) return 0;
  if (e.get() == v) return 1;
  int n = 0;
  if (const auto* call = e->as<Call>()) {
    n += uses_in(v, call->callee);
    for (const Expr& arg : call->args) n += uses_in(v, arg);
  } else if (const auto* tuple = e->as<Tuple>()) {
    for (const Expr& field : tuple->fields) n += uses_in(v, field);
  } else if (const auto* item = e->as<TupleGetItem>()) {
    n += uses_in(v, item->tuple);
  }
  return n;
}

int uses_in_function(const Var* v, const Function& f) {
  int n = uses_in(v, f.body);
  for (const BindingBlock& block : f.blocks) {
    for (const Binding& b : block.bindings) n += uses_in(v, b.value);
    for (const VarPtr& out : block.outputs) n += out.get() == v;
  }
  return n;
}

namespace {

void count_uses(const Expr& e, std::unordered_map<const Var*, int>& counts) {
  if (!e) return;
  if (const auto* var = e->as<Var>()) {
    ++counts[var];
  } else if (const auto* call = e->as<Call>()) {
    count_uses(call->callee, counts);
    for (const Expr& arg : call->args) count_uses(arg, counts);
  } else if (const auto* tuple = e->as<Tuple>()) {
    for (const Expr& field : tuple->fields) count_uses(field, counts);
  } else if (const auto* item = e->as<TupleGetItem>()) {
    count_uses(item->tuple, counts);
  }
}

}  // namespace

std::unordered_map<const Var*, int> use_counts(const Function& f) {
  std::unordered_map<const Var*, int> counts;
  count_uses(f.body, counts);
  for (const BindingBlock& block : f.blocks) {
    for (const Binding& b : block.bindings) count_uses(b.value, counts);
    for (const VarPtr& out : block.outputs) ++counts[out.get()];
  }
  return counts;
}

}  // namespace relaxc::relax

namespace relaxc {

std::set<std::string> names_referenced(const Module& module) {
  using namespace relaxc::relax;
  std::set<std::string> names;
  std::function<void(const Expr&)> scan = [&](const Expr& e) {
    if (!e) return;
    if (const auto* g = e->as<GlobalVar>()) names.insert(g->name);
    if (const auto* x = e->as<ExternFunc>()) names.insert(x->name);
    if (const auto* call = e->as<Call>()) {
      scan(call->callee);
      for (const Expr& arg : call->args) scan(arg);
    }
    if (const auto* tuple = e->as<Tuple>()) {
      for (const Expr& field : tuple->fields) scan(field);
    }
    if (const auto* item = e->as<TupleGetItem>()) scan(item->tuple);
  };
  for (const FunctionPtr& f : module.functions) {
    for (const BindingBlock& block : f->blocks) {
      for (const Binding& b : block.bindings) scan(b.value);
    }
    scan(f->body);
  }
  return names;
}

void drop_kernels_no_longer_named(Module& module, const std::set<std::string>& named_before, const std::set<std::string>& made) {
  std::set<std::string> named = names_referenced(module);
  std::vector<tir::PrimFuncPtr> kept;
  for (const tir::PrimFuncPtr& k : module.prim_funcs) {
    // A public prim_func stays: relaxrun runs one by itself (--function), as TVM does.
    bool public_written = !k->is_private && !made.count(k->name);
    if (named.count(k->name) || public_written || (!named_before.count(k->name) && !made.count(k->name))) kept.push_back(k);
  }
  module.prim_funcs = std::move(kept);
}

}  // namespace relaxc
