#include "compiler/passes/tir/tile_reductions.h"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/passes/tir/outer_product_tiles.h"
#include "compiler/passes/tir/per_element.h"
#include "compiler/passes/tir/reduction_nest.h"
#include "compiler/passes/tir/window_consumer.h"

namespace relaxc {

using namespace relaxc::tir;
using namespace relaxc::tir::build;

namespace {

class Tiler {
 public:
  // MR x NR accumulators fill the target's accumulator registers, MR = half of them when
  // there are enough rows.
  Tiler(const Reduction& r, std::vector<Epilogue> epilogues, std::vector<BufferPtr> local, const schedule::Target& target)
      : r_(r), out_(*r.update), loc_(r.block->loc), epilogues_(std::move(epilogues)), local_(std::move(local)),
        lanes_(target.lanes(r.update->buffer->dtype)), outputs_per_tile_(std::max(2, target.matmul_accumulator_registers())) {}

  Stmt build() {
    const Axis& j = r_.axes[r_.j];
    int64_t mr = r_.i < 0 ? 1 : outputs_per_tile_ / 2;
    if (r_.i >= 0) {
      if (const IntImm* m = constant(r_.axes[r_.i].extent)) mr = std::max<int64_t>(1, std::min(mr, m->value));
    }
    int64_t nr = std::max<int64_t>(2, outputs_per_tile_ / mr);
    if (mr == 1) nr = 4;
    if (const IntImm* n = constant(j.extent)) nr = std::max<int64_t>(1, std::min(nr, n->value));

    // Columns: full tiles of nr, then the rest one at a time.
    auto columns = [&](const Expr& i0, int64_t rows) {
      Expr step = imm(nr, j.extent->dtype, loc_);
      Expr full = arith(BinaryOp::FloorDiv, j.extent, step);
      Expr done = arith(BinaryOp::Mul, full, step);
      std::vector<Stmt> parts;
      append_counted(parts, j.loop_var->name + "_o", imm(0, j.extent->dtype, loc_), full,
              [&](const Expr& jo) { return tile(i0, rows, arith(BinaryOp::Mul, jo, step), nr); });
      append_counted(parts, j.loop_var->name + "_t", done, arith(BinaryOp::Sub, j.extent, done), [&](const Expr& jt) { return tile(i0, rows, jt, 1); });
      return seq(std::move(parts));
    };

    Stmt body;
    if (r_.i < 0) {
      body = columns(nullptr, 1);
    } else {
      const Axis& i = r_.axes[r_.i];
      Expr step = imm(mr, i.extent->dtype, loc_);
      Expr full = arith(BinaryOp::FloorDiv, i.extent, step);
      Expr done = arith(BinaryOp::Mul, full, step);
      std::vector<Stmt> parts;
      append_counted(parts, i.loop_var->name + "_o", imm(0, i.extent->dtype, loc_), full,
              [&](const Expr& io) { return columns(arith(BinaryOp::Mul, io, step), mr); });
      Expr rest = arith(BinaryOp::Sub, i.extent, done);
      const IntImm* rest_count = constant(rest);
      if (!rest_count || rest_count->value > 0) parts.push_back(tail_rows(done, rest));
      body = seq(std::move(parts));
    }
    // The other spatial axes stay loops around everything, in their order.
    for (auto a = r_.axes.rbegin(); a != r_.axes.rend(); ++a) {
      int p = static_cast<int>(r_.axes.rend() - a) - 1;
      if (a->kind == IterKind::Spatial && p != r_.i && p != r_.j) body = loop(a->loop_var, imm(0, a->extent->dtype, loc_), a->extent, ForKind::Serial, body);
    }
    return body;
  }

