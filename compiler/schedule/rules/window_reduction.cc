// The window-reduction rule (see rules.h). Requires a prim_func as LegalizeOps and FuseOps
// leave it: a sequence of perfect loop nests, one block each, exactly one of them a reduction
// with its spatial loops first, each loop binding one axis. Guarantees: the same results up to
// the order of additions, which stays the same for each output element (the reduction loops
// are not split).
#include <algorithm>
#include <set>

#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/affine.h"
#include "compiler/schedule/rules/nest.h"
#include "compiler/schedule/rules/rule_set.h"
#include "compiler/schedule/rules/steps.h"
#include "compiler/schedule/trace.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

// The reduction nest and what the rule needs to know of it.
struct WindowReduction {
  std::vector<Nest> before, after;  // spatial stages around it, in order
  Nest nest;
  size_t spatial = 0;          // its first `spatial` loops bind spatial axes, the rest reduction axes
  std::vector<size_t> output;  // the spatial loops in the order of the output's dimensions
  size_t vector = 0;           // the loop of the output's last dimension
  size_t blocked = 0;          // the spatial loop blocked into registers (`spatial` for none)
  int64_t ops = 0;             // multiply-adds, roughly
  bool matmul = false;         // one reduction axis: a matmul-like kernel
  // Every vector load moves with the blocked axis (a depthwise convolution's or a pooling's
  // rows, each reading its own window): the tile's rows share no broadcast, only the input
  // rows their windows overlap on.
  bool rows_read_windows = false;
};

// Whether every loop binds one axis, spatial loops first, and the block stores its output at
// its spatial axes (in any order); `output` gets the loops in the output's order.
bool simple_reduction(const Nest& nest, size_t& spatial, std::vector<size_t>& output) {
  const Block& block = *nest.block;
  if (!block.init || block.iter_vars.size() != nest.loops.size()) return false;
  spatial = 0;
  for (size_t i = 0; i < nest.loops.size(); ++i) {
    const IterVar& iv = block.iter_vars[i];
    const auto* ref = iv.binding ? iv.binding->as<VarRef>() : nullptr;
    if (!ref || ref->var != nest.loops[i]->loop_var) return false;
    if (iv.kind == IterKind::Spatial) {
      if (spatial != i) return false;
      ++spatial;
    }
  }
  const auto* store = block.body->as<Store>();
  if (!store || spatial == 0 || spatial == nest.loops.size() || store->indices.size() != spatial || !is_float(store->buffer->dtype)) return false;
  std::optional<std::vector<size_t>> order = output_order(nest, spatial);
  if (!order) return false;
  output = *order;
  return true;
}

// The loads of `block` whose last index walks axis `vector` with a stride of 1 or 2 (what a
// vector of outputs reads), or none.
std::vector<const Load*> vector_loads(const Block& block, size_t vector) {
  std::vector<const Load*> out;
  const Var* axis = block.iter_vars[vector].var.get();
  const auto* store = block.body->as<Store>();
  visit_expr(store->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || load->buffer == store->buffer || load->indices.empty()) return;
    std::optional<int64_t> step = stride_of(load->indices.back(), {{axis, 1}});
    if (step && (*step == 1 || *step == 2)) out.push_back(load);
  });
  return out;
}

// The spatial loop to block: the innermost in the output's order (other than the vector one)
// whose extent is above 1 and that some vector load does not use — one load then feeds that
// many accumulators — or else the innermost above 1, for independent accumulators alone.
size_t blocked_axis(const WindowReduction& w, const std::vector<const Load*>& loads) {
  size_t fallback = w.spatial;
  for (size_t d = w.output.size() - 1; d-- > 0;) {
    size_t i = w.output[d];
    int64_t extent = extent_of(w.nest.loops[i]);  // 0: symbolic, a batch
    if (extent != 0 && extent < 2) continue;
    if (fallback == w.spatial) fallback = i;
    const Var* axis = w.nest.block->iter_vars[i].var.get();
    for (const Load* load : loads) {
      bool uses = std::any_of(load->indices.begin(), load->indices.end(), [&](const Expr& index) { return uses_var(index, axis); });
      if (!uses) return i;
    }
  }
  return fallback;
}

