// Small constructors for the TensorIR that passes build, folding integer arithmetic on
// constants as it is built so printed schedules read as they would be written by hand.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/tir.h"

namespace relaxc::tir::build {

inline const IntImm* constant(const Expr& e) { return e->as<IntImm>(); }

inline Expr imm(int64_t v, DataType t, SourceLoc loc) { return std::make_shared<IntImm>(v, t, loc); }
inline Expr var_ref(const VarPtr& v) { return std::make_shared<VarRef>(v, v->loc); }

// `e` as an integer of type `dtype`: a constant retyped, anything else cast.
inline Expr as_dtype(const Expr& e, DataType dtype) {
  if (e->dtype == dtype) return e;
  if (const auto* c = e->as<IntImm>()) return imm(c->value, dtype, e->loc);
  return std::make_shared<Cast>(dtype, e, e->loc);
}

inline Expr arith(BinaryOp op, const Expr& a, const Expr& b) {
  const IntImm *x = constant(a), *y = constant(b);
  if (x && y) {
    switch (op) {
      case BinaryOp::Add: return imm(x->value + y->value, a->dtype, a->loc);
      case BinaryOp::Sub: return imm(x->value - y->value, a->dtype, a->loc);
      case BinaryOp::Mul: return imm(x->value * y->value, a->dtype, a->loc);
      case BinaryOp::FloorDiv: return imm(x->value / y->value, a->dtype, a->loc);  // operands >= 0
      default: break;
    }
  }
  if (op == BinaryOp::Add && y && y->value == 0) return a;
  if (op == BinaryOp::Add && x && x->value == 0) return b;
  if ((op == BinaryOp::Mul || op == BinaryOp::FloorDiv) && y && y->value == 1) return a;
  if (op == BinaryOp::Sub && y && y->value == 0) return a;
  return std::make_shared<Binary>(op, a, b, a->dtype, a->loc);
}

inline VarPtr fresh(const std::string& name, DataType dtype, SourceLoc loc) { return std::make_shared<Var>(Var{name, dtype, loc}); }

inline Stmt loop(const VarPtr& var, const Expr& min, const Expr& extent, ForKind kind, Stmt body) {
  auto f = std::make_shared<For>(body->loc);
  f->loop_var = var;
  f->min = min;
  f->extent = extent;
  f->for_kind = kind;
  f->body = std::move(body);
  return f;
}

// Appends `for v in range(min, min + extent): body(v)` to parts; nothing for an extent of 0,
// just body(min) for an extent of 1.
inline void append_counted(std::vector<Stmt>& parts, const std::string& name, const Expr& min, const Expr& extent,
                           const std::function<Stmt(const Expr&)>& body) {
  const IntImm* n = constant(extent);
  if (n && n->value <= 0) return;
  if (n && n->value == 1) {
    parts.push_back(body(min));
    return;
  }
  VarPtr v = fresh(name, min->dtype, min->loc);
  parts.push_back(loop(v, min, extent, ForKind::Serial, body(var_ref(v))));
}

inline Stmt seq(std::vector<Stmt> parts) {
  if (parts.size() == 1) return parts[0];
  SourceLoc loc = parts[0]->loc;
  return std::make_shared<Seq>(std::move(parts), loc);
}

inline IterVar axis(const VarPtr& var, const Expr& extent, IterKind kind, const Expr& binding) {
  IterVar iv;
  iv.var = var;
  iv.min = imm(0, extent->dtype, extent->loc);
  iv.extent = extent;
  iv.kind = kind;
  iv.binding = binding;
  return iv;
}

inline Stmt block(const std::string& name, std::vector<IterVar> axes, Stmt body, SourceLoc loc, std::vector<BufferPtr> allocs = {}) {
  auto b = std::make_shared<Block>(loc);
  b->name = name;
  b->iter_vars = std::move(axes);
  b->alloc_buffers = std::move(allocs);
  b->body = std::move(body);
  return b;
}

}  // namespace relaxc::tir::build
