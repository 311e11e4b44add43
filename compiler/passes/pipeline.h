// The passes between the checker and code generation, in order, so that relaxc's
// --emit=tvms --after=STAGE prints exactly what the back end receives:
//   legalize  high-level operators become TensorIR kernels (LegalizeOps); at -O2 and above a
//             matmul by a transposed matrix becomes nn.linear first
//             (matmul_transposed_to_linear.h)
//   fuse      elementwise consumers fused into their producers (-O2 and above)
//   schedule  the default schedule (-O2 and above): dot-product reductions tiled for registers,
//             independent outer loops parallel
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "compiler/ir/module.h"
#include "compiler/passes/schedule_knobs.h"
#include "compiler/passes/tir/count_ops.h"
#include "compiler/passes/tir/default_schedule.h"
#include "compiler/schedule/target.h"

namespace relaxc {

// The stages --after accepts, in pipeline order ("check" is the checked input itself).
const std::vector<std::string>& pipeline_stages();

struct PipelineOptions {
  int opt_level = 2;
  std::string last_stage = "schedule";
  // The schedule knobs of the kernels it knows, asked with each kernel just before scheduling
  // (relaxc --tuning-db).
  KnobsLookup tuned;
  // What the default schedule's rules are parameterised by (a generic target when not given).
  std::optional<schedule::Target> target;
  // A user's schedule of kernels that exist only once operators are legalized and fused
  // (relaxc --schedule naming them), run just before the default schedule.
  std::function<Module(const Module&)> user_schedule;
  // Filled with what scheduled each kernel (relaxc --print-schedule).
  ScheduleReport* report = nullptr;
  // Filled with each kernel's floating-point operations, counted before any schedule changes
  // them (relaxrun --profile).
  KernelOpCounts* op_counts = nullptr;
};

// Runs the pipeline on a checked module up to and including options.last_stage.
Module run_pipeline(const Module& checked, const PipelineOptions& options);

}  // namespace relaxc
