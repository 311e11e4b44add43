// An IRModule: the prim_funcs and Relax functions of one `.tvms` file.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
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

// Positions of a module's functions by name, so that a lookup is not a scan of every function
// (a module can hold 100,000 prim_funcs, and the checker looks up each call). The functions
// are plain vectors that passes change freely, so every answer is checked against the vector
// and the index mends itself: appended functions are indexed on the next lookup, anything else
// rebuilds it. A copy starts empty; lookups from several threads are safe.
class FunctionIndex {
 public:
  FunctionIndex() = default;
  FunctionIndex(const FunctionIndex&) {}
  FunctionIndex& operator=(const FunctionIndex&);

  template <typename FunctionPtr>
  auto find(const std::vector<FunctionPtr>& functions, const std::string& name) const -> decltype(functions[0].get());

 private:
  template <typename FunctionPtr>
  void index_from(const std::vector<FunctionPtr>& functions, size_t first) const;

  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, size_t> positions_;
  mutable size_t indexed_ = 0;  // functions[0, indexed_) are in positions_
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

 private:
  FunctionIndex prim_func_index_, function_index_;
};

// `module` with each prim_func's body replaced by rewrite(body); functions whose body comes back
// unchanged are shared, not copied. The skeleton of the TensorIR passes that rewrite bodies.
Module rewrite_prim_func_bodies(const Module& module, const std::function<tir::Stmt(const tir::Stmt&)>& rewrite);
// The same with the whole function given to `rewrite`, for passes that look at its name.
Module rewrite_prim_func_bodies(const Module& module, const std::function<tir::Stmt(const tir::PrimFunc&)>& rewrite);

}  // namespace relaxc
