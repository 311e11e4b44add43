// Which elements of a buffer the blocks under a loop touch in one iteration of it, as affine
// forms over the loops that stay fixed plus a constant interval over the ones that vary; read by
// compute_at/reverse_compute_at and by buffer compaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/tir.h"
#include "compiler/schedule/affine.h"

namespace relaxc::schedule {

// The values base + [lo, hi] of one dimension of a region; base is over loops that stay fixed.
struct DimRange {
  Affine base;
  int64_t lo = 0, hi = 0;
};

struct Access {
  const tir::Block* block;
  std::vector<tir::Expr> indices;
};

// Loads (or stores) of `buffer` in `block`.
std::vector<Access> accesses_of(const tir::Block& block, const tir::Buffer* buffer, bool stores);

// Fresh variables standing for parts of indices that are not affine in the fixed loops, with
// the expressions they stand for (see region_under).
using Atoms = std::vector<std::pair<tir::VarPtr, tir::Expr>>;

// The region of `buffer` the blocks under `loop` load (or store) in one iteration of it, with
// the loops in `relaxed` also running over their ranges; nullopt when none does. Loops under
// `loop` must have constant ranges where the indices use them. Throws ScheduleError, its message
// starting with `what`, when an index is not analysable. With `atoms`, a non-affine part of an
// index that depends only on fixed loops becomes a base term of its own, a fresh variable
// recorded there.
std::optional<std::vector<DimRange>> region_under(const tir::Stmt& loop, const tir::Buffer* buffer, bool stores,
                                                  const std::map<const tir::Var*, Interval>& relaxed, const std::string& what,
                                                  Atoms* atoms = nullptr);

// `base + offset` as an expression over the loop variables in `vars`, outer loops first.
tir::Expr affine_expr(const Affine& base, int64_t offset, const std::vector<tir::VarPtr>& vars, DataType dtype, SourceLoc loc);

}  // namespace relaxc::schedule
