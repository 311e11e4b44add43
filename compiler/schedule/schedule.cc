// Lookup primitives (get_block, get_loops, get_child_blocks, get_producers, get_consumers) and
// those that only mark a loop or block: parallel, vectorize, unroll, bind, annotate.
#include "compiler/schedule/schedule.h"

#include <algorithm>

#include "compiler/ir/tir_visitor.h"

namespace relaxc::schedule {

using namespace relaxc::tir;

const PrimFunc& Schedule::function(const std::string& name) const {
  const PrimFunc* func = module_.find_prim_func(name);
  if (!func) {
    std::string names;
    for (const PrimFuncPtr& f : module_.prim_funcs) names += (names.empty() ? "" : ", ") + f->name;
    throw UnknownFunctionError("the module has no prim_func '" + name + "' (it has: " + (names.empty() ? "none" : names) + ")");
  }
  return *func;
}

void Schedule::work_on(const std::string& func) {
  function(func);
  current_ = func;
}

BlockRV Schedule::get_block(const std::string& name, const std::optional<std::string>& func) const {
  std::string in = func ? *func : current_;
  if (in.empty()) {
    // As TVM's schedule: the one prim_func, or else the one named main.
    if (module_.prim_funcs.size() == 1) in = module_.prim_funcs[0]->name;
    else if (module_.find_prim_func("main")) in = "main";
    else throw ScheduleError("get_block(\"" + name + "\") needs func_name= (or sch.work_on(...)): the module has several prim_funcs and none is named main");
  }
  BlockRV rv{in, name};
  if (block_path(rv).empty()) {
    std::string names;
    visit_stmt(function(in).body, [&](const StmtNode& n) {
      if (const auto* b = n.as<Block>()) names += (names.empty() ? "" : ", ") + b->name;
    });
    throw ScheduleError("prim_func " + in + " has no block \"" + name + "\" (its blocks: " + (names.empty() ? "none" : names) + ")");
  }
  return rv;
}

std::vector<Stmt> Schedule::block_path(const BlockRV& block) const {
  auto find = [&](const std::string& name) {
    return find_path(function(block.func).body, [&](const StmtNode& n) {
      const auto* b = n.as<Block>();
      return b && b->name == name;
    });
  };
  std::vector<Stmt> path = find(block.name);
  // A handle follows its block through a renaming primitive, as TVM's BlockRV does.
  auto renamed = renamed_.find({block.func, block.name});
  if (path.empty() && renamed != renamed_.end()) return block_path({block.func, renamed->second});
  return path;
}

void Schedule::record_rename(const BlockRV& block, const std::string& new_name) { renamed_[{block.func, block.name}] = new_name; }

std::vector<Stmt> Schedule::loop_path(const LoopRV& loop) const {
  std::vector<Stmt> path = find_path(function(loop.func).body, [&](const StmtNode& n) {
    const auto* f = n.as<For>();
    return f && f->loop_var == loop.var;
  });
  if (path.empty()) throw ScheduleError(describe(loop) + " no longer exists (a split, fuse or compute_at replaced it)");
  return path;
}

void Schedule::set_body(const std::string& func, const Stmt& body) {
  for (PrimFuncPtr& f : module_.prim_funcs) {
    if (f->name != func) continue;
    auto copy = std::make_shared<PrimFunc>(*f);
    copy->body = body;
    copy->scheduled = true;
    f = copy;
  }
  touched_.insert(func);
}

void Schedule::set_function(const PrimFuncPtr& func) {
  for (PrimFuncPtr& f : module_.prim_funcs) {
    if (f->name != func->name) continue;
    auto copy = std::make_shared<PrimFunc>(*func);
    copy->scheduled = true;
    f = copy;
  }
  touched_.insert(func->name);
}

void Schedule::add_root_buffer(const std::string& func, const Stmt& body, const BufferPtr& buffer) {
  auto copy = std::make_shared<PrimFunc>(function(func));
  copy->body = body;
  copy->root_alloc_buffers.push_back(buffer);
  copy->has_root_block = true;
  set_function(copy);
}

void Schedule::set_body_without_buffer(const std::string& func, const Stmt& body, const Buffer* buffer) {
  set_body(func, body);
  for (PrimFuncPtr& f : module_.prim_funcs) {
    if (f->name != func) continue;
    auto copy = std::make_shared<PrimFunc>(*f);
    auto& allocs = copy->root_alloc_buffers;
    allocs.erase(std::remove_if(allocs.begin(), allocs.end(), [&](const BufferPtr& b) { return b.get() == buffer; }), allocs.end());
    copy->body = map_blocks(copy->body, [&](const Block& block) -> Stmt {
      auto found = std::find_if(block.alloc_buffers.begin(), block.alloc_buffers.end(), [&](const BufferPtr& b) { return b.get() == buffer; });
      if (found == block.alloc_buffers.end()) return nullptr;
      auto without = std::make_shared<Block>(block);
      without->alloc_buffers.erase(without->alloc_buffers.begin() + (found - block.alloc_buffers.begin()));
      return without;
    });
    f = copy;
  }
}

std::vector<LoopRV> Schedule::get_loops(const BlockRV& block) const {
  std::vector<LoopRV> loops;
  for (const For* loop : loops_on(block_path(block))) loops.push_back({block.func, loop->loop_var});
  return loops;
}

std::vector<BlockRV> Schedule::get_child_blocks(const BlockRV& block) const {
  std::vector<BlockRV> out;
  for (const Block* b : child_blocks(block_path(block).back())) out.push_back({block.func, b->name});
  return out;
}

std::vector<BlockRV> Schedule::get_child_blocks(const LoopRV& loop) const {
  std::vector<BlockRV> out;
  for (const Block* b : child_blocks(loop_path(loop).back())) out.push_back({loop.func, b->name});
  return out;
}

namespace {

// The buffers a block writes and reads: its stores and loads (regions may not be stated).
void accesses(const Block& block, std::set<const Buffer*>& reads, std::set<const Buffer*>& writes) {
  for (const Stmt& part : {block.init, block.body}) {
    visit_stmt(part, [&](const StmtNode& n) {
      if (const auto* store = n.as<Store>()) writes.insert(store->buffer.get());
    }, [&](const ExprNode& e) {
      if (const auto* load = e.as<Load>()) reads.insert(load->buffer.get());
      if (const auto* ref = e.as<BufferRef>()) reads.insert(ref->buffer.get()), writes.insert(ref->buffer.get());
    });
  }
  for (const BufferRegion& r : block.reads) reads.insert(r.buffer.get());
  for (const BufferRegion& r : block.writes) writes.insert(r.buffer.get());
}

// The blocks of the scope `block` is in (the children of its enclosing block, or of the root).
std::vector<const Block*> scope_blocks(const std::vector<Stmt>& path) {
  Stmt scope;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (path[i]->kind == StmtKind::Block) scope = path[i];
  }
  // The root: wrapped so that child_blocks sees a top-level block too.
  if (!scope) return child_blocks(std::make_shared<Seq>(std::vector<Stmt>{path[0]}, path[0]->loc));
  return child_blocks(scope);
}

}  // namespace

