#include "pass_instruments.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "compiler/driver/compile.h"

namespace relaxc {

namespace {

bool named(const std::vector<std::string>& names, const std::string& pass) { return std::find(names.begin(), names.end(), pass) != names.end(); }

void print_module(std::ostream& err, const char* when, const std::string& pass, const Module& module) {
  err << "# IR " << when << " pass '" << pass << "'\n" << emit_tvms(module) << "\n";
}

}  // namespace

std::string unknown_pass_names(const PassInstrumentOptions& options) {
  std::string known, unknown;
  for (const PassInfo& pass : pipeline_passes()) known += (known.empty() ? "" : ", ") + pass.name;
  std::vector<std::string> asked = options.print_before;
  asked.insert(asked.end(), options.print_after.begin(), options.print_after.end());
  for (const std::string& name : asked) {
    bool exists = std::any_of(pipeline_passes().begin(), pipeline_passes().end(), [&](const PassInfo& p) { return p.name == name; });
    if (!exists) unknown += (unknown.empty() ? "" : ", ") + ("'" + name + "'");
  }
  return unknown.empty() ? "" : "there is no pass " + unknown + "; the passes are " + known + " (relaxc --list-passes)";
}

void install_pass_instruments(const PassInstrumentOptions& options, PipelineOptions& pipeline, std::ostream& err, PassTimes& times) {
  auto started = std::make_shared<std::chrono::steady_clock::time_point>();
  pipeline.before_pass = [&options, &err, started](const std::string& pass, const Module& module) {
    if (named(options.print_before, pass)) print_module(err, "before", pass, module);
    *started = std::chrono::steady_clock::now();
  };
  pipeline.after_pass = [&options, &err, &times, started](const std::string& pass, const Module& module) {
    times.seconds.emplace_back(pass, std::chrono::duration<double>(std::chrono::steady_clock::now() - *started).count());
    if (options.print_after_all || named(options.print_after, pass)) print_module(err, "after", pass, module);
  };
}

void print_pass_times(std::ostream& err, const PassTimes& times, double total_seconds) {
  char line[256];
  std::snprintf(line, sizeof line, "relaxc --time-passes: %.3f s in all\n%10s %7s  %s\n", total_seconds, "time ms", "share", "pass");
  err << line;
  for (const auto& [name, seconds] : times.seconds) {
    std::snprintf(line, sizeof line, "%10.1f %6.1f%%  %s\n", seconds * 1e3, total_seconds > 0 ? 100 * seconds / total_seconds : 0.0, name.c_str());
    err << line;
  }
}

}  // namespace relaxc
