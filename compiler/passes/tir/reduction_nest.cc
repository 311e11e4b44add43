#include "compiler/passes/tir/reduction_nest.h"

#include <algorithm>
#include <functional>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::tir {

using build::constant;

std::optional<Reduction> match_reduction(const For& outer) {
  Reduction r;
  std::vector<const For*> loops;
  const StmtNode* s = &outer;  // the nest is owned by the caller; nothing here is copied
  while (const For* f = s->as<For>()) {
    if (f->for_kind != ForKind::Serial || !f->annotations.empty() || !constant(f->min) || constant(f->min)->value != 0) return std::nullopt;
    loops.push_back(f);
    s = f->body.get();
  }
  r.block = s->as<Block>();
  if (!r.block || r.block->predicate || !r.block->alloc_buffers.empty() || !r.block->init) return std::nullopt;
  if (r.block->iter_vars.size() != loops.size()) return std::nullopt;
  for (const For* f : loops) {
    auto it = std::find_if(r.block->iter_vars.begin(), r.block->iter_vars.end(), [&](const IterVar& iv) {
      auto* b = iv.binding ? iv.binding->as<VarRef>() : nullptr;
      return b && b->var == f->loop_var;
    });
    if (it == r.block->iter_vars.end() || !constant(it->min) || constant(it->min)->value != 0) return std::nullopt;
    r.axes.push_back({it->var, f->loop_var, f->extent, it->kind});
  }
  r.update = r.block->body->as<Store>();
  const Store* init = r.block->init->as<Store>();
  if (!r.update || !init || !is_float(r.update->buffer->dtype) || init->buffer != r.update->buffer || !same_indices(init->indices, r.update->indices)) return std::nullopt;
  auto* sum = r.update->value->as<Binary>();
  if (!sum || sum->op != BinaryOp::Add) return std::nullopt;
  auto* self = sum->a->as<Load>();
  if (!self || self->buffer != r.update->buffer || !same_indices(self->indices, r.update->indices)) return std::nullopt;
  r.term = sum->b;
  r.init_value = init->value;
  if (r.term->dtype != r.update->buffer->dtype) return std::nullopt;

  // The output is indexed by distinct spatial axes; i and j are its last two.
  auto position = [&](const Expr& index) -> int {
    auto* v = index->as<VarRef>();
    for (size_t a = 0; v && a < r.axes.size(); ++a) {
      if (r.axes[a].iter == v->var) return static_cast<int>(a);
    }
    return -1;
  };
  size_t spatial = 0;
  for (const Axis& a : r.axes) spatial += a.kind == IterKind::Spatial;
  const auto& out = r.update->indices;
  if (out.size() != spatial || out.empty()) return std::nullopt;
  for (const Expr& index : out) {
    int p = position(index);
    if (p < 0 || r.axes[p].kind != IterKind::Spatial) return std::nullopt;
  }
  r.j = position(out.back());
  if (out.size() >= 2) r.i = position(out[out.size() - 2]);

  // k: a reduction axis every load that uses it reads contiguously, and some load does.
  bool self_read = false;
  visit_expr(r.term, [&](const ExprNode& e) {
    if (auto* load = e.as<Load>()) self_read = self_read || load->buffer == r.update->buffer;
  });
  if (self_read) return std::nullopt;
  for (size_t a = 0; a < r.axes.size(); ++a) {
    if (r.axes[a].kind != IterKind::Reduce) continue;
    const Var* kv = r.axes[a].iter.get();
    bool used = false, contiguous = true;
    visit_expr(r.term, [&](const ExprNode& e) {
      auto* load = e.as<Load>();
      if (!load) return;
      for (size_t d = 0; d < load->indices.size(); ++d) {
        if (!uses_var(load->indices[d], kv)) continue;
        used = true;
        auto* v = load->indices[d]->as<VarRef>();
        if (d + 1 != load->indices.size() || !v) contiguous = false;
      }
    });
    // The term may use k only through such loads.
    bool elsewhere = false;
    std::function<void(const Expr&)> scan = [&](const Expr& e) {
      if (e->as<Load>()) return;
      if (auto* v = e->as<VarRef>()) elsewhere = elsewhere || v->var.get() == kv;
      if (auto* b = e->as<Binary>()) { scan(b->a); scan(b->b); }
      if (auto* c = e->as<Cast>()) scan(c->value);
      if (auto* c = e->as<Call>()) for (const Expr& arg : c->args) scan(arg);
      if (auto* n = e->as<Not>()) scan(n->a);
      if (auto* sel = e->as<Select>()) { scan(sel->cond); scan(sel->true_value); scan(sel->false_value); }
    };
    scan(r.term);
    if (used && contiguous && !elsewhere) r.k = static_cast<int>(a);
  }
  return r;
}

