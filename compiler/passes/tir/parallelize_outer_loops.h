// The default schedule's parallelism: takes a checked module and marks the outermost loop of
// each top-level loop nest T.parallel when that is safe — its variable is used only in the
// bindings of spatial block axes, and every store under it writes an element indexed by such an
// axis (or a buffer allocated inside the loop) — so iterations write disjoint elements.
// Loops of constant extent below 2, and loops already given a kind, are left as they are.
#pragma once

#include "compiler/ir/module.h"

namespace relaxc {

Module parallelize_outer_loops(const Module& module);

}  // namespace relaxc
