// The row-reduction rule (see rules.h): softmax, layer_norm, rms_norm, and sums, means and
// maxima over the last axis. Requires a prim_func as LegalizeOps and FuseOps leave it: a
// sequence of perfect loop nests, one block each, each loop binding one axis, with at least one
// reduction; every nest starts with the same `rows` spatial loops, indexes the first `rows`
// dimensions of what it stores and of every intermediate it reads by them, and each reduction's
// axes come last, the innermost read contiguously by some load (a pooling's window may have
// two; only a single axis is split into vector partial sums). Then row q of the last
// nest needs only row q of each stage before it.
//
// Guarantees: each stage computed per row under the last nest's row loop (the intermediates
// shrink to one row once compact_buffers runs), each reduction split into vector partial sums
// (rfactor) whose lanes are added at the end, the stages' inner loops vectorized, and the rows
// fused and parallel when the function is large. Results are the same up to the order of the
// additions (max and min are exact).
#include <algorithm>

#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/rules/nest.h"
#include "compiler/schedule/rules/rule_set.h"
#include "compiler/schedule/trace.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

struct RowReduction {
  std::vector<Nest> nests;  // in order; the last is the anchor the others move under
  size_t rows = 0;
};

bool is_reduction(const Nest& nest) { return nest.block->init != nullptr; }

size_t reduction_loops(const Nest& nest) {
  return static_cast<size_t>(std::count_if(nest.block->iter_vars.begin(), nest.block->iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Reduce; }));
}

// Loops bind their own axes, and a reduction's reduction axes come last (a pooling's window
// has two).
bool simple_axes(const Nest& nest) {
  const Block& block = *nest.block;
  if (block.iter_vars.size() != nest.loops.size() || !block.body || !block.body->as<Store>()) return false;
  size_t spatial = nest.loops.size() - reduction_loops(nest);
  if (is_reduction(nest) == (spatial == nest.loops.size())) return false;
  for (size_t i = 0; i < nest.loops.size(); ++i) {
    const IterVar& iv = block.iter_vars[i];
    const auto* ref = iv.binding ? iv.binding->as<VarRef>() : nullptr;
    if (!ref || ref->var != nest.loops[i]->loop_var) return false;
    if (iv.kind != (i < spatial ? IterKind::Spatial : IterKind::Reduce)) return false;
  }
  return true;
}

// Whether some load of the reduction reads its reduction axis with a stride of 1 in its last index.
bool contiguous_reduction(const Nest& nest) {
  const auto* store = nest.block->body->as<Store>();
  const Var* axis = nest.block->iter_vars.back().var.get();
  bool found = false;
  visit_expr(store->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || load->buffer == store->buffer || load->indices.empty()) return;
    found = found || stride_of(load->indices.back(), {{axis, 1}}) == std::optional<int64_t>(1);
  });
  return found;
}

bool indexed_by_rows(const std::vector<Expr>& indices, const Block& block, size_t rows) {
  if (indices.size() < rows) return false;
  for (size_t t = 0; t < rows; ++t) {
    const auto* ref = indices[t]->as<VarRef>();
    if (!ref || ref->var != block.iter_vars[t].var) return false;
  }
  return true;
}

// Whether every load of a function input in a reduction uses every row axis: a reduction
// whose operand is shared by rows (a matmul's weights) is matmul-like and needs register
// blocking, which this rule does not do.
bool inputs_per_row(const Nest& nest, size_t rows, const std::vector<const Buffer*>& intermediates) {
  const auto* store = nest.block->body->as<Store>();
  bool ok = true;
  visit_expr(store->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || load->buffer == store->buffer || std::find(intermediates.begin(), intermediates.end(), load->buffer.get()) != intermediates.end()) return;
    for (size_t t = 0; t < rows; ++t) {
      const Var* axis = nest.block->iter_vars[t].var.get();
      ok = ok && std::any_of(load->indices.begin(), load->indices.end(), [&](const Expr& index) { return uses_var(index, axis); });
    }
  });
  return ok;
}

