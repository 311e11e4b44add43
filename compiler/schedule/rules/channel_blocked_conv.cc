// The channel-blocked convolution rule (see rules.h). Requires a prim_func as LegalizeOps,
// pack_weights and FuseOps leave a convolution whose weight pack_weights blocked by the
// vector's lanes: spatial stages (padding), one reduction nest
//     out[n, f, y, x] += in[n, c, y * s + ky, x * s + kx] * W[f // L, c, ky, kx, f % L]
// with its loops n, f, y, x, c, ky, kx in that order, no other load moving with f, constant
// extents but for the batch, a reduction (c x ky x kx) of at least four vectors of lanes, and
// elementwise stages after it (bias, activation, residual add).
// Guarantees: the same results, each output's sum added in the same order (the reduction loops
// are not split); the kernel's parameters and their layouts are unchanged.
//
// Why: vectorized along the output's width (the window rule), each step loads a vector of the
// input (unaligned, masked where the width is 7, 14 or 28) for few multiply-adds. Vectorized
// along output channels, each step loads one aligned vector of weights per L channels and
// broadcasts one input value per output column: a tile of `columns` x `blocks` vectors of
// accumulators, the input read as broadcasts whatever the stride. ResNet-18's 3x3 layers went
// from 100-215 to 250-350 GFLOP/s on 2 cores (hand schedules in the same form first).
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/rules/nest.h"
#include "compiler/schedule/rules/rule_set.h"
#include "compiler/schedule/rules/steps.h"
#include "compiler/schedule/trace.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

constexpr size_t kConvLoops = 7;  // n, f, y, x, then c, ky, kx

struct BlockedConv {
  std::vector<Nest> before, after;
  Nest nest;
  bool nchw_last = false;  // the last stage stores at its loops' axes in order, as the conv does
  int64_t lanes = 0;     // output channels per weight vector
  int64_t channels = 0;  // output channels
  int64_t width = 0;     // output columns
  int64_t reduction = 0;  // c x ky x kx
};

const Var* axis_var(const Expr& e) {
  const auto* ref = e->as<VarRef>();
  return ref ? ref->var.get() : nullptr;
}

// Whether `e` is `f // L` (remainder: `f % L`).
bool divides_axis(const Expr& e, const Var* f, int64_t lanes, bool remainder) {
  const auto* bin = e->as<Binary>();
  const auto* by = bin ? bin->b->as<IntImm>() : nullptr;
  return bin && by && by->value == lanes && bin->op == (remainder ? BinaryOp::FloorMod : BinaryOp::FloorDiv) && axis_var(bin->a) == f;
}

// The reduction nest's shape: loops binding n, f, y, x (spatial, the output's order) and c, ky,
// kx (reductions), each loop one axis, constant extents but for the batch n.
bool conv_nest(const Nest& nest) {
  const Block& block = *nest.block;
  if (nest.loops.size() != kConvLoops || block.iter_vars.size() != kConvLoops) return false;
  for (size_t i = 0; i < kConvLoops; ++i) {
    const IterVar& iv = block.iter_vars[i];
    if (!iv.binding || axis_var(iv.binding) != nest.loops[i]->loop_var.get() || (i > 0 && extent_of(nest.loops[i]) == 0)) return false;
    if ((iv.kind == IterKind::Spatial) != (i < 4)) return false;
  }
  const auto* store = block.body->as<Store>();
  if (!store || store->indices.size() != 4 || !is_float(store->buffer->dtype)) return false;
  for (size_t d = 0; d < 4; ++d) {
    if (axis_var(store->indices[d]) != block.iter_vars[d].var.get()) return false;
  }
  return true;
}

// The lanes of the blocked weight the nest reads, or 0 when it reads none (or another load
// moves with the output channel).
int64_t blocked_weight_lanes(const Nest& nest) {
  const Block& block = *nest.block;
  const auto* store = block.body->as<Store>();
  const Var* f = block.iter_vars[1].var.get();
  int64_t lanes = 0;
  bool ok = true;
  visit_expr(store->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || load->buffer == store->buffer) return;
    const auto* last = load->indices.size() == 5 ? load->buffer->shape[4]->as<IntImm>() : nullptr;
    if (last && divides_axis(load->indices[0], f, last->value, false) && divides_axis(load->indices[4], f, last->value, true)) {
      for (size_t d = 1; d < 4; ++d) ok = ok && axis_var(load->indices[d]) == block.iter_vars[d + 3].var.get();
      ok = ok && lanes == 0;
      lanes = last->value;
      return;
    }
    for (const Expr& index : load->indices) ok = ok && !uses_var(index, f);
  });
  return ok ? lanes : 0;
}

