// rfactor(loop, factor_axis): a reduction block `B[idx] = B[idx] op E` whose reduction walks
// `loop` is split in two, as TVM's primitive does. A new block "<name>_rf" computes partial
// results into a new buffer "<buffer>_rf", the buffer's shape with loop's extent inserted at
// factor_axis: for every value of `loop` (now a spatial axis, v<loop>) the reduction over the
// other reduction loops, in a copy of the whole loop nest placed before it. The block itself
// (same name) then reduces those partial results over `loop` alone, under the original loops
// that walk no other reduction. The reducers are TVM's single-buffer ones: +, *, min, max, with
// their identities as the init. Requires the nest to be perfect (each loop holds only the next
// loop, the innermost the block), `loop` serial and walking only reduction axes, no loop
// walking both kinds, and init and update storing the same element.
#include <limits>
#include <map>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

namespace {

std::vector<Expr> substitute_all(const std::vector<Expr>& es, const VarMap& map) {
  std::vector<Expr> out;
  for (const Expr& e : es) out.push_back(substitute(e, map));
  return out;
}

// `B[idx] = B[idx] op E` with its init `B[idx] = identity`.
struct Reducer {
  const Store* update = nullptr;
  BinaryOp op = BinaryOp::Add;
  Expr rhs;
  Expr init;      // what the block's T.init stores: the write-back block starts from it
  Expr identity;  // what the partial results start from
};

// The identity of `op` for `dtype` (infinities for a float max or min), or null.
Expr identity_of(BinaryOp op, DataType dtype, SourceLoc loc) {
  double inf = std::numeric_limits<double>::infinity();
  switch (op) {
    case BinaryOp::Add: return is_float(dtype) ? Expr(std::make_shared<FloatImm>(0.0, dtype, loc)) : Expr(std::make_shared<IntImm>(0, dtype, loc));
    case BinaryOp::Mul: return is_float(dtype) ? Expr(std::make_shared<FloatImm>(1.0, dtype, loc)) : Expr(std::make_shared<IntImm>(1, dtype, loc));
    case BinaryOp::Max: return is_float(dtype) ? Expr(std::make_shared<FloatImm>(-inf, dtype, loc)) : nullptr;
    case BinaryOp::Min: return is_float(dtype) ? Expr(std::make_shared<FloatImm>(inf, dtype, loc)) : nullptr;
    default: return nullptr;
  }
}

bool is_identity(const Expr& init, BinaryOp op, DataType dtype) {
  // T.min_value / T.max_value of the dtype: the lowest or highest finite value, not a true
  // identity, but max and min are idempotent, so the partial results start from it too and
  // the result is the same as the unfactored reduction's.
  if (const auto* call = init->as<Call>()) {
    return call->dtype == dtype && ((op == BinaryOp::Max && call->op == "min_value") || (op == BinaryOp::Min && call->op == "max_value"));
  }
  double value = 0;
  if (const auto* f = init->as<FloatImm>()) value = f->value;
  else if (const auto* i = init->as<IntImm>()) value = static_cast<double>(i->value);
  else return false;
  double lowest = is_float(dtype) ? -std::numeric_limits<double>::infinity() : 0, highest = -lowest;
  switch (op) {
    case BinaryOp::Add: return value == 0;
    case BinaryOp::Mul: return value == 1;
    // The dtype's lowest or highest value, or an infinity (what relaxc's max reductions use).
    case BinaryOp::Max: return value == lowest || value <= -3.0e38 || (!is_float(dtype) && value < -2e9);
    case BinaryOp::Min: return value == highest || value >= 3.0e38 || (!is_float(dtype) && value > 2e9);
    default: return false;
  }
}

Reducer match_reducer(const Block& block, const std::string& what) {
  const auto* update = block.body ? block.body->as<Store>() : nullptr;
  const auto* init = block.init ? block.init->as<Store>() : nullptr;
  if (!update || !init) throw ScheduleError(what + "the block's T.init and body must each be one store");
  if (init->buffer != update->buffer || init->indices.size() != update->indices.size()) throw ScheduleError(what + "T.init and the update must store to the same buffer");
  for (size_t d = 0; d < init->indices.size(); ++d) {
    if (!same_expr(init->indices[d], update->indices[d])) throw ScheduleError(what + "T.init and the update must store the same element");
  }
  const auto* bin = update->value->as<Binary>();
  const auto* self = bin ? bin->a->as<Load>() : nullptr;
  bool same = self && self->buffer == update->buffer && self->indices.size() == update->indices.size();
  for (size_t d = 0; same && d < self->indices.size(); ++d) same = same_expr(self->indices[d], update->indices[d]);
  if (!same || !(bin->op == BinaryOp::Add || bin->op == BinaryOp::Mul || bin->op == BinaryOp::Max || bin->op == BinaryOp::Min)) {
    throw ScheduleError(what + "no reducer matches the update: it must be B[...] = B[...] + E (or *, T.max, T.min) with B's element first");
  }
  // Another init (a bias the reduction starts from) stays the write-back's; the partial
  // results start from the identity.
  Expr identity = is_identity(init->value, bin->op, update->buffer->dtype) ? init->value : identity_of(bin->op, update->buffer->dtype, init->loc);
  if (!identity) throw ScheduleError(what + "the T.init value is not the identity of the reduction, and an integer max or min has no identity to start partial results from");
  for (const IterVar& iv : block.iter_vars) {
    if (iv.kind == IterKind::Reduce && uses_var(init->value, iv.var.get())) throw ScheduleError(what + "the T.init value uses reduction axis '" + iv.var->name + "'");
  }
  return {update, bin->op, bin->b, init->value, identity};
}

Stmt store_reduced(const BufferPtr& buffer, const std::vector<Expr>& at, BinaryOp op, const Expr& rhs, SourceLoc loc) {
  Expr current = std::make_shared<Load>(buffer, at, loc);
  return std::make_shared<Store>(buffer, at, std::make_shared<Binary>(op, current, rhs, buffer->dtype, loc), loc);
}

std::vector<Expr> with_axis(std::vector<Expr> indices, int64_t axis, const Expr& index) {
  indices.insert(indices.begin() + axis, index);
  return indices;
}

// What rfactor works on, once its preconditions hold.
struct Site {
  const Block* block = nullptr;
  const For* rf = nullptr;
  std::vector<const For*> loops;  // around the block, outermost first
  Reducer reducer;
  int64_t factor_axis = 0;  // normalised
};

// Whether loop `f` walks some axis of `kind` of the block.
bool walks(const Block& block, const For* f, IterKind kind) {
  return std::any_of(block.iter_vars.begin(), block.iter_vars.end(),
                     [&](const IterVar& iv) { return iv.kind == kind && uses_var(iv.binding, f->loop_var.get()); });
}

// The loops walking spatial and reduction axes: none both, the rf loop only reductions.
void check_loop_kinds(const Site& site, const std::string& what, const std::string& loop, const std::string& block) {
  for (const For* f : site.loops) {
    bool spatial = walks(*site.block, f, IterKind::Spatial), reduce = walks(*site.block, f, IterKind::Reduce);
    if (spatial && reduce) throw ScheduleError(what + "loop '" + f->loop_var->name + "' walks both spatial and reduction axes of " + block);
    if (f != site.rf) continue;
    if (spatial) throw ScheduleError(what + loop + " walks a spatial axis of " + block + "; rfactor needs a reduction loop");
    if (!reduce) throw ScheduleError(what + loop + " walks no reduction axis of " + block);
  }
}

// The partial-result block in fresh copies of every loop: the rf loop's value a new spatial
// axis, each other loop under a reduction axis that uses it a new reduction axis.
Stmt partial_nest(const Site& site, const BufferPtr& rf_buf) {
  const Block& block = *site.block;
  const For& rf = *site.rf;
  SourceLoc loc = block.loc;
  VarMap new_loop;
  for (const For* f : site.loops) new_loop[f->loop_var.get()] = b::var_ref(b::fresh(f->loop_var->name, f->loop_var->dtype, f->loc));
  std::vector<IterVar> axes;
  VarPtr v_rf = b::fresh("v" + rf.loop_var->name, rf.loop_var->dtype, rf.loc);
  axes.push_back({v_rf, rf.min, rf.extent, IterKind::Spatial, new_loop.at(rf.loop_var.get())});
  VarMap loop_axis = {{rf.loop_var.get(), b::var_ref(v_rf)}};  // loop var -> axis of the new block
  VarMap axis_value;                                            // the block's axes -> values there
  for (const IterVar& iv : block.iter_vars) {
    if (iv.kind == IterKind::Spatial || !uses_var(iv.binding, rf.loop_var.get())) {
      IterVar copy = iv;
      copy.var = b::fresh(iv.var->name, iv.var->dtype, iv.var->loc);
      copy.binding = substitute(iv.binding, new_loop);
      axis_value[iv.var.get()] = b::var_ref(copy.var);
      axes.push_back(copy);
      continue;
    }
    for (const For* f : site.loops) {
      if (f == &rf || !uses_var(iv.binding, f->loop_var.get()) || loop_axis.count(f->loop_var.get())) continue;
      VarPtr axis = b::fresh("v" + f->loop_var->name, f->loop_var->dtype, f->loc);
      axes.push_back({axis, f->min, f->extent, IterKind::Reduce, new_loop.at(f->loop_var.get())});
      loop_axis[f->loop_var.get()] = b::var_ref(axis);
    }
    axis_value[iv.var.get()] = substitute(iv.binding, loop_axis);
  }
  const Reducer& r = site.reducer;
  std::vector<Expr> at = with_axis(substitute_all(r.update->indices, axis_value), site.factor_axis, b::var_ref(v_rf));
  Expr rhs = substitute(r.rhs, axis_value);
  auto partial = std::make_shared<Block>(loc);
  partial->name = block.name + "_rf";
  partial->iter_vars = axes;
  partial->annotations = block.annotations;
  // With every reduction loop folded into the rf loop nothing is left to reduce: no init.
  bool reduces = std::any_of(axes.begin(), axes.end(), [](const IterVar& iv) { return iv.kind == IterKind::Reduce; });
  if (reduces) partial->init = std::make_shared<Store>(rf_buf, at, r.identity, loc);
  partial->body = reduces ? store_reduced(rf_buf, at, r.op, rhs, loc) : std::make_shared<Store>(rf_buf, at, rhs, loc);
  if (block.predicate) partial->predicate = substitute(substitute(block.predicate, axis_value), new_loop);
  Stmt nest = partial;
  for (size_t i = site.loops.size(); i-- > 0;) {
    auto copy = std::make_shared<For>(*site.loops[i]);
    copy->loop_var = new_loop.at(site.loops[i]->loop_var.get())->as<VarRef>()->var;
    copy->body = nest;
    nest = copy;
  }
  return nest;
}

// The block itself, now reducing the partial results over the rf loop alone, under the
// original loops that walk no other reduction.
Stmt writeback_nest(const Site& site, const BufferPtr& rf_buf) {
  const Block& block = *site.block;
  const For& rf = *site.rf;
  const Reducer& r = site.reducer;
  SourceLoc loc = block.loc;
  auto wb = std::make_shared<Block>(loc);
  wb->name = block.name;
  wb->annotations = block.annotations;
  VarPtr v_wb = b::fresh("v" + rf.loop_var->name, rf.loop_var->dtype, rf.loc);
  wb->iter_vars.push_back({v_wb, rf.min, rf.extent, IterKind::Reduce, b::var_ref(rf.loop_var)});
  VarMap value;
  for (const IterVar& iv : block.iter_vars) {
    if (iv.kind != IterKind::Spatial) continue;
    IterVar copy = iv;
    copy.var = b::fresh(iv.var->name, iv.var->dtype, iv.var->loc);
    value[iv.var.get()] = b::var_ref(copy.var);
    wb->iter_vars.push_back(copy);
  }
  std::vector<Expr> at = substitute_all(r.update->indices, value);
  wb->init = std::make_shared<Store>(r.update->buffer, at, substitute(r.init, value), loc);
  wb->body = store_reduced(r.update->buffer, at, r.op, std::make_shared<Load>(rf_buf, with_axis(at, site.factor_axis, b::var_ref(v_wb)), loc), loc);
  Stmt nest = wb;
  for (size_t i = site.loops.size(); i-- > 0;) {
    const For* f = site.loops[i];
    if (f != &rf && walks(block, f, IterKind::Reduce)) continue;
    auto copy = std::make_shared<For>(*f);
    copy->body = nest;
    nest = copy;
  }
  return nest;
}

}  // namespace