// Whether the first `rows` loops of every nest are the anchor's row loops in the sense above.
bool rows_line_up(const std::vector<Nest>& nests, size_t rows) {
  const Nest& anchor = nests.back();
  std::vector<const Buffer*> written;
  for (const Nest& nest : nests) {
    if (nest.loops.size() < rows) return false;
    for (size_t t = 0; t < rows; ++t) {
      if (!same_expr(nest.loops[t]->extent, anchor.loops[t]->extent)) return false;
    }
    const auto* store = nest.block->body->as<Store>();
    if (!indexed_by_rows(store->indices, *nest.block, rows)) return false;
    bool reads_ok = true;
    visit_expr(store->value, [&](const ExprNode& e) {
      const auto* load = e.as<Load>();
      bool intermediate = load && std::find(written.begin(), written.end(), load->buffer.get()) != written.end();
      if (intermediate) reads_ok = reads_ok && indexed_by_rows(load->indices, *nest.block, rows);
    });
    if (!reads_ok || (is_reduction(nest) && !inputs_per_row(nest, rows, written))) return false;
    written.push_back(store->buffer.get());
  }
  return true;
}

std::optional<RowReduction> match(const PrimFunc& func) {
  std::optional<std::vector<Nest>> nests = perfect_nests(func);
  if (!nests || nests->empty() || !std::all_of(nests->begin(), nests->end(), simple_axes)) return std::nullopt;
  const Nest& anchor = nests->back();
  size_t rows = anchor.loops.size() - reduction_loops(anchor);
  bool reduces = false;
  for (const Nest& nest : *nests) {
    if (!is_reduction(nest)) continue;
    if (!contiguous_reduction(nest)) return std::nullopt;
    rows = std::min(rows, nest.loops.size() - reduction_loops(nest));
    reduces = true;
  }
  while (rows > 0 && !rows_line_up(*nests, rows)) --rows;
  if (!reduces || rows == 0) return std::nullopt;
  return RowReduction{*nests, rows};
}

// Lanes of a reduction's partial sums: a divisor of its extent that leaves at least two
// vectors to add per lane; 1 (no rfactor) when there is none or the extent is symbolic.
int64_t partial_lanes(const Nest& nest, const Target& target) {
  if (reduction_loops(nest) != 1) return 1;  // a window: its short rows stay scalar
  int64_t n = extent_of(nest.loops.back());
  DataType dtype = nest.block->body->as<Store>()->buffer->dtype;
  return n < 4 ? 1 : largest_divisor_at_most(n, std::min(target.lanes(dtype), n / 2));
}

// The partial sums' two loops under the row, as (reduction, lanes): compute_at builds them in
// the order of the block's axes, the lanes first.
std::pair<LoopRV, LoopRV> partial_loops(TracedSchedule& t, const BlockRV& rf, size_t rows) {
  std::vector<LoopRV> loops = t.get_loops(rf);
  std::vector<tir::Stmt> path = t.schedule().block_path(rf);
  const Block* block = path.back()->as<Block>();
  auto reduces = [&](const LoopRV& loop) {
    return std::any_of(block->iter_vars.begin(), block->iter_vars.end(),
                       [&](const IterVar& iv) { return iv.kind == IterKind::Reduce && iv.binding && uses_var(iv.binding, loop.var.get()); });
  };
  if (loops.size() != rows + 2) throw ScheduleError("row-reduction: the partial sums of " + rf.name + " are not two loops under the row");
  LoopRV a = loops[rows], b = loops[rows + 1];
  return reduces(a) ? std::make_pair(a, b) : std::make_pair(b, a);
}

