#include "compiler/passes/pipeline.h"

#include <algorithm>

#include "compiler/passes/relax/fold_batch_norm.h"
#include "compiler/passes/relax/fuse_ops.h"
#include "compiler/passes/relax/legalize_ops.h"
#include "compiler/passes/relax/matmul_transposed_to_linear.h"
#include "compiler/passes/relax/pack_weights.h"
#include "compiler/passes/tir/default_schedule.h"

namespace relaxc {

namespace {

// One pass of the list: whether it runs for these options, and what it does.
struct Pass {
  PassInfo info;
  std::string stage;  // the --after stage it belongs to
  std::function<bool(const PipelineOptions&)> enabled;
  std::function<Module(const Module&, const PipelineOptions&, const schedule::Target&)> run;
};

bool at_o2(const PipelineOptions& o) { return o.opt_level >= 2; }

Module pack(const Module& module, const PipelineOptions&, const schedule::Target& target) {
  Module packed = pack_weights(module, target);
  // Legalized (and checked) again only when packing added transposes: they are operators too.
  return packed.functions.size() != module.functions.size() ? legalize_ops(packed, LegalizeOptions{true}) : packed;
}

Module schedule(const Module& module, const PipelineOptions& options, const schedule::Target& target) {
  ScheduleChoices choices;
  for (const tir::PrimFuncPtr& k : module.prim_funcs) {
    if (std::optional<ScheduleKnobs> knobs = options.tuned ? options.tuned(*k) : std::nullopt) choices[k->name] = *knobs;
  }
  return default_schedule(module, target, choices, options.report);
}

const std::vector<Pass>& passes() {
  static const std::vector<Pass> list = {
      {{"matmul-to-linear", "R.matmul(x, R.permute_dims(w)) becomes R.nn.linear(x, w) (-O2)"}, "legalize", at_o2,
       [](const Module& m, const PipelineOptions&, const schedule::Target&) { return matmul_transposed_to_linear(m); }},
      {{"fold-batch-norm", "an inference batch_norm after a convolution folds into its weights and a bias (-O2)"}, "legalize", at_o2,
       [](const Module& m, const PipelineOptions&, const schedule::Target&) { return fold_batch_norm(m); }},
      {{"legalize", "high-level operators become TensorIR kernels (LegalizeOps)"}, "legalize", [](const PipelineOptions&) { return true; },
       [](const Module& m, const PipelineOptions& o, const schedule::Target&) { return legalize_ops(m, LegalizeOptions{o.opt_level >= 1}); }},
      {{"pack-weights", "frozen weights packed for the kernels that read them, by weight transforms (-O2)"}, "legalize", at_o2, pack},
      {{"fuse", "elementwise consumers and window poolings fused into their producers (FuseOps + FuseTIR; -O2)"}, "fuse", at_o2,
       [](const Module& m, const PipelineOptions&, const schedule::Target& t) { return fuse_ops(m, t); }},
      {{"count-ops", "each kernel's floating-point operations recorded for relaxrun --profile (the module unchanged)"}, "fuse",
       [](const PipelineOptions& o) { return o.op_counts != nullptr; },
       [](const Module& m, const PipelineOptions& o, const schedule::Target&) {
         *o.op_counts = count_float_ops(m);
         return m;
       }},
      {{"user-schedule", "a --schedule file naming kernels that legalize and fuse made"}, "fuse",
       [](const PipelineOptions& o) { return static_cast<bool>(o.user_schedule); },
       [](const Module& m, const PipelineOptions& o, const schedule::Target&) { return o.user_schedule(m); }},
      {{"schedule", "the default schedule: rules of schedule primitives from the target, then the older tiles (-O2)"}, "schedule", at_o2,
       schedule},
  };
  return list;
}

}  // namespace

const std::vector<std::string>& pipeline_stages() {
  static const std::vector<std::string> stages = {"check", "legalize", "fuse", "schedule"};
  return stages;
}

const std::vector<PassInfo>& pipeline_passes() {
  static const std::vector<PassInfo> infos = [] {
    std::vector<PassInfo> out;
    for (const Pass& pass : passes()) out.push_back(pass.info);
    return out;
  }();
  return infos;
}

Module run_pipeline(const Module& checked, const PipelineOptions& options) {
  const auto& stages = pipeline_stages();
  auto last = std::find(stages.begin(), stages.end(), options.last_stage);
  const schedule::Target target = options.target ? *options.target : schedule::Target{};
  Module module = checked;
  for (const Pass& pass : passes()) {
    if (std::find(stages.begin(), stages.end(), pass.stage) > last) break;
    if (!pass.enabled(options)) continue;
    if (options.before_pass) options.before_pass(pass.info.name, module);
    module = pass.run(module, options, target);
    if (options.after_pass) options.after_pass(pass.info.name, module);
  }
  return module;
}

}  // namespace relaxc
