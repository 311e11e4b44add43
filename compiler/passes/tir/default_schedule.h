// The default schedule (-O2 and above). Requires a legalized, fused module. For each kernel not
// already scheduled: the matmul-like reductions go to the register-tile generators of
// tile_reductions.cc (older code, not yet written as primitives); otherwise the first rule of
// compiler/schedule/rules that applies schedules it with primitives; otherwise the older
// per-element schedules of tile_reductions.cc and parallelize_outer_loops.cc apply.
// Guarantees: results equal the unscheduled kernels' up to the order of additions; the report
// says, per kernel, what scheduled it and, for rules, the primitives in schedule-file form.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/module.h"
#include "compiler/passes/schedule_knobs.h"
#include "compiler/schedule/target.h"

namespace relaxc {

struct KernelSchedule {
  std::string kernel;
  std::string by;                  // a rule's name, or what else scheduled it
  std::vector<std::string> trace;  // a rule's primitives, as schedule-file lines
};
using ScheduleReport = std::vector<KernelSchedule>;

// Whether the default schedule gives `func` to a rule (rather than the older generators).
bool scheduled_by_rule(const tir::PrimFunc& func, const schedule::Target& target);

// `choices` give the tuned knobs of the kernels they name: the register-tile generator's, or for a
// rule its accumulators (rows_per_tile) and parallel.
Module default_schedule(const Module& module, const schedule::Target& target, const ScheduleChoices& choices, ScheduleReport* report = nullptr);

}  // namespace relaxc
