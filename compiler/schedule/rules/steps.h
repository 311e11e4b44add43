// Steps several rules of the default schedule take, each a few traced primitives.
#pragma once

#include <vector>

#include "compiler/schedule/rules/nest.h"
#include "compiler/schedule/target.h"
#include "compiler/schedule/trace.h"

namespace relaxc::schedule {

// The loops of `block` under `outer`, innermost last.
std::vector<LoopRV> loops_under(TracedSchedule& t, const BlockRV& block, const LoopRV& outer);

// The loops of a tile under the chunk loop: the last vectorized when `vector`, up to `unrolled`
// loops before it unrolled.
void tile_loop_kinds(TracedSchedule& t, const std::vector<LoopRV>& tile, size_t unrolled, bool vector);

// A spatial stage before the reduction: its innermost loop vectorized, its outer loops fused
// and parallel when it is large.
void schedule_stage(TracedSchedule& t, const tir::PrimFunc& func, const Nest& nest, const Target& target);

}  // namespace relaxc::schedule