std::optional<WindowReduction> match(const PrimFunc& func) {
  const Seq* top = func.body ? func.body->as<Seq>() : nullptr;
  std::vector<Stmt> parts = top ? top->stmts : std::vector<Stmt>{func.body};
  WindowReduction w;
  bool found = false;
  for (const Stmt& part : parts) {
    std::optional<Nest> nest = perfect_nest(part);
    if (!nest) return std::nullopt;
    if (nest->block->init) {
      if (found || !simple_reduction(*nest, w.spatial, w.output)) return std::nullopt;
      w.nest = *nest;
      found = true;
      continue;
    }
    bool spatial = std::all_of(nest->block->iter_vars.begin(), nest->block->iter_vars.end(), [](const IterVar& iv) { return iv.kind == IterKind::Spatial; });
    if (!spatial) return std::nullopt;
    (found ? w.after : w.before).push_back(*nest);
  }
  if (!found) return std::nullopt;
  w.vector = w.output.back();
  std::vector<const Load*> loads = vector_loads(*w.nest.block, w.vector);
  if (loads.empty()) return std::nullopt;
  if (extent_of(w.nest.loops[w.vector]) == 0) return std::nullopt;  // the vector axis must be constant
  w.blocked = blocked_axis(w, loads);
  if (w.blocked < w.spatial) {
    const Var* axis = w.nest.block->iter_vars[w.blocked].var.get();
    w.rows_read_windows = std::all_of(loads.begin(), loads.end(), [&](const Load* load) {
      return std::any_of(load->indices.begin(), load->indices.end(), [&](const Expr& index) { return uses_var(index, axis); });
    });
  }
  w.ops = iterations(w.nest);
  w.matmul = w.nest.loops.size() - w.spatial == 1;
  return w;
}

// The register tile: `rows` of the blocked axis by `vectors` x `lanes` of the vector axis, and
// whether a matmul's column panels are the outermost loops.
struct TileShape {
  int64_t lanes = 1, vectors = 1, rows = 1;
  bool panels_first = false;
};

int64_t isqrt(int64_t n) {
  int64_t r = 1;
  while ((r + 1) * (r + 1) <= n) ++r;
  return r;
}

// A window takes one vector per row, with a quarter of the registers as accumulators. A matmul
// (one reduction axis, so each step loads `vectors` vectors and one broadcast per row) takes
// half of them in a tile as square as the extents allow: each step's loads are vectors + rows
// for vectors * rows multiply-adds.
TileShape tile_shape(const WindowReduction& w, const Target& target, const RuleParams& params) {
  DataType dtype = w.nest.block->body->as<Store>()->buffer->dtype;
  int64_t columns = extent_of(w.nest.loops[w.vector]);
  int64_t rows = w.blocked < w.spatial ? extent_of(w.nest.loops[w.blocked]) : 1;  // 0: symbolic
  TileShape tile;
  tile.lanes = largest_divisor_at_most(columns, target.lanes(dtype));
  int64_t accumulators = params.accumulators > 0 ? params.accumulators : w.matmul ? target.matmul_accumulator_registers() : target.accumulator_registers();
  if (w.matmul && tile.lanes == target.lanes(dtype)) tile.vectors = largest_divisor_at_most(columns / tile.lanes, isqrt(accumulators));
  // A window whose row holds four whole vectors takes them all, with half of the registers
  // as accumulators (each step loads 4 vectors and 4 broadcasts for 16 multiply-adds, against
  // 9 loads for 8): ResNet's 56-wide 3x3 convolutions 1.23 -> 1.02 ms. Narrower rows stay at
  // one vector: measured slower with more (28-wide 1.16 -> 1.42 ms with two).
  // Rows that read overlapping windows take two of the vectors by twice the rows instead: the
  // unrolled window then loads each input row once for more output rows (MobileNetV2's 56-wide
  // depthwise layer 1.2x faster).
  if (!w.matmul && params.accumulators == 0 && largest_divisor_at_most(columns / std::max<int64_t>(1, tile.lanes), 4) == 4) {
    tile.vectors = w.rows_read_windows ? 2 : 4;
    accumulators = target.matmul_accumulator_registers();
  }
  int64_t ideal_rows = std::max<int64_t>(1, accumulators / tile.vectors);
  tile.rows = w.matmul ? tile_extent(rows, ideal_rows) : largest_divisor_at_most(rows, ideal_rows);
  // Row tiles outermost re-read the operand the rows share (k x columns) once per row tile:
  // fine while it stays in the L2 cache; beyond, column panels go outermost, and the rows'
  // operand is re-read per panel instead.
  int64_t shared_bytes = extent_of(w.nest.loops.back()) * columns * (dtype_bits(dtype) / 8);
  tile.panels_first = w.matmul && (shared_bytes == 0 || 2 * shared_bytes > target.l2_bytes);
  return tile;
}