// Producers: blocks of the same scope before `block` that write a buffer it reads; consumers:
// blocks after it that read a buffer it writes.
std::vector<BlockRV> Schedule::get_producers(const BlockRV& block) const {
  std::vector<Stmt> path = block_path(block);
  std::set<const Buffer*> reads, writes, r, w;
  accesses(block_at(path), reads, writes);
  std::vector<BlockRV> out;
  for (const Block* other : scope_blocks(path)) {
    if (other == &block_at(path)) break;
    r.clear(), w.clear();
    accesses(*other, r, w);
    if (std::any_of(w.begin(), w.end(), [&](const Buffer* b) { return reads.count(b); })) out.push_back({block.func, other->name});
  }
  return out;
}

std::vector<BlockRV> Schedule::get_consumers(const BlockRV& block) const {
  std::vector<Stmt> path = block_path(block);
  std::set<const Buffer*> reads, writes, r, w;
  accesses(block_at(path), reads, writes);
  std::vector<BlockRV> out;
  bool after = false;
  for (const Block* other : scope_blocks(path)) {
    if (other == &block_at(path)) {
      after = true;
      continue;
    }
    if (!after) continue;
    r.clear(), w.clear();
    accesses(*other, r, w);
    if (std::any_of(r.begin(), r.end(), [&](const Buffer* b) { return writes.count(b); })) out.push_back({block.func, other->name});
  }
  return out;
}

