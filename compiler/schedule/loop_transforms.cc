// split, fuse and reorder: primitives that change loops without moving a block. Each keeps
// every block's iteration space and rewrites the bindings of the axes to the new loops, so a
// block computes what it computed before for every iteration.
#include <algorithm>
#include <map>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

namespace {

// `stmt` with every use of `var` replaced by `value`.
Stmt substitute_var(const Stmt& stmt, const Var* var, const Expr& value) {
  return rewrite_stmt(stmt, [&](const Expr& e) -> Expr {
    const auto* ref = e->as<VarRef>();
    return ref && ref->var.get() == var ? value : nullptr;
  });
}

// Every block directly under `stmt` (not inside another block) with `condition` added to its
// predicate (T.where).
Stmt add_predicate(const Stmt& stmt, const Expr& condition) {
  if (!stmt) return stmt;
  if (const auto* block = stmt->as<Block>()) {
    auto copy = std::make_shared<Block>(*block);
    copy->predicate = block->predicate ? std::make_shared<Binary>(BinaryOp::And, block->predicate, condition, DataType::Bool, block->loc) : condition;
    return copy;
  }
  std::vector<Stmt> kids = children_of(stmt);
  if (kids.empty()) return stmt;
  for (Stmt& kid : kids) kid = add_predicate(kid, condition);
  return with_children(stmt, kids);
}

Expr ceil_div(const Expr& a, int64_t d) {
  if (const auto* c = a->as<IntImm>()) return b::imm((c->value + d - 1) / d, a->dtype, a->loc);
  return b::arith(BinaryOp::FloorDiv, b::arith(BinaryOp::Add, a, b::imm(d - 1, a->dtype, a->loc)), b::imm(d, a->dtype, a->loc));
}

}  // namespace

std::vector<LoopRV> Schedule::split(const LoopRV& loop, const std::vector<std::optional<int64_t>>& factors, bool preserve_unit_iters) {
  std::vector<Stmt> path = loop_path(loop);
  const For& f = loop_at(path);
  const std::string what = "split: " + describe(loop);
  if (factors.size() < 2) throw ScheduleError(what + ": give at least two factors");
  size_t inferred = factors.size();
  int64_t product = 1;
  for (size_t i = 0; i < factors.size(); ++i) {
    if (!factors[i]) {
      if (inferred != factors.size()) throw ScheduleError(what + ": at most one factor may be None");
      inferred = i;
      continue;
    }
    if (*factors[i] <= 0) throw ScheduleError(what + ": factor " + std::to_string(*factors[i]) + " is not positive");
    product *= *factors[i];
  }
  DataType dtype = f.loop_var->dtype;
  std::vector<Expr> extents;
  for (const std::optional<int64_t>& factor : factors) extents.push_back(factor ? b::imm(*factor, dtype, f.loc) : ceil_div(f.extent, product));
  const auto* constant_extent = f.extent->as<IntImm>();
  bool exact = false;
  if (constant_extent) {
    int64_t total = inferred == factors.size() ? product : product * ceil_div(f.extent, product)->as<IntImm>()->value;
    if (total < constant_extent->value) {
      throw ScheduleError(what + ": the factors' product " + std::to_string(total) + " is less than the loop's extent " + std::to_string(constant_extent->value));
    }
    exact = total == constant_extent->value;
  }
  // New loops j_0, j_1, ...; j = min + j_0 * (f1 * f2 ...) + j_1 * (f2 ...) + ... as TVM writes it.
  std::vector<VarPtr> vars;
  for (size_t i = 0; i < factors.size(); ++i) vars.push_back(b::fresh(f.loop_var->name + "_" + std::to_string(i), dtype, f.loc));
  Expr value;
  for (size_t i = 0; i < factors.size(); ++i) {
    bool unit = factors[i] && *factors[i] == 1 && !preserve_unit_iters;
    if (unit) continue;
    Expr stride;
    for (size_t later = i + 1; later < factors.size(); ++later) stride = stride ? b::arith(BinaryOp::Mul, stride, extents[later]) : extents[later];
    Expr term = stride ? b::arith(BinaryOp::Mul, b::var_ref(vars[i]), stride) : b::var_ref(vars[i]);
    value = value ? b::arith(BinaryOp::Add, value, term) : term;
  }
  if (!value) value = b::imm(0, dtype, f.loc);
  Stmt body = f.body;
  if (!exact) body = add_predicate(body, std::make_shared<Binary>(BinaryOp::LT, value, f.extent, DataType::Bool, f.loc));
  body = substitute_var(body, f.loop_var.get(), b::arith(BinaryOp::Add, value, f.min));
  for (size_t i = factors.size(); i-- > 0;) body = b::loop(vars[i], b::imm(0, dtype, f.loc), extents[i], ForKind::Serial, body);
  set_body(loop.func, replace_at(path, body));
  std::vector<LoopRV> out;
  for (const VarPtr& v : vars) out.push_back({loop.func, v});
  return out;
}

