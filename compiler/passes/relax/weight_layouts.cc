#include "compiler/passes/relax/weight_layouts.h"

#include <functional>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/passes/tir/reduction_nest.h"

namespace relaxc {

using namespace relaxc::relax;

namespace {

bool loads_buffer(const tir::Expr& e, const tir::Buffer* b) {
  bool found = false;
  tir::visit_expr(e, [&](const tir::ExprNode& n) {
    if (const auto* load = n.as<tir::Load>()) found = found || load->buffer.get() == b;
  });
  return found;
}

// Whether `kernel` reads `weight` only as weight[j, k] in one dot-product reduction (k summed
// and read contiguously, j the output's last axis), and nothing else in that term moves with j:
// transposed, the reduction has the outer-product form.
}  // namespace

bool reads_as_dot_weight(const tir::PrimFunc& kernel, const tir::Buffer* weight) {
  const tir::Seq* seq = kernel.body ? kernel.body->as<tir::Seq>() : nullptr;
  std::vector<tir::Stmt> parts = seq ? seq->stmts : std::vector<tir::Stmt>{kernel.body};
  const tir::For* nest = nullptr;
  tir::Stmt nest_stmt;
  for (const tir::Stmt& part : parts) {
    if (!tir::refers_to_buffer(part, weight)) continue;
    if (nest || !part->as<tir::For>()) return false;
    nest = part->as<tir::For>();
    nest_stmt = part;
  }
  std::optional<tir::Reduction> r = nest ? tir::match_reduction(*nest) : std::nullopt;
  if (!r || r->k < 0 || r->i < 0 || r->j < 0 || loads_buffer(r->init_value, weight)) return false;
  const tir::Var* j = r->axes[static_cast<size_t>(r->j)].iter.get();
  const tir::Var* k = r->axes[static_cast<size_t>(r->k)].iter.get();
  // Every mention of the weight in the nest is a load in the term, at [j, k].
  int in_nest = 0, in_term = 0;
  bool ok = true;
  tir::visit_stmt(
      nest_stmt,
      [&](const tir::StmtNode& n) {
        if (const auto* st = n.as<tir::Store>()) ok = ok && st->buffer.get() != weight;
      },
      [&](const tir::ExprNode& e) {
        if (const auto* load = e.as<tir::Load>(); load && load->buffer.get() == weight) ++in_nest;
      });
  tir::visit_expr(r->term, [&](const tir::ExprNode& e) {
    const auto* load = e.as<tir::Load>();
    if (!load) return;
    bool uses_j = false;
    for (const tir::Expr& index : load->indices) uses_j = uses_j || tir::uses_var(index, j);
    if (load->buffer.get() != weight) {
      ok = ok && !uses_j;
      return;
    }
    ++in_term;
    const auto* row = load->indices.size() == 2 ? load->indices[0]->as<tir::VarRef>() : nullptr;
    const auto* column = load->indices.size() == 2 ? load->indices[1]->as<tir::VarRef>() : nullptr;
    ok = ok && row && column && row->var.get() == j && column->var.get() == k;
  });
  return ok && in_term > 0 && in_term == in_nest;
}

namespace {

using RegionMapper = std::function<std::vector<tir::Range>(const std::vector<tir::Range>&)>;

// Block regions of `from` become regions of `to`, each through `map`.
tir::Stmt map_regions(const tir::Stmt& s, const tir::Buffer* from, const tir::BufferPtr& to, const RegionMapper& map) {
  if (!s) return s;
  if (const auto* loop = s->as<tir::For>()) {
    auto copy = std::make_shared<tir::For>(*loop);
    copy->body = map_regions(loop->body, from, to, map);
    return copy;
  }
  if (const auto* seq = s->as<tir::Seq>()) {
    std::vector<tir::Stmt> parts;
    for (const tir::Stmt& part : seq->stmts) parts.push_back(map_regions(part, from, to, map));
    return std::make_shared<tir::Seq>(std::move(parts), seq->loc);
  }
  if (const auto* block = s->as<tir::Block>()) {
    auto copy = std::make_shared<tir::Block>(*block);
    for (auto* regions : {&copy->reads, &copy->writes}) {
      for (tir::BufferRegion& region : *regions) {
        if (region.buffer.get() != from) continue;
        region.buffer = to;
        region.region = map(region.region);
      }
    }
    copy->init = map_regions(block->init, from, to, map);
    copy->body = map_regions(block->body, from, to, map);
    return copy;
  }
  return s;
}

}  // namespace

tir::PrimFuncPtr kmajor_variant(const tir::PrimFunc& kernel, size_t index, const std::string& name) {
  auto variant = std::make_shared<tir::PrimFunc>(kernel);
  variant->name = name;
  const tir::BufferPtr& weight = kernel.params[index].buffer;
  auto transposed = std::make_shared<tir::Buffer>(*weight);
  transposed->shape = {weight->shape[1], weight->shape[0]};
  variant->params[index].buffer = transposed;
  tir::Stmt body = tir::rewrite_stmt(kernel.body, [&](const tir::Expr& e) -> tir::Expr {
    const auto* load = e->as<tir::Load>();
    if (!load || load->buffer != weight) return nullptr;
    return std::make_shared<tir::Load>(transposed, std::vector<tir::Expr>{load->indices[1], load->indices[0]}, load->loc);
  });
  variant->body = map_regions(body, weight.get(), transposed, [](std::vector<tir::Range> region) {
    if (region.size() == 2) std::swap(region[0], region[1]);
    return region;
  });
  return variant;
}

namespace {

// The block whose body's store reads `weight`, when exactly one block mentions it and only
// there; null otherwise.
const tir::Block* only_block_reading(const tir::PrimFunc& kernel, const tir::Buffer* weight) {
  const tir::Block* found = nullptr;
  bool ok = true;
  tir::visit_stmt(
      kernel.body,
      [&](const tir::StmtNode& n) {
        if (const auto* st = n.as<tir::Store>()) ok = ok && st->buffer.get() != weight;
        const auto* block = n.as<tir::Block>();
        if (!block || !block->body || !tir::refers_to_buffer(block->body, weight)) return;
        ok = ok && !found && block->body->as<tir::Store>() && !(block->init && tir::refers_to_buffer(block->init, weight));
        found = block;
      },
      [](const tir::ExprNode&) {});
  return ok ? found : nullptr;
}

const tir::IterVar* axis_of(const tir::Block& block, const tir::Expr& e) {
  const auto* ref = e->as<tir::VarRef>();
  for (const tir::IterVar& iv : block.iter_vars) {
    if (ref && iv.var == ref->var) return &iv;
  }
  return nullptr;
}

}  // namespace

bool reads_as_conv_weight(const tir::PrimFunc& kernel, const tir::Buffer* weight) {
  if (weight->shape.size() != 4) return false;
  const tir::Block* block = only_block_reading(kernel, weight);
  const auto* store = block ? block->body->as<tir::Store>() : nullptr;
  if (!store || store->indices.size() != 4) return false;
  const tir::IterVar* channel = axis_of(*block, store->indices[1]);
  if (!channel || channel->kind != tir::IterKind::Spatial) return false;
  bool ok = true;
  int weight_loads = 0;
  tir::visit_expr(store->value, [&](const tir::ExprNode& e) {
    const auto* load = e.as<tir::Load>();
    if (!load || load->buffer == store->buffer) return;
    if (load->buffer.get() != weight) {
      for (const tir::Expr& index : load->indices) ok = ok && !tir::uses_var(index, channel->var.get());
      return;
    }
    ++weight_loads;
    ok = ok && load->indices.size() == 4 && axis_of(*block, load->indices[0]) == channel;
    for (size_t d = 1; ok && d < 4; ++d) {
      const tir::IterVar* axis = axis_of(*block, load->indices[d]);
      ok = axis && axis->kind == tir::IterKind::Reduce;
    }
  });
  return ok && weight_loads == 1;
}

namespace {

// A region of W (O, I, KH, KW) as the region of W_b it covers: one channel's block and lane,
// or all of them.
std::vector<tir::Range> blocked_region(const std::vector<tir::Range>& region, const tir::Expr& blocks, int64_t lanes) {
  using tir::build::arith;
  using tir::build::imm;
  if (region.size() != 4) return region;
  const tir::Expr& first = region[0].min;
  tir::Expr l = imm(lanes, first->dtype, first->loc), one = imm(1, first->dtype, first->loc), zero = imm(0, first->dtype, first->loc);
  const auto* extent = region[0].extent->as<tir::IntImm>();
  if (extent && extent->value == 1) {
    return {{arith(tir::BinaryOp::FloorDiv, first, l), one}, region[1], region[2], region[3], {arith(tir::BinaryOp::FloorMod, first, l), one}};
  }
  return {{zero, blocks}, region[1], region[2], region[3], {zero, l}};
}

}  // namespace

tir::PrimFuncPtr channel_blocked_variant(const tir::PrimFunc& kernel, size_t index, int64_t lanes, const std::string& name) {
  auto variant = std::make_shared<tir::PrimFunc>(kernel);
  variant->name = name;
  const tir::BufferPtr& weight = kernel.params[index].buffer;
  auto blocked = std::make_shared<tir::Buffer>(*weight);
  const tir::Expr& o = weight->shape[0];
  tir::Expr l = tir::build::imm(lanes, o->dtype, o->loc);
  blocked->shape = {tir::build::arith(tir::BinaryOp::FloorDiv, o, l), weight->shape[1], weight->shape[2], weight->shape[3], l};
  variant->params[index].buffer = blocked;
  tir::Stmt body = tir::rewrite_buffer_accesses(kernel.body, weight.get(), blocked, [&](const std::vector<tir::Expr>& at) {
    return std::vector<tir::Expr>{tir::build::arith(tir::BinaryOp::FloorDiv, at[0], l), at[1], at[2], at[3], tir::build::arith(tir::BinaryOp::FloorMod, at[0], l)};
  });
  variant->body = map_regions(body, weight.get(), blocked, [&](const std::vector<tir::Range>& region) { return blocked_region(region, blocked->shape[0], lanes); });
  return variant;
}

tir::PrimFuncPtr specialize(const tir::PrimFunc& kernel, const std::vector<std::pair<size_t, StructInfoPtr>>& weights) {
  tir::VarMap sizes;
  for (const auto& [index, type] : weights) {
    const tir::BufferPtr& buffer = kernel.params[index].buffer;
    for (size_t d = 0; d < buffer->shape.size() && d < type->shape->size(); ++d) {
      if (const auto* ref = buffer->shape[d]->as<tir::VarRef>()) sizes[ref->var.get()] = (*type->shape)[d];
    }
  }
  for (const tir::Param& p : kernel.params) {
    if (!p.buffer) sizes.erase(p.var.get());  // a size passed as a scalar stays a parameter
  }
  if (sizes.empty()) return std::make_shared<tir::PrimFunc>(kernel);
  auto out = std::make_shared<tir::PrimFunc>(kernel);
  tir::BufferMap buffers;
  auto specialized = [&](const tir::BufferPtr& b) {
    auto copy = std::make_shared<tir::Buffer>(*b);
    for (tir::Expr& dim : copy->shape) dim = tir::substitute(dim, sizes);
    buffers[b.get()] = copy;
    return copy;
  };
  for (tir::Param& p : out->params) {
    if (p.buffer) p.buffer = specialized(p.buffer);
  }
  for (tir::BufferPtr& b : out->root_alloc_buffers) b = specialized(b);
  out->body = tir::rewrite_stmt(
      kernel.body,
      [&](const tir::Expr& e) -> tir::Expr {
        const auto* ref = e->as<tir::VarRef>();
        if (!ref) return nullptr;
        auto it = sizes.find(ref->var.get());
        return it == sizes.end() ? nullptr : it->second;
      },
      buffers);
  std::vector<tir::VarPtr> kept;
  for (const tir::VarPtr& v : kernel.size_vars) {
    if (!sizes.count(v.get())) kept.push_back(v);
  }
  out->size_vars = std::move(kept);
  return out;
}

}  // namespace relaxc
