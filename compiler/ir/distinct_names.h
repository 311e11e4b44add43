// Names in a PrimFunc that differ from one another. Passes name what they make after what it
// comes from (a tile's Y_acc, Y_acc_1; FuseOps' second Y becomes Y_1), which can repeat a name
// the function already uses elsewhere; TVMScript reads names by scope, so printed that way the
// function would not read back as the same function.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "compiler/ir/module.h"
#include "compiler/ir/tir.h"

namespace relaxc::tir {

// Hands out names not handed out or reserved before: `Y`, then `Y_1`, `Y_2`, ...
class NameTable {
 public:
  std::string take(const std::string& name);
  void reserve(const std::string& name) { used_.insert(name); }

 private:
  std::set<std::string> used_;
};

// A table with the names of every function of `module` (prim_funcs and Relax) reserved, for
// passes that add functions.
NameTable function_names(const Module& module);

// `s` with each block renamed to rename(its name), outer blocks first, in source order.
Stmt rename_blocks(const Stmt& s, const std::function<std::string(const std::string&)>& rename);

// `func` with no two buffers and no two blocks sharing a name, and no loop variable named like
// a scalar parameter or a size variable of a parameter's shape: the first declared (buffers: parameters, the root
// block's, then blocks' allocations in source order; blocks in source order) keeps its name, a
// later one (and such a loop variable) becomes name_1, name_2, ... (the first free). Nothing is
// rebuilt when the names already differ.
PrimFunc with_distinct_names(const PrimFunc& func);

}  // namespace relaxc::tir
