// Loop partitioning before code generation (see partition_loops.cc).
#pragma once

#include "compiler/ir/tir.h"

namespace relaxc {

// `func` with each loop whose iterations meet a block predicate's bound up to some point split
// there into a loop without the bound and one with it; the same function when none has one.
tir::PrimFuncPtr partition_loops(const tir::PrimFuncPtr& func);

}  // namespace relaxc