namespace {

// Whether `var` appears in the binding of a reduction axis of a block under `loop`.
bool binds_reduction_axis(const For& loop) {
  bool found = false;
  visit_stmt(loop.body, [&](const StmtNode& n) {
    const auto* block = n.as<Block>();
    if (!block) return;
    for (const IterVar& iv : block->iter_vars) {
      if (iv.kind == IterKind::Reduce && iv.binding && uses_var(iv.binding, loop.loop_var.get())) found = true;
    }
  });
  return found;
}

}  // namespace

void Schedule::set_loop_kind(const LoopRV& loop, ForKind kind, const std::string& thread, const char* primitive) {
  std::vector<Stmt> path = loop_path(loop);
  const For& current = loop_at(path);
  // Iterations of a parallel, vectorized or thread-bound loop run in any order: none may carry
  // a reduction (TVM: "the loop is bound to a reduction block iter").
  if (kind != ForKind::Unrolled && binds_reduction_axis(current)) {
    throw ScheduleError(std::string(primitive) + ": " + describe(loop) + " is bound to a reduction axis of a block under it; its iterations cannot run in any order");
  }
  if (kind == ForKind::Vectorized && !current.extent->as<IntImm>()) {
    throw ScheduleError(std::string(primitive) + ": " + describe(loop) + " has an extent that is not a constant; only a loop of constant extent can be vectorized");
  }
  auto copy = std::make_shared<For>(current);
  copy->for_kind = kind;
  copy->thread = thread;
  set_body(loop.func, replace_at(path, copy));
}

void Schedule::parallel(const LoopRV& loop) { set_loop_kind(loop, ForKind::Parallel, "", "parallel"); }
void Schedule::vectorize(const LoopRV& loop) { set_loop_kind(loop, ForKind::Vectorized, "", "vectorize"); }
void Schedule::unroll(const LoopRV& loop) { set_loop_kind(loop, ForKind::Unrolled, "", "unroll"); }

void Schedule::bind(const LoopRV& loop, const std::string& thread) {
  static const std::vector<std::string> threads = {"blockIdx.x", "blockIdx.y", "blockIdx.z", "threadIdx.x", "threadIdx.y", "threadIdx.z", "vthread.x", "vthread.y", "vthread.z"};
  if (std::find(threads.begin(), threads.end(), thread) == threads.end()) {
    throw ScheduleError("bind: \"" + thread + "\" is not a thread axis (blockIdx.x/y/z, threadIdx.x/y/z, vthread.x/y/z)");
  }
  set_loop_kind(loop, ForKind::ThreadBinding, thread, "bind");
}

namespace {

void set_annotation(AttrDict& annotations, const std::string& key, const AttrValuePtr& value) {
  for (auto& entry : annotations) {
    if (entry.first == key) {
      entry.second = value;
      return;
    }
  }
  annotations.push_back({key, value});
}

}  // namespace

void Schedule::annotate(const BlockRV& block, const std::string& key, const AttrValuePtr& value) {
  std::vector<Stmt> path = block_path(block);
  auto copy = std::make_shared<Block>(block_at(path));
  set_annotation(copy->annotations, key, value);
  set_body(block.func, replace_at(path, copy));
}

void Schedule::annotate(const LoopRV& loop, const std::string& key, const AttrValuePtr& value) {
  std::vector<Stmt> path = loop_path(loop);
  auto copy = std::make_shared<For>(loop_at(path));
  set_annotation(copy->annotations, key, value);
  set_body(loop.func, replace_at(path, copy));
}

}  // namespace relaxc::schedule
