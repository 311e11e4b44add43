#include "runtime/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace relaxrt {

namespace {

// Workers wait for a generation number to change, run their chunk of the current job, and
// count down; the calling thread runs chunk 0 itself.
class Pool {
 public:
  explicit Pool(int threads) : threads_(std::max(1, threads)) {
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { work(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }
  int threads() const { return threads_; }

  int32_t run(int64_t n, ParallelBody body, void* closure) {
    std::lock_guard<std::mutex> serial(run_mutex_);  // one parallel loop at a time
    int chunks = static_cast<int>(std::min<int64_t>(threads_, n));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      n_ = n;
      body_ = body;
      closure_ = closure;
      chunks_ = chunks;
      status_ = 0;
      pending_ = chunks - 1;
      ++generation_;
    }
    wake_.notify_all();
    record(run_chunk(0));
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    return status_;
  }

 private:
  int32_t run_chunk(int chunk) {
    int64_t begin = n_ * chunk / chunks_, end = n_ * (chunk + 1) / chunks_;
    return begin < end ? body_(begin, end, closure_) : 0;
  }
  void record(int32_t status) {
    if (status == 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (status_ == 0) status_ = status;
  }
  void work(int index) {
    uint64_t seen = 0;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stopping_) return;
        if (index >= chunks_) continue;
      }
      record(run_chunk(index));
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_, run_mutex_;
  std::condition_variable wake_, done_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  int64_t n_ = 0;
  ParallelBody body_ = nullptr;
  void* closure_ = nullptr;
  int chunks_ = 0, pending_ = 0;
  int32_t status_ = 0;
};

std::atomic<int> requested_threads{0};
std::mutex pool_mutex;
std::unique_ptr<Pool> pool;

Pool& the_pool() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  int want = requested_threads.load();
  if (want <= 0) want = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!pool || pool->threads() != want) pool = std::make_unique<Pool>(want);
  return *pool;
}

}  // namespace

int32_t parallel_for(int64_t n, ParallelBody body, void* closure) {
  if (n <= 0) return 0;
  if (n == 1 || requested_threads.load() == 1) return body(0, n, closure);
  Pool& p = the_pool();
  if (p.threads() == 1) return body(0, n, closure);
  return p.run(n, body, closure);
}

void set_thread_count(int threads) { requested_threads.store(threads); }

int thread_count() { return the_pool().threads(); }

}  // namespace relaxrt
