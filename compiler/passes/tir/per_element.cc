#include "compiler/passes/tir/per_element.h"

#include <algorithm>
#include <optional>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_stride.h"
#include "compiler/ir/tir_visitor.h"

namespace relaxc::tir {

using namespace relaxc::tir::build;

namespace {

// Whether every load in e reads v contiguously: v only in the last index, with stride 1.
bool reads_contiguously(const Expr& e, const Var* v) {
  bool ok = true;
  visit_expr(e, [&](const ExprNode& node) {
    auto* load = node.as<Load>();
    if (!load) return;
    for (size_t d = 0; d + 1 < load->indices.size(); ++d) ok = ok && !uses_var(load->indices[d], v);
    if (load->indices.empty()) return;
    std::optional<int64_t> step = stride_of(load->indices.back(), {{v, 1}});
    ok = ok && step && (*step == 0 || *step == 1);
  });
  return ok;
}

// One output element (or row) of the chain: its init, its reduction loops and its epilogues,
// with the reduction's spatial axes bound by `bindings` (by position in r.axes, null for the
// axis's own loop) and the chain's local buffers indexed by chain.at.
class ElementBuilder {
 public:
  ElementBuilder(const Reduction& r, const std::vector<Epilogue>& epilogues) : r_(r), epilogues_(epilogues), loc_(r.block->loc) {
    const Axis& j = r.axes[static_cast<size_t>(r.j)];
    row_ = constant(j.extent);
    vector_ = row_ && row_->value >= 2 && row_->value <= 64 && reads_contiguously(r.term, j.iter.get()) &&
              reads_contiguously(r.init_value, j.iter.get());
    for (const Epilogue& e : epilogues) vector_ = vector_ && reads_contiguously(e.store->value, e.axes.back().get());
  }

  bool vector() const { return vector_; }
  const IntImm* row() const { return row_; }

  // The statements for one element, or one row in vector form; `extra` are axes added to every
  // block (the row within a window).
  std::vector<Stmt> build(const LocalChain& chain, const std::vector<Expr>& bindings, const std::vector<IterVar>& extra) const {
    std::vector<IterVar> spatial = extra, all = extra;
    for (size_t p = 0; p < r_.axes.size(); ++p) {
      const Axis& a = r_.axes[p];
      Expr binding = p < bindings.size() && bindings[p] ? bindings[p] : var_ref(a.loop_var);
      all.push_back(axis(a.iter, a.extent, a.kind, binding));
      if (a.kind == IterKind::Spatial) spatial.push_back(all.back());
    }
    const Axis& j = r_.axes[static_cast<size_t>(r_.j)];
    // In vector form each statement runs over the row: `for j in T.vectorized(extent)`.
    auto over_row = [&](Stmt s) { return vector_ ? loop(j.loop_var, imm(0, j.extent->dtype, loc_), j.extent, ForKind::Vectorized, s) : s; };
    const Store& out = *r_.update;
    std::vector<Stmt> parts;
    parts.push_back(over_row(block(r_.block->name + "_init", spatial, chain.store(out.buffer, out.indices, chain.localize(r_.init_value)), loc_)));
    Stmt update = over_row(block(r_.block->name, all, chain.store(out.buffer, out.indices, chain.localize(out.value)), loc_));
    for (size_t p = r_.axes.size(); p-- > 0;) {
      const Axis& a = r_.axes[p];
      if (a.kind == IterKind::Reduce) update = loop(a.loop_var, imm(0, a.extent->dtype, loc_), a.extent, ForKind::Serial, update);
    }
    parts.push_back(update);
    std::vector<Stmt> after = chain.epilogue_blocks(epilogues_, r_, spatial, "");
    if (!after.empty()) parts.push_back(over_row(seq(std::move(after))));
    return parts;
  }

