// compute_at(block, loop) and reverse_compute_at(block, loop): move a producer to the start of a
// loop's body (a consumer to its end) and shrink its iteration space to the elements that the
// blocks under the loop read (or write) in one iteration of it. The region is found from the
// affine form of the indices: loops under `loop` vary over their ranges, `loop` and the loops
// above it stay as variables. New loops are named ax0, ax1, ... as TVM names them; an axis
// with one value gets no loop. Both blocks must be in the function's root scope.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/affine.h"
#include "compiler/schedule/region.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

namespace {

// The iteration range each axis of `block` needs for its accesses of `buffer` to be `region`.
void axis_ranges(const Block& block, const Buffer* buffer, bool stores, const std::vector<DimRange>& region,
                 std::map<const Var*, DimRange>& ranges, const std::string& what) {
  for (const Access& access : accesses_of(block, buffer, stores)) {
    for (size_t d = 0; d < access.indices.size(); ++d) {
      std::optional<Affine> form = to_affine(access.indices[d]);
      if (form && form->terms.empty()) continue;
      if (!form || form->terms.size() != 1 || form->terms.begin()->second != 1) {
        throw ScheduleError(what + "block \"" + block.name + "\" indexes dimension " + std::to_string(d) + " of buffer '" + buffer->name +
                            "' with something other than one of its axes plus a constant");
      }
      const Var* axis = form->terms.begin()->first;
      DimRange range{region[d].base, region[d].lo - form->constant, region[d].hi - form->constant};
      auto [it, fresh] = ranges.emplace(axis, range);
      if (!fresh && (it->second.base.terms != range.base.terms || it->second.lo != range.lo || it->second.hi != range.hi)) {
        throw ScheduleError(what + "axis '" + axis->name + "' of block \"" + block.name + "\" would need two different ranges");
      }
    }
  }
}

// The thread-bound loops at or above the target whose threads all see `buffer` (a "shared"
// buffer is one per thread block, a "global" one is seen by every thread): in TVM's
// meaning of compute_at, each thread computes the region all of them need, as they share it.
std::map<const Var*, Interval> shared_by_threads(const std::vector<Stmt>& loop_path, const Buffer& buffer) {
  std::map<const Var*, Interval> out;
  bool shared = buffer.scope.rfind("shared", 0) == 0, global = buffer.scope == "global";
  if (!shared && !global) return out;
  for (const Stmt& s : loop_path) {
    const auto* f = s->as<For>();
    if (!f || f->for_kind != ForKind::ThreadBinding) continue;
    if (shared && f->thread.rfind("threadIdx", 0) != 0) continue;
    const auto *min = f->min->as<IntImm>(), *extent = f->extent->as<IntImm>();
    if (min && extent) out[f->loop_var.get()] = {min->value, min->value + extent->value - 1};
  }
  return out;
}

// The buffers `stmt` loads and stores.
void buffers_of(const Stmt& stmt, std::set<const Buffer*>& reads, std::set<const Buffer*>& writes) {
  visit_stmt(stmt, [&](const StmtNode& n) {
    if (const auto* store = n.as<Store>()) writes.insert(store->buffer.get());
  }, [&](const ExprNode& e) {
    if (const auto* load = e.as<Load>()) reads.insert(load->buffer.get());
    if (const auto* ref = e.as<BufferRef>()) reads.insert(ref->buffer.get()), writes.insert(ref->buffer.get());
  });
}

// The least value of `form` when only the lower ends of the loops are known (symbolic extents):
// every term must grow with its variable. INT64_MIN when that cannot be shown.
int64_t lowest(const Affine& form, const std::map<const Var*, Interval>& ranges, const std::map<const Var*, const For*>& loops) {
  int64_t total = form.constant;
  for (const auto& [var, coef] : form.terms) {
    int64_t low = 0;
    if (auto r = ranges.find(var); r != ranges.end()) {
      low = r->second.min;
    } else if (auto l = loops.find(var); l != loops.end() && l->second->min->as<IntImm>()) {
      low = l->second->min->as<IntImm>()->value;
    } else {
      return INT64_MIN;
    }
    if (coef < 0) return INT64_MIN;
    total += coef * low;
  }
  return total;
}

// Conditions keeping `binding` inside the axis's domain where the ranges cannot prove it. A
// binding that is a loop variable over exactly the axis's domain needs none, even when the
// domain is symbolic.
void domain_conditions(const IterVar& iv, const std::map<const Var*, Interval>& ranges, const std::map<const Var*, const For*>& loops,
                       std::vector<Expr>& conditions) {
  if (const auto* ref = iv.binding->as<VarRef>()) {
    auto loop = loops.find(ref->var.get());
    if (loop != loops.end() && same_expr(loop->second->min, iv.min) && same_expr(loop->second->extent, iv.extent)) return;
  }
  std::optional<Affine> form = to_affine(iv.binding);
  std::optional<Interval> span = form ? bound(*form, ranges) : std::nullopt;
  const auto *min = iv.min->as<IntImm>(), *extent = iv.extent->as<IntImm>();
  bool low_ok = (span && min && span->min >= min->value) || (min && form && lowest(*form, ranges, loops) >= min->value);
  bool high_ok = span && min && extent && span->max < min->value + extent->value;
  if (!low_ok) conditions.push_back(std::make_shared<Binary>(BinaryOp::LE, iv.min, iv.binding, DataType::Bool, iv.var->loc));
  if (!high_ok) conditions.push_back(std::make_shared<Binary>(BinaryOp::LT, iv.binding, b::arith(BinaryOp::Add, iv.min, iv.extent), DataType::Bool, iv.var->loc));
}

// The block, rebound to new loops ax0, ax1, ... over `ranges`, moved to the start (or end) of
// the loop's body.
void build_and_place(Schedule& sch, const BlockRV& rv, const std::vector<Stmt>& block_path, const LoopRV& loop_rv,
                     const std::map<const Var*, DimRange>& ranges, const std::vector<VarPtr>& outer, std::map<const Var*, Interval> known,
                     const std::map<const Var*, const For*>& outer_loops, bool at_start, bool preserve_unit_loops) {
  auto moved = std::make_shared<Block>(block_at(block_path));
  std::vector<std::pair<VarPtr, Expr>> loops;
  std::vector<Expr> conditions;
  for (IterVar& iv : moved->iter_vars) {
    DataType dtype = iv.var->dtype;
    SourceLoc loc = iv.var->loc;
    auto it = ranges.find(iv.var.get());
    Expr min = it == ranges.end() ? iv.min : affine_expr(it->second.base, it->second.lo, outer, dtype, loc);
    Expr extent = it == ranges.end() ? iv.extent : b::imm(it->second.hi - it->second.lo + 1, dtype, loc);
    const auto* constant = extent->as<IntImm>();
    if (constant && constant->value == 1 && !preserve_unit_loops) {
      iv.binding = min;
    } else {
      VarPtr ax = b::fresh("ax" + std::to_string(loops.size()), dtype, loc);
      loops.push_back({ax, extent});
      iv.binding = b::arith(BinaryOp::Add, min, b::var_ref(ax));
      if (constant) known[ax.get()] = {0, constant->value - 1};
    }
    if (it != ranges.end()) domain_conditions(iv, known, outer_loops, conditions);
  }
  for (const Expr& c : conditions) {
    moved->predicate = moved->predicate ? std::make_shared<Binary>(BinaryOp::And, moved->predicate, c, DataType::Bool, c->loc) : c;
  }
  Stmt nest = moved;
  for (size_t i = loops.size(); i-- > 0;) nest = b::loop(loops[i].first, b::imm(0, loops[i].second->dtype, nest->loc), loops[i].second, ForKind::Serial, nest);
  Stmt without = replace_at(block_path, nullptr);
  std::vector<Stmt> path = find_path(without, [&](const StmtNode& n) {
    const auto* f = n.as<For>();
    return f && f->loop_var == loop_rv.var;
  });
  auto target = std::make_shared<For>(loop_at(path));
  std::vector<Stmt> parts = target->body->kind == StmtKind::Seq ? target->body->as<Seq>()->stmts : std::vector<Stmt>{target->body};
  // As TVM's index=-1: a producer goes just before the first statement that reads what it
  // writes (after earlier producers placed there); a consumer goes last.
  size_t at = parts.size();
  if (at_start) {
    std::set<const Buffer*> reads, writes;
    buffers_of(moved, reads, writes);
    for (size_t i = 0; i < parts.size() && at == parts.size(); ++i) {
      std::set<const Buffer*> r, w;
      buffers_of(parts[i], r, w);
      if (std::any_of(r.begin(), r.end(), [&](const Buffer* x) { return writes.count(x); })) at = i;
    }
  }
  parts.insert(parts.begin() + static_cast<std::ptrdiff_t>(at), nest);
  target->body = std::make_shared<Seq>(std::move(parts), target->loc);
  sch.set_body(rv.func, replace_at(path, target));
}


// A reduction block may move (TVM: a complete or reduction block) when each iteration of the
// loop runs its whole reduction: no reduction axis may get a part of its domain, or the init
// would run again for the rest.
void whole_reductions(const Schedule& sch, const BlockRV& rv, const Block& block, const std::map<const Var*, DimRange>& ranges, const std::string& what) {
  for (const IterVar& iv : block.iter_vars) {
    auto it = ranges.find(iv.var.get());
    if (iv.kind != IterKind::Reduce || it == ranges.end()) continue;
    const auto *min = iv.min->as<IntImm>(), *extent = iv.extent->as<IntImm>();
    const DimRange& r = it->second;
    bool whole = min && extent && r.base.terms.empty() && r.lo == min->value && r.hi == min->value + extent->value - 1;
    if (!whole) {
      throw ScheduleError(what + "reduction axis '" + iv.var->name + "' of " + sch.describe(rv) +
                          " would run over only part of its domain in each iteration of the loop, and its init again for each part");
    }
  }
}

// The shared work of compute_at (`at_start`) and reverse_compute_at.
void move_to_loop(Schedule& sch, const BlockRV& block_rv, const LoopRV& loop_rv, bool at_start, bool preserve_unit_loops) {
  const std::string what = std::string(at_start ? "compute_at" : "reverse_compute_at") + ": ";
  std::vector<Stmt> block_path = sch.block_path(block_rv);
  std::vector<Stmt> loop_path = sch.loop_path(loop_rv);
  const Block& block = block_at(block_path);
  if (block_rv.func != loop_rv.func) throw ScheduleError(what + sch.describe(block_rv) + " and " + sch.describe(loop_rv) + " are in different functions");
  for (const Stmt& s : block_path) {
    if (s.get() == loop_path.back().get()) throw ScheduleError(what + sch.describe(block_rv) + " is already under " + sch.describe(loop_rv));
  }
  for (size_t i = 0; i + 1 < block_path.size(); ++i) {
    if (block_path[i]->kind == StmtKind::Block) throw ScheduleError(what + sch.describe(block_rv) + " is inside another block; only blocks of the root scope can move");
  }
  for (const Stmt& s : loop_path) {
    if (s->kind == StmtKind::Block) throw ScheduleError(what + sch.describe(loop_rv) + " is inside a block; only loops of the root scope can receive a block");
  }
  if (block.predicate) throw ScheduleError(what + sch.describe(block_rv) + " has a T.where predicate");
  // Both at the top level of the function body, the producer first.
  const Stmt& body = block_path[0];
  std::vector<Stmt> top = body->kind == StmtKind::Seq ? body->as<Seq>()->stmts : std::vector<Stmt>{body};
  auto top_index = [&](const std::vector<Stmt>& path) {
    const Stmt& first = body->kind == StmtKind::Seq ? path.at(1) : path.at(0);
    return static_cast<size_t>(std::find(top.begin(), top.end(), first) - top.begin());
  };
  size_t block_at_top = top_index(block_path), loop_at_top = top_index(loop_path);
  if (at_start ? block_at_top >= loop_at_top : block_at_top <= loop_at_top) {
    throw ScheduleError(what + sch.describe(block_rv) + " must come " + (at_start ? "before" : "after") + " the loop nest of " + sch.describe(loop_rv));
  }
  // The buffers linking the block to the blocks under the loop: what it writes and they read,
  // or what it reads and they write.
  std::set<const Buffer*> reads, writes, mine;
  buffers_of(block_path.back(), reads, writes);
  mine = at_start ? writes : reads;
  // What runs between the two places must not depend on the move; nor, for a producer, what
  // runs after the loop (it computes only what the loop's body reads).
  size_t first = std::min(block_at_top, loop_at_top), last = std::max(block_at_top, loop_at_top);
  for (size_t i = first + 1; i < top.size(); ++i) {
    if (i == last || (i > last && !at_start)) continue;
    std::set<const Buffer*> r, w;
    buffers_of(top[i], r, w);
    bool reads_mine = std::any_of(r.begin(), r.end(), [&](const Buffer* x) { return writes.count(x); });
    bool writes_mine = i < last && std::any_of(w.begin(), w.end(), [&](const Buffer* x) { return reads.count(x); });
    if (reads_mine || writes_mine) {
      throw ScheduleError(what + "a block outside " + sch.describe(loop_rv) + (reads_mine ? " reads what " : " writes what ") + sch.describe(block_rv) +
                          (reads_mine ? " writes" : " reads") + ", so it cannot move into the loop");
    }
  }
  std::map<const Var*, DimRange> ranges;
  bool linked = false;
  for (const Buffer* buffer : mine) {
    std::optional<std::vector<DimRange>> region = region_under(loop_path.back(), buffer, /*stores=*/!at_start, shared_by_threads(loop_path, *buffer), what);
    if (!region) continue;
    linked = true;
    axis_ranges(block, buffer, /*stores=*/at_start, *region, ranges, what);
  }
  if (!linked) {
    throw ScheduleError(what + "no block under " + sch.describe(loop_rv) + (at_start ? " reads what " : " writes what ") + sch.describe(block_rv) +
                        (at_start ? " writes" : " reads"));
  }
  whole_reductions(sch, block_rv, block, ranges, what);
  // The loops above (and including) the target, with their ranges, for bounds and expressions.
  std::vector<VarPtr> outer;
  std::map<const Var*, Interval> known;
  for (const For* f : loops_on(loop_path)) outer.push_back(f->loop_var);
  outer.push_back(loop_at(loop_path).loop_var);
  std::map<const Var*, const For*> outer_loops;
  for (const Stmt& s : loop_path) {
    const auto* f = s->as<For>();
    if (!f) continue;
    outer_loops[f->loop_var.get()] = f;
    const auto *min = f->min->as<IntImm>(), *extent = f->extent->as<IntImm>();
    if (min && extent) known[f->loop_var.get()] = {min->value, min->value + extent->value - 1};
  }
  build_and_place(sch, block_rv, block_path, loop_rv, ranges, outer, known, outer_loops, at_start, preserve_unit_loops);
}

}  // namespace

void Schedule::compute_at(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops) {
  move_to_loop(*this, block, loop, true, preserve_unit_loops);
}

void Schedule::reverse_compute_at(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops) {
  move_to_loop(*this, block, loop, false, preserve_unit_loops);
}

}  // namespace relaxc::schedule
