// compute_inline(block): a block computing B[v0, v1, ...] = e elementwise into an intermediate
// buffer disappears, each read B[i, j, ...] elsewhere becoming e with its axes replaced by the
// indices. reverse_compute_inline(block): a block reading its producer's result only at its own
// axes, C[...] = f(B[v0, v1, ...]), is folded into the producer, which then stores f(e) into C.
// Both remove the intermediate buffer; blocks whose accesses changed get their regions again.
#include <algorithm>
#include <map>

#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

namespace {

// The block's one store, with its indices each a distinct axis of the block; else a reason.
const Store* elementwise_store(const Block& block, std::string& why) {
  const auto* store = block.body->as<Store>();
  if (!store) return why = "its body is not a single store", nullptr;
  if (block.init) return why = "it is a reduction (it has T.init())", nullptr;
  if (block.predicate) return why = "it has a T.where predicate", nullptr;
  for (const IterVar& iv : block.iter_vars) {
    if (iv.kind != IterKind::Spatial) return why = "axis '" + iv.var->name + "' is a reduction axis", nullptr;
  }
  return store;
}

// Positions of `indices` as distinct axes of `block`: axis var → dimension; empty with a
// reason when some index is not an axis or one repeats.
std::map<const Var*, size_t> axis_positions(const Block& block, const std::vector<Expr>& indices, std::string& why) {
  std::map<const Var*, size_t> out;
  for (size_t d = 0; d < indices.size(); ++d) {
    const auto* ref = indices[d]->as<VarRef>();
    bool axis = ref && std::any_of(block.iter_vars.begin(), block.iter_vars.end(), [&](const IterVar& iv) { return iv.var == ref->var; });
    if (!axis || !out.emplace(ref->var.get(), d).second) {
      why = "index " + std::to_string(d) + " of buffer access is not a distinct axis of the block";
      return {};
    }
  }
  if (out.size() != block.iter_vars.size()) why = "not every axis of the block indexes the buffer";
  return out;
}

bool is_parameter(const PrimFunc& func, const Buffer* buffer) {
  return std::any_of(func.params.begin(), func.params.end(), [&](const Param& p) { return p.buffer.get() == buffer; });
}

// Blocks other than `except` that load (or store) `buffer`.
std::vector<const Block*> blocks_touching(const Stmt& body, const Buffer* buffer, const Block* except, bool stores) {
  std::vector<const Block*> out;
  visit_stmt(body, [&](const StmtNode& n) {
    const auto* block = n.as<Block>();
    if (!block || block == except) return;
    bool found = false;
    visit_stmt(block->body, [&](const StmtNode& m) {
      const auto* store = m.as<Store>();
      found = found || (stores && store && store->buffer.get() == buffer);
    }, [&](const ExprNode& e) {
      const auto* load = e.as<Load>();
      found = found || (!stores && load && load->buffer.get() == buffer) || (e.as<BufferRef>() && e.as<BufferRef>()->buffer.get() == buffer);
    });
    if (found) out.push_back(block);
  });
  return out;
}

// Blocks whose stated regions name the removed buffer infer their regions again.
Stmt forget_regions(const Stmt& body, const Buffer* removed) {
  return map_blocks(body, [&](const Block& block) -> Stmt {
    bool mentions = false;
    for (const auto* regions : {&block.reads, &block.writes}) {
      for (const BufferRegion& r : *regions) mentions = mentions || r.buffer.get() == removed;
    }
    if (!mentions || !block.regions_given) return nullptr;
    auto copy = std::make_shared<Block>(block);
    copy->regions_given = false;
    return copy;
  });
}

}  // namespace

