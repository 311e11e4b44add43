// relaxc --tune: measures schedule candidates of a module's kernels on this machine and records
// the fastest in a tuning database; and the schedule knobs a database gives the kernels.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/codegen/native_target.h"
#include "compiler/ir/module.h"
#include "compiler/passes/schedule_knobs.h"
#include "tuning_db.h"

namespace relaxc {

struct TuneOptions {
  double seconds = 0;                     // for all kernels together
  std::map<std::string, int64_t> sizes;   // values of symbolic sizes to measure at (--tune-size)
  codegen::TargetOptions target;
};

// Tunes every kernel of `checked` that the -O2 schedule gives outer-product tiles and whose
// sizes are constants or given: each candidate (tile rows, vectors of columns, parallel or not)
// is compiled, run on random inputs and timed; one whose results differ from the default's
// beyond rounding is discarded. The fastest goes into `db`: the default unless another is still
// 3% faster when both are timed again at the end (timings of the same code vary that much
// here). Reports each kernel on `log`.
// Throws std::runtime_error for target problems, CompileError for kernels it cannot build.
void tune(const Module& checked, const TuneOptions& options, TuningDb& db, std::ostream& log);

// Reads --tune-size values ("batch=4443") into `sizes`; returns "" or what is wrong.
std::string parse_tune_sizes(const std::vector<std::string>& items, std::map<std::string, int64_t>& sizes);

// The knobs `db` records for a kernel (as it is before scheduling, the stage tuning saw) on
// `cpu`; `found` counts the kernels it knew.
KnobsLookup recorded_knobs(const TuningDb& db, const std::string& cpu, int& found);

}  // namespace relaxc
