#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
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

namespace {

int32_t count_off_caller(int64_t begin, int64_t end, void* closure) {
  auto* caller = static_cast<std::pair<std::thread::id, std::atomic<int>>*>(closure);
  if (std::this_thread::get_id() != caller->first) caller->second += static_cast<int>(end - begin);
  return 0;
}

}  // namespace

TEST_CASE("threads start once the loops' work pays for them, or for a loop of unknown work", "[threads]") {
  relaxrt::set_thread_count(2);
  relaxrt::release_threads();
  std::pair<std::thread::id, std::atomic<int>> caller{std::this_thread::get_id(), 0};
  // Small loops add up: 100 of 2^14 statements stay on this thread, short of 2^21.
  for (int i = 0; i < 100; ++i) CHECK(relaxrt::parallel_for_work(8, 1 << 14, count_off_caller, &caller) == 0);
  CHECK_FALSE(relaxrt::threads_started());
  CHECK(caller.second.load() == 0);
  CHECK(relaxrt::thread_count() == 2);  // asking does not start them
  CHECK_FALSE(relaxrt::threads_started());
  // The next 40 reach it.
  for (int i = 0; i < 40; ++i) CHECK(relaxrt::parallel_for_work(8, 1 << 14, count_off_caller, &caller) == 0);
  CHECK(relaxrt::threads_started());
  relaxrt::release_threads();
  CHECK_FALSE(relaxrt::threads_started());
  // One large loop starts them at once, as does a loop that does not say.
  CHECK(relaxrt::parallel_for_work(8, int64_t{1} << 30, count_off_caller, &caller) == 0);
  CHECK(relaxrt::threads_started());
  relaxrt::release_threads();
  Coverage coverage(10);
  CHECK(relaxrt::parallel_for(10, visit, &coverage) == 0);
  CHECK(relaxrt::threads_started());
  relaxrt::set_thread_count(1);
  relaxrt::release_threads();
  CHECK(relaxrt::parallel_for(10, visit, &coverage) == 0);
  CHECK_FALSE(relaxrt::threads_started());  // one thread wanted: none started
  relaxrt::set_thread_count(0);
}
