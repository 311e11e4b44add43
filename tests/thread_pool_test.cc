#include <catch2/catch.hpp>

#include <atomic>
#include <vector>

#include "runtime/thread_pool.h"

namespace {

struct Coverage {
  std::vector<std::atomic<int>> hits;
  int64_t failing = -1;  // an index whose chunk reports status 7
  explicit Coverage(size_t n) : hits(n) {}
};

int32_t visit(int64_t begin, int64_t end, void* closure) {
  auto* coverage = static_cast<Coverage*>(closure);
  int32_t status = 0;
  for (int64_t i = begin; i < end; ++i) {
    coverage->hits[static_cast<size_t>(i)]++;
    if (i == coverage->failing) status = 7;
  }
  return status;
}

}  // namespace

TEST_CASE("parallel loops visit every iteration once, with any thread count", "[threads]") {
  for (int threads : {1, 2, 3, 8}) {
    relaxrt::set_thread_count(threads);
    for (int64_t n : {0, 1, 2, 5, 1000}) {
      Coverage coverage(static_cast<size_t>(n));
      CHECK(relaxrt::parallel_for(n, visit, &coverage) == 0);
      for (const auto& hit : coverage.hits) CHECK(hit.load() == 1);
    }
  }
  relaxrt::set_thread_count(0);
}

TEST_CASE("a failing chunk's status is what the parallel loop returns", "[threads]") {
  for (int threads : {1, 2, 4}) {
    relaxrt::set_thread_count(threads);
    Coverage coverage(100);
    coverage.failing = 63;
    CHECK(relaxrt::parallel_for(100, visit, &coverage) == 7);
    for (const auto& hit : coverage.hits) CHECK(hit.load() == 1);  // the other chunks still ran
  }
  relaxrt::set_thread_count(0);
}

TEST_CASE("back-to-back loops of different sizes, with the workers stopped and restarted", "[threads]") {
  // Workers claim chunks, so one that starts late (just created) or is still finishing the last
  // loop may run chunks of the next: every iteration must still run exactly once.
  for (int threads : {2, 3, 8}) {
    relaxrt::set_thread_count(threads);
    for (int round = 0; round < 200; ++round) {
      if (round % 50 == 0) relaxrt::release_threads();
      int64_t n = 1 + (round * 7) % 23;
      Coverage coverage(static_cast<size_t>(n));
      CHECK(relaxrt::parallel_for(n, visit, &coverage) == 0);
      for (const auto& hit : coverage.hits) CHECK(hit.load() == 1);
    }
  }
  relaxrt::set_thread_count(0);
}
