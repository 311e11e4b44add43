// relaxc's --print-before=PASS, --print-after=PASS, --print-after-all and --time-passes, as
// LLVM's tools spell them, over the pipeline's named passes (compiler/passes/pipeline.h): the
// module printed as TVMScript to stderr around the passes named, and each pass's time.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "compiler/passes/pipeline.h"

namespace relaxc {

struct PassInstrumentOptions {
  std::vector<std::string> print_before, print_after;
  bool print_after_all = false, time_passes = false;
};

// The time of each pass that ran and of the phases around the pipeline, in order.
struct PassTimes {
  std::vector<std::pair<std::string, double>> seconds;
};

// A pass name no pass has, as an error message listing the names; empty when all are known.
std::string unknown_pass_names(const PassInstrumentOptions& options);

// Sets pipeline.before_pass and after_pass to print to `err` and to time into `times`.
void install_pass_instruments(const PassInstrumentOptions& options, PipelineOptions& pipeline, std::ostream& err, PassTimes& times);

// --time-passes' table: every pass and phase with its time and share of `total_seconds`.
void print_pass_times(std::ostream& err, const PassTimes& times, double total_seconds);

}  // namespace relaxc
