// The checker: every rule of LANGUAGE.md "Semantics that the checker enforces", numbered as in
// check/README.md. It also completes Relax struct info (shape inference) in place, so after a
// clean check every Relax variable and function has its struct info.
#pragma once

#include "compiler/ir/module.h"
#include "compiler/support/diagnostics.h"

namespace relaxc {

// Reports every problem found to `diags`; returns true when there was no error.
bool check_module(const Module& module, Diagnostics& diags);

void check_prim_func(const tir::PrimFunc& func, Diagnostics& diags);
void check_relax_function(const relax::Function& func, const Module& module, Diagnostics& diags);

}  // namespace relaxc
