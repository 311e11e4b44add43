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
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

namespace {

// The values base + [lo, hi] of one dimension of a region; base is over loops that stay fixed.
struct DimRange {
  Affine base;
  int64_t lo = 0, hi = 0;
};

struct Access {
  const Block* block;
  std::vector<Expr> indices;
};

// Loads (or stores) of `buffer` in `block`.
std::vector<Access> accesses_of(const Block& block, const Buffer* buffer, bool stores) {
  std::vector<Access> out;
  visit_stmt(block.body, [&](const StmtNode& n) {
    const auto* store = n.as<Store>();
    if (stores && store && store->buffer.get() == buffer) out.push_back({&block, store->indices});
  }, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!stores && load && load->buffer.get() == buffer) out.push_back({&block, load->indices});
  });
  return out;
}

class RegionFinder {
 public:
  explicit RegionFinder(const std::string& what) : what_(what) {}

  // The region of `buffer` the blocks under `loop` touch in one of its iterations, with the
  // loops in `relaxed` (thread loops sharing the buffer) also running over their ranges.
  std::optional<std::vector<DimRange>> under(const Stmt& loop, const Buffer* buffer, bool stores, const std::map<const Var*, Interval>& relaxed) {
    std::optional<std::vector<DimRange>> region;
    for (const Block* block : all_blocks(loop)) {
      std::vector<Access> found = accesses_of(*block, buffer, stores);
      if (found.empty()) continue;
      std::vector<Stmt> path = find_path(loop, [&](const StmtNode& n) { return &n == block; });
      std::map<const Var*, Interval> varying = relaxed;
      for (size_t i = 1; i + 1 < path.size(); ++i) {
        const auto* f = path[i]->as<For>();
        if (!f) continue;
        const auto *min = f->min->as<IntImm>(), *extent = f->extent->as<IntImm>();
        // A loop of symbolic range is fine as long as the accesses do not use it.
        if (!min || !extent) {
          unbounded_[f->loop_var.get()] = f;
          continue;
        }
        varying[f->loop_var.get()] = {min->value, min->value + extent->value - 1};
      }
      std::map<const Var*, Expr> bindings;
      for (const IterVar& iv : block->iter_vars) bindings[iv.var.get()] = iv.binding;
      for (const Access& access : found) merge(region, access, bindings, varying, block->name);
    }
    return region;
  }

 private:
  static std::vector<const Block*> all_blocks(const Stmt& root) {
    std::vector<const Block*> out;
    visit_stmt(root, [&](const StmtNode& n) {
      if (const auto* block = n.as<Block>()) out.push_back(block);
    });
    return out;
  }

  // An index as (affine over the fixed loops) + [lo, hi] over the varying ones. Outside the
  // affine part, floordiv and floormod by a constant are bounded by intervals when their operand
  // varies only (a fused loop's `fused // 8`); anything else is not analysable.
  struct Split {
    Affine base;
    Interval span;
  };
  std::optional<Split> split(const Expr& e, const std::map<const Var*, Expr>& bindings, const std::map<const Var*, Interval>& varying) const {
    if (const auto* imm = e->as<IntImm>()) return Split{{}, {imm->value, imm->value}};
    if (const auto* cast = e->as<Cast>()) return is_int(cast->dtype) ? split(cast->value, bindings, varying) : std::nullopt;
    if (const auto* ref = e->as<VarRef>()) {
      if (auto it = bindings.find(ref->var.get()); it != bindings.end()) return split(it->second, bindings, varying);
      if (auto it = varying.find(ref->var.get()); it != varying.end()) return Split{{}, it->second};
      if (auto it = unbounded_.find(ref->var.get()); it != unbounded_.end()) {
        throw ScheduleError(what_ + "loop '" + it->second->loop_var->name + "' under the target loop has a range that is not constant, and the accesses use it");
      }
      Split fixed;
      fixed.base.terms[ref->var.get()] = 1;
      return fixed;
    }
    const auto* bin = e->as<Binary>();
    if (!bin) return std::nullopt;
    std::optional<Split> a = split(bin->a, bindings, varying), b = split(bin->b, bindings, varying);
    if (!a || !b) return std::nullopt;
    auto point = [](const Split& x) { return x.base.terms.empty() && x.span.min == x.span.max; };
    switch (bin->op) {
      case BinaryOp::Add:
      case BinaryOp::Sub: {
        int64_t sign = bin->op == BinaryOp::Add ? 1 : -1;
        Split out = *a;
        for (const auto& [v, c] : b->base.terms) {
          out.base.terms[v] += sign * c;
          if (out.base.terms[v] == 0) out.base.terms.erase(v);
        }
        out.span = sign > 0 ? Interval{a->span.min + b->span.min, a->span.max + b->span.max} : Interval{a->span.min - b->span.max, a->span.max - b->span.min};
        return out;
      }
      case BinaryOp::Mul: {
        if (!point(*a) && !point(*b)) return std::nullopt;
        const Split& x = point(*a) ? *b : *a;
        int64_t k = point(*a) ? a->span.min : b->span.min;
        Split out;
        for (const auto& [v, c] : x.base.terms) {
          if (c * k != 0) out.base.terms[v] = c * k;
        }
        out.span = {std::min(x.span.min * k, x.span.max * k), std::max(x.span.min * k, x.span.max * k)};
        return out;
      }
      case BinaryOp::FloorDiv:
      case BinaryOp::FloorMod: {
        if (!a->base.terms.empty() || !point(*b) || b->span.min <= 0) return std::nullopt;
        int64_t k = b->span.min;
        auto floor_div = [](int64_t x, int64_t d) { return x / d - ((x % d != 0) && ((x < 0) != (d < 0))); };
        if (bin->op == BinaryOp::FloorDiv) return Split{{}, {floor_div(a->span.min, k), floor_div(a->span.max, k)}};
        bool one_period = floor_div(a->span.min, k) == floor_div(a->span.max, k);
        int64_t lo = a->span.min - floor_div(a->span.min, k) * k;
        return Split{{}, one_period ? Interval{lo, lo + a->span.max - a->span.min} : Interval{0, k - 1}};
      }
      default: return std::nullopt;
    }
  }

