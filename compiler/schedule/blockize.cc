// blockize(loop): the loops from `loop` down to the one block under it become the body of a new
// outer block "<name>_o", as TVM's primitive does. Each axis binding of the block is divided
// into a part over the loops outside `loop` and a part over the loops inside it,
// binding = outer * E + inner with inner in [0, E): the outer block gets an axis v_o per axis
// (domain extent / E) bound to the outer part, the block keeps an axis v_i per axis with E > 1
// bound to the inner part, and its body reads v_o * E + v_i. Requires affine bindings whose
// inner part starts at 0 and whose outer part is a multiple of E, a perfect nest under `loop`,
// and (for now) a block without T.init or T.where: decompose_reduction first.
#include <map>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/affine.h"
#include "compiler/schedule/region.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

namespace {

// One axis's binding divided between the loops outside and inside the target.
struct Division {
  Affine outer;  // already divided by extent
  Affine inner;
  int64_t extent = 1;  // E, the inner part's range
};

Division divide(const IterVar& iv, const std::map<const Var*, Interval>& inner_loops, const std::string& what) {
  std::optional<Affine> form = to_affine(iv.binding);
  if (!form) throw ScheduleError(what + "the binding of axis '" + iv.var->name + "' is not affine in the loops");
  Division d;
  for (const auto& [var, coef] : form->terms) (inner_loops.count(var) ? d.inner : d.outer).terms[var] = coef;
  d.outer.constant = form->constant;
  std::optional<Interval> span = bound(d.inner, inner_loops);
  if (!span || span->min != 0) throw ScheduleError(what + "the part of axis '" + iv.var->name + "' inside the loop does not start at 0");
  d.extent = span->max + 1;
  for (auto& [var, coef] : d.outer.terms) {
    if (coef % d.extent != 0) throw ScheduleError(what + "axis '" + iv.var->name + "' is not divisible into the loops outside and inside the target");
    coef /= d.extent;
  }
  if (d.outer.constant % d.extent != 0) throw ScheduleError(what + "axis '" + iv.var->name + "' is not divisible into the loops outside and inside the target");
  d.outer.constant /= d.extent;
  return d;
}

Expr affine_over(const Affine& form, const std::vector<VarPtr>& vars, DataType dtype, SourceLoc loc) { return affine_expr(form, form.constant, vars, dtype, loc); }

}  // namespace

BlockRV Schedule::blockize(const LoopRV& loop_rv) {
  const std::string what = "blockize: ";
  std::vector<BlockRV> blocks = get_child_blocks(loop_rv);
  if (blocks.size() != 1) throw ScheduleError(what + describe(loop_rv) + " must hold exactly one block; it holds " + std::to_string(blocks.size()));
  std::vector<Stmt> path = block_path(blocks[0]);
  const Block& block = block_at(path);
  if (block.init) throw ScheduleError(what + describe(blocks[0]) + " has a T.init(); split it off with decompose_reduction first");
  if (block.predicate) throw ScheduleError(what + describe(blocks[0]) + " has a T.where predicate");
  size_t at = 0;
  while (!(path[at]->as<For>() && path[at]->as<For>()->loop_var == loop_rv.var)) ++at;
  std::map<const Var*, Interval> inner_loops;
  std::vector<VarPtr> inside;  // the loops from the target down, outermost first
  for (size_t i = at; i + 1 < path.size(); ++i) {
    const auto* f = path[i]->as<For>();
    if (!f || f->body != path[i + 1]) throw ScheduleError(what + "the loops under " + describe(loop_rv) + " must nest perfectly down to " + describe(blocks[0]));
    const auto *min = f->min->as<IntImm>(), *extent = f->extent->as<IntImm>();
    if (!min || !extent) throw ScheduleError(what + "loop '" + f->loop_var->name + "' under the target has a range that is not constant");
    inner_loops[f->loop_var.get()] = {min->value, min->value + extent->value - 1};
    inside.push_back(f->loop_var);
  }
  std::vector<VarPtr> outer_vars;
  for (const For* f : loops_on(path)) {
    if (!inner_loops.count(f->loop_var.get())) outer_vars.push_back(f->loop_var);
  }
  auto outer = std::make_shared<Block>(block.loc);
  outer->name = block.name + "_o";
  auto inner = std::make_shared<Block>(block);
  inner->iter_vars.clear();
  inner->regions_given = false;
  inner->reads.clear(), inner->writes.clear();
  std::map<const Var*, Expr> value;
  for (const IterVar& iv : block.iter_vars) {
    Division d = divide(iv, inner_loops, what + describe(blocks[0]) + ": ");
    const auto* extent = iv.extent->as<IntImm>();
    if (!extent || extent->value % d.extent != 0) throw ScheduleError(what + "the domain of axis '" + iv.var->name + "' is not a multiple of its part inside the loop");
    DataType dtype = iv.var->dtype;
    VarPtr v_o = b::fresh(iv.var->name + "_o", dtype, iv.var->loc);
    outer->iter_vars.push_back({v_o, b::imm(0, dtype, iv.var->loc), b::imm(extent->value / d.extent, dtype, iv.var->loc), iv.kind,
                                affine_over(d.outer, outer_vars, dtype, iv.var->loc)});
    Expr v = b::var_ref(v_o);
    if (d.extent > 1) {
      VarPtr v_i = b::fresh(iv.var->name + "_i", dtype, iv.var->loc);
      inner->iter_vars.push_back({v_i, b::imm(0, dtype, iv.var->loc), b::imm(d.extent, dtype, iv.var->loc), iv.kind, affine_over(d.inner, inside, dtype, iv.var->loc)});
      v = b::arith(BinaryOp::Add, b::arith(BinaryOp::Mul, v, b::imm(d.extent, dtype, iv.var->loc)), b::var_ref(v_i));
    }
    value[iv.var.get()] = v;
  }
  inner->body = rewrite_stmt(block.body, [&](const Expr& x) -> Expr {
    const auto* ref = x->as<VarRef>();
    if (!ref) return nullptr;
    auto it = value.find(ref->var.get());
    return it == value.end() ? nullptr : it->second;
  });
  std::vector<Stmt> from_loop(path.begin() + static_cast<std::ptrdiff_t>(at), path.end());
  outer->body = replace_at(from_loop, inner);
  std::vector<Stmt> to_loop(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(at) + 1);
  set_body(loop_rv.func, replace_at(to_loop, outer));
  return {loop_rv.func, outer->name};
}

}  // namespace relaxc::schedule
