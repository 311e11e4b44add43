// `relaxrun --profile[=N]`: runs a function W times to warm up, then N times with every kernel,
// runtime function and VM builtin call timed (runtime/profiler.h), and prints one row per
// kernel call site and per builtin: share of the call, total and mean time, calls, GFLOP/s
// (from the operations relaxc counted), GB/s (over its tensor arguments), the .tvms line and
// the argument shapes. As a table, as JSON, or as a Chrome trace-event file (Perfetto,
// chrome://tracing) of every call.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "runtime/executable.h"
#include "runtime/vm.h"

namespace relaxrun {

struct ProfileOptions {
  int calls = 10;
  int warmup = 3;
  std::string format = "table";  // table, json or chrome
  std::string function = "main";
};

void run_profile(std::ostream& out, const ProfileOptions& options, const relaxrt::Executable& exe, relaxrt::VirtualMachine& vm,
                 const std::function<void()>& call);

}  // namespace relaxrun
