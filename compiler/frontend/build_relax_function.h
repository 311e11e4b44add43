// Parse tree of one `@R.function` → relax::Function. Resolves Relax variables (including the
// rule that dataflow variables not passed to R.output vanish after their block), symbolic
// shape variables and references to the module's other functions. Struct info is inferred
// later, by the checker.
#pragma once

#include <set>
#include <string>

#include "compiler/frontend/syntax.h"
#include "compiler/ir/relax.h"

namespace relaxc::frontend {

class StatementSource;

struct RelaxFunctionOptions {
  bool is_pure = true;
  bool is_private = false;
  std::set<std::string> prim_funcs;       // functions of the module, by kind
  std::set<std::string> relax_functions;
  std::string module_class;  // `class Module:`; `cls = Module` in a function names the module
  std::set<std::string> type_vars;  // the module's `n = TypeVar("n")` symbolic sizes
};

// The body is def's block, or with `body` the statements it gives (statement_source.h).
relax::FunctionPtr build_relax_function(P::FunctionDefContext* def, const RelaxFunctionOptions& options,
                                        Diagnostics& diags);
relax::FunctionPtr build_relax_function(P::FunctionDefContext* def, StatementSource& body,
                                        const RelaxFunctionOptions& options, Diagnostics& diags);

}  // namespace relaxc::frontend