// Whether the nest's block stores at [v0, v1, v2, v3], its axes bound to its loops in order.
bool stores_in_loop_order(const Nest& nest) {
  const Block& block = *nest.block;
  const auto* store = block.body->as<Store>();
  if (!store || nest.loops.size() != 4 || block.iter_vars.size() != 4 || store->indices.size() != 4) return false;
  for (size_t d = 0; d < 4; ++d) {
    const IterVar& iv = block.iter_vars[d];
    if (!iv.binding || axis_var(iv.binding) != nest.loops[d]->loop_var.get() || axis_var(store->indices[d]) != iv.var.get()) return false;
  }
  return true;
}

std::optional<BlockedConv> match(const PrimFunc& func, const Target& target) {
  std::optional<std::vector<Nest>> nests = perfect_nests(func);
  if (!nests) return std::nullopt;
  BlockedConv conv;
  bool found = false;
  for (const Nest& nest : *nests) {
    if (nest.block->init) {
      if (found || !conv_nest(nest)) return std::nullopt;
      conv.nest = nest;
      found = true;
      continue;
    }
    for (const IterVar& iv : nest.block->iter_vars) {
      if (iv.kind != IterKind::Spatial) return std::nullopt;
    }
    if (found && !nest.block->body->as<Store>()) return std::nullopt;
    (found ? conv.after : conv.before).push_back(nest);
  }
  if (!found) return std::nullopt;
  conv.nchw_last = conv.after.empty() || stores_in_loop_order(conv.after.back());
  conv.lanes = blocked_weight_lanes(conv.nest);
  DataType dtype = conv.nest.block->body->as<Store>()->buffer->dtype;
  conv.channels = extent_of(conv.nest.loops[1]);
  conv.width = extent_of(conv.nest.loops[3]);
  if (conv.lanes < 2 || conv.lanes != target.lanes(dtype) || conv.channels % conv.lanes != 0) return std::nullopt;
  // A short reduction does too few multiply-adds per accumulator to pay for the write-back of
  // the tile (transposed into rows by shuffles: write_back); the window rule's row vectors store
  // directly. MobileNetV2's 1x1 layers on AMD Zen 4: 32 input channels 1.06-1.7x faster by
  // rows, 64 channels 1.04x faster blocked (and 96 or more by far). With the write-back a
  // scatter per vector of channels, the break-even was at 80.
  conv.reduction = extent_of(conv.nest.loops[4]) * extent_of(conv.nest.loops[5]) * extent_of(conv.nest.loops[6]);
  if (conv.reduction < 4 * conv.lanes) return std::nullopt;
  return conv;
}

// The register tile: `columns` outputs of a row by `blocks` vectors of output channels, about
// half the registers as accumulators (a quarter more spilled: 28 of them ran 2-3x slower).
struct ConvTile {
  int64_t columns = 1, blocks = 1;
};

ConvTile conv_tile(const BlockedConv& conv, const Target& target, const RuleParams& params) {
  int64_t accumulators = params.accumulators > 0 ? params.accumulators : target.matmul_accumulator_registers();
  ConvTile tile;
  tile.columns = largest_divisor_at_most(conv.width, accumulators);
  tile.blocks = largest_divisor_at_most(conv.channels / conv.lanes, std::max<int64_t>(1, accumulators / tile.columns));
  return tile;
}

// Splits `loop` by the factors above 1 of `inner` (outermost first): the loops, outer one first.
std::vector<LoopRV> split_by(TracedSchedule& t, const LoopRV& loop, const std::vector<int64_t>& inner) {
  std::vector<std::optional<int64_t>> factors = {std::nullopt};
  for (int64_t f : inner) {
    if (f > 1) factors.push_back(f);
  }
  return factors.size() == 1 ? std::vector<LoopRV>{loop} : t.split(loop, factors);
}

// The stages after the reduction are inlined into the last, which reads the accumulators
// directly and runs, unrolled, once per tile: the accumulators stay in registers.
BlockRV epilogue(TracedSchedule& t, const PrimFunc& func, const BlockedConv& conv, const BlockRV& cache) {
  if (conv.after.empty()) return cache;
  t.compute_inline(cache);
  for (size_t i = 0; i + 1 < conv.after.size(); ++i) t.compute_inline(t.get_block(conv.after[i].block->name, func.name));
  return t.get_block(conv.after.back().block->name, func.name);
}

