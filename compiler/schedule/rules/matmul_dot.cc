// The matmul-dot rule (see rules.h): a matmul whose operands both run along the reduction axis
// k contiguously (Y[i, j] = sum_k X[i, k] * W[j, k], R.nn.linear's layout, batched or not).
// Requires a prim_func as LegalizeOps and FuseOps leave it: the reduction nest first (spatial
// loops, then k innermost, each loop binding one axis, storing at its spatial axes), then only
// elementwise nests over its output. Guarantees: the same results up to the order of the
// additions: k is split into vector partial sums (rfactor), a tile of rows x columns of them
// is kept in registers over the reduction, and the lanes are added once per output, with the
// bias a T.init may start from added by the write-back.
#include <algorithm>

#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/rules/nest.h"
#include "compiler/schedule/rules/rule_set.h"
#include "compiler/schedule/trace.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

struct DotMatmul {
  Nest nest;
  std::vector<Nest> after;     // elementwise stages over the output
  std::vector<size_t> output;  // the spatial loops in the output's order
  size_t rows = 0, columns = 0;  // the loops of i (not read by W) and j (the output's last)
  int64_t ops = 0;
};

struct DotTile {
  int64_t lanes = 1, rows = 1, columns = 1;
  bool panels_first = false;  // column panels outermost (W beyond the L2 cache)
};

// Loads of the reduction's term whose last index walks k with a stride of 1.
int contiguous_loads(const Nest& nest) {
  const auto* store = nest.block->body->as<Store>();
  const Var* k = nest.block->iter_vars.back().var.get();
  int count = 0;
  visit_expr(store->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (load && load->buffer != store->buffer && !load->indices.empty()) count += stride_of(load->indices.back(), {{k, 1}}) == std::optional<int64_t>(1);
  });
  return count;
}

bool uses_axis(const Load& load, const Var* axis) {
  return std::any_of(load.indices.begin(), load.indices.end(), [&](const Expr& index) { return uses_var(index, axis); });
}

// The row axis: the innermost output axis above 1 (other than j) that some operand does not
// use, so that one of its loads serves a row of the tile.
std::optional<size_t> row_axis(const DotMatmul& m) {
  const auto* store = m.nest.block->body->as<Store>();
  for (size_t d = m.output.size() - 1; d-- > 0;) {
    size_t i = m.output[d];
    int64_t extent = extent_of(m.nest.loops[i]);  // 0: symbolic, a batch
    if (extent != 0 && extent < 2) continue;
    const Var* axis = m.nest.block->iter_vars[i].var.get();
    bool shared = false;
    visit_expr(store->value, [&](const ExprNode& e) {
      const auto* load = e.as<Load>();
      shared = shared || (load && load->buffer != store->buffer && !uses_axis(*load, axis));
    });
    if (shared) return i;
  }
  return std::nullopt;
}

std::optional<DotMatmul> match(const PrimFunc& func) {
  std::optional<std::vector<Nest>> nests = perfect_nests(func);
  if (!nests || nests->empty()) return std::nullopt;
  DotMatmul m;
  m.nest = nests->front();
  const Block& block = *m.nest.block;
  size_t spatial = m.nest.loops.size() - 1;
  if (!block.init || spatial == 0 || block.iter_vars.back().kind != IterKind::Reduce) return std::nullopt;
  std::optional<std::vector<size_t>> order = output_order(m.nest, spatial);
  const auto* store = block.body ? block.body->as<Store>() : nullptr;
  if (!order || !store || !is_float(store->buffer->dtype) || contiguous_loads(m.nest) < 2) return std::nullopt;
  for (size_t i = 0; i < spatial; ++i) {
    if (block.iter_vars[i].kind != IterKind::Spatial) return std::nullopt;
  }
  m.output = *order;
  for (size_t n = 1; n < nests->size(); ++n) {
    const Nest& stage = (*nests)[n];
    bool elementwise = !stage.block->init && std::all_of(stage.block->iter_vars.begin(), stage.block->iter_vars.end(),
                                                         [](const IterVar& iv) { return iv.kind == IterKind::Spatial; });
    if (!elementwise) return std::nullopt;
    m.after.push_back(stage);
  }
  m.columns = m.output.back();
  std::optional<size_t> rows = row_axis(m);
  m.rows = rows.value_or(spatial);
  m.ops = iterations(m.nest);
  return m;
}

// Lanes dividing k; a square tile of rows x columns in half the registers, or one row of
// columns when there is no row axis.
DotTile dot_tile(const DotMatmul& m, const Target& target, const RuleParams& params) {
  DataType dtype = m.nest.block->body->as<Store>()->buffer->dtype;
  int64_t accumulators = params.accumulators > 0 ? params.accumulators : target.matmul_accumulator_registers();
  DotTile tile;
  tile.lanes = tile_extent(extent_of(m.nest.loops.back()), target.lanes(dtype));
  int64_t side = 1;
  while ((side + 1) * (side + 1) <= accumulators) ++side;
  bool has_rows = m.rows < m.nest.loops.size() - 1;
  tile.rows = has_rows ? tile_extent(extent_of(m.nest.loops[m.rows]), side) : 1;
  tile.columns = tile_extent(extent_of(m.nest.loops[m.columns]), std::max<int64_t>(1, accumulators / tile.rows));
  // As in the matmul rule: row tiles outermost while W (k x columns) stays in the L2 cache.
  int64_t w_bytes = extent_of(m.nest.loops.back()) * extent_of(m.nest.loops[m.columns]) * (dtype_bits(dtype) / 8);
  tile.panels_first = w_bytes == 0 || 2 * w_bytes > target.l2_bytes;
  return tile;
}