void Schedule::compute_inline(const BlockRV& rv) {
  std::vector<Stmt> path = block_path(rv);
  const Block& block = block_at(path);
  const PrimFunc& func = function(rv.func);
  const std::string what = "compute_inline: " + describe(rv);
  std::string why;
  const Store* store = elementwise_store(block, why);
  if (!store) throw ScheduleError(what + " cannot be inlined: " + why);
  const Buffer* buffer = store->buffer.get();
  if (is_parameter(func, buffer)) throw ScheduleError(what + " writes '" + buffer->name + "', a parameter of the function; only an intermediate buffer can be inlined");
  std::map<const Var*, size_t> positions = axis_positions(block, store->indices, why);
  if (!why.empty()) throw ScheduleError(what + " cannot be inlined: " + why);
  bool reads_itself = false;
  visit_expr(store->value, [&](const ExprNode& e) { reads_itself = reads_itself || (e.as<Load>() && e.as<Load>()->buffer.get() == buffer); });
  if (reads_itself) throw ScheduleError(what + " reads the buffer '" + buffer->name + "' it writes");
  if (!blocks_touching(func.body, buffer, &block, true).empty()) throw ScheduleError(what + ": another block also writes '" + buffer->name + "'");
  for (const Block* reader : blocks_touching(func.body, buffer, &block, false)) {
    bool passed = false;
    visit_stmt(reader->body, [](const StmtNode&) {}, [&](const ExprNode& e) { passed = passed || (e.as<BufferRef>() && e.as<BufferRef>()->buffer.get() == buffer); });
    if (passed) throw ScheduleError(what + ": block \"" + reader->name + "\" passes '" + buffer->name + "' to a runtime function");
  }
  // Each load B[i, j] becomes the stored value with the axes replaced by i, j.
  std::function<Expr(const Expr&)> inline_load = [&](const Expr& e) -> Expr {
    const auto* load = e->as<Load>();
    if (!load || load->buffer.get() != buffer) return nullptr;
    std::vector<Expr> indices;
    for (const Expr& index : load->indices) indices.push_back(rewrite_expr(index, inline_load));
    return rewrite_expr(store->value, [&](const Expr& x) -> Expr {
      const auto* ref = x->as<VarRef>();
      auto it = ref ? positions.find(ref->var.get()) : positions.end();
      return it == positions.end() ? nullptr : indices[it->second];
    });
  };
  Stmt body = rewrite_stmt(replace_at(path, nullptr), inline_load);
  set_body_without_buffer(rv.func, forget_regions(body, buffer), buffer);
}

void Schedule::reverse_compute_inline(const BlockRV& rv) {
  std::vector<Stmt> path = block_path(rv);
  const Block& block = block_at(path);
  const PrimFunc& func = function(rv.func);
  const std::string what = "reverse_compute_inline: " + describe(rv);
  std::string why;
  const Store* store = elementwise_store(block, why);
  if (!store) throw ScheduleError(what + " cannot be inlined: " + why);
  // The one intermediate buffer it reads, always at the same indices: its axes.
  const Load* input = nullptr;
  bool ok = true;
  visit_expr(store->value, [&](const ExprNode& e) {
    const auto* load = e.as<Load>();
    if (!load || is_parameter(func, load->buffer.get())) return;
    if (input && (input->buffer != load->buffer || !std::equal(input->indices.begin(), input->indices.end(), load->indices.begin(), load->indices.end(),
                                                               [](const Expr& a, const Expr& b) { return a->as<VarRef>() && b->as<VarRef>() && a->as<VarRef>()->var == b->as<VarRef>()->var; }))) {
      ok = false;
    }
    input = load;
  });
  if (!input) throw ScheduleError(what + " reads no intermediate buffer, so it has no producer to be inlined into");
  if (!ok) throw ScheduleError(what + " reads intermediate buffers at more than one place; it must read one, at its own axes");
  const Buffer* buffer = input->buffer.get();
  std::map<const Var*, size_t> positions = axis_positions(block, input->indices, why);
  if (!why.empty()) throw ScheduleError(what + " cannot be inlined: reading '" + buffer->name + "', " + why);
  std::vector<const Block*> producers = blocks_touching(func.body, buffer, &block, true);
  if (producers.size() != 1) throw ScheduleError(what + ": '" + buffer->name + "' must have exactly one producer block, not " + std::to_string(producers.size()));
  const Block& producer = *producers[0];
  const Store* produced = elementwise_store(producer, why);
  if (!produced) throw ScheduleError(what + ": its producer \"" + producer.name + "\" cannot take it: " + why);
  for (const Block* reader : blocks_touching(func.body, buffer, &block, false)) {
    if (reader != &producer) throw ScheduleError(what + ": block \"" + reader->name + "\" also reads '" + buffer->name + "'");
  }
  // The consumer's axes in terms of the producer's store indices.
  auto consumer_axes = [&](const Expr& x) -> Expr {
    const auto* ref = x->as<VarRef>();
    auto it = ref ? positions.find(ref->var.get()) : positions.end();
    return it == positions.end() ? nullptr : produced->indices[it->second];
  };
  Expr value = rewrite_expr(store->value, [&](const Expr& x) -> Expr {
    const auto* load = x->as<Load>();
    if (load && load->buffer.get() == buffer) return produced->value;
    return consumer_axes(x);
  });
  std::vector<Expr> indices;
  for (const Expr& index : store->indices) indices.push_back(rewrite_expr(index, consumer_axes));
  auto fused = std::make_shared<Block>(producer);
  fused->body = std::make_shared<Store>(store->buffer, indices, value, produced->loc);
  fused->regions_given = false;
  Stmt body = replace_at(path, nullptr);
  body = map_blocks(body, [&](const Block& b) -> Stmt { return b.name == producer.name ? fused : nullptr; });
  set_body_without_buffer(rv.func, forget_regions(body, buffer), buffer);
}

}  // namespace relaxc::schedule
