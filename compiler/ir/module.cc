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

}  // namespace relaxc