bool spatial_axes_first(const Reduction& r) {
  bool reducing = false;
  for (const Axis& a : r.axes) {
    if (a.kind == IterKind::Reduce) reducing = true;
    else if (reducing) return false;
  }
  return true;
}

bool worth_tiling(const Reduction& r, const schedule::Target& target) {
  if (r.k < 0) return false;
  const IntImm* k = r.axes[static_cast<size_t>(r.k)].extent->as<IntImm>();
  return !k || k->value >= 2 * target.lanes(r.update->buffer->dtype);
}

std::optional<Epilogue> match_epilogue(const Stmt& nest, const Reduction& r, const std::set<const Buffer*>& chain) {
  std::vector<const For*> loops;
  Stmt s = nest;
  while (const For* f = s->as<For>()) {
    if (f->for_kind != ForKind::Serial || !f->annotations.empty() || !constant(f->min) || constant(f->min)->value != 0) return std::nullopt;
    loops.push_back(f);
    s = f->body;
  }
  Epilogue e;
  e.block = s->as<Block>();
  if (!e.block || e.block->init || e.block->predicate || !e.block->alloc_buffers.empty()) return std::nullopt;
  e.store = e.block->body->as<Store>();
  if (!e.store || e.block->iter_vars.size() != loops.size() || chain.count(e.store->buffer.get()) ||
      e.store->indices.size() != r.update->indices.size()) {
    return std::nullopt;
  }
  // Each output index is a spatial axis bound to its own loop over the reduction's extent there.
  for (size_t d = 0; d < e.store->indices.size(); ++d) {
    auto* index = e.store->indices[d]->as<VarRef>();
    auto* out = r.update->indices[d]->as<VarRef>();
    if (!index || !out) return std::nullopt;
    auto iv = std::find_if(e.block->iter_vars.begin(), e.block->iter_vars.end(), [&](const IterVar& v) { return v.var == index->var; });
    if (iv == e.block->iter_vars.end() || iv->kind != IterKind::Spatial || !iv->binding) return std::nullopt;
    auto* bound = iv->binding->as<VarRef>();
    auto loop = std::find_if(loops.begin(), loops.end(), [&](const For* f) { return bound && f->loop_var == bound->var; });
    auto axis = std::find_if(r.axes.begin(), r.axes.end(), [&](const Axis& a) { return a.iter == out->var; });
    if (loop == loops.end() || axis == r.axes.end() || !same_expr((*loop)->extent, axis->extent) || !constant(iv->min) || constant(iv->min)->value != 0) return std::nullopt;
    e.axes.push_back(index->var);
  }
  if (e.axes.size() != loops.size()) return std::nullopt;
  // It reads what the chain wrote only at the element it writes, and never its own output.
  bool ok = true, reads_chain = false;
  visit_expr(e.store->value, [&](const ExprNode& node) {
    auto* load = node.as<Load>();
    if (!load) return;
    if (load->buffer == e.store->buffer) ok = false;
    if (!chain.count(load->buffer.get())) return;
    reads_chain = true;
    if (!same_indices(load->indices, e.store->indices)) ok = false;
  });
  if (!ok || !reads_chain) return std::nullopt;
  return e;
}

Expr LocalChain::localize(const Expr& e, const VarMap& renamed) const {
  return rewrite_expr(e, [&](const Expr& x) -> Expr {
    if (auto* ref = x->as<VarRef>()) {
      auto it = renamed.find(ref->var.get());
      return it == renamed.end() ? nullptr : it->second;
    }
    auto* load = x->as<Load>();
    if (!load || !local.count(load->buffer.get())) return nullptr;
    return std::make_shared<Load>(local.at(load->buffer.get()), at, loc);
  });
}

Stmt LocalChain::store(const BufferPtr& buffer, const std::vector<Expr>& indices, const Expr& value) const {
  auto it = local.find(buffer.get());
  if (it != local.end()) return std::make_shared<Store>(it->second, at, value, loc);
  return std::make_shared<Store>(buffer, indices, value, loc);
}

std::vector<Stmt> LocalChain::epilogue_blocks(const std::vector<Epilogue>& epilogues, const Reduction& r, const std::vector<IterVar>& axes,
                                              const std::string& suffix) const {
  std::vector<Stmt> blocks;
  for (const Epilogue& e : epilogues) {
    VarMap renamed;
    for (size_t d = 0; d < e.axes.size(); ++d) renamed[e.axes[d].get()] = r.update->indices[d];
    std::vector<Expr> indices;
    for (const Expr& index : e.store->indices) indices.push_back(localize(index, renamed));
    auto b = std::make_shared<Block>(loc);
    b->name = e.block->name + suffix;
    b->iter_vars = axes;
    b->body = store(e.store->buffer, indices, localize(e.store->value, renamed));
    blocks.push_back(b);
  }
  return blocks;
}

}  // namespace relaxc::tir