// Vectorize the last of `loops`, unroll the `unrolled` before it.
void lanes_and_unroll(TracedSchedule& t, const std::vector<LoopRV>& loops, size_t unrolled) {
  size_t n = loops.size();
  if (n == 0) return;
  t.vectorize(loops[--n]);
  for (; unrolled > 0 && n > 0; --unrolled) t.unroll(loops[--n]);
}

void schedule_dot(TracedSchedule& t, const PrimFunc& func, const DotMatmul& m, const DotTile& shape, const Target& target, const RuleParams& params) {
  BlockRV b = t.get_block(m.nest.block->name, func.name);
  std::vector<LoopRV> k = t.split(t.get_loops(b).back(), {std::nullopt, shape.lanes});
  BlockRV rf = t.rfactor(k[1], -1);
  std::vector<LoopRV> loops = t.get_loops(rf);  // the spatial loops, k's chunks, its lanes
  std::vector<LoopRV> outer, tile;
  for (size_t i : m.output) {
    int64_t factor = i == m.rows ? shape.rows : i == m.columns ? shape.columns : 1;
    if (factor == 1) {
      outer.push_back(loops[i]);
      continue;
    }
    std::vector<LoopRV> parts = t.split(loops[i], {std::nullopt, factor});
    // Column panels first, when W does not fit the cache: each thread keeps its rows of W in
    // cache across every row tile.
    outer.insert(shape.panels_first && i == m.columns ? outer.begin() : outer.end(), parts[0]);
    tile.push_back(parts[1]);
  }
  const LoopRV chunk = outer.back(), chunks = loops[loops.size() - 2], lanes = loops.back();
  std::vector<LoopRV> order = outer;
  order.push_back(chunks);
  order.insert(order.end(), tile.begin(), tile.end());
  order.push_back(lanes);
  t.reorder(order);
  BlockRV init = t.decompose_reduction(rf, chunks);
  std::vector<LoopRV> update = tile;
  update.push_back(lanes);
  lanes_and_unroll(t, update, tile.size());
  std::vector<LoopRV> init_loops = t.get_loops(init);
  size_t init_tile = std::min(init_loops.size(), tile.size() + 1);
  lanes_and_unroll(t, std::vector<LoopRV>(init_loops.end() - static_cast<std::ptrdiff_t>(init_tile), init_loops.end()), tile.size());
  // The lanes are added up, and the elementwise stages run, per tile.
  t.reverse_compute_at(b, chunk);
  for (const Nest& stage : m.after) t.reverse_compute_at(t.get_block(stage.block->name, func.name), chunk);
  std::vector<LoopRV> shared(outer.begin(), outer.end() - 1);
  if (shared.empty() || !params.parallel || target.cores < 2 || 2 * m.ops < target.parallel_min_ops) return;
  t.parallel(shared.size() == 1 ? shared[0] : t.fuse(shared));
}

}  // namespace

bool dot_matmul_tile_fills_registers(const PrimFunc& func, const Target& target) {
  std::optional<DotMatmul> m = match(func);
  if (!m) return false;
  DotTile tile = dot_tile(*m, target, {});
  DataType dtype = m->nest.block->body->as<Store>()->buffer->dtype;
  int64_t k = extent_of(m->nest.loops.back());
  // One row (a matrix-vector product, batch 1) or a symbolic number of them stays with the
  // older tiles, which split k between threads when there are few: 5.1 against 8.6 us for the
  // chapter's MLP at batch 1 with this rule.
  bool constant_rows = m->rows < m->nest.loops.size() - 1 && extent_of(m->nest.loops[m->rows]) > 0;
  return constant_rows && tile.rows > 1 && 2 * tile.lanes >= target.lanes(dtype) && 2 * tile.rows * tile.columns >= target.matmul_accumulator_registers() &&
         (k == 0 || k >= 2 * tile.lanes);
}

std::optional<RuleApplied> apply_dot_matmul_rule(Module& module, const PrimFunc& func, const Target& target, const RuleParams& params) {
  if (!dot_matmul_tile_fills_registers(func, target)) return std::nullopt;
  std::optional<DotMatmul> m = match(func);
  Schedule sch(module);
  TracedSchedule traced(sch);
  schedule_dot(traced, func, *m, dot_tile(*m, target, params), target, params);
  module = sch.module();
  return RuleApplied{"matmul-dot", traced.lines()};
}

}  // namespace relaxc::schedule
