// The default schedule's parallelism: takes a checked module and marks the outermost loop of
// each top-level loop nest T.parallel when that is safe — its variable is used only in the
// bindings of spatial block axes, and every store under it writes an element indexed by such an
// axis (or a buffer allocated inside the loop) — so iterations write disjoint elements.
// Loops of constant extent below 2, loops already given a kind, and functions that call the
// runtime (T.call_packed, which may not be safe to call from two threads) are left as they are.
// A loop of symbolic extent (a batch) directly around an independent loop of constant extent is
// fused with it into one parallel loop, so that batch 1 runs on every core too.
#pragma once

#include "compiler/passes/schedule_knobs.h"

#include "compiler/ir/module.h"

namespace relaxc {

// A kernel whose knobs in `choices` say parallel = false keeps its loops serial.
Module parallelize_outer_loops(const Module& module, const schedule::Target& target, const ScheduleChoices& choices = {});

}  // namespace relaxc
