#include "compiler/passes/relax/weight_layouts.h"

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

// Block regions of `from` become regions of `to` with the two dimensions swapped.
tir::Stmt swap_regions(const tir::Stmt& s, const tir::Buffer* from, const tir::BufferPtr& to) {
  if (!s) return s;
  if (const auto* loop = s->as<tir::For>()) {
    auto copy = std::make_shared<tir::For>(*loop);
    copy->body = swap_regions(loop->body, from, to);
    return copy;
  }
  if (const auto* seq = s->as<tir::Seq>()) {
    std::vector<tir::Stmt> parts;
    for (const tir::Stmt& part : seq->stmts) parts.push_back(swap_regions(part, from, to));
    return std::make_shared<tir::Seq>(std::move(parts), seq->loc);
  }
  if (const auto* block = s->as<tir::Block>()) {
    auto copy = std::make_shared<tir::Block>(*block);
    for (auto* regions : {&copy->reads, &copy->writes}) {
      for (tir::BufferRegion& region : *regions) {
        if (region.buffer.get() != from) continue;
        region.buffer = to;
        if (region.region.size() == 2) std::swap(region.region[0], region.region[1]);
      }
    }
    copy->init = swap_regions(block->init, from, to);
    copy->body = swap_regions(block->body, from, to);
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
  variant->body = swap_regions(body, weight.get(), transposed);
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
