#include "benchmark.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <vector>

namespace relaxrun {

void run_benchmark(std::ostream& out, const BenchmarkOptions& options, const std::function<void()>& call) {
  for (int i = 0; i < options.warmup; ++i) call();
  std::vector<double> us;
  us.reserve(static_cast<size_t>(options.runs));
  for (int i = 0; i < options.runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    call();
    auto end = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::vector<double> sorted = us;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // Nearest-rank percentiles: the smallest time at least p% of the calls took no longer than.
  auto percentile = [&](double p) { return sorted[std::min(n - 1, static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(n))) - 1)]; };
  double p90 = percentile(90), p99 = percentile(99);
  double mean = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(n);
  double items_per_s = options.items > 0 && median > 0 ? static_cast<double>(options.items) / (median * 1e-6) : 0;
  char line[512];
  if (options.json) {
    std::snprintf(line, sizeof line,
                  "{\"runs\": %zu, \"warmup\": %d, \"min_us\": %.3f, \"median_us\": %.3f, \"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, "
                  "\"mean_us\": %.3f, \"max_us\": %.3f",
                  n, options.warmup, sorted.front(), median, median, p90, p99, mean, sorted.back());
    out << line;
    if (options.items > 0) {
      std::snprintf(line, sizeof line, ", \"items\": %lld, \"items_per_s\": %.1f", static_cast<long long>(options.items), items_per_s);
      out << line;
    }
    out << "}\n";
    return;
  }
  std::snprintf(line, sizeof line, "%zu runs after %d warm-up: min %.3f us, median (p50) %.3f us, p90 %.3f us, p99 %.3f us, mean %.3f us, max %.3f us per call\n",
                n, options.warmup, sorted.front(), median, p90, p99, mean, sorted.back());
  out << line;
  if (options.items > 0) {
    std::snprintf(line, sizeof line, "%lld items per call: %.1f items/s at the median\n", static_cast<long long>(options.items), items_per_s);
    out << line;
  }
}

}  // namespace relaxrun