BlockRV Schedule::rfactor(const LoopRV& loop_rv, int64_t factor_axis) {
  const std::string what = "rfactor: ";
  Site site;
  site.rf = &loop_at(loop_path(loop_rv));
  if (site.rf->for_kind != ForKind::Serial) throw ScheduleError(what + describe(loop_rv) + " must be a serial loop");
  std::vector<BlockRV> blocks = get_child_blocks(loop_rv);
  if (blocks.size() != 1) throw ScheduleError(what + describe(loop_rv) + " must hold exactly one block; it holds " + std::to_string(blocks.size()));
  const BlockRV& block_rv = blocks[0];
  std::vector<Stmt> path = block_path(block_rv);
  site.block = &block_at(path);
  if (!site.block->init) throw ScheduleError(what + describe(block_rv) + " has no T.init(); it is not a reduction block");
  site.reducer = match_reducer(*site.block, what + describe(block_rv) + ": ");
  site.loops = loops_on(path);
  size_t top = 0;
  while (path[top]->as<For>() != site.loops.front()) ++top;
  for (size_t i = top; i + 1 < path.size(); ++i) {
    const auto* f = path[i]->as<For>();
    if (!f || f->body != path[i + 1]) throw ScheduleError(what + "the loops around " + describe(block_rv) + " must nest perfectly, each holding only the next");
  }
  check_loop_kinds(site, what, describe(loop_rv), describe(block_rv));
  const BufferPtr& out = site.reducer.update->buffer;
  int64_t rank = static_cast<int64_t>(out->shape.size());
  if (factor_axis < -(rank + 1) || factor_axis > rank) {
    throw ScheduleError(what + "factor_axis " + std::to_string(factor_axis) + " is outside [" + std::to_string(-(rank + 1)) + ", " + std::to_string(rank) + "] for buffer '" + out->name + "'");
  }
  site.factor_axis = factor_axis < 0 ? factor_axis + rank + 1 : factor_axis;
  auto rf_buffer = std::make_shared<Buffer>(*out);
  rf_buffer->name = out->name + "_rf";
  rf_buffer->shape.insert(rf_buffer->shape.begin() + site.factor_axis, site.rf->extent);
  BufferPtr rf_buf = rf_buffer;
  Stmt both = std::make_shared<Seq>(std::vector<Stmt>{partial_nest(site, rf_buf), writeback_nest(site, rf_buf)}, site.block->loc);
  std::vector<Stmt> to_top(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(top) + 1);
  add_root_buffer(block_rv.func, replace_at(to_top, both), rf_buf);
  return {block_rv.func, site.block->name + "_rf"};
}

}  // namespace relaxc::schedule
