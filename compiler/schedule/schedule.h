// TVM's TensorIR schedule primitives over relaxc's IR (tvm.tir.Schedule): each takes a module
// and rewrites one prim_func, with TVM's meaning and its precondition checks. A failed check
// throws ScheduleError naming the block or loop and the condition; the module is then as it
// was before the call. Blocks are named by function and block name (unique in a function),
// loops by their loop variable, so handles stay valid across rewrites of other parts of the
// tree, as TVM's BlockRV and LoopRV do.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/ir/module.h"
#include "compiler/schedule/schedule_tree.h"

namespace relaxc::schedule {

struct BlockRV {
  std::string func;
  std::string name;
};

struct LoopRV {
  std::string func;
  tir::VarPtr var;
};

// transform_layout's index map (a lambda in a schedule file): the new indices of an element
// from its old ones.
struct IndexMap {
  size_t inputs = 0;
  std::function<std::vector<tir::Expr>(const std::vector<tir::Expr>&)> apply;
};

class Schedule {
 public:
  explicit Schedule(Module module) : module_(std::move(module)) {}

  const Module& module() const { return module_; }
  // The prim_funcs some primitive changed, by name.
  const std::set<std::string>& scheduled_functions() const { return touched_; }

  // ---- lookup (schedule.cc)
  void work_on(const std::string& func);
  BlockRV get_block(const std::string& name, const std::optional<std::string>& func = std::nullopt) const;
  std::vector<LoopRV> get_loops(const BlockRV& block) const;
  std::vector<BlockRV> get_child_blocks(const BlockRV& block) const;
  std::vector<BlockRV> get_child_blocks(const LoopRV& loop) const;
  std::vector<BlockRV> get_producers(const BlockRV& block) const;
  std::vector<BlockRV> get_consumers(const BlockRV& block) const;

  // ---- loop kinds and annotations (schedule.cc)
  void parallel(const LoopRV& loop);
  void vectorize(const LoopRV& loop);
  void unroll(const LoopRV& loop);
  void bind(const LoopRV& loop, const std::string& thread);
  void annotate(const BlockRV& block, const std::string& key, const AttrValuePtr& value);
  void annotate(const LoopRV& loop, const std::string& key, const AttrValuePtr& value);

  // ---- loop transformations (loop_transforms.cc). A factor of nullopt is inferred (at most one).
  std::vector<LoopRV> split(const LoopRV& loop, const std::vector<std::optional<int64_t>>& factors, bool preserve_unit_iters = true);
  LoopRV fuse(const std::vector<LoopRV>& loops, bool preserve_unit_iters = true);
  void reorder(const std::vector<LoopRV>& order);

  // ---- where a block is computed (compute_location.cc, inline.cc)
  void compute_at(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops = false);
  void reverse_compute_at(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops = false);
  void compute_inline(const BlockRV& block);
  void reverse_compute_inline(const BlockRV& block);

  // ---- buffers (cache_stages.cc); an index counts the block's reads (or writes) in order.
  BlockRV cache_read(const BlockRV& block, int64_t read_buffer_index, const std::string& storage_scope);
  BlockRV cache_write(const BlockRV& block, int64_t write_buffer_index, const std::string& storage_scope);
  void set_scope(const BlockRV& block, int64_t buffer_index, const std::string& storage_scope);
  void storage_align(const BlockRV& block, int64_t buffer_index, int64_t axis, int64_t factor, int64_t offset);
  // The buffer's elements moved to the indices `map` gives (a one-to-one map of a buffer the
  // function allocates, of constant shape), every access of it rewritten.
  void transform_layout(const BlockRV& block, int64_t buffer_index, bool writes, const IndexMap& map);

  // ---- reductions (decompose_reduction.cc)
  BlockRV decompose_reduction(const BlockRV& block, const LoopRV& loop);
  // (rfactor.cc) The partial-result block "<name>_rf" it creates.
  BlockRV rfactor(const LoopRV& loop, int64_t factor_axis);
  // (blockize.cc) The outer block "<name>_o" it creates.
  BlockRV blockize(const LoopRV& loop);

  // For the primitives' files: the function, a block or loop with the path to it, and the
  // function given a new body (regions of the blocks in `changed` are inferred again).
  const tir::PrimFunc& function(const std::string& name) const;
  std::vector<tir::Stmt> block_path(const BlockRV& block) const;
  std::vector<tir::Stmt> loop_path(const LoopRV& loop) const;
  void set_body(const std::string& func, const tir::Stmt& body);
  void set_function(const tir::PrimFuncPtr& func);
  // The function given a new body that uses `buffer`, a new allocation of its root block.
  void add_root_buffer(const std::string& func, const tir::Stmt& body, const tir::BufferPtr& buffer);
  // The same, also dropping `buffer` from the function's allocations (root or block).
  void set_body_without_buffer(const std::string& func, const tir::Stmt& body, const tir::Buffer* buffer);
  // Handles of `block` now find the block named `new_name` (decompose_reduction's "_update").
  void record_rename(const BlockRV& block, const std::string& new_name);
  std::string describe(const BlockRV& block) const { return "block \"" + block.name + "\" of " + block.func; }
  std::string describe(const LoopRV& loop) const { return "loop '" + loop.var->name + "' of " + loop.func; }

 private:
  void set_loop_kind(const LoopRV& loop, tir::ForKind kind, const std::string& thread, const char* primitive);
  Module module_;
  std::string current_;  // work_on's function
  std::set<std::string> touched_;
  std::map<std::pair<std::string, std::string>, std::string> renamed_;  // (func, old name) -> new name
};

// The block `path` ends at (a path from block_path).
inline const tir::Block& block_at(const std::vector<tir::Stmt>& path) { return *path.back()->as<tir::Block>(); }
inline const tir::For& loop_at(const std::vector<tir::Stmt>& path) { return *path.back()->as<tir::For>(); }

}  // namespace relaxc::schedule
