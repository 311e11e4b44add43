// The passes between the checker and code generation, in order, so that relaxc's
// --emit=tvms --after=STAGE prints exactly what the back end receives:
//   legalize  high-level operators become TensorIR kernels (LegalizeOps); at -O2 and above a
//             matmul by a transposed matrix becomes nn.linear first
//             (matmul_transposed_to_linear.h)
//   fuse      elementwise consumers fused into their producers (-O2 and above)
//   schedule  the default schedule (-O2 and above): dot-product reductions tiled for registers,
//             independent outer loops parallel
#pragma once

#include <string>

#include "compiler/ir/module.h"
#include "compiler/passes/schedule_knobs.h"

namespace relaxc {

// The stages --after accepts, in pipeline order ("check" is the checked input itself).
const std::vector<std::string>& pipeline_stages();

// Runs the pipeline on a checked module up to and including `last_stage`; `tuned` gives the
// schedule knobs of the kernels it knows, asked with each kernel just before scheduling
// (relaxc --tuning-db).
Module run_pipeline(const Module& checked, int opt_level, const std::string& last_stage = "schedule", const KnobsLookup& tuned = nullptr);

}  // namespace relaxc
