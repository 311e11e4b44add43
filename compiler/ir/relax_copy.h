// A copy of a Relax function under another name whose variables are new objects (same names
// and struct info): passes that add a variant of a function (pack_weights' frozen-weight
// variant) keep every variable defined in one function only. Symbolic sizes stay shared, as
// types mention them by identity and both functions bind them from the same parameters.
#pragma once

#include <string>

#include "compiler/ir/relax.h"

namespace relaxc::relax {

std::shared_ptr<Function> copy_with_fresh_vars(const Function& f, const std::string& name);

}  // namespace relaxc::relax
