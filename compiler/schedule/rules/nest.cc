#include "compiler/schedule/rules/nest.h"

#include <algorithm>

#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/affine.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

// The value of a constant extent (LegalizeOps writes some as sums: T.int64(56) + T.int64(2)).
std::optional<int64_t> constant_value(const Expr& e) {
  std::optional<Affine> form = to_affine(e);
  if (!form || !form->terms.empty()) return std::nullopt;
  return form->constant;
}

std::optional<Nest> perfect_nest(const Stmt& stmt) {
  Nest nest;
  Stmt s = stmt;
  while (s && s->as<For>()) {
    const For* f = s->as<For>();
    if (f->for_kind != ForKind::Serial || constant_value(f->min) != 0) return std::nullopt;
    nest.loops.push_back(f);
    s = f->body;
  }
  const Block* block = s ? s->as<Block>() : nullptr;
  if (!block || block->predicate || !block->alloc_buffers.empty()) return std::nullopt;
  bool inner_block = false;
  visit_stmt(block->body, [&](const StmtNode& n) { inner_block = inner_block || n.as<Block>(); });
  if (inner_block) return std::nullopt;
  nest.block = block;
  return nest;
}

// A loop's extent; 0 when it is known only at run time.
int64_t extent_of(const For* f) { return constant_value(f->extent).value_or(0); }

// Iterations of a nest, saturating; a symbolic extent counts as large (a batch).
int64_t iterations(const Nest& nest) {
  constexpr int64_t kLarge = int64_t{1} << 40;
  int64_t n = 1;
  for (const For* f : nest.loops) {
    int64_t e = extent_of(f);
    n = e == 0 || n > kLarge / std::max<int64_t>(e, 1) ? kLarge : n * e;
  }
  return n;
}

int64_t stored_element_bytes(const Nest& nest) { return std::max(1, dtype_bits(nest.block->body->as<Store>()->buffer->dtype) / 8); }

int64_t largest_divisor_at_most(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d) {
    if (n % d == 0) return d;
  }
  return 1;
}

int64_t tile_extent(int64_t extent, int64_t ideal) {
  if (extent == 0) return ideal;
  if (extent <= ideal) return extent;
  int64_t divisor = largest_divisor_at_most(extent, ideal);
  return 4 * divisor >= 3 * ideal ? divisor : ideal;
}

std::optional<std::vector<Nest>> perfect_nests(const PrimFunc& func) {
  const Seq* top = func.body ? func.body->as<Seq>() : nullptr;
  std::vector<Stmt> parts = top ? top->stmts : std::vector<Stmt>{func.body};
  std::vector<Nest> out;
  for (const Stmt& part : parts) {
    std::optional<Nest> nest = perfect_nest(part);
    if (!nest) return std::nullopt;
    out.push_back(*nest);
  }
  return out;
}

std::optional<std::vector<size_t>> output_order(const Nest& nest, size_t spatial) {
  const Block& block = *nest.block;
  if (block.iter_vars.size() != nest.loops.size()) return std::nullopt;
  for (size_t i = 0; i < nest.loops.size(); ++i) {
    const auto* ref = block.iter_vars[i].binding ? block.iter_vars[i].binding->as<VarRef>() : nullptr;
    if (!ref || ref->var != nest.loops[i]->loop_var) return std::nullopt;
  }
  const auto* store = block.body ? block.body->as<Store>() : nullptr;
  if (!store || store->indices.size() != spatial) return std::nullopt;
  std::vector<size_t> order;
  for (const Expr& index : store->indices) {
    const auto* ref = index->as<VarRef>();
    size_t axis = spatial;
    for (size_t i = 0; ref && i < spatial; ++i) {
      if (ref->var == block.iter_vars[i].var && block.iter_vars[i].kind == IterKind::Spatial) axis = i;
    }
    if (axis == spatial || std::find(order.begin(), order.end(), axis) != order.end()) return std::nullopt;
    order.push_back(axis);
  }
  return order;
}

}  // namespace relaxc::schedule