 private:
  // Rows left over after the full row tiles, one at a time inside column tiles of up to 4: with
  // few rows (batch 1) the columns are what threads can share, each reading its own part of
  // the weights.
  Stmt tail_rows(const Expr& first, const Expr& count) {
    const Axis& i = r_.axes[r_.i];
    const Axis& j = r_.axes[r_.j];
    int64_t nr = 4;
    if (const IntImm* n = constant(j.extent)) nr = std::max<int64_t>(1, std::min(nr, n->value));
    Expr step = imm(nr, j.extent->dtype, loc_);
    Expr full = arith(BinaryOp::FloorDiv, j.extent, step);
    Expr done = arith(BinaryOp::Mul, full, step);
    auto each_row = [&](const Expr& j0, int64_t cols) {
      std::vector<Stmt> rows;
      append_counted(rows, i.loop_var->name + "_t", first, count, [&](const Expr& it) { return tile(it, 1, j0, cols); });
      return seq(std::move(rows));
    };
    std::vector<Stmt> parts;
    append_counted(parts, j.loop_var->name + "_o", imm(0, j.extent->dtype, loc_), full, [&](const Expr& jo) { return each_row(arith(BinaryOp::Mul, jo, step), nr); });
    append_counted(parts, j.loop_var->name + "_t", done, arith(BinaryOp::Sub, j.extent, done), [&](const Expr& jt) { return each_row(jt, 1); });
    return seq(std::move(parts));
  }


  // The block axes every tile block binds: i and j to i0 + ii and j0 + jj, other spatial axes
  // to their (kept) loops.
  std::vector<IterVar> output_axes(const Expr& i0, const VarPtr& ii, const Expr& j0, const VarPtr& jj) const {
    std::vector<IterVar> axes;
    for (size_t p = 0; p < r_.axes.size(); ++p) {
      const Axis& a = r_.axes[p];
      if (a.kind != IterKind::Spatial) continue;
      Expr binding = var_ref(a.loop_var);
      if (static_cast<int>(p) == r_.i) binding = arith(BinaryOp::Add, i0, var_ref(ii));
      if (static_cast<int>(p) == r_.j) binding = arith(BinaryOp::Add, j0, var_ref(jj));
      axes.push_back(axis(a.iter, a.extent, IterKind::Spatial, binding));
    }
    return axes;
  }