// The output loops split into what stays outside the tile (`outer`, in the output's order, or
// with a matmul's column panels first, so each thread keeps its panel of the shared operand in
// cache across the rows) and the tile's loops (the blocked axis, then the vector axis).
void split_output(TracedSchedule& t, const WindowReduction& w, const TileShape& shape, const std::vector<LoopRV>& loops,
                  std::vector<LoopRV>& outer, std::vector<LoopRV>& tile) {
  for (size_t i : w.output) {
    std::vector<std::optional<int64_t>> factors = {std::nullopt};
    if (i == w.vector && shape.vectors > 1) factors.push_back(shape.vectors);
    if (i == w.vector && shape.lanes > 1) factors.push_back(shape.lanes);
    if (i == w.blocked && shape.rows > 1) factors.push_back(shape.rows);
    if (factors.size() == 1) {
      outer.push_back(loops[i]);
      continue;
    }
    std::vector<LoopRV> parts = t.split(loops[i], factors);
    outer.insert(shape.panels_first && i == w.vector ? outer.begin() : outer.end(), parts[0]);
    tile.insert(tile.end(), parts.begin() + 1, parts.end());
  }
}

// The reduction's block of a matmul's k-major operand that stays in half the L1 cache while the
// row tiles pass over it (BLIS's KC): `columns` of each of kc rows. 0 when the reduction is
// short enough to be one block.
int64_t reduction_block(const WindowReduction& w, const TileShape& shape, const Target& target) {
  int64_t k = extent_of(w.nest.loops.back());
  int64_t ideal = std::max<int64_t>(16, target.l1_bytes / 2 / (shape.vectors * shape.lanes * stored_element_bytes(w.nest)));
  return w.matmul && shape.panels_first && k >= 2 * ideal ? tile_extent(k, ideal) : 0;
}

