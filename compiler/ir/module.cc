#include "compiler/ir/module.h"

namespace relaxc {

const tir::PrimFunc* Module::find_prim_func(const std::string& func_name) const {
  for (const auto& func : prim_funcs) {
    if (func->name == func_name) return func.get();
  }
  return nullptr;
}

const relax::Function* Module::find_function(const std::string& func_name) const {
  for (const auto& func : functions) {
    if (func->name == func_name) return func.get();
  }
  return nullptr;
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
