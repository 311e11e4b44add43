// The choices of the default schedule that a tuner may make per kernel (relaxc --tune, kept in
// a --tuning-db file). The defaults are what -O2 does without a tuning database.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "compiler/ir/tir.h"

namespace relaxc {

struct ScheduleKnobs {
  int64_t rows_per_tile = 8;    // outer-product tiles: MR rows ...
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

inline ScheduleKnobs knobs_for(const ScheduleChoices& choices, const std::string& kernel) {
  auto it = choices.find(kernel);
  return it == choices.end() ? ScheduleKnobs{} : it->second;
}

}  // namespace relaxc
