// The default schedule for dot-product reductions: takes a module and rewrites every perfect
// loop nest around one reduction block of the form
//     with T.init(): Out[.., i, j] = init
//     Out[.., i, j] = Out[.., i, j] + E
// where every load in E that depends on a reduction axis k reads it contiguously (k, with
// stride 1, only in its last index) — the matmul against a transposed weight, nn.linear, a
// row-wise dot — into register tiles: MR x NR outputs are summed at once in MR*NR vectors of
// the target's V lanes (MR*NR its accumulator registers), each vector load feeding several multiply-adds, then each
// vector is summed as a tree. Remainders of i, j and k run through the same tiles with MR or
// NR of 1 and a scalar loop. Only float outputs and reductions of at least 2V elements (or of
// unknown size) are rewritten; every other nest, and every function that calls the runtime
// (T.call_packed), is returned as it was.
// Results equal the loop nest's up to the order of the additions (reassociation).
#pragma once

#include "compiler/passes/schedule_knobs.h"

#include "compiler/ir/module.h"

namespace relaxc {

// `choices` change the knobs of the kernels they name (relaxc --tuning-db).
Module tile_reductions(const Module& module, const schedule::Target& target, const ScheduleChoices& choices = {});

// Whether the schedule gives `func` outer-product tiles, whose knobs a tuner may try.
bool has_outer_product_tiles(const tir::PrimFunc& func, const schedule::Target& target);

}  // namespace relaxc