// A matmul whose operands outgrow the L2 cache (BERT's 768 x 3072 layers): column panels, then
// blocks of the reduction, then the row tiles, so the block of the panel the tiles share stays
// in L1 (without it, every row tile streamed the whole panel from L2 or beyond: 2.7x slower).
// The sums stay in the output across blocks (LLVM keeps a tile's in registers within one);
// the elementwise stages run per panel once its sums are complete.
void schedule_blocked_matmul(TracedSchedule& t, const PrimFunc& func, const WindowReduction& w, const TileShape& shape, int64_t kc,
                             const Target& target, const RuleParams& params) {
  BlockRV b = t.get_block(w.nest.block->name, func.name);
  std::vector<LoopRV> loops = t.get_loops(b);
  std::vector<LoopRV> outer, tile;
  split_output(t, w, shape, loops, outer, tile);
  std::vector<LoopRV> k = t.split(loops.back(), {std::nullopt, kc});
  // outer: the column panel first (panels_first), then the row tiles and any batch loops.
  std::vector<LoopRV> order = {outer.front(), k[0]};
  order.insert(order.end(), outer.begin() + 1, outer.end());
  order.push_back(k[1]);
  order.insert(order.end(), tile.begin(), tile.end());
  t.reorder(order);
  const LoopRV panel = outer.front();
  BlockRV init = t.decompose_reduction(b, k[0]);
  size_t unrolled = (shape.rows > 1 ? 1 : 0) + (shape.vectors > 1 ? 1 : 0);
  tile_loop_kinds(t, tile, unrolled, shape.lanes > 1);
  tile_loop_kinds(t, loops_under(t, init, panel), unrolled, shape.lanes > 1);
  for (const Nest& stage : w.after) {
    BlockRV s = t.get_block(stage.block->name, func.name);
    t.reverse_compute_at(s, panel);
    std::vector<LoopRV> stage_loops = loops_under(t, s, panel);
    if (stage_loops.empty()) continue;
    std::vector<LoopRV> parts = t.split(stage_loops.back(), {std::nullopt, shape.lanes});
    t.vectorize(parts[1]);
  }
  if (params.parallel && target.cores >= 2 && 2 * w.ops >= target.parallel_min_ops) t.parallel(panel);
}

// Whether the reduction reads what `stage` writes only near each output's own position: every
// spatial axis of the reduction appears in the indices (a depthwise convolution or a pooling
// reads its own channel). Such a stage is computed per tile, where its part stays in L1 cache;
// a dense convolution reads every channel for each output channel, so per tile it would be
// computed again for every output channel.
bool reads_own_window(const WindowReduction& w, const Nest& stage) {
  const auto* written = stage.block->body->as<Store>();
  if (!written) return false;
  const Block& block = *w.nest.block;
  bool found = false, own = true;
  visit_expr(block.body->as<Store>()->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || load->buffer != written->buffer) return;
    found = true;
    std::set<const Var*> used;
    for (const Expr& index : load->indices) {
      for (const VarPtr& v : vars_in(index)) used.insert(v.get());
    }
    for (size_t i = 0; i < w.spatial; ++i) own = own && used.count(block.iter_vars[i].var.get());
  });
  return found && own;
}

// The elements of `stage` computed under `loop` were it computed there (compute_at tried on a
// copy of the schedule); nullopt where compute_at cannot place it or an extent is symbolic.
std::optional<int64_t> elements_computed_at(TracedSchedule& t, const BlockRV& stage, const LoopRV& loop) {
  Schedule trial = t.schedule();
  try {
    trial.compute_at(stage, loop);
  } catch (const ScheduleError&) {
    return std::nullopt;
  }
  std::vector<LoopRV> loops = trial.get_loops(stage);
  auto at = std::find_if(loops.begin(), loops.end(), [&](const LoopRV& l) { return l.var == loop.var; });
  int64_t elements = 1;
  for (auto l = at == loops.end() ? at : at + 1; l != loops.end(); ++l) {
    int64_t extent = extent_of(&loop_at(trial.loop_path(*l)));
    if (extent <= 0) return std::nullopt;
    elements *= extent;
  }
  return elements;
}

// `stage` computed under the loop just outside the tile's chunk loop where its part there stays
// in half the L1 cache (a padded row block that all column tiles of the rows then read), else
// under the chunk loop; its innermost loop vectorized when its extent there is a constant; where
// compute_at cannot place it, at the root as other stages are. Per column tile, the padded
// rows were copied again for each tile (their halo twice) and read back at once by unaligned
// loads straddling the copy's stores, which the CPU cannot forward: a 3x3 depthwise
// convolution ran 1.2-1.4x slower.
void compute_stage_per_tile(TracedSchedule& t, const PrimFunc& func, const Nest& stage, const std::vector<LoopRV>& outer,
                            const Target& target, const RuleParams& params) {
  BlockRV s = t.get_block(stage.block->name, func.name);
  LoopRV at = outer.back();
  if (outer.size() >= 2) {
    std::optional<int64_t> elements = elements_computed_at(t, s, outer[outer.size() - 2]);
    if (elements && *elements * stored_element_bytes(stage) <= target.l1_bytes / 2) at = outer[outer.size() - 2];
  }
  try {
    t.compute_at(s, at);
  } catch (const ScheduleError&) {
    if (params.parallel) schedule_stage(t, func, stage, target);
    return;
  }
  std::vector<LoopRV> stage_loops = loops_under(t, s, at);
  try {
    if (!stage_loops.empty()) t.vectorize(stage_loops.back());
  } catch (const ScheduleError&) {
    // a symbolic extent: the loop stays serial
  }
}

