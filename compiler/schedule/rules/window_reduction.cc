// The window-reduction rule (see rules.h). Requires a prim_func as LegalizeOps and FuseOps
// leave it: a sequence of perfect loop nests, one block each, exactly one of them a reduction
// with its spatial loops first, each loop binding one axis. Guarantees: the same results up to
// the order of additions, which stays the same for each output element (the reduction loops
// are not split).
#include <algorithm>

#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/affine.h"
#include "compiler/schedule/rules/nest.h"
#include "compiler/schedule/rules/rule_set.h"
#include "compiler/schedule/trace.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

// The reduction nest and what the rule needs to know of it.
struct WindowReduction {
  std::vector<Nest> before, after;  // spatial stages around it, in order
  Nest nest;
  size_t spatial = 0;          // its first `spatial` loops bind spatial axes, the rest reduction axes
  std::vector<size_t> output;  // the spatial loops in the order of the output's dimensions
  size_t vector = 0;           // the loop of the output's last dimension
  size_t blocked = 0;          // the spatial loop blocked into registers (`spatial` for none)
  int64_t ops = 0;             // multiply-adds, roughly
};

// Whether every loop binds one axis, spatial loops first, and the block stores its output at
// its spatial axes (in any order); `output` gets the loops in the output's order.
bool simple_reduction(const Nest& nest, size_t& spatial, std::vector<size_t>& output) {
  const Block& block = *nest.block;
  if (!block.init || block.iter_vars.size() != nest.loops.size()) return false;
  spatial = 0;
  for (size_t i = 0; i < nest.loops.size(); ++i) {
    const IterVar& iv = block.iter_vars[i];
    const auto* ref = iv.binding ? iv.binding->as<VarRef>() : nullptr;
    if (!ref || ref->var != nest.loops[i]->loop_var) return false;
    if (iv.kind == IterKind::Spatial) {
      if (spatial != i) return false;
      ++spatial;
    }
  }
  const auto* store = block.body->as<Store>();
  if (!store || spatial == 0 || spatial == nest.loops.size() || store->indices.size() != spatial || !is_float(store->buffer->dtype)) return false;
  std::optional<std::vector<size_t>> order = output_order(nest, spatial);
  if (!order) return false;
  output = *order;
  return true;
}

// The loads of `block` whose last index walks axis `vector` with a stride of 1 or 2 (what a
// vector of outputs reads), or none.
std::vector<const Load*> vector_loads(const Block& block, size_t vector) {
  std::vector<const Load*> out;
  const Var* axis = block.iter_vars[vector].var.get();
  const auto* store = block.body->as<Store>();
  visit_expr(store->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || load->buffer == store->buffer || load->indices.empty()) return;
    std::optional<int64_t> step = stride_of(load->indices.back(), {{axis, 1}});
    if (step && (*step == 1 || *step == 2)) out.push_back(load);
  });
  return out;
}

// The spatial loop to block: the innermost in the output's order (other than the vector one)
// whose extent is above 1 and that some vector load does not use — one load then feeds that
// many accumulators — or else the innermost above 1, for independent accumulators alone.
size_t blocked_axis(const WindowReduction& w, const std::vector<const Load*>& loads) {
  size_t fallback = w.spatial;
  for (size_t d = w.output.size() - 1; d-- > 0;) {
    size_t i = w.output[d];
    if (extent_of(w.nest.loops[i]) < 2) continue;
    if (fallback == w.spatial) fallback = i;
    const Var* axis = w.nest.block->iter_vars[i].var.get();
    for (const Load* load : loads) {
      bool uses = std::any_of(load->indices.begin(), load->indices.end(), [&](const Expr& index) { return uses_var(index, axis); });
      if (!uses) return i;
    }
  }
  return fallback;
}

std::optional<WindowReduction> match(const PrimFunc& func) {
  const Seq* top = func.body ? func.body->as<Seq>() : nullptr;
  std::vector<Stmt> parts = top ? top->stmts : std::vector<Stmt>{func.body};
  WindowReduction w;
  bool found = false;
  for (const Stmt& part : parts) {
    std::optional<Nest> nest = perfect_nest(part);
    if (!nest) return std::nullopt;
    if (nest->block->init) {
      if (found || !simple_reduction(*nest, w.spatial, w.output)) return std::nullopt;
      w.nest = *nest;
      found = true;
      continue;
    }
    bool spatial = std::all_of(nest->block->iter_vars.begin(), nest->block->iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Spatial; });
    if (!spatial) return std::nullopt;
    (found ? w.after : w.before).push_back(*nest);
  }
  if (!found) return std::nullopt;
  w.vector = w.output.back();
  std::vector<const Load*> loads = vector_loads(*w.nest.block, w.vector);
  if (loads.empty()) return std::nullopt;
  if (extent_of(w.nest.loops[w.vector]) == 0) return std::nullopt;  // the vector axis must be constant
  w.blocked = blocked_axis(w, loads);
  w.ops = iterations(w.nest);
  return w;
}

