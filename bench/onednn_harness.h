// What the oneDNN baselines share: reading the weights (.npz) and inputs (.npy), timing a call
// after warm-up, and printing one JSON line with the per-call times. Built only for bench/.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "runtime/file_io.h"
#include "runtime/npy.h"
#include "runtime/npz.h"

namespace bench {

struct Inputs {
  std::vector<relaxrt::NamedArray> params;
  relaxrt::HostArray images;
  int64_t batch = 0;
  int runs = 0;

  const relaxrt::HostArray& param(const char* key) const {
    for (const auto& p : params) {
      if (p.name == key) return p.array;
    }
    std::fprintf(stderr, "no %s in the archive\n", key);
    std::exit(1);
  }
};

// argv: PARAMS.npz IMAGES.npy BATCH RUNS
inline Inputs read_inputs(int argc, char** argv, const char* usage) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s\n", usage);
    std::exit(2);
  }
  Inputs in;
  std::string npz, npy, error;
  if (!relaxrt::read_whole_file(argv[1], npz).empty() || !relaxrt::read_whole_file(argv[2], npy).empty() ||
      !relaxrt::parse_npz(npz, in.params, error) || !relaxrt::parse_npy(npy, in.images, error)) {
    std::fprintf(stderr, "%s: cannot read the inputs %s\n", usage, error.c_str());
    std::exit(1);
  }
  in.batch = std::stoll(argv[3]);
  in.runs = std::stoi(argv[4]);
  return in;
}

// Runs `call` 5 times, then `runs` times timed; prints {"batch", "runs", "min_us", ...}.
inline void time_calls(const Inputs& in, const std::function<void()>& call, float first_output) {
  for (int i = 0; i < 5; ++i) call();
  std::vector<double> us;
  for (int i = 0; i < in.runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    call();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  double median = us[us.size() / 2];
  std::printf("{\"batch\": %lld, \"runs\": %d, \"min_us\": %.3f, \"median_us\": %.3f, \"items_per_s\": %.1f, \"first_logit\": %.6f}\n",
              static_cast<long long>(in.batch), in.runs, us.front(), median, static_cast<double>(in.batch) / (median * 1e-6), first_output);
}

}  // namespace bench