  // The reduction axes other than k, bound to their (kept) loops, and those loops around a body.
  std::vector<IterVar> other_reduction_axes() const {
    std::vector<IterVar> axes;
    for (size_t p = 0; p < r_.axes.size(); ++p) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Reduce && static_cast<int>(p) != r_.k) axes.push_back(axis(a.iter, a.extent, IterKind::Reduce, var_ref(a.loop_var)));
    }
    return axes;
  }
  Stmt around_other_reductions(Stmt body) const {
    for (size_t p = r_.axes.size(); p-- > 0;) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Reduce && static_cast<int>(p) != r_.k) body = loop(a.loop_var, imm(0, a.extent->dtype, loc_), a.extent, ForKind::Serial, body);
    }
    return body;
  }

  // One tile: rows x cols outputs starting at (i0, j0); i0 is null without an i axis.
  Stmt tile(const Expr& i0_in, int64_t rows, const Expr& j0, int64_t cols) {
    const Axis& k = r_.axes[r_.k];
    DataType dtype = out_.buffer->dtype;
    DataType index_type = k.extent->dtype;
    Expr i0 = i0_in ? i0_in : imm(0, index_type, loc_);
    Expr zero_index = imm(0, index_type, loc_);
    Expr lanes = imm(lanes_, index_type, loc_);
    // Block and buffer names stay unique across the tiles (the first keeps the block's name).
    std::string suffix = tiles_ == 0 ? "" : "_" + std::to_string(tiles_);
    ++tiles_;
    std::string name = r_.block->name;
    auto named = [&](const std::string& part) { return name + part + suffix; };
    auto acc = std::make_shared<Buffer>(Buffer{named("_acc"), dtype, {imm(rows, index_type, loc_), imm(cols, index_type, loc_), lanes}, "local", loc_});
    // acc is indexed relative to the tile's corner, by the block's own axes.
    auto acc_at = [&](const VarPtr& lane) {
      Expr row = r_.i < 0 ? zero_index : arith(BinaryOp::Sub, var_ref(r_.axes[r_.i].iter), i0);
      std::vector<Expr> at = {row, arith(BinaryOp::Sub, var_ref(r_.axes[r_.j].iter), j0)};
      if (lane) at.push_back(var_ref(lane));
      return at;
    };
    // for ii in T.unroll(rows): for jj in T.unroll(cols): body(axes bound to the output)
    auto over_tile = [&](const std::function<Stmt(std::vector<IterVar>)>& body) {
      VarPtr ii = fresh("ii", index_type, loc_), jj = fresh("jj", index_type, loc_);
      return loop(ii, zero_index, imm(rows, index_type, loc_), ForKind::Unrolled,
                  loop(jj, zero_index, imm(cols, index_type, loc_), ForKind::Unrolled, body(output_axes(i0, ii, j0, jj))));
    };
    // for l in T.vectorized(lanes), with a block axis vl bound to l
    auto over_lanes = [&](std::vector<IterVar> axes, IterKind kind, const std::function<Stmt(const VarPtr&, std::vector<IterVar>&)>& body) {
      VarPtr l = fresh("l", index_type, loc_), vl = fresh("vl", index_type, loc_);
      axes.push_back(axis(vl, lanes, kind, var_ref(l)));
      return loop(l, zero_index, lanes, ForKind::Vectorized, body(vl, axes));
    };
    Expr chunks = arith(BinaryOp::FloorDiv, k.extent, lanes);
    Expr done = arith(BinaryOp::Mul, chunks, lanes);
    Expr rest = arith(BinaryOp::Sub, k.extent, done);

    Stmt zero = over_tile([&](std::vector<IterVar> axes) {
      return over_lanes(axes, IterKind::Spatial, [&](const VarPtr& vl, std::vector<IterVar>& all) {
        return block(named("_acc_init"), all, std::make_shared<Store>(acc, acc_at(vl), std::make_shared<FloatImm>(0.0, dtype, loc_), loc_), loc_);
      });
    });
    // acc[.., l] += E at k = ko * lanes + l
    VarPtr ko = fresh(k.loop_var->name + "_o", index_type, loc_), vko = fresh("v" + k.loop_var->name + "_o", index_type, loc_);
    Stmt accumulate = over_tile([&](std::vector<IterVar> axes) {
      return over_lanes(axes, IterKind::Spatial, [&](const VarPtr& vl, std::vector<IterVar>& all) {
        all.push_back(axis(vko, chunks, IterKind::Reduce, var_ref(ko)));
        for (const IterVar& iv : other_reduction_axes()) all.push_back(iv);
        Expr term = substitute(r_.term, {{k.iter.get(), arith(BinaryOp::Add, arith(BinaryOp::Mul, var_ref(vko), lanes), var_ref(vl))}});
        Expr sum = std::make_shared<Binary>(BinaryOp::Add, std::make_shared<Load>(acc, acc_at(vl), loc_), term, dtype, loc_);
        return block(named("_rf"), all, std::make_shared<Store>(acc, acc_at(vl), sum, loc_), loc_);
      });
    });
    accumulate = around_other_reductions(loop(ko, zero_index, chunks, ForKind::Serial, accumulate));

    // Buffers of the chain that live only in the tile: one element per output of the tile.
    LocalChain chain;
    chain.at = acc_at(nullptr);
    chain.loc = loc_;
    std::vector<BufferPtr> allocs = {acc};
    for (const BufferPtr& b : local_) {
      allocs.push_back(std::make_shared<Buffer>(Buffer{b->name + suffix, b->dtype, {imm(rows, index_type, loc_), imm(cols, index_type, loc_)}, "local", loc_}));
      chain.local[b.get()] = allocs.back();
    }
    auto localize = [&](const Expr& e) { return chain.localize(e); };
    auto store = [&](const BufferPtr& buffer, const std::vector<Expr>& indices, const Expr& value) { return chain.store(buffer, indices, value); };

    // Out = init, + the lanes of acc summed as a tree, + the rest of k one by one; then the
    // epilogues, element by element.
    Stmt finish = over_tile([&](std::vector<IterVar> axes) {
      std::vector<Stmt> parts;
      parts.push_back(block(named(""), axes, store(out_.buffer, out_.indices, localize(r_.init_value)), loc_));
      parts.push_back(over_lanes(axes, IterKind::Reduce, [&](const VarPtr& vl, std::vector<IterVar>& all) {
        Expr total = std::make_shared<Binary>(BinaryOp::Add, localize(std::make_shared<Load>(out_.buffer, out_.indices, loc_)),
                                              std::make_shared<Load>(acc, acc_at(vl), loc_), dtype, loc_);
        return block(named("_sum"), all, store(out_.buffer, out_.indices, total), loc_);
      }));
      if (!constant(rest) || constant(rest)->value > 0) {
        std::vector<IterVar> tail_axes = axes;
        VarPtr kt = fresh(k.loop_var->name + "_t", index_type, loc_);
        tail_axes.push_back(axis(k.iter, k.extent, IterKind::Reduce, var_ref(kt)));
        for (const IterVar& iv : other_reduction_axes()) tail_axes.push_back(iv);
        Stmt update = block(named("_tail"), tail_axes, store(out_.buffer, out_.indices, localize(r_.update->value)), loc_);
        parts.push_back(around_other_reductions(loop(kt, done, rest, ForKind::Serial, update)));
      }
      for (Stmt& b : chain.epilogue_blocks(epilogues_, r_, axes, suffix)) parts.push_back(std::move(b));
      return seq(std::move(parts));
    });
    return block(named("_tile"), {}, seq({zero, accumulate, finish}), loc_, allocs);
  }

  const Reduction& r_;
  const Store& out_;
  SourceLoc loc_;
  std::vector<Epilogue> epilogues_;  // fused into the tiles, in order
  std::vector<BufferPtr> local_;     // buffers of the chain that exist only inside tiles
  int64_t lanes_;             // of the output's dtype in one of the target's vectors
  int64_t outputs_per_tile_;  // MR * NR
  int tiles_ = 0;  // tiles built so far
};

