// An IRModule: the prim_funcs and Relax functions of one `.tvms` file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compiler/ir/relax.h"
#include "compiler/ir/tir.h"

namespace relaxc {

// The value of a metadata constant (`metadata["relax.expr.Constant"][i]`): a dense,
// little-endian, row-major tensor.
struct ConstantTensor {
  DataType dtype = DataType::Float32;
  std::vector<int64_t> shape;
  std::string bytes;
};

struct Module {
  std::string name = "Module";
  std::vector<tir::PrimFuncPtr> prim_funcs;
  std::vector<relax::FunctionPtr> functions;
  // Values of metadata constants by index; empty when the module refers to metadata it was not
  // given (printed without --show-meta), which only code generation cares about.
  std::vector<ConstantTensor> constants;
  SourceLoc loc;

  const tir::PrimFunc* find_prim_func(const std::string& name) const;
  const relax::Function* find_function(const std::string& name) const;
};

// `module` with each prim_func's body replaced by rewrite(body); functions whose body comes back
// unchanged are shared, not copied. The skeleton of the TensorIR passes that rewrite bodies.
Module rewrite_prim_func_bodies(const Module& module, const std::function<tir::Stmt(const tir::Stmt&)>& rewrite);
// The same with the whole function given to `rewrite`, for passes that look at its name.
Module rewrite_prim_func_bodies(const Module& module, const std::function<tir::Stmt(const tir::PrimFunc&)>& rewrite);

}  // namespace relaxc
