#include "runtime/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace relaxrt {

namespace {

// Workers wait for a generation number to change, then claim chunks of the current job from a
// counter, run them and count them down; the calling thread runs chunk 0 and then claims too,
// so a worker that starts late (just created, or descheduled on a busy machine) costs nothing:
// the caller runs its chunk. Kernels call parallel loops back to back and each lasts
// microseconds, so a worker spins for a while (kSpinTime) before it sleeps on the condition
// variable: waking a sleeping thread costs tens of microseconds.
class Pool {
 public:
  explicit Pool(int threads) : threads_(std::max(1, threads)) {
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Pool() {
    stopping_.store(true);
    publish();
    for (std::thread& t : workers_) t.join();
  }
  int threads() const { return threads_; }

  int32_t run(int64_t n, ParallelBody body, void* closure) {
    std::lock_guard<std::mutex> serial(run_mutex_);  // one parallel loop at a time
    int chunks = static_cast<int>(std::min<int64_t>(threads_, n));
    // A worker still claiming from the last job gets nothing while the fields change.
    claims_.store(0);
    n_ = n;
    body_ = body;
    closure_ = closure;
    chunks_ = chunks;
    status_.store(0);
    pending_.store(chunks);
    claims_.store(static_cast<uint64_t>(chunks) << 32 | 1, std::memory_order_release);  // chunk 0 is the caller's
    publish();
    record(run_chunk(0));
    pending_.fetch_sub(1, std::memory_order_release);
    run_claimed();
    auto start = std::chrono::steady_clock::now();
    for (unsigned spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
      pause();
      if ((spins & 1023) == 0 && std::chrono::steady_clock::now() - start > kSpinTime) std::this_thread::yield();
    }
    return status_.load();
  }

 private:
  static constexpr std::chrono::microseconds kSpinTime{2000};
  // Runs chunks of the current job until none is left to claim. A claim is the job's chunk
  // count and next chunk in one word, so a worker late from an earlier job claims from the
  // job that is current, whose fields were written before the word was.
  void run_claimed() {
    uint64_t state = claims_.load(std::memory_order_acquire);
    while (true) {
      uint64_t chunks = state >> 32, next = state & 0xffffffffu;
      if (next >= chunks) return;
      if (!claims_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      record(run_chunk(static_cast<int>(next)));
      pending_.fetch_sub(1, std::memory_order_release);
      state = claims_.load(std::memory_order_acquire);
    }
  }

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  // Makes the job visible to the workers and wakes those asleep.
  void publish() {
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
  }
  int32_t run_chunk(int chunk) {
    int64_t begin = n_ * chunk / chunks_, end = n_ * (chunk + 1) / chunks_;
    return begin < end ? body_(begin, end, closure_) : 0;
  }
  void record(int32_t status) {
    int32_t none = 0;
    if (status != 0) status_.compare_exchange_strong(none, status);
  }
  // Returns the new generation once it differs from `seen`.
  uint64_t wait_for_job(uint64_t seen) {
    auto start = std::chrono::steady_clock::now();
    for (unsigned spins = 0;; ++spins) {
      uint64_t now = generation_.load(std::memory_order_acquire);
      if (now != seen) return now;
      pause();
      if ((spins & 1023) == 0 && std::chrono::steady_clock::now() - start > kSpinTime) break;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    sleepers_.fetch_add(1);
    wake_.wait(lock, [&] { return generation_.load() != seen; });
    sleepers_.fetch_sub(1);
    return generation_.load();
  }
  void work() {
    uint64_t seen = 0;
    while (true) {
      seen = wait_for_job(seen);
      if (stopping_.load()) return;
      run_claimed();
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_, run_mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};
  // The current job: written by run() before publish(), read by workers after they see it.
  int64_t n_ = 0;
  ParallelBody body_ = nullptr;
  void* closure_ = nullptr;
  int chunks_ = 0;
  std::atomic<uint64_t> claims_{0};  // chunk count << 32 | the next chunk to claim
  std::atomic<int> pending_{0};      // chunks not finished yet
  std::atomic<int32_t> status_{0};
};

std::atomic<int> requested_threads{0};
std::mutex pool_mutex;
// Shared with every loop running on it, so that a change of the thread count or
// release_threads() on one thread never frees the pool under a loop on another (C API users
// may call from several threads); the last holder joins its workers.
std::shared_ptr<Pool> pool;

// Starting the workers costs the calling thread 100-200 us (creating each, and joining it at
// the end), against a few microseconds for handing a loop to a worker already running, and a
// new thread may not run for milliseconds on a busy machine, so the first loop gains nothing
// from it. Loops whose work the kernel reports therefore run on the calling thread, their
// statements counted, until the count reaches kWorkToStartThreads: a process that runs a small
// model once never starts a thread, one that runs it repeatedly or runs a large one does, early.
// 2^21 statements is about 32 times the work a hand-off needs to pay (2^16 on AMD Zen 4).
constexpr int64_t kWorkToStartThreads = int64_t{1} << 21;
int64_t work_without_threads = 0;  // guarded by pool_mutex

// The cores this process may use, read once: glibc reads a /sys file each time it is asked.
int default_thread_count() {
  static const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return cores;
}

int wanted_threads() {
  int want = requested_threads.load();
  return want <= 0 ? default_thread_count() : want;
}

// The pool, started or resized now; or null while the loops so far have not done enough work to
// pay for starting it (never for a loop of unknown work).
std::shared_ptr<Pool> the_pool(int64_t work) {
  std::lock_guard<std::mutex> lock(pool_mutex);
  int want = wanted_threads();
  if (!pool) {
    if (work < kWorkToStartThreads && (work_without_threads += work) < kWorkToStartThreads) return nullptr;
    pool = std::make_shared<Pool>(want);
  } else if (pool->threads() != want) {
    pool = std::make_shared<Pool>(want);
  }
  return pool;
}

}  // namespace

int32_t parallel_for_work(int64_t n, int64_t work, ParallelBody body, void* closure) {
  if (n <= 0) return 0;
  if (n == 1 || wanted_threads() == 1) return body(0, n, closure);
  std::shared_ptr<Pool> p = the_pool(work);
  if (!p || p->threads() == 1) return body(0, n, closure);
  return p->run(n, body, closure);
}

int32_t parallel_for(int64_t n, ParallelBody body, void* closure) { return parallel_for_work(n, std::numeric_limits<int64_t>::max(), body, closure); }

void set_thread_count(int threads) { requested_threads.store(threads); }

void release_threads() {
  std::shared_ptr<Pool> released;
  {
    std::lock_guard<std::mutex> lock(pool_mutex);
    released = std::move(pool);
    work_without_threads = 0;
  }  // joined here, outside the lock, unless a loop on another thread still holds it
}

int thread_count() { return wanted_threads(); }

bool threads_started() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  return pool && pool->threads() > 1;
}

}  // namespace relaxrt