// Whether any statement of parts outside [begin, end) refers to buffer b.
bool used_outside(const std::vector<Stmt>& parts, size_t begin, size_t end, const Buffer* b) {
  for (size_t p = 0; p < parts.size(); ++p) {
    if ((p < begin || p >= end) && refers_to_buffer(parts[p], b)) return true;
  }
  return false;
}

// Tiles reduction nests nested in other statements (no epilogues there).
Stmt rewrite_nested(const Stmt& s, const ScheduleKnobs& knobs, const schedule::Target& target) {
  if (!s) return s;
  if (const auto* f = s->as<For>()) {
    if (std::optional<Reduction> r = match_reduction(*f)) {
      if (worth_tiling(*r, target)) return Tiler(*r, {}, {}, target).build();
      if (worth_outer_product_tiles(*r)) return outer_product_tiles(*r, {}, {}, knobs, target);
    }
    Stmt body = rewrite_nested(f->body, knobs, target);
    if (body == f->body) return s;
    auto copy = std::make_shared<For>(*f);
    copy->body = body;
    return copy;
  }
  if (const auto* seq_node = s->as<Seq>()) {
    std::vector<Stmt> parts;
    bool changed = false;
    for (const Stmt& part : seq_node->stmts) {
      parts.push_back(rewrite_nested(part, knobs, target));
      changed = changed || parts.back() != part;
    }
    return changed ? std::make_shared<Seq>(std::move(parts), seq_node->loc) : s;
  }
  return s;
}

