// The passes between the checker and code generation: one list of named passes, run in order,
// so that relaxc's --emit=tvms --after=STAGE prints exactly what the back end receives and
// --print-after=PASS / --print-before=PASS / --time-passes see every pass by its name:
//   matmul-to-linear  a matmul by a transposed matrix becomes nn.linear (-O2;
//                     matmul_transposed_to_linear.h)
//   fold-batch-norm   an inference batch_norm after a convolution folds into its weights (-O2)
//   legalize          high-level operators become TensorIR kernels (LegalizeOps)
//   pack-weights      frozen weights packed for their kernels, by weight transforms (-O2)
//   fuse              elementwise consumers fused into their producers (-O2)
//   count-ops         each kernel's floating-point operations recorded (an analysis: the
//                     module is unchanged; relaxrun --profile reports them)
//   user-schedule     a --schedule file that names kernels made by legalize and fuse
//   schedule          the default schedule (-O2): rules of schedule primitives, the older tiles
// The stages --after names end at: legalize after pack-weights, fuse after user-schedule,
// schedule after schedule.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/module.h"
#include "compiler/passes/schedule_knobs.h"
#include "compiler/passes/tir/count_ops.h"
#include "compiler/passes/tir/default_schedule.h"
#include "compiler/schedule/target.h"

namespace relaxc {

// The stages --after accepts, in pipeline order ("check" is the checked input itself).
const std::vector<std::string>& pipeline_stages();

// Every pass's name and what it does, in pipeline order (relaxc --list-passes).
struct PassInfo {
  std::string name, description;
};
const std::vector<PassInfo>& pipeline_passes();

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
  // Called around each pass that runs (one that does nothing at this -O level or with these
  // options is skipped), with its name and the module it receives or made (relaxc
  // --print-before, --print-after, --time-passes).
  std::function<void(const std::string& pass, const Module& module)> before_pass, after_pass;
};

// Runs the pipeline on a checked module up to and including options.last_stage.
Module run_pipeline(const Module& checked, const PipelineOptions& options);

}  // namespace relaxc