// For rows that read overlapping windows: the reduction's innermost loops unrolled, outward
// while the window they cover times the tile's accumulators stays within the target's budget.
// LLVM then loads once each input vector several accumulators read (row y + ky of one
// accumulator is row y + 1 + ky - 1 of the next): a 3x3 depthwise convolution over 8 rows makes
// 30 loads for its 72 multiply-adds instead of 72, and ran 1.2-1.5x faster. Not for rows of
// output channels, which share no input row: unrolling a 1x1 convolution's 16 input channels
// let LLVM hoist its 128 weight broadcasts out of the column loop, and it ran 1.6x slower.
void unroll_small_window(TracedSchedule& t, const WindowReduction& w, const std::vector<LoopRV>& reduction, int64_t accumulators,
                         const Target& target) {
  int64_t body = std::max<int64_t>(1, accumulators);
  for (size_t i = reduction.size(); i-- > 0;) {
    int64_t extent = extent_of(w.nest.loops[w.spatial + i]);
    if (extent <= 0 || body * extent > target.unrolled_window_multiply_adds()) return;
    body *= extent;
    if (extent > 1) t.unroll(reduction[i]);
  }
}

// The blocked axis's outer loop (a dense NCHW convolution's output channels) moved inside the
// other output loops, just outside the column tiles, where the operand that moves with it (the
// weight) stays in half the L2 cache: the threads then share the rows in bands, each reading
// only its rows of the input, which its own core padded, instead of every row for half of the
// channels (MobileNetV2's 3 -> 32 stem 1.27x faster on two threads). `outer` is in the
// output's order, one loop per axis.
void rows_before_blocks(const WindowReduction& w, const Target& target, std::vector<LoopRV>& outer) {
  if (w.matmul || w.rows_read_windows || w.blocked >= w.spatial || outer.size() != w.output.size() || outer.size() < 3) return;
  size_t at = static_cast<size_t>(std::find(w.output.begin(), w.output.end(), w.blocked) - w.output.begin());
  if (at + 2 >= outer.size()) return;
  int64_t operand = extent_of(w.nest.loops[w.blocked]) * stored_element_bytes(w.nest);
  for (size_t i = w.spatial; i < w.nest.loops.size(); ++i) operand *= std::max<int64_t>(0, extent_of(w.nest.loops[i]));
  if (operand <= 0 || operand > target.l2_bytes / 2) return;
  LoopRV blocks = outer[at];
  outer.erase(outer.begin() + static_cast<std::ptrdiff_t>(at));
  outer.insert(outer.end() - 1, blocks);
}

