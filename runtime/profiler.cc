#include "runtime/profiler.h"

#include "runtime/match_signature.h"

namespace relaxrt {

namespace {

std::string argument_text(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Tensor: {
      if (v.tensor->shape.empty()) return "scalar";
      std::string text;
      for (int64_t d : v.tensor->shape) text += (text.empty() ? "" : "x") + std::to_string(d);
      return text;
    }
    case Value::Kind::Int: return std::to_string(v.i);
    case Value::Kind::Float: return std::to_string(v.f);
    case Value::Kind::Shape: return shape_text(*v.shape);
    default: return describe(v);
  }
}

}  // namespace

Profiler::Profiler(const Executable& exe) : exe_(exe), site_of_address_(exe.bytecode.size(), -1) {
  events_.reserve(4096);
  for (const CallSite& site : exe.call_sites) loc_of_address_[site.address] = &site.loc;
  for (const KernelCost& cost : exe.kernel_costs) cost_of_kernel_[cost.kernel] = &cost;
}

std::optional<int64_t> evaluate_kernel_cost(const KernelCost& cost, const std::vector<Value>& args) {
  ShapeHeap heap;
  for (size_t k = 0; k < cost.slot_args.size(); ++k) {
    int64_t arg = cost.slot_args[k], dim = cost.slot_dims[k];
    if (arg < 0 || arg >= static_cast<int64_t>(args.size())) return std::nullopt;
    const Value& v = args[static_cast<size_t>(arg)];
    if (dim == -1 && v.kind == Value::Kind::Int) {
      heap.values.push_back(v.i);
    } else if (v.kind == Value::Kind::Tensor && dim >= 0 && dim < static_cast<int64_t>(v.tensor->shape.size())) {
      heap.values.push_back(v.tensor->shape[static_cast<size_t>(dim)]);
    } else {
      return std::nullopt;
    }
    heap.bound.push_back(true);
  }
  try {
    return eval_shape_program(cost.program.data(), cost.program.data() + cost.program.size(), heap);
  } catch (const std::runtime_error&) {
    return std::nullopt;
  }
}

Profiler::Site Profiler::make_site(int64_t address, int64_t callee, const std::vector<Value>& args) const {
  Site site;
  site.address = address;
  site.callee = callee;
  const FunctionRef& ref = exe_.function_table[static_cast<size_t>(callee)];
  site.kind = ref.kind;
  site.name = ref.name;
  if (auto it = loc_of_address_.find(address); it != loc_of_address_.end()) site.loc = it->second;
  for (const Value& arg : args) {
    site.shapes += (site.shapes.empty() ? "" : ", ") + argument_text(arg);
    if (arg.kind == Value::Kind::Tensor) site.bytes += arg.tensor->byte_size();
  }
  if (ref.kind == FunctionRef::Kind::Kernel) {
    if (auto it = cost_of_kernel_.find(ref.name); it != cost_of_kernel_.end()) site.flops = evaluate_kernel_cost(*it->second, args);
  }
  return site;
}

void Profiler::record(int64_t address, int64_t callee, const std::vector<Value>& args, int64_t start_ns, int depth) {
  int64_t end_ns = now_ns();
  int32_t& index = site_of_address_[static_cast<size_t>(address)];
  if (index < 0) {
    index = static_cast<int32_t>(sites_.size());
    sites_.push_back(make_site(address, callee, args));
  }
  Site& site = sites_[static_cast<size_t>(index)];
  site.calls += 1;
  site.total_ns += end_ns - start_ns;
  if (events_.size() < kMaxEvents) events_.push_back({index, depth, start_ns, end_ns - start_ns});
  overhead_ns_ += now_ns() - end_ns;
}

}  // namespace relaxrt
