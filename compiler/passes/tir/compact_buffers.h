// Buffer compaction (TVM's CompactBufferAllocation), run on each kernel just before code
// generation. Schedules leave intermediate buffers at their full size in the root block — a
// cache_write's "local" accumulator is as large as the output — while the loops use only a
// small part of them at a time. An intermediate buffer whose accesses all sit under one loop,
// and which one iteration of that loop touches only a constant-size part of, is allocated
// inside that loop at the size of that part, its indices made relative to the part's first
// element, so an accumulator tile lives in registers and a per-row buffer in cache.
//
// Requires: a scheduled prim_func. Guarantees: the same results. A buffer is only ever made
// smaller; parameters, buffers a T.call_packed sees, and buffers whose values could flow from
// one iteration of the loop to the next (written by a reduction over a loop at or under it, or
// read outside the part written in the same iteration, or written under a T.where) keep their
// allocation.
#pragma once

#include "compiler/ir/tir.h"

namespace relaxc {

tir::PrimFuncPtr compact_buffers(const tir::PrimFuncPtr& func);

}  // namespace relaxc