void schedule_window(TracedSchedule& t, const PrimFunc& func, const WindowReduction& w, const Target& target, const RuleParams& params) {
  std::vector<const Nest*> per_tile;
  for (const Nest& stage : w.before) {
    if (!w.matmul && reads_own_window(w, stage)) per_tile.push_back(&stage);
    else if (params.parallel) schedule_stage(t, func, stage, target);
  }
  TileShape shape = tile_shape(w, target, params);
  if (int64_t kc = reduction_block(w, shape, target)) return schedule_blocked_matmul(t, func, w, shape, kc, target, params);
  BlockRV b = t.get_block(w.nest.block->name, func.name);
  std::vector<LoopRV> loops = t.get_loops(b);
  // Output loops outside the tile, then the reduction, then the tile.
  std::vector<LoopRV> outer, reduction(loops.begin() + static_cast<std::ptrdiff_t>(w.spatial), loops.end()), tile;
  split_output(t, w, shape, loops, outer, tile);
  rows_before_blocks(w, target, outer);
  std::vector<LoopRV> order = outer;
  order.insert(order.end(), reduction.begin(), reduction.end());
  order.insert(order.end(), tile.begin(), tile.end());
  t.reorder(order);
  const LoopRV chunk = outer.back();
  for (const Nest* stage : per_tile) compute_stage_per_tile(t, func, *stage, outer, target, params);
  // The accumulators: a cache of the output tile (registers, once compacted), written back and
  // followed by the elementwise stages under the same chunk loop.
  BlockRV cache = t.cache_write(b, 0, "local");
  t.reverse_compute_at(cache, chunk);
  std::vector<BlockRV> after = {cache};
  for (const Nest& stage : w.after) {
    after.push_back(t.get_block(stage.block->name, func.name));
    t.reverse_compute_at(after.back(), chunk);
  }
  BlockRV init = t.decompose_reduction(b, reduction.front());
  size_t unrolled = (shape.rows > 1 ? 1 : 0) + (shape.vectors > 1 ? 1 : 0);
  bool vector = shape.lanes > 1;
  tile_loop_kinds(t, tile, unrolled, vector);
  tile_loop_kinds(t, loops_under(t, init, chunk), unrolled, vector);
  if (w.rows_read_windows) unroll_small_window(t, w, reduction, shape.rows * shape.vectors, target);
  for (const BlockRV& stage : after) {
    // The write-back walks the tile in the accumulators' vectors (one access width per
    // register, so that LLVM keeps them in registers).
    std::vector<LoopRV> stage_loops = loops_under(t, stage, chunk);
    size_t unrolled_rows = shape.rows > 1 ? 1 : 0;
    if (shape.vectors > 1 && !stage_loops.empty()) {
      std::vector<LoopRV> parts = t.split(stage_loops.back(), {shape.vectors, shape.lanes});
      stage_loops.back() = parts[0];
      stage_loops.push_back(parts[1]);
      ++unrolled_rows;
    }
    tile_loop_kinds(t, stage_loops, unrolled_rows, vector);
  }
  // Threads share the output loops outside the chunk loop.
  std::vector<LoopRV> shared(outer.begin(), outer.end() - 1);
  if (shared.empty() || !params.parallel || target.cores < 2 || 2 * w.ops < target.parallel_min_ops) return;
  t.parallel(shared.size() == 1 ? shared[0] : t.fuse(shared));
}

}  // namespace

bool window_rule_applies(const PrimFunc& func) { return match(func).has_value(); }

bool matmul_tile_fills_registers(const PrimFunc& func, const Target& target) {
  std::optional<WindowReduction> w = match(func);
  if (!w || !w->matmul) return false;
  TileShape shape = tile_shape(*w, target, {});
  DataType dtype = w->nest.block->body->as<Store>()->buffer->dtype;
  // A symbolic number of rows (a batch) stays with the older tiles, which choose at run time:
  // at batch 1 they split k between threads (3.6 against 9.1 us for the batched MLP).
  bool constant_rows = w->blocked < w->spatial && extent_of(w->nest.loops[w->blocked]) > 0;
  return constant_rows && shape.lanes == target.lanes(dtype) && 2 * shape.rows * shape.vectors >= target.matmul_accumulator_registers();
}

std::optional<RuleApplied> apply_window_rule(Module& module, const PrimFunc& func, const Target& target, const RuleParams& params) {
  std::optional<WindowReduction> window = match(func);
  if (!window) return std::nullopt;
  Schedule sch(module);
  TracedSchedule traced(sch);
  schedule_window(traced, func, *window, target, params);
  module = sch.module();
  return RuleApplied{window->matmul ? "matmul" : "window-reduction", traced.lines()};
}

}  // namespace relaxc::schedule
