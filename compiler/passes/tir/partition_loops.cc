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
#include "compiler/ir/tir_mutator.h"
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

// The conjuncts in `drop` taken out of every block predicate.
class DropConjuncts : public StmtMutator {
 public:
  explicit DropConjuncts(const std::set<const ExprNode*>& drop) : drop_(drop) {}

 protected:
  Stmt mutate_block(const Block& node, const Stmt& self) override {
    Stmt inner = StmtMutator::mutate_block(node, self);
    std::vector<Expr> parts, kept;
    conjuncts(node.predicate, parts);
    for (const Expr& p : parts) {
      if (!drop_.count(p.get())) kept.push_back(p);
    }
    if (kept.size() == parts.size()) return inner;
    auto copy = std::make_shared<Block>(*inner->as<Block>());
    copy->predicate = conjunction(kept);
    return copy;
  }

 private:
  const std::set<const ExprNode*>& drop_;
};

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

// Each loop with bounds split at the first iteration some inner value may break one of them.
class Partitioner : public StmtMutator {
 protected:
  Stmt mutate_for(const For& loop, const Stmt& self) override {
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
    if (!point) return StmtMutator::mutate_for(loop, self);
    Expr end = b::arith(BinaryOp::Add, loop.min, loop.extent);
    Expr split = clamp(point, loop.min, end);
    auto main = std::make_shared<For>(loop);
    main->extent = b::arith(BinaryOp::Sub, split, loop.min);
    main->body = mutate(DropConjuncts(proven).mutate(loop.body));
    const IntImm *at = split->as<IntImm>(), *last = end->as<IntImm>();
    if (at && last && at->value == last->value) return main;
    auto tail = std::make_shared<For>(*tail_copy(loop, split)->as<For>());
    tail->body = mutate(tail->body);  // its inner loops' bounds; its own stays
    return std::make_shared<Seq>(std::vector<Stmt>{main, tail}, loop.loc);
  }
};

// A vectorized or unrolled loop whose body is one block (or an `if`) with a condition that does
// not use the loop's variable: the condition as an `if` around the loop instead.
class HoistUniformBounds : public StmtMutator {
 protected:
  Stmt mutate_for(const For& f, const Stmt& self) override {
    Stmt inner = StmtMutator::mutate_for(f, self);
    if (f.for_kind != ForKind::Vectorized && f.for_kind != ForKind::Unrolled) return inner;
    auto copy = std::make_shared<For>(*inner->as<For>());
    const Stmt body = copy->body;  // held: copy->body changes below
    const Var* v = f.loop_var.get();
    if (const auto* cond = body->as<If>(); cond && !cond->else_case && !uses_var(cond->cond, v)) {
      copy->body = cond->then_case;
      return std::make_shared<If>(cond->cond, copy, nullptr, f.loc);
    }
    const auto* block = body->as<Block>();
    std::vector<Expr> parts, uniform, rest;
    if (block) conjuncts(block->predicate, parts);
    for (const Expr& p : parts) (uses_var(p, v) ? rest : uniform).push_back(p);
    // A bound on the lanes themselves (the last, partial vector of a remainder) leaves a
    // branch per lane: that loop runs serially.
    bool serial = !rest.empty() && f.for_kind == ForKind::Vectorized;
    if (uniform.empty() && !serial) return inner;
    if (serial) copy->for_kind = ForKind::Serial;
    if (uniform.empty()) return copy;
    auto reduced = std::make_shared<Block>(*block);
    reduced->predicate = conjunction(rest);
    copy->body = reduced;
    return std::make_shared<If>(conjunction(uniform), copy, nullptr, f.loc);
  }
};

}  // namespace

tir::PrimFuncPtr partition_loops(const tir::PrimFuncPtr& func) {
  Stmt body = HoistUniformBounds().mutate(Partitioner().mutate(func->body));
  if (body == func->body) return func;
  auto copy = std::make_shared<PrimFunc>(*func);
  copy->body = body;
  return copy;
}

}  // namespace relaxc
