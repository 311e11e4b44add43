// Buffer-level primitives. cache_read(block, i, scope): a new buffer "<buf>_<scope>" and a block
// of the same name copying the block's i-th read buffer into it, at the start of the function
// (an input) or just after the buffer's one writer; every reader then reads the copy.
// cache_write(block, i, scope): the block writes "<buf>_<scope>" instead, and a new block
// copies it back just after the writer's loop nest. set_scope changes a buffer's storage scope;
// storage_align records a dimension alignment (buffer_dim_align), a layout hint that does not
// change values. Copies cover the whole buffer, as TVM's did in 2022; compute_at shrinks them.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

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

namespace relaxc::schedule {

namespace {

// The value of an integer index expression at `values` of the variables; nullopt for anything
// but integer arithmetic.
std::optional<int64_t> evaluate(const Expr& e, const std::map<const Var*, int64_t>& values) {
  if (const auto* imm = e->as<IntImm>()) return imm->value;
  if (const auto* ref = e->as<VarRef>()) {
    auto it = values.find(ref->var.get());
    return it == values.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }
  if (const auto* cast = e->as<Cast>()) return evaluate(cast->value, values);
  const auto* bin = e->as<Binary>();
  if (!bin) return std::nullopt;
  std::optional<int64_t> a = evaluate(bin->a, values), c = evaluate(bin->b, values);
  if (!a || !c) return std::nullopt;
  switch (bin->op) {
    case BinaryOp::Add: return *a + *c;
    case BinaryOp::Sub: return *a - *c;
    case BinaryOp::Mul: return *a * *c;
    case BinaryOp::FloorDiv:
    case BinaryOp::FloorMod: {
      if (*c == 0) return std::nullopt;
      int64_t q = *a / *c, m = *a % *c;
      if (m != 0 && ((m < 0) != (*c < 0))) q -= 1, m += *c;
      return bin->op == BinaryOp::FloorDiv ? q : m;
    }
    default: return std::nullopt;
  }
}

// The shape `map` gives a buffer of `shape`, checking on every element that the map is one to
// one onto it (no padding, no two elements in one place).
// When `map` only reorders the dimensions (lambda n, c, h, w: (n, h, w, c)), the shape reordered
// alike, whatever its extents (a symbolic batch among them); nullopt for any other map.
std::optional<std::vector<Expr>> permuted_shape(const std::vector<Expr>& shape, const IndexMap& map) {
  DataType dtype = shape.empty() ? DataType::Int64 : shape[0]->dtype;
  std::vector<VarPtr> vars;
  std::vector<Expr> refs;
  for (size_t d = 0; d < shape.size(); ++d) vars.push_back(b::fresh("i" + std::to_string(d), dtype, {})), refs.push_back(b::var_ref(vars.back()));
  std::vector<Expr> outputs = map.apply(refs);
  if (outputs.size() != shape.size()) return std::nullopt;
  std::vector<Expr> permuted;
  std::set<const Var*> seen;
  for (const Expr& out : outputs) {
    const auto* ref = out->as<VarRef>();
    auto at = ref ? std::find(vars.begin(), vars.end(), ref->var) : vars.end();
    if (at == vars.end() || !seen.insert(ref->var.get()).second) return std::nullopt;
    permuted.push_back(shape[static_cast<size_t>(at - vars.begin())]);
  }
  return permuted;
}

std::vector<int64_t> mapped_shape(const std::vector<int64_t>& shape, const IndexMap& map, DataType dtype, const std::string& what) {
  constexpr int64_t kMaxChecked = int64_t{1} << 22;
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  if (size > kMaxChecked) throw ScheduleError(what + "the buffer has " + std::to_string(size) + " elements, more than the " + std::to_string(kMaxChecked) + " relaxc checks the map on");
  std::vector<VarPtr> vars;
  std::vector<Expr> refs;
  for (size_t d = 0; d < shape.size(); ++d) vars.push_back(b::fresh("i" + std::to_string(d), dtype, {})), refs.push_back(b::var_ref(vars.back()));
  std::vector<Expr> outputs = map.apply(refs);
  std::vector<std::vector<int64_t>> points;
  std::vector<int64_t> extent(outputs.size(), 0), index(shape.size(), 0);
  for (int64_t n = 0; n < size; ++n) {
    std::map<const Var*, int64_t> values;
    for (size_t d = 0; d < shape.size(); ++d) values[vars[d].get()] = index[d];
    std::vector<int64_t> point;
    for (size_t o = 0; o < outputs.size(); ++o) {
      std::optional<int64_t> v = evaluate(outputs[o], values);
      if (!v) throw ScheduleError(what + "the index map is not integer arithmetic of its arguments");
      if (*v < 0) throw ScheduleError(what + "the index map gives a negative index (" + std::to_string(*v) + ") in output " + std::to_string(o));
      extent[o] = std::max(extent[o], *v + 1);
      point.push_back(*v);
    }
    points.push_back(point);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  int64_t mapped = 1;
  for (int64_t e : extent) mapped *= e;
  if (mapped != size) {
    throw ScheduleError(what + "the index map takes the " + std::to_string(size) + " elements onto a shape of " + std::to_string(mapped) +
                        (mapped > size ? " (it pads the buffer; pad_value is not supported)" : ""));
  }
  std::vector<char> seen(static_cast<size_t>(size), 0);
  for (const std::vector<int64_t>& p : points) {
    int64_t linear = 0;
    for (size_t o = 0; o < p.size(); ++o) linear = linear * extent[o] + p[o];
    if (seen[static_cast<size_t>(linear)]++) throw ScheduleError(what + "the index map sends two elements to one place; it must be one to one");
  }
  return extent;
}

}  // namespace

void Schedule::transform_layout(const BlockRV& rv, int64_t index, bool writes, const IndexMap& map) {
  const std::string what = "transform_layout: ";
  const PrimFunc& func = function(rv.func);
  BufferPtr buffer = indexed_buffer(*this, rv, index, writes, what);
  if (!allocated_by_function(func, buffer.get())) {
    throw ScheduleError(what + "buffer '" + buffer->name + "' is a parameter of " + rv.func +
                        "; its layout is the function's signature, which the module's callers rely on: transform a buffer the function allocates "
                        "(a cache_read or cache_write of it)");
  }
  if (map.inputs != buffer->shape.size()) {
    throw ScheduleError(what + "the index map takes " + std::to_string(map.inputs) + " indices but buffer '" + buffer->name + "' has " + std::to_string(buffer->shape.size()) + " dimensions");
  }
  auto moved = std::make_shared<Buffer>(*buffer);
  if (std::optional<std::vector<Expr>> permuted = permuted_shape(buffer->shape, map)) {
    moved->shape = *permuted;
  } else {
    std::vector<int64_t> shape;
    for (const Expr& dim : buffer->shape) {
      std::optional<int64_t> v = evaluate(dim, {});
      if (!v) throw ScheduleError(what + "buffer '" + buffer->name + "' has a shape known only at run time; relaxc transforms constant shapes with maps other than a reordering of the dimensions");
      shape.push_back(*v);
    }
    DataType dtype = buffer->shape.empty() ? DataType::Int64 : buffer->shape[0]->dtype;
    moved->shape.clear();
    for (int64_t e : mapped_shape(shape, map, dtype, what + "buffer '" + buffer->name + "': ")) moved->shape.push_back(b::imm(e, dtype, buffer->loc));
  }
  BufferPtr replacement = moved;
  Stmt body = rewrite_buffer_accesses(func.body, buffer.get(), replacement, map.apply);
  // Allocations and stated regions of the buffer: the new one, its regions inferred again.
  body = map_blocks(body, [&](const Block& block) -> Stmt {
    auto copy = std::make_shared<Block>(block);
    bool changed = false;
    for (BufferPtr& b : copy->alloc_buffers) {
      if (b == buffer) b = replacement, changed = true;
    }
    for (const auto* regions : {&block.reads, &block.writes}) {
      for (const BufferRegion& r : *regions) changed = changed || r.buffer == buffer;
    }
    if (!changed) return nullptr;
    if (copy->regions_given) copy->regions_given = false, copy->reads.clear(), copy->writes.clear();
    return copy;
  });
  auto copy = std::make_shared<PrimFunc>(func);
  copy->body = body;
  for (BufferPtr& b : copy->root_alloc_buffers) {
    if (b == buffer) b = replacement;
  }
  set_function(copy);
}

}  // namespace relaxc::schedule
