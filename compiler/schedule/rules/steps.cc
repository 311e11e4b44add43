#include "compiler/schedule/rules/steps.h"

#include <algorithm>

namespace relaxc::schedule {

using namespace relaxc::tir;

// The loops of `block` under `outer`, innermost last.
std::vector<LoopRV> loops_under(TracedSchedule& t, const BlockRV& block, const LoopRV& outer) {
  std::vector<LoopRV> loops = t.get_loops(block);
  auto at = std::find_if(loops.begin(), loops.end(), [&](const LoopRV& l) { return l.var == outer.var; });
  return at == loops.end() ? std::vector<LoopRV>{} : std::vector<LoopRV>(at + 1, loops.end());
}

// The loops of a tile under the chunk loop: the last vectorized when `vector`, up to `unrolled`
// loops before it unrolled.
void tile_loop_kinds(TracedSchedule& t, const std::vector<LoopRV>& tile, size_t unrolled, bool vector) {
  size_t n = tile.size();
  if (vector && n >= 1) t.vectorize(tile[--n]);
  for (; unrolled > 0 && n > 0; --unrolled) t.unroll(tile[--n]);
}

// A spatial stage before the reduction: its innermost loop vectorized (by the code generator,
// which masks the loads a padding's T.if_then_else guards; LLVM's vectorizer gives up on the
// branch), its outer loops fused and parallel when it is large.
void schedule_stage(TracedSchedule& t, const PrimFunc& func, const Nest& nest, const Target& target) {
  BlockRV b = t.get_block(nest.block->name, func.name);
  std::vector<LoopRV> loops = t.get_loops(b);
  if (!loops.empty() && extent_of(nest.loops.back()) > 1) t.vectorize(loops.back());
  int64_t elements = iterations(nest);
  if (nest.loops.size() < 2 || elements < target.parallel_min_elements() || target.cores < 2) return;
  loops.pop_back();
  t.parallel(loops.size() == 1 ? loops[0] : t.fuse(loops));
}

}  // namespace relaxc::schedule
