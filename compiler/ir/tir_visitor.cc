#include "compiler/ir/tir_visitor.h"

#include <algorithm>

namespace relaxc::tir {

void visit_expr(const Expr& expr, const std::function<void(const ExprNode&)>& visit) {
  if (!expr) return;
  visit(*expr);
  switch (expr->kind) {
    case ExprKind::Load:
      for (const Expr& index : expr->as<Load>()->indices) visit_expr(index, visit);
      break;
    case ExprKind::Binary:
      visit_expr(expr->as<Binary>()->a, visit);
      visit_expr(expr->as<Binary>()->b, visit);
      break;
    case ExprKind::Not: visit_expr(expr->as<Not>()->a, visit); break;
    case ExprKind::Cast: visit_expr(expr->as<Cast>()->value, visit); break;
    case ExprKind::Select: {
      const auto* select = expr->as<Select>();
      visit_expr(select->cond, visit);
      visit_expr(select->true_value, visit);
      visit_expr(select->false_value, visit);
      break;
    }
    case ExprKind::Call:
      for (const Expr& arg : expr->as<Call>()->args) visit_expr(arg, visit);
      break;
    default: break;
  }
}

void visit_stmt(const Stmt& stmt, const std::function<void(const StmtNode&)>& visit,
                const std::function<void(const ExprNode&)>& visit_expr_fn) {
  if (!stmt) return;
  visit(*stmt);
  auto exprs = [&](const Expr& e) {
    if (visit_expr_fn) visit_expr(e, visit_expr_fn);
  };
  switch (stmt->kind) {
    case StmtKind::For: {
      const auto* loop = stmt->as<For>();
      exprs(loop->min);
      exprs(loop->extent);
      visit_stmt(loop->body, visit, visit_expr_fn);
      break;
    }
    case StmtKind::Block: {
      const auto* block = stmt->as<Block>();
      for (const IterVar& iv : block->iter_vars) {
        exprs(iv.min);
        exprs(iv.extent);
        exprs(iv.binding);
      }
      exprs(block->predicate);
      for (const auto* regions : {&block->reads, &block->writes}) {
        for (const BufferRegion& region : *regions) {
          for (const Range& range : region.region) {
            exprs(range.min);
            exprs(range.extent);
          }
        }
      }
      visit_stmt(block->init, visit, visit_expr_fn);
      visit_stmt(block->body, visit, visit_expr_fn);
      break;
    }
    case StmtKind::Store: {
      const auto* store = stmt->as<Store>();
      for (const Expr& index : store->indices) exprs(index);
      exprs(store->value);
      break;
    }
    case StmtKind::Seq:
      for (const Stmt& s : stmt->as<Seq>()->stmts) visit_stmt(s, visit, visit_expr_fn);
      break;
    case StmtKind::If: {
      const auto* branch = stmt->as<If>();
      exprs(branch->cond);
      visit_stmt(branch->then_case, visit, visit_expr_fn);
      visit_stmt(branch->else_case, visit, visit_expr_fn);
      break;
    }
    case StmtKind::Evaluate: exprs(stmt->as<Evaluate>()->value); break;
    case StmtKind::Let: {
      const auto* let = stmt->as<Let>();
      exprs(let->value);
      visit_stmt(let->body, visit, visit_expr_fn);
      break;
    }
  }
}

std::vector<VarPtr> vars_in(const Expr& expr) {
  std::vector<VarPtr> vars;
  visit_expr(expr, [&](const ExprNode& node) {
    if (const auto* ref = node.as<VarRef>()) {
      if (std::find(vars.begin(), vars.end(), ref->var) == vars.end()) vars.push_back(ref->var);
    }
  });
  return vars;
}

bool uses_var(const Expr& expr, const Var* var) {
  bool found = false;
  visit_expr(expr, [&](const ExprNode& node) {
    if (const auto* ref = node.as<VarRef>()) found = found || ref->var.get() == var;
  });
  return found;
}

bool refers_to_buffer(const Stmt& stmt, const Buffer* buffer) {
  bool found = false;
  visit_stmt(stmt, [&](const StmtNode& s) {
    if (const auto* st = s.as<Store>()) found = found || st->buffer.get() == buffer;
    if (const auto* blk = s.as<Block>()) {
      for (const auto* regions : {&blk->reads, &blk->writes}) {
        for (const BufferRegion& region : *regions) found = found || region.buffer.get() == buffer;
      }
    }
  }, [&](const ExprNode& e) {
    if (const auto* load = e.as<Load>()) found = found || load->buffer.get() == buffer;
  });
  return found;
}

bool calls_runtime(const PrimFunc& func) {
  bool found = false;
  visit_stmt(func.body, [](const StmtNode&) {}, [&](const ExprNode& e) {
    const auto* call = e.as<Call>();
    found = found || (call && call->op == kCallPacked);
  });
  return found;
}

}  // namespace relaxc::tir
