// Counting a kernel's floating-point operations (count_ops.h).
#include "compiler/passes/tir/count_ops.h"

#include <unordered_map>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc {

using namespace relaxc::tir;

namespace {

bool float_arithmetic(const ExprNode& e) {
  if (!is_float(e.dtype)) return false;
  if (const auto* bin = e.as<Binary>()) {
    switch (bin->op) {
      case BinaryOp::Add: case BinaryOp::Sub: case BinaryOp::Mul: case BinaryOp::Div:
      case BinaryOp::Min: case BinaryOp::Max: case BinaryOp::FloorDiv: case BinaryOp::FloorMod: case BinaryOp::Mod:
        return true;
      default: return false;
    }
  }
  // exp(x), sqrt(x), ...: one each; T.min_value("float32") and other constants none.
  if (const auto* call = e.as<Call>()) {
    for (const Expr& arg : call->args) {
      if (is_float(arg->dtype)) return true;
    }
  }
  return false;
}

int64_t operations_in(const Expr& value) {
  int64_t n = 0;
  visit_expr(value, [&](const ExprNode& e) { n += float_arithmetic(e) ? 1 : 0; });
  return n;
}

class OpCounter {
 public:
  explicit OpCounter(const PrimFunc& func) {
    for (size_t p = 0; p < func.params.size(); ++p) {
      const Param& param = func.params[p];
      if (!param.buffer) {
        add_slot(param.var, static_cast<int64_t>(p), -1);
        continue;
      }
      for (size_t d = 0; d < param.buffer->shape.size(); ++d) {
        if (const auto* ref = param.buffer->shape[d]->as<VarRef>()) add_slot(ref->var, static_cast<int64_t>(p), static_cast<int64_t>(d));
      }
    }
  }

  // nullopt when the statement's count cannot be written over the slots.
  std::optional<Expr> count(const Stmt& s) {
    switch (s->kind) {
      case StmtKind::For: {
        const auto* loop = s->as<For>();
        if (!over_slots(loop->extent)) return std::nullopt;
        std::optional<Expr> body = count(loop->body);
        if (!body) return std::nullopt;
        if (const IntImm* n = build::constant(*body); n && n->value == 0) return body;
        return build::arith(BinaryOp::Mul, build::as_dtype(loop->extent, DataType::Int64), *body);
      }
      case StmtKind::Block: return count(s->as<Block>()->body);
      case StmtKind::Store: return zero_or(operations_in(s->as<Store>()->value));
      case StmtKind::Seq: {
        Expr total = build::imm(0, DataType::Int64, s->loc);
        for (const Stmt& part : s->as<Seq>()->stmts) {
          std::optional<Expr> n = count(part);
          if (!n) return std::nullopt;
          total = build::arith(BinaryOp::Add, total, *n);
        }
        return total;
      }
      case StmtKind::If: {
        const auto* branch = s->as<If>();
        std::optional<Expr> then_count = count(branch->then_case);
        std::optional<Expr> else_count = branch->else_case ? count(branch->else_case) : zero_or(0);
        if (!then_count || !else_count) return std::nullopt;
        return larger(*then_count, *else_count);
      }
      case StmtKind::Let: {
        const auto* let = s->as<Let>();
        std::optional<Expr> body = count(let->body);
        if (!body) return std::nullopt;
        return build::arith(BinaryOp::Add, build::imm(operations_in(let->value), DataType::Int64, s->loc), *body);
      }
      case StmtKind::Evaluate: return zero_or(operations_in(s->as<Evaluate>()->value));
    }
    return std::nullopt;
  }

  KernelOpCount result(Expr count) const {
    KernelOpCount out;
    out.count = std::move(count);
    out.slot_vars = slot_vars_;
    out.slot_params = slot_params_;
    out.slot_dims = slot_dims_;
    return out;
  }

 private:
  void add_slot(const VarPtr& var, int64_t param, int64_t dim) {
    if (slot_of_.count(var.get())) return;
    slot_of_[var.get()] = slot_vars_.size();
    slot_vars_.push_back(var);
    slot_params_.push_back(param);
    slot_dims_.push_back(dim);
  }

  // Whether `e` is integer arithmetic over constants and slots only.
  bool over_slots(const Expr& e) const {
    bool ok = true;
    visit_expr(e, [&](const ExprNode& n) {
      if (const auto* ref = n.as<VarRef>()) ok = ok && slot_of_.count(ref->var.get());
      else if (!n.as<IntImm>() && !n.as<Binary>() && !n.as<Cast>()) ok = false;
    });
    return ok;
  }

  static Expr zero_or(int64_t n) { return build::imm(n, DataType::Int64, SourceLoc{}); }

  static Expr larger(const Expr& a, const Expr& b) {
    const IntImm *x = build::constant(a), *y = build::constant(b);
    if (x && y) return x->value >= y->value ? a : b;
    return std::make_shared<Binary>(BinaryOp::Max, a, b, DataType::Int64, a->loc);
  }

  std::unordered_map<const Var*, size_t> slot_of_;
  std::vector<VarPtr> slot_vars_;
  std::vector<int64_t> slot_params_, slot_dims_;
};

}  // namespace

std::optional<KernelOpCount> count_float_ops(const PrimFunc& func) {
  if (calls_runtime(func) || !func.body) return std::nullopt;
  OpCounter counter(func);
  std::optional<Expr> count = counter.count(func.body);
  if (!count) return std::nullopt;
  return counter.result(*count);
}

KernelOpCounts count_float_ops(const Module& module) {
  KernelOpCounts counts;
  for (const PrimFuncPtr& func : module.prim_funcs) {
    if (std::optional<KernelOpCount> count = count_float_ops(*func)) counts[func->name] = std::move(*count);
  }
  return counts;
}

}  // namespace relaxc