// The last stage's loops under the tile: its channels then its columns (`written`). Where the
// output is NCHW, each channel's row of columns is one vector, its lanes picked from the
// accumulators (vectors of channels) by shuffles that transpose the tile, stored whole, and a
// residual read the same way; a vector of channels would be a scatter, which stores about one
// element a cycle (MobileNetV2's 96 -> 576 layer at 14 wide 1.3x faster by rows). Otherwise
// (one column per tile, or a last stage not in the output's loop order) every element is
// unrolled. Either way the accumulators are read at constant offsets, so they stay in registers.
void write_back(TracedSchedule& t, const BlockedConv& conv, const ConvTile& tile, const std::vector<LoopRV>& written) {
  bool rows = conv.nchw_last && tile.columns > 1 && written.size() == 2;
  tile_loop_kinds(t, written, rows ? 1 : written.size(), rows);
}

void schedule_conv(TracedSchedule& t, const PrimFunc& func, const BlockedConv& conv, const Target& target, const RuleParams& params) {
  for (const Nest& stage : conv.before) {
    if (params.parallel) schedule_stage(t, func, stage, target);
  }
  ConvTile tile = conv_tile(conv, target, params);
  BlockRV b = t.get_block(conv.nest.block->name, func.name);
  std::vector<LoopRV> loops = t.get_loops(b);
  std::vector<LoopRV> f = split_by(t, loops[1], {tile.blocks, conv.lanes});
  std::vector<LoopRV> x = tile.columns < conv.width ? split_by(t, loops[3], {tile.columns}) : std::vector<LoopRV>{loops[3]};
  // Outside the tile: n, the channel block and y (rows first where the whole weight stays in
  // half the L2 cache: each thread then takes a contiguous band of rows and reads only those
  // rows of the input, which its own core padded; ResNet's 64-channel layers 1.02-1.2x faster
  // on two threads. A larger weight keeps its channel blocks outermost, each block in cache
  // across the rows), the column block; then the reduction; then the tile's columns, channel
  // vectors and lanes.
  bool rows_outer = conv.channels * conv.reduction * stored_element_bytes(conv.nest) <= target.l2_bytes / 2;
  std::vector<LoopRV> outer = rows_outer ? std::vector<LoopRV>{loops[0], loops[2], f[0]} : std::vector<LoopRV>{loops[0], f[0], loops[2]};
  if (x.size() == 2) outer.push_back(x[0]);
  std::vector<LoopRV> order = outer;
  order.insert(order.end(), loops.begin() + 4, loops.end());
  order.push_back(x.back());
  order.insert(order.end(), f.begin() + 1, f.end());
  t.reorder(order);
  // The accumulators, channels innermost, so that a vector of them is contiguous.
  BlockRV cache = t.cache_write(b, 0, "local");
  t.permute_layout(b, 0, true, {0, 2, 3, 1});
  BlockRV last = epilogue(t, func, conv, cache);
  const LoopRV chunk = outer.back();
  t.reverse_compute_at(last, chunk);
  BlockRV init = t.decompose_reduction(b, loops[4]);
  // The tile: columns (and channel blocks) unrolled, the lanes vectorized.
  std::vector<LoopRV> tile_loops = {x.back()};
  tile_loops.insert(tile_loops.end(), f.begin() + 1, f.end());
  tile_loop_kinds(t, tile_loops, tile_loops.size() - 1, true);
  // kx unrolled: neighbouring columns share the input values it broadcasts, which LLVM then
  // keeps in registers. For a 3-wide window that paid (ResNet's 3x3 layers 1.1-1.3x); a 7-wide
  // one (the stem) keeps more of them live than the accumulators leave, spilled: 1.3x slower.
  if (extent_of(conv.nest.loops[6]) <= 3) t.unroll(loops[6]);
  std::vector<LoopRV> init_loops = loops_under(t, init, chunk);
  tile_loop_kinds(t, init_loops, init_loops.size() - 1, true);
  write_back(t, conv, tile, loops_under(t, last, chunk));
  if (!params.parallel || target.cores < 2 || 2 * iterations(conv.nest) < target.parallel_min_ops) return;
  t.parallel(t.fuse(outer));
}

}  // namespace

bool channel_blocked_conv_rule_applies(const PrimFunc& func, const Target& target) { return match(func, target).has_value(); }

std::optional<RuleApplied> apply_channel_blocked_conv_rule(Module& module, const PrimFunc& func, const Target& target, const RuleParams& params) {
  std::optional<BlockedConv> conv = match(func, target);
  if (!conv) return std::nullopt;
  Schedule sch(module);
  TracedSchedule traced(sch);
  schedule_conv(traced, func, *conv, target, params);
  module = sch.module();
  return RuleApplied{"channel-blocked-conv", traced.lines()};
}

}  // namespace relaxc::schedule
