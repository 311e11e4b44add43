// Loop partitioning (TVM's LoopPartition), run on each prim_func just before code generation,
// after compact_buffers. Requires: block predicates over loop variables, as split writes them
// for an extent its factor does not divide (`T.where(i0 * 4 + i1 < n)`). Guarantees: the same
// results; a serial or parallel loop whose iterations satisfy such a bound for every value of
// the loops inside it, up to a point, becomes two loops: the iterations before that point
// without the bound (so their tiles vectorize and stay in registers), and the rest with it.
// Then a bound that does not depend on a vectorized or unrolled loop (nor on any loop inside
// it) moves out of it as an `if` around it, so no vector loop holds a branch.
#include "compiler/passes/tir/partition_loops.h"

#include <algorithm>
#include <map>
#include <set>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/affine.h"

namespace relaxc {

using namespace relaxc::tir;
using schedule::Affine;
namespace b = relaxc::tir::build;

namespace {

void conjuncts(const Expr& e, std::vector<Expr>& out) {
  const auto* bin = e ? e->as<Binary>() : nullptr;
  if (bin && bin->op == BinaryOp::And) {
    conjuncts(bin->a, out);
    conjuncts(bin->b, out);
  } else if (e) {
    out.push_back(e);
  }
}

Expr conjunction(const std::vector<Expr>& parts) {
  Expr out;
  for (const Expr& p : parts) out = out ? std::make_shared<Binary>(BinaryOp::And, out, p, DataType::Bool, p->loc) : p;
  return out;
}

// The constant ranges of the loops inside `body`; loops of other ranges are left out.
std::map<const Var*, std::pair<int64_t, int64_t>> inner_ranges(const Stmt& body) {
  std::map<const Var*, std::pair<int64_t, int64_t>> out;
  visit_stmt(body, [&](const StmtNode& n) {
    const auto* f = n.as<For>();
    const IntImm *min = f ? f->min->as<IntImm>() : nullptr, *extent = f ? f->extent->as<IntImm>() : nullptr;
    if (min && extent && extent->value > 0) out[f->loop_var.get()] = {min->value, min->value + extent->value - 1};
  });
  return out;
}

// For a bound `a * v + rest < limit` (a > 0, rest over the loops inside, limit over neither):
// the first value of v at which some inner value may break it, floor((limit - max(rest) - 1) / a) + 1.
Expr break_point(const Expr& conjunct, const For& loop, const std::map<const Var*, std::pair<int64_t, int64_t>>& inner) {
  const auto* cmp = conjunct->as<Binary>();
  if (!cmp || cmp->op != BinaryOp::LT) return nullptr;
  std::optional<Affine> lhs = schedule::to_affine(cmp->a);
  if (!lhs) return nullptr;
  auto coef = lhs->terms.find(loop.loop_var.get());
  if (coef == lhs->terms.end() || coef->second <= 0) return nullptr;
  int64_t highest = lhs->constant;
  for (const auto& [var, c] : lhs->terms) {
    if (var == loop.loop_var.get()) continue;
    auto range = inner.find(var);
    if (range == inner.end()) return nullptr;
    highest += c > 0 ? c * range->second.second : c * range->second.first;
  }
  for (const VarPtr& v : vars_in(cmp->b)) {
    if (v.get() == loop.loop_var.get() || inner.count(v.get())) return nullptr;
  }
  DataType t = loop.loop_var->dtype;
  Expr limit = b::as_dtype(cmp->b, t);
  Expr quotient = b::arith(BinaryOp::FloorDiv, b::arith(BinaryOp::Sub, limit, b::imm(highest + 1, t, loop.loc)), b::imm(coef->second, t, loop.loc));
  return b::arith(BinaryOp::Add, quotient, b::imm(1, t, loop.loc));
}

Expr clamp(const Expr& e, const Expr& lo, const Expr& hi) {
  const IntImm *x = e->as<IntImm>(), *l = lo->as<IntImm>(), *h = hi->as<IntImm>();
  if (x && l && h) return b::imm(std::min(std::max(x->value, l->value), h->value), e->dtype, e->loc);
  Expr low = std::make_shared<Binary>(BinaryOp::Max, e, lo, e->dtype, e->loc);
  return std::make_shared<Binary>(BinaryOp::Min, low, hi, e->dtype, e->loc);
}

// `s` with the conjuncts in `drop` taken out of every block predicate.
Stmt without_conjuncts(const Stmt& s, const std::set<const ExprNode*>& drop) {
  if (!s) return s;
  switch (s->kind) {
    case StmtKind::For: {
      Stmt body = without_conjuncts(s->as<For>()->body, drop);
      if (body == s->as<For>()->body) return s;
      auto copy = std::make_shared<For>(*s->as<For>());
      copy->body = body;
      return copy;
    }
    case StmtKind::Seq: {
      std::vector<Stmt> parts;
      bool changed = false;
      for (const Stmt& p : s->as<Seq>()->stmts) {
        parts.push_back(without_conjuncts(p, drop));
        changed = changed || parts.back() != p;
      }
      return changed ? std::make_shared<Seq>(std::move(parts), s->loc) : s;
    }
    case StmtKind::Block: {
      const auto* block = s->as<Block>();
      std::vector<Expr> parts, kept;
      conjuncts(block->predicate, parts);
      for (const Expr& p : parts) {
        if (!drop.count(p.get())) kept.push_back(p);
      }
      Stmt body = without_conjuncts(block->body, drop);
      if (kept.size() == parts.size() && body == block->body) return s;
      auto copy = std::make_shared<Block>(*block);
      copy->predicate = conjunction(kept);
      copy->body = body;
      return copy;
    }
    default: return s;
  }
}

// The loop's iterations as a copy over a fresh variable, with its own copies of the buffers
// allocated inside (compacted tiles), from `start` to the loop's end.
Stmt tail_copy(const For& loop, const Expr& start) {
  VarPtr var = b::fresh(loop.loop_var->name + "_tail", loop.loop_var->dtype, loop.loc);
  BufferMap clones;
  visit_stmt(loop.body, [&](const StmtNode& n) {
    if (const auto* block = n.as<Block>()) {
      for (const BufferPtr& buffer : block->alloc_buffers) clones[buffer.get()] = std::make_shared<Buffer>(*buffer);
    }
  });
  Stmt body = rewrite_stmt(loop.body, [&](const Expr& e) -> Expr {
    const auto* ref = e->as<VarRef>();
    return ref && ref->var == loop.loop_var ? b::var_ref(var) : nullptr;
  }, clones);
  auto tail = std::make_shared<For>(loop);
  tail->loop_var = var;
  tail->min = start;
  tail->extent = b::arith(BinaryOp::Sub, b::arith(BinaryOp::Add, loop.min, loop.extent), start);
  tail->body = body;
  return tail;
}

Stmt partition(const Stmt& s);

Stmt partition_for(const For& loop, const Stmt& self) {
  bool candidate = loop.for_kind == ForKind::Serial || loop.for_kind == ForKind::Parallel;
  std::map<const Var*, std::pair<int64_t, int64_t>> inner = inner_ranges(loop.body);
  std::set<const ExprNode*> proven;
  Expr point;
  visit_stmt(candidate ? loop.body : nullptr, [&](const StmtNode& n) {
    const auto* block = n.as<Block>();
    std::vector<Expr> parts;
    if (block) conjuncts(block->predicate, parts);
    for (const Expr& p : parts) {
      Expr at = break_point(p, loop, inner);
      if (!at) continue;
      proven.insert(p.get());
      point = point ? std::make_shared<Binary>(BinaryOp::Min, point, at, at->dtype, at->loc) : at;
    }
  });
  if (!point) {
    Stmt body = partition(loop.body);
    if (body == loop.body) return self;
    auto copy = std::make_shared<For>(loop);
    copy->body = body;
    return copy;
  }
  Expr end = b::arith(BinaryOp::Add, loop.min, loop.extent);
  Expr split = clamp(point, loop.min, end);
  auto main = std::make_shared<For>(loop);
  main->extent = b::arith(BinaryOp::Sub, split, loop.min);
  main->body = partition(without_conjuncts(loop.body, proven));
  const IntImm *at = split->as<IntImm>(), *last = end->as<IntImm>();
  if (at && last && at->value == last->value) return main;
  auto tail = std::make_shared<For>(*tail_copy(loop, split)->as<For>());
  tail->body = partition(tail->body);  // its inner loops' bounds; its own stays
  return std::make_shared<Seq>(std::vector<Stmt>{main, tail}, loop.loc);
}

Stmt partition(const Stmt& s) {
  if (!s) return s;
  switch (s->kind) {
    case StmtKind::For: return partition_for(*s->as<For>(), s);
    case StmtKind::Seq: {
      std::vector<Stmt> parts;
      bool changed = false;
      for (const Stmt& p : s->as<Seq>()->stmts) {
        parts.push_back(partition(p));
        changed = changed || parts.back() != p;
      }
      return changed ? std::make_shared<Seq>(std::move(parts), s->loc) : s;
    }
    case StmtKind::Block: {
      const auto* block = s->as<Block>();
      Stmt body = partition(block->body);
      if (body == block->body) return s;
      auto copy = std::make_shared<Block>(*block);
      copy->body = body;
      return copy;
    }
    default: return s;
  }
}

// A vectorized or unrolled loop whose body is one block (or an `if`) with a condition that does
// not use the loop's variable: the condition as an `if` around the loop instead.
Stmt hoist_uniform_bounds(const Stmt& s) {
  if (!s) return s;
  switch (s->kind) {
    case StmtKind::For: {
      const auto* f = s->as<For>();
      Stmt body = hoist_uniform_bounds(f->body);
      auto copy = std::make_shared<For>(*f);
      copy->body = body;
      if (f->for_kind != ForKind::Vectorized && f->for_kind != ForKind::Unrolled) return body == f->body ? s : copy;
      const Var* v = f->loop_var.get();
      if (const auto* cond = body->as<If>(); cond && !cond->else_case && !uses_var(cond->cond, v)) {
        copy->body = cond->then_case;
        return std::make_shared<If>(cond->cond, copy, nullptr, f->loc);
      }
      const auto* block = body->as<Block>();
      std::vector<Expr> parts, uniform, rest;
      if (block) conjuncts(block->predicate, parts);
      for (const Expr& p : parts) (uses_var(p, v) ? rest : uniform).push_back(p);
      // A bound on the lanes themselves (the last, partial vector of a remainder) leaves a
      // branch per lane: that loop runs serially.
      if (!rest.empty() && f->for_kind == ForKind::Vectorized) copy->for_kind = ForKind::Serial;
      if (uniform.empty()) return copy;
      auto inner = std::make_shared<Block>(*block);
      inner->predicate = conjunction(rest);
      copy->body = inner;
      return std::make_shared<If>(conjunction(uniform), copy, nullptr, f->loc);
    }
    case StmtKind::Seq: {
      std::vector<Stmt> parts;
      bool changed = false;
      for (const Stmt& p : s->as<Seq>()->stmts) {
        parts.push_back(hoist_uniform_bounds(p));
        changed = changed || parts.back() != p;
      }
      return changed ? std::make_shared<Seq>(std::move(parts), s->loc) : s;
    }
    case StmtKind::Block: {
      const auto* block = s->as<Block>();
      Stmt body = hoist_uniform_bounds(block->body);
      if (body == block->body) return s;
      auto copy = std::make_shared<Block>(*block);
      copy->body = body;
      return copy;
    }
    case StmtKind::If: {
      const auto* i = s->as<If>();
      Stmt then_case = hoist_uniform_bounds(i->then_case), else_case = hoist_uniform_bounds(i->else_case);
      if (then_case == i->then_case && else_case == i->else_case) return s;
      return std::make_shared<If>(i->cond, then_case, else_case, i->loc);
    }
    default: return s;
  }
}

}  // namespace

tir::PrimFuncPtr partition_loops(const tir::PrimFuncPtr& func) {
  Stmt body = hoist_uniform_bounds(partition(func->body));
  if (body == func->body) return func;
  auto copy = std::make_shared<PrimFunc>(*func);
  copy->body = body;
  return copy;
}

}  // namespace relaxc
