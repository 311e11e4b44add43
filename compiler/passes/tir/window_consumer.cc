#include "compiler/passes/tir/window_consumer.h"

#include <algorithm>
#include <set>

#include "compiler/ir/tir_equal.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/passes/tir/outer_product_tiles.h"

namespace relaxc::tir {

namespace {

const IntImm* constant(const Expr& e) { return e ? e->as<IntImm>() : nullptr; }

// e without the wrappers legalized kernels put around window offsets: T.Cast("int64", x) of an
// integer x, and x * 1.
Expr unwrap(const Expr& e) {
  if (const auto* cast = e->as<Cast>(); cast && is_int(cast->dtype) && is_int(cast->value->dtype)) return unwrap(cast->value);
  if (const auto* b = e->as<Binary>(); b && b->op == BinaryOp::Mul) {
    if (const IntImm* one = constant(b->b); one && one->value == 1) return unwrap(b->a);
  }
  return e;
}

// `s * a` or `a * s` with s a positive constant: a's variable and s.
std::optional<std::pair<const Var*, int64_t>> scaled_var(const Expr& e) {
  const auto* mul = e->as<Binary>();
  if (!mul || mul->op != BinaryOp::Mul) return std::nullopt;
  for (const auto& [v, s] : {std::pair{mul->a, mul->b}, std::pair{mul->b, mul->a}}) {
    const auto* ref = unwrap(v)->as<VarRef>();
    const IntImm* step = constant(s);
    if (ref && step && step->value > 0) return std::pair{ref->var.get(), step->value};
  }
  return std::nullopt;
}

}  // namespace

std::optional<WindowConsumer> match_window_consumer(const For& nest, const Buffer* input) {
  WindowConsumer w;
  const StmtNode* s = &nest;
  while (const For* f = s->as<For>()) {
    if (f->for_kind != ForKind::Serial || !f->annotations.empty() || !constant(f->min) || constant(f->min)->value != 0) return std::nullopt;
    w.loops.push_back(f);
    s = f->body.get();
  }
  w.block = s->as<Block>();
  size_t rank = input->shape.size();
  if (!w.block || w.block->predicate || !w.block->alloc_buffers.empty() || rank < 2 || w.loops.size() < rank) return std::nullopt;
  // Each axis bound to one loop of the nest: its position there.
  auto loop_of = [&](const Var* iter) -> int {
    for (const IterVar& iv : w.block->iter_vars) {
      if (iv.var.get() != iter) continue;
      const auto* bound = iv.binding ? iv.binding->as<VarRef>() : nullptr;
      if (!bound || !constant(iv.min) || constant(iv.min)->value != 0) return -1;
      for (size_t p = 0; p < w.loops.size(); ++p) {
        if (w.loops[p]->loop_var == bound->var) return static_cast<int>(p);
      }
    }
    return -1;
  };
  // Every read of the input at one index; no write.
  std::vector<Expr> index;
  bool ok = true;
  auto scan_loads = [&](const Expr& e) {
    visit_expr(e, [&](const ExprNode& n) {
      const auto* load = n.as<Load>();
      if (!load || load->buffer.get() != input) return;
      if (index.empty()) index = load->indices;
      else ok = ok && same_indices(index, load->indices);
    });
  };
  visit_stmt(w.block->body, [&](const StmtNode& n) {
    if (const auto* st = n.as<Store>()) ok = ok && st->buffer.get() != input;
  }, [&](const ExprNode&) {});
  for (const Stmt& part : {w.block->init, w.block->body}) {
    if (!part) continue;
    visit_stmt(part, [&](const StmtNode& n) {
      if (const auto* st = n.as<Store>()) {
        scan_loads(st->value);
        for (const Expr& i : st->indices) scan_loads(i);
      }
    }, [&](const ExprNode&) {});
  }
  if (!ok || index.size() != rank) return std::nullopt;

  size_t row = rank - 2;
  for (size_t d = 0; d < row; ++d) {
    const auto* ref = index[d]->as<VarRef>();
    if (!ref || loop_of(ref->var.get()) != static_cast<int>(d)) return std::nullopt;
  }
  // The row: s * a_R + w, in either order.
  const auto* sum = index[row]->as<Binary>();
  if (!sum || sum->op != BinaryOp::Add) return std::nullopt;
  for (const auto& [scaled, offset] : {std::pair{sum->a, sum->b}, std::pair{sum->b, sum->a}}) {
    auto a = scaled_var(scaled);
    const auto* wref = unwrap(offset)->as<VarRef>();
    if (!a || !wref || loop_of(a->first) != static_cast<int>(row)) continue;
    int wloop = loop_of(wref->var.get());
    if (wloop <= static_cast<int>(row)) continue;
    const IntImm* extent = constant(w.loops[static_cast<size_t>(wloop)]->extent);
    if (!extent || extent->value < 1 || extent->value > a->second) continue;
    w.stride = a->second;
    w.window = extent->value;
    w.row_in_window = offset;
    break;
  }
  if (!w.row_in_window) return std::nullopt;
  // The column may use only inner loops.
  for (const VarPtr& v : vars_in(index[row + 1])) {
    int p = loop_of(v.get());
    if (p >= 0 && p <= static_cast<int>(row)) return std::nullopt;
  }
  for (size_t p = 0; p <= row; ++p) {
    bool spatial = std::any_of(w.block->iter_vars.begin(), w.block->iter_vars.end(), [&](const IterVar& iv) {
      return iv.kind == IterKind::Spatial && loop_of(iv.var.get()) == static_cast<int>(p);
    });
    if (!spatial) return std::nullopt;
  }
  w.outer = row + 1;
  w.column = index[row + 1];
  return w;
}

std::optional<RowProducer> match_row_producer(const std::vector<Stmt>& parts, const Buffer* output, const schedule::Target& target) {
  if (parts.empty()) return std::nullopt;
  const For* first = parts[0] ? parts[0]->as<For>() : nullptr;
  std::optional<Reduction> r = first ? match_reduction(*first) : std::nullopt;
  if (!r || worth_tiling(*r, target) || worth_outer_product_tiles(*r) || r->i < 0) return std::nullopt;
  if (!spatial_axes_first(*r)) return std::nullopt;
  if (!constant(r->axes[static_cast<size_t>(r->j)].extent)) return std::nullopt;
  RowProducer producer{*r, {}};
  std::set<const Buffer*> chain = {r->update->buffer.get()};
  for (size_t p = 1; p < parts.size(); ++p) {
    std::optional<Epilogue> e = match_epilogue(parts[p], *r, chain);
    if (!e) return std::nullopt;
    producer.epilogues.push_back(*e);
    chain.insert(e->store->buffer.get());
  }
  const Buffer* last = producer.epilogues.empty() ? r->update->buffer.get() : producer.epilogues.back().store->buffer.get();
  if (last != output) return std::nullopt;
  return producer;
}

bool computes_rows_in_windows(const PrimFunc& producer, const PrimFunc& consumer, const schedule::Target& target) {
  if (producer.params.empty() || consumer.params.empty() || !producer.params.back().buffer || !consumer.params.front().buffer) return false;
  const Seq* seq = producer.body ? producer.body->as<Seq>() : nullptr;
  std::vector<Stmt> parts = seq ? seq->stmts : std::vector<Stmt>{producer.body};
  if (!match_row_producer(parts, producer.params.back().buffer.get(), target)) return false;
  // The window nest first; what follows (average pooling's division) must not read the input.
  const Seq* consumer_seq = consumer.body ? consumer.body->as<Seq>() : nullptr;
  std::vector<Stmt> consumer_parts = consumer_seq ? consumer_seq->stmts : std::vector<Stmt>{consumer.body};
  const Buffer* input = consumer.params.front().buffer.get();
  const For* nest = consumer_parts[0] ? consumer_parts[0]->as<For>() : nullptr;
  if (!nest || !match_window_consumer(*nest, input)) return false;
  for (size_t p = 1; p < consumer_parts.size(); ++p) {
    if (refers_to_buffer(consumer_parts[p], input)) return false;
  }
  return true;
}

}  // namespace relaxc::tir