LoopRV Schedule::fuse(const std::vector<LoopRV>& loops, bool preserve_unit_iters) {
  if (loops.size() < 2) throw ScheduleError("fuse: give at least two loops");
  std::vector<Stmt> path = loop_path(loops[0]);
  std::vector<const For*> chain = {&loop_at(path)};
  for (size_t i = 1; i < loops.size(); ++i) {
    const For* next = chain.back()->body->as<For>();
    if (!next || next->loop_var != loops[i].var) {
      throw ScheduleError("fuse: " + describe(loops[i]) + " is not the only statement in the body of " + describe(loops[i - 1]) +
                          "; fused loops must be directly nested");
    }
    chain.push_back(next);
  }
  std::string name;
  // The fused loop counts in the widest of the loops' types, as TVM's fuse does.
  DataType dtype = chain[0]->loop_var->dtype;
  for (const For* f : chain) {
    if (dtype_bits(f->loop_var->dtype) > dtype_bits(dtype)) dtype = f->loop_var->dtype;
  }
  Expr extent;
  for (const For* f : chain) {
    if (!f->min->as<IntImm>() || f->min->as<IntImm>()->value != 0) throw ScheduleError("fuse: loop '" + f->loop_var->name + "' does not start at 0");
    for (const For* g : chain) {
      if (uses_var(f->extent, g->loop_var.get())) throw ScheduleError("fuse: the extent of loop '" + f->loop_var->name + "' depends on loop '" + g->loop_var->name + "'");
    }
    name += f->loop_var->name + "_";
    Expr e = b::as_dtype(f->extent, dtype);
    extent = extent ? b::arith(BinaryOp::Mul, extent, e) : e;
  }
  VarPtr fused = b::fresh(name + "fused", dtype, chain[0]->loc);
  Stmt body = chain.back()->body;
  // l_k = fused % e_k, l_{k-1} = fused // e_k % e_{k-1}, ..., l_0 = fused // (e_1 ... e_k)
  Expr divisor;
  for (size_t i = chain.size(); i-- > 0;) {
    const For& f = *chain[i];
    Expr f_extent = b::as_dtype(f.extent, dtype);
    Expr value = b::var_ref(fused);
    if (divisor) value = b::arith(BinaryOp::FloorDiv, value, divisor);
    if (i > 0) value = std::make_shared<Binary>(BinaryOp::FloorMod, value, f_extent, dtype, f.loc);
    const auto* unit = f.extent->as<IntImm>();
    if (unit && unit->value == 1 && !preserve_unit_iters) value = b::imm(0, dtype, f.loc);
    body = substitute_var(body, f.loop_var.get(), b::as_dtype(value, f.loop_var->dtype));
    divisor = divisor ? b::arith(BinaryOp::Mul, f_extent, divisor) : f_extent;
  }
  set_body(loops[0].func, replace_at(path, b::loop(fused, b::imm(0, dtype, chain[0]->loc), extent, ForKind::Serial, body)));
  return {loops[0].func, fused};
}

void Schedule::reorder(const std::vector<LoopRV>& order) {
  if (order.empty()) return;
  // The deepest of the loops: every other one must be on the path to it.
  std::vector<Stmt> deepest;
  for (const LoopRV& loop : order) {
    std::vector<Stmt> path = loop_path(loop);
    if (path.size() > deepest.size()) deepest = path;
  }
  std::map<const Var*, size_t> position;  // on `deepest`
  for (size_t i = 0; i < deepest.size(); ++i) {
    if (const auto* f = deepest[i]->as<For>()) position[f->loop_var.get()] = i;
  }
  std::vector<size_t> slots;
  for (const LoopRV& loop : order) {
    auto it = position.find(loop.var.get());
    if (it == position.end()) throw ScheduleError("reorder: " + describe(loop) + " is not in the same loop nest line as the others");
    if (std::find(slots.begin(), slots.end(), it->second) != slots.end()) throw ScheduleError("reorder: " + describe(loop) + " is given twice");
    slots.push_back(it->second);
  }
  std::sort(slots.begin(), slots.end());
  size_t top = slots.front(), bottom = slots.back();
  // Between the outermost and the innermost, nothing but directly nested loops.
  for (size_t i = top; i < bottom; ++i) {
    const auto* f = deepest[i]->as<For>();
    if (!f || f->body != deepest[i + 1] || !deepest[i + 1]->as<For>()) {
      throw ScheduleError("reorder: the loops are not directly nested (a block, branch or second statement lies between " + describe(order.front()) + " and the others)");
    }
  }
  // The new header of each slot, then the nest rebuilt inside out.
  std::map<size_t, const For*> header;
  for (size_t i = 0; i < order.size(); ++i) header[slots[i]] = deepest[position[order[i].var.get()]]->as<For>();
  Stmt body = deepest[bottom]->as<For>()->body;
  std::vector<const Var*> inside;
  for (size_t i = bottom + 1; i-- > top;) {
    const For* f = header.count(i) ? header[i] : deepest[i]->as<For>();
    for (const Var* v : inside) {
      if (uses_var(f->min, v) || uses_var(f->extent, v)) {
        throw ScheduleError("reorder: the range of loop '" + f->loop_var->name + "' depends on loop '" + v->name + "', which would be inside it");
      }
    }
    auto copy = std::make_shared<For>(*f);
    copy->body = body;
    body = copy;
    inside.push_back(f->loop_var.get());
  }
  std::vector<Stmt> to_top(deepest.begin(), deepest.begin() + static_cast<std::ptrdiff_t>(top) + 1);
  set_body(order.front().func, replace_at(to_top, body));
}

}  // namespace relaxc::schedule
