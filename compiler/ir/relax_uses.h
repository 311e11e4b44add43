// How often a Relax variable is used: in an expression, or anywhere in a function (bindings,
// the returned value and dataflow-block outputs), for passes that may only rewrite a value
// nothing else reads.
#pragma once

#include "compiler/ir/relax.h"

namespace relaxc::relax {

int uses_in(const Var* v, const Expr& e);
int uses_in_function(const Var* v, const Function& f);

}  // namespace relaxc::relax
