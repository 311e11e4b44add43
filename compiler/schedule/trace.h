// A schedule that records the primitives called on it as the lines `sch.trace.show()` prints
// (b0 = sch.get_block(name="Y", func_name="main"), l1, l2 = sch.get_loops(block=b0), ...), so
// what a rule of the default schedule did can be printed, edited and read back by
// relaxc --schedule. Rules call the primitives through it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/schedule/schedule.h"

namespace relaxc::schedule {

class TracedSchedule {
 public:
  explicit TracedSchedule(Schedule& sch) : sch_(sch) {}

  Schedule& schedule() { return sch_; }
  const std::vector<std::string>& lines() const { return lines_; }

  BlockRV get_block(const std::string& name, const std::string& func);
  std::vector<LoopRV> get_loops(const BlockRV& block);
  std::vector<LoopRV> split(const LoopRV& loop, const std::vector<std::optional<int64_t>>& factors);
  LoopRV fuse(const std::vector<LoopRV>& loops);
  void reorder(const std::vector<LoopRV>& order);
  void parallel(const LoopRV& loop);
  void vectorize(const LoopRV& loop);
  void unroll(const LoopRV& loop);
  BlockRV cache_write(const BlockRV& block, int64_t index, const std::string& scope);
  void compute_at(const BlockRV& block, const LoopRV& loop);
  void reverse_compute_at(const BlockRV& block, const LoopRV& loop);
  BlockRV rfactor(const LoopRV& loop, int64_t factor_axis);
  BlockRV decompose_reduction(const BlockRV& block, const LoopRV& loop);
  void compute_inline(const BlockRV& block);
  // transform_layout of a buffer the block writes (or reads), its dimensions reordered: new
  // dimension d is old dimension order[d].
  void permute_layout(const BlockRV& block, int64_t index, bool writes, const std::vector<size_t>& order);

 private:
  std::string name_of(const BlockRV& block);
  std::string name_of(const LoopRV& loop);
  std::string define(const BlockRV& block);
  std::string define(const LoopRV& loop);
  std::string defines(const std::vector<LoopRV>& loops);

  Schedule& sch_;
  std::vector<std::string> lines_;
  std::map<std::pair<std::string, std::string>, std::string> blocks_;
  std::map<const tir::Var*, std::string> loops_;
  int next_ = 0;
};

}  // namespace relaxc::schedule
