// The machine's multiply-add peak, measured: every core runs independent chains of vector
// multiply-adds in registers (enough chains to hide the instruction's latency on two ports) for
// a fixed time. Prints one JSON line with the lanes of the widest vector it was built for and
// the GFLOP/s of one core and of all of them, so that bench/run.py states each result as a
// fraction of what this machine can do in the same run.
//   fma_peak [SECONDS_PER_MEASUREMENT]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

// Twelve chains: a multiply-add's latency (4 cycles) times two issue ports, with room to spare.
constexpr int kChains = 12;
constexpr long kStepsPerCheck = 1 << 16;

// Twelve multiply-adds into twelve registers; in assembly because compilers either keep such
// chains in memory or, seeing values that are never used, drop them.
#if defined(__AVX512F__)
#define RX_REG "zmm"
#elif defined(__FMA__)
#define RX_REG "ymm"
#endif
#ifdef RX_REG
#define RX_FMA(n) "vfmadd231ps %[a], %[b], %%" RX_REG #n "\n"
inline void twelve_multiply_adds(const Vec& a, const Vec& b) {
  __asm__ volatile(RX_FMA(0) RX_FMA(1) RX_FMA(2) RX_FMA(3) RX_FMA(4) RX_FMA(5) RX_FMA(6) RX_FMA(7) RX_FMA(8) RX_FMA(9) RX_FMA(10) RX_FMA(11)
                   :
                   : [a] "v"(a), [b] "v"(b)
                   : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11");
}
#else
inline void twelve_multiply_adds(const Vec& a, const Vec& b) {
  Vec c = b;
  for (int i = 0; i < kChains; ++i) c = c * a + b;
  __asm__ volatile("" : "+x"(c));
}
#endif

// Runs until `stop`; returns the multiply-adds done (of kLanes lanes each). The registers start
// from whatever they hold; small operands keep them away from subnormal values.
long multiply_adds(const std::atomic<bool>& stop) {
  Vec a, b;
  for (int l = 0; l < kLanes; ++l) a[l] = 1e-3f, b[l] = 1e-3f;
  long steps = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    for (long s = 0; s < kStepsPerCheck; ++s) twelve_multiply_adds(a, b);
    steps += kStepsPerCheck;
  }
  return steps * kChains;
}

// GFLOP/s of `threads` cores together over `seconds`.
double gflops(int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::vector<long> counts(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { counts[static_cast<size_t>(t)] = multiply_adds(stop); });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& th : pool) th.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long total = 0;
  for (long c : counts) total += c;
  return 2.0 * kLanes * static_cast<double>(total) / elapsed * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "fma_peak: expected a positive number of seconds, found '%s'\n", argv[1]);
    return 1;
  }
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // The best of three, as a moment of another process's load only lowers a measurement.
  double one = 0, all = 0;
  for (int r = 0; r < 3; ++r) {
    one = std::max(one, gflops(1, seconds));
    all = std::max(all, gflops(cores, seconds));
  }
  std::printf("{\"lanes\": %d, \"cores\": %d, \"gflops_1\": %.1f, \"gflops_all\": %.1f}\n", kLanes, cores, one, all);
  return 0;
}
