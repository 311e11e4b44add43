#include "compiler/ir/tir_rewrite.h"

#include "runtime/int_math.h"

namespace relaxc::tir {

namespace {

// `a op b` when both are integer constants and the result is exact, else null.
Expr fold(BinaryOp op, const Expr& a, const Expr& b, DataType dtype, SourceLoc loc) {
  const auto* x = a->as<IntImm>();
  const auto* y = b->as<IntImm>();
  if (!x || !y || !is_int(dtype)) return nullptr;
  int64_t p = x->value, q = y->value, r = 0;
  switch (op) {
    case BinaryOp::Add: if (__builtin_add_overflow(p, q, &r)) return nullptr; break;
    case BinaryOp::Sub: if (__builtin_sub_overflow(p, q, &r)) return nullptr; break;
    case BinaryOp::Mul: if (__builtin_mul_overflow(p, q, &r)) return nullptr; break;
    case BinaryOp::FloorDiv:
    case BinaryOp::FloorMod: {
      int64_t quotient = 0, remainder = 0;
      if (!relaxrt::floor_div_mod(p, q, &quotient, &remainder)) return nullptr;
      r = op == BinaryOp::FloorDiv ? quotient : remainder;
      break;
    }
    case BinaryOp::Min: r = std::min(p, q); break;
    case BinaryOp::Max: r = std::max(p, q); break;
    default: return nullptr;
  }
  return std::make_shared<IntImm>(r, dtype, loc);
}

std::vector<Expr> rewrite_all(const std::vector<Expr>& list, const ExprReplacer& replace, bool& changed) {
  std::vector<Expr> out;
  for (const Expr& e : list) {
    out.push_back(rewrite_expr(e, replace));
    changed = changed || out.back() != e;
  }
  return out;
}

}  // namespace

Expr rewrite_expr(const Expr& expr, const ExprReplacer& replace) {
  if (!expr) return expr;
  if (Expr replaced = replace(expr)) return replaced;
  switch (expr->kind) {
    case ExprKind::Binary: {
      const auto* bin = expr->as<Binary>();
      Expr a = rewrite_expr(bin->a, replace), b = rewrite_expr(bin->b, replace);
      if (a == bin->a && b == bin->b) return expr;
      if (Expr folded = fold(bin->op, a, b, bin->dtype, bin->loc)) return folded;
      return std::make_shared<Binary>(bin->op, a, b, bin->dtype, bin->loc);
    }
    case ExprKind::Cast: {
      const auto* cast = expr->as<Cast>();
      Expr value = rewrite_expr(cast->value, replace);
      if (value == cast->value) return expr;
      if (const auto* imm = value->as<IntImm>(); imm && is_int(cast->dtype)) return std::make_shared<IntImm>(imm->value, cast->dtype, cast->loc);
      return std::make_shared<Cast>(cast->dtype, value, cast->loc);
    }
    case ExprKind::Not: {
      Expr a = rewrite_expr(expr->as<Not>()->a, replace);
      return a == expr->as<Not>()->a ? expr : std::make_shared<Not>(a, expr->loc);
    }
    case ExprKind::Select: {
      const auto* sel = expr->as<Select>();
      Expr c = rewrite_expr(sel->cond, replace), t = rewrite_expr(sel->true_value, replace), f = rewrite_expr(sel->false_value, replace);
      if (c == sel->cond && t == sel->true_value && f == sel->false_value) return expr;
      return std::make_shared<Select>(c, t, f, sel->loc);
    }
    case ExprKind::Call: {
      const auto* call = expr->as<Call>();
      bool changed = false;
      std::vector<Expr> args = rewrite_all(call->args, replace, changed);
      return changed ? std::make_shared<Call>(call->op, std::move(args), call->dtype, call->loc) : expr;
    }
    case ExprKind::Load: {
      const auto* load = expr->as<Load>();
      bool changed = false;
      std::vector<Expr> indices = rewrite_all(load->indices, replace, changed);
      return changed ? std::make_shared<Load>(load->buffer, std::move(indices), load->loc) : expr;
    }
    default: return expr;
  }
}

Stmt rewrite_stmt(const Stmt& stmt, const ExprReplacer& replace, const BufferMap& buffers, const StoreReplacer& stores) {
  if (!stmt) return stmt;
  auto buffer_of = [&](const BufferPtr& b) {
    auto it = buffers.find(b.get());
    return it == buffers.end() ? b : it->second;
  };
  // Loads of replaced buffers are replaced too.
  ExprReplacer full = replace;
  if (!buffers.empty()) {
    full = [&](const Expr& e) -> Expr {
      if (Expr r = replace(e)) return r;
      if (const auto* ref = e->as<BufferRef>(); ref && buffers.count(ref->buffer.get())) {
        return std::make_shared<BufferRef>(buffer_of(ref->buffer), ref->loc);
      }
      const auto* load = e->as<Load>();
      if (!load || !buffers.count(load->buffer.get())) return nullptr;
      bool changed = false;
      std::vector<Expr> indices = rewrite_all(load->indices, full, changed);
      return std::make_shared<Load>(buffer_of(load->buffer), std::move(indices), load->loc);
    };
  }
  auto ex = [&](const Expr& e) { return rewrite_expr(e, full); };
  switch (stmt->kind) {
    case StmtKind::For: {
      auto copy = std::make_shared<For>(*stmt->as<For>());
      copy->min = ex(copy->min);
      copy->extent = ex(copy->extent);
      copy->body = rewrite_stmt(copy->body, replace, buffers, stores);
      return copy;
    }
    case StmtKind::Block: {
      auto copy = std::make_shared<Block>(*stmt->as<Block>());
      for (IterVar& iv : copy->iter_vars) {
        iv.min = ex(iv.min);
        iv.extent = ex(iv.extent);
        iv.binding = ex(iv.binding);
      }
      copy->predicate = ex(copy->predicate);
      for (auto* regions : {&copy->reads, &copy->writes}) {
        for (BufferRegion& region : *regions) {
          region.buffer = buffer_of(region.buffer);
          for (Range& r : region.region) {
            r.min = ex(r.min);
            r.extent = ex(r.extent);
          }
        }
      }
      for (BufferPtr& b : copy->alloc_buffers) b = buffer_of(b);
      copy->init = rewrite_stmt(copy->init, replace, buffers, stores);
      copy->body = rewrite_stmt(copy->body, replace, buffers, stores);
      return copy;
    }
    case StmtKind::Store: {
      const auto* st = stmt->as<Store>();
      bool changed = false;
      std::vector<Expr> indices = rewrite_all(st->indices, full, changed);
      auto rewritten = std::make_shared<Store>(buffer_of(st->buffer), std::move(indices), ex(st->value), st->loc);
      if (stores) {
        if (Stmt replaced = stores(*rewritten)) return replaced;
      }
      return rewritten;
    }
    case StmtKind::Seq: {
      std::vector<Stmt> parts;
      for (const Stmt& part : stmt->as<Seq>()->stmts) parts.push_back(rewrite_stmt(part, replace, buffers, stores));
      return std::make_shared<Seq>(std::move(parts), stmt->loc);
    }
    case StmtKind::If: {
      const auto* branch = stmt->as<If>();
      return std::make_shared<If>(ex(branch->cond), rewrite_stmt(branch->then_case, replace, buffers, stores), rewrite_stmt(branch->else_case, replace, buffers, stores), branch->loc);
    }
    case StmtKind::Evaluate: return std::make_shared<Evaluate>(ex(stmt->as<Evaluate>()->value), stmt->loc);
    case StmtKind::Let: {
      const auto* let = stmt->as<Let>();
      auto copy = std::make_shared<Let>(let->var, ex(let->value), rewrite_stmt(let->body, replace, buffers, stores), let->loc);
      copy->annotated = let->annotated;
      return copy;
    }
  }
  return stmt;
}

Stmt rewrite_buffer_accesses(const Stmt& stmt, const Buffer* old, const BufferPtr& replacement, const IndexMapper& indices) {
  ExprReplacer loads = [&](const Expr& e) -> Expr {
    const auto* load = e->as<Load>();
    if (!load || load->buffer.get() != old) return nullptr;
    std::vector<Expr> inner;
    for (const Expr& index : load->indices) inner.push_back(rewrite_expr(index, loads));
    return std::make_shared<Load>(replacement, indices(inner), load->loc);
  };
  StoreReplacer stores = [&](const Store& store) -> Stmt {
    if (store.buffer.get() != old) return nullptr;
    return std::make_shared<Store>(replacement, indices(store.indices), store.value, store.loc);
  };
  return rewrite_stmt(stmt, loads, {}, stores);
}

}  // namespace relaxc::tir
