#include "compiler/schedule/region.h"

#include <algorithm>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/schedule_tree.h"

namespace relaxc::schedule {

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

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

namespace {

// The loads (or stores) of `buffer` in `s` outside the blocks nested in it: those are the
// nested blocks' own, with their own bindings.
void own_accesses(const Stmt& s, const Block& block, const Buffer* buffer, bool stores, std::vector<Access>& out) {
  if (!s) return;
  auto loads = [&](const Expr& e) {
    if (stores || !e) return;
    visit_expr(e, [&](const ExprNode& n) {
      const auto* load = n.as<Load>();
      if (load && load->buffer.get() == buffer) out.push_back({&block, load->indices});
    });
  };
  switch (s->kind) {
    case StmtKind::Block: return;
    case StmtKind::For: {
      const auto* f = s->as<For>();
      loads(f->min), loads(f->extent);
      return own_accesses(f->body, block, buffer, stores, out);
    }
    case StmtKind::Store: {
      const auto* store = s->as<Store>();
      if (stores && store->buffer.get() == buffer) out.push_back({&block, store->indices});
      for (const Expr& index : store->indices) loads(index);
      return loads(store->value);
    }
    case StmtKind::Seq:
      for (const Stmt& part : s->as<Seq>()->stmts) own_accesses(part, block, buffer, stores, out);
      return;
    case StmtKind::If: {
      const auto* i = s->as<If>();
      loads(i->cond);
      own_accesses(i->then_case, block, buffer, stores, out);
      return own_accesses(i->else_case, block, buffer, stores, out);
    }
    case StmtKind::Evaluate: return loads(s->as<Evaluate>()->value);
    case StmtKind::Let: {
      const auto* let = s->as<Let>();
      loads(let->value);
      return own_accesses(let->body, block, buffer, stores, out);
    }
  }
}

class RegionFinder {
 public:
  RegionFinder(const std::string& what, Atoms* atoms) : what_(what), atoms_(atoms) {}

  // The region of `buffer` the blocks under `loop` touch in one of its iterations, with the
  // loops in `relaxed` (thread loops sharing the buffer) also running over their ranges.
  std::optional<std::vector<DimRange>> under(const Stmt& loop, const Buffer* buffer, bool stores, const std::map<const Var*, Interval>& relaxed) {
    std::optional<std::vector<DimRange>> region;
    for (const Block* block : all_blocks(loop)) {
      std::vector<Access> found;
      own_accesses(block->body, *block, buffer, stores, found);
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
    std::optional<Split> exact = split_exact(e, bindings, varying);
    if (exact || !atoms_) return exact;
    return atom(e, bindings, varying);
  }

  // With atoms: a part of an index that is not affine but depends only on fixed loops (a fused
  // loop's `fused // 56 % 8`) is a term of its own, one fresh variable per distinct expression.
  std::optional<Split> atom(const Expr& e, const std::map<const Var*, Expr>& bindings, const std::map<const Var*, Interval>& varying) const {
    Expr resolved = rewrite_expr(e, [&](const Expr& x) -> Expr {
      const auto* ref = x->as<VarRef>();
      if (!ref) return nullptr;
      auto it = bindings.find(ref->var.get());
      return it == bindings.end() ? nullptr : it->second;
    });
    for (const VarPtr& v : vars_in(resolved)) {
      if (varying.count(v.get()) || unbounded_.count(v.get())) return std::nullopt;
    }
    const Var* name = nullptr;
    for (const auto& [var, expr] : *atoms_) {
      if (same_expr(expr, resolved)) name = var.get();
    }
    if (!name) {
      atoms_->push_back({b::fresh("atom", e->dtype, e->loc), resolved});
      name = atoms_->back().first.get();
    }
    Split out;
    out.base.terms[name] = 1;
    return out;
  }

  std::optional<Split> split_exact(const Expr& e, const std::map<const Var*, Expr>& bindings, const std::map<const Var*, Interval>& varying) const {
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
  Atoms* atoms_;
  std::map<const Var*, const For*> unbounded_;  // loops of symbolic range met on the way down
};

}  // namespace

std::optional<std::vector<DimRange>> region_under(const Stmt& loop, const Buffer* buffer, bool stores, const std::map<const Var*, Interval>& relaxed,
                                                  const std::string& what, Atoms* atoms) {
  return RegionFinder(what, atoms).under(loop, buffer, stores, relaxed);
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

}  // namespace relaxc::schedule
