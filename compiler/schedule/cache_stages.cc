// Buffer-level primitives. cache_read(block, i, scope): a new buffer "<buf>_<scope>" and a block
// of the same name copying the block's i-th read buffer into it, at the start of the function
// (an input) or just after the buffer's one writer; every reader then reads the copy.
// cache_write(block, i, scope): the block writes "<buf>_<scope>" instead, and a new block
// copies it back just after the writer's loop nest. set_scope changes a buffer's storage scope;
// storage_align records a dimension alignment (buffer_dim_align), a layout hint that does not
// change values. Copies cover the whole buffer, as TVM's did in 2022; compute_at shrinks them.
#include <algorithm>

#include "compiler/ir/tir_build.h"
#include "compiler/ir/tir_rewrite.h"
#include "compiler/ir/tir_visitor.h"
#include "compiler/passes/tir/infer_access_regions.h"
#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

using namespace relaxc::tir;
namespace b = relaxc::tir::build;

namespace {

bool valid_scope(const std::string& scope) {
  return !scope.empty() && scope.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") == std::string::npos;
}

// The block's read (or write) regions, inferred when it does not state them.
std::vector<BufferRegion> regions_of(const PrimFunc& func, const std::string& block, bool writes) {
  Module one;
  one.prim_funcs = {std::make_shared<PrimFunc>(func)};
  Module inferred = infer_access_regions(one);
  std::vector<Stmt> path = find_path(inferred.prim_funcs[0]->body, [&](const StmtNode& n) { return n.as<Block>() && n.as<Block>()->name == block; });
  return writes ? block_at(path).writes : block_at(path).reads;
}

BufferPtr indexed_buffer(const Schedule& sch, const BlockRV& rv, int64_t index, bool writes, const std::string& what) {
  std::vector<BufferRegion> regions = regions_of(sch.function(rv.func), rv.name, writes);
  if (index < 0 || index >= static_cast<int64_t>(regions.size())) {
    throw ScheduleError(what + sch.describe(rv) + (writes ? " writes " : " reads ") + std::to_string(regions.size()) + " buffer(s); index " + std::to_string(index) +
                        " is out of range");
  }
  return regions[static_cast<size_t>(index)].buffer;
}

bool allocated_by_function(const PrimFunc& func, const Buffer* buffer) {
  bool found = std::any_of(func.root_alloc_buffers.begin(), func.root_alloc_buffers.end(), [&](const BufferPtr& x) { return x.get() == buffer; });
  visit_stmt(func.body, [&](const StmtNode& n) {
    if (const auto* block = n.as<Block>()) {
      for (const BufferPtr& x : block->alloc_buffers) found = found || x.get() == buffer;
    }
  });
  return found;
}

// Names of the blocks that store `buffer`, and of those that load it.
void users_of(const Stmt& body, const Buffer* buffer, std::vector<std::string>& writers, std::vector<std::string>& readers) {
  visit_stmt(body, [&](const StmtNode& n) {
    const auto* block = n.as<Block>();
    if (!block) return;
    bool writes = false, reads = false;
    for (const Stmt& part : {block->init, block->body}) {
      visit_stmt(part, [&](const StmtNode& m) { writes = writes || (m.as<Store>() && m.as<Store>()->buffer.get() == buffer); },
                 [&](const ExprNode& e) { reads = reads || (e.as<Load>() && e.as<Load>()->buffer.get() == buffer); });
    }
    if (writes) writers.push_back(block->name);
    if (reads) readers.push_back(block->name);
  });
}

std::string unique_name(const PrimFunc& func, const std::string& wanted) {
  std::vector<std::string> taken;
  for (const Param& p : func.params) taken.push_back(p.buffer ? p.buffer->name : p.var->name);
  for (const BufferPtr& x : func.root_alloc_buffers) taken.push_back(x->name);
  visit_stmt(func.body, [&](const StmtNode& n) {
    if (const auto* block = n.as<Block>()) {
      taken.push_back(block->name);
      for (const BufferPtr& x : block->alloc_buffers) taken.push_back(x->name);
    }
  });
  std::string name = wanted;
  for (int i = 1; std::find(taken.begin(), taken.end(), name) != taken.end(); ++i) name = wanted + "_" + std::to_string(i);
  return name;
}

// `for ax0, ax1, ... : with T.block(name): v0, v1, ... ; to[v...] = from[v...]` over the whole buffer.
Stmt copy_nest(const std::string& name, const BufferPtr& from, const BufferPtr& to) {
  std::vector<IterVar> axes;
  std::vector<VarPtr> loops;
  std::vector<Expr> indices;
  for (size_t d = 0; d < from->shape.size(); ++d) {
    const Expr& extent = from->shape[d];
    loops.push_back(b::fresh("ax" + std::to_string(d), extent->dtype, from->loc));
    VarPtr v = b::fresh("v" + std::to_string(d), extent->dtype, from->loc);
    axes.push_back(b::axis(v, extent, IterKind::Spatial, b::var_ref(loops.back())));
    indices.push_back(b::var_ref(v));
  }
  Stmt nest = b::block(name, axes, std::make_shared<Store>(to, indices, std::make_shared<Load>(from, indices, from->loc), from->loc), from->loc);
  for (size_t d = loops.size(); d-- > 0;) nest = b::loop(loops[d], b::imm(0, from->shape[d]->dtype, from->loc), from->shape[d], ForKind::Serial, nest);
  return nest;
}

// `body` with `stage` inserted at the top level: first, or just after the statement holding `after`.
Stmt insert_top_level(const Stmt& body, const Stmt& stage, const std::string& after, const std::string& what) {
  std::vector<Stmt> top = body->kind == StmtKind::Seq ? body->as<Seq>()->stmts : std::vector<Stmt>{body};
  size_t at = 0;
  if (!after.empty()) {
    for (size_t i = 0; i < top.size(); ++i) {
      if (!find_path(top[i], [&](const StmtNode& n) { return n.as<Block>() && n.as<Block>()->name == after; }).empty()) at = i + 1;
    }
    if (at == 0) throw ScheduleError(what + "block \"" + after + "\" is not in the function's root scope");
  }
  top.insert(top.begin() + static_cast<std::ptrdiff_t>(at), stage);
  return std::make_shared<Seq>(std::move(top), body->loc);
}

// The blocks named in `names` with `buffer` replaced by `replacement` and their regions inferred again.
Stmt redirect(const Stmt& body, const std::vector<std::string>& names, const Buffer* buffer, const BufferPtr& replacement) {
  return map_blocks(body, [&](const Block& block) -> Stmt {
    if (std::find(names.begin(), names.end(), block.name) == names.end()) return nullptr;
    auto copy = std::make_shared<Block>(block);
    copy->regions_given = false;
    Stmt rewritten = rewrite_stmt(copy, [](const Expr&) -> Expr { return nullptr; }, BufferMap{{buffer, replacement}});
    return rewritten;
  });
}

}  // namespace

