// What the default schedule's rules know of the machine they schedule for: the vector width,
// the vector registers, the cache sizes and the cores. Every tile size, vector factor and
// parallel decision of a rule is derived from these, never written for one CPU.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ir/dtype.h"

namespace relaxc::schedule {

struct Target {
  std::string description = "generic";  // for logs and --print-schedule's header
  int vector_bits = 128;
  int vector_registers = 16;
  int64_t l1_bytes = 32 * 1024;
  int64_t l2_bytes = 1024 * 1024;
  int cores = 1;
  // A parallel loop pays for its hand-off to the thread pool (a few microseconds) only above
  // about this many arithmetic operations.
  int64_t parallel_min_ops = 1 << 18;
  // The code generator's run-time form of it: the statements (a vector lane counts as one) below
  // which a parallel loop runs on the calling thread, for a CPU of LLVM's name `cpu`. About 6 us
  // of vectorized work where waking a thread costs that much (Intel AVX-512: the 784x128
  // matrix-vector product, 100K statements, ran slower on two threads); AMD Zen 4 hands off
  // faster, and that product ran 1.3x faster on two (the chapter's MLP at batch 1 6.5 -> 5.0 us).
  static int64_t parallel_min_statements(const std::string& cpu);
  // The same for a nest that only moves elements, counted as a few operations each.
  int64_t parallel_min_elements() const { return parallel_min_ops / 4; }

  // Elements of `dtype` in one vector register.
  int64_t lanes(DataType dtype) const;
  // Vector registers a rule may fill with accumulators, leaving room for the operands.
  int accumulator_registers() const { return vector_registers / 4; }
  // The same for a matmul's tile, whose other operand is one broadcast per row.
  int matmul_accumulator_registers() const { return vector_registers / 2; }
  // Multiply-adds a rule may unroll a whole small reduction window into (the window times the
  // tile's accumulators): a few per vector register, so that the loads the accumulators share
  // stay in registers rather than spill; a 3x3 window over a tile of half the registers fits.
  int64_t unrolled_window_multiply_adds() const { return 5 * static_cast<int64_t>(vector_registers); }
  // Independent chains of multiply-adds that hide one multiply-add's latency (about its
  // latency times the multiply-adds issued per cycle on one value's chain).
  int multiply_add_chains = 4;
  // Pieces a reduction too long for few rows is split into to run in parallel: a few per core,
  // so that uneven pieces balance.
  int64_t reduction_chunks() const { return 4 * static_cast<int64_t>(cores); }

  // From the CPU features code may use ("avx512f", "avx2", "neon", ...), with the cores and
  // cache sizes of the machine the compiler runs on.
  static Target from_features(const std::string& cpu, const std::vector<std::string>& features, int cores, int64_t l1_bytes, int64_t l2_bytes);
};

}  // namespace relaxc::schedule