 private:
  const Reduction& r_;
  const std::vector<Epilogue>& epilogues_;
  SourceLoc loc_;
  const IntImm* row_ = nullptr;
  bool vector_ = false;
};

}  // namespace

Stmt per_element(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local) {
  if (!spatial_axes_first(r)) return nullptr;
  SourceLoc loc = r.block->loc;
  ElementBuilder element(r, epilogues);
  bool vector = element.vector();
  const Axis& j = r.axes[static_cast<size_t>(r.j)];
  LocalChain chain;
  chain.loc = loc;
  chain.at = {vector ? var_ref(j.iter) : imm(0, DataType::Int64, loc)};
  std::vector<BufferPtr> allocs;
  for (const BufferPtr& b : local) {
    allocs.push_back(std::make_shared<Buffer>(Buffer{b->name, b->dtype, {imm(vector ? element.row()->value : 1, DataType::Int64, loc)}, "local", loc}));
    chain.local[b.get()] = allocs.back();
  }
  Stmt body = block(r.block->name + "_element", {}, seq(element.build(chain, {}, {})), loc, allocs);
  for (size_t p = r.axes.size(); p-- > 0;) {
    if (r.axes[p].kind == IterKind::Spatial && !(vector && static_cast<int>(p) == r.j)) {
      body = loop(r.axes[p].loop_var, imm(0, r.axes[p].extent->dtype, loc), r.axes[p].extent, ForKind::Serial, body);
    }
  }
  return body;
}

Stmt per_element_in_windows(const Reduction& r, const std::vector<Epilogue>& epilogues, const std::vector<BufferPtr>& local,
                            const WindowConsumer& consumer, const Buffer* windowed) {
  if (!spatial_axes_first(r) || r.i < 0) return nullptr;
  SourceLoc loc = r.block->loc;
  ElementBuilder element(r, epilogues);
  if (!element.row()) return nullptr;
  const Axis& j = r.axes[static_cast<size_t>(r.j)];
  DataType index_type = j.extent->dtype;

  // Producer rows s * a_R + w for w < E, each into row w of the local buffers.
  const std::string& row_name = r.axes[static_cast<size_t>(r.i)].loop_var->name;
  VarPtr w = fresh(row_name + "_w", index_type, loc), vw = fresh("v_" + row_name + "_w", index_type, loc);
  IterVar window_axis = axis(vw, imm(consumer.window, index_type, loc), IterKind::Spatial, var_ref(w));
  LocalChain chain;
  chain.loc = loc;
  chain.at = {var_ref(vw), var_ref(j.iter)};
  std::vector<BufferPtr> allocs;
  BufferPtr rows;
  for (const BufferPtr& b : local) {
    std::vector<Expr> shape = {imm(consumer.window, DataType::Int64, loc), imm(element.row()->value, DataType::Int64, loc)};
    allocs.push_back(std::make_shared<Buffer>(Buffer{b->name, b->dtype, shape, "local", loc}));
    chain.local[b.get()] = allocs.back();
    if (b.get() == windowed) rows = allocs.back();
  }
  if (!rows) return nullptr;

  // The output's dimensions before the row are the consumer's outer loops; the row is
  // s * a_R + w; the column is the producer's own (vector) loop.
  const std::vector<Expr>& out = r.update->indices;
  std::vector<Expr> bindings(r.axes.size());
  for (size_t d = 0; d + 1 < out.size(); ++d) {
    const auto* iter = out[d]->as<VarRef>();
    for (size_t p = 0; iter && p < r.axes.size(); ++p) {
      if (r.axes[p].iter != iter->var) continue;
      Expr outer = var_ref(consumer.loops[d]->loop_var);
      if (d + 2 == out.size()) outer = arith(BinaryOp::Add, arith(BinaryOp::Mul, outer, imm(consumer.stride, index_type, loc)), var_ref(w));
      bindings[p] = outer;
    }
  }
  Stmt one_row = seq(element.build(chain, bindings, {window_axis}));
  if (!element.vector()) one_row = loop(j.loop_var, imm(0, index_type, loc), j.extent, ForKind::Serial, one_row);
  // Unrolled, so that each row of the chain's locals is addressed by a constant.
  Stmt produce = loop(w, imm(0, index_type, loc), imm(consumer.window, index_type, loc), ForKind::Unrolled, one_row);

  // The consumer's block, reading the local rows, inside its inner loops.
  auto reads_rows = [&](const Expr& e) -> Expr {
    const auto* load = e->as<Load>();
    if (!load || load->buffer.get() != windowed) return nullptr;
    return std::make_shared<Load>(rows, std::vector<Expr>{consumer.row_in_window, consumer.column}, load->loc);
  };
  auto consume_block = std::make_shared<Block>(*consumer.block);
  consume_block->reads.clear();
  consume_block->writes.clear();
  consume_block->init = consumer.block->init ? rewrite_stmt(consumer.block->init, reads_rows, {}) : nullptr;
  consume_block->body = rewrite_stmt(consumer.block->body, reads_rows, {});
  // The window's loops (short, constant, reduction) outside and unrolled, the consumer's
  // spatial loops inside with the innermost vectorized: each output row is then combined
  // window element by window element, a vector at a time (each output keeps its reduction
  // order). Otherwise the loops stay as written.
  Stmt consume = consume_block;
  std::vector<const For*> spatial_loops, window_loops;
  for (size_t p = consumer.outer; p < consumer.loops.size(); ++p) {
    const For* f = consumer.loops[p];
    auto iv = std::find_if(consumer.block->iter_vars.begin(), consumer.block->iter_vars.end(), [&](const IterVar& v) {
      const auto* bound = v.binding ? v.binding->as<VarRef>() : nullptr;
      return bound && bound->var == f->loop_var;
    });
    bool reduce = iv != consumer.block->iter_vars.end() && iv->kind == IterKind::Reduce;
    (reduce ? window_loops : spatial_loops).push_back(f);
  }
  bool reorder = !spatial_loops.empty() && std::all_of(window_loops.begin(), window_loops.end(), [](const For* f) {
    const IntImm* extent = constant(f->extent);
    return extent && extent->value <= 4;
  });
  if (reorder) {
    for (size_t p = spatial_loops.size(); p-- > 0;) {
      const For& f = *spatial_loops[p];
      const IntImm* extent = constant(f.extent);
      bool vectorize = p + 1 == spatial_loops.size() && extent && extent->value <= 64;
      consume = loop(f.loop_var, f.min, f.extent, vectorize ? ForKind::Vectorized : f.for_kind, consume);
    }
    for (size_t p = window_loops.size(); p-- > 0;) consume = loop(window_loops[p]->loop_var, window_loops[p]->min, window_loops[p]->extent, ForKind::Unrolled, consume);
  } else {
    for (size_t p = consumer.loops.size(); p-- > consumer.outer;) {
      const For& f = *consumer.loops[p];
      consume = loop(f.loop_var, f.min, f.extent, f.for_kind, consume);
    }
  }

  Stmt body = block(r.block->name + "_rows", {}, seq({produce, consume}), loc, allocs);
  for (size_t p = consumer.outer; p-- > 0;) {
    const For& f = *consumer.loops[p];
    body = loop(f.loop_var, f.min, f.extent, f.for_kind, body);
  }
  return body;
}

}  // namespace relaxc::tir