BlockRV Schedule::cache_read(const BlockRV& rv, int64_t index, const std::string& scope) {
  const std::string what = "cache_read: ";
  if (!valid_scope(scope)) throw ScheduleError(what + "\"" + scope + "\" is not a storage scope (such as \"shared\", \"local\" or \"global\")");
  const PrimFunc& func = function(rv.func);
  BufferPtr buffer = indexed_buffer(*this, rv, index, false, what);
  std::vector<std::string> writers, readers;
  users_of(func.body, buffer.get(), writers, readers);
  if (writers.size() > 1) throw ScheduleError(what + "buffer '" + buffer->name + "' is written by more than one block (" + writers[0] + ", " + writers[1] + ")");
  auto cache = std::make_shared<Buffer>(*buffer);
  std::string suffix = scope;
  std::replace(suffix.begin(), suffix.end(), '.', '_');
  cache->name = unique_name(func, buffer->name + "_" + suffix);
  cache->scope = scope;
  readers.erase(std::remove(readers.begin(), readers.end(), writers.empty() ? "" : writers[0]), readers.end());
  Stmt body = redirect(func.body, readers, buffer.get(), cache);
  body = insert_top_level(body, copy_nest(cache->name, buffer, cache), writers.empty() ? "" : writers[0], what);
  add_root_buffer(rv.func, body, cache);
  return {rv.func, cache->name};
}

