// Per-call timing of what a VM runs (relaxrun --profile): every call of a compiled kernel, a
// runtime function, a VM builtin or a VM function, with its start and duration, gathered by
// call site. A site also keeps what its first call was given (argument shapes, bytes) and the
// kernel's floating-point operations relaxc counted, evaluated on those arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/executable.h"
#include "runtime/value.h"

namespace relaxrt {

class Profiler {
 public:
  struct Site {
    int64_t address = 0;      // of the Call instruction
    int64_t callee = 0;       // its function-table entry
    FunctionRef::Kind kind = FunctionRef::Kind::Builtin;
    std::string name;
    const SourceSpan* loc = nullptr;  // the binding, when relaxc recorded it
    std::string shapes;               // of the first call's arguments: "1x784, 128x784, 1x128"
    uint64_t bytes = 0;               // of its tensor arguments
    std::optional<int64_t> flops;     // per call, for kernels relaxc counted
    int64_t calls = 0;
    int64_t total_ns = 0;
  };
  struct Event {
    int32_t site = 0;
    int32_t depth = 0;
    int64_t start_ns = 0, duration_ns = 0;  // from the profiler's creation
  };

  explicit Profiler(const Executable& exe);

  int64_t now_ns() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - epoch_).count(); }
  // One call made by the instruction at `address` to function-table entry `callee`, begun at
  // `start_ns` (now_ns()), `depth` VM calls deep; `args` are the arguments it was given (a
  // kernel's outputs among them).
  void record(int64_t address, int64_t callee, const std::vector<Value>& args, int64_t start_ns, int depth);

  const std::vector<Site>& sites() const { return sites_; }
  // The time record() spent on itself, which callers timing whole calls subtract.
  int64_t overhead_ns() const { return overhead_ns_; }
  const std::vector<Event>& events() const { return events_; }
  // Events beyond this many are counted in their site but not kept for the trace.
  static constexpr size_t kMaxEvents = 1 << 20;

 private:
  using Clock = std::chrono::steady_clock;
  Site make_site(int64_t address, int64_t callee, const std::vector<Value>& args) const;

  const Executable& exe_;
  Clock::time_point epoch_ = Clock::now();
  std::vector<int32_t> site_of_address_;  // by bytecode address; -1 before its first call
  std::unordered_map<int64_t, const SourceSpan*> loc_of_address_;
  std::unordered_map<std::string, const KernelCost*> cost_of_kernel_;
  std::vector<Site> sites_;
  std::vector<Event> events_;
  int64_t overhead_ns_ = 0;
};

// The operations `cost` gives for a call with `args`; nullopt when an argument it reads is
// missing or not a tensor of that rank, or the program does not evaluate.
std::optional<int64_t> evaluate_kernel_cost(const KernelCost& cost, const std::vector<Value>& args);

}  // namespace relaxrt
