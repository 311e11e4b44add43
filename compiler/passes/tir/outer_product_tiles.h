// The default schedule's tiles for reductions of the matmul form
//     Out[.., i, j] = Out[.., i, j] + X[.., i, k] * W[.., k, j]
// where the loads that move with j read it contiguously and do not move with i, and the loads
// that move with i do not move with j (a weight stored k-major, as packed by pack_weights.h).
// Each tile keeps MR x NC outputs in vectors along j: per step of the reduction, one value of
// each row is broadcast and multiplied into the row's vectors (an outer product), so no
// vector is ever summed across its lanes, and the epilogues run on whole vectors.
#pragma once

#include "compiler/passes/schedule_knobs.h"

#include <vector>

#include "compiler/ir/tir.h"
#include "compiler/passes/tir/reduction_nest.h"

namespace relaxc::tir {

bool worth_outer_product_tiles(const Reduction& r);

// `local`: the chain's buffers used nowhere else (they become per-tile values). `knobs` give
// the tile's rows and vectors of columns, and whether few-row chunks run in parallel.
// The target gives the vector width, the partial sums of a single row and the chunks of a few
// rows' split reduction.
Stmt outer_product_tiles(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local,
                         const ScheduleKnobs& knobs, const schedule::Target& target);

}  // namespace relaxc::tir
