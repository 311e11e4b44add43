// relaxc's --schedule FILE and --print-schedule.
#pragma once

#include <exception>
#include <set>
#include <string>

#include "compiler/ir/module.h"
#include "compiler/passes/pipeline.h"
#include "compiler/support/source.h"

namespace relaxc {

// An error already printed to stderr (with its position in the schedule file).
struct ReportedError : std::exception {
  const char* what() const noexcept override { return "error already reported"; }
};

// --schedule FILE: run on the module as written when every function it names is there (those
// functions are then compiled as the file leaves them, and fusion does not touch them);
// otherwise on the kernels as legalized and fused, just before the default schedule (the
// names --print-schedule prints), through pipeline.user_schedule. False, with the error
// printed, when the file fails on the module as written.
bool prepare_schedule(const std::string& path, const SourceFile& source, Module& module, PipelineOptions& pipeline);

// The default schedule's report as a schedule file: a header naming the target, then per
// kernel a comment saying what scheduled it and a rule's primitives (commented out for the
// public prim_funcs in `run_alone_only`, which the module calls only fused into others).
std::string schedule_file_text(const ScheduleReport& report, const schedule::Target& target, const std::string& input,
                               const std::set<std::string>& run_alone_only);

}  // namespace relaxc
