#include "compiler/ir/module.h"

namespace relaxc {

FunctionIndex& FunctionIndex::operator=(const FunctionIndex&) {
  std::lock_guard<std::mutex> lock(mutex_);
  positions_.clear();
  indexed_ = 0;
  return *this;
}

template <typename FunctionPtr>
void FunctionIndex::index_from(const std::vector<FunctionPtr>& functions, size_t first) const {
  for (size_t i = first; i < functions.size(); ++i) positions_.emplace(functions[i]->name, i);
  indexed_ = functions.size();
}

template <typename FunctionPtr>
auto FunctionIndex::find(const std::vector<FunctionPtr>& functions, const std::string& name) const
    -> decltype(functions[0].get()) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto valid = [&](size_t at) { return at < functions.size() && functions[at]->name == name; };
  if (indexed_ > functions.size()) {
    positions_.clear();
    indexed_ = 0;
  }
  auto it = positions_.find(name);
  if (it == positions_.end() && indexed_ < functions.size()) {
    index_from(functions, indexed_);
    it = positions_.find(name);
  }
  if (it != positions_.end() && valid(it->second)) return functions[it->second].get();
  // The index is stale (a function replaced or removed) or the name is not in the module:
  // only a scan tells which.
  for (size_t i = 0; i < functions.size(); ++i) {
    if (functions[i]->name != name) continue;
    positions_.clear();
    index_from(functions, 0);
    return functions[i].get();
  }
  return nullptr;
}

const tir::PrimFunc* Module::find_prim_func(const std::string& func_name) const {
  return prim_func_index_.find(prim_funcs, func_name);
}

const relax::Function* Module::find_function(const std::string& func_name) const {
  return function_index_.find(functions, func_name);
}

Module rewrite_prim_func_bodies(const Module& module, const std::function<tir::Stmt(const tir::PrimFunc&)>& rewrite) {
  Module out = module;
  for (tir::PrimFuncPtr& func : out.prim_funcs) {
    tir::Stmt body = rewrite(*func);
    if (body == func->body) continue;
    auto copy = std::make_shared<tir::PrimFunc>(*func);
    copy->body = body;
    func = copy;
  }
  return out;
}

Module rewrite_prim_func_bodies(const Module& module, const std::function<tir::Stmt(const tir::Stmt&)>& rewrite) {
  return rewrite_prim_func_bodies(module, std::function<tir::Stmt(const tir::PrimFunc&)>([&](const tir::PrimFunc& f) { return rewrite(f.body); }));
}

}  // namespace relaxc