// The loops of `block` under `outer`, innermost last.
std::vector<LoopRV> loops_under(TracedSchedule& t, const BlockRV& block, const LoopRV& outer) {
  std::vector<LoopRV> loops = t.get_loops(block);
  auto at = std::find_if(loops.begin(), loops.end(), [&](const LoopRV& l) { return l.var == outer.var; });
  return at == loops.end() ? std::vector<LoopRV>{} : std::vector<LoopRV>(at + 1, loops.end());
}

// The tile's loops under the vector-chunk loop: the blocked axis unrolled, the vector axis
// vectorized (each when it is there).
void tile_loop_kinds(TracedSchedule& t, const std::vector<LoopRV>& tile, bool blocked, bool vector) {
  size_t n = tile.size();
  if (vector && n >= 1) t.vectorize(tile[n - 1]);
  if (blocked && n >= (vector ? 2u : 1u)) t.unroll(tile[n - (vector ? 2 : 1)]);
}

// A spatial stage before the reduction: its outer loops fused and parallel when it is large.
void schedule_stage(TracedSchedule& t, const PrimFunc& func, const Nest& nest, const Target& target) {
  int64_t elements = iterations(nest);
  if (nest.loops.size() < 2 || elements < target.parallel_min_elements() || target.cores < 2) return;
  BlockRV b = t.get_block(nest.block->name, func.name);
  std::vector<LoopRV> loops = t.get_loops(b);
  loops.pop_back();  // the innermost loop stays for LLVM to vectorize
  t.parallel(loops.size() == 1 ? loops[0] : t.fuse(loops));
}

void schedule_window(TracedSchedule& t, const PrimFunc& func, const WindowReduction& w, const Target& target, const RuleParams& params) {
  for (const Nest& stage : w.before) {
    if (params.parallel) schedule_stage(t, func, stage, target);
  }
  DataType dtype = w.nest.block->body->as<Store>()->buffer->dtype;
  BlockRV b = t.get_block(w.nest.block->name, func.name);
  std::vector<LoopRV> loops = t.get_loops(b);
  int64_t lanes = largest_divisor_at_most(extent_of(w.nest.loops[w.vector]), target.lanes(dtype));
  int64_t accumulators = params.accumulators > 0 ? params.accumulators : target.accumulator_registers();
  int64_t rows = w.blocked < w.spatial ? largest_divisor_at_most(extent_of(w.nest.loops[w.blocked]), accumulators) : 1;
  // Output loops outside the tile in the output's order, then the reduction, then the tile.
  std::vector<LoopRV> outer, reduction(loops.begin() + static_cast<std::ptrdiff_t>(w.spatial), loops.end()), tile;
  for (size_t i : w.output) {
    int64_t factor = i == w.vector ? lanes : i == w.blocked ? rows : 1;
    if (factor == 1) {
      outer.push_back(loops[i]);
      continue;
    }
    std::vector<LoopRV> parts = t.split(loops[i], {std::nullopt, factor});
    outer.push_back(parts[0]);
    tile.push_back(parts[1]);
  }
  // The vector axis is the output's last, so the tile is the blocked loop, then the vector loop.
  std::vector<LoopRV> order = outer;
  order.insert(order.end(), reduction.begin(), reduction.end());
  order.insert(order.end(), tile.begin(), tile.end());
  t.reorder(order);
  // The accumulators: a cache of the output tile (registers, once compacted), written back and
  // followed by the elementwise stages under the same chunk loop.
  const LoopRV chunk = outer.back();
  BlockRV cache = t.cache_write(b, 0, "local");
  t.reverse_compute_at(cache, chunk);
  std::vector<BlockRV> after = {cache};
  for (const Nest& stage : w.after) {
    after.push_back(t.get_block(stage.block->name, func.name));
    t.reverse_compute_at(after.back(), chunk);
  }
  BlockRV init = t.decompose_reduction(b, reduction.front());
  tile_loop_kinds(t, tile, rows > 1, lanes > 1);
  tile_loop_kinds(t, loops_under(t, init, chunk), rows > 1, lanes > 1);
  for (const BlockRV& stage : after) tile_loop_kinds(t, loops_under(t, stage, chunk), rows > 1, lanes > 1);
  // Threads share the output loops outside the chunk loop.
  std::vector<LoopRV> shared(outer.begin(), outer.end() - 1);
  if (shared.empty() || !params.parallel || target.cores < 2 || 2 * w.ops < target.parallel_min_ops) return;
  t.parallel(shared.size() == 1 ? shared[0] : t.fuse(shared));
}

}  // namespace

bool window_rule_applies(const PrimFunc& func) { return match(func).has_value(); }

std::optional<RuleApplied> apply_window_rule(Module& module, const PrimFunc& func, const Target& target, const RuleParams& params) {
  std::optional<WindowReduction> window = match(func);
  if (!window) return std::nullopt;
  Schedule sch(module);
  TracedSchedule traced(sch);
  schedule_window(traced, func, *window, target, params);
  module = sch.module();
  return RuleApplied{"window-reduction", traced.lines()};
}

}  // namespace relaxc::schedule