// The top-level statements of a function: each reduction nest with the epilogue nests that
// follow it; intermediate buffers only the tiles use stop being allocated for the function.
PrimFuncPtr tile_function(const PrimFuncPtr& func, const ScheduleKnobs& knobs, const schedule::Target& target) {
  const Seq* top = func->body ? func->body->as<Seq>() : nullptr;
  std::vector<Stmt> parts = top ? top->stmts : std::vector<Stmt>{func->body};
  std::vector<Stmt> out;
  std::set<const Buffer*> removed;
  bool changed = false;
  for (size_t p = 0; p < parts.size(); ++p) {
    const For* f = parts[p] ? parts[p]->as<For>() : nullptr;
    std::optional<Reduction> r = f ? match_reduction(*f) : std::nullopt;
    if (!r) {
      out.push_back(rewrite_nested(parts[p], knobs, target));
      changed = changed || out.back() != parts[p];
      continue;
    }
    std::set<const Buffer*> chain = {r->update->buffer.get()};
    std::vector<Epilogue> epilogues;
    size_t end = p + 1;
    for (; end < parts.size(); ++end) {
      std::optional<Epilogue> e = match_epilogue(parts[end], *r, chain);
      bool read_by_reduction = false;
      if (e) {
        visit_expr(r->term, [&](const ExprNode& n) {
          if (auto* load = n.as<Load>()) read_by_reduction = read_by_reduction || load->buffer == e->store->buffer;
        });
      }
      if (!e || read_by_reduction) break;
      epilogues.push_back(*e);
      chain.insert(e->store->buffer.get());
    }
    auto local_until = [&](size_t stop) {
      std::vector<BufferPtr> local;
      for (const BufferPtr& b : func->root_alloc_buffers) {
        if (chain.count(b.get()) && !used_outside(parts, p, stop, b.get())) local.push_back(b);
      }
      return local;
    };
    // A window consumer (pooling) of the chain's last buffer right after it, when the whole
    // chain lives only here: the chain's rows are computed inside its windows.
    const Buffer* last = epilogues.empty() ? r->update->buffer.get() : epilogues.back().store->buffer.get();
    const For* next = end < parts.size() && parts[end] ? parts[end]->as<For>() : nullptr;
    std::optional<WindowConsumer> window = next && !worth_tiling(*r, target) && !worth_outer_product_tiles(*r) ? match_window_consumer(*next, last) : std::nullopt;
    std::vector<BufferPtr> local = local_until(window ? end + 1 : end);
    if (window && local.size() != chain.size()) {
      window.reset();
      local = local_until(end);
    }
    Stmt rewritten;
    if (worth_tiling(*r, target)) rewritten = Tiler(*r, epilogues, local, target).build();
    else if (worth_outer_product_tiles(*r)) rewritten = outer_product_tiles(*r, epilogues, local, knobs, target);
    if (!rewritten && window) {
      rewritten = per_element_in_windows(*r, epilogues, local, *window, last);
      if (rewritten) end += 1;
      else local = local_until(end);
    }
    if (!rewritten && (!epilogues.empty() || !local.empty())) rewritten = per_element(*r, epilogues, local);
    if (!rewritten) {
      out.push_back(rewrite_nested(parts[p], knobs, target));
      changed = changed || out.back() != parts[p];
      continue;
    }
    for (const BufferPtr& b : local) removed.insert(b.get());
    out.push_back(rewritten);
    changed = true;
    p = end - 1;
  }
  if (!changed) return func;
  auto copy = std::make_shared<PrimFunc>(*func);
  copy->body = out.size() == 1 ? out[0] : std::make_shared<Seq>(std::move(out), func->body->loc);
  copy->root_alloc_buffers.clear();
  for (const BufferPtr& b : func->root_alloc_buffers) {
    if (!removed.count(b.get())) copy->root_alloc_buffers.push_back(b);
  }
  return copy;
}

}  // namespace

Module tile_reductions(const Module& module, const schedule::Target& target, const ScheduleChoices& choices) {
  Module out = module;
  for (tir::PrimFuncPtr& f : out.prim_funcs) {
    if (!tir::calls_runtime(*f) && !f->scheduled) f = tile_function(f, knobs_for(choices, f->name, target), target);
  }
  return out;
}

bool has_outer_product_tiles(const tir::PrimFunc& func, const schedule::Target& target) {
  bool found = false;
  tir::visit_stmt(func.body, [&](const tir::StmtNode& s) {
    if (const auto* f = s.as<tir::For>()) {
      std::optional<tir::Reduction> r = tir::match_reduction(*f);
      found = found || (r && !tir::worth_tiling(*r, target) && tir::worth_outer_product_tiles(*r));
    }
  });
  return found;
}

}  // namespace relaxc
