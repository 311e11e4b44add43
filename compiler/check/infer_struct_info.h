// Struct info of Relax expressions: what each operator returns given what it is passed
// (broadcasting, matmul, reductions, convolution, pooling, ...). Errors in operands are
// reported to the diagnostics and yield the least specific struct info that is still right.
#pragma once

#include <functional>

#include "compiler/ir/module.h"
#include "compiler/ir/struct_info.h"
#include "compiler/support/diagnostics.h"

namespace relaxc {

relax::StructInfoPtr infer_struct_info(const relax::Expr& expr, const Module& module, Diagnostics& diags);

// The struct info of metadata["relax.expr.Constant"][index] (its shape and dtype in the
// module's table); null when the table has no such entry.
relax::StructInfoPtr metadata_constant_sinfo(const Module& module, size_t index);

// True when the two may describe the same value (unknown parts match anything).
bool sinfo_compatible(const relax::StructInfo& a, const relax::StructInfo& b);
// `sinfo` with every shape that mentions a variable `keep` rejects reduced to its rank (inside
// tuples too): what a caller may know of a value whose sizes are another scope's variables.
relax::StructInfoPtr erase_foreign_sizes(const relax::StructInfoPtr& sinfo, const std::function<bool(const tir::Var*)>& keep);

}  // namespace relaxc
