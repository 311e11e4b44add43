// `relaxrun --benchmark N`: times N calls of a function after W warm-up calls, in process, and
// reports min, median (p50), p90, p99, mean and max per call (text or JSON) and items per second
// for batched inputs.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace relaxrun {

struct BenchmarkOptions {
  int runs = 0;
  int warmup = 3;
  bool json = false;
  int64_t items = 0;  // the first input's batch size, or 0 when it has none
};

void run_benchmark(std::ostream& out, const BenchmarkOptions& options, const std::function<void()>& call);

}  // namespace relaxrun
