// FuseOps and FuseTIR: takes a legalized module and merges each call of a prim_func whose
// single tensor result is used only by an elementwise prim_func (one block over the result's
// elements that reads the result only at the element it writes: bias add, relu, casts) into one
// call of a new prim_func `fused_<producer>_<consumer>` holding both loop nests, the result now
// an intermediate buffer of the function. Chains fuse step by step (matmul → add → relu).
// A consumer that reads the result in non-overlapping windows of rows (pooling) joins a
// producer the default schedule computes row by row (a convolution with its epilogues), since
// the schedule then computes those rows inside the windows (window_consumer.h).
// A prim_func that calls the runtime (T.call_packed) is never fused: what the call reads and
// writes is unknown. Prim_funcs no longer called anywhere are dropped. Results are unchanged; the default schedule
// then computes such intermediates inside its tiles (tile_reductions.h).
#pragma once

#include "compiler/ir/module.h"
#include "compiler/schedule/target.h"

namespace relaxc {

Module fuse_ops(const Module& module, const schedule::Target& target);

}  // namespace relaxc
