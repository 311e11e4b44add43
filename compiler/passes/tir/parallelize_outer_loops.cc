#include "compiler/passes/tir/parallelize_outer_loops.h"

#include <algorithm>
#include <functional>
#include <set>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc {

using namespace relaxc::tir;

namespace {

// Whether `e` uses v other than to index a buffer private to each iteration (such a load cannot
// read what another iteration writes).
bool uses_var_outside(const Expr& e, const Var* v, const std::set<const Buffer*>& local) {
  if (auto* load = e->as<Load>(); load && local.count(load->buffer.get())) return false;
  switch (e->kind) {
    case ExprKind::VarRef: return e->as<VarRef>()->var.get() == v;
    case ExprKind::Load:
      return std::any_of(e->as<Load>()->indices.begin(), e->as<Load>()->indices.end(), [&](const Expr& i) { return uses_var_outside(i, v, local); });
    case ExprKind::Binary: return uses_var_outside(e->as<Binary>()->a, v, local) || uses_var_outside(e->as<Binary>()->b, v, local);
    case ExprKind::Not: return uses_var_outside(e->as<Not>()->a, v, local);
    case ExprKind::Cast: return uses_var_outside(e->as<Cast>()->value, v, local);
    case ExprKind::Select: {
      auto* s = e->as<Select>();
      return uses_var_outside(s->cond, v, local) || uses_var_outside(s->true_value, v, local) || uses_var_outside(s->false_value, v, local);
    }
    case ExprKind::Call:
      return std::any_of(e->as<Call>()->args.begin(), e->as<Call>()->args.end(), [&](const Expr& a) { return uses_var_outside(a, v, local); });
    default: return false;
  }
}

// Whether iterations of `loop` may run at once (see the header).
bool independent_iterations(const For& loop) {
  const Var* v = loop.loop_var.get();
  std::set<const Var*> spatial;   // block axes whose binding uses v
  std::set<const Buffer*> local;  // buffers allocated inside the loop
  bool ok = true;
  std::function<void(const Stmt&)> scan = [&](const Stmt& s) {
    if (!ok || !s) return;
    switch (s->kind) {
      case StmtKind::For: {
        const auto* f = s->as<For>();
        if (uses_var(f->min, v) || uses_var(f->extent, v)) ok = false;
        scan(f->body);
        return;
      }
      case StmtKind::Block: {
        const auto* b = s->as<Block>();
        for (const IterVar& iv : b->iter_vars) {
          if (!iv.binding || !uses_var(iv.binding, v)) continue;
          if (iv.kind != IterKind::Spatial) ok = false;
          spatial.insert(iv.var.get());
        }
        if (b->predicate && uses_var(b->predicate, v)) ok = false;
        for (const BufferPtr& buffer : b->alloc_buffers) local.insert(buffer.get());
        scan(b->init);
        scan(b->body);
        return;
      }
      case StmtKind::Store: {
        const auto* st = s->as<Store>();
        bool disjoint = local.count(st->buffer.get()) > 0;
        if (disjoint) {  // each iteration has its own copy of the buffer
          if (uses_var_outside(st->value, v, local)) ok = false;
          return;
        }
        for (const Expr& index : st->indices) {
          if (uses_var(index, v)) ok = false;
          for (const Var* axis : spatial) disjoint = disjoint || uses_var(index, axis);
        }
        if (uses_var_outside(st->value, v, local)) ok = false;
        if (!disjoint) ok = false;
        return;
      }
      case StmtKind::Seq:
        for (const Stmt& part : s->as<Seq>()->stmts) scan(part);
        return;
      case StmtKind::If: {
        const auto* i = s->as<If>();
        if (uses_var(i->cond, v)) ok = false;
        scan(i->then_case);
        scan(i->else_case);
        return;
      }
      case StmtKind::Evaluate:
        if (uses_var(s->as<Evaluate>()->value, v)) ok = false;
        return;
      case StmtKind::Let: {
        const auto* let = s->as<Let>();
        if (uses_var(let->value, v)) ok = false;
        scan(let->body);
        return;
      }
    }
  };
  scan(loop.body);
  return ok;
}

bool is_zero(const Expr& e) {
  const auto* c = e->as<IntImm>();
  return c && c->value == 0;
}

// A loop as this pass may make parallel: serial, from 0, without annotations.
bool plain_loop(const For& loop) { return loop.for_kind == ForKind::Serial && loop.annotations.empty() && is_zero(loop.min); }

// A batch loop (symbolic extent, 1 at batch 1) directly around a loop of constant extent whose
// iterations are independent too: the two as one parallel loop over both, so that a batch of
// one still spreads over the cores (the FashionMNIST CNN's convolution with its pooling ran on
// one core at batch 1). Iterations of the pair are independent when those of each loop are:
// pairs differing in the outer index write apart by the outer check, the others by the inner.
Stmt fused_with_inner(const For& outer) {
  const auto* inner = outer.body->as<For>();
  const auto* m = inner ? inner->extent->as<IntImm>() : nullptr;
  if (outer.extent->as<IntImm>() || !is_zero(outer.min) || !m || m->value < 2 || !plain_loop(*inner) || !independent_iterations(*inner)) return nullptr;
  DataType index = outer.loop_var->dtype;
  VarPtr fused = build::fresh(outer.loop_var->name + "_" + inner->loop_var->name + "_fused", index, outer.loc);
  Expr count = build::imm(m->value, index, outer.loc);
  Expr outer_value = build::arith(BinaryOp::FloorDiv, build::var_ref(fused), count);
  Expr inner_value = build::as_dtype(build::arith(BinaryOp::FloorMod, build::var_ref(fused), count), inner->loop_var->dtype);
  Stmt body = rewrite_stmt(inner->body, [&](const Expr& e) -> Expr {
    const auto* ref = e->as<VarRef>();
    if (!ref) return nullptr;
    if (ref->var == outer.loop_var) return outer_value;
    return ref->var == inner->loop_var ? inner_value : e;
  });
  return build::loop(fused, build::imm(0, index, outer.loc), build::arith(BinaryOp::Mul, outer.extent, count), ForKind::Parallel, body);
}

Stmt parallelize(const Stmt& s) {
  if (!s) return s;
  if (const auto* seq = s->as<Seq>()) {
    std::vector<Stmt> parts;
    bool changed = false;
    for (const Stmt& part : seq->stmts) {
      parts.push_back(parallelize(part));
      changed = changed || parts.back() != part;
    }
    return changed ? std::make_shared<Seq>(std::move(parts), seq->loc) : s;
  }
  const auto* loop = s->as<For>();
  if (!loop || loop->for_kind != ForKind::Serial || !loop->annotations.empty()) return s;
  if (const auto* extent = loop->extent->as<IntImm>(); extent && extent->value < 2) return s;
  if (!independent_iterations(*loop)) return s;
  if (Stmt fused = fused_with_inner(*loop)) return fused;
  auto copy = std::make_shared<For>(*loop);
  copy->for_kind = ForKind::Parallel;
  return copy;
}

}  // namespace

Module parallelize_outer_loops(const Module& module, const schedule::Target& target, const ScheduleChoices& choices) {
  return rewrite_prim_func_bodies(module, std::function<tir::Stmt(const tir::PrimFunc&)>([&](const tir::PrimFunc& f) {
    // A runtime function may not be safe to call from two threads at once.
    return knobs_for(choices, f.name, target).parallel && !tir::calls_runtime(f) && !f.scheduled ? parallelize(f.body) : f.body;
  }));
}

}  // namespace relaxc
