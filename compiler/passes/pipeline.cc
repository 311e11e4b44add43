#include "compiler/passes/pipeline.h"

#include <algorithm>

#include "compiler/passes/relax/fold_batch_norm.h"
#include "compiler/passes/relax/fuse_ops.h"
#include "compiler/passes/relax/legalize_ops.h"
#include "compiler/passes/relax/matmul_transposed_to_linear.h"
#include "compiler/passes/relax/pack_weights.h"
#include "compiler/passes/tir/default_schedule.h"

namespace relaxc {

const std::vector<std::string>& pipeline_stages() {
  static const std::vector<std::string> stages = {"check", "legalize", "fuse", "schedule"};
  return stages;
}

Module run_pipeline(const Module& checked, const PipelineOptions& options) {
  const int opt_level = options.opt_level;
  const std::string& last_stage = options.last_stage;
  const auto& stages = pipeline_stages();
  auto reached = [&](const std::string& stage) {
    return std::find(stages.begin(), stages.end(), stage) > std::find(stages.begin(), stages.end(), last_stage);
  };
  if (reached("legalize")) return checked;
  // Graph rewrites that choose better kernels before operators become TensorIR.
  const schedule::Target target = options.target ? *options.target : schedule::Target{};
  Module module = opt_level >= 2 ? fold_batch_norm(matmul_transposed_to_linear(checked)) : checked;
  module = legalize_ops(module, LegalizeOptions{opt_level >= 1});
  // The transposes of packed weights are operators too.
  if (opt_level >= 2) {
    Module packed = pack_weights(module, target);
    // Legalized (and checked) again only when packing added transposes.
    if (packed.functions.size() != module.functions.size()) module = legalize_ops(packed, LegalizeOptions{true});
  }
  if (reached("fuse")) return module;
  if (opt_level >= 2) module = fuse_ops(module, target);
  if (options.op_counts) *options.op_counts = count_float_ops(module);
  if (options.user_schedule) module = options.user_schedule(module);
  if (reached("schedule")) return module;
  if (opt_level >= 2) {
    ScheduleChoices choices;
    for (const tir::PrimFuncPtr& k : module.prim_funcs) {
      if (std::optional<ScheduleKnobs> knobs = options.tuned ? options.tuned(*k) : std::nullopt) choices[k->name] = *knobs;
    }
    module = default_schedule(module, target, choices, options.report);
  }
  return module;
}

}  // namespace relaxc