BlockRV Schedule::cache_write(const BlockRV& rv, int64_t index, const std::string& scope) {
  const std::string what = "cache_write: ";
  if (!valid_scope(scope)) throw ScheduleError(what + "\"" + scope + "\" is not a storage scope (such as \"shared\", \"local\" or \"global\")");
  const PrimFunc& func = function(rv.func);
  BufferPtr buffer = indexed_buffer(*this, rv, index, true, what);
  std::vector<std::string> writers, readers;
  users_of(func.body, buffer.get(), writers, readers);
  if (writers.size() != 1) throw ScheduleError(what + "buffer '" + buffer->name + "' is written by " + std::to_string(writers.size()) + " blocks; it must have one writer");
  auto cache = std::make_shared<Buffer>(*buffer);
  std::string suffix = scope;
  std::replace(suffix.begin(), suffix.end(), '.', '_');
  cache->name = unique_name(func, buffer->name + "_" + suffix);
  cache->scope = scope;
  Stmt body = redirect(func.body, {rv.name}, buffer.get(), cache);
  body = insert_top_level(body, copy_nest(cache->name, cache, buffer), rv.name, what);
  add_root_buffer(rv.func, body, cache);
  return {rv.func, cache->name};
}

void Schedule::set_scope(const BlockRV& rv, int64_t index, const std::string& scope) {
  const std::string what = "set_scope: ";
  if (!valid_scope(scope)) throw ScheduleError(what + "\"" + scope + "\" is not a storage scope (such as \"shared\", \"local\" or \"global\")");
  const PrimFunc& func = function(rv.func);
  BufferPtr buffer = indexed_buffer(*this, rv, index, true, what);
  if (!allocated_by_function(func, buffer.get())) {
    throw ScheduleError(what + "buffer '" + buffer->name + "' is a parameter of " + rv.func + ", not allocated by a block; only an intermediate buffer has a scope to set");
  }
  auto scoped = std::make_shared<Buffer>(*buffer);
  scoped->scope = scope;
  auto copy = std::make_shared<PrimFunc>(func);
  copy->body = rewrite_stmt(func.body, [](const Expr&) -> Expr { return nullptr; }, BufferMap{{buffer.get(), scoped}});
  for (BufferPtr& x : copy->root_alloc_buffers) {
    if (x == buffer) x = scoped;
  }
  set_function(copy);
}

void Schedule::storage_align(const BlockRV& rv, int64_t index, int64_t axis, int64_t factor, int64_t offset) {
  const std::string what = "storage_align: ";
  const PrimFunc& func = function(rv.func);
  BufferPtr buffer = indexed_buffer(*this, rv, index, true, what);
  if (factor <= 0) throw ScheduleError(what + "factor " + std::to_string(factor) + " is not positive");
  int64_t rank = static_cast<int64_t>(buffer->shape.size());
  if (axis < -rank || axis >= rank) throw ScheduleError(what + "axis " + std::to_string(axis) + " is out of range for the " + std::to_string(rank) + "-d buffer '" + buffer->name + "'");
  if (axis < 0) axis += rank;
  if (!allocated_by_function(func, buffer.get())) {
    throw ScheduleError(what + "buffer '" + buffer->name + "' is a parameter of " + rv.func + ", not allocated by a block; its layout is the caller's");
  }
  auto number = [](int64_t v) {
    auto a = std::make_shared<AttrValue>();
    a->kind = AttrValue::Kind::Int;
    a->int_value = v;
    return AttrValuePtr(a);
  };
  // buffer_dim_align: [[buffer_index, axis, factor, offset], ...], one entry per (buffer, axis).
  auto list = std::make_shared<AttrValue>();
  list->kind = AttrValue::Kind::List;
  for (const auto& [key, value] : block_at(block_path(rv)).annotations) {
    if (key != "buffer_dim_align" || value->kind != AttrValue::Kind::List) continue;
    for (const AttrValuePtr& entry : value->items) {
      bool same = entry->items.size() == 4 && entry->items[0]->int_value == index && entry->items[1]->int_value == axis;
      if (!same) list->items.push_back(entry);
    }
  }
  auto entry = std::make_shared<AttrValue>();
  entry->kind = AttrValue::Kind::List;
  entry->items = {number(index), number(axis), number(factor), number(offset)};
  list->items.push_back(entry);
  annotate(rv, "buffer_dim_align", list);
}

}  // namespace relaxc::schedule
