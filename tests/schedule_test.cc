#include <catch2/catch.hpp>

#include "compiler/passes/tir/default_schedule.h"
#include "compiler/passes/pipeline.h"
#include "compiler/schedule/target.h"
#include "compiler/schedule/trace.h"
#include "test_util.h"

using namespace relaxc;

TEST_CASE("the target's vector width and registers come from the CPU's features", "[schedule]") {
  schedule::Target avx512 = schedule::Target::from_features("znver4", {"avx2", "avx512f", "fma"}, 8, 48 * 1024, 0);
  CHECK(avx512.vector_bits == 512);
  CHECK(avx512.vector_registers == 32);
  CHECK(avx512.lanes(DataType::Float32) == 16);
  CHECK(avx512.lanes(DataType::Float64) == 8);
  CHECK(avx512.accumulator_registers() == 8);
  CHECK(avx512.cores == 8);
  CHECK(avx512.l1_bytes == 48 * 1024);
  CHECK(avx512.l2_bytes == 1024 * 1024);  // unknown: the default
  schedule::Target avx2 = schedule::Target::from_features("haswell", {"avx", "avx2"}, 0, 0, 0);
  CHECK(avx2.vector_bits == 256);
  CHECK(avx2.vector_registers == 16);
  CHECK(avx2.lanes(DataType::Float32) == 8);
  CHECK(avx2.cores == 1);
  schedule::Target plain = schedule::Target::from_features("x86-64", {}, 2, 0, 0);
  CHECK(plain.lanes(DataType::Float32) == 4);
  CHECK(plain.description == "x86-64: 128-bit vectors, 16 vector registers, 2 cores");
}

TEST_CASE("a traced schedule prints its primitives as trace.show() does", "[schedule]") {
  Compiled c(read_testdata("primitives/Inputs/mm_relu.tvms"));
  REQUIRE(c.module.has_value());
  schedule::Schedule sch(*c.module);
  schedule::TracedSchedule t(sch);
  schedule::BlockRV y = t.get_block("Y", "mm_relu");
  std::vector<schedule::LoopRV> loops = t.get_loops(y);
  std::vector<schedule::LoopRV> parts = t.split(loops[1], {std::nullopt, 4});
  t.reorder({parts[0], loops[2], parts[1]});
  t.vectorize(parts[1]);
  t.decompose_reduction(y, loops[2]);
  CHECK(t.lines() == std::vector<std::string>{
                         "b0 = sch.get_block(name=\"Y\", func_name=\"mm_relu\")",
                         "l1, l2, l3 = sch.get_loops(block=b0)",
                         "l4, l5 = sch.split(loop=l2, factors=[None, 4], preserve_unit_iters=True)",
                         "sch.reorder(l4, l3, l5)",
                         "sch.vectorize(loop=l5)",
                         "b6 = sch.decompose_reduction(block=b0, loop=l3)",
                     });
  // The handle of the reduction block follows it to its new name.
  CHECK_FALSE(sch.block_path(y).empty());
}

TEST_CASE("the default schedule reports what scheduled each kernel", "[schedule]") {
  Compiled c(read_testdata("schedule/conv_forms.tvms"));
  REQUIRE(c.module.has_value());
  ScheduleReport report;
  PipelineOptions options;
  options.target = schedule::Target::from_features("test", {"avx512f"}, 2, 0, 0);
  options.report = &report;
  run_pipeline(*c.module, options);
  // The eight kernels as written, and the frozen-weight variant's: its two convolutions whose
  // output channels fill vectors read the weight blocked (the 3x3 one under the channel-blocked
  // rule; the 1x1 one's reduction of 16 channels is too short for it), and the weight
  // transposes that pack it.
  REQUIRE(report.size() == 13);
  int blocked = 0, transposes = 0;
  for (const KernelSchedule& kernel : report) {
    bool conv_rule = kernel.by == "rule window-reduction" || kernel.by == "rule channel-blocked-conv";
    CHECK((conv_rule || kernel.by == "rule elementwise"));
    blocked += kernel.by == "rule channel-blocked-conv";
    transposes += kernel.by == "rule elementwise";
    CHECK_FALSE(kernel.trace.empty());
  }
  CHECK(blocked == 1);
  CHECK(transposes == 2);
  // On one core nothing is parallel.
  ScheduleReport single;
  options.target = schedule::Target::from_features("test", {"avx512f"}, 1, 0, 0);
  options.report = &single;
  run_pipeline(*c.module, options);
  for (const KernelSchedule& kernel : single) {
    for (const std::string& line : kernel.trace) CHECK(line.find("sch.parallel") == std::string::npos);
  }
}
