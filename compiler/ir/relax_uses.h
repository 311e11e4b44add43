// How often a Relax variable is used: in an expression, or anywhere in a function (bindings,
// the returned value and dataflow-block outputs), for passes that may only rewrite a value
// nothing else reads.
#pragma once

#include <set>
#include <string>
#include <unordered_map>

#include "compiler/ir/relax.h"

namespace relaxc::relax {

int uses_in(const Var* v, const Expr& e);
int uses_in_function(const Var* v, const Function& f);
// uses_in_function of every variable the function uses, in one walk.
std::unordered_map<const Var*, int> use_counts(const Function& f);

}  // namespace relaxc::relax

namespace relaxc {

struct Module;
// The functions the module's Relax functions name (cls.f, R.call_tir's callee, extern names):
// passes that replace kernels drop those no longer named.
std::set<std::string> names_referenced(const Module& module);
// Drops the prim_funcs a pass stopped naming: those named before it ran (`named_before`) or
// made by it (`made`) that the module no longer names. Public prim_funcs the user wrote stay
// (relaxrun runs one alone), and so do others never called.
void drop_kernels_no_longer_named(Module& module, const std::set<std::string>& named_before, const std::set<std::string>& made = {});

}  // namespace relaxc::relax