  void merge(std::optional<std::vector<DimRange>>& region, const Access& access, const std::map<const Var*, Expr>& bindings,
             const std::map<const Var*, Interval>& varying, const std::string& block) {
    std::vector<DimRange> dims;
    for (const Expr& index : access.indices) {
      std::optional<Split> parts = split(index, bindings, varying);
      if (!parts) throw ScheduleError(what_ + "an index of block \"" + block + "\" is not affine in the loops (after its bindings)");
      DimRange dim;
      dim.base = parts->base;
      dim.lo = parts->span.min;
      dim.hi = parts->span.max;
      dims.push_back(dim);
    }
    if (!region) {
      region = dims;
      return;
    }
    for (size_t d = 0; d < dims.size(); ++d) {
      if ((*region)[d].base.terms != dims[d].base.terms) throw ScheduleError(what_ + "block \"" + block + "\" touches the buffer at places that do not share one offset");
      (*region)[d].lo = std::min((*region)[d].lo, dims[d].lo);
      (*region)[d].hi = std::max((*region)[d].hi, dims[d].hi);
    }
  }

  std::string what_;
  std::map<const Var*, const For*> unbounded_;  // loops of symbolic range met on the way down
};

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

// `base + offset` as an expression over the loop variables in `vars`, outer loops first.
Expr affine_expr(const Affine& base, int64_t offset, const std::vector<VarPtr>& vars, DataType dtype, SourceLoc loc) {
  Expr out;
  for (const VarPtr& v : vars) {
    auto it = base.terms.find(v.get());
    if (it == base.terms.end()) continue;
    Expr var = b::as_dtype(b::var_ref(v), dtype);
    Expr term = it->second == 1 ? var : b::arith(BinaryOp::Mul, var, b::imm(it->second, dtype, loc));
    out = out ? b::arith(BinaryOp::Add, out, term) : term;
  }
  if (!out) return b::imm(offset, dtype, loc);
  return offset > 0 ? b::arith(BinaryOp::Add, out, b::imm(offset, dtype, loc)) : offset < 0 ? b::arith(BinaryOp::Sub, out, b::imm(-offset, dtype, loc)) : out;
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
  bool reduction = std::any_of(block.iter_vars.begin(), block.iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Reduce; });
  if (!at_start && (reduction || block.init)) throw ScheduleError(what + sch.describe(block_rv) + " is a reduction; only a complete block (spatial axes only) can move to a loop it consumes");
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
  RegionFinder finder(what);
  std::map<const Var*, DimRange> ranges;
  bool linked = false;
  for (const Buffer* buffer : mine) {
    std::optional<std::vector<DimRange>> region = finder.under(loop_path.back(), buffer, /*stores=*/!at_start, shared_by_threads(loop_path, *buffer));
    if (!region) continue;
    linked = true;
    axis_ranges(block, buffer, /*stores=*/at_start, *region, ranges, what);
  }
  if (!linked) {
    throw ScheduleError(what + "no block under " + sch.describe(loop_rv) + (at_start ? " reads what " : " writes what ") + sch.describe(block_rv) +
                        (at_start ? " writes" : " reads"));
  }
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
