// The thread pool that runs parallel loops of compiled kernels (T.parallel, and the loops the
// default schedule parallelises). A kernel library reaches it through the function pointer
// `__rx_parallel_for` it exports, which NativeLibrary fills in after loading it.
#pragma once

#include <cstdint>

namespace relaxrt {

// The body of a parallel loop: iterations [begin, end) with the values it captured.
using ParallelBody = int32_t (*)(int64_t begin, int64_t end, void* closure);

// Runs body over [0, n) split into contiguous chunks, one per thread; returns the first non-zero
// status a chunk returned, else 0. Loops of fewer than two iterations run on the calling thread.
int32_t parallel_for(int64_t n, ParallelBody body, void* closure);

// Stops the worker threads until the next parallel loop starts them again.
void release_threads();

// The number of threads parallel loops use (default: every core); 1 runs everything serially.
void set_thread_count(int threads);
int thread_count();

}  // namespace relaxrt
