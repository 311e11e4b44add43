// decompose_reduction(block, loop): the T.init of a reduction block becomes a block of its own,
// "<name>_init", over the block's spatial axes, in a copy of the loops at and under `loop` that
// those axes use (named "<loop>_init"), placed just before `loop`; the block, now without its
// init, is renamed "<name>_update". No loop above `loop` may walk a reduction axis, or the init
// would run again inside the reduction.
#include <map>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

namespace {

void conjuncts(const tir::Expr& e, std::vector<tir::Expr>& out) {
  const auto* bin = e ? e->as<tir::Binary>() : nullptr;
  if (bin && bin->op == tir::BinaryOp::And) {
    conjuncts(bin->a, out);
    conjuncts(bin->b, out);
  } else if (e) {
    out.push_back(e);
  }
}

}  // namespace

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

BlockRV Schedule::decompose_reduction(const BlockRV& block_rv, const LoopRV& loop_rv) {
  std::vector<Stmt> path = block_path(block_rv);
  const Block& block = block_at(path);
  const std::string what = "decompose_reduction: ";
  if (!block.init) throw ScheduleError(what + describe(block_rv) + " has no T.init(); it is not a reduction block");
  std::vector<const For*> loops = loops_on(path);
  size_t at = loops.size();
  for (size_t i = 0; i < loops.size(); ++i) {
    if (loops[i]->loop_var == loop_rv.var) at = i;
  }
  if (at == loops.size()) throw ScheduleError(what + describe(loop_rv) + " is not a loop around " + describe(block_rv));
  for (size_t i = 0; i < at; ++i) {
    for (const IterVar& iv : block.iter_vars) {
      if (iv.kind == IterKind::Reduce && uses_var(iv.binding, loops[i]->loop_var.get())) {
        throw ScheduleError(what + "loop '" + loops[i]->loop_var->name + "', outside " + describe(loop_rv) + ", walks the reduction axis '" + iv.var->name +
                            "' of " + describe(block_rv) + ", so the init would run again inside the reduction; decompose at '" +
                            loops[i]->loop_var->name + "' or further out");
      }
    }
  }
  // The init block: the spatial axes, fresh, bound to fresh copies of the loops they use.
  VarMap loop_map, axis_map;
  std::vector<const For*> copied;
  for (size_t i = at; i < loops.size(); ++i) {
    bool used = false;
    for (const IterVar& iv : block.iter_vars) used = used || (iv.kind == IterKind::Spatial && uses_var(iv.binding, loops[i]->loop_var.get()));
    if (!used) continue;
    copied.push_back(loops[i]);
    loop_map[loops[i]->loop_var.get()] = b::var_ref(b::fresh(loops[i]->loop_var->name + "_init", loops[i]->loop_var->dtype, loops[i]->loc));
  }
  std::vector<IterVar> axes;
  for (const IterVar& iv : block.iter_vars) {
    if (iv.kind != IterKind::Spatial) continue;
    IterVar copy = iv;
    copy.var = b::fresh(iv.var->name, iv.var->dtype, iv.var->loc);
    copy.binding = substitute(iv.binding, loop_map);
    axis_map[iv.var.get()] = b::var_ref(copy.var);
    axes.push_back(copy);
  }
  auto init = std::make_shared<Block>(block.loc);
  init->name = block.name + "_init";
  init->iter_vars = axes;
  init->body = rewrite_stmt(block.init, [&](const Expr& x) -> Expr {
    const auto* ref = x->as<VarRef>();
    if (!ref || !axis_map.count(ref->var.get())) return nullptr;
    return axis_map.at(ref->var.get());
  });
  // As TVM's: the init keeps the bounds over the loops it is copied with, and drops those over
  // the reduction's loops (each element is initialised once, even where some reduction steps
  // are out of bounds).
  std::vector<Expr> parts, kept;
  conjuncts(block.predicate, parts);
  for (const Expr& part : parts) {
    bool discarded = false;
    for (const VarPtr& v : vars_in(part)) {
      for (size_t i = at; i < loops.size(); ++i) discarded = discarded || (loops[i]->loop_var == v && !loop_map.count(v.get()));
    }
    if (!discarded) kept.push_back(substitute(part, loop_map));
  }
  for (const Expr& part : kept) init->predicate = init->predicate ? std::make_shared<Binary>(BinaryOp::And, init->predicate, part, DataType::Bool, part->loc) : part;
  Stmt init_nest = init;
  for (size_t i = copied.size(); i-- > 0;) {
    const For& f = *copied[i];
    auto copy = std::make_shared<For>(f);
    copy->loop_var = loop_map.at(f.loop_var.get())->as<VarRef>()->var;
    copy->body = init_nest;
    init_nest = copy;
  }
  auto update = std::make_shared<Block>(block);
  update->name = block.name + "_update";
  update->init = nullptr;
  update->regions_given = false;
  // The loop with the update block inside, then the init nest placed before it.
  size_t loop_index = 0;
  while (path[loop_index]->as<For>() != loops[at]) ++loop_index;
  std::vector<Stmt> inner(path.begin() + static_cast<std::ptrdiff_t>(loop_index), path.end());
  Stmt loop_with_update = replace_at(inner, update);
  std::vector<Stmt> to_loop(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(loop_index) + 1);
  set_body(block_rv.func, replace_at(to_loop, std::make_shared<Seq>(std::vector<Stmt>{init_nest, loop_with_update}, loops[at]->loc)));
  record_rename(block_rv, update->name);
  return {block_rv.func, init->name};
}

}  // namespace relaxc::schedule
