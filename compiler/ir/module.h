// An IRModule: the prim_funcs and Relax functions of one `.tvms` file.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/relax.h"
#include "compiler/ir/tir.h"

namespace relaxc {

struct Module {
  std::string name = "Module";
  std::vector<tir::PrimFuncPtr> prim_funcs;
  std::vector<relax::FunctionPtr> functions;
  SourceLoc loc;

  const tir::PrimFunc* find_prim_func(const std::string& name) const;
  const relax::Function* find_function(const std::string& name) const;
};

}  // namespace relaxc