// The innermost loop of a spatial stage under the row, vectorized in pieces of at most a vector.
void vectorize_inner(TracedSchedule& t, const BlockRV& block, size_t rows, const Target& target, DataType dtype) {
  std::vector<LoopRV> loops = t.get_loops(block);
  if (loops.size() <= rows) return;
  std::optional<int64_t> extent = constant_value(t.schedule().loop_path(loops.back()).back()->as<For>()->extent);
  if (!extent || *extent < 2) return;
  int64_t lanes = largest_divisor_at_most(*extent, target.lanes(dtype));
  if (lanes < 2) return;
  LoopRV inner = loops.back();
  if (lanes < *extent) inner = t.split(inner, {std::nullopt, lanes})[1];
  t.vectorize(inner);
}

int64_t total_iterations(const std::vector<Nest>& nests) {
  int64_t total = 0;
  for (const Nest& nest : nests) total = std::min<int64_t>(total + iterations(nest), int64_t{1} << 40);
  return total;
}

void schedule_rows(TracedSchedule& t, const PrimFunc& func, const RowReduction& w, const Target& target, const RuleParams& params) {
  // Partial sums first, on the nests as they are (rfactor wants a perfect nest).
  std::vector<std::optional<BlockRV>> partial(w.nests.size());
  for (size_t i = 0; i < w.nests.size(); ++i) {
    const Nest& nest = w.nests[i];
    if (!is_reduction(nest) || partial_lanes(nest, target) < 2) continue;
    int64_t lanes = partial_lanes(nest, target);
    BlockRV b = t.get_block(nest.block->name, func.name);
    std::vector<LoopRV> parts = t.split(t.get_loops(b).back(), {std::nullopt, lanes});
    partial[i] = t.rfactor(parts[1], -1);
  }
  BlockRV anchor = t.get_block(w.nests.back().block->name, func.name);
  std::vector<LoopRV> anchor_loops = t.get_loops(anchor);
  std::vector<LoopRV> rows(anchor_loops.begin(), anchor_loops.begin() + static_cast<std::ptrdiff_t>(w.rows));
  // Each stage moves under the row loop, the last producer first (compute_at puts a block
  // before its first consumer there).
  for (size_t i = w.nests.size() - 1; i-- > 0;) {
    BlockRV b = t.get_block(w.nests[i].block->name, func.name);
    t.compute_at(b, rows.back());
    if (partial[i]) t.compute_at(*partial[i], rows.back());
  }
  if (partial.back()) t.compute_at(*partial.back(), rows.back());
  for (size_t i = 0; i < w.nests.size(); ++i) {
    DataType dtype = w.nests[i].block->body->as<Store>()->buffer->dtype;
    if (partial[i]) {
      auto [reduction, lanes] = partial_loops(t, *partial[i], w.rows);
      t.reorder({reduction, lanes});
      BlockRV init = t.decompose_reduction(*partial[i], reduction);
      t.vectorize(t.get_loops(init).back());
      t.vectorize(t.get_loops(*partial[i]).back());
    }
    if (!is_reduction(w.nests[i])) vectorize_inner(t, t.get_block(w.nests[i].block->name, func.name), w.rows, target, dtype);
  }
  bool parallel = params.parallel && target.cores >= 2 && total_iterations(w.nests) >= target.parallel_min_elements();
  if (parallel) t.parallel(rows.size() == 1 ? rows[0] : t.fuse(rows));
}

}  // namespace

bool row_reduction_rule_applies(const PrimFunc& func) { return match(func).has_value(); }

std::optional<RuleApplied> apply_row_reduction_rule(Module& module, const PrimFunc& func, const Target& target, const RuleParams& params) {
  std::optional<RowReduction> rows = match(func);
  if (!rows) return std::nullopt;
  Schedule sch(module);
  TracedSchedule traced(sch);
  schedule_rows(traced, func, *rows, target, params);
  module = sch.module();
  return RuleApplied{"row-reduction", traced.lines()};
}

}  // namespace relaxc::schedule
