// The thread pool that runs parallel loops of compiled kernels (T.parallel, and the loops the
// default schedule parallelises). A kernel library reaches it through the function pointer
// `__rx_parallel_for_work` it exports (`__rx_parallel_for`, without the work, in libraries of
// older relaxc), which NativeLibrary fills in after loading it.
#pragma once

#include <cstdint>

namespace relaxrt {

// The body of a parallel loop: iterations [begin, end) with the values it captured.
using ParallelBody = int32_t (*)(int64_t begin, int64_t end, void* closure);

// Runs body over [0, n) split into contiguous chunks, one per thread; returns the first non-zero
// status a chunk returned, else 0. Loops of fewer than two iterations run on the calling thread.
// `work` is the kernel's count of the statements the whole loop runs: until the loops so far
// add up to enough work to pay for starting threads, they run on the calling thread.
int32_t parallel_for_work(int64_t n, int64_t work, ParallelBody body, void* closure);
// The same for a loop of unknown work: the threads start for it.
int32_t parallel_for(int64_t n, ParallelBody body, void* closure);

// Stops the worker threads; as in a new process, loops then run on the calling thread until
// their work pays for starting them again.
void release_threads();

// The number of threads parallel loops use (default: every core); 1 runs everything serially.
void set_thread_count(int threads);
int thread_count();
// Whether worker threads are running (for tests).
bool threads_started();

}  // namespace relaxrt
