#include "compiler/schedule/trace.h"

#include <stdexcept>

namespace relaxc::schedule {

std::string TracedSchedule::name_of(const BlockRV& block) {
  auto it = blocks_.find({block.func, block.name});
  if (it == blocks_.end()) throw std::logic_error("trace: block " + block.name + " used before it was looked up");
  return it->second;
}

std::string TracedSchedule::name_of(const LoopRV& loop) {
  auto it = loops_.find(loop.var.get());
  if (it == loops_.end()) throw std::logic_error("trace: loop " + loop.var->name + " used before it was looked up");
  return it->second;
}

std::string TracedSchedule::define(const BlockRV& block) {
  std::string name = "b" + std::to_string(next_++);
  blocks_[{block.func, block.name}] = name;
  return name;
}

std::string TracedSchedule::define(const LoopRV& loop) {
  std::string name = "l" + std::to_string(next_++);
  loops_[loop.var.get()] = name;
  return name;
}

std::string TracedSchedule::defines(const std::vector<LoopRV>& loops) {
  std::string out;
  for (const LoopRV& loop : loops) out += (out.empty() ? "" : ", ") + define(loop);
  return loops.size() == 1 ? out + "," : out;
}

BlockRV TracedSchedule::get_block(const std::string& name, const std::string& func) {
  BlockRV rv = sch_.get_block(name, func);
  lines_.push_back(define(rv) + " = sch.get_block(name=\"" + name + "\", func_name=\"" + func + "\")");
  return rv;
}

std::vector<LoopRV> TracedSchedule::get_loops(const BlockRV& block) {
  std::vector<LoopRV> loops = sch_.get_loops(block);
  std::string arg = name_of(block);
  lines_.push_back(defines(loops) + " = sch.get_loops(block=" + arg + ")");
  return loops;
}

std::vector<LoopRV> TracedSchedule::split(const LoopRV& loop, const std::vector<std::optional<int64_t>>& factors) {
  std::string arg = name_of(loop), list;
  for (const std::optional<int64_t>& f : factors) list += (list.empty() ? "" : ", ") + (f ? std::to_string(*f) : std::string("None"));
  std::vector<LoopRV> parts = sch_.split(loop, factors);
  lines_.push_back(defines(parts) + " = sch.split(loop=" + arg + ", factors=[" + list + "], preserve_unit_iters=True)");
  return parts;
}

LoopRV TracedSchedule::fuse(const std::vector<LoopRV>& loops) {
  std::string args;
  for (const LoopRV& l : loops) args += name_of(l) + ", ";
  LoopRV fused = sch_.fuse(loops);
  lines_.push_back(define(fused) + " = sch.fuse(" + args + "preserve_unit_iters=True)");
  return fused;
}

void TracedSchedule::reorder(const std::vector<LoopRV>& order) {
  std::string args;
  for (const LoopRV& l : order) args += (args.empty() ? "" : ", ") + name_of(l);
  sch_.reorder(order);
  lines_.push_back("sch.reorder(" + args + ")");
}

void TracedSchedule::parallel(const LoopRV& loop) {
  sch_.parallel(loop);
  lines_.push_back("sch.parallel(loop=" + name_of(loop) + ")");
}

void TracedSchedule::vectorize(const LoopRV& loop) {
  sch_.vectorize(loop);
  lines_.push_back("sch.vectorize(loop=" + name_of(loop) + ")");
}

void TracedSchedule::unroll(const LoopRV& loop) {
  sch_.unroll(loop);
  lines_.push_back("sch.unroll(loop=" + name_of(loop) + ")");
}

BlockRV TracedSchedule::cache_write(const BlockRV& block, int64_t index, const std::string& scope) {
  std::string arg = name_of(block);
  BlockRV cache = sch_.cache_write(block, index, scope);
  lines_.push_back(define(cache) + " = sch.cache_write(block=" + arg + ", write_buffer_index=" + std::to_string(index) + ", storage_scope=\"" + scope + "\")");
  return cache;
}

void TracedSchedule::compute_at(const BlockRV& block, const LoopRV& loop) {
  sch_.compute_at(block, loop);
  lines_.push_back("sch.compute_at(block=" + name_of(block) + ", loop=" + name_of(loop) + ", preserve_unit_loops=False, index=-1)");
}

BlockRV TracedSchedule::rfactor(const LoopRV& loop, int64_t factor_axis) {
  std::string arg = name_of(loop);
  BlockRV rf = sch_.rfactor(loop, factor_axis);
  lines_.push_back(define(rf) + " = sch.rfactor(loop=" + arg + ", factor_axis=" + std::to_string(factor_axis) + ")");
  return rf;
}

void TracedSchedule::reverse_compute_at(const BlockRV& block, const LoopRV& loop) {
  sch_.reverse_compute_at(block, loop);
  lines_.push_back("sch.reverse_compute_at(block=" + name_of(block) + ", loop=" + name_of(loop) + ", preserve_unit_loops=False, index=-1)");
}

BlockRV TracedSchedule::decompose_reduction(const BlockRV& block, const LoopRV& loop) {
  std::string b = name_of(block), l = name_of(loop);
  BlockRV init = sch_.decompose_reduction(block, loop);
  lines_.push_back(define(init) + " = sch.decompose_reduction(block=" + b + ", loop=" + l + ")");
  return init;
}

void TracedSchedule::compute_inline(const BlockRV& block) {
  sch_.compute_inline(block);
  lines_.push_back("sch.compute_inline(block=" + name_of(block) + ")");
}

void TracedSchedule::permute_layout(const BlockRV& block, int64_t index, bool writes, const std::vector<size_t>& order) {
  IndexMap map;
  map.inputs = order.size();
  map.apply = [order](const std::vector<tir::Expr>& at) {
    std::vector<tir::Expr> out;
    for (size_t d : order) out.push_back(at.at(d));
    return out;
  };
  std::string params, results;
  for (size_t d = 0; d < order.size(); ++d) {
    params += (d ? ", i" : "i") + std::to_string(d);
    results += (d ? ", i" : "i") + std::to_string(order[d]);
  }
  sch_.transform_layout(block, index, writes, map);
  lines_.push_back("sch.transform_layout(block=" + name_of(block) + ", buffer=(\"" + (writes ? "write" : "read") + "\", " + std::to_string(index) +
                   "), index_map=lambda " + params + ": (" + results + (order.size() == 1 ? ",)" : ")") + ")");
}

}  // namespace relaxc::schedule
