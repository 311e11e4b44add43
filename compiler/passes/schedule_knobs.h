// The choices of the default schedule that a tuner may make per kernel (relaxc --tune, kept in
// a --tuning-db file). The defaults are what -O2 does without a tuning database.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "compiler/ir/tir.h"
#include "compiler/schedule/target.h"

namespace relaxc {

struct ScheduleKnobs {
  int64_t rows_per_tile = 8;    // outer-product tiles: MR rows ... (default_knobs: from the target)
  int64_t vectors_per_row = 2;  // ... by this many vectors of columns (MR x NC accumulators)
  bool parallel = true;         // outer loops and few-row reduction chunks on the thread pool
  bool operator==(const ScheduleKnobs& o) const {
    return rows_per_tile == o.rows_per_tile && vectors_per_row == o.vectors_per_row && parallel == o.parallel;
  }
};

// Knobs by prim_func name; a kernel not named gets the defaults.
using ScheduleChoices = std::map<std::string, ScheduleKnobs>;

// The knobs recorded for a kernel as it is before scheduling, if any (a tuning database).
using KnobsLookup = std::function<std::optional<ScheduleKnobs>(const tir::PrimFunc& unscheduled)>;

// What -O2 does for `target` without a tuning database: tiles of two vectors of columns by as
// many rows as the accumulator registers allow.
inline ScheduleKnobs default_knobs(const schedule::Target& target) {
  ScheduleKnobs knobs;
  knobs.rows_per_tile = std::max<int64_t>(1, target.matmul_accumulator_registers() / knobs.vectors_per_row);
  return knobs;
}

inline ScheduleKnobs knobs_for(const ScheduleChoices& choices, const std::string& kernel, const schedule::Target& target) {
  auto it = choices.find(kernel);
  return it == choices.end() ? default_knobs(target) : it->second;
}

}  // namespace relaxc
