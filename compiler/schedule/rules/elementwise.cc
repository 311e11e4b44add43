// The elementwise rule (see rules.h): every
// top-level nest a perfect nest of spatial loops around one block that stores one element at
// its axes (so iterations write distinct elements), the output's last axis innermost. Its
// innermost loop is split into vectors (the largest divisor of its constant extent within the
// target's lanes) and vectorized, and the loops outside are fused and parallel when the nest is
// large enough to pay for the hand-off. Guarantees: the same results (no arithmetic moves).
#include <algorithm>

#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/rules/nest.h"
#include "compiler/schedule/rules/rule_set.h"
#include "compiler/schedule/trace.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

// Whether the nest is elementwise with the output's last axis innermost.
bool elementwise_nest(const Nest& nest) {
  if (nest.loops.empty() || nest.block->init) return false;
  bool spatial = std::all_of(nest.block->iter_vars.begin(), nest.block->iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Spatial; });
  if (!spatial) return false;
  std::optional<std::vector<size_t>> order = output_order(nest, nest.loops.size());
  return order && order->back() == nest.loops.size() - 1;
}

void schedule_nest(TracedSchedule& t, const PrimFunc& func, const Nest& nest, const Target& target, const RuleParams& params, DataType dtype) {
  int64_t inner = extent_of(nest.loops.back());
  int64_t lanes = inner > 0 ? largest_divisor_at_most(inner, target.lanes(dtype)) : 1;
  bool parallel = params.parallel && target.cores >= 2 && nest.loops.size() >= 2 && iterations(nest) >= target.parallel_min_elements();
  if (lanes <= 1 && !parallel) return;
  BlockRV b = t.get_block(nest.block->name, func.name);
  std::vector<LoopRV> loops = t.get_loops(b);
  LoopRV last = loops.back();
  loops.pop_back();
  if (lanes > 1 && lanes < inner) {
    std::vector<LoopRV> parts = t.split(last, {std::nullopt, lanes});
    loops.push_back(parts[0]);
    last = parts[1];
  }
  if (lanes > 1) t.vectorize(last);
  if (parallel && !loops.empty()) t.parallel(loops.size() == 1 ? loops[0] : t.fuse(loops));
}

}  // namespace

bool elementwise_rule_applies(const PrimFunc& func) {
  std::optional<std::vector<Nest>> nests = perfect_nests(func);
  return nests && !nests->empty() && std::all_of(nests->begin(), nests->end(), elementwise_nest);
}

std::optional<RuleApplied> apply_elementwise_rule(Module& module, const std::string& name, const Target& target, const RuleParams& params) {
  const PrimFunc* func = module.find_prim_func(name);
  if (!func || func->scheduled || calls_runtime(*func) || !elementwise_rule_applies(*func)) return std::nullopt;
  const std::vector<Nest> nests = *perfect_nests(*func);
  Schedule sch(module);
  TracedSchedule traced(sch);
  try {
    for (const Nest& nest : nests) schedule_nest(traced, *func, nest, target, params, nest.block->body->as<Store>()->buffer->dtype);
  } catch (const ScheduleError&) {
    return std::nullopt;
  }
  if (traced.lines().empty()) return std::nullopt;
  module = sch.module();
  return RuleApplied{"elementwise", traced.lines()};
}

}  // namespace relaxc::schedule
