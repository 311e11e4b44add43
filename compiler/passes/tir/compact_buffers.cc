#include "compiler/passes/tir/compact_buffers.h"

#include <algorithm>
#include <set>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_substitute.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/affine.h"
#include "compiler/schedule/region.h"
#include "compiler/schedule/schedule_tree.h"

namespace relaxc {

using namespace relaxc::tir;
using namespace relaxc::schedule;
namespace b = relaxc::tir::build;

namespace {

// The blocks that load or store `buffer` (directly or in blocks inside them), and whether some
// T.call_packed sees it (then its layout is the callee's business).
struct Uses {
  std::vector<const Block*> blocks;
  bool passed_to_runtime = false;
};

Uses uses_of(const Stmt& body, const Buffer* buffer) {
  Uses uses;
  visit_stmt(body, [&](const StmtNode& n) {
    const auto* block = n.as<Block>();
    if (block && ((block->init && refers_to_buffer(block->init, buffer)) || refers_to_buffer(block->body, buffer))) uses.blocks.push_back(block);
  }, [&](const ExprNode& e) {
    const auto* ref = e.as<BufferRef>();
    if (ref && ref->buffer.get() == buffer) uses.passed_to_runtime = true;
  });
  return uses;
}

// The conjuncts of a predicate.
void conjuncts(const Expr& e, std::vector<Expr>& out) {
  const auto* bin = e->as<Binary>();
  if (bin && bin->op == BinaryOp::And) {
    conjuncts(bin->a, out);
    conjuncts(bin->b, out);
    return;
  }
  out.push_back(e);
}

bool same_affine(const Expr& a, const Expr& b) {
  std::optional<Affine> x = to_affine(a), y = to_affine(b);
  return x && y && x->terms == y->terms && x->constant == y->constant;
}

// Whether the block's predicate only keeps its one store of `buffer` inside the buffer's shape
// (the T.where a split of an extent its factor does not divide adds: `i0 * 4 + i1 < n` for
// Y[i0 * 4 + i1, ...] of n rows). Then every element of the region it skips is outside the
// buffer, which no valid read touches, so the write leaves nothing to an earlier iteration.
bool predicate_bounds_the_store(const Block& block, const Buffer* buffer) {
  std::vector<Access> stores = accesses_of(block, buffer, /*stores=*/true);
  if (stores.size() != 1) return false;
  VarMap bindings;
  for (const IterVar& iv : block.iter_vars) bindings[iv.var.get()] = iv.binding;
  std::vector<Expr> indices;
  for (const Expr& index : stores[0].indices) indices.push_back(substitute(index, bindings));
  std::vector<Expr> parts;
  conjuncts(block.predicate, parts);
  for (const Expr& part : parts) {
    const auto* cmp = part->as<Binary>();
    if (!cmp || (cmp->op != BinaryOp::LT && cmp->op != BinaryOp::LE)) return false;
    bool bound = false;
    for (size_t d = 0; d < indices.size() && !bound; ++d) {
      const Expr& extent = buffer->shape[d];
      bool upper = cmp->op == BinaryOp::LT && same_affine(cmp->a, indices[d]) && (same_expr(cmp->b, extent) || same_affine(cmp->b, extent));
      std::optional<Affine> low = to_affine(cmp->a);
      bool lower = cmp->op == BinaryOp::LE && low && low->terms.empty() && low->constant == 0 && same_affine(cmp->b, indices[d]);
      bound = upper || lower;
    }
    if (!bound) return false;
  }
  return true;
}

// The path to the innermost loop enclosing every block in `blocks`, lifted above every loop
// that walks a reduction of a block storing to `buffer` (an accumulator must outlive its
// reduction); empty when there is no such loop.
std::vector<Stmt> allocation_loop(const Stmt& body, const std::vector<const Block*>& blocks, const Buffer* buffer) {
  std::vector<Stmt> common;
  bool first = true;
  for (const Block* block : blocks) {
    std::vector<Stmt> path = find_path(body, [&](const StmtNode& n) { return &n == block; });
    path.pop_back();  // the block itself
    if (first) common = path;
    size_t same = 0;
    while (same < common.size() && same < path.size() && common[same] == path[same]) ++same;
    common.resize(same);
    first = false;
    if (accesses_of(*block, buffer, /*stores=*/true).empty()) continue;
    // A predicated write may leave part of the region to an earlier iteration.
    if (block->predicate && !predicate_bounds_the_store(*block, buffer)) return {};
    for (const IterVar& iv : block->iter_vars) {
      if (iv.kind != IterKind::Reduce) continue;
      for (size_t i = 0; i < common.size(); ++i) {
        const auto* f = common[i]->as<For>();
        if (f && uses_var(iv.binding, f->loop_var.get())) {
          common.resize(i);
          break;
        }
      }
    }
  }
  while (!common.empty() && !common.back()->as<For>()) common.pop_back();
  return common;
}

// The part of `buffer` one iteration of the loop `path` ends at touches: what it writes, when
// every read falls inside it; nullopt when the buffer cannot be compacted there.
std::optional<std::vector<DimRange>> compact_region(const std::vector<Stmt>& path, const Buffer* buffer, std::set<const Var*> outer, Atoms& atoms) {
  std::optional<std::vector<DimRange>> written, read;
  try {
    written = region_under(path.back(), buffer, /*stores=*/true, {}, "", &atoms);
    read = region_under(path.back(), buffer, /*stores=*/false, {}, "", &atoms);
  } catch (const ScheduleError&) {
    return std::nullopt;
  }
  if (!written) return std::nullopt;
  for (const auto& [var, expr] : atoms) outer.insert(var.get());
  for (size_t d = 0; d < written->size(); ++d) {
    const DimRange& w = (*written)[d];
    for (const auto& term : w.base.terms) {
      if (!outer.count(term.first)) return std::nullopt;
    }
    if (read && ((*read)[d].base.terms != w.base.terms || (*read)[d].lo < w.lo || (*read)[d].hi > w.hi)) return std::nullopt;
  }
  return written;
}

// Whether `region` is smaller than the buffer (always, when the buffer's size is symbolic).
bool smaller(const std::vector<DimRange>& region, const Buffer& buffer) {
  int64_t before = 1, after = 1;
  bool symbolic = false;
  for (size_t d = 0; d < region.size(); ++d) {
    const auto* extent = buffer.shape[d]->as<IntImm>();
    symbolic = symbolic || !extent;
    if (extent) before *= extent->value;
    after *= region[d].hi - region[d].lo + 1;
  }
  return symbolic || after < before;
}

class Compactor {
 public:
  Compactor(const BufferPtr& old, const std::vector<DimRange>& region, std::vector<VarPtr> outer, const Atoms& atoms)
      : old_(old), region_(region), outer_(std::move(outer)), atoms_(atoms) {
    for (const auto& [var, expr] : atoms) outer_.push_back(var);
    auto compact = std::make_shared<Buffer>(*old);
    for (size_t d = 0; d < region.size(); ++d) {
      compact->shape[d] = b::imm(region[d].hi - region[d].lo + 1, old->shape[d]->dtype, old->loc);
    }
    new_ = compact;
  }

