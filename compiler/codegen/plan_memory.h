// Static memory planning for one Relax function (TVM's StaticPlanBlockMemory, by liveness):
// the output of a destination-passing call (R.call_tir, R.call_dps_packed) that never leaves
// the function — not returned, not put in a tuple, not passed to a Relax function or
// R.call_packed, directly or through R.reshape views of it — gets a storage token. Two outputs
// share a token when one is dead (its last use, or the last use of a view of it, is an earlier
// binding) before the other is made, so a call never writes over its own inputs. The VM keeps
// each token's storage for the function's frame, grown to the largest tensor placed in it, so
// steady-state calls allocate nothing and intermediates share memory.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "compiler/ir/relax.h"

namespace relaxc::codegen {

struct MemoryPlan {
  std::unordered_map<const relax::Var*, int64_t> token;  // planned outputs only
  int64_t tokens = 0;
};

MemoryPlan plan_memory(const relax::Function& func);

}  // namespace relaxc::codegen
