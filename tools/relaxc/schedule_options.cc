#include "schedule_options.h"

#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>
#include <set>

#include "compiler/check/check_module.h"
#include "compiler/schedule/schedule_file.h"
#include "runtime/file_io.h"

namespace relaxc {

namespace {

void log_scheduled(const std::set<std::string>& scheduled, const std::string& path) {
  for (const std::string& name : scheduled) spdlog::info("{} is scheduled by {}; the default schedule leaves it as it is", name, path);
}

// Applies the file to the kernels after legalize and fuse; errors are printed at their place
// in the file.
Module schedule_kernels(const std::shared_ptr<SourceFile>& file, const Module& module) {
  std::set<std::string> scheduled;
  try {
    Module out = schedule::apply_schedule_file(module, *file, &scheduled);
    log_scheduled(scheduled, file->path());
    return out;
  } catch (const CompileError& e) {
    Diagnostics diags(*file);
    diags.error(e.loc(), e.message());
    diags.render(std::cerr);
    throw ReportedError();
  }
}

}  // namespace

bool prepare_schedule(const std::string& path, const SourceFile& source, Module& module, PipelineOptions& pipeline) {
  std::string text;
  if (std::string error = relaxrt::read_whole_file(path, text); !error.empty()) {
    std::cerr << "relaxc: error: " << error << '\n';
    return false;
  }
  auto file = std::make_shared<SourceFile>(path, std::move(text));
  Diagnostics diags(*file);
  std::set<std::string> scheduled;
  try {
    module = schedule::apply_schedule_file(module, *file, &scheduled);
  } catch (const schedule::UnknownFunctionInFile&) {
    spdlog::info("{} names kernels that exist once operators are legalized and fused; it runs just before the default schedule", path);
    pipeline.user_schedule = [file](const Module& m) { return schedule_kernels(file, m); };
    return true;
  } catch (const CompileError& e) {
    diags.error(e.loc(), e.message());
    diags.render(std::cerr);
    return false;
  }
  // A primitive that broke the module is a bug of relaxc's, reported as such.
  Diagnostics recheck(source);
  if (!check_module(module, recheck)) {
    recheck.render(std::cerr);
    std::cerr << path << ": internal error: the schedule produced an ill-formed module\n";
    return false;
  }
  log_scheduled(scheduled, path);
  return true;
}

std::string schedule_file_text(const ScheduleReport& report, const schedule::Target& target, const std::string& input,
                               const std::set<std::string>& run_alone_only) {
  std::string out = "# The default schedule relaxc gives " + input + ", for " + target.description + ".\n" +
                    "# `relaxc " + input + " --schedule THIS_FILE` gives the same module; edit it to change a kernel's schedule.\n";
  for (const KernelSchedule& kernel : report) {
    if (run_alone_only.count(kernel.kernel)) {
      // Naming it would schedule the prim_func as written, which fusion then leaves alone.
      out += "\n# " + kernel.kernel + ": " + kernel.by + ", kept to run alone (relaxrun --function); the module's functions call it fused.\n";
      out += "# Uncommented, these lines schedule it as written and keep it out of fusion:\n";
      for (const std::string& line : kernel.trace) out += "#   " + line + "\n";
      continue;
    }
    out += "\n# " + kernel.kernel + ": " + kernel.by + "\n";
    for (const std::string& line : kernel.trace) out += line + "\n";
  }
  return out;
}

}  // namespace relaxc