  const BufferPtr& buffer() const { return new_; }

  // `stmt` with every access of the old buffer made an access of the compact one.
  Stmt rewrite(const Stmt& stmt) const {
    return rewrite_buffer_accesses(stmt, old_.get(), new_, [&](const std::vector<Expr>& indices) { return relative(indices); });
  }

 private:
  std::vector<Expr> relative(const std::vector<Expr>& indices) const {
    std::vector<Expr> out;
    for (size_t d = 0; d < indices.size(); ++d) {
      Expr start = expand_atoms(affine_expr(region_[d].base, region_[d].lo, outer_, indices[d]->dtype, indices[d]->loc));
      const auto* zero = start->as<IntImm>();
      out.push_back(zero && zero->value == 0 ? indices[d] : b::arith(BinaryOp::Sub, indices[d], start));
    }
    return out;
  }

  Expr expand_atoms(const Expr& e) const {
    return rewrite_expr(e, [&](const Expr& x) -> Expr {
      const auto* ref = x->as<VarRef>();
      if (!ref) return nullptr;
      for (const auto& [var, expr] : atoms_) {
        if (var == ref->var) return b::as_dtype(expr, x->dtype);
      }
      return nullptr;
    });
  }

  BufferPtr old_, new_;
  std::vector<DimRange> region_;
  std::vector<VarPtr> outer_;
  Atoms atoms_;
};

// The function with `buffer` allocated inside the loop where one iteration needs only part of
// it, or null when it stays where it is.
PrimFuncPtr compact_one(const PrimFuncPtr& func, const BufferPtr& buffer) {
  Uses uses = uses_of(func->body, buffer.get());
  if (uses.passed_to_runtime || uses.blocks.empty()) return nullptr;
  std::vector<Stmt> path = allocation_loop(func->body, uses.blocks, buffer.get());
  if (path.empty()) return nullptr;
  std::vector<VarPtr> outer;
  std::set<const Var*> outer_set;
  for (const Stmt& s : path) {
    if (const auto* f = s->as<For>()) outer.push_back(f->loop_var), outer_set.insert(f->loop_var.get());
  }
  Atoms atoms;
  std::optional<std::vector<DimRange>> region = compact_region(path, buffer.get(), outer_set, atoms);
  if (!region || region->size() != buffer->shape.size() || !smaller(*region, *buffer)) return nullptr;
  Compactor compactor(buffer, *region, outer, atoms);
  const For& loop = *path.back()->as<For>();
  auto holder = std::make_shared<Block>(loop.loc);
  holder->name = buffer->name + "_alloc";
  holder->alloc_buffers = {compactor.buffer()};
  holder->body = compactor.rewrite(loop.body);
  auto moved = std::make_shared<For>(loop);
  moved->body = holder;
  auto copy = std::make_shared<PrimFunc>(*func);
  copy->body = replace_at(path, moved);
  copy->root_alloc_buffers.erase(std::remove(copy->root_alloc_buffers.begin(), copy->root_alloc_buffers.end(), buffer), copy->root_alloc_buffers.end());
  return copy;
}

}  // namespace

PrimFuncPtr compact_buffers(const PrimFuncPtr& func) {
  PrimFuncPtr out = func;
  for (const BufferPtr& buffer : func->root_alloc_buffers) {
    if (PrimFuncPtr compacted = compact_one(out, buffer)) out = compacted;
  }
  return out;
}

}  // namespace relaxc
